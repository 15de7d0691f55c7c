// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <linux/if_tun.h>

#include "common.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

int vhost_net_zcopytx(void)
{
	FILE *f = fopen("/sys/module/vhost_net/parameters/experimental_zcopytx",
			"r");
	int v = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%d", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/*
 * @zerocopy: 0 or 1 when the variant needs zero-copy off or on, -1 when
 * it does not care.  VFP_DEVICES ("vhost-net", "vhost-fp") limits a run
 * to one device, so that a wrapper can run vhost_net once per setting of
 * its load-time parameter without running vhost-fp twice.
 */
const char *device_unusable(bool fp, int zerocopy)
{
	static char why[128];
	const char *only = getenv("VFP_DEVICES");
	const char *name = fp ? "vhost-fp" : "vhost-net";
	int zc;

	if (only && *only && !strstr(only, name)) {
		snprintf(why, sizeof(why), "%s not selected (VFP_DEVICES=%s)",
			 name, only);
		return why;
	}
	if (!guest_dev_present(fp)) {
		snprintf(why, sizeof(why), "no %s (module not loaded)",
			 guest_dev_path(fp));
		return why;
	}
	if (fp || zerocopy < 0)
		return NULL;
	zc = vhost_net_zcopytx();
	if (zc != zerocopy) {
		snprintf(why, sizeof(why),
			 "vhost_net loaded with experimental_zcopytx=%d, variant wants %d",
			 zc, zerocopy);
		return why;
	}
	return NULL;
}

void dev_tap_reset(struct guest_dev *dev, struct guest_tap *tap)
{
	dev->fd = -1;
	tap->fd = -1;
	tap->tx_sock = -1;
	tap->rx_sock = -1;
}

int dev_tap_open(struct guest_dev *dev, struct guest_tap *tap, bool fp)
{
	int ret = tap_netns_enter();

	if (!ret)
		ret = tap_open(tap, TAP_NAME, 12, TAP_OFFLOADS);
	if (!ret)
		ret = guest_dev_open(dev, fp);
	return ret;
}

/*
 * Without mergeable buffers the guest is a legacy one (10-byte header,
 * header in its own descriptor); with them a VERSION_1 one (12 bytes,
 * any layout), which is how QEMU pairs them with modern guests.
 */
__u64 features_for(bool event_idx, bool indirect, bool mrg)
{
	__u64 f = 0;

	if (event_idx)
		f |= F(VIRTIO_RING_F_EVENT_IDX);
	if (indirect)
		f |= F(VIRTIO_RING_F_INDIRECT_DESC);
	if (mrg)
		f |= F(VIRTIO_NET_F_MRG_RXBUF) | F(VIRTIO_F_VERSION_1);
	return f;
}

int features_check(int fd, __u64 want, __u64 *have)
{
	int ret = xioctl(fd, VHOST_GET_FEATURES, have);

	if (ret)
		return ret;
	return (*have & want) == want ? 0 : -EOPNOTSUPP;
}

int fp_set_zerocopy(int fd, bool on)
{
	struct vhost_fp_tunables tun;
	int ret = xioctl(fd, VHOST_FP_GET_TUNABLES, &tun);

	if (ret)
		return ret;
	if (on)
		tun.flags |= VHOST_FP_F_ZEROCOPY;
	else
		tun.flags &= ~VHOST_FP_F_ZEROCOPY;
	return xioctl(fd, VHOST_FP_SET_TUNABLES, &tun);
}

int fp_get_stats(int fd, struct vhost_fp_stats *st)
{
	memset(st, 0, sizeof(*st));
	return xioctl(fd, VHOST_FP_GET_STATS, st);
}

double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int other_device_moves(bool fp, const char *tapname, unsigned long n,
		       char *err, size_t errlen)
{
	__u64 want = features_for(true, false, true), have;
	struct traffic_cfg cfg;
	struct guest_tap tap;
	struct guest_dev dev;
	struct traffic t;
	int ret;

	traffic_cfg_default(&cfg, true);
	cfg.tx_packets = n;
	cfg.rx_packets = n;
	cfg.any_layout = true;
	/* vhost-fp's default is zero-copy: completions out of order. */
	cfg.tx_in_order = !fp;
	ret = tap_open(&tap, tapname, cfg.hdr_len, TAP_OFFLOADS);
	if (ret) {
		snprintf(err, errlen, "tap %s: %s", tapname, strerror(-ret));
		return -1;
	}
	ret = tap_open_sockets(&tap);
	if (!ret)
		ret = guest_dev_open(&dev, fp);
	if (ret) {
		snprintf(err, errlen, "open: %s", strerror(-ret));
		tap_close(&tap);
		return -1;
	}
	ret = guest_dev_set_owner(&dev);
	if (!ret)
		ret = features_check(dev.fd, want, &have);
	if (!ret)
		ret = guest_dev_start(&dev, want, RING_NUM, tap.fd);
	if (!ret)
		ret = traffic_init(&t, &dev, &tap, &cfg);
	if (ret) {
		snprintf(err, errlen, "bring-up: %s", strerror(-ret));
	} else {
		ret = traffic_run(&t);
		if (ret)
			snprintf(err, errlen, "%s", t.err);
		traffic_fini(&t);
	}
	guest_dev_close(&dev);
	tap_close(&tap);
	return ret ? -1 : 0;
}

struct close_job {
	int fd;
	int done;	/* eventfd: written once close() returned */
	pthread_t thread;
};

static void *close_thread(void *arg)
{
	struct close_job *job = arg;
	__u64 one = 1;

	close(job->fd);
	if (write(job->done, &one, sizeof(one)) != sizeof(one))
		return NULL;
	return NULL;
}

/* close(@fd) in a thread of its own; NULL when that cannot start. */
struct close_job *close_start(int fd)
{
	struct close_job *job = calloc(1, sizeof(*job));

	if (!job)
		return NULL;
	job->fd = fd;
	job->done = eventfd(0, EFD_CLOEXEC);
	if (job->done >= 0 &&
	    !pthread_create(&job->thread, NULL, close_thread, job))
		return job;
	if (job->done >= 0)
		close(job->done);
	free(job);
	return NULL;
}

/*
 * 0 once the close() returned (the job is gone then), -ETIMEDOUT if it
 * did not within @timeout_ms (wait again, or give up: a close() that
 * never returns is left behind, and the test fails).
 */
int close_wait(struct close_job *job, int timeout_ms)
{
	if (guest_eventfd_wait(job->done, timeout_ms) <= 0)
		return -ETIMEDOUT;
	pthread_join(job->thread, NULL);
	close(job->done);
	free(job);
	return 0;
}

static void *ioctl_thread(void *arg)
{
	struct ioctl_job *job = arg;
	__u64 one = 1;

	job->ret = xioctl(job->fd, job->req, &job->arg);
	if (write(job->done, &one, sizeof(one)) != sizeof(one))
		return NULL;
	return NULL;
}

struct ioctl_job *ioctl_start(int fd, unsigned long req, const void *arg,
			      size_t len)
{
	struct ioctl_job *job = calloc(1, sizeof(*job));

	if (!job || len > sizeof(job->arg)) {
		free(job);
		return NULL;
	}
	job->fd = fd;
	job->req = req;
	memcpy(&job->arg, arg, len);
	job->done = eventfd(0, EFD_CLOEXEC);
	if (job->done >= 0 &&
	    !pthread_create(&job->thread, NULL, ioctl_thread, job))
		return job;
	if (job->done >= 0)
		close(job->done);
	free(job);
	return NULL;
}

int ioctl_wait(struct ioctl_job *job, int timeout_ms)
{
	if (guest_eventfd_wait(job->done, timeout_ms) <= 0)
		return -ETIMEDOUT;
	pthread_join(job->thread, NULL);
	close(job->done);
	return 0;
}

int close_bounded(int fd, int timeout_ms)
{
	struct close_job *job = close_start(fd);

	if (!job)
		return -EAGAIN;
	return close_wait(job, timeout_ms);
}

static void *flood_thread(void *arg)
{
	struct flood *f = arg;
	struct frame_spec spec = { .dir = DIR_RX, .len = f->len };
	__u8 *buf = calloc(1, NET_HDR_LEN + FRAME_MAX);

	if (!buf)
		return NULL;
	while (!__atomic_load_n(&f->stop, __ATOMIC_RELAXED)) {
		spec.seq = f->sent;
		frame_fill(&spec, buf + NET_HDR_LEN);
		if (send(f->sock, buf, NET_HDR_LEN + f->len, 0) > 0)
			f->sent++;
		else
			usleep(1000);
	}
	free(buf);
	return NULL;
}

int flood_start(struct flood *f, int sock, unsigned int len)
{
	f->sock = sock;
	f->len = len;
	f->stop = false;
	f->sent = 0;
	return -pthread_create(&f->thread, NULL, flood_thread, f);
}

void flood_stop(struct flood *f)
{
	__atomic_store_n(&f->stop, true, __ATOMIC_RELAXED);
	pthread_join(f->thread, NULL);
}

int sh(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;
	int ret;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	ret = system(cmd);
	return WIFEXITED(ret) ? WEXITSTATUS(ret) : -1;
}

const __u8 mac_held[6] = { 0x02, 0, 0, 0, 0x0a, 0x01 };
const __u8 mac_free[6] = { 0x02, 0, 0, 0, 0x0a, 0x02 };

int held_egress_build(const char *qdisc)
{
	static const char * const cmds[] = {
		"ip link add vfpbr0 type bridge forward_delay 0",
		"ip link add vfpd0 type dummy",
		"ip link add vfpd1 type dummy",
		"ip link set vfpd0 master vfpbr0 up",
		"ip link set vfpd1 master vfpbr0 up",
		"ip link set " TAP_NAME " master vfpbr0 up",
		"ip link set vfpbr0 up",
		"bridge fdb add 02:00:00:00:0a:01 dev vfpd0 master static",
		"bridge fdb add 02:00:00:00:0a:02 dev vfpd1 master static",
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		if (sh("%s", cmds[i]))
			return -1;
	return sh("tc qdisc add dev vfpd0 root %s", qdisc) ? -1 : 0;
}

unsigned long netdev_stat(const char *dev, unsigned int field)
{
	unsigned long v[10] = {};
	char line[512], name[32];
	FILE *f = fopen("/proc/net/dev", "r");

	if (!f || field >= 10)
		goto out;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, " %31[^:]: %lu %lu %lu %lu %lu %lu %lu %lu %lu %lu",
			   name, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
			   &v[6], &v[7], &v[8], &v[9]) == 11 &&
		    !strcmp(name, dev))
			break;
		v[field] = 0;
	}
out:
	if (f)
		fclose(f);
	return field < 10 ? v[field] : 0;
}

int rx_too_big_run(struct guest_dev *d, struct guest_tap *t, __u64 buf,
		   struct rx_too_big *r)
{
	struct frame_spec big = { .dir = DIR_RX, .seq = 1, .len = 1000 };
	struct frame_spec fit = { .dir = DIR_RX, .seq = 2, .len = 100 };
	__u8 frame[NET_HDR_LEN + 1000] = {}, got[100];
	struct guest_vq *vq = &d->vq[VQ_RX];
	struct vhost_fp_stats st;
	__u64 one = 1;
	int i;

	memset(r, 0, sizeof(*r));
	guest_vq_set_desc(vq, 0, buf, 12 + 200, VRING_DESC_F_WRITE, 0);
	guest_vq_add(vq, 0);
	guest_vq_publish(vq);
	if (write(vq->kick, &one, sizeof(one)) != sizeof(one))
		return -errno;
	frame_fill(&big, frame + NET_HDR_LEN);
	if (send(t->tx_sock, frame, NET_HDR_LEN + big.len, 0) !=
	    (ssize_t)(NET_HDR_LEN + big.len))
		return -EIO;
	frame_fill(&fit, frame + NET_HDR_LEN);
	if (send(t->tx_sock, frame, NET_HDR_LEN + fit.len, 0) !=
	    (ssize_t)(NET_HDR_LEN + fit.len))
		return -EIO;
	for (i = 0; i < 100 && !guest_vq_has_used(vq); i++)
		guest_eventfd_wait(vq->call, 100);
	r->used_idx = vq->used->idx;
	r->used_len = vq->used->ring[0].len;
	guest_read(&d->mem, buf + 12, got, sizeof(got));
	r->frame_ok = !frame_check(&fit, got, sizeof(got), frame, r->why,
				   sizeof(r->why));
	r->err_fired = guest_eventfd_wait(vq->err, 0) > 0;
	if (d->is_fp && !fp_get_stats(d->fd, &st))
		r->drops = st.vq[VQ_RX].drops;
	return 0;
}
