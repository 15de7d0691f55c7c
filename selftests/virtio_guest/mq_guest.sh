#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The guest (L2) part of mq.sh: 4 queue pairs with traffic on every queue,
# their CPU steering (XPS, interrupt affinity hints), ethtool -L under
# traffic, a link flap and a hot-unplug from the host.

. "$(dirname "$0")/cases.sh"

# Both ends to $1 pairs.
vgn_pairs()
{
	ethtool -L "$VGN_A" combined "$1"
	vgn_peer ethtool -L "$VGN_B" combined "$1"
}

# An iperf3 server in B's namespace on port $1, for one test; its pid is
# left in VGN_SRV, its output in $VGN_TMP/iperf-srv-$1.out.
vgn_iperf_server()
{
	vgn_peer iperf3 -s -1 -p "$1" >"$VGN_TMP/iperf-srv-$1.out" 2>&1 &
	VGN_SRV=$!
	vfp_wait_for sh -c "ip netns exec $VGN_NS ss -ltn | grep -q ':$1 '"
}

# An iperf3 client failed: what both ends and the kernel said. $1: the
# client's output file, $2: the server's port.
vgn_iperf_failed()
{
	log "iperf3 client to port $2 failed; its totals and last lines:"
	grep SUM "$1" | sed 's/^/#   /'
	tail -n 3 "$1" | sed 's/^/#   /'
	log "the server's last lines:"
	tail -n 5 "$VGN_TMP/iperf-srv-$2.out" | sed 's/^/#   /'
	log "the kernel's last lines:"
	dmesg | tail -n 15 | sed 's/^/#   /'
	return 1
}

# How much the iperf3 clients of test_mq_spread and
# test_mq_set_channels_under_traffic send. iperf3's server ends a timed
# test by its own clock: 40 s after the test's length it closes the
# streams, and a client still writing gets a reset ("Broken pipe"). The
# clients read their clock only between rounds of writes to every stream
# (our reading of iperf3 3.12, not traced), so a slow L2 overruns: a
# debug L2 (well under 1 Mbit/s) did on both clients, and a stock 6.12
# L2 did on test_mq_spread's 64 streams with one other test VM on the
# machine. So test_mq_spread sends a byte count in small writes, for
# which the server sets no clock (2 KiB: a stream writes up to 10 blocks
# a round, so 64 streams' first round is 1.25 MiB and every stream sends
# data). test_mq_set_channels_under_traffic needs its 8 flows to last
# through six ethtool -L changes (~10 s): on a stock L2 they stay timed,
# a byte count would end in a second or two there.
# After ethtool -L, test_mq_set_channels_under_traffic sends 8 MiB each
# way: a debug L2 moves ~0.1 Mbit/s, too slow for that in vgn_xfer's
# 120 s, so there it sends 1 MiB with 600 s.
if [ "$VFP_DEBUG" = 1 ]; then
	VGN_SPREAD_LOAD="-n 2M -l 2K"
	VGN_UNDER_LOAD="-n 1M -l 2K"
	VGN_CHECK_MB=1
	export VGN_XFER_TIMEOUT=600
else
	VGN_CHECK_MB=8
	VGN_SPREAD_LOAD="-n 16M -l 2K"
	VGN_UNDER_LOAD="-t 12"
fi

# Many TCP flows from A to B.  On mq.sh's one vCPU, every
# queue is in that CPU's XPS map, so each flow's queue is picked by its
# hash, at both ends: with 16 flows, one queue of the four at either end
# gets none in about one run in 12 (test_mq_spread failed so once here);
# with 64, in one run in some ten million.
vgn_flows()
{
	vgn_iperf_server 5201
	# shellcheck disable=SC2086 # options, split on purpose
	iperf3 -c $VGN_IP_B -p 5201 -P 64 $VGN_SPREAD_LOAD >"$VGN_TMP/iperf.out" 2>&1 ||
		vgn_iperf_failed "$VGN_TMP/iperf.out" 5201
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

# The hex CPU mask in file $1 as a number (up to 64 CPUs).
vgn_mask()
{
	local m
	m=$(tr -d ',\n' <"$1")
	echo $((16#${m:-0}))
}

# A's $1 pairs in use each have CPUs: as their TX queue's XPS map and as
# the affinity hint of both their interrupts; together, every online CPU.
vgn_check_affinity()
{
	local pairs=$1 vdev online=0 all=0 r c q m irq vq hint
	vdev=$(basename "$(readlink /sys/class/net/"$VGN_A"/device)")
	for r in $(tr ',' ' ' </sys/devices/system/cpu/online); do
		for ((c = ${r%-*}; c <= ${r#*-}; c++)); do online=$((online | 1 << c)); done
	done
	for ((q = 0; q < pairs; q++)); do
		m=$(vgn_mask /sys/class/net/"$VGN_A"/queues/tx-$q/xps_cpus)
		[ "$m" != 0 ] && [ $((m & ~online)) = 0 ] ||
			{ log "pair $q of $pairs: XPS CPUs $(printf %x "$m"), online $(printf %x $online)"; return 1; }
		all=$((all | m))
		for vq in input.$q output.$q; do
			irq=$(awk -v n="$vdev-$vq" '$NF == n { sub(":", "", $1); print $1 }' /proc/interrupts)
			[ -n "$irq" ] || { log "no interrupt named $vdev-$vq"; return 1; }
			hint=$(vgn_mask /proc/irq/"$irq"/affinity_hint)
			[ "$hint" = "$m" ] ||
				{ log "$vdev-$vq: affinity hint $(printf %x "$hint"), XPS $(printf %x "$m")"; return 1; }
		done
	done
	[ $all = $online ] || { log "$pairs pairs: CPUs $(printf %x $all) of $(printf %x $online) send"; return 1; }
	log "$pairs pairs: every online CPU steered, hints match XPS"
}

# ethtool -L deals the CPUs out again.
test_mq_affinity()
{
	vgn_pairs 4
	vgn_check_affinity 4 || return 1
	vgn_pairs 2
	vgn_check_affinity 2 || return 1
	vgn_pairs 4
	vgn_check_affinity 4
}

test_mq_spread()
{
	local q
	vgn_pairs 4
	vgn_flows
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
	# shellcheck disable=SC2086 # options, split on purpose
	iperf3 -c $VGN_IP_B -p 5202 -P 8 $VGN_UNDER_LOAD >"$VGN_TMP/iperf2.out" 2>&1 &
	pid=$!
	for n in 1 3 2 4 1 4; do
		sleep 1.5
		vgn_pairs $n
	done
	wait $pid || vgn_iperf_failed "$VGN_TMP/iperf2.out" 5202
	wait $VGN_SRV
	grep -E 'SUM.*receiver' "$VGN_TMP/iperf2.out" | sed 's/^/# /'
	# Small: basic.sh moves 30 MiB; this checks the queues ethtool -L left
	# behind, and vgn_xfer gives up after 120 s (a loaded host runs L2 at
	# 2 Mbit/s).
	vgn_xfer $VGN_CHECK_MB a2b
	vgn_xfer $VGN_CHECK_MB b2a
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
# QEMU's pc machine unplugs through ACPI: the kernel lists A's PCI slot in
# /sys/bus/pci/slots only when it has that (CONFIG_HOTPLUG_PCI_ACPI), and
# without it A would never go.
test_hot_unplug()
{
	local pid pci
	pci=$(basename "$(readlink -f /sys/class/net/"$VGN_A"/device/..)")
	grep -qx "${pci%.*}" /sys/bus/pci/slots/*/address 2>/dev/null ||
		{ log "$VGN_A ($pci) is in no hotplug slot: no ACPI PCI hotplug in this kernel"; return 1; }
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
vgn_run_tests test_mq_channels test_mq_affinity test_mq_spread \
	test_mq_set_channels_under_traffic test_link_flap_host test_hot_unplug
