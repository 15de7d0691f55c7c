// SPDX-License-Identifier: GPL-2.0
/*
 * vfp-bench: the host data path of /dev/vhost-net or /dev/vhost-fp,
 * driven through the vhost-kernel ABI by this process playing the guest
 * (the selftests' guest library), with a tap backend in a private netns.
 *
 *   guest rings (here) --- /dev/vhost-{net,fp} --- tap fd | vfptap0
 *     TX workloads: a tc ingress filter on vfptap0 drops every frame
 *                   before any protocol sees it, so zero-copy pages are
 *                   not copied (a local delivery would copy them): it
 *                   stands for a NIC that sends by DMA
 *     RX workloads: a packet socket on vfptap0 (qdisc bypassed) sends
 *                   batches with sendmmsg, never more than WINDOW frames
 *                   ahead of what the guest took, so nothing is dropped
 *     pingpong:     one 64 B frame out, a packet socket echoes it back
 *
 * The guest side is kept cheap: buffers are filled once and reposted,
 * used entries are reaped in batches, and the guest sleeps on its call
 * eventfd only when it has nothing to do, as a NAPI driver would.
 *
 * usage: vfp-bench --dev net|fp --workload W [--packets N] [--zc 0|1]
 *                  [--mark ID] [--packed]
 *   W: tx64 tx1500 gso rx64 rx1500 pingpong idle
 * Prints one line "VFP-BENCH {json}" on success.  With --mark ID the
 * measured window is bracketed by plugin markers 2*ID and 2*ID+1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>

#include "../selftests/vhostfp/common.h"
#include "bench.h"

#define HDR_LEN		12	/* virtio_net_hdr_mrg_rxbuf: VERSION_1 */
#define RX_BUF		2048
#define RX_WINDOW	128	/* < tap txqueuelen: the tap never drops */
#define SEND_BATCH	32
#define ETH_TYPE_BENCH	0x88b5
#define WAIT_MS		5000
#define WAIT_TRIES	12

struct bench {
	const char *workload;
	bool fp;
	int zc;			/* -1: device default */
	bool want_packed;
	unsigned long packets;
	long mark;		/* -1: no markers */
	unsigned int len;	/* frame bytes, Ethernet header included */
	__u16 mss;		/* gso: segment size */
	struct guest_dev dev;
	struct guest_tap tap;
	int sock;		/* packet socket on the tap's netdev */
	__u64 offered;		/* device features */
	const char *ring;	/* "split" or "packed" */
	__u64 tx_buf[RING_NUM], rx_buf[RING_NUM];
	unsigned int tx_free[RING_NUM], ntx_free;
	unsigned long tx_sent, tx_done, rx_got;
	__u8 *frame;		/* scratch: one frame for the socket */
	double secs;
	unsigned long slow_waits;	/* waits that timed out, then went on */
	unsigned long rescue_kicks;	/* kicks sent after a timeout */
};

static void die(const char *what, int err)
{
	fprintf(stderr, "vfp-bench: %s: %s\n", what, strerror(err < 0 ? -err : err));
	exit(1);
}

/* One frame, virtio-net header in front, in guest memory at @gpa. */
static void fill_frame(struct bench *b, __u64 gpa, __u32 seq)
{
	struct frame_spec f = { .dir = DIR_TX, .seq = seq, .len = b->len,
				.mss = b->mss };
	struct virtio_net_hdr_mrg_rxbuf h = {};
	__u8 *p = guest_hva(&b->dev.mem, gpa, HDR_LEN + b->len);

	if (!p)
		die("buffer not contiguous", EINVAL);
	frame_net_hdr(&f, &h.hdr);
	memcpy(p, &h, HDR_LEN);
	frame_fill(&f, p + HDR_LEN);
}

static void setup_buffers(struct bench *b)
{
	struct guest_vq *tx = &b->dev.vq[VQ_TX], *rx = &b->dev.vq[VQ_RX];
	unsigned int i;

	for (i = 0; i < RING_NUM; i++) {
		b->tx_buf[i] = guest_alloc_contig(&b->dev.mem, HDR_LEN + b->len, 64);
		if (!b->tx_buf[i])
			die("guest memory", ENOMEM);
		fill_frame(b, b->tx_buf[i], i);
		guest_vq_set_desc(tx, i, b->tx_buf[i], HDR_LEN + b->len, 0, 0);
		b->tx_free[i] = RING_NUM - 1 - i;
	}
	b->ntx_free = RING_NUM;
	for (i = 0; i < RING_NUM; i++) {
		b->rx_buf[i] = guest_alloc_contig(&b->dev.mem, RX_BUF, 64);
		if (!b->rx_buf[i])
			die("guest memory", ENOMEM);
		guest_vq_set_desc(rx, i, b->rx_buf[i], RX_BUF, VRING_DESC_F_WRITE, 0);
	}
	guest_vq_disable_cb(tx);
	guest_vq_disable_cb(rx);
}

static void post_all_rx(struct bench *b)
{
	struct guest_vq *rx = &b->dev.vq[VQ_RX];
	unsigned int i;

	for (i = 0; i < RING_NUM; i++)
		guest_vq_add(rx, i);
	guest_vq_publish(rx);
}

/* What the ring looks like while we wait in vain: for the report. */
static void stall_report(struct bench *b, struct guest_vq *vq)
{
	if (vq->packed) {
		fprintf(stderr,
			"vfp-bench: %s vq %u (packed): waited %d ms: kicks %lu, sent %lu, done %lu\n",
			b->workload, vq->index, WAIT_MS, vq->kicks,
			b->tx_sent, b->tx_done);
		return;
	}
	fprintf(stderr,
		"vfp-bench: %s vq %u: waited %d ms: avail %u, used %u, last_used %u, avail_event %u, used_event %u, kicks %lu, sent %lu, done %lu\n",
		b->workload, vq->index, WAIT_MS, vq->avail_idx,
		__atomic_load_n(&vq->used->idx, __ATOMIC_ACQUIRE), vq->last_used,
		__atomic_load_n((__u16 *)&vq->used->ring[vq->num], __ATOMIC_RELAXED),
		__atomic_load_n(&vq->avail->ring[vq->num], __ATOMIC_RELAXED),
		vq->kicks, b->tx_sent, b->tx_done);
}

static void rescue_kick(struct bench *b, struct guest_vq *vq)
{
	__u64 one = 1;

	b->rescue_kicks++;
	if (write(vq->kick, &one, sizeof(one)) != sizeof(one))
		die("kick", errno);
}

/*
 * Sleep on @vq's call eventfd unless used entries are already there.  A
 * VM on a loaded machine can stand still for seconds and then see its
 * timers expire before the worker runs: a timeout is only fatal after
 * WAIT_TRIES of them in a row (counted in slow_waits).
 */
static void wait_used(struct bench *b, struct guest_vq *vq)
{
	int ret, tries = 0;

	if (guest_vq_enable_cb(vq)) {
		guest_vq_disable_cb(vq);
		return;
	}
	do {
		ret = guest_eventfd_wait(vq->call, WAIT_MS);
		if (ret > 0 || guest_vq_has_used(vq))
			break;
		b->slow_waits++;
		stall_report(b, vq);
		/* From the second timeout on, kick: was a kick lost? */
		if (tries)
			rescue_kick(b, vq);
	} while (++tries < WAIT_TRIES);
	guest_vq_disable_cb(vq);
	if (guest_eventfd_drain(vq->err) > 0)
		die("the device reported a guest error", EIO);
	if (ret <= 0 && !guest_vq_has_used(vq))
		die("no used buffer within the timeout", ETIMEDOUT);
}

static void reap_tx(struct bench *b)
{
	struct guest_vq *tx = &b->dev.vq[VQ_TX];
	__u32 id, len;

	while (guest_vq_get_used(tx, &id, &len)) {
		if (id >= RING_NUM)
			die("bad used id", EINVAL);
		b->tx_free[b->ntx_free++] = id;
		b->tx_done++;
	}
}

static void run_tx(struct bench *b)
{
	struct guest_vq *tx = &b->dev.vq[VQ_TX];

	while (b->tx_done < b->packets) {
		while (b->ntx_free && b->tx_sent < b->packets) {
			guest_vq_add(tx, b->tx_free[--b->ntx_free]);
			b->tx_sent++;
		}
		guest_vq_publish(tx);
		reap_tx(b);
		if (b->tx_done < b->packets &&
		    (!b->ntx_free || b->tx_sent == b->packets)) {
			if (!guest_vq_has_used(tx))
				wait_used(b, tx);
			reap_tx(b);
		}
	}
}

static int open_sock(struct bench *b, int proto)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(proto),
		.sll_ifindex = b->tap.ifindex,
	};
	int one = 1, s;

	s = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(proto));
	if (s < 0)
		die("packet socket", errno);
	if (bind(s, (struct sockaddr *)&sll, sizeof(sll)) ||
	    setsockopt(s, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one)) ||
	    setsockopt(s, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one)))
		die("packet socket setup", errno);
	return s;
}

/* Send up to @n copies of b->frame; returns how many went. */
static unsigned int send_batch(struct bench *b, unsigned int n)
{
	struct mmsghdr msg[SEND_BATCH];
	struct iovec iov = { .iov_base = b->frame, .iov_len = b->len };
	unsigned int i;
	int ret;

	if (n > SEND_BATCH)
		n = SEND_BATCH;
	memset(msg, 0, sizeof(msg));
	for (i = 0; i < n; i++) {
		msg[i].msg_hdr.msg_iov = &iov;
		msg[i].msg_hdr.msg_iovlen = 1;
	}
	ret = sendmmsg(b->sock, msg, n, MSG_DONTWAIT);
	if (ret < 0 && errno != EAGAIN && errno != ENOBUFS)
		die("sendmmsg", errno);
	return ret < 0 ? 0 : ret;
}

/* Take the RX used entries, give the buffers straight back. */
static unsigned int reap_rx(struct bench *b)
{
	struct guest_vq *rx = &b->dev.vq[VQ_RX];
	unsigned int n = 0;
	__u32 id, len;

	while (guest_vq_get_used(rx, &id, &len)) {
		if (id >= RING_NUM || len < HDR_LEN + 14)
			die("bad RX used entry", EINVAL);
		guest_vq_add(rx, id);
		n++;
	}
	if (n)
		guest_vq_publish(rx);
	b->rx_got += n;
	return n;
}

static void run_rx(struct bench *b)
{
	struct guest_vq *rx = &b->dev.vq[VQ_RX];
	unsigned long sent = 0;

	while (b->rx_got < b->packets) {
		unsigned long room = RX_WINDOW - (sent - b->rx_got);
		unsigned long left = b->packets - sent;

		if (room && left)
			sent += send_batch(b, room < left ? room : left);
		if (!reap_rx(b) && (sent - b->rx_got >= RX_WINDOW || sent == b->packets))
			wait_used(b, rx);
	}
}

/* One 64 B frame out through TX, echoed by the socket, in through RX. */
static void run_pingpong(struct bench *b)
{
	struct guest_vq *tx = &b->dev.vq[VQ_TX], *rx = &b->dev.vq[VQ_RX];
	struct pollfd p = { .fd = b->sock, .events = POLLIN };
	unsigned long i;
	ssize_t n;

	for (i = 0; i < b->packets; i++) {
		if (!b->ntx_free)
			die("TX buffers not returned", EIO);
		guest_vq_add(tx, b->tx_free[--b->ntx_free]);
		guest_vq_publish(tx);
		if (poll(&p, 1, WAIT_MS) != 1)
			die("echo: no frame from the guest", ETIMEDOUT);
		n = recv(b->sock, b->frame, FRAME_MAX, 0);
		if (n < 14)
			die("echo: recv", n < 0 ? errno : EINVAL);
		if (send(b->sock, b->frame, n, 0) != n)
			die("echo: send", errno);
		while (!reap_rx(b))
			wait_used(b, rx);
		reap_tx(b);
	}
	while (b->ntx_free < RING_NUM) {
		wait_used(b, tx);
		reap_tx(b);
	}
}

static void set_zerocopy(struct bench *b)
{
	int ret;

	if (!b->fp) {
		/* vhost_net's switch is its load-time parameter: report it. */
		b->zc = vhost_net_zcopytx();
		return;
	}
	if (b->zc >= 0) {
		ret = fp_set_zerocopy(b->dev.fd, b->zc);
		if (ret)
			die("VHOST_FP_SET_TUNABLES", ret);
	} else {
		struct vhost_fp_tunables t;

		ret = xioctl(b->dev.fd, VHOST_FP_GET_TUNABLES, &t);
		if (ret)
			die("VHOST_FP_GET_TUNABLES", ret);
		b->zc = !!(t.flags & VHOST_FP_F_ZEROCOPY);
	}
}

/* The kernel sink of the TX workloads: drop at tc ingress. */
static void sink_ingress(struct bench *b)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd),
		 "tc qdisc add dev %s clsact && tc filter add dev %s ingress matchall action drop",
		 b->tap.name, b->tap.name);
	if (system(cmd))
		die("tc ingress drop (sch_ingress, cls_matchall, act_gact loaded?)", EIO);
}

static void bring_up(struct bench *b)
{
	__u64 want = features_for(true, false, true);
	int ret;

	ret = tap_netns_enter();
	if (ret)
		die("netns", ret);
	ret = tap_open(&b->tap, TAP_NAME, HDR_LEN, TAP_OFFLOADS);
	if (ret)
		die("tap", ret);
	ret = guest_dev_open(&b->dev, b->fp);
	if (ret)
		die(guest_dev_path(b->fp), ret);
	ret = guest_dev_set_owner(&b->dev);
	if (ret)
		die("VHOST_SET_OWNER", ret);
	ret = features_check(b->dev.fd, want, &b->offered);
	if (ret)
		die("features", ret);
	/*
	 * Packed rings: only once the guest library lays them out
	 * (GUEST_HAVE_PACKED) and the device offers them.
	 */
	b->ring = "split";
#ifdef GUEST_HAVE_PACKED
	if (b->want_packed && (b->offered & F(VIRTIO_F_RING_PACKED))) {
		want |= F(VIRTIO_F_RING_PACKED);
		b->ring = "packed";
	}
#endif
	if (b->want_packed && strcmp(b->ring, "packed"))
		die("packed rings not available (device or guest library)", EOPNOTSUPP);
	ret = guest_dev_start(&b->dev, want, RING_NUM, b->tap.fd);
	if (ret)
		die(b->dev.failed_op ? b->dev.failed_op : "start", ret);
	set_zerocopy(b);
}

static void parse_workload(struct bench *b)
{
	const char *w = b->workload;

	b->len = 64;
	if (!strcmp(w, "tx1500") || !strcmp(w, "rx1500")) {
		b->len = 1514;
	} else if (!strcmp(w, "gso")) {
		b->len = FRAME_MAX;
		b->mss = 1448;
	} else if (strcmp(w, "tx64") && strcmp(w, "rx64") &&
		   strcmp(w, "pingpong") && strcmp(w, "idle")) {
		die(w, EINVAL);
	}
}

static const char usage_text[] =
	"usage: vfp-bench --dev net|fp --workload W [--packets N] [--zc 0|1]\n"
	"                 [--mark ID] [--packed]\n"
	"  W: tx64 tx1500 gso rx64 rx1500 pingpong idle\n";

static void usage(void)
{
	fputs(usage_text, stderr);
	exit(2);
}

static void parse_args(struct bench *b, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dev", required_argument, NULL, 'd' },
		{ "workload", required_argument, NULL, 'w' },
		{ "packets", required_argument, NULL, 'n' },
		{ "zc", required_argument, NULL, 'z' },
		{ "mark", required_argument, NULL, 'm' },
		{ "packed", no_argument, NULL, 'p' },
		{}
	};
	int c;

	b->zc = -1;
	b->mark = -1;
	b->packets = 10000;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			b->fp = !strcmp(optarg, "fp");
			if (!b->fp && strcmp(optarg, "net"))
				usage();
			break;
		case 'w':
			b->workload = optarg;
			break;
		case 'n':
			b->packets = strtoul(optarg, NULL, 0);
			break;
		case 'z':
			b->zc = atoi(optarg);
			break;
		case 'm':
			b->mark = atol(optarg);
			break;
		case 'p':
			b->want_packed = true;
			break;
		default:
			usage();
		}
	}
	if (!b->workload || !b->packets)
		usage();
	parse_workload(b);
}

static void mark(struct bench *b, int end)
{
	int ret;

	if (b->mark < 0)
		return;
	ret = vfp_mark(2 * b->mark + end);
	if (ret)
		die("marker", ret);
}

/* The result line; vhost-fp adds its own counters of the run. */
static void print_result(struct bench *b)
{
	const struct vhost_fp_vq_stats *tx, *rx;
	struct vhost_fp_stats st = {};

	printf("VFP-BENCH {\"dev\":\"%s\",", b->fp ? "vhost-fp" : "vhost-net");
	printf("\"workload\":\"%s\",\"ring\":\"%s\",", b->workload, b->ring);
	printf("\"zc\":%d,\"packets\":%lu,\"bytes\":%u,", b->zc, b->packets, b->len);
	printf("\"secs\":%.6f,\"pps\":%.1f,", b->secs, b->packets / b->secs);
	printf("\"slow_waits\":%lu,\"rescue_kicks\":%lu,", b->slow_waits, b->rescue_kicks);
	printf("\"mark\":%ld,\"packed_offered\":%s", b->mark,
	       b->offered & F(VIRTIO_F_RING_PACKED) ? "true" : "false");
	if (b->fp && !fp_get_stats(b->dev.fd, &st)) {
		tx = &st.vq[VQ_TX];
		rx = &st.vq[VQ_RX];
		printf(",\"fp\":{\"tx_zc_sent\":%llu,", tx->zc_sent);
		printf("\"tx_zc_copied\":%llu,", tx->zc_copied);
		printf("\"tx_kicks\":%llu,\"tx_calls\":%llu,", tx->kicks, tx->calls);
		printf("\"tx_batches\":%llu,\"rx_kicks\":%llu,", tx->batches, rx->kicks);
		printf("\"rx_calls\":%llu,\"rx_batches\":%llu,", rx->calls, rx->batches);
		printf("\"drops\":%llu}", tx->drops + rx->drops);
	}
	printf("}\n");
}

int main(int argc, char **argv)
{
	static struct bench b;
	bool rx, pp, idle;
	double t0;

	parse_args(&b, argc, argv);
	rx = !strncmp(b.workload, "rx", 2);
	pp = !strcmp(b.workload, "pingpong");
	idle = !strcmp(b.workload, "idle");
	if (idle) {
		/* The VM's cost of doing nothing for --packets ms. */
		mark(&b, 0);
		t0 = now_s();
		usleep(b.packets * 1000);
		b.secs = now_s() - t0;
		mark(&b, 1);
		printf("VFP-BENCH {\"workload\":\"idle\",\"ms\":%lu,\"secs\":%.6f,\"mark\":%ld}\n",
		       b.packets, b.secs, b.mark);
		return 0;
	}
	b.frame = calloc(1, FRAME_MAX);
	if (!b.frame)
		die("memory", ENOMEM);
	bring_up(&b);
	setup_buffers(&b);
	if (!rx && !pp)
		sink_ingress(&b);
	if (rx || pp) {
		struct frame_spec f = { .dir = DIR_RX, .len = b.len };

		frame_fill(&f, b.frame);
		b.sock = open_sock(&b, pp ? ETH_TYPE_BENCH : 0);
		post_all_rx(&b);
	}
	mark(&b, 0);
	t0 = now_s();
	if (rx)
		run_rx(&b);
	else if (pp)
		run_pingpong(&b);
	else
		run_tx(&b);
	b.secs = now_s() - t0;
	mark(&b, 1);
	print_result(&b);
	guest_dev_close(&b.dev);
	tap_close(&b.tap);
	return 0;
}
