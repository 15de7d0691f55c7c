// SPDX-License-Identifier: GPL-2.0
/*
 * Device IOTLB (VIRTIO_F_ACCESS_PLATFORM): with a vIOMMU in the guest,
 * ring and buffer addresses are I/O virtual addresses.  Userspace (QEMU's
 * vhost-kernel backend) feeds us translations IOVA -> user address with
 * VHOST_IOTLB_UPDATE messages written to the device fd, takes them back
 * with VHOST_IOTLB_INVALIDATE, and reads VHOST_IOTLB_MISS messages from
 * the fd when the worker meets an IOVA it has no translation for.
 *
 * Entries live in an rbtree keyed by IOVA; they never overlap (an UPDATE
 * drops whatever it overlaps).  The worker looks them up under the
 * spinlock and uses the copy it took for as long as it holds its vq mutex;
 * whoever removes an entry has dev.c take every vq mutex afterwards (after
 * the entry is out of the tree: VFP_IOTLB_FLUSH), so once an INVALIDATE
 * returns no handler uses what the entry said, and the per-vq caches (last
 * hit, ring addresses) are dropped under the same mutexes.  This file
 * calls nothing of the queues': what a message asks of them it returns.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/overflow.h>
#include <linux/rbtree.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/uio.h>

#include "vhostfp.h"

/* One translation: IOVA [start, last] is user memory at hva. */
struct vfp_iotlb_map {
	struct rb_node node;
	struct list_head fifo;		/* oldest first, for eviction */
	u64 start;
	u64 last;
	u64 hva;
	u8 perm;			/* VHOST_ACCESS_* */
};

void vfp_iotlb_init(struct vfp_iotlb *tlb)
{
	spin_lock_init(&tlb->lock);
	tlb->root = RB_ROOT;
	INIT_LIST_HEAD(&tlb->fifo);
	spin_lock_init(&tlb->miss_lock);
	init_waitqueue_head(&tlb->wait);
}

static void vfp_iotlb_erase(struct vfp_iotlb *tlb, struct vfp_iotlb_map *m)
{
	lockdep_assert_held(&tlb->lock);
	rb_erase(&m->node, &tlb->root);
	list_del(&m->fifo);
	tlb->nentries--;
	kfree(m);
}

/* The entry holding @iova, or NULL.  Caller holds tlb->lock. */
static struct vfp_iotlb_map *vfp_iotlb_find(struct vfp_iotlb *tlb, u64 iova)
{
	struct rb_node *n = tlb->root.rb_node;

	while (n) {
		struct vfp_iotlb_map *m = rb_entry(n, struct vfp_iotlb_map, node);

		if (iova < m->start)
			n = n->rb_left;
		else if (iova > m->last)
			n = n->rb_right;
		else
			return m;
	}
	return NULL;
}

/* The first entry ending at or after @iova, or NULL.  tlb->lock held. */
static struct vfp_iotlb_map *vfp_iotlb_first(struct vfp_iotlb *tlb, u64 iova)
{
	struct rb_node *n = tlb->root.rb_node;
	struct vfp_iotlb_map *best = NULL;

	while (n) {
		struct vfp_iotlb_map *m = rb_entry(n, struct vfp_iotlb_map, node);

		if (m->last >= iova) {
			best = m;
			n = n->rb_left;
		} else {
			n = n->rb_right;
		}
	}
	return best;
}

/* Drop every entry meeting [start, last]; returns how many.  lock held. */
static unsigned int vfp_iotlb_del_range(struct vfp_iotlb *tlb, u64 start,
					u64 last)
{
	struct vfp_iotlb_map *m;
	unsigned int n = 0;

	while ((m = vfp_iotlb_first(tlb, start)) && m->start <= last) {
		vfp_iotlb_erase(tlb, m);
		n++;
	}
	return n;
}

static void vfp_iotlb_insert(struct vfp_iotlb *tlb, struct vfp_iotlb_map *new)
{
	struct rb_node **p = &tlb->root.rb_node, *parent = NULL;

	lockdep_assert_held(&tlb->lock);
	while (*p) {
		struct vfp_iotlb_map *m = rb_entry(*p, struct vfp_iotlb_map, node);

		parent = *p;
		p = new->start < m->start ? &(*p)->rb_left : &(*p)->rb_right;
	}
	rb_link_node(&new->node, parent, p);
	rb_insert_color(&new->node, &tlb->root);
	list_add_tail(&new->fifo, &tlb->fifo);
	tlb->nentries++;
}

/*
 * Forget every entry and message: RESET_OWNER and release.  The caller
 * then flushes the queues' translations (VFP_IOTLB_FLUSH).
 */
void vfp_iotlb_reset(struct vfp_dev *dev)
{
	struct vfp_iotlb *tlb = &dev->iotlb;
	struct vfp_iotlb_map *m, *tmp;

	lockdep_assert_held(&dev->mutex);
	spin_lock(&tlb->lock);
	list_for_each_entry_safe(m, tmp, &tlb->fifo, fifo)
		vfp_iotlb_erase(tlb, m);
	spin_unlock(&tlb->lock);
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
	struct vfp_iotlb_map *m, *old;
	unsigned int removed;
	u64 last, end;

	if (!msg->size || !vfp_iotlb_perm_ok(msg->perm) ||
	    check_add_overflow(msg->iova, msg->size - 1, &last) ||
	    check_add_overflow(msg->uaddr, msg->size - 1, &end))
		return -EINVAL;
	if (msg->uaddr != (unsigned long)msg->uaddr ||
	    !access_ok((void __user *)(unsigned long)msg->uaddr, msg->size))
		return -EFAULT;
	m = kmalloc(sizeof(*m), GFP_KERNEL_ACCOUNT);
	if (!m)
		return -ENOMEM;
	m->start = msg->iova;
	m->last = last;
	m->hva = msg->uaddr;
	m->perm = msg->perm;
	spin_lock(&tlb->lock);
	removed = vfp_iotlb_del_range(tlb, m->start, m->last);
	if (tlb->nentries >= VFP_IOTLB_ENTRIES_MAX) {
		/* Like vhost: the oldest goes; a later miss brings it back. */
		old = list_first_entry(&tlb->fifo, struct vfp_iotlb_map, fifo);
		vfp_iotlb_erase(tlb, old);
		removed++;
	}
	vfp_iotlb_insert(tlb, m);
	spin_unlock(&tlb->lock);
	WRITE_ONCE(tlb->updates, tlb->updates + 1);
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
	spin_lock(&tlb->lock);
	vfp_iotlb_del_range(tlb, msg->iova, last);
	spin_unlock(&tlb->lock);
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
		wake_up_interruptible_poll(&tlb->wait, EPOLLIN | EPOLLRDNORM);
	}
}

/*
 * The translation holding @iova: the queue's last hit, else the tree
 * (and then it becomes the last hit).  0, -EAGAIN (miss queued) or
 * -EPERM (mapped without @perm).  Caller holds the vq mutex.
 */
static int vfp_iotlb_lookup(struct vfp_vq *vq, u64 iova, u8 perm,
			    struct vfp_iotlb_hit *hit)
{
	struct vfp_iotlb *tlb = &vq->dev->iotlb;
	struct vfp_iotlb_map *m;

	if (vq->iotlb_hit.valid && iova >= vq->iotlb_hit.start &&
	    iova <= vq->iotlb_hit.last) {
		*hit = vq->iotlb_hit;
	} else {
		spin_lock(&tlb->lock);
		m = vfp_iotlb_find(tlb, iova);
		if (m) {
			hit->valid = true;
			hit->start = m->start;
			hit->last = m->last;
			hit->hva = m->hva;
			hit->perm = m->perm;
		}
		spin_unlock(&tlb->lock);
		if (!m) {
			vfp_iotlb_queue_miss(vq, iova, perm);
			return -EAGAIN;
		}
		vq->iotlb_hit = *hit;
	}
	return (hit->perm & perm) == perm ? 0 : -EPERM;
}

/*
 * Describe IOVA range [iova, iova + len) as user iovecs, merging pieces
 * that are contiguous in user memory (QEMU sends 4 KiB entries).  Returns
 * the number of iovecs, -EAGAIN on a miss (queued for userspace), -EPERM
 * when mapped without @perm, -EFAULT when the range wraps, -ENOBUFS when
 * iov_max is too small.  After a miss the rest of the range is only
 * looked up, so that the misses of up to VFP_IOTLB_MISS_SCAN pages go to
 * userspace together.  Caller holds the vq mutex and keeps it while it
 * uses the iovecs.
 */
int vfp_iotlb_translate(struct vfp_vq *vq, u64 iova, u64 len, u8 perm,
			struct iovec *iov, unsigned int iov_max)
{
	struct vfp_iotlb_hit hit = { };
	unsigned int n = 0, misses = 0;
	u64 last;
	int ret;

	lockdep_assert_held(&vq->mutex);
	if (!len)
		return 0;
	if (check_add_overflow(iova, len - 1, &last))
		return -EFAULT;
	/*
	 * Bound: VFP_IOTLB_MISS_SCAN misses; a hit moves on to the end of
	 * its entry (VFP_IOTLB_ENTRIES_MAX of them); iov_max iovecs.
	 */
	while (len) {
		unsigned long hva;
		u64 seg;

		ret = vfp_iotlb_lookup(vq, iova, perm, &hit);
		if (ret == -EAGAIN) {
			if (++misses == VFP_IOTLB_MISS_SCAN)
				break;
			/* Nothing maps this page: on to the next one. */
			seg = min_t(u64, len, PAGE_SIZE - offset_in_page(iova));
			iova += seg;
			len -= seg;
			continue;
		}
		if (ret)
			return misses ? -EAGAIN : ret;
		/* hit.last may be U64_MAX: count from the last byte. */
		seg = min(len - 1, hit.last - iova) + 1;
		if (misses) {
			iova += seg;
			len -= seg;
			continue;
		}
		hva = hit.hva + (iova - hit.start);
		if (n && (unsigned long)iov[n - 1].iov_base + iov[n - 1].iov_len == hva &&
		    iov[n - 1].iov_len + seg <= MAX_RW_COUNT) {
			iov[n - 1].iov_len += seg;
		} else {
			if (n == iov_max)
				return -ENOBUFS;
			seg = min_t(u64, seg, MAX_RW_COUNT);
			iov[n].iov_base = (void __user *)hva;
			iov[n].iov_len = seg;
			n++;
		}
		iova += seg;
		len -= seg;
	}
	return misses ? -EAGAIN : n;
}
