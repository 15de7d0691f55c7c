// SPDX-License-Identifier: GPL-2.0
/*
 * Head-of-line blocking of guest TX zero-copy.
 *
 *   guest TX ring -> device -> tap fd -> vfptap0 ==vfpbr0== vfpd0  plug qdisc: holds
 *                                                   \====== vfpd1  frees at once
 *
 * Frame 0 goes to a MAC the bridge knows behind vfpd0, whose plug qdisc
 * keeps the skb, with its frags still pointing at guest memory (nothing
 * on this path copies: no packet socket listens anywhere, and neither a
 * bridge nor a qdisc orphans frags).  Frames 1..N go out through vfpd1 and
 * are freed at once.  vhost-fp gives each buffer back when its own skb
 * is freed, so N buffers come back while frame 0's is held; vhost_net
 * returns zero-copy buffers in ring order, so none comes back: the test
 * asserts both, and that everything returns once the plug is released.
 * With zero-copy off both devices copy, and nothing is held.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_tun.h>
#include <sys/socket.h>

#include "kselftest_harness.h"
#include "common.h"

#define N_FREE		32	/* frames behind the held one */
#define FRAME_LEN	1200	/* zero-copy size, below the MTU of the ports */
#define WAIT_MS		30000

struct hol_state {
	struct guest_dev dev;
	struct guest_tap tap;
	bool plugged;
};

FIXTURE(hol) {
	struct hol_state s;
};

FIXTURE_VARIANT(hol) {
	bool fp;
	bool zerocopy;
};

FIXTURE_VARIANT_ADD(hol, net_copy) { .fp = false, .zerocopy = false, };
FIXTURE_VARIANT_ADD(hol, net_zc) { .fp = false, .zerocopy = true, };
FIXTURE_VARIANT_ADD(hol, fp_copy) { .fp = true, .zerocopy = false, };
FIXTURE_VARIANT_ADD(hol, fp_zc) { .fp = true, .zerocopy = true, };

/* Packets a device has sent. */
static unsigned long tx_packets(const char *dev)
{
	return netdev_stat(dev, NETDEV_TX_PACKETS);
}

static bool wait_tx_packets(const char *dev, unsigned long n)
{
	int i;

	for (i = 0; i < WAIT_MS / 20; i++) {
		if (tx_packets(dev) >= n)
			return true;
		usleep(20000);
	}
	return false;
}

FIXTURE_SETUP(hol)
{
	__u64 want = features_for(false, false, true), have;
	const char *why;

	dev_tap_reset(&self->s.dev, &self->s.tap);
	why = device_unusable(variant->fp, variant->fp ? -1 : variant->zerocopy);
	if (why)
		SKIP(return, "%s", why);
	ASSERT_EQ(0, tap_netns_enter());
	ASSERT_EQ(0, tap_open(&self->s.tap, TAP_NAME, 12, TAP_OFFLOADS));
	if (held_egress_build("plug limit 100000000"))
		SKIP(return, "no bridge, dummy or sch_plug (modprobe bridge dummy sch_plug)");
	self->s.plugged = true;
	ASSERT_EQ(0, guest_dev_open(&self->s.dev, variant->fp));
	ASSERT_EQ(0, guest_dev_set_owner(&self->s.dev));
	ASSERT_EQ(0, features_check(self->s.dev.fd, want, &have));
	ASSERT_EQ(0, guest_dev_start(&self->s.dev, want, RING_NUM, self->s.tap.fd));
	if (variant->fp)
		ASSERT_EQ(0, fp_set_zerocopy(self->s.dev.fd, variant->zerocopy));
}

static void release_plug(struct hol_state *self)
{
	if (self->plugged &&
	    !sh("tc qdisc change dev vfpd0 root plug release_indefinite"))
		self->plugged = false;
}

FIXTURE_TEARDOWN(hol)
{
	/* A held skb would keep close() waiting: let it go first. */
	release_plug(&self->s);
	guest_dev_close(&self->s.dev);
	tap_close(&self->s.tap);
}

/* Frame 0 to the held port, frames 1..@n to the free one; head = 2 * i. */
static int send_frames(struct hol_state *self, unsigned int n)
{
	struct guest_vq *vq = &self->dev.vq[VQ_TX];
	struct frame_spec f = { .dir = DIR_TX, .len = FRAME_LEN };
	__u8 buf[12 + FRAME_LEN] = {};
	__u64 gpa;
	unsigned int i;

	for (i = 0; i <= n; i++) {
		gpa = guest_alloc(&self->dev.mem, sizeof(buf), 64);
		if (!gpa)
			return -ENOMEM;
		f.seq = i;
		frame_fill(&f, buf + 12);
		memcpy(buf + 12, i ? mac_free : mac_held, 6);
		guest_write(&self->dev.mem, gpa, buf, sizeof(buf));
		guest_vq_set_desc(vq, 2 * i, gpa, 12, VRING_DESC_F_NEXT,
				  2 * i + 1);
		guest_vq_set_desc(vq, 2 * i + 1, gpa + 12, FRAME_LEN, 0, 0);
		guest_vq_add(vq, 2 * i);
	}
	guest_vq_enable_cb(vq);
	guest_vq_publish(vq);
	return 0;
}

/* Wait for @n used entries in all; true when frame 0's head is among them. */
static bool collect_used(struct guest_vq *vq, unsigned int n, int timeout_ms,
			 bool *head0)
{
	__u32 id, len;
	int waited = 0;

	while (vq->last_used < n && waited < timeout_ms) {
		while (guest_vq_get_used(vq, &id, &len))
			*head0 |= id == 0;
		if (vq->last_used >= n || guest_vq_enable_cb(vq))
			continue;
		guest_eventfd_wait(vq->call, 100);
		waited += 100;
	}
	while (guest_vq_get_used(vq, &id, &len))
		*head0 |= id == 0;
	return *head0;
}

TEST_F_TIMEOUT(hol, later_buffers_complete, 300)
{
	struct guest_vq *vq = &self->s.dev.vq[VQ_TX];
	/* The ports may have sent something of their own before the plug. */
	unsigned long held_base = tx_packets("vfpd0");
	bool head0 = false;

	ASSERT_EQ(0, send_frames(&self->s, N_FREE));
	/* Whatever the completions do, frames 1..N leave the host. */
	ASSERT_TRUE(wait_tx_packets("vfpd1", N_FREE)) {
		TH_LOG("only %lu of %d frames left through vfpd1",
		       tx_packets("vfpd1"), N_FREE);
	}
	EXPECT_EQ(held_base, tx_packets("vfpd0"));
	if (!variant->zerocopy) {
		/* Copied: the held skb does not hold the guest's buffer. */
		collect_used(vq, N_FREE + 1, WAIT_MS, &head0);
		EXPECT_EQ(N_FREE + 1, vq->last_used);
	} else if (variant->fp) {
		collect_used(vq, N_FREE, WAIT_MS, &head0);
		EXPECT_EQ(N_FREE, vq->last_used) {
			TH_LOG("vhost-fp returned %u of the %d free buffers",
			       vq->last_used, N_FREE);
		}
		EXPECT_FALSE(head0) {
			TH_LOG("the held buffer came back: nothing held it");
		}
		TH_LOG("vhost-fp zero-copy: %u of %d buffers back while frame 0 is held",
		       vq->last_used, N_FREE + 1);
	} else {
		/* The frames left long ago; give completions a moment. */
		collect_used(vq, 1, 3000, &head0);
		TH_LOG("vhost_net zero-copy: %u of %d buffers back while frame 0 is held",
		       vq->last_used, N_FREE + 1);
		EXPECT_EQ(0, vq->last_used) {
			TH_LOG("vhost_net no longer blocks behind a held skb");
		}
	}
	release_plug(&self->s);
	EXPECT_TRUE(wait_tx_packets("vfpd0", held_base + 1));
	collect_used(vq, N_FREE + 1, WAIT_MS, &head0);
	EXPECT_EQ(N_FREE + 1, vq->last_used);
	EXPECT_TRUE(head0);
}

/*
 * Close the device and unmap guest memory while an skb still points at
 * it, then let the skb go.  Recorded: whether close() waits for the skb.
 * Asserted: it returns once the skb is gone, the kernel survives the late
 * completion, and another device works.
 */
TEST_F_TIMEOUT(hol, close_with_held_buffer, 300)
{
	unsigned long held_base = tx_packets("vfpd0");
	struct close_job *job;
	char err[256] = "";
	int ret;

	ASSERT_EQ(0, send_frames(&self->s, 8));
	ASSERT_TRUE(wait_tx_packets("vfpd1", 8));
	job = close_start(self->s.dev.fd);
	ASSERT_NE(NULL, job);
	self->s.dev.fd = -1;
	ret = close_wait(job, 5000);
	TH_LOG("%s, zero-copy %s: close() %s while frame 0 sits in the qdisc",
	       variant->fp ? "vhost-fp" : "vhost-net",
	       variant->zerocopy ? "on" : "off",
	       ret ? "waits" : "returns");
	guest_mem_fini(&self->s.dev.mem);
	release_plug(&self->s);
	if (ret)
		ASSERT_EQ(0, close_wait(job, WAIT_MS));
	EXPECT_TRUE(wait_tx_packets("vfpd0", held_base + 1));
	EXPECT_EQ(0, other_device_moves(variant->fp, "vfptap1", 200, err,
					sizeof(err))) {
		TH_LOG("second device: %s", err);
	}
}

/* A TCP/IPv4 frame to the held port, destination port @dport. */
static void tcp_frame(__u8 *f, unsigned int len, __u16 dport)
{
	static const __u8 src[6] = { 0x02, 0, 0, 0, 0x0a, 0x09 };
	__u8 *ip = f + 14, *tcp = ip + 20;

	memset(f, 0, len);
	memcpy(f, mac_held, 6);
	memcpy(f + 6, src, 6);
	f[12] = 0x08;				/* ETH_P_IP */
	ip[0] = 0x45;
	ip[2] = (len - 14) >> 8;
	ip[3] = (len - 14) & 0xff;
	ip[8] = 64;
	ip[9] = 6;				/* IPPROTO_TCP */
	memcpy(ip + 12, "\x0a\x4d\x00\x02\x0a\x4d\x00\x01", 8);
	tcp[0] = 0x9c;				/* source port 40000 */
	tcp[1] = 0x40;
	tcp[2] = dport >> 8;
	tcp[3] = dport & 0xff;
	tcp[12] = 5 << 4;			/* 20-byte header */
	tcp[13] = 0x18;				/* PSH, ACK */
}

/* The destination port of the first TCP frame from 02:..:0a:09 on @sock. */
static int captured_dport(int sock, int timeout_ms)
{
	struct pollfd p = { .fd = sock, .events = POLLIN };
	__u8 f[2048];
	ssize_t n;

	while (poll(&p, 1, timeout_ms) == 1) {
		n = recv(sock, f, sizeof(f), 0);
		if (n >= 54 && f[11] == 0x09 && f[23] == 6)
			return f[36] << 8 | f[37];
	}
	return -1;
}

/*
 * A zero-copy packet's headers are in host memory before it leaves
 * vhost-fp, whatever hdr_len the guest wrote: the guest sends a TCP frame
 * to port 80 with hdr_len 14 (so a tap copies only the Ethernet header),
 * a host nft rule on the bridge counts it, the egress holds it, the guest
 * rewrites the port to 81; what leaves the host must still say 80.
 * vhost_net with experimental_zcopytx=1: recorded only.
 */
TEST_F_TIMEOUT(hol, headers_after_send, 120)
{
	static const char * const rules[] = {
		"nft add table bridge vfpt",
		"nft add chain bridge vfpt guests '{ type filter hook forward priority 0; }'",
		"nft add rule bridge vfpt guests tcp dport 80 counter",
		"nft add rule bridge vfpt guests tcp dport 81 counter drop",
	};
	struct guest_vq *vq = &self->s.dev.vq[VQ_TX];
	unsigned long sent = netdev_stat(TAP_NAME, NETDEV_RX_PACKETS);
	__u8 buf[12 + FRAME_LEN] = {};
	int sock, dport, i;
	__u64 gpa;

	if (!variant->zerocopy)
		SKIP(return, "zero-copy off: nothing of the guest's is in the skb");
	if (sh("command -v nft >/dev/null"))
		SKIP(return, "no nft (Debian package nftables)");
	for (i = 0; i < (int)ARRAY_SIZE(rules); i++)
		ASSERT_EQ(0, sh("%s", rules[i]));
	gpa = guest_alloc(&self->s.dev.mem, sizeof(buf), 64);
	ASSERT_NE(0ULL, gpa);
	buf[2] = 14;				/* hdr_len: Ethernet only */
	tcp_frame(buf + 12, FRAME_LEN, 80);
	guest_write(&self->s.dev.mem, gpa, buf, sizeof(buf));
	guest_vq_set_desc(vq, 0, gpa, 12, VRING_DESC_F_NEXT, 1);
	guest_vq_set_desc(vq, 1, gpa + 12, FRAME_LEN, 0, 0);
	guest_vq_add(vq, 0);
	guest_vq_publish(vq);
	for (i = 0; i < 300 && netdev_stat(TAP_NAME, NETDEV_RX_PACKETS) == sent; i++)
		usleep(10000);
	ASSERT_LT(sent, netdev_stat(TAP_NAME, NETDEV_RX_PACKETS));
	/* The skb sits in the plug now; the guest changes the port. */
	buf[12 + 14 + 20 + 3] = 81;
	guest_write(&self->s.dev.mem, gpa, buf, sizeof(buf));
	sock = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	ASSERT_LE(0, sock);
	ASSERT_EQ(0, setsockopt(sock, SOL_SOCKET, SO_BINDTODEVICE, "vfpd0", 6));
	release_plug(&self->s);
	dport = captured_dport(sock, 5000);
	close(sock);
	sh("nft list chain bridge vfpt guests | sed 's/^/# /'");
	TH_LOG("%s: the rule saw port 80, port %d left the host",
	       variant->fp ? "vhost-fp" : "vhost_net", dport);
	if (variant->fp)
		EXPECT_EQ(80, dport);
}

TEST_HARNESS_MAIN
