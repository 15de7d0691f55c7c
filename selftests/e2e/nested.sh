#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# End to end through a nested guest, the way a KVM host runs one:
#
#   +------------------------- L1 (host VM) --------------------------------+
#   |  netns vfp-peer                                                       |
#   |  vfp-veth1 10.77.0.1 ==veth== vfp-veth0 --[br0]-- tap0                |
#   |                                                    |  BACKEND: qemu   |
#   |                                                    |  (vhost=off),    |
#   |                                                    |  vhost_net or    |
#   |                                                    |  vhostfp (fd 3)  |
#   |   +------------------ L2 (QEMU -accel kvm) --------|--------------+   |
#   |   |  eth0 10.77.0.2  (GUEST driver: virtio_net or virtio_guest)   |   |
#   |   +---------------------------------------------------------------+   |
#   +-----------------------------------------------------------------------+
#
# usage: nested.sh [--packed | --viommu] [--as-vhost-net] [--ring-reset] GUEST BACKEND
# Pings the peer, then moves VFP_XFER_MB MiB (default 10: some 7000 full-size
# frames, many laps of the 256-entry rings) each way over TCP and compares
# sha256 sums on both ends. With vhostfp, its counters must have carried it.
#
#   --packed   stock QEMU (-device virtio-net-pci,packed=on) and the guest
#              must negotiate VIRTIO_F_RING_PACKED (checked from inside L2:
#              bit 34 of the device's features) and move the transfer.
#   --viommu   L2 is a q35 machine with QEMU's intel-iommu (device IOTLB),
#              its NIC behind a PCIe root port with iommu_platform=on and
#              ATS (on the root bus it would have no ATS, and L2 would send
#              no device-IOTLB invalidations, which QEMU turns into
#              VHOST_IOTLB_INVALIDATE). L2's IOMMU runs in its default lazy
#              mode: iommu.strict=1 did not finish the 6.12 transfer within
#              socat's 300 s. QEMU negotiates VIRTIO_F_ACCESS_PLATFORM and
#              answers VHOST_IOTLB_MISS with UPDATEs; L2 checks that its NIC
#              is behind the IOMMU, L1 that vhostfp's counters show misses
#              and updates.
#   --as-vhost-net  (BACKEND vhostfp) vhost_net absent, vhostfp loaded with
#              as_vhost_net=1, and QEMU given a plain vhost=on with no
#              vhostfd: it opens /dev/vhost-net itself, which must be
#              vhostfp's (10:238, and its counters carry the transfer).
#              The device goes with QEMU, so its counters are sampled every
#              second while it runs.
#   --ring-reset  (GUEST virtio_net) before the transfer, L2 changes its
#              rings with ethtool -G to 128 entries and back, each under
#              bulk TCP both ways (the peer's ports 5004 and 5005) and a
#              ping flood, and at 128 sends 600 pings that must come back
#              whole (guest-xfer.sh's guest_before_ringreset).  That needs
#              VIRTIO_F_RING_RESET (bit 40) from the backend: each change
#              resets one queue, which QEMU carries out by detaching that
#              vring (VHOST_NET_SET_BACKEND fd -1), re-programming it and
#              attaching it again while the other runs.  With vhostfp its
#              counters must show no guest error.  vhost_net offers the
#              bit on 6.12, not on 6.1 (measured: QEMU 7.2 then does not
#              offer it to the guest): without it the reference moves the
#              transfer and reports a skip.

set -u
. "$(dirname "$0")/../lib.sh"
# fd 7: our hold on the vhost device (closed before its module goes)
trap 'exec 7<&-; vfp_cleanup' EXIT

# What a variant changes: L2's NIC options (VFP_NIC_OPTS), a check
# guest-xfer.sh runs in L2 (guest_check_NAME there), QEMU options before the
# NIC (scripts/l2 --pre-args), L2's command line, and a check of vhostfp's
# counters after the transfer (stats_check_NAME below); guest-xfer.sh's
# guest_before_NAME, run between the ping and the transfer.
VFP_NIC_OPTS="" VFP_GUEST_CHECK="" VFP_L2_PRE_ARGS="" VFP_L2_APPEND="" VFP_STATS_CHECK=""
VFP_GUEST_BEFORE=""
AS_VHOST_NET=0
while [ $# -gt 0 ]; do
	case "$1" in
	--packed)
		VFP_NIC_OPTS=packed=on VFP_GUEST_CHECK=packed
		;;
	--viommu)
		[ "$VFP_STATS_CHECK" != noerrors ] || fail "--ring-reset goes with --packed, not --viommu"
		VFP_L2_PRE_ARGS="-M q35,kernel-irqchip=split -device intel-iommu,intremap=on,device-iotlb=on -device pcie-root-port,id=rp0,bus=pcie.0,chassis=1"
		VFP_NIC_OPTS=iommu_platform=on,ats=on,bus=rp0 VFP_GUEST_CHECK=iommu
		VFP_L2_APPEND=intel_iommu=on VFP_STATS_CHECK=iotlb
		;;
	--as-vhost-net)
		AS_VHOST_NET=1
		;;
	--ring-reset)
		VFP_GUEST_BEFORE=ringreset
		[ -z "$VFP_STATS_CHECK" ] || fail "--ring-reset goes with --packed, not --viommu"
		VFP_STATS_CHECK=noerrors
		;;
	*)
		break
		;;
	esac
	shift
done
GUEST=${1:-}
BACKEND=${2:-}
MB=${VFP_XFER_MB:-10}
case "$GUEST" in virtio_net|virtio_guest) ;; *) fail "unknown guest driver '$GUEST'" ;; esac
[ $AS_VHOST_NET = 0 ] || [ "$BACKEND" = vhostfp ] || fail "--as-vhost-net is a vhostfp option"
[ -z "$VFP_GUEST_BEFORE" ] || [ "$GUEST" = virtio_net ] ||
	fail "--ring-reset needs virtio_net (virtio_guest has no ethtool -G)"

vfp_modprobe tun
vfp_bridge_with_peer vfp-peer 10.77.0.1/24
vfp_tap_in_bridge tap0

NETDEV=tap,id=n0,ifname=tap0,script=no,downscript=no
FD=()
case "$BACKEND" in
qemu) NETDEV+=,vhost=off ;;
vhost_net)
	vfp_modprobe vhost_net
	NETDEV+=,vhost=on,vhostfd=3
	FD=(--fd 3:/dev/vhost-net)
	;;
vhostfp)
	if [ $AS_VHOST_NET = 1 ]; then
		if [ -d /sys/module/vhost_net ]; then
			rmmod vhost_net || fail "cannot unload vhost_net"
		fi
		vfp_load vhostfp as_vhost_net=1
		[ "$(cat /sys/module/vhostfp/parameters/as_vhost_net)" = Y ] ||
			fail "vhostfp is loaded without as_vhost_net=1"
		vfp_wait_for test -c /dev/vhost-net || fail "no /dev/vhost-net from vhostfp"
		[ "$(stat -c '%t:%T' /dev/vhost-net)" = a:ee ] || fail "/dev/vhost-net is not 10:238"
		NETDEV+=,vhost=on
	else
		vfp_load vhostfp
		NETDEV+=,vhost=on,vhostfd=3
		FD=(--fd "3:&7")	# opened below, after the peer's processes
	fi
	;;
*) fail "unknown backend '$BACKEND'" ;;
esac
if [ "$GUEST" = virtio_guest ]; then
	l2kv=${VFP_L2_KVER:-$(uname -r)}
	vfp_ko virtio_guest "$l2kv" >/dev/null || fail "virtio_guest.ko is not built for $l2kv"
fi

# The peer: a sink for the guest's data and a source of our own.
vfp_xfer_peer_start vfp-peer "$MB"
if [ "$VFP_GUEST_BEFORE" = ringreset ]; then
	# Bulk TCP for the ring changes, any number of connections.
	# (quiet: the guest ends each connection by killing its socat)
	vfp_bg ip netns exec vfp-peer socat -u TCP-LISTEN:5004,reuseaddr,fork /dev/null 2>/dev/null
	vfp_bg ip netns exec vfp-peer socat -U TCP-LISTEN:5005,reuseaddr,fork /dev/zero 2>/dev/null
	vfp_wait_for ip netns exec vfp-peer sh -c 'ss -ltn | grep -q :5005' ||
		fail "peer bulk servers did not start"
fi

# The device is ours too: it, and its counters, outlive QEMU. With
# --as-vhost-net QEMU opens its own, and the counters are sampled instead.
STATS=""
if [ $AS_VHOST_NET = 1 ]; then
	STATS=/tmp/vfp-stats-follow
	vfp_bg vfp_stats_follow $STATS
elif [ "$BACKEND" = vhostfp ]; then
	exec 7<>/dev/vhost-fp || fail "cannot open /dev/vhost-fp"
fi

# A vIOMMU's translations must have gone through vhostfp's IOTLB.
stats_check_iotlb()
{
	local q misses updates invalidates

	misses=$(awk '$2 == "iotlb_misses" { s += $3 } END { print s + 0 }' "$1")
	updates=$(awk '$1 == "rx" && $2 == "iotlb_updates" { print $3 + 0 }' "$1")
	invalidates=$(awk '$1 == "rx" && $2 == "iotlb_invalidates" { print $3 + 0 }' "$1")
	log "vhostfp IOTLB: ${misses:-0} misses, ${updates:-0} updates, ${invalidates:-0} invalidates"
	[ "${misses:-0}" -gt 0 ] || fail "no IOTLB miss: the vIOMMU was not used"
	[ "${updates:-0}" -gt 0 ] || fail "no IOTLB update from QEMU"
	for q in rx tx; do
		[ "$(awk -v q=$q '$1 == q && $2 == "guest_errors" { print $3 }' "$1")" = 0 ] ||
			fail "vhostfp $q reported guest errors"
	done
}

# A queue reset and re-programmed under traffic must leave no guest error
# (a ring read at the wrong size, a stale index) on either queue.
stats_check_noerrors()
{
	local q n

	for q in rx tx; do
		n=$(awk -v q=$q '$1 == q && $2 == "guest_errors" { s += $3 } END { print s + 0 }' "$1")
		[ "$n" = 0 ] || fail "vhostfp $q reported $n guest errors"
	done
	log "vhostfp: no guest error on either queue"
}

L2_ARGS=()
[ -z "$VFP_L2_PRE_ARGS" ] || L2_ARGS+=(--pre-args "$VFP_L2_PRE_ARGS")
[ -z "$VFP_L2_APPEND" ] || L2_ARGS+=(--append "$VFP_L2_APPEND")
DEVICE=()
[ -z "$VFP_NIC_OPTS" ] ||
	DEVICE=(--device "virtio-net-pci,netdev=n0,mac=52:54:00:12:34:56,$VFP_NIC_OPTS")
CHECK=""
[ -z "$VFP_GUEST_CHECK" ] || CHECK="VFP_GUEST_CHECK=$VFP_GUEST_CHECK "
[ -z "$VFP_GUEST_BEFORE" ] || CHECK+="VFP_GUEST_BEFORE=$VFP_GUEST_BEFORE "
[ "$BACKEND" != vhost_net ] || CHECK+="VFP_RING_RESET_OPTIONAL=1 "

log "guest $GUEST, backend $BACKEND$([ $AS_VHOST_NET = 0 ] || echo ' as /dev/vhost-net'), ${MB} MiB each way${VFP_NIC_OPTS:+, NIC options $VFP_NIC_OPTS}${VFP_GUEST_BEFORE:+, first $VFP_GUEST_BEFORE}"
out=$("$VFP_REPO/scripts/l2" --timeout 400 "${L2_ARGS[@]}" "${FD[@]}" --netdev "$NETDEV" "${DEVICE[@]}" \
	-- "${CHECK}selftests/e2e/guest-xfer.sh $GUEST 10.77.0.2/24 10.77.0.1 $MB") || {
	echo "$out" | sed 's/^/# l2: /'
	fail "the guest's run failed"
}
vfp_xfer_verify "$out"
if echo "$out" | grep -q '^VFP-NO-RING-RESET'; then
	skip "$(uname -r)'s vhost_net does not offer VIRTIO_F_RING_RESET: the guest could not resize its rings (the transfer passed)"
fi

if [ $AS_VHOST_NET = 1 ]; then
	[ ! -d /sys/module/vhost_net ] || fail "vhost_net was loaded during the run"
	vfp_stats_carried "$MB" $STATS
	[ -z "$VFP_STATS_CHECK" ] || "stats_check_$VFP_STATS_CHECK" $STATS
elif [ "$BACKEND" = vhostfp ]; then
	vfp_stats_carried "$MB"
	[ -z "$VFP_STATS_CHECK" ] || { vfp_stats_dump >/tmp/vfp-stats &&
		"stats_check_$VFP_STATS_CHECK" /tmp/vfp-stats; }
	exec 7<&-
fi
exit $KSFT_PASS
