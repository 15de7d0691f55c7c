/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The IOTLB's entries (iotlb_tree.c) and the walk that turns an IOVA range
 * into iovecs through them (vfp_iotlb_walk(), for vfp_iotlb_translate()).
 * Apart from vhostfp.h because both are plain logic: selftests/unit
 * compiles them in userspace and tests them there.
 */
#ifndef _VHOSTFP_IOTLB_H
#define _VHOSTFP_IOTLB_H

#include <linux/compiler.h>
#include <linux/fs.h>
#include <linux/list.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/rbtree.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/uio.h>

/* IOTLB entries per device (vhost's max_iotlb_entries default). */
#define VFP_IOTLB_ENTRIES_MAX	2048
/* Pages of one range that may miss at once (vfp_iotlb_walk()). */
#define VFP_IOTLB_MISS_SCAN	16

struct vfp_iotlb_map;

/*
 * A copy of one IOTLB entry: IOVA [start, last] at hva.  Valid while the
 * holder keeps its vq mutex, or, as a queue's cached last hit, until an
 * INVALIDATE drops it under that mutex.
 */
struct vfp_iotlb_hit {
	bool valid;
	u8 perm;			/* VHOST_ACCESS_* */
	u64 start;
	u64 last;
	u64 hva;
};

/* A device's entries, by IOVA; they never overlap. */
struct vfp_iotlb_tree {
	/*
	 * Protects root, fifo and nentries: taken by the worker for each
	 * lookup (under a vq mutex) and by the message writer (under
	 * dev->mutex) to change the tree.
	 */
	spinlock_t lock;
	struct rb_root root;		/* struct vfp_iotlb_map by IOVA */
	struct list_head fifo;		/* the same entries, oldest first */
	unsigned int nentries;
};

/* iotlb_tree.c APIs: */
void vfp_iotlb_tree_init(struct vfp_iotlb_tree *tree);
struct vfp_iotlb_map *vfp_iotlb_map_new(u64 start, u64 last, u64 hva, u8 perm);
unsigned int vfp_iotlb_tree_add(struct vfp_iotlb_tree *tree,
				struct vfp_iotlb_map *m);
unsigned int vfp_iotlb_tree_del(struct vfp_iotlb_tree *tree, u64 start,
				u64 last);
void vfp_iotlb_tree_clear(struct vfp_iotlb_tree *tree);
bool vfp_iotlb_tree_find(struct vfp_iotlb_tree *tree, u64 iova,
			 struct vfp_iotlb_hit *hit);

/*
 * What vfp_iotlb_walk() asks of its caller: the translation holding
 * @iova, into *@hit.  0, -EAGAIN (a miss) or -errno.
 */
typedef int (*vfp_iotlb_lookup_t)(void *ctx, u64 iova, u8 perm,
				  struct vfp_iotlb_hit *hit);

/*
 * Describe IOVA range [iova, iova + len) as user iovecs, merging pieces
 * that are contiguous in user memory (QEMU sends 4 KiB entries).  Returns
 * the number of iovecs, -EAGAIN on a miss, -EPERM (or whatever else
 * @lookup says) when mapped without @perm, -EFAULT when the range wraps,
 * -ENOBUFS when iov_max is too small.  After a miss the rest of the range
 * is only looked up, so that the misses of up to VFP_IOTLB_MISS_SCAN pages
 * go to userspace together.  Always inline: @lookup becomes a direct call.
 */
static __always_inline int vfp_iotlb_walk(u64 iova, u64 len, u8 perm,
					  struct iovec *iov,
					  unsigned int iov_max,
					  vfp_iotlb_lookup_t lookup, void *ctx)
{
	struct vfp_iotlb_hit hit = { };
	unsigned int n = 0, misses = 0;
	u64 last;
	int ret;

	if (!len)
		return 0;
	if (check_add_overflow(iova, len - 1, &last))
		return -EFAULT;
	/*
	 * Bound: VFP_IOTLB_MISS_SCAN misses; a hit moves on to the end of
	 * its entry (VFP_IOTLB_ENTRIES_MAX of them); iov_max iovecs.
	 */
	while (len) {
		unsigned long hva;
		u64 seg;

		ret = lookup(ctx, iova, perm, &hit);
		if (ret == -EAGAIN) {
			if (++misses == VFP_IOTLB_MISS_SCAN)
				break;
			/* Nothing maps this page: on to the next one. */
			seg = min_t(u64, len, PAGE_SIZE - offset_in_page(iova));
			iova += seg;
			len -= seg;
			continue;
		}
		if (ret)
			return misses ? -EAGAIN : ret;
		/* hit.last may be U64_MAX: count from the last byte. */
		seg = min(len - 1, hit.last - iova) + 1;
		if (misses) {
			iova += seg;
			len -= seg;
			continue;
		}
		hva = hit.hva + (iova - hit.start);
		if (n && (unsigned long)iov[n - 1].iov_base + iov[n - 1].iov_len == hva &&
		    iov[n - 1].iov_len + seg <= MAX_RW_COUNT) {
			iov[n - 1].iov_len += seg;
		} else {
			if (n == iov_max)
				return -ENOBUFS;
			seg = min_t(u64, seg, MAX_RW_COUNT);
			iov[n].iov_base = (void __user *)hva;
			iov[n].iov_len = seg;
			n++;
		}
		iova += seg;
		len -= seg;
	}
	return misses ? -EAGAIN : (int)n;
}

#endif /* _VHOSTFP_IOTLB_H */
