#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Byte-exact data path on /dev/vhost-net and /dev/vhost-fp.
#
#   datapath (C) --- /dev/vhost-{net,fp} --- tap fd | vfptap0 --- AF_PACKET
#   (guest rings in                          (private netns per test)
#    process memory)
#
# Two passes, because vhost_net's zero-copy is a load-time parameter:
# vhost_net with experimental_zcopytx=0 plus every vhost-fp variant, then
# vhost_net alone reloaded with experimental_zcopytx=1. Every variant moves
# 2000 frames each way in the full mix of sizes, then half of the vhost-fp
# ones 70000 (run_datapath in lib.sh: VFP_PKTS, VFP_PKTS_LONG,
# VFP_LONG_DEVICES, VFP_LONG_ALL).
# The packed-ring twins of the vhost-fp variants run in packed.sh.

set -u
. "$(dirname "$0")/lib.sh"
trap suite_cleanup EXIT

suite_load
VFP_DEVICES=$DEVICES VFP_RINGS=split run_datapath "$@"
if suite_has_net; then
	load_vhost_net 1
	VFP_DEVICES=vhost-net VFP_RINGS=split run_datapath "$@"
fi
exit "$SUITE_RC"
