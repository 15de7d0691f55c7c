// SPDX-License-Identifier: GPL-2.0
/*
 * The fuzzer's guest and host: a guest thread that keeps TX and RX
 * buffers posted on its rings and now and then writes something hostile
 * into them (garbage descriptors, loops, bad indirect tables, jumps of
 * the avail index, used-ring scribbles, pages that vanish or turn
 * read-only for a moment), and a host thread that sends frames into the
 * tap and drains what the guest sent.  Both only touch guest memory and
 * their sockets; the device's state is the ioctl thread's (fuzz.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include "fuzz.h"

/* splitmix64: small, fast, good enough to pick operations. */
__u64 rng_next(struct rng *r)
{
	__u64 z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

__u64 rnd(struct rng *r, __u64 n)
{
	return n ? rng_next(r) % n : 0;
}

bool one_in(struct rng *r, unsigned int n)
{
	return !rnd(r, n);
}

__u64 edge_u64(struct rng *r)
{
	static const __u64 edges[] = {
		0, 1, 2, 15, 16, 4095, 4096, 0x7fff, 0x8000, 0xffff, 0x10000,
		0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ULL,
		GUEST_GPA_BASE - 1, GUEST_GPA_BASE + GUEST_MEM_SIZE - 1,
		GUEST_GPA_BASE + GUEST_REGION_SIZE - 1,
		(1ULL << 47) - 1, 1ULL << 47, 1ULL << 63, ~0ULL, ~0ULL - 4095,
		0xffff888000000000ULL, 0xffffffff81000000ULL,
	};

	if (one_in(r, 4))
		return rng_next(r);
	if (one_in(r, 3))
		return edges[rnd(r, ARRAY_SIZE(edges))] +
		       rnd(r, 3) - 1;
	return edges[rnd(r, ARRAY_SIZE(edges))];
}

__u32 edge_u32(struct rng *r)
{
	return one_in(r, 2) ? (__u32)edge_u64(r) : (__u32)rnd(r, 70000);
}

/*
 * May the device be told that [hva, hva + size) is guest memory?  Only
 * the guest mapping and the hole: the device writes there.  Ranges the
 * kernel must refuse (kernel half, past TASK_SIZE) are fine as well.
 */
bool fuzz_safe_hva(const struct fuzz *f, __u64 hva, __u64 size)
{
	__u64 g = (uintptr_t)f->dev.mem.hva, h = (uintptr_t)f->hole;

	if (!size)
		return true;
	if (hva >= (1ULL << 47) || hva + size - 1 < hva ||
	    hva + size - 1 >= (1ULL << 47))
		return true;
	if (hva >= g && hva - g + size <= GUEST_MEM_SIZE)
		return true;
	return hva >= h && hva - h + size <= HOLE_SIZE;
}

/* The guest-physical address of a host pointer into guest memory. */
static __u64 hva_to_gpa(struct fuzz *f, const void *p)
{
	__u64 off = (const __u8 *)p - f->dev.mem.hva;
	__u64 region = GUEST_NREGIONS - 1 - off / GUEST_REGION_SIZE;

	return GUEST_GPA_BASE + region * GUEST_REGION_SIZE +
	       off % GUEST_REGION_SIZE;
}

/* A guest address worth putting in a descriptor. */
static __u64 fuzz_gpa(struct fuzz *f, struct rng *r)
{
	switch (rnd(r, 5)) {
	case 0:
		return edge_u64(r);
	case 1:	/* straddles the region boundary */
		return GUEST_GPA_BASE + GUEST_REGION_SIZE - rnd(r, 64);
	case 2:	/* the rings themselves */
		return hva_to_gpa(f, f->dev.vq[rnd(r, 2)].desc) + rnd(r, 8192);
	default:
		return GUEST_GPA_BASE + rnd(r, GUEST_MEM_SIZE);
	}
}

static void split_reset(struct fuzz *f)
{
	unsigned int i;

	for (i = 0; i < 2; i++) {
		struct guest_vq *vq = &f->dev.vq[i];

		memset(vq->desc, 0, 16 * vq->num);
		memset(vq->avail, 0, 6 + 2 * vq->num);
		memset(vq->used, 0, 6 + 8 * vq->num);
		vq->avail_idx = 0;
		vq->kicked_idx = 0;
		vq->last_used = 0;
	}
	memset(f->tx_busy, 0, f->tx_slots);
	memset(f->rx_busy, 0, f->num);
}

static void split_reap(struct fuzz *f)
{
	struct guest_vq *tx = &f->dev.vq[VQ_TX], *rx = &f->dev.vq[VQ_RX];
	unsigned int n;
	__u32 id, len;

	/* A scribbled used idx may claim 65535 entries: stay bounded. */
	for (n = 0; n < tx->num && guest_vq_get_used(tx, &id, &len); n++) {
		if (!(id & 1) && id / 2 < f->tx_slots && f->tx_busy[id / 2]) {
			f->tx_busy[id / 2] = 0;
			f->tx_used++;
		}
	}
	for (n = 0; n < rx->num && guest_vq_get_used(rx, &id, &len); n++) {
		if (id < f->num && f->rx_busy[id]) {
			f->rx_busy[id] = 0;
			f->rx_used++;
		}
	}
	guest_eventfd_drain(tx->call);
	guest_eventfd_drain(rx->call);
	guest_eventfd_drain(tx->err);
	guest_eventfd_drain(rx->err);
}

static void split_post_tx(struct fuzz *f, struct rng *r, unsigned int s)
{
	struct guest_vq *vq = &f->dev.vq[VQ_TX];
	__u64 gpa = f->tx_data + (__u64)s * TX_SLOT_BYTES;
	struct frame_spec spec = { .dir = DIR_TX, .seq = f->tx_seq++ };
	static __u8 frame[TX_SLOT_BYTES];

	spec.len = one_in(r, 8) ? 14 + rnd(r, TX_SLOT_BYTES - HDR_BYTES - 13) :
				  60 + rnd(r, 1455);
	memset(frame, 0, HDR_BYTES);
	frame_fill(&spec, frame + HDR_BYTES);
	guest_write(&f->dev.mem, gpa, frame, HDR_BYTES + spec.len);
	if (one_in(r, 4)) {
		struct vring_desc ind[2] = {
			{ gpa, HDR_BYTES, VRING_DESC_F_NEXT, 1 },
			{ gpa + HDR_BYTES, spec.len, 0, 0 },
		};
		__u64 t = f->ind_table + (__u64)s * sizeof(ind);

		guest_write(&f->dev.mem, t, ind, sizeof(ind));
		guest_vq_set_desc(vq, 2 * s, t, sizeof(ind),
				  VRING_DESC_F_INDIRECT, 0);
	} else {
		guest_vq_set_desc(vq, 2 * s, gpa, HDR_BYTES, VRING_DESC_F_NEXT,
				  2 * s + 1);
		guest_vq_set_desc(vq, 2 * s + 1, gpa + HDR_BYTES, spec.len, 0, 0);
	}
	f->tx_busy[s] = 1;
	guest_vq_add(vq, 2 * s);
	f->tx_posted++;
}

static void split_post(struct fuzz *f, struct rng *r)
{
	struct guest_vq *rx = &f->dev.vq[VQ_RX];
	unsigned int i, s, n = 1 + rnd(r, 8);

	for (i = 0, s = rnd(r, f->tx_slots); i < f->tx_slots && n; i++) {
		s = (s + 1) % f->tx_slots;
		if (f->tx_busy[s])
			continue;
		split_post_tx(f, r, s);
		n--;
	}
	for (i = 0; i < f->num; i++) {
		if (f->rx_busy[i])
			continue;
		guest_vq_set_desc(rx, i, f->rx_data + (__u64)i * RX_SLOT_BYTES,
				  RX_SLOT_BYTES, VRING_DESC_F_WRITE, 0);
		f->rx_busy[i] = 1;
		guest_vq_add(rx, i);
		f->rx_posted++;
	}
	guest_vq_publish(&f->dev.vq[VQ_TX]);
	guest_vq_publish(rx);
}

/* A page of guest memory goes away or turns read-only for a moment. */
static void hostile_mprotect(struct fuzz *f, struct rng *r, bool ring)
{
	__u8 *p;

	if (ring)
		p = (__u8 *)f->dev.vq[rnd(r, 2)].used;
	else
		p = f->dev.mem.hva + rnd(r, GUEST_MEM_SIZE);
	p = (__u8 *)((uintptr_t)p & ~4095UL);
	if (mprotect(p, 4096, one_in(r, 2) ? PROT_NONE : PROT_READ))
		return;
	usleep(rnd(r, 2000));
	if (mprotect(p, 4096, PROT_READ | PROT_WRITE)) {
		fprintf(stderr, "# mprotect restore: %s\n", strerror(errno));
		abort();
	}
}

/* A random indirect table: mostly descriptors that look almost right. */
static __u32 hostile_table(struct fuzz *f, struct rng *r, bool write)
{
	struct vring_desc d[64];
	unsigned int i, n = 1 + rnd(r, 64);

	for (i = 0; i < n; i++) {
		d[i].addr = fuzz_gpa(f, r);
		d[i].len = one_in(r, 4) ? edge_u32(r) : rnd(r, 4096);
		d[i].flags = (write ? VRING_DESC_F_WRITE : 0) |
			     (i + 1 < n ? VRING_DESC_F_NEXT : 0);
		d[i].next = i + 1;
		if (one_in(r, 8))
			d[i].flags = rnd(r, 16);
		if (one_in(r, 8))
			d[i].next = one_in(r, 2) ? rnd(r, 64) : edge_u32(r);
	}
	guest_write(&f->dev.mem, f->scratch, d, n * sizeof(d[0]));
	switch (rnd(r, 4)) {
	case 0:
		return edge_u32(r);
	case 1:
		return n * sizeof(d[0]) + rnd(r, 16);
	default:
		return n * sizeof(d[0]);
	}
}

static void split_hostile(struct fuzz *f, struct rng *r)
{
	struct guest_vq *vq = &f->dev.vq[rnd(r, 2)];
	bool rx = vq->index == VQ_RX;
	__u16 wr = rx ? VRING_DESC_F_WRITE : 0;
	unsigned int i = rnd(r, vq->num), j;
	int kind = __atomic_load_n(&f->pattern, __ATOMIC_RELAXED);
	__u64 one = 1;

	f->hostile_ops++;
	switch (kind >= 0 ? kind : (int)rnd(r, HOSTILE_KINDS)) {
	case 0:	/* a garbage descriptor, made available */
		guest_vq_set_desc(vq, i, fuzz_gpa(f, r), edge_u32(r),
				  rnd(r, 1 << 16), edge_u32(r));
		guest_vq_add(vq, i);
		break;
	case 1:	/* a chain that loops back */
		j = rnd(r, vq->num);
		guest_vq_set_desc(vq, i, f->scratch, 64, VRING_DESC_F_NEXT | wr, j);
		guest_vq_set_desc(vq, j, f->scratch + 64, 64,
				  VRING_DESC_F_NEXT | wr, i);
		guest_vq_add(vq, i);
		break;
	case 2:	/* a bad indirect table */
		guest_vq_set_desc(vq, i, one_in(r, 8) ? fuzz_gpa(f, r) : f->scratch,
				  hostile_table(f, r, rx),
				  VRING_DESC_F_INDIRECT | (one_in(r, 4) ?
				  VRING_DESC_F_NEXT | VRING_DESC_F_WRITE : 0),
				  rnd(r, vq->num));
		guest_vq_add(vq, i);
		break;
	case 3:	/* the avail index jumps */
		__atomic_store_n(&vq->avail->idx, vq->avail_idx +
				 (one_in(r, 2) ? vq->num + rnd(r, 3) : edge_u32(r)),
				 __ATOMIC_RELEASE);
		if (write(vq->kick, &one, sizeof(one)) != sizeof(one))
			break;
		break;
	case 4:	/* an avail entry names no descriptor */
		vq->avail->ring[rnd(r, vq->num)] = one_in(r, 2) ?
			vq->num + rnd(r, 4) : (__u16)edge_u32(r);
		break;
	case 5:	/* the guest scribbles on the device's used ring */
		if (one_in(r, 2))
			vq->used->idx = edge_u32(r);
		else if (one_in(r, 2))
			vq->used->flags = rng_next(r);
		else
			vq->used->ring[i].id = edge_u32(r);
		break;
	case 6:	/* notification wishes: used_event, avail_event, flags */
		vq->avail->ring[vq->num] = rng_next(r);
		__atomic_store_n((__u16 *)&vq->used->ring[vq->num],
				 (__u16)rng_next(r), __ATOMIC_RELAXED);
		vq->avail->flags = rng_next(r);
		break;
	case 7:	/* a storm of kicks */
		for (j = 0; j < 64; j++)
			if (write(vq->kick, &one, sizeof(one)) != sizeof(one))
				break;
		break;
	case 8:
		hostile_mprotect(f, r, one_in(r, 2));
		break;
	case 9:	/* buffers lose their contents under the device */
		madvise(f->dev.mem.hva + (rnd(r, GUEST_MEM_SIZE) & ~4095UL),
			4096 * (1 + rnd(r, 16)), MADV_DONTNEED);
		break;
	case 10: /* every descriptor in one chain, two bytes across regions */
		for (j = 0; j < vq->num; j++)
			guest_vq_set_desc(vq, j, GUEST_GPA_BASE + GUEST_REGION_SIZE - 1,
					  2, VRING_DESC_F_NEXT | wr, (j + 1) % vq->num);
		vq->desc[(i + vq->num - 1) % vq->num].flags &= ~VRING_DESC_F_NEXT;
		guest_vq_add(vq, i);
		break;
	case 11: /* a buffer the device holds changes under it */
		vq->desc[i].len = edge_u32(r);
		vq->desc[i].flags ^= 1U << rnd(r, 3);
		break;
	default: /* readable RX / writable TX descriptors, zero lengths */
		guest_vq_set_desc(vq, i, fuzz_gpa(f, r), rnd(r, 3) ? rnd(r, 100) : 0,
				  wr ^ VRING_DESC_F_WRITE, 0);
		guest_vq_add(vq, i);
		break;
	}
	if (one_in(r, 2))
		guest_vq_publish(vq);
}

const struct guest_ring_ops split_ring_ops = {
	.name		= "split",
	.reset		= split_reset,
	.reap		= split_reap,
	.post		= split_post,
	.hostile	= split_hostile,
};

static void *guest_thread(void *arg)
{
	struct fuzz *f = arg;
	struct pollfd p[2];

	while (!__atomic_load_n(&f->stop, __ATOMIC_RELAXED)) {
		pthread_mutex_lock(&f->ring_lock);
		f->ring->reap(f);
		f->ring->post(f, &f->guest_rng);
		if (!__atomic_load_n(&f->calm, __ATOMIC_RELAXED) &&
		    one_in(&f->guest_rng, f->hostile_one_in))
			f->ring->hostile(f, &f->guest_rng);
		f->guest_steps++;
		p[0] = (struct pollfd){ .fd = f->dev.vq[0].call, .events = POLLIN };
		p[1] = (struct pollfd){ .fd = f->dev.vq[1].call, .events = POLLIN };
		pthread_mutex_unlock(&f->ring_lock);
		/* One pattern at full speed: only look at the calls. */
		poll(p, 2, __atomic_load_n(&f->pattern, __ATOMIC_RELAXED) >= 0 ?
		     0 : 2);
	}
	return NULL;
}

static void *host_thread(void *arg)
{
	struct fuzz *f = arg;
	struct rng *r = &f->host_rng;
	static __u8 buf[NET_HDR_LEN + 65536];
	struct frame_spec spec = { .dir = DIR_RX };
	unsigned int i, j, n;

	while (!__atomic_load_n(&f->stop, __ATOMIC_RELAXED)) {
		for (i = 0, n = 1 + rnd(r, 8); i < n; i++) {
			spec.seq++;
			spec.len = one_in(r, 16) ? 14 + rnd(r, 9000) :
						   60 + rnd(r, 1455);
			memset(buf, 0, NET_HDR_LEN);
			if (one_in(r, 32))
				for (j = 0; j < NET_HDR_LEN; j++)
					buf[j] = rng_next(r);
			frame_fill(&spec, buf + NET_HDR_LEN);
			if (send(f->tap.tx_sock, buf, NET_HDR_LEN + spec.len,
				 MSG_DONTWAIT) > 0)
				f->host_sent++;
		}
		for (i = 0; i < 64; i++) {
			if (recv(f->tap.rx_sock, buf, sizeof(buf),
				 MSG_DONTWAIT | MSG_TRUNC) < 0)
				break;
			f->host_recv++;
		}
		usleep(500 + rnd(r, 1500));
	}
	return NULL;
}

/* Guest memory layout beyond the rings; after guest_vq_init(). */
int fuzz_guest_init(struct fuzz *f)
{
	struct guest_mem *m = &f->dev.mem;

	f->tx_slots = f->num / 2;
	f->tx_data = guest_alloc(m, (size_t)f->tx_slots * TX_SLOT_BYTES, 4096);
	f->rx_data = guest_alloc(m, (size_t)f->num * RX_SLOT_BYTES, 4096);
	f->ind_table = guest_alloc(m, (size_t)f->tx_slots * 32, 16);
	f->scratch = guest_alloc(m, 64 * 16 + 128, 16);
	f->tx_busy = calloc(f->tx_slots, 1);
	f->rx_busy = calloc(f->num, 1);
	if (!f->tx_data || !f->rx_data || !f->ind_table || !f->scratch ||
	    !f->tx_busy || !f->rx_busy)
		return -ENOMEM;
	return 0;
}

int fuzz_threads_start(struct fuzz *f)
{
	int ret;

	ret = pthread_create(&f->guest_thread, NULL, guest_thread, f);
	if (ret)
		return -ret;
	ret = pthread_create(&f->host_thread, NULL, host_thread, f);
	if (ret) {
		__atomic_store_n(&f->stop, true, __ATOMIC_RELAXED);
		pthread_join(f->guest_thread, NULL);
		return -ret;
	}
	return 0;
}

void fuzz_threads_stop(struct fuzz *f)
{
	__atomic_store_n(&f->stop, true, __ATOMIC_RELAXED);
	pthread_join(f->guest_thread, NULL);
	pthread_join(f->host_thread, NULL);
}
