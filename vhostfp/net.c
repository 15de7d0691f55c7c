// SPDX-License-Identifier: GPL-2.0
/*
 * The net backend's control side: attaching a tap to a queue
 * (VHOST_NET_SET_BACKEND), virtio-net header sizes, teardown.
 *
 * Queue map, as vhost-net: vq 0 (VHOST_FP_VQ_RX) carries packets to the
 * guest, vq 1 (VHOST_FP_VQ_TX) packets from the guest.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/file.h>
#include <linux/if_tap.h>
#include <linux/if_tun.h>
#include <linux/module.h>
#include <linux/net.h>
#include <linux/nospec.h>
#include <linux/uaccess.h>

#include "vhostfp.h"

void vfp_net_init(struct vfp_dev *dev)
{
	struct vfp_net_vq *rx = &dev->nvqs[VHOST_FP_VQ_RX];
	struct vfp_net_vq *tx = &dev->nvqs[VHOST_FP_VQ_TX];

	vfp_vq_init(&rx->vq, dev, VHOST_FP_VQ_RX, vfp_rx_handle_kick);
	vfp_vq_init(&tx->vq, dev, VHOST_FP_VQ_TX, vfp_tx_handle_kick);
	vfp_poll_init(&rx->sock_poll, &rx->vq, vfp_rx_handle_sock, EPOLLIN);
	vfp_poll_init(&tx->sock_poll, &tx->vq, vfp_tx_handle_sock, EPOLLOUT);
	vfp_vq_reset(&rx->vq);
	vfp_vq_reset(&tx->vq);
}

/*
 * Who handles the virtio-net header: with VHOST_NET_F_VIRTIO_NET_HDR we
 * add it (RX) and strip it (TX) for a tap without IFF_VNET_HDR; otherwise
 * the tap reads and writes it itself.  Caller holds every vq mutex.
 */
void vfp_net_set_features(struct vfp_dev *dev)
{
	size_t hlen = sizeof(struct virtio_net_hdr);
	unsigned int i;

	if (dev->features & ((1ULL << VIRTIO_NET_F_MRG_RXBUF) |
			     (1ULL << VIRTIO_F_VERSION_1)))
		hlen = sizeof(struct virtio_net_hdr_mrg_rxbuf);
	for (i = 0; i < VHOST_FP_NVQS; i++) {
		struct vfp_net_vq *nvq = &dev->nvqs[i];

		if (dev->features & (1ULL << VHOST_NET_F_VIRTIO_NET_HDR)) {
			nvq->vhost_hlen = hlen;
			nvq->sock_hlen = 0;
		} else {
			nvq->vhost_hlen = 0;
			nvq->sock_hlen = hlen;
		}
	}
}

/*
 * tun and tap are looked up at run time so that vhostfp loads without
 * them: a file of theirs is open, so the module that owns it is loaded
 * and stays loaded while we hold the file.
 */
static struct socket *vfp_net_tun_sock(struct file *file)
{
	struct socket *(*get)(struct file *file);
	struct socket *sock = ERR_PTR(-ENOTSOCK);

	get = symbol_get(tun_get_socket);
	if (get) {
		sock = get(file);
		symbol_put(tun_get_socket);
	}
	return sock;
}

static struct socket *vfp_net_tap_sock(struct file *file)
{
	struct socket *(*get)(struct file *file);
	struct socket *sock = ERR_PTR(-ENOTSOCK);

	get = symbol_get(tap_get_socket);
	if (get) {
		sock = get(file);
		symbol_put(tap_get_socket);
	}
	return sock;
}

/* The tap's packet queue for batched RX; NULL: use plain recvmsg(). */
static struct ptr_ring *vfp_net_rx_ring(struct file *file)
{
	struct ptr_ring *(*get)(struct file *file);
	struct ptr_ring *ring = ERR_PTR(-EINVAL);

	get = symbol_get(tun_get_tx_ring);
	if (get) {
		ring = get(file);
		symbol_put(tun_get_tx_ring);
	}
	if (!IS_ERR(ring))
		return ring;
	get = symbol_get(tap_get_ptr_ring);
	if (get) {
		ring = get(file);
		symbol_put(tap_get_ptr_ring);
	}
	return IS_ERR(ring) ? NULL : ring;
}

/* A tun or tap (macvtap/ipvtap) file; anything else is refused. */
static struct file *vfp_net_get_sock(int fd, struct socket **sockp)
{
	struct socket *sock;
	struct file *file;

	file = fget(fd);
	if (!file)
		return ERR_PTR(-EBADF);
	sock = vfp_net_tun_sock(file);
	if (IS_ERR(sock))
		sock = vfp_net_tap_sock(file);
	if (IS_ERR(sock)) {
		fput(file);
		return ERR_PTR(-ENOTSOCK);
	}
	*sockp = sock;
	return file;
}

/*
 * Stop the queue's data path.  Caller holds the vq mutex.
 *
 * @stop (VHOST_NET_SET_BACKEND): zero-copy buffers still in flight are
 * waited for and given back, so that GET_VRING_BASE after this describes
 * a quiet ring; the wait lasts as long as the host's egress holds them
 * (zero-copy is off by default for this reason, see tx_zc.c), and a fatal
 * signal ends it.  Otherwise (close, RESET_OWNER) nothing is waited for:
 * the in-flight buffers are given up, as is the ring.
 *
 * Guest memory is the owner's address space: it is written here only
 * from the owner (ioctls, a close() by the owner).  A last close from
 * elsewhere, or at the owner's exit, leaves the ring as it is: nobody
 * can use it any more.
 */
static void vfp_net_detach(struct vfp_net_vq *nvq, bool stop)
{
	struct vfp_vq *vq = &nvq->vq;
	bool owner = current->mm && current->mm == vq->dev->mm;
	struct vfp_zc *zc = nvq->zc;

	lockdep_assert_held(&vq->mutex);
	if (!nvq->sock_file)
		return;
	vfp_ident_set(nvq, NULL);
	vfp_poll_stop(&nvq->sock_poll);
	if (zc) {
		if (stop)
			vfp_zc_wait(zc);
		if (owner)
			vfp_zc_reap(zc);
		/* Pairs with the READ_ONCE() of a lockless stats read. */
		WRITE_ONCE(nvq->zc, NULL);
		vfp_zc_release(zc);
	}
	if (owner)
		vfp_vq_flush_used(vq);
	vq->used_count = 0;
	vfp_rx_unqueue(nvq);
	vfp_txb_release(nvq);
	vfp_zchdr_uninit(nvq);
	vq->private_data = NULL;
	nvq->sock = NULL;
	fput(nvq->sock_file);
	nvq->sock_file = NULL;
}

static int vfp_net_attach(struct vfp_net_vq *nvq, struct file *file,
			  struct socket *sock)
{
	struct vfp_vq *vq = &nvq->vq;
	int ret;

	lockdep_assert_held(&vq->mutex);
	/*
	 * A tap whose netdev is gone polls EPOLLERR: refused on either
	 * queue, as vhost-net does, rather than dropping every TX packet.
	 */
	if (vfs_poll(file, NULL) & EPOLLERR)
		return -EINVAL;
	ret = vfp_vq_start(vq);
	if (ret)
		return ret;
	if (vq->index == VHOST_FP_VQ_TX) {
		ret = vfp_zchdr_init(nvq);
		if (ret)
			return ret;
		nvq->zc = vfp_zc_create(nvq, vq->num);
		if (IS_ERR(nvq->zc)) {
			ret = PTR_ERR(nvq->zc);
			nvq->zc = NULL;
			vfp_zchdr_uninit(nvq);
			return ret;
		}
	}
	nvq->sock_file = file;
	nvq->sock = sock;
	vq->private_data = sock;
	if (vq->index == VHOST_FP_VQ_RX) {
		nvq->rx_ring = vfp_net_rx_ring(file);
		ret = vfp_poll_start(&nvq->sock_poll, file);
		if (ret) {
			/* The caller still owns the file reference. */
			get_file(file);
			vfp_net_detach(nvq, false);
			return ret;
		}
	}
	vfp_vq_queue_kick(vq);
	return 0;
}

/*
 * VHOST_NET_SET_BACKEND.  Caller holds dev->mutex.
 *
 * Touches one queue, under its mutex only: the worker goes on serving the
 * other.  That is how QEMU resets a single queue (VIRTIO_F_RING_RESET):
 * fd -1 here, which it asserts succeeds (so a detach never fails), then
 * GET_VRING_BASE; later SET_VRING_NUM/BASE/ADDR/KICK/CALL on that queue
 * and the tap again.  After the detach the queue's old ring is left alone
 * (zero-copy buffers were given back in it, logged); the attach builds
 * every size-dependent structure afresh from the new ring (vfp_vq_start(),
 * vfp_zc_create()), and dirty logging follows SET_VRING_ADDR's flag.
 */
long vfp_net_set_backend(struct vfp_dev *dev, void __user *argp)
{
	struct vhost_vring_file f;
	struct vfp_ident ident;
	struct socket *sock = NULL;
	struct file *file = NULL;
	struct vfp_net_vq *nvq;
	long ret = 0;

	if (copy_from_user(&f, argp, sizeof(f)))
		return -EFAULT;
	if (f.index >= VHOST_FP_NVQS)
		return -ENOBUFS;
	nvq = &dev->nvqs[array_index_nospec(f.index, VHOST_FP_NVQS)];
	if (f.fd != -1) {
		file = vfp_net_get_sock(f.fd, &sock);
		if (IS_ERR(file))
			return PTR_ERR(file);
		vfp_ident_probe(file, sock, &ident);
	}
	mutex_lock(&nvq->vq.mutex);
	if (file && file == nvq->sock_file) {
		fput(file);
		goto out;
	}
	vfp_net_detach(nvq, true);
	if (file) {
		ret = vfp_net_attach(nvq, file, sock);
		if (ret)
			fput(file);
		else
			vfp_ident_set(nvq, &ident);
	}
out:
	mutex_unlock(&nvq->vq.mutex);
	return ret;
}

/* Detach both queues, waiting for nothing.  Caller holds dev->mutex. */
void vfp_net_stop(struct vfp_dev *dev)
{
	unsigned int i;

	for (i = 0; i < VHOST_FP_NVQS; i++) {
		mutex_lock(&dev->nvqs[i].vq.mutex);
		vfp_net_detach(&dev->nvqs[i], false);
		mutex_unlock(&dev->nvqs[i].vq.mutex);
	}
	if (dev->worker)
		vfp_worker_flush(dev->worker);
}
