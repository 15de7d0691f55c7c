/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio_guest: a virtio-net guest driver on top of the kernel's virtio
 * core. Private definitions shared by the files of the module.
 *
 * Queue index map (virtio-net spec 5.1.2): the device numbers its
 * virtqueues receiveq0, transmitq0, receiveq1, transmitq1, ... and puts the
 * control queue, when there is one, after the last pair. Pair N is thus
 * rx vq 2N and tx vq 2N + 1; vgn_vq_to_pair() goes the other way.
 */
#ifndef _VIRTIO_GUEST_H
#define _VIRTIO_GUEST_H

#include <linux/netdevice.h>
#include <linux/u64_stats_sync.h>
#include <linux/virtio.h>
#include <linux/virtio_net.h>
#include <linux/workqueue.h>
#include <net/xdp.h>

#define VGN_DRV_NAME		"virtio_guest"

/* Room left in front of received data while an XDP program is attached. */
#define VGN_XDP_HEADROOM	XDP_PACKET_HEADROOM
/* Room an skb built around a buffer needs behind the data. */
#define VGN_SHINFO_ROOM		SKB_DATA_ALIGN(sizeof(struct skb_shared_info))
/* Mergeable buffer size without XDP: one full-size Ethernet frame. */
#define VGN_MRG_BUF_LEN		1536
/* A TX skb takes at most this many descriptors: header + linear + frags. */
#define VGN_TX_MAX_SG		(MAX_SKB_FRAGS + 2)
/* Largest packet the device may send us with guest GSO. */
#define VGN_GSO_MAX_LEN		(65535 + ETH_HLEN + VLAN_HLEN)

struct vgn_priv;

/* Per receive queue counters, updated by the queue's NAPI only. */
struct vgn_rq_stats {
	struct u64_stats_sync syncp;
	u64_stats_t packets;		/* packets passed up or handled by XDP */
	u64_stats_t bytes;		/* their bytes, virtio header excluded */
	u64_stats_t drops;		/* packets lost: no memory, bad length */
	u64_stats_t length_errors;	/* device reported impossible lengths */
	u64_stats_t kicks;		/* notifications after refilling */
	u64_stats_t xdp_packets;	/* packets an XDP program looked at */
	u64_stats_t xdp_pass;		/* ... and let through */
	u64_stats_t xdp_drop;		/* ... and dropped (incl. aborted) */
	u64_stats_t xdp_tx;		/* ... and sent back out (XDP_TX) */
	u64_stats_t xdp_redirect;	/* ... and redirected */
};

/* Per transmit queue counters, updated under the queue's tx lock. */
struct vgn_sq_stats {
	struct u64_stats_sync syncp;
	u64_stats_t packets;		/* skbs the device completed */
	u64_stats_t bytes;		/* their bytes */
	u64_stats_t drops;		/* skbs dropped before reaching the ring */
	u64_stats_t kicks;		/* device notifications */
	u64_stats_t stops;		/* times the ring filled up */
	u64_stats_t xdp_tx;		/* XDP frames queued (XDP_TX, redirect) */
	u64_stats_t xdp_tx_drops;	/* XDP frames that found the ring full */
};

/* A receive queue: one virtqueue, its NAPI and its buffer allocator. */
struct vgn_rq {
	struct virtqueue *vq;		/* the device's receiveqN */
	struct napi_struct napi;	/* polls vq; owns everything below */
	struct vgn_priv *vi;		/* back pointer */
	struct page_frag frag;		/* carves mergeable buffers */
	struct list_head spare;		/* unused pages of page chains */
	unsigned int nspare;		/* pages on that list */
	struct xdp_rxq_info xdp_rxq;	/* registered while the device is up */
	struct vgn_rq_stats stats;
	unsigned int index;		/* pair number */
	char name[16];			/* vq name, "input.N" */
	struct scatterlist sg[MAX_SKB_FRAGS + 2]; /* page chains (big mode) */
};

/* A transmit queue: one virtqueue and the NAPI that reaps it. */
struct vgn_sq {
	struct virtqueue *vq;		/* the device's transmitqN */
	struct napi_struct napi;	/* reaps completions; takes the tx lock */
	struct vgn_priv *vi;		/* back pointer */
	struct vgn_sq_stats stats;
	unsigned int index;		/* pair number */
	char name[16];			/* vq name, "output.N" */
	struct scatterlist sg[VGN_TX_MAX_SG]; /* used under the tx lock */
};

/* Buffers of the control queue: kmalloc'ed, so DMA-able. */
struct vgn_ctrl_buf {
	struct virtio_net_ctrl_hdr hdr;	/* class and command */
	virtio_net_ctrl_ack status;	/* written by the device */
	union {
		u8 on;				/* promisc / allmulti */
		u8 mac[ETH_ALEN];		/* MAC_ADDR_SET */
		struct virtio_net_ctrl_mq mq;	/* VQ_PAIRS_SET */
		__virtio64 offloads;		/* GUEST_OFFLOADS_SET */
	} data;
};

/* Driver state, netdev_priv() of the interface. */
struct vgn_priv {
	struct virtio_device *vdev;
	struct net_device *dev;
	struct vgn_rq *rq;		/* max_pairs receive queues */
	struct vgn_sq *sq;		/* max_pairs transmit queues */
	struct virtqueue *cvq;		/* control queue, NULL without CTRL_VQ */

	u16 max_pairs;			/* queue pairs the device has */
	/*
	 * Pairs in use: the device is told, and only they get receive
	 * buffers. Written under RTNL, read by NAPI (READ_ONCE).
	 */
	u16 curr_pairs;
	unsigned int hdr_len;		/* virtio-net header size on the wire */
	bool mergeable;			/* MRG_RXBUF: buffers chained by device */
	bool any_header_sg;		/* header may share a buffer with data */
	unsigned int big_pages;		/* pages per chain without MRG_RXBUF */
	bool guest_gso;			/* device may send us GSO packets */
	bool has_status;		/* STATUS: link state in config space */

	/* Serialises control queue commands; protects cvq and ctrl. */
	struct mutex ctrl_lock;
	struct vgn_ctrl_buf *ctrl;	/* command buffers */
	/* Buffer of the MAC filter table command, under ctrl_lock. */
	struct virtio_net_ctrl_mac *mac_table;
	unsigned int mac_table_len;	/* bytes allocated for it */

	/* Protects config_enabled and rx_mode_enabled. */
	spinlock_t work_lock;
	bool config_enabled;		/* config_work may be queued */
	bool rx_mode_enabled;		/* rx_mode_work may be queued */
	struct work_struct config_work;	/* reads link state, acks announce */
	struct work_struct rx_mode_work;/* sends rx mode and MAC filters */
	struct delayed_work refill_work;/* retries after a failed RX refill */

	u32 speed;			/* SPEED_UNKNOWN unless SPEED_DUPLEX */
	u8 duplex;			/* DUPLEX_UNKNOWN unless SPEED_DUPLEX */

	struct bpf_prog __rcu *xdp_prog;/* set under RTNL, read in NAPI */
	bool xdp_enabled;		/* RX buffers get XDP headroom */
	u64 guest_offloads;		/* offloads the device has now */
	u64 guest_offloads_capable;	/* offloads negotiated at probe */
	/* All-zero header placed in front of XDP frames on transmit. */
	struct virtio_net_hdr_mrg_rxbuf *xdp_hdr;
};

static inline unsigned int vgn_vq_to_pair(struct virtqueue *vq)
{
	return vq->index / 2;
}

/* Is pair @i in use, its receive queue to be kept filled? */
static inline bool vgn_pair_in_use(struct vgn_priv *vi, unsigned int i)
{
	return i < READ_ONCE(vi->curr_pairs);
}

static inline struct netdev_queue *vgn_sq_txq(struct vgn_sq *sq)
{
	return netdev_get_tx_queue(sq->vi->dev, sq->index);
}

/* netdev.c APIs: */
void vgn_netdev_setup(struct vgn_priv *vi);
bool vgn_pairs_fill(struct vgn_priv *vi, u16 from, u16 to);

/* rx.c APIs: */
void vgn_rx_done(struct virtqueue *vq);
int vgn_rx_poll(struct napi_struct *napi, int budget);
bool vgn_rx_refill(struct vgn_rq *rq, gfp_t gfp);
void vgn_rx_free_unused(struct vgn_rq *rq);
void vgn_rx_refill_work(struct work_struct *work);
void vgn_rx_size_chains(struct vgn_priv *vi);
void vgn_rx_spare_free(struct vgn_rq *rq);

/* tx.c APIs: */
void vgn_tx_done(struct virtqueue *vq);
int vgn_tx_poll(struct napi_struct *napi, int budget);
netdev_tx_t vgn_start_xmit(struct sk_buff *skb, struct net_device *dev);
int vgn_tx_add_xdp(struct vgn_sq *sq, struct xdp_frame *frame);
void vgn_tx_xdp_sent(struct vgn_sq *sq);
void vgn_tx_kick(struct vgn_sq *sq);
void vgn_tx_clean(struct vgn_sq *sq, int budget);
void vgn_tx_reap(struct vgn_sq *sq, int budget);
void vgn_tx_free_unused(struct vgn_sq *sq);

/* ctrl.c APIs: */
int vgn_ctrl_init(struct vgn_priv *vi);
void vgn_ctrl_uninit(struct vgn_priv *vi);
int vgn_ctrl_set_pairs(struct vgn_priv *vi, u16 pairs);
int vgn_ctrl_set_mac(struct vgn_priv *vi, const u8 *mac);
int vgn_ctrl_set_offloads(struct vgn_priv *vi, u64 offloads);
void vgn_rx_mode_work(struct work_struct *work);
void vgn_config_work(struct work_struct *work);
void vgn_config_changed(struct virtio_device *vdev);
void vgn_works_enable(struct vgn_priv *vi);
void vgn_works_disable(struct vgn_priv *vi);

/* ethtool.c APIs: */
extern const struct ethtool_ops vgn_ethtool_ops;
int vgn_set_pairs(struct vgn_priv *vi, u16 pairs);

/* affinity.c APIs: */
void vgn_set_affinity(struct vgn_priv *vi);

/* xdp.c APIs: */
int vgn_xdp_bpf(struct net_device *dev, struct netdev_bpf *bpf);
int vgn_xdp_xmit(struct net_device *dev, int n, struct xdp_frame **frames,
		 u32 flags);
/* vgn_xdp_run() flags: what the end of the NAPI poll must do. */
#define VGN_XDP_FLUSH	BIT(0)	/* xdp_do_flush() */
#define VGN_XDP_KICK	BIT(1)	/* vgn_xdp_tx_kick() */
u32 vgn_xdp_run(struct vgn_rq *rq, struct bpf_prog *prog,
		struct xdp_buff *xdp, unsigned int *flags);
void vgn_xdp_tx_kick(struct vgn_rq *rq);
unsigned int vgn_xdp_max_mtu(struct vgn_priv *vi);

#endif /* _VIRTIO_GUEST_H */
