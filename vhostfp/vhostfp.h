/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vhostfp private header.
 *
 * Layering: the ring engine (vq.c above vq_split.c and vq_packed.c, both
 * above vq_desc.c; mem.c, log.c, iotlb.c) moves buffers described by guest
 * rings and knows nothing of networking; the net backend (net.c, rx.c and
 * the TX files: tx.c, tx_batch.c, tx_zc.c, tx_zchdr.c) moves packets and
 * knows nothing of ring layout.  worker.c and poll.c run the handlers;
 * dev.c owns the per-open state.
 */
#ifndef _VHOSTFP_H
#define _VHOSTFP_H

#include <linux/atomic.h>
#include <linux/bvec.h>
#include <linux/eventfd.h>
#include <linux/llist.h>
#include <linux/mm_types.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/ptr_ring.h>
#include <linux/ratelimit.h>
#include <linux/rbtree.h>
#include <linux/skbuff.h>
#include <linux/spinlock.h>
#include <linux/uio.h>
#include <linux/vhost.h>
#include <linux/virtio_byteorder.h>
#include <linux/virtio_ring.h>
#include <linux/virtio_net.h>
#include <linux/vhost_fp.h>
#include <net/xdp.h>

#include "iotlb.h"
#include "mem.h"

/* Longest ring the virtio spec allows (split; packed rings too). */
#define VFP_VQ_NUM_MAX		32768
/* iovecs one packet (all its merged buffers) may span. */
#define VFP_IOV_MAX		1024
/* Used entries collected before they are written out. */
#define VFP_USED_BATCH		64
/* Avail ring heads fetched with one user copy. */
#define VFP_HEAD_BATCH		64
/* Packets taken off the tap's queue at once. */
#define VFP_RX_BATCH		64
/* A zero-copy packet's bvec: its headers' page and a skb's frags. */
#define VFP_ZCHDR_PAGES		(MAX_SKB_FRAGS + 1)
/* Small TX packets handed to the tap with one sendmsg(). */
#define VFP_TXB_MAX		64
/* A handler yields after this many packets or bytes in one pass. */
#define VFP_WEIGHT_PACKETS	256
#define VFP_WEIGHT_BYTES	(512 * 1024)
/* Longest busy poll, whatever VHOST_SET_VRING_BUSYLOOP_TIMEOUT says. */
#define VFP_BUSY_POLL_MAX_US	10000
/* VHOST_IOTLB_MISS messages waiting for userspace to read them. */
#define VFP_IOTLB_MISS_MAX	64

/*
 * VIRTIO_F_RING_RESET asks nothing new of the device: QEMU resets one
 * queue by detaching its vring (VHOST_NET_SET_BACKEND fd -1), reading its
 * base, re-programming it (possibly at a new size) and attaching it again,
 * all of which vhostfp accepts on one queue while the other runs (net.c).
 */
#define VFP_FEATURES	((1ULL << VIRTIO_F_VERSION_1) |			\
			 (1ULL << VIRTIO_F_ANY_LAYOUT) |		\
			 (1ULL << VIRTIO_F_NOTIFY_ON_EMPTY) |		\
			 (1ULL << VIRTIO_RING_F_INDIRECT_DESC) |	\
			 (1ULL << VIRTIO_RING_F_EVENT_IDX) |		\
			 (1ULL << VIRTIO_F_RING_PACKED) |		\
			 (1ULL << VIRTIO_NET_F_MRG_RXBUF) |		\
			 (1ULL << VHOST_NET_F_VIRTIO_NET_HDR) |		\
			 (1ULL << VHOST_F_LOG_ALL) |			\
			 (1ULL << VIRTIO_F_ACCESS_PLATFORM) |		\
			 (1ULL << VIRTIO_F_RING_RESET))

#define VFP_BACKEND_FEATURES	((1ULL << VHOST_BACKEND_F_IOTLB_MSG_V2) | \
				 (1ULL << VHOST_BACKEND_F_IOTLB_BATCH))

/* Why a packet was dropped: the vfp_drop tracepoint (trace.h). */
enum vfp_drop_reason {
	VFP_DROP_TX_BAD_BUF,		/* a TX buffer the guest got wrong */
	VFP_DROP_TX_TAP,		/* the tap refused it for good */
	VFP_DROP_TX_ZC_UNSENT,		/* zero-copy send failed, given back */
	VFP_DROP_TX_BATCH,		/* the tap refused a whole batch */
	VFP_DROP_RX_TOO_BIG,		/* bigger than the guest's buffers */
	VFP_DROP_RX_RECV,		/* the tap's recvmsg failed */
	VFP_DROP_RX_HEADER,		/* its header could not be written */
};

/* Why a TX packet meant for zero-copy was copied: vfp_zc_fallback. */
enum vfp_zc_reason {
	VFP_ZC_FALLBACK_PENDING,	/* zc_max_pending buffers in flight */
	VFP_ZC_FALLBACK_HEADERS,	/* its headers could not be pinned */
	VFP_ZC_FALLBACK_STACK,		/* the stack copied it after all */
};

struct vfp_dev;
struct vfp_vq;
struct vfp_work;

typedef void (*vfp_work_fn_t)(struct vfp_work *work);

/* A unit of work for a worker; queued at most once at a time. */
struct vfp_work {
	struct llist_node node;
	unsigned long flags;		/* VFP_WORK_QUEUED, atomic bitops */
	vfp_work_fn_t fn;
};

#define VFP_WORK_QUEUED		0

/* The thread that runs a device's handlers in its owner's mm (worker.c). */
struct vfp_worker {
	struct task_struct *task;	/* a kthread (6.1), or NULL */
	struct vhost_task *vtsk;	/* a thread of the owner (6.12), or NULL */
	struct llist_head work_list;	/* lock-free, any context adds */
	struct mm_struct *mm;		/* owner's mm, adopted by a kthread */
	bool batch_more;		/* worker only: taken work still to run */
	pid_t pid;			/* its thread id; written by itself */
	/* Protects killed: a flush checks it and queues in one step. */
	spinlock_t lock;
	bool killed;			/* vhost_task died with its owner */
};

/*
 * One busy poll of a handler (poll.c), on its stack: started when the
 * handler first finds nothing to do, ended by work or by the timeout.
 */
struct vfp_busy {
	u64 start;			/* local_clock(); 0: not polling */
	u64 end;
};

/* A wait queue entry that turns wakeups matching mask into work. */
struct vfp_poll {
	poll_table table;
	wait_queue_head_t *wqh;		/* NULL when not polling */
	wait_queue_entry_t wait;
	struct vfp_work work;
	__poll_t mask;
	struct vfp_vq *vq;		/* whose worker runs work */
};

/* A guest-physical range written by the device, for the dirty log. */
struct vfp_log {
	u64 gpa;
	u64 len;
};

struct vfp_iotlb_miss {
	u64 iova;
	u8 perm;
};

/* A device's IOTLB (iotlb.c), used with VIRTIO_F_ACCESS_PLATFORM. */
struct vfp_iotlb {
	struct vfp_iotlb_tree tree;	/* the entries (iotlb_tree.c) */
	/* Protects miss[], miss_head, miss_count: worker and readers. */
	spinlock_t miss_lock;
	struct vfp_iotlb_miss miss[VFP_IOTLB_MISS_MAX];
	unsigned int miss_head;
	unsigned int miss_count;
	wait_queue_head_t wait;		/* readers of the fd: misses */
	/* Under dev->mutex: */
	bool in_batch;			/* between BATCH_BEGIN and _END */
	bool batch_kick;		/* an UPDATE in the batch: kick at END */
	u64 updates;			/* UPDATE messages taken */
	u64 invalidates;		/* INVALIDATE messages taken */
};

/* A ring area: desc, avail (driver event) or used (device event). */
struct vfp_vq_area {
	u64 len;
	u8 perm;			/* VHOST_ACCESS_* the device needs */
};

#define VFP_VQ_AREAS		3

/* One buffer (descriptor chain) taken from the avail ring. */
struct vfp_buf {
	u16 id;				/* what the used entry names */
	u16 ndesc;			/* descriptors it consumed */
	unsigned int nread;		/* direct + indirect read: <= num */
	unsigned int out_num;		/* device-readable iovecs */
	unsigned int in_num;		/* device-writable iovecs, after out */
	unsigned int log_num;		/* vfp_log entries filled */
	u64 out_len;
	u64 in_len;
	/*
	 * An IOTLB miss in one of its ranges: the walk goes on to queue the
	 * misses of the rest of the chain, then the buffer is given back.
	 */
	bool iotlb_miss;
};

struct vfp_used {
	u32 id;
	u32 len;
};

/* Ring layout specific half of the engine: vq_split.c, vq_packed.c. */
struct vfp_vq_ops {
	int (*check_addr)(struct vfp_vq *vq);
	/* Sizes and access of desc, avail and used, in that order. */
	void (*areas)(const struct vfp_vq *vq, struct vfp_vq_area *area);
	int (*init_access)(struct vfp_vq *vq);
	/* Frees what init_access() took; NULL: it takes nothing. */
	void (*release)(struct vfp_vq *vq);
	int (*get_buf)(struct vfp_vq *vq, struct vfp_buf *buf,
		       struct iovec *iov, unsigned int iov_max,
		       struct vfp_log *log, unsigned int log_max);
	void (*discard)(struct vfp_vq *vq, unsigned int nbufs);
	int (*write_used)(struct vfp_vq *vq, const struct vfp_used *used,
			  unsigned int n);
	bool (*need_signal)(struct vfp_vq *vq);
	bool (*enable_notify)(struct vfp_vq *vq);
	void (*disable_notify)(struct vfp_vq *vq);
};

/*
 * Per-queue counters, written by the worker only: the COUNT entries of
 * <linux/vhost_fp_counters.h>, which says what each counts (stats.c reads
 * them through that list: a field missing here does not compile).
 */
struct vfp_vq_stats {
	u64 packets;
	u64 bytes;
	u64 zc_sent;
	u64 zc_completed;
	u64 zc_copied;
	u64 kicks;
	u64 calls;
	u64 batches;
	u64 drops;
	u64 guest_errors;
	u64 busy_polls;
	u64 busy_poll_hits;
	u64 busy_poll_ns;
	u64 iotlb_misses;
	u64 zc_stop_waits;
	u64 zc_stop_bufs;
	u64 zc_stop_wait_ns;
	u64 zc_orphaned;
};

struct vfp_vq {
	struct vfp_dev *dev;
	unsigned int index;		/* VHOST_FP_VQ_RX or _TX */
	/*
	 * Protects every field below: held by the ioctls that change the
	 * queue and by the handler while it works on the ring.
	 */
	struct mutex mutex;
	const struct vfp_vq_ops *ops;
	struct vfp_worker *worker;	/* set at SET_OWNER, dev->mutex too */
	struct vfp_poll kick_poll;	/* guest kicks: backend's handler */
	void *private_data;		/* backend; non-NULL: queue running */

	unsigned int num;
	/*
	 * Split: descriptor table, avail ring, used ring.  Packed: the
	 * descriptor ring, the driver event suppression structure (in
	 * avail's place) and the device's (in used's): vq_packed.c casts.
	 */
	struct vring_desc __user *desc;
	struct vring_avail __user *avail;
	struct vring_used __user *used;
	/*
	 * The ring addresses SET_VRING_ADDR gave: user addresses, or IOVAs
	 * with VIRTIO_F_ACCESS_PLATFORM, when desc, avail and used hold
	 * their translations while iotlb_meta_ok (NULL otherwise).
	 */
	u64 desc_addr;
	u64 avail_addr;
	u64 used_addr;
	bool iotlb_meta_ok;		/* rings translated, see above */
	bool iotlb_init_pending;	/* init_access() waits for them */
	struct vfp_iotlb_hit iotlb_hit;	/* last translation used */
	u64 log_addr;			/* gpa of the used ring */
	bool log_used;			/* VHOST_VRING_F_LOG set */

	u64 features;			/* acked, copied from dev */
	bool little_endian;
	struct vfp_mem *mem;		/* copied from dev */
	unsigned int mem_hint;		/* region last found, any table */

	u16 last_avail_idx;		/* next avail entry to take */
	/*
	 * Split: the guest's avail idx, last read.  Packed: position |
	 * wrap << 15 where the ring was last found empty.
	 */
	u16 avail_idx;
	u16 last_used_idx;		/* next used entry to write */
	/* Packed only: the ring positions above are < num, these go with. */
	bool avail_wrap;		/* wrap counter at last_avail_idx */
	bool used_wrap;			/* wrap counter at last_used_idx */
	struct vfp_packed *packed;	/* buffers in flight, vq_packed.c */
	u16 signalled_used;		/* used idx at the last call */
	bool signalled_used_valid;
	__virtio16 heads[VFP_HEAD_BATCH]; /* prefetched avail ring entries */
	unsigned int heads_pos, heads_len;

	struct vfp_used used_batch[VFP_USED_BATCH];
	unsigned int used_count;
	bool signal_pending;		/* used idx moved since last call */

	struct file *kick;
	struct eventfd_ctx *call_ctx;
	struct eventfd_ctx *err_ctx;
	u32 busyloop_timeout;		/* us; 0: no busy polling */

	struct ratelimit_state err_rs;
	struct vfp_vq_stats stats;
};

/* The backend a queue is attached to, as ident.c found it. */
struct vfp_ident {
	bool attached;
	char kind[16];			/* rtnl link kind: tun, macvtap, ... */
	char ifname[IFNAMSIZ];		/* "": not found */
	int ifindex;			/* 0: not found */
	int queue;			/* the backend's queue; -1: unknown */
};

/* Net side of one queue (RX or TX). */
struct vfp_net_vq {
	struct vfp_vq vq;
	struct socket *sock;		/* protected by vq.mutex */
	struct file *sock_file;		/* holds sock; vq.mutex */
	struct vfp_poll sock_poll;	/* readable (RX) / writable (TX) */
	size_t vhost_hlen;		/* header we add (RX) / strip (TX) */
	size_t sock_hlen;		/* header the tap adds / parses */
	struct vfp_zc *zc;		/* TX only: zero-copy state */
	/* TX only, zero-copy: headers copied, guest pages pinned (tx_zchdr.c). */
	struct page *zchdr;
	struct bio_vec zcbv[VFP_ZCHDR_PAGES];
	unsigned int zcbv_num;
	/* TX only: small packets waiting for one sendmsg() (tx_batch.c). */
	bool txb_ok;			/* the tap allows batching */
	unsigned int txb_num;
	struct xdp_buff txb[VFP_TXB_MAX];
	struct page_frag_cache txb_frags;
	/*
	 * RX only: the tap's queue of packets (NULL: use peek_len() and
	 * plain recvmsg()) and a batch taken off it, not yet received:
	 * rxq[rxq_head..rxq_tail).  All vq.mutex.
	 */
	struct ptr_ring *rx_ring;
	void *rxq[VFP_RX_BATCH];
	unsigned int rxq_head, rxq_tail;
	struct iovec iov[VFP_IOV_MAX];
	struct vfp_log log[VFP_IOV_MAX];
	struct vfp_used heads[VFP_IOV_MAX]; /* RX: buffers of one packet */
	struct vfp_ident ident;		/* vfp_devs_lock */
};

struct vfp_dev {
	/* Protects the fields below and serializes the ioctls. */
	struct mutex mutex;
	struct mm_struct *mm;		/* owner's; NULL: no owner */
	struct vfp_worker *worker;
	pid_t owner_tgid;
	unsigned int id;		/* unique, names the debugfs dir */
	struct dentry *debugfs;
	struct list_head node;		/* in vfp_devs while owned */
	u64 features;
	u64 backend_features;
	struct vfp_mem *mem;
	void __user *log_base;
	struct eventfd_ctx *log_ctx;	/* also read by handlers: vq mutex */
	struct vhost_fp_tunables tunables; /* read by TX under vq mutex */
	struct vfp_iotlb iotlb;
	struct vfp_net_vq nvqs[VHOST_FP_NVQS];
};

static inline u16 vfp16_to_cpu(const struct vfp_vq *vq, __virtio16 v)
{
	return __virtio16_to_cpu(vq->little_endian, v);
}

static inline __virtio16 cpu_to_vfp16(const struct vfp_vq *vq, u16 v)
{
	return __cpu_to_virtio16(vq->little_endian, v);
}

static inline u32 vfp32_to_cpu(const struct vfp_vq *vq, __virtio32 v)
{
	return __virtio32_to_cpu(vq->little_endian, v);
}

static inline __virtio32 cpu_to_vfp32(const struct vfp_vq *vq, u32 v)
{
	return __cpu_to_virtio32(vq->little_endian, v);
}

static inline u64 vfp64_to_cpu(const struct vfp_vq *vq, __virtio64 v)
{
	return __virtio64_to_cpu(vq->little_endian, v);
}

static inline bool vfp_has_feature(const struct vfp_vq *vq, unsigned int bit)
{
	return vq->features & (1ULL << bit);
}

/* Ring and buffer addresses are IOVAs, translated through the IOTLB. */
static inline bool vfp_vq_iotlb(const struct vfp_vq *vq)
{
	return vfp_has_feature(vq, VIRTIO_F_ACCESS_PLATFORM);
}

/* main.c APIs: */
extern bool vfp_zerocopy_default;
extern unsigned int vfp_zc_threshold_default;
extern bool vfp_as_vhost_net;

/* dev.c APIs: */
int vfp_dev_init(void);
void vfp_dev_uninit(void);

/* worker.c APIs: */
int vfp_worker_create(struct vfp_worker **out, struct mm_struct *mm,
		      const char *name);
void vfp_worker_destroy(struct vfp_worker *worker);
void vfp_work_init(struct vfp_work *work, vfp_work_fn_t fn);
void vfp_worker_queue(struct vfp_worker *worker, struct vfp_work *work);
void vfp_worker_flush(struct vfp_worker *worker);
bool vfp_worker_has_other_work(struct vfp_worker *worker,
			       const struct vfp_work *own);
u8 vfp_worker_mode(void);

/* poll.c APIs: */
void vfp_poll_init(struct vfp_poll *poll, struct vfp_vq *vq,
		   vfp_work_fn_t fn, __poll_t mask);
int vfp_poll_start(struct vfp_poll *poll, struct file *file);
void vfp_poll_stop(struct vfp_poll *poll);
void vfp_poll_queue(struct vfp_poll *poll);
bool vfp_busy_poll(struct vfp_vq *vq, struct vfp_busy *busy,
		   const struct vfp_work *own);
void vfp_busy_poll_found(struct vfp_vq *vq, struct vfp_busy *busy);
bool vfp_vq_exceeds_weight(struct vfp_vq *vq, struct vfp_poll *resume,
			   unsigned int turns, size_t bytes);

/* iotlb.c APIs: */
void vfp_iotlb_init(struct vfp_iotlb *tlb);
/* What a message asks of the device's queues (vfp_iotlb_process()): */
#define VFP_IOTLB_FLUSH		BIT(0)	/* entries went: translate afresh */
#define VFP_IOTLB_KICK		BIT(1)	/* entries came: parked queues retry */
void vfp_iotlb_reset(struct vfp_dev *dev);
ssize_t vfp_iotlb_msg_get(struct iov_iter *from, struct vhost_iotlb_msg *msg);
int vfp_iotlb_process(struct vfp_dev *dev, const struct vhost_iotlb_msg *msg,
		      unsigned int *todo);
ssize_t vfp_iotlb_read(struct vfp_dev *dev, struct iov_iter *to, bool nonblock);
__poll_t vfp_iotlb_poll(struct vfp_dev *dev, struct file *file,
			poll_table *wait);
int vfp_iotlb_translate(struct vfp_vq *vq, u64 iova, u64 len, u8 perm,
			struct iovec *iov, unsigned int iov_max);

/* vq.c APIs: */
void vfp_vq_init(struct vfp_vq *vq, struct vfp_dev *dev, unsigned int index,
		 vfp_work_fn_t kick);
void vfp_vq_reset(struct vfp_vq *vq);
long vfp_vq_ioctl(struct vfp_vq *vq, unsigned int cmd, void __user *argp);
int vfp_vq_start(struct vfp_vq *vq);
bool vfp_vq_access_ok(struct vfp_vq *vq);
void vfp_vq_iotlb_flush(struct vfp_vq *vq);
void vfp_vq_queue_kick(struct vfp_vq *vq);
int vfp_vq_get_buf(struct vfp_vq *vq, struct vfp_buf *buf,
		   struct iovec *iov, unsigned int iov_max,
		   struct vfp_log *log, unsigned int log_max);
void vfp_vq_discard(struct vfp_vq *vq, unsigned int nbufs);
void vfp_vq_add_used(struct vfp_vq *vq, u16 id, u32 len);
void vfp_vq_flush_used(struct vfp_vq *vq);
bool vfp_vq_enable_notify(struct vfp_vq *vq);
void vfp_vq_disable_notify(struct vfp_vq *vq);

/* vq_desc.c APIs: */
void vfp_vq_err(struct vfp_vq *vq, const char *fmt, ...) __printf(2, 3);
int vfp_vq_add_range(struct vfp_vq *vq, struct vfp_buf *buf, u64 addr,
		     u32 len, bool write, struct iovec *iov,
		     unsigned int iov_max, struct vfp_log *log,
		     unsigned int log_max);
int vfp_vq_read(struct vfp_vq *vq, void *dst, u64 addr, size_t len);

/* vq_split.c APIs: */
extern const struct vfp_vq_ops vfp_split_ops;

/* vq_packed.c APIs: */
extern const struct vfp_vq_ops vfp_packed_ops;

/* log.c APIs: */
/* Inline: the fast path asks per packet, and the answer is nearly always no. */
static inline bool vfp_log_enabled(const struct vfp_vq *vq)
{
	return vfp_has_feature(vq, VHOST_F_LOG_ALL);
}

int vfp_log_check(struct vfp_dev *dev, void __user *base,
		  const struct vfp_mem *mem);
int vfp_log_write(struct vfp_vq *vq, const struct vfp_log *log,
		  unsigned int n, u64 len);
int vfp_log_used(struct vfp_vq *vq, u64 offset, u64 len);

/* net.c APIs: */
void vfp_net_init(struct vfp_dev *dev);
long vfp_net_set_backend(struct vfp_dev *dev, void __user *argp);
void vfp_net_stop(struct vfp_dev *dev);
void vfp_net_set_features(struct vfp_dev *dev);

/* netlink.c APIs: */
int vfp_netlink_init(void);
void vfp_netlink_uninit(void);

/* ident.c APIs: */
void vfp_ident_probe(struct file *file, struct socket *sock,
		     struct vfp_ident *id);
void vfp_ident_set(struct vfp_net_vq *nvq, const struct vfp_ident *id);
pid_t vfp_ident_worker_pid(struct vfp_dev *dev);

/* tx.c APIs: */
void vfp_tx_handle_kick(struct vfp_work *work);
void vfp_tx_handle_sock(struct vfp_work *work);

/* tx_batch.c APIs: */
bool vfp_txb_usable(struct socket *sock);
int vfp_txb_add(struct vfp_net_vq *nvq, struct socket *sock,
		struct iov_iter *from);
bool vfp_txb_full(const struct vfp_net_vq *nvq);
void vfp_txb_flush(struct vfp_net_vq *nvq, struct socket *sock);
void vfp_txb_release(struct vfp_net_vq *nvq);

/* rx.c APIs: */
void vfp_rx_handle_kick(struct vfp_work *work);
void vfp_rx_handle_sock(struct vfp_work *work);
void vfp_rx_unqueue(struct vfp_net_vq *nvq);

/* tx_zchdr.c APIs: */
int vfp_zchdr_init(struct vfp_net_vq *nvq);
void vfp_zchdr_uninit(struct vfp_net_vq *nvq);
int vfp_zchdr_iter(struct vfp_net_vq *nvq, struct msghdr *msg, size_t len);
void vfp_zchdr_put(struct vfp_net_vq *nvq);

/* tx_zc.c APIs: */
struct vfp_zc *vfp_zc_create(struct vfp_net_vq *nvq, unsigned int nslots);
void vfp_zc_destroy(struct vfp_zc *zc);
struct ubuf_info *vfp_zc_get(struct vfp_zc *zc, u16 id, unsigned int limit);
bool vfp_zc_put_unsent(struct vfp_zc *zc, struct ubuf_info *uarg);
void vfp_zc_count_packet(struct vfp_zc *zc);
void vfp_zc_reap(struct vfp_zc *zc);
unsigned int vfp_zc_held(struct vfp_zc *zc, u64 *oldest_ns);
int vfp_zc_wait(struct vfp_zc *zc);
void vfp_zc_release(struct vfp_zc *zc);

/* stats.c APIs: */
/* Protects vfp_devs and every listed device's nvqs[].ident. */
extern struct mutex vfp_devs_lock;
extern struct list_head vfp_devs;	/* devices with an owner */
#define VFP_NCOUNTERS	(sizeof(struct vhost_fp_vq_stats_ext) / sizeof(__u64))
#define VFP_COUNTER_NOSRC	U16_MAX

/* A counter of struct vhost_fp_vq_stats_ext, in <linux/vhost_fp_counters.h>. */
struct vfp_counter {
	const char *name;
	u16 src;		/* offset in struct vfp_vq_stats, or NOSRC */
	bool gauge;		/* a current value, not a count */
};

extern const struct vfp_counter vfp_counters[];
int vfp_stats_init(void);
void vfp_stats_uninit(void);
void vfp_stats_add_dev(struct vfp_dev *dev);
void vfp_stats_del_dev(struct vfp_dev *dev);
void vfp_stats_read(struct vfp_dev *dev, struct vhost_fp_stats *out);
void vfp_stats_read_ext(struct vfp_net_vq *nvq,
			struct vhost_fp_vq_stats_ext *out);
u64 vfp_counter_value(const struct vhost_fp_vq_stats_ext *st, unsigned int i);
const char *vfp_stats_ring(struct vfp_dev *dev);
long vfp_stats_get_vq(struct vfp_dev *dev, void __user *argp);

#endif /* _VHOSTFP_H */
