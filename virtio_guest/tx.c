// SPDX-License-Identifier: GPL-2.0
/*
 * Transmit path: skbs and XDP frames into the transmit queues, completions
 * back out of them.
 *
 * Locking: every operation on a transmit virtqueue happens under the tx
 * lock of its netdev_queue: ndo_start_xmit is called with it held, the tx
 * NAPI and the XDP transmit paths take it. This also serialises the BQL
 * accounting and the queue's counters. The one exception is the interrupt
 * handler, which only disables callbacks, as the virtio core allows.
 *
 * Completions are reaped by the tx NAPI, and opportunistically by every
 * path that adds to the ring. Whoever reaps last must leave the queue in
 * one of two states: callbacks armed at a point the device has not reached
 * yet, or the NAPI scheduled. Otherwise a queue stopped by the driver or
 * by BQL waits forever: the interrupt for entries someone else already
 * reaped finds nothing new and the virtio core drops it, and an event
 * index the device went past never fires.
 *
 * The virtio-net header of an skb lives in skb->cb, which belongs to the
 * driver from ndo_start_xmit until the skb is freed; XDP frames share one
 * all-zero header, vi->xdp_hdr, that the device only reads.
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

/* Free what the device has finished sending; the tx lock is held. */
static void vgn_tx_clean(struct vgn_sq *sq, int budget)
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

/**
 * vgn_tx_reap - free completed buffers, restart the queue if they made room
 * @sq: the queue, with its tx lock held
 * @budget: NAPI budget, 0 outside NAPI
 *
 * BQL restarts a queue it stopped by itself, in netdev_tx_completed_queue().
 */
void vgn_tx_reap(struct vgn_sq *sq, int budget)
{
	struct netdev_queue *txq = vgn_sq_txq(sq);

	vgn_tx_clean(sq, budget);
	if (netif_tx_queue_stopped(txq) && vgn_tx_has_room(sq))
		netif_tx_wake_queue(txq);
}

/*
 * Ask for an interrupt once most of what is in flight is done; when the
 * device is already past that point, none would come: poll instead.
 */
static void vgn_tx_arm(struct vgn_sq *sq)
{
	if (unlikely(!virtqueue_enable_cb_delayed(sq->vq)))
		vgn_napi_schedule(&sq->napi, sq->vq);
}

/**
 * vgn_tx_kick - end of a batch: arm for its completion, notify the device
 * @sq: the queue, with its tx lock held
 *
 * Arming comes first, so that a device quick enough to finish the batch
 * before we look finds callbacks on, or we find it done.
 */
void vgn_tx_kick(struct vgn_sq *sq)
{
	lockdep_assert_held(&vgn_sq_txq(sq)->_xmit_lock);
	vgn_tx_arm(sq);
	if (virtqueue_kick_prepare(sq->vq) && virtqueue_notify(sq->vq)) {
		u64_stats_update_begin(&sq->stats.syncp);
		u64_stats_inc(&sq->stats.kicks);
		u64_stats_update_end(&sq->stats.syncp);
	}
}

static int vgn_tx_add_skb(struct vgn_sq *sq, struct sk_buff *skb)
{
	struct virtio_net_hdr_mrg_rxbuf *hdr = (void *)skb->cb;
	struct vgn_priv *vi = sq->vi;
	int n;

	BUILD_BUG_ON(sizeof(*hdr) > sizeof(skb->cb));
	if (virtio_net_hdr_from_skb(skb, &hdr->hdr,
				    virtio_is_little_endian(vi->vdev),
				    false, 0))
		return -EPROTO;
	hdr->num_buffers = 0;

	sg_init_table(sq->sg, skb_shinfo(skb)->nr_frags + 2);
	sg_set_buf(sq->sg, hdr, vi->hdr_len);
	n = skb_to_sgvec(skb, sq->sg + 1, 0, skb->len);
	if (unlikely(n < 0))
		return n;
	return virtqueue_add_outbuf(sq->vq, sq->sg, n + 1, skb, GFP_ATOMIC);
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

/*
 * The ring is nearly full: stop the queue until completions free room. The
 * caller then kicks, which arms the interrupt or schedules the NAPI; the
 * NAPI restarts the queue under the tx lock we hold, so it cannot miss
 * the stop.
 */
static void vgn_tx_stop(struct vgn_sq *sq, struct netdev_queue *txq)
{
	netif_tx_stop_queue(txq);
	u64_stats_update_begin(&sq->stats.syncp);
	u64_stats_inc(&sq->stats.stops);
	u64_stats_update_end(&sq->stats.syncp);
}

netdev_tx_t vgn_start_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct vgn_priv *vi = netdev_priv(dev);
	unsigned int qnum = skb_get_queue_mapping(skb);
	struct netdev_queue *txq = netdev_get_tx_queue(dev, qnum);
	struct vgn_sq *sq = &vi->sq[qnum];
	unsigned int len = skb->len;
	bool kick;

	vgn_tx_clean(sq, 0);
	if (unlikely(vgn_tx_add_skb(sq, skb))) {
		u64_stats_update_begin(&sq->stats.syncp);
		u64_stats_inc(&sq->stats.drops);
		u64_stats_update_end(&sq->stats.syncp);
		dev_kfree_skb_any(skb);
		/* Earlier skbs may be waiting for this kick. */
		if (!netdev_xmit_more())
			vgn_tx_kick(sq);
		return NETDEV_TX_OK;
	}

	/* BQL first: a completion must never precede its accounting. */
	kick = __netdev_tx_sent_queue(txq, len, netdev_xmit_more());
	if (!vgn_tx_has_room(sq)) {
		vgn_tx_stop(sq, txq);
		kick = true;
	}
	if (kick)
		vgn_tx_kick(sq);
	return NETDEV_TX_OK;
}

int vgn_tx_poll(struct napi_struct *napi, int budget)
{
	struct vgn_sq *sq = container_of(napi, struct vgn_sq, napi);
	struct netdev_queue *txq = vgn_sq_txq(sq);
	bool armed;

	__netif_tx_lock(txq, smp_processor_id());
	virtqueue_disable_cb(sq->vq);
	vgn_tx_reap(sq, budget);
	if (!budget) {
		/* netpoll: reap only, NAPI stays scheduled. */
		__netif_tx_unlock(txq);
		return 0;
	}
	/*
	 * Re-arm before giving the NAPI up: an interrupt in between then
	 * finds it still scheduled and makes napi_complete_done() poll again.
	 */
	armed = virtqueue_enable_cb_delayed(sq->vq);
	if (!napi_complete_done(napi, 0))
		virtqueue_disable_cb(sq->vq);
	else if (unlikely(!armed))
		vgn_napi_schedule(napi, sq->vq);
	__netif_tx_unlock(txq);
	return 0;
}

/**
 * vgn_tx_timeout - the stack found a queue stopped for too long
 * @dev: the interface
 * @txqueue: the queue
 *
 * Called by the watchdog, which has frozen the queues but holds none of
 * their locks: take this one, as a transmit would. Say where the queue
 * stands: whether the device had finished buffers that nobody reaped
 * (a lost interrupt) or still holds them (a lost kick, or a stuck
 * backend), who stopped it, and the NAPI state. Then reap and poll, so
 * that a lost wake-up does not cost the interface.
 */
void vgn_tx_timeout(struct net_device *dev, unsigned int txqueue)
{
	struct vgn_priv *vi = netdev_priv(dev);
	struct vgn_sq *sq = &vi->sq[txqueue];
	struct netdev_queue *txq = netdev_get_tx_queue(dev, txqueue);
	unsigned int before, after;
	bool drv;

	__netif_tx_lock(txq, smp_processor_id());
	before = sq->vq->num_free;
	drv = netif_tx_queue_stopped(txq);
	vgn_tx_reap(sq, 0);
	after = sq->vq->num_free;
	vgn_napi_schedule(&sq->napi, sq->vq);
	__netif_tx_unlock(txq);
	netdev_warn(dev, "tx timeout on queue %u: %u free descriptors, %u after reaping; stopped by %s; napi state %#lx\n",
		    txqueue, before, after, drv ? "the driver" : "BQL",
		    READ_ONCE(sq->napi.state));
}

/* Interrupt: the device finished sending some buffers. */
void vgn_tx_done(struct virtqueue *vq)
{
	struct vgn_priv *vi = vq->vdev->priv;

	vgn_napi_schedule(&vi->sq[vgn_vq_to_pair(vq)].napi, vq);
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
