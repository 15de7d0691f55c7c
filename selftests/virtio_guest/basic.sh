#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# virtio_guest on QEMU's userspace virtio-net, default device: split rings,
# mergeable RX buffers, checksum and TSO offloads both ways, control queue.
# Two NICs back to back through a QEMU hub; see lib.sh for the picture.
# The driver's module link, software TX timestamps, and the netdev
# family's per-queue counters (qstats, 6.12), receive interrupts under
# busy polling. XDP on A too: PASS under a
# TCP transfer, DROP, TX and REDIRECT (the
# program answers pings itself) with their counters, and the MTU limit of
# an attached program. RX memory per queue pair against virtio_net, on a
# third NIC (16 pairs). The unload case goes last: it sets up anew.

. "$(dirname "$0")/cases.sh"
trap vgn_cleanup EXIT
vgn_setup
vgn_run_tests test_driver test_ping test_tx_timestamp test_tcp test_mtu_jumbo \
	test_rx_filter test_link_flap test_ethtool test_qstats test_busy_poll_irqs \
	test_rx_memory test_xdp_pass test_xdp_drop test_xdp_tx test_xdp_redirect \
	test_xdp_mtu test_unload_under_traffic
