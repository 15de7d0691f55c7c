// SPDX-License-Identifier: GPL-2.0
/*
 * The network interface: net_device_ops other than transmit (tx.c) and
 * XDP (xdp.c).
 */
#include <linux/etherdevice.h>
#include <linux/virtio_config.h>
#include "virtio_guest.h"

/* Schedule a NAPI from process context, so that it runs right away. */
static void vgn_napi_kick(struct napi_struct *napi)
{
	local_bh_disable();
	napi_schedule(napi);
	local_bh_enable();
}

/*
 * Every pair's NAPIs run while the interface is up, so that a pair can
 * come into use (ethtool -L) without an open; only the pairs in use get
 * receive buffers (vgn_pairs_fill()).
 */
static int vgn_pair_enable(struct vgn_priv *vi, unsigned int i)
{
	struct vgn_rq *rq = &vi->rq[i];
	int err;

	err = xdp_rxq_info_reg(&rq->xdp_rxq, vi->dev, i, rq->napi.napi_id);
	if (err)
		return err;
	err = xdp_rxq_info_reg_mem_model(&rq->xdp_rxq, MEM_TYPE_PAGE_SHARED,
					 NULL);
	if (err) {
		xdp_rxq_info_unreg(&rq->xdp_rxq);
		return err;
	}
	if (vgn_pair_in_use(vi, i) && !vgn_rx_refill(rq, GFP_KERNEL))
		schedule_delayed_work(&vi->refill_work, 0);
	napi_enable(&rq->napi);
	napi_enable(&vi->sq[i].napi);
	/* What the device used while we were down raised no interrupt. */
	vgn_napi_kick(&rq->napi);
	vgn_napi_kick(&vi->sq[i].napi);
	return 0;
}

static void vgn_pair_disable(struct vgn_priv *vi, unsigned int i)
{
	napi_disable(&vi->rq[i].napi);
	napi_disable(&vi->sq[i].napi);
	xdp_rxq_info_unreg(&vi->rq[i].xdp_rxq);
}

/**
 * vgn_pairs_fill - give receive buffers to pairs about to come into use
 * @vi: the device, up
 * @from: first pair to fill
 * @to: one past the last
 *
 * Called under RTNL (which keeps the interface up) before the device is
 * told to use the pairs, so that it finds buffers there from its first
 * packet. Each pair's receive NAPI is held off while its ring is filled:
 * the ring is the NAPI's. What memory allowed is posted; the refill work
 * retries the rest once the pairs are in use (the caller queues it on
 * false).
 *
 * Return: false when memory ran out before every ring was full.
 */
bool vgn_pairs_fill(struct vgn_priv *vi, u16 from, u16 to)
{
	bool full = true;
	u16 i;

	ASSERT_RTNL();
	for (i = from; i < to; i++) {
		napi_disable(&vi->rq[i].napi);
		full &= vgn_rx_refill(&vi->rq[i], GFP_KERNEL);
		napi_enable(&vi->rq[i].napi);
	}
	return full;
}

static int vgn_open(struct net_device *dev)
{
	struct vgn_priv *vi = netdev_priv(dev);
	unsigned int i;
	int err;

	for (i = 0; i < vi->max_pairs; i++) {
		err = vgn_pair_enable(vi, i);
		if (err)
			goto err_disable;
	}
	return 0;

err_disable:
	while (i--)
		vgn_pair_disable(vi, i);
	cancel_delayed_work_sync(&vi->refill_work);
	return err;
}

static int vgn_stop(struct net_device *dev)
{
	struct vgn_priv *vi = netdev_priv(dev);
	unsigned int i;

	for (i = 0; i < vi->max_pairs; i++)
		vgn_pair_disable(vi, i);
	/* No NAPI can queue it any more; a queued one finds them disabled. */
	cancel_delayed_work_sync(&vi->refill_work);
	return 0;
}

static int vgn_set_mac_address(struct net_device *dev, void *p)
{
	struct vgn_priv *vi = netdev_priv(dev);
	struct virtio_device *vdev = vi->vdev;
	struct sockaddr *addr = p;
	unsigned int i;
	int err;

	err = eth_prepare_mac_addr_change(dev, p);
	if (err)
		return err;
	if (virtio_has_feature(vdev, VIRTIO_NET_F_CTRL_MAC_ADDR)) {
		err = vgn_ctrl_set_mac(vi, addr->sa_data);
		if (err)
			return err;
	} else if (virtio_has_feature(vdev, VIRTIO_NET_F_MAC) &&
		   !virtio_has_feature(vdev, VIRTIO_F_VERSION_1)) {
		/* Legacy devices take the address through config space. */
		for (i = 0; i < ETH_ALEN; i++)
			virtio_cwrite8(vdev, offsetof(struct virtio_net_config,
						      mac) + i,
				       addr->sa_data[i]);
	}
	eth_commit_mac_addr_change(dev, p);
	return 0;
}

/* Called with the address list lock held (BH): defer to a work. */
static void vgn_set_rx_mode(struct net_device *dev)
{
	struct vgn_priv *vi = netdev_priv(dev);
	unsigned long flags;

	spin_lock_irqsave(&vi->work_lock, flags);
	if (vi->rx_mode_enabled)
		schedule_work(&vi->rx_mode_work);
	spin_unlock_irqrestore(&vi->work_lock, flags);
}

static int vgn_change_mtu(struct net_device *dev, int mtu)
{
	struct vgn_priv *vi = netdev_priv(dev);

	if (rtnl_dereference(vi->xdp_prog) && mtu > vgn_xdp_max_mtu(vi)) {
		netdev_warn(dev, "MTU %d too large for XDP (max %u)\n", mtu,
			    vgn_xdp_max_mtu(vi));
		return -EINVAL;
	}
	/*
	 * Mergeable buffers posted for XDP from now on fit the new MTU; page
	 * chains fit max_mtu already (vgn_rx_size_chains()).
	 */
	WRITE_ONCE(dev->mtu, mtu);
	return 0;
}

static void vgn_rq_stats_fold(struct vgn_rq *rq, struct rtnl_link_stats64 *s)
{
	u64 packets, bytes, drops, errors;
	unsigned int start;

	do {
		start = u64_stats_fetch_begin(&rq->stats.syncp);
		packets = u64_stats_read(&rq->stats.packets);
		bytes = u64_stats_read(&rq->stats.bytes);
		drops = u64_stats_read(&rq->stats.drops);
		errors = u64_stats_read(&rq->stats.length_errors);
	} while (u64_stats_fetch_retry(&rq->stats.syncp, start));
	s->rx_packets += packets;
	s->rx_bytes += bytes;
	s->rx_dropped += drops;
	s->rx_length_errors += errors;
	s->rx_errors += errors;
}

static void vgn_sq_stats_fold(struct vgn_sq *sq, struct rtnl_link_stats64 *s)
{
	u64 packets, bytes, drops;
	unsigned int start;

	do {
		start = u64_stats_fetch_begin(&sq->stats.syncp);
		packets = u64_stats_read(&sq->stats.packets);
		bytes = u64_stats_read(&sq->stats.bytes);
		drops = u64_stats_read(&sq->stats.drops);
	} while (u64_stats_fetch_retry(&sq->stats.syncp, start));
	s->tx_packets += packets;
	s->tx_bytes += bytes;
	s->tx_dropped += drops;
}

static void vgn_get_stats64(struct net_device *dev,
			    struct rtnl_link_stats64 *s)
{
	struct vgn_priv *vi = netdev_priv(dev);
	unsigned int i;

	for (i = 0; i < vi->max_pairs; i++) {
		vgn_rq_stats_fold(&vi->rq[i], s);
		vgn_sq_stats_fold(&vi->sq[i], s);
	}
}

static void vgn_tx_timeout(struct net_device *dev, unsigned int txqueue)
{
	struct vgn_priv *vi = netdev_priv(dev);
	struct vgn_sq *sq = &vi->sq[txqueue];
	struct netdev_queue *txq = netdev_get_tx_queue(dev, txqueue);

	/*
	 * Who holds the queue tells a lost wake-up (the driver's stop, with
	 * room in the ring) from a device slow to complete (BQL's stop).
	 */
	netdev_warn(dev, "tx timeout on queue %u: %u free descriptors, driver stop %d, BQL stop %d\n",
		    txqueue, sq->vq->num_free, netif_tx_queue_stopped(txq),
		    test_bit(__QUEUE_STATE_STACK_XOFF, &txq->state));
}

static const struct net_device_ops vgn_netdev_ops = {
	.ndo_open		= vgn_open,
	.ndo_stop		= vgn_stop,
	.ndo_start_xmit		= vgn_start_xmit,
	.ndo_validate_addr	= eth_validate_addr,
	.ndo_set_mac_address	= vgn_set_mac_address,
	.ndo_set_rx_mode	= vgn_set_rx_mode,
	.ndo_change_mtu		= vgn_change_mtu,
	.ndo_get_stats64	= vgn_get_stats64,
	.ndo_tx_timeout		= vgn_tx_timeout,
	.ndo_bpf		= vgn_xdp_bpf,
	.ndo_xdp_xmit		= vgn_xdp_xmit,
};

/* Everything about the interface that does not need the virtqueues. */
void vgn_netdev_setup(struct vgn_priv *vi)
{
	struct net_device *dev = vi->dev;

	dev->netdev_ops = &vgn_netdev_ops;
	dev->ethtool_ops = &vgn_ethtool_ops;
	dev->priv_flags |= IFF_LIVE_ADDR_CHANGE;
	if (virtio_has_feature(vi->vdev, VIRTIO_NET_F_CTRL_RX))
		dev->priv_flags |= IFF_UNICAST_FLT;
	dev->watchdog_timeo = 5 * HZ;
	dev->features |= NETIF_F_HIGHDMA;
	dev->hw_features |= NETIF_F_HIGHDMA;
	vgn_xdp_features_set(dev);
	vgn_qstats_init(dev);
	/* The first config work tells whether the link is up. */
	if (vi->has_status)
		netif_carrier_off(dev);
}
