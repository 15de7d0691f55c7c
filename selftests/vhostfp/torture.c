// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers of torture.sh, the life-cycle torture of /dev/vhost-fp.
 *
 *   torture hold TAP [BRIDGE]   a device on tap TAP (enslaved to BRIDGE)
 *                               with zero-copy TX flowing; prints "ready"
 *                               once buffers are in flight (zero-copy ones
 *                               with BRIDGE), then keeps the traffic going
 *                               until it is killed
 *   torture churn TAP N         N devices opened and closed: some bare,
 *                               some brought up on TAP under traffic and
 *                               closed by another thread while the worker
 *                               runs, some dropped by a dying owner
 *
 * Exit status 0, or 1 with "# FAIL: why" on stdout.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <linux/if_tun.h>

#include "common.h"

#define FRAME_LEN	1200		/* above zc_threshold, below the MTU */
#define WAIT_MS		30000
#define NSLOTS		(RING_NUM / 2)

static void die(const char *fmt, ...)
{
	va_list ap;

	printf("# FAIL: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	exit(1);
}

/* Guest TX: frames in fixed slots, slot s in descriptors 2s and 2s + 1. */
struct txq {
	struct guest_dev *dev;
	__u64 buf;
	bool busy[NSLOTS];
	unsigned long posted, used;
};

static int txq_init(struct txq *q, struct guest_dev *dev)
{
	memset(q, 0, sizeof(*q));
	q->dev = dev;
	q->buf = guest_alloc(&dev->mem, NSLOTS * (12 + FRAME_LEN), 64);
	return q->buf ? 0 : -ENOMEM;
}

/* Post what is free, take back what is used; returns buffers taken back. */
static unsigned int txq_pump(struct txq *q)
{
	struct guest_vq *vq = &q->dev->vq[VQ_TX];
	struct frame_spec f = { .dir = DIR_TX, .len = FRAME_LEN };
	__u8 frame[12 + FRAME_LEN] = {};
	unsigned int s, n = 0;
	__u32 id, len;

	while (guest_vq_get_used(vq, &id, &len)) {
		if (id / 2 < NSLOTS && q->busy[id / 2]) {
			q->busy[id / 2] = false;
			q->used++;
			n++;
		}
	}
	for (s = 0; s < NSLOTS; s++) {
		__u64 gpa = q->buf + (__u64)s * sizeof(frame);

		if (q->busy[s])
			continue;
		f.seq = q->posted;
		frame_fill(&f, frame + 12);
		guest_write(&q->dev->mem, gpa, frame, sizeof(frame));
		guest_vq_set_desc(vq, 2 * s, gpa, 12, VRING_DESC_F_NEXT, 2 * s + 1);
		guest_vq_set_desc(vq, 2 * s + 1, gpa + 12, FRAME_LEN, 0, 0);
		guest_vq_add(vq, 2 * s);
		q->busy[s] = true;
		q->posted++;
	}
	guest_vq_publish(vq);
	return n;
}

/* RX buffers, posted once: frames flooded into the tap land there. */
static void rx_post(struct guest_dev *dev)
{
	struct guest_vq *vq = &dev->vq[VQ_RX];
	__u64 buf = guest_alloc(&dev->mem, (size_t)vq->num * 2048, 64);
	unsigned int i;

	for (i = 0; buf && i < vq->num; i++) {
		guest_vq_set_desc(vq, i, buf + i * 2048, 2048, VRING_DESC_F_WRITE, 0);
		guest_vq_add(vq, i);
	}
	guest_vq_publish(vq);
}

static int dev_up(struct guest_dev *dev, int tapfd)
{
	int ret = guest_dev_open(dev, true);

	if (!ret)
		ret = guest_dev_start(dev, features_for(true, false, true),
				      RING_NUM, tapfd);
	if (!ret)
		ret = fp_set_zerocopy(dev->fd, true);
	return ret;
}

static int cmd_hold(const char *tapname, const char *bridge)
{
	struct vhost_fp_stats st;
	struct guest_tap tap;
	struct guest_dev dev;
	struct txq q;
	bool ready = false;
	char cmd[128];
	int ret;

	ret = tap_open(&tap, tapname, 12, TAP_OFFLOADS);
	if (ret)
		die("tap %s: %s", tapname, strerror(-ret));
	if (bridge) {
		snprintf(cmd, sizeof(cmd), "ip link set %s master %s up",
			 tapname, bridge);
		if (system(cmd))
			die("%s", cmd);
	}
	ret = dev_up(&dev, tap.fd);
	if (!ret)
		ret = txq_init(&q, &dev);
	if (ret)
		die("bring-up: %s", strerror(-ret));
	rx_post(&dev);
	for (;;) {
		txq_pump(&q);
		if (!ready && !fp_get_stats(dev.fd, &st) &&
		    (bridge ? st.vq[VQ_TX].zc_sent > st.vq[VQ_TX].zc_completed + 8 :
			      q.used > 64)) {
			printf("ready: %lu TX buffers used, %llu zero-copy in flight\n",
			       q.used, st.vq[VQ_TX].zc_sent - st.vq[VQ_TX].zc_completed);
			fflush(stdout);
			ready = true;
		}
		guest_eventfd_wait(dev.vq[VQ_TX].call, 10);
	}
	return 0;	/* not reached: killed */
}

/*
 * One device of the churn, brought up under traffic: closed by another
 * thread while this one kicks, or (@owner_dies) by the exit of a child
 * that owns it.
 */
static void churn_one(int tapfd, unsigned long delay_us, bool owner_dies)
{
	struct guest_dev dev;
	struct close_job *job;
	struct txq q;
	int ret, status;
	pid_t pid;

	if (owner_dies) {
		pid = fork();
		if (pid < 0)
			die("fork: %s", strerror(errno));
		if (!pid) {
			if (dev_up(&dev, tapfd) || txq_init(&q, &dev))
				_exit(1);
			rx_post(&dev);
			txq_pump(&q);
			usleep(delay_us);
			_exit(0);	/* no close(): the exit drops the device */
		}
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
		    WEXITSTATUS(status))
			die("owner child: status %#x", status);
		return;
	}
	ret = dev_up(&dev, tapfd);
	if (!ret)
		ret = txq_init(&q, &dev);
	if (ret)
		die("bring-up: %s", strerror(-ret));
	rx_post(&dev);
	txq_pump(&q);
	usleep(delay_us);
	job = close_start(dev.fd);
	if (!job)
		die("close thread");
	/* Keep the worker busy while the fd goes. */
	txq_pump(&q);
	if (close_wait(job, WAIT_MS))
		die("close() under traffic did not return in %d ms", WAIT_MS);
	dev.fd = -1;
	guest_dev_close(&dev);
}

static int cmd_churn(const char *tapname, unsigned long n)
{
	struct guest_tap tap;
	struct flood flood;
	unsigned long i;
	int fd, ret;

	ret = tap_open(&tap, tapname, 12, TAP_OFFLOADS);
	if (!ret)
		ret = tap_open_sockets(&tap);
	if (!ret)
		ret = flood_start(&flood, tap.tx_sock, 1000);
	if (ret)
		die("tap %s: %s", tapname, strerror(-ret));
	for (i = 0; i < n; i++) {
		switch (i % 4) {
		case 0:	/* bare: open and close */
			fd = open(guest_dev_path(true), O_RDWR | O_CLOEXEC);
			if (fd < 0)
				die("open: %s", strerror(errno));
			close(fd);
			break;
		case 1: /* owned, no rings */
			fd = open(guest_dev_path(true), O_RDWR | O_CLOEXEC);
			if (fd < 0 || ioctl(fd, VHOST_SET_OWNER, NULL))
				die("open + SET_OWNER: %s", strerror(errno));
			close(fd);
			break;
		default:
			churn_one(tap.fd, (i * 7919) % 3000, i % 8 == 3);
		}
	}
	flood_stop(&flood);
	tap_close(&tap);
	printf("# churn: %lu devices, %lu frames flooded\n", n, flood.sent);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 3 && !strcmp(argv[1], "hold"))
		return cmd_hold(argv[2], argc > 3 ? argv[3] : NULL);
	if (argc == 4 && !strcmp(argv[1], "churn"))
		return cmd_churn(argv[2], strtoul(argv[3], NULL, 0));
	fprintf(stderr, "usage: torture hold TAP [BRIDGE] | torture churn TAP N\n");
	return 2;
}
