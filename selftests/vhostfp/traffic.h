/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Byte-exact bidirectional traffic through a vhost device and its tap:
 * the guest transmits numbered frames that a packet socket reads back on
 * the tap's netdev, and a packet socket transmits numbered frames that
 * the guest reads from its RX ring.  Every frame's bytes follow from its
 * direction and sequence number, so each one is checked in full, and a
 * lost, duplicated or reordered frame is caught by its number.
 */
#ifndef _VHOSTFP_SELFTEST_TRAFFIC_H
#define _VHOSTFP_SELFTEST_TRAFFIC_H

#include "guest.h"

#define FRAME_MIN		14	/* a tap drops anything shorter */
#define FRAME_MAX		65535
#define NET_HDR_LEN		10	/* struct virtio_net_hdr, packet sockets */

enum { DIR_TX = 1, DIR_RX = 2 };	/* seen from the guest */

struct traffic_cfg {
	unsigned long tx_packets;	/* guest -> host frames */
	unsigned long rx_packets;	/* host -> guest frames */
	unsigned int max_frame;		/* largest frame, <= FRAME_MAX */
	unsigned int big_one_in;	/* 1 in N frames jumbo, 1 in N GSO */
	bool gso;			/* some frames are TCPv4 GSO */
	bool indirect;			/* chains in indirect tables */
	bool mrg;			/* VIRTIO_NET_F_MRG_RXBUF */
	bool any_layout;		/* header may share a descriptor */
	bool tx_in_order;		/* TX used ring must be in order */
	bool verify;			/* check every byte */
	unsigned int hdr_len;		/* guest's virtio-net header */
	unsigned int window;		/* frames in flight per direction */
	int timeout_ms;			/* longest wait without progress */
	bool *stop;			/* set by another thread: return */
};

struct frame_spec {
	__u8 dir;
	__u32 seq;
	__u32 len;			/* frame bytes, Ethernet header included */
	__u16 mss;			/* TCPv4 GSO segment size; 0: none */
};

/* A virtqueue's buffers, in fixed slots: head = slot * stride. */
struct slot_ring {
	struct guest_vq *vq;
	unsigned int nslots;
	unsigned int stride;		/* ring descriptors per slot */
	__u64 *buf;			/* per slot: data area in guest memory */
	__u64 *table;		/* per slot: indirect table */
	__u32 *seq;			/* TX: frame number in the slot */
	__u8 *busy;			/* owned by the device */
	unsigned int *free;		/* stack of free slots */
	unsigned int nfree;
	unsigned int size;		/* RX: bytes a slot holds */
};

struct traffic {
	struct traffic_cfg cfg;
	struct guest_dev *dev;
	struct guest_tap *tap;
	struct slot_ring tx, rx;
	__u8 *frame;			/* scratch: a frame being built */
	__u8 *expect;		/* scratch: the frame we expect */
	__u8 *asm_buf;		/* RX: a frame gathered from buffers */
	size_t asm_len;
	unsigned int asm_left;		/* RX mergeable: buffers still due */
	unsigned long tx_sent;		/* frames the guest made available */
	unsigned long tx_used;		/* ... the device gave back */
	unsigned long tx_seen;		/* ... rx_sock received */
	unsigned long tx_reordered;	/* used entries out of ring order */
	unsigned long rx_sent;		/* frames tx_sock sent */
	unsigned long rx_recv;		/* ... the guest received */
	unsigned long stray;		/* frames that were not ours */
	bool send_blocked;		/* tx_sock said EAGAIN */
	char err[256];			/* why traffic_run() failed */
};

int traffic_init(struct traffic *t, struct guest_dev *d, struct guest_tap *tap,
		 const struct traffic_cfg *cfg);
int traffic_run(struct traffic *t);
void traffic_fini(struct traffic *t);
void traffic_cfg_default(struct traffic_cfg *cfg, bool mrg);

/* frame.c */
void frame_spec(const struct traffic_cfg *cfg, __u8 dir, __u32 seq,
		struct frame_spec *f);
void frame_fill(const struct frame_spec *f, __u8 *p);
void frame_net_hdr(const struct frame_spec *f, struct virtio_net_hdr *h);
bool frame_parse_id(const __u8 *p, size_t len, __u8 *dir, __u32 *seq);
int frame_check_hdr(const struct frame_spec *f, const struct virtio_net_hdr *h,
		    char *why, size_t whylen);
int frame_check(const struct frame_spec *f, const __u8 *p, size_t len,
		__u8 *scratch, char *why, size_t whylen);

#endif /* _VHOSTFP_SELFTEST_TRAFFIC_H */
