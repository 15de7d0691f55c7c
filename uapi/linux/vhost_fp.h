/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vhostfp: a vhost-net compatible host data path.
 *
 * /dev/vhost-fp speaks the vhost-kernel ABI of <linux/vhost.h> (one open
 * file is one RX/TX queue pair, exactly like /dev/vhost-net).  This header
 * only holds what vhostfp adds on top: statistics and tunables.
 *
 * Our ioctls live in the VHOST_VIRTIO (0xAF) space at numbers 0xF0..0xFF,
 * which <linux/vhost.h> leaves unused.
 */
#ifndef _UAPI_LINUX_VHOST_FP_H
#define _UAPI_LINUX_VHOST_FP_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define VHOST_FP_DEVICE_NAME	"vhost-fp"

/* Same magic as <linux/vhost.h>; kept here so this header stands alone. */
#define VHOST_FP_IOC_MAGIC	0xAF

/* Queue indexes of one device: the same map as vhost-net. */
#define VHOST_FP_VQ_RX		0
#define VHOST_FP_VQ_TX		1
#define VHOST_FP_NVQS		2

/*
 * Version of struct vhost_fp_stats; bumped when counters are added (they
 * take reserved fields, which older versions leave zero):
 * 2: busy_polls, busy_poll_hits, busy_poll_ns.
 * 3: iotlb_misses, iotlb_updates, iotlb_invalidates.
 */
#define VHOST_FP_STATS_VERSION	3

/*
 * Counters of one virtqueue since the device was opened: they survive
 * RESET_OWNER (a guest reboot), and go with the last close.
 * They are sampled without locking: each value is exact, the set is not
 * a single snapshot.
 */
struct vhost_fp_vq_stats {
	__u64 packets;		/* packets moved (guest<->tap) */
	__u64 bytes;		/* payload bytes moved, virtio header excluded */
	__u64 zc_sent;		/* TX: packets handed to the tap zero-copy */
	__u64 zc_completed;	/* TX: zero-copy buffers given back to guest */
	__u64 zc_copied;	/* TX: zero-copy wanted, copied instead */
	__u64 kicks;		/* guest notifications handled */
	__u64 calls;		/* interrupts (call eventfd) sent to guest */
	__u64 batches;		/* used ring index publications */
	__u64 drops;		/* packets dropped (tap error, no room) */
	__u64 guest_errors;	/* malformed rings/descriptors seen */
	/* Since version 2, with VHOST_SET_VRING_BUSYLOOP_TIMEOUT: */
	__u64 busy_polls;	/* times the worker busy polled when idle */
	__u64 busy_poll_hits;	/* ... and found work before the timeout */
	__u64 busy_poll_ns;	/* time spent busy polling, nanoseconds */
	/* Since version 3, with VIRTIO_F_ACCESS_PLATFORM (a vIOMMU): */
	__u64 iotlb_misses;	/* VHOST_IOTLB_MISS messages this queue queued */
	/* Device-wide (the same in every queue's entry): */
	__u64 iotlb_updates;	/* VHOST_IOTLB_UPDATE messages taken */
	__u64 iotlb_invalidates; /* VHOST_IOTLB_INVALIDATE messages taken */
};

struct vhost_fp_stats {
	__u32 version;		/* out: VHOST_FP_STATS_VERSION */
	__u32 nvqs;		/* out: VHOST_FP_NVQS */
	struct vhost_fp_vq_stats vq[VHOST_FP_NVQS];
};

/* vhost_fp_tunables.flags */
#define VHOST_FP_F_ZEROCOPY	0x1U	/* guest TX zero-copy on */

struct vhost_fp_tunables {
	__u32 flags;		/* VHOST_FP_F_* */
	__u32 zc_threshold;	/* TX packets of at least this many bytes go zero-copy */
	__u32 zc_max_pending;	/* bound on zero-copy buffers in flight; 0: ring size / 2 */
	__u32 padding;		/* must be zero */
};

/*
 * VHOST_FP_GET_STATS: read the per-queue counters of this device.
 * Allowed at any time after open (counters are zero before SET_OWNER).
 */
#define VHOST_FP_GET_STATS	_IOR(VHOST_FP_IOC_MAGIC, 0xF0, struct vhost_fp_stats)

/*
 * VHOST_FP_GET_TUNABLES: read this device's tunables.  After open they
 * hold the module parameters' defaults.
 */
#define VHOST_FP_GET_TUNABLES	_IOR(VHOST_FP_IOC_MAGIC, 0xF1, struct vhost_fp_tunables)

/*
 * VHOST_FP_SET_TUNABLES: change this device's tunables.  Needs SET_OWNER
 * first (-EPERM otherwise); unknown flags or non-zero padding: -EINVAL.
 * Takes effect for the next packet; buffers already in flight zero-copy
 * complete as before.
 */
#define VHOST_FP_SET_TUNABLES	_IOW(VHOST_FP_IOC_MAGIC, 0xF2, struct vhost_fp_tunables)

#endif /* _UAPI_LINUX_VHOST_FP_H */
