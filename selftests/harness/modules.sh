#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Both modules load and unload cleanly: vhostfp creates /dev/vhost-fp and
# removes it again; virtio_guest registers its virtio driver; loading twice
# in a row works (nothing left behind by the first round). The harness
# fails the run on any kernel warning.

set -u
. "$(dirname "$0")/../lib.sh"
trap vfp_cleanup EXIT

vfp_modprobe tun
for round in 1 2; do
	ko=$(vfp_ko vhostfp) || fail "vhostfp.ko is not built for $(uname -r)"
	insmod "$ko" || fail "insmod vhostfp (round $round)"
	[ -c /dev/vhost-fp ] || fail "no /dev/vhost-fp after insmod"
	exec 3<>/dev/vhost-fp || fail "cannot open /dev/vhost-fp"
	rmmod vhostfp 2>/dev/null && fail "vhostfp unloaded while a device is open"
	exec 3>&-
	rmmod vhostfp || fail "rmmod vhostfp (round $round)"
	[ ! -e /dev/vhost-fp ] || fail "/dev/vhost-fp left behind after rmmod"

	ko=$(vfp_ko virtio_guest) || fail "virtio_guest.ko is not built for $(uname -r)"
	modprobe virtio_pci 2>/dev/null
	insmod "$ko" || fail "insmod virtio_guest (round $round)"
	[ -d /sys/bus/virtio/drivers/virtio_guest ] || fail "virtio_guest did not register a virtio driver"
	rmmod virtio_guest || fail "rmmod virtio_guest (round $round)"
	log "round $round: load/unload ok"
done
exit $KSFT_PASS
