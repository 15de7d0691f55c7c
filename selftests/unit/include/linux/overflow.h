/* SPDX-License-Identifier: GPL-2.0 */
/* selftests/unit: overflow-checked arithmetic, by the compiler's builtins. */
#ifndef _UNIT_LINUX_OVERFLOW_H
#define _UNIT_LINUX_OVERFLOW_H

#define check_add_overflow(a, b, d)	__builtin_add_overflow(a, b, d)
/* No overflow check: the tests ask for small tables. */
#define struct_size(p, member, n)				\
	(sizeof(*(__typeof__(p))0) +				\
	 sizeof((*(__typeof__(p))0).member[0]) * (n))

#endif /* _UNIT_LINUX_OVERFLOW_H */
