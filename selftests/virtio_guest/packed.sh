#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# virtio_guest on packed virtqueues (VIRTIO_F_RING_PACKED): the ring is the
# virtio core's, the driver must not care. One NIC without indirect
# descriptors and event index, to use the ring in its plainest form.
#
# vm-args: --mem 1536 --qemu-args '-netdev hubport,id=h0,hubid=0 -device virtio-net-pci,netdev=h0,packed=on,mac=52:54:00:00:18:01 -netdev hubport,id=h1,hubid=0 -device virtio-net-pci,netdev=h1,packed=on,indirect_desc=off,event_idx=off,mac=52:54:00:00:18:02'

. "$(dirname "$0")/cases.sh"
trap vgn_cleanup EXIT
vgn_setup
vgn_run_tests test_driver test_ping test_tcp test_mtu_jumbo test_link_flap \
	test_unload_under_traffic
