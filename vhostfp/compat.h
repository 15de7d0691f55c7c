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

/*
 * Since 6.4 vhost's worker is a vhost_task: a thread of the owner's
 * process, in its mm and cgroups and counted in its RLIMIT_NPROC; 6.11
 * gave vhost_task_create() the kill handler used here.  Where that
 * exists (6.12) vhostfp's worker is one too; on 6.1 it is a kthread that
 * adopts the owner's mm and cgroups (worker.c).  Without it, stubs that
 * the compiler drops: worker.c tests VFP_WORKER_IS_TASK.
 */
#ifdef VFP_HAVE_VHOST_TASK
#include <linux/sched/vhost_task.h>
#define VFP_WORKER_IS_TASK		true
#else
struct vhost_task;
#define VFP_WORKER_IS_TASK		false
#define vhost_task_create(fn, kill, arg, name)				\
	((void)(fn), (void)(kill), (void)(arg), (void)(name),		\
	 (struct vhost_task *)ERR_PTR(-EOPNOTSUPP))
#define vhost_task_start(vtsk)		((void)(vtsk))
#define vhost_task_stop(vtsk)		((void)(vtsk))
#define vhost_task_wake(vtsk)		((void)(vtsk))
#endif

/*
 * VHOST_{SET,GET}_FORK_FROM_OWNER (6.12-stable's <linux/vhost.h>, absent
 * from 6.1's): which kind of worker the device makes.  Token for token
 * the kernel's definitions.
 */
#ifndef VFP_HAVE_FORK_FROM_OWNER
#define VHOST_FORK_OWNER_KTHREAD 0
#define VHOST_FORK_OWNER_TASK 1
#define VHOST_SET_FORK_FROM_OWNER _IOW(VHOST_VIRTIO, 0x84, __u8)
#define VHOST_GET_FORK_FROM_OWNER _IOR(VHOST_VIRTIO, 0x85, __u8)
#endif

#endif /* _VHOSTFP_COMPAT_H */
