/* SPDX-License-Identifier: GPL-2.0 */
/* selftests/unit: struct iovec, the C library's. */
#ifndef _UNIT_LINUX_UIO_H
#define _UNIT_LINUX_UIO_H

#include <sys/uio.h>

#endif /* _UNIT_LINUX_UIO_H */
