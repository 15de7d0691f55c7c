#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A VM stop, a close and a killed VMM while the host's egress holds the
# guest's packets (a slow tbf, a long netem delay, a plug never released;
# see stop.c for the picture): bounded on vhost-fp's default and on
# vhost_net's, references with zero-copy on. Two passes for the two
# settings of vhost_net's load-time parameter.

set -u
. "$(dirname "$0")/lib.sh"
trap suite_cleanup EXIT

vfp_modprobe bridge dummy sch_plug sch_tbf sch_netem
suite_load
VFP_DEVICES=$DEVICES run_prog stop "$@"
if suite_has_net; then
	load_vhost_net 1
	VFP_DEVICES=vhost-net run_prog stop "$@"
fi
exit "$SUITE_RC"
