// SPDX-License-Identifier: GPL-2.0
/*
 * The layout-agnostic front of the ring engine: the vring ioctls, the
 * kick/call/err eventfds, batching of used entries and the verbs the
 * backend calls.  Ring layout lives behind vq->ops (vq_split.c,
 * vq_packed.c), chosen by VIRTIO_F_RING_PACKED when the queue starts;
 * what both layouts share lies below them, in vq_desc.c.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/file.h>
#include <linux/overflow.h>
#include <linux/uaccess.h>

#include "vhostfp.h"

/*
 * With the IOTLB: find where the three ring areas live.  Each must be
 * one piece of user memory (entries that are contiguous there merge), so
 * the layouts keep plain pointers and the fast path does no lookup.  All
 * misses are queued at once.  0, -EAGAIN or -errno (reported).
 */
static int vfp_vq_translate_rings(struct vfp_vq *vq)
{
	const u64 addr[VFP_VQ_AREAS] = {
		vq->desc_addr, vq->avail_addr, vq->used_addr
	};
	struct vfp_vq_area area[VFP_VQ_AREAS];
	void __user *hva[VFP_VQ_AREAS];
	struct iovec iov;
	unsigned int i;
	int n, ret = 0;

	vq->ops->areas(vq, area);
	for (i = 0; i < VFP_VQ_AREAS; i++) {
		n = vfp_iotlb_translate(vq, addr[i], area[i].len, area[i].perm,
					&iov, 1);
		if (n == -EAGAIN) {
			ret = n;
			continue;
		}
		if (n != 1) {
			vfp_vq_err(vq, "ring area %u at %#llx: %s", i, addr[i],
				   n == -EPERM ? "IOTLB denies access" :
				   "not contiguous in host memory");
			return n < 0 && n != -ENOBUFS ? n : -EFAULT;
		}
		hva[i] = iov.iov_base;
	}
	if (ret)
		return ret;
	vq->desc = hva[0];
	vq->avail = hva[1];
	vq->used = hva[2];
	vq->iotlb_meta_ok = true;
	return 0;
}

/*
 * May the handler touch the rings?  Without the IOTLB always; with it,
 * once the rings are translated (once per INVALIDATE, not per pass) and
 * the deferred part of the start has run.  false: parked on a miss (an
 * UPDATE kicks the queue) or broken (reported).  vq mutex held.
 */
bool vfp_vq_access_ok(struct vfp_vq *vq)
{
	lockdep_assert_held(&vq->mutex);
	if (!vfp_vq_iotlb(vq))
		return true;
	if (!vq->iotlb_meta_ok && vfp_vq_translate_rings(vq))
		return false;
	if (vq->iotlb_init_pending) {
		if (vq->ops->init_access(vq)) {
			vfp_vq_err(vq, "cannot start the ring");
			return false;
		}
		vq->iotlb_init_pending = false;
	}
	return true;
}

/*
 * IOTLB entries went away: forget every translation this queue holds.
 * With the vq mutex held, so no handler is between translating and using.
 */
void vfp_vq_iotlb_flush(struct vfp_vq *vq)
{
	lockdep_assert_held(&vq->mutex);
	vq->iotlb_hit.valid = false;
	if (!vfp_vq_iotlb(vq))
		return;
	vq->iotlb_meta_ok = false;
	vq->desc = NULL;
	vq->avail = NULL;
	vq->used = NULL;
}

/* Ring pointers from the addresses userspace gave, for the next start. */
static void vfp_vq_set_rings(struct vfp_vq *vq)
{
	vq->iotlb_meta_ok = false;
	vq->iotlb_hit.valid = false;
	if (vfp_vq_iotlb(vq)) {
		vq->desc = NULL;
		vq->avail = NULL;
		vq->used = NULL;
		return;
	}
	vq->desc = (void __user *)(unsigned long)vq->desc_addr;
	vq->avail = (void __user *)(unsigned long)vq->avail_addr;
	vq->used = (void __user *)(unsigned long)vq->used_addr;
}

/* With the IOTLB the areas are IOVAs: they must only not wrap. */
static int vfp_vq_check_iova(struct vfp_vq *vq, const struct vfp_vq_ops *ops)
{
	const u64 addr[VFP_VQ_AREAS] = {
		vq->desc_addr, vq->avail_addr, vq->used_addr
	};
	struct vfp_vq_area area[VFP_VQ_AREAS];
	unsigned int i;
	u64 last;

	ops->areas(vq, area);
	for (i = 0; i < VFP_VQ_AREAS; i++)
		if (check_add_overflow(addr[i], area[i].len - 1, &last))
			return -EINVAL;
	return 0;
}

static bool vfp_vq_packed(const struct vfp_vq *vq)
{
	return vfp_has_feature(vq, VIRTIO_F_RING_PACKED);
}

/* The layout the acked features ask for. */
static const struct vfp_vq_ops *vfp_vq_layout(const struct vfp_vq *vq)
{
	return vfp_vq_packed(vq) ? &vfp_packed_ops : &vfp_split_ops;
}

/* Free what the layout's init_access() took, before the layout changes. */
static void vfp_vq_release(struct vfp_vq *vq)
{
	if (vq->ops->release)
		vq->ops->release(vq);
}

void vfp_vq_init(struct vfp_vq *vq, struct vfp_dev *dev, unsigned int index,
		 vfp_work_fn_t kick)
{
	vq->dev = dev;
	vq->index = index;
	mutex_init(&vq->mutex);
	vq->ops = &vfp_split_ops;
	vfp_poll_init(&vq->kick_poll, vq, kick, EPOLLIN);
	ratelimit_state_init(&vq->err_rs, 5 * HZ, 10);
}

/*
 * Back to the state of a fresh open: no ring, no eventfds.  The counters
 * stay: they count for the open file, across RESET_OWNER (a guest reboot),
 * like a NIC's counters across a ring reset.  The backend is already
 * detached and the worker idle for this queue.
 */
void vfp_vq_reset(struct vfp_vq *vq)
{
	vfp_poll_stop(&vq->kick_poll);
	if (vq->kick)
		fput(vq->kick);
	if (vq->call_ctx)
		eventfd_ctx_put(vq->call_ctx);
	if (vq->err_ctx)
		eventfd_ctx_put(vq->err_ctx);
	vq->kick = NULL;
	vq->call_ctx = NULL;
	vq->err_ctx = NULL;
	vq->worker = NULL;
	vq->private_data = NULL;
	vq->num = 0;
	vq->desc = NULL;
	vq->avail = NULL;
	vq->used = NULL;
	vq->desc_addr = 0;
	vq->avail_addr = 0;
	vq->used_addr = 0;
	vq->iotlb_meta_ok = false;
	vq->iotlb_init_pending = false;
	vq->iotlb_hit.valid = false;
	vq->log_addr = 0;
	vq->log_used = false;
	vq->features = 0;
	vq->little_endian = virtio_legacy_is_little_endian();
	vq->mem = NULL;
	vq->last_avail_idx = 0;
	vq->avail_idx = 0;
	vq->last_used_idx = 0;
	vq->signalled_used = 0;
	vq->signalled_used_valid = false;
	vq->heads_pos = 0;
	vq->heads_len = 0;
	vq->used_count = 0;
	vq->signal_pending = false;
	vq->busyloop_timeout = 0;
	/* What a fresh packed ring starts with (virtio spec 2.8.1). */
	vq->avail_wrap = true;
	vq->used_wrap = true;
	vfp_vq_release(vq);
	vq->ops = &vfp_split_ops;
}

/* Make the ring usable by the worker: called when a backend attaches. */
int vfp_vq_start(struct vfp_vq *vq)
{
	int ret;

	lockdep_assert_held(&vq->mutex);
	if (!vq->num || !vq->desc_addr || !vq->avail_addr || !vq->used_addr)
		return -EFAULT;
	vfp_vq_release(vq);
	vq->ops = vfp_vq_layout(vq);
	vfp_vq_set_rings(vq);
	if (vfp_vq_iotlb(vq))
		ret = vfp_vq_check_iova(vq, vq->ops);
	else
		ret = vq->ops->check_addr(vq);
	if (ret)
		return ret;
	vq->heads_pos = 0;
	vq->heads_len = 0;
	vq->used_count = 0;
	vq->signal_pending = false;
	vq->signalled_used_valid = false;
	/*
	 * Through the IOTLB the rings may not be mapped yet (QEMU maps only
	 * the used ring's first page before it attaches the backend): the
	 * first pass of the handler finishes the start, after its misses.
	 */
	vq->iotlb_init_pending = vfp_vq_iotlb(vq);
	if (vq->iotlb_init_pending)
		return 0;
	return vq->ops->init_access(vq);
}

void vfp_vq_queue_kick(struct vfp_vq *vq)
{
	vfp_poll_queue(&vq->kick_poll);
}

int vfp_vq_get_buf(struct vfp_vq *vq, struct vfp_buf *buf,
		   struct iovec *iov, unsigned int iov_max,
		   struct vfp_log *log, unsigned int log_max)
{
	lockdep_assert_held(&vq->mutex);
	return vq->ops->get_buf(vq, buf, iov, iov_max, log, log_max);
}

/* Give back the last nbufs buffers taken, unused. */
void vfp_vq_discard(struct vfp_vq *vq, unsigned int nbufs)
{
	vq->ops->discard(vq, nbufs);
}

static void vfp_vq_write_batch(struct vfp_vq *vq)
{
	if (!vq->used_count)
		return;
	/* Only at detach can the rings be untranslated: the entries go. */
	if (!vfp_vq_access_ok(vq))
		vfp_vq_err(vq, "used entries lost: ring not mapped");
	else if (vq->ops->write_used(vq, vq->used_batch, vq->used_count))
		vfp_vq_err(vq, "cannot write used ring");
	else
		vq->signal_pending = true;
	vq->stats.batches++;
	vq->used_count = 0;
}

/* Queue a used entry; it reaches the guest at the latest on flush. */
void vfp_vq_add_used(struct vfp_vq *vq, u16 id, u32 len)
{
	lockdep_assert_held(&vq->mutex);
	vq->used_batch[vq->used_count].id = id;
	vq->used_batch[vq->used_count].len = len;
	if (++vq->used_count == VFP_USED_BATCH)
		vfp_vq_write_batch(vq);
}

/* Publish queued used entries and interrupt the guest if it wants it. */
void vfp_vq_flush_used(struct vfp_vq *vq)
{
	lockdep_assert_held(&vq->mutex);
	vfp_vq_write_batch(vq);
	if (!vq->signal_pending)
		return;
	vq->signal_pending = false;
	if (vq->call_ctx && vq->ops->need_signal(vq)) {
		vfp_eventfd_signal(vq->call_ctx);
		vq->stats.calls++;
	}
}

/* Returns true if the guest added buffers meanwhile: caller looks again. */
bool vfp_vq_enable_notify(struct vfp_vq *vq)
{
	return vq->ops->enable_notify(vq);
}

void vfp_vq_disable_notify(struct vfp_vq *vq)
{
	vq->ops->disable_notify(vq);
}

static long vfp_vq_set_num(struct vfp_vq *vq, void __user *argp)
{
	struct vhost_vring_state s;

	if (vq->private_data)
		return -EBUSY;
	if (copy_from_user(&s, argp, sizeof(s)))
		return -EFAULT;
	if (!s.num || s.num > VFP_VQ_NUM_MAX || !is_power_of_2(s.num))
		return -EINVAL;
	vq->num = s.num;
	return 0;
}

/*
 * The ring state userspace saves and restores.  Split: last_avail_idx.
 * Packed, as QEMU's vhost code and drivers/vhost encode it: the low 16
 * bits are last_avail_idx | avail wrap counter << 15, the high 16 bits
 * last_used_idx | used wrap counter << 15.  A fresh packed ring is
 * 0x80008000: both positions 0, both wrap counters 1.
 */
static long vfp_vq_set_base(struct vfp_vq *vq, void __user *argp)
{
	struct vhost_vring_state s;
	u16 avail, used;

	if (vq->private_data)
		return -EBUSY;
	if (copy_from_user(&s, argp, sizeof(s)))
		return -EFAULT;
	if (!vfp_vq_packed(vq)) {
		if (s.num > 0xffff)
			return -EINVAL;
		avail = s.num;
		used = 0;
	} else {
		avail = s.num & 0x7fff;
		used = (s.num >> 16) & 0x7fff;
		/* Positions past the ring are refused now or at start. */
		if (vq->num && (avail >= vq->num || used >= vq->num))
			return -EINVAL;
		vq->avail_wrap = s.num & (1U << VRING_PACKED_EVENT_F_WRAP_CTR);
		vq->used_wrap = (s.num >> 16) &
				(1U << VRING_PACKED_EVENT_F_WRAP_CTR);
		vq->last_used_idx = used;
	}
	vq->last_avail_idx = avail;
	vq->avail_idx = avail;
	vq->heads_pos = 0;
	vq->heads_len = 0;
	return 0;
}

static long vfp_vq_get_base(struct vfp_vq *vq, void __user *argp, u32 idx)
{
	struct vhost_vring_state s = {
		.index = idx,
		.num = vq->last_avail_idx,
	};

	if (vfp_vq_packed(vq))
		s.num = (vq->last_avail_idx |
			 (u32)vq->avail_wrap << VRING_PACKED_EVENT_F_WRAP_CTR) |
			(vq->last_used_idx |
			 (u32)vq->used_wrap << VRING_PACKED_EVENT_F_WRAP_CTR) << 16;
	return copy_to_user(argp, &s, sizeof(s)) ? -EFAULT : 0;
}

/* Split: desc 16, avail 2, used 4.  Packed: desc 16, both events 4. */
static bool vfp_vq_addr_aligned(const struct vfp_vq *vq,
				const struct vhost_vring_addr *a)
{
	u64 avail_align = vfp_vq_packed(vq) ? 4 : 2;

	return !(a->desc_user_addr & (16 - 1)) &&
	       !(a->avail_user_addr & (avail_align - 1)) &&
	       !(a->used_user_addr & (4 - 1));
}

static long vfp_vq_set_addr(struct vfp_vq *vq, void __user *argp)
{
	const struct vfp_vq_ops *ops = vfp_vq_layout(vq);
	struct vhost_vring_addr a, old = {
		.desc_user_addr = vq->desc_addr,
		.avail_user_addr = vq->avail_addr,
		.used_user_addr = vq->used_addr,
	};
	int ret = 0;

	if (copy_from_user(&a, argp, sizeof(a)))
		return -EFAULT;
	if (a.flags & ~(1U << VHOST_VRING_F_LOG))
		return -EOPNOTSUPP;
	/* Through the IOTLB they are IOVAs: any 64-bit value may be one. */
	if (!vfp_vq_iotlb(vq) &&
	    ((unsigned long)a.desc_user_addr != a.desc_user_addr ||
	     (unsigned long)a.avail_user_addr != a.avail_user_addr ||
	     (unsigned long)a.used_user_addr != a.used_user_addr))
		return -EFAULT;
	if (!vfp_vq_addr_aligned(vq, &a))
		return -EINVAL;
	vq->desc_addr = a.desc_user_addr;
	vq->avail_addr = a.avail_user_addr;
	vq->used_addr = a.used_user_addr;
	vfp_vq_set_rings(vq);
	vq->heads_pos = 0;
	vq->heads_len = 0;
	/* A running queue must stay valid: check before the worker sees it. */
	if (vq->num)
		ret = vfp_vq_iotlb(vq) ? vfp_vq_check_iova(vq, ops) :
					 ops->check_addr(vq);
	if (ret) {
		vq->desc_addr = old.desc_user_addr;
		vq->avail_addr = old.avail_user_addr;
		vq->used_addr = old.used_user_addr;
		vfp_vq_set_rings(vq);
		return ret;
	}
	vq->log_used = !!(a.flags & (1U << VHOST_VRING_F_LOG));
	vq->log_addr = a.log_guest_addr;
	return ret;
}

/* fd -1 clears; anything else must be an eventfd. */
static int vfp_vq_eventfd(struct eventfd_ctx **slot, void __user *argp)
{
	struct vhost_vring_file f;
	struct eventfd_ctx *ctx = NULL;

	if (copy_from_user(&f, argp, sizeof(f)))
		return -EFAULT;
	if (f.fd != -1) {
		ctx = eventfd_ctx_fdget(f.fd);
		if (IS_ERR(ctx))
			return PTR_ERR(ctx);
	}
	if (*slot)
		eventfd_ctx_put(*slot);
	*slot = ctx;
	return 0;
}

static long vfp_vq_set_kick(struct vfp_vq *vq, void __user *argp)
{
	struct vhost_vring_file f;
	struct file *kick = NULL;
	int ret = 0;

	if (copy_from_user(&f, argp, sizeof(f)))
		return -EFAULT;
	if (f.fd != -1) {
		kick = eventfd_fget(f.fd);
		if (IS_ERR(kick))
			return PTR_ERR(kick);
	}
	vfp_poll_stop(&vq->kick_poll);
	if (vq->kick)
		fput(vq->kick);
	vq->kick = kick;
	if (kick)
		ret = vfp_poll_start(&vq->kick_poll, kick);
	/* The guest may have kicked while nobody listened: look anyway. */
	if (vq->private_data)
		vfp_vq_queue_kick(vq);
	return ret;
}

static long vfp_vq_busyloop(struct vfp_vq *vq, unsigned int cmd,
			    void __user *argp, u32 idx)
{
	struct vhost_vring_state s;

	if (cmd == VHOST_GET_VRING_BUSYLOOP_TIMEOUT) {
		s.index = idx;
		s.num = vq->busyloop_timeout;
		return copy_to_user(argp, &s, sizeof(s)) ? -EFAULT : 0;
	}
	if (copy_from_user(&s, argp, sizeof(s)))
		return -EFAULT;
	vq->busyloop_timeout = s.num;
	return 0;
}

/* The VHOST_*_VRING_* ioctls.  Caller holds dev->mutex and owns the device. */
long vfp_vq_ioctl(struct vfp_vq *vq, unsigned int cmd, void __user *argp)
{
	long ret;

	mutex_lock(&vq->mutex);
	switch (cmd) {
	case VHOST_SET_VRING_NUM:
		ret = vfp_vq_set_num(vq, argp);
		break;
	case VHOST_SET_VRING_BASE:
		ret = vfp_vq_set_base(vq, argp);
		break;
	case VHOST_GET_VRING_BASE:
		ret = vfp_vq_get_base(vq, argp, vq->index);
		break;
	case VHOST_SET_VRING_ADDR:
		ret = vfp_vq_set_addr(vq, argp);
		break;
	case VHOST_SET_VRING_KICK:
		ret = vfp_vq_set_kick(vq, argp);
		break;
	case VHOST_SET_VRING_CALL:
		ret = vfp_vq_eventfd(&vq->call_ctx, argp);
		break;
	case VHOST_SET_VRING_ERR:
		ret = vfp_vq_eventfd(&vq->err_ctx, argp);
		break;
	case VHOST_SET_VRING_BUSYLOOP_TIMEOUT:
	case VHOST_GET_VRING_BUSYLOOP_TIMEOUT:
		ret = vfp_vq_busyloop(vq, cmd, argp, vq->index);
		break;
	default:
		ret = -ENOIOCTLCMD;
	}
	mutex_unlock(&vq->mutex);
	return ret;
}
