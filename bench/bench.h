/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VFP_BENCH_H
#define _VFP_BENCH_H

/* mark.c: 0 or -errno */
int vfp_mark(unsigned long id);

#endif /* _VFP_BENCH_H */
