// SPDX-License-Identifier: GPL-2.0
/*
 * QEMU TCG plugin: count the instructions a system-mode guest executes,
 * all of them and those in the kernel half of the address space, per
 * vCPU.  A guest process marks a window by running code at a magic
 * address (see mark.h): the plugin prints its running totals then,
 * "vfp-mark ID ALL KERNEL", through qemu_plugin_outs (shown with
 * -d plugin -D FILE); "vfp-total 0 ALL KERNEL" at exit.
 *
 * With the argument "profile=on" it also profiles each window: at a
 * window's end marker (odd id) it prints "vfp-prof ID VADDR INSNS" for
 * every translation block run since the start marker, to be mapped onto
 * /proc/kallsyms of the same boot (bench/profile.py).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qemu-plugin-api.h"
#include "mark.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_API_VERSION;

#define MAX_VCPUS	64
#define KERNEL_HALF	0xffff800000000000ULL
#define BIT_ULL(n)	(1ULL << (n))
#define KERNEL_BIT	BIT_ULL(63)	/* in a block's udata: kernel code */

/*
 * Each vCPU thread adds only to its own slot, so nothing is lost under
 * -accel tcg,thread=multi (one shared inline counter would lose updates);
 * a reader sums slots other threads may be updating, which costs at most
 * the blocks in flight.
 */
struct vcpu_count {
	__u64 all, kernel;
	__u64 pad[6];		/* 64 bytes: little cache-line sharing */
};

static struct vcpu_count count[MAX_VCPUS];

static __u64 sum(int kernel)
{
	__u64 s = 0;
	int i;

	for (i = 0; i < MAX_VCPUS; i++)
		s += __atomic_load_n(kernel ? &count[i].kernel : &count[i].all,
				     __ATOMIC_RELAXED);
	return s;
}

/* One translated block, for the profile: a lock-free list of them. */
struct tb_prof {
	__u64 vaddr;
	__u64 n;		/* instructions, KERNEL_BIT as in udata */
	__u64 execs;		/* since the window's start */
	struct tb_prof *next;
};

static int profile;
static int window_open;
static struct tb_prof *prof_head;

static void prof_dump(unsigned long id)
{
	struct tb_prof *p;
	char line[96];

	for (p = __atomic_load_n(&prof_head, __ATOMIC_ACQUIRE); p; p = p->next) {
		__u64 e = __atomic_exchange_n(&p->execs, 0, __ATOMIC_RELAXED);

		if (!e)
			continue;
		snprintf(line, sizeof(line), "vfp-prof %lu %llx %llu\n", id,
			 (unsigned long long)p->vaddr,
			 (unsigned long long)(e * (p->n & ~KERNEL_BIT)));
		qemu_plugin_outs(line);
	}
}

static void report(const char *what, unsigned long id)
{
	char line[128];

	snprintf(line, sizeof(line), "%s %lu %llu %llu\n", what, id,
		 (unsigned long long)sum(0), (unsigned long long)sum(1));
	qemu_plugin_outs(line);
}

static void tb_exec(unsigned int vcpu, void *udata)
{
	__u64 n = (unsigned long)udata;
	struct vcpu_count *c = &count[vcpu % MAX_VCPUS];

	c->all += n & ~KERNEL_BIT;
	if (n & KERNEL_BIT)
		c->kernel += n & ~KERNEL_BIT;
}

static void tb_exec_prof(unsigned int vcpu, void *udata)
{
	struct tb_prof *p = udata;

	tb_exec(vcpu, (void *)(unsigned long)p->n);
	if (__atomic_load_n(&window_open, __ATOMIC_RELAXED))
		__atomic_fetch_add(&p->execs, 1, __ATOMIC_RELAXED);
}

static void mark_exec(unsigned int vcpu, void *udata)
{
	unsigned long id = (unsigned long)udata;

	report("vfp-mark", id);
	if (!profile)
		return;
	if (id & 1)
		prof_dump(id / 2);
	else
		prof_dump(~0UL);	/* what ran outside windows: dropped */
	__atomic_store_n(&window_open, !(id & 1), __ATOMIC_RELAXED);
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	__u64 va = qemu_plugin_tb_vaddr(tb);
	__u64 n = qemu_plugin_tb_n_insns(tb);
	__u64 off = va - VFP_MARK_BASE;

	if (va >= VFP_MARK_BASE && off < VFP_MARK_MAX * VFP_MARK_PAGE &&
	    !(off % VFP_MARK_PAGE))
		qemu_plugin_register_vcpu_tb_exec_cb(tb, mark_exec,
						     QEMU_PLUGIN_CB_NO_REGS,
						     (void *)(unsigned long)(off / VFP_MARK_PAGE));
	if (va >= KERNEL_HALF)
		n |= KERNEL_BIT;
	if (profile) {
		struct tb_prof *p = calloc(1, sizeof(*p));

		if (p) {
			p->vaddr = va;
			p->n = n;
			p->next = __atomic_load_n(&prof_head, __ATOMIC_RELAXED);
			while (!__atomic_compare_exchange_n(&prof_head, &p->next, p, false,
							    __ATOMIC_RELEASE,
							    __ATOMIC_RELAXED))
				;
			qemu_plugin_register_vcpu_tb_exec_cb(tb, tb_exec_prof,
							     QEMU_PLUGIN_CB_NO_REGS, p);
			return;
		}
	}
	qemu_plugin_register_vcpu_tb_exec_cb(tb, tb_exec, QEMU_PLUGIN_CB_NO_REGS,
					     (void *)(unsigned long)n);
}

static void at_exit(qemu_plugin_id_t id, void *udata)
{
	report("vfp-total", 0);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
					   const struct qemu_info_t *info,
					   int argc, char **argv)
{
	int i;

	for (i = 0; i < argc; i++)
		if (!strcmp(argv[i], "profile=on"))
			profile = 1;
	qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
	qemu_plugin_register_atexit_cb(id, at_exit, NULL);
	return 0;
}
