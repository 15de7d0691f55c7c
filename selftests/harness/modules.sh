#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Both modules load and unload cleanly: vhostfp creates /dev/vhost-fp and
# removes it again; virtio_guest registers its virtio driver; loading twice
# in a row works (nothing left behind by the first round). The harness
# fails the run on any kernel warning.
#
# as_vhost_net=1: while vhost_net holds misc minor 238 the load fails with
# EBUSY and says why, leaving nothing behind; without vhost_net it serves
# /dev/vhost-net (char 10:238) beside /dev/vhost-fp, keeps vhost_net out
# while loaded, and removes both nodes when unloaded.

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

# The major:minor of a character device node, "10:238".
dev_nr()
{
	local hex
	hex=$(stat -c '%t %T' "$1") || return 1
	set -- $hex
	echo "$((16#$1)):$((16#$2))"
}

ko=$(vfp_ko vhostfp) || fail "vhostfp.ko is not built for $(uname -r)"
vfp_modprobe vhost_net
[ "$(dev_nr /dev/vhost-net)" = 10:238 ] || fail "vhost_net's /dev/vhost-net is not 10:238"
err=$(insmod "$ko" as_vhost_net=1 2>&1) && fail "vhostfp as_vhost_net=1 loaded while vhost_net holds minor 238"
log "with vhost_net loaded: $err"
case "$err" in *"Device or resource busy"*) ;; *) fail "insmod did not fail with EBUSY: $err" ;; esac
dmesg | tail -n 20 | grep -q 'vhostfp: as_vhost_net=1: misc minor 238 (/dev/vhost-net) is taken' ||
	fail "no message in the kernel log saying why the load failed"
[ ! -d /sys/module/vhostfp ] && [ ! -e /dev/vhost-fp ] || fail "the failed load left vhostfp behind"
rmmod vhost_net || fail "rmmod vhost_net"

insmod "$ko" as_vhost_net=1 || fail "insmod vhostfp as_vhost_net=1 without vhost_net"
[ -c /dev/vhost-fp ] || fail "no /dev/vhost-fp with as_vhost_net=1"
vfp_wait_for test -c /dev/vhost-net || fail "no /dev/vhost-net with as_vhost_net=1"
[ "$(dev_nr /dev/vhost-net)" = 10:238 ] || fail "/dev/vhost-net is $(dev_nr /dev/vhost-net), not 10:238"
[ "$(cat /sys/module/vhostfp/parameters/as_vhost_net)" = Y ] || fail "as_vhost_net does not read Y"
exec 3<>/dev/vhost-net || fail "cannot open vhostfp's /dev/vhost-net"
# Open devices hold the module, whichever node opened them.
rmmod vhostfp 2>/dev/null && fail "vhostfp unloaded while /dev/vhost-net is open"
modprobe vhost_net 2>/dev/null && fail "vhost_net loaded while vhostfp holds minor 238"
exec 3>&-
rmmod vhostfp || fail "rmmod vhostfp (as_vhost_net=1)"
[ ! -e /dev/vhost-net ] && [ ! -e /dev/vhost-fp ] || fail "device nodes left behind after rmmod"
vfp_modprobe vhost_net
log "as_vhost_net=1: EBUSY beside vhost_net, /dev/vhost-net 10:238 without it"
exit $KSFT_PASS
