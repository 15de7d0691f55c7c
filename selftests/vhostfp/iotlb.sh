#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vIOMMU on /dev/vhost-fp: VIRTIO_F_ACCESS_PLATFORM with the vhost IOTLB
# messages, the process playing guest and VMM (see iotlb.c for the picture).
# vhost-fp only: the point is vhostfp's own IOTLB. VFP_PKTS frames each
# way per traffic case (default 10000; 2500 on a debug kernel, where the
# ~30 IOTLB misses per frame of invalidate_under_traffic made this a
# 40 min test).

set -u
. "$(dirname "$0")/lib.sh"
trap suite_cleanup EXIT

vfp_modprobe tun
load_vhostfp || exit "$KSFT_SKIP"
VFP_PKTS=${VFP_PKTS:-$((VFP_DEBUG ? 2500 : 10000))} VFP_DEVICES=vhost-fp run_prog iotlb "$@"
exit "$SUITE_RC"
