/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The vhost-fp fuzzer (fuzz.c: ioctls, fuzz_guest.c: the hostile guest
 * and the host's traffic).  Everything random comes from per-thread
 * generators seeded from one seed, so a run's sequence of operations is
 * replayed by its seed; the interleaving of the threads is not.
 */
#ifndef _VHOSTFP_SELFTEST_FUZZ_H
#define _VHOSTFP_SELFTEST_FUZZ_H

#include <pthread.h>
#include <stdbool.h>

#include "common.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

/* Where fuzzed user addresses may point: never at the fuzzer's own memory. */
#define HOLE_SIZE	(4ULL << 30)	/* PROT_NONE: every access faults */
#define LOG_MAX_BYTES	(32ULL << 30)	/* dirty log for gpas below 2^50 */
#define LOGMAP_SIZE	(LOG_MAX_BYTES + (1 << 20))	/* at offsets < 1 MiB */
#define GPA_SAFE_MAX	0x4000000000000ULL	/* 2^50: gpas below are loggable */
#define GPA_FAR_MIN	0x1000000000000000ULL	/* 2^60: from here no log fits */
#define RING_MAX_BYTES	(1024UL * 1024)	/* any ring of up to 32768 entries */

/* TX slot i uses descriptors 2i (header) and 2i + 1 (frame). */
#define TX_SLOT_BYTES	(16 << 10)
#define RX_SLOT_BYTES	2048
#define HDR_BYTES	12

struct rng {
	__u64 s;
};

__u64 rng_next(struct rng *r);
__u64 rnd(struct rng *r, __u64 n);		/* [0, n) */
bool one_in(struct rng *r, unsigned int n);
__u64 edge_u64(struct rng *r);
__u32 edge_u32(struct rng *r);

/*
 * A ring layout the guest can drive.  Split rings only today; a packed
 * mode adds a second table and a layout switch in repair.
 */
struct fuzz;
struct guest_ring_ops {
	const char *name;
	void (*reset)(struct fuzz *f);		/* clean rings, all free */
	void (*reap)(struct fuzz *f);		/* take used entries */
	void (*post)(struct fuzz *f, struct rng *r);	/* add buffers */
	void (*hostile)(struct fuzz *f, struct rng *r); /* one bad write */
};

extern const struct guest_ring_ops split_ring_ops;

#define HOSTILE_KINDS	13	/* kinds of hostile write (split_hostile()) */

struct fuzz {
	struct guest_dev dev;
	struct guest_tap tap;
	const struct guest_ring_ops *ring;
	__u8 *hole;			/* HOLE_SIZE of PROT_NONE */
	__u8 *logmap;			/* LOGMAP_SIZE, NORESERVE */
	__u64 tx_data, rx_data;		/* guest buffers, per slot */
	__u64 ind_table;		/* indirect tables, one per TX slot */
	__u64 scratch;			/* hostile indirect tables, chains */
	unsigned int num;		/* ring size after repair */
	unsigned int tx_slots;
	__u8 *tx_busy, *rx_busy;	/* owned by the device */
	__u32 tx_seq;

	/*
	 * Serializes the guest thread's steps with ring re-initialisation
	 * by the ioctl thread (repair), which rewrites the rings whole.
	 */
	pthread_mutex_t ring_lock;
	bool stop;			/* atomic: threads return */
	bool calm;			/* atomic: guest is not hostile */
	unsigned int hostile_one_in;	/* guest steps per hostile write */
	/*
	 * -1: hostile writes of any kind.  Otherwise the guest writes only
	 * that kind (split_hostile()'s cases, HOSTILE_KINDS of them), every
	 * step, without sleeping: one bad input kept up at full speed.
	 */
	int pattern;
	struct rng guest_rng, host_rng;
	pthread_t guest_thread, host_thread;

	/* counters, each written by one thread */
	unsigned long guest_steps, hostile_ops, tx_posted, rx_posted;
	unsigned long tx_used, rx_used;
	unsigned long host_sent, host_recv;
};

/* fuzz_guest.c */
int fuzz_guest_init(struct fuzz *f);
int fuzz_threads_start(struct fuzz *f);
void fuzz_threads_stop(struct fuzz *f);
bool fuzz_safe_hva(const struct fuzz *f, __u64 hva, __u64 size);

#endif /* _VHOSTFP_SELFTEST_FUZZ_H */
