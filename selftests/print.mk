# SPDX-License-Identifier: GPL-2.0
# Read together with a suite's kselftest-style Makefile by scripts/run-tests:
# prints the suite's test programs, one a line (the C programs built by
# TEST_GEN_PROGS are run as they are, the shell tests of TEST_PROGS too).
# A word after the name marks two kinds:
#   once       (TEST_ONCE, also in TEST_PROGS) run on one kernel of a run,
#              the last: a test whose module paths a process-driven test
#              covers on every kernel, and whose own part (QEMU's) is the
#              same program on each
#   reference  (TEST_REFERENCE) stock components only, the reference our
#              results are read against; run when a --test pattern names it
print-tests:
	@printf '%s\n' $(foreach t,$(TEST_PROGS) $(TEST_GEN_PROGS),'$(t)$(if $(filter $(t),$(TEST_ONCE)), once)') \
		$(foreach t,$(TEST_REFERENCE),'$(t) reference')
.PHONY: print-tests
