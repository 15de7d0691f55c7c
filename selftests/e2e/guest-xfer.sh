#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the nested guest (L2) for nested.sh: loads the guest driver,
# configures eth0, pings the peer, sends MB MiB of random data to the peer's
# port 5001 and reads the peer's data from port 5002, printing both sha256
# sums as VFP-TX-SHA / VFP-RX-SHA lines.
#
# usage: guest-xfer.sh GUEST ADDR/PREFIX PEER MB
# VFP_GUEST_CHECK=NAME runs guest_check_NAME DEV before the traffic.
# VFP_GUEST_BEFORE=NAME runs guest_before_NAME DEV PEER after the ping,
# before the transfer.

set -eu
. "$(dirname "$0")/../lib.sh"
GUEST=$1 ADDR=$2 PEER=$3 MB=$4

# Feature bit $2 as the guest's virtio core negotiated it for $1: the
# device's features file is a string of 0/1, bit 0 first.
virtio_feature()
{
	cut -c"$(($2 + 1))" "/sys/class/net/$1/device/features"
}

# Packed virtqueues (VIRTIO_F_RING_PACKED, bit 34) must be in use.
guest_check_packed()
{
	local bit

	bit=$(virtio_feature "$1" 34)
	echo "VIRTIO_F_RING_PACKED (bit 34) negotiated: $bit"
	[ "$bit" = 1 ] || { echo "packed rings were not negotiated"; exit 1; }
}

# Only say which ring layout was negotiated (QEMU silently falls back to
# split rings when its vhost backend lacks packed ones).
guest_check_layout()
{
	if [ "$(virtio_feature "$1" 34)" = 1 ]; then
		echo "ring layout: packed (bit 34 set)"
	else
		echo "ring layout: split (bit 34 clear: QEMU fell back to split rings)"
	fi
}

# The NIC sits behind the vIOMMU: VIRTIO_F_ACCESS_PLATFORM (bit 33)
# negotiated, its PCI function in an IOMMU group, the IOMMU translating.
guest_check_iommu()
{
	local bit pci

	bit=$(virtio_feature "$1" 33)
	pci=$(readlink -f "/sys/class/net/$1/device/..")
	echo "VIRTIO_F_ACCESS_PLATFORM (bit 33) negotiated: $bit; PCI function $pci"
	[ "$bit" = 1 ] || { echo "ACCESS_PLATFORM was not negotiated"; exit 1; }
	[ -e "$pci/iommu_group" ] || { echo "$pci has no IOMMU group"; exit 1; }
	echo "IOMMU group $(basename "$(readlink -f "$pci/iommu_group")"), type $(cat "$pci/iommu_group/type" 2>/dev/null)"
	dmesg | grep -iE 'DMAR|IOMMU' | head -5 || true
}

# For stop.sh: 1400-byte UDP datagrams to the peer at full speed for
# VFP_BLAST_S seconds (the host holds them in its egress meanwhile and
# stops and resumes the VM), then wait until the peer answers promptly
# again (the host let its egress go).
guest_before_blast()
{
	local tries=$((120 * ${VFP_SLOW:-1}))

	echo "VFP-BLAST for ${VFP_BLAST_S:-20} s"
	timeout "${VFP_BLAST_S:-20}" socat -u -b 1400 /dev/zero \
		UDP-SENDTO:"$2":5003 2>/dev/null || true
	while [ "$tries" -gt 0 ]; do
		ping -c 1 -W 1 "$2" >/dev/null 2>&1 && return 0
		tries=$((tries - 1))
	done
	echo "the peer did not answer within 1 s after the blast"
	exit 1
}

# Current RX and TX ring sizes of $1, as "RX TX" (ethtool -g).
ring_sizes()
{
	ethtool -g "$1" | awk '/^Current/ { cur = 1 }
		cur && $1 == "RX:" { rx = $2 } cur && $1 == "TX:" { tx = $2 }
		END { print rx, tx }'
}

# ethtool -G $1 rx $2 tx $3, and the sizes must then be what was asked.
# With VIRTIO_F_RING_RESET virtio_net resets each queue, reallocates its
# ring and enables it again; QEMU detaches that one vring from its vhost
# backend (VHOST_NET_SET_BACKEND fd -1, GET_VRING_BASE), re-programs it
# (SET_VRING_NUM/BASE/ADDR/KICK) and attaches it again, the other queue
# running meanwhile.
set_rings()
{
	local got

	echo "ethtool -G $1 rx $2 tx $3"
	ethtool -G "$1" rx "$2" tx "$3" ||
		{ echo "ethtool -G $1 rx $2 tx $3 failed"; exit 1; }
	got=$(ring_sizes "$1")
	echo "rings now (rx tx): $got"
	[ "$got" = "$2 $3" ] || { echo "rings are $got, not $2 $3"; exit 1; }
}

# TCP both ways with the peer's extra ports (nested.sh --ring-reset: a sink
# on 5004, a source on 5005) for $2 seconds, in the background.
bulk_start()
{
	timeout "$2" socat -u /dev/zero TCP:"$1":5004,connect-timeout=10 2>/dev/null &
	BULK_TX=$!
	timeout "$2" socat -u TCP:"$1":5005,connect-timeout=10 /dev/null 2>/dev/null &
	BULK_RX=$!
}

bulk_wait()
{
	wait "$BULK_TX" "$BULK_RX" || true
}

# 600 pings of 1400 bytes, every one answered with its data intact (ping
# reports a reply whose data differs): many laps of 128-entry rings.
ping_exact()
{
	local out sent got

	out=$(ping -c 600 -i 0.002 -s 1400 -W 2 "$1" 2>&1 || true)
	if echo "$out" | grep -q 'wrong data'; then
		echo "$out" | grep -m 5 'wrong data'
		echo "a ping reply came back with other data"
		exit 1
	fi
	echo "$out" | tail -2
	sent=$(echo "$out" | sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p')
	got=$(echo "$out" | sed -n 's/.* \([0-9]*\) received.*/\1/p')
	[ "${sent:-0}" = 600 ] && [ "${got:-0}" -ge 594 ] ||
		{ echo "ping: ${got:-0} of ${sent:-0} answered"; exit 1; }
}

# For nested.sh --ring-reset: the rings go to 128 entries and back to what
# they were, each change under bulk TCP both ways and a ping flood; at 128
# (the bulk stopped) pings must come back whole.  The transfer follows.
# VFP_RING_RESET_OPTIONAL=1 (a stock backend that may lack the feature):
# without bit 40, say VFP-NO-RING-RESET and leave the rings alone.
guest_before_ringreset()
{
	local dev=$1 peer=$2 orig bit pid

	orig=$(ring_sizes "$dev")
	bit=$(virtio_feature "$dev" 40)
	echo "VIRTIO_F_RING_RESET (bit 40) negotiated: $bit; rings (rx tx): $orig"
	if [ "$bit" != 1 ] && [ "${VFP_RING_RESET_OPTIONAL:-0}" = 1 ]; then
		echo "VFP-NO-RING-RESET"
		return 0
	fi
	ping -f -q -s 1400 "$peer" >/tmp/ping-flood.txt 2>&1 &
	pid=$!
	bulk_start "$peer" 4
	sleep 1
	set_rings "$dev" 128 128
	bulk_wait
	ping_exact "$peer"
	bulk_start "$peer" 4
	sleep 1
	# shellcheck disable=SC2086 # "RX TX"
	set_rings "$dev" $orig
	bulk_wait
	kill -INT "$pid"
	wait "$pid" || true
	echo "ping flood: $(grep 'packets transmitted' /tmp/ping-flood.txt)"
	! grep -q 'wrong data' /tmp/ping-flood.txt ||
		{ echo "a flood ping reply came back with other data"; exit 1; }
	[ "$bit" = 1 ] || { echo "VIRTIO_F_RING_RESET was not negotiated"; exit 1; }
	ip -s link show "$dev" | sed -n '3,6p'
}

if [ "$GUEST" = virtio_guest ]; then
	insmod "$(vfp_ko virtio_guest)"
else
	modprobe virtio_net
fi
dev=""
for d in /sys/class/net/*; do
	[ "$(readlink -f "$d/device/driver" 2>/dev/null | xargs -r basename)" = "$GUEST" ] && dev=${d##*/}
done
[ -n "$dev" ] || { echo "no interface bound to $GUEST"; ls -l /sys/class/net; exit 1; }
echo "interface $dev driver $GUEST"
[ -z "${VFP_GUEST_CHECK:-}" ] || "guest_check_$VFP_GUEST_CHECK" "$dev"
ip link set "$dev" up
ip addr add "$ADDR" dev "$dev"
ping -c 3 -W 5 "$PEER"
[ -z "${VFP_GUEST_BEFORE:-}" ] || "guest_before_$VFP_GUEST_BEFORE" "$dev" "$PEER"

head -c "${MB}M" /dev/urandom >/tmp/tx.bin
echo "VFP-TX-SHA $(sha256sum </tmp/tx.bin | cut -d' ' -f1)"
# 300 s each way, longer where L1 runs slow (a debug L1: scripts/l2 passes
# its vfp.slow on).
limit=$((300 * ${VFP_SLOW:-1}))
start=$(date +%s.%N)
timeout $limit socat -u OPEN:/tmp/tx.bin TCP:"$PEER":5001,connect-timeout=10
mid=$(date +%s.%N)
echo "VFP-RX-SHA $(timeout $limit socat -u TCP:"$PEER":5002,connect-timeout=10 - | sha256sum | cut -d' ' -f1)"
end=$(date +%s.%N)
echo "guest->peer $(echo "$MB * 8 / ($mid - $start)" | bc -l | cut -c1-6) Mbit/s, peer->guest $(echo "$MB * 8 / ($end - $mid)" | bc -l | cut -c1-6) Mbit/s"
ip -s link show "$dev" | sed -n '3,6p'
