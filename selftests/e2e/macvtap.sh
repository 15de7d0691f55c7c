#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The stock virtio_net guest on a macvtap instead of a tap:
#
#   +------------------------- L1 (host VM) ----------------------------+
#   |  netns vfp-peer                                                   |
#   |  vfp-veth1 10.77.0.1 ==veth== vfp-veth0                           |
#   |                                  |                                |
#   |                        vfp-mvt0 (macvtap, mode bridge,            |
#   |                                  52:54:00:12:34:56) = /dev/tapN   |
#   |   QEMU -netdev tap,fd=3,vhost=on,vhostfd=4                        |
#   |        3<>/dev/tapN  4<>/dev/vhost-fp (or /dev/vhost-net)         |
#   |   +------------------ L2 (QEMU -accel kvm) ------------------+    |
#   |   |  eth0 10.77.0.2, stock virtio_net                        |    |
#   |   +----------------------------------------------------------+    |
#   +-------------------------------------------------------------------+
#
# usage: macvtap.sh BACKEND   (also as macvtap-<BACKEND>.sh)
# Pings the peer, then moves VFP_XFER_MB (default 20) MiB each way over TCP
# and compares sha256 sums; with vhostfp, its counters must have carried it.

set -u
. "$(dirname "$0")/../lib.sh"
trap vfp_cleanup EXIT

name=$(basename "$0" .sh)
BACKEND=${1:-${name#macvtap-}}
MB=${VFP_XFER_MB:-20}
MAC=52:54:00:12:34:56
case "$BACKEND" in
vhostfp) vfp_load vhostfp; DEV=/dev/vhost-fp ;;
vhost_net) vfp_modprobe vhost_net; DEV=/dev/vhost-net ;;
*) fail "unknown backend '$BACKEND'" ;;
esac

vfp_modprobe veth macvtap
vfp_netns_add vfp-peer
ip link add vfp-veth0 type veth peer name vfp-veth1 || fail "cannot create veth"
vfp_link_track vfp-veth0
ip link set vfp-veth1 netns vfp-peer
ip -n vfp-peer addr add 10.77.0.1/24 dev vfp-veth1
ip -n vfp-peer link set vfp-veth1 up
ip link set vfp-veth0 up
ip link add link vfp-veth0 name vfp-mvt0 address $MAC type macvtap mode bridge ||
	fail "cannot create a macvtap"
vfp_link_track vfp-mvt0
ip link set vfp-mvt0 up
TAPDEV=/dev/tap$(cat /sys/class/net/vfp-mvt0/ifindex)
vfp_wait_for test -c "$TAPDEV" || fail "no $TAPDEV"

head -c "${MB}M" /dev/urandom >/tmp/src.bin
src_sha=$(sha256sum </tmp/src.bin | cut -d' ' -f1)
vfp_bg ip netns exec vfp-peer socat -u TCP-LISTEN:5001,reuseaddr CREATE:/tmp/sink.bin
vfp_bg ip netns exec vfp-peer socat -u OPEN:/tmp/src.bin TCP-LISTEN:5002,reuseaddr
vfp_wait_for ip netns exec vfp-peer sh -c 'ss -ltn | grep -q :5002' || fail "peer servers did not start"
[ "$BACKEND" != vhostfp ] || vfp_bg vfp_stats_follow /tmp/vfp-stats

log "macvtap $TAPDEV, backend $BACKEND, ${MB} MiB each way"
out=$("$VFP_REPO/scripts/l2" --timeout 400 --fd "3:$TAPDEV" --fd "4:$DEV" \
	--netdev tap,id=n0,fd=3,vhost=on,vhostfd=4 \
	--device "virtio-net-pci,netdev=n0,mac=$MAC" \
	-- "selftests/e2e/guest-xfer.sh virtio_net 10.77.0.2/24 10.77.0.1 $MB") || {
	echo "$out" | sed 's/^/# l2: /'
	fail "the guest's run failed"
}
echo "$out" | grep -v '^VFP-' | sed 's/^/# l2: /'

tx_sha=$(echo "$out" | sed -n 's/^VFP-TX-SHA //p')
rx_sha=$(echo "$out" | sed -n 's/^VFP-RX-SHA //p')
vfp_wait_exit "${VFP_PIDS[0]}" || fail "the peer's sink did not finish"
sink_sha=$(sha256sum </tmp/sink.bin | cut -d' ' -f1)
[ -n "$tx_sha" ] && [ "$tx_sha" = "$sink_sha" ] ||
	fail "guest->peer data differs: guest sent $tx_sha, peer got $sink_sha"
[ "$rx_sha" = "$src_sha" ] ||
	fail "peer->guest data differs: peer sent $src_sha, guest got $rx_sha"
log "sha256 match both ways"

if [ "$BACKEND" = vhostfp ]; then
	[ -s /tmp/vfp-stats ] || fail "no vhostfp statistics were sampled"
	sed 's/^/# stats: /' /tmp/vfp-stats
	want=$((MB * 1024 * 1024 * 9 / 10))
	for q in tx rx; do
		got=$(awk -v q=$q '$1 == q && $2 == "bytes" { s += $3 } END { print s + 0 }' /tmp/vfp-stats)
		[ "$got" -ge "$want" ] || fail "vhostfp $q bytes $got < $want: it did not carry the traffic"
	done
	log "vhostfp counters show the traffic both ways"
fi
exit $KSFT_PASS
