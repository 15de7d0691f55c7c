// SPDX-License-Identifier: GPL-2.0
/*
 * Per-queue counters through the netdev netlink family's qstats (6.9+,
 * VGN_HAVE_QSTATS), as virtio_net reports them: packets and bytes of each
 * receive and transmit queue, and how often a transmit queue stopped.
 * Queues past curr_pairs keep their history: get_base_stats() reports it,
 * so that the device's totals match ndo_get_stats64().
 *
 *   ynl --spec Documentation/netlink/specs/netdev.yaml --dump qstats-get \
 *       --json '{"scope": "queue"}'
 */
#include <net/netdev_queues.h>

#include "virtio_guest.h"

static void vgn_qstats_rx_read(const struct vgn_rq *rq,
			       struct netdev_queue_stats_rx *st)
{
	unsigned int start;

	do {
		start = u64_stats_fetch_begin(&rq->stats.syncp);
		st->packets = u64_stats_read(&rq->stats.packets);
		st->bytes = u64_stats_read(&rq->stats.bytes);
	} while (u64_stats_fetch_retry(&rq->stats.syncp, start));
}

static void vgn_qstats_tx_read(const struct vgn_sq *sq,
			       struct netdev_queue_stats_tx *st)
{
	unsigned int start;

	do {
		start = u64_stats_fetch_begin(&sq->stats.syncp);
		st->packets = u64_stats_read(&sq->stats.packets);
		st->bytes = u64_stats_read(&sq->stats.bytes);
		st->stop = u64_stats_read(&sq->stats.stops);
	} while (u64_stats_fetch_retry(&sq->stats.syncp, start));
}

static void vgn_qstats_rx(struct net_device *dev, int idx,
			  struct netdev_queue_stats_rx *st)
{
	struct vgn_priv *vi = netdev_priv(dev);

	vgn_qstats_rx_read(&vi->rq[idx], st);
}

static void vgn_qstats_tx(struct net_device *dev, int idx,
			  struct netdev_queue_stats_tx *st)
{
	struct vgn_priv *vi = netdev_priv(dev);

	vgn_qstats_tx_read(&vi->sq[idx], st);
}

/* Called under RTNL, which also guards curr_pairs. */
static void vgn_qstats_base(struct net_device *dev,
			    struct netdev_queue_stats_rx *rx,
			    struct netdev_queue_stats_tx *tx)
{
	struct vgn_priv *vi = netdev_priv(dev);
	struct netdev_queue_stats_rx r;
	struct netdev_queue_stats_tx t;
	unsigned int i;

	rx->packets = 0;
	rx->bytes = 0;
	tx->packets = 0;
	tx->bytes = 0;
	tx->stop = 0;
	for (i = vi->curr_pairs; i < vi->max_pairs; i++) {
		vgn_qstats_rx_read(&vi->rq[i], &r);
		vgn_qstats_tx_read(&vi->sq[i], &t);
		rx->packets += r.packets;
		rx->bytes += r.bytes;
		tx->packets += t.packets;
		tx->bytes += t.bytes;
		tx->stop += t.stop;
	}
}

const struct netdev_stat_ops vgn_stat_ops = {
	.get_queue_stats_rx	= vgn_qstats_rx,
	.get_queue_stats_tx	= vgn_qstats_tx,
	.get_base_stats		= vgn_qstats_base,
};
