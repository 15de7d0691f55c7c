// SPDX-License-Identifier: GPL-2.0
/*
 * A VM stop while the host's egress holds the guest's packets.
 *
 *   guest TX ring -> device -> tap fd -> vfptap0 ==vfpbr0== vfpd0  egress qdisc: holds
 *                                                   \====== vfpd1  frees at once
 *
 * N_HELD frames go to a MAC the bridge knows behind vfpd0, whose qdisc
 * holds them: a slow tbf (100 kbit/s: ~5 s for them all), a netem delay
 * longer than the bound, or a plug that is never released.  Nothing on
 * that path copies (no packet socket listens, neither a bridge nor a
 * qdisc orphans frags), so a zero-copy skb keeps pointing at the guest's
 * buffer while it waits.
 *
 * Then the VMM's operations, each timed in a thread of its own so that
 * one that never returns fails the test instead of hanging it:
 * - stop_resume: QEMU's vhost stop (SET_BACKEND(-1) on both queues, then
 *   GET_VRING_BASE on each); the ring must be exact (every head used
 *   once, the base counts every buffer taken); then the queue resumes
 *   from that base and N_MORE frames cross byte-exact to a packet socket.
 * - close_held: close() with the frames held.
 * - kill_owner: the owner process, SIGKILLed, must be gone (its release
 *   of the device included).
 * Each must finish within STOP_BOUND_MS, the bound Documentation/
 * vhostfp.rst states, on vhost-fp with its default (copy) and on
 * vhost_net with its default (experimental_zcopytx=0).
 *
 * With zero-copy on (vhost-fp's opt-in, vhost_net's experimental mode)
 * the stop waits for the egress: those variants are references, their
 * times only logged, with the egress let go after HOLD_MS so they end.
 * On vhost-fp they assert what zero-copy on promises instead: close and
 * kill stay bounded (the in-flight set is given up), the stop's wait is
 * counted (VHOST_FP_GET_VQ_STATS), and the ring is exact afterwards.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <linux/if_tun.h>

#include "kselftest_harness.h"
#include "common.h"

#define N_HELD		48	/* frames into the held egress */
#define N_MORE		32	/* frames after the resume */
#define FRAME_LEN	1200	/* zero-copy size, below the ports' MTU */
#define HDR		12	/* virtio_net_hdr_mrg_rxbuf */
#define STOP_BOUND_MS	1000	/* Documentation/vhostfp.rst */
#define HOLD_MS		3000	/* references: the egress lets go then */
#define WAIT_MS		30000

enum egress { EGRESS_TBF, EGRESS_NETEM, EGRESS_PLUG };

static const char * const egress_qdisc[] = {
	[EGRESS_TBF] = "tbf rate 100kbit burst 1600 limit 4000000",
	[EGRESS_NETEM] = "netem delay 3s limit 100000",
	[EGRESS_PLUG] = "plug limit 100000000",
};

struct stop_state {
	struct guest_dev dev;
	struct guest_tap tap;
	bool plugged;
	__u16 next_head;	/* TX heads go 0, 2, 4, ...: two descriptors each */
	__u64 bufs[N_HELD + N_MORE];
	pthread_t releaser;
	bool releasing;
};

FIXTURE(stop) {
	struct stop_state s;
};

FIXTURE_VARIANT(stop) {
	bool fp;
	bool zerocopy;
	enum egress egress;
};

FIXTURE_VARIANT_ADD(stop, net_tbf) { .fp = false, .zerocopy = false, .egress = EGRESS_TBF, };
FIXTURE_VARIANT_ADD(stop, net_netem) { .fp = false, .zerocopy = false, .egress = EGRESS_NETEM, };
FIXTURE_VARIANT_ADD(stop, net_plug) { .fp = false, .zerocopy = false, .egress = EGRESS_PLUG, };
FIXTURE_VARIANT_ADD(stop, net_zc_tbf) { .fp = false, .zerocopy = true, .egress = EGRESS_TBF, };
FIXTURE_VARIANT_ADD(stop, net_zc_netem) { .fp = false, .zerocopy = true, .egress = EGRESS_NETEM, };
FIXTURE_VARIANT_ADD(stop, net_zc_plug) { .fp = false, .zerocopy = true, .egress = EGRESS_PLUG, };
FIXTURE_VARIANT_ADD(stop, fp_tbf) { .fp = true, .zerocopy = false, .egress = EGRESS_TBF, };
FIXTURE_VARIANT_ADD(stop, fp_netem) { .fp = true, .zerocopy = false, .egress = EGRESS_NETEM, };
FIXTURE_VARIANT_ADD(stop, fp_plug) { .fp = true, .zerocopy = false, .egress = EGRESS_PLUG, };
FIXTURE_VARIANT_ADD(stop, fp_zc_tbf) { .fp = true, .zerocopy = true, .egress = EGRESS_TBF, };
FIXTURE_VARIANT_ADD(stop, fp_zc_netem) { .fp = true, .zerocopy = true, .egress = EGRESS_NETEM, };
FIXTURE_VARIANT_ADD(stop, fp_zc_plug) { .fp = true, .zerocopy = true, .egress = EGRESS_PLUG, };

/* Packets a netdev of this namespace received. */
static unsigned long rx_packets(const char *dev)
{
	return netdev_stat(dev, NETDEV_RX_PACKETS);
}

/* The tap's netdev received what the device sent: @n frames past @base. */
static bool wait_sent(unsigned long base, unsigned long n)
{
	int i;

	for (i = 0; i < WAIT_MS / 10; i++) {
		if (rx_packets(TAP_NAME) >= base + n)
			return true;
		usleep(10000);
	}
	return false;
}

static void release_egress(struct stop_state *s)
{
	if (s->plugged &&
	    !sh("tc qdisc change dev vfpd0 root plug release_indefinite"))
		s->plugged = false;
}

/* References: the egress lets its packets go after HOLD_MS. */
static void *releaser_thread(void *arg)
{
	usleep(HOLD_MS * 1000);
	release_egress(arg);
	return NULL;
}

static void start_releaser(struct stop_state *s)
{
	s->releasing = !pthread_create(&s->releaser, NULL, releaser_thread, s);
}

static int dev_setup(struct stop_state *s, bool fp, bool zerocopy)
{
	__u64 want = features_for(false, false, true), have;
	int ret;

	ret = guest_dev_open(&s->dev, fp);
	if (!ret)
		ret = guest_dev_set_owner(&s->dev);
	if (!ret)
		ret = features_check(s->dev.fd, want, &have);
	if (!ret)
		ret = guest_dev_start(&s->dev, want, RING_NUM, s->tap.fd);
	/* vhost-fp's own default, unless the variant switches zero-copy on. */
	if (!ret && fp && zerocopy)
		ret = fp_set_zerocopy(s->dev.fd, true);
	return ret;
}

FIXTURE_SETUP(stop)
{
	const char *why;

	memset(&self->s, 0, sizeof(self->s));
	dev_tap_reset(&self->s.dev, &self->s.tap);
	why = device_unusable(variant->fp, variant->fp ? -1 : variant->zerocopy);
	if (why)
		SKIP(return, "%s", why);
	ASSERT_EQ(0, tap_netns_enter());
	ASSERT_EQ(0, tap_open(&self->s.tap, TAP_NAME, HDR, TAP_OFFLOADS));
	if (held_egress_build(egress_qdisc[variant->egress]))
		SKIP(return, "no bridge, dummy, sch_tbf, sch_netem or sch_plug");
	self->s.plugged = variant->egress == EGRESS_PLUG;
}

FIXTURE_TEARDOWN(stop)
{
	if (self->s.releasing)
		pthread_join(self->s.releaser, NULL);
	/* Let a reference's held skbs go before its close waits for them. */
	release_egress(&self->s);
	guest_dev_close(&self->s.dev);
	tap_close(&self->s.tap);
}

/* @n frames to @mac, one two-descriptor buffer each, then one kick. */
static int send_frames(struct stop_state *s, unsigned int n, const __u8 *mac,
		       __u32 seq0)
{
	struct guest_vq *vq = &s->dev.vq[VQ_TX];
	struct frame_spec f = { .dir = DIR_TX, .len = FRAME_LEN };
	__u8 buf[HDR + FRAME_LEN] = {};
	unsigned int i;
	__u16 head;
	__u64 gpa;

	for (i = 0; i < n; i++) {
		gpa = guest_alloc(&s->dev.mem, sizeof(buf), 64);
		if (!gpa)
			return -ENOMEM;
		f.seq = seq0 + i;
		frame_fill(&f, buf + HDR);
		memcpy(buf + HDR, mac, 6);
		guest_write(&s->dev.mem, gpa, buf, sizeof(buf));
		s->bufs[seq0 + i] = gpa;
		head = s->next_head;
		s->next_head = (s->next_head + 2) % RING_NUM;
		guest_vq_set_desc(vq, head, gpa, HDR, VRING_DESC_F_NEXT,
				  head + 1);
		guest_vq_set_desc(vq, head + 1, gpa + HDR, FRAME_LEN, 0, 0);
		guest_vq_add(vq, head);
	}
	guest_vq_enable_cb(vq);
	guest_vq_publish(vq);
	return 0;
}

/*
 * Run the ioctl; its time in ms, or -1 when it did not return within
 * @bound_ms (then wait @grace_ms more: a reference's egress lets go).
 * A job that never returns is left behind: the test has failed then.
 * @arg gets the ioctl's argument back.
 */
static int timed_ioctl(int fd, unsigned long req, void *arg, size_t len,
		       int bound_ms, int grace_ms, int *ret)
{
	struct ioctl_job *j = ioctl_start(fd, req, arg, len);
	double t0 = now_s();
	int ms;

	if (!j || ioctl_wait(j, bound_ms + grace_ms))
		return -1;
	ms = (now_s() - t0) * 1000;
	*ret = j->ret;
	memcpy(arg, &j->arg, len);
	free(j);
	return ms;
}

/* The stop QEMU makes: backends off, then each ring's base. */
static int vmm_stop(struct __test_metadata *_metadata, struct stop_state *s,
		    bool bounded, __u32 base[2])
{
	struct vhost_vring_state st;
	int grace = bounded ? 0 : WAIT_MS, worst = 0, ms, ret = 0;
	unsigned int q;

	for (q = 0; q < 2; q++) {
		struct vhost_vring_file f = { .index = q, .fd = -1 };

		ms = timed_ioctl(s->dev.fd, VHOST_NET_SET_BACKEND, &f,
				 sizeof(f), STOP_BOUND_MS, grace, &ret);
		TH_LOG("SET_BACKEND(-1) vq %u: %d ms (%d)", q, ms, ret);
		if (ms < 0 || ret)
			return -1;
		worst = ms > worst ? ms : worst;
	}
	for (q = 0; q < 2; q++) {
		st.index = q;
		ms = timed_ioctl(s->dev.fd, VHOST_GET_VRING_BASE, &st,
				 sizeof(st), STOP_BOUND_MS, grace, &ret);
		TH_LOG("GET_VRING_BASE vq %u: %d ms, base %u", q, ms, st.num);
		if (ms < 0 || ret)
			return -1;
		base[q] = st.num;
		worst = ms > worst ? ms : worst;
	}
	return worst;
}

/* The used entries waiting: @n of them, no head twice, none unposted. */
static int ring_exact(struct guest_vq *vq, unsigned int n, char *why,
		      size_t len)
{
	unsigned char seen[RING_NUM] = {};
	unsigned int got = 0;
	__u32 id, ulen;

	while (guest_vq_get_used(vq, &id, &ulen)) {
		if (id >= RING_NUM || (id & 1) || seen[id]++) {
			snprintf(why, len, "head %u used %s", id,
				 id >= RING_NUM || (id & 1) ? "though never posted" :
				 "twice");
			return -1;
		}
		got++;
	}
	if (got != n) {
		snprintf(why, len, "%u of %u buffers used", got, n);
		return -1;
	}
	return 0;
}

/* The frames @seq0.. of @n arrive on the tap's packet socket byte-exact. */
static int frames_arrive(struct stop_state *s, __u32 seq0, unsigned int n,
			 char *why, size_t len)
{
	__u8 want[HDR + FRAME_LEN], got[NET_HDR_LEN + FRAME_LEN + 64];
	struct pollfd pfd = { .fd = s->tap.rx_sock, .events = POLLIN };
	unsigned int seen = 0;
	double end = now_s() + WAIT_MS / 1000.0;
	ssize_t r;

	while (seen < n && now_s() < end) {
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		r = recv(s->tap.rx_sock, got, sizeof(got), 0);
		if (r != NET_HDR_LEN + FRAME_LEN ||
		    memcmp(got + NET_HDR_LEN, mac_free, 6))
			continue;	/* not ours: the bridge's own */
		guest_read(&s->dev.mem, s->bufs[seq0 + seen], want,
			   sizeof(want));
		if (memcmp(got + NET_HDR_LEN, want + HDR, FRAME_LEN)) {
			snprintf(why, len, "frame %u differs", seq0 + seen);
			return -1;
		}
		seen++;
	}
	if (seen != n) {
		snprintf(why, len, "%u of %u frames arrived", seen, n);
		return -1;
	}
	return 0;
}

/* Wait until @n used entries wait for the guest to take them. */
static void wait_used(struct guest_vq *vq, unsigned int n, int timeout_ms)
{
	int waited = 0;

	while ((__u16)(__atomic_load_n(&vq->used->idx, __ATOMIC_ACQUIRE) -
		       vq->last_used) < n && waited < timeout_ms) {
		usleep(10000);
		waited += 10;
	}
}

static void log_zc_counters(struct __test_metadata *_metadata,
			    struct stop_state *s,
			    struct vhost_fp_vq_stats_ext *st)
{
	struct vhost_fp_vq_stats_req req = {
		.index = VQ_TX,
		.size = sizeof(*st),
		.addr = (unsigned long)st,
	};

	memset(st, 0, sizeof(*st));
	ASSERT_EQ(0, xioctl(s->dev.fd, VHOST_FP_GET_VQ_STATS, &req));
	ASSERT_EQ((__u32)sizeof(*st), req.size);
	TH_LOG("tx: zc_sent %llu zc_stop_waits %llu zc_stop_bufs %llu",
	       st->base.zc_sent, st->zc_stop_waits, st->zc_stop_bufs);
	TH_LOG("tx: zc_stop_wait_ns %llu zc_orphaned %llu",
	       st->zc_stop_wait_ns, st->zc_orphaned);
}

TEST_F_TIMEOUT(stop, stop_resume, 300)
{
	struct stop_state *s = &self->s;
	/* Our default and vhost_net's: the stop never waits for the egress. */
	bool bounded = !variant->zerocopy;
	struct vhost_fp_vq_stats_ext st;
	struct vhost_vring_state vs;
	unsigned long base0;
	__u32 base[2];
	char why[128] = "";
	int worst, ret;

	ASSERT_EQ(0, dev_setup(s, variant->fp, variant->zerocopy));
	base0 = rx_packets(TAP_NAME);
	ASSERT_EQ(0, send_frames(s, N_HELD, mac_held, 0));
	ASSERT_TRUE(wait_sent(base0, N_HELD));
	if (!bounded)
		start_releaser(s);
	worst = vmm_stop(_metadata, s, bounded, base);
	TH_LOG("%s, zero-copy %s, %s: the stop took %d ms",
	       variant->fp ? "vhost-fp" : "vhost-net",
	       variant->zerocopy ? "on" : "default", egress_qdisc[variant->egress],
	       worst);
	ASSERT_LE(0, worst) {
		TH_LOG("a stop ioctl did not return within %d ms",
		       bounded ? STOP_BOUND_MS : STOP_BOUND_MS + WAIT_MS);
	}
	/* The base counts every buffer taken; each came back exactly once. */
	EXPECT_EQ((__u32)N_HELD, base[VQ_TX]);
	EXPECT_EQ(0, ring_exact(&s->dev.vq[VQ_TX], N_HELD, why, sizeof(why))) {
		TH_LOG("after the stop: %s", why);
	}
	if (variant->fp) {
		log_zc_counters(_metadata, s, &st);
		if (variant->zerocopy && variant->egress != EGRESS_TBF) {
			/* tbf may have let all go before the stop began. */
			EXPECT_EQ(1ULL, st.zc_stop_waits);
			EXPECT_LT(0ULL, st.zc_stop_bufs);
		} else if (!variant->zerocopy) {
			EXPECT_EQ(0ULL, st.zc_stop_waits);
		}
	}

	/* Resume from the base, and move frames past the held port. */
	ASSERT_EQ(0, tap_open_sockets(&s->tap));
	vs.index = VQ_TX;
	vs.num = base[VQ_TX];
	ASSERT_EQ(0, xioctl(s->dev.fd, VHOST_SET_VRING_BASE, &vs));
	vs.index = VQ_RX;
	vs.num = base[VQ_RX];
	ASSERT_EQ(0, xioctl(s->dev.fd, VHOST_SET_VRING_BASE, &vs));
	ASSERT_EQ(0, guest_set_backend(s->dev.fd, VQ_RX, s->tap.fd));
	ASSERT_EQ(0, guest_set_backend(s->dev.fd, VQ_TX, s->tap.fd));
	ASSERT_EQ(0, send_frames(s, N_MORE, mac_free, N_HELD));
	EXPECT_EQ(0, frames_arrive(s, N_HELD, N_MORE, why, sizeof(why))) {
		TH_LOG("after the resume: %s", why);
	}
	wait_used(&s->dev.vq[VQ_TX], N_MORE, WAIT_MS);
	ret = ring_exact(&s->dev.vq[VQ_TX], N_MORE, why, sizeof(why));
	EXPECT_EQ(0, ret) {
		TH_LOG("after the resume: %s", why);
	}
}

TEST_F_TIMEOUT(stop, close_held, 300)
{
	struct stop_state *s = &self->s;
	/* vhost-fp gives the in-flight set up at close, zero-copy or not. */
	bool bounded = variant->fp || !variant->zerocopy;
	unsigned long base0;
	struct close_job *job;
	double t0;
	int ret;

	ASSERT_EQ(0, dev_setup(s, variant->fp, variant->zerocopy));
	base0 = rx_packets(TAP_NAME);
	ASSERT_EQ(0, send_frames(s, N_HELD, mac_held, 0));
	ASSERT_TRUE(wait_sent(base0, N_HELD));
	if (!bounded)
		start_releaser(s);
	t0 = now_s();
	/* As a killed VMM's: backends and all (guest_dev_close() is QEMU's). */
	job = close_start(s->dev.fd);
	ASSERT_NE(NULL, job);
	s->dev.fd = -1;
	ret = close_wait(job, bounded ? STOP_BOUND_MS : STOP_BOUND_MS + WAIT_MS);
	TH_LOG("%s, zero-copy %s, %s: close %s after %.0f ms",
	       variant->fp ? "vhost-fp" : "vhost-net",
	       variant->zerocopy ? "on" : "default", egress_qdisc[variant->egress],
	       ret ? "still waiting" : "returned", (now_s() - t0) * 1000);
	ASSERT_EQ(0, ret);
}

/* The owner: set up, send into the held egress, say so, wait for the kill. */
static void owner_child(struct stop_state *s, bool fp, bool zerocopy,
			int ready)
{
	unsigned long base0 = rx_packets(TAP_NAME);
	char c = 1;

	if (dev_setup(s, fp, zerocopy) ||
	    send_frames(s, N_HELD, mac_held, 0) || !wait_sent(base0, N_HELD))
		c = 0;
	if (write(ready, &c, 1) != 1)
		_exit(1);
	for (;;)
		pause();
}

TEST_F_TIMEOUT(stop, kill_owner, 300)
{
	struct stop_state *s = &self->s;
	bool bounded = variant->fp || !variant->zerocopy;
	int pipefd[2], status, waited = 0;
	double t0;
	pid_t pid;
	char c = 0;

	ASSERT_EQ(0, pipe(pipefd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		close(pipefd[0]);
		owner_child(s, variant->fp, variant->zerocopy, pipefd[1]);
	}
	close(pipefd[1]);
	ASSERT_EQ(1, read(pipefd[0], &c, 1));
	close(pipefd[0]);
	ASSERT_EQ(1, c) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	if (!bounded)
		start_releaser(s);
	t0 = now_s();
	ASSERT_EQ(0, kill(pid, SIGKILL));
	while (waitpid(pid, &status, WNOHANG) == 0 &&
	       waited < STOP_BOUND_MS + (bounded ? 0 : WAIT_MS)) {
		usleep(5000);
		waited += 5;
	}
	TH_LOG("%s, zero-copy %s, %s: the killed owner was gone after %.0f ms",
	       variant->fp ? "vhost-fp" : "vhost-net",
	       variant->zerocopy ? "on" : "default", egress_qdisc[variant->egress],
	       (now_s() - t0) * 1000);
	ASSERT_LT(waited, STOP_BOUND_MS + (bounded ? 0 : WAIT_MS)) {
		TH_LOG("the owner's exit (its release of the device) hangs");
	}
	ASSERT_TRUE(WIFSIGNALED(status));
}

TEST_HARNESS_MAIN
