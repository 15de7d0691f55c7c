#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# virtio_guest without mergeable RX buffers: page chains instead. NIC A
# keeps guest TSO, so each RX buffer is a chain of pages big enough for a
# 64 KiB GSO packet; NIC B is a legacy (virtio 0.9) device without guest
# offloads, so its buffers are single pages behind a 10-byte header.
# The XDP cases run on A's page chains (guest TSO on until a program is
# attached); A's device drains its transmit ring slowly (selftests/tests),
# so XDP_TX frames fill it under A's own traffic. The unload case goes
# last: it sets up anew.

. "$(dirname "$0")/cases.sh"
trap vgn_cleanup EXIT
vgn_setup
vgn_run_tests test_driver test_ping test_tcp test_mtu_jumbo test_rx_filter \
	test_link_flap test_ethtool test_xdp_pass test_xdp_drop test_xdp_tx \
	test_xdp_tx_full_ring test_xdp_redirect test_xdp_mtu test_unload_under_traffic
