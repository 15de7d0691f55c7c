// SPDX-License-Identifier: GPL-2.0
/*
 * Data path, byte-exact, both directions at once, on /dev/vhost-net and
 * /dev/vhost-fp, over event_idx x indirect x mergeable RX x zero-copy,
 * and every vhost-fp variant once more with packed rings (fpp_*; vhost_net
 * has no packed rings, so there is no net twin).  VFP_RINGS=split or
 * packed runs only the variants of that layout.
 *
 * VFP_PKTS frames each way (default 2000; 70000 in the long pass), from
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

struct datapath_state {
	struct guest_dev dev;
	struct guest_tap tap;
	struct traffic traffic;
	struct traffic_cfg cfg;
};

FIXTURE(datapath) {
	struct datapath_state s;
};

FIXTURE_VARIANT(datapath) {
	unsigned int flags;
};

#define BIT(n)		(1U << (n))
#define FP		BIT(0)	/* /dev/vhost-fp, else /dev/vhost-net */
#define EVT		BIT(1)	/* VIRTIO_RING_F_EVENT_IDX */
#define IND		BIT(2)	/* indirect descriptors */
#define MRG		BIT(3)	/* mergeable RX buffers (and VERSION_1) */
#define ZC		BIT(4)	/* TX zero-copy */
#define PK		BIT(5)	/* VIRTIO_F_RING_PACKED (vhost-fp only) */

FIXTURE_VARIANT_ADD(datapath, net_evt0_ind0_mrg0_zc0) { .flags = 0, };
FIXTURE_VARIANT_ADD(datapath, net_evt0_ind0_mrg0_zc1) { .flags = ZC, };
FIXTURE_VARIANT_ADD(datapath, net_evt0_ind0_mrg1_zc0) { .flags = MRG, };
FIXTURE_VARIANT_ADD(datapath, net_evt0_ind0_mrg1_zc1) { .flags = MRG | ZC, };
FIXTURE_VARIANT_ADD(datapath, net_evt0_ind1_mrg0_zc0) { .flags = IND, };
FIXTURE_VARIANT_ADD(datapath, net_evt0_ind1_mrg0_zc1) { .flags = IND | ZC, };
FIXTURE_VARIANT_ADD(datapath, net_evt0_ind1_mrg1_zc0) { .flags = IND | MRG, };
FIXTURE_VARIANT_ADD(datapath, net_evt0_ind1_mrg1_zc1) { .flags = IND | MRG | ZC, };
FIXTURE_VARIANT_ADD(datapath, net_evt1_ind0_mrg0_zc0) { .flags = EVT, };
FIXTURE_VARIANT_ADD(datapath, net_evt1_ind0_mrg0_zc1) { .flags = EVT | ZC, };
FIXTURE_VARIANT_ADD(datapath, net_evt1_ind0_mrg1_zc0) { .flags = EVT | MRG, };
FIXTURE_VARIANT_ADD(datapath, net_evt1_ind0_mrg1_zc1) { .flags = EVT | MRG | ZC, };
FIXTURE_VARIANT_ADD(datapath, net_evt1_ind1_mrg0_zc0) { .flags = EVT | IND, };
FIXTURE_VARIANT_ADD(datapath, net_evt1_ind1_mrg0_zc1) { .flags = EVT | IND | ZC, };
FIXTURE_VARIANT_ADD(datapath, net_evt1_ind1_mrg1_zc0) { .flags = EVT | IND | MRG, };
FIXTURE_VARIANT_ADD(datapath, net_evt1_ind1_mrg1_zc1) { .flags = EVT | IND | MRG | ZC, };

FIXTURE_VARIANT_ADD(datapath, fp_evt0_ind0_mrg0_zc0) { .flags = FP, };
FIXTURE_VARIANT_ADD(datapath, fp_evt0_ind0_mrg0_zc1) { .flags = FP | ZC, };
FIXTURE_VARIANT_ADD(datapath, fp_evt0_ind0_mrg1_zc0) { .flags = FP | MRG, };
FIXTURE_VARIANT_ADD(datapath, fp_evt0_ind0_mrg1_zc1) { .flags = FP | MRG | ZC, };
FIXTURE_VARIANT_ADD(datapath, fp_evt0_ind1_mrg0_zc0) { .flags = FP | IND, };
FIXTURE_VARIANT_ADD(datapath, fp_evt0_ind1_mrg0_zc1) { .flags = FP | IND | ZC, };
FIXTURE_VARIANT_ADD(datapath, fp_evt0_ind1_mrg1_zc0) { .flags = FP | IND | MRG, };
FIXTURE_VARIANT_ADD(datapath, fp_evt0_ind1_mrg1_zc1) { .flags = FP | IND | MRG | ZC, };
FIXTURE_VARIANT_ADD(datapath, fp_evt1_ind0_mrg0_zc0) { .flags = FP | EVT, };
FIXTURE_VARIANT_ADD(datapath, fp_evt1_ind0_mrg0_zc1) { .flags = FP | EVT | ZC, };
FIXTURE_VARIANT_ADD(datapath, fp_evt1_ind0_mrg1_zc0) { .flags = FP | EVT | MRG, };
FIXTURE_VARIANT_ADD(datapath, fp_evt1_ind0_mrg1_zc1) { .flags = FP | EVT | MRG | ZC, };
FIXTURE_VARIANT_ADD(datapath, fp_evt1_ind1_mrg0_zc0) { .flags = FP | EVT | IND, };
FIXTURE_VARIANT_ADD(datapath, fp_evt1_ind1_mrg0_zc1) { .flags = FP | EVT | IND | ZC, };
FIXTURE_VARIANT_ADD(datapath, fp_evt1_ind1_mrg1_zc0) { .flags = FP | EVT | IND | MRG, };
FIXTURE_VARIANT_ADD(datapath, fp_evt1_ind1_mrg1_zc1) { .flags = FP | EVT | IND | MRG | ZC, };

FIXTURE_VARIANT_ADD(datapath, fpp_evt0_ind0_mrg0_zc0) { .flags = FP | PK, };
FIXTURE_VARIANT_ADD(datapath, fpp_evt0_ind0_mrg0_zc1) { .flags = FP | PK | ZC, };
FIXTURE_VARIANT_ADD(datapath, fpp_evt0_ind0_mrg1_zc0) { .flags = FP | PK | MRG, };
FIXTURE_VARIANT_ADD(datapath, fpp_evt0_ind0_mrg1_zc1) { .flags = FP | PK | MRG | ZC, };
FIXTURE_VARIANT_ADD(datapath, fpp_evt0_ind1_mrg0_zc0) { .flags = FP | PK | IND, };
FIXTURE_VARIANT_ADD(datapath, fpp_evt0_ind1_mrg0_zc1) { .flags = FP | PK | IND | ZC, };
FIXTURE_VARIANT_ADD(datapath, fpp_evt0_ind1_mrg1_zc0) { .flags = FP | PK | IND | MRG, };
FIXTURE_VARIANT_ADD(datapath, fpp_evt0_ind1_mrg1_zc1) { .flags = FP | PK | IND | MRG | ZC, };
FIXTURE_VARIANT_ADD(datapath, fpp_evt1_ind0_mrg0_zc0) { .flags = FP | PK | EVT, };
FIXTURE_VARIANT_ADD(datapath, fpp_evt1_ind0_mrg0_zc1) { .flags = FP | PK | EVT | ZC, };
FIXTURE_VARIANT_ADD(datapath, fpp_evt1_ind0_mrg1_zc0) { .flags = FP | PK | EVT | MRG, };
FIXTURE_VARIANT_ADD(datapath, fpp_evt1_ind0_mrg1_zc1) { .flags = FP | PK | EVT | MRG | ZC, };
FIXTURE_VARIANT_ADD(datapath, fpp_evt1_ind1_mrg0_zc0) { .flags = FP | PK | EVT | IND, };
FIXTURE_VARIANT_ADD(datapath, fpp_evt1_ind1_mrg0_zc1) { .flags = FP | PK | EVT | IND | ZC, };
FIXTURE_VARIANT_ADD(datapath, fpp_evt1_ind1_mrg1_zc0) { .flags = FP | PK | EVT | IND | MRG, };
FIXTURE_VARIANT_ADD(datapath, fpp_evt1_ind1_mrg1_zc1) { .flags = FP | PK | EVT | IND | MRG | ZC, };

FIXTURE_SETUP(datapath)
{
	bool fp = variant->flags & FP, zc = variant->flags & ZC;
	bool mrg = variant->flags & MRG, pk = variant->flags & PK;
	const char *rings = getenv("VFP_RINGS");
	__u64 want, have;
	const char *why;
	int ret;

	dev_tap_reset(&self->s.dev, &self->s.tap);
	why = device_unusable(fp, zc);
	if (why)
		SKIP(return, "%s", why);
	if (rings && *rings && !strstr(rings, pk ? "packed" : "split"))
		SKIP(return, "%s rings not selected (VFP_RINGS=%s)",
		     pk ? "packed" : "split", rings);

	traffic_cfg_default(&self->s.cfg, mrg);
	/* Packed rings are virtio 1: its 12-byte header, mergeable or not. */
	if (pk)
		self->s.cfg.hdr_len = 12;
	self->s.cfg.indirect = !!(variant->flags & IND);
	self->s.cfg.any_layout = mrg;
	/* Only vhost-fp's zero-copy may complete out of order. */
	self->s.cfg.tx_in_order = !(fp && zc);

	ASSERT_EQ(0, tap_netns_enter());
	ASSERT_EQ(0, tap_open(&self->s.tap, TAP_NAME, self->s.cfg.hdr_len,
			      TAP_OFFLOADS));
	ASSERT_EQ(0, tap_open_sockets(&self->s.tap));
	ASSERT_EQ(0, guest_dev_open(&self->s.dev, fp));

	want = features_for(!!(variant->flags & EVT), !!(variant->flags & IND),
			    mrg);
	if (pk)
		want |= F(VIRTIO_F_RING_PACKED) | F(VIRTIO_F_VERSION_1);
	/* QEMU's order: owner first, then the feature handshake. */
	ASSERT_EQ(0, guest_dev_set_owner(&self->s.dev));
	ret = features_check(self->s.dev.fd, want, &have);
	if (ret == -EOPNOTSUPP)
		SKIP(return, "device lacks features %#llx (has %#llx)",
		     (unsigned long long)want, (unsigned long long)have);
	ASSERT_EQ(0, ret);
	ret = guest_dev_start(&self->s.dev, want, RING_NUM, self->s.tap.fd);
	if (ret)
		TH_LOG("%s: %s", self->s.dev.failed_op, strerror(-ret));
	ASSERT_EQ(0, ret);
	if (fp)
		ASSERT_EQ(0, fp_set_zerocopy(self->s.dev.fd, zc));
	ASSERT_EQ(0, traffic_init(&self->s.traffic, &self->s.dev, &self->s.tap,
				  &self->s.cfg));
}

FIXTURE_TEARDOWN(datapath)
{
	traffic_fini(&self->s.traffic);
	guest_dev_close(&self->s.dev);
	tap_close(&self->s.tap);
}

/* vhost-fp's own account of the run must agree with what we saw. */
static void check_fp_stats(struct __test_metadata *_metadata,
			   struct datapath_state *self,
			   bool zerocopy)
{
	struct vhost_fp_vq_stats *tx, *rx;
	struct vhost_fp_stats st;

	ASSERT_EQ(0, fp_get_stats(self->dev.fd, &st));
	tx = &st.vq[VHOST_FP_VQ_TX];
	rx = &st.vq[VHOST_FP_VQ_RX];
	TH_LOG("vhost-fp TX: %llu packets, zc sent %llu done %llu copied %llu; RX: %llu",
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
	if (zerocopy)
		EXPECT_LT(0ULL, tx->zc_sent);
	if (!zerocopy)
		EXPECT_EQ(0ULL, tx->zc_sent);
}

TEST_F_TIMEOUT(datapath, bytes, 7200)
{
	double t0 = now_s();
	int ret;

	ret = traffic_run(&self->s.traffic);
	if (ret)
		TH_LOG("%s", self->s.traffic.err);
	ASSERT_EQ(0, ret);
	TH_LOG("%lu + %lu frames byte-exact in %.1f s, %lu TX completions out of order, %lu stray",
	       self->s.cfg.tx_packets, self->s.cfg.rx_packets, now_s() - t0,
	       self->s.traffic.tx_reordered, self->s.traffic.stray);
	if (variant->flags & FP)
		check_fp_stats(_metadata, &self->s, variant->flags & ZC);
}

TEST_HARNESS_MAIN
