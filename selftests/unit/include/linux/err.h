/* SPDX-License-Identifier: GPL-2.0 */
/* selftests/unit: pointers that carry an -errno. */
#ifndef _UNIT_LINUX_ERR_H
#define _UNIT_LINUX_ERR_H

#include <linux/types.h>

#define MAX_ERRNO	4095

static inline void *ERR_PTR(long error)
{
	return (void *)error;
}

static inline long PTR_ERR(const void *ptr)
{
	return (long)ptr;
}

static inline bool IS_ERR(const void *ptr)
{
	return (unsigned long)ptr >= (unsigned long)-MAX_ERRNO;
}

#endif /* _UNIT_LINUX_ERR_H */
