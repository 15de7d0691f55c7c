// SPDX-License-Identifier: GPL-2.0
/*
 * Life-cycle abuse under traffic, on /dev/vhost-net and /dev/vhost-fp:
 * the owner dies mid-traffic, the backend is pulled and put back, the
 * owner is reset, RX buffers of one byte meet a flood, the file is closed
 * with zero-copy buffers in flight, the memory table is replaced and the
 * tap deleted under traffic.  torture.sh adds what needs the shell.  Each time the device must stop
 * cleanly, close in bounded time, and leave other devices working.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <linux/if_tun.h>

#include "kselftest_harness.h"
#include "common.h"

#define WAIT_MS		30000
#define OTHER_PKTS	300
#define PUMP_FRAMES	200	/* frames each way before the abuse */

struct life_state {
	struct guest_dev dev;
	struct guest_tap tap;
	struct traffic traffic;
	struct traffic_cfg cfg;
	bool stop;			/* atomic: asks the pump to return */
	int pump_ret;
	pthread_t pump;
};

FIXTURE(life) {
	struct life_state s;
};

FIXTURE_VARIANT(life) {
	bool fp;
};

FIXTURE_VARIANT_ADD(life, net) { .fp = false, };
FIXTURE_VARIANT_ADD(life, fp) { .fp = true, };

FIXTURE_SETUP(life)
{
	const char *why;

	dev_tap_reset(&self->s.dev, &self->s.tap);
	why = device_unusable(variant->fp, -1);
	if (why)
		SKIP(return, "%s", why);
	ASSERT_EQ(0, dev_tap_open(&self->s.dev, &self->s.tap, variant->fp));
	traffic_cfg_default(&self->s.cfg, true);
	self->s.cfg.any_layout = true;
	self->s.cfg.tx_in_order = !variant->fp;
	self->s.cfg.tx_packets = 1UL << 30;
	self->s.cfg.rx_packets = 1UL << 30;
	self->s.cfg.stop = &self->s.stop;
}

FIXTURE_TEARDOWN(life)
{
	traffic_fini(&self->s.traffic);
	guest_dev_close(&self->s.dev);
	tap_close(&self->s.tap);
}

static int start_device(struct life_state *self)
{
	int ret = guest_dev_set_owner(&self->dev);

	if (!ret)
		ret = guest_dev_start(&self->dev, features_for(true, false, true),
				      RING_NUM, self->tap.fd);
	return ret;
}

static void *pump_thread(void *arg)
{
	struct life_state *self = arg;

	self->pump_ret = traffic_run(&self->traffic);
	return NULL;
}

/* Byte-exact traffic in a thread until self->stop. */
static int pump_start(struct life_state *self)
{
	int ret = tap_open_sockets(&self->tap);

	if (!ret)
		ret = traffic_init(&self->traffic, &self->dev, &self->tap,
				   &self->cfg);
	if (!ret)
		ret = -pthread_create(&self->pump, NULL, pump_thread, self);
	return ret;
}

static void pump_stop(struct life_state *self)
{
	__atomic_store_n(&self->stop, true, __ATOMIC_RELAXED);
	pthread_join(self->pump, NULL);
}

/* Wait until the pump moved @n more frames each way. */
static bool pump_moves(struct life_state *self, unsigned long n)
{
	struct traffic *t = &self->traffic;
	unsigned long tx = t->tx_seen + n, rx = t->rx_recv + n;
	int i;

	for (i = 0; i < WAIT_MS / 10; i++) {
		if (t->tx_seen >= tx && t->rx_recv >= rx)
			return true;
		usleep(10000);
	}
	return false;
}

/* Used rings of a stopped device stay put however much the guest kicks. */
static void expect_frozen(struct __test_metadata *_metadata,
			  struct life_state *self)
{
	__u16 tx = self->dev.vq[VQ_TX].used->idx;
	__u16 rx = self->dev.vq[VQ_RX].used->idx;
	__u64 one = 1;
	int i;

	for (i = 0; i < 20; i++) {
		if (write(self->dev.vq[VQ_TX].kick, &one, 8) != 8 ||
		    write(self->dev.vq[VQ_RX].kick, &one, 8) != 8)
			break;
		usleep(20000);
	}
	EXPECT_EQ(tx, self->dev.vq[VQ_TX].used->idx);
	EXPECT_EQ(rx, self->dev.vq[VQ_RX].used->idx);
}

static void expect_other_moves(struct __test_metadata *_metadata, bool fp)
{
	char err[256] = "";

	EXPECT_EQ(0, other_device_moves(fp, "vfptap1", OTHER_PKTS, err,
					sizeof(err))) {
		TH_LOG("second device: %s", err);
	}
}

TEST_F(life, backend_detach_under_traffic)
{
	ASSERT_EQ(0, start_device(&self->s));
	ASSERT_EQ(0, pump_start(&self->s));
	ASSERT_TRUE(pump_moves(&self->s, PUMP_FRAMES));
	ASSERT_EQ(0, guest_set_backend(self->s.dev.fd, VQ_TX, -1));
	ASSERT_EQ(0, guest_set_backend(self->s.dev.fd, VQ_RX, -1));
	expect_frozen(_metadata, &self->s);
	/* Back on: the numbered stream goes on without a gap. */
	ASSERT_EQ(0, guest_set_backend(self->s.dev.fd, VQ_TX, self->s.tap.fd));
	ASSERT_EQ(0, guest_set_backend(self->s.dev.fd, VQ_RX, self->s.tap.fd));
	EXPECT_TRUE(pump_moves(&self->s, PUMP_FRAMES));
	pump_stop(&self->s);
	EXPECT_EQ(0, self->s.pump_ret) {
		TH_LOG("%s", self->s.traffic.err);
	}
}

TEST_F(life, reset_owner_under_traffic)
{
	ASSERT_EQ(0, start_device(&self->s));
	ASSERT_EQ(0, pump_start(&self->s));
	ASSERT_TRUE(pump_moves(&self->s, PUMP_FRAMES));
	ASSERT_EQ(0, xioctl(self->s.dev.fd, VHOST_RESET_OWNER, NULL));
	expect_frozen(_metadata, &self->s);
	pump_stop(&self->s);
	EXPECT_EQ(0, self->s.pump_ret) {
		TH_LOG("%s", self->s.traffic.err);
	}
	/* A new owner, new memory, new rings: the device works again. */
	traffic_fini(&self->s.traffic);
	guest_vq_fini(&self->s.dev.vq[VQ_RX]);
	guest_vq_fini(&self->s.dev.vq[VQ_TX]);
	guest_mem_fini(&self->s.dev.mem);
	ASSERT_EQ(0, guest_mem_init(&self->s.dev.mem));
	self->s.dev.owned = false;
	/* A fresh tap: the old one still queues frames of the old stream. */
	tap_close(&self->s.tap);
	ASSERT_EQ(0, tap_open(&self->s.tap, "vfptap2", 12, TAP_OFFLOADS));
	ASSERT_EQ(0, tap_open_sockets(&self->s.tap));
	ASSERT_EQ(0, start_device(&self->s));
	self->s.stop = false;
	self->s.cfg.stop = NULL;
	self->s.cfg.tx_packets = OTHER_PKTS;
	self->s.cfg.rx_packets = OTHER_PKTS;
	ASSERT_EQ(0, traffic_init(&self->s.traffic, &self->s.dev, &self->s.tap,
				  &self->s.cfg));
	EXPECT_EQ(0, traffic_run(&self->s.traffic)) {
		TH_LOG("after RESET_OWNER: %s", self->s.traffic.err);
	}
}

/* The owner, a child sharing the file, is killed in the middle of traffic. */
TEST_F(life, owner_dies)
{
	struct pollfd p;
	int pfd[2], status;
	pid_t pid;

	ASSERT_EQ(0, pipe(pfd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		close(pfd[0]);
		if (start_device(&self->s) || pump_start(&self->s) ||
		    !pump_moves(&self->s, PUMP_FRAMES))
			_exit(1);
		if (write(pfd[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(pfd[1]);
	p = (struct pollfd){ .fd = pfd[0], .events = POLLIN };
	EXPECT_EQ(1, poll(&p, 1, WAIT_MS)) {
		TH_LOG("the owner never got traffic going");
	}
	kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	close(pfd[0]);
	/* We still hold the file: closing it must not hang. */
	EXPECT_EQ(0, close_bounded(self->s.dev.fd, WAIT_MS));
	self->s.dev.fd = -1;
	expect_other_moves(_metadata, variant->fp);
}

#ifndef VHOST_GET_FORK_FROM_OWNER	/* 6.12-stable's <linux/vhost.h> */
#define VHOST_FORK_OWNER_KTHREAD 0
#define VHOST_FORK_OWNER_TASK 1
#define VHOST_SET_FORK_FROM_OWNER _IOW(VHOST_VIRTIO, 0x84, __u8)
#define VHOST_GET_FORK_FROM_OWNER _IOR(VHOST_VIRTIO, 0x85, __u8)
#endif

/* The worker kind stock vhost makes here: -1 when it has no such ioctl. */
static int vhost_net_worker_mode(void)
{
	int fd = open("/dev/vhost-net", O_RDWR | O_CLOEXEC), mode = -1;
	__u8 m;

	if (fd < 0)
		return -1;
	if (!ioctl(fd, VHOST_GET_FORK_FROM_OWNER, &m))
		mode = m;
	close(fd);
	return mode;
}

/* A thread of this process named @comm (the worker, if it is one). */
static bool own_thread_named(const char *comm)
{
	char path[300], name[32];
	bool found = false;
	struct dirent *de;
	FILE *f;
	DIR *d;

	d = opendir("/proc/self/task");
	if (!d)
		return false;
	while (!found && (de = readdir(d))) {
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm",
			 de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		found = fgets(name, sizeof(name), f) &&
			!strncmp(name, comm, strlen(comm));
		fclose(f);
	}
	closedir(d);
	return found;
}

/*
 * SET_OWNER from a child that is "nobody" with RLIMIT_NPROC 1: 0 when it
 * worked, else the errno.
 */
static int set_owner_nproc_1(int fd)
{
	struct rlimit rl = { 1, 1 };
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		if (setgid(65534) || setuid(65534) ||
		    setrlimit(RLIMIT_NPROC, &rl))
			_exit(255);
		_exit(ioctl(fd, VHOST_SET_OWNER, NULL) ? errno : 0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/*
 * The worker is the kind vhost makes on this kernel (issue 21): where
 * vhost answers VHOST_GET_FORK_FROM_OWNER (6.12-stable) a thread of the
 * owner's process, in its cgroups and counted in its RLIMIT_NPROC; where
 * it does not (6.1), a kthread.  vhost-fp says which, answers the SET
 * ioctl as vhost does for that kind, and behaves so.  vhost-net: the
 * reference, recorded.
 */
TEST_F(life, worker_of_owner)
{
	int stock = vhost_net_worker_mode(), fd = self->s.dev.fd, ret;
	bool task = stock == VHOST_FORK_OWNER_TASK;
	char comm[32];
	__u8 mode = 0xff, bad = 7;

	ret = xioctl(fd, VHOST_GET_FORK_FROM_OWNER, &mode);
	TH_LOG("%s: GET_FORK_FROM_OWNER %s, mode %d; vhost-net's %d",
	       variant->fp ? "vhost-fp" : "vhost-net", strerror(-ret), mode,
	       stock);
	if (variant->fp) {
		ASSERT_EQ(0, ret);
		EXPECT_EQ(task ? VHOST_FORK_OWNER_TASK : VHOST_FORK_OWNER_KTHREAD,
			  mode);
		EXPECT_EQ(0, xioctl(fd, VHOST_SET_FORK_FROM_OWNER, &mode));
		EXPECT_EQ(-EINVAL, xioctl(fd, VHOST_SET_FORK_FROM_OWNER, &bad));
		bad = !mode;
		EXPECT_EQ(-EOPNOTSUPP, xioctl(fd, VHOST_SET_FORK_FROM_OWNER,
					      &bad));
	}
	/* A worker thread past RLIMIT_NPROC is refused, a kthread is not. */
	ret = set_owner_nproc_1(fd);
	TH_LOG("SET_OWNER as nobody with RLIMIT_NPROC 1: %s",
	       ret < 0 ? "child failed" : strerror(ret));
	ASSERT_LE(0, ret);
	/* vhost says -ENOMEM for every failure to make its worker. */
	if (variant->fp)
		EXPECT_EQ(task ? EAGAIN : 0, ret);
	if (!variant->fp && stock >= 0)
		EXPECT_EQ(task, ret != 0);
	if (!ret) {
		/* The child owns it and is gone: start over with a fresh one. */
		guest_dev_close(&self->s.dev);
		ASSERT_EQ(0, guest_dev_open(&self->s.dev, variant->fp));
		fd = self->s.dev.fd;
	}
	ASSERT_EQ(0, xioctl(fd, VHOST_SET_OWNER, NULL));
	self->s.dev.owned = true;
	snprintf(comm, sizeof(comm), "%s-%d", variant->fp ? "vhostfp" : "vhost",
		 getpid());
	EXPECT_EQ(task, own_thread_named(comm)) {
		TH_LOG("a thread %s of the owner: %s", comm,
		       task ? "missing" : "there, on a kthread kernel");
	}
	if (variant->fp) {
		mode = !mode;
		EXPECT_EQ(-EBUSY, xioctl(fd, VHOST_SET_FORK_FROM_OWNER, &mode));
	}
	/* And it moves traffic. */
	ASSERT_EQ(0, guest_dev_start(&self->s.dev, features_for(true, false, true),
				     RING_NUM, self->s.tap.fd));
	ASSERT_EQ(0, pump_start(&self->s));
	EXPECT_TRUE(pump_moves(&self->s, PUMP_FRAMES));
	pump_stop(&self->s);
}

/*
 * One-byte RX buffers cannot hold a frame, let alone its header; a flood
 * into that device must not starve a second one.
 */
TEST_F(life, rx_tiny_buffers_flood)
{
	struct guest_vq *vq = &self->s.dev.vq[VQ_RX];
	struct flood flood;
	__u64 buf;
	unsigned int i;

	ASSERT_EQ(0, start_device(&self->s));
	ASSERT_EQ(0, tap_open_sockets(&self->s.tap));
	buf = guest_alloc(&self->s.dev.mem, vq->num, 64);
	ASSERT_TRUE(buf != 0);
	for (i = 0; i < vq->num; i++) {
		guest_vq_set_desc(vq, i, buf + i, 1, VRING_DESC_F_WRITE, 0);
		guest_vq_add(vq, i);
	}
	guest_vq_publish(vq);
	ASSERT_EQ(0, flood_start(&flood, self->s.tap.tx_sock, 1514));
	expect_other_moves(_metadata, variant->fp);
	flood_stop(&flood);
	TH_LOG("flooded %lu frames; the one-byte ring used %u buffers",
	       flood.sent, vq->used->idx);
	EXPECT_LT(0UL, flood.sent);
	EXPECT_EQ(0, close_bounded(self->s.dev.fd, WAIT_MS));
	self->s.dev.fd = -1;
}

/*
 * The guest's memory table, the regions listed in ring order or the
 * other way round: the same memory either way.  See guest.h for the
 * reverse mapping of regions.
 */
static int set_mem_table(int fd, struct guest_mem *m, bool reverse)
{
	struct {
		struct vhost_memory hdr;
		struct vhost_memory_region r[GUEST_NREGIONS];
	} t = { .hdr.nregions = GUEST_NREGIONS };
	unsigned int i, k;

	for (i = 0; i < GUEST_NREGIONS; i++) {
		k = reverse ? GUEST_NREGIONS - 1 - i : i;
		t.r[k].guest_phys_addr = GUEST_GPA_BASE + i * GUEST_REGION_SIZE;
		t.r[k].memory_size = GUEST_REGION_SIZE;
		t.r[k].userspace_addr = (uintptr_t)m->hva +
			(GUEST_NREGIONS - 1 - i) * GUEST_REGION_SIZE;
	}
	return xioctl(fd, VHOST_SET_MEM_TABLE, &t);
}

/* QEMU replaces the table under traffic (memory hotplug): no frame lost. */
TEST_F(life, mem_table_under_traffic)
{
	unsigned int i;

	ASSERT_EQ(0, start_device(&self->s));
	ASSERT_EQ(0, pump_start(&self->s));
	ASSERT_TRUE(pump_moves(&self->s, PUMP_FRAMES));
	for (i = 0; i < 500; i++) {
		ASSERT_EQ(0, set_mem_table(self->s.dev.fd, &self->s.dev.mem,
					   i & 1));
		if (i % 50 == 0)
			usleep(1000);
	}
	EXPECT_TRUE(pump_moves(&self->s, PUMP_FRAMES));
	pump_stop(&self->s);
	EXPECT_EQ(0, self->s.pump_ret) {
		TH_LOG("%s", self->s.traffic.err);
	}
}

/*
 * The tap's netdev goes away under an attached backend, mid-traffic: the
 * device must keep answering, let go of the dead tap and close.
 */
TEST_F(life, tap_deleted_under_traffic)
{
	struct vhost_vring_state s = { .index = VQ_TX };

	ASSERT_EQ(0, start_device(&self->s));
	ASSERT_EQ(0, pump_start(&self->s));
	ASSERT_TRUE(pump_moves(&self->s, PUMP_FRAMES));
	ASSERT_EQ(0, system("ip link del " TAP_NAME));
	/* Frames in flight are lost with the netdev: the pump's verdict is moot. */
	pump_stop(&self->s);
	usleep(100000);
	EXPECT_EQ(0, guest_set_backend(self->s.dev.fd, VQ_TX, -1));
	EXPECT_EQ(0, guest_set_backend(self->s.dev.fd, VQ_RX, -1));
	/* The orphaned tap fd is no backend (vhost-fp took it for TX once). */
	EXPECT_EQ(-EINVAL, guest_set_backend(self->s.dev.fd, VQ_RX,
					     self->s.tap.fd));
	EXPECT_EQ(-EINVAL, guest_set_backend(self->s.dev.fd, VQ_TX,
					     self->s.tap.fd));
	EXPECT_EQ(0, xioctl(self->s.dev.fd, VHOST_GET_VRING_BASE, &s));
	EXPECT_EQ(0, close_bounded(self->s.dev.fd, WAIT_MS));
	self->s.dev.fd = -1;
	expect_other_moves(_metadata, variant->fp);
}

/* Close, then unmap guest memory, while TX buffers may be in flight. */
TEST_F(life, close_zerocopy_in_flight)
{
	struct guest_vq *vq = &self->s.dev.vq[VQ_TX];
	__u8 frame[12 + 60000];
	struct frame_spec f = { .dir = DIR_TX, .len = 60000 };
	__u64 buf;
	unsigned int i;

	ASSERT_EQ(0, start_device(&self->s));
	if (variant->fp)
		ASSERT_EQ(0, fp_set_zerocopy(self->s.dev.fd, true));
	if (!variant->fp && vhost_net_zcopytx() != 1)
		TH_LOG("vhost_net without experimental_zcopytx: copies");
	memset(frame, 0, 12);
	for (i = 0; i < vq->num / 2; i++) {
		buf = guest_alloc(&self->s.dev.mem, sizeof(frame), 64);
		ASSERT_TRUE(buf != 0);
		f.seq = i;
		frame_fill(&f, frame + 12);
		guest_write(&self->s.dev.mem, buf, frame, sizeof(frame));
		guest_vq_set_desc(vq, 2 * i, buf, 12, VRING_DESC_F_NEXT,
				  2 * i + 1);
		guest_vq_set_desc(vq, 2 * i + 1, buf + 12, 60000, 0, 0);
		guest_vq_add(vq, 2 * i);
		if (i % 16 == 15)
			guest_vq_publish(vq);
	}
	guest_vq_publish(vq);
	EXPECT_EQ(0, close_bounded(self->s.dev.fd, WAIT_MS));
	self->s.dev.fd = -1;
	guest_mem_fini(&self->s.dev.mem);
	expect_other_moves(_metadata, variant->fp);
}

TEST_HARNESS_MAIN
