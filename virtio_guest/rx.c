// SPDX-License-Identifier: GPL-2.0
/*
 * Receive path: keeping the receive queues stocked with buffers and turning
 * what the device returns into skbs (or XDP verdicts).
 *
 * Two buffer layouts, fixed at probe:
 *
 * - mergeable (MRG_RXBUF): each buffer is a slice of a page_frag page with
 *   one page reference. The device spreads a packet over num_buffers of
 *   them. The context pointer of each buffer records its truesize and the
 *   headroom left in front of it, so that buffers posted before and after
 *   an XDP program was attached can coexist in the ring.
 *
 * - page chains: a struct vgn_rx_pages lists enough order-0 pages for the
 *   largest packet the device may send (one page unless guest GSO or a big
 *   device MTU: vgn_rx_size_chains()). The first page always keeps XDP
 *   headroom in front and room for skb_shared_info behind.
 *
 * Everything here runs in the queue's NAPI, or with that NAPI disabled.
 */
#include <linux/etherdevice.h>
#include <linux/if_vlan.h>
#include <linux/virtio_config.h>
#include "virtio_guest.h"

/* Packets up to this size are copied whole into the skb's linear area. */
#define VGN_RX_COPY		256
/* Unused chain pages kept per queue: those of one full NAPI poll. */
#define VGN_RX_SPARE_MAX	(NAPI_POLL_WEIGHT * MAX_SKB_FRAGS)
/* Mergeable context: headroom above this shift, truesize below it. */
#define VGN_CTX_SHIFT		22

/* A page chain buffer; its address is the token given to the device. */
struct vgn_rx_pages {
	unsigned int count;		/* pages in the chain */
	struct page *page[];		/* one reference each */
};

/* Counters of one NAPI poll, folded into the queue's stats at the end. */
struct vgn_rx_batch {
	u64 packets, bytes, drops, length_errors;
	u64 xdp_packets, xdp_pass, xdp_drop, xdp_tx, xdp_redirect;
	bool xdp_flush;			/* xdp_do_redirect() was called */
	bool xdp_kick;			/* XDP_TX queued frames */
};

/* Bytes of data the first page of a chain holds, header included. */
#define VGN_PAGE0_LEN	(PAGE_SIZE - VGN_XDP_HEADROOM - VGN_SHINFO_ROOM)

static void *vgn_ctx_make(unsigned int truesize, unsigned int headroom)
{
	return (void *)(unsigned long)((headroom << VGN_CTX_SHIFT) | truesize);
}

static unsigned int vgn_ctx_truesize(void *ctx)
{
	return (unsigned long)ctx & ((1UL << VGN_CTX_SHIFT) - 1);
}

static unsigned int vgn_ctx_headroom(void *ctx)
{
	return (unsigned long)ctx >> VGN_CTX_SHIFT;
}

/* Bytes the device may write into a mergeable buffer. */
static unsigned int vgn_ctx_len(void *ctx)
{
	unsigned int headroom = vgn_ctx_headroom(ctx);

	return vgn_ctx_truesize(ctx) - headroom -
	       (headroom ? VGN_SHINFO_ROOM : 0);
}

static int vgn_rx_add_mergeable(struct vgn_rq *rq, gfp_t gfp)
{
	struct vgn_priv *vi = rq->vi;
	struct page_frag *frag = &rq->frag;
	unsigned int headroom = 0, room = 0, len = VGN_MRG_BUF_LEN;
	unsigned int truesize, hole;
	char *buf;
	int err;

	if (READ_ONCE(vi->xdp_enabled)) {
		/* One buffer per packet, laid out for an xdp_frame. */
		headroom = VGN_XDP_HEADROOM;
		room = VGN_SHINFO_ROOM;
		len = SKB_DATA_ALIGN(vi->hdr_len + ETH_HLEN + VLAN_HLEN +
				     READ_ONCE(vi->dev->mtu));
	}
	truesize = headroom + len + room;
	if (unlikely(!skb_page_frag_refill(truesize, frag, gfp)))
		return -ENOMEM;

	buf = page_address(frag->page) + frag->offset;
	get_page(frag->page);
	frag->offset += truesize;
	/* A tail too short for another buffer goes to this one. */
	hole = frag->size - frag->offset;
	if (hole < truesize) {
		len += hole;
		truesize += hole;
		frag->offset += hole;
	}

	sg_init_one(rq->sg, buf + headroom, len);
	err = virtqueue_add_inbuf_ctx(rq->vq, rq->sg, 1, buf + headroom,
				      vgn_ctx_make(truesize, headroom), gfp);
	if (err)
		put_page(virt_to_head_page(buf));
	return err;
}

/**
 * vgn_rx_size_chains - size page chain buffers, and cap the MTU to them
 * @vi: the device, features applied and config read (max_mtu)
 *
 * Chains are sized once, at probe, for the largest packet the device may
 * send: 64 KiB with guest GSO; else the device's MTU (the MTU feature,
 * which is max_mtu); else one page, and max_mtu is capped at what that
 * page holds, as much as an XDP program allows (3490 with 4 KiB pages).
 * Never for the current MTU: nothing takes posted buffers back from a
 * device but a reset, and a packet too big for the buffer at the head of
 * the ring is dropped without consuming it, so an MTU increase would
 * starve a ring of smaller chains. virtio_net sizes its buffers the same
 * way, but leaves the MTU uncapped (bigger frames are then dropped).
 */
void vgn_rx_size_chains(struct vgn_priv *vi)
{
	struct net_device *dev = vi->dev;
	unsigned int need;

	if (vi->mergeable)
		return;
	if (vi->guest_gso) {
		need = vi->hdr_len + VGN_GSO_MAX_LEN;
	} else if (virtio_has_feature(vi->vdev, VIRTIO_NET_F_MTU)) {
		need = vi->hdr_len + ETH_HLEN + VLAN_HLEN + dev->max_mtu;
	} else {
		/* What one page holds is what an XDP program allows. */
		dev->max_mtu = vgn_xdp_max_mtu(vi);
		need = VGN_PAGE0_LEN;
	}
	if (need <= VGN_PAGE0_LEN)
		vi->big_pages = 1;
	else
		vi->big_pages = min_t(unsigned int, MAX_SKB_FRAGS,
				      1 + DIV_ROUND_UP(need - VGN_PAGE0_LEN,
						       PAGE_SIZE));
}

/* A page for a chain: recycled from an earlier packet if possible. */
static struct page *vgn_rx_page_get(struct vgn_rq *rq, gfp_t gfp)
{
	struct page *page;

	page = list_first_entry_or_null(&rq->spare, struct page, lru);
	if (!page)
		return alloc_page(gfp);
	list_del(&page->lru);
	rq->nspare--;
	return page;
}

/*
 * A page a packet did not need: keep it for the next chain. The pages
 * circulate between the ring and this list, so it holds at most what
 * one poll's worth of packets left unused.
 */
static void vgn_rx_page_put(struct vgn_rq *rq, struct page *page)
{
	if (rq->nspare < VGN_RX_SPARE_MAX && page_ref_count(page) == 1) {
		list_add(&page->lru, &rq->spare);
		rq->nspare++;
	} else {
		put_page(page);
	}
}

/* Release the recycled pages; the queue is stopped. */
void vgn_rx_spare_free(struct vgn_rq *rq)
{
	struct page *page, *tmp;

	list_for_each_entry_safe(page, tmp, &rq->spare, lru) {
		list_del(&page->lru);
		put_page(page);
	}
	rq->nspare = 0;
}

/* Free a chain from page @from on; unused pages are kept for reuse. */
static void vgn_rx_pages_free(struct vgn_rq *rq, struct vgn_rx_pages *pp,
			      unsigned int from)
{
	unsigned int i;

	for (i = from; i < pp->count; i++)
		vgn_rx_page_put(rq, pp->page[i]);
	kfree(pp);
}

static int vgn_rx_add_pages(struct vgn_rq *rq, gfp_t gfp)
{
	unsigned int count = rq->vi->big_pages, i;
	struct vgn_rx_pages *pp;
	int err;

	pp = kmalloc(struct_size(pp, page, count), gfp);
	if (unlikely(!pp))
		return -ENOMEM;
	for (i = 0; i < count; i++) {
		pp->page[i] = vgn_rx_page_get(rq, gfp);
		if (unlikely(!pp->page[i])) {
			pp->count = i;
			vgn_rx_pages_free(rq, pp, 0);
			return -ENOMEM;
		}
	}
	pp->count = count;

	sg_init_table(rq->sg, count);
	sg_set_page(&rq->sg[0], pp->page[0], VGN_PAGE0_LEN, VGN_XDP_HEADROOM);
	for (i = 1; i < count; i++)
		sg_set_page(&rq->sg[i], pp->page[i], PAGE_SIZE, 0);
	err = virtqueue_add_inbuf(rq->vq, rq->sg, count, pp, gfp);
	if (err)
		vgn_rx_pages_free(rq, pp, 0);
	return err;
}

/**
 * vgn_rx_refill - fill a receive queue and notify the device
 * @rq: the queue; its NAPI is running us or is disabled
 * @gfp: allocation context
 *
 * Return: false when memory ran out before the ring was full.
 */
bool vgn_rx_refill(struct vgn_rq *rq, gfp_t gfp)
{
	int err = 0;

	while (rq->vq->num_free) {
		if (rq->vi->mergeable)
			err = vgn_rx_add_mergeable(rq, gfp);
		else
			err = vgn_rx_add_pages(rq, gfp);
		if (err)
			break;
	}

	if (virtqueue_kick_prepare(rq->vq) && virtqueue_notify(rq->vq)) {
		u64_stats_update_begin(&rq->stats.syncp);
		u64_stats_inc(&rq->stats.kicks);
		u64_stats_update_end(&rq->stats.syncp);
	}
	return err != -ENOMEM;
}

/* Called from process context when a refill ran out of memory. */
void vgn_rx_refill_work(struct work_struct *work)
{
	struct vgn_priv *vi = container_of(work, struct vgn_priv,
					   refill_work.work);
	unsigned int i;

	/* NAPI retries the refill; a disabled NAPI ignores the call. */
	local_bh_disable();
	for (i = 0; i < READ_ONCE(vi->curr_pairs); i++)
		napi_schedule(&vi->rq[i].napi);
	local_bh_enable();
}

/* Device reset: no buffer will come back by itself any more. */
void vgn_rx_free_unused(struct vgn_rq *rq)
{
	void *buf;

	while ((buf = virtqueue_detach_unused_buf(rq->vq))) {
		if (rq->vi->mergeable)
			put_page(virt_to_head_page(buf));
		else
			vgn_rx_pages_free(rq, buf, 0);
	}
}

/*
 * An skb holding the start of a packet: small packets are copied whole,
 * larger ones get their headers copied and the rest attached as a page
 * fragment. Consumes the caller's reference on @page.
 */
static struct sk_buff *vgn_rx_head_skb(struct vgn_rq *rq, struct page *page,
				       unsigned int off, unsigned int len,
				       unsigned int truesize)
{
	void *p = page_address(page) + off;
	unsigned int copy = len;
	struct sk_buff *skb;

	skb = napi_alloc_skb(&rq->napi, VGN_RX_COPY);
	if (unlikely(!skb)) {
		put_page(page);
		return NULL;
	}
	if (len > VGN_RX_COPY)
		copy = eth_get_headlen(rq->vi->dev, p, VGN_RX_COPY);
	skb_put_data(skb, p, copy);
	if (len > copy)
		skb_add_rx_frag(skb, 0, page, off + copy, len - copy, truesize);
	else
		put_page(page);
	return skb;
}

/*
 * Append a buffer to a packet. Contiguous slices of one page merge into a
 * single fragment; a full skb continues in a frag_list skb (@tail).
 */
static bool vgn_rx_append(struct sk_buff *head, struct sk_buff **tail,
			  struct page *page, unsigned int off,
			  unsigned int len, unsigned int truesize)
{
	struct sk_buff *skb = *tail;
	int n = skb_shinfo(skb)->nr_frags;
	skb_frag_t *last;

	if (n) {
		last = &skb_shinfo(skb)->frags[n - 1];
		if (skb_frag_page(last) == page &&
		    skb_frag_off(last) + skb_frag_size(last) == off) {
			skb_coalesce_rx_frag(skb, n - 1, len, truesize);
			put_page(page);
			goto account;
		}
	}
	if (n == MAX_SKB_FRAGS) {
		skb = alloc_skb(0, GFP_ATOMIC);
		if (unlikely(!skb))
			return false;
		if (*tail == head)
			skb_shinfo(head)->frag_list = skb;
		else
			(*tail)->next = skb;
		*tail = skb;
		n = 0;
	}
	skb_add_rx_frag(skb, n, page, off, len, truesize);
account:
	if (skb != head) {
		head->len += len;
		head->data_len += len;
		head->truesize += truesize;
	}
	return true;
}

/* Give back @n buffers of a packet we are dropping. */
static void vgn_rx_drain(struct vgn_rq *rq, unsigned int n,
			 struct vgn_rx_batch *b)
{
	unsigned int len;
	void *buf, *ctx;

	while (n--) {
		buf = virtqueue_get_buf_ctx(rq->vq, &len, &ctx);
		if (!buf) {
			b->length_errors++;
			return;
		}
		put_page(virt_to_head_page(buf));
	}
}

/* The rest (buffers 2..@num) of a mergeable packet started in @head. */
static bool vgn_rx_mergeable_tail(struct vgn_rq *rq, struct sk_buff *head,
				  unsigned int num, struct vgn_rx_batch *b)
{
	struct sk_buff *tail = head;
	unsigned int len;
	struct page *page;
	void *buf, *ctx;

	while (--num) {
		buf = virtqueue_get_buf_ctx(rq->vq, &len, &ctx);
		if (unlikely(!buf)) {
			b->length_errors++;
			return false;
		}
		page = virt_to_head_page(buf);
		if (unlikely(len > vgn_ctx_len(ctx))) {
			put_page(page);
			b->length_errors++;
			vgn_rx_drain(rq, num - 1, b);
			return false;
		}
		if (unlikely(!vgn_rx_append(head, &tail, page,
					    (char *)buf - (char *)page_address(page),
					    len, vgn_ctx_truesize(ctx)))) {
			put_page(page);
			vgn_rx_drain(rq, num - 1, b);
			return false;
		}
	}
	return true;
}

/* Hand a finished skb to the stack, honouring the virtio-net header. */
static void vgn_rx_deliver(struct vgn_rq *rq, struct sk_buff *skb,
			   const struct virtio_net_hdr *hdr,
			   struct vgn_rx_batch *b)
{
	struct vgn_priv *vi = rq->vi;

	if (hdr->flags & VIRTIO_NET_HDR_F_DATA_VALID)
		skb->ip_summed = CHECKSUM_UNNECESSARY;
	if (unlikely(virtio_net_hdr_to_skb(skb, hdr,
					   virtio_is_little_endian(vi->vdev)))) {
		net_dbg_ratelimited("%s: bad gso/csum header\n",
				    vi->dev->name);
		b->length_errors++;
		b->drops++;
		dev_kfree_skb_any(skb);
		return;
	}
	b->packets++;
	b->bytes += skb->len;
	skb_record_rx_queue(skb, rq->index);
	skb->protocol = eth_type_trans(skb, vi->dev);
	napi_gro_receive(&rq->napi, skb);
}

/* Copy a packet spread over buffers into one page laid out for XDP. */
static struct page *vgn_rx_linearize(struct vgn_rq *rq, void *buf,
				     unsigned int len, unsigned int num,
				     unsigned int *total, struct vgn_rx_batch *b)
{
	unsigned int off = VGN_XDP_HEADROOM, max = VGN_PAGE0_LEN;
	struct page *page = alloc_page(GFP_ATOMIC);
	void *ctx;

	for (;;) {
		if (page && off + len <= VGN_XDP_HEADROOM + max)
			memcpy(page_address(page) + off, buf, len);
		else if (page)
			max = 0;	/* too big: drop once all is drained */
		off += len;
		put_page(virt_to_head_page(buf));
		if (!--num)
			break;
		buf = virtqueue_get_buf_ctx(rq->vq, &len, &ctx);
		if (unlikely(!buf || len > vgn_ctx_len(ctx))) {
			b->length_errors++;
			if (buf)
				put_page(virt_to_head_page(buf));
			vgn_rx_drain(rq, buf ? num - 1 : 0, b);
			max = 0;
			break;
		}
	}
	if (page && !max) {
		put_page(page);
		page = NULL;
	}
	*total = off - VGN_XDP_HEADROOM;
	return page;
}

/*
 * Run the XDP program on a packet laid out in one buffer of @frame_sz
 * bytes at @start, its virtio header @headroom bytes in. Return the skb
 * to deliver on XDP_PASS; NULL when the buffer was sent on or freed.
 */
static struct sk_buff *vgn_rx_xdp(struct vgn_rq *rq, struct bpf_prog *prog,
				  void *start, unsigned int headroom,
				  unsigned int len, unsigned int frame_sz,
				  struct vgn_rx_batch *b)
{
	struct page *page = virt_to_head_page(start);
	unsigned int hdr_len = rq->vi->hdr_len;
	struct xdp_buff xdp;
	unsigned int flags = 0;
	u32 act;

	xdp_init_buff(&xdp, frame_sz, &rq->xdp_rxq);
	xdp_prepare_buff(&xdp, start, headroom + hdr_len, len - hdr_len, false);
	act = vgn_xdp_run(rq, prog, &xdp, &flags);
	b->xdp_packets++;
	b->xdp_flush |= flags & VGN_XDP_FLUSH;
	b->xdp_kick |= flags & VGN_XDP_KICK;
	switch (act) {
	case XDP_PASS:
		b->xdp_pass++;
		return vgn_rx_head_skb(rq, page,
				       (char *)xdp.data - (char *)page_address(page),
				       xdp.data_end - xdp.data, frame_sz);
	case XDP_TX:
		b->xdp_tx++;
		b->packets++;
		b->bytes += len - hdr_len;
		return NULL;
	case XDP_REDIRECT:
		b->xdp_redirect++;
		b->packets++;
		b->bytes += len - hdr_len;
		return NULL;
	default:
		b->xdp_drop++;
		put_page(page);
		return NULL;
	}
}

/* A mergeable packet while an XDP program is attached. */
static struct sk_buff *vgn_rx_mergeable_xdp(struct vgn_rq *rq,
					    struct bpf_prog *prog, void *buf,
					    unsigned int len, void *ctx,
					    unsigned int num,
					    struct vgn_rx_batch *b)
{
	unsigned int headroom = vgn_ctx_headroom(ctx);
	unsigned int frame_sz = vgn_ctx_truesize(ctx);
	struct page *page;
	void *start;

	if (num == 1 && headroom >= VGN_XDP_HEADROOM) {
		start = (char *)buf - headroom;
	} else {
		/* Posted before XDP, or spread out: make it one page. */
		page = vgn_rx_linearize(rq, buf, len, num, &len, b);
		if (!page)
			return NULL;
		start = page_address(page);
		headroom = VGN_XDP_HEADROOM;
		frame_sz = PAGE_SIZE;
	}
	return vgn_rx_xdp(rq, prog, start, headroom, len, frame_sz, b);
}

static void vgn_rx_mergeable(struct vgn_rq *rq, struct bpf_prog *prog,
			     void *buf, unsigned int len, void *ctx,
			     struct vgn_rx_batch *b)
{
	struct virtio_net_hdr_mrg_rxbuf hdr;
	struct page *page = virt_to_head_page(buf);
	unsigned int hdr_len = rq->vi->hdr_len;
	struct sk_buff *skb;
	unsigned int num;

	if (unlikely(len < hdr_len || len > vgn_ctx_len(ctx))) {
		b->length_errors++;
		b->drops++;
		put_page(page);
		return;
	}
	memcpy(&hdr, buf, sizeof(hdr));
	num = virtio16_to_cpu(rq->vi->vdev, hdr.num_buffers);
	if (unlikely(!num || len < hdr_len + ETH_HLEN)) {
		b->length_errors++;
		b->drops++;
		put_page(page);
		vgn_rx_drain(rq, num ? num - 1 : 0, b);
		return;
	}
	if (prog) {
		skb = vgn_rx_mergeable_xdp(rq, prog, buf, len, ctx, num, b);
		if (skb) {
			memset(&hdr, 0, sizeof(hdr));
			vgn_rx_deliver(rq, skb, &hdr.hdr, b);
		}
		return;
	}

	skb = vgn_rx_head_skb(rq, page, (char *)buf + hdr_len -
			      (char *)page_address(page), len - hdr_len,
			      vgn_ctx_truesize(ctx));
	if (unlikely(!skb)) {
		b->drops++;
		vgn_rx_drain(rq, num - 1, b);
		return;
	}
	if (unlikely(!vgn_rx_mergeable_tail(rq, skb, num, b))) {
		b->drops++;
		dev_kfree_skb_any(skb);
		return;
	}
	vgn_rx_deliver(rq, skb, &hdr.hdr, b);
}

static void vgn_rx_pages(struct vgn_rq *rq, struct bpf_prog *prog,
			 struct vgn_rx_pages *pp, unsigned int len,
			 struct vgn_rx_batch *b)
{
	unsigned int hdr_len = rq->vi->hdr_len, first, rest, n, i;
	struct virtio_net_hdr_mrg_rxbuf hdr = {};
	void *start = page_address(pp->page[0]);
	struct sk_buff *skb;

	if (unlikely(len < hdr_len + ETH_HLEN ||
		     len > VGN_PAGE0_LEN + (pp->count - 1) * PAGE_SIZE)) {
		b->length_errors++;
		goto drop;
	}
	memcpy(&hdr, (char *)start + VGN_XDP_HEADROOM, hdr_len);
	if (prog) {
		if (len > VGN_PAGE0_LEN)
			goto drop;
		vgn_rx_pages_free(rq, pp, 1);
		skb = vgn_rx_xdp(rq, prog, start, VGN_XDP_HEADROOM, len,
				 PAGE_SIZE, b);
		if (skb) {
			memset(&hdr, 0, sizeof(hdr));
			vgn_rx_deliver(rq, skb, &hdr.hdr, b);
		}
		return;
	}

	first = min_t(unsigned int, len, VGN_PAGE0_LEN);
	skb = vgn_rx_head_skb(rq, pp->page[0], VGN_XDP_HEADROOM + hdr_len,
			      first - hdr_len, PAGE_SIZE);
	if (unlikely(!skb)) {
		b->drops++;
		vgn_rx_pages_free(rq, pp, 1);
		return;
	}
	for (i = 1, rest = len - first; rest; i++, rest -= n) {
		n = min_t(unsigned int, rest, PAGE_SIZE);
		skb_add_rx_frag(skb, skb_shinfo(skb)->nr_frags, pp->page[i],
				0, n, PAGE_SIZE);
	}
	vgn_rx_pages_free(rq, pp, i);
	vgn_rx_deliver(rq, skb, &hdr.hdr, b);
	return;
drop:
	b->drops++;
	vgn_rx_pages_free(rq, pp, 0);
}

static void vgn_rx_stats_add(struct vgn_rq *rq, const struct vgn_rx_batch *b)
{
	struct vgn_rq_stats *s = &rq->stats;

	u64_stats_update_begin(&s->syncp);
	u64_stats_add(&s->packets, b->packets);
	u64_stats_add(&s->bytes, b->bytes);
	u64_stats_add(&s->drops, b->drops);
	u64_stats_add(&s->length_errors, b->length_errors);
	u64_stats_add(&s->xdp_packets, b->xdp_packets);
	u64_stats_add(&s->xdp_pass, b->xdp_pass);
	u64_stats_add(&s->xdp_drop, b->xdp_drop);
	u64_stats_add(&s->xdp_tx, b->xdp_tx);
	u64_stats_add(&s->xdp_redirect, b->xdp_redirect);
	u64_stats_update_end(&s->syncp);
}

/*
 * Leave polling mode; poll again if buffers slipped in meanwhile.  When
 * NAPI stays scheduled (a busy poller owns it, or it missed a schedule and
 * runs again), the device's interrupt stays off: a busy poller took NAPI
 * without going through vgn_rx_done(), so the callback may still be on,
 * and an interrupt per packet would only find NAPI taken.
 */
static void vgn_rx_napi_complete(struct vgn_rq *rq, int done)
{
	unsigned int opaque;

	if (!napi_complete_done(&rq->napi, done)) {
		virtqueue_disable_cb(rq->vq);
		return;
	}
	opaque = virtqueue_enable_cb_prepare(rq->vq);
	if (unlikely(virtqueue_poll(rq->vq, opaque)) &&
	    napi_schedule_prep(&rq->napi)) {
		virtqueue_disable_cb(rq->vq);
		__napi_schedule(&rq->napi);
	}
}

int vgn_rx_poll(struct napi_struct *napi, int budget)
{
	struct vgn_rq *rq = container_of(napi, struct vgn_rq, napi);
	struct vgn_priv *vi = rq->vi;
	struct vgn_rx_batch b = {};
	struct bpf_prog *prog;
	unsigned int len;
	void *buf, *ctx;
	int done = 0;

	vgn_tx_reap(&vi->sq[rq->index], budget);
	rcu_read_lock();
	prog = rcu_dereference(vi->xdp_prog);
	while (done < budget &&
	       (buf = virtqueue_get_buf_ctx(rq->vq, &len, &ctx))) {
		if (vi->mergeable)
			vgn_rx_mergeable(rq, prog, buf, len, ctx, &b);
		else
			vgn_rx_pages(rq, prog, buf, len, &b);
		done++;
	}
	rcu_read_unlock();

	/* A pair out of use keeps what it has, and gets no more. */
	if (vgn_pair_in_use(vi, rq->index) &&
	    rq->vq->num_free > virtqueue_get_vring_size(rq->vq) / 4 &&
	    !vgn_rx_refill(rq, GFP_ATOMIC))
		schedule_delayed_work(&vi->refill_work, HZ / 2);
	if (b.xdp_flush)
		xdp_do_flush();
	if (b.xdp_kick)
		vgn_xdp_tx_kick(rq);
	vgn_rx_stats_add(rq, &b);

	if (done < budget)
		vgn_rx_napi_complete(rq, done);
	return done;
}

/* Interrupt: the device used receive buffers. */
void vgn_rx_done(struct virtqueue *vq)
{
	struct vgn_priv *vi = vq->vdev->priv;
	struct vgn_rq *rq = &vi->rq[vgn_vq_to_pair(vq)];

	if (napi_schedule_prep(&rq->napi)) {
		virtqueue_disable_cb(vq);
		__napi_schedule(&rq->napi);
	}
}
