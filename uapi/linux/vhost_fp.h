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
 * Version of the counters, bumped when counters are added:
 * 2: busy_polls, busy_poll_hits, busy_poll_ns.
 * 3: iotlb_misses, iotlb_updates, iotlb_invalidates.
 * 4: struct vhost_fp_vq_stats_ext and VHOST_FP_GET_VQ_STATS: zc_inflight,
 *    zc_oldest_ns, zc_stop_waits, zc_stop_bufs, zc_stop_wait_ns,
 *    zc_orphaned.
 *
 * struct vhost_fp_stats (VHOST_FP_GET_STATS) holds the counters of
 * version 3 and never changes: binaries built against it keep working.
 * New counters are appended to struct vhost_fp_vq_stats_ext only, and
 * VHOST_FP_GET_VQ_STATS says how many bytes of it the module filled, so a
 * tool knows which fields the module it talks to has.
 */
#define VHOST_FP_STATS_VERSION	4

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

/* One queue's counters, all of them; new ones are only ever appended. */
struct vhost_fp_vq_stats_ext {
	struct vhost_fp_vq_stats base;	/* the counters of version 3 */
	/*
	 * Since version 4: zero-copy buffers held by the host's egress (a
	 * qdisc, a NIC's TX ring) while the guest waits for them.  TX only.
	 */
	__u64 zc_inflight;	/* buffers in flight now */
	__u64 zc_oldest_ns;	/* age of the oldest of them, nanoseconds */
	__u64 zc_stop_waits;	/* stops (SET_BACKEND) that waited for some */
	__u64 zc_stop_bufs;	/* buffers those stops waited for */
	__u64 zc_stop_wait_ns;	/* time those stops waited, nanoseconds */
	__u64 zc_orphaned;	/* buffers given up at close or RESET_OWNER */
};

struct vhost_fp_vq_stats_req {
	__u32 index;		/* in: VHOST_FP_VQ_RX or VHOST_FP_VQ_TX */
	__u32 size;		/* in: bytes at addr; out: bytes written */
	__u64 addr;		/* in: a struct vhost_fp_vq_stats_ext (or a prefix) */
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
 * VHOST_FP_GET_VQ_STATS: read one queue's counters into the caller's
 * struct vhost_fp_vq_stats_ext: min(size, the module's size) bytes.  size
 * comes back as the bytes written: fields past it are ones the module
 * does not have.  Allowed at any time after open; bad index: -ENOBUFS.
 */
#define VHOST_FP_GET_VQ_STATS	_IOWR(VHOST_FP_IOC_MAGIC, 0xF3, struct vhost_fp_vq_stats_req)

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
