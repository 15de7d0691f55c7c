// SPDX-License-Identifier: GPL-2.0
/*
 * vhostfp-stat: print the per-queue counters of vhostfp devices.
 *
 *   vhostfp-stat                 every device, from debugfs (root)
 *   vhostfp-stat -p PID -f FD    the device open as FD in process PID,
 *                                through VHOST_FP_GET_VQ_STATS on a copy of
 *                                that fd (pidfd_getfd(): needs ptrace
 *                                rights on PID)
 *   -i SECONDS                   repeat every SECONDS
 *
 * debugfs layout: /sys/kernel/debug/vhostfp/<owner tgid>-<id>/stats, lines
 * "<rx|tx> <counter> <value>" after an "owner <tgid>" line.  Counters a
 * module does not print (an older one) show as 0.
 */
#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/vhost_fp.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

#define DEBUGFS_DIR "/sys/kernel/debug/vhostfp"

static const struct { const char *name; } counters[] = {
#define VHOST_FP_COUNTER(n, ...) { .name = #n },
#include <linux/vhost_fp_counters.h>
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define NCOUNTERS ARRAY_SIZE(counters)

/* read_fd_queue() copies the struct as an array of counters. */
static_assert(sizeof(struct vhost_fp_vq_stats_ext) == NCOUNTERS * sizeof(__u64),
	      "struct vhost_fp_vq_stats_ext is not the counters' table");

static void print_header(void)
{
	printf("%-14s %-2s", "device", "q");
	for (size_t i = 0; i < NCOUNTERS; i++)
		printf(" %13s", counters[i].name);
	printf("\n");
}

static void print_row(const char *dev, const char *q, const __u64 *v)
{
	printf("%-14s %-2s", dev, q);
	for (size_t i = 0; i < NCOUNTERS; i++)
		printf(" %13llu", (unsigned long long)v[i]);
	printf("\n");
}

static int show_debugfs_dev(const char *name)
{
	__u64 v[2][NCOUNTERS] = { { 0 } };
	char path[512], line[128], q[8], key[32];
	unsigned long long val;
	FILE *f;

	snprintf(path, sizeof(path), DEBUGFS_DIR "/%s/stats", name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		int qi;

		/* "owner <tgid>" has two fields: skipped here. */
		if (sscanf(line, "%7s %31s %llu", q, key, &val) != 3)
			continue;
		qi = !strcmp(q, "rx") ? 0 : !strcmp(q, "tx") ? 1 : -1;

		for (size_t i = 0; qi >= 0 && i < NCOUNTERS; i++)
			if (!strcmp(key, counters[i].name))
				v[qi][i] = val;
	}
	fclose(f);
	print_row(name, "rx", v[0]);
	print_row(name, "tx", v[1]);
	return 0;
}

static int show_debugfs(void)
{
	struct dirent *de;
	int n = 0;
	DIR *d;

	d = opendir(DEBUGFS_DIR);
	if (!d) {
		fprintf(stderr, "vhostfp-stat: %s: %s (module loaded? debugfs mounted? root?)\n",
			DEBUGFS_DIR, strerror(errno));
		return 1;
	}
	print_header();
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' && !show_debugfs_dev(de->d_name))
			n++;
	closedir(d);
	if (!n)
		printf("(no device has an owner)\n");
	return 0;
}

/*
 * One queue's counters in the order of counters[]: through
 * VHOST_FP_GET_VQ_STATS, which says how much of the struct the module
 * filled (what it lacks stays 0), or VHOST_FP_GET_STATS from a module
 * older than version 4.
 */
static int read_fd_queue(int dfd, unsigned int q, __u64 *v)
{
	struct vhost_fp_vq_stats_ext ext = {};
	struct vhost_fp_vq_stats_req req = {
		.index = q,
		.size = sizeof(ext),
		.addr = (unsigned long)&ext,
	};
	struct vhost_fp_stats st;

	if (ioctl(dfd, VHOST_FP_GET_VQ_STATS, &req)) {
		if (errno != ENOTTY || ioctl(dfd, VHOST_FP_GET_STATS, &st))
			return -1;
		ext.base = st.vq[q];
	}
	memcpy(v, &ext, sizeof(ext));
	return 0;
}

static int show_fd(int pid, int fd)
{
	__u64 v[VHOST_FP_NVQS][NCOUNTERS];
	int pidfd, dfd;
	char name[32];

	pidfd = syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0) {
		perror("vhostfp-stat: pidfd_open");
		return 1;
	}
	dfd = syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	close(pidfd);
	if (dfd < 0) {
		perror("vhostfp-stat: pidfd_getfd");
		return 1;
	}
	for (unsigned int q = 0; q < VHOST_FP_NVQS; q++) {
		if (read_fd_queue(dfd, q, v[q])) {
			perror("vhostfp-stat: VHOST_FP_GET_VQ_STATS");
			close(dfd);
			return 1;
		}
	}
	close(dfd);
	snprintf(name, sizeof(name), "%d:%d", pid, fd);
	print_header();
	print_row(name, "rx", v[VHOST_FP_VQ_RX]);
	print_row(name, "tx", v[VHOST_FP_VQ_TX]);
	return 0;
}

int main(int argc, char **argv)
{
	int pid = -1, fd = -1, interval = 0, opt, ret;

	while ((opt = getopt(argc, argv, "p:f:i:h")) != -1) {
		switch (opt) {
		case 'p':
			pid = atoi(optarg);
			break;
		case 'f':
			fd = atoi(optarg);
			break;
		case 'i':
			interval = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: %s [-p PID -f FD] [-i SECONDS]\n",
				argv[0]);
			return 2;
		}
	}
	if (pid < 0 ? fd >= 0 : fd < 0) {
		fprintf(stderr, "vhostfp-stat: -p and -f go together\n");
		return 2;
	}
	for (;;) {
		ret = pid >= 0 ? show_fd(pid, fd) : show_debugfs();
		if (ret || interval <= 0)
			return ret;
		fflush(stdout);
		sleep(interval);
		printf("\n");
	}
}
