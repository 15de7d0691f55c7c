// SPDX-License-Identifier: GPL-2.0
/*
 * selftests/unit: runs every test of every area and prints KTAP.  Exit
 * status 0 when all pass, 1 otherwise.  No VM, no kernel headers: see
 * Makefile for what is compiled with what.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"

static bool unit_failed;
static const char *unit_running;	/* the test in progress */

/* A test that loops (a broken bound) fails the run, and says which. */
static void unit_timeout(int sig)
{
	static const char msg[] = "# Bail out! no end in 10 s: ";

	(void)sig;
	if (write(STDOUT_FILENO, msg, sizeof(msg) - 1) < 0 ||
	    write(STDOUT_FILENO, unit_running, strlen(unit_running)) < 0 ||
	    write(STDOUT_FILENO, "\n", 1) < 0)
		_exit(EXIT_FAILURE);
	_exit(EXIT_FAILURE);
}

void unit_expect(bool ok, const char *what, const char *file, int line)
{
	if (ok)
		return;
	printf("# %s:%d: expected %s\n", file, line, what);
	unit_failed = true;
}

static const struct unit_test *const unit_areas[] = {
	unit_mem_tests,
	unit_iotlb_tests,
	unit_packed_tests,
	unit_desc_tests,
};

int main(void)
{
	unsigned int i, n = 0, pass = 0, fail = 0;
	const struct unit_test *t;

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGALRM, unit_timeout);
	alarm(10);
	for (i = 0; i < ARRAY_SIZE(unit_areas); i++)
		for (t = unit_areas[i]; t->name; t++)
			n++;
	printf("TAP version 13\n1..%u\n", n);
	n = 0;
	for (i = 0; i < ARRAY_SIZE(unit_areas); i++) {
		for (t = unit_areas[i]; t->name; t++) {
			unit_failed = false;
			unit_running = t->name;
			t->fn();
			printf("%s %u %s\n", unit_failed ? "not ok" : "ok", ++n,
			       t->name);
			if (unit_failed)
				fail++;
			else
				pass++;
		}
	}
	printf("# Totals: pass:%u fail:%u xfail:0 xpass:0 skip:0 error:0\n",
	       pass, fail);
	return fail ? EXIT_FAILURE : EXIT_SUCCESS;
}
