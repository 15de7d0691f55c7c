// SPDX-License-Identifier: GPL-2.0
/*
 * Packed virtqueue layout (virtio 1.1, VIRTIO_F_RING_PACKED): one ring of
 * descriptors that the driver makes available and the device marks used
 * in place, plus two event suppression structures, the driver's (in
 * vq->avail's place: may we interrupt it?) and the device's (in vq->used's
 * place: should it kick us?).
 *
 * A descriptor at position p is available when its AVAIL flag equals the
 * driver's wrap counter for p and its USED flag does not; the device marks
 * it used by setting both to its own wrap counter.  Each side flips its
 * counter whenever its position passes the end of the ring.
 *
 * Buffers may be returned in any order (zero-copy completes out of
 * order).  A used entry is written at the device's used position, which
 * then skips as many descriptors as that buffer took from the ring; so
 * we remember, per buffer id, how many it took.  Ids come from the guest:
 * one out of range or already in flight is a guest error, as is any other
 * lie (flags, lengths, addresses, wrap counters, chain length).
 *
 * Like the split layout, everything read from the ring is copied once
 * into kernel memory and checked there; packed rings are little endian.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "vhostfp.h"
#include "vq_desc.h"
#include "vq_packed.h"

/*
 * Buffers taken from the ring and not yet returned.  At most num are in
 * flight (ids are < num and unique), so num entries of history suffice
 * to put back the last ones taken.  All under the vq mutex.
 */
struct vfp_packed {
	unsigned int num;
	unsigned int taken;		/* buffers taken, free running */
	/*
	 * Ring descriptors marked used since need_signal() last looked.
	 * Positions alone cannot tell "nothing" from "a whole lap" apart.
	 */
	unsigned int used_since;
	u32 *hist;			/* per take: pos | wrap << 15 | id << 16 */
	u16 ndesc[];			/* per id: ring descriptors; 0: free */
};

static struct vring_packed_desc __user *vfp_packed_ring(struct vfp_vq *vq)
{
	return (struct vring_packed_desc __user *)vq->desc;
}

/* Driver event suppression: the guest says whether to interrupt it. */
static __le32 __user *vfp_packed_driver_event(struct vfp_vq *vq)
{
	return (__le32 __user *)vq->avail;
}

/* Device event suppression: we say whether the guest should kick. */
static __le32 __user *vfp_packed_device_event(struct vfp_vq *vq)
{
	return (__le32 __user *)vq->used;
}

static void vfp_packed_release(struct vfp_vq *vq)
{
	if (!vq->packed)
		return;
	kvfree(vq->packed->hist);
	kvfree(vq->packed);
	vq->packed = NULL;
}

/*
 * Each of the three areas must lie in one region of guest memory, not
 * just somewhere in our address space: they are guest structures.
 */
static int vfp_packed_check_addr(struct vfp_vq *vq)
{
	u64 desc_len = sizeof(struct vring_packed_desc) * vq->num, gpa;
	u64 ev_len = sizeof(struct vring_packed_desc_event);

	if (!access_ok(vq->desc, desc_len) || !access_ok(vq->avail, ev_len) ||
	    !access_ok(vq->used, ev_len))
		return -EINVAL;
	if (vfp_mem_gpa_of(vq->mem, (unsigned long)vq->desc, desc_len, &gpa) ||
	    vfp_mem_gpa_of(vq->mem, (unsigned long)vq->avail, ev_len, &gpa) ||
	    vfp_mem_gpa_of(vq->mem, (unsigned long)vq->used, ev_len, &gpa))
		return -EINVAL;
	return 0;
}

static void vfp_packed_areas(const struct vfp_vq *vq, struct vfp_vq_area *a)
{
	/* We mark descriptors used in place: the ring is read and written. */
	a[0].len = sizeof(struct vring_packed_desc) * vq->num;
	a[0].perm = VHOST_ACCESS_RW;
	a[1].len = sizeof(struct vring_packed_desc_event);
	a[1].perm = VHOST_ACCESS_RO;
	a[2].len = sizeof(struct vring_packed_desc_event);
	a[2].perm = VHOST_ACCESS_WO;
}

static int vfp_packed_init_access(struct vfp_vq *vq)
{
	struct vfp_packed *p;

	/* Packed rings exist only in virtio 1: little endian. */
	if (!vfp_has_feature(vq, VIRTIO_F_VERSION_1) ||
	    vq->last_avail_idx >= vq->num || vq->last_used_idx >= vq->num)
		return -EINVAL;
	p = kvzalloc(struct_size(p, ndesc, vq->num), GFP_KERNEL_ACCOUNT);
	if (!p)
		return -ENOMEM;
	p->hist = kvcalloc(vq->num, sizeof(*p->hist), GFP_KERNEL_ACCOUNT);
	if (!p->hist) {
		kvfree(p);
		return -ENOMEM;
	}
	p->num = vq->num;
	vq->packed = p;
	vq->avail_idx = vq->last_avail_idx |
			(vq->avail_wrap ? VFP_PACKED_WRAP : 0);
	return 0;
}

static int vfp_packed_read_desc(struct vfp_vq *vq, unsigned int pos,
				struct vring_packed_desc *desc)
{
	if (copy_from_user(desc, vfp_packed_ring(vq) + pos, sizeof(*desc))) {
		vfp_vq_err(vq, "cannot read descriptor %u", pos);
		return -EFAULT;
	}
	return 0;
}

static int vfp_packed_indirect(struct vfp_vq *vq, struct vfp_buf *buf,
			       const struct vring_packed_desc *ind,
			       struct iovec *iov, unsigned int iov_max,
			       struct vfp_log *log, unsigned int log_max)
{
	u64 addr = le64_to_cpu(ind->addr);
	u32 len = le32_to_cpu(ind->len);
	unsigned int count = len / sizeof(struct vring_packed_desc), i;
	struct vring_packed_desc desc;
	u16 flags;
	int ret;

	if (!vfp_has_feature(vq, VIRTIO_RING_F_INDIRECT_DESC)) {
		vfp_vq_err(vq, "indirect descriptor not negotiated");
		return -EINVAL;
	}
	if (vfp_desc_indirect_chained(le16_to_cpu(ind->flags))) {
		vfp_vq_err(vq, "indirect descriptor in a chain");
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
	/* Bound: count <= vq->num entries (above), and the buffer's nread. */
	/* The table is a plain array: NEXT and ids mean nothing in it. */
	for (i = 0; i < count; i++) {
		ret = vfp_vq_read(vq, &desc, addr + (u64)i * sizeof(desc),
				  sizeof(desc));
		if (ret == -EAGAIN)
			return ret;
		if (ret) {
			vfp_vq_err(vq, "cannot read indirect table %#llx", addr);
			return ret;
		}
		flags = le16_to_cpu(desc.flags);
		if (flags & VRING_DESC_F_INDIRECT) {
			vfp_vq_err(vq, "nested indirect descriptor");
			return -EINVAL;
		}
		ret = vfp_vq_add_range(vq, buf, le64_to_cpu(desc.addr),
				       le32_to_cpu(desc.len),
				       flags & VRING_DESC_F_WRITE, iov, iov_max,
				       log, log_max);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * Walk the chain starting at the available descriptor at last_avail_idx.
 * On success *pos and *wrap are the position after it; the buffer id is
 * the last descriptor's.  Nothing of the queue's state changes here.
 */
static int vfp_packed_walk(struct vfp_vq *vq, struct vfp_buf *buf,
			   unsigned int *pos, bool *wrap,
			   struct iovec *iov, unsigned int iov_max,
			   struct vfp_log *log, unsigned int log_max)
{
	struct vring_packed_desc desc;
	u16 flags;
	int ret;

	for (;;) {
		/* A chain fills at most the ring; longer is a lie. */
		if (buf->ndesc == vq->num) {
			vfp_vq_err(vq, "chain at %u longer than the ring",
				   vq->last_avail_idx);
			return -EINVAL;
		}
		ret = vfp_packed_read_desc(vq, *pos, &desc);
		if (ret)
			return ret;
		flags = le16_to_cpu(desc.flags);
		/* The driver marks every descriptor of a chain available. */
		if (!vfp_packed_is_avail(flags, *wrap)) {
			vfp_vq_err(vq, "descriptor %u of a chain not available (flags %#x)",
				   *pos, flags);
			return -EINVAL;
		}
		if (flags & VRING_DESC_F_INDIRECT)
			ret = vfp_packed_indirect(vq, buf, &desc, iov, iov_max,
						  log, log_max);
		else
			ret = vfp_vq_add_range(vq, buf, le64_to_cpu(desc.addr),
					       le32_to_cpu(desc.len),
					       flags & VRING_DESC_F_WRITE,
					       iov, iov_max, log, log_max);
		if (ret)
			return ret;
		buf->ndesc++;
		buf->id = le16_to_cpu(desc.id);
		vfp_packed_advance(pos, wrap, 1, vq->num);
		if (!(flags & VRING_DESC_F_NEXT))
			return 0;
	}
}

/* 1: buf filled, 0: ring empty, -errno: broken ring (already reported). */
static int vfp_packed_get_buf(struct vfp_vq *vq, struct vfp_buf *buf,
			      struct iovec *iov, unsigned int iov_max,
			      struct vfp_log *log, unsigned int log_max)
{
	struct vfp_packed *p = vq->packed;
	unsigned int pos = vq->last_avail_idx;
	bool wrap = vq->avail_wrap;
	__le16 flags;
	int ret;

	if (get_user(flags, &vfp_packed_ring(vq)[pos].flags)) {
		vfp_vq_err(vq, "cannot read descriptor %u", pos);
		return -EFAULT;
	}
	if (!vfp_packed_is_avail(le16_to_cpu(flags), wrap)) {
		/* Where to wait for more: see vfp_packed_enable_notify(). */
		vq->avail_idx = pos | (wrap ? VFP_PACKED_WRAP : 0);
		return 0;
	}
	/* The flags say the chain is complete: read it only after them. */
	smp_rmb();
	memset(buf, 0, sizeof(*buf));
	ret = vfp_packed_walk(vq, buf, &pos, &wrap, iov, iov_max, log, log_max);
	if (ret)
		return ret;
	if (buf->iotlb_miss)
		return -EAGAIN;
	if (buf->id >= vq->num) {
		vfp_vq_err(vq, "buffer id %u out of ring of %u", buf->id,
			   vq->num);
		return -EINVAL;
	}
	if (p->ndesc[buf->id]) {
		vfp_vq_err(vq, "buffer id %u already in flight", buf->id);
		return -EINVAL;
	}
	p->ndesc[buf->id] = buf->ndesc;
	p->hist[p->taken & (p->num - 1)] = vq->last_avail_idx |
		(vq->avail_wrap ? VFP_PACKED_WRAP : 0) | (u32)buf->id << 16;
	p->taken++;
	vq->last_avail_idx = pos;
	vq->avail_wrap = wrap;
	return 1;
}

/* Put back the last nbufs buffers taken: the ring position they began at. */
static void vfp_packed_discard(struct vfp_vq *vq, unsigned int nbufs)
{
	struct vfp_packed *p = vq->packed;
	u32 h = 0;

	if (WARN_ON_ONCE(nbufs > p->num))
		return;
	/* Bound: nbufs <= p->num, the buffers that can be in flight. */
	while (nbufs--) {
		h = p->hist[--p->taken & (p->num - 1)];
		p->ndesc[h >> 16] = 0;
		vq->last_avail_idx = h & (VFP_PACKED_WRAP - 1);
		vq->avail_wrap = h & VFP_PACKED_WRAP;
	}
}

/* Log a write to the guest's ring at user address @uaddr. */
static int vfp_packed_log(struct vfp_vq *vq, const void __user *uaddr,
			  u64 len)
{
	struct vfp_log l = { .len = len };

	if (!vfp_log_enabled(vq) || !vq->log_used)
		return 0;
	if (vfp_mem_gpa_of(vq->mem, (unsigned long)uaddr, len, &l.gpa))
		return -EFAULT;
	return vfp_log_write(vq, &l, 1, len);
}

/* The device-written part of a used descriptor: len, id, flags. */
struct vfp_packed_used {
	__le32 len;
	__le16 id;
	__le16 flags;
};

static_assert(sizeof(struct vfp_packed_used) == 8);
static_assert(sizeof(struct vring_packed_desc) == VFP_DESC_SIZE);
static_assert(offsetof(struct vring_packed_desc, len) == 8);
static_assert(offsetof(struct vring_packed_desc, flags) == 14);

/*
 * Mark n buffers used, in the order given (not necessarily the order they
 * were taken in).  The first entry's flags go last: until the guest sees
 * them it looks at none of the batch.
 */
static int vfp_packed_write_used(struct vfp_vq *vq, const struct vfp_used *used,
				 unsigned int n)
{
	struct vring_packed_desc __user *ring = vfp_packed_ring(vq);
	struct vfp_packed *p = vq->packed;
	unsigned int pos = vq->last_used_idx, first = pos, i;
	bool wrap = vq->used_wrap;
	struct vfp_packed_used e;
	__le16 first_flags = 0;
	u16 nd;

	for (i = 0; i < n; i++) {
		nd = used[i].id < p->num ? p->ndesc[used[i].id] : 0;
		if (!nd) {
			vfp_vq_err(vq, "used id %u not in flight", used[i].id);
			return -EINVAL;
		}
		e.len = cpu_to_le32(used[i].len);
		e.id = cpu_to_le16(used[i].id);
		e.flags = cpu_to_le16(wrap ? VFP_PACKED_AVAIL | VFP_PACKED_USED : 0);
		if (!i) {
			first_flags = e.flags;
			if (copy_to_user(&ring[pos].len, &e,
					 offsetof(typeof(e), flags)))
				return -EFAULT;
		} else if (copy_to_user(&ring[pos].len, &e, sizeof(e))) {
			return -EFAULT;
		}
		if (vfp_packed_log(vq, &ring[pos].len, sizeof(e)))
			return -EFAULT;
		p->ndesc[used[i].id] = 0;
		p->used_since += nd;
		vfp_packed_advance(&pos, &wrap, nd, vq->num);
	}
	/* The guest must see the whole batch before the flags that open it. */
	smp_wmb();
	if (n && put_user(first_flags, &ring[first].flags))
		return -EFAULT;
	vq->last_used_idx = pos;
	vq->used_wrap = wrap;
	return 0;
}

static int vfp_packed_read_event(struct vfp_vq *vq, u16 *off_wrap, u16 *flags)
{
	__le32 ev;
	u32 v;

	/* One load: off_wrap and flags as the guest last wrote them together. */
	if (get_user(ev, vfp_packed_driver_event(vq)))
		return -EFAULT;
	v = le32_to_cpu(ev);
	*off_wrap = v & 0xffff;
	*flags = v >> 16;
	return 0;
}

static bool vfp_packed_need_signal(struct vfp_vq *vq)
{
	bool valid = vq->signalled_used_valid;
	u16 old = vq->signalled_used, new = vq->last_used_idx;
	unsigned int since = vq->packed->used_since;
	u16 off_wrap, flags, off;

	/*
	 * The used flags we wrote must be visible before we read what the
	 * guest asked for, or we could read a stale "no interrupt" and the
	 * guest, having seen no used entry, would wait forever.
	 */
	smp_mb();
	vq->signalled_used = new;
	vq->signalled_used_valid = true;
	vq->packed->used_since = 0;
	if (vfp_packed_read_event(vq, &off_wrap, &flags)) {
		vfp_vq_err(vq, "cannot read driver event suppression");
		return true;
	}
	switch (flags) {
	case VRING_PACKED_EVENT_FLAG_ENABLE:
		return true;
	case VRING_PACKED_EVENT_FLAG_DISABLE:
		return false;
	case VRING_PACKED_EVENT_FLAG_DESC:
		if (vfp_has_feature(vq, VIRTIO_RING_F_EVENT_IDX))
			break;
		fallthrough;
	default:
		vfp_vq_err(vq, "bad driver event flags %#x", flags);
		return true;
	}
	off = off_wrap & (VFP_PACKED_WRAP - 1);
	if (off >= vq->num) {
		vfp_vq_err(vq, "driver event offset %u out of ring", off);
		return true;
	}
	if (!valid)
		return true;
	return vfp_packed_event_passed(off_wrap, old, new, vq->used_wrap,
				       since, vq->num);
}

static int vfp_packed_set_event(struct vfp_vq *vq, u16 off_wrap, u16 flags)
{
	__le32 __user *ev = vfp_packed_device_event(vq);

	/* One store: the guest never sees a new offset with old flags. */
	if (put_user(cpu_to_le32(off_wrap | (u32)flags << 16), ev))
		return -EFAULT;
	return vfp_log_used(vq, 0, sizeof(*ev));
}

/*
 * Ask for a kick when the guest makes the descriptor available at which
 * the ring last looked empty (vq->avail_idx: position | wrap << 15).
 * That is not always last_avail_idx: RX may have put back buffers it
 * took for a packet they were too few for.  Returns true when that
 * descriptor is available already: the caller looks again.
 */
static bool vfp_packed_enable_notify(struct vfp_vq *vq)
{
	unsigned int pos = vq->avail_idx & (VFP_PACKED_WRAP - 1);
	bool wrap = vq->avail_idx & VFP_PACKED_WRAP;
	u16 off_wrap = 0, flags = VRING_PACKED_EVENT_FLAG_ENABLE;
	__le16 desc_flags;
	int ret;

	if (vfp_has_feature(vq, VIRTIO_RING_F_EVENT_IDX)) {
		off_wrap = vq->avail_idx;
		flags = VRING_PACKED_EVENT_FLAG_DESC;
	}
	ret = vfp_packed_set_event(vq, off_wrap, flags);
	if (ret) {
		vfp_vq_err(vq, "cannot enable notifications");
		return false;
	}
	/*
	 * Publish the request before looking for buffers: the guest checks
	 * it after making buffers available, so either it kicks or we see
	 * them.
	 */
	smp_mb();
	if (get_user(desc_flags, &vfp_packed_ring(vq)[pos].flags)) {
		vfp_vq_err(vq, "cannot read descriptor %u", pos);
		return false;
	}
	return vfp_packed_is_avail(le16_to_cpu(desc_flags), wrap);
}

static void vfp_packed_disable_notify(struct vfp_vq *vq)
{
	if (vfp_packed_set_event(vq, 0, VRING_PACKED_EVENT_FLAG_DISABLE))
		vfp_vq_err(vq, "cannot disable notifications");
}

const struct vfp_vq_ops vfp_packed_ops = {
	.check_addr	= vfp_packed_check_addr,
	.areas		= vfp_packed_areas,
	.init_access	= vfp_packed_init_access,
	.release	= vfp_packed_release,
	.get_buf	= vfp_packed_get_buf,
	.discard	= vfp_packed_discard,
	.write_used	= vfp_packed_write_used,
	.need_signal	= vfp_packed_need_signal,
	.enable_notify	= vfp_packed_enable_notify,
	.disable_notify	= vfp_packed_disable_notify,
};
