/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The checks every descriptor chain passes, in both ring layouts
 * (vq_split.c, vq_packed.c, vq_desc.c).  Pure, so that selftests/unit
 * tests them in userspace.
 */
#ifndef _VHOSTFP_VQ_DESC_H
#define _VHOSTFP_VQ_DESC_H

#include <linux/overflow.h>
#include <linux/types.h>
#include <linux/virtio_ring.h>

/* Bytes of a descriptor, split (struct vring_desc) and packed alike. */
#define VFP_DESC_SIZE		16

/*
 * Count one more descriptor of a walk in *@seen: true when that makes
 * more than @max (the ring's size, or an indirect table's entries).  The
 * bound of every chain walk: a loop, or a chain longer than its ring,
 * stops here.
 */
static inline bool vfp_desc_one_too_many(unsigned int *seen, unsigned int max)
{
	return ++*seen > max;
}

/* INDIRECT with NEXT: the spec forbids it (2.7.5.3.1), so do we. */
static inline bool vfp_desc_indirect_chained(u16 flags)
{
	return (flags & VRING_DESC_F_INDIRECT) && (flags & VRING_DESC_F_NEXT);
}

/*
 * May an indirect table be @len bytes, in a ring of @num?  Whole entries,
 * at least one, and no more than the ring holds.
 */
static inline bool vfp_desc_table_len_ok(u32 len, unsigned int num)
{
	return len && !(len % VFP_DESC_SIZE) && len / VFP_DESC_SIZE <= num;
}

/* Does [@addr, @addr + @len) run past the top of u64?  @len > 0. */
static inline bool vfp_desc_wraps(u64 addr, u64 len)
{
	u64 last;

	return check_add_overflow(addr, len - 1, &last);
}

#endif /* _VHOSTFP_VQ_DESC_H */
