// SPDX-License-Identifier: GPL-2.0
/*
 * Guest memory, split virtqueues and device setup for the vhost selftests.
 * See guest.h for the memory layout and why it is the way it is.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "guest.h"

int xioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) < 0 ? -errno : 0;
}

unsigned long env_ulong(const char *name, unsigned long def)
{
	const char *s = getenv(name);
	char *end;
	unsigned long v;

	if (!s || !*s)
		return def;
	v = strtoul(s, &end, 0);
	return *end ? def : v;
}

int guest_mem_init(struct guest_mem *m)
{
	m->hva = mmap(NULL, GUEST_MEM_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (m->hva == MAP_FAILED) {
		m->hva = NULL;
		return -errno;
	}
	/* Leave guest page 0 unused, as a real guest would. */
	m->next = 4096;
	return 0;
}

void guest_mem_fini(struct guest_mem *m)
{
	if (m->hva)
		munmap(m->hva, GUEST_MEM_SIZE);
	m->hva = NULL;
}

/* Host address of guest offset @off: regions are mapped in reverse. */
static __u8 *guest_off_hva(struct guest_mem *m, __u64 off)
{
	__u64 region = off / GUEST_REGION_SIZE;

	return m->hva + (GUEST_NREGIONS - 1 - region) * GUEST_REGION_SIZE +
	       off % GUEST_REGION_SIZE;
}

__u64 guest_alloc(struct guest_mem *m, size_t len, size_t align)
{
	__u64 off = (m->next + align - 1) & ~(__u64)(align - 1);

	if (off + len > GUEST_MEM_SIZE)
		return 0;
	m->next = off + len;
	return GUEST_GPA_BASE + off;
}

/* Like guest_alloc(), but never across a region boundary. */
__u64 guest_alloc_contig(struct guest_mem *m, size_t len, size_t align)
{
	__u64 off = (m->next + align - 1) & ~(__u64)(align - 1);

	if (off / GUEST_REGION_SIZE != (off + len - 1) / GUEST_REGION_SIZE)
		m->next = (off / GUEST_REGION_SIZE + 1) * GUEST_REGION_SIZE;
	return guest_alloc(m, len, align);
}

/* Host pointer to [gpa, gpa + len) when it is contiguous, else NULL. */
void *guest_hva(struct guest_mem *m, __u64 gpa, size_t len)
{
	__u64 off = gpa - GUEST_GPA_BASE;

	if (gpa < GUEST_GPA_BASE || off + len > GUEST_MEM_SIZE || !len)
		return NULL;
	if (off / GUEST_REGION_SIZE != (off + len - 1) / GUEST_REGION_SIZE)
		return NULL;
	return guest_off_hva(m, off);
}

static void guest_copy(struct guest_mem *m, __u64 gpa, void *buf,
		       size_t len, bool to_guest)
{
	__u64 off = gpa - GUEST_GPA_BASE;
	__u8 *p = buf;

	while (len) {
		size_t room = GUEST_REGION_SIZE - off % GUEST_REGION_SIZE;
		size_t n = len < room ? len : room;

		if (to_guest)
			memcpy(guest_off_hva(m, off), p, n);
		else
			memcpy(p, guest_off_hva(m, off), n);
		off += n;
		p += n;
		len -= n;
	}
}

void guest_write(struct guest_mem *m, __u64 gpa, const void *src, size_t len)
{
	guest_copy(m, gpa, (void *)src, len, true);
}

void guest_read(struct guest_mem *m, __u64 gpa, void *dst, size_t len)
{
	guest_copy(m, gpa, dst, len, false);
}

int guest_set_mem_table(int fd, struct guest_mem *m)
{
	struct vhost_memory *mem;
	int i, ret;

	mem = calloc(1, sizeof(*mem) +
		     GUEST_NREGIONS * sizeof(struct vhost_memory_region));
	if (!mem)
		return -ENOMEM;
	mem->nregions = GUEST_NREGIONS;
	for (i = 0; i < GUEST_NREGIONS; i++) {
		__u64 off = (__u64)i * GUEST_REGION_SIZE;

		mem->regions[i].guest_phys_addr = GUEST_GPA_BASE + off;
		mem->regions[i].memory_size = GUEST_REGION_SIZE;
		mem->regions[i].userspace_addr =
			(uintptr_t)guest_off_hva(m, off);
	}
	ret = xioctl(fd, VHOST_SET_MEM_TABLE, mem);
	free(mem);
	return ret;
}

/*
 * Lay a split ring out in guest memory with the minimum alignment the
 * virtio spec allows (desc 16, avail 2, used 4), not on a page boundary.
 */
int guest_vq_init(struct guest_vq *vq, struct guest_mem *m, unsigned int index,
		  unsigned int num, bool event_idx)
{
	size_t desc_sz = 16 * num, avail_sz = 6 + 2 * num;
	size_t used_off = (desc_sz + avail_sz + 3) & ~3UL;
	size_t used_sz = 6 + 8 * num;
	__u64 gpa;
	__u8 *p;

	memset(vq, 0, sizeof(*vq));
	vq->kick = -1;
	vq->call = -1;
	vq->err = -1;
	gpa = guest_alloc_contig(m, 64 + used_off + used_sz, 4096);
	if (!gpa)
		return -ENOMEM;
	p = guest_hva(m, gpa, 64 + used_off + used_sz);
	p += 64;
	vq->index = index;
	vq->num = num;
	vq->event_idx = event_idx;
	vq->desc = (struct vring_desc *)p;
	vq->avail = (struct vring_avail *)(p + desc_sz);
	vq->used = (struct vring_used *)(p + used_off);
	vq->kick = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	vq->call = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	vq->err = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (vq->kick < 0 || vq->call < 0 || vq->err < 0)
		return -errno;
	return 0;
}

void guest_vq_fini(struct guest_vq *vq)
{
	if (vq->kick >= 0)
		close(vq->kick);
	if (vq->call >= 0)
		close(vq->call);
	if (vq->err >= 0)
		close(vq->err);
	vq->kick = -1;
	vq->call = -1;
	vq->err = -1;
}

int guest_vq_setup(int fd, struct guest_vq *vq, const char **failed_op)
{
	struct vhost_vring_state state = { .index = vq->index };
	struct vhost_vring_addr addr = {
		.index = vq->index,
		.desc_user_addr = (uintptr_t)vq->desc,
		.avail_user_addr = (uintptr_t)vq->avail,
		.used_user_addr = (uintptr_t)vq->used,
	};
	struct vhost_vring_file kick = { .index = vq->index, .fd = vq->kick };
	struct vhost_vring_file call = { .index = vq->index, .fd = vq->call };
	struct vhost_vring_file err = { .index = vq->index, .fd = vq->err };
	int ret;

	state.num = vq->num;
	*failed_op = "VHOST_SET_VRING_NUM";
	ret = xioctl(fd, VHOST_SET_VRING_NUM, &state);
	state.num = 0;
	if (!ret) {
		*failed_op = "VHOST_SET_VRING_BASE";
		ret = xioctl(fd, VHOST_SET_VRING_BASE, &state);
	}
	if (!ret) {
		*failed_op = "VHOST_SET_VRING_ADDR";
		ret = xioctl(fd, VHOST_SET_VRING_ADDR, &addr);
	}
	if (!ret) {
		*failed_op = "VHOST_SET_VRING_KICK";
		ret = xioctl(fd, VHOST_SET_VRING_KICK, &kick);
	}
	if (!ret) {
		*failed_op = "VHOST_SET_VRING_CALL";
		ret = xioctl(fd, VHOST_SET_VRING_CALL, &call);
	}
	if (!ret) {
		*failed_op = "VHOST_SET_VRING_ERR";
		ret = xioctl(fd, VHOST_SET_VRING_ERR, &err);
	}
	return ret;
}

void guest_vq_set_desc(struct guest_vq *vq, __u16 i, __u64 gpa,
		       __u32 len, __u16 flags, __u16 next)
{
	vq->desc[i].addr = gpa;
	vq->desc[i].len = len;
	vq->desc[i].flags = flags;
	vq->desc[i].next = next;
}

/* Queue a chain head; the device sees it at the next guest_vq_publish(). */
void guest_vq_add(struct guest_vq *vq, __u16 head)
{
	vq->avail->ring[vq->avail_idx & (vq->num - 1)] = head;
	vq->avail_idx++;
}

/* The device's "kick me at this avail index" (EVENT_IDX). */
static __u16 guest_vq_avail_event(struct guest_vq *vq)
{
	return __atomic_load_n((__u16 *)&vq->used->ring[vq->num],
			       __ATOMIC_RELAXED);
}

/* The guest's "call me at this used index" (EVENT_IDX). */
static void guest_vq_set_used_event(struct guest_vq *vq, __u16 idx)
{
	__atomic_store_n(&vq->avail->ring[vq->num], idx, __ATOMIC_RELAXED);
}

/* Expose the added heads and kick if the device asked for it. */
bool guest_vq_publish(struct guest_vq *vq)
{
	__u16 old = vq->kicked_idx, new = vq->avail_idx;
	__u64 one = 1;
	bool kick;

	if (old == new)
		return false;
	/* Ring entries and descriptors before the index that exposes them. */
	__atomic_store_n(&vq->avail->idx, new, __ATOMIC_RELEASE);
	/* The index store before reading the device's notification wish. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	vq->kicked_idx = new;
	if (vq->event_idx)
		kick = vring_need_event(guest_vq_avail_event(vq), new, old);
	else
		kick = !(__atomic_load_n(&vq->used->flags, __ATOMIC_RELAXED) &
			 VRING_USED_F_NO_NOTIFY);
	if (kick) {
		vq->kicks++;
		if (write(vq->kick, &one, sizeof(one)) != sizeof(one))
			return false;
	}
	return kick;
}

bool guest_vq_has_used(struct guest_vq *vq)
{
	return __atomic_load_n(&vq->used->idx, __ATOMIC_ACQUIRE) !=
	       vq->last_used;
}

bool guest_vq_get_used(struct guest_vq *vq, __u32 *id, __u32 *len)
{
	struct vring_used_elem *e;

	/* The acquire orders the index before the element it covers. */
	if (!guest_vq_has_used(vq))
		return false;
	e = &vq->used->ring[vq->last_used & (vq->num - 1)];
	*id = e->id;
	*len = e->len;
	vq->last_used++;
	return true;
}

/*
 * Ask for a call at the next used entry; true when entries arrived
 * meanwhile (the caller must look again instead of sleeping).
 */
bool guest_vq_enable_cb(struct guest_vq *vq)
{
	if (vq->event_idx)
		guest_vq_set_used_event(vq, vq->last_used);
	else
		vq->avail->flags &= ~VRING_AVAIL_F_NO_INTERRUPT;
	/* The wish before re-reading the used index, paired with the device. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return guest_vq_has_used(vq);
}

/* Interrupts are only a hint while the guest is busy polling. */
void guest_vq_disable_cb(struct guest_vq *vq)
{
	if (vq->event_idx)
		guest_vq_set_used_event(vq, vq->last_used + vq->num / 2);
	else
		vq->avail->flags |= VRING_AVAIL_F_NO_INTERRUPT;
}

int guest_eventfd_drain(int efd)
{
	__u64 v;

	return read(efd, &v, sizeof(v)) == sizeof(v) ? (int)v : 0;
}

/* 1 when the eventfd fired within @timeout_ms, 0 on timeout. */
int guest_eventfd_wait(int efd, int timeout_ms)
{
	struct pollfd p = { .fd = efd, .events = POLLIN };
	int n = poll(&p, 1, timeout_ms);

	if (n < 0)
		return -errno;
	if (n)
		guest_eventfd_drain(efd);
	return n;
}

const char *guest_dev_path(bool fp)
{
	return fp ? "/dev/vhost-fp" : "/dev/vhost-net";
}

bool guest_dev_present(bool fp)
{
	return access(guest_dev_path(fp), R_OK | W_OK) == 0;
}

int guest_dev_open(struct guest_dev *d, bool fp)
{
	unsigned int i;
	int ret;

	memset(d, 0, sizeof(*d));
	for (i = 0; i < 2; i++) {
		d->vq[i].kick = -1;
		d->vq[i].call = -1;
		d->vq[i].err = -1;
	}
	d->is_fp = fp;
	d->fd = open(guest_dev_path(fp), O_RDWR | O_CLOEXEC);
	if (d->fd < 0)
		return -errno;
	ret = guest_mem_init(&d->mem);
	if (ret) {
		close(d->fd);
		d->fd = -1;
	}
	return ret;
}

int guest_set_backend(int fd, unsigned int index, int backend)
{
	struct vhost_vring_file file = { .index = index, .fd = backend };

	return xioctl(fd, VHOST_NET_SET_BACKEND, &file);
}

int guest_dev_set_owner(struct guest_dev *d)
{
	int ret = 0;

	if (!d->owned)
		ret = xioctl(d->fd, VHOST_SET_OWNER, NULL);
	d->owned = !ret;
	return ret;
}

/*
 * The whole bring-up in the order QEMU uses: owner, features, memory,
 * both rings, then the backend on each ring.  Returns -errno.
 */
int guest_dev_start(struct guest_dev *d, __u64 features, unsigned int num,
		    int backend)
{
	bool event_idx = features & (1ULL << VIRTIO_RING_F_EVENT_IDX);
	unsigned int i;
	int ret;

	d->failed_op = "VHOST_SET_OWNER";
	ret = guest_dev_set_owner(d);
	if (ret)
		return ret;
	d->failed_op = "VHOST_SET_FEATURES";
	ret = xioctl(d->fd, VHOST_SET_FEATURES, &features);
	if (ret)
		return ret;
	d->features = features;
	d->failed_op = "VHOST_SET_MEM_TABLE";
	ret = guest_set_mem_table(d->fd, &d->mem);
	if (ret)
		return ret;
	for (i = 0; i < 2; i++) {
		d->failed_op = "guest_vq_init";
		ret = guest_vq_init(&d->vq[i], &d->mem, i, num, event_idx);
		if (!ret)
			ret = guest_vq_setup(d->fd, &d->vq[i], &d->failed_op);
		if (ret)
			return ret;
	}
	if (backend < 0)
		return 0;
	d->failed_op = "VHOST_NET_SET_BACKEND";
	for (i = 0; i < 2; i++) {
		ret = guest_set_backend(d->fd, i, backend);
		if (ret)
			return ret;
	}
	d->failed_op = NULL;
	return 0;
}

void guest_dev_close(struct guest_dev *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
	guest_vq_fini(&d->vq[0]);
	guest_vq_fini(&d->vq[1]);
	guest_mem_fini(&d->mem);
}
