// SPDX-License-Identifier: GPL-2.0
/*
 * ethtool: driver info, link, channels (queue pairs), ring sizes and the
 * per-queue counters of ethtool -S. All ops run under RTNL.
 */
#include <linux/ethtool.h>
#include <linux/netdevice.h>
#include <linux/virtio_config.h>
#include "virtio_guest.h"

struct vgn_stat_desc {
	const char *name;
	size_t offset;			/* of a u64_stats_t in the stats */
};

#define VGN_RQ_STAT(f)	{ #f, offsetof(struct vgn_rq_stats, f) }
#define VGN_SQ_STAT(f)	{ #f, offsetof(struct vgn_sq_stats, f) }

static const struct vgn_stat_desc vgn_rq_stats_desc[] = {
	VGN_RQ_STAT(packets), VGN_RQ_STAT(bytes), VGN_RQ_STAT(drops),
	VGN_RQ_STAT(length_errors), VGN_RQ_STAT(kicks),
	VGN_RQ_STAT(xdp_packets), VGN_RQ_STAT(xdp_pass),
	VGN_RQ_STAT(xdp_drop), VGN_RQ_STAT(xdp_tx), VGN_RQ_STAT(xdp_redirect),
};

static const struct vgn_stat_desc vgn_sq_stats_desc[] = {
	VGN_SQ_STAT(packets), VGN_SQ_STAT(bytes), VGN_SQ_STAT(drops),
	VGN_SQ_STAT(kicks), VGN_SQ_STAT(stops), VGN_SQ_STAT(xdp_tx),
	VGN_SQ_STAT(xdp_tx_drops),
};

#define VGN_RQ_NSTATS	ARRAY_SIZE(vgn_rq_stats_desc)
#define VGN_SQ_NSTATS	ARRAY_SIZE(vgn_sq_stats_desc)

static void vgn_get_drvinfo(struct net_device *dev,
			    struct ethtool_drvinfo *info)
{
	struct vgn_priv *vi = netdev_priv(dev);

	strscpy(info->driver, VGN_DRV_NAME, sizeof(info->driver));
	strscpy(info->bus_info, dev_name(vi->vdev->dev.parent ?: &vi->vdev->dev),
		sizeof(info->bus_info));
}

static int vgn_get_link_ksettings(struct net_device *dev,
				  struct ethtool_link_ksettings *cmd)
{
	struct vgn_priv *vi = netdev_priv(dev);

	cmd->base.speed = vi->speed;
	cmd->base.duplex = vi->duplex;
	cmd->base.port = PORT_OTHER;
	return 0;
}

static void vgn_get_channels(struct net_device *dev,
			     struct ethtool_channels *ch)
{
	struct vgn_priv *vi = netdev_priv(dev);

	ch->max_combined = vi->max_pairs;
	ch->combined_count = vi->curr_pairs;
}

/**
 * vgn_set_pairs - change the number of queue pairs in use
 * @vi: the device
 * @pairs: 1..max_pairs
 *
 * Called under RTNL. Every pair keeps its NAPI. On an interface that is
 * up, pairs coming into use get their receive buffers first, so the
 * device finds them filled; pairs going out of use keep what they have
 * (nothing takes buffers back from a device but a reset) and get no
 * more. A pair filled for a command that then fails keeps its buffers
 * too. An interface that is down gets its buffers at open. The online
 * CPUs are dealt out anew to the pairs in use (affinity.c).
 */
int vgn_set_pairs(struct vgn_priv *vi, u16 pairs)
{
	bool full = true;
	int err;

	ASSERT_RTNL();
	if (netif_running(vi->dev) && pairs > vi->curr_pairs)
		full = vgn_pairs_fill(vi, vi->curr_pairs, pairs);
	err = vgn_ctrl_set_pairs(vi, pairs);
	if (err)
		return err;
	err = netif_set_real_num_tx_queues(vi->dev, pairs);
	if (!err)
		err = netif_set_real_num_rx_queues(vi->dev, pairs);
	if (err)
		return err;
	WRITE_ONCE(vi->curr_pairs, pairs);
	/* Now in use: their NAPIs refill what memory did not allow. */
	if (!full)
		schedule_delayed_work(&vi->refill_work, 0);
	vgn_set_affinity(vi);
	return 0;
}

static int vgn_set_channels(struct net_device *dev,
			    struct ethtool_channels *ch)
{
	struct vgn_priv *vi = netdev_priv(dev);

	if (ch->rx_count || ch->tx_count || ch->other_count)
		return -EINVAL;
	if (!ch->combined_count || ch->combined_count > vi->max_pairs)
		return -EINVAL;
	if (ch->combined_count == vi->curr_pairs)
		return 0;
	return vgn_set_pairs(vi, ch->combined_count);
}

static void vgn_get_ringparam(struct net_device *dev,
			      struct ethtool_ringparam *ring,
			      struct kernel_ethtool_ringparam *kring,
			      struct netlink_ext_ack *extack)
{
	struct vgn_priv *vi = netdev_priv(dev);

	ring->rx_max_pending = virtqueue_get_vring_size(vi->rq[0].vq);
	ring->tx_max_pending = virtqueue_get_vring_size(vi->sq[0].vq);
	ring->rx_pending = ring->rx_max_pending;
	ring->tx_pending = ring->tx_max_pending;
}

static int vgn_get_sset_count(struct net_device *dev, int sset)
{
	struct vgn_priv *vi = netdev_priv(dev);

	if (sset != ETH_SS_STATS)
		return -EOPNOTSUPP;
	return vi->curr_pairs * (VGN_RQ_NSTATS + VGN_SQ_NSTATS);
}

static void vgn_get_strings(struct net_device *dev, u32 sset, u8 *data)
{
	struct vgn_priv *vi = netdev_priv(dev);
	unsigned int i, j;

	if (sset != ETH_SS_STATS)
		return;
	for (i = 0; i < vi->curr_pairs; i++)
		for (j = 0; j < VGN_RQ_NSTATS; j++)
			ethtool_sprintf(&data, "rx_queue_%u_%s", i,
					vgn_rq_stats_desc[j].name);
	for (i = 0; i < vi->curr_pairs; i++)
		for (j = 0; j < VGN_SQ_NSTATS; j++)
			ethtool_sprintf(&data, "tx_queue_%u_%s", i,
					vgn_sq_stats_desc[j].name);
}

/* Copy @n counters described by @desc out of @base, consistently. */
static u64 *vgn_stats_copy(u64 *data, const void *base,
			   const struct u64_stats_sync *syncp,
			   const struct vgn_stat_desc *desc, unsigned int n)
{
	unsigned int start, j;

	do {
		start = u64_stats_fetch_begin(syncp);
		for (j = 0; j < n; j++)
			data[j] = u64_stats_read(base + desc[j].offset);
	} while (u64_stats_fetch_retry(syncp, start));
	return data + n;
}

static void vgn_get_ethtool_stats(struct net_device *dev,
				  struct ethtool_stats *stats, u64 *data)
{
	struct vgn_priv *vi = netdev_priv(dev);
	unsigned int i;

	for (i = 0; i < vi->curr_pairs; i++)
		data = vgn_stats_copy(data, &vi->rq[i].stats,
				      &vi->rq[i].stats.syncp,
				      vgn_rq_stats_desc, VGN_RQ_NSTATS);
	for (i = 0; i < vi->curr_pairs; i++)
		data = vgn_stats_copy(data, &vi->sq[i].stats,
				      &vi->sq[i].stats.syncp,
				      vgn_sq_stats_desc, VGN_SQ_NSTATS);
}

const struct ethtool_ops vgn_ethtool_ops = {
	.get_drvinfo		= vgn_get_drvinfo,
	.get_link		= ethtool_op_get_link,
	.get_link_ksettings	= vgn_get_link_ksettings,
	.get_channels		= vgn_get_channels,
	.set_channels		= vgn_set_channels,
	.get_ringparam		= vgn_get_ringparam,
	.get_sset_count		= vgn_get_sset_count,
	.get_strings		= vgn_get_strings,
	.get_ethtool_stats	= vgn_get_ethtool_stats,
	.get_ts_info		= ethtool_op_get_ts_info,
};
