/* SPDX-License-Identifier: GPL-2.0 */
/* selftests/unit: one thread; a lock only counts who holds it. */
#ifndef _UNIT_LINUX_SPINLOCK_H
#define _UNIT_LINUX_SPINLOCK_H

#include <assert.h>

struct spinlock {
	int held;
};

#define spinlock_t			struct spinlock
#define spin_lock_init(l)		((l)->held = 0)
#define spin_lock(l)			((l)->held++)
#define spin_unlock(l)			((l)->held--)
/* A test would see a helper run without its lock as an abort. */
#define lockdep_assert_held(l)		assert((l)->held)

#endif /* _UNIT_LINUX_SPINLOCK_H */
