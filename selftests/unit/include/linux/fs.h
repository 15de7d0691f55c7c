/* SPDX-License-Identifier: GPL-2.0 */
/* selftests/unit: the largest read or write, as the kernel's. */
#ifndef _UNIT_LINUX_FS_H
#define _UNIT_LINUX_FS_H

#include <limits.h>
#include <linux/mm.h>

#define MAX_RW_COUNT	(INT_MAX & PAGE_MASK)

#endif /* _UNIT_LINUX_FS_H */
