// SPDX-License-Identifier: GPL-2.0
/*
 * Data path, byte-exact, both directions at once, on /dev/vhost-net and
 * /dev/vhost-fp, over event_idx x indirect x mergeable RX x zero-copy.
 *
 * VFP_PKTS frames each way (default 2000; 100000 for the full run), from
 * 14 to 65535 bytes, 1/16 of them TCPv4 GSO with checksum offload.
 * Zero-copy of vhost_net is its load-time parameter experimental_zcopytx:
 * variants that want the other setting skip.  On vhost-fp it is a
 * per-device tunable, and the device's counters must show that it was
 * (or was not) used.
 */
#define _GNU_SOURCE
#include <linux/if_tun.h>

#include "kselftest_harness.h"
#include "common.h"

FIXTURE(datapath) {
	struct guest_dev dev;
	struct guest_tap tap;
	struct traffic traffic;
	struct traffic_cfg cfg;
};

FIXTURE_VARIANT(datapath) {
	bool fp;
	bool event_idx;
	bool indirect;
	bool mrg;
	bool zerocopy;
};

#define DP_VARIANT(name, dev, e, i, m, z)				\
	FIXTURE_VARIANT_ADD(datapath, name##_evt##e##_ind##i##_mrg##m##_zc##z) { \
		.fp = (dev), .event_idx = (e), .indirect = (i),		\
		.mrg = (m), .zerocopy = (z),				\
	}

#define DP_VARIANTS_ZC(name, dev, e, i, m)				\
	DP_VARIANT(name, dev, e, i, m, 0);				\
	DP_VARIANT(name, dev, e, i, m, 1)

#define DP_VARIANTS_MRG(name, dev, e, i)				\
	DP_VARIANTS_ZC(name, dev, e, i, 0);				\
	DP_VARIANTS_ZC(name, dev, e, i, 1)

#define DP_VARIANTS_IND(name, dev, e)					\
	DP_VARIANTS_MRG(name, dev, e, 0);				\
	DP_VARIANTS_MRG(name, dev, e, 1)

#define DP_VARIANTS(name, dev)						\
	DP_VARIANTS_IND(name, dev, 0);					\
	DP_VARIANTS_IND(name, dev, 1)

DP_VARIANTS(net, false);
DP_VARIANTS(fp, true);

FIXTURE_SETUP(datapath)
{
	uint64_t want, have;
	const char *why;
	int ret;

	self->dev.fd = -1;
	self->tap.fd = self->tap.tx_sock = self->tap.rx_sock = -1;
	why = device_unusable(variant->fp, variant->zerocopy);
	if (why)
		SKIP(return, "%s", why);

	traffic_cfg_default(&self->cfg, variant->mrg);
	self->cfg.indirect = variant->indirect;
	self->cfg.any_layout = variant->mrg;
	/* Only vhost-fp's zero-copy may complete out of order. */
	self->cfg.tx_in_order = !(variant->fp && variant->zerocopy);

	ASSERT_EQ(0, tap_netns_enter());
	ASSERT_EQ(0, tap_open(&self->tap, TAP_NAME, self->cfg.hdr_len,
			      TAP_OFFLOADS));
	ASSERT_EQ(0, tap_open_sockets(&self->tap));
	ASSERT_EQ(0, guest_dev_open(&self->dev, variant->fp));

	want = features_for(variant->event_idx, variant->indirect,
			    variant->mrg);
	/* QEMU's order: owner first, then the feature handshake. */
	ASSERT_EQ(0, guest_dev_set_owner(&self->dev));
	ret = features_check(self->dev.fd, want, &have);
	if (ret == -EOPNOTSUPP)
		SKIP(return, "device lacks features %#llx (has %#llx)",
		     (unsigned long long)want, (unsigned long long)have);
	ASSERT_EQ(0, ret);
	ret = guest_dev_start(&self->dev, want, RING_NUM, self->tap.fd);
	if (ret)
		TH_LOG("%s: %s", self->dev.failed_op, strerror(-ret));
	ASSERT_EQ(0, ret);
	if (variant->fp)
		ASSERT_EQ(0, fp_set_zerocopy(self->dev.fd, variant->zerocopy));
	ASSERT_EQ(0, traffic_init(&self->traffic, &self->dev, &self->tap,
				  &self->cfg));
}

FIXTURE_TEARDOWN(datapath)
{
	traffic_fini(&self->traffic);
	guest_dev_close(&self->dev);
	tap_close(&self->tap);
}

/* vhost-fp's own account of the run must agree with what we saw. */
static void check_fp_stats(struct __test_metadata *_metadata,
			   FIXTURE_DATA(datapath) *self,
			   const FIXTURE_VARIANT(datapath) *variant)
{
	struct vhost_fp_vq_stats *tx, *rx;
	struct vhost_fp_stats st;

	ASSERT_EQ(0, fp_get_stats(self->dev.fd, &st));
	tx = &st.vq[VHOST_FP_VQ_TX];
	rx = &st.vq[VHOST_FP_VQ_RX];
	TH_LOG("vhost-fp TX: %llu packets, zc sent %llu completed %llu copied %llu; RX: %llu packets",
	       (unsigned long long)tx->packets,
	       (unsigned long long)tx->zc_sent,
	       (unsigned long long)tx->zc_completed,
	       (unsigned long long)tx->zc_copied,
	       (unsigned long long)rx->packets);
	EXPECT_EQ(self->cfg.tx_packets, tx->packets);
	EXPECT_GE(rx->packets, self->cfg.rx_packets);
	EXPECT_EQ(0ULL, tx->guest_errors);
	EXPECT_EQ(0ULL, rx->guest_errors);
	/* Every TX buffer came back, so every zero-copy one completed. */
	EXPECT_EQ(tx->zc_sent, tx->zc_completed);
	if (variant->zerocopy) {
		EXPECT_LT(0ULL, tx->zc_sent);
	} else {
		EXPECT_EQ(0ULL, tx->zc_sent);
	}
}

TEST_F_TIMEOUT(datapath, bytes, 7200)
{
	double t0 = now_s();
	int ret;

	ret = traffic_run(&self->traffic);
	if (ret)
		TH_LOG("%s", self->traffic.err);
	ASSERT_EQ(0, ret);
	TH_LOG("%lu + %lu frames byte-exact in %.1f s, %lu TX completions out of order, %lu stray",
	       self->cfg.tx_packets, self->cfg.rx_packets, now_s() - t0,
	       self->traffic.tx_reordered, self->traffic.stray);
	if (variant->fp)
		check_fp_stats(_metadata, self, variant);
}

TEST_HARNESS_MAIN
