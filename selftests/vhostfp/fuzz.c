// SPDX-License-Identifier: GPL-2.0
/*
 * A seeded fuzzer for /dev/vhost-fp.
 *
 *   ioctl thread (main)             guest thread            host thread
 *   random vhost + vhost-fp         posts TX/RX buffers,    sends frames into
 *   ioctls, edge arguments,         rewrites rings and      vfptap0, drains
 *   fail-nth fault injection        descriptors hostilely   what the guest sent
 *            |                            |                       |
 *            +---- /dev/vhost-fp ---- guest memory ---- tap fd ---+
 *
 * Every ioctl must return 0 or a sane -errno, and some must return
 * exactly what the ABI says (a second SET_OWNER is -EBUSY, a bad pointer
 * of an owned device -EFAULT, a full bring-up works); every so often the
 * guest is calmed and traffic must flow again after a bring-up; the
 * device must close in bounded time.  The harness fails the run on any
 * kernel report; fuzz.sh unloads the module and scans kmemleak after.
 *
 * Liveness oracle: a watchdog thread fails the run when an ioctl or a
 * close() on the fuzzed device has not returned after LIVE_IOCTL_MS: a
 * device whose worker a guest can hold blocks its VMM's ioctls.  With
 * --pattern K the guest writes only hostile kind K (split_hostile()), on
 * every step and without sleeping, so that one bad input is kept up at
 * full speed while the ioctls go on; --pattern all moves to the next
 * kind every PATTERN_SECS seconds.
 *
 * usage: fuzz [--seed S] [--ops N] [--time SEC] [--no-faults]
 *             [--pattern K|all] [-v]
 * The seed is printed first and again on failure: --seed S --ops N
 * replays the same sequence of operations (thread timing aside).
 */
#define _GNU_SOURCE
#include <assert.h>
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/poll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <linux/if_tun.h>

#include "fuzz.h"

#define STD_FEATURES	(F(VIRTIO_RING_F_EVENT_IDX) | F(VIRTIO_RING_F_INDIRECT_DESC) | \
			 F(VIRTIO_NET_F_MRG_RXBUF) | F(VIRTIO_F_VERSION_1))
#define LIVE_EVERY	4096	/* ops between checks that traffic flows */
#define LIVE_WAIT_MS	30000	/* longest wait for it: a hang, not a speed */
#define LIVE_IOCTL_MS	2000	/* an ioctl that waits longer fails */
#define PATTERN_SECS	2	/* --pattern all: seconds per kind */
#define MAX_REGIONS	520
#define REGIONS_MAX	509	/* vhost's max_mem_regions default */
#define KSFT_FAIL_RC	1
#define KSFT_SKIP_RC	4
#define TASK_TOP	((1ULL << 47) - 4096)	/* x86-64 TASK_SIZE_MAX */

static struct {
	struct fuzz f;
	__u64 seed;
	unsigned long op;		/* index of the operation running */
	const char *op_name;
	bool verbose;
	bool owned;			/* we are the owner, as far as we know */
	__u64 offered;			/* GET_FEATURES' answer */
	int nth_fd;			/* /proc/thread-self/fail-nth, or -1 */
	unsigned int nth;		/* fail-nth for the next ioctl, 0: none */
	unsigned long faults, fault_tries;
	unsigned long repairs, reopens, live_checks, forks;
	unsigned long iotlb_taken, iotlb_misses;	/* messages */
	int efd, null_fd, udp_fd, tun_fd, log_efd; /* wrong and spare fds */
	__u8 *edge_page;		/* a page followed by a PROT_NONE one */
	struct vhost_memory *table;	/* room for MAX_REGIONS regions */
	/* The device call in progress, for the watchdog: 0 when none. */
	__u64 call_start_ns;		/* atomic */
	unsigned long call_cmd;		/* atomic: its ioctl, 0: close() */
	bool pattern_cycle;		/* --pattern all */
} fz;

static void fz_fail(const char *fmt, ...)
{
	va_list ap;

	printf("# FAIL at op %lu (%s): ", fz.op, fz.op_name ? fz.op_name : "setup");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n# replay: fuzz --seed %llu --ops %lu\nnot ok 1 fuzz\n",
	       (unsigned long long)fz.seed, fz.op + 1);
	fflush(stdout);
	exit(KSFT_FAIL_RC);
}

/* Write @s to stderr from a signal handler (no stdio there). */
static void fz_sig_puts(const char *s)
{
	if (write(STDERR_FILENO, s, strlen(s)) < 0)
		return;
}

/* Unsigned decimal of @v, for the signal handler. */
static void fz_sig_putu(unsigned long long v)
{
	char buf[24], *p = buf + sizeof(buf);

	*--p = '\0';
	do {
		*--p = '0' + v % 10;
		v /= 10;
	} while (v);
	fz_sig_puts(p);
}

/*
 * A fatal signal in any thread (a crash, or abort() from the stack
 * protector or glibc): say at which operation, with what seed, where
 * (the thread's backtrace, symbolised with addr2line -e fuzz against the
 * mappings printed after it), then die of the signal as before.
 */
static void fz_fatal(int sig)
{
	void *bt[64];
	char buf[4096];
	ssize_t n;
	int fd;

	fz_sig_puts("# FAIL: signal ");
	fz_sig_putu(sig);
	fz_sig_puts(" at op ");
	fz_sig_putu(fz.op);
	fz_sig_puts(" (");
	fz_sig_puts(fz.op_name ? fz.op_name : "setup");
	fz_sig_puts(")\n# replay: fuzz --seed ");
	fz_sig_putu(fz.seed);
	fz_sig_puts(" --ops ");
	fz_sig_putu(fz.op + 1);
	fz_sig_puts("\n# backtrace of the thread that got it:\n");
	backtrace_symbols_fd(bt, backtrace(bt, 64), STDERR_FILENO);
	fz_sig_puts("# mappings:\n");
	fd = open("/proc/self/maps", O_RDONLY);
	while (fd >= 0 && (n = read(fd, buf, sizeof(buf))) > 0)
		if (write(STDERR_FILENO, buf, n) < 0)
			break;
	signal(sig, SIG_DFL);
	raise(sig);
}

static void fz_fatal_setup(void)
{
	static const int sigs[] = { SIGABRT, SIGSEGV, SIGBUS, SIGILL, SIGFPE };
	void *bt[1];
	unsigned int i;

	/* Load libgcc's unwinder now, not in the handler. */
	backtrace(bt, 1);
	for (i = 0; i < ARRAY_SIZE(sigs); i++)
		signal(sigs[i], fz_fatal);
}

/* Any errno a vhost ioctl may legitimately return to a fuzzer. */
static bool errno_sane(int e)
{
	switch (e) {
	case EPERM: case EINTR: case EBADF: case EAGAIN: case ENOMEM:
	case EFAULT: case EBUSY: case EINVAL: case E2BIG: case ENOTTY:
	case ENOBUFS: case EOPNOTSUPP: case ENOTSOCK:
		return true;
	}
	return false;
}

/* Arm fail-nth for this ioctl when the operation asked for it. */
static void fz_inject_arm(void)
{
	char buf[16];
	int n;

	if (fz.nth_fd < 0 || !fz.nth)
		return;
	n = snprintf(buf, sizeof(buf), "%u", fz.nth);
	if (pwrite(fz.nth_fd, buf, n, 0) != n)
		fz_fail("cannot arm fail-nth: %s", strerror(errno));
	fz.fault_tries++;
}

/* Did the fault hit?  Reading fail-nth is itself a fault site: see below. */
static void fz_inject_disarm(void)
{
	char buf[16] = "";

	if (fz.nth_fd < 0 || !fz.nth)
		return;
	fz.nth = 0;
	if (pread(fz.nth_fd, buf, sizeof(buf) - 1, 0) < 0)
		return;		/* our read's copy_to_user took the fault */
	if (atoi(buf) == 0) {
		fz.faults++;
		return;
	}
	/* Not reached yet: cancel (if this write takes it, it is gone too). */
	if (pwrite(fz.nth_fd, "0", 1, 0) < 0 && errno != EFAULT)
		fz_fail("cannot disarm fail-nth: %s", strerror(errno));
}

static __u64 fz_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* The watchdog watches what runs between these two. */
static void fz_call_begin(unsigned long cmd)
{
	__atomic_store_n(&fz.call_cmd, cmd, __ATOMIC_RELAXED);
	__atomic_store_n(&fz.call_start_ns, fz_now_ns(), __ATOMIC_RELEASE);
}

static void fz_call_end(void)
{
	__atomic_store_n(&fz.call_start_ns, 0, __ATOMIC_RELEASE);
}

/*
 * The liveness oracle: a device call that has not returned within
 * LIVE_IOCTL_MS fails the run.  The process then exits; a call stuck in
 * the kernel keeps it until the guest thread is gone (exit kills it).
 */
static void *fz_watchdog(void *arg)
{
	__u64 start, late = LIVE_IOCTL_MS * 1000000ULL;

	for (;;) {
		usleep(50000);
		start = __atomic_load_n(&fz.call_start_ns, __ATOMIC_ACQUIRE);
		if (!start || fz_now_ns() - start < late)
			continue;
		printf("# FAIL at op %lu (%s): %s %#lx has not returned after %d ms\n",
		       fz.op, fz.op_name ? fz.op_name : "setup",
		       __atomic_load_n(&fz.call_cmd, __ATOMIC_RELAXED) ?
		       "ioctl" : "close()",
		       __atomic_load_n(&fz.call_cmd, __ATOMIC_RELAXED),
		       LIVE_IOCTL_MS);
		printf("# replay: fuzz --seed %llu --ops %lu\nnot ok 1 fuzz\n",
		       (unsigned long long)fz.seed, fz.op + 1);
		fflush(stdout);
		_exit(KSFT_FAIL_RC);
	}
	return NULL;
}

/* close() of a fuzzed device, under the watchdog: 0 or -errno. */
static int fz_close(int fd)
{
	int ret;

	fz_call_begin(0);
	ret = close(fd) ? -errno : 0;
	fz_call_end();
	return ret;
}

static int fz_ioctl_fd(int fd, unsigned long cmd, void *arg)
{
	int ret, e;

	fz_inject_arm();
	fz_call_begin(cmd);
	ret = ioctl(fd, cmd, arg);
	e = errno;
	fz_call_end();
	fz_inject_disarm();
	if (ret > 0)
		fz_fail("ioctl %#lx returned %d", cmd, ret);
	if (ret < 0 && !errno_sane(e))
		fz_fail("ioctl %#lx: errno %d (%s)", cmd, e, strerror(e));
	return ret < 0 ? -e : 0;
}

static int fz_ioctl(unsigned long cmd, void *arg)
{
	return fz_ioctl_fd(fz.f.dev.fd, cmd, arg);
}

/* An ioctl of the bring-up: must work (no fault is injected there). */
static void fz_must(unsigned long cmd, void *arg, const char *what)
{
	int ret = fz_ioctl(cmd, arg);

	if (ret)
		fz_fail("%s: %s", what, strerror(-ret));
}

/* A pointer the device may be told to write through: see fuzz.h. */
static __u64 fz_uaddr(struct rng *r, __u64 align)
{
	__u64 a;

	switch (rnd(r, 8)) {
	case 0:
		return one_in(r, 2) ? 0 : rnd(r, 1 << 16);
	case 1:
		a = (uintptr_t)fz.f.hole + rnd(r, HOLE_SIZE - RING_MAX_BYTES);
		break;
	case 2:
		return 0xffff888000000000ULL + rnd(r, 1 << 20) * align;
	case 3:
		return one_in(r, 2) ? ~0ULL - rnd(r, 64) : 1ULL << 47;
	case 4:	/* the top page: access_ok() refuses any size */
		return TASK_TOP + rnd(r, 4096);
	default:
		a = (uintptr_t)fz.f.dev.mem.hva +
		    rnd(r, GUEST_MEM_SIZE - RING_MAX_BYTES);
	}
	a &= ~(align - 1);
	return one_in(r, 8) ? a + rnd(r, align) : a;
}

/* An fd for a slot that wants an eventfd or a tap, or something else. */
static int fz_fd(struct rng *r, int right)
{
	const int fds[] = { -1, -2, INT_MAX, 1000, fz.efd, fz.null_fd,
			    fz.udp_fd, fz.tun_fd, fz.f.dev.fd, fz.f.tap.fd,
			    fz.f.dev.vq[0].kick, fz.f.dev.vq[1].call };

	if (rnd(r, 3))
		return right;
	return fds[rnd(r, ARRAY_SIZE(fds))];
}

static __u32 fz_index(struct rng *r)
{
	return rnd(r, 8) ? rnd(r, 2) : edge_u32(r);
}

static int op_set_owner(struct rng *r)
{
	int ret = fz_ioctl(VHOST_SET_OWNER, NULL);

	if (fz.owned && ret != -EBUSY)
		fz_fail("SET_OWNER on an owned device: %d", ret);
	if (!ret)
		fz.owned = true;
	return ret;
}

static int op_reset_owner(struct rng *r)
{
	int ret = fz_ioctl(VHOST_RESET_OWNER, NULL);

	if (fz.owned && ret)
		fz_fail("RESET_OWNER by the owner: %d", ret);
	if (!fz.owned && ret != -EPERM)
		fz_fail("RESET_OWNER without owner: %d", ret);
	fz.owned = false;
	return ret;
}

static int op_get_features(struct rng *r)
{
	__u64 v = 0;
	int ret = fz_ioctl(VHOST_GET_FEATURES, &v);

	if (!ret && v != fz.offered)
		fz_fail("GET_FEATURES %#llx, was %#llx", (unsigned long long)v,
			(unsigned long long)fz.offered);
	if (ret && ret != -EFAULT && ret != -ENOMEM)
		fz_fail("GET_FEATURES: %d", ret);
	return ret;
}

static int op_set_features(struct rng *r)
{
	__u64 v = fz.offered & rng_next(r);

	if (one_in(r, 4))
		v |= 1ULL << rnd(r, 64);
	if (one_in(r, 8))
		v = edge_u64(r);
	return fz_ioctl(VHOST_SET_FEATURES, &v);
}

/* A gpa for a region of @size that no dirty log write can escape from. */
static __u64 fz_region_gpa(struct rng *r, __u64 size)
{
	switch (rnd(r, 6)) {
	case 0:
		return GPA_FAR_MIN + rnd(r, GPA_FAR_MIN);
	case 1:
		return ~0ULL - size + 1 + rnd(r, 2);	/* ends at 2^64 - 1, or wraps */
	case 2:
		return rnd(r, GPA_SAFE_MAX - size) & ~4095ULL;
	default:
		return GUEST_GPA_BASE + (rnd(r, 4 * GUEST_MEM_SIZE) & ~4095ULL);
	}
}

/*
 * The used ring's log address.  The device logs used-ring writes at
 * log_base + (log_guest_addr + offset) / 32768 whenever the memory table
 * reaches that high, and fz_region_gpa() puts regions up to 2^64 - 1: an
 * address between GPA_SAFE_MAX and GPA_FAR_MIN would have the device set
 * bits up to 32 TiB past the log map, in this process's own stacks and
 * libraries (a 6.12-debug run died of "stack smashing detected" so).
 */
static __u64 fz_log_gpa(struct rng *r)
{
	__u64 a = edge_u64(r);

	if (a > GPA_SAFE_MAX - RING_MAX_BYTES && a < GPA_FAR_MIN)
		a = fz_region_gpa(r, RING_MAX_BYTES);
	return a;
}

static void fz_region(struct rng *r, struct vhost_memory_region *m)
{
	__u64 g = (uintptr_t)fz.f.dev.mem.hva, h = (uintptr_t)fz.f.hole, off, last;

	switch (rnd(r, 8)) {
	case 0:	/* huge, inside the hole */
		off = rnd(r, HOLE_SIZE / 2) & ~4095ULL;
		m->userspace_addr = h + off;
		m->memory_size = HOLE_SIZE - off - rnd(r, 2) * 4096;
		break;
	case 1:	/* the edges */
		m->userspace_addr = one_in(r, 2) ? edge_u64(r) : g;
		m->memory_size = one_in(r, 2) ? edge_u64(r) : 0;
		break;
	default: /* a piece of guest memory, page aligned or not */
		off = rnd(r, GUEST_MEM_SIZE);
		if (!one_in(r, 8))
			off &= ~4095ULL;
		m->userspace_addr = g + off;
		m->memory_size = 1 + rnd(r, GUEST_MEM_SIZE - off);
	}
	m->guest_phys_addr = fz_region_gpa(r, m->memory_size ? m->memory_size : 1);
	m->flags_padding = one_in(r, 32) ? rng_next(r) : 0;
	last = m->guest_phys_addr + m->memory_size - 1;
	/* A region that wraps is refused; one in the middle zone is not. */
	if (!fuzz_safe_hva(&fz.f, m->userspace_addr, m->memory_size) ||
	    (m->memory_size && last >= m->guest_phys_addr &&
	     m->guest_phys_addr < GPA_FAR_MIN && last >= GPA_SAFE_MAX))
		m->userspace_addr = 0xffff888000000000ULL;	/* refused */
}

static int op_set_mem_table(struct rng *r)
{
	struct vhost_memory *t = fz.table;
	unsigned int i, n;
	void *p = t;

	switch (rnd(r, 6)) {
	case 0:
		n = rnd(r, 4);
		break;
	case 1:
		n = one_in(r, 2) ? REGIONS_MAX + rnd(r, 2) - 1 :
				   (unsigned int)edge_u32(r);
		break;
	default:
		n = rnd(r, 16);
	}
	t->nregions = n;
	t->padding = one_in(r, 32) ? rng_next(r) : 0;
	for (i = 0; i < n && i < MAX_REGIONS; i++)
		fz_region(r, &t->regions[i]);
	/* Aliases: two guest ranges, one host range. */
	if (n >= 2 && one_in(r, 4))
		t->regions[1].userspace_addr = t->regions[0].userspace_addr;
	if (n > MAX_REGIONS) {
		t->nregions = MAX_REGIONS + rnd(r, 1 << 20);
		if (one_in(r, 2))
			t->nregions = n;
	}
	if (one_in(r, 16))	/* the table runs into a PROT_NONE page */
		p = fz.edge_page + 4096 - sizeof(*t) -
		    rnd(r, 3) * sizeof(t->regions[0]) - rnd(r, sizeof(*t));
	if (p != t)
		memcpy(p, t, fz.edge_page + 4096 - (__u8 *)p);
	return fz_ioctl(VHOST_SET_MEM_TABLE, p);
}

static int op_vring_num(struct rng *r)
{
	static const __u32 nums[] = { 0, 1, 2, 3, 255, 256, 1024, 32768, 32769,
				      65536, 0xffffffff };
	struct vhost_vring_state s = { .index = fz_index(r) };

	s.num = one_in(r, 2) ? nums[rnd(r, ARRAY_SIZE(nums))] :
			       1U << rnd(r, 16);
	return fz_ioctl(VHOST_SET_VRING_NUM, &s);
}

static int op_vring_base(struct rng *r)
{
	struct vhost_vring_state s = { .index = fz_index(r) };

	s.num = one_in(r, 2) ? edge_u32(r) : rnd(r, 0x10000);
	return fz_ioctl(VHOST_SET_VRING_BASE, &s);
}

static int op_get_vring_base(struct rng *r)
{
	struct vhost_vring_state s = { .index = fz_index(r) };
	int ret = fz_ioctl(VHOST_GET_VRING_BASE, &s);

	if (fz.owned && s.index < 2 && ret && ret != -EFAULT)
		fz_fail("GET_VRING_BASE %u of the owner: %d", s.index, ret);
	/* Packed rings (VIRTIO_F_RING_PACKED) put wrap counters above bit 15. */
	return ret;
}

static int op_vring_addr(struct rng *r)
{
	struct guest_vq *vq = &fz.f.dev.vq[rnd(r, 2)];
	struct vhost_vring_addr a = {
		.index = one_in(r, 8) ? fz_index(r) : vq->index,
		.desc_user_addr = (uintptr_t)vq->desc,
		.avail_user_addr = (uintptr_t)vq->avail,
		.used_user_addr = (uintptr_t)vq->used,
		.log_guest_addr = one_in(r, 2) ? fz_log_gpa(r) : GUEST_GPA_BASE,
	};

	if (one_in(r, 2))
		a.desc_user_addr = fz_uaddr(r, 16);
	if (one_in(r, 2))
		a.avail_user_addr = fz_uaddr(r, 2);
	if (one_in(r, 2))
		a.used_user_addr = fz_uaddr(r, 4);
	if (one_in(r, 4))
		a.flags = one_in(r, 2) ? 1U << VHOST_VRING_F_LOG : edge_u32(r);
	return fz_ioctl(VHOST_SET_VRING_ADDR, &a);
}

static int op_vring_file(struct rng *r)
{
	static const unsigned long cmds[] = { VHOST_SET_VRING_KICK,
		VHOST_SET_VRING_CALL, VHOST_SET_VRING_ERR };
	unsigned int k = rnd(r, 3);
	struct vhost_vring_file file = { .index = fz_index(r) };
	struct guest_vq *vq = &fz.f.dev.vq[file.index & 1];
	int right = k == 0 ? vq->kick : k == 1 ? vq->call : vq->err;

	file.fd = fz_fd(r, right);
	return fz_ioctl(cmds[k], &file);
}

static int op_busyloop(struct rng *r)
{
	struct vhost_vring_state s = { .index = fz_index(r), .num = edge_u32(r) };
	struct vhost_vring_state g = { .index = s.index };
	int ret = fz_ioctl(VHOST_SET_VRING_BUSYLOOP_TIMEOUT, &s);

	if (ret || one_in(r, 2))
		return ret;
	ret = fz_ioctl(VHOST_GET_VRING_BUSYLOOP_TIMEOUT, &g);
	if (!ret && g.num != s.num)
		fz_fail("busyloop timeout %u read back as %u", s.num, g.num);
	return ret;
}

static int op_backend_features(struct rng *r)
{
	__u64 v = one_in(r, 2) ? 0 : edge_u64(r);
	int ret;

	if (one_in(r, 2))
		return fz_ioctl(VHOST_SET_BACKEND_FEATURES, &v);
	ret = fz_ioctl(VHOST_GET_BACKEND_FEATURES, &v);
	/* Offered: IOTLB messages v2 and batching, nothing else. */
	if (!ret && (v & ~(F(VHOST_BACKEND_F_IOTLB_MSG_V2) |
			   F(VHOST_BACKEND_F_IOTLB_BATCH))))
		fz_fail("GET_BACKEND_FEATURES %#llx", (unsigned long long)v);
	return ret;
}

/*
 * A range the IOTLB may map: a piece of guest memory by its host address
 * (where the fuzzer's rings are, as IOVAs, under ACCESS_PLATFORM), a
 * piece by its gpa (where descriptors point), or anything (see fz_uaddr()
 * for the host side: never the fuzzer's own memory).
 */
static void fz_iotlb_range(struct rng *r, struct vhost_iotlb_msg *m)
{
	__u64 off = rnd(r, GUEST_MEM_SIZE) & ~4095ULL, size;
	void *hva;

	switch (rnd(r, 4)) {
	case 0:
		size = 4096 * (1 + rnd(r, 64));
		if (off + size > GUEST_MEM_SIZE)
			size = GUEST_MEM_SIZE - off;
		m->iova = (uintptr_t)fz.f.dev.mem.hva + off;
		m->uaddr = m->iova;
		m->size = size;
		break;
	case 1:
		size = 4096 * (1 + rnd(r, 64));
		/* Within one region: the regions are not in gpa order. */
		if (off % GUEST_REGION_SIZE + size > GUEST_REGION_SIZE)
			size = GUEST_REGION_SIZE - off % GUEST_REGION_SIZE;
		hva = guest_hva(&fz.f.dev.mem, GUEST_GPA_BASE + off, size);
		if (!hva)
			fz_fail("guest_hva(%#llx, %llu)", GUEST_GPA_BASE + off, size);
		m->iova = GUEST_GPA_BASE + off;
		m->uaddr = (uintptr_t)hva;
		m->size = size;
		break;
	default:
		m->iova = one_in(r, 2) ? edge_u64(r) : rnd(r, 1ULL << 40);
		m->size = one_in(r, 2) ? edge_u64(r) : rnd(r, 1 << 24);
		m->uaddr = fz_uaddr(r, 1);
		if (!fuzz_safe_hva(&fz.f, m->uaddr, m->size))
			m->uaddr = 0xffff888000000000ULL;	/* refused */
	}
	if (one_in(r, 16))
		m->iova += rnd(r, 4096);
}

/* Whether the device must take @m as it is (barring -ENOMEM). */
static bool fz_iotlb_valid(const struct vhost_iotlb_msg *m, bool v2, __u32 asid)
{
	__u64 off = m->uaddr - (uintptr_t)fz.f.dev.mem.hva;

	if (!fz.owned || (v2 && asid))
		return false;
	switch (m->type) {
	case VHOST_IOTLB_UPDATE:
		return m->size && m->size <= ~0ULL - m->iova &&
		       (m->perm == VHOST_ACCESS_RO || m->perm == VHOST_ACCESS_WO ||
			m->perm == VHOST_ACCESS_RW) &&
		       off < GUEST_MEM_SIZE && m->size <= GUEST_MEM_SIZE - off;
	case VHOST_IOTLB_INVALIDATE:
		return m->size && m->size - 1 <= ~0ULL - m->iova;
	}
	return false;
}

/*
 * An IOTLB message written to the device, as QEMU's vIOMMU would (v1 or
 * v2 header, updates, invalidations, batches), or broken: a wrong type,
 * an address space id, a short or faulting write.  Messages that are
 * valid must be taken; those that cannot be must be refused.
 */
static int op_iotlb_write(struct rng *r)
{
	static const __u8 types[] = { VHOST_IOTLB_UPDATE, VHOST_IOTLB_UPDATE,
		VHOST_IOTLB_UPDATE, VHOST_IOTLB_INVALIDATE,
		VHOST_IOTLB_INVALIDATE, VHOST_IOTLB_BATCH_BEGIN,
		VHOST_IOTLB_BATCH_END, VHOST_IOTLB_MISS,
		VHOST_IOTLB_ACCESS_FAIL, 0, 9, 255 };
	union {
		struct vhost_msg v1;
		struct vhost_msg_v2 v2;
	} u;
	struct vhost_iotlb_msg *m;
	size_t len = sizeof(u);
	bool v2 = !one_in(r, 4), valid;
	const void *p = &u;
	ssize_t n;
	int e;

	memset(&u, 0, sizeof(u));
	if (v2) {
		u.v2.type = one_in(r, 32) ? edge_u32(r) : VHOST_IOTLB_MSG_V2;
		u.v2.asid = one_in(r, 16) ? 1 + rnd(r, 16) : 0;
		m = &u.v2.iotlb;
	} else {
		u.v1.type = one_in(r, 32) ? (int)edge_u32(r) : VHOST_IOTLB_MSG;
		m = &u.v1.iotlb;
	}
	m->type = types[rnd(r, ARRAY_SIZE(types))];
	fz_iotlb_range(r, m);
	m->perm = one_in(r, 8) ? rnd(r, 256) : 1 + rnd(r, 3);
	if (m->type == VHOST_IOTLB_INVALIDATE && one_in(r, 4)) {
		m->iova = 0;		/* QEMU's "everything" */
		m->size = ~0ULL;
	}
	valid = fz_iotlb_valid(m, v2, v2 ? u.v2.asid : 0) &&
		(v2 ? u.v2.type == VHOST_IOTLB_MSG_V2 : u.v1.type == VHOST_IOTLB_MSG);
	if (one_in(r, 16)) {
		len = rnd(r, sizeof(u));
		valid = false;
	} else if (one_in(r, 32)) {	/* the last byte is in the PROT_NONE page */
		p = fz.edge_page + 4096 - sizeof(u) + 1 + rnd(r, sizeof(u) - 1);
		valid = false;
	}
	fz_inject_arm();
	n = write(fz.f.dev.fd, p, len);
	e = errno;
	fz_inject_disarm();
	if (n >= 0 && (size_t)n != sizeof(u))
		fz_fail("IOTLB write of %zu bytes returned %zd", len, n);
	if (n < 0 && !errno_sane(e))
		fz_fail("IOTLB write: errno %d (%s)", e, strerror(e));
	if (valid && n < 0 && e != ENOMEM && e != EFAULT)
		fz_fail("IOTLB type %u iova %#llx size %#llx uaddr %#llx perm %u: %s",
			m->type, (unsigned long long)m->iova,
			(unsigned long long)m->size,
			(unsigned long long)m->uaddr, m->perm, strerror(e));
	if (n >= 0 && (len < sizeof(u) ||
		       (v2 && u.v2.type == VHOST_IOTLB_MSG_V2 && u.v2.asid)))
		fz_fail("IOTLB write of %zu bytes, asid %u taken", len,
			v2 ? u.v2.asid : 0);
	if (n >= 0)
		fz.iotlb_taken++;
	return n < 0 ? -e : 0;
}

/* Misses the device asked for, read back (never blocking). */
static int op_iotlb_read(struct rng *r)
{
	struct pollfd pfd = { .fd = fz.f.dev.fd, .events = POLLIN };
	struct vhost_msg_v2 msg;
	size_t len = sizeof(msg);
	ssize_t n;

	static_assert(offsetof(struct vhost_msg, iotlb) ==
		       offsetof(struct vhost_msg_v2, iotlb), "iotlb offsets");
	if (poll(&pfd, 1, 0) < 0)
		fz_fail("poll on the device: %s", strerror(errno));
	if (!(pfd.revents & POLLIN))
		return 0;
	if (one_in(r, 8))
		len = rnd(r, sizeof(msg));
	n = read(fz.f.dev.fd, &msg, len);
	if (n < 0 && len < sizeof(msg) && errno == EINVAL)
		return -EINVAL;
	if (n < 0)
		fz_fail("IOTLB read: %s", strerror(errno));
	if ((size_t)n != sizeof(msg) || len < sizeof(msg))
		fz_fail("IOTLB read of %zu bytes returned %zd", len, n);
	/* v2 when IOTLB_MSG_V2 is acked, else v1: iotlb is where v2 has it. */
	if (msg.iotlb.type != VHOST_IOTLB_MISS)
		fz_fail("IOTLB read: type %u, not a miss", msg.iotlb.type);
	fz.iotlb_misses++;
	return 0;
}

static int op_log_base(struct rng *r)
{
	__u64 v;

	switch (rnd(r, 4)) {
	case 0:
		v = one_in(r, 2) ? 0 : edge_u64(r);
		if (v && v < (1ULL << 47))
			v = 0xffff888000000000ULL;	/* see fuzz.h */
		break;
	default:
		v = (uintptr_t)fz.f.logmap + rnd(r, LOGMAP_SIZE - LOG_MAX_BYTES);
	}
	return fz_ioctl(VHOST_SET_LOG_BASE, &v);
}

static int op_log_fd(struct rng *r)
{
	int fd = fz_fd(r, fz.log_efd);

	return fz_ioctl(VHOST_SET_LOG_FD, &fd);
}

static int op_set_backend(struct rng *r)
{
	struct vhost_vring_file file = { .index = fz_index(r) };

	file.fd = one_in(r, 3) ? -1 : fz_fd(r, fz.f.tap.fd);
	return fz_ioctl(VHOST_NET_SET_BACKEND, &file);
}

static int op_fp_stats(struct rng *r)
{
	struct vhost_fp_stats st;
	int ret = fz_ioctl(VHOST_FP_GET_STATS, &st);

	if (!ret && (st.version != VHOST_FP_STATS_VERSION ||
		     st.nvqs != VHOST_FP_NVQS))
		fz_fail("GET_STATS version %u nvqs %u", st.version, st.nvqs);
	if (ret && ret != -ENOMEM && ret != -EFAULT)
		fz_fail("GET_STATS: %d", ret);
	return ret;
}

static int op_fp_tunables(struct rng *r)
{
	struct vhost_fp_tunables t;
	int ret = fz_ioctl(VHOST_FP_GET_TUNABLES, &t);

	if (ret && ret != -EFAULT)
		fz_fail("GET_TUNABLES: %d", ret);
	if (ret || one_in(r, 4))
		return ret;
	t.flags = one_in(r, 4) ? edge_u32(r) : rnd(r, 2);
	t.zc_threshold = one_in(r, 2) ? rnd(r, 2048) : edge_u32(r);
	t.zc_max_pending = one_in(r, 2) ? rnd(r, 300) : edge_u32(r);
	t.padding = one_in(r, 16) ? edge_u32(r) : 0;
	return fz_ioctl(VHOST_FP_SET_TUNABLES, &t);
}

/* Commands /dev/vhost-fp does not implement: all must be -ENOTTY etc. */
static int op_unknown(struct rng *r)
{
	static const unsigned long cmds[] = { VHOST_SET_VRING_ENDIAN,
		VHOST_GET_VRING_ENDIAN, VHOST_SCSI_SET_ENDPOINT,
		VHOST_VSOCK_SET_RUNNING, VHOST_VDPA_GET_STATUS,
		VHOST_VDPA_SUSPEND, TUNSETIFF, FIONREAD };
	static __u8 arg[4096];
	unsigned long cmd;

	if (one_in(r, 2))
		cmd = cmds[rnd(r, ARRAY_SIZE(cmds))];
	else
		cmd = _IOC(rnd(r, 4), VHOST_VIRTIO, 0xe0 + rnd(r, 16),
			   rnd(r, 256));
	return fz_ioctl(cmd, one_in(r, 2) ? arg : NULL);
}

/* Every ioctl that takes a pointer, given one that faults. */
static int op_bad_pointer(struct rng *r)
{
	static const unsigned long cmds[] = { VHOST_GET_FEATURES,
		VHOST_SET_FEATURES, VHOST_SET_MEM_TABLE, VHOST_SET_LOG_BASE,
		VHOST_SET_LOG_FD, VHOST_SET_VRING_NUM, VHOST_SET_VRING_ADDR,
		VHOST_SET_VRING_BASE, VHOST_GET_VRING_BASE, VHOST_SET_VRING_KICK,
		VHOST_SET_VRING_CALL, VHOST_SET_VRING_ERR,
		VHOST_SET_VRING_BUSYLOOP_TIMEOUT,
		VHOST_GET_VRING_BUSYLOOP_TIMEOUT, VHOST_SET_BACKEND_FEATURES,
		VHOST_GET_BACKEND_FEATURES, VHOST_NET_SET_BACKEND,
		VHOST_FP_GET_STATS, VHOST_FP_GET_TUNABLES,
		VHOST_FP_SET_TUNABLES };
	unsigned long cmd = cmds[rnd(r, ARRAY_SIZE(cmds))];
	unsigned int size = _IOC_SIZE(cmd);
	void *p;
	int ret;

	switch (rnd(r, 4)) {
	case 0:
		p = NULL;
		break;
	case 1:
		p = fz.f.hole + rnd(r, HOLE_SIZE);
		break;
	case 2:
		p = (void *)(uintptr_t)(0xffff888000000000ULL + rnd(r, 1 << 20));
		break;
	default: /* the last byte it needs is in the PROT_NONE page */
		p = fz.edge_page + 4096 - size + 1 + rnd(r, size - 1);
		memset(fz.edge_page, 0, 4096);
	}
	ret = fz_ioctl(cmd, p);
	/* As in vhost, a running ring refuses NUM and BASE before reading. */
	if (fz.owned && ret != -EFAULT &&
	    !(ret == -EBUSY && (cmd == VHOST_SET_VRING_NUM ||
				cmd == VHOST_SET_VRING_BASE)))
		fz_fail("ioctl %#lx of the owner, pointer %p: %d", cmd, p, ret);
	return ret;
}

/* The tap under the device changes its header size and send buffer. */
static int op_tap(struct rng *r)
{
	int v;

	if (one_in(r, 2)) {
		v = one_in(r, 2) ? INT_MAX : (int)rnd(r, 1 << 20);
		return fz_ioctl_fd(fz.f.tap.fd, TUNSETSNDBUF, &v);
	}
	v = one_in(r, 2) ? 12 : (int)rnd(r, 40);
	return fz_ioctl_fd(fz.f.tap.fd, TUNSETVNETHDRSZ, &v);
}

/* Another process (another mm) holding the fd may not drive it. */
static int op_fork(struct rng *r)
{
	unsigned long cmds[] = { VHOST_SET_MEM_TABLE, VHOST_SET_VRING_NUM,
		VHOST_NET_SET_BACKEND, VHOST_RESET_OWNER, VHOST_SET_FEATURES };
	unsigned long cmd = cmds[rnd(r, 5)];
	int status;
	pid_t pid;

	fz.forks++;
	pid = fork();
	if (pid < 0)
		return 0;
	if (!pid) {
		__u8 arg[256] = {};

		_exit(ioctl(fz.f.dev.fd, cmd, arg) < 0 && errno == EPERM ? 0 : 1);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		fz_fail("child driving the fd did not exit");
	if (WEXITSTATUS(status))
		fz_fail("ioctl %#lx from another process: not -EPERM", cmd);
	return 0;
}

static int op_pause(struct rng *r)
{
	usleep(rnd(r, 2000));
	return 0;
}

/*
 * The whole bring-up, QEMU's order, with the guest calm and every ring
 * reset: each step must succeed.  Traffic flows afterwards.
 */
static void fz_bring_up(struct rng *r)
{
	struct fuzz *f = &fz.f;
	struct vhost_fp_tunables tun;
	__u64 features = STD_FEATURES;
	const char *failed;
	unsigned int i;
	int v, ret;

	fz.nth = 0;
	fz.repairs++;
	__atomic_store_n(&f->calm, true, __ATOMIC_RELAXED);
	if (!fz.owned) {
		fz_must(VHOST_SET_OWNER, NULL, "SET_OWNER");
		fz.owned = true;
	}
	for (i = 0; i < 2; i++) {
		ret = guest_set_backend(f->dev.fd, i, -1);
		if (ret)
			fz_fail("SET_BACKEND %u -1: %s", i, strerror(-ret));
	}
	v = INT_MAX;
	ioctl(f->tap.fd, TUNSETSNDBUF, &v);
	v = HDR_BYTES;
	ioctl(f->tap.fd, TUNSETVNETHDRSZ, &v);
	fz_must(VHOST_SET_FEATURES, &features, "SET_FEATURES");
	ret = guest_set_mem_table(f->dev.fd, &f->dev.mem);
	if (ret)
		fz_fail("SET_MEM_TABLE: %s", strerror(-ret));
	/*
	 * Wait out a hostile step in progress: it may hold a ring page.  The
	 * device learns where the empty rings start (SET_VRING_BASE) before
	 * the guest thread may post again: a buffer posted in between would
	 * count as consumed already, and a guest that has posted all of its
	 * RX buffers would wait forever for them.
	 */
	pthread_mutex_lock(&f->ring_lock);
	f->ring->reset(f);
	for (i = 0; i < 2; i++) {
		ret = guest_vq_setup(f->dev.fd, &f->dev.vq[i], &failed);
		if (ret)
			fz_fail("%s %u: %s", failed, i, strerror(-ret));
	}
	pthread_mutex_unlock(&f->ring_lock);
	if (one_in(r, 4)) {	/* dirty logging on, under traffic */
		__u64 base = (uintptr_t)f->logmap;

		features |= F(VHOST_F_LOG_ALL);
		fz_must(VHOST_SET_LOG_BASE, &base, "SET_LOG_BASE");
		fz_must(VHOST_SET_LOG_FD, &fz.log_efd, "SET_LOG_FD");
		fz_must(VHOST_SET_FEATURES, &features, "SET_FEATURES log");
	}
	fz_must(VHOST_FP_GET_TUNABLES, &tun, "GET_TUNABLES");
	tun.flags = one_in(r, 4) ? 0 : VHOST_FP_F_ZEROCOPY;
	tun.zc_threshold = rnd(r, 2) ? 256 : 0;
	tun.zc_max_pending = rnd(r, 8);
	fz_must(VHOST_FP_SET_TUNABLES, &tun, "SET_TUNABLES");
	for (i = 0; i < 2; i++) {
		ret = guest_set_backend(f->dev.fd, i, f->tap.fd);
		if (ret)
			fz_fail("SET_BACKEND %u tap: %s", i, strerror(-ret));
	}
}

static int op_repair(struct rng *r)
{
	fz_bring_up(r);
	__atomic_store_n(&fz.f.calm, false, __ATOMIC_RELAXED);
	return 0;
}

static int op_reopen(struct rng *r)
{
	struct fuzz *f = &fz.f;
	int ret;

	fz.reopens++;
	ret = fz_close(f->dev.fd);
	if (ret)
		fz_fail("close() of the device: %s", strerror(-ret));
	f->dev.fd = open(guest_dev_path(true), O_RDWR | O_CLOEXEC);
	if (f->dev.fd < 0)
		fz_fail("reopen: %s", strerror(errno));
	fz.owned = false;
	return op_repair(r);
}

/* What a stall looks like from both sides, for the failure report. */
static void fz_dump_state(void)
{
	struct fuzz *f = &fz.f;
	struct vhost_fp_stats st;
	unsigned int i;
	__u16 ev;

	printf("# host sent %lu received %lu; rx posted %lu\n",
	       f->host_sent, f->host_recv, f->rx_posted);
	pthread_mutex_lock(&f->ring_lock);
	for (i = 0; i < 2; i++) {
		struct guest_vq *vq = &f->dev.vq[i];

		if (vq->packed) {
			printf("# vq %u packed: next_avail %u wrap %d, kicks %lu\n",
			       i, vq->next_avail, vq->avail_wrap, vq->kicks);
			continue;
		}
		printf("# vq %u: avail idx %u (kicked %u) used idx %u flags %#x",
		       i, vq->avail->idx, vq->kicked_idx, vq->used->idx,
		       vq->used->flags);
		/* avail_event: the 16 bits right after the used ring */
		memcpy(&ev, &vq->used->ring[vq->num], sizeof(ev));
		printf(" avail_event %u, last_used %u, kicks %lu\n", ev,
		       vq->last_used, vq->kicks);
	}
	pthread_mutex_unlock(&f->ring_lock);
	if (ioctl(f->dev.fd, VHOST_FP_GET_STATS, &st))
		return;
	for (i = 0; i < 2; i++) {
		printf("# device vq %u: packets %llu kicks %llu calls %llu",
		       i, st.vq[i].packets, st.vq[i].kicks, st.vq[i].calls);
		printf(" drops %llu guest_errors %llu\n", st.vq[i].drops,
		       st.vq[i].guest_errors);
	}
}

/* After a bring-up with a calm guest, frames must move both ways. */
static void fz_live_check(struct rng *r)
{
	struct fuzz *f = &fz.f;
	unsigned long tx, rx;
	int i;

	fz.live_checks++;
	fz_bring_up(r);
	tx = __atomic_load_n(&f->tx_used, __ATOMIC_RELAXED);
	rx = __atomic_load_n(&f->rx_used, __ATOMIC_RELAXED);
	for (i = 0; i < LIVE_WAIT_MS; i += 10) {
		if (__atomic_load_n(&f->tx_used, __ATOMIC_RELAXED) > tx + 16 &&
		    __atomic_load_n(&f->rx_used, __ATOMIC_RELAXED) > rx + 16)
			break;
		usleep(10000);
	}
	if (i >= LIVE_WAIT_MS) {
		fz_dump_state();
		fz_fail("no traffic after a bring-up: tx used %lu -> %lu, rx used %lu -> %lu",
			tx, f->tx_used, rx, f->rx_used);
	}
	__atomic_store_n(&f->calm, false, __ATOMIC_RELAXED);
}

struct fz_op {
	const char *name;
	unsigned int weight;
	int (*fn)(struct rng *r);
	bool inject;		/* worth a fault injection */
};

static const struct fz_op ops[] = {
	{ "SET_OWNER",		10,	op_set_owner,		true },
	{ "RESET_OWNER",	2,	op_reset_owner,		false },
	{ "GET_FEATURES",	20,	op_get_features,	false },
	{ "SET_FEATURES",	40,	op_set_features,	true },
	{ "SET_MEM_TABLE",	80,	op_set_mem_table,	true },
	{ "SET_VRING_NUM",	40,	op_vring_num,		false },
	{ "SET_VRING_BASE",	40,	op_vring_base,		false },
	{ "GET_VRING_BASE",	30,	op_get_vring_base,	true },
	{ "SET_VRING_ADDR",	60,	op_vring_addr,		true },
	{ "SET_VRING_FILE",	60,	op_vring_file,		true },
	{ "BUSYLOOP",		20,	op_busyloop,		false },
	{ "BACKEND_FEATURES",	20,	op_backend_features,	false },
	{ "IOTLB_WRITE",	40,	op_iotlb_write,		true },
	{ "IOTLB_READ",		10,	op_iotlb_read,		false },
	{ "SET_LOG_BASE",	30,	op_log_base,		false },
	{ "SET_LOG_FD",		20,	op_log_fd,		false },
	{ "SET_BACKEND",	60,	op_set_backend,		true },
	{ "FP_GET_STATS",	20,	op_fp_stats,		true },
	{ "FP_TUNABLES",	30,	op_fp_tunables,		true },
	{ "UNKNOWN_IOCTL",	20,	op_unknown,		false },
	{ "BAD_POINTER",	30,	op_bad_pointer,		false },
	{ "TAP_KNOBS",		10,	op_tap,			false },
	{ "PAUSE",		5,	op_pause,		false },
	{ "REPAIR",		8,	op_repair,		false },
	{ "REOPEN",		1,	op_reopen,		false },
	{ "FORK",		1,	op_fork,		false },
};

#define NOPS	(ARRAY_SIZE(ops))

static const struct fz_op *fz_pick(struct rng *r)
{
	static unsigned int total;
	unsigned int i, w;

	if (!total)
		for (i = 0; i < NOPS; i++)
			total += ops[i].weight;
	w = rnd(r, total);
	for (i = 0; w >= ops[i].weight; i++)
		w -= ops[i].weight;
	return &ops[i];
}

static void write_knob(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	if (write(fd, val, strlen(val)) < 0)
		printf("# %s: %s\n", path, strerror(errno));
	close(fd);
}

/*
 * fail-nth fails the Nth fault site this thread passes, in any enabled
 * injector: slab, page allocator, user copies.  The injectors' own
 * probability stays 0, so no other task sees a fault; the GFP filters
 * go, because nearly everything vhost-fp allocates may sleep.
 */
static void fz_faults_setup(bool want)
{
	fz.nth_fd = -1;
	if (!want)
		return;
	if (access("/sys/kernel/debug/failslab", F_OK)) {
		printf("# no /sys/kernel/debug/failslab: no fault injection\n");
		return;
	}
	write_knob("/sys/kernel/debug/failslab/ignore-gfp-wait", "N");
	write_knob("/sys/kernel/debug/fail_page_alloc/ignore-gfp-wait", "N");
	write_knob("/sys/kernel/debug/fail_page_alloc/ignore-gfp-highmem", "N");
	write_knob("/sys/kernel/debug/fail_page_alloc/min-order", "0");
	write_knob("/sys/kernel/debug/failslab/verbose", "0");
	write_knob("/sys/kernel/debug/fail_page_alloc/verbose", "0");
	write_knob("/sys/kernel/debug/fail_usercopy/verbose", "0");
	write_knob("/sys/kernel/debug/failslab/task-filter", "Y");
	write_knob("/proc/thread-self/make-it-fail", "1");
	fz.nth_fd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	printf("# fault injection: %s\n", fz.nth_fd < 0 ?
	       "no /proc/thread-self/fail-nth" : "fail-nth in the ioctl thread");
}

static int fz_setup(void)
{
	struct fuzz *f = &fz.f;
	unsigned int i;
	int ret;

	ret = tap_netns_enter();
	if (!ret)
		ret = tap_open(&f->tap, TAP_NAME, HDR_BYTES, TAP_OFFLOADS);
	if (!ret)
		ret = tap_open_sockets(&f->tap);
	if (ret)
		fz_fail("tap: %s", strerror(-ret));
	ret = guest_dev_open(&f->dev, true);
	if (ret)
		fz_fail("open %s: %s", guest_dev_path(true), strerror(-ret));
	f->hole = mmap(NULL, HOLE_SIZE, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	f->logmap = mmap(NULL, LOGMAP_SIZE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	fz.edge_page = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	fz.table = calloc(1, sizeof(*fz.table) +
			  MAX_REGIONS * sizeof(fz.table->regions[0]));
	if (f->hole == MAP_FAILED || f->logmap == MAP_FAILED ||
	    fz.edge_page == MAP_FAILED || !fz.table ||
	    mprotect(fz.edge_page + 4096, 4096, PROT_NONE))
		fz_fail("mappings: %s", strerror(errno));
	/* A log far gpas need would pass access_ok() only below this. */
	if ((uintptr_t)f->logmap < 0x600000000000ULL)
		fz_fail("log map at %p: too low for the far gpas", f->logmap);
	f->num = RING_NUM;
	f->ring = &split_ring_ops;
	for (i = 0; i < 2; i++) {
		ret = guest_vq_init(&f->dev.vq[i], &f->dev.mem, i, f->num, true);
		if (ret)
			fz_fail("guest_vq_init: %s", strerror(-ret));
	}
	if (fuzz_guest_init(f))
		fz_fail("guest buffers");
	fz.efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	fz.log_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	fz.null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	fz.udp_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	fz.tun_fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);	/* no netdev */
	if (fz.efd < 0 || fz.log_efd < 0 || fz.null_fd < 0 || fz.udp_fd < 0 ||
	    fz.tun_fd < 0)
		fz_fail("spare fds: %s", strerror(errno));
	if (xioctl(f->dev.fd, VHOST_GET_FEATURES, &fz.offered))
		fz_fail("GET_FEATURES");
	pthread_mutex_init(&f->ring_lock, NULL);
	return 0;
}

static void fz_usage(void)
{
	fprintf(stderr, "usage: fuzz [--seed S] [--ops N] [--time SEC]\n"
		"            [--hostile N (1 in N guest steps)] [--no-faults]\n"
		"            [--pattern K (0..%d) | all] [-v]\n", HOSTILE_KINDS - 1);
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "ops", required_argument, NULL, 'n' },
		{ "time", required_argument, NULL, 't' },
		{ "hostile", required_argument, NULL, 'H' },
		{ "no-faults", no_argument, NULL, 'F' },
		{ "pattern", required_argument, NULL, 'P' },
		{ "verbose", no_argument, NULL, 'v' },
		{}
	};
	unsigned long nops = env_ulong("VFP_FUZZ_OPS", 100000), n;
	unsigned long counts[NOPS] = {}, errs[NOPS] = {};
	double secs[NOPS] = {}, t1, shown = 0;
	double limit = env_ulong("VFP_FUZZ_TIME", 0), t0, t;
	bool faults = true;
	struct rng r;
	int c, i;

	fz.seed = env_ulong("VFP_FUZZ_SEED", 0);
	pthread_t watchdog;

	fz.f.hostile_one_in = 64;
	fz.f.pattern = -1;
	while ((c = getopt_long(argc, argv, "s:n:t:H:FP:v", lopts, NULL)) != -1) {
		switch (c) {
		case 's':
			fz.seed = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			nops = strtoul(optarg, NULL, 0);
			break;
		case 't':
			limit = strtod(optarg, NULL);
			break;
		case 'H':
			fz.f.hostile_one_in = strtoul(optarg, NULL, 0) ?: 1;
			break;
		case 'F':
			faults = false;
			break;
		case 'P':
			fz.pattern_cycle = !strcmp(optarg, "all");
			fz.f.pattern = fz.pattern_cycle ? 0 : atoi(optarg);
			if (fz.f.pattern < 0 || fz.f.pattern >= HOSTILE_KINDS)
				fz_usage();
			fz.f.hostile_one_in = 1;
			break;
		case 'v':
			fz.verbose = true;
			break;
		default:
			fz_usage();
		}
	}
	if (!fz.seed)
		fz.seed = (__u64)time(NULL) ^ ((__u64)getpid() << 32);
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n1..1\n");
	printf("# seed %llu ops %lu time limit %.0f s (replay: fuzz --seed %llu --ops %lu)\n",
	       (unsigned long long)fz.seed, nops, limit,
	       (unsigned long long)fz.seed, nops);
	if (fz.pattern_cycle)
		printf("# hostile writes of each kind in turn, %d s each, every guest step\n",
		       PATTERN_SECS);
	else if (fz.f.pattern >= 0)
		printf("# hostile writes of kind %d only, every guest step\n",
		       fz.f.pattern);
	if (!guest_dev_present(true)) {
		printf("ok 1 fuzz # SKIP no %s\n", guest_dev_path(true));
		return KSFT_SKIP_RC;
	}
	fz_fatal_setup();
	if (pthread_create(&watchdog, NULL, fz_watchdog, NULL))
		fz_fail("watchdog thread");
	r.s = fz.seed;
	fz.f.guest_rng.s = fz.seed * 3 + 1;
	fz.f.host_rng.s = fz.seed * 5 + 2;
	fz_setup();
	fz_faults_setup(faults);
	if (fuzz_threads_start(&fz.f))
		fz_fail("threads");
	fz_live_check(&r);
	t0 = now_s();
	for (n = 0; n < nops; n++) {
		const struct fz_op *op = fz_pick(&r);
		unsigned int nth = rnd(&r, 16);

		fz.op = n;
		fz.op_name = op->name;
		/* A quarter of the fault-worthy ops get a fault at site 1..4. */
		fz.nth = op->inject && nth < 4 ? nth + 1 : 0;
		t1 = now_s();
		if (op->fn(&r))
			errs[op - ops]++;
		secs[op - ops] += now_s() - t1;
		counts[op - ops]++;
		if (fz.verbose)
			printf("# %lu %s\n", n, op->name);
		if (n % LIVE_EVERY == LIVE_EVERY - 1)
			fz_live_check(&r);
		if (n % 256 == 255) {
			t = now_s() - t0;
			if (fz.pattern_cycle)
				__atomic_store_n(&fz.f.pattern,
						 (int)(t / PATTERN_SECS) % HOSTILE_KINDS,
						 __ATOMIC_RELAXED);
			if (t - shown >= 60) {
				printf("# %lu ops in %.0f s, %lu faults injected\n",
				       n + 1, t, fz.faults);
				shown = t;
			}
			if (limit && t > limit) {
				printf("# time limit reached after %lu ops\n", n + 1);
				n++;
				break;
			}
		}
	}
	fz.op_name = "final";
	fz_live_check(&r);
	t = now_s() - t0;
	fuzz_threads_stop(&fz.f);
	c = fz_close(fz.f.dev.fd);
	if (c)
		fz_fail("final close(): %s", strerror(-c));
	for (i = 0; i < (int)NOPS; i++)
		printf("# %-18s %9lu ops %9lu errors %8.1f s\n", ops[i].name,
		       counts[i], errs[i], secs[i]);
	printf("# guest: %lu steps, %lu hostile writes, %lu/%lu TX, %lu/%lu RX buffers used\n",
	       fz.f.guest_steps, fz.f.hostile_ops, fz.f.tx_used, fz.f.tx_posted,
	       fz.f.rx_used, fz.f.rx_posted);
	printf("# host: %lu frames sent, %lu received\n", fz.f.host_sent,
	       fz.f.host_recv);
	printf("# %lu bring-ups, %lu reopens, %lu live checks, %lu forks\n",
	       fz.repairs, fz.reopens, fz.live_checks, fz.forks);
	printf("# IOTLB: %lu messages taken, %lu misses read\n",
	       fz.iotlb_taken, fz.iotlb_misses);
	printf("# seed %llu: %lu ops in %.1f s (%.0f ops/s), %lu of %lu fault injections hit\n",
	       (unsigned long long)fz.seed, n, t, n / (t > 0 ? t : 1),
	       fz.faults, fz.fault_tries);
	printf("ok 1 fuzz\n");
	return 0;
}
