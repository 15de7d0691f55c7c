#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
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
# usage: macvtap.sh BACKEND
# Pings the peer, then moves VFP_XFER_MB (default 10) MiB each way over TCP
# and compares sha256 sums; with vhostfp, its counters must have carried it.

set -u
. "$(dirname "$0")/../lib.sh"
# fd 7: our hold on the vhost device (closed before its module goes)
trap 'exec 7<&-; vfp_cleanup' EXIT

BACKEND=${1:-}
MB=${VFP_XFER_MB:-10}
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

vfp_xfer_peer_start vfp-peer "$MB"
# The device is ours too: it, and its counters, outlive QEMU.
exec 7<>"$DEV" || fail "cannot open $DEV"

log "macvtap $TAPDEV, backend $BACKEND, ${MB} MiB each way"
out=$("$VFP_REPO/scripts/l2" --timeout 300 --fd "3:$TAPDEV" --fd "4:&7" \
	--netdev tap,id=n0,fd=3,vhost=on,vhostfd=4 \
	--device "virtio-net-pci,netdev=n0,mac=$MAC" \
	-- "selftests/e2e/guest-xfer.sh virtio_net 10.77.0.2/24 10.77.0.1 $MB") || {
	echo "$out" | sed 's/^/# l2: /'
	fail "the guest's run failed"
}
vfp_xfer_verify "$out"

[ "$BACKEND" != vhostfp ] || vfp_stats_carried "$MB"
exec 7<&-
exit $KSFT_PASS
