#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# virtio_guest without mergeable RX buffers: page chains instead. NIC A is
# a modern device, NIC B a legacy (virtio 0.9) one (a 10-byte header).
# Neither has guest offloads (QEMU clears them for a hub, whose peers take
# no virtio-net header) nor an MTU of its own, so their buffers are single
# pages and their MTU stops at what a page holds (3490, B 3492:
# test_mtu_jumbo and test_xdp_mtu use that). The XDP cases run on A,
# whose device drains its transmit ring slowly (selftests/tests), so that
# XDP_TX frames fill it under A's own traffic. The unload case goes last:
# it sets up anew.

# test_rx_memory's NIC (the third) has neither mergeable buffers nor guest
# offloads: virtio_net's small buffers, ~1.9 KiB carved from page frags,
# against one page each here (a chain is whole pages): 2.5x, not 1.5x.
# shellcheck disable=SC2034 # read by cases.sh
VGN_MEM_RATIO=2.5
. "$(dirname "$0")/cases.sh"
trap vgn_cleanup EXIT
vgn_setup
vgn_run_tests test_driver test_ping test_tcp test_mtu_jumbo test_rx_filter \
	test_link_flap test_ethtool test_rx_memory test_xdp_pass test_xdp_drop \
	test_xdp_tx test_xdp_tx_full_ring test_xdp_redirect test_xdp_mtu \
	test_unload_under_traffic
