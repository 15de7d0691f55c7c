// SPDX-License-Identifier: GPL-2.0
/*
 * Zero-copy TX with the packet's headers in host memory.
 *
 * tun and tap copy the first hdr_len bytes of a zero-copy packet (128
 * when the guest wrote none) into the skb and leave the rest in the
 * guest's pages, which the guest can write while the skb is in the host:
 * with a small hdr_len, the IP and TCP headers that the flow dissector,
 * conntrack, nft, tc and the bridge read would be guest memory, and a
 * guest could change a packet after a host rule matched it.  So vhostfp
 * copies the headers (Ethernet, VLAN tags, IPv4 or IPv6 with its extension
 * headers, TCP, UDP or ICMP; ARP whole; the link-layer header alone of a
 * frame of another protocol) into a page of its own, raises hdr_len in its
 * copy of the virtio-net header to cover them, and hands the tap a bvec
 * iterator: that page first, then the guest's pages of the rest, pinned
 * here for the sendmsg().  An IP packet whose L4 protocol this does not
 * know, or whose headers are longer than VFP_ZCHDR_MAX, is copied whole.  The
 * payload stays in guest pages: see Documentation/vhostfp.rst.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bvec.h>
#include <linux/gfp.h>
#include <linux/icmp.h>
#include <linux/if_ether.h>
#include <linux/if_vlan.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/mm.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/ipv6.h>

#include "vhostfp.h"

/* A big-endian 16-bit field at @p: headers need no alignment. */
static u16 vfp_zchdr_be16(const u8 *p)
{
	return p[0] << 8 | p[1];
}

/* Headers longer than this: the packet is copied. */
#define VFP_ZCHDR_MAX		256
/* VLAN tags and IPv6 extension headers looked through. */
#define VFP_ZCHDR_VLANS		2
#define VFP_ZCHDR_EXTS		8

/* L4 header length at @off, or 0: unknown protocol, or past @n. */
static unsigned int vfp_zchdr_l4(const u8 *p, unsigned int n,
				 unsigned int off, u8 proto)
{
	unsigned int len;

	switch (proto) {
	case IPPROTO_TCP:
		if (n < off + sizeof(struct tcphdr))
			return 0;
		len = (p[off + 12] >> 4) * 4;
		if (len < sizeof(struct tcphdr))
			return 0;
		break;
	case IPPROTO_UDP:
		len = sizeof(struct udphdr);
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		len = sizeof(struct icmphdr);
		break;
	default:
		return 0;
	}
	return n < off + len ? 0 : off + len;
}

/*
 * IPv6 and its extension headers at @off: the offset of the L4 header in
 * *@proto's place, 0 when unknown or past @n, or, for a fragment past the
 * first, the end of the headers with *@proto 0 (no L4 header follows).
 */
static unsigned int vfp_zchdr_ipv6(const u8 *p, unsigned int n,
				   unsigned int off, u8 *proto)
{
	unsigned int i;
	u8 next;

	if (n < off + sizeof(struct ipv6hdr))
		return 0;
	next = p[off + 6];
	off += sizeof(struct ipv6hdr);
	/* Bound: VFP_ZCHDR_EXTS headers, each at least 8 bytes. */
	for (i = 0; i < VFP_ZCHDR_EXTS; i++) {
		if (next != NEXTHDR_HOP && next != NEXTHDR_ROUTING &&
		    next != NEXTHDR_DEST && next != NEXTHDR_FRAGMENT &&
		    next != NEXTHDR_AUTH) {
			*proto = next;
			return off;
		}
		if (n < off + 8)
			return 0;
		if (next == NEXTHDR_FRAGMENT) {
			if (vfp_zchdr_be16(p + off + 2) & ~7) {
				*proto = 0;
				return off + 8;
			}
			next = p[off];
			off += 8;
		} else if (next == NEXTHDR_AUTH) {
			next = p[off];
			off += (p[off + 1] + 2) * 4;
		} else {
			next = p[off];
			off += (p[off + 1] + 1) * 8;
		}
	}
	return 0;
}

/*
 * Bytes of headers at the start of frame @p (@n bytes of it there): the
 * ones a host filter reads.  0: an IP packet of a kind not known here.
 */
static unsigned int vfp_zchdr_parse(const u8 *p, unsigned int n)
{
	unsigned int off = ETH_HLEN, i, ihl;
	u16 type;
	u8 proto;

	if (n < ETH_HLEN)
		return 0;
	type = vfp_zchdr_be16(p + 12);
	for (i = 0; i < VFP_ZCHDR_VLANS && eth_type_vlan(htons(type)); i++) {
		if (n < off + VLAN_HLEN)
			return 0;
		type = vfp_zchdr_be16(p + off + 2);
		off += VLAN_HLEN;
	}
	switch (type) {
	case ETH_P_IP:
		if (n < off + sizeof(struct iphdr))
			return 0;
		ihl = (p[off] & 0xf) * 4;
		if (ihl < sizeof(struct iphdr) || n < off + ihl)
			return 0;
		proto = p[off + 9];
		/* A fragment past the first has no L4 header. */
		if (vfp_zchdr_be16(p + off + 6) & IP_OFFSET)
			return off + ihl;
		off += ihl;
		break;
	case ETH_P_IPV6:
		off = vfp_zchdr_ipv6(p, n, off, &proto);
		if (!off || !proto)
			return off;
		break;
	case ETH_P_ARP:
		/* ARP for IPv4 over Ethernet: header and four addresses. */
		return n < off + 28 ? 0 : off + 28;
	default:
		/*
		 * Not IP: the link-layer header, copied, says so, and the
		 * IP, TCP and UDP filters leave such a frame alone.
		 */
		return off;
	}
	return vfp_zchdr_l4(p, n, off, proto);
}

/* At attach: the page the headers are copied to. */
int vfp_zchdr_init(struct vfp_net_vq *nvq)
{
	nvq->zchdr = alloc_page(GFP_KERNEL_ACCOUNT);
	return nvq->zchdr ? 0 : -ENOMEM;
}

void vfp_zchdr_uninit(struct vfp_net_vq *nvq)
{
	if (nvq->zchdr)
		__free_page(nvq->zchdr);
	nvq->zchdr = NULL;
}

/*
 * Turn @msg's iterator (the packet, @len bytes from the tap's header on)
 * into the bvec one described above, in nvq->zcbv.  The guest pages it
 * holds are released by vfp_zchdr_put() after the sendmsg().  0, or
 * -EOPNOTSUPP: copy this packet (headers unknown or too long, more pages
 * than a zero-copy skb takes, memory gone).
 */
int vfp_zchdr_iter(struct vfp_net_vq *nvq, struct msghdr *msg, size_t len)
{
	struct vfp_vq *vq = &nvq->vq;
	u8 *hdr = page_address(nvq->zchdr);
	size_t head = min_t(size_t, len, nvq->sock_hlen + VFP_ZCHDR_MAX);
	struct virtio_net_hdr *vnet = (struct virtio_net_hdr *)hdr;
	struct page *pages[VFP_ZCHDR_PAGES];
	struct iov_iter from = msg->msg_iter;
	unsigned int hlen, n = 1;
	size_t off, got, left;
	ssize_t ret;

	lockdep_assert_held(&vq->mutex);
	if (copy_from_iter(hdr, head, &from) != head)
		return -EOPNOTSUPP;
	hlen = vfp_zchdr_parse(hdr + nvq->sock_hlen, head - nvq->sock_hlen);
	if (!hlen)
		return -EOPNOTSUPP;
	if (nvq->sock_hlen) {
		/* The tap copies hdr_len bytes: at least our headers. */
		if (vfp16_to_cpu(vq, vnet->hdr_len) < hlen)
			vnet->hdr_len = cpu_to_vfp16(vq, hlen);
	} else if (hlen > 128) {
		/* Without a header the tap copies 128 bytes (GOODCOPY_LEN). */
		return -EOPNOTSUPP;
	}
	head = nvq->sock_hlen + hlen;
	nvq->zcbv[0] = (struct bio_vec){ .bv_page = nvq->zchdr, .bv_len = head };
	from = msg->msg_iter;
	iov_iter_advance(&from, head);
	/*
	 * Bound: MAX_SKB_FRAGS pages, as many as a zero-copy skb takes; one
	 * call per guest iovec at most (it stops at the iovec's end).
	 */
	for (left = len - head; left; left -= got) {
		size_t rest, seg;
		unsigned int i;

		if (n == VFP_ZCHDR_PAGES)
			goto err_put;
		ret = iov_iter_get_pages2(&from, pages, left,
					  VFP_ZCHDR_PAGES - n, &off);
		if (ret <= 0)
			goto err_put;
		got = ret;
		for (i = 0, rest = got; rest; i++, rest -= seg, off = 0) {
			seg = min_t(size_t, rest, PAGE_SIZE - off);
			nvq->zcbv[n++] = (struct bio_vec){
				.bv_page = pages[i], .bv_len = seg,
				.bv_offset = off,
			};
		}
	}
	nvq->zcbv_num = n;
	iov_iter_bvec(&msg->msg_iter, ITER_SOURCE, nvq->zcbv, n, len);
	return 0;

err_put:
	nvq->zcbv_num = n;
	vfp_zchdr_put(nvq);
	return -EOPNOTSUPP;
}

/* After the sendmsg(): the skb took references of its own. */
void vfp_zchdr_put(struct vfp_net_vq *nvq)
{
	unsigned int i;

	for (i = 1; i < nvq->zcbv_num; i++)
		put_page(nvq->zcbv[i].bv_page);
	nvq->zcbv_num = 0;
}
