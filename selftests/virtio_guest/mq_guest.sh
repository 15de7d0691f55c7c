#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The guest (L2) part of mq.sh: 4 queue pairs with traffic on every queue,
# ethtool -L under traffic, a link flap and a hot-unplug from the host.

. "$(dirname "$0")/cases.sh"

# Both ends to $1 pairs.
vgn_pairs()
{
	ethtool -L "$VGN_A" combined "$1"
	vgn_peer ethtool -L "$VGN_B" combined "$1"
}

# An iperf3 server in B's namespace on port $1, for one test; its pid is
# left in VGN_SRV.
vgn_iperf_server()
{
	vgn_peer iperf3 -s -1 -p "$1" >/dev/null 2>&1 &
	VGN_SRV=$!
	vfp_wait_for sh -c "ip netns exec $VGN_NS ss -ltn | grep -q ':$1 '"
}

# Many TCP flows from A to B for $1 seconds.
vgn_flows()
{
	vgn_iperf_server 5201
	iperf3 -c $VGN_IP_B -p 5201 -P 16 -t "$1" >"$VGN_TMP/iperf.out"
	wait $VGN_SRV
	grep -E 'SUM.*receiver' "$VGN_TMP/iperf.out" | sed 's/^/# /'
}

test_mq_channels()
{
	[ "$(ethtool -l "$VGN_A" | awk '/^Combined:/ { print $2; exit }')" = 4 ]
	vgn_pairs 4
	ethtool -l "$VGN_A" | tail -5 | grep -q 'Combined:.*4'
	[ "$(ls /sys/class/net/"$VGN_A"/queues | grep -c tx-)" = 4 ]
}

test_mq_spread()
{
	local q
	vgn_pairs 4
	vgn_flows 5
	for q in 0 1 2 3; do
		[ "$(vgn_stat "$VGN_A" "tx_queue_${q}_packets")" -gt 0 ] ||
			{ log "A: nothing sent on queue $q"; return 1; }
		[ "$(vgn_stat "$VGN_B" "rx_queue_${q}_packets" $VGN_NS)" -gt 0 ] ||
			{ log "B: nothing received on queue $q"; return 1; }
	done
	ethtool -S "$VGN_A" | grep -E 'queue_[0-9]_packets' | sed 's/^/# A /'
}

test_mq_set_channels_under_traffic()
{
	local pid n
	vgn_iperf_server 5202
	iperf3 -c $VGN_IP_B -p 5202 -P 8 -t 12 >"$VGN_TMP/iperf2.out" &
	pid=$!
	for n in 1 3 2 4 1 4; do
		sleep 1.5
		vgn_pairs $n
	done
	wait $pid
	wait $VGN_SRV
	grep -E 'SUM.*receiver' "$VGN_TMP/iperf2.out" | sed 's/^/# /'
	# Small: basic.sh moves 50 MiB; this checks the queues ethtool -L left
	# behind, and vgn_xfer gives up after 120 s (a loaded host runs L2 at
	# 2 Mbit/s).
	vgn_xfer 8 a2b
	vgn_xfer 8 b2a
}

# The host takes A's link down and up again (mq.sh, QMP set_link). Each
# side waits for the other: allmulticast on B asks for the link to go down,
# allmulticast off says we saw it down and the host may bring it back.
test_link_flap_host()
{
	vgn_peer ip link set "$VGN_B" allmulticast on
	VFP_WAIT=300 vfp_wait_for grep -qx 0 /sys/class/net/"$VGN_A"/carrier ||
		{ log "carrier never went down"; return 1; }
	ip link show "$VGN_A" | grep -q NO-CARRIER ||
		{ log "carrier is 0 but the link does not say NO-CARRIER"; return 1; }
	vgn_peer ip link set "$VGN_B" allmulticast off
	VFP_WAIT=300 vfp_wait_for grep -qx 1 /sys/class/net/"$VGN_A"/carrier ||
		{ log "carrier never came back"; return 1; }
	VFP_WAIT=60 vfp_wait_for ping -c 1 -W 1 $VGN_IP_B ||
		{ log "no ping after the link came back"; return 1; }
}

# The host unplugs A in the middle of a transfer; then the module unloads.
test_hot_unplug()
{
	local pid
	vgn_iperf_server 5203
	iperf3 -c $VGN_IP_B -p 5203 -P 4 -t 60 >/dev/null 2>&1 &
	pid=$!
	sleep 2
	vgn_peer ip link set "$VGN_B" promisc on
	VFP_WAIT=120 vfp_wait_for sh -c "! test -e /sys/class/net/$VGN_A" ||
		{ log "$VGN_A is still there"; return 1; }
	log "$VGN_A is gone"
	# The flows lost their path: no FIN will ever reach the server.
	kill $pid $VGN_SRV 2>/dev/null || true
	wait $pid $VGN_SRV 2>/dev/null || true
	ip netns del "$VGN_NS"
	VFP_NETNS=()
	timeout 30 rmmod virtio_guest
	VFP_MODULES=()
}

trap vgn_cleanup EXIT
vgn_setup
vgn_run_tests test_mq_channels test_mq_spread test_mq_set_channels_under_traffic \
	test_link_flap_host test_hot_unplug
