# SPDX-License-Identifier: GPL-2.0
# Read together with a suite's kselftest-style Makefile by scripts/run-tests:
# prints the suite's test programs, one a line (the C programs built by
# TEST_GEN_PROGS are run as they are, the shell tests of TEST_PROGS too).
print-tests:
	@for t in $(TEST_PROGS) $(TEST_GEN_PROGS); do echo $$t; done
.PHONY: print-tests
