// SPDX-License-Identifier: GPL-2.0
/*
 * The process side of observe.py: a device with traffic behind it, held
 * open while observe.py reads it from outside (vhostfp-stat, the netlink
 * dump, ynl, tracefs), and the cases that should fire each tracepoint.
 *
 *   observe tun|macvtap [packed]
 *
 * tun:     a tap of its own (TAP_NAME, private netns), N frames each way
 *          (VFP_PKTS, default 1000), byte-exact (traffic.c); zero-copy on,
 *          at most one buffer in flight: others fall back to a copy.
 * macvtap: vfpmvt0 on a veth, two queues open (/dev/tapN twice), the
 *          device on the second: its queue index is 1.  N frames from
 *          the guest only: frames to it would be spread over both queues.
 *
 * Then it prints one JSON line: who it is (pid, device fd, the backend's
 * name, ifindex, queue) and the counters of both queues read through
 * VHOST_FP_GET_VQ_STATS, and takes commands, one a line, each answered
 * with one JSON line:
 *
 *   stats        the counters again
 *   restart      SET_BACKEND -1 then the backend again, both queues
 *                (vfp_queue_stop / vfp_queue_start)
 *   guest-error  a TX descriptor outside guest memory (vfp_guest_error)
 *   short-tx     a 4-byte TX buffer, shorter than a virtio-net header: a
 *                guest error and a drop (vfp_drop)
 *   quit         close everything and exit 0
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_tun.h>

#include "common.h"

#define MVT_NAME	"vfpmvt0"
#define MVT_MAC		"02:00:00:00:00:01"
#define VETH_NAME	"vfpveth0"
#define VETH_PEER	"vfpveth1"

static const struct { const char *name; } counters[] = {
#define VHOST_FP_COUNTER(n, ...) { .name = #n },
#include <linux/vhost_fp_counters.h>
};

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define NCOUNTERS	ARRAY_SIZE(counters)

static struct guest_dev dev;
static struct guest_tap tap;
static int mvt_queue0 = -1;	/* macvtap: the queue nobody serves */
static char mvt_name[IFNAMSIZ];
static int mvt_ifindex;

static void die(const char *what, int err)
{
	printf("{\"error\": \"%s: %s\"}\n", what, strerror(err < 0 ? -err : err));
	exit(1);
}

static int macvtap_open(int hdr_len)
{
	char path[32];
	int fd, ret;

	memset(&tap, 0, sizeof(tap));
	dev_tap_reset(&dev, &tap);
	if (sh("ip link add " VETH_NAME " type veth peer name " VETH_PEER) ||
	    sh("ip link add link " VETH_NAME " name " MVT_NAME " address " MVT_MAC
	       " type macvtap mode bridge") ||
	    sh("ip link set " VETH_PEER " mtu 65521 up && ip link set " VETH_NAME
	       " mtu 65521 up && ip link set " MVT_NAME " mtu 65521 up"))
		return -ENODEV;
	mvt_ifindex = if_nametoindex(MVT_NAME);
	snprintf(mvt_name, sizeof(mvt_name), MVT_NAME);
	snprintf(path, sizeof(path), "/dev/tap%d", mvt_ifindex);
	mvt_queue0 = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (mvt_queue0 < 0 || fd < 0)
		return -errno;
	tap.fd = fd;
	ret = xioctl(fd, TUNSETVNETHDRSZ, &hdr_len);
	if (!ret)
		ret = xioctl(fd, TUNSETOFFLOAD, (void *)(unsigned long)TUN_F_CSUM);
	tap.hdr_len = hdr_len;
	snprintf(tap.name, sizeof(tap.name), MVT_NAME);
	/* The packet sockets live on the far end of the veth. */
	tap.ifindex = if_nametoindex(VETH_PEER);
	return ret;
}

static void print_stats(void)
{
	for (unsigned int q = 0; q < 2; q++) {
		struct vhost_fp_vq_stats_ext ext = {};
		struct vhost_fp_vq_stats_req req = {
			.index = q, .size = sizeof(ext), .addr = (unsigned long)&ext,
		};
		const __u64 *v = (const __u64 *)&ext;
		int ret = xioctl(dev.fd, VHOST_FP_GET_VQ_STATS, &req);

		if (ret)
			die("VHOST_FP_GET_VQ_STATS", ret);
		printf("%s{", q ? ", " : "\"stats\": [");
		for (unsigned int i = 0; i < NCOUNTERS; i++)
			printf("%s\"%s\": %llu", i ? ", " : "", counters[i].name,
			       (unsigned long long)v[i]);
		printf("}");
	}
	printf("]");
}

static void restart(void)
{
	for (unsigned int q = 0; q < 2; q++) {
		int ret = guest_set_backend(dev.fd, q, -1);

		if (!ret)
			ret = guest_set_backend(dev.fd, q, tap.fd);
		if (ret)
			die("VHOST_NET_SET_BACKEND", ret);
	}
}

/* One TX buffer at @gpa of @len bytes: the device must report an error. */
static void bad_tx(__u64 gpa, __u32 len)
{
	struct guest_vq *vq = &dev.vq[VQ_TX];
	__u64 one = 1;

	guest_eventfd_drain(vq->err);
	guest_vq_set_desc(vq, 0, gpa, len, 0, 0);
	guest_vq_add(vq, 0);
	guest_vq_publish(vq);
	if (write(vq->kick, &one, sizeof(one)) != sizeof(one))
		die("kick", errno);
	if (guest_eventfd_wait(vq->err, 10000) <= 0)
		die("no error eventfd", ETIMEDOUT);
}

int main(int argc, char **argv)
{
	bool macvtap = argc > 1 && !strcmp(argv[1], "macvtap");
	bool packed = argc > 2 && !strcmp(argv[2], "packed");
	__u64 want = features_for(true, false, true);
	unsigned long n = env_ulong("VFP_PKTS", 1000);
	struct traffic_cfg cfg;
	struct traffic t;
	char line[64];
	int ret;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (packed)
		want |= F(VIRTIO_F_RING_PACKED);
	dev_tap_reset(&dev, &tap);
	traffic_cfg_default(&cfg, true);
	cfg.gso = false;
	cfg.tx_in_order = false;	/* zero-copy may complete out of order */
	cfg.tx_packets = n;
	cfg.rx_packets = macvtap ? 0 : n;
	ret = tap_netns_enter();
	if (!ret)
		ret = macvtap ? macvtap_open(cfg.hdr_len) :
				tap_open(&tap, TAP_NAME, cfg.hdr_len, TAP_OFFLOADS);
	if (!ret)
		ret = tap_open_sockets(&tap);
	if (ret)
		die("backend", ret);
	ret = guest_dev_open(&dev, true);
	if (!ret)
		ret = guest_dev_start(&dev, want, RING_NUM, tap.fd);
	if (ret)
		die(dev.failed_op ?: "open", ret);
	if (!macvtap) {
		struct vhost_fp_tunables tun;

		ret = xioctl(dev.fd, VHOST_FP_GET_TUNABLES, &tun);
		tun.flags |= VHOST_FP_F_ZEROCOPY;
		tun.zc_max_pending = 1;
		if (!ret)
			ret = xioctl(dev.fd, VHOST_FP_SET_TUNABLES, &tun);
		if (ret)
			die("VHOST_FP_SET_TUNABLES", ret);
	}
	ret = traffic_init(&t, &dev, &tap, &cfg);
	if (!ret)
		ret = traffic_run(&t);
	if (ret) {
		printf("{\"error\": \"traffic: %s\"}\n", t.err);
		return 1;
	}
	printf("{\"pid\": %d, \"fd\": %d, \"kind\": \"%s\", ", getpid(), dev.fd,
	       macvtap ? "macvtap" : "tun");
	printf("\"ifname\": \"%s\", \"ifindex\": %d, \"queue\": %d, ",
	       macvtap ? mvt_name : tap.name, macvtap ? mvt_ifindex : tap.ifindex,
	       macvtap ? 1 : -1);
	printf("\"ring\": \"%s\", \"features\": %llu, ", packed ? "packed" : "split",
	       (unsigned long long)dev.features);
	printf("\"tx_frames\": %lu, \"rx_frames\": %lu, \"stray\": %lu, ", t.tx_seen,
	       t.rx_recv, t.stray);
	print_stats();
	printf("}\n");
	while (fgets(line, sizeof(line), stdin)) {
		if (!strcmp(line, "stats\n")) {
			printf("{");
			print_stats();
			printf("}\n");
			continue;
		}
		if (!strcmp(line, "quit\n"))
			break;
		if (!strcmp(line, "restart\n"))
			restart();
		else if (!strcmp(line, "guest-error\n"))
			/* Past the end of guest memory. */
			bad_tx(GUEST_GPA_BASE + GUEST_MEM_SIZE + 4096, 64);
		else if (!strcmp(line, "short-tx\n"))
			bad_tx(guest_alloc(&dev.mem, 64, 64), 4);
		else
			die(line, EINVAL);
		printf("{\"ok\": true}\n");
	}
	traffic_fini(&t);
	guest_dev_close(&dev);
	tap_close(&tap);
	if (mvt_queue0 >= 0)
		close(mvt_queue0);
	return 0;
}
