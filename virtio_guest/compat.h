/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernels virtio_guest builds for (Debian 12's
 * 6.1 and 6.12) lives here, force-included by Kbuild, so that the .c files
 * hold no version test. Kbuild detects each API in the kernel headers and
 * defines VGN_HAVE_<feature>; each helper here is named after what it does.
 */
#ifndef _VIRTIO_GUEST_COMPAT_H
#define _VIRTIO_GUEST_COMPAT_H

/*
 * Force-included ahead of every other header, so the module's message
 * prefix is set here, once, before printk.h supplies its default.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/netdevice.h>
#include <linux/virtio_config.h>
#include <net/xdp.h>

/*
 * virtio_find_vqs(): 6.11 (VGN_HAVE_VQ_INFO) folded the names, callbacks and ctx arrays into
 * one array of struct virtqueue_info.
 */
#ifdef VGN_HAVE_VQ_INFO
static inline int vgn_find_vqs(struct virtio_device *vdev, unsigned int nvqs,
			       struct virtqueue *vqs[],
			       vq_callback_t *callbacks[],
			       const char * const names[], const bool *ctx)
{
	struct virtqueue_info *info;
	unsigned int i;
	int err;

	info = kcalloc(nvqs, sizeof(*info), GFP_KERNEL);
	if (!info)
		return -ENOMEM;
	for (i = 0; i < nvqs; i++) {
		info[i].name = names[i];
		info[i].callback = callbacks[i];
		info[i].ctx = ctx[i];
	}
	err = virtio_find_vqs(vdev, nvqs, vqs, info, NULL);
	kfree(info);
	return err;
}
#else
static inline int vgn_find_vqs(struct virtio_device *vdev, unsigned int nvqs,
			       struct virtqueue *vqs[],
			       vq_callback_t *callbacks[],
			       const char * const names[], const bool *ctx)
{
	return virtio_find_vqs_ctx(vdev, nvqs, vqs, callbacks, names, ctx,
				   NULL);
}
#endif

/*
 * XDP feature flags (6.3+, VGN_HAVE_XDP_FEATURES): an interface advertises what XDP it supports;
 * devmap refuses to redirect to one that does not claim NDO_XMIT.
 */
#ifdef VGN_HAVE_XDP_FEATURES
static inline void vgn_xdp_features_set(struct net_device *dev)
{
	xdp_set_features_flag(dev, NETDEV_XDP_ACT_BASIC |
				   NETDEV_XDP_ACT_REDIRECT |
				   NETDEV_XDP_ACT_NDO_XMIT);
}
#else
static inline void vgn_xdp_features_set(struct net_device *dev)
{
}
#endif

/*
 * Per-queue counters in the netdev netlink family (6.9+, VGN_HAVE_QSTATS):
 * qstats.c, built only where the kernel has struct netdev_stat_ops.
 */
#ifdef VGN_HAVE_QSTATS
extern const struct netdev_stat_ops vgn_stat_ops;

static inline void vgn_qstats_init(struct net_device *dev)
{
	dev->stat_ops = &vgn_stat_ops;
}
#else
static inline void vgn_qstats_init(struct net_device *dev)
{
}
#endif

#endif /* _VIRTIO_GUEST_COMPAT_H */
