// SPDX-License-Identifier: GPL-2.0
/*
 * virtio_guest: probe and remove of virtio-net devices, feature negotiation
 * and the module's entry points. The data path lives in rx.c and tx.c, the
 * control path in ctrl.c, the interface in netdev.c.
 */
#include <linux/module.h>
#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_ring.h>
#include "virtio_guest.h"

static const struct virtio_device_id vgn_id_table[] = {
	{ VIRTIO_ID_NET, VIRTIO_DEV_ANY_ID },
	{ 0 },
};

/* Device features the driver understands; the core adds the ring ones. */
static unsigned int vgn_features[] = {
	VIRTIO_NET_F_CSUM, VIRTIO_NET_F_GUEST_CSUM,
	VIRTIO_NET_F_CTRL_GUEST_OFFLOADS, VIRTIO_NET_F_MTU, VIRTIO_NET_F_MAC,
	VIRTIO_NET_F_GUEST_TSO4, VIRTIO_NET_F_GUEST_TSO6,
	VIRTIO_NET_F_GUEST_ECN, VIRTIO_NET_F_HOST_TSO4,
	VIRTIO_NET_F_HOST_TSO6, VIRTIO_NET_F_HOST_ECN,
	VIRTIO_NET_F_MRG_RXBUF, VIRTIO_NET_F_STATUS, VIRTIO_NET_F_CTRL_VQ,
	VIRTIO_NET_F_CTRL_RX, VIRTIO_NET_F_GUEST_ANNOUNCE, VIRTIO_NET_F_MQ,
	VIRTIO_NET_F_CTRL_MAC_ADDR, VIRTIO_NET_F_SPEED_DUPLEX,
};

/* A legacy device also needs to be told any header layout will do. */
static unsigned int vgn_features_legacy[] = {
	VIRTIO_NET_F_CSUM, VIRTIO_NET_F_GUEST_CSUM,
	VIRTIO_NET_F_CTRL_GUEST_OFFLOADS, VIRTIO_NET_F_MAC,
	VIRTIO_NET_F_GUEST_TSO4, VIRTIO_NET_F_GUEST_TSO6,
	VIRTIO_NET_F_GUEST_ECN, VIRTIO_NET_F_HOST_TSO4,
	VIRTIO_NET_F_HOST_TSO6, VIRTIO_NET_F_HOST_ECN,
	VIRTIO_NET_F_MRG_RXBUF, VIRTIO_NET_F_STATUS, VIRTIO_NET_F_CTRL_VQ,
	VIRTIO_NET_F_CTRL_RX, VIRTIO_NET_F_GUEST_ANNOUNCE, VIRTIO_NET_F_MQ,
	VIRTIO_NET_F_CTRL_MAC_ADDR, VIRTIO_F_ANY_LAYOUT,
};

/* Guest offloads, as bit numbers of CTRL_GUEST_OFFLOADS_SET. */
static const unsigned int vgn_guest_offloads[] = {
	VIRTIO_NET_F_GUEST_CSUM, VIRTIO_NET_F_GUEST_TSO4,
	VIRTIO_NET_F_GUEST_TSO6, VIRTIO_NET_F_GUEST_ECN,
};

/* Drop features whose configuration makes no sense before accepting. */
/*
 * Features that act through the control queue mean nothing without one
 * (virtio 1.2, 5.1.3.1): a device that offers them with no control queue
 * has them cleared and is driven without them. virtio_net refuses such a
 * device instead.
 */
static void vgn_validate_cvq_features(struct virtio_device *vdev)
{
	/* Of vgn_features; virtio_has_feature() BUG()s on any other. */
	static const unsigned int needs_cvq[] = {
		VIRTIO_NET_F_CTRL_RX, VIRTIO_NET_F_GUEST_ANNOUNCE,
		VIRTIO_NET_F_MQ, VIRTIO_NET_F_CTRL_MAC_ADDR,
		VIRTIO_NET_F_CTRL_GUEST_OFFLOADS,
	};
	unsigned int i;

	if (virtio_has_feature(vdev, VIRTIO_NET_F_CTRL_VQ))
		return;
	for (i = 0; i < ARRAY_SIZE(needs_cvq); i++) {
		if (!virtio_has_feature(vdev, needs_cvq[i]))
			continue;
		dev_warn(&vdev->dev,
			 "feature %u needs the control queue, which the device does not offer: not used\n",
			 needs_cvq[i]);
		__virtio_clear_bit(vdev, needs_cvq[i]);
	}
}

static int vgn_validate(struct virtio_device *vdev)
{
	u16 mtu;

	if (!vdev->config->get) {
		dev_err(&vdev->dev, "device has no config space access\n");
		return -EINVAL;
	}
	if (virtio_has_feature(vdev, VIRTIO_NET_F_MTU)) {
		mtu = virtio_cread16(vdev, offsetof(struct virtio_net_config,
						    mtu));
		if (mtu < ETH_MIN_MTU)
			__virtio_clear_bit(vdev, VIRTIO_NET_F_MTU);
	}
	/*
	 * A packed ring's device event offset says "notify me when the
	 * descriptor at this offset becomes available". QEMU's userspace
	 * virtio (seen with 7.2) writes it only when it re-enables
	 * notifications, never as it consumes descriptors. Its virtio-net
	 * transmit, after a packet that had to wait for the peer, re-enables
	 * and then takes what is there: the offset is left behind the
	 * device, no later kick is asked for, and the queue stalls with
	 * buffers in the ring (stock virtio_net stalls the same way). Event
	 * suppression by flags alone has no offset to go stale; on packed
	 * rings we use only that.
	 */
	if (virtio_has_feature(vdev, VIRTIO_F_RING_PACKED))
		__virtio_clear_bit(vdev, VIRTIO_RING_F_EVENT_IDX);
	vgn_validate_cvq_features(vdev);
	return 0;
}

/* Queue pairs the device offers; 1 unless MQ comes with a control queue. */
static u16 vgn_read_max_pairs(struct virtio_device *vdev)
{
	u16 pairs = 1;

	if (virtio_has_feature(vdev, VIRTIO_NET_F_MQ) &&
	    virtio_has_feature(vdev, VIRTIO_NET_F_CTRL_VQ))
		pairs = virtio_cread16(vdev,
				       offsetof(struct virtio_net_config,
						max_virtqueue_pairs));
	if (pairs < VIRTIO_NET_CTRL_MQ_VQ_PAIRS_MIN ||
	    pairs > VIRTIO_NET_CTRL_MQ_VQ_PAIRS_MAX)
		pairs = 1;
	return pairs;
}

/* Turn negotiated features into driver state and netdev flags. */
static void vgn_apply_features(struct vgn_priv *vi)
{
	struct virtio_device *vdev = vi->vdev;
	struct net_device *dev = vi->dev;
	unsigned int i;

	vi->mergeable = virtio_has_feature(vdev, VIRTIO_NET_F_MRG_RXBUF);
	if (vi->mergeable || virtio_has_feature(vdev, VIRTIO_F_VERSION_1))
		vi->hdr_len = sizeof(struct virtio_net_hdr_mrg_rxbuf);
	else
		vi->hdr_len = sizeof(struct virtio_net_hdr);
	vi->any_header_sg = virtio_has_feature(vdev, VIRTIO_F_ANY_LAYOUT) ||
			    virtio_has_feature(vdev, VIRTIO_F_VERSION_1);
	/* Room in front of every frame for the header (see tx.c). */
	dev->needed_headroom = vi->hdr_len;
	vi->guest_gso = virtio_has_feature(vdev, VIRTIO_NET_F_GUEST_TSO4) ||
			virtio_has_feature(vdev, VIRTIO_NET_F_GUEST_TSO6);
	vi->has_status = virtio_has_feature(vdev, VIRTIO_NET_F_STATUS);

	if (virtio_has_feature(vdev, VIRTIO_NET_F_CSUM)) {
		dev->hw_features |= NETIF_F_HW_CSUM | NETIF_F_SG;
		if (virtio_has_feature(vdev, VIRTIO_NET_F_HOST_TSO4))
			dev->hw_features |= NETIF_F_TSO;
		if (virtio_has_feature(vdev, VIRTIO_NET_F_HOST_TSO6))
			dev->hw_features |= NETIF_F_TSO6;
		if (virtio_has_feature(vdev, VIRTIO_NET_F_HOST_ECN))
			dev->hw_features |= NETIF_F_TSO_ECN;
		dev->features |= dev->hw_features | NETIF_F_GSO_ROBUST;
	}
	if (virtio_has_feature(vdev, VIRTIO_NET_F_GUEST_CSUM))
		dev->features |= NETIF_F_RXCSUM;
	dev->vlan_features = dev->features;

	for (i = 0; i < ARRAY_SIZE(vgn_guest_offloads); i++)
		if (virtio_has_feature(vdev, vgn_guest_offloads[i]))
			vi->guest_offloads |= BIT_ULL(vgn_guest_offloads[i]);
	vi->guest_offloads_capable = vi->guest_offloads;

	vi->speed = SPEED_UNKNOWN;
	vi->duplex = DUPLEX_UNKNOWN;
}

/* MAC address and MTU from config space. */
static void vgn_read_config(struct vgn_priv *vi)
{
	struct virtio_device *vdev = vi->vdev;
	struct net_device *dev = vi->dev;
	u8 addr[ETH_ALEN];
	u16 mtu;

	if (virtio_has_feature(vdev, VIRTIO_NET_F_MAC)) {
		virtio_cread_bytes(vdev, offsetof(struct virtio_net_config, mac),
				   addr, ETH_ALEN);
		eth_hw_addr_set(dev, addr);
	} else {
		eth_hw_addr_random(dev);
		dev_info(&vdev->dev, "no MAC from the device, using %pM\n",
			 dev->dev_addr);
	}

	dev->min_mtu = ETH_MIN_MTU;
	dev->max_mtu = ETH_MAX_MTU;
	if (virtio_has_feature(vdev, VIRTIO_NET_F_MTU)) {
		mtu = virtio_cread16(vdev, offsetof(struct virtio_net_config,
						    mtu));
		dev->mtu = mtu;
		dev->max_mtu = mtu;
	}
}

/* Allocate queue structures and ask the transport for the virtqueues. */
static int vgn_vqs_init(struct vgn_priv *vi)
{
	bool has_cvq = virtio_has_feature(vi->vdev, VIRTIO_NET_F_CTRL_VQ);
	unsigned int nvqs = vi->max_pairs * 2 + has_cvq, i;
	vq_callback_t **callbacks;
	struct virtqueue **vqs;
	const char **names;
	bool *ctx;
	int err = -ENOMEM;

	vqs = kcalloc(nvqs, sizeof(*vqs), GFP_KERNEL);
	callbacks = kcalloc(nvqs, sizeof(*callbacks), GFP_KERNEL);
	names = kcalloc(nvqs, sizeof(*names), GFP_KERNEL);
	ctx = kcalloc(nvqs, sizeof(*ctx), GFP_KERNEL);
	if (!vqs || !callbacks || !names || !ctx)
		goto out;

	for (i = 0; i < vi->max_pairs; i++) {
		snprintf(vi->rq[i].name, sizeof(vi->rq[i].name), "input.%u", i);
		snprintf(vi->sq[i].name, sizeof(vi->sq[i].name), "output.%u", i);
		names[2 * i] = vi->rq[i].name;
		names[2 * i + 1] = vi->sq[i].name;
		callbacks[2 * i] = vgn_rx_done;
		callbacks[2 * i + 1] = vgn_tx_done;
		/* Mergeable buffers carry their size in the context. */
		ctx[2 * i] = vi->mergeable;
	}
	if (has_cvq)
		names[nvqs - 1] = "control";

	err = vgn_find_vqs(vi->vdev, nvqs, vqs, callbacks, names, ctx);
	if (err)
		goto out;
	for (i = 0; i < vi->max_pairs; i++) {
		vi->rq[i].vq = vqs[2 * i];
		vi->sq[i].vq = vqs[2 * i + 1];
	}
	if (has_cvq)
		vi->cvq = vqs[nvqs - 1];
out:
	kfree(ctx);
	kfree(names);
	kfree(callbacks);
	kfree(vqs);
	return err;
}

static int vgn_queues_alloc(struct vgn_priv *vi)
{
	unsigned int i;

	vi->rq = kcalloc(vi->max_pairs, sizeof(*vi->rq), GFP_KERNEL);
	vi->sq = kcalloc(vi->max_pairs, sizeof(*vi->sq), GFP_KERNEL);
	if (!vi->rq || !vi->sq) {
		kfree(vi->sq);
		kfree(vi->rq);
		return -ENOMEM;
	}
	for (i = 0; i < vi->max_pairs; i++) {
		vi->rq[i].vi = vi;
		vi->rq[i].index = i;
		INIT_LIST_HEAD(&vi->rq[i].spare);
		u64_stats_init(&vi->rq[i].stats.syncp);
		sg_init_table(vi->rq[i].sg, ARRAY_SIZE(vi->rq[i].sg));
		netif_napi_add(vi->dev, &vi->rq[i].napi, vgn_rx_poll);
		vi->sq[i].vi = vi;
		vi->sq[i].index = i;
		u64_stats_init(&vi->sq[i].stats.syncp);
		netif_napi_add_tx(vi->dev, &vi->sq[i].napi, vgn_tx_poll);
	}
	return 0;
}

static void vgn_queues_free(struct vgn_priv *vi)
{
	unsigned int i;

	for (i = 0; i < vi->max_pairs; i++) {
		netif_napi_del(&vi->rq[i].napi);
		netif_napi_del(&vi->sq[i].napi);
	}
	kfree(vi->sq);
	kfree(vi->rq);
}

/* Return every buffer still in the rings; the device must be reset. */
static void vgn_free_unused(struct vgn_priv *vi)
{
	unsigned int i;

	for (i = 0; i < vi->max_pairs; i++) {
		vgn_rx_free_unused(&vi->rq[i]);
		vgn_rx_spare_free(&vi->rq[i]);
		vgn_tx_free_unused(&vi->sq[i]);
		if (vi->rq[i].frag.page)
			put_page(vi->rq[i].frag.page);
	}
}

/* Register the interface and start the device, all under RTNL. */
static int vgn_register(struct vgn_priv *vi)
{
	u16 pairs = min_t(u16, vi->max_pairs, num_online_cpus());
	int err;

	rtnl_lock();
	err = register_netdevice(vi->dev);
	if (err) {
		rtnl_unlock();
		return err;
	}
	virtio_device_ready(vi->vdev);
	if (vgn_set_pairs(vi, pairs))
		dev_warn(&vi->vdev->dev, "staying on one queue pair\n");
	/* The device filters on the address it knows: tell it ours. */
	if (!virtio_has_feature(vi->vdev, VIRTIO_NET_F_MAC) &&
	    virtio_has_feature(vi->vdev, VIRTIO_NET_F_CTRL_MAC_ADDR) &&
	    vgn_ctrl_set_mac(vi, vi->dev->dev_addr))
		dev_warn(&vi->vdev->dev, "the device refused MAC %pM\n",
			 vi->dev->dev_addr);
	rtnl_unlock();
	return 0;
}

static int vgn_probe(struct virtio_device *vdev)
{
	u16 max_pairs = vgn_read_max_pairs(vdev);
	struct net_device *dev;
	struct vgn_priv *vi;
	int err;

	dev = alloc_etherdev_mq(sizeof(*vi), max_pairs);
	if (!dev)
		return -ENOMEM;
	SET_NETDEV_DEV(dev, &vdev->dev);
	vi = netdev_priv(dev);
	vi->vdev = vdev;
	vi->dev = dev;
	vi->max_pairs = max_pairs;
	vi->curr_pairs = 1;
	vdev->priv = vi;
	mutex_init(&vi->ctrl_lock);
	spin_lock_init(&vi->work_lock);
	INIT_WORK(&vi->config_work, vgn_config_work);
	INIT_WORK(&vi->rx_mode_work, vgn_rx_mode_work);
	INIT_DELAYED_WORK(&vi->refill_work, vgn_rx_refill_work);

	vgn_apply_features(vi);
	vgn_read_config(vi);
	vgn_rx_size_chains(vi);
	vgn_netdev_setup(vi);

	err = vgn_ctrl_init(vi);
	if (err)
		goto err_free_dev;
	err = vgn_queues_alloc(vi);
	if (err)
		goto err_ctrl;
	err = vgn_vqs_init(vi);
	if (err)
		goto err_queues;
	netif_set_real_num_tx_queues(dev, 1);
	netif_set_real_num_rx_queues(dev, 1);
	err = vgn_register(vi);
	if (err)
		goto err_vqs;
	vgn_works_enable(vi);
	netdev_info(dev, "virtio-net %pM, %u queue pair(s), %s rx buffers\n",
		    dev->dev_addr, vi->max_pairs,
		    vi->mergeable ? "mergeable" : "page");
	return 0;

err_vqs:
	virtio_reset_device(vdev);
	vgn_free_unused(vi);
	vdev->config->del_vqs(vdev);
err_queues:
	vgn_queues_free(vi);
err_ctrl:
	vgn_ctrl_uninit(vi);
err_free_dev:
	free_netdev(dev);
	return err;
}

static void vgn_remove(struct virtio_device *vdev)
{
	struct vgn_priv *vi = vdev->priv;

	vgn_works_disable(vi);
	unregister_netdev(vi->dev);
	virtio_reset_device(vdev);
	vgn_free_unused(vi);
	vdev->config->del_vqs(vdev);
	vgn_queues_free(vi);
	vgn_ctrl_uninit(vi);
	free_netdev(vi->dev);
}

static struct virtio_driver vgn_driver = {
	.feature_table		= vgn_features,
	.feature_table_size	= ARRAY_SIZE(vgn_features),
	.feature_table_legacy	= vgn_features_legacy,
	.feature_table_size_legacy = ARRAY_SIZE(vgn_features_legacy),
	.driver.name		= KBUILD_MODNAME,
	/* 6.12's register_virtio_driver() sets it too; 6.1's does not. */
	.driver.owner		= THIS_MODULE,
	.id_table		= vgn_id_table,
	.validate		= vgn_validate,
	.probe			= vgn_probe,
	.remove			= vgn_remove,
	.config_changed		= vgn_config_changed,
};

static int __init vgn_init(void)
{
	return register_virtio_driver(&vgn_driver);
}

static void __exit vgn_exit(void)
{
	unregister_virtio_driver(&vgn_driver);
}

module_init(vgn_init);
module_exit(vgn_exit);

MODULE_DEVICE_TABLE(virtio, vgn_id_table);
MODULE_DESCRIPTION("virtio-net guest driver of the vhostfp project");
MODULE_AUTHOR("The vhostfp developers");
MODULE_VERSION(VGN_VERSION);
MODULE_LICENSE("GPL");
