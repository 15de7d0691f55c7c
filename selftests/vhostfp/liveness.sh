#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Liveness under a hostile guest (see liveness.c for the picture): a guest
# thread produces bad input at full speed for VFP_HOSTILE_S seconds
# (default 10) while the VMM's ioctls on the device, a second device's
# traffic, the backend detach and close() must keep working. The kernel
# is booted to panic on a soft lockup, a hung task or an RCU stall, so a
# device loop the guest keeps fed kills the VM and fails the run even
# where the program's own bounds would not notice.

set -u
. "$(dirname "$0")/lib.sh"
trap suite_cleanup EXIT

suite_load
VFP_DEVICES=$DEVICES run_prog liveness "$@"
exit "$SUITE_RC"
