/* SPDX-License-Identifier: GPL-2.0 */
/*
 * selftests/unit: vhostfp's pure logic, the module's own code compiled for
 * userspace.  Each test is a function; EXPECT() reports what failed, with
 * its line, and marks the test failed; the run prints KTAP.
 */
#ifndef _UNIT_H
#define _UNIT_H

#include <stdbool.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

struct unit_test {
	const char *name;
	void (*fn)(void);
};

void unit_expect(bool ok, const char *what, const char *file, int line);

#define EXPECT(cond)	unit_expect(!!(cond), #cond, __FILE__, __LINE__)

/* Each area's tests, in its file: */
extern const struct unit_test unit_mem_tests[];
extern const struct unit_test unit_iotlb_tests[];
extern const struct unit_test unit_packed_tests[];
extern const struct unit_test unit_desc_tests[];

#endif /* _UNIT_H */
