# SPDX-License-Identifier: GPL-2.0
# Read together with a suite's kselftest-style Makefile by scripts/run-tests:
# prints the suite's test programs, one a line (the C programs built by
# TEST_GEN_PROGS are run as they are, the shell tests of TEST_PROGS too).
# TEST_REFERENCE: tests of stock components only (vhost_net, QEMU's own
# virtio-net), the reference our results are read against; run-tests runs
# them when a --test pattern names them.
print-tests:
	@for t in $(TEST_PROGS) $(TEST_GEN_PROGS); do echo $$t; done
	@for t in $(TEST_REFERENCE); do echo "$$t reference"; done
.PHONY: print-tests
