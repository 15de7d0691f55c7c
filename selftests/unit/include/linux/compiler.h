/* SPDX-License-Identifier: GPL-2.0 */
/* selftests/unit: annotations that mean nothing in userspace. */
#ifndef _UNIT_LINUX_COMPILER_H
#define _UNIT_LINUX_COMPILER_H

#include <sys/cdefs.h>		/* __always_inline */

#define __user

#endif /* _UNIT_LINUX_COMPILER_H */
