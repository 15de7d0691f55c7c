#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vm-args: --timeout 3000
#
# vIOMMU on /dev/vhost-fp: VIRTIO_F_ACCESS_PLATFORM with the vhost IOTLB
# messages, the process playing guest and VMM (see iotlb.c for the picture).
# vhost-fp only: the point is vhostfp's own IOTLB. VFP_PKTS frames each
# way per traffic case (default 10000).

set -u
. "$(dirname "$0")/lib.sh"
trap suite_cleanup EXIT

vfp_modprobe tun
load_vhostfp || exit "$KSFT_SKIP"
VFP_DEVICES=vhost-fp run_prog iotlb "$@"
exit "$SUITE_RC"
