/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the test programs share beyond the guest library: which device a
 * variant runs on, the feature set, and the vhost-fp extras.
 */
#ifndef _VHOSTFP_SELFTEST_COMMON_H
#define _VHOSTFP_SELFTEST_COMMON_H

#include <pthread.h>
#include <linux/vhost_fp.h>

#include "guest.h"
#include "traffic.h"

#define RING_NUM	256
#define TAP_NAME	"vfptap0"
#define TAP_OFFLOADS	(TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6)

#define F(bit)		(1ULL << (bit))

/* Why a device cannot run this variant here, or NULL when it can. */
const char *device_unusable(bool fp, int zerocopy);

/* Marks @dev and @tap closed: a teardown after an early skip is harmless. */
void dev_tap_reset(struct guest_dev *dev, struct guest_tap *tap);
/*
 * Enters the test namespace and opens TAP_NAME (12-byte headers,
 * TAP_OFFLOADS) and the device: 0 or -errno.
 */
int dev_tap_open(struct guest_dev *dev, struct guest_tap *tap, bool fp);

__u64 features_for(bool event_idx, bool indirect, bool mrg);
int features_check(int fd, __u64 want, __u64 *have);

/* vhost-fp only: zero-copy on or off for one device (needs an owner). */
int fp_set_zerocopy(int fd, bool on);
int fp_get_stats(int fd, struct vhost_fp_stats *st);

/* vhost_net's experimental_zcopytx, or -1 when it cannot be read. */
int vhost_net_zcopytx(void);

double now_s(void);

/*
 * A complete second device on its own tap (@tapname, in the current
 * namespace) moving @n frames each way byte-exact: proof that the device
 * under test did not take the driver down with it.  0, or -1 and @err.
 */
int other_device_moves(bool fp, const char *tapname, unsigned long n,
		       char *err, size_t errlen);

/* A shell command, printf-style: its exit status, or -1. */
int sh(const char *fmt, ...);

/*
 * The held egress of hol.c and stop.c, built in the current namespace:
 *
 *   TAP_NAME ==vfpbr0== vfpd0  root qdisc @qdisc: holds; mac_held behind it
 *                \====== vfpd1  frees at once; mac_free behind it
 *
 * 0, or -1 when a command failed (no bridge, dummy or qdisc module).
 */
extern const __u8 mac_held[6], mac_free[6];
int held_egress_build(const char *qdisc);

/* Counter @field of netdev @dev in this namespace's /proc/net/dev. */
enum { NETDEV_RX_PACKETS = 1, NETDEV_TX_PACKETS = 9 };
unsigned long netdev_stat(const char *dev, unsigned int field);

/*
 * One ioctl in a thread of its own, so that one that blocks fails a test
 * instead of hanging it.  The argument is copied in (at most sizeof(arg)
 * bytes) and, once ioctl_wait() said the ioctl returned, is read back
 * from job->arg: a job left blocked writes nothing of the caller's.
 */
struct ioctl_job {
	int fd;
	unsigned long req;
	union {
		struct vhost_vring_state state;
		struct vhost_vring_file file;
		struct vhost_fp_stats stats;
	} arg;
	int ret;
	int done;		/* eventfd: written once the ioctl returned */
	pthread_t thread;
};

struct ioctl_job *ioctl_start(int fd, unsigned long req, const void *arg,
			      size_t len);
/* 0 once the ioctl returned (the job is still the caller's), or -ETIMEDOUT. */
int ioctl_wait(struct ioctl_job *job, int timeout_ms);

/*
 * An RX packet bigger than the buffer (bad_ring.c on a tap, backend.c on a
 * macvtap): on a started device without mergeable buffers, one 212-byte
 * RX buffer at @buf (head 0), then a 1000-byte frame and a 100-byte one
 * from the backend's tx_sock.  What the guest got, for the test to judge:
 * 0, or -errno when the frames could not be sent.
 */
struct rx_too_big {
	__u16 used_idx;		/* used entries after the wait */
	__u32 used_len;		/* the first one's length (12 + 100 wanted) */
	bool frame_ok;		/* its bytes are the 100-byte frame's */
	char why[128];		/* ... or why not */
	bool err_fired;		/* the error eventfd fired */
	unsigned long long drops; /* vhost-fp's RX drops */
};

int rx_too_big_run(struct guest_dev *d, struct guest_tap *t, __u64 buf,
		   struct rx_too_big *r);

/* close(@fd) must return within @timeout_ms: 0 or -ETIMEDOUT. */
int close_bounded(int fd, int timeout_ms);
struct close_job;
struct close_job *close_start(int fd);
int close_wait(struct close_job *job, int timeout_ms);

/* A thread sending @len-byte frames on @sock until *@stop. */
struct flood {
	int sock;
	unsigned int len;
	bool stop;		/* atomic */
	unsigned long sent;
	pthread_t thread;
};

int flood_start(struct flood *f, int sock, unsigned int len);
void flood_stop(struct flood *f);

#endif /* _VHOSTFP_SELFTEST_COMMON_H */
