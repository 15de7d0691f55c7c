/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernels vhostfp builds against (Debian 12's
 * 6.1 and 6.12) lives here.  Kbuild detects the features and defines
 * VFP_HAVE_*; this header is force-included before anything else, so it
 * includes next to nothing (a .c file's pr_fmt must come first) and its
 * helpers are macros, resolved where the real headers are in scope.
 */
#ifndef _VHOSTFP_COMPAT_H
#define _VHOSTFP_COMPAT_H

#include <linux/types.h>

struct sk_buff;
struct ubuf_info;

/* 6.8 dropped the count argument of eventfd_signal(). */
#ifdef VFP_HAVE_EVENTFD_SIGNAL_NOCOUNT
#define vfp_eventfd_signal(ctx)		eventfd_signal(ctx)
#else
#define vfp_eventfd_signal(ctx)		eventfd_signal((ctx), 1)
#endif

/*
 * 6.9 moved the zero-copy completion callback of struct ubuf_info into a
 * const ops table.  On older kernels a look-alike table holds the callback
 * until vfp_ubuf_init() copies it into the ubuf_info itself.
 */
#ifdef VFP_HAVE_UBUF_INFO_OPS
/* struct vfp_ubuf_ops is the kernel's own table. */
#define vfp_ubuf_ops			ubuf_info_ops
#define vfp_ubuf_init(uarg, table)	((uarg)->ops = (table))
#else
struct vfp_ubuf_ops {
	void (*complete)(struct sk_buff *skb, struct ubuf_info *uarg,
			 bool zerocopy_success);
};

#define vfp_ubuf_init(uarg, table)	((uarg)->callback = (table)->complete)
#endif

#endif /* _VHOSTFP_COMPAT_H */
