// SPDX-License-Identifier: GPL-2.0
/*
 * Test frames: every byte follows from (direction, sequence number).
 *
 *   dst MAC   02:00:00:00:00:01 (to the guest) or :02 (to the host)
 *   src MAC   02:<dir>:<seq, 4 bytes big endian>   the frame's identity
 *   type      0x88b5 (local experimental), or 0x0800 for GSO frames, which
 *             carry an IPv4 + TCP header (loopback addresses: the stack of
 *             the test namespace drops them as martians) before the payload
 *   data      a pseudo-random pattern seeded by (dir, seq)
 */
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include "traffic.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

#define ETH_TYPE_TEST	0x88b5
#define GSO_HDRS	54		/* Ethernet + IPv4 + TCP, no options */
#define GSO_CSUM_START	34
#define GSO_CSUM_OFF	16		/* offsetof(struct tcphdr, check) */

static __u32 hash32(__u32 x)
{
	x ^= x >> 16;
	x *= 0x7feb352d;
	x ^= x >> 15;
	x *= 0x846ca68b;
	x ^= x >> 16;
	return x;
}

static __u32 pick(__u32 h, __u32 lo, __u32 hi)
{
	return hi <= lo ? lo : lo + h % (hi - lo + 1);
}

/*
 * Frame sizes: the edges first (the smallest frame a tap takes, minimum
 * Ethernet, full MTU, one past it, a page, the largest), then mostly
 * MTU-sized frames, 1 in big_one_in (16 by default) jumbo frames and as
 * many GSO frames up to 64 KiB.
 */
void frame_spec(const struct traffic_cfg *cfg, __u8 dir, __u32 seq,
		struct frame_spec *f)
{
	static const __u32 edges[] = { 14, 15, 60, 64, 1514, 1515, 4096,
					  FRAME_MAX };
	__u32 h = hash32(seq * 2 + dir), max = cfg->max_frame;
	__u32 r = hash32(h);	/* sizes: bits unrelated to the kind's */
	unsigned int n_edges = ARRAY_SIZE(edges);

	f->dir = dir;
	f->seq = seq;
	f->mss = 0;
	if (seq < n_edges) {
		f->len = edges[seq] < max ? edges[seq] : max;
		return;
	}
	if (cfg->gso && max >= 1600 &&
	    (h % cfg->big_one_in == 0 || seq == n_edges)) {
		f->mss = 500 + (r >> 16) % 1000;
		f->len = seq == n_edges ? max :
			 pick(r, GSO_HDRS + f->mss + 1, max);
		return;
	}
	if (h % cfg->big_one_in == 1)
		f->len = pick(r, 1515, max);
	else
		f->len = pick(r, FRAME_MIN, 1514 < max ? 1514 : max);
}

static void pattern_fill(__u8 *p, size_t len, __u64 seed)
{
	__u64 x = seed * 0x9e3779b97f4a7c15ULL + 1, w;

	while (len >= 8) {
		x += 0x9e3779b97f4a7c15ULL;
		w = x ^ (x >> 29);
		memcpy(p, &w, 8);
		p += 8;
		len -= 8;
	}
	x += 0x9e3779b97f4a7c15ULL;
	w = x ^ (x >> 29);
	memcpy(p, &w, len);
}

static __u16 ip_csum(const __u8 *p, size_t len)
{
	__u32 sum = 0;
	size_t i;

	for (i = 0; i < len; i += 2)
		sum += (p[i] << 8) | p[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

static void gso_headers(const struct frame_spec *f, __u8 *p)
{
	__u8 *ip = p + 14, *tcp = p + 34;
	__u16 v;

	memset(ip, 0, 40);
	ip[0] = 0x45;
	v = htons(f->len - 14);
	memcpy(ip + 2, &v, 2);
	v = htons(f->seq & 0xffff);
	memcpy(ip + 4, &v, 2);
	ip[6] = 0x40;			/* DF */
	ip[8] = 64;
	ip[9] = 6;			/* TCP */
	ip[12] = 127;
	ip[15] = f->dir;
	ip[16] = 127;
	ip[19] = 3 - f->dir;
	v = htons(ip_csum(ip, 20));
	memcpy(ip + 10, &v, 2);
	v = htons(1000 + f->dir);
	memcpy(tcp, &v, 2);
	v = htons(2000);
	memcpy(tcp + 2, &v, 2);
	memcpy(tcp + 4, &f->seq, 4);
	tcp[12] = 5 << 4;
	tcp[13] = 0x18;			/* PSH, ACK */
	tcp[14] = 0xff;
	tcp[15] = 0xff;
	/* check stays as written: nobody on the path computes it */
	tcp[16] = 0x5a;
	tcp[17] = 0xa5;
}

void frame_fill(const struct frame_spec *f, __u8 *p)
{
	__u8 hdr[GSO_HDRS] = { 0x02, 0, 0, 0, 0, f->dir == DIR_RX ? 1 : 2,
				  0x02, f->dir,
				  f->seq >> 24, f->seq >> 16, f->seq >> 8, f->seq,
				  ETH_TYPE_TEST >> 8, ETH_TYPE_TEST & 0xff };
	size_t off = 14;

	if (f->mss) {
		hdr[12] = 0x08;
		hdr[13] = 0x00;
		gso_headers(f, hdr);
		off = GSO_HDRS;
	}
	memcpy(p, hdr, off < f->len ? off : f->len);
	if (f->len > off)
		pattern_fill(p + off, f->len - off,
			     ((__u64)f->dir << 32) | f->seq);
}

/* The virtio-net header that goes with a frame, in either direction. */
void frame_net_hdr(const struct frame_spec *f, struct virtio_net_hdr *h)
{
	memset(h, 0, sizeof(*h));
	if (!f->mss)
		return;
	h->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h->gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	h->hdr_len = GSO_HDRS;
	h->gso_size = f->mss;
	h->csum_start = GSO_CSUM_START;
	h->csum_offset = GSO_CSUM_OFF;
}

/* A frame of ours? Then its direction and number. */
bool frame_parse_id(const __u8 *p, size_t len, __u8 *dir, __u32 *seq)
{
	if (len < FRAME_MIN || p[0] != 0x02 || p[6] != 0x02)
		return false;
	if (p[7] != DIR_TX && p[7] != DIR_RX)
		return false;
	*dir = p[7];
	*seq = (__u32)p[8] << 24 | p[9] << 16 | p[10] << 8 | p[11];
	return true;
}

/*
 * The offload part of a received header must match what was sent;
 * hdr_len is a hint the kernel recomputes, DATA_VALID may be added.
 */
int frame_check_hdr(const struct frame_spec *f, const struct virtio_net_hdr *h,
		    char *why, size_t whylen)
{
	struct virtio_net_hdr want;

	frame_net_hdr(f, &want);
	if ((h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) != want.flags ||
	    h->gso_type != want.gso_type ||
	    (f->mss && (h->gso_size != want.gso_size ||
			h->csum_start != want.csum_start ||
			h->csum_offset != want.csum_offset))) {
		snprintf(why, whylen,
			 "seq %u len %u: net hdr flags %#x gso %u/%u csum %u+%u, want %#x %u/%u %u+%u",
			 f->seq, f->len, h->flags, h->gso_type, h->gso_size,
			 h->csum_start, h->csum_offset, want.flags,
			 want.gso_type, want.gso_size, want.csum_start,
			 want.csum_offset);
		return -1;
	}
	return 0;
}

int frame_check(const struct frame_spec *f, const __u8 *p, size_t len,
		__u8 *scratch, char *why, size_t whylen)
{
	size_t i;

	if (len != f->len) {
		snprintf(why, whylen, "dir %u seq %u: %zu bytes, want %u",
			 f->dir, f->seq, len, f->len);
		return -1;
	}
	frame_fill(f, scratch);
	if (!memcmp(p, scratch, len))
		return 0;
	for (i = 0; i < len && p[i] == scratch[i]; i++)
		;
	snprintf(why, whylen,
		 "dir %u seq %u len %u: byte %zu is %#04x, want %#04x",
		 f->dir, f->seq, f->len, i, p[i], scratch[i]);
	return -1;
}
