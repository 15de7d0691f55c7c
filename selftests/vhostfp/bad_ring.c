// SPDX-License-Identifier: GPL-2.0
/*
 * Malformed rings and descriptors, each its own test, on /dev/vhost-net
 * and /dev/vhost-fp.  A guest mistake must stop the queue (no used entry
 * for the bad chain), fire the error eventfd, and hurt nobody else: a
 * second device must still move traffic and the bad one must close.
 *
 * The packed fixture runs on /dev/vhost-fp only (vhost_net has no packed
 * rings): wrap counter lies, buffer ids out of range or reused, avail/used
 * flag games, event suppression structures outside guest memory, chains
 * longer than the ring; and one good case, the call after a whole lap.
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

/*
 * The device owned, with @want, running rings on the tap, and guest
 * memory for bad chains and tables: 0 or -errno (s->dev.failed_op says
 * where guest_dev_start() stopped).
 */
static int ring_state_start(struct ring_state *s, __u64 want)
{
	__u64 have;
	int ret;

	s->dev.failed_op = "VHOST_GET_FEATURES";
	ret = features_check(s->dev.fd, want, &have);
	if (!ret)
		ret = guest_dev_start(&s->dev, want, RING_NUM, s->tap.fd);
	if (ret)
		return ret;
	s->dev.failed_op = "guest_alloc";
	s->buf = guest_alloc(&s->dev.mem, 65536, 4096);
	s->table = guest_alloc_contig(&s->dev.mem, 4096, 16);
	return s->buf && s->table ? 0 : -ENOMEM;
}

FIXTURE_SETUP(ring)
{
	const char *why;
	int ret;

	dev_tap_reset(&self->s.dev, &self->s.tap);
	why = device_unusable(variant->fp, -1);
	if (why)
		SKIP(return, "%s", why);
	ASSERT_EQ(0, dev_tap_open(&self->s.dev, &self->s.tap, variant->fp));
	ret = ring_state_start(&self->s, features_for(true, true, true));
	if (ret)
		TH_LOG("%s: %s", self->s.dev.failed_op, strerror(-ret));
	ASSERT_EQ(0, ret);
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

/*
 * Split rings: an INDIRECT descriptor may not be chained (virtio 1.2,
 * 2.7.5.3.1).  vhost-fp refuses it, as its packed walk does; vhost_net
 * follows the chain on: recorded only.
 */
TEST_F(ring, indirect_with_next)
{
	struct guest_vq *vq = &self->s.dev.vq[VQ_TX];

	write_table(&self->s, 0, self->s.buf, 12, VRING_DESC_F_NEXT, 1);
	write_table(&self->s, 1, self->s.buf + 12, 100, 0, 0);
	guest_vq_set_desc(vq, 0, self->s.table, 32,
			  VRING_DESC_F_INDIRECT | VRING_DESC_F_NEXT, 1);
	guest_vq_set_desc(vq, 1, self->s.buf + 112, 100, 0, 0);
	add_and_kick(vq, 0);
	if (variant->fp) {
		expect_vq_error(_metadata, &self->s, variant->fp, vq);
		return;
	}
	TH_LOG("vhost-net: error eventfd %d, used idx %u",
	       guest_eventfd_wait(vq->err, 3000), vq->used->idx);
}

/* A zero-size RX buffer is a guest error on both devices. */
TEST_F(ring, rx_buffer_empty)
{
	struct guest_vq *vq = &self->s.dev.vq[VQ_RX];
	struct frame_spec f = { .dir = DIR_RX, .seq = 1, .len = 100 };
	__u8 frame[NET_HDR_LEN + 100] = {};

	guest_vq_set_desc(vq, 0, self->s.buf, 0, VRING_DESC_F_WRITE, 0);
	add_and_kick(vq, 0);
	ASSERT_EQ(0, tap_open_sockets(&self->s.tap));
	frame_fill(&f, frame + NET_HDR_LEN);
	ASSERT_EQ((ssize_t)sizeof(frame),
		  send(self->s.tap.tx_sock, frame, sizeof(frame), 0));
	expect_vq_error(_metadata, &self->s, variant->fp, vq);
}

/*
 * Without mergeable buffers, a packet bigger than the buffer the guest
 * posted is dropped (and counted, on vhost-fp), never written in cut
 * short: the next packet that fits is the first the guest sees.
 */
TEST_F(ring, rx_packet_too_big)
{
	__u64 want = F(VIRTIO_F_VERSION_1) | F(VIRTIO_RING_F_EVENT_IDX);
	struct rx_too_big r;

	/* A device of its own, with no mergeable buffers. */
	guest_dev_close(&self->s.dev);
	ASSERT_EQ(0, guest_dev_open(&self->s.dev, variant->fp));
	ASSERT_EQ(0, ring_state_start(&self->s, want));
	ASSERT_EQ(0, tap_open_sockets(&self->s.tap));
	ASSERT_EQ(0, rx_too_big_run(&self->s.dev, &self->s.tap, self->s.buf, &r));
	ASSERT_EQ(1, r.used_idx);
	EXPECT_EQ(12U + 100, r.used_len) {
		TH_LOG("the guest got %u bytes: the big packet cut short",
		       r.used_len);
	}
	EXPECT_TRUE(r.frame_ok) {
		TH_LOG("buffer: %s", r.why);
	}
	EXPECT_FALSE(r.err_fired);
	if (variant->fp)
		EXPECT_EQ(1ULL, r.drops);
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

/* Packed rings, vhost-fp only: the same state. */
FIXTURE(packed) {
	struct ring_state s;
};

#define PK_AVAIL	0x0080	/* 1 << VRING_PACKED_DESC_F_AVAIL */
#define PK_USED		0x8000	/* 1 << VRING_PACKED_DESC_F_USED */

static __u64 packed_features(void)
{
	return features_for(true, true, true) | F(VIRTIO_F_RING_PACKED) |
	       F(VIRTIO_F_VERSION_1);
}

FIXTURE_SETUP(packed)
{
	const char *why;
	int ret;

	dev_tap_reset(&self->s.dev, &self->s.tap);
	why = device_unusable(true, -1);
	if (why)
		SKIP(return, "%s (vhost_net has no packed rings)", why);
	ASSERT_EQ(0, dev_tap_open(&self->s.dev, &self->s.tap, true));
	ret = ring_state_start(&self->s, packed_features());
	if (ret)
		TH_LOG("%s: %s", self->s.dev.failed_op, strerror(-ret));
	ASSERT_EQ(0, ret);
}

FIXTURE_TEARDOWN(packed)
{
	guest_dev_close(&self->s.dev);
	tap_close(&self->s.tap);
}

/* A raw descriptor, flags as given (the test plays the wrap bits). */
static void pk_desc(struct guest_vq *vq, unsigned int pos, __u64 addr,
		    __u32 len, __u16 id, __u16 flags)
{
	vq->ring[pos].addr = addr;
	vq->ring[pos].len = len;
	vq->ring[pos].id = id;
	__atomic_store_n(&vq->ring[pos].flags, flags, __ATOMIC_RELEASE);
}

static __u16 pk_avail(bool wrap)
{
	return wrap ? PK_AVAIL : PK_USED;
}

static __u64 pk_stat(struct __test_metadata *_metadata, int fd,
		     unsigned int q, bool errors)
{
	struct vhost_fp_stats st;

	EXPECT_EQ(0, fp_get_stats(fd, &st));
	return errors ? st.vq[q].guest_errors : st.vq[q].kicks;
}

/*
 * Kick and wait until the handler has run a whole pass after the kick:
 * the worker is serial, so once a second kick is counted, the pass of
 * the first is over.
 */
static void pk_kick_sync(struct __test_metadata *_metadata,
			 struct ring_state *self, struct guest_vq *vq)
{
	__u64 k0 = pk_stat(_metadata, self->dev.fd, vq->index, false);
	int i;

	kick(vq);
	for (i = 0; i < 200 &&
	     pk_stat(_metadata, self->dev.fd, vq->index, false) < k0 + 1; i++)
		usleep(10000);
	kick(vq);
	for (i = 0; i < 200 &&
	     pk_stat(_metadata, self->dev.fd, vq->index, false) < k0 + 2; i++)
		usleep(10000);
	ASSERT_LE(k0 + 2, pk_stat(_metadata, self->dev.fd, vq->index, false));
}

/* The queue reported an error, used nothing; others still work. */
static void pk_expect_error(struct __test_metadata *_metadata,
			    struct ring_state *self, struct guest_vq *vq)
{
	char err[256] = "";

	EXPECT_EQ(1, guest_eventfd_wait(vq->err, ERR_WAIT_MS)) {
		TH_LOG("the error eventfd did not fire within %d ms",
		       ERR_WAIT_MS);
	}
	EXPECT_LE(1ULL, pk_stat(_metadata, self->dev.fd, vq->index, true));
	EXPECT_FALSE(guest_vq_has_used(vq)) {
		TH_LOG("the device used a malformed chain");
	}
	EXPECT_EQ(0, other_device_moves(true, "vfptap1", SURVIVE_PKTS, err,
					sizeof(err))) {
		TH_LOG("second device: %s", err);
	}
	ASSERT_EQ(0, close_bounded(self->dev.fd, 20000));
	self->dev.fd = -1;
}

/* The buffer id is the chain's last descriptor's: past the ring is a lie. */
TEST_F(packed, id_out_of_range)
{
	struct guest_vq *vq = &self->s.dev.vq[VQ_TX];

	pk_desc(vq, 1, self->s.buf + 12, 60, RING_NUM + 5, pk_avail(true));
	pk_desc(vq, 0, self->s.buf, 12, 0, pk_avail(true) | VRING_DESC_F_NEXT);
	kick(vq);
	pk_expect_error(_metadata, &self->s, vq);
}

/* Two buffers of one packet (mergeable RX) with the same id. */
TEST_F(packed, id_in_flight_twice)
{
	struct guest_vq *vq = &self->s.dev.vq[VQ_RX];
	struct frame_spec f = { .dir = DIR_RX, .seq = 1, .len = 100 };
	__u8 frame[NET_HDR_LEN + 100] = {};

	pk_desc(vq, 1, self->s.buf + 4096, 64, 7,
		pk_avail(true) | VRING_DESC_F_WRITE);
	pk_desc(vq, 0, self->s.buf, 64, 7, pk_avail(true) | VRING_DESC_F_WRITE);
	kick(vq);
	ASSERT_EQ(0, tap_open_sockets(&self->s.tap));
	frame_fill(&f, frame + NET_HDR_LEN);
	ASSERT_EQ((ssize_t)sizeof(frame),
		  send(self->s.tap.tx_sock, frame, sizeof(frame), 0));
	pk_expect_error(_metadata, &self->s, vq);
}

/* The second descriptor of a chain carries the other lap's wrap bits. */
TEST_F(packed, chain_wrap_counter_lie)
{
	struct guest_vq *vq = &self->s.dev.vq[VQ_TX];

	pk_desc(vq, 1, self->s.buf + 12, 60, 0, pk_avail(false));
	pk_desc(vq, 0, self->s.buf, 12, 0, pk_avail(true) | VRING_DESC_F_NEXT);
	kick(vq);
	pk_expect_error(_metadata, &self->s, vq);
}

/*
 * Every descriptor chained: the chain runs off the end of the ring into
 * the next lap, where the head no longer reads as available.
 */
TEST_F(packed, chain_longer_than_ring)
{
	struct guest_vq *vq = &self->s.dev.vq[VQ_TX];
	int i;

	for (i = RING_NUM - 1; i >= 0; i--)
		pk_desc(vq, i, self->s.buf + i, 1, 0,
			pk_avail(true) | VRING_DESC_F_NEXT);
	kick(vq);
	pk_expect_error(_metadata, &self->s, vq);
}

/* Both an indirect table and a next descriptor: the spec forbids it. */
TEST_F(packed, indirect_with_next)
{
	struct guest_vq *vq = &self->s.dev.vq[VQ_TX];

	guest_vq_write_table(vq, &self->s.dev.mem, self->s.table, 0,
			     self->s.buf, 72, 0);
	pk_desc(vq, 1, self->s.buf, 12, 0, pk_avail(true));
	pk_desc(vq, 0, self->s.table, 16, 0,
		pk_avail(true) | VRING_DESC_F_INDIRECT | VRING_DESC_F_NEXT);
	kick(vq);
	pk_expect_error(_metadata, &self->s, vq);
}

/*
 * Flags that do not say "available in this lap" (the other lap's bits,
 * already used, neither) are not taken and are no error; the correct
 * ones then are.
 */
TEST_F(packed, avail_used_flag_games)
{
	static const __u16 games[] = { PK_USED, PK_AVAIL | PK_USED, 0 };
	struct guest_vq *vq = &self->s.dev.vq[VQ_TX];
	unsigned int i;
	__u32 id, len;

	for (i = 0; i < ARRAY_SIZE(games); i++) {
		pk_desc(vq, 0, self->s.buf, 72, 3, games[i]);
		pk_kick_sync(_metadata, &self->s, vq);
		/* A used entry would rewrite len (0 for TX) and the flags. */
		EXPECT_EQ(72U, vq->ring[0].len);
		EXPECT_EQ(games[i], vq->ring[0].flags) {
			TH_LOG("flags %#x taken as available", games[i]);
		}
	}
	EXPECT_EQ(0ULL, pk_stat(_metadata, self->s.dev.fd, VQ_TX, true));
	EXPECT_EQ(0, guest_eventfd_wait(vq->err, 0));
	vq->chain_len[3] = 1;
	pk_desc(vq, 0, self->s.buf, 72, 3, pk_avail(true));
	kick(vq);
	for (i = 0; i < 100 && !guest_vq_has_used(vq); i++)
		guest_eventfd_wait(vq->call, 100);
	ASSERT_TRUE(guest_vq_get_used(vq, &id, &len));
	EXPECT_EQ(3U, id);
}

/* SET_VRING_BASE: positions past the ring are refused. */
TEST_F(packed, base_out_of_ring)
{
	struct vhost_vring_state st = { .index = VQ_TX };

	ASSERT_EQ(0, guest_set_backend(self->s.dev.fd, VQ_TX, -1));
	st.num = 0x80008000 | RING_NUM;
	EXPECT_EQ(-EINVAL, xioctl(self->s.dev.fd, VHOST_SET_VRING_BASE, &st));
	st.num = 0x80008000 | (RING_NUM + 1) << 16;
	EXPECT_EQ(-EINVAL, xioctl(self->s.dev.fd, VHOST_SET_VRING_BASE, &st));
	/* Wrap counters and positions come back as they went in. */
	st.num = 0x00058003;
	ASSERT_EQ(0, xioctl(self->s.dev.fd, VHOST_SET_VRING_BASE, &st));
	st.num = 0;
	ASSERT_EQ(0, xioctl(self->s.dev.fd, VHOST_GET_VRING_BASE, &st));
	EXPECT_EQ(0x00058003U, st.num);
}

/* Event suppression structures must lie in guest memory. */
TEST_F(packed, event_outside_memory)
{
	static struct vring_packed_desc_event outside[2];
	struct guest_vq *vq = &self->s.dev.vq[VQ_TX];
	struct vhost_vring_addr a = {
		.index = VQ_TX,
		.desc_user_addr = (uintptr_t)vq->ring,
		.avail_user_addr = (uintptr_t)vq->driver_ev,
		.used_user_addr = (uintptr_t)vq->device_ev,
	};
	int fd = self->s.dev.fd;

	ASSERT_EQ(0, guest_set_backend(fd, VQ_TX, -1));
	a.avail_user_addr = (uintptr_t)outside;
	EXPECT_EQ(-EINVAL, xioctl(fd, VHOST_SET_VRING_ADDR, &a));
	a.avail_user_addr = (uintptr_t)vq->driver_ev;
	a.used_user_addr = (uintptr_t)outside;
	EXPECT_EQ(-EINVAL, xioctl(fd, VHOST_SET_VRING_ADDR, &a));
	/* Right past the end of guest memory. */
	a.used_user_addr = (uintptr_t)(self->s.dev.mem.hva + GUEST_MEM_SIZE);
	EXPECT_EQ(-EINVAL, xioctl(fd, VHOST_SET_VRING_ADDR, &a));
	a.used_user_addr = (uintptr_t)vq->device_ev;
	ASSERT_EQ(0, xioctl(fd, VHOST_SET_VRING_ADDR, &a));
	ASSERT_EQ(0, guest_set_backend(fd, VQ_TX, self->s.tap.fd));
}

/* A driver event offset past the ring: an error, and calls go on. */
TEST_F(packed, driver_event_offset_lie)
{
	struct guest_vq *vq = &self->s.dev.vq[VQ_TX];
	__u32 id, len;
	int i;

	__atomic_store_n((__u32 *)vq->driver_ev,
			 0x7fffU | VRING_PACKED_EVENT_FLAG_DESC << 16,
			 __ATOMIC_RELEASE);
	guest_vq_set_desc(vq, 0, self->s.buf, 72, 0, 0);
	guest_vq_add(vq, 0);
	guest_vq_publish(vq);
	kick(vq);
	EXPECT_EQ(1, guest_eventfd_wait(vq->err, ERR_WAIT_MS));
	for (i = 0; i < 100 && !guest_vq_has_used(vq); i++)
		guest_eventfd_wait(vq->call, 100);
	ASSERT_TRUE(guest_vq_get_used(vq, &id, &len));
	EXPECT_EQ(0U, id);
}

/*
 * A whole lap of descriptors used between two looks at the driver's
 * event: the used position is back where it was, yet the guest's event
 * offset was passed and the guest must be called.  (Mergeable RX or a
 * long TX run do that with many buffers; here one chain as long as the
 * ring does it.)  Not a guest error, but a guest waiting for a call that
 * never comes is what stalled virtio_net on packed rings.
 */
TEST_F(packed, call_after_a_whole_lap)
{
	struct guest_vq *vq = &self->s.dev.vq[VQ_TX];
	__u32 id, len;
	unsigned int i;

	/* One packet first: the device's first look calls anyway. */
	guest_vq_set_desc(vq, 0, self->s.buf, 72, 0, 0);
	add_and_kick(vq, 0);
	for (i = 0; i < 100 && !guest_vq_has_used(vq); i++)
		guest_eventfd_wait(vq->call, 100);
	ASSERT_TRUE(guest_vq_get_used(vq, &id, &len));
	ASSERT_EQ(0U, id);
	guest_eventfd_drain(vq->call);
	/* A call at the next used position, as virtio_net asks for it. */
	ASSERT_FALSE(guest_vq_enable_cb(vq));

	/* Header, then one byte of frame per descriptor, around the end. */
	guest_vq_set_desc(vq, 0, self->s.buf, 12, VRING_DESC_F_NEXT, 1);
	for (i = 1; i < vq->num; i++)
		guest_vq_set_desc(vq, i, self->s.buf + 12 + i, 1,
				  i + 1 < vq->num ? VRING_DESC_F_NEXT : 0,
				  i + 1);
	add_and_kick(vq, 0);
	EXPECT_EQ(1, guest_eventfd_wait(vq->call, ERR_WAIT_MS)) {
		TH_LOG("no call within %d ms after a lap of %u descriptors",
		       ERR_WAIT_MS, vq->num);
	}
	for (i = 0; i < 100 && !guest_vq_has_used(vq); i++)
		guest_eventfd_wait(vq->call, 100);
	ASSERT_TRUE(guest_vq_get_used(vq, &id, &len));
	EXPECT_EQ(0U, id);
	EXPECT_EQ(0ULL, pk_stat(_metadata, self->s.dev.fd, VQ_TX, true));
}

TEST_HARNESS_MAIN
