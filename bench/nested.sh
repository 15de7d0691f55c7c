#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Inside the harness VM (L1): one nested guest (L2, KVM, virtio_net) with
# three NICs, one per backend, so that the backends alternate round after
# round in the same L2 boot; netperf.sh in L2 measures each NIC against an
# iperf3 server in that NIC's peer namespace.
#
#   L1:  netns vfp-pN  10.77.N.1 ==veth== brN -- tapN --+ QEMU userspace (N=1)
#                                                       | vhost_net      (N=2)
#                                                       | vhostfp        (N=3)
#   L2:  NIC N (mac 52:54:00:77:00:0N)  10.77.N.2  <----+
#
# usage: bench/nested.sh ROUNDS SECS

set -u
. "$(dirname "$0")/lib.sh"
trap vfp_cleanup EXIT
ROUNDS=${1:-3}
SECS=${2:-5}

vfp_modprobe tun bridge veth
bench_vhost_net_zc 0
bench_load_vhostfp
idle_window

for n in 1 2 3; do
	ip link add br$n type bridge || fail "cannot create br$n"
	vfp_link_track br$n
	ip link set br$n type bridge stp_state 0 forward_delay 0
	ip link set br$n up
	vfp_netns_add vfp-p$n
	ip link add vfp-v${n}a type veth peer name vfp-v${n}b || fail "cannot create veth"
	vfp_link_track vfp-v${n}a
	ip link set vfp-v${n}b netns vfp-p$n
	ip link set vfp-v${n}a master br$n up
	ip -n vfp-p$n addr add 10.77.$n.1/24 dev vfp-v${n}b
	ip -n vfp-p$n link set vfp-v${n}b up
	ip -n vfp-p$n link set lo up
	bench_tap_in_bridge tap$n br$n
	vfp_bg ip netns exec vfp-p$n iperf3 -s
done

tap() { echo "tap,id=n$1,ifname=tap$1,script=no,downscript=no$2"; }
nic() { echo "-netdev $(tap "$1" "$2") -device virtio-net-pci,netdev=n$1,mac=52:54:00:77:00:0$1"; }
"$VFP_REPO/scripts/l2" --timeout $((ROUNDS * 3 * (4 * SECS + 90) + 900)) \
	--fd 3:/dev/vhost-net --fd 4:/dev/vhost-fp \
	--netdev "$(tap 1 ,vhost=off)" --device virtio-net-pci,netdev=n1,mac=52:54:00:77:00:01 \
	--qemu-args "$(nic 2 ,vhost=on,vhostfd=3) $(nic 3 ,vhost=on,vhostfd=4)" \
	-- "bench/l2-rounds.sh $ROUNDS $SECS" 2>&1 | grep -a "^VFP-BENCH\|^# \|FAIL\|rror\|^l2:"
exit 0
