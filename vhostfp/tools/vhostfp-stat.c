// SPDX-License-Identifier: GPL-2.0
/*
 * vhostfp-stat: what vhostfp devices move, per queue, for an operator.
 *
 *   vhostfp-stat [-i SEC [-c COUNT]] [-a] [--json] [-p PID] [-n IFNAME]
 *   vhostfp-stat -p PID -f FD [-a] [--json]
 *
 * Every device comes from the generic netlink family "vhostfp" (a dump,
 * CAP_NET_ADMIN), or from debugfs where the module has no such family;
 * with -f, one device through VHOST_FP_GET_VQ_STATS on a copy of the
 * descriptor (pidfd_getfd(): ptrace rights on PID).  The counters and
 * their order are <linux/vhost_fp_counters.h>'s.  See vhostfp-stat(8).
 */
#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/vhost_fp.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

#define DEBUGFS_DIR	"/sys/kernel/debug/vhostfp"
#define MAX_DEVS	4096
#define IFNAME_LEN	16

enum kind { COUNT, DEVICE, GAUGE };

static const struct counter {
	const char *name;
	enum kind kind;
	const char *doc;
} counters[] = {
#define VHOST_FP_COUNTER(n, k, d) { .name = #n, .kind = k, .doc = d },
#include <linux/vhost_fp_counters.h>
};

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define NCOUNTERS	ARRAY_SIZE(counters)

/* Read counters as an array: the struct is the list, field for field. */
static_assert(sizeof(struct vhost_fp_vq_stats_ext) == NCOUNTERS * sizeof(__u64),
	      "struct vhost_fp_vq_stats_ext is not the list of counters");

struct queue {
	unsigned int index;		/* VHOST_FP_VQ_RX or _TX */
	char kind[IFNAME_LEN];		/* backend: tun, macvtap; "": none */
	char ifname[IFNAME_LEN];
	unsigned int ifindex;		/* 0: unknown */
	int tap_queue;			/* -1: unknown */
	__u64 v[NCOUNTERS];
};

struct dev {
	unsigned int id;
	unsigned int owner;
	unsigned int worker;
	__u64 features;
	char ring[8];
	unsigned int nq;
	struct queue q[VHOST_FP_NVQS];
};

struct snap {
	struct dev *devs;
	unsigned int n;
	double t;			/* CLOCK_MONOTONIC, seconds */
};

static struct {
	bool all, json;
	int pid, fd;
	const char *ifname;
	double interval;
	long count;
} opt = { .pid = -1, .fd = -1, .count = -1 };

static const char *prog = "vhostfp-stat";

static void die(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "%s: ", prog);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(status);
}

static int counter_index(const char *name)
{
	for (unsigned int i = 0; i < NCOUNTERS; i++)
		if (!strcmp(counters[i].name, name))
			return i;
	return -1;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void dev_init(struct dev *d)
{
	memset(d, 0, sizeof(*d));
	snprintf(d->ring, sizeof(d->ring), "-");
	d->nq = VHOST_FP_NVQS;
	for (unsigned int i = 0; i < VHOST_FP_NVQS; i++) {
		d->q[i].index = i;
		d->q[i].tap_queue = -1;
	}
}

/* ---- netlink ---- */

struct nl {
	int fd;
	__u32 seq;
	char buf[65536];
};

static int nl_request(struct nl *nl, __u16 type, __u16 flags, __u8 cmd,
		      const char *family_name)
{
	struct {
		struct nlmsghdr nh;
		struct genlmsghdr gh;
		char attrs[64];
	} req = {};
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	size_t len = NLMSG_LENGTH(GENL_HDRLEN);

	req.nh.nlmsg_type = type;
	req.nh.nlmsg_flags = NLM_F_REQUEST | flags;
	req.nh.nlmsg_seq = ++nl->seq;
	req.gh.cmd = cmd;
	req.gh.version = type == GENL_ID_CTRL ? 1 : VHOST_FP_GENL_VERSION;
	if (family_name) {
		struct nlattr *a = (struct nlattr *)req.attrs;

		a->nla_type = CTRL_ATTR_FAMILY_NAME;
		a->nla_len = NLA_HDRLEN + strlen(family_name) + 1;
		memcpy((char *)a + NLA_HDRLEN, family_name, strlen(family_name) + 1);
		len += NLA_ALIGN(a->nla_len);
	}
	req.nh.nlmsg_len = len;
	if (sendto(nl->fd, &req, len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	return 0;
}

/* Calls @fn on each reply message until DONE (dump) or one reply: -errno. */
static int nl_replies(struct nl *nl, bool dump,
		      int (*fn)(struct nlmsghdr *nh, void *arg), void *arg)
{
	for (;;) {
		ssize_t n = recv(nl->fd, nl->buf, sizeof(nl->buf), 0);
		struct nlmsghdr *nh;

		if (n < 0)
			return -errno;
		for (nh = (struct nlmsghdr *)nl->buf; NLMSG_OK(nh, n); nh = NLMSG_NEXT(nh, n)) {
			int ret;

			if (nh->nlmsg_type == NLMSG_DONE)
				return 0;
			if (nh->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(nh);

				if (e->error || !dump)
					return e->error;
				continue;
			}
			ret = fn(nh, arg);
			if (ret || !dump)
				return ret;
		}
	}
}

/* Attributes: for (a = head; nla_ok(a, len); a = nla_next(a, &len)). */
static bool nla_ok(const struct nlattr *a, int len)
{
	return len >= (int)NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= len;
}

static struct nlattr *nla_next(struct nlattr *a, int *len)
{
	*len -= NLA_ALIGN(a->nla_len);
	return (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len));
}

#define NLA_DATA(a)	((void *)((char *)(a) + NLA_HDRLEN))

static __u64 nla_u64(const struct nlattr *a)
{
	__u64 v = 0;

	memcpy(&v, NLA_DATA(a), a->nla_len - NLA_HDRLEN >= 8 ? 8 : 4);
	return v;
}

static __u32 nla_u32(const struct nlattr *a)
{
	__u32 v;

	memcpy(&v, NLA_DATA(a), 4);
	return v;
}

static void nla_str(char *dst, const struct nlattr *a)
{
	snprintf(dst, IFNAME_LEN, "%.*s", (int)(a->nla_len - NLA_HDRLEN), (char *)NLA_DATA(a));
}

static int family_id_cb(struct nlmsghdr *nh, void *arg)
{
	struct nlattr *a;
	int len = nh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);

	for (a = (void *)((char *)NLMSG_DATA(nh) + GENL_HDRLEN); nla_ok(a, len);
	     a = nla_next(a, &len))
		if (a->nla_type == CTRL_ATTR_FAMILY_ID)
			*(__u16 *)arg = *(__u16 *)NLA_DATA(a);
	return 0;
}

static void parse_queue(struct queue *q, struct nlattr *head, int len)
{
	struct nlattr *a;

	for (a = head; nla_ok(a, len); a = nla_next(a, &len)) {
		unsigned int t = a->nla_type & NLA_TYPE_MASK;

		if (t >= VHOST_FP_A_QUEUE_PACKETS && t < VHOST_FP_A_QUEUE_PACKETS + NCOUNTERS)
			q->v[t - VHOST_FP_A_QUEUE_PACKETS] = nla_u64(a);
		else if (t == VHOST_FP_A_QUEUE_INDEX)
			q->index = nla_u32(a);
		else if (t == VHOST_FP_A_QUEUE_BACKEND)
			nla_str(q->kind, a);
		else if (t == VHOST_FP_A_QUEUE_IFNAME)
			nla_str(q->ifname, a);
		else if (t == VHOST_FP_A_QUEUE_IFINDEX)
			q->ifindex = nla_u32(a);
		else if (t == VHOST_FP_A_QUEUE_TAP_QUEUE)
			q->tap_queue = nla_u32(a);
	}
}

static int dev_cb(struct nlmsghdr *nh, void *arg)
{
	struct snap *s = arg;
	int len = nh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);
	unsigned int nq = 0;
	struct nlattr *a;
	struct dev *d;

	if (s->n >= MAX_DEVS)
		return 0;
	d = &s->devs[s->n++];
	dev_init(d);
	for (a = (void *)((char *)NLMSG_DATA(nh) + GENL_HDRLEN); nla_ok(a, len);
	     a = nla_next(a, &len)) {
		switch (a->nla_type & NLA_TYPE_MASK) {
		case VHOST_FP_A_DEV_ID:
			d->id = nla_u32(a);
			break;
		case VHOST_FP_A_DEV_OWNER_PID:
			d->owner = nla_u32(a);
			break;
		case VHOST_FP_A_DEV_WORKER_PID:
			d->worker = nla_u32(a);
			break;
		case VHOST_FP_A_DEV_FEATURES:
			d->features = nla_u64(a);
			break;
		case VHOST_FP_A_DEV_RING:
			snprintf(d->ring, sizeof(d->ring), "%s", (char *)NLA_DATA(a));
			break;
		case VHOST_FP_A_DEV_QUEUE:
			if (nq < VHOST_FP_NVQS)
				parse_queue(&d->q[nq++], NLA_DATA(a), a->nla_len - NLA_HDRLEN);
			break;
		}
	}
	d->nq = nq;
	return 0;
}

/* 0; -ENOENT: no such family (an older module); other -errno. */
static int read_netlink(struct snap *s)
{
	static struct nl nl;
	__u16 family = 0;
	int ret;

	if (!nl.fd) {
		nl.fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
		if (nl.fd < 0)
			return -errno;
	}
	ret = nl_request(&nl, GENL_ID_CTRL, 0, CTRL_CMD_GETFAMILY, VHOST_FP_GENL_NAME);
	if (!ret)
		ret = nl_replies(&nl, false, family_id_cb, &family);
	if (ret)
		return ret;
	ret = nl_request(&nl, family, NLM_F_DUMP, VHOST_FP_CMD_DEV_GET, NULL);
	return ret ?: nl_replies(&nl, true, dev_cb, s);
}

/* ---- debugfs ---- */

static void debugfs_line(struct dev *d, const char *line)
{
	char k1[32], k2[32], val[64];
	int n = sscanf(line, "%31s %31s %63s", k1, k2, val), qi;
	struct queue *q;

	if (n == 2) {
		if (!strcmp(k1, "owner"))
			d->owner = atoi(k2);
		else if (!strcmp(k1, "worker_pid"))
			d->worker = atoi(k2);
		else if (!strcmp(k1, "features"))
			d->features = strtoull(k2, NULL, 0);
		else if (!strcmp(k1, "ring"))
			snprintf(d->ring, sizeof(d->ring), "%.7s", k2);
		return;
	}
	qi = !strcmp(k1, "rx") ? VHOST_FP_VQ_RX : !strcmp(k1, "tx") ? VHOST_FP_VQ_TX : -1;
	if (n != 3 || qi < 0)
		return;
	q = &d->q[qi];
	if (!strcmp(k2, "backend"))
		snprintf(q->kind, sizeof(q->kind), "%.15s", val);
	else if (!strcmp(k2, "ifname"))
		snprintf(q->ifname, sizeof(q->ifname), "%.15s", val);
	else if (!strcmp(k2, "ifindex"))
		q->ifindex = atoi(val);
	else if (!strcmp(k2, "tap_queue"))
		q->tap_queue = atoi(val);
	else if (counter_index(k2) >= 0)
		q->v[counter_index(k2)] = strtoull(val, NULL, 10);
}

static int read_debugfs(struct snap *s)
{
	char path[512], line[256];
	struct dirent *de;
	DIR *dir = opendir(DEBUGFS_DIR);

	if (!dir)
		return -errno;
	while ((de = readdir(dir)) && s->n < MAX_DEVS) {
		struct dev *d = &s->devs[s->n];
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), DEBUGFS_DIR "/%s/stats", de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		dev_init(d);
		/* The directory is <owner>-<id>. */
		d->id = atoi(strchr(de->d_name, '-') ? strchr(de->d_name, '-') + 1 : "0");
		while (fgets(line, sizeof(line), f))
			debugfs_line(d, line);
		fclose(f);
		s->n++;
	}
	closedir(dir);
	return 0;
}

/* ---- one device through its fd ---- */

static int read_fd(struct snap *s)
{
	struct dev *d = &s->devs[0];
	int pidfd, dfd;

	pidfd = syscall(SYS_pidfd_open, opt.pid, 0);
	if (pidfd < 0)
		die(1, "pid %d: %s", opt.pid, strerror(errno));
	dfd = syscall(SYS_pidfd_getfd, pidfd, opt.fd, 0);
	close(pidfd);
	if (dfd < 0)
		die(1, "fd %d of pid %d: %s (ptrace rights on it?)", opt.fd, opt.pid,
		    strerror(errno));
	dev_init(d);
	d->owner = opt.pid;
	for (unsigned int q = 0; q < VHOST_FP_NVQS; q++) {
		struct vhost_fp_vq_stats_req req = {
			.index = q, .size = sizeof(d->q[q].v), .addr = (unsigned long)d->q[q].v,
		};

		if (ioctl(dfd, VHOST_FP_GET_VQ_STATS, &req))
			die(1, "fd %d of pid %d: VHOST_FP_GET_VQ_STATS: %s (not a vhostfp device?)",
			    opt.fd, opt.pid, strerror(errno));
	}
	close(dfd);
	s->n = 1;
	return 0;
}

/* ---- sampling ---- */

static bool module_loaded(void)
{
	struct stat st;

	return !stat("/sys/module/vhostfp", &st);
}

static bool queue_wanted(const struct dev *d, const struct queue *q)
{
	if (opt.pid >= 0 && opt.fd < 0 && (int)d->owner != opt.pid)
		return false;
	return !opt.ifname || !strcmp(q->ifname, opt.ifname);
}

static void sample(struct snap *s)
{
	int ret;

	s->n = 0;
	s->t = now();
	if (opt.fd >= 0) {
		read_fd(s);
		return;
	}
	if (!module_loaded())
		die(1, "the vhostfp module is not loaded (modprobe vhostfp)");
	ret = read_netlink(s);
	if (ret == -ENOENT) {
		/* A module without the netlink family: its debugfs. */
		s->n = 0;
		ret = read_debugfs(s);
		if (ret)
			die(1, "no netlink family '%s' and %s: %s (root, debugfs mounted?)",
			    VHOST_FP_GENL_NAME, DEBUGFS_DIR, strerror(-ret));
	}
	if (ret == -EPERM || ret == -EACCES)
		die(1, "reading the counters needs CAP_NET_ADMIN (run as root)");
	if (ret)
		die(1, "netlink dump of '%s': %s", VHOST_FP_GENL_NAME, strerror(-ret));
}

static const struct dev *find_dev(const struct snap *s, unsigned int id)
{
	for (unsigned int i = 0; s && i < s->n; i++)
		if (s->devs[i].id == id)
			return &s->devs[i];
	return NULL;
}

/* The change of counter @c since @old (or the value without one). */
static __u64 delta(const struct queue *q, const struct queue *old, unsigned int c)
{
	if (!old || counters[c].kind == GAUGE || old->v[c] > q->v[c])
		return q->v[c];
	return q->v[c] - old->v[c];
}

/* ---- output ---- */

#define C_PACKETS	0
#define C_BYTES		1
#define C_ZC_SENT	2

static const char *dir_name(unsigned int index)
{
	return index == VHOST_FP_VQ_RX ? "rx" : index == VHOST_FP_VQ_TX ? "tx" : "?";
}

static void json_str(const char *key, const char *v)
{
	printf("\"%s\": \"", key);
	for (; *v; v++)
		printf(*v == '"' || *v == '\\' ? "\\%c" : (unsigned char)*v < 32 ? "?" : "%c", *v);
	printf("\"");
}

static void print_json(const struct snap *s, const struct snap *old)
{
	double dt = old ? s->t - old->t : 0;
	bool first = true;

	printf("{\"interval\": %.3f, \"devices\": [", dt);
	for (unsigned int i = 0; i < s->n; i++) {
		const struct dev *d = &s->devs[i], *od = find_dev(old, d->id);
		bool qfirst = true;

		printf("%s{\"id\": %u, \"owner_pid\": %u, \"worker_pid\": %u, \"features\": %llu, ",
		       first ? "" : ", ", d->id, d->owner, d->worker,
		       (unsigned long long)d->features);
		json_str("ring", d->ring);
		printf(", \"queues\": [");
		first = false;
		for (unsigned int j = 0; j < d->nq; j++) {
			const struct queue *q = &d->q[j];
			const struct queue *oq = od ? &od->q[j] : NULL;

			if (!queue_wanted(d, q))
				continue;
			printf("%s{\"index\": %u, ", qfirst ? "" : ", ", q->index);
			qfirst = false;
			json_str("direction", dir_name(q->index));
			printf(", ");
			json_str("backend", q->kind);
			printf(", ");
			json_str("ifname", q->ifname);
			printf(", \"ifindex\": %u, \"tap_queue\": %d, \"counters\": {",
			       q->ifindex, q->tap_queue);
			for (unsigned int c = 0; c < NCOUNTERS; c++)
				printf("%s\"%s\": %llu", c ? ", " : "", counters[c].name,
				       (unsigned long long)q->v[c]);
			printf("}");
			if (oq && dt > 0) {
				printf(", \"rates\": {");
				for (unsigned int c = 0, n = 0; c < NCOUNTERS; c++) {
					if (counters[c].kind == GAUGE)
						continue;
					printf("%s\"%s\": %.1f", n++ ? ", " : "", counters[c].name,
					       delta(q, oq, c) / dt);
				}
				printf("}");
			}
			printf("}");
		}
		printf("]}");
	}
	printf("]}\n");
}

static void fmt_num(char *buf, size_t len, double v)
{
	static const char units[] = " kMGT";
	unsigned int u = 0;

	while (v >= 99999.5 && u < sizeof(units) - 2) {
		v /= 1000;
		u++;
	}
	if (u)
		snprintf(buf, len, "%.1f%c", v, units[u]);
	else
		snprintf(buf, len, "%.0f", v);
}

/* The default view: one line per queue, 83 columns. */
static void print_table(const struct snap *s, const struct snap *old)
{
	double dt = old ? s->t - old->t : 0;

	printf("%-4s %-7s %-15s %-3s %-2s %10s %9s %5s %10s %8s\n", "dev", "owner",
	       "ifname", "tq", "q", old ? "pkts/s" : "packets", old ? "Mbit/s" : "MB",
	       "zc%", "drops", "gerrors");
	for (unsigned int i = 0; i < s->n; i++) {
		const struct dev *d = &s->devs[i], *od = find_dev(old, d->id);

		for (unsigned int j = 0; j < d->nq; j++) {
			const struct queue *q = &d->q[j];
			const struct queue *oq = od ? &od->q[j] : NULL;
			__u64 pk = delta(q, oq, C_PACKETS), by = delta(q, oq, C_BYTES);
			char tq[12] = "-", pks[16], mb[16], zc[8] = "-";

			if (!queue_wanted(d, q))
				continue;
			if (q->tap_queue >= 0)
				snprintf(tq, sizeof(tq), "%d", q->tap_queue);
			if (q->index == VHOST_FP_VQ_TX && pk)
				snprintf(zc, sizeof(zc), "%.0f",
					 100.0 * delta(q, oq, C_ZC_SENT) / pk);
			if (old && (!oq || dt <= 0)) {
				/* New since the last report: no rate yet. */
				snprintf(pks, sizeof(pks), "-");
				snprintf(mb, sizeof(mb), "-");
				snprintf(zc, sizeof(zc), "-");
			} else if (old) {
				fmt_num(pks, sizeof(pks), pk / dt);
				snprintf(mb, sizeof(mb), "%.1f", by * 8 / dt / 1e6);
			} else {
				fmt_num(pks, sizeof(pks), pk);
				snprintf(mb, sizeof(mb), "%.1f", by / 1e6);
			}
			printf("%-4u %-7u %-15s %-3s %-2s %10s %9s %5s %10llu %8llu\n", d->id,
			       d->owner, q->ifname[0] ? q->ifname : "-", tq, dir_name(q->index),
			       pks, mb, zc, (unsigned long long)q->v[counter_index("drops")],
			       (unsigned long long)q->v[counter_index("guest_errors")]);
		}
	}
}

/* -a: every counter, one line each. */
static void print_all(const struct snap *s, const struct snap *old)
{
	double dt = old ? s->t - old->t : 0;

	for (unsigned int i = 0; i < s->n; i++) {
		const struct dev *d = &s->devs[i], *od = find_dev(old, d->id);
		unsigned int wanted = 0;

		for (unsigned int j = 0; j < d->nq; j++)
			wanted += queue_wanted(d, &d->q[j]);
		if (!wanted)
			continue;
		printf("device %u: owner %u, worker %u, %s ring, features 0x%llx\n", d->id,
		       d->owner, d->worker, d->ring, (unsigned long long)d->features);
		for (unsigned int j = 0; j < d->nq; j++) {
			const struct queue *q = &d->q[j];
			const struct queue *oq = od ? &od->q[j] : NULL;

			if (!queue_wanted(d, q))
				continue;
			printf("  %s: %s %s, ifindex %u, tap queue %d\n", dir_name(q->index),
			       q->kind[0] ? q->kind : "(no backend)", q->ifname, q->ifindex,
			       q->tap_queue);
			for (unsigned int c = 0; c < NCOUNTERS; c++) {
				printf("    %-18s %20llu", counters[c].name,
				       (unsigned long long)q->v[c]);
				if (oq && dt > 0 && counters[c].kind != GAUGE)
					printf(" %14.1f/s", delta(q, oq, c) / dt);
				printf("\n");
			}
		}
	}
}

static void report(const struct snap *s, const struct snap *old)
{
	unsigned int shown = 0;

	for (unsigned int i = 0; i < s->n; i++)
		for (unsigned int j = 0; j < s->devs[i].nq; j++)
			shown += queue_wanted(&s->devs[i], &s->devs[i].q[j]);
	/* With -i devices come and go: an empty report is not an error. */
	if (!shown && !opt.json && !opt.interval) {
		if (opt.pid >= 0 && opt.fd < 0)
			die(1, "process %d owns no vhostfp device", opt.pid);
		if (opt.ifname)
			die(1, "no vhostfp queue is attached to %s", opt.ifname);
	}
	if (opt.json)
		print_json(s, old);
	else if (opt.all)
		print_all(s, old);
	else
		print_table(s, old);
	fflush(stdout);
}

static void help(int status)
{
	fprintf(status ? stderr : stdout,
		"usage: %s [-i SEC [-c COUNT]] [-a] [--json] [-p PID] [-n IFNAME]\n"
		"       %s -p PID -f FD [-a] [--json]\n"
		"  -i SEC     rates over SEC seconds, again every SEC seconds (-c: COUNT times)\n"
		"  -a         every counter\n"
		"  --json     one JSON document a report\n"
		"  -p PID     only devices owned by process PID\n"
		"  -n IFNAME  only queues attached to netdev IFNAME\n"
		"  -f FD      the device PID has open as FD, through its ioctl (ptrace rights)\n",
		prog, prog);
	exit(status);
}

static void parse_args(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "all", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int o;

	while ((o = getopt_long(argc, argv, "ai:c:p:n:f:h", longopts, NULL)) != -1) {
		switch (o) {
		case 'a':
			opt.all = true;
			break;
		case 'j':
			opt.json = true;
			break;
		case 'i':
			opt.interval = strtod(optarg, &end);
			if (*end || opt.interval <= 0)
				die(2, "-i: not a number of seconds: %s", optarg);
			break;
		case 'c':
			opt.count = strtol(optarg, &end, 10);
			if (*end || opt.count <= 0)
				die(2, "-c: not a count: %s", optarg);
			break;
		case 'p':
			opt.pid = strtol(optarg, &end, 10);
			if (*end || opt.pid <= 0)
				die(2, "-p: not a process id: %s", optarg);
			break;
		case 'n':
			opt.ifname = optarg;
			break;
		case 'f':
			opt.fd = strtol(optarg, &end, 10);
			if (*end || opt.fd < 0)
				die(2, "-f: not a file descriptor: %s", optarg);
			break;
		case 'h':
			help(0);
			break;
		default:
			help(2);
		}
	}
	if (optind < argc)
		help(2);
	if (opt.fd >= 0 && opt.pid < 0)
		die(2, "-f needs -p");
	if (opt.count > 0 && !opt.interval)
		die(2, "-c needs -i");
	if (opt.pid >= 0 && kill(opt.pid, 0) && errno == ESRCH)
		die(1, "no process %d", opt.pid);
}

int main(int argc, char **argv)
{
	struct snap a = {}, b = {}, *cur = &a, *old = &b;

	parse_args(argc, argv);
	a.devs = calloc(MAX_DEVS, sizeof(*a.devs));
	b.devs = calloc(MAX_DEVS, sizeof(*b.devs));
	if (!a.devs || !b.devs)
		die(1, "out of memory");
	sample(cur);
	if (!opt.interval) {
		report(cur, NULL);
		return 0;
	}
	for (long n = 0; opt.count < 0 || n < opt.count; n++) {
		struct snap *t = old;

		old = cur;
		cur = t;
		usleep(opt.interval * 1e6);
		sample(cur);
		if (n && !opt.json)
			printf("\n");
		report(cur, old);
	}
	return 0;
}
