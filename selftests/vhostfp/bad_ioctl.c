// SPDX-License-Identifier: GPL-2.0
/*
 * Bad ioctl arguments and ioctls out of order, on /dev/vhost-net and
 * /dev/vhost-fp.  The errno is part of the ABI: where both devices must
 * agree the test asserts vhost_net's errno; where vhost_net is known to
 * be lax (it takes overlapping memory regions) the test asserts that
 * vhost-fp refuses and only records what vhost_net did.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <linux/if_ether.h>
#include <linux/if_tun.h>

#include "kselftest_harness.h"
#include "common.h"

struct ioctl_state {
	struct guest_dev dev;
	struct guest_tap tap;
};

FIXTURE(ioctl) {
	struct ioctl_state s;
};

FIXTURE_VARIANT(ioctl) {
	bool fp;
};

FIXTURE_VARIANT_ADD(ioctl, net) { .fp = false, };
FIXTURE_VARIANT_ADD(ioctl, fp) { .fp = true, };

FIXTURE_SETUP(ioctl)
{
	const char *why;

	dev_tap_reset(&self->s.dev, &self->s.tap);
	why = device_unusable(variant->fp, -1);
	if (why)
		SKIP(return, "%s", why);
	ASSERT_EQ(0, dev_tap_open(&self->s.dev, &self->s.tap, variant->fp));
}

FIXTURE_TEARDOWN(ioctl)
{
	guest_dev_close(&self->s.dev);
	tap_close(&self->s.tap);
}

static const char *dev_name(bool fp)
{
	return fp ? "vhost-fp" : "vhost-net";
}

/* A memory table of @n regions taken from @r. */
static int mem_table(int fd, const struct vhost_memory_region *r,
		     unsigned int n, unsigned int nregions)
{
	struct vhost_memory *m = calloc(1, sizeof(*m) + n * sizeof(*r));
	int ret;

	if (!m)
		return -ENOMEM;
	m->nregions = nregions;
	memcpy(m->regions, r, n * sizeof(*r));
	ret = xioctl(fd, VHOST_SET_MEM_TABLE, m);
	free(m);
	return ret;
}

static struct vhost_memory_region region(struct guest_mem *m, __u64 gpa,
					 __u64 size)
{
	return (struct vhost_memory_region){
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uintptr_t)m->hva,
	};
}

TEST_F(ioctl, before_owner)
{
	struct vhost_vring_state num = { .index = VQ_TX, .num = RING_NUM };
	struct vhost_vring_addr addr = { .index = VQ_TX };
	struct vhost_vring_file file = { .index = VQ_TX, .fd = -1 };
	struct vhost_memory_region r;
	__u64 features, base = 0;
	int fd = self->s.dev.fd, ret;

	/* Feature discovery needs no owner: libvirt and QEMU probe first. */
	ret = xioctl(fd, VHOST_GET_FEATURES, &features);
	EXPECT_EQ(0, ret) {
		TH_LOG("GET_FEATURES before SET_OWNER: %s (vhost_net allows it)",
		       strerror(-ret));
	}
	ret = xioctl(fd, VHOST_SET_FEATURES, &(__u64){ 0 });
	TH_LOG("SET_FEATURES before SET_OWNER: %s (vhost_net takes it)",
	       ret ? strerror(-ret) : "accepted");
	r = region(&self->s.dev.mem, GUEST_GPA_BASE, GUEST_REGION_SIZE);
	EXPECT_EQ(-EPERM, mem_table(fd, &r, 1, 1));
	EXPECT_EQ(-EPERM, xioctl(fd, VHOST_SET_VRING_NUM, &num));
	EXPECT_EQ(-EPERM, xioctl(fd, VHOST_SET_VRING_ADDR, &addr));
	EXPECT_EQ(-EPERM, xioctl(fd, VHOST_SET_VRING_KICK, &file));
	EXPECT_EQ(-EPERM, xioctl(fd, VHOST_SET_VRING_CALL, &file));
	EXPECT_EQ(-EPERM, xioctl(fd, VHOST_SET_LOG_BASE, &base));
	EXPECT_EQ(-EPERM, xioctl(fd, VHOST_RESET_OWNER, NULL));
	EXPECT_EQ(-EPERM, guest_set_backend(fd, VQ_TX, self->s.tap.fd));
	/* And the device is still good for an owner after all that. */
	EXPECT_EQ(0, guest_dev_set_owner(&self->s.dev));
}

TEST_F(ioctl, set_owner_twice)
{
	int fd = self->s.dev.fd, status;
	pid_t pid;

	ASSERT_EQ(0, xioctl(fd, VHOST_SET_OWNER, NULL));
	EXPECT_EQ(-EBUSY, xioctl(fd, VHOST_SET_OWNER, NULL));
	/* Another process sharing the file is not the owner either. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct vhost_vring_state num = { .index = 0, .num = 64 };

		if (xioctl(fd, VHOST_SET_OWNER, NULL) != -EBUSY)
			_exit(1);
		if (xioctl(fd, VHOST_RESET_OWNER, NULL) != -EPERM)
			_exit(2);
		if (xioctl(fd, VHOST_SET_VRING_NUM, &num) != -EPERM)
			_exit(3);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status)) {
		TH_LOG("child: %s", (const char *[]){ "ok",
		       "SET_OWNER did not fail with EBUSY",
		       "RESET_OWNER did not fail with EPERM",
		       "SET_VRING_NUM did not fail with EPERM" }
		       [WEXITSTATUS(status) & 3]);
	}
	/* RESET_OWNER by the owner frees the device for a new one. */
	EXPECT_EQ(0, xioctl(fd, VHOST_RESET_OWNER, NULL));
	EXPECT_EQ(0, xioctl(fd, VHOST_SET_OWNER, NULL));
}

TEST_F(ioctl, mem_overlap)
{
	struct vhost_memory_region r[2];
	int ret;

	ASSERT_EQ(0, guest_dev_set_owner(&self->s.dev));
	r[0] = region(&self->s.dev.mem, GUEST_GPA_BASE, GUEST_REGION_SIZE);
	r[1] = region(&self->s.dev.mem, GUEST_GPA_BASE + 4096, 8192);
	r[1].userspace_addr += GUEST_REGION_SIZE;
	ret = mem_table(self->s.dev.fd, r, 2, 2);
	TH_LOG("%s: overlapping regions: %s", dev_name(variant->fp),
	       ret ? strerror(-ret) : "accepted");
	if (variant->fp)
		EXPECT_EQ(-EINVAL, ret);
}

TEST_F(ioctl, mem_gpa_wraps)
{
	struct vhost_memory_region r;
	int ret;

	ASSERT_EQ(0, guest_dev_set_owner(&self->s.dev));
	r = region(&self->s.dev.mem, ~0ULL - 4095, 8192);
	ret = mem_table(self->s.dev.fd, &r, 1, 1);
	TH_LOG("%s: gpa + size wraps: %s", dev_name(variant->fp),
	       strerror(-ret));
	EXPECT_GT(0, ret);
	if (!variant->fp)
		EXPECT_EQ(-EFAULT, ret);
}

TEST_F(ioctl, mem_hva_wraps)
{
	struct vhost_memory_region r;
	int ret;

	ASSERT_EQ(0, guest_dev_set_owner(&self->s.dev));
	r = region(&self->s.dev.mem, GUEST_GPA_BASE, 8192);
	r.userspace_addr = ~0ULL - 4095;
	ret = mem_table(self->s.dev.fd, &r, 1, 1);
	TH_LOG("%s: userspace_addr + size wraps: %s", dev_name(variant->fp),
	       ret ? strerror(-ret) : "accepted");
	/* vhost_net checks host addresses only once a backend is set. */
	if (variant->fp)
		EXPECT_GT(0, ret);
}

TEST_F(ioctl, mem_kernel_hva)
{
	struct vhost_memory_region r;
	int ret;

	ASSERT_EQ(0, guest_dev_set_owner(&self->s.dev));
	r = region(&self->s.dev.mem, GUEST_GPA_BASE, 8192);

	r.userspace_addr = 0xffff888000000000ULL;
	ret = mem_table(self->s.dev.fd, &r, 1, 1);
	TH_LOG("%s: region at a kernel address: %s", dev_name(variant->fp),
	       ret ? strerror(-ret) : "accepted");
	if (variant->fp)
		EXPECT_EQ(-EFAULT, ret);
}

TEST_F(ioctl, mem_zero_size)
{
	struct vhost_memory_region r;
	int ret;

	ASSERT_EQ(0, guest_dev_set_owner(&self->s.dev));
	r = region(&self->s.dev.mem, GUEST_GPA_BASE, 0);
	ret = mem_table(self->s.dev.fd, &r, 1, 1);
	TH_LOG("%s: empty region: %s", dev_name(variant->fp),
	       ret ? strerror(-ret) : "accepted");
	if (variant->fp)
		EXPECT_GT(0, ret);
}

TEST_F(ioctl, mem_too_many_regions)
{
	struct vhost_memory_region r[1];
	struct vhost_memory m = { .nregions = 65536 };

	ASSERT_EQ(0, guest_dev_set_owner(&self->s.dev));
	EXPECT_EQ(-E2BIG, xioctl(self->s.dev.fd, VHOST_SET_MEM_TABLE, &m));
	r[0] = region(&self->s.dev.mem, GUEST_GPA_BASE, GUEST_MEM_SIZE);
	m.padding = 1;
	m.nregions = 1;
	EXPECT_EQ(-EOPNOTSUPP, xioctl(self->s.dev.fd, VHOST_SET_MEM_TABLE, &m));
	/* A sane table still goes in afterwards. */
	EXPECT_EQ(0, mem_table(self->s.dev.fd, r, 1, 1));
}

TEST_F(ioctl, ring_num_invalid)
{
	static const unsigned int bad[] = { 0, 3, 100, 32769, 65535, 65536 };
	struct vhost_vring_state s = { .index = VQ_RX };
	unsigned int i;

	ASSERT_EQ(0, guest_dev_set_owner(&self->s.dev));
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		s.num = bad[i];
		EXPECT_EQ(-EINVAL, xioctl(self->s.dev.fd, VHOST_SET_VRING_NUM,
					  &s)) {
			TH_LOG("ring size %u", bad[i]);
		}
	}
	s.num = 32768;
	EXPECT_EQ(0, xioctl(self->s.dev.fd, VHOST_SET_VRING_NUM, &s));
	s.num = 1;
	EXPECT_EQ(0, xioctl(self->s.dev.fd, VHOST_SET_VRING_NUM, &s));
	s.index = VHOST_FP_NVQS;
	EXPECT_EQ(-ENOBUFS, xioctl(self->s.dev.fd, VHOST_SET_VRING_NUM, &s));
	EXPECT_EQ(-ENOBUFS, guest_set_backend(self->s.dev.fd, 2, self->s.tap.fd));
}

TEST_F(ioctl, ring_addr_unaligned)
{
	struct guest_vq *vq = &self->s.dev.vq[VQ_TX];
	struct vhost_vring_addr a;
	int ret;

	ASSERT_EQ(0, guest_dev_start(&self->s.dev, 0, RING_NUM, -1));
	a = (struct vhost_vring_addr){
		.index = VQ_TX,
		.desc_user_addr = (uintptr_t)vq->desc,
		.avail_user_addr = (uintptr_t)vq->avail + 1,
		.used_user_addr = (uintptr_t)vq->used,
	};
	EXPECT_EQ(-EINVAL, xioctl(self->s.dev.fd, VHOST_SET_VRING_ADDR, &a));
	a.avail_user_addr--;
	a.used_user_addr += 2;
	EXPECT_EQ(-EINVAL, xioctl(self->s.dev.fd, VHOST_SET_VRING_ADDR, &a));
	a.used_user_addr -= 2;
	a.flags = 1 << 5;
	EXPECT_EQ(-EOPNOTSUPP, xioctl(self->s.dev.fd, VHOST_SET_VRING_ADDR, &a));
	a.flags = 0;
	a.desc_user_addr += 8;
	ret = xioctl(self->s.dev.fd, VHOST_SET_VRING_ADDR, &a);
	TH_LOG("%s: descriptor table at 8 mod 16: %s", dev_name(variant->fp),
	       ret ? strerror(-ret) : "accepted");
}

/* Rings nobody can reach: refused up front, or an error at first use. */
static void rings_unreachable(struct __test_metadata *_metadata,
			      struct ioctl_state *self, __u64 base)
{
	struct guest_vq *vq = &self->dev.vq[VQ_TX];
	struct vhost_vring_addr a = {
		.index = VQ_TX,
		.desc_user_addr = base,
		.avail_user_addr = base + 16 * RING_NUM,
		.used_user_addr = base + 8192,
	};
	__u64 one = 1;
	int ret;

	ASSERT_EQ(0, guest_dev_start(&self->dev, 0, RING_NUM, -1));
	ret = xioctl(self->dev.fd, VHOST_SET_VRING_ADDR, &a);
	if (!ret)
		ret = guest_set_backend(self->dev.fd, VQ_TX, self->tap.fd);
	if (ret) {
		TH_LOG("refused: %s", strerror(-ret));
		EXPECT_TRUE(ret == -EFAULT || ret == -EINVAL);
		return;
	}
	ASSERT_EQ((ssize_t)sizeof(one), write(vq->kick, &one, sizeof(one)));
	EXPECT_EQ(1, guest_eventfd_wait(vq->err, 15000)) {
		TH_LOG("rings accepted, no error at first kick");
	}
}

TEST_F(ioctl, ring_addr_unmapped)
{
	void *p = mmap(NULL, 65536, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, p);
	munmap(p, 65536);
	rings_unreachable(_metadata, &self->s, (uintptr_t)p);
}

TEST_F(ioctl, ring_addr_kernel)
{
	rings_unreachable(_metadata, &self->s, 0xffff888000000000ULL);
}

TEST_F(ioctl, log_base_overflow)
{
	__u64 features = F(VHOST_F_LOG_ALL) | F(VIRTIO_F_VERSION_1);
	__u64 top = 0x7ffffffff000ULL, wrap = ~0ULL & ~4095ULL;

	ASSERT_EQ(0, guest_dev_start(&self->s.dev, features, RING_NUM,
				     self->s.tap.fd));
	/* The log of guest memory at 4 GiB lies past the end of user space. */
	EXPECT_EQ(-EFAULT, xioctl(self->s.dev.fd, VHOST_SET_LOG_BASE, &top));
	EXPECT_EQ(-EFAULT, xioctl(self->s.dev.fd, VHOST_SET_LOG_BASE, &wrap));
}

TEST_F(ioctl, features_unknown)
{
	__u64 f = 1ULL << 63;

	ASSERT_EQ(0, guest_dev_set_owner(&self->s.dev));
	EXPECT_EQ(-EOPNOTSUPP, xioctl(self->s.dev.fd, VHOST_SET_FEATURES, &f));
}

/*
 * A running queue keeps its ring layout and event index: SET_FEATURES that
 * flips them is refused (vhost-fp), while dirty logging may still change
 * (QEMU turns it on for a migration under a running VM).  vhost_net takes
 * any change: recorded only.
 */
TEST_F(ioctl, features_frozen_while_running)
{
	__u64 base = features_for(true, false, true), f;
	int evt, packed, log;

	ASSERT_EQ(0, guest_dev_start(&self->s.dev, base, RING_NUM,
				     self->s.tap.fd));
	f = base & ~F(VIRTIO_RING_F_EVENT_IDX);
	evt = xioctl(self->s.dev.fd, VHOST_SET_FEATURES, &f);
	f = base | F(VIRTIO_F_RING_PACKED);
	packed = variant->fp ? xioctl(self->s.dev.fd, VHOST_SET_FEATURES, &f) :
			       -EOPNOTSUPP;
	f = base | F(VHOST_F_LOG_ALL);
	log = xioctl(self->s.dev.fd, VHOST_SET_FEATURES, &f);
	TH_LOG("%s, running: event index off %s, packed on %s, log on %s",
	       dev_name(variant->fp), strerror(-evt), strerror(-packed),
	       strerror(-log));
	if (variant->fp) {
		EXPECT_EQ(-EBUSY, evt);
		EXPECT_EQ(-EBUSY, packed);
	}
	EXPECT_EQ(0, log);
	/* Detached, the queue may be set up anew. */
	f = base & ~F(VIRTIO_RING_F_EVENT_IDX);
	EXPECT_EQ(0, guest_set_backend(self->s.dev.fd, VQ_RX, -1));
	EXPECT_EQ(0, guest_set_backend(self->s.dev.fd, VQ_TX, -1));
	EXPECT_EQ(0, xioctl(self->s.dev.fd, VHOST_SET_FEATURES, &f));
}

static void backend_refused(struct __test_metadata *_metadata,
			    struct ioctl_state *self, bool fp, int fd,
			    const char *what, int want)
{
	int ret = guest_set_backend(self->dev.fd, VQ_TX, fd);

	TH_LOG("%s: backend %s: %s", dev_name(fp), what,
	       ret ? strerror(-ret) : "accepted");
	/* The harness's EXPECT is an if statement: no dangling else. */
	if (want)
		EXPECT_EQ(want, ret);
	if (!want)
		EXPECT_GT(0, ret);
}

TEST_F(ioctl, backend_not_tap)
{
	int pfd[2], udp, pkt, ret;

	ASSERT_EQ(0, guest_dev_start(&self->s.dev, 0, RING_NUM, -1));
	ASSERT_EQ(0, pipe(pfd));
	udp = socket(AF_INET, SOCK_DGRAM, 0);
	ASSERT_LE(0, udp);
	backend_refused(_metadata, &self->s, variant->fp, pfd[0], "pipe",
			-ENOTSOCK);
	backend_refused(_metadata, &self->s, variant->fp, udp, "UDP socket",
			-ENOTSOCK);
	backend_refused(_metadata, &self->s, variant->fp, 1000, "closed fd", 0);
	backend_refused(_metadata, &self->s, variant->fp, self->s.dev.fd,
			"the device itself", 0);
	/* vhost_net also drives raw packet sockets; record what we do. */
	pkt = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	ASSERT_LE(0, pkt);
	ret = guest_set_backend(self->s.dev.fd, VQ_TX, pkt);
	TH_LOG("%s: AF_PACKET backend: %s", dev_name(variant->fp),
	       ret ? strerror(-ret) : "accepted");
	EXPECT_EQ(0, guest_set_backend(self->s.dev.fd, VQ_TX, -1));
	/* After all that a tap still goes in. */
	EXPECT_EQ(0, guest_set_backend(self->s.dev.fd, VQ_TX, self->s.tap.fd));
	close(pfd[0]);
	close(pfd[1]);
	close(udp);
	close(pkt);
}

TEST_HARNESS_MAIN
