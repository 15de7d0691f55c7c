// SPDX-License-Identifier: GPL-2.0
/*
 * Guest memory, split and packed virtqueues and device setup for the vhost
 * selftests.
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

/*
 * A packed ring: the descriptor ring, then the driver and device event
 * suppression structures, each at the minimum alignment (16, 4, 4).
 * Buffer ids are chain heads in the shadow table, so they are < num.
 */
int guest_vq_init_packed(struct guest_vq *vq, struct guest_mem *m,
			 unsigned int index, unsigned int num, bool event_idx)
{
	size_t ring_sz = 16 * num;
	__u64 gpa;
	__u8 *p;

	memset(vq, 0, sizeof(*vq));
	vq->kick = -1;
	vq->call = -1;
	vq->err = -1;
	gpa = guest_alloc_contig(m, 64 + ring_sz + 8, 4096);
	if (!gpa)
		return -ENOMEM;
	p = guest_hva(m, gpa, 64 + ring_sz + 8);
	p += 64;
	vq->index = index;
	vq->num = num;
	vq->event_idx = event_idx;
	vq->packed = true;
	vq->ring = (struct vring_packed_desc *)p;
	vq->driver_ev = (struct vring_packed_desc_event *)(p + ring_sz);
	vq->device_ev = vq->driver_ev + 1;
	vq->avail_wrap = true;
	vq->used_wrap = true;
	vq->desc = calloc(num, sizeof(*vq->desc));
	vq->chain_len = calloc(num, sizeof(*vq->chain_len));
	vq->pending = calloc(num, sizeof(*vq->pending));
	if (!vq->desc || !vq->chain_len || !vq->pending)
		return -ENOMEM;
	vq->kick = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	vq->call = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	vq->err = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (vq->kick < 0 || vq->call < 0 || vq->err < 0)
		return -errno;
	return 0;
}

/*
 * What VHOST_SET_VRING_BASE gets.  Packed, as QEMU encodes it: avail
 * position | avail wrap << 15, and the same for used in the high half.
 */
__u32 guest_vq_base(const struct guest_vq *vq)
{
	if (!vq->packed)
		return vq->avail_idx;
	return (vq->next_avail | (__u32)vq->avail_wrap << 15) |
	       (vq->last_used | (__u32)vq->used_wrap << 15) << 16;
}

void guest_vq_fini(struct guest_vq *vq)
{
	if (vq->packed) {
		free(vq->desc);
		free(vq->chain_len);
		free(vq->pending);
		vq->desc = NULL;
		vq->chain_len = NULL;
		vq->pending = NULL;
		vq->packed = false;
	}
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
	struct vhost_vring_addr addr = {
		.index = vq->index,
		.desc_user_addr = (uintptr_t)vq->desc,
		.avail_user_addr = (uintptr_t)vq->avail,
		.used_user_addr = (uintptr_t)vq->used,
	};
	int ret;

	if (vq->packed) {
		addr.desc_user_addr = (uintptr_t)vq->ring;
		addr.avail_user_addr = (uintptr_t)vq->driver_ev;
		addr.used_user_addr = (uintptr_t)vq->device_ev;
	}
	ret = guest_vq_setup_addr(fd, vq, &addr, failed_op);
	if (ret)
		return ret;
	return guest_vq_setup_fds(fd, vq, failed_op);
}

int guest_vq_setup_addr(int fd, struct guest_vq *vq,
			const struct vhost_vring_addr *addr,
			const char **failed_op)
{
	struct vhost_vring_state state = { .index = vq->index };
	int ret;

	state.num = vq->num;
	*failed_op = "VHOST_SET_VRING_NUM";
	ret = xioctl(fd, VHOST_SET_VRING_NUM, &state);
	state.num = guest_vq_base(vq);
	if (!ret) {
		*failed_op = "VHOST_SET_VRING_BASE";
		ret = xioctl(fd, VHOST_SET_VRING_BASE, &state);
	}
	if (!ret) {
		*failed_op = "VHOST_SET_VRING_ADDR";
		ret = xioctl(fd, VHOST_SET_VRING_ADDR, (void *)addr);
	}
	return ret;
}

int guest_vq_setup_fds(int fd, struct guest_vq *vq, const char **failed_op)
{
	struct vhost_vring_file kick = { .index = vq->index, .fd = vq->kick };
	struct vhost_vring_file call = { .index = vq->index, .fd = vq->call };
	struct vhost_vring_file err = { .index = vq->index, .fd = vq->err };
	int ret;

	*failed_op = "VHOST_SET_VRING_KICK";
	ret = xioctl(fd, VHOST_SET_VRING_KICK, &kick);
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

/* Entry @i of an indirect table at @table, in the ring's format. */
void guest_vq_write_table(struct guest_vq *vq, struct guest_mem *m,
			  __u64 table, unsigned int i, __u64 gpa, __u32 len,
			  __u16 flags)
{
	struct vring_packed_desc p = { .addr = gpa, .len = len };
	struct vring_desc d = { .addr = gpa, .len = len, .flags = flags };

	if (vq->packed) {
		/* A plain array: no NEXT, no ids. */
		p.flags = flags & ~VRING_DESC_F_NEXT;
		guest_write(m, table + 16 * i, &p, sizeof(p));
		return;
	}
	d.next = i + 1;
	guest_write(m, table + 16 * i, &d, sizeof(d));
}

static __u16 guest_packed_flags(bool wrap)
{
	return wrap ? 1 << VRING_PACKED_DESC_F_AVAIL :
		      1 << VRING_PACKED_DESC_F_USED;
}

/*
 * Copy the shadow chain at @head into the ring at next_avail, buffer id
 * @head.  All but the head's flags are written now; the head's, which
 * make the chain available, at publish.
 */
static void guest_packed_add(struct guest_vq *vq, __u16 head)
{
	__u16 i = head, pos = vq->next_avail, n = 0, hflags = 0;
	bool wrap = vq->avail_wrap;
	struct vring_desc *d;

	do {
		__u16 f;

		d = &vq->desc[i];
		f = (d->flags & (VRING_DESC_F_NEXT | VRING_DESC_F_WRITE |
				 VRING_DESC_F_INDIRECT)) | guest_packed_flags(wrap);
		vq->ring[pos].addr = d->addr;
		vq->ring[pos].len = d->len;
		vq->ring[pos].id = head;
		if (n++)
			vq->ring[pos].flags = f;
		else
			hflags = f;
		if (++pos == vq->num) {
			pos = 0;
			wrap = !wrap;
		}
		i = d->next;
	} while ((d->flags & VRING_DESC_F_NEXT) && n < vq->num);
	vq->chain_len[head] = n;
	vq->pending[vq->npending++] = vq->next_avail | (__u32)hflags << 16;
	vq->next_avail = pos;
	vq->avail_wrap = wrap;
	vq->added += n;
}

/* Queue a chain head; the device sees it at the next guest_vq_publish(). */
void guest_vq_add(struct guest_vq *vq, __u16 head)
{
	if (vq->packed) {
		guest_packed_add(vq, head);
		return;
	}
	vq->avail->ring[vq->avail_idx & (vq->num - 1)] = head;
	vq->avail_idx++;
}

/* Both halves of an event suppression structure in one access. */
static void guest_packed_set_event(struct vring_packed_desc_event *e,
				   __u16 off_wrap, __u16 flags)
{
	__atomic_store_n((__u32 *)e, off_wrap | (__u32)flags << 16,
			 __ATOMIC_RELAXED);
}

static bool guest_packed_publish(struct guest_vq *vq)
{
	__u16 new = vq->next_avail, old = new - vq->added, off;
	unsigned int i;
	__u32 ev;
	__u64 one = 1;
	bool kick;

	if (!vq->npending)
		return false;
	/* Descriptors before the head flags that make them available. */
	for (i = 0; i < vq->npending; i++)
		__atomic_store_n(&vq->ring[vq->pending[i] & 0xffff].flags,
				 vq->pending[i] >> 16, __ATOMIC_RELEASE);
	vq->npending = 0;
	vq->added = 0;
	/* The flags before reading the device's notification wish. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	ev = __atomic_load_n((__u32 *)vq->device_ev, __ATOMIC_RELAXED);
	if ((ev >> 16) == VRING_PACKED_EVENT_FLAG_DESC) {
		off = ev & 0x7fff;
		if (!!(ev & 0x8000) != vq->avail_wrap)
			off -= vq->num;
		kick = vring_need_event(off, new, old);
	} else {
		kick = (ev >> 16) != VRING_PACKED_EVENT_FLAG_DISABLE;
	}
	if (kick) {
		vq->kicks++;
		if (write(vq->kick, &one, sizeof(one)) != sizeof(one))
			return false;
	}
	return kick;
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

	if (vq->packed)
		return guest_packed_publish(vq);
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
	__u16 f;

	if (vq->packed) {
		/* The acquire orders the flags before the entry they cover. */
		f = __atomic_load_n(&vq->ring[vq->last_used].flags,
				    __ATOMIC_ACQUIRE);
		return !!(f & (1 << VRING_PACKED_DESC_F_AVAIL)) == vq->used_wrap &&
		       !!(f & (1 << VRING_PACKED_DESC_F_USED)) == vq->used_wrap;
	}
	return __atomic_load_n(&vq->used->idx, __ATOMIC_ACQUIRE) !=
	       vq->last_used;
}

/* A used entry skips the ring descriptors its buffer took. */
static bool guest_packed_get_used(struct guest_vq *vq, __u32 *id, __u32 *len)
{
	struct vring_packed_desc *d = &vq->ring[vq->last_used];
	__u16 n = 1;

	*id = d->id;
	*len = d->len;
	/* A bad id is the caller's to report; step over one descriptor. */
	if (*id < vq->num && vq->chain_len[*id]) {
		n = vq->chain_len[*id];
		vq->chain_len[*id] = 0;
	}
	vq->last_used += n;
	if (vq->last_used >= vq->num) {
		vq->last_used -= vq->num;
		vq->used_wrap = !vq->used_wrap;
	}
	return true;
}

bool guest_vq_get_used(struct guest_vq *vq, __u32 *id, __u32 *len)
{
	struct vring_used_elem *e;

	/* The acquire orders the index before the element it covers. */
	if (!guest_vq_has_used(vq))
		return false;
	if (vq->packed)
		return guest_packed_get_used(vq, id, len);
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
	if (vq->packed && vq->event_idx)
		guest_packed_set_event(vq->driver_ev, vq->last_used |
				       vq->used_wrap << 15,
				       VRING_PACKED_EVENT_FLAG_DESC);
	else if (vq->packed)
		guest_packed_set_event(vq->driver_ev, 0,
				       VRING_PACKED_EVENT_FLAG_ENABLE);
	else if (vq->event_idx)
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
	if (vq->packed)
		guest_packed_set_event(vq->driver_ev, 0,
				       VRING_PACKED_EVENT_FLAG_DISABLE);
	else if (vq->event_idx)
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
	bool packed = features & (1ULL << VIRTIO_F_RING_PACKED);
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
		ret = packed ? guest_vq_init_packed(&d->vq[i], &d->mem, i, num,
						    event_idx) :
			       guest_vq_init(&d->vq[i], &d->mem, i, num, event_idx);
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
	/*
	 * vhost_net is stopped the way QEMU stops it: backends detached
	 * before the close. Its release path with a TX backend still set and
	 * experimental_zcopytx=1 drops the zero-copy reference count without
	 * freeing it (6.1 and 6.12), which kmemleak on the debug kernels then
	 * blames on the test. vhost-fp is closed as it is, backends and all:
	 * that is the path a killed VMM takes, and it must clean up.
	 */
	if (d->fd >= 0 && !d->is_fp && d->owned) {
		guest_set_backend(d->fd, VQ_RX, -1);
		guest_set_backend(d->fd, VQ_TX, -1);
	}
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
	guest_vq_fini(&d->vq[0]);
	guest_vq_fini(&d->vq[1]);
	guest_mem_fini(&d->mem);
}
