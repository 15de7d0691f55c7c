#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Bad guest input and ioctl abuse on /dev/vhost-net and /dev/vhost-fp:
# malformed rings (bad_ring), bad ioctl arguments and order (bad_ioctl),
# life-cycle abuse under traffic (bad_owner). The harness VM fails the
# run on any kernel warning or oops these provoke. The zero-copy close
# test runs once more on vhost_net with experimental_zcopytx=1.

set -u
. "$(dirname "$0")/lib.sh"
trap suite_cleanup EXIT

suite_load
# bad_ring's packed fixture (vhost-fp only) runs in packed.sh.
VFP_DEVICES=$DEVICES run_prog bad_ring -F packed "$@"
for prog in bad_ioctl bad_owner; do
	VFP_DEVICES=$DEVICES run_prog $prog "$@"
done
if suite_has_net; then
	load_vhost_net 1
	VFP_DEVICES=vhost-net run_prog bad_owner -t close_zerocopy_in_flight \
		-t owner_dies -t backend_detach_under_traffic
fi
exit "$SUITE_RC"
