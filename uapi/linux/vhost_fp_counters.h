/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vhostfp: the per-queue counters, listed once.
 *
 * Everything that names a counter comes from this list: the fields of
 * struct vhost_fp_vq_stats and struct vhost_fp_vq_stats_ext
 * (<linux/vhost_fp.h>), the module's own counters and its debugfs text,
 * the counter attributes of the vhostfp netlink family's queue nest (the
 * i-th entry is attribute VHOST_FP_A_QUEUE_COUNTERS + i), the netlink spec
 * Documentation/netlink/specs/vhostfp.yaml (generated from it, "make
 * spec-check" compares), and vhostfp-stat's columns.
 *
 * There is no include guard: the includer defines VHOST_FP_COUNTER(name,
 * kind, doc) for the entries of struct vhost_fp_vq_stats, and may define
 * VHOST_FP_COUNTER_EXT() for those appended in struct
 * vhost_fp_vq_stats_ext (by default the same), then includes this file,
 * which undefines both at its end (as the kernel's kvm-x86-ops.h does).
 *
 *   name  the field, the debugfs key, the JSON key; with '-' for '_', the
 *         netlink attribute's name in the spec (zc-sent, ...)
 *   kind  COUNT   events of this queue since open
 *         DEVICE  events of the whole device (the same in every queue)
 *         GAUGE   a current value, not a count: it has no rate
 *   doc   what it counts, in one line
 *
 * Entries are only ever appended, at the end: their order is the ioctl
 * ABI's field order.
 */
#ifndef VHOST_FP_COUNTER_EXT
#define VHOST_FP_COUNTER_EXT VHOST_FP_COUNTER
#endif

/* struct vhost_fp_vq_stats: versions 1 to 3, frozen. */
VHOST_FP_COUNTER(packets, COUNT, "packets moved (guest<->tap)")
VHOST_FP_COUNTER(bytes, COUNT, "payload bytes moved, virtio header excluded")
VHOST_FP_COUNTER(zc_sent, COUNT, "TX: packets handed to the tap zero-copy")
VHOST_FP_COUNTER(zc_completed, COUNT, "TX: zero-copy buffers given back to the guest")
VHOST_FP_COUNTER(zc_copied, COUNT, "TX: zero-copy wanted, copied instead")
VHOST_FP_COUNTER(kicks, COUNT, "guest notifications handled")
VHOST_FP_COUNTER(calls, COUNT, "interrupts (call eventfd) sent to the guest")
VHOST_FP_COUNTER(batches, COUNT, "used ring index publications")
VHOST_FP_COUNTER(drops, COUNT, "packets dropped (tap error, no room)")
VHOST_FP_COUNTER(guest_errors, COUNT, "malformed rings or descriptors seen")
/* Version 2, with VHOST_SET_VRING_BUSYLOOP_TIMEOUT: */
VHOST_FP_COUNTER(busy_polls, COUNT, "times the worker busy polled when idle")
VHOST_FP_COUNTER(busy_poll_hits, COUNT, "busy polls that found work before the timeout")
VHOST_FP_COUNTER(busy_poll_ns, COUNT, "time spent busy polling, nanoseconds")
/* Version 3, with VIRTIO_F_ACCESS_PLATFORM (a vIOMMU): */
VHOST_FP_COUNTER(iotlb_misses, COUNT, "VHOST_IOTLB_MISS messages this queue queued")
VHOST_FP_COUNTER(iotlb_updates, DEVICE, "VHOST_IOTLB_UPDATE messages taken")
VHOST_FP_COUNTER(iotlb_invalidates, DEVICE, "VHOST_IOTLB_INVALIDATE messages taken")

/*
 * struct vhost_fp_vq_stats_ext, version 4 on.  Zero-copy buffers held by
 * the host's egress (a qdisc, a NIC's TX ring) while the guest waits for
 * them: TX only.
 */
VHOST_FP_COUNTER_EXT(zc_inflight, GAUGE, "TX: zero-copy buffers held by the host's egress now")
VHOST_FP_COUNTER_EXT(zc_oldest_ns, GAUGE, "TX: age of the oldest of them, nanoseconds")
VHOST_FP_COUNTER_EXT(zc_stop_waits, COUNT, "TX: stops (SET_BACKEND) that waited for some")
VHOST_FP_COUNTER_EXT(zc_stop_bufs, COUNT, "TX: buffers those stops waited for")
VHOST_FP_COUNTER_EXT(zc_stop_wait_ns, COUNT, "TX: time those stops waited, nanoseconds")
VHOST_FP_COUNTER_EXT(zc_orphaned, COUNT, "TX: zero-copy buffers given up at close or RESET_OWNER")

#undef VHOST_FP_COUNTER
#undef VHOST_FP_COUNTER_EXT
