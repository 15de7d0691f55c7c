#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Backends other than a tun queue, and busy polling, on /dev/vhost-net and
# /dev/vhost-fp (see backend.c):
#
#   backend (C) --- /dev/vhost-{net,fp} --- /dev/tapN | vfpmvt0 (macvtap,
#                                            bridge) on vfpveth0 ==veth==
#                                            vfpveth1 --- AF_PACKET
#
# macvtap: byte-exact frames both ways; sockets, pipes, eventfds, ... are
# refused as backends. busyloop: SET/GET_VRING_BUSYLOOP_TIMEOUT round-trip,
# and vhost-fp's counters show that it busy polls when told to.

set -u
. "$(dirname "$0")/lib.sh"
trap suite_cleanup EXIT

vfp_modprobe veth macvtap
suite_load
VFP_DEVICES=$DEVICES run_prog backend "$@"
exit "$SUITE_RC"
