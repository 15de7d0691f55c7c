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
 * the device has been torn down in the caller's eyes.  struct vfp_zc is
 * therefore reference counted: one reference for the queue that uses it,
 * one per buffer in flight.  A stop (SET_BACKEND) waits, killably, until
 * the queue's is the last, so that GET_VRING_BASE describes a quiet ring;
 * a close or RESET_OWNER does not wait at all: it gives the in-flight set
 * up (vfp_zc_release()), the skbs keep the guest's pages pinned until the
 * egress frees them, and the last completion frees struct vfp_zc.  Those
 * buffers are never given back: nobody can use that ring any more.
 *
 * Waiting at a stop ties the stop to the host's egress (a shaper, a
 * paused NIC): that is why zero-copy is off by default (main.c).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/wait.h>

#include "vhostfp.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

#define VFP_ZC_WINDOW		1024

struct vfp_zc_slot {
	struct ubuf_info ubuf;		/* what the skb points at */
	struct vfp_zc *zc;
	u64 sent;			/* local_clock() at sendmsg */
	u16 id;				/* guest buffer to give back */
	bool copied;			/* the stack copied the data after all */
	bool done;			/* callback ran; written under zc->lock */
};

struct vfp_zc {
	/*
	 * The queue whose worker a completion wakes; NULL once the queue
	 * gave this set up.  Read by completions under rcu_read_lock().
	 */
	struct vfp_net_vq __rcu *nvq;
	struct vfp_vq *vq;		/* for lockdep: the queue's mutex */
	/* 1 for the queue (until vfp_zc_release()) + 1 per slot in flight. */
	atomic_t refs;
	bool orphaned;			/* released with slots in flight */
	struct rcu_head rcu;
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
	wait_queue_head_t wait;		/* woken when refs drops to 1 */
	struct vfp_zc_slot slots[];
};

static unsigned int vfp_zc_inflight(const struct vfp_zc *zc)
{
	return atomic_read(&zc->refs) - 1;
}

/* RCU callback, after the last reference went and its user left. */
static void vfp_zc_free_rcu(struct rcu_head *head)
{
	struct vfp_zc *zc = container_of(head, struct vfp_zc, rcu);
	bool orphaned = zc->orphaned;

	vfp_zc_destroy(zc);
	/* Taken by vfp_zc_release(); vfp_mod_exit()'s rcu_barrier() waits. */
	if (orphaned)
		module_put(THIS_MODULE);
}

/*
 * Drop one reference.  The last one frees zc after a grace period: a
 * completion that dropped an earlier one may still be inside wake_up().
 */
static void vfp_zc_put(struct vfp_zc *zc)
{
	int refs = atomic_dec_return(&zc->refs);

	if (!refs)
		call_rcu(&zc->rcu, vfp_zc_free_rcu);
	else if (refs == 1)
		wake_up(&zc->wait);
}

static void vfp_zc_complete(struct sk_buff *skb, struct ubuf_info *uarg,
			    bool success)
{
	struct vfp_zc_slot *slot = container_of(uarg, struct vfp_zc_slot, ubuf);
	struct vfp_zc *zc = slot->zc;
	struct vfp_net_vq *nvq;
	unsigned long flags;

	/* The queue and its worker live until a grace period after release. */
	rcu_read_lock();
	slot->copied = !success;
	spin_lock_irqsave(&zc->lock, flags);
	WRITE_ONCE(slot->done, true);
	zc->done[zc->done_tail & (zc->nslots - 1)] = slot - zc->slots;
	zc->done_tail++;
	spin_unlock_irqrestore(&zc->lock, flags);
	nvq = rcu_dereference(zc->nvq);
	if (nvq)
		vfp_poll_queue(&nvq->sock_poll);
	vfp_zc_put(zc);
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
	RCU_INIT_POINTER(zc->nvq, nvq);
	zc->vq = &nvq->vq;
	zc->nslots = nslots;
	spin_lock_init(&zc->lock);
	atomic_set(&zc->refs, 1);
	init_waitqueue_head(&zc->wait);
	for (i = 0; i < nslots; i++) {
		zc->slots[i].zc = zc;
		zc->free[i] = nslots - 1 - i;
	}
	zc->nfree = nslots;
	return zc;
}

/* The last reference is gone (or was never shared: a failed create). */
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

	lockdep_assert_held(&zc->vq->mutex);
	if (!limit)
		limit = max(zc->nslots / 2, 1U);
	if (!zc->nfree || vfp_zc_inflight(zc) >= limit ||
	    zc->win_copied > zc->win_sent / 64)
		return NULL;
	slot = &zc->slots[zc->free[--zc->nfree]];
	slot->id = id;
	WRITE_ONCE(slot->sent, local_clock());
	slot->copied = false;
	WRITE_ONCE(slot->done, false);
	vfp_ubuf_init(&slot->ubuf, &vfp_zc_ubuf_ops);
	refcount_set(&slot->ubuf.refcnt, 1);
	slot->ubuf.flags = SKBFL_ZEROCOPY_FRAG;
	atomic_inc(&zc->refs);
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

	lockdep_assert_held(&zc->vq->mutex);
	spin_lock_irq(&zc->lock);
	done = slot->done;
	spin_unlock_irq(&zc->lock);
	if (done)
		return true;
	zc->free[zc->nfree++] = slot - zc->slots;
	WRITE_ONCE(slot->sent, 0);
	/* Not the last: the queue holds its own reference. */
	vfp_zc_put(zc);
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
	struct vfp_vq *vq = zc->vq;
	unsigned int tail;

	lockdep_assert_held(&vq->mutex);
	spin_lock_irq(&zc->lock);
	tail = zc->done_tail;
	spin_unlock_irq(&zc->lock);
	/* Entries before tail are complete and not rewritten until freed. */
	/* Bound: the slots completed since the last reap, at most nslots. */
	for (; zc->done_head != tail; zc->done_head++) {
		u16 i = zc->done[zc->done_head & (zc->nslots - 1)];
		struct vfp_zc_slot *slot = &zc->slots[i];

		vfp_vq_add_used(vq, slot->id, 0);
		vq->stats.zc_completed++;
		if (slot->copied) {
			vq->stats.zc_copied++;
			trace_vfp_zc_fallback(vq->dev->id, vq->index,
					      VFP_ZC_FALLBACK_STACK);
			zc->win_copied++;
		}
		zc->free[zc->nfree++] = i;
	}
}

/*
 * Buffers in flight and the age of the oldest, in ns: how long the host's
 * egress has held it.  Lockless (a stats read must not wait for a stop
 * that holds the vq mutex): the caller holds rcu_read_lock() or the vq
 * mutex, and the values are a gauge, racy against completions.
 */
unsigned int vfp_zc_held(struct vfp_zc *zc, u64 *oldest_ns)
{
	unsigned int i, n = vfp_zc_inflight(zc);
	u64 now = local_clock(), oldest = 0, sent;

	/* Bound: the ring size, and only with buffers in flight. */
	for (i = 0; n && i < zc->nslots; i++) {
		sent = READ_ONCE(zc->slots[i].sent);
		if (sent && !READ_ONCE(zc->slots[i].done) && now > sent &&
		    now - sent > oldest)
			oldest = now - sent;
	}
	*oldest_ns = oldest;
	return n;
}

/*
 * A stop: wait until no skb points at guest buffers any more, so that
 * vfp_zc_reap() can give every buffer back.  Killable: a VMM killed while
 * its egress holds packets goes on to vfp_zc_release().  0 or -EINTR.
 */
int vfp_zc_wait(struct vfp_zc *zc)
{
	struct vfp_vq *vq = zc->vq;
	unsigned int n = vfp_zc_inflight(zc);
	u64 start;
	int ret;

	lockdep_assert_held(&vq->mutex);
	if (!n)
		return 0;
	start = local_clock();
	vq->stats.zc_stop_waits++;
	vq->stats.zc_stop_bufs += n;
	if (trace_vfp_zc_stop_wait_enabled()) {
		u64 oldest;

		vfp_zc_held(zc, &oldest);
		trace_vfp_zc_stop_wait(vq->dev->id, vq->index, n, oldest);
	}
	ret = wait_event_killable(zc->wait, !vfp_zc_inflight(zc));
	start = local_clock() - start;
	vq->stats.zc_stop_wait_ns += start;
	trace_vfp_zc_stop_done(vq->dev->id, vq->index, start, ret);
	return ret;
}

/*
 * The queue lets zc go: now if nothing is in flight, else with the last
 * completion.  The buffers still in flight are never given back.  A
 * completion that runs later wakes no worker: the queue may be gone.
 */
void vfp_zc_release(struct vfp_zc *zc)
{
	struct vfp_vq *vq = zc->vq;
	unsigned int n = vfp_zc_inflight(zc);

	lockdep_assert_held(&vq->mutex);
	RCU_INIT_POINTER(zc->nvq, NULL);
	if (n) {
		vq->stats.zc_orphaned += n;
		zc->orphaned = true;
		/* The completions run our code: no unload until they ran. */
		__module_get(THIS_MODULE);
	}
	vfp_zc_put(zc);
	/* No completion still sees the queue, which may be freed next. */
	if (n)
		synchronize_rcu();
}
