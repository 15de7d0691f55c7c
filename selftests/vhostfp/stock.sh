#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The process-driven fixtures against stock vhost_net alone: the reference
# each of them is checked against (a fixture stock vhost_net fails where it
# should pass tests the test, not the device). selftests/tests runs it on
# one kernel of a run, and the same wrappers on vhost-fp on every kernel.

set -u
. "$(dirname "$0")/lib.sh"

export VFP_DEVICES=vhost-net
rc=$KSFT_PASS
for t in datapath badinput hol backend liveness stop; do
	log "$t.sh on vhost-net"
	"$DIR/$t.sh" "$@"
	case $? in
	"$KSFT_PASS") ;;
	"$KSFT_SKIP") [ "$rc" != "$KSFT_PASS" ] || rc=$KSFT_SKIP ;;
	*) rc=$KSFT_FAIL ;;
	esac
done
exit "$rc"
