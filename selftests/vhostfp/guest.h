/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A userspace "guest" for driving a vhost-kernel device (/dev/vhost-net or
 * /dev/vhost-fp) from a plain process: guest memory behind a memory table,
 * split or packed virtqueues in that memory, eventfds, and a tap device as
 * backend.
 *
 * Both layouts share one way of building chains: guest_vq_set_desc() fills
 * a descriptor table (the ring's own for split, a private shadow table for
 * packed, where it is a staging area), guest_vq_add(head) makes the chain
 * at head available (packed: copies it into the ring at the next free
 * positions, with buffer id = head) and guest_vq_publish() exposes what
 * was added and kicks when the device wants it.
 *
 * Guest-physical addresses are deliberately unrelated to the process's
 * virtual addresses, and the regions are mapped in reverse order: the
 * region at the lowest guest address lives at the highest host address.
 * A device that forgets to translate, or that assumes a buffer which is
 * contiguous in guest memory is contiguous in host memory, corrupts data
 * or faults instead of passing.
 */
#ifndef _VHOSTFP_SELFTEST_GUEST_H
#define _VHOSTFP_SELFTEST_GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <net/if.h>
#include <linux/vhost.h>
#include <linux/virtio_ring.h>
#include <linux/virtio_net.h>

/* Users that predate packed rings (bench/) test for this. */
#define GUEST_HAVE_PACKED	1

#define GUEST_GPA_BASE		0x100000000ULL	/* 4 GiB: not an address of ours */
#define GUEST_REGION_SIZE	(16UL << 20)
#define GUEST_NREGIONS		2
#define GUEST_MEM_SIZE		(GUEST_REGION_SIZE * GUEST_NREGIONS)

#define VQ_RX			0
#define VQ_TX			1

struct guest_mem {
	__u8 *hva;		/* one mapping holding every region */
	__u64 next;		/* bump allocator: next free guest offset */
};

struct guest_vq {
	unsigned int index;	/* VQ_RX or VQ_TX */
	unsigned int num;	/* ring size, a power of two */
	bool event_idx;		/* VIRTIO_RING_F_EVENT_IDX negotiated */
	bool packed;		/* VIRTIO_F_RING_PACKED negotiated */
	struct vring_desc *desc;	/* split: in guest memory; packed: shadow */
	struct vring_avail *avail;	/* split only */
	struct vring_used *used;	/* split only */
	/* Packed only. */
	struct vring_packed_desc *ring;
	struct vring_packed_desc_event *driver_ev;	/* ours: calls */
	struct vring_packed_desc_event *device_ev;	/* device's: kicks */
	__u16 next_avail;	/* ring position of the next chain */
	bool avail_wrap;	/* driver wrap counter at next_avail */
	bool used_wrap;		/* wrap counter at last_used (a position) */
	__u16 added;		/* descriptors added since the last publish */
	__u16 *chain_len;	/* per buffer id: ring descriptors it took */
	__u32 *pending;		/* added heads: position | flags << 16 */
	unsigned int npending;
	int kick;		/* eventfd: guest -> device */
	int call;		/* eventfd: device -> guest */
	int err;		/* eventfd: device reports a guest error */
	__u16 avail_idx;	/* next avail index the guest publishes */
	__u16 kicked_idx;	/* avail index at the last kick decision */
	__u16 last_used;	/* next used index the guest consumes */
	unsigned long kicks;	/* eventfd writes, for diagnostics */
};

struct guest_dev {
	int fd;			/* the vhost device */
	bool is_fp;		/* /dev/vhost-fp rather than /dev/vhost-net */
	__u64 features;	/* negotiated */
	struct guest_mem mem;
	struct guest_vq vq[2];	/* VQ_RX, VQ_TX */
	bool owned;		/* VHOST_SET_OWNER done */
	const char *failed_op;	/* the step guest_dev_start() failed at */
};

struct guest_tap {
	int fd;			/* the tap queue handed to the device */
	char name[IFNAMSIZ];
	int ifindex;
	int hdr_len;		/* TUNSETVNETHDRSZ */
	int tx_sock;		/* AF_PACKET: host -> tap -> guest RX */
	int rx_sock;		/* AF_PACKET: guest TX -> tap -> here */
};

/* guest.c: memory */
int guest_mem_init(struct guest_mem *m);
void guest_mem_fini(struct guest_mem *m);
__u64 guest_alloc(struct guest_mem *m, size_t len, size_t align);
__u64 guest_alloc_contig(struct guest_mem *m, size_t len, size_t align);
void *guest_hva(struct guest_mem *m, __u64 gpa, size_t len);
void guest_write(struct guest_mem *m, __u64 gpa, const void *src, size_t len);
void guest_read(struct guest_mem *m, __u64 gpa, void *dst, size_t len);
int guest_set_mem_table(int fd, struct guest_mem *m);

/* guest.c: virtqueues */
int guest_vq_init(struct guest_vq *vq, struct guest_mem *m, unsigned int index,
		  unsigned int num, bool event_idx);
int guest_vq_init_packed(struct guest_vq *vq, struct guest_mem *m,
			 unsigned int index, unsigned int num, bool event_idx);
__u32 guest_vq_base(const struct guest_vq *vq);
void guest_vq_fini(struct guest_vq *vq);
int guest_vq_setup(int fd, struct guest_vq *vq, const char **failed_op);
int guest_vq_setup_addr(int fd, struct guest_vq *vq,
			const struct vhost_vring_addr *addr,
			const char **failed_op);
int guest_vq_setup_fds(int fd, struct guest_vq *vq, const char **failed_op);
void guest_vq_add(struct guest_vq *vq, __u16 head);
bool guest_vq_publish(struct guest_vq *vq);
bool guest_vq_get_used(struct guest_vq *vq, __u32 *id, __u32 *len);
bool guest_vq_has_used(struct guest_vq *vq);
bool guest_vq_enable_cb(struct guest_vq *vq);
void guest_vq_disable_cb(struct guest_vq *vq);
void guest_vq_set_desc(struct guest_vq *vq, __u16 i, __u64 gpa,
		       __u32 len, __u16 flags, __u16 next);
void guest_vq_write_table(struct guest_vq *vq, struct guest_mem *m,
			  __u64 table, unsigned int i, __u64 gpa, __u32 len,
			  __u16 flags);
int guest_eventfd_drain(int efd);
int guest_eventfd_wait(int efd, int timeout_ms);

/* guest.c: the device */
const char *guest_dev_path(bool fp);
bool guest_dev_present(bool fp);
int guest_dev_open(struct guest_dev *d, bool fp);
int guest_dev_set_owner(struct guest_dev *d);
int guest_dev_start(struct guest_dev *d, __u64 features, unsigned int num,
		    int backend);
void guest_dev_close(struct guest_dev *d);
int guest_set_backend(int fd, unsigned int index, int backend);

/* tap.c */
int tap_netns_enter(void);
int tap_open(struct guest_tap *t, const char *name, int hdr_len,
	     unsigned int offloads);
int tap_open_sockets(struct guest_tap *t);
void tap_close(struct guest_tap *t);
int tap_set_mtu(const char *name, int mtu);
int tap_set_up(const char *name);

/* Ioctls that return -errno instead of -1 with errno set. */
int xioctl(int fd, unsigned long req, void *arg);

/* Integer knob from the environment, with a default. */
unsigned long env_ulong(const char *name, unsigned long def);

#endif /* _VHOSTFP_SELFTEST_GUEST_H */
