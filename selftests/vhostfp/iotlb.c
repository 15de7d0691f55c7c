// SPDX-License-Identifier: GPL-2.0
/*
 * vIOMMU: VIRTIO_F_ACCESS_PLATFORM with the vhost IOTLB messages, on
 * /dev/vhost-fp.  This process plays guest and VMM at once:
 *
 *   guest (rings, buffers)       the "VMM" (viommu thread)
 *     | IOVAs in rings and           ^ reads VHOST_IOTLB_MISS from the fd,
 *     v SET_VRING_ADDR               | writes 4 KiB VHOST_IOTLB_UPDATEs
 *   /dev/vhost-fp --- tap --- AF_PACKET (private netns)
 *
 * The addresses in the rings are what the guest library calls guest
 * addresses; here they are IOVAs.  The memory table puts guest-physical
 * memory elsewhere (GPA_SHIFT higher), so a device that reads a ring or
 * descriptor address through the memory table instead of the IOTLB
 * faults.  Guest memory is a memfd with two more mappings, the "device
 * views": the vIOMMU maps IOVAs into one of them, and the invalidate
 * test switches views under traffic, invalidating the old translations
 * and making the old view inaccessible: a device that touches memory
 * through a translation after INVALIDATE returned faults (a vq error),
 * and the test fails.
 *
 * VFP_PKTS frames each way for the traffic cases (default 10000).
 * Also: dirty logging through the IOTLB logs guest-physical pages.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <linux/if_tun.h>

#include "kselftest_harness.h"
#include "common.h"

#define GPA_SHIFT	0x1000000000ULL	/* GPA = IOVA + GPA_SHIFT */
#define PAGE		4096ULL
#define BUF_ENTRY	65536ULL	/* the vIOMMU's entries for buffers */
#define IOTLB_RING_NUM	1024		/* desc table: four 4 KiB entries */

struct viommu {
	int fd;
	struct guest_mem *m;
	/* Serializes answers with view switches: no stale answer. */
	pthread_mutex_t lock;
	__u8 *view;		/* where translations point */
	__u8 perm;		/* VHOST_ACCESS_* granted to buffers */
	__u64 ring_lo[4], ring_hi[4];	/* IOVA ranges granted RW */
	unsigned int nrings;
	bool stop;		/* atomic */
	unsigned long misses;
	unsigned long updates;
	unsigned long bad;	/* misses outside guest memory, bad msgs */
	pthread_t thread;
	bool running;
};

/* The library's guest address of user address @p in its own mapping. */
static __u64 lib_gpa(struct guest_mem *m, const void *p)
{
	__u64 off = (const __u8 *)p - m->hva;
	__u64 slot = off / GUEST_REGION_SIZE;

	return GUEST_GPA_BASE + (GUEST_NREGIONS - 1 - slot) * GUEST_REGION_SIZE +
	       off % GUEST_REGION_SIZE;
}

static int iotlb_send(int fd, __u8 type, __u64 iova, __u64 size,
		      __u64 uaddr, __u8 perm)
{
	struct vhost_msg_v2 msg = {
		.type = VHOST_IOTLB_MSG_V2,
		.iotlb = {
			.iova = iova, .size = size, .uaddr = uaddr,
			.perm = perm, .type = type,
		},
	};
	ssize_t n = write(fd, &msg, sizeof(msg));

	if (n < 0)
		return -errno;
	return n == sizeof(msg) ? 0 : -EIO;
}

static bool viommu_is_ring(struct viommu *v, __u64 iova, __u64 len)
{
	unsigned int i;

	for (i = 0; i < v->nrings; i++)
		if (iova + len > v->ring_lo[i] && iova <= v->ring_hi[i])
			return true;
	return false;
}

/*
 * Answer one miss.  Rings get 4 KiB entries, read-write, as QEMU sends
 * them; buffers 64 KiB entries (fewer round trips) with v->perm, or 4 KiB
 * ones next to a ring, so that no answer overlaps (and so drops) a ring
 * entry.  Caller holds v->lock.
 */
static void viommu_answer(struct viommu *v, const struct vhost_iotlb_msg *miss)
{
	__u64 iova = miss->iova & ~(PAGE - 1), len = PAGE;
	__u8 perm = VHOST_ACCESS_RW, *lib;

	if (!viommu_is_ring(v, iova, PAGE)) {
		perm = v->perm;
		if (!viommu_is_ring(v, miss->iova & ~(BUF_ENTRY - 1), BUF_ENTRY)) {
			iova = miss->iova & ~(BUF_ENTRY - 1);
			len = BUF_ENTRY;
		}
	}
	lib = guest_hva(v->m, iova, len);
	if (!lib) {
		v->bad++;
		return;
	}
	if (iotlb_send(v->fd, VHOST_IOTLB_UPDATE, iova, len,
		       (uintptr_t)(v->view + (lib - v->m->hva)), perm))
		v->bad++;
	else
		v->updates++;
}

static void *viommu_thread(void *arg)
{
	struct viommu *v = arg;
	struct pollfd pfd = { .fd = v->fd, .events = POLLIN };
	struct vhost_msg_v2 msg;
	ssize_t n;

	while (!__atomic_load_n(&v->stop, __ATOMIC_RELAXED)) {
		if (poll(&pfd, 1, 50) <= 0)
			continue;
		n = read(v->fd, &msg, sizeof(msg));
		if (n < 0 && errno == EAGAIN)
			continue;
		if (n != sizeof(msg) || msg.type != VHOST_IOTLB_MSG_V2 ||
		    msg.iotlb.type != VHOST_IOTLB_MISS) {
			v->bad++;
			continue;
		}
		pthread_mutex_lock(&v->lock);
		v->misses++;
		viommu_answer(v, &msg.iotlb);
		pthread_mutex_unlock(&v->lock);
	}
	return NULL;
}

struct iotlb_state {
	struct guest_dev dev;
	struct guest_tap tap;
	struct traffic traffic;
	struct traffic_cfg cfg;
	struct viommu v;
	int memfd;
	__u8 *views[2];		/* device views of guest memory */
	struct vhost_vring_addr addr[2];	/* as set, per queue */
};

FIXTURE(iotlb) {
	struct iotlb_state s;
};

FIXTURE_VARIANT(iotlb) {
	bool packed;
};

FIXTURE_VARIANT_ADD(iotlb, split) { .packed = false, };
FIXTURE_VARIANT_ADD(iotlb, packed) { .packed = true, };

/* Guest memory as a memfd: the library's mapping plus two device views. */
static int mem_share(struct iotlb_state *s)
{
	unsigned int i;

	s->memfd = memfd_create("vfp-iotlb-guest", MFD_CLOEXEC);
	if (s->memfd < 0 || ftruncate(s->memfd, GUEST_MEM_SIZE))
		return -errno;
	if (mmap(s->dev.mem.hva, GUEST_MEM_SIZE, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED, s->memfd, 0) == MAP_FAILED)
		return -errno;
	for (i = 0; i < 2; i++) {
		s->views[i] = mmap(NULL, GUEST_MEM_SIZE, PROT_READ | PROT_WRITE,
				   MAP_SHARED, s->memfd, 0);
		if (s->views[i] == MAP_FAILED) {
			s->views[i] = NULL;
			return -errno;
		}
	}
	return 0;
}

/* The memory table: the library's regions, GPA_SHIFT higher. */
static int set_mem_table(struct iotlb_state *s)
{
	struct vhost_memory *mem;
	unsigned int i;
	int ret;

	mem = calloc(1, sizeof(*mem) +
		     GUEST_NREGIONS * sizeof(struct vhost_memory_region));
	if (!mem)
		return -ENOMEM;
	mem->nregions = GUEST_NREGIONS;
	for (i = 0; i < GUEST_NREGIONS; i++) {
		__u64 gpa = GUEST_GPA_BASE + (__u64)i * GUEST_REGION_SIZE;

		mem->regions[i].guest_phys_addr = gpa + GPA_SHIFT;
		mem->regions[i].memory_size = GUEST_REGION_SIZE;
		mem->regions[i].userspace_addr =
			(uintptr_t)guest_hva(&s->dev.mem, gpa, 1);
	}
	ret = xioctl(s->dev.fd, VHOST_SET_MEM_TABLE, mem);
	free(mem);
	return ret;
}

/* Rings at IOVAs; the vIOMMU grants them RW whatever buffers get. */
static int setup_vq(struct iotlb_state *s, struct guest_vq *vq)
{
	struct guest_mem *m = &s->dev.mem;
	struct viommu *v = &s->v;
	struct vhost_vring_addr a = { .index = vq->index };
	const void *lo = vq->packed ? (void *)vq->ring : (void *)vq->desc;
	int ret;

	if (vq->packed) {
		a.desc_user_addr = lib_gpa(m, vq->ring);
		a.avail_user_addr = lib_gpa(m, vq->driver_ev);
		a.used_user_addr = lib_gpa(m, vq->device_ev);
		v->ring_hi[v->nrings] = lib_gpa(m, vq->ring + vq->num) - 1;
		if (a.avail_user_addr > v->ring_hi[v->nrings])
			v->ring_hi[v->nrings] = a.avail_user_addr + 8;
		if (a.used_user_addr > v->ring_hi[v->nrings])
			v->ring_hi[v->nrings] = a.used_user_addr + 8;
	} else {
		a.desc_user_addr = lib_gpa(m, vq->desc);
		a.avail_user_addr = lib_gpa(m, vq->avail);
		a.used_user_addr = lib_gpa(m, vq->used);
		v->ring_hi[v->nrings] = lib_gpa(m, &vq->used->ring[vq->num]) + 2;
	}
	v->ring_lo[v->nrings++] = lib_gpa(m, lo);
	s->addr[vq->index] = a;
	ret = guest_vq_setup_addr(s->dev.fd, vq, &a, &s->dev.failed_op);
	if (!ret)
		ret = guest_vq_setup_fds(s->dev.fd, vq, &s->dev.failed_op);
	return ret;
}

static int viommu_start(struct viommu *v)
{
	int ret = pthread_create(&v->thread, NULL, viommu_thread, v);

	v->running = !ret;
	return -ret;
}

static void viommu_stop(struct viommu *v)
{
	if (!v->running)
		return;
	__atomic_store_n(&v->stop, true, __ATOMIC_RELAXED);
	pthread_join(v->thread, NULL);
	v->running = false;
}

/* Negotiate ACCESS_PLATFORM and IOTLB_MSG_V2, rings at IOVAs. */
static int iotlb_dev_start(struct iotlb_state *s, bool packed)
{
	__u64 bf = F(VHOST_BACKEND_F_IOTLB_MSG_V2) | F(VHOST_BACKEND_F_IOTLB_BATCH);
	__u64 want = features_for(true, true, true) | F(VIRTIO_F_ACCESS_PLATFORM);
	struct guest_dev *d = &s->dev;
	unsigned int i;
	__u64 have;
	int ret;

	if (packed)
		want |= F(VIRTIO_F_RING_PACKED);
	d->failed_op = "VHOST_SET_OWNER";
	ret = guest_dev_set_owner(d);
	if (ret)
		return ret;
	d->failed_op = "VHOST_GET_BACKEND_FEATURES";
	ret = xioctl(d->fd, VHOST_GET_BACKEND_FEATURES, &have);
	if (!ret && (have & bf) != bf)
		ret = -EOPNOTSUPP;
	if (!ret) {
		d->failed_op = "VHOST_SET_BACKEND_FEATURES";
		ret = xioctl(d->fd, VHOST_SET_BACKEND_FEATURES, &bf);
	}
	if (!ret) {
		d->failed_op = "VHOST_GET_FEATURES";
		ret = features_check(d->fd, want, &have);
	}
	if (!ret) {
		d->failed_op = "VHOST_SET_FEATURES";
		ret = xioctl(d->fd, VHOST_SET_FEATURES, &want);
	}
	if (ret)
		return ret;
	d->features = want;
	d->failed_op = "VHOST_SET_MEM_TABLE";
	ret = set_mem_table(s);
	for (i = 0; i < 2 && !ret; i++) {
		d->failed_op = "guest_vq_init";
		ret = packed ? guest_vq_init_packed(&d->vq[i], &d->mem, i,
						    IOTLB_RING_NUM, true) :
			       guest_vq_init(&d->vq[i], &d->mem, i,
					     IOTLB_RING_NUM, true);
		if (!ret)
			ret = setup_vq(s, &d->vq[i]);
	}
	return ret;
}

static int attach(struct iotlb_state *s)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; i < 2 && !ret; i++)
		ret = guest_set_backend(s->dev.fd, i, s->tap.fd);
	return ret;
}

FIXTURE_SETUP(iotlb)
{
	struct iotlb_state *s = &self->s;
	const char *why;
	int ret;

	dev_tap_reset(&s->dev, &s->tap);
	s->memfd = -1;
	why = device_unusable(true, 1);
	if (why)
		SKIP(return, "%s", why);
	traffic_cfg_default(&s->cfg, true);
	s->cfg.hdr_len = 12;
	s->cfg.indirect = true;
	s->cfg.any_layout = true;
	s->cfg.tx_in_order = false;
	s->cfg.tx_packets = env_ulong("VFP_PKTS", 10000);
	s->cfg.rx_packets = s->cfg.tx_packets;

	ASSERT_EQ(0, tap_netns_enter());
	ASSERT_EQ(0, tap_open(&s->tap, TAP_NAME, s->cfg.hdr_len, TAP_OFFLOADS));
	ASSERT_EQ(0, tap_open_sockets(&s->tap));
	ASSERT_EQ(0, guest_dev_open(&s->dev, true));
	ASSERT_EQ(0, mem_share(s));
	s->v.fd = s->dev.fd;
	s->v.m = &s->dev.mem;
	s->v.view = s->views[0];
	s->v.perm = VHOST_ACCESS_RW;
	pthread_mutex_init(&s->v.lock, NULL);
	ret = iotlb_dev_start(s, variant->packed);
	if (ret == -EOPNOTSUPP)
		SKIP(return, "no ACCESS_PLATFORM / IOTLB_MSG_V2 (%s)",
		     s->dev.failed_op);
	if (ret)
		TH_LOG("%s: %s", s->dev.failed_op, strerror(-ret));
	ASSERT_EQ(0, ret);
}

FIXTURE_TEARDOWN(iotlb)
{
	struct iotlb_state *s = &self->s;
	unsigned int i;

	viommu_stop(&s->v);
	traffic_fini(&s->traffic);
	guest_dev_close(&s->dev);
	tap_close(&s->tap);
	for (i = 0; i < 2; i++)
		if (s->views[i])
			munmap(s->views[i], GUEST_MEM_SIZE);
	if (s->memfd >= 0)
		close(s->memfd);
}

static void get_stats(struct __test_metadata *_metadata, struct iotlb_state *s,
		      struct vhost_fp_stats *st)
{
	ASSERT_EQ(0, fp_get_stats(s->dev.fd, st));
	ASSERT_LE(3U, st->version);
	TH_LOG("device: misses rx %llu tx %llu, updates %llu, invalidates %llu",
	       (unsigned long long)st->vq[VHOST_FP_VQ_RX].iotlb_misses,
	       (unsigned long long)st->vq[VHOST_FP_VQ_TX].iotlb_misses,
	       (unsigned long long)st->vq[0].iotlb_updates,
	       (unsigned long long)st->vq[0].iotlb_invalidates);
	TH_LOG("vIOMMU: %lu misses, %lu updates, %lu bad", s->v.misses,
	       s->v.updates, s->v.bad);
	EXPECT_EQ(0ULL, st->vq[VHOST_FP_VQ_RX].guest_errors);
	EXPECT_EQ(0ULL, st->vq[VHOST_FP_VQ_TX].guest_errors);
	EXPECT_EQ(0UL, s->v.bad);
}

static void run_traffic(struct __test_metadata *_metadata, struct iotlb_state *s)
{
	int ret;

	ASSERT_EQ(0, traffic_init(&s->traffic, &s->dev, &s->tap, &s->cfg));
	ret = traffic_run(&s->traffic);
	if (ret)
		TH_LOG("%s", s->traffic.err);
	ASSERT_EQ(0, ret);
	TH_LOG("%lu + %lu frames byte-exact", s->cfg.tx_packets,
	       s->cfg.rx_packets);
}

/* Empty IOTLB: every first access misses; the answers let it proceed. */
TEST_F_TIMEOUT(iotlb, miss_then_traffic, 3600)
{
	struct iotlb_state *s = &self->s;
	struct vhost_fp_stats st;

	ASSERT_EQ(0, viommu_start(&s->v));
	ASSERT_EQ(0, attach(s));
	run_traffic(_metadata, s);
	get_stats(_metadata, s, &st);
	EXPECT_LT(0ULL, st.vq[VHOST_FP_VQ_RX].iotlb_misses);
	EXPECT_LT(0ULL, st.vq[VHOST_FP_VQ_TX].iotlb_misses);
	pthread_mutex_lock(&s->v.lock);
	EXPECT_EQ(s->v.updates, st.vq[0].iotlb_updates);
	/* The rings alone span more than one 4 KiB entry each. */
	EXPECT_LT(4UL, s->v.updates);
	pthread_mutex_unlock(&s->v.lock);
}

struct switcher {
	struct iotlb_state *s;
	bool stop;		/* atomic */
	unsigned long switches;
	int err;
	pthread_t thread;
};

/*
 * Move the device to the other view: new answers point there, every
 * translation is invalidated, and only then the old view becomes
 * inaccessible.  Any access through an old translation after that faults.
 */
static void *switcher_thread(void *arg)
{
	struct switcher *sw = arg;
	struct iotlb_state *s = sw->s;
	unsigned int cur = 0;

	while (!__atomic_load_n(&sw->stop, __ATOMIC_RELAXED)) {
		__u8 *old = s->views[cur], *new = s->views[!cur];

		pthread_mutex_lock(&s->v.lock);
		if (mprotect(new, GUEST_MEM_SIZE, PROT_READ | PROT_WRITE))
			sw->err = -errno;
		s->v.view = new;
		if (!sw->err)
			sw->err = iotlb_send(s->dev.fd, VHOST_IOTLB_INVALIDATE,
					     0, ~0ULL, 0, 0);
		if (!sw->err && mprotect(old, GUEST_MEM_SIZE, PROT_NONE))
			sw->err = -errno;
		pthread_mutex_unlock(&s->v.lock);
		if (sw->err)
			break;
		cur = !cur;
		sw->switches++;
		usleep(2000);
	}
	return NULL;
}

TEST_F_TIMEOUT(iotlb, invalidate_under_traffic, 3600)
{
	struct iotlb_state *s = &self->s;
	struct switcher sw = { .s = s };
	struct vhost_fp_stats st;

	ASSERT_EQ(0, viommu_start(&s->v));
	ASSERT_EQ(0, attach(s));
	ASSERT_EQ(0, traffic_init(&s->traffic, &s->dev, &s->tap, &s->cfg));
	ASSERT_EQ(0, -pthread_create(&sw.thread, NULL, switcher_thread, &sw));
	EXPECT_EQ(0, traffic_run(&s->traffic)) {
		TH_LOG("%s", s->traffic.err);
	}
	__atomic_store_n(&sw.stop, true, __ATOMIC_RELAXED);
	pthread_join(sw.thread, NULL);
	ASSERT_EQ(0, sw.err);
	TH_LOG("%lu + %lu frames byte-exact across %lu view switches",
	       s->cfg.tx_packets, s->cfg.rx_packets, sw.switches);
	get_stats(_metadata, s, &st);
	EXPECT_LT(0UL, sw.switches);
	EXPECT_EQ(sw.switches, st.vq[0].iotlb_invalidates);
	/* Each switch sent the device back to the vIOMMU. */
	EXPECT_LE(sw.switches, st.vq[VHOST_FP_VQ_RX].iotlb_misses +
			       st.vq[VHOST_FP_VQ_TX].iotlb_misses);
}

/* Bytes of RX slot @i that differ from @fill: -1 when none. */
static long slot_written(struct iotlb_state *s, unsigned int i, __u8 fill)
{
	struct slot_ring *rx = &s->traffic.rx;
	const __u8 *p = guest_hva(&s->dev.mem, rx->buf[i], rx->size);
	unsigned int j;

	for (j = 0; j < rx->size; j++)
		if (p[j] != fill)
			return j;
	return -1;
}

/* Rings RW, buffers read-only: the device must not write an RX buffer. */
TEST_F_TIMEOUT(iotlb, read_only_buffers, 600)
{
	struct iotlb_state *s = &self->s;
	struct slot_ring *rx = &s->traffic.rx;
	__u8 frame[NET_HDR_LEN + 256];
	struct vhost_fp_stats st;
	struct frame_spec f;
	long written = -1;
	unsigned int i, sent = 0;

	s->v.perm = VHOST_ACCESS_RO;
	ASSERT_EQ(0, viommu_start(&s->v));
	ASSERT_EQ(0, traffic_init(&s->traffic, &s->dev, &s->tap, &s->cfg));
	for (i = 0; i < rx->nslots; i++)
		memset(guest_hva(&s->dev.mem, rx->buf[i], rx->size), 0xa5,
		       rx->size);
	ASSERT_EQ(0, attach(s));
	s->cfg.max_frame = sizeof(frame) - NET_HDR_LEN;
	s->cfg.gso = false;
	for (i = 0; i < 16; i++) {
		frame_spec(&s->cfg, DIR_RX, i, &f);
		frame_net_hdr(&f, (struct virtio_net_hdr *)frame);
		frame_fill(&f, frame + NET_HDR_LEN);
		if (send(s->tap.tx_sock, frame, NET_HDR_LEN + f.len, 0) ==
		    (ssize_t)(NET_HDR_LEN + f.len))
			sent++;
	}
	ASSERT_EQ(16U, sent);
	/* The RX queue reports the denied write on its error eventfd. */
	ASSERT_LT(0, guest_eventfd_wait(s->dev.vq[VQ_RX].err, 30000));
	ASSERT_EQ(0, fp_get_stats(s->dev.fd, &st));
	EXPECT_LT(0ULL, st.vq[VHOST_FP_VQ_RX].guest_errors);
	EXPECT_EQ(0ULL, st.vq[VHOST_FP_VQ_RX].packets);
	for (i = 0; i < rx->nslots && written < 0; i++)
		written = slot_written(s, i, 0xa5);
	EXPECT_EQ(-1, written) {
		TH_LOG("RX slot %u written at byte %ld", i - 1, written);
	}
	EXPECT_FALSE(guest_vq_has_used(&s->dev.vq[VQ_RX]));
}

/*
 * Everything mapped up front in one batch, one entry per region: IOVA
 * contiguous, host memory not (the regions are mapped in reverse).  No
 * miss at all.
 */
TEST_F_TIMEOUT(iotlb, batch_premapped, 3600)
{
	struct iotlb_state *s = &self->s;
	struct guest_mem *m = &s->dev.mem;
	struct vhost_fp_stats st;
	unsigned int i;

	ASSERT_EQ(0, iotlb_send(s->dev.fd, VHOST_IOTLB_BATCH_BEGIN, 0, 0, 0, 0));
	for (i = 0; i < GUEST_NREGIONS; i++) {
		__u64 iova = GUEST_GPA_BASE + (__u64)i * GUEST_REGION_SIZE;

		ASSERT_EQ(0, iotlb_send(s->dev.fd, VHOST_IOTLB_UPDATE, iova,
					GUEST_REGION_SIZE,
					(uintptr_t)guest_hva(m, iova, 1),
					VHOST_ACCESS_RW));
	}
	ASSERT_EQ(0, iotlb_send(s->dev.fd, VHOST_IOTLB_BATCH_END, 0, 0, 0, 0));
	ASSERT_EQ(0, attach(s));
	run_traffic(_metadata, s);
	get_stats(_metadata, s, &st);
	EXPECT_EQ(0ULL, st.vq[VHOST_FP_VQ_RX].iotlb_misses);
	EXPECT_EQ(0ULL, st.vq[VHOST_FP_VQ_TX].iotlb_misses);
	EXPECT_EQ((__u64)GUEST_NREGIONS, st.vq[0].iotlb_updates);
}

static unsigned long log_bits(const __u8 *bm, __u64 gpa, __u64 len)
{
	unsigned long n = 0;
	__u64 pg;

	for (pg = gpa / PAGE; pg < (gpa + len) / PAGE; pg++)
		n += !!(bm[pg / 8] & (1 << (pg % 8)));
	return n;
}

/*
 * Dirty log through the IOTLB: guest-physical pages (the memory table's,
 * GPA_SHIFT above the IOVAs) are marked, IOVAs never; the used ring too,
 * though its log_guest_addr is the IOVA, as QEMU passes it.
 */
TEST_F_TIMEOUT(iotlb, dirty_log, 1800)
{
	struct iotlb_state *s = &self->s;
	size_t bytes = (GUEST_GPA_BASE + GPA_SHIFT + GUEST_MEM_SIZE) / PAGE / 8;
	__u64 feat = s->dev.features | F(VHOST_F_LOG_ALL), base, ring;
	unsigned int i;
	__u8 *bm;

	bm = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, bm);
	base = (uintptr_t)bm;
	ASSERT_EQ(0, xioctl(s->dev.fd, VHOST_SET_LOG_BASE, &base));
	ASSERT_EQ(0, xioctl(s->dev.fd, VHOST_SET_FEATURES, &feat));
	for (i = 0; i < 2; i++) {
		struct vhost_vring_addr a = s->addr[i];

		a.flags = 1 << VHOST_VRING_F_LOG;
		a.log_guest_addr = a.used_user_addr;
		ASSERT_EQ(0, xioctl(s->dev.fd, VHOST_SET_VRING_ADDR, &a));
	}
	s->cfg.tx_packets = 500;
	s->cfg.rx_packets = 500;
	/* As from QEMU: translations into the memory table's mapping. */
	s->v.view = s->dev.mem.hva;
	ASSERT_EQ(0, viommu_start(&s->v));
	ASSERT_EQ(0, attach(s));
	run_traffic(_metadata, s);
	EXPECT_EQ(0UL, log_bits(bm, GUEST_GPA_BASE, GUEST_MEM_SIZE));
	TH_LOG("%lu guest pages logged",
	       log_bits(bm, GUEST_GPA_BASE + GPA_SHIFT, GUEST_MEM_SIZE));
	EXPECT_LT(0UL, log_bits(bm, GUEST_GPA_BASE + GPA_SHIFT,
				GUEST_MEM_SIZE));
	/* Used entries: the used ring (split), the descriptors (packed). */
	ring = variant->packed ? s->addr[VQ_RX].desc_user_addr :
				 s->addr[VQ_RX].used_user_addr;
	ring = (ring & ~(PAGE - 1)) + GPA_SHIFT;
	EXPECT_EQ(1UL, log_bits(bm, ring, PAGE));
	munmap(bm, bytes);
}

static int send_raw(int fd, const void *msg, size_t len)
{
	ssize_t n = write(fd, msg, len);

	return n < 0 ? -errno : (int)n;
}

/* Malformed messages: -EINVAL (or -EFAULT for a non-user address). */
TEST_F(iotlb, bad_messages)
{
	struct iotlb_state *s = &self->s;
	int fd = s->dev.fd, flags;
	struct vhost_msg_v2 m2 = {
		.type = VHOST_IOTLB_MSG_V2,
		.iotlb = {
			.type = VHOST_IOTLB_UPDATE, .iova = 0x10000,
			.size = PAGE, .perm = VHOST_ACCESS_RW,
			.uaddr = (uintptr_t)s->views[0],
		},
	};
	struct vhost_msg m1 = { .type = VHOST_IOTLB_MSG, .iotlb = m2.iotlb };
	struct vhost_msg_v2 b = m2;
	__u64 feat;

	ASSERT_EQ(0, xioctl(fd, VHOST_GET_FEATURES, &feat));
	EXPECT_TRUE(!!(feat & F(VIRTIO_F_ACCESS_PLATFORM)));
	/* Good ones in both formats first. */
	EXPECT_EQ((int)sizeof(m2), send_raw(fd, &m2, sizeof(m2)));
	EXPECT_EQ((int)sizeof(m1), send_raw(fd, &m1, sizeof(m1)));
	EXPECT_EQ(-EINVAL, send_raw(fd, &m2, sizeof(m2) - 1));
	b.type = 3;
	EXPECT_EQ(-EINVAL, send_raw(fd, &b, sizeof(b)));
	b = m2;
	b.asid = 1;
	EXPECT_EQ(-EINVAL, send_raw(fd, &b, sizeof(b)));
	b = m2;
	b.iotlb.type = 99;
	EXPECT_EQ(-EINVAL, send_raw(fd, &b, sizeof(b)));
	b.iotlb.type = VHOST_IOTLB_MISS;
	EXPECT_EQ(-EINVAL, send_raw(fd, &b, sizeof(b)));
	b.iotlb.type = VHOST_IOTLB_ACCESS_FAIL;
	EXPECT_EQ(-EINVAL, send_raw(fd, &b, sizeof(b)));
	b = m2;
	b.iotlb.size = 0;
	EXPECT_EQ(-EINVAL, send_raw(fd, &b, sizeof(b)));
	b.iotlb.type = VHOST_IOTLB_INVALIDATE;
	EXPECT_EQ(-EINVAL, send_raw(fd, &b, sizeof(b)));
	b = m2;
	b.iotlb.iova = ~0ULL - 100;
	EXPECT_EQ(-EINVAL, send_raw(fd, &b, sizeof(b)));
	b.iotlb.type = VHOST_IOTLB_INVALIDATE;
	EXPECT_EQ(-EINVAL, send_raw(fd, &b, sizeof(b)));
	b = m2;
	b.iotlb.uaddr = ~0ULL - 100;
	EXPECT_EQ(-EINVAL, send_raw(fd, &b, sizeof(b)));
	b.iotlb.uaddr = 0xffff888000000000ULL;
	EXPECT_EQ(-EFAULT, send_raw(fd, &b, sizeof(b)));
	b = m2;
	b.iotlb.perm = 0;
	EXPECT_EQ(-EINVAL, send_raw(fd, &b, sizeof(b)));
	b.iotlb.perm = 4;
	EXPECT_EQ(-EINVAL, send_raw(fd, &b, sizeof(b)));
	/* Batches pair up. */
	EXPECT_EQ(-EINVAL, iotlb_send(fd, VHOST_IOTLB_BATCH_END, 0, 0, 0, 0));
	EXPECT_EQ(0, iotlb_send(fd, VHOST_IOTLB_BATCH_BEGIN, 0, 0, 0, 0));
	EXPECT_EQ(-EINVAL, iotlb_send(fd, VHOST_IOTLB_BATCH_BEGIN, 0, 0, 0, 0));
	EXPECT_EQ(0, iotlb_send(fd, VHOST_IOTLB_BATCH_END, 0, 0, 0, 0));
	/* Reading: a short buffer, then nothing there without blocking. */
	EXPECT_EQ(-1, read(fd, &b, sizeof(b) - 1));
	EXPECT_EQ(EINVAL, errno);
	flags = fcntl(fd, F_GETFL);
	ASSERT_EQ(0, fcntl(fd, F_SETFL, flags | O_NONBLOCK));
	EXPECT_EQ(-1, read(fd, &b, sizeof(b)));
	EXPECT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, fcntl(fd, F_SETFL, flags));
}

TEST_HARNESS_MAIN
