// SPDX-License-Identifier: GPL-2.0
/*
 * The IOTLB (vhostfp/iotlb_tree.c, vhostfp/iotlb.h): what UPDATEs that
 * overlap, touch or contain each other leave in the tree, what an
 * INVALIDATE takes, and vfp_iotlb_walk() over the tree: merging pieces
 * contiguous in user memory, the scan for misses, the top of u64.
 */
#include <linux/types.h>
#include <linux/uio.h>
#include <linux/vhost_types.h>

#include "iotlb.h"
#include "unit.h"

#define UNIT_MISSES_MAX		64

/* The lookup iotlb.c does, without its cache and message queue. */
struct unit_iotlb {
	struct vfp_iotlb_tree tree;
	unsigned int lookups;
	unsigned int nmisses;
	u64 misses[UNIT_MISSES_MAX];	/* IOVAs that missed, in order */
};

static int unit_lookup(void *ctx, u64 iova, u8 perm,
		       struct vfp_iotlb_hit *hit)
{
	struct unit_iotlb *t = ctx;

	t->lookups++;
	if (!vfp_iotlb_tree_find(&t->tree, iova, hit)) {
		if (t->nmisses < UNIT_MISSES_MAX)
			t->misses[t->nmisses++] = iova;
		return -EAGAIN;
	}
	return (hit->perm & perm) == perm ? 0 : -EPERM;
}

static void unit_init(struct unit_iotlb *t)
{
	vfp_iotlb_tree_init(&t->tree);
	t->lookups = 0;
	t->nmisses = 0;
}

/* UPDATE [start, last] -> hva: how many entries went. */
static unsigned int unit_add(struct unit_iotlb *t, u64 start, u64 last,
			     u64 hva, u8 perm)
{
	return vfp_iotlb_tree_add(&t->tree,
				  vfp_iotlb_map_new(start, last, hva, perm));
}

static bool unit_maps(struct unit_iotlb *t, u64 iova, u64 hva)
{
	struct vfp_iotlb_hit hit = { };

	return vfp_iotlb_tree_find(&t->tree, iova, &hit) &&
	       hit.hva + (iova - hit.start) == hva;
}

static int unit_walk(struct unit_iotlb *t, u64 iova, u64 len, u8 perm,
		     struct iovec *iov, unsigned int iov_max)
{
	t->lookups = 0;
	t->nmisses = 0;
	return vfp_iotlb_walk(iova, len, perm, iov, iov_max, unit_lookup, t);
}

static bool unit_iov_is(const struct iovec *iov, unsigned long base,
			size_t len)
{
	return (unsigned long)iov->iov_base == base && iov->iov_len == len;
}

static void iotlb_update_overlapping(void)
{
	struct unit_iotlb t;

	unit_init(&t);
	EXPECT(unit_add(&t, 0x1000, 0x1fff, 0x10000, VHOST_ACCESS_RW) == 0);
	/* Overlaps the second half: the old entry goes, whole. */
	EXPECT(unit_add(&t, 0x1800, 0x27ff, 0x50000, VHOST_ACCESS_RW) == 1);
	EXPECT(!unit_maps(&t, 0x1000, 0x10000));
	EXPECT(!unit_maps(&t, 0x17ff, 0x107ff));
	EXPECT(unit_maps(&t, 0x1800, 0x50000));
	EXPECT(unit_maps(&t, 0x27ff, 0x50fff));
	EXPECT(t.tree.nentries == 1);
	/* Overlaps one byte at each end of two entries. */
	EXPECT(unit_add(&t, 0x3000, 0x3fff, 0x60000, VHOST_ACCESS_RW) == 0);
	EXPECT(unit_add(&t, 0x27ff, 0x3000, 0x70000, VHOST_ACCESS_RW) == 2);
	EXPECT(t.tree.nentries == 1);
	vfp_iotlb_tree_clear(&t.tree);
	EXPECT(t.tree.nentries == 0);
}

static void iotlb_update_adjacent(void)
{
	struct unit_iotlb t;

	unit_init(&t);
	EXPECT(unit_add(&t, 0x1000, 0x1fff, 0x10000, VHOST_ACCESS_RW) == 0);
	EXPECT(unit_add(&t, 0x2000, 0x2fff, 0x11000, VHOST_ACCESS_RW) == 0);
	EXPECT(unit_add(&t, 0x0000, 0x0fff, 0x30000, VHOST_ACCESS_RW) == 0);
	EXPECT(t.tree.nentries == 3);
	EXPECT(unit_maps(&t, 0x0fff, 0x30fff));
	EXPECT(unit_maps(&t, 0x1000, 0x10000));
	EXPECT(unit_maps(&t, 0x1fff, 0x10fff));
	EXPECT(unit_maps(&t, 0x2000, 0x11000));
	EXPECT(!unit_maps(&t, 0x3000, 0x12000));
	vfp_iotlb_tree_clear(&t.tree);
}

static void iotlb_update_contained(void)
{
	struct unit_iotlb t;

	unit_init(&t);
	/* A small entry inside a big one replaces it. */
	EXPECT(unit_add(&t, 0x0000, 0x3fff, 0x10000, VHOST_ACCESS_RW) == 0);
	EXPECT(unit_add(&t, 0x1000, 0x1fff, 0x50000, VHOST_ACCESS_RW) == 1);
	EXPECT(!unit_maps(&t, 0x0000, 0x10000));
	EXPECT(unit_maps(&t, 0x1000, 0x50000));
	/* A big one over several small ones replaces them all. */
	EXPECT(unit_add(&t, 0x3000, 0x3fff, 0x60000, VHOST_ACCESS_RW) == 0);
	EXPECT(unit_add(&t, 0x0000, 0x7fff, 0x80000, VHOST_ACCESS_RW) == 2);
	EXPECT(t.tree.nentries == 1);
	EXPECT(unit_maps(&t, 0x3000, 0x83000));
	/* The same range again: a replacement. */
	EXPECT(unit_add(&t, 0x0000, 0x7fff, 0x90000, VHOST_ACCESS_RO) == 1);
	EXPECT(unit_maps(&t, 0x7fff, 0x97fff));
	vfp_iotlb_tree_clear(&t.tree);
}

/* An INVALIDATE of part of an entry takes all of it: no split. */
static void iotlb_invalidate_part(void)
{
	struct unit_iotlb t;

	unit_init(&t);
	unit_add(&t, 0x0000, 0x3fff, 0x10000, VHOST_ACCESS_RW);
	unit_add(&t, 0x4000, 0x4fff, 0x20000, VHOST_ACCESS_RW);
	EXPECT(vfp_iotlb_tree_del(&t.tree, 0x1000, 0x1000) == 1);
	EXPECT(!unit_maps(&t, 0x0000, 0x10000));
	EXPECT(!unit_maps(&t, 0x3fff, 0x13fff));
	EXPECT(unit_maps(&t, 0x4000, 0x20000));
	/* Nothing there: nothing goes. */
	EXPECT(vfp_iotlb_tree_del(&t.tree, 0x0000, 0x3fff) == 0);
	EXPECT(t.tree.nentries == 1);
	vfp_iotlb_tree_clear(&t.tree);
}

static void iotlb_invalidate_several(void)
{
	struct unit_iotlb t;
	u64 p;

	unit_init(&t);
	for (p = 0; p < 4; p++)
		unit_add(&t, p << 12, (p << 12) + 0xfff, 0x10000 + (p << 12),
			 VHOST_ACCESS_RW);
	/* The last byte of page 1 and the first of page 2. */
	EXPECT(vfp_iotlb_tree_del(&t.tree, 0x1fff, 0x2000) == 2);
	EXPECT(unit_maps(&t, 0x0fff, 0x10fff));
	EXPECT(!unit_maps(&t, 0x1000, 0x11000));
	EXPECT(!unit_maps(&t, 0x2fff, 0x12fff));
	EXPECT(unit_maps(&t, 0x3000, 0x13000));
	/* All of u64. */
	EXPECT(vfp_iotlb_tree_del(&t.tree, 0, U64_MAX) == 2);
	EXPECT(t.tree.nentries == 0);
}

/* At VFP_IOTLB_ENTRIES_MAX the oldest entry makes room. */
static void iotlb_update_evicts_oldest(void)
{
	struct unit_iotlb t;
	unsigned int i;

	unit_init(&t);
	for (i = 0; i < VFP_IOTLB_ENTRIES_MAX; i++)
		unit_add(&t, (u64)i << 12, ((u64)i << 12) + 0xfff,
			 0x100000 + ((u64)i << 12), VHOST_ACCESS_RW);
	EXPECT(t.tree.nentries == VFP_IOTLB_ENTRIES_MAX);
	EXPECT(unit_add(&t, 0x10000000, 0x10000fff, 0x50000,
			VHOST_ACCESS_RW) == 1);
	EXPECT(t.tree.nentries == VFP_IOTLB_ENTRIES_MAX);
	EXPECT(!unit_maps(&t, 0x0, 0x100000));
	EXPECT(unit_maps(&t, 0x1000, 0x101000));
	EXPECT(unit_maps(&t, 0x10000000, 0x50000));
	vfp_iotlb_tree_clear(&t.tree);
}

static void iotlb_walk_merges(void)
{
	struct unit_iotlb t;
	struct iovec iov[4];

	unit_init(&t);
	/* 4 KiB entries, as QEMU sends them; the first two contiguous. */
	unit_add(&t, 0x1000, 0x1fff, 0x10000, VHOST_ACCESS_RW);
	unit_add(&t, 0x2000, 0x2fff, 0x11000, VHOST_ACCESS_RW);
	unit_add(&t, 0x3000, 0x3fff, 0x50000, VHOST_ACCESS_RW);
	EXPECT(unit_walk(&t, 0x1800, 0x1000, VHOST_ACCESS_RO, iov, 4) == 1);
	EXPECT(unit_iov_is(&iov[0], 0x10800, 0x1000));
	EXPECT(unit_walk(&t, 0x1000, 0x3000, VHOST_ACCESS_WO, iov, 4) == 2);
	EXPECT(unit_iov_is(&iov[0], 0x10000, 0x2000));
	EXPECT(unit_iov_is(&iov[1], 0x50000, 0x1000));
	EXPECT(unit_walk(&t, 0x1000, 0x3000, VHOST_ACCESS_WO, iov, 1) ==
	       -ENOBUFS);
	EXPECT(unit_walk(&t, 0x1000, 0, VHOST_ACCESS_RO, iov, 4) == 0);
	vfp_iotlb_tree_clear(&t.tree);
}

static void iotlb_walk_perm(void)
{
	struct unit_iotlb t;
	struct iovec iov[4];

	unit_init(&t);
	unit_add(&t, 0x1000, 0x1fff, 0x10000, VHOST_ACCESS_RO);
	EXPECT(unit_walk(&t, 0x1000, 0x10, VHOST_ACCESS_RO, iov, 4) == 1);
	EXPECT(unit_walk(&t, 0x1000, 0x10, VHOST_ACCESS_WO, iov, 4) == -EPERM);
	EXPECT(unit_walk(&t, 0x1000, 0x10, VHOST_ACCESS_RW, iov, 4) == -EPERM);
	/* A miss before it: the miss is what the caller hears. */
	EXPECT(unit_walk(&t, 0x0ff0, 0x20, VHOST_ACCESS_WO, iov, 4) == -EAGAIN);
	vfp_iotlb_tree_clear(&t.tree);
}

/* After a miss, the rest of the range is scanned page by page. */
static void iotlb_walk_miss_scan(void)
{
	struct unit_iotlb t;
	struct iovec iov[4];

	unit_init(&t);
	unit_add(&t, 0x0000, 0x0fff, 0x10000, VHOST_ACCESS_RW);
	unit_add(&t, 0x3000, 0x3fff, 0x20000, VHOST_ACCESS_RW);
	EXPECT(unit_walk(&t, 0x0800, 0x4000, VHOST_ACCESS_RO, iov, 4) ==
	       -EAGAIN);
	/* The first unmapped address, then each unmapped page. */
	EXPECT(t.nmisses == 3);
	EXPECT(t.misses[0] == 0x1000);
	EXPECT(t.misses[1] == 0x2000);
	EXPECT(t.misses[2] == 0x4000);
	/* Unaligned start: the miss is the address itself, then pages. */
	EXPECT(unit_walk(&t, 0x1800, 0x1000, VHOST_ACCESS_RO, iov, 4) ==
	       -EAGAIN);
	EXPECT(t.nmisses == 2);
	EXPECT(t.misses[0] == 0x1800);
	EXPECT(t.misses[1] == 0x2000);
	vfp_iotlb_tree_clear(&t.tree);
}

/* The scan stops at VFP_IOTLB_MISS_SCAN misses, however long the range. */
static void iotlb_walk_miss_bound(void)
{
	struct unit_iotlb t;
	struct iovec iov[4];

	unit_init(&t);
	EXPECT(unit_walk(&t, 0, 1ULL << 40, VHOST_ACCESS_RO, iov, 4) ==
	       -EAGAIN);
	EXPECT(t.lookups == VFP_IOTLB_MISS_SCAN);
	EXPECT(t.misses[VFP_IOTLB_MISS_SCAN - 1] ==
	       (VFP_IOTLB_MISS_SCAN - 1) * 0x1000ULL);
}

static void iotlb_walk_top_of_u64(void)
{
	struct unit_iotlb t;
	struct iovec iov[4];

	unit_init(&t);
	/* An entry ending at U64_MAX: its length does not fit in u64 math. */
	unit_add(&t, U64_MAX - 0xfff, U64_MAX, 0x70000000, VHOST_ACCESS_RW);
	EXPECT(unit_walk(&t, U64_MAX - 0xfff, 0x1000, VHOST_ACCESS_RO, iov,
			 4) == 1);
	EXPECT(unit_iov_is(&iov[0], 0x70000000, 0x1000));
	EXPECT(unit_walk(&t, U64_MAX, 1, VHOST_ACCESS_RO, iov, 4) == 1);
	EXPECT(unit_iov_is(&iov[0], 0x70000fff, 1));
	/* One entry for all of u64: its size is 2^64. */
	vfp_iotlb_tree_clear(&t.tree);
	unit_add(&t, 0, U64_MAX, 0x80000000, VHOST_ACCESS_RW);
	EXPECT(unit_walk(&t, 0, 0x10, VHOST_ACCESS_RO, iov, 4) == 1);
	EXPECT(unit_iov_is(&iov[0], 0x80000000, 0x10));
	/* Ranges that wrap are refused before any lookup. */
	EXPECT(unit_walk(&t, U64_MAX, 2, VHOST_ACCESS_RO, iov, 4) == -EFAULT);
	EXPECT(t.lookups == 0);
	EXPECT(unit_walk(&t, U64_MAX - 0xfff, 0x1001, VHOST_ACCESS_RO, iov,
			 4) == -EFAULT);
	/* A miss in the last page: the scan ends at the top, no wrap. */
	vfp_iotlb_tree_clear(&t.tree);
	EXPECT(unit_walk(&t, U64_MAX - 0x1fff, 0x2000, VHOST_ACCESS_RO, iov,
			 4) == -EAGAIN);
	EXPECT(t.nmisses == 2);
	EXPECT(t.misses[1] == U64_MAX - 0xfff);
}

const struct unit_test unit_iotlb_tests[] = {
	{ "iotlb_update_overlapping", iotlb_update_overlapping },
	{ "iotlb_update_adjacent", iotlb_update_adjacent },
	{ "iotlb_update_contained", iotlb_update_contained },
	{ "iotlb_invalidate_part", iotlb_invalidate_part },
	{ "iotlb_invalidate_several", iotlb_invalidate_several },
	{ "iotlb_update_evicts_oldest", iotlb_update_evicts_oldest },
	{ "iotlb_walk_merges", iotlb_walk_merges },
	{ "iotlb_walk_perm", iotlb_walk_perm },
	{ "iotlb_walk_miss_scan", iotlb_walk_miss_scan },
	{ "iotlb_walk_miss_bound", iotlb_walk_miss_bound },
	{ "iotlb_walk_top_of_u64", iotlb_walk_top_of_u64 },
	{ }
};
