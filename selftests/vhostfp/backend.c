// SPDX-License-Identifier: GPL-2.0
/*
 * Backends and busy polling, on /dev/vhost-net and /dev/vhost-fp.
 *
 * macvtap: a macvtap (mode bridge) on one end of a veth pair is the
 * backend; the packet sockets sit on the other end:
 *
 *   guest TX ring -> device -> /dev/tapN -> vfpmvt0 -> vfpveth0 ==veth==
 *                                                      vfpveth1 -> rx_sock
 *   guest RX ring <- device <- /dev/tapN <- vfpmvt0 <- vfpveth0 ==veth==
 *                    (MAC 02:00:00:00:00:01)           vfpveth1 <- tx_sock
 *
 * Frames go byte-exact both ways; then every kind of file that is not a
 * tap must be refused with an error, leaving the attached macvtap working.
 *
 * busyloop: VHOST_SET/GET_VRING_BUSYLOOP_TIMEOUT round-trip per queue, and
 * on vhost-fp, with a timeout set, the counters show that the worker
 * polled (and without one, that it did not).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <linux/if_tun.h>

#include "kselftest_harness.h"
#include "common.h"

#define MVT_NAME	"vfpmvt0"
#define MVT_MAC		"02:00:00:00:00:01"	/* frame.c: "to the guest" */
#define VETH_NAME	"vfpveth0"
#define VETH_PEER	"vfpveth1"
#define MVT_MTU		"65521"			/* a tap's: 64 KiB frames */
#define BUSYLOOP_US	50

static int run(const char *cmd)
{
	int ret = system(cmd);

	return ret == 0 ? 0 : -1;
}

/*
 * The macvtap's character device, /dev/tap<ifindex>, set up like a tap:
 * a virtio-net header of @hdr_len bytes, checksum offload.
 */
static int macvtap_open(struct guest_tap *t, int hdr_len)
{
	char path[32];
	int ifindex, ret;

	memset(t, 0, sizeof(*t));
	t->fd = -1;
	t->tx_sock = -1;
	t->rx_sock = -1;
	if (run("ip link add " VETH_NAME " type veth peer name " VETH_PEER) ||
	    run("ip link add link " VETH_NAME " name " MVT_NAME " address " MVT_MAC
		" type macvtap mode bridge") ||
	    run("ip link set " VETH_PEER " mtu " MVT_MTU " up && ip link set "
		VETH_NAME " mtu " MVT_MTU " up && ip link set " MVT_NAME " mtu "
		MVT_MTU " up"))
		return -ENODEV;
	ifindex = if_nametoindex(MVT_NAME);
	if (!ifindex)
		return -ENODEV;
	snprintf(path, sizeof(path), "/dev/tap%d", ifindex);
	t->fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (t->fd < 0)
		return -errno;
	ret = xioctl(t->fd, TUNSETVNETHDRSZ, &hdr_len);
	if (!ret)
		ret = xioctl(t->fd, TUNSETOFFLOAD, (void *)(unsigned long)TUN_F_CSUM);
	if (ret)
		return ret;
	snprintf(t->name, sizeof(t->name), "%s", MVT_NAME);
	t->hdr_len = hdr_len;
	/* The packet sockets live on the far end of the veth. */
	t->ifindex = if_nametoindex(VETH_PEER);
	return t->ifindex ? 0 : -ENODEV;
}

/* A tun queue (and its tap netdev) of our own. */
static int tun_open(struct guest_tap *t, int hdr_len)
{
	return tap_open(t, TAP_NAME, hdr_len, TAP_OFFLOADS);
}

struct backend_state {
	struct guest_dev dev;
	struct guest_tap tap;
	struct traffic traffic;
	struct traffic_cfg cfg;
	bool traffic_ready;
};

static void state_init(struct backend_state *s)
{
	memset(s, 0, sizeof(*s));
	dev_tap_reset(&s->dev, &s->tap);
}

static void state_fini(struct backend_state *s)
{
	if (s->traffic_ready)
		traffic_fini(&s->traffic);
	guest_dev_close(&s->dev);
	tap_close(&s->tap);
}

/* Frames both ways, byte-exact, through whatever backend is attached. */
static int state_traffic(struct backend_state *s, unsigned long n)
{
	int ret;

	s->cfg.tx_packets = n;
	s->cfg.rx_packets = n;
	ret = traffic_init(&s->traffic, &s->dev, &s->tap, &s->cfg);
	s->traffic_ready = !ret;
	return ret ?: traffic_run(&s->traffic);
}

FIXTURE(macvtap) {
	struct backend_state s;
};

FIXTURE_VARIANT(macvtap) {
	bool fp;
};

FIXTURE_VARIANT_ADD(macvtap, net) { .fp = false, };
FIXTURE_VARIANT_ADD(macvtap, fp) { .fp = true, };

FIXTURE_SETUP(macvtap)
{
	struct backend_state *s = &self->s;
	__u64 want = features_for(true, false, true), have;
	const char *why;
	int ret;

	state_init(s);
	why = device_unusable(variant->fp, -1);
	if (why)
		SKIP(return, "%s", why);
	traffic_cfg_default(&s->cfg, true);
	/* GSO frames would take the offload negotiation of a real NIC. */
	s->cfg.gso = false;
	/* vhost-fp may complete zero-copy buffers out of order. */
	s->cfg.tx_in_order = !variant->fp;

	ASSERT_EQ(0, tap_netns_enter());
	ret = macvtap_open(&s->tap, s->cfg.hdr_len);
	if (ret == -ENODEV)
		SKIP(return, "cannot create a macvtap on a veth (modules?)");
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, tap_open_sockets(&s->tap));
	ASSERT_EQ(0, guest_dev_open(&s->dev, variant->fp));
	ASSERT_EQ(0, guest_dev_set_owner(&s->dev));
	ASSERT_EQ(0, features_check(s->dev.fd, want, &have));
	ret = guest_dev_start(&s->dev, want, RING_NUM, s->tap.fd);
	if (ret)
		TH_LOG("%s: %s", s->dev.failed_op, strerror(-ret));
	ASSERT_EQ(0, ret);
}

FIXTURE_TEARDOWN(macvtap)
{
	state_fini(&self->s);
}

TEST_F(macvtap, traffic)
{
	struct vhost_fp_stats st;
	int ret;

	ret = state_traffic(&self->s, 1000);
	if (ret)
		TH_LOG("%s", self->s.traffic.err);
	ASSERT_EQ(0, ret);
	if (!variant->fp)
		return;
	ASSERT_EQ(0, fp_get_stats(self->s.dev.fd, &st));
	EXPECT_EQ(1000ULL, st.vq[VHOST_FP_VQ_TX].packets);
	EXPECT_LE(1000ULL, st.vq[VHOST_FP_VQ_RX].packets);
	EXPECT_EQ(0ULL, st.vq[VHOST_FP_VQ_TX].guest_errors);
	EXPECT_EQ(0ULL, st.vq[VHOST_FP_VQ_RX].guest_errors);
}

/*
 * On a macvtap as on a tap (bad_ring.c): without mergeable buffers, a
 * packet bigger than the buffer the guest posted is dropped (and counted,
 * on vhost-fp), never written in cut short.
 */
TEST_F(macvtap, rx_packet_too_big)
{
	__u64 want = F(VIRTIO_F_VERSION_1) | F(VIRTIO_RING_F_EVENT_IDX);
	struct backend_state *s = &self->s;
	struct rx_too_big r;
	__u64 buf;

	/* A device of its own on the macvtap, with no mergeable buffers. */
	guest_dev_close(&s->dev);
	ASSERT_EQ(0, guest_dev_open(&s->dev, variant->fp));
	ASSERT_EQ(0, guest_dev_start(&s->dev, want, RING_NUM, s->tap.fd));
	buf = guest_alloc(&s->dev.mem, 4096, 64);
	ASSERT_NE(0ULL, buf);
	ASSERT_EQ(0, rx_too_big_run(&s->dev, &s->tap, buf, &r));
	ASSERT_EQ(1, r.used_idx);
	EXPECT_EQ(12U + 100, r.used_len) {
		TH_LOG("the guest got %u bytes: the big packet cut short",
		       r.used_len);
	}
	EXPECT_TRUE(r.frame_ok) {
		TH_LOG("buffer: %s", r.why);
	}
	if (variant->fp)
		EXPECT_EQ(1ULL, r.drops);
}

/*
 * Files that are no tap.  vhost-fp says -ENOTSOCK to each (-EBADF to an
 * fd that is not open); vhost_net says -ENOTSOCK to all of them.  (It
 * would take an AF_PACKET raw socket, which vhost-fp does not.)
 */
struct not_a_tap {
	const char *what;
	int fd;
};

TEST_F(macvtap, refuse_non_tap)
{
	struct not_a_tap bad[] = {
		{ "UDP socket", socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0) },
		{ "TCP socket", socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0) },
		{ "eventfd", eventfd(0, EFD_CLOEXEC) },
		{ "/dev/null", open("/dev/null", O_RDWR | O_CLOEXEC) },
		{ "the device itself", self->s.dev.fd },
		{ "pipe", -1 },
		{ "closed fd", -1 },
	};
	unsigned int i, q, n = ARRAY_SIZE(bad);
	int pipefd[2], closed;

	ASSERT_EQ(0, pipe2(pipefd, O_CLOEXEC));
	bad[n - 2].fd = pipefd[0];
	closed = dup(pipefd[1]);
	ASSERT_LE(0, closed);
	close(closed);
	bad[n - 1].fd = closed;

	for (i = 0; i < n; i++) {
		int want = variant->fp && bad[i].fd == closed ? EBADF : ENOTSOCK;

		ASSERT_LE(0, bad[i].fd) TH_LOG("cannot open a %s", bad[i].what);
		for (q = 0; q < 2; q++) {
			int ret = guest_set_backend(self->s.dev.fd, q, bad[i].fd);

			EXPECT_EQ(-want, ret)
				TH_LOG("queue %u, backend %s: %s", q, bad[i].what,
				       strerror(-ret));
		}
	}
	for (i = 0; i < n; i++)
		if (bad[i].fd != self->s.dev.fd && bad[i].fd != closed)
			close(bad[i].fd);
	close(pipefd[1]);

	/* The refusals left the macvtap attached and working. */
	ASSERT_EQ(0, state_traffic(&self->s, 200)) TH_LOG("%s", self->s.traffic.err);
}

FIXTURE(busyloop) {
	struct backend_state s;
};

FIXTURE_VARIANT(busyloop) {
	bool fp;
	unsigned int timeout;	/* us, both queues */
};

FIXTURE_VARIANT_ADD(busyloop, net_off) { .fp = false, .timeout = 0, };
FIXTURE_VARIANT_ADD(busyloop, net_on) { .fp = false, .timeout = BUSYLOOP_US, };
FIXTURE_VARIANT_ADD(busyloop, fp_off) { .fp = true, .timeout = 0, };
FIXTURE_VARIANT_ADD(busyloop, fp_on) { .fp = true, .timeout = BUSYLOOP_US, };

static int busyloop_get(int fd, unsigned int index, unsigned int *us)
{
	struct vhost_vring_state s = { .index = index, .num = ~0U };
	int ret = xioctl(fd, VHOST_GET_VRING_BUSYLOOP_TIMEOUT, &s);

	*us = s.num;
	return ret;
}

static int busyloop_set(int fd, unsigned int index, unsigned int us)
{
	struct vhost_vring_state s = { .index = index, .num = us };

	return xioctl(fd, VHOST_SET_VRING_BUSYLOOP_TIMEOUT, &s);
}

FIXTURE_SETUP(busyloop)
{
	struct backend_state *s = &self->s;
	__u64 want = features_for(true, false, true);
	const char *why;
	int ret;

	state_init(s);
	why = device_unusable(variant->fp, -1);
	if (why)
		SKIP(return, "%s", why);
	traffic_cfg_default(&s->cfg, true);
	s->cfg.tx_in_order = !variant->fp;
	ASSERT_EQ(0, tap_netns_enter());
	ASSERT_EQ(0, tun_open(&s->tap, s->cfg.hdr_len));
	ASSERT_EQ(0, tap_open_sockets(&s->tap));
	ASSERT_EQ(0, guest_dev_open(&s->dev, variant->fp));
	ret = guest_dev_start(&s->dev, want, RING_NUM, -1);
	if (ret)
		TH_LOG("%s: %s", s->dev.failed_op, strerror(-ret));
	ASSERT_EQ(0, ret);
}

FIXTURE_TEARDOWN(busyloop)
{
	state_fini(&self->s);
}

TEST_F(busyloop, round_trip)
{
	int fd = self->s.dev.fd;
	unsigned int us;

	/* A fresh queue does not poll. */
	ASSERT_EQ(0, busyloop_get(fd, VQ_RX, &us));
	EXPECT_EQ(0U, us);
	/* Each queue keeps its own value. */
	ASSERT_EQ(0, busyloop_set(fd, VQ_RX, 7));
	ASSERT_EQ(0, busyloop_set(fd, VQ_TX, 1000000));
	ASSERT_EQ(0, busyloop_get(fd, VQ_RX, &us));
	EXPECT_EQ(7U, us);
	ASSERT_EQ(0, busyloop_get(fd, VQ_TX, &us));
	EXPECT_EQ(1000000U, us);
	ASSERT_EQ(0, busyloop_set(fd, VQ_TX, variant->timeout));
	ASSERT_EQ(0, busyloop_get(fd, VQ_TX, &us));
	EXPECT_EQ(variant->timeout, us);
	/* Beyond the queue pair. */
	EXPECT_EQ(-ENOBUFS, busyloop_set(fd, 2, 1));
	EXPECT_EQ(-ENOBUFS, busyloop_get(fd, 2, &us));
	/* It may change while a backend is attached. */
	ASSERT_EQ(0, guest_set_backend(fd, VQ_RX, self->s.tap.fd));
	ASSERT_EQ(0, busyloop_set(fd, VQ_RX, variant->timeout));
	ASSERT_EQ(0, busyloop_get(fd, VQ_RX, &us));
	EXPECT_EQ(variant->timeout, us);
}

/* Only the owner may touch it (vhost_net: -EPERM without an owner). */
TEST_F(busyloop, needs_owner)
{
	struct guest_dev other;
	unsigned int us;

	ASSERT_EQ(0, guest_dev_open(&other, variant->fp));
	EXPECT_EQ(-EPERM, busyloop_set(other.fd, VQ_RX, 5));
	EXPECT_EQ(-EPERM, busyloop_get(other.fd, VQ_RX, &us));
	guest_dev_close(&other);
}

TEST_F(busyloop, polls)
{
	struct backend_state *s = &self->s;
	struct vhost_fp_stats st;
	unsigned int q;
	int ret;

	for (q = 0; q < 2; q++) {
		ASSERT_EQ(0, busyloop_set(s->dev.fd, q, variant->timeout));
		ASSERT_EQ(0, guest_set_backend(s->dev.fd, q, s->tap.fd));
	}
	ret = state_traffic(s, 2000);
	if (ret)
		TH_LOG("%s", s->traffic.err);
	ASSERT_EQ(0, ret);
	if (!variant->fp)
		return;
	ASSERT_EQ(0, fp_get_stats(s->dev.fd, &st));
	ASSERT_LE(2U, st.version);
	for (q = 0; q < 2; q++) {
		const struct vhost_fp_vq_stats *v = &st.vq[q];

		TH_LOG("%s: %llu packets, %llu kicks, busy polls %llu, hits %llu, %llu us",
		       q == VQ_RX ? "RX" : "TX",
		       (unsigned long long)v->packets,
		       (unsigned long long)v->kicks,
		       (unsigned long long)v->busy_polls,
		       (unsigned long long)v->busy_poll_hits,
		       (unsigned long long)v->busy_poll_ns / 1000);
		EXPECT_EQ(0ULL, v->guest_errors);
		EXPECT_LE(v->busy_poll_hits, v->busy_polls);
		/*
		 * Every time a queue ran dry it polled when told to, and
		 * never otherwise; each queue ran dry at least once, at the
		 * end of the traffic.
		 */
		if (variant->timeout) {
			EXPECT_LT(0ULL, v->busy_polls);
		} else {
			EXPECT_EQ(0ULL, v->busy_polls);
			EXPECT_EQ(0ULL, v->busy_poll_ns);
		}
	}
}

TEST_HARNESS_MAIN
