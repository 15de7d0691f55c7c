// SPDX-License-Identifier: GPL-2.0
/*
 * Control path: commands on the control virtqueue (rx mode, MAC filters,
 * queue pairs, guest offloads, announce acks) and configuration changes
 * (link state, announce requests).
 *
 * One command is in flight at a time, under ctrl_lock; the device answers
 * in its status byte and we poll for the buffer to come back. Commands may
 * sleep, so callers in atomic context (ndo_set_rx_mode) defer to a work.
 */
#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/virtio_config.h>
#include "virtio_guest.h"

int vgn_ctrl_init(struct vgn_priv *vi)
{
	vi->ctrl = kzalloc(sizeof(*vi->ctrl), GFP_KERNEL);
	if (!vi->ctrl)
		return -ENOMEM;
	vi->xdp_hdr = kzalloc(sizeof(*vi->xdp_hdr), GFP_KERNEL);
	if (!vi->xdp_hdr) {
		kfree(vi->ctrl);
		return -ENOMEM;
	}
	return 0;
}

void vgn_ctrl_uninit(struct vgn_priv *vi)
{
	kfree(vi->mac_table);
	kfree(vi->xdp_hdr);
	kfree(vi->ctrl);
}

/*
 * Send one command, @out (may be NULL) being its payload. Return 0 when
 * the device acknowledged it, -EIO when it refused or is gone.
 */
static int vgn_ctrl_cmd(struct vgn_priv *vi, u8 class, u8 cmd,
			struct scatterlist *out)
{
	struct scatterlist hdr, status, *sgs[3];
	unsigned int n = 0, len;
	int err;

	lockdep_assert_held(&vi->ctrl_lock);
	if (!vi->cvq)
		return -EOPNOTSUPP;

	vi->ctrl->hdr.class = class;
	vi->ctrl->hdr.cmd = cmd;
	vi->ctrl->status = ~0;
	sg_init_one(&hdr, &vi->ctrl->hdr, sizeof(vi->ctrl->hdr));
	sgs[n++] = &hdr;
	if (out)
		sgs[n++] = out;
	sg_init_one(&status, &vi->ctrl->status, sizeof(vi->ctrl->status));
	sgs[n] = &status;

	err = virtqueue_add_sgs(vi->cvq, sgs, n, 1, vi, GFP_KERNEL);
	if (err) {
		dev_warn(&vi->vdev->dev, "control queue add failed: %d\n", err);
		return err;
	}
	if (unlikely(!virtqueue_kick(vi->cvq)))
		return -EIO;

	/* The device answers quickly; a hot-unplug breaks the queue. */
	while (!virtqueue_get_buf(vi->cvq, &len) &&
	       !virtqueue_is_broken(vi->cvq)) {
		cond_resched();
		cpu_relax();
	}
	return vi->ctrl->status == VIRTIO_NET_OK ? 0 : -EIO;
}

int vgn_ctrl_set_pairs(struct vgn_priv *vi, u16 pairs)
{
	struct scatterlist sg;
	int err;

	if (!virtio_has_feature(vi->vdev, VIRTIO_NET_F_MQ))
		return pairs == 1 ? 0 : -EOPNOTSUPP;
	mutex_lock(&vi->ctrl_lock);
	vi->ctrl->data.mq.virtqueue_pairs = cpu_to_virtio16(vi->vdev, pairs);
	sg_init_one(&sg, &vi->ctrl->data.mq, sizeof(vi->ctrl->data.mq));
	err = vgn_ctrl_cmd(vi, VIRTIO_NET_CTRL_MQ,
			   VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, &sg);
	mutex_unlock(&vi->ctrl_lock);
	return err;
}

int vgn_ctrl_set_mac(struct vgn_priv *vi, const u8 *mac)
{
	struct scatterlist sg;
	int err;

	mutex_lock(&vi->ctrl_lock);
	memcpy(vi->ctrl->data.mac, mac, ETH_ALEN);
	sg_init_one(&sg, vi->ctrl->data.mac, ETH_ALEN);
	err = vgn_ctrl_cmd(vi, VIRTIO_NET_CTRL_MAC,
			   VIRTIO_NET_CTRL_MAC_ADDR_SET, &sg);
	mutex_unlock(&vi->ctrl_lock);
	return err;
}

int vgn_ctrl_set_offloads(struct vgn_priv *vi, u64 offloads)
{
	struct scatterlist sg;
	int err;

	if (!virtio_has_feature(vi->vdev, VIRTIO_NET_F_CTRL_GUEST_OFFLOADS))
		return -EOPNOTSUPP;
	mutex_lock(&vi->ctrl_lock);
	vi->ctrl->data.offloads = cpu_to_virtio64(vi->vdev, offloads);
	sg_init_one(&sg, &vi->ctrl->data.offloads,
		    sizeof(vi->ctrl->data.offloads));
	err = vgn_ctrl_cmd(vi, VIRTIO_NET_CTRL_GUEST_OFFLOADS,
			   VIRTIO_NET_CTRL_GUEST_OFFLOADS_SET, &sg);
	mutex_unlock(&vi->ctrl_lock);
	if (!err)
		vi->guest_offloads = offloads;
	return err;
}

static int vgn_ctrl_rx_flag(struct vgn_priv *vi, u8 cmd, bool on)
{
	struct scatterlist sg;

	lockdep_assert_held(&vi->ctrl_lock);
	vi->ctrl->data.on = on;
	sg_init_one(&sg, &vi->ctrl->data.on, sizeof(vi->ctrl->data.on));
	return vgn_ctrl_cmd(vi, VIRTIO_NET_CTRL_RX, cmd, &sg);
}

/* Bytes of a MAC filter table of @n entries. */
static size_t vgn_mac_table_size(unsigned int n)
{
	return sizeof(struct virtio_net_ctrl_mac) + n * ETH_ALEN;
}

/*
 * Build the unicast and multicast tables in vi->mac_table, back to back as
 * the device wants them, and send them. Called with ctrl_lock held.
 */
static int vgn_ctrl_mac_tables(struct vgn_priv *vi)
{
	struct net_device *dev = vi->dev;
	struct virtio_net_ctrl_mac *uc, *mc;
	struct netdev_hw_addr *ha;
	struct scatterlist sg[2];
	unsigned int nuc, nmc, i;
	size_t size;

	lockdep_assert_held(&vi->ctrl_lock);
	for (;;) {
		netif_addr_lock_bh(dev);
		nuc = netdev_uc_count(dev);
		nmc = netdev_mc_count(dev);
		size = vgn_mac_table_size(nuc) + vgn_mac_table_size(nmc);
		if (size <= vi->mac_table_len)
			break;
		netif_addr_unlock_bh(dev);
		kfree(vi->mac_table);
		vi->mac_table_len = 0;
		vi->mac_table = kmalloc(size, GFP_KERNEL);
		if (!vi->mac_table)
			return -ENOMEM;
		vi->mac_table_len = size;
	}
	uc = vi->mac_table;
	uc->entries = cpu_to_virtio32(vi->vdev, nuc);
	i = 0;
	netdev_for_each_uc_addr(ha, dev)
		memcpy(uc->macs[i++], ha->addr, ETH_ALEN);
	mc = (void *)uc + vgn_mac_table_size(nuc);
	mc->entries = cpu_to_virtio32(vi->vdev, nmc);
	i = 0;
	netdev_for_each_mc_addr(ha, dev)
		memcpy(mc->macs[i++], ha->addr, ETH_ALEN);
	netif_addr_unlock_bh(dev);

	sg_init_table(sg, 2);
	sg_set_buf(&sg[0], uc, vgn_mac_table_size(nuc));
	sg_set_buf(&sg[1], mc, vgn_mac_table_size(nmc));
	return vgn_ctrl_cmd(vi, VIRTIO_NET_CTRL_MAC,
			    VIRTIO_NET_CTRL_MAC_TABLE_SET, sg);
}

/* Deferred ndo_set_rx_mode: push promisc, allmulti and the filters. */
void vgn_rx_mode_work(struct work_struct *work)
{
	struct vgn_priv *vi = container_of(work, struct vgn_priv,
					   rx_mode_work);
	struct net_device *dev = vi->dev;
	unsigned int flags = READ_ONCE(dev->flags);

	if (!vi->cvq || !virtio_has_feature(vi->vdev, VIRTIO_NET_F_CTRL_RX))
		return;
	mutex_lock(&vi->ctrl_lock);
	if (vgn_ctrl_rx_flag(vi, VIRTIO_NET_CTRL_RX_PROMISC,
			     flags & IFF_PROMISC))
		netdev_warn(dev, "failed to %sable promiscuous mode\n",
			    flags & IFF_PROMISC ? "en" : "dis");
	if (vgn_ctrl_rx_flag(vi, VIRTIO_NET_CTRL_RX_ALLMULTI,
			     flags & IFF_ALLMULTI))
		netdev_warn(dev, "failed to %sable all-multicast mode\n",
			    flags & IFF_ALLMULTI ? "en" : "dis");
	if (vgn_ctrl_mac_tables(vi))
		netdev_warn(dev, "failed to set the MAC filter table\n");
	mutex_unlock(&vi->ctrl_lock);
}

static void vgn_announce_ack(struct vgn_priv *vi)
{
	mutex_lock(&vi->ctrl_lock);
	if (vgn_ctrl_cmd(vi, VIRTIO_NET_CTRL_ANNOUNCE,
			 VIRTIO_NET_CTRL_ANNOUNCE_ACK, NULL))
		dev_warn(&vi->vdev->dev, "failed to ack the announce\n");
	mutex_unlock(&vi->ctrl_lock);
}

static void vgn_read_speed_duplex(struct vgn_priv *vi)
{
	u32 speed;
	u8 duplex;

	if (!virtio_has_feature(vi->vdev, VIRTIO_NET_F_SPEED_DUPLEX))
		return;
	speed = virtio_cread32(vi->vdev, offsetof(struct virtio_net_config,
						  speed));
	duplex = virtio_cread8(vi->vdev, offsetof(struct virtio_net_config,
						  duplex));
	vi->speed = ethtool_validate_speed(speed) ? speed : SPEED_UNKNOWN;
	vi->duplex = ethtool_validate_duplex(duplex) ? duplex : DUPLEX_UNKNOWN;
}

/* Config space changed: link state, announce request, speed. */
void vgn_config_work(struct work_struct *work)
{
	struct vgn_priv *vi = container_of(work, struct vgn_priv,
					   config_work);
	struct net_device *dev = vi->dev;
	u16 status = VIRTIO_NET_S_LINK_UP;

	if (vi->has_status)
		status = virtio_cread16(vi->vdev,
					offsetof(struct virtio_net_config,
						 status));
	if (status & VIRTIO_NET_S_ANNOUNCE &&
	    virtio_has_feature(vi->vdev, VIRTIO_NET_F_GUEST_ANNOUNCE)) {
		netdev_notify_peers(dev);
		vgn_announce_ack(vi);
	}

	rtnl_lock();
	vgn_read_speed_duplex(vi);
	if (status & VIRTIO_NET_S_LINK_UP) {
		if (!netif_carrier_ok(dev)) {
			netif_carrier_on(dev);
			netif_tx_wake_all_queues(dev);
		}
	} else if (netif_carrier_ok(dev)) {
		netif_carrier_off(dev);
		netif_tx_stop_all_queues(dev);
	}
	rtnl_unlock();
}

void vgn_config_changed(struct virtio_device *vdev)
{
	struct vgn_priv *vi = vdev->priv;
	unsigned long flags;

	spin_lock_irqsave(&vi->work_lock, flags);
	if (vi->config_enabled)
		schedule_work(&vi->config_work);
	spin_unlock_irqrestore(&vi->work_lock, flags);
}

/* Let the works run; the first config work reads the initial link state. */
void vgn_works_enable(struct vgn_priv *vi)
{
	spin_lock_irq(&vi->work_lock);
	vi->config_enabled = true;
	vi->rx_mode_enabled = true;
	spin_unlock_irq(&vi->work_lock);
	schedule_work(&vi->config_work);
}

/* Stop the works from being queued, then wait for running ones. */
void vgn_works_disable(struct vgn_priv *vi)
{
	spin_lock_irq(&vi->work_lock);
	vi->config_enabled = false;
	vi->rx_mode_enabled = false;
	spin_unlock_irq(&vi->work_lock);
	cancel_work_sync(&vi->config_work);
	cancel_work_sync(&vi->rx_mode_work);
}
