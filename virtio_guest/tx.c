// SPDX-License-Identifier: GPL-2.0
/*
 * Transmit path: skbs and XDP frames into the transmit queues, completions
 * back out of them.
 *
 * Locking: every operation on a transmit virtqueue happens under the tx
 * lock of its netdev_queue: ndo_start_xmit is called with it held, the tx
 * NAPI and the XDP transmit paths take it, the paired rx NAPI tries it
 * (vgn_tx_reap). This also serialises the BQL
 * accounting and the queue's counters. The one exception is the interrupt
 * handler, which only disables callbacks, as the virtio core allows.
 *
 * The virtio-net header of an skb goes in front of the frame, in the skb's
 * headroom, where the device takes any layout and the headroom is ours to
 * write: a linear skb is then a single descriptor. Otherwise it lives in
 * skb->cb, which belongs to the driver from ndo_start_xmit until the skb
 * is freed. XDP frames share one all-zero header, vi->xdp_hdr, that the
 * device only reads.
 */
#include <linux/netdevice.h>
#include <linux/virtio_config.h>
#include "virtio_guest.h"

/* Tokens of XDP frames carry this bit; skb pointers never do. */
#define VGN_TX_XDP	1UL

static bool vgn_tx_is_xdp(void *token)
{
	return (unsigned long)token & VGN_TX_XDP;
}

static struct xdp_frame *vgn_tx_token_xdp(void *token)
{
	return (struct xdp_frame *)((unsigned long)token & ~VGN_TX_XDP);
}

/* Room for a worst-case skb: without indirect descriptors, one each. */
static bool vgn_tx_has_room(struct vgn_sq *sq)
{
	return sq->vq->num_free >= VGN_TX_MAX_SG;
}

/**
 * vgn_tx_clean - free what the device has finished sending
 * @sq: the queue, with its tx lock held
 * @budget: NAPI budget, 0 outside NAPI
 */
void vgn_tx_clean(struct vgn_sq *sq, int budget)
{
	struct netdev_queue *txq = vgn_sq_txq(sq);
	unsigned int len, pkts = 0, bytes = 0;
	struct sk_buff *skb;
	void *token;

	lockdep_assert_held(&txq->_xmit_lock);
	while ((token = virtqueue_get_buf(sq->vq, &len))) {
		if (vgn_tx_is_xdp(token)) {
			xdp_return_frame(vgn_tx_token_xdp(token));
			continue;
		}
		skb = token;
		pkts++;
		bytes += skb->len;
		napi_consume_skb(skb, budget);
	}
	if (!pkts)
		return;
	netdev_tx_completed_queue(txq, pkts, bytes);
	u64_stats_update_begin(&sq->stats.syncp);
	u64_stats_add(&sq->stats.packets, pkts);
	u64_stats_add(&sq->stats.bytes, bytes);
	u64_stats_update_end(&sq->stats.syncp);
}

/* Notify the device of new buffers, if it asked to be told. */
void vgn_tx_kick(struct vgn_sq *sq)
{
	lockdep_assert_held(&vgn_sq_txq(sq)->_xmit_lock);
	if (virtqueue_kick_prepare(sq->vq) && virtqueue_notify(sq->vq)) {
		u64_stats_update_begin(&sq->stats.syncp);
		u64_stats_inc(&sq->stats.kicks);
		u64_stats_update_end(&sq->stats.syncp);
	}
}

/* May the header be written into @skb's headroom, right before the frame? */
static bool vgn_tx_can_push(const struct vgn_priv *vi,
			    const struct sk_buff *skb)
{
	/* A clone's headroom may be another skb's header: not ours. */
	return vi->any_header_sg && skb_headroom(skb) >= vi->hdr_len &&
	       IS_ALIGNED((unsigned long)skb->data,
			  __alignof__(struct virtio_net_hdr_mrg_rxbuf)) &&
	       !skb_header_cloned(skb);
}

static int vgn_tx_add_skb(struct vgn_sq *sq, struct sk_buff *skb)
{
	struct virtio_net_hdr_mrg_rxbuf *hdr;
	struct vgn_priv *vi = sq->vi;
	unsigned int hlen = vi->hdr_len;
	bool push = vgn_tx_can_push(vi, skb);
	int n;

	BUILD_BUG_ON(sizeof(*hdr) > sizeof(skb->cb));
	hdr = push ? (void *)(skb->data - hlen) : (void *)skb->cb;
	/* csum_start counts from skb->data: fill the header before pushing. */
	if (virtio_net_hdr_from_skb(skb, &hdr->hdr,
				    virtio_is_little_endian(vi->vdev),
				    false, 0))
		return -EPROTO;
	if (hlen == sizeof(*hdr))
		hdr->num_buffers = 0;

	sg_init_table(sq->sg, skb_shinfo(skb)->nr_frags + 2);
	if (push) {
		__skb_push(skb, hlen);
		n = skb_to_sgvec(skb, sq->sg, 0, skb->len);
		__skb_pull(skb, hlen);
	} else {
		sg_set_buf(sq->sg, hdr, hlen);
		n = skb_to_sgvec(skb, sq->sg + 1, 0, skb->len);
		if (n >= 0)
			n++;
	}
	if (unlikely(n < 0))
		return n;
	return virtqueue_add_outbuf(sq->vq, sq->sg, n, skb, GFP_ATOMIC);
}

/**
 * vgn_tx_add_xdp - queue an XDP frame, without notifying the device
 * @sq: the queue, with its tx lock held
 * @frame: the frame; owned by the queue on success
 *
 * Return: 0, or -ENOSPC when the ring is full.
 */
int vgn_tx_add_xdp(struct vgn_sq *sq, struct xdp_frame *frame)
{
	struct vgn_priv *vi = sq->vi;
	int err;

	lockdep_assert_held(&vgn_sq_txq(sq)->_xmit_lock);
	sg_init_table(sq->sg, 2);
	sg_set_buf(&sq->sg[0], vi->xdp_hdr, vi->hdr_len);
	sg_set_buf(&sq->sg[1], frame->data, frame->len);
	err = virtqueue_add_outbuf(sq->vq, sq->sg, 2,
				   (void *)((unsigned long)frame | VGN_TX_XDP),
				   GFP_ATOMIC);
	u64_stats_update_begin(&sq->stats.syncp);
	if (err)
		u64_stats_inc(&sq->stats.xdp_tx_drops);
	else
		u64_stats_inc(&sq->stats.xdp_tx);
	u64_stats_update_end(&sq->stats.syncp);
	return err;
}

/* The ring is nearly full: stop the queue until completions free room. */
static void vgn_tx_stop(struct vgn_sq *sq, struct netdev_queue *txq)
{
	netif_tx_stop_queue(txq);
	u64_stats_update_begin(&sq->stats.syncp);
	u64_stats_inc(&sq->stats.stops);
	u64_stats_update_end(&sq->stats.syncp);
	/*
	 * Ask for an interrupt once most of the ring is used; if the device
	 * already got that far, reap now so the queue cannot stay stopped
	 * with nobody left to wake it.
	 */
	if (unlikely(!virtqueue_enable_cb_delayed(sq->vq))) {
		vgn_tx_clean(sq, 0);
		if (vgn_tx_has_room(sq))
			netif_tx_start_queue(txq);
	}
}

/**
 * vgn_tx_xdp_sent - after XDP frames went into a queue the stack shares
 * @sq: the queue, with its tx lock held
 *
 * The stack stops the queue when an skb leaves too little room for the
 * next one; XDP frames take room between its skbs, so check again here,
 * or the stack's next skb would find the ring full and be dropped.
 */
void vgn_tx_xdp_sent(struct vgn_sq *sq)
{
	struct netdev_queue *txq = vgn_sq_txq(sq);

	lockdep_assert_held(&txq->_xmit_lock);
	if (!vgn_tx_has_room(sq) && !netif_tx_queue_stopped(txq))
		vgn_tx_stop(sq, txq);
}

/**
 * vgn_tx_arm - ask for an interrupt once most of the ring has been sent
 * @sq: the queue, with its tx lock held
 * @budget: NAPI budget, 0 outside NAPI
 *
 * The interrupt comes when three quarters of what is in flight has been
 * sent: one interrupt per many packets, yet a socket whose skbs sit in
 * the ring (TCP small queues, a UDP send buffer) learns soon enough that
 * they were freed. If the device got that far already, reap and re-arm.
 */
static void vgn_tx_arm(struct vgn_sq *sq, int budget)
{
	lockdep_assert_held(&vgn_sq_txq(sq)->_xmit_lock);
	while (unlikely(!virtqueue_enable_cb_delayed(sq->vq))) {
		virtqueue_disable_cb(sq->vq);
		vgn_tx_clean(sq, budget);
	}
}

netdev_tx_t vgn_start_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct vgn_priv *vi = netdev_priv(dev);
	unsigned int qnum = skb_get_queue_mapping(skb);
	struct netdev_queue *txq = netdev_get_tx_queue(dev, qnum);
	struct vgn_sq *sq = &vi->sq[qnum];
	bool more = netdev_xmit_more();
	unsigned int len = skb->len;
	bool kick;

	/*
	 * Transmitting reaps completions with the interrupt off; the skb
	 * that ends a batch (the one we kick for) arms it again below.
	 */
	virtqueue_disable_cb(sq->vq);
	vgn_tx_clean(sq, 0);
	if (unlikely(vgn_tx_add_skb(sq, skb))) {
		u64_stats_update_begin(&sq->stats.syncp);
		u64_stats_inc(&sq->stats.drops);
		u64_stats_update_end(&sq->stats.syncp);
		dev_kfree_skb_any(skb);
		/* Earlier skbs may be waiting for this kick. */
		if (!more) {
			vgn_tx_arm(sq, 0);
			vgn_tx_kick(sq);
		}
		return NETDEV_TX_OK;
	}

	/*
	 * The ring owns the skb now, but completions are reaped under this
	 * queue's xmit lock, which we hold: it cannot be freed under us.
	 */
	skb_tx_timestamp(skb);

	/* BQL first: a completion must never precede its accounting. */
	kick = __netdev_tx_sent_queue(txq, len, more);
	if (!vgn_tx_has_room(sq)) {
		vgn_tx_stop(sq, txq);	/* arms the interrupt itself */
		kick = true;
	} else if (kick) {
		vgn_tx_arm(sq, 0);
	}
	if (kick)
		vgn_tx_kick(sq);
	return NETDEV_TX_OK;
}

int vgn_tx_poll(struct napi_struct *napi, int budget)
{
	struct vgn_sq *sq = container_of(napi, struct vgn_sq, napi);
	struct netdev_queue *txq = vgn_sq_txq(sq);
	int cpu = smp_processor_id();
	bool done, again = false;

	__netif_tx_lock(txq, cpu);
	virtqueue_disable_cb(sq->vq);
	vgn_tx_clean(sq, budget);
	if (netif_tx_queue_stopped(txq) && vgn_tx_has_room(sq))
		netif_tx_wake_queue(txq);
	if (!budget) {
		/* netpoll: reap only, NAPI stays scheduled. */
		__netif_tx_unlock(txq);
		return 0;
	}
	done = napi_complete_done(napi, 0);
	if (done)
		again = !virtqueue_enable_cb_delayed(sq->vq);
	__netif_tx_unlock(txq);

	/* Completions raced with re-enabling: poll once more. */
	if (again && napi_schedule_prep(napi)) {
		__netif_tx_lock(txq, cpu);
		virtqueue_disable_cb(sq->vq);
		__netif_tx_unlock(txq);
		__napi_schedule(napi);
	}
	return 0;
}

/**
 * vgn_tx_reap - reap a transmit queue from its pair's receive NAPI
 * @sq: the queue
 * @budget: the receive NAPI's budget
 *
 * What comes back for what we sent (TCP acknowledgements, replies) lands
 * on the paired receive queue: reaping there, when the tx lock is free,
 * leaves the transmit interrupt little to do.
 */
void vgn_tx_reap(struct vgn_sq *sq, int budget)
{
	struct netdev_queue *txq = vgn_sq_txq(sq);

	if (!__netif_tx_trylock(txq))
		return;
	virtqueue_disable_cb(sq->vq);
	vgn_tx_clean(sq, budget);
	vgn_tx_arm(sq, budget);
	if (netif_tx_queue_stopped(txq) && vgn_tx_has_room(sq))
		netif_tx_wake_queue(txq);
	__netif_tx_unlock(txq);
}

/* Interrupt: the device finished sending some buffers. */
void vgn_tx_done(struct virtqueue *vq)
{
	struct vgn_priv *vi = vq->vdev->priv;
	struct vgn_sq *sq = &vi->sq[vgn_vq_to_pair(vq)];

	if (napi_schedule_prep(&sq->napi)) {
		virtqueue_disable_cb(vq);
		__napi_schedule(&sq->napi);
	}
}

/* Device reset: free what will never complete. */
void vgn_tx_free_unused(struct vgn_sq *sq)
{
	void *token;

	while ((token = virtqueue_detach_unused_buf(sq->vq))) {
		if (vgn_tx_is_xdp(token))
			xdp_return_frame(vgn_tx_token_xdp(token));
		else
			dev_kfree_skb(token);
	}
}
