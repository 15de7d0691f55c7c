#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# virtio_guest without mergeable RX buffers: page chains instead. NIC A
# keeps guest TSO, so each RX buffer is a chain of pages big enough for a
# 64 KiB GSO packet; NIC B is a legacy (virtio 0.9) device without guest
# offloads, so its buffers are single pages behind a 10-byte header (and
# its MTU stops at what a page holds, 3492: test_mtu_jumbo uses that).
# The XDP cases run on A's page chains (guest TSO on until a program is
# attached). The unload case goes last: it sets up anew.

# test_rx_memory's NIC (the third) has neither mergeable buffers nor guest
# offloads: virtio_net's small buffers, ~1.9 KiB carved from page frags,
# against one page each here (a chain is whole pages): 2.5x, not 1.5x.
# shellcheck disable=SC2034 # read by cases.sh
VGN_MEM_RATIO=2.5
. "$(dirname "$0")/cases.sh"
trap vgn_cleanup EXIT
vgn_setup
vgn_run_tests test_driver test_ping test_tcp test_mtu_jumbo test_rx_filter \
	test_link_flap test_ethtool test_rx_memory test_xdp_pass test_xdp_drop test_xdp_tx \
	test_xdp_redirect test_xdp_mtu test_unload_under_traffic
