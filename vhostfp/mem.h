/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest memory table (mem.c).  Apart from vhostfp.h because it is pure
 * logic on plain types: selftests/unit compiles mem.c in userspace against
 * a few stand-in kernel headers and tests the lookups there.
 */
#ifndef _VHOSTFP_MEM_H
#define _VHOSTFP_MEM_H

#include <linux/compiler.h>
#include <linux/fs.h>
#include <linux/types.h>
#include <linux/uio.h>
#include <linux/vhost_types.h>

/* Guest memory regions per table; vhost's max_mem_regions default. */
#define VFP_MEM_REGIONS_MAX	509

/* One guest memory region: [gpa, gpa + size) lives at hva. */
struct vfp_mem_region {
	u64 gpa;
	u64 size;
	u64 hva;
};

/* Immutable once published; replaced as a whole by SET_MEM_TABLE. */
struct vfp_mem {
	unsigned int nregions;
	u64 gpa_last;			/* last guest-physical byte */
	struct vfp_mem_region regions[];
};

/* mem.c APIs: */
struct vfp_mem *vfp_mem_from_user(const struct vhost_memory __user *umem);
int vfp_mem_translate_slow(const struct vfp_mem *mem, u64 gpa, u64 len,
			   struct iovec *iov, unsigned int iov_max,
			   unsigned int *hint);

/*
 * Describe guest range [gpa, gpa + len) as user iovecs, split at region
 * boundaries.  Returns the number of iovecs used, -EFAULT if part of the
 * range is not guest memory, -ENOBUFS if iov_max is too small.  @hint is
 * the caller's guess of the region, an index checked here (so it may
 * outlive the table), updated by the slow path.  Inline for the common
 * case, a descriptor that lies whole in the region the last one did.
 */
static inline int vfp_mem_translate(const struct vfp_mem *mem, u64 gpa,
				    u64 len, struct iovec *iov,
				    unsigned int iov_max, unsigned int *hint)
{
	const struct vfp_mem_region *r;
	u64 off;

	if (!mem || *hint >= mem->nregions || !len || len > MAX_RW_COUNT ||
	    !iov_max)
		return vfp_mem_translate_slow(mem, gpa, len, iov, iov_max, hint);
	r = &mem->regions[*hint];
	off = gpa - r->gpa;
	/* In the region, so gpa + len - 1 cannot wrap: the region's does not. */
	if (gpa < r->gpa || off >= r->size || len > r->size - off)
		return vfp_mem_translate_slow(mem, gpa, len, iov, iov_max, hint);
	iov->iov_base = (void __user *)(unsigned long)(r->hva + off);
	iov->iov_len = len;
	return 1;
}

int vfp_mem_gpa_of(const struct vfp_mem *mem, u64 hva, u64 len, u64 *gpa);

#endif /* _VHOSTFP_MEM_H */
