// SPDX-License-Identifier: GPL-2.0
/*
 * Malformed rings and descriptors, each its own test, on /dev/vhost-net
 * and /dev/vhost-fp.  A guest mistake must stop the queue (no used entry
 * for the bad chain), fire the error eventfd, and hurt nobody else: a
 * second device must still move traffic and the bad one must close.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <linux/if_tun.h>

#include "kselftest_harness.h"
#include "common.h"

#define ERR_WAIT_MS	15000
#define SURVIVE_PKTS	200

struct ring_state {
	struct guest_dev dev;
	struct guest_tap tap;
	__u64 buf;		/* 64 KiB of guest memory for bad chains */
	__u64 table;		/* room for an indirect table */
};

FIXTURE(ring) {
	struct ring_state s;
};

FIXTURE_VARIANT(ring) {
	bool fp;
};

FIXTURE_VARIANT_ADD(ring, net) { .fp = false, };
FIXTURE_VARIANT_ADD(ring, fp) { .fp = true, };

FIXTURE_SETUP(ring)
{
	__u64 want = features_for(true, true, true), have;
	const char *why;
	int ret;

	self->s.dev.fd = -1;
	self->s.tap.fd = -1;
	self->s.tap.tx_sock = -1;
	self->s.tap.rx_sock = -1;
	why = device_unusable(variant->fp, -1);
	if (why)
		SKIP(return, "%s", why);
	ASSERT_EQ(0, tap_netns_enter());
	ASSERT_EQ(0, tap_open(&self->s.tap, TAP_NAME, 12, TAP_OFFLOADS));
	ASSERT_EQ(0, guest_dev_open(&self->s.dev, variant->fp));
	ASSERT_EQ(0, guest_dev_set_owner(&self->s.dev));
	ASSERT_EQ(0, features_check(self->s.dev.fd, want, &have));
	ret = guest_dev_start(&self->s.dev, want, RING_NUM, self->s.tap.fd);
	if (ret)
		TH_LOG("%s: %s", self->s.dev.failed_op, strerror(-ret));
	ASSERT_EQ(0, ret);
	self->s.buf = guest_alloc(&self->s.dev.mem, 65536, 4096);
	self->s.table = guest_alloc_contig(&self->s.dev.mem, 4096, 16);
	ASSERT_TRUE(self->s.buf != 0);
	ASSERT_TRUE(self->s.table != 0);
}

FIXTURE_TEARDOWN(ring)
{
	guest_dev_close(&self->s.dev);
	tap_close(&self->s.tap);
}

static void kick(struct guest_vq *vq)
{
	__u64 one = 1;

	if (write(vq->kick, &one, sizeof(one)) != sizeof(one))
		perror("kick");
}

static void add_and_kick(struct guest_vq *vq, __u16 head)
{
	guest_vq_add(vq, head);
	guest_vq_publish(vq);
	kick(vq);
}

/*
 * The queue reported the error and returned nothing; another device
 * still works and the bad one closes.
 */
/*
 * @may_drop: the device may also give the bad chain back unused (len 0)
 * and go on, instead of stopping the queue.
 */
static void __expect_vq_error(struct __test_metadata *_metadata,
			      struct ring_state *self, bool fp,
			      struct guest_vq *vq, bool may_drop)
{
	__u16 used_ok = 0;
	char err[256] = "";
	int ret;

	ret = guest_eventfd_wait(vq->err, ERR_WAIT_MS);
	EXPECT_EQ(1, ret) {
		TH_LOG("the error eventfd did not fire within %d ms",
		       ERR_WAIT_MS);
	}
	if (may_drop && vq->used->idx == 1 && !vq->used->ring[0].len) {
		TH_LOG("the device dropped the malformed chain and went on");
		used_ok = 1;
	}
	EXPECT_EQ(used_ok, vq->used->idx) {
		TH_LOG("the device used a malformed chain");
	}
	kick(vq);
	ret = other_device_moves(fp, "vfptap1", SURVIVE_PKTS, err,
				 sizeof(err));
	EXPECT_EQ(0, ret) {
		TH_LOG("second device: %s", err);
	}
	EXPECT_EQ(used_ok, vq->used->idx);
	ASSERT_EQ(0, close_bounded(self->dev.fd, 20000));
	self->dev.fd = -1;
}

static void expect_vq_error(struct __test_metadata *_metadata,
			    struct ring_state *self, bool fp,
			    struct guest_vq *vq)
{
	__expect_vq_error(_metadata, self, fp, vq, false);
}

TEST_F(ring, avail_idx_jump)
{
	struct guest_vq *vq = &self->s.dev.vq[VQ_TX];

	guest_vq_set_desc(vq, 0, self->s.buf, 100, 0, 0);
	vq->avail->ring[0] = 0;
	/* More heads available than the ring holds. */
	vq->avail_idx = vq->num + 5;
	guest_vq_publish(vq);
	kick(vq);
	expect_vq_error(_metadata, &self->s, variant->fp, vq);
}

TEST_F(ring, head_out_of_range)
{
	struct guest_vq *vq = &self->s.dev.vq[VQ_TX];

	add_and_kick(vq, vq->num + 3);
	expect_vq_error(_metadata, &self->s, variant->fp, vq);
}

TEST_F(ring, desc_loop)
{
	struct guest_vq *vq = &self->s.dev.vq[VQ_TX];

	guest_vq_set_desc(vq, 0, self->s.buf, 12, VRING_DESC_F_NEXT, 1);
	guest_vq_set_desc(vq, 1, self->s.buf + 12, 100, VRING_DESC_F_NEXT, 0);
	add_and_kick(vq, 0);
	expect_vq_error(_metadata, &self->s, variant->fp, vq);
}

TEST_F(ring, desc_next_out_of_range)
{
	struct guest_vq *vq = &self->s.dev.vq[VQ_TX];

	guest_vq_set_desc(vq, 0, self->s.buf, 12, VRING_DESC_F_NEXT, vq->num);
	add_and_kick(vq, 0);
	expect_vq_error(_metadata, &self->s, variant->fp, vq);
}

static void write_table(struct ring_state *self, unsigned int i,
			__u64 addr, __u32 len, __u16 flags,
			__u16 next)
{
	struct vring_desc d = { addr, len, flags, next };

	guest_write(&self->dev.mem, self->table + 16 * i, &d, sizeof(d));
}

TEST_F(ring, indirect_nested)
{
	struct guest_vq *vq = &self->s.dev.vq[VQ_TX];

	write_table(&self->s, 0, self->s.buf, 12, VRING_DESC_F_NEXT, 1);
	write_table(&self->s, 1, self->s.table + 64, 32, VRING_DESC_F_INDIRECT, 0);
	write_table(&self->s, 4, self->s.buf + 12, 100, 0, 0);
	write_table(&self->s, 5, self->s.buf + 112, 100, 0, 0);
	guest_vq_set_desc(vq, 0, self->s.table, 32, VRING_DESC_F_INDIRECT, 0);
	add_and_kick(vq, 0);
	expect_vq_error(_metadata, &self->s, variant->fp, vq);
}

TEST_F(ring, indirect_bad_len)
{
	struct guest_vq *vq = &self->s.dev.vq[VQ_TX];

	write_table(&self->s, 0, self->s.buf, 12, VRING_DESC_F_NEXT, 1);
	write_table(&self->s, 1, self->s.buf + 12, 100, 0, 0);
	guest_vq_set_desc(vq, 0, self->s.table, 24, VRING_DESC_F_INDIRECT, 0);
	add_and_kick(vq, 0);
	expect_vq_error(_metadata, &self->s, variant->fp, vq);
}

TEST_F(ring, indirect_loop)
{
	struct guest_vq *vq = &self->s.dev.vq[VQ_TX];

	write_table(&self->s, 0, self->s.buf, 12, VRING_DESC_F_NEXT, 1);
	write_table(&self->s, 1, self->s.buf + 12, 100, VRING_DESC_F_NEXT, 0);
	guest_vq_set_desc(vq, 0, self->s.table, 32, VRING_DESC_F_INDIRECT, 0);
	add_and_kick(vq, 0);
	expect_vq_error(_metadata, &self->s, variant->fp, vq);
}

TEST_F(ring, indirect_table_outside_mem)
{
	struct guest_vq *vq = &self->s.dev.vq[VQ_TX];

	guest_vq_set_desc(vq, 0, 0x10000, 32, VRING_DESC_F_INDIRECT, 0);
	add_and_kick(vq, 0);
	expect_vq_error(_metadata, &self->s, variant->fp, vq);
}

TEST_F(ring, desc_outside_mem)
{
	struct guest_vq *vq = &self->s.dev.vq[VQ_TX];

	/* Below the guest's memory: where a GPA==HVA mix-up would land. */
	guest_vq_set_desc(vq, 0, self->s.buf, 12, VRING_DESC_F_NEXT, 1);
	guest_vq_set_desc(vq, 1, 0x10000, 100, 0, 0);
	add_and_kick(vq, 0);
	expect_vq_error(_metadata, &self->s, variant->fp, vq);
}

TEST_F(ring, desc_past_mem_end)
{
	struct guest_vq *vq = &self->s.dev.vq[VQ_TX];
	__u64 end = GUEST_GPA_BASE + GUEST_MEM_SIZE;

	guest_vq_set_desc(vq, 0, self->s.buf, 12, VRING_DESC_F_NEXT, 1);
	guest_vq_set_desc(vq, 1, end - 50, 100, 0, 0);
	add_and_kick(vq, 0);
	expect_vq_error(_metadata, &self->s, variant->fp, vq);
}

TEST_F(ring, desc_len_wraps)
{
	struct guest_vq *vq = &self->s.dev.vq[VQ_TX];

	guest_vq_set_desc(vq, 0, self->s.buf, 12, VRING_DESC_F_NEXT, 1);
	guest_vq_set_desc(vq, 1, ~0ULL - 10, 100, 0, 0);
	add_and_kick(vq, 0);
	expect_vq_error(_metadata, &self->s, variant->fp, vq);
}

TEST_F(ring, tx_desc_writable)
{
	struct guest_vq *vq = &self->s.dev.vq[VQ_TX];

	guest_vq_set_desc(vq, 0, self->s.buf, 12, VRING_DESC_F_NEXT, 1);
	guest_vq_set_desc(vq, 1, self->s.buf + 12, 100, VRING_DESC_F_WRITE, 0);
	add_and_kick(vq, 0);
	__expect_vq_error(_metadata, &self->s, variant->fp, vq, true);
}

TEST_F(ring, rx_desc_readonly)
{
	struct guest_vq *vq = &self->s.dev.vq[VQ_RX];
	struct frame_spec f = { .dir = DIR_RX, .seq = 1, .len = 100 };
	__u8 frame[NET_HDR_LEN + 100] = {};

	guest_vq_set_desc(vq, 0, self->s.buf, 4096, 0, 0);
	add_and_kick(vq, 0);
	/* The device looks at RX buffers when a frame waits in the tap. */
	ASSERT_EQ(0, tap_open_sockets(&self->s.tap));
	frame_fill(&f, frame + NET_HDR_LEN);
	ASSERT_EQ((ssize_t)sizeof(frame),
		  send(self->s.tap.tx_sock, frame, sizeof(frame), 0));
	expect_vq_error(_metadata, &self->s, variant->fp, vq);
}

/* A frame shorter than an Ethernet header is dropped, not a guest error. */
TEST_F(ring, tx_runt_frame)
{
	struct guest_vq *vq = &self->s.dev.vq[VQ_TX];
	char err[256] = "";
	int i;

	guest_vq_set_desc(vq, 0, self->s.buf, 12, VRING_DESC_F_NEXT, 1);
	guest_vq_set_desc(vq, 1, self->s.buf + 12, 5, 0, 0);
	add_and_kick(vq, 0);
	for (i = 0; i < 100 && !guest_vq_has_used(vq); i++)
		guest_eventfd_wait(vq->call, 100);
	ASSERT_EQ(1, vq->used->idx) {
		TH_LOG("a runt frame was not given back");
	}
	EXPECT_EQ(0, guest_eventfd_wait(vq->err, 0));
	EXPECT_EQ(0, other_device_moves(variant->fp, "vfptap1", SURVIVE_PKTS,
					err, sizeof(err))) {
		TH_LOG("second device: %s", err);
	}
}

TEST_HARNESS_MAIN
