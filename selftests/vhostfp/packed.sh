#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Packed virtqueues (VIRTIO_F_RING_PACKED) on /dev/vhost-fp.
#
#   datapath / bad_ring (C) --- /dev/vhost-fp --- tap fd | vfptap0 --- AF_PACKET
#   (packed rings in                      (private netns per test)
#    process memory)
#
# Every datapath variant with packed rings (byte-exact, both directions),
# then the packed bad-input cases of bad_ring. vhost_net has no packed
# rings (QEMU falls back to split with it), so nothing here runs on it.

set -u
. "$(dirname "$0")/lib.sh"
trap suite_cleanup EXIT

vfp_modprobe tun
load_vhostfp || skip "packed rings need vhost-fp"
log "vhost-net has no packed rings: packed variants run on vhost-fp only"
VFP_DEVICES=vhost-fp VFP_RINGS=packed run_datapath "$@"
VFP_DEVICES=vhost-fp run_prog bad_ring -f packed "$@"
exit "$SUITE_RC"
