#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Inside L2 for nested.sh: NIC N (by MAC) gets 10.77.N.2/24; then ROUNDS
# rounds of netperf.sh over each backend's NIC, the order rotating.
#
# usage: bench/l2-rounds.sh ROUNDS SECS

set -u
ROUNDS=$1 SECS=$2
BENCH=$(cd "$(dirname "$0")" && pwd)
NAMES=(- qemu vhost_net vhostfp)

modprobe virtio_net
sleep 1
for n in 1 2 3; do
	dev=""
	for d in /sys/class/net/*; do
		[ "$(cat "$d/address")" = "52:54:00:77:00:0$n" ] && dev=${d##*/}
	done
	[ -n "$dev" ] || { echo "# FAIL: no NIC with mac 52:54:00:77:00:0$n"; exit 1; }
	ip addr add 10.77.$n.2/24 dev "$dev"
	ip link set "$dev" up
done
for n in 1 2 3; do
	ping -c 2 -W 5 10.77.$n.1 >/dev/null || echo "# FAIL: no ping to 10.77.$n.1 (${NAMES[n]})"
done

MARK=1000
for r in $(seq 1 "$ROUNDS"); do
	case $((r % 3)) in
	1) order="1 2 3" ;;
	2) order="3 1 2" ;;
	0) order="2 3 1" ;;
	esac
	for n in $order; do
		"$BENCH/netperf.sh" nested "${NAMES[n]}" "$r" "10.77.$n.1" $MARK "$SECS"
		MARK=$((MARK + 10))
	done
done
