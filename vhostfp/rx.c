// SPDX-License-Identifier: GPL-2.0
/*
 * Guest RX: packets queued on the tap are received straight into guest
 * buffers of vq 0, several buffers per packet with mergeable RX buffers.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/if_tun.h>
#include <linux/net.h>
#include <linux/skb_array.h>
#include <linux/socket.h>
#include <net/xdp.h>

#include "vhostfp.h"
#include "trace.h"

/*
 * Packets are taken off the tap's ptr_ring VFP_RX_BATCH at a time (one
 * consumer lock instead of one per packet), then each is handed back to
 * recvmsg() through msg_control, which tun and tap accept in place of
 * their own queue.  Without a ring we fall back to peek_len().
 */
static int vfp_rx_ptr_len(void *ptr)
{
	if (tun_is_xdp_frame(ptr))
		return tun_ptr_to_xdp(ptr)->len;
	return __skb_array_len_with_tag(ptr);
}

static void vfp_rx_ptr_free(void *ptr)
{
	if (tun_is_xdp_frame(ptr))
		xdp_return_frame(tun_ptr_to_xdp(ptr));
	else
		kfree_skb(ptr);
}

/* Length of the next packet, 0 if none. */
static int vfp_rx_peek(struct vfp_net_vq *nvq, struct socket *sock)
{
	if (!nvq->rx_ring)
		return max(sock->ops->peek_len(sock), 0);
	if (nvq->rxq_head == nvq->rxq_tail) {
		nvq->rxq_head = 0;
		nvq->rxq_tail = ptr_ring_consume_batched(nvq->rx_ring, nvq->rxq,
							 VFP_RX_BATCH);
		if (!nvq->rxq_tail)
			return 0;
	}
	return vfp_rx_ptr_len(nvq->rxq[nvq->rxq_head]);
}

/* The packet vfp_rx_peek() saw, for msg_control; NULL without a ring. */
static void *vfp_rx_take(struct vfp_net_vq *nvq)
{
	if (!nvq->rx_ring)
		return NULL;
	return nvq->rxq[nvq->rxq_head++];
}

/* Detach: put back what we took and did not receive.  vq.mutex held. */
void vfp_rx_unqueue(struct vfp_net_vq *nvq)
{
	if (nvq->rx_ring && nvq->rxq_head != nvq->rxq_tail)
		ptr_ring_unconsume(nvq->rx_ring, nvq->rxq + nvq->rxq_head,
				   nvq->rxq_tail - nvq->rxq_head,
				   vfp_rx_ptr_free);
	nvq->rxq_head = 0;
	nvq->rxq_tail = 0;
	nvq->rx_ring = NULL;
}

/* Buffers gathered for one packet, in nvq->heads/iov/log. */
struct vfp_rx_bufs {
	unsigned int nbufs;
	unsigned int niov;
	unsigned int nlog;
	u64 size;			/* writable bytes in all of them */
};

/*
 * Take guest buffers for @need bytes: one buffer, or as many as needed
 * with mergeable RX buffers.  1: got them (maybe too small, without
 * mergeable), 0: the guest has not posted enough, -errno: broken ring.
 */
static int vfp_rx_get_bufs(struct vfp_net_vq *nvq, u64 need,
			   struct vfp_rx_bufs *rb)
{
	struct vfp_vq *vq = &nvq->vq;
	bool merge = vfp_has_feature(vq, VIRTIO_NET_F_MRG_RXBUF);
	bool log = vfp_log_enabled(vq);
	struct vfp_buf buf;
	int ret;

	memset(rb, 0, sizeof(*rb));
	do {
		/*
		 * Bound: VFP_IOV_MAX buffers (each of at least one byte, one
		 * iovec).  A packet they cannot hold is dropped by the caller.
		 */
		if (rb->niov == VFP_IOV_MAX || rb->nbufs == VFP_IOV_MAX)
			break;
		ret = vfp_vq_get_buf(vq, &buf, nvq->iov + rb->niov,
				     VFP_IOV_MAX - rb->niov,
				     log ? nvq->log + rb->nlog : NULL,
				     VFP_IOV_MAX - rb->nlog);
		if (ret > 0 && (buf.out_num || !buf.in_len)) {
			vfp_vq_err(vq, "RX buffer %u is %s", buf.id,
				   buf.out_num ? "readable" : "empty");
			rb->nbufs++;
			ret = -EINVAL;
		}
		if (ret <= 0) {
			vfp_vq_discard(vq, rb->nbufs);
			return ret;
		}
		nvq->heads[rb->nbufs].id = buf.id;
		nvq->heads[rb->nbufs].len = min(buf.in_len, need - min(need, rb->size));
		rb->nbufs++;
		rb->niov += buf.in_num;
		rb->nlog += buf.log_num;
		rb->size += buf.in_len;
	} while (merge && rb->size < need);
	return 1;
}

/* Write @len bytes at offset @off of the packet's buffers. */
static int vfp_rx_write_at(struct vfp_net_vq *nvq, const struct vfp_rx_bufs *rb,
			   size_t off, const void *src, size_t len)
{
	struct iov_iter it;

	iov_iter_init(&it, ITER_DEST, nvq->iov, rb->niov,
		      min_t(u64, rb->size, MAX_RW_COUNT));
	if (off)
		iov_iter_advance(&it, off);
	return copy_to_iter(src, len, &it) == len ? 0 : -EFAULT;
}

/*
 * Write what the tap did not: our header, or num_buffers in its header.
 * The packet went into nvq->iov[0..niov), which recvmsg() left as it was.
 */
static int vfp_rx_fix_header(struct vfp_net_vq *nvq,
			     const struct vfp_rx_bufs *rb)
{
	const size_t off = offsetof(struct virtio_net_hdr_mrg_rxbuf,
				    num_buffers);
	struct vfp_vq *vq = &nvq->vq;
	__virtio16 num = cpu_to_vfp16(vq, rb->nbufs);

	if (nvq->vhost_hlen) {
		struct virtio_net_hdr_mrg_rxbuf hdr = {
			.hdr.gso_type = VIRTIO_NET_HDR_GSO_NONE,
			.num_buffers = num,
		};

		return vfp_rx_write_at(nvq, rb, 0, &hdr, nvq->vhost_hlen);
	}
	if (!vfp_has_feature(vq, VIRTIO_NET_F_MRG_RXBUF))
		return 0;
	/* Nearly always the header lies in the first iovec: one store. */
	if (rb->niov && nvq->iov[0].iov_len >= off + sizeof(num))
		return put_user(num, (__virtio16 __user *)
				(nvq->iov[0].iov_base + off));
	return vfp_rx_write_at(nvq, rb, off, &num, sizeof(num));
}

/*
 * Drop the packet vfp_rx_peek() saw: it does not fit the buffers the guest
 * posted (vhost-net drops these too).  @ptr: the packet, taken off the
 * tap's ring; without a ring, a one-byte read with MSG_TRUNC consumes it.
 */
static void vfp_rx_drop(struct socket *sock, void *ptr)
{
	struct msghdr msg = { };
	struct kvec kv;
	u8 scratch;

	if (ptr) {
		vfp_rx_ptr_free(ptr);
		return;
	}
	kv.iov_base = &scratch;
	kv.iov_len = sizeof(scratch);
	iov_iter_kvec(&msg.msg_iter, ITER_DEST, &kv, 1, sizeof(scratch));
	sock->ops->recvmsg(sock, &msg, sizeof(scratch),
			   MSG_DONTWAIT | MSG_TRUNC);
}

/* 0: packet delivered or dropped, -EAGAIN: it vanished, stop for now. */
static int vfp_rx_one(struct vfp_net_vq *nvq, struct socket *sock,
		      const struct vfp_rx_bufs *rb, size_t len)
{
	struct vfp_vq *vq = &nvq->vq;
	struct msghdr msg = { .msg_control = vfp_rx_take(nvq) };
	size_t want = len + nvq->sock_hlen;
	unsigned int i;
	int ret;

	/* Too big for what the guest gave: dropped whole, never cut short. */
	if (rb->size < want + nvq->vhost_hlen) {
		vfp_vq_discard(vq, rb->nbufs);
		vfp_rx_drop(sock, msg.msg_control);
		vq->stats.drops++;
		trace_vfp_drop(vq->dev->id, vq->index, VFP_DROP_RX_TOO_BIG, 1);
		return 0;
	}
	iov_iter_init(&msg.msg_iter, ITER_DEST, nvq->iov, rb->niov,
		      min_t(u64, rb->size, MAX_RW_COUNT));
	if (nvq->vhost_hlen)
		iov_iter_advance(&msg.msg_iter, nvq->vhost_hlen);
	ret = sock->ops->recvmsg(sock, &msg, iov_iter_count(&msg.msg_iter),
				 MSG_DONTWAIT | MSG_TRUNC);
	if (ret != want) {
		vfp_vq_discard(vq, rb->nbufs);
		if (ret == -EAGAIN)
			return ret;
		/* Error, or the guest's buffers were too small: drop it. */
		vq->stats.drops++;
		trace_vfp_drop(vq->dev->id, vq->index, VFP_DROP_RX_RECV, 1);
		return 0;
	}
	if (vfp_rx_fix_header(nvq, rb)) {
		vfp_vq_err(vq, "cannot write RX header");
		vfp_vq_discard(vq, rb->nbufs);
		vq->stats.drops++;
		trace_vfp_drop(vq->dev->id, vq->index, VFP_DROP_RX_HEADER, 1);
		return 0;
	}
	for (i = 0; i < rb->nbufs; i++)
		vfp_vq_add_used(vq, nvq->heads[i].id, nvq->heads[i].len);
	if (unlikely(vfp_log_enabled(vq)))
		vfp_log_write(vq, nvq->log, rb->nlog, want + nvq->vhost_hlen);
	vq->stats.packets++;
	vq->stats.bytes += len;
	return 0;
}

/*
 * One pass over vq 0.  Caller holds the vq mutex; a backend is attached.
 *
 * Bound: each packet counts the buffers it took (at least one) toward the
 * packet weight, a lost race with the guest's kick counts one, and the
 * pass yields at VFP_WEIGHT_PACKETS or VFP_WEIGHT_BYTES; busy polling is
 * bounded by time.  A guest error, like a guest out of buffers, stops the
 * queue until the guest kicks: the tap's wakeups do not run it meanwhile.
 */
static void vfp_rx(struct vfp_net_vq *nvq, struct socket *sock)
{
	struct vfp_vq *vq = &nvq->vq;
	struct vfp_busy busy = { };
	bool starved = false;
	unsigned int turns = 0;
	struct vfp_rx_bufs rb;
	size_t bytes = 0;
	int len, ret;

	vfp_vq_disable_notify(vq);
	for (;;) {
		len = vfp_rx_peek(nvq, sock);
		if (len <= 0) {
			/* The guest gets what we have before we wait for more. */
			vfp_vq_flush_used(vq);
			/* The tap's own wakeups are what we look for. */
			if (vfp_busy_poll(vq, &busy, &nvq->sock_poll.work))
				continue;
			break;
		}
		vfp_busy_poll_found(vq, &busy);
		ret = vfp_rx_get_bufs(nvq, (u64)len + nvq->vhost_hlen +
				      nvq->sock_hlen, &rb);
		if (ret < 0) {
			/* A guest error, or an IOTLB miss (its UPDATE kicks). */
			starved = true;
			break;
		}
		if (!ret) {
			if (!vfp_vq_enable_notify(vq)) {
				/* The kick handler resumes when buffers arrive. */
				starved = true;
				break;
			}
			vfp_vq_disable_notify(vq);
			turns++;
		} else {
			if (vfp_rx_one(nvq, sock, &rb, len))
				break;
			bytes += len;
			turns += rb.nbufs;
		}
		if (vfp_vq_exceeds_weight(vq, &nvq->sock_poll, turns, bytes))
			break;
	}
	vfp_vq_flush_used(vq);
	/* Packets waiting for buffers need no wakeup per new packet. */
	if (starved || nvq->rxq_head != nvq->rxq_tail)
		vfp_poll_stop(&nvq->sock_poll);
	else
		vfp_poll_start(&nvq->sock_poll, nvq->sock_file);
}

static void vfp_rx_handle(struct vfp_net_vq *nvq, bool kick)
{
	struct vfp_vq *vq = &nvq->vq;
	struct socket *sock;

	mutex_lock(&vq->mutex);
	if (kick)
		vq->stats.kicks++;
	sock = vq->private_data;
	if (sock && vfp_vq_access_ok(vq))
		vfp_rx(nvq, sock);
	else if (sock)
		/* Waiting for an IOTLB update, which kicks us: not the tap. */
		vfp_poll_stop(&nvq->sock_poll);
	mutex_unlock(&vq->mutex);
}

/* Worker: the guest posted RX buffers. */
void vfp_rx_handle_kick(struct vfp_work *work)
{
	struct vfp_poll *poll = container_of(work, struct vfp_poll, work);

	vfp_rx_handle(container_of(poll->vq, struct vfp_net_vq, vq), true);
}

/* Worker: the tap has packets for the guest. */
void vfp_rx_handle_sock(struct vfp_work *work)
{
	struct vfp_poll *poll = container_of(work, struct vfp_poll, work);

	vfp_rx_handle(container_of(poll, struct vfp_net_vq, sock_poll), false);
}
