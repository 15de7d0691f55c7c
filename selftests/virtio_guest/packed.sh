#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# virtio_guest on packed virtqueues (VIRTIO_F_RING_PACKED): the ring is the
# virtio core's, the driver must not care. NIC A offers everything, event
# index included, which the driver declines on packed rings (QEMU leaves a
# packed ring's device event offset behind and kicks get lost: see
# vgn_validate()); NIC B offers neither indirect descriptors nor event
# index, the ring in its plainest form, and no control queue (the features
# that need one must not be negotiated).

. "$(dirname "$0")/cases.sh"

# Both NICs run packed rings (bit 34) without event index (bit 29); the
# features file has one character per bit, bit 0 first.
test_packed_features()
{
	local f n=0
	for f in /sys/bus/virtio/drivers/virtio_guest/virtio*/features; do
		[ "$(cut -c35 "$f")" = 1 ] || { log "$f: no RING_PACKED"; return 1; }
		[ "$(cut -c30 "$f")" = 0 ] ||
			{ log "$f: EVENT_IDX on a packed ring"; return 1; }
		n=$((n + 1))
	done
	[ $n = 2 ] || { log "$n devices bound, want 2"; return 1; }
}

trap vgn_cleanup EXIT
vgn_setup
vgn_run_tests test_driver test_packed_features test_no_ctrl_vq test_ping test_tcp \
	test_mtu_jumbo test_rx_filter test_link_flap test_ethtool \
	test_xdp_drop test_xdp_tx test_unload_under_traffic
