#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The process-driven fixtures against stock vhost_net alone: the reference
# each of them is checked against (a fixture stock vhost_net fails where it
# should pass tests the test, not the device). selftests/tests runs it on
# one kernel of a run, and the same wrappers on vhost-fp on every kernel.
#
# usage: stock.sh WRAPPER...   e.g. stock.sh datapath hol (datapath.sh, hol.sh)

set -u
. "$(dirname "$0")/lib.sh"

export VFP_DEVICES=vhost-net
[ $# -gt 0 ] || fail "usage: stock.sh WRAPPER..."
for t in "$@"; do
	run_prog "$t.sh"
done
exit "$SUITE_RC"
