#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vm-args: --timeout 3000
#
# Byte-exact data path on /dev/vhost-net and /dev/vhost-fp.
#
#   datapath (C) --- /dev/vhost-{net,fp} --- tap fd | vfptap0 --- AF_PACKET
#   (guest rings in                          (private netns per test)
#    process memory)
#
# Two passes, because vhost_net's zero-copy is a load-time parameter:
# vhost_net with experimental_zcopytx=0 plus every vhost-fp variant, then
# vhost_net alone reloaded with experimental_zcopytx=1. VFP_PKTS sets the
# frames per direction and variant (default 2000; 100000 for a full run).
# The packed-ring twins of the vhost-fp variants run in packed.sh.

set -u
. "$(dirname "$0")/lib.sh"
trap suite_cleanup EXIT

devices=vhost-net
load_vhost_net 0
load_vhostfp && devices="vhost-net vhost-fp"
VFP_DEVICES=$devices VFP_RINGS=split run_prog datapath "$@"
# One long run per device with every feature on: 100000 frames each way
# take the 16-bit ring indices through several wraps.
[ $# -gt 0 ] || VFP_PKTS=${VFP_PKTS_LONG:-100000} VFP_DEVICES=$devices VFP_RINGS=split \
	run_prog datapath -v fp_evt1_ind1_mrg1_zc1 -v net_evt1_ind1_mrg1_zc0

load_vhost_net 1
VFP_DEVICES=vhost-net VFP_RINGS=split run_prog datapath "$@"
exit "$SUITE_RC"
