#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# XDP on virtio_guest with mergeable RX buffers: PASS under a TCP transfer,
# DROP, TX and REDIRECT (the program answers pings itself) with their
# counters, and the MTU limit of an attached program.
#
# vm-args: --mem 1536 --qemu-args '-netdev hubport,id=h0,hubid=0 -device virtio-net-pci,netdev=h0,mac=52:54:00:00:18:01 -netdev hubport,id=h1,hubid=0 -device virtio-net-pci,netdev=h1,mac=52:54:00:00:18:02' --pin-keys

. "$(dirname "$0")/cases.sh"
trap vgn_cleanup EXIT
vgn_setup
vgn_run_tests test_xdp_pass test_xdp_drop test_xdp_tx test_xdp_redirect \
	test_xdp_mtu
