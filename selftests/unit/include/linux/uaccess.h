/* SPDX-License-Identifier: GPL-2.0 */
/* selftests/unit: user memory is the test's own. */
#ifndef _UNIT_LINUX_UACCESS_H
#define _UNIT_LINUX_UACCESS_H

#include <string.h>

#define access_ok(addr, size)	((void)(addr), (void)(size), true)

static inline unsigned long copy_from_user(void *to, const void *from,
					   unsigned long n)
{
	memcpy(to, from, n);
	return 0;
}

#endif /* _UNIT_LINUX_UACCESS_H */
