// SPDX-License-Identifier: GPL-2.0
/*
 * Guest TX, small packets: rather than one sendmsg() each, packets are
 * copied into page fragments laid out as tun expects an xdp_buff (a
 * struct tun_xdp_hdr with the virtio-net header at the start of the
 * buffer, the frame after the headroom, skb_shared_info room at the end)
 * and handed over up to VFP_TXB_MAX at a time with one TUN_MSG_PTR
 * sendmsg().  tun and tap build their skbs around those fragments; each
 * fragment carries the one page reference its skb will own.
 *
 * The guest buffer is given back as soon as its packet is copied.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gfp.h>
#include <linux/if_tun.h>
#include <linux/mm.h>
#include <linux/net.h>
#include <linux/skbuff.h>
#include <linux/socket.h>
#include <net/sock.h>
#include <net/xdp.h>

#include "vhostfp.h"
#include "trace.h"

/* Room tun wants before the frame, with or without an XDP program. */
static size_t vfp_txb_pad(struct socket *sock)
{
	size_t headroom = sock_flag(sock->sk, SOCK_XDP) ? XDP_PACKET_HEADROOM : 0;

	return SKB_DATA_ALIGN(NET_SKB_PAD + NET_IP_ALIGN + headroom +
			      sizeof(struct tun_xdp_hdr));
}

/*
 * Batching bypasses the socket's send buffer accounting: only where that
 * accounting is off anyway (sndbuf INT_MAX, QEMU's default for taps).
 */
bool vfp_txb_usable(struct socket *sock)
{
	return READ_ONCE(sock->sk->sk_sndbuf) == INT_MAX;
}

/* Make tun's checksum offset checks hold, as it does for its own writes. */
static int vfp_txb_fix_hdr(struct vfp_vq *vq, struct virtio_net_hdr *gso,
			   size_t len)
{
	u16 start = __virtio16_to_cpu(vq->little_endian, gso->csum_start);
	u16 off = __virtio16_to_cpu(vq->little_endian, gso->csum_offset);
	u16 hdr_len = __virtio16_to_cpu(vq->little_endian, gso->hdr_len);

	if (!(gso->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) ||
	    start + off + 2 <= hdr_len)
		return 0;
	if (start + off + 2 > len)
		return -EINVAL;
	gso->hdr_len = __cpu_to_virtio16(vq->little_endian, start + off + 2);
	return 0;
}

/*
 * The tap's header is sock_hlen long; tun only reads the first part.  The
 * common length, the mergeable header's, is one fixed-size copy.
 */
static int vfp_txb_copy_hdr(struct vfp_net_vq *nvq, struct virtio_net_hdr *gso,
			    struct iov_iter *from)
{
	struct virtio_net_hdr_mrg_rxbuf mrg;

	if (!nvq->sock_hlen)
		return 0;
	if (nvq->sock_hlen == sizeof(mrg)) {
		if (copy_from_iter(&mrg, sizeof(mrg), from) != sizeof(mrg))
			return -EFAULT;
		*gso = mrg.hdr;
		return 0;
	}
	if (copy_from_iter(gso, sizeof(*gso), from) != sizeof(*gso))
		return -EFAULT;
	iov_iter_advance(from, nvq->sock_hlen - sizeof(*gso));
	return 0;
}

/*
 * Copy one packet (header as the tap would parse it, then the frame) from
 * @from into the batch.  -ENOSPC: too big for a fragment, send it alone.
 */
int vfp_txb_add(struct vfp_net_vq *nvq, struct socket *sock,
		struct iov_iter *from)
{
	struct xdp_buff *xdp = &nvq->txb[nvq->txb_num];
	size_t len = iov_iter_count(from);
	size_t pad = vfp_txb_pad(sock);
	size_t shinfo = SKB_DATA_ALIGN(sizeof(struct skb_shared_info));
	struct tun_xdp_hdr *hdr;
	struct page *page;
	size_t buflen;
	void *buf;

	if (len < nvq->sock_hlen)
		return -EINVAL;
	len -= nvq->sock_hlen;
	buflen = SKB_DATA_ALIGN(pad + len) + shinfo;
	if (buflen > PAGE_SIZE)
		return -ENOSPC;
	buf = page_frag_alloc(&nvq->txb_frags, buflen, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	hdr = buf;
	memset(hdr, 0, sizeof(*hdr));
	if (vfp_txb_copy_hdr(nvq, &hdr->gso, from))
		goto err_fault;
	if (vfp_txb_fix_hdr(&nvq->vq, &hdr->gso, len))
		goto err_inval;
	/*
	 * By page, as tun_build_skb() does: a plain copy_from_iter() into
	 * the fragment would run the hardened usercopy check on a compound
	 * page for every packet, a good part of a small packet's cost.
	 */
	page = virt_to_page(buf);
	if (copy_page_from_iter(page, buf + pad - page_address(page), len,
				from) != len)
		goto err_fault;
	hdr->buflen = buflen;
	xdp_init_buff(xdp, buflen, NULL);
	xdp_prepare_buff(xdp, buf, pad, len, true);
	nvq->txb_num++;
	return 0;

err_inval:
	page_frag_free(buf);
	return -EINVAL;
err_fault:
	page_frag_free(buf);
	return -EFAULT;
}

bool vfp_txb_full(const struct vfp_net_vq *nvq)
{
	return nvq->txb_num == VFP_TXB_MAX;
}

/* Hand the batch to the tap.  Packets it refuses are dropped by it. */
void vfp_txb_flush(struct vfp_net_vq *nvq, struct socket *sock)
{
	struct tun_msg_ctl ctl = {
		.type = TUN_MSG_PTR,
		.num = nvq->txb_num,
		.ptr = nvq->txb,
	};
	struct msghdr msg = {
		.msg_control = &ctl,
		.msg_controllen = sizeof(ctl),
		.msg_flags = MSG_DONTWAIT,
	};
	unsigned int i;
	int ret;

	if (!nvq->txb_num)
		return;
	ret = sock->ops->sendmsg(sock, &msg, 0);
	if (ret < 0) {
		/* The tap took none of them (it is going away): free them. */
		for (i = 0; i < nvq->txb_num; i++)
			page_frag_free(nvq->txb[i].data_hard_start);
		nvq->vq.stats.drops += nvq->txb_num;
		trace_vfp_drop(nvq->vq.dev->id, nvq->vq.index,
			       VFP_DROP_TX_BATCH, nvq->txb_num);
	}
	nvq->txb_num = 0;
}

/* Detach: the batch is flushed; give back the cached page. */
void vfp_txb_release(struct vfp_net_vq *nvq)
{
	struct page_frag_cache *nc = &nvq->txb_frags;

	if (nc->va)
		__page_frag_cache_drain(virt_to_head_page(nc->va),
					nc->pagecnt_bias);
	nc->va = NULL;
}
