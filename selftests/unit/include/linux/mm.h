/* SPDX-License-Identifier: GPL-2.0 */
/* selftests/unit: x86-64's page size. */
#ifndef _UNIT_LINUX_MM_H
#define _UNIT_LINUX_MM_H

#define PAGE_SHIFT		12
#define PAGE_SIZE		4096UL
#define PAGE_MASK		(~(PAGE_SIZE - 1))
#define offset_in_page(p)	((unsigned long)(p) & ~PAGE_MASK)

#endif /* _UNIT_LINUX_MM_H */
