#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vhostfp seen from outside the VMM (observe.py, observe.c): vhostfp-stat
# and the kernel's ynl against the traffic the test moved, the ioctl, the
# tracepoints, and the tool's error paths:
#
#   observe (C) --- /dev/vhost-fp --- vfptap0 (tun)             --- AF_PACKET
#   observe (C) --- /dev/vhost-fp --- vfpmvt0 queue 1 (macvtap) --- AF_PACKET
#        \--- observe.py: vhostfp-stat, ynl --dump dev-get, tracefs

set -u
. "$(dirname "$0")/lib.sh"
trap suite_cleanup EXIT

vfp_modprobe tun veth macvtap
VFP_DEVICES=vhost-fp suite_load
for p in observe iotlb; do
	[ -x "$DIR/$p" ] || make -s -C "$DIR" "$p" >&2 || fail "cannot build $p"
done
[ -x "$VFP_REPO/vhostfp/tools/vhostfp-stat" ] || make -s -C "$VFP_REPO/vhostfp/tools" >&2 ||
	fail "cannot build vhostfp-stat"
mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing
python3 "$DIR/observe.py"
