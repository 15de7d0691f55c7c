#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Inside the harness VM, under the plugin with profile=on: one window per
# device and workload, and /proc/kallsyms of this boot into OUTDIR, for
# bench/profile.py.
#
# usage: bench/profile.sh OUTDIR WORKLOAD...

set -eu
. "$(dirname "$0")/lib.sh"
OUT=$1
shift

vfp_modprobe tun sch_ingress cls_matchall act_gact
bench_vhost_net_zc 0
bench_load_vhostfp
cat /proc/kallsyms >"$OUT/kallsyms"
for w in "$@"; do
	n=20000
	case $w in gso) n=1000 ;; pingpong) n=300 ;; rx*) n=5000 ;; esac
	for d in net fp; do
		bench_run 1 --dev "$d" --workload "$w" --packets "$n"
	done
done
