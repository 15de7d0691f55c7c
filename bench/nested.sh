#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Inside the harness VM (L1): a nested guest (L2, KVM) on each backend in
# turn, round after round, measured by netperf.sh in L2 against an iperf3
# server in a peer namespace behind L1's bridge (see
# selftests/e2e/nested.sh for the picture).  Backends: QEMU userspace
# (vhost=off), vhost_net, vhostfp; the guest driver is virtio_net.
#
# usage: bench/nested.sh ROUNDS SECS

set -u
. "$(dirname "$0")/lib.sh"
trap vfp_cleanup EXIT
ROUNDS=${1:-3}
SECS=${2:-5}

vfp_modprobe tun
bench_vhost_net_zc 0
bench_load_vhostfp
vfp_bridge_with_peer vfp-peer 10.77.0.1/24
vfp_tap_in_bridge tap0
vfp_bg ip netns exec vfp-peer iperf3 -s
vfp_wait_for ip netns exec vfp-peer sh -c 'ss -ltn | grep -q :5201' || fail "no iperf3 server"

MARK=1000
for r in $(seq 1 "$ROUNDS"); do
	case $((r % 3)) in
	1) order="qemu vhost_net vhostfp" ;;
	2) order="vhostfp qemu vhost_net" ;;
	0) order="vhost_net vhostfp qemu" ;;
	esac
	for b in $order; do
		netdev=tap,id=n0,ifname=tap0,script=no,downscript=no
		fd=()
		case $b in
		qemu) netdev+=,vhost=off ;;
		vhost_net) netdev+=,vhost=on,vhostfd=3; fd=(--fd 3:/dev/vhost-net) ;;
		vhostfp) netdev+=,vhost=on,vhostfd=3; fd=(--fd 3:/dev/vhost-fp) ;;
		esac
		out=$("$VFP_REPO/scripts/l2" --timeout $((SECS * 4 + 240)) "${fd[@]}" --netdev "$netdev" \
			-- "modprobe virtio_net; sleep 1; dev=\$(ls /sys/bus/virtio/drivers/virtio_net/virtio*/net/); \
			ip link set \$dev up && ip addr add 10.77.0.2/24 dev \$dev && \
			ping -c 2 -W 5 10.77.0.1 >/dev/null; \
			bench/netperf.sh nested $b $r 10.77.0.1 $MARK $SECS" 2>&1)
		echo "$out" | grep '^VFP-BENCH' || echo "$out" | tail -20 | sed 's/^/# l2: /'
		MARK=$((MARK + 10))
	done
done
exit 0
