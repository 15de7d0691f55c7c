// SPDX-License-Identifier: GPL-2.0
/*
 * QEMU TCG plugin: count the instructions a system-mode guest executes,
 * all of them and those in the kernel half of the address space, per
 * vCPU.  A guest process marks a window by running code at a magic
 * address (see mark.h): the plugin prints its running totals then,
 * "vfp-mark ID ALL KERNEL", through qemu_plugin_outs (shown with
 * -d plugin -D FILE); "vfp-total 0 ALL KERNEL" at exit.
 */
#include <stdio.h>

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

static void mark_exec(unsigned int vcpu, void *udata)
{
	report("vfp-mark", (unsigned long)udata);
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
	qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
	qemu_plugin_register_atexit_cb(id, at_exit, NULL);
	return 0;
}
