#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Inside L2 for nested.sh: NIC N (by MAC 52:54:00:77:00:0N) gets
# 10.77.N.2/24 and is measured as the Nth NAME; then ROUNDS rounds of
# netperf.sh WORKLOADS over each NIC, the order rotating by one each round.
# A NAME ending in -viommu must have negotiated VIRTIO_F_ACCESS_PLATFORM
# (its DMA goes through L2's IOMMU), any other must not.
#
# usage: bench/l2-rounds.sh SUITE ROUNDS SECS 'WORKLOADS' NAME...

set -u
SUITE=$1 ROUNDS=$2 SECS=$3 WORKLOADS=$4
shift 4
BENCH=$(cd "$(dirname "$0")" && pwd)
NAMES=(- "$@")
N=$#

modprobe virtio_net
sleep 1
for n in $(seq 1 "$N"); do
	dev=""
	for d in /sys/class/net/*; do
		[ "$(cat "$d/address")" = "52:54:00:77:00:0$n" ] && dev=${d##*/}
	done
	[ -n "$dev" ] || { echo "# FAIL: no NIC with mac 52:54:00:77:00:0$n"; exit 1; }
	DEVS[n]=$dev
	ip addr add 10.77.$n.2/24 dev "$dev"
	ip link set "$dev" up
	# The virtio feature string holds bit N at character N + 1.
	ap=$(cut -c34 "/sys/class/net/$dev/device/features")
	echo "# ${NAMES[n]}: $dev, VIRTIO_F_ACCESS_PLATFORM $ap"
	case "${NAMES[n]}" in
	*-viommu) [ "$ap" = 1 ] || echo "# FAIL: ${NAMES[n]} is not behind the IOMMU" ;;
	*) [ "$ap" = 0 ] || echo "# FAIL: ${NAMES[n]} is behind the IOMMU" ;;
	esac
done
for n in $(seq 1 "$N"); do
	ping -c 2 -W 5 10.77.$n.1 >/dev/null || echo "# FAIL: no ping to 10.77.$n.1 (${NAMES[n]})"
done

MARK=1000
for r in $(seq 1 "$ROUNDS"); do
	# Round 1 runs 1..N, round 2 starts with N, round 3 with N-1, ...
	for i in $(seq 0 $((N - 1))); do
		n=$(( ((i - r + 1) % N + N) % N + 1 ))
		VFP_BENCH_NETDEV=${DEVS[n]} "$BENCH/netperf.sh" "$SUITE" "${NAMES[n]}" "$r" \
			"10.77.$n.1" $MARK "$SECS" "$WORKLOADS"
		MARK=$((MARK + 10))
	done
done
