/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The part of QEMU's TCG plugin API, version 1 (QEMU 7.2), that
 * insn-count.c uses, declared from its documentation: Debian packages no
 * qemu-plugin.h.  The types are opaque here; only pointers cross.
 */
#ifndef _VFP_QEMU_PLUGIN_API_H
#define _VFP_QEMU_PLUGIN_API_H

#include <stddef.h>
#include <linux/types.h>

#define QEMU_PLUGIN_API_VERSION	1
#define QEMU_PLUGIN_CB_NO_REGS	0	/* enum qemu_plugin_cb_flags */
#define QEMU_PLUGIN_EXPORT	__attribute__((visibility("default")))

typedef __u64 qemu_plugin_id_t;
struct qemu_info_t;
struct qemu_plugin_tb;

typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu, void *udata);
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id,
					       struct qemu_plugin_tb *tb);
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *udata);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id,
					   qemu_plugin_vcpu_tb_trans_cb_t cb);
void qemu_plugin_register_vcpu_tb_exec_cb(struct qemu_plugin_tb *tb,
					  qemu_plugin_vcpu_udata_cb_t cb,
					  int flags, void *udata);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id,
				    qemu_plugin_udata_cb_t cb, void *udata);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
__u64 qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
void qemu_plugin_outs(const char *string);

#endif /* _VFP_QEMU_PLUGIN_API_H */
