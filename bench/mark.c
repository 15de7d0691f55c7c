// SPDX-License-Identifier: GPL-2.0
/*
 * Window markers for the instruction-counting plugin: run one "ret" at
 * VFP_MARK_BASE + id pages.  Without the plugin this is a few syscalls.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/mman.h>

#include "mark.h"
#include "bench.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE	0x100000
#endif

int vfp_mark(unsigned long id)
{
	void *want = (void *)(unsigned long)(VFP_MARK_BASE + (id % VFP_MARK_MAX) * VFP_MARK_PAGE);
	unsigned char *p;

	p = mmap(want, VFP_MARK_PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	if ((void *)p != want) {
		munmap(p, VFP_MARK_PAGE);
		return -EEXIST;
	}
	p[0] = 0xc3;		/* ret */
	if (mprotect(p, VFP_MARK_PAGE, PROT_READ | PROT_EXEC)) {
		munmap(p, VFP_MARK_PAGE);
		return -errno;
	}
	((void (*)(void))p)();
	munmap(p, VFP_MARK_PAGE);
	return 0;
}
