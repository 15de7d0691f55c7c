#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Inside the harness VM, booted with two virtio-net NICs on a QEMU hub
# (QEMU's userspace backend, as selftests/virtio_guest/lib.sh): the guest
# drivers virtio_net and virtio_guest in turn drive both NICs, round
# after round; netperf.sh in the root namespace measures against an
# iperf3 server in the peer namespace on the other NIC.
#
# usage: bench/drivers.sh ROUNDS SECS

set -u
. "$(dirname "$0")/lib.sh"
trap vfp_cleanup EXIT
ROUNDS=${1:-3}
SECS=${2:-5}
NS=vgn-peer
KO=$(vfp_ko virtio_guest) || fail "virtio_guest.ko not built for $(uname -r)"

# The interfaces bound to driver $1, in PCI order.
nics()
{
	local d
	for d in /sys/bus/virtio/drivers/"$1"/virtio*/net/*; do
		[ -e "$d" ] && basename "$d"
	done
}

# Bind both NICs to driver $1, put the second in the peer namespace.
bind()
{
	local drv=$1 ifs
	rmmod virtio_net virtio_guest 2>/dev/null
	ip netns del $NS 2>/dev/null
	if [ "$drv" = virtio_net ]; then modprobe virtio_net; else insmod "$KO"; fi
	for _ in $(seq 50); do
		[ "$(nics "$drv" | wc -l)" -lt 2 ] || break
		sleep 0.2
	done
	[ "$(nics "$drv" | wc -l)" -ge 2 ] || fail "$drv did not bind two NICs"
	read -r -a ifs <<<"$(nics "$drv" | tr '\n' ' ')"
	ip netns add $NS
	ip link set "${ifs[1]}" netns $NS
	ip addr add 198.18.0.1/24 dev "${ifs[0]}"
	CLIENT=${ifs[0]}
	ip link set "${ifs[0]}" up
	ip -n $NS addr add 198.18.0.2/24 dev "${ifs[1]}"
	ip -n $NS link set "${ifs[1]}" up
	ip -n $NS link set lo up
	ip netns exec $NS iperf3 -s -D -I /tmp/iperf3.pid
	vfp_wait_for ping -c 1 -W 1 198.18.0.2 >/dev/null || fail "no ping over $drv"
}

idle_window
MARK=3000
for r in $(seq 1 "$ROUNDS"); do
	if [ $((r % 2)) = 1 ]; then order="virtio_net virtio_guest"; else order="virtio_guest virtio_net"; fi
	for drv in $order; do
		bind "$drv"
		VFP_BENCH_NETDEV=$CLIENT "$BENCH/netperf.sh" drivers "$drv" "$r" 198.18.0.2 $MARK "$SECS"
		kill "$(cat /tmp/iperf3.pid)" 2>/dev/null
		MARK=$((MARK + 10))
	done
done
rmmod virtio_net virtio_guest 2>/dev/null
exit 0
