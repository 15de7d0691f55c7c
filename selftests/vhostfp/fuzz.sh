#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The vhost-fp fuzzer (fuzz.c), a short slice for make check: random
# vhost ioctls with fault injection against a device with live rings,
# while a hostile guest thread rewrites them and frames flow through
# vfptap0; every ioctl and close() must return within 2 s. Then a second
# slice keeps each kind of hostile write coming at full speed in turn
# (--pattern all, 2 s a kind). Then the module must unload, and on a
# kernel with kmemleak a scan must find nothing. make fuzz runs a long
# one: VFP_FUZZ_OPS,
# VFP_FUZZ_TIME (seconds, a bound, not a pass/fail criterion) and
# VFP_FUZZ_SEED (a failed run prints its seed) pass through, as do
# arguments (fuzz.sh --seed S --ops N replays a run).

set -u
. "$(dirname "$0")/lib.sh"
trap suite_cleanup EXIT

export VFP_FUZZ_OPS=${VFP_FUZZ_OPS:-100000}
export VFP_FUZZ_TIME=${VFP_FUZZ_TIME:-45}

vfp_modprobe tun
load_vhostfp || skip "no vhostfp.ko for $(uname -r)"
[ -w $KMEMLEAK ] && echo clear >$KMEMLEAK

run_prog fuzz "$@"
[ "$SUITE_RC" = "$KSFT_PASS" ] || exit "$SUITE_RC"
if [ $# = 0 ]; then
	# Time-bound: 13 kinds, 2 s each.
	VFP_FUZZ_OPS=1000000000 VFP_FUZZ_TIME=${VFP_FUZZ_PATTERN_TIME:-26} \
		run_prog fuzz --pattern all
	[ "$SUITE_RC" = "$KSFT_PASS" ] || exit "$SUITE_RC"
fi

# Every device is closed: the module goes, and nothing it allocated stays.
rmmod vhostfp || fail "vhostfp does not unload after the fuzzer"
VFP_MODULES=("${VFP_MODULES[@]/vhostfp}")
if kmemleak_check "the fuzzer"; then log "kmemleak: no leaks"; fi
exit "$KSFT_PASS"
