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
suite_load
VFP_DEVICES=$DEVICES run_prog hol "$@"
if suite_has_net; then
	load_vhost_net 1
	VFP_DEVICES=vhost-net run_prog hol "$@"
fi
exit "$SUITE_RC"
