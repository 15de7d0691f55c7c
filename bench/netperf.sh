#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The client side of the end-to-end measurements, run where the guest
# driver is (in L2 for the nested suite, in L1 for the driver suite):
# iperf3 TCP out (tcp_tx) and in (tcp_rx), UDP 64-byte frames out
# (udp64_tx), ping RTT (ping), each window bracketed by plugin markers
# MARK0+1.. (bench/vfp-mark).  Needs an iperf3 server at PEER. Prints
# "VFP-BENCH {json}" lines.
#
# usage: netperf.sh SUITE LABEL ROUND PEER MARK0 SECS [WORKLOADS]
#   WORKLOADS  the workloads to run, in this order (default: all four)

set -u
SUITE=$1 LABEL=$2 ROUND=$3 PEER=$4 MARK=$5 SECS=$6
WORKLOADS=${7:-tcp_tx tcp_rx udp64_tx ping}
BENCH=$(cd "$(dirname "$0")" && pwd)

# VFP_BENCH_NETDEV names the client's NIC: its interrupts (the virtio
# device's queue vectors in /proc/interrupts) are counted per window.
VIRTIO=""
[ -n "${VFP_BENCH_NETDEV:-}" ] &&
	VIRTIO=$(basename "$(readlink -f "/sys/class/net/$VFP_BENCH_NETDEV/device")")
IRQS0=0

irqs()
{
	[ -n "$VIRTIO" ] || { echo 0; return; }
	awk -v p="$VIRTIO-" '{
		for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) s[i] = $i
		if ($NF ~ "^" p) for (j in s) n += s[j]
		delete s
	} END { print n + 0 }' /proc/interrupts
}

result()
{
	echo "VFP-BENCH {\"suite\":\"$SUITE\",\"dev\":\"$LABEL\",\"round\":$ROUND,\"mark\":$MARK,\"irqs\":$(( $(irqs) - IRQS0 )),$1}"
}

# iperf3 -J, summarised as "bytes secs packets" of what the receiver got.
iperf_sum()
{
	python3 -c '
import json, sys
j = json.load(sys.stdin)
e = j["end"]
s = e.get("sum", {})
if "packets" in s:
    print(s["bytes"], s["seconds"], s["packets"] - s["lost_packets"])
else:
    s = e["sum_received"]
    print(s["bytes"], s["seconds"], 0)
'
}

iperf()
{
	local wl=$1 out bytes secs pkts
	shift
	MARK=$((MARK + 1))
	IRQS0=$(irqs)
	"$BENCH/vfp-mark" $((2 * MARK))
	out=$(timeout $((SECS + 30)) iperf3 -J -c "$PEER" -t "$SECS" "$@" 2>&1)
	"$BENCH/vfp-mark" $((2 * MARK + 1))
	# No process substitution: the VMs have no /dev/fd.
	read -r bytes secs pkts <<<"$(echo "$out" | iperf_sum 2>/dev/null)"
	if [ -z "$pkts" ]; then
		echo "# iperf3 $wl failed: $(echo "$out" | grep -m1 error)" >&2
		return 0
	fi
	result "\"workload\":\"$wl\",\"bytes\":$bytes,\"secs\":$secs,\"packets\":$pkts"
}

# Adaptive ping for SECS seconds: as many round trips as fit.
ping_rtt()
{
	local out rtt n
	MARK=$((MARK + 1))
	IRQS0=$(irqs)
	"$BENCH/vfp-mark" $((2 * MARK))
	out=$(ping -A -q -w "$SECS" "$PEER" 2>&1)
	"$BENCH/vfp-mark" $((2 * MARK + 1))
	rtt=$(echo "$out" | sed -n 's|.*= [0-9.]*/\([0-9.]*\)/.*|\1|p')
	n=$(echo "$out" | sed -n 's/.* \([0-9]*\) received.*/\1/p')
	[ -n "$rtt" ] && [ -n "$n" ] && result "\"workload\":\"ping\",\"rtt_ms\":$rtt,\"packets\":$n"
	return 0
}

for wl in $WORKLOADS; do
	case $wl in
	tcp_tx) iperf tcp_tx ;;
	tcp_rx) iperf tcp_rx -R ;;
	# 18 bytes of UDP payload: 64-byte frames with the FCS.
	udp64_tx) iperf udp64_tx -u -b 0 -l 18 ;;
	ping) ping_rtt ;;
	*) echo "# FAIL: unknown workload $wl" >&2 ;;
	esac
done
exit 0
