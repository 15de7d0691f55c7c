// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/ioctl.h>
#include <linux/if_tun.h>

#include "common.h"

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

/*
 * Without mergeable buffers the guest is a legacy one (10-byte header,
 * header in its own descriptor); with them a VERSION_1 one (12 bytes,
 * any layout), which is how QEMU pairs them with modern guests.
 */
uint64_t features_for(bool event_idx, bool indirect, bool mrg)
{
	uint64_t f = 0;

	if (event_idx)
		f |= F(VIRTIO_RING_F_EVENT_IDX);
	if (indirect)
		f |= F(VIRTIO_RING_F_INDIRECT_DESC);
	if (mrg)
		f |= F(VIRTIO_NET_F_MRG_RXBUF) | F(VIRTIO_F_VERSION_1);
	return f;
}

int features_check(int fd, uint64_t want, uint64_t *have)
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
