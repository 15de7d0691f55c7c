#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Head-of-line blocking of guest TX zero-copy (see hol.c for the picture):
# vhost-fp must give later buffers back while one skb is held, vhost_net
# with experimental_zcopytx=1 is shown to block. Two passes for the two
# settings of vhost_net's load-time parameter.

set -u
. "$(dirname "$0")/lib.sh"
trap suite_cleanup EXIT

# nft_meta_bridge: the bridge family's meta expression, which a rule on
# tcp dport needs (headers_after_send); its autoload failed in the
# harness VM (ENOENT), so it is loaded here.
vfp_modprobe bridge dummy sch_plug nf_tables nft_meta_bridge
devices=vhost-net
load_vhost_net 0
load_vhostfp && devices="vhost-net vhost-fp"
VFP_DEVICES=$devices run_prog hol "$@"

load_vhost_net 1
VFP_DEVICES=vhost-net run_prog hol "$@"
exit "$SUITE_RC"
