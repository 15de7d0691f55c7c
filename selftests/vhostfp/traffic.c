// SPDX-License-Identifier: GPL-2.0
/*
 * The traffic engine: one thread drives both directions, polling the
 * rings while there is work and sleeping on the call eventfds and the
 * packet socket when there is none.  A sleep that times out while a used
 * ring has advanced is a missed interrupt; one that times out with
 * nothing new is a stall.  Both fail the run, with the counters.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "traffic.h"

#define SLOTS_MAX	128
#define TX_SEGS_MAX	4	/* header + the frame in up to three pieces */
#define RX_BIG_SEGS	3	/* header, 2 KiB, the rest of 64 KiB */
#define RX_MRG_SIZE	4096

static int fail(struct traffic *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->err, sizeof(t->err), fmt, ap);
	va_end(ap);
	return -1;
}

void traffic_cfg_default(struct traffic_cfg *cfg, bool mrg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->tx_packets = env_ulong("VFP_PKTS", 2000);
	cfg->rx_packets = cfg->tx_packets;
	cfg->max_frame = env_ulong("VFP_MAX_FRAME", FRAME_MAX);
	if (cfg->max_frame < FRAME_MIN || cfg->max_frame > FRAME_MAX)
		cfg->max_frame = FRAME_MAX;
	/* A power of two from 2 to 4096: a lighter mix for long runs. */
	cfg->big_one_in = env_ulong("VFP_BIG_ONE_IN", 16);
	if (cfg->big_one_in < 2 || cfg->big_one_in > 4096 ||
	    cfg->big_one_in & (cfg->big_one_in - 1))
		cfg->big_one_in = 16;
	cfg->gso = true;
	cfg->mrg = mrg;
	cfg->hdr_len = mrg ? 12 : 10;
	cfg->window = 64;
	cfg->verify = true;
	cfg->tx_in_order = true;
	cfg->timeout_ms = env_ulong("VFP_TIMEOUT_MS", 30000);
}

static int slots_init(struct slot_ring *r, struct guest_mem *m,
		      struct guest_vq *vq, unsigned int stride,
		      unsigned int segs, size_t bufsize)
{
	unsigned int i;

	r->vq = vq;
	r->stride = stride;
	r->nslots = vq->num / stride;
	if (r->nslots > SLOTS_MAX)
		r->nslots = SLOTS_MAX;
	r->buf = calloc(r->nslots, sizeof(*r->buf));
	r->table = calloc(r->nslots, sizeof(*r->table));
	r->seq = calloc(r->nslots, sizeof(*r->seq));
	r->busy = calloc(r->nslots, 1);
	r->free = calloc(r->nslots, sizeof(*r->free));
	if (!r->buf || !r->table || !r->seq || !r->busy || !r->free)
		return -ENOMEM;
	r->size = bufsize;
	for (i = 0; i < r->nslots; i++) {
		/* Data areas may straddle a region boundary: on purpose. */
		r->buf[i] = guest_alloc(m, bufsize, 64);
		r->table[i] = guest_alloc_contig(m, segs * 16, 16);
		if (!r->buf[i] || !r->table[i])
			return -ENOMEM;
		r->free[r->nfree++] = r->nslots - 1 - i;
	}
	return 0;
}

static void slots_fini(struct slot_ring *r)
{
	free(r->buf);
	free(r->table);
	free(r->seq);
	free(r->busy);
	free(r->free);
	memset(r, 0, sizeof(*r));
}

/* Write a chain for @slot, in the ring or in its indirect table. */
static void post_chain(struct traffic *t, struct slot_ring *r,
		       unsigned int slot, const __u64 *gpa,
		       const __u32 *len, unsigned int n, __u16 flags)
{
	__u16 head = slot * r->stride;
	unsigned int i;

	for (i = 0; i < n; i++) {
		__u16 f = flags | (i + 1 < n ? VRING_DESC_F_NEXT : 0);

		if (t->cfg.indirect) {
			guest_vq_write_table(r->vq, &t->dev->mem,
					     r->table[slot], i, gpa[i], len[i],
					     f);
		} else {
			guest_vq_set_desc(r->vq, head + i, gpa[i], len[i], f,
					  head + i + 1);
		}
	}
	if (t->cfg.indirect)
		guest_vq_set_desc(r->vq, head, r->table[slot], 16 * n,
				  VRING_DESC_F_INDIRECT, 0);
	r->busy[slot] = 1;
	guest_vq_add(r->vq, head);
}

/* The slot behind a used id, or -1 when the device returned garbage. */
static int used_slot(struct slot_ring *r, __u32 id)
{
	unsigned int slot = id / r->stride;

	if (id % r->stride || slot >= r->nslots || !r->busy[slot])
		return -1;
	r->busy[slot] = 0;
	r->free[r->nfree++] = slot;
	return slot;
}

/* Queue frame tx_sent: header, then the frame cut in 1..3 pieces. */
static void tx_post_one(struct traffic *t)
{
	struct slot_ring *r = &t->tx;
	unsigned int slot = r->free[--r->nfree], n = 0, pieces, i;
	__u64 gpa[TX_SEGS_MAX], buf = r->buf[slot];
	__u32 len[TX_SEGS_MAX], off = 0;
	struct virtio_net_hdr h = {};
	struct frame_spec f;

	frame_spec(&t->cfg, DIR_TX, t->tx_sent, &f);
	frame_fill(&f, t->frame);
	frame_net_hdr(&f, &h);
	guest_write(&t->dev->mem, buf, &h, sizeof(h));
	if (t->cfg.hdr_len > sizeof(h))	/* num_buffers: unused on TX */
		guest_write(&t->dev->mem, buf + sizeof(h), "\0", 2);
	guest_write(&t->dev->mem, buf + t->cfg.hdr_len, t->frame, f.len);
	pieces = 1 + f.seq % 3;
	if (pieces > f.len)
		pieces = f.len;
	gpa[n] = buf;
	len[n++] = t->cfg.hdr_len;
	for (i = 0; i < pieces; i++) {
		__u32 cut = f.len / pieces * (i + 1);

		/* Cuts off the even grid, but never before the last one. */
		if (i + 1 == pieces)
			cut = f.len;
		else if (f.len / pieces > 7)
			cut -= f.seq % 7;

		gpa[n] = buf + t->cfg.hdr_len + off;
		len[n++] = cut - off;
		off = cut;
	}
	/* With ANY_LAYOUT, sometimes header and data in one descriptor. */
	if (t->cfg.any_layout && f.seq % 4 == 1) {
		len[1] += len[0];
		gpa[1] = gpa[0];
		post_chain(t, r, slot, gpa + 1, len + 1, n - 1, 0);
	} else {
		post_chain(t, r, slot, gpa, len, n, 0);
	}
	r->seq[slot] = f.seq;
	t->tx_sent++;
}

static void rx_post_one(struct traffic *t)
{
	struct slot_ring *r = &t->rx;
	unsigned int slot = r->free[--r->nfree];
	__u64 gpa[RX_BIG_SEGS], buf = r->buf[slot];
	__u32 len[RX_BIG_SEGS];

	if (t->cfg.mrg && t->cfg.indirect) {
		gpa[0] = buf;
		len[0] = 1000;
		gpa[1] = buf + 1000;
		len[1] = RX_MRG_SIZE - 1000;
		post_chain(t, r, slot, gpa, len, 2, VRING_DESC_F_WRITE);
	} else if (t->cfg.mrg) {
		gpa[0] = buf;
		len[0] = RX_MRG_SIZE;
		post_chain(t, r, slot, gpa, len, 1, VRING_DESC_F_WRITE);
	} else {
		gpa[0] = buf;
		len[0] = t->cfg.hdr_len;
		gpa[1] = buf + len[0];
		len[1] = 2048;
		gpa[2] = gpa[1] + len[1];
		len[2] = r->size - len[0] - len[1];
		post_chain(t, r, slot, gpa, len, 3, VRING_DESC_F_WRITE);
	}
}

static bool guest_tx_fill(struct traffic *t)
{
	bool progress = false;

	while (t->tx_sent < t->cfg.tx_packets && t->tx.nfree &&
	       t->tx_sent - t->tx_seen < t->cfg.window) {
		tx_post_one(t);
		progress = true;
	}
	if (progress)
		guest_vq_publish(t->tx.vq);
	return progress;
}

static int guest_tx_reap(struct traffic *t, bool *progress)
{
	__u32 id, len;
	int slot;

	while (guest_vq_get_used(t->tx.vq, &id, &len)) {
		slot = used_slot(&t->tx, id);
		if (slot < 0)
			return fail(t, "TX used id %u is not an outstanding head",
				    id);
		if (t->tx.seq[slot] != t->tx_used)
			t->tx_reordered++;
		if (t->cfg.tx_in_order && t->tx.seq[slot] != t->tx_used)
			return fail(t, "TX used seq %u, want %lu in order",
				    t->tx.seq[slot], t->tx_used);
		t->tx_used++;
		*progress = true;
	}
	return 0;
}

/* Frames the guest sent, as the tap's netdev received them. */
static int host_rx_drain(struct traffic *t, bool *progress)
{
	__u8 *buf = t->frame;
	struct virtio_net_hdr *h = (void *)buf;
	struct frame_spec f;
	__u32 seq;
	__u8 dir;
	ssize_t n;

	while ((n = recv(t->tap->rx_sock, buf, NET_HDR_LEN + FRAME_MAX + 1,
			 MSG_TRUNC)) > 0) {
		if (n < NET_HDR_LEN ||
		    !frame_parse_id(buf + NET_HDR_LEN, n - NET_HDR_LEN, &dir,
				    &seq) || dir != DIR_TX) {
			t->stray++;
			continue;
		}
		if (seq != t->tx_seen)
			return fail(t, "host got TX seq %u, want %lu (%s)", seq,
				    t->tx_seen, seq < t->tx_seen ?
				    "duplicate or reordered" : "lost frames");
		frame_spec(&t->cfg, DIR_TX, seq, &f);
		if (t->cfg.verify &&
		    (frame_check_hdr(&f, h, t->err, sizeof(t->err)) ||
		     frame_check(&f, buf + NET_HDR_LEN, n - NET_HDR_LEN,
				 t->expect, t->err, sizeof(t->err))))
			return -1;
		t->tx_seen++;
		*progress = true;
	}
	if (n < 0 && errno != EAGAIN)
		return fail(t, "recv on the tap's netdev: %s", strerror(errno));
	return 0;
}

static int host_tx_send(struct traffic *t, bool *progress)
{
	struct virtio_net_hdr *h = (void *)t->frame;
	struct frame_spec f;
	ssize_t n;

	t->send_blocked = false;
	while (t->rx_sent < t->cfg.rx_packets &&
	       t->rx_sent - t->rx_recv < t->cfg.window) {
		frame_spec(&t->cfg, DIR_RX, t->rx_sent, &f);
		frame_net_hdr(&f, h);
		frame_fill(&f, t->frame + NET_HDR_LEN);
		n = send(t->tap->tx_sock, t->frame, NET_HDR_LEN + f.len, 0);
		if (n < 0 && (errno == EAGAIN || errno == ENOBUFS)) {
			t->send_blocked = true;
			break;
		}
		if (n != NET_HDR_LEN + f.len)
			return fail(t, "send seq %u len %u to the tap: %s",
				    f.seq, f.len, n < 0 ? strerror(errno) :
				    "short");
		t->rx_sent++;
		*progress = true;
	}
	return 0;
}

/* Copy what the device wrote into an RX slot onto the frame being built. */
static int rx_gather(struct traffic *t, unsigned int slot, __u32 len)
{
	if (len > t->rx.size || t->asm_len + len > t->cfg.hdr_len + FRAME_MAX)
		return fail(t, "RX used len %u too big (slot holds %u)", len,
			    t->rx.size);
	/* Each slot's segments are back to back in guest memory. */
	guest_read(&t->dev->mem, t->rx.buf[slot], t->asm_buf + t->asm_len, len);
	t->asm_len += len;
	return 0;
}

static int rx_check_frame(struct traffic *t)
{
	struct virtio_net_hdr h;
	struct frame_spec f;
	__u32 seq;
	__u8 dir;
	size_t flen = t->asm_len - t->cfg.hdr_len;
	__u8 *p = t->asm_buf + t->cfg.hdr_len;

	if (!frame_parse_id(p, flen, &dir, &seq) || dir != DIR_RX) {
		t->stray++;
		return 0;
	}
	if (seq != t->rx_recv)
		return fail(t, "guest got RX seq %u, want %lu (%s)", seq,
			    t->rx_recv, seq < t->rx_recv ?
			    "duplicate or reordered" : "lost frames");
	frame_spec(&t->cfg, DIR_RX, seq, &f);
	memcpy(&h, t->asm_buf, sizeof(h));
	if (t->cfg.verify &&
	    (frame_check_hdr(&f, &h, t->err, sizeof(t->err)) ||
	     frame_check(&f, p, flen, t->expect, t->err, sizeof(t->err))))
		return -1;
	t->rx_recv++;
	return 0;
}

static int guest_rx_reap(struct traffic *t, bool *progress)
{
	__u32 id, len;
	__u16 nbufs;
	int slot;

	while (guest_vq_get_used(t->rx.vq, &id, &len)) {
		*progress = true;
		slot = used_slot(&t->rx, id);
		if (slot < 0)
			return fail(t, "RX used id %u is not an outstanding head",
				    id);
		if (!t->asm_left && len < t->cfg.hdr_len)
			return fail(t, "RX used len %u < header", len);
		if (rx_gather(t, slot, len))
			return -1;
		rx_post_one(t);
		if (!t->asm_left) {
			memcpy(&nbufs, t->asm_buf + 10, 2);
			t->asm_left = t->cfg.mrg ? nbufs : 1;
			if (!t->asm_left)
				return fail(t, "RX num_buffers 0");
		}
		if (--t->asm_left)
			continue;
		if (rx_check_frame(t))
			return -1;
		t->asm_len = 0;
	}
	if (*progress)
		guest_vq_publish(t->rx.vq);
	return 0;
}

static bool traffic_done(struct traffic *t)
{
	return t->tx_used == t->cfg.tx_packets &&
	       t->tx_seen == t->cfg.tx_packets &&
	       t->rx_recv == t->cfg.rx_packets;
}

static int traffic_step(struct traffic *t, bool *progress)
{
	*progress = guest_tx_fill(t);
	if (guest_tx_reap(t, progress) || host_rx_drain(t, progress) ||
	    host_tx_send(t, progress) || guest_rx_reap(t, progress))
		return -1;
	return 0;
}

static int traffic_stalled(struct traffic *t)
{
	const char *what = "no progress";

	if (guest_vq_has_used(t->tx.vq))
		what = "TX used ring advanced without a call";
	else if (guest_vq_has_used(t->rx.vq))
		what = "RX used ring advanced without a call";
	return fail(t, "%s for %d ms: TX sent %lu used %lu seen %lu; RX sent %lu got %lu",
		    what, t->cfg.timeout_ms, t->tx_sent, t->tx_used, t->tx_seen,
		    t->rx_sent, t->rx_recv);
}

/* Returns 0 when every frame went through intact, else -1 and t->err. */
int traffic_run(struct traffic *t)
{
	struct pollfd pfd[5];
	bool progress;
	int n;

	while (!traffic_done(t)) {
		if (t->cfg.stop && __atomic_load_n(t->cfg.stop, __ATOMIC_RELAXED))
			return 0;
		if (traffic_step(t, &progress))
			return -1;
		if (progress)
			continue;
		if (guest_vq_enable_cb(t->tx.vq) | guest_vq_enable_cb(t->rx.vq))
			continue;
		pfd[0] = (struct pollfd){ .fd = t->tx.vq->call, .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = t->rx.vq->call, .events = POLLIN };
		pfd[2] = (struct pollfd){ .fd = t->tap->rx_sock, .events = POLLIN };
		if (t->send_blocked)
			pfd[2] = (struct pollfd){ .fd = t->tap->tx_sock,
						  .events = POLLOUT };
		pfd[3] = (struct pollfd){ .fd = t->tx.vq->err, .events = POLLIN };
		pfd[4] = (struct pollfd){ .fd = t->rx.vq->err, .events = POLLIN };
		n = poll(pfd, 5, t->cfg.stop ? 200 : t->cfg.timeout_ms);
		if (n > 0 && (pfd[3].revents | pfd[4].revents))
			return fail(t, "device reported a guest error on %s (TX sent %lu, RX %lu)",
				    pfd[3].revents ? "TX" : "RX", t->tx_sent,
				    t->rx_recv);
		guest_vq_disable_cb(t->tx.vq);
		guest_vq_disable_cb(t->rx.vq);
		if (n < 0 && errno != EINTR)
			return fail(t, "poll: %s", strerror(errno));
		if (n == 0 && !t->cfg.stop)
			return traffic_stalled(t);
		guest_eventfd_drain(t->tx.vq->call);
		guest_eventfd_drain(t->rx.vq->call);
	}
	return 0;
}

int traffic_init(struct traffic *t, struct guest_dev *d, struct guest_tap *tap,
		 const struct traffic_cfg *cfg)
{
	unsigned int i, tx_stride = cfg->indirect ? 1 : TX_SEGS_MAX;
	unsigned int rx_stride = cfg->indirect || cfg->mrg ? 1 : RX_BIG_SEGS;
	size_t rx_size = cfg->mrg ? RX_MRG_SIZE : cfg->hdr_len + 65536;
	int ret;

	memset(t, 0, sizeof(*t));
	t->cfg = *cfg;
	t->dev = d;
	t->tap = tap;
	t->frame = malloc(NET_HDR_LEN + FRAME_MAX + 64);
	t->expect = malloc(FRAME_MAX + 64);
	t->asm_buf = malloc(cfg->hdr_len + FRAME_MAX + RX_MRG_SIZE);
	if (!t->frame || !t->expect || !t->asm_buf)
		return -ENOMEM;
	ret = slots_init(&t->tx, &d->mem, &d->vq[VQ_TX], tx_stride,
			 TX_SEGS_MAX, cfg->hdr_len + 65536);
	if (!ret)
		ret = slots_init(&t->rx, &d->mem, &d->vq[VQ_RX], rx_stride,
				 RX_BIG_SEGS, rx_size);
	if (ret)
		return ret;
	guest_vq_disable_cb(t->tx.vq);
	guest_vq_disable_cb(t->rx.vq);
	for (i = t->rx.nfree; i; i--)
		rx_post_one(t);
	guest_vq_publish(t->rx.vq);
	return 0;
}

void traffic_fini(struct traffic *t)
{
	slots_fini(&t->tx);
	slots_fini(&t->rx);
	free(t->frame);
	free(t->expect);
	free(t->asm_buf);
	t->frame = NULL;
	t->expect = NULL;
	t->asm_buf = NULL;
}
