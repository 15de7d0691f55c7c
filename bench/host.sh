#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Inside the harness VM (scripts/bench runs it): the host fast path of
# /dev/vhost-net and /dev/vhost-fp, A/B alternated over ROUNDS rounds.
# Every measured window is bracketed by plugin markers; every result is a
# "VFP-BENCH {json}" line on stdout.
#
# usage: bench/host.sh ROUNDS
# Environment: VFP_BENCH_SCALE multiplies the packet counts (default 1).

set -eu
. "$(dirname "$0")/lib.sh"
ROUNDS=${1:-5}
SCALE=${VFP_BENCH_SCALE:-1}

# workload:packets at scale 1 (a few seconds each under TCG)
WORKLOADS="tx64:20000 rx64:10000 tx1500:10000 rx1500:5000 gso:1000 pingpong:300"

vfp_modprobe tun sch_ingress cls_matchall act_gact
bench_load_vhostfp
idle_window

for r in $(seq 1 "$ROUNDS"); do
	# A/B, then B/A: neither device always runs first.
	if [ $((r % 2)) = 1 ]; then order="net fp"; else order="fp net"; fi
	bench_vhost_net_zc 0
	for wl in $WORKLOADS; do
		w=${wl%%:*}
		n=$(( ${wl#*:} * SCALE ))
		for d in $order; do
			bench_run "$r" --dev "$d" --workload "$w" --packets "$n"
		done
		# vhost-fp's zero-copy, an opt-in: against its default, copy.
		case $w in
		gso|tx1500) bench_run "$r" --dev fp --workload "$w" --packets "$n" --zc 1 ;;
		esac
	done
	# Packed rings: vhost-fp offers them, vhost_net does not.
	for wl in tx64:20000 rx64:10000 pingpong:300; do
		bench_run "$r" --dev fp --workload "${wl%%:*}" --packed \
			--packets $(( ${wl#*:} * SCALE ))
	done
	# vhost_net's zero-copy is a load-time parameter.
	bench_vhost_net_zc 1
	bench_run "$r" --dev net --workload gso --packets $(( 1000 * SCALE ))
	bench_run "$r" --dev net --workload tx1500 --packets $(( 10000 * SCALE ))
done
