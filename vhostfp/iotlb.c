// SPDX-License-Identifier: GPL-2.0
/*
 * Device IOTLB (VIRTIO_F_ACCESS_PLATFORM): with a vIOMMU in the guest,
 * ring and buffer addresses are I/O virtual addresses.  Userspace (QEMU's
 * vhost-kernel backend) feeds us translations IOVA -> user address with
 * VHOST_IOTLB_UPDATE messages written to the device fd, takes them back
 * with VHOST_IOTLB_INVALIDATE, and reads VHOST_IOTLB_MISS messages from
 * the fd when the worker meets an IOVA it has no translation for.
 *
 * Entries live in an rbtree keyed by IOVA (iotlb_tree.c); they never
 * overlap (an UPDATE drops whatever it overlaps).  The worker looks them
 * up under the tree's spinlock and uses the copy it took for as long as it
 * holds its vq mutex; whoever removes an entry has dev.c take every vq
 * mutex afterwards (after the entry is out of the tree: VFP_IOTLB_FLUSH),
 * so once an INVALIDATE returns no handler uses what the entry said, and
 * the per-vq caches (last hit, ring addresses) are dropped under the same
 * mutexes.  This file calls nothing of the queues': what a message asks
 * of them it returns.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/overflow.h>
#include <linux/sched/signal.h>
#include <linux/uaccess.h>
#include <linux/uio.h>

#include "vhostfp.h"
#include "trace.h"

void vfp_iotlb_init(struct vfp_iotlb *tlb)
{
	vfp_iotlb_tree_init(&tlb->tree);
	spin_lock_init(&tlb->miss_lock);
	init_waitqueue_head(&tlb->wait);
}

/*
 * Forget every entry and message: RESET_OWNER and release.  The caller
 * then flushes the queues' translations (VFP_IOTLB_FLUSH).
 */
void vfp_iotlb_reset(struct vfp_dev *dev)
{
	struct vfp_iotlb *tlb = &dev->iotlb;

	lockdep_assert_held(&dev->mutex);
	vfp_iotlb_tree_clear(&tlb->tree);
	spin_lock(&tlb->miss_lock);
	tlb->miss_head = 0;
	tlb->miss_count = 0;
	spin_unlock(&tlb->miss_lock);
	tlb->in_batch = false;
	tlb->batch_kick = false;
}

static bool vfp_iotlb_perm_ok(u8 perm)
{
	return perm == VHOST_ACCESS_RO || perm == VHOST_ACCESS_WO ||
	       perm == VHOST_ACCESS_RW;
}

static int vfp_iotlb_update(struct vfp_dev *dev,
			    const struct vhost_iotlb_msg *msg, unsigned int *todo)
{
	struct vfp_iotlb *tlb = &dev->iotlb;
	struct vfp_iotlb_map *m;
	unsigned int removed;
	u64 last, end;

	if (!msg->size || !vfp_iotlb_perm_ok(msg->perm) ||
	    check_add_overflow(msg->iova, msg->size - 1, &last) ||
	    check_add_overflow(msg->uaddr, msg->size - 1, &end))
		return -EINVAL;
	if (msg->uaddr != (unsigned long)msg->uaddr ||
	    !access_ok((void __user *)(unsigned long)msg->uaddr, msg->size))
		return -EFAULT;
	m = vfp_iotlb_map_new(msg->iova, last, msg->uaddr, msg->perm);
	if (!m)
		return -ENOMEM;
	removed = vfp_iotlb_tree_add(&tlb->tree, m);
	WRITE_ONCE(tlb->updates, tlb->updates + 1);
	trace_vfp_iotlb_update(dev->id, msg->iova, msg->size, msg->uaddr,
			       msg->perm);
	if (removed)
		*todo |= VFP_IOTLB_FLUSH;
	if (tlb->in_batch)
		tlb->batch_kick = true;
	else
		*todo |= VFP_IOTLB_KICK;
	return 0;
}

static int vfp_iotlb_invalidate(struct vfp_dev *dev,
				const struct vhost_iotlb_msg *msg,
				unsigned int *todo)
{
	struct vfp_iotlb *tlb = &dev->iotlb;
	u64 last;

	if (!msg->size || check_add_overflow(msg->iova, msg->size - 1, &last))
		return -EINVAL;
	vfp_iotlb_tree_del(&tlb->tree, msg->iova, last);
	WRITE_ONCE(tlb->invalidates, tlb->invalidates + 1);
	/* Even if nothing matched: a cached copy must not outlive this. */
	*todo |= VFP_IOTLB_FLUSH;
	return 0;
}

static int vfp_iotlb_batch(struct vfp_dev *dev, bool begin,
			   unsigned int *todo)
{
	struct vfp_iotlb *tlb = &dev->iotlb;

	if (!(dev->backend_features & (1ULL << VHOST_BACKEND_F_IOTLB_BATCH)) ||
	    tlb->in_batch == begin)
		return -EINVAL;
	tlb->in_batch = begin;
	if (!begin && tlb->batch_kick) {
		tlb->batch_kick = false;
		*todo |= VFP_IOTLB_KICK;
	}
	return 0;
}

/*
 * One message from userspace.  Caller holds dev->mutex and is the owner;
 * it does to the queues what *@todo then asks (VFP_IOTLB_*), before it
 * lets the mutex go.  0 or -errno (then *@todo asks nothing).
 */
int vfp_iotlb_process(struct vfp_dev *dev, const struct vhost_iotlb_msg *msg,
		      unsigned int *todo)
{
	lockdep_assert_held(&dev->mutex);
	*todo = 0;
	switch (msg->type) {
	case VHOST_IOTLB_UPDATE:
		return vfp_iotlb_update(dev, msg, todo);
	case VHOST_IOTLB_INVALIDATE:
		return vfp_iotlb_invalidate(dev, msg, todo);
	case VHOST_IOTLB_BATCH_BEGIN:
		return vfp_iotlb_batch(dev, true, todo);
	case VHOST_IOTLB_BATCH_END:
		return vfp_iotlb_batch(dev, false, todo);
	}
	/* MISS and ACCESS_FAIL go the other way; anything else is unknown. */
	return -EINVAL;
}

/*
 * write(): one struct vhost_msg or struct vhost_msg_v2 (the same size),
 * told apart by their first field, whatever VHOST_BACKEND_F_IOTLB_MSG_V2
 * says.  Copies its IOTLB message to @msg; returns the message size or
 * -errno; a short write is -EINVAL.
 */
ssize_t vfp_iotlb_msg_get(struct iov_iter *from, struct vhost_iotlb_msg *msg)
{
	union {
		struct vhost_msg v1;
		struct vhost_msg_v2 v2;
	} u;

	BUILD_BUG_ON(sizeof(u.v1) != sizeof(u.v2));
	if (iov_iter_count(from) < sizeof(u))
		return -EINVAL;
	if (copy_from_iter(&u, sizeof(u), from) != sizeof(u))
		return -EFAULT;
	if (u.v2.type == VHOST_IOTLB_MSG_V2) {
		if (u.v2.asid)
			return -EINVAL;
		*msg = u.v2.iotlb;
	} else if (u.v1.type == VHOST_IOTLB_MSG) {
		*msg = u.v1.iotlb;
	} else {
		return -EINVAL;
	}
	return sizeof(u);
}

/* Take the oldest queued miss.  false: none. */
static bool vfp_iotlb_pop_miss(struct vfp_iotlb *tlb, struct vfp_iotlb_miss *out)
{
	bool ret = false;

	spin_lock(&tlb->miss_lock);
	if (tlb->miss_count) {
		*out = tlb->miss[tlb->miss_head];
		tlb->miss_head = (tlb->miss_head + 1) % VFP_IOTLB_MISS_MAX;
		tlb->miss_count--;
		ret = true;
	}
	spin_unlock(&tlb->miss_lock);
	return ret;
}

static bool vfp_iotlb_has_miss(struct vfp_iotlb *tlb)
{
	return READ_ONCE(tlb->miss_count);
}

/*
 * read(): one VHOST_IOTLB_MISS message, as struct vhost_msg_v2 when
 * VHOST_BACKEND_F_IOTLB_MSG_V2 is acked, struct vhost_msg otherwise.
 * Blocks unless O_NONBLOCK; a buffer smaller than a message: -EINVAL.
 */
ssize_t vfp_iotlb_read(struct vfp_dev *dev, struct iov_iter *to, bool nonblock)
{
	struct vfp_iotlb *tlb = &dev->iotlb;
	struct vfp_iotlb_miss miss;
	union {
		struct vhost_msg v1;
		struct vhost_msg_v2 v2;
	} u;
	struct vhost_iotlb_msg *msg;
	int ret;

	if (iov_iter_count(to) < sizeof(u))
		return -EINVAL;
	for (;;) {
		if (vfp_iotlb_pop_miss(tlb, &miss))
			break;
		if (nonblock)
			return -EAGAIN;
		ret = wait_event_interruptible(tlb->wait,
					       vfp_iotlb_has_miss(tlb));
		if (ret)
			return ret;
	}
	memset(&u, 0, sizeof(u));
	if (READ_ONCE(dev->backend_features) &
	    (1ULL << VHOST_BACKEND_F_IOTLB_MSG_V2)) {
		u.v2.type = VHOST_IOTLB_MSG_V2;
		msg = &u.v2.iotlb;
	} else {
		u.v1.type = VHOST_IOTLB_MSG;
		msg = &u.v1.iotlb;
	}
	msg->type = VHOST_IOTLB_MISS;
	msg->iova = miss.iova;
	msg->perm = miss.perm;
	if (copy_to_iter(&u, sizeof(u), to) != sizeof(u))
		return -EFAULT;
	return sizeof(u);
}

__poll_t vfp_iotlb_poll(struct vfp_dev *dev, struct file *file,
			poll_table *wait)
{
	struct vfp_iotlb *tlb = &dev->iotlb;
	__poll_t mask = EPOLLOUT | EPOLLWRNORM;

	poll_wait(file, &tlb->wait, wait);
	if (vfp_iotlb_has_miss(tlb))
		mask |= EPOLLIN | EPOLLRDNORM;
	return mask;
}

/*
 * Ask userspace for a translation of @iova.  One message per (page,
 * perm) waits at a time; when the queue is full the miss is not queued:
 * the queue parks anyway and the next UPDATE (one per queued miss) kicks
 * it, so it asks again.
 */
static void vfp_iotlb_queue_miss(struct vfp_vq *vq, u64 iova, u8 perm)
{
	struct vfp_iotlb *tlb = &vq->dev->iotlb;
	unsigned int i;
	bool queued = false;

	spin_lock(&tlb->miss_lock);
	for (i = 0; i < tlb->miss_count; i++) {
		const struct vfp_iotlb_miss *m =
			&tlb->miss[(tlb->miss_head + i) % VFP_IOTLB_MISS_MAX];

		if (m->perm == perm && m->iova >> PAGE_SHIFT == iova >> PAGE_SHIFT)
			goto out;
	}
	if (tlb->miss_count < VFP_IOTLB_MISS_MAX) {
		i = (tlb->miss_head + tlb->miss_count) % VFP_IOTLB_MISS_MAX;
		tlb->miss[i].iova = iova;
		tlb->miss[i].perm = perm;
		tlb->miss_count++;
		queued = true;
	}
out:
	spin_unlock(&tlb->miss_lock);
	if (queued) {
		vq->stats.iotlb_misses++;
		trace_vfp_iotlb_miss(vq->dev->id, vq->index, iova, perm);
		wake_up_interruptible_poll(&tlb->wait, EPOLLIN | EPOLLRDNORM);
	}
}

/*
 * The translation holding @iova: the queue's last hit, else the tree
 * (and then it becomes the last hit).  0, -EAGAIN (miss queued) or
 * -EPERM (mapped without @perm).  Caller holds the vq mutex.
 */
static int vfp_iotlb_lookup(void *ctx, u64 iova, u8 perm,
			    struct vfp_iotlb_hit *hit)
{
	struct vfp_vq *vq = ctx;
	struct vfp_iotlb *tlb = &vq->dev->iotlb;

	if (vq->iotlb_hit.valid && iova >= vq->iotlb_hit.start &&
	    iova <= vq->iotlb_hit.last) {
		*hit = vq->iotlb_hit;
	} else {
		if (!vfp_iotlb_tree_find(&tlb->tree, iova, hit)) {
			vfp_iotlb_queue_miss(vq, iova, perm);
			return -EAGAIN;
		}
		vq->iotlb_hit = *hit;
	}
	return (hit->perm & perm) == perm ? 0 : -EPERM;
}

/*
 * vfp_iotlb_walk() (iotlb.h) through the queue's last hit and the tree:
 * misses go to userspace.  Caller holds the vq mutex and keeps it while it
 * uses the iovecs.
 */
int vfp_iotlb_translate(struct vfp_vq *vq, u64 iova, u64 len, u8 perm,
			struct iovec *iov, unsigned int iov_max)
{
	lockdep_assert_held(&vq->mutex);
	return vfp_iotlb_walk(iova, len, perm, iov, iov_max, vfp_iotlb_lookup,
			      vq);
}
