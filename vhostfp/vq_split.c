// SPDX-License-Identifier: GPL-2.0
/*
 * Split virtqueue layout: descriptor table, avail ring, used ring.
 *
 * Everything read from the rings is guest-controlled and may change under
 * us: each value is copied once into kernel memory and checked there.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/overflow.h>
#include <linux/uaccess.h>

#include "vhostfp.h"
#include "vq_desc.h"

static size_t vfp_split_avail_size(unsigned int num)
{
	/* flags, idx, ring[num], used_event */
	return sizeof(struct vring_avail) + sizeof(__virtio16) * (num + 1);
}

static size_t vfp_split_used_size(unsigned int num)
{
	/* flags, idx, ring[num], avail_event */
	return sizeof(struct vring_used) +
	       sizeof(struct vring_used_elem) * num + sizeof(__virtio16);
}

static int vfp_split_check_addr(struct vfp_vq *vq)
{
	if (!access_ok(vq->desc, sizeof(struct vring_desc) * vq->num) ||
	    !access_ok(vq->avail, vfp_split_avail_size(vq->num)) ||
	    !access_ok(vq->used, vfp_split_used_size(vq->num)))
		return -EINVAL;
	return 0;
}

static void vfp_split_areas(const struct vfp_vq *vq, struct vfp_vq_area *a)
{
	a[0].len = sizeof(struct vring_desc) * vq->num;
	a[0].perm = VHOST_ACCESS_RO;
	a[1].len = vfp_split_avail_size(vq->num);
	a[1].perm = VHOST_ACCESS_RO;
	a[2].len = vfp_split_used_size(vq->num);
	a[2].perm = VHOST_ACCESS_WO;
}

static int vfp_split_init_access(struct vfp_vq *vq)
{
	__virtio16 idx;

	if (get_user(idx, &vq->used->idx))
		return -EFAULT;
	vq->last_used_idx = vfp16_to_cpu(vq, idx);
	return 0;
}

/* Make sure vq->heads holds the next avail entry.  1: yes, 0: ring empty. */
static int vfp_split_fetch_heads(struct vfp_vq *vq)
{
	unsigned int start, n;
	__virtio16 idx;
	u16 avail_idx;

	if (vq->heads_pos < vq->heads_len)
		return 1;
	if (vq->avail_idx == vq->last_avail_idx) {
		if (get_user(idx, &vq->avail->idx)) {
			vfp_vq_err(vq, "cannot read avail idx");
			return -EFAULT;
		}
		avail_idx = vfp16_to_cpu(vq, idx);
		if ((u16)(avail_idx - vq->last_avail_idx) > vq->num) {
			vfp_vq_err(vq, "avail idx jumped from %u to %u",
				   vq->last_avail_idx, avail_idx);
			return -EINVAL;
		}
		vq->avail_idx = avail_idx;
		if (avail_idx == vq->last_avail_idx)
			return 0;
		/* Read ring entries only after the index that covers them. */
		smp_rmb();
	}
	start = vq->last_avail_idx & (vq->num - 1);
	n = min3((unsigned int)(u16)(vq->avail_idx - vq->last_avail_idx),
		 (unsigned int)VFP_HEAD_BATCH, vq->num - start);
	if (copy_from_user(vq->heads, &vq->avail->ring[start],
			   n * sizeof(vq->heads[0]))) {
		vfp_vq_err(vq, "cannot read avail ring at %u", start);
		return -EFAULT;
	}
	vq->heads_pos = 0;
	vq->heads_len = n;
	return 1;
}

/* One direct descriptor: its guest range joins the buffer's iovecs. */
static_assert(sizeof(struct vring_desc) == VFP_DESC_SIZE);

static int vfp_split_add_range(struct vfp_vq *vq, struct vfp_buf *buf,
			       const struct vring_desc *desc,
			       struct iovec *iov, unsigned int iov_max,
			       struct vfp_log *log, unsigned int log_max)
{
	bool write = vfp16_to_cpu(vq, desc->flags) & VRING_DESC_F_WRITE;

	return vfp_vq_add_range(vq, buf, vfp64_to_cpu(vq, desc->addr),
				vfp32_to_cpu(vq, desc->len), write, iov,
				iov_max, log, log_max);
}

static int vfp_split_indirect(struct vfp_vq *vq, struct vfp_buf *buf,
			      const struct vring_desc *ind,
			      struct iovec *iov, unsigned int iov_max,
			      struct vfp_log *log, unsigned int log_max)
{
	u64 addr = vfp64_to_cpu(vq, ind->addr);
	u32 len = vfp32_to_cpu(vq, ind->len);
	unsigned int count = len / sizeof(struct vring_desc);
	unsigned int i = 0, seen = 0;
	struct vring_desc desc;
	int ret;

	if (!vfp_has_feature(vq, VIRTIO_RING_F_INDIRECT_DESC)) {
		vfp_vq_err(vq, "indirect descriptor not negotiated");
		return -EINVAL;
	}
	if (!vfp_desc_table_len_ok(len, vq->num)) {
		vfp_vq_err(vq, "bad indirect table length %u", len);
		return -EINVAL;
	}
	/* Entry addresses below are addr + i * 16: they must not wrap. */
	if (vfp_desc_wraps(addr, len)) {
		vfp_vq_err(vq, "indirect table %#llx+%#x wraps", addr, len);
		return -EINVAL;
	}
	for (;;) {
		/* A chain visits each entry at most once: more is a loop. */
		if (vfp_desc_one_too_many(&seen, count)) {
			vfp_vq_err(vq, "loop in indirect table");
			return -EINVAL;
		}
		ret = vfp_vq_read(vq, &desc, addr + (u64)i * sizeof(desc),
				  sizeof(desc));
		if (ret == -EAGAIN)
			return ret;
		if (ret) {
			vfp_vq_err(vq, "cannot read indirect table %#llx", addr);
			return ret;
		}
		if (vfp16_to_cpu(vq, desc.flags) & VRING_DESC_F_INDIRECT) {
			vfp_vq_err(vq, "nested indirect descriptor");
			return -EINVAL;
		}
		ret = vfp_split_add_range(vq, buf, &desc, iov, iov_max,
					  log, log_max);
		if (ret)
			return ret;
		if (!(vfp16_to_cpu(vq, desc.flags) & VRING_DESC_F_NEXT))
			return 0;
		i = vfp16_to_cpu(vq, desc.next);
		if (i >= count) {
			vfp_vq_err(vq, "indirect next %u out of %u", i, count);
			return -EINVAL;
		}
	}
}

static int vfp_split_walk(struct vfp_vq *vq, struct vfp_buf *buf,
			  unsigned int head, struct iovec *iov,
			  unsigned int iov_max, struct vfp_log *log,
			  unsigned int log_max)
{
	unsigned int i = head, seen = 0;
	struct vring_desc desc;
	u16 flags;
	int ret;

	/* Bound: vq->num descriptors, direct and indirect (add_range). */
	for (;;) {
		if (vfp_desc_one_too_many(&seen, vq->num)) {
			vfp_vq_err(vq, "descriptor loop from head %u", head);
			return -EINVAL;
		}
		if (copy_from_user(&desc, vq->desc + i, sizeof(desc))) {
			vfp_vq_err(vq, "cannot read descriptor %u", i);
			return -EFAULT;
		}
		flags = vfp16_to_cpu(vq, desc.flags);
		/* The spec forbids it; the packed walk refuses it too. */
		if (vfp_desc_indirect_chained(flags)) {
			vfp_vq_err(vq, "indirect descriptor %u in a chain", i);
			return -EINVAL;
		}
		if (flags & VRING_DESC_F_INDIRECT)
			ret = vfp_split_indirect(vq, buf, &desc, iov, iov_max,
						 log, log_max);
		else
			ret = vfp_split_add_range(vq, buf, &desc, iov, iov_max,
						  log, log_max);
		if (ret)
			return ret;
		buf->ndesc++;
		if (!(flags & VRING_DESC_F_NEXT))
			return 0;
		i = vfp16_to_cpu(vq, desc.next);
		if (i >= vq->num) {
			vfp_vq_err(vq, "next %u out of ring of %u", i, vq->num);
			return -EINVAL;
		}
	}
}

/* 1: buf filled, 0: ring empty, -errno: broken ring (already reported). */
static int vfp_split_get_buf(struct vfp_vq *vq, struct vfp_buf *buf,
			     struct iovec *iov, unsigned int iov_max,
			     struct vfp_log *log, unsigned int log_max)
{
	unsigned int head;
	int ret;

	ret = vfp_split_fetch_heads(vq);
	if (ret <= 0)
		return ret;
	head = vfp16_to_cpu(vq, vq->heads[vq->heads_pos]);
	if (head >= vq->num) {
		vfp_vq_err(vq, "avail head %u out of ring of %u", head, vq->num);
		return -EINVAL;
	}
	memset(buf, 0, sizeof(*buf));
	buf->id = head;
	ret = vfp_split_walk(vq, buf, head, iov, iov_max, log, log_max);
	if (ret)
		return ret;
	if (buf->iotlb_miss)
		return -EAGAIN;
	vq->heads_pos++;
	vq->last_avail_idx++;
	return 1;
}

static void vfp_split_discard(struct vfp_vq *vq, unsigned int nbufs)
{
	vq->last_avail_idx -= nbufs;
	/* The prefetched heads no longer start at last_avail_idx. */
	vq->heads_pos = 0;
	vq->heads_len = 0;
}

static int vfp_split_copy_used(struct vfp_vq *vq, const struct vfp_used *used,
			       unsigned int start, unsigned int n)
{
	struct vring_used_elem elem[VFP_USED_BATCH];
	unsigned int i;

	for (i = 0; i < n; i++) {
		elem[i].id = cpu_to_vfp32(vq, used[i].id);
		elem[i].len = cpu_to_vfp32(vq, used[i].len);
	}
	if (copy_to_user(&vq->used->ring[start], elem, n * sizeof(elem[0])))
		return -EFAULT;
	return vfp_log_used(vq, offsetof(struct vring_used, ring[start]),
			    n * sizeof(elem[0]));
}

static int vfp_split_write_used(struct vfp_vq *vq, const struct vfp_used *used,
				unsigned int n)
{
	unsigned int start = vq->last_used_idx & (vq->num - 1);
	unsigned int first = min(n, vq->num - start);
	u16 idx = vq->last_used_idx + n;
	int ret;

	if (WARN_ON_ONCE(n > VFP_USED_BATCH))
		return -EINVAL;
	ret = vfp_split_copy_used(vq, used, start, first);
	if (!ret && first < n)
		ret = vfp_split_copy_used(vq, used + first, 0, n - first);
	if (ret)
		return ret;
	/* The guest must see the entries before the index that covers them. */
	smp_wmb();
	if (put_user(cpu_to_vfp16(vq, idx), &vq->used->idx))
		return -EFAULT;
	vq->last_used_idx = idx;
	return vfp_log_used(vq, offsetof(struct vring_used, idx),
			    sizeof(vq->used->idx));
}

static bool vfp_split_need_signal(struct vfp_vq *vq)
{
	__virtio16 flags, event, idx;
	bool valid = vq->signalled_used_valid;
	u16 old = vq->signalled_used, new = vq->last_used_idx;

	/*
	 * The used idx we wrote must be visible before we read what the
	 * guest asked for, or we could read a stale "no interrupt" and the
	 * guest, having looked at the old used idx, would wait forever.
	 */
	smp_mb();
	if (vfp_has_feature(vq, VIRTIO_F_NOTIFY_ON_EMPTY) &&
	    vq->avail_idx == vq->last_avail_idx) {
		if (get_user(idx, &vq->avail->idx) ||
		    vfp16_to_cpu(vq, idx) == vq->last_avail_idx)
			return true;
	}
	if (!vfp_has_feature(vq, VIRTIO_RING_F_EVENT_IDX)) {
		if (get_user(flags, &vq->avail->flags))
			return true;
		return !(vfp16_to_cpu(vq, flags) & VRING_AVAIL_F_NO_INTERRUPT);
	}
	vq->signalled_used = new;
	vq->signalled_used_valid = true;
	if (!valid)
		return true;
	/* used_event sits right after the avail ring. */
	if (get_user(event, &vq->avail->ring[vq->num]))
		return true;
	return vring_need_event(vfp16_to_cpu(vq, event), new, old);
}

static int vfp_split_set_used_flags(struct vfp_vq *vq, u16 flags)
{
	if (put_user(cpu_to_vfp16(vq, flags), &vq->used->flags))
		return -EFAULT;
	return vfp_log_used(vq, offsetof(struct vring_used, flags),
			    sizeof(vq->used->flags));
}

static int vfp_split_set_avail_event(struct vfp_vq *vq, u16 event)
{
	/* avail_event sits right after the used ring. */
	__virtio16 __user *p = (__virtio16 __user *)&vq->used->ring[vq->num];

	if (put_user(cpu_to_vfp16(vq, event), p))
		return -EFAULT;
	return vfp_log_used(vq, offsetof(struct vring_used, ring[vq->num]),
			    sizeof(*p));
}

static bool vfp_split_enable_notify(struct vfp_vq *vq)
{
	__virtio16 idx;
	int ret;

	if (vfp_has_feature(vq, VIRTIO_RING_F_EVENT_IDX))
		ret = vfp_split_set_avail_event(vq, vq->avail_idx);
	else
		ret = vfp_split_set_used_flags(vq, 0);
	if (ret) {
		vfp_vq_err(vq, "cannot enable notifications");
		return false;
	}
	/*
	 * Publish the request before looking for buffers: the guest checks
	 * it after adding buffers, so either it kicks or we see them.
	 */
	smp_mb();
	if (get_user(idx, &vq->avail->idx)) {
		vfp_vq_err(vq, "cannot read avail idx");
		return false;
	}
	return vfp16_to_cpu(vq, idx) != vq->avail_idx;
}

static void vfp_split_disable_notify(struct vfp_vq *vq)
{
	/* With event idx the guest kicks only when asked: nothing to do. */
	if (vfp_has_feature(vq, VIRTIO_RING_F_EVENT_IDX))
		return;
	if (vfp_split_set_used_flags(vq, VRING_USED_F_NO_NOTIFY))
		vfp_vq_err(vq, "cannot disable notifications");
}

const struct vfp_vq_ops vfp_split_ops = {
	.check_addr	= vfp_split_check_addr,
	.areas		= vfp_split_areas,
	.init_access	= vfp_split_init_access,
	.get_buf	= vfp_split_get_buf,
	.discard	= vfp_split_discard,
	.write_used	= vfp_split_write_used,
	.need_signal	= vfp_split_need_signal,
	.enable_notify	= vfp_split_enable_notify,
	.disable_notify	= vfp_split_disable_notify,
};
