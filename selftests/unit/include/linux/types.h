/* SPDX-License-Identifier: GPL-2.0 */
/* selftests/unit: the kernel's fixed-size types, from the C library's. */
#ifndef _UNIT_LINUX_TYPES_H
#define _UNIT_LINUX_TYPES_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

/* As x86-64 Linux has them. */
typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef long long s64;
typedef unsigned short __u16;
typedef unsigned int __u32;
typedef unsigned long long __u64;

#define U64_MAX		((u64)~0ULL)

#endif /* _UNIT_LINUX_TYPES_H */
