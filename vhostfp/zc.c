// SPDX-License-Identifier: GPL-2.0
/*
 * Guest TX zero-copy: the tap builds its skb around the guest's pages
 * (pinned by the skb itself), and each guest buffer is given back when
 * ITS skb is released, in completion order rather than avail order (the
 * virtio used ring allows this).  A stuck skb thus holds only its own
 * buffer; how many may be in flight at once is bounded, and past the
 * bound the TX path copies.
 *
 * The completion callback may run in any context, after the queue or even
 * the device has been torn down in the caller's eyes; it only touches
 * struct vfp_zc, which vfp_zc_drain() keeps alive until the last one.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/wait.h>

#include "vhostfp.h"

#define VFP_ZC_WINDOW		1024

struct vfp_zc_slot {
	struct ubuf_info ubuf;		/* what the skb points at */
	struct vfp_zc *zc;
	u16 id;				/* guest buffer to give back */
	bool copied;			/* the stack copied the data after all */
	bool done;			/* callback ran; written under zc->lock */
};

struct vfp_zc {
	struct vfp_net_vq *nvq;
	unsigned int nslots;		/* ring size: a power of two */
	/* Protects done_tail and the done[] entries it covers. */
	spinlock_t lock;
	unsigned int done_tail;
	unsigned int done_head;		/* consumer side: vq mutex */
	u16 *done;			/* completed slots, completion order */
	u16 *free;			/* free slot stack: vq mutex */
	unsigned int nfree;		/* vq mutex */
	/*
	 * Zero-copy only pays when the pages really leave by DMA; where the
	 * stack copies them anyway (delivery to a local socket, another
	 * tap), it costs pinning and a completion per packet for nothing.
	 * Per window of VFP_ZC_WINDOW TX packets: once more than 1/64 of
	 * them came back copied, copy for the rest of the window.  vq mutex.
	 */
	unsigned int win_sent;
	unsigned int win_copied;
	atomic_t inflight;		/* slots given to the tap, not done */
	wait_queue_head_t wait;		/* woken when inflight drops to 0 */
	struct vfp_zc_slot slots[];
};

static void vfp_zc_complete(struct sk_buff *skb, struct ubuf_info *uarg,
			    bool success)
{
	struct vfp_zc_slot *slot = container_of(uarg, struct vfp_zc_slot, ubuf);
	struct vfp_zc *zc = slot->zc;
	unsigned long flags;

	/* vfp_zc_drain() waits for this section before zc may be freed. */
	rcu_read_lock();
	slot->copied = !success;
	spin_lock_irqsave(&zc->lock, flags);
	slot->done = true;
	zc->done[zc->done_tail & (zc->nslots - 1)] = slot - zc->slots;
	zc->done_tail++;
	spin_unlock_irqrestore(&zc->lock, flags);
	/* The worker outlives every in-flight slot: see vfp_net_detach(). */
	vfp_poll_queue(&zc->nvq->sock_poll);
	if (atomic_dec_and_test(&zc->inflight))
		wake_up(&zc->wait);
	rcu_read_unlock();
}

static const struct vfp_ubuf_ops vfp_zc_ubuf_ops = {
	.complete = vfp_zc_complete,
};

/* nslots is the ring size: no more buffers than that can be outstanding. */
struct vfp_zc *vfp_zc_create(struct vfp_net_vq *nvq, unsigned int nslots)
{
	struct vfp_zc *zc;
	unsigned int i;

	zc = kvzalloc(struct_size(zc, slots, nslots), GFP_KERNEL_ACCOUNT);
	if (!zc)
		return ERR_PTR(-ENOMEM);
	zc->done = kvcalloc(nslots, sizeof(u16), GFP_KERNEL_ACCOUNT);
	zc->free = kvcalloc(nslots, sizeof(u16), GFP_KERNEL_ACCOUNT);
	if (!zc->done || !zc->free) {
		vfp_zc_destroy(zc);
		return ERR_PTR(-ENOMEM);
	}
	zc->nvq = nvq;
	zc->nslots = nslots;
	spin_lock_init(&zc->lock);
	atomic_set(&zc->inflight, 0);
	init_waitqueue_head(&zc->wait);
	for (i = 0; i < nslots; i++) {
		zc->slots[i].zc = zc;
		zc->free[i] = nslots - 1 - i;
	}
	zc->nfree = nslots;
	return zc;
}

/* After vfp_zc_drain(), or before any slot was handed out. */
void vfp_zc_destroy(struct vfp_zc *zc)
{
	kvfree(zc->done);
	kvfree(zc->free);
	kvfree(zc);
}

/*
 * A ubuf_info for guest buffer @id, or NULL when @limit (0: half the
 * ring) buffers are in flight already: the caller copies then.
 */
struct ubuf_info *vfp_zc_get(struct vfp_zc *zc, u16 id, unsigned int limit)
{
	struct vfp_zc_slot *slot;

	lockdep_assert_held(&zc->nvq->vq.mutex);
	if (!limit)
		limit = max(zc->nslots / 2, 1U);
	if (!zc->nfree || atomic_read(&zc->inflight) >= limit ||
	    zc->win_copied > zc->win_sent / 64)
		return NULL;
	slot = &zc->slots[zc->free[--zc->nfree]];
	slot->id = id;
	slot->copied = false;
	slot->done = false;
	vfp_ubuf_init(&slot->ubuf, &vfp_zc_ubuf_ops);
	refcount_set(&slot->ubuf.refcnt, 1);
	slot->ubuf.flags = SKBFL_ZEROCOPY_FRAG;
	atomic_inc(&zc->inflight);
	return &slot->ubuf;
}

/*
 * sendmsg() failed with @uarg attached.  The tap either dropped the skb
 * it had built (the callback ran, synchronously, before sendmsg returned:
 * the buffer is on the done list) or never took the ubuf (no callback will
 * ever run: the slot is ours again).  Returns true in the first case.
 */
bool vfp_zc_put_unsent(struct vfp_zc *zc, struct ubuf_info *uarg)
{
	struct vfp_zc_slot *slot = container_of(uarg, struct vfp_zc_slot, ubuf);
	bool done;

	lockdep_assert_held(&zc->nvq->vq.mutex);
	spin_lock_irq(&zc->lock);
	done = slot->done;
	spin_unlock_irq(&zc->lock);
	if (done)
		return true;
	zc->free[zc->nfree++] = slot - zc->slots;
	if (atomic_dec_and_test(&zc->inflight))
		wake_up(&zc->wait);
	return false;
}

/* Count a TX packet, sent either way, for the copy-back window. */
void vfp_zc_count_packet(struct vfp_zc *zc)
{
	if (++zc->win_sent < VFP_ZC_WINDOW)
		return;
	zc->win_sent = 0;
	zc->win_copied = 0;
}

/* Give the guest back every buffer whose skb is gone. */
void vfp_zc_reap(struct vfp_zc *zc)
{
	struct vfp_vq *vq = &zc->nvq->vq;
	unsigned int tail;

	lockdep_assert_held(&vq->mutex);
	spin_lock_irq(&zc->lock);
	tail = zc->done_tail;
	spin_unlock_irq(&zc->lock);
	/* Entries before tail are complete and not rewritten until freed. */
	for (; zc->done_head != tail; zc->done_head++) {
		u16 i = zc->done[zc->done_head & (zc->nslots - 1)];
		struct vfp_zc_slot *slot = &zc->slots[i];

		vfp_vq_add_used(vq, slot->id, 0);
		vq->stats.zc_completed++;
		if (slot->copied) {
			vq->stats.zc_copied++;
			zc->win_copied++;
		}
		zc->free[zc->nfree++] = i;
	}
}

/*
 * Wait for every skb still pointing at guest buffers.  Afterwards no
 * callback runs or will run; vfp_zc_reap() gives the buffers back.
 */
void vfp_zc_drain(struct vfp_zc *zc)
{
	lockdep_assert_held(&zc->nvq->vq.mutex);
	wait_event(zc->wait, !atomic_read(&zc->inflight));
	/* The last callback may still be inside wake_up(). */
	synchronize_rcu();
}
