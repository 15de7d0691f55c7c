// SPDX-License-Identifier: GPL-2.0
/*
 * XDP: attaching programs, running them on received packets, and sending
 * XDP frames (XDP_TX and ndo_xdp_xmit) through the transmit queues.
 *
 * A program sees each packet in one buffer with XDP_PACKET_HEADROOM in
 * front and room for skb_shared_info behind (rx.c lays buffers out so, or
 * copies). Guest offloads are turned off while a program is attached, so
 * the device sends neither GSO packets nor partial checksums, and the MTU
 * is capped so that a packet fits in a page.
 *
 * XDP_TX from receive queue N uses transmit queue N; ndo_xdp_xmit picks a
 * queue by CPU. Both share the queues with the stack under the tx lock.
 */
#include <linux/bpf.h>
#include <linux/bpf_trace.h>
#include <linux/filter.h>
#include <linux/if_vlan.h>
#include "virtio_guest.h"

unsigned int vgn_xdp_max_mtu(struct vgn_priv *vi)
{
	return PAGE_SIZE - VGN_XDP_HEADROOM - VGN_SHINFO_ROOM - vi->hdr_len -
	       ETH_HLEN - VLAN_HLEN;
}

static int vgn_xdp_set(struct net_device *dev, struct bpf_prog *prog,
		       struct netlink_ext_ack *extack)
{
	struct vgn_priv *vi = netdev_priv(dev);
	struct bpf_prog *old = rtnl_dereference(vi->xdp_prog);
	int err;

	if (prog && !old) {
		if (dev->mtu > vgn_xdp_max_mtu(vi)) {
			NL_SET_ERR_MSG_MOD(extack, "MTU too large for XDP");
			return -EINVAL;
		}
		if (vi->guest_offloads_capable) {
			err = vgn_ctrl_set_offloads(vi, 0);
			if (err) {
				NL_SET_ERR_MSG_MOD(extack,
						   "cannot turn guest offloads off for XDP");
				return -EOPNOTSUPP;
			}
		}
		/* Buffers posted from now on get XDP headroom. */
		WRITE_ONCE(vi->xdp_enabled, true);
	}
	rcu_assign_pointer(vi->xdp_prog, prog);
	if (!prog && old) {
		WRITE_ONCE(vi->xdp_enabled, false);
		if (vi->guest_offloads_capable &&
		    vgn_ctrl_set_offloads(vi, vi->guest_offloads_capable))
			netdev_warn(dev, "cannot turn guest offloads back on\n");
	}
	/* NAPI reads the program under RCU; the put waits for a grace period. */
	if (old)
		bpf_prog_put(old);
	return 0;
}

int vgn_xdp_bpf(struct net_device *dev, struct netdev_bpf *bpf)
{
	switch (bpf->command) {
	case XDP_SETUP_PROG:
		return vgn_xdp_set(dev, bpf->prog, bpf->extack);
	default:
		return -EINVAL;
	}
}

/* XDP_TX: queue @frame on the transmit queue paired with @rq. */
static int vgn_xdp_tx(struct vgn_rq *rq, struct xdp_frame *frame)
{
	struct vgn_sq *sq = &rq->vi->sq[rq->index];
	struct netdev_queue *txq = vgn_sq_txq(sq);
	int err;

	__netif_tx_lock(txq, smp_processor_id());
	vgn_tx_clean(sq, 0);
	err = vgn_tx_add_xdp(sq, frame);
	vgn_tx_xdp_sent(sq);
	__netif_tx_unlock(txq);
	return err;
}

/* End of a NAPI poll that did XDP_TX: notify the device once. */
void vgn_xdp_tx_kick(struct vgn_rq *rq)
{
	struct vgn_sq *sq = &rq->vi->sq[rq->index];
	struct netdev_queue *txq = vgn_sq_txq(sq);

	__netif_tx_lock(txq, smp_processor_id());
	vgn_tx_kick(sq);
	__netif_tx_unlock(txq);
}

/**
 * vgn_xdp_run - run an XDP program on a received packet
 * @rq: the receive queue, from its NAPI
 * @prog: the program
 * @xdp: the packet
 * @flags: gets VGN_XDP_FLUSH / VGN_XDP_KICK for the end of the poll
 *
 * Return: XDP_PASS (caller builds an skb), XDP_TX or XDP_REDIRECT (the
 * buffer is gone) or XDP_DROP (caller frees the buffer), whatever the
 * program asked for when that failed.
 */
u32 vgn_xdp_run(struct vgn_rq *rq, struct bpf_prog *prog,
		struct xdp_buff *xdp, unsigned int *flags)
{
	struct net_device *dev = rq->vi->dev;
	struct xdp_frame *frame;
	u32 act;

	act = bpf_prog_run_xdp(prog, xdp);
	switch (act) {
	case XDP_PASS:
	case XDP_DROP:
		return act;
	case XDP_TX:
		frame = xdp_convert_buff_to_frame(xdp);
		if (unlikely(!frame || vgn_xdp_tx(rq, frame)))
			break;
		*flags |= VGN_XDP_KICK;
		return act;
	case XDP_REDIRECT:
		if (unlikely(xdp_do_redirect(dev, xdp, prog)))
			break;
		*flags |= VGN_XDP_FLUSH;
		return act;
	default:
		bpf_warn_invalid_xdp_action(dev, prog, act);
		break;
	case XDP_ABORTED:
		break;
	}
	trace_xdp_exception(dev, prog, act);
	return XDP_DROP;
}

int vgn_xdp_xmit(struct net_device *dev, int n, struct xdp_frame **frames,
		 u32 flags)
{
	struct vgn_priv *vi = netdev_priv(dev);
	int cpu = smp_processor_id(), i;
	struct netdev_queue *txq;
	struct vgn_sq *sq;

	if (unlikely(flags & ~XDP_XMIT_FLAGS_MASK))
		return -EINVAL;
	if (unlikely(!netif_running(dev) || !netif_carrier_ok(dev)))
		return -ENETDOWN;

	sq = &vi->sq[cpu % READ_ONCE(vi->curr_pairs)];
	txq = vgn_sq_txq(sq);
	__netif_tx_lock(txq, cpu);
	vgn_tx_clean(sq, 0);
	for (i = 0; i < n; i++)
		if (vgn_tx_add_xdp(sq, frames[i]))
			break;
	vgn_tx_xdp_sent(sq);
	if (flags & XDP_XMIT_FLUSH)
		vgn_tx_kick(sq);
	__netif_tx_unlock(txq);
	/* The caller frees the frames we did not take. */
	return i;
}
