// SPDX-License-Identifier: GPL-2.0
/*
 * Guest TX: buffers from vq 1 go to the tap with sendmsg(), zero-copy
 * when big enough and allowed (tx_zc.c), copied otherwise.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/if_tun.h>
#include <linux/net.h>
#include <linux/socket.h>

#include "vhostfp.h"
#include "trace.h"

/* Zero-copy for this packet?  NULL: copy it. */
static struct ubuf_info *vfp_tx_zc_get(struct vfp_net_vq *nvq,
				       const struct vfp_buf *buf, size_t len)
{
	const struct vhost_fp_tunables *t = &nvq->vq.dev->tunables;
	struct ubuf_info *uarg;

	if (!nvq->zc || !(t->flags & VHOST_FP_F_ZEROCOPY) ||
	    len < t->zc_threshold)
		return NULL;
	uarg = vfp_zc_get(nvq->zc, buf->id, t->zc_max_pending);
	if (!uarg) {
		nvq->vq.stats.zc_copied++;
		trace_vfp_zc_fallback(nvq->vq.dev->id, nvq->vq.index,
				      VFP_ZC_FALLBACK_PENDING);
	}
	return uarg;
}

/* Drop a packet the tap refused for good: the guest gets its buffer back. */
static void vfp_tx_drop(struct vfp_vq *vq, const struct vfp_buf *buf,
			enum vfp_drop_reason reason)
{
	vq->stats.drops++;
	trace_vfp_drop(vq->dev->id, vq->index, reason, 1);
	vfp_vq_add_used(vq, buf->id, 0);
}

/* A copied packet: the guest buffer is free again, sent or not. */
static void vfp_tx_done(struct vfp_net_vq *nvq, const struct vfp_buf *buf,
			int err, size_t len)
{
	struct vfp_vq *vq = &nvq->vq;

	if (err) {
		vfp_tx_drop(vq, buf, VFP_DROP_TX_TAP);
		return;
	}
	vfp_vq_add_used(vq, buf->id, 0);
	vq->stats.packets++;
	vq->stats.bytes += len - nvq->sock_hlen;
}

/* 0: buffer consumed (sent or dropped), -EAGAIN: tap full, retry later. */
static int vfp_tx_send(struct vfp_net_vq *nvq, struct socket *sock,
		       const struct vfp_buf *buf)
{
	struct vfp_vq *vq = &nvq->vq;
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT };
	struct tun_msg_ctl ctl;
	struct ubuf_info *uarg;
	size_t len = buf->out_len;
	int ret;

	if (len > MAX_RW_COUNT || len < nvq->vhost_hlen + nvq->sock_hlen) {
		vfp_vq_err(vq, "TX buffer %u of %zu bytes", buf->id, len);
		vfp_tx_drop(vq, buf, VFP_DROP_TX_BAD_BUF);
		return 0;
	}
	iov_iter_init(&msg.msg_iter, ITER_SOURCE, nvq->iov, buf->out_num, len);
	if (nvq->vhost_hlen)
		iov_iter_advance(&msg.msg_iter, nvq->vhost_hlen);
	len -= nvq->vhost_hlen;

	uarg = vfp_tx_zc_get(nvq, buf, len);
	/* The headers into host memory, or the packet is copied. */
	if (uarg && vfp_zchdr_iter(nvq, &msg, len)) {
		vfp_zc_put_unsent(nvq->zc, uarg);
		vq->stats.zc_copied++;
		trace_vfp_zc_fallback(vq->dev->id, vq->index,
				      VFP_ZC_FALLBACK_HEADERS);
		uarg = NULL;
	}
	if (!uarg && nvq->txb_ok) {
		ret = vfp_txb_add(nvq, sock, &msg.msg_iter);
		if (ret != -ENOSPC) {
			vfp_tx_done(nvq, buf, ret, len);
			if (vfp_txb_full(nvq))
				vfp_txb_flush(nvq, sock);
			return 0;
		}
	}
	/* Keep the packets in order: the batch goes first. */
	vfp_txb_flush(nvq, sock);
	if (uarg) {
		ctl.type = TUN_MSG_UBUF;
		ctl.num = 0;
		ctl.ptr = uarg;
		msg.msg_control = &ctl;
		msg.msg_controllen = sizeof(ctl);
	}
	ret = sock->ops->sendmsg(sock, &msg, len);
	if (uarg)
		vfp_zchdr_put(nvq);
	if (ret < 0) {
		if (uarg && vfp_zc_put_unsent(nvq->zc, uarg)) {
			vq->stats.drops++;
			trace_vfp_drop(vq->dev->id, vq->index,
				       VFP_DROP_TX_ZC_UNSENT, 1);
			return 0;
		}
		if (ret == -EAGAIN || ret == -ENOMEM || ret == -ENOBUFS)
			return -EAGAIN;
		vfp_tx_drop(vq, buf, VFP_DROP_TX_TAP);
		return 0;
	}
	if (!uarg) {
		vfp_tx_done(nvq, buf, 0, len);
		return 0;
	}
	vq->stats.zc_sent++;
	vq->stats.packets++;
	vq->stats.bytes += len - nvq->sock_hlen;
	return 0;
}

/*
 * One pass over vq 1.  Caller holds the vq mutex; a backend is attached.
 *
 * Bound: every turn of the loop counts toward the packet weight, whatever
 * it did (sent, dropped, refused, lost a race with the guest's kick), so a
 * pass ends after VFP_WEIGHT_PACKETS turns or VFP_WEIGHT_BYTES bytes and
 * the worker reschedules; only busy polling turns without a buffer, and
 * it is bounded by time (vfp_busy_poll()).  A guest error stops the queue
 * until the guest kicks again, as vhost-net does.
 */
static void vfp_tx(struct vfp_net_vq *nvq, struct socket *sock)
{
	struct vfp_vq *vq = &nvq->vq;
	struct vfp_busy busy = { };
	unsigned int turns = 0;
	size_t bytes = 0;
	struct vfp_buf buf;
	int ret;

	vfp_zc_reap(nvq->zc);
	nvq->txb_ok = vfp_txb_usable(sock);
	vfp_poll_stop(&nvq->sock_poll);
	vfp_vq_disable_notify(vq);
	for (;;) {
		ret = vfp_vq_get_buf(vq, &buf, nvq->iov, VFP_IOV_MAX, NULL, 0);
		if (ret < 0)
			break;
		if (!ret) {
			/* What we have goes out before we wait for more. */
			vfp_txb_flush(nvq, sock);
			vfp_vq_flush_used(vq);
			/* A kick is what we look for. */
			if (vfp_busy_poll(vq, &busy, &vq->kick_poll.work))
				continue;
			if (!vfp_vq_enable_notify(vq))
				break;
			vfp_vq_disable_notify(vq);
		} else {
			vfp_busy_poll_found(vq, &busy);
			if (buf.in_num) {
				vfp_vq_err(vq, "TX buffer %u is writable", buf.id);
				vfp_tx_drop(vq, &buf, VFP_DROP_TX_BAD_BUF);
				break;
			}
			if (vfp_tx_send(nvq, sock, &buf) == -EAGAIN) {
				vfp_vq_discard(vq, 1);
				/* Come back when the tap has room again. */
				vfp_poll_start(&nvq->sock_poll, nvq->sock_file);
				break;
			}
			vfp_zc_count_packet(nvq->zc);
			bytes += buf.out_len;
		}
		if (vfp_vq_exceeds_weight(vq, &nvq->sock_poll, ++turns, bytes))
			break;
	}
	vfp_txb_flush(nvq, sock);
	vfp_vq_flush_used(vq);
}

static void vfp_tx_handle(struct vfp_net_vq *nvq, bool kick)
{
	struct vfp_vq *vq = &nvq->vq;
	struct socket *sock;

	mutex_lock(&vq->mutex);
	if (kick)
		vq->stats.kicks++;
	sock = vq->private_data;
	/* false: waiting for an IOTLB update, which kicks us. */
	if (sock && vfp_vq_access_ok(vq))
		vfp_tx(nvq, sock);
	mutex_unlock(&vq->mutex);
}

/* Worker: the guest kicked vq 1. */
void vfp_tx_handle_kick(struct vfp_work *work)
{
	struct vfp_poll *poll = container_of(work, struct vfp_poll, work);

	vfp_tx_handle(container_of(poll->vq, struct vfp_net_vq, vq), true);
}

/* Worker: the tap has room again, a zero-copy buffer completed, or more. */
void vfp_tx_handle_sock(struct vfp_work *work)
{
	struct vfp_poll *poll = container_of(work, struct vfp_poll, work);

	vfp_tx_handle(container_of(poll, struct vfp_net_vq, sock_poll), false);
}
