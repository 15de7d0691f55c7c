// SPDX-License-Identifier: GPL-2.0
/*
 * What both ring layouts (vq_split.c, vq_packed.c) share, below them:
 * turning a guest descriptor into iovecs (and dirty log ranges), reading
 * guest memory through the memory table or the IOTLB, and reporting a
 * guest's mistakes.  It knows no layout and calls nothing above it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/uaccess.h>

#include "vhostfp.h"
#include "trace.h"
#include "vq_desc.h"

void vfp_vq_err(struct vfp_vq *vq, const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	vq->stats.guest_errors++;
	if (trace_vfp_guest_error_enabled()) {
		va_start(args, fmt);
		vaf.fmt = fmt;
		vaf.va = &args;
		trace_vfp_guest_error(vq->dev->id, vq->index, &vaf);
		va_end(args);
	}
	if (__ratelimit(&vq->err_rs)) {
		va_start(args, fmt);
		vaf.fmt = fmt;
		vaf.va = &args;
		pr_debug("dev %u vq %u: %pV\n", vq->dev->id, vq->index, &vaf);
		va_end(args);
	}
	if (vq->err_ctx)
		vfp_eventfd_signal(vq->err_ctx);
}

/*
 * Log writable ranges given as user addresses (IOTLB): each iovec in
 * [first, last) is found in the memory table, so the log gets the
 * guest-physical pages, as without an IOMMU.
 */
static int vfp_vq_log_iov(struct vfp_vq *vq, struct vfp_buf *buf,
			  const struct iovec *iov, unsigned int n,
			  struct vfp_log *log, unsigned int log_max)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct vfp_log *l = &log[buf->log_num];

		if (buf->log_num == log_max) {
			vfp_vq_err(vq, "too many writable descriptors to log");
			return -ENOBUFS;
		}
		if (vfp_mem_gpa_of(vq->mem, (unsigned long)iov[i].iov_base,
				   iov[i].iov_len, &l->gpa)) {
			vfp_vq_err(vq, "buffer at %p is not guest memory",
				   iov[i].iov_base);
			return -EFAULT;
		}
		l->len = iov[i].iov_len;
		buf->log_num++;
	}
	return 0;
}

/*
 * Guest range [addr, addr + len) as user iovecs: through the IOTLB (addr
 * an IOVA, needing @perm) or the memory table.  The number of iovecs,
 * -EAGAIN on an IOTLB miss (queued for userspace) or -errno.
 */
static int vfp_vq_translate(struct vfp_vq *vq, u64 addr, u64 len, u8 perm,
			    struct iovec *iov, unsigned int iov_max)
{
	if (vfp_vq_iotlb(vq))
		return vfp_iotlb_translate(vq, addr, len, perm, iov, iov_max);
	return vfp_mem_translate(vq->mem, addr, len, iov, iov_max,
				 &vq->mem_hint);
}

/*
 * Append the guest range of one direct descriptor to the buffer's iovecs
 * (and, when writable and logging, to its log).  Both layouts use it.
 * An IOTLB miss is not a guest error: it marks the buffer (iotlb_miss),
 * adds nothing and returns 0, so that the walk queues the chain's other
 * misses; get_buf then gives the buffer back with -EAGAIN.
 */
int vfp_vq_add_range(struct vfp_vq *vq, struct vfp_buf *buf, u64 addr,
		     u32 len, bool write, struct iovec *iov,
		     unsigned int iov_max, struct vfp_log *log,
		     unsigned int log_max)
{
	unsigned int used = buf->out_num + buf->in_num;
	bool iotlb = vfp_vq_iotlb(vq);
	int n;

	/*
	 * The bound of a buffer's walk: no more descriptors, direct and
	 * indirect together, than the ring holds (zero-length ones add no
	 * iovec, so iov_max alone would not bound them).
	 */
	if (vfp_desc_one_too_many(&buf->nread, vq->num)) {
		vfp_vq_err(vq, "buffer of more than %u descriptors", vq->num);
		return -E2BIG;
	}
	if (!write && buf->in_num) {
		vfp_vq_err(vq, "readable descriptor after writable one");
		return -EINVAL;
	}
	n = vfp_vq_translate(vq, addr, len,
			     write ? VHOST_ACCESS_WO : VHOST_ACCESS_RO,
			     iov + used, iov_max - used);
	if (n == -EAGAIN) {
		/*
		 * Go on with the chain: its other misses are queued too, and
		 * userspace answers them in one go instead of one round trip
		 * per descriptor.  get_buf gives the buffer back at the end.
		 */
		buf->iotlb_miss = true;
		return 0;
	}
	if (n < 0) {
		vfp_vq_err(vq, "descriptor %#llx+%#x: %s", addr, len,
			   n == -ENOBUFS ? "too many segments" :
			   n == -EPERM ? "IOTLB denies access" :
			   "outside guest memory");
		return n;
	}
	if (!write) {
		buf->out_num += n;
		buf->out_len += len;
		return 0;
	}
	buf->in_num += n;
	buf->in_len += len;
	if (log && iotlb)
		return vfp_vq_log_iov(vq, buf, iov + used, n, log, log_max);
	if (log && len) {
		if (buf->log_num == log_max) {
			vfp_vq_err(vq, "too many writable descriptors to log");
			return -ENOBUFS;
		}
		log[buf->log_num].gpa = addr;
		log[buf->log_num].len = len;
		buf->log_num++;
	}
	return 0;
}

/*
 * Copy len bytes of guest memory at guest address addr (an IOVA with the
 * IOTLB); len is small: a descriptor.  -EAGAIN: IOTLB miss, queued.
 */
int vfp_vq_read(struct vfp_vq *vq, void *dst, u64 addr, size_t len)
{
	struct iovec iov[4];
	int i, n;

	n = vfp_vq_translate(vq, addr, len, VHOST_ACCESS_RO, iov,
			     ARRAY_SIZE(iov));
	if (n < 0)
		return n;
	for (i = 0; i < n; i++) {
		if (copy_from_user(dst, iov[i].iov_base, iov[i].iov_len))
			return -EFAULT;
		dst += iov[i].iov_len;
	}
	return 0;
}
