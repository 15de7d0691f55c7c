// SPDX-License-Identifier: GPL-2.0
/*
 * The memory table (vhostfp/mem.c, vhostfp/mem.h): building it from a
 * VHOST_SET_MEM_TABLE argument, guest-physical to user address lookups at
 * region boundaries, in gaps, at the top of u64, and back.
 */
#include <linux/err.h>
#include <linux/slab.h>
#include <linux/types.h>
#include <linux/uio.h>

#include "mem.h"
#include "unit.h"

#define TOP_GPA		(U64_MAX - 0xfff)	/* the last page of u64 */

/*
 * Guest memory, given unsorted:
 *   [0x0000, 0x0fff]  at 0x10000
 *   gap
 *   [0x2000, 0x3fff]  at 0x40000
 *   [0x4000, 0x4fff]  at 0x90000  (adjacent to the one before)
 *   [TOP_GPA, U64_MAX] at 0x7000000
 */
static const struct {
	u64 gpa, size, hva;
} unit_regions[] = {
	{ 0x4000, 0x1000, 0x90000 },
	{ TOP_GPA, 0x1000, 0x7000000 },
	{ 0x0000, 0x1000, 0x10000 },
	{ 0x2000, 0x2000, 0x40000 },
};

#define UNIT_NREGIONS	ARRAY_SIZE(unit_regions)

/* A table from @n regions as userspace passes them. */
static struct vfp_mem *unit_mem(const struct vhost_memory_region *r,
				unsigned int n)
{
	struct vhost_memory *um;
	struct vfp_mem *mem;
	unsigned int i;

	um = kvzalloc(sizeof(*um) + n * sizeof(*r), GFP_KERNEL);
	um->nregions = n;
	for (i = 0; i < n; i++)
		um->regions[i] = r[i];
	mem = vfp_mem_from_user(um);
	kvfree(um);
	return mem;
}

static struct vfp_mem *unit_mem_default(void)
{
	struct vhost_memory_region r[UNIT_NREGIONS] = { };
	unsigned int i;

	for (i = 0; i < UNIT_NREGIONS; i++) {
		r[i].guest_phys_addr = unit_regions[i].gpa;
		r[i].memory_size = unit_regions[i].size;
		r[i].userspace_addr = unit_regions[i].hva;
	}
	return unit_mem(r, UNIT_NREGIONS);
}

/*
 * vfp_mem_translate() with every hint, right, wrong and stale, so that its
 * inline part and the slow path both answer: they must agree.
 */
static int unit_translate(const struct vfp_mem *mem, u64 gpa, u64 len,
			  struct iovec *iov, unsigned int iov_max)
{
	struct iovec other[4];
	unsigned int hint, h;
	int ret, n, i;

	hint = 0;
	ret = vfp_mem_translate(mem, gpa, len, iov, iov_max, &hint);
	for (h = 1; mem && h <= mem->nregions && iov_max <= 4; h++) {
		hint = h;
		n = vfp_mem_translate(mem, gpa, len, other, iov_max, &hint);
		EXPECT(n == ret);
		for (i = 0; i < ret && i < n; i++)
			EXPECT(other[i].iov_base == iov[i].iov_base &&
			       other[i].iov_len == iov[i].iov_len);
	}
	return ret;
}

static bool unit_iov_is(const struct iovec *iov, unsigned long base,
			size_t len)
{
	return (unsigned long)iov->iov_base == base && iov->iov_len == len;
}

static void mem_table_sorted(void)
{
	struct vfp_mem *mem = unit_mem_default();
	unsigned int i;

	EXPECT(!IS_ERR(mem));
	if (IS_ERR(mem))
		return;
	EXPECT(mem->nregions == UNIT_NREGIONS);
	for (i = 1; i < mem->nregions; i++)
		EXPECT(mem->regions[i - 1].gpa < mem->regions[i].gpa);
	EXPECT(mem->gpa_last == U64_MAX);
	kvfree(mem);
}

static void mem_table_refused(void)
{
	struct vhost_memory_region overlap[] = {
		{ .guest_phys_addr = 0x0, .memory_size = 0x2000,
		  .userspace_addr = 0x10000 },
		{ .guest_phys_addr = 0x1fff, .memory_size = 0x1000,
		  .userspace_addr = 0x20000 },
	};
	struct vhost_memory_region touch[] = {
		{ .guest_phys_addr = 0x0, .memory_size = 0x2000,
		  .userspace_addr = 0x10000 },
		{ .guest_phys_addr = 0x2000, .memory_size = 0x1000,
		  .userspace_addr = 0x20000 },
	};
	struct vhost_memory_region empty = {
		.guest_phys_addr = 0x0, .memory_size = 0,
		.userspace_addr = 0x10000,
	};
	struct vhost_memory_region wraps = {
		.guest_phys_addr = TOP_GPA, .memory_size = 0x1001,
		.userspace_addr = 0x10000,
	};
	struct vhost_memory too_many = { };
	struct vfp_mem *mem;

	EXPECT(PTR_ERR(unit_mem(overlap, 2)) == -EINVAL);
	EXPECT(PTR_ERR(unit_mem(&empty, 1)) == -EINVAL);
	EXPECT(PTR_ERR(unit_mem(&wraps, 1)) == -EINVAL);
	too_many.nregions = VFP_MEM_REGIONS_MAX + 1;
	EXPECT(PTR_ERR(vfp_mem_from_user(&too_many)) == -E2BIG);
	mem = unit_mem(touch, 2);
	EXPECT(!IS_ERR(mem));
	if (!IS_ERR(mem))
		kvfree(mem);
}

static void mem_lookup_boundaries(void)
{
	struct vfp_mem *mem = unit_mem_default();
	struct iovec iov[4];

	/* First and last byte of a region, and all of it. */
	EXPECT(unit_translate(mem, 0x2000, 1, iov, 4) == 1);
	EXPECT(unit_iov_is(&iov[0], 0x40000, 1));
	EXPECT(unit_translate(mem, 0x3fff, 1, iov, 4) == 1);
	EXPECT(unit_iov_is(&iov[0], 0x41fff, 1));
	EXPECT(unit_translate(mem, 0x2000, 0x2000, iov, 4) == 1);
	EXPECT(unit_iov_is(&iov[0], 0x40000, 0x2000));
	/* Across adjacent regions: split where they meet. */
	EXPECT(unit_translate(mem, 0x3ff0, 0x20, iov, 4) == 2);
	EXPECT(unit_iov_is(&iov[0], 0x41ff0, 0x10));
	EXPECT(unit_iov_is(&iov[1], 0x90000, 0x10));
	EXPECT(unit_translate(mem, 0x3ff0, 0x20, iov, 1) == -ENOBUFS);
	/* The first region's first byte, and nothing at all. */
	EXPECT(unit_translate(mem, 0x0, 1, iov, 4) == 1);
	EXPECT(unit_iov_is(&iov[0], 0x10000, 1));
	EXPECT(unit_translate(mem, 0x0, 0, iov, 4) == 0);
	kvfree(mem);
}

static void mem_lookup_gaps(void)
{
	struct vfp_mem *mem = unit_mem_default();
	struct iovec iov[4];

	EXPECT(unit_translate(mem, 0x1000, 1, iov, 4) == -EFAULT);
	EXPECT(unit_translate(mem, 0x1fff, 1, iov, 4) == -EFAULT);
	/* A region's last byte and the gap's first. */
	EXPECT(unit_translate(mem, 0x0fff, 2, iov, 4) == -EFAULT);
	/* The gap's last byte and the next region's first. */
	EXPECT(unit_translate(mem, 0x1fff, 2, iov, 4) == -EFAULT);
	/* Past the adjacent pair. */
	EXPECT(unit_translate(mem, 0x4fff, 2, iov, 4) == -EFAULT);
	EXPECT(unit_translate(mem, 0x5000, 1, iov, 4) == -EFAULT);
	EXPECT(unit_translate(NULL, 0x0, 1, iov, 4) == -EFAULT);
	kvfree(mem);
}

static void mem_lookup_top_of_u64(void)
{
	struct vfp_mem *mem = unit_mem_default();
	struct iovec iov[4];

	EXPECT(unit_translate(mem, U64_MAX, 1, iov, 4) == 1);
	EXPECT(unit_iov_is(&iov[0], 0x7000fff, 1));
	EXPECT(unit_translate(mem, TOP_GPA, 0x1000, iov, 4) == 1);
	EXPECT(unit_iov_is(&iov[0], 0x7000000, 0x1000));
	/* gpa + len wraps: never a lookup of what lies at 0. */
	EXPECT(unit_translate(mem, U64_MAX, 2, iov, 4) == -EFAULT);
	EXPECT(unit_translate(mem, TOP_GPA, 0x1001, iov, 4) == -EFAULT);
	EXPECT(unit_translate(mem, 0x10, U64_MAX, iov, 4) == -EFAULT);
	kvfree(mem);
}

static void mem_lookup_hint(void)
{
	struct vfp_mem *mem = unit_mem_default();
	unsigned int hint = 1000;	/* from a bigger, older table */
	struct iovec iov[2];

	EXPECT(vfp_mem_translate(mem, 0x4800, 0x10, iov, 2, &hint) == 1);
	EXPECT(unit_iov_is(&iov[0], 0x90800, 0x10));
	EXPECT(hint < mem->nregions && mem->regions[hint].gpa == 0x4000);
	/* A hint that is wrong but in range: still the right region. */
	hint = 0;
	EXPECT(vfp_mem_translate(mem, 0x2800, 0x10, iov, 2, &hint) == 1);
	EXPECT(unit_iov_is(&iov[0], 0x40800, 0x10));
	EXPECT(mem->regions[hint].gpa == 0x2000);
	kvfree(mem);
}

/* One iovec carries at most MAX_RW_COUNT bytes. */
static void mem_lookup_max_rw(void)
{
	struct vhost_memory_region big = {
		.guest_phys_addr = 0x100000000ULL,
		.memory_size = 0x100000000ULL,
		.userspace_addr = 0x200000000ULL,
	};
	struct vfp_mem *mem = unit_mem(&big, 1);
	struct iovec iov[2];

	EXPECT(unit_translate(mem, 0x100000000ULL, MAX_RW_COUNT + 0x1000ULL,
			      iov, 2) == 2);
	EXPECT(unit_iov_is(&iov[0], 0x200000000UL, MAX_RW_COUNT));
	EXPECT(unit_iov_is(&iov[1], 0x200000000UL + MAX_RW_COUNT, 0x1000));
	kvfree(mem);
}

static void mem_gpa_of(void)
{
	struct vfp_mem *mem = unit_mem_default();
	u64 gpa = 0;

	EXPECT(vfp_mem_gpa_of(mem, 0x40000, 0x2000, &gpa) == 0);
	EXPECT(gpa == 0x2000);
	EXPECT(vfp_mem_gpa_of(mem, 0x41fff, 1, &gpa) == 0);
	EXPECT(gpa == 0x3fff);
	EXPECT(vfp_mem_gpa_of(mem, 0x41fff, 2, &gpa) == -EFAULT);
	EXPECT(vfp_mem_gpa_of(mem, 0x3ffff, 2, &gpa) == -EFAULT);
	EXPECT(vfp_mem_gpa_of(mem, 0x40000, 0, &gpa) == -EFAULT);
	EXPECT(vfp_mem_gpa_of(mem, U64_MAX, 2, &gpa) == -EFAULT);
	kvfree(mem);
}

const struct unit_test unit_mem_tests[] = {
	{ "mem_table_sorted", mem_table_sorted },
	{ "mem_table_refused", mem_table_refused },
	{ "mem_lookup_boundaries", mem_lookup_boundaries },
	{ "mem_lookup_gaps", mem_lookup_gaps },
	{ "mem_lookup_top_of_u64", mem_lookup_top_of_u64 },
	{ "mem_lookup_hint", mem_lookup_hint },
	{ "mem_lookup_max_rw", mem_lookup_max_rw },
	{ "mem_gpa_of", mem_gpa_of },
	{ }
};
