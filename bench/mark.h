/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Window markers between a guest process and the instruction-counting
 * QEMU plugin (insn-count.c): calling code placed at
 * VFP_MARK_BASE + id * VFP_MARK_PAGE in a process of the VM makes the
 * plugin print its running totals tagged with id.  Nothing else maps
 * that range (it is far from where Linux puts mappings).
 */
#ifndef _VFP_BENCH_MARK_H
#define _VFP_BENCH_MARK_H

#define VFP_MARK_BASE	0x5f0000000000ULL
#define VFP_MARK_PAGE	4096ULL
#define VFP_MARK_MAX	65536ULL

#endif /* _VFP_BENCH_MARK_H */
