// SPDX-License-Identifier: GPL-2.0
/*
 * The guest memory table: guest-physical ranges and where they live in the
 * owner's address space.  All arithmetic on guest- or user-supplied values
 * is checked for overflow; a miss is an error for the caller, never a crash.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/minmax.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/uaccess.h>

#include "mem.h"

static int vfp_mem_cmp(const void *a, const void *b)
{
	const struct vfp_mem_region *ra = a, *rb = b;

	if (ra->gpa < rb->gpa)
		return -1;
	return ra->gpa > rb->gpa;
}

static int vfp_mem_add(struct vfp_mem *mem, unsigned int i,
		       const struct vhost_memory_region *ur)
{
	struct vfp_mem_region *r = &mem->regions[i];
	u64 end;

	if (!ur->memory_size)
		return -EINVAL;
	/* Both ends must be representable: the last byte is start + size - 1. */
	if (check_add_overflow(ur->guest_phys_addr, ur->memory_size - 1, &end) ||
	    check_add_overflow(ur->userspace_addr, ur->memory_size - 1, &end))
		return -EINVAL;
	if (ur->userspace_addr != (unsigned long)ur->userspace_addr ||
	    !access_ok((void __user *)(unsigned long)ur->userspace_addr,
		       ur->memory_size))
		return -EFAULT;
	r->gpa = ur->guest_phys_addr;
	r->size = ur->memory_size;
	r->hva = ur->userspace_addr;
	return 0;
}

/* Sort by gpa, refuse overlaps, note the end of guest memory for the log. */
static int vfp_mem_finish(struct vfp_mem *mem)
{
	unsigned int i;

	sort(mem->regions, mem->nregions, sizeof(mem->regions[0]),
	     vfp_mem_cmp, NULL);
	mem->gpa_last = 0;
	for (i = 0; i < mem->nregions; i++) {
		const struct vfp_mem_region *r = &mem->regions[i];

		/* r->gpa + r->size may be 2^64: compare last bytes instead. */
		if (i && mem->regions[i - 1].gpa + mem->regions[i - 1].size - 1 >=
			 r->gpa)
			return -EINVAL;
		mem->gpa_last = max(mem->gpa_last, r->gpa + (r->size - 1));
	}
	return 0;
}

/* Returns a new table or ERR_PTR(); the caller publishes it. */
struct vfp_mem *vfp_mem_from_user(const struct vhost_memory __user *umem)
{
	struct vhost_memory hdr;
	struct vhost_memory_region ur;
	struct vfp_mem *mem;
	unsigned int i;
	int ret;

	if (copy_from_user(&hdr, umem, sizeof(hdr)))
		return ERR_PTR(-EFAULT);
	if (hdr.padding)
		return ERR_PTR(-EOPNOTSUPP);
	if (hdr.nregions > VFP_MEM_REGIONS_MAX)
		return ERR_PTR(-E2BIG);
	mem = kvzalloc(struct_size(mem, regions, hdr.nregions),
		       GFP_KERNEL_ACCOUNT);
	if (!mem)
		return ERR_PTR(-ENOMEM);
	mem->nregions = hdr.nregions;
	for (i = 0; i < hdr.nregions; i++) {
		if (copy_from_user(&ur, &umem->regions[i], sizeof(ur))) {
			ret = -EFAULT;
			goto err;
		}
		ret = vfp_mem_add(mem, i, &ur);
		if (ret)
			goto err;
	}
	ret = vfp_mem_finish(mem);
	if (ret)
		goto err;
	return mem;
err:
	kvfree(mem);
	return ERR_PTR(ret);
}

static const struct vfp_mem_region *vfp_mem_find(const struct vfp_mem *mem,
						 u64 gpa)
{
	unsigned int lo = 0, hi = mem->nregions;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;
		const struct vfp_mem_region *r = &mem->regions[mid];

		if (gpa < r->gpa)
			hi = mid;
		else if (gpa - r->gpa >= r->size)
			lo = mid + 1;
		else
			return r;
	}
	return NULL;
}

/*
 * The region holding @gpa, trying region *@hint first: buffers of a queue
 * mostly lie in one region, and the search costs more than the check.
 * The hint is only an index, checked here, so it may outlive the table.
 */
static const struct vfp_mem_region *
vfp_mem_find_hint(const struct vfp_mem *mem, u64 gpa, unsigned int *hint)
{
	const struct vfp_mem_region *r;

	if (*hint < mem->nregions) {
		r = &mem->regions[*hint];
		if (gpa >= r->gpa && gpa - r->gpa < r->size)
			return r;
	}
	r = vfp_mem_find(mem, gpa);
	if (r)
		*hint = r - mem->regions;
	return r;
}

/*
 * vfp_mem_translate() (vhostfp.h) for what its inline part does not
 * take: a range that is not all in region *@hint.
 */
int vfp_mem_translate_slow(const struct vfp_mem *mem, u64 gpa, u64 len,
			   struct iovec *iov, unsigned int iov_max,
			   unsigned int *hint)
{
	unsigned int n = 0;
	u64 last;

	if (!len)
		return 0;
	if (!mem || check_add_overflow(gpa, len - 1, &last))
		return -EFAULT;
	/* Bound: iov_max iovecs, one per region (or MAX_RW_COUNT) crossed. */
	while (len) {
		const struct vfp_mem_region *r = vfp_mem_find_hint(mem, gpa,
								   hint);
		u64 off, seg;

		if (!r)
			return -EFAULT;
		if (n == iov_max)
			return -ENOBUFS;
		off = gpa - r->gpa;
		seg = min(len, r->size - off);
		/* A single iovec carries at most MAX_RW_COUNT bytes. */
		seg = min_t(u64, seg, MAX_RW_COUNT);
		iov[n].iov_base = (void __user *)(unsigned long)(r->hva + off);
		iov[n].iov_len = seg;
		n++;
		gpa += seg;
		len -= seg;
	}
	return n;
}

/*
 * The guest-physical address of user range [hva, hva + len), which must
 * lie in one region: 0, or -EFAULT when it is not all guest memory.  A
 * linear search: used to check ring placement and to log ring writes.
 */
int vfp_mem_gpa_of(const struct vfp_mem *mem, u64 hva, u64 len, u64 *gpa)
{
	unsigned int i;
	u64 last;

	if (!mem || !len || check_add_overflow(hva, len - 1, &last))
		return -EFAULT;
	for (i = 0; i < mem->nregions; i++) {
		const struct vfp_mem_region *r = &mem->regions[i];

		if (hva >= r->hva && last - r->hva < r->size) {
			*gpa = r->gpa + (hva - r->hva);
			return 0;
		}
	}
	return -EFAULT;
}
