// SPDX-License-Identifier: GPL-2.0
/*
 * Dirty page logging for live migration (VHOST_F_LOG_ALL).
 *
 * The log is a bitmap in the owner's memory, one bit per 4 KiB guest page
 * (VHOST_PAGE_SIZE), bit n in byte n / 8.  Its size is never told to us:
 * SET_LOG_BASE and SET_MEM_TABLE check that the bitmap covers all guest
 * memory, and every write here checks that its range is guest memory, so
 * a bogus descriptor or log address cannot make us write past the bitmap.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/uaccess.h>

#include "vhostfp.h"

#define VFP_LOG_BITS_PER_BYTE	8

static u64 vfp_log_bytes(const struct vfp_mem *mem)
{
	/* Bitmap bytes for pages 0 ..= gpa_last / VHOST_PAGE_SIZE. */
	return mem->gpa_last / VHOST_PAGE_SIZE / VFP_LOG_BITS_PER_BYTE + 1;
}

/* May @base be the log for guest memory @mem?  Caller holds dev->mutex. */
int vfp_log_check(struct vfp_dev *dev, void __user *base,
		  const struct vfp_mem *mem)
{
	if (!base || !mem || !mem->nregions)
		return 0;
	return access_ok(base, vfp_log_bytes(mem)) ? 0 : -EFAULT;
}

/* Set bit @bit of the user bitmap atomically: others share the log. */
static int vfp_log_set_bit(void __user *base, u64 bit)
{
	unsigned long addr = (unsigned long)base + bit / VFP_LOG_BITS_PER_BYTE;
	struct page *page;
	void *kaddr;
	int ret;

	ret = pin_user_pages_fast(addr, 1, FOLL_WRITE, &page);
	if (ret != 1)
		return ret < 0 ? ret : -EFAULT;
	kaddr = kmap_local_page(page);
	/*
	 * Bit numbering of set_bit() on a page-aligned base matches the
	 * bitmap's byte-wise layout on little-endian hosts, which are the
	 * only ones vhostfp builds for (x86-64).
	 */
	set_bit((addr % PAGE_SIZE) * VFP_LOG_BITS_PER_BYTE +
		bit % VFP_LOG_BITS_PER_BYTE, kaddr);
	kunmap_local(kaddr);
	unpin_user_pages_dirty_lock(&page, 1, true);
	return 0;
}

static int vfp_log_range(struct vfp_vq *vq, u64 gpa, u64 len)
{
	struct vfp_dev *dev = vq->dev;
	u64 page, last;
	int ret;

	if (!len)
		return 0;
	if (!dev->log_base || !vq->mem ||
	    check_add_overflow(gpa, len - 1, &last) ||
	    last > vq->mem->gpa_last)
		return -EFAULT;
	/* Bound: the pages of one write the device made (a packet, a used entry). */
	for (page = gpa / VHOST_PAGE_SIZE; page <= last / VHOST_PAGE_SIZE;
	     page++) {
		ret = vfp_log_set_bit(dev->log_base, page);
		if (ret)
			return ret;
	}
	return 0;
}

static void vfp_log_done(struct vfp_vq *vq)
{
	if (vq->dev->log_ctx)
		vfp_eventfd_signal(vq->dev->log_ctx);
}

/* Log the first @len bytes written into the ranges @log describes. */
int vfp_log_write(struct vfp_vq *vq, const struct vfp_log *log,
		  unsigned int n, u64 len)
{
	unsigned int i;
	int ret;

	lockdep_assert_held(&vq->mutex);
	if (!vfp_log_enabled(vq))
		return 0;
	for (i = 0; i < n && len; i++) {
		u64 l = min(log[i].len, len);

		ret = vfp_log_range(vq, log[i].gpa, l);
		if (ret) {
			vfp_vq_err(vq, "cannot log %#llx+%#llx", log[i].gpa, l);
			return ret;
		}
		len -= l;
	}
	vfp_log_done(vq);
	return 0;
}

/* Log a write to the used ring at @offset, when userspace asked for it. */
int vfp_log_used(struct vfp_vq *vq, u64 offset, u64 len)
{
	u64 gpa;
	int ret;

	if (!vfp_log_enabled(vq) || !vq->log_used)
		return 0;
	/*
	 * Through the IOTLB, log_addr is the ring's IOVA (QEMU passes what it
	 * has): the memory table tells the guest page behind the ring.
	 */
	if (vfp_vq_iotlb(vq)) {
		if (vfp_mem_gpa_of(vq->mem, (unsigned long)vq->used + offset,
				   len, &gpa))
			return -EFAULT;
	} else if (check_add_overflow(vq->log_addr, offset, &gpa)) {
		return -EFAULT;
	}
	ret = vfp_log_range(vq, gpa, len);
	if (ret)
		return ret;
	vfp_log_done(vq);
	return 0;
}
