#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Multiqueue, link state and hot-unplug: the backends that have several
# queues (tap) live in a host, so this test is a host VM (L1) running the
# guest under test (L2) with two 4-queue NICs on multiqueue taps, one served
# by QEMU itself, one by vhost_net:
#
#   +----------------------------- L1 (scripts/vm) -------------------------+
#   |   br0 --- vgt0 (tap, 4 queues)        br0 --- vgt1 (tap, 4 queues)    |
#   |            |  QEMU userspace                   |  vhost_net           |
#   |   +--------|----------- L2 (scripts/l2) -------|--------------------+ |
#   |   |  nic0: A 198.18.0.1             nic1: B 198.18.0.2 (netns)       | |
#   |   |  virtio_guest, 4 pairs          virtio_guest, 4 pairs            | |
#   |   +------------------------------------------------------------------+ |
#   |   QMP: set_link n0 off/on, device_del nic0 (driven from here)         |
#   +------------------------------------------------------------------------+
#
# The guest part is mq_guest.sh. It tells this side when it is ready for a
# link flap (allmulticast on B), when it saw the link go down (allmulticast
# off again) and when it is ready for the unplug (promiscuous on B); this
# side sees that through QMP's query-rx-filter, which also checks that the
# driver's rx mode reached the device.

. "$(dirname "$0")/lib.sh"

QMP=/tmp/vgn-l2-qmp.sock
L2_PID=""

cleanup()
{
	[ -z "$L2_PID" ] || kill "$L2_PID" 2>/dev/null
	vgn_cleanup
}
trap cleanup EXIT

qmp()
{
	printf '{"execute":"qmp_capabilities"}\n%s\n' "$1" |
		socat -t 2 - UNIX-CONNECT:$QMP 2>/dev/null
}

# Wait (at most $2 s) until nic1's rx filter, as QEMU sees it, matches $1.
wait_rx_filter()
{
	local i
	for ((i = 0; i < $2; i++)); do
		qmp '{"execute":"query-rx-filter","arguments":{"name":"nic1"}}' |
			grep -q "$1" && return 0
		sleep 1
		kill -0 "$L2_PID" 2>/dev/null || return 1
	done
	return 1
}

command -v socat >/dev/null || skip "socat is not installed"
vfp_modprobe tun bridge vhost_net
ip link add br0 type bridge || fail "cannot create br0"
vfp_link_track br0
ip link set br0 type bridge stp_state 0 forward_delay 0
for t in vgt0 vgt1; do
	ip tuntap add $t mode tap multi_queue vnet_hdr || fail "cannot create $t"
	vfp_link_track $t
	ip link set $t master br0 up
done
ip link set br0 up

NIC="virtio-net-pci,mq=on,vectors=10"
# Under make check DEBUG=1 the guest driver is the code under test and L2
# is where it runs: its VM boots L1 on the stock kernel and this L2 on the
# debug one (scripts/vm --debug-in-l2 sets VFP_L2_KVER), and every wait
# here is VFP_SLOW times longer (scripts/emulation.sh, W5).
slow=${VFP_SLOW:-1}
[ -z "${VFP_L2_KVER:-}" ] || log "L2 boots $VFP_L2_KVER"
# One vCPU: the queue pairs need no more (each has its NAPI and vectors on
# vCPU 0), and a 2-vCPU L2 under nested SVM in TCG often stops without a
# word. VGN_L2_SMP=2 gives it two, to see the queue pairs' CPU steering
# deal out more than one CPU.
"$VFP_REPO/scripts/l2" --smp "${VGN_L2_SMP:-1}" --mem 1024 --timeout 1200 --qemu-args "\
	-qmp unix:$QMP,server=on,wait=off \
	-netdev tap,id=n0,ifname=vgt0,script=no,downscript=no,queues=4,vhost=off \
	-device $NIC,netdev=n0,id=nic0,mac=52:54:00:00:18:01 \
	-netdev tap,id=n1,ifname=vgt1,script=no,downscript=no,queues=4,vhost=on \
	-device $NIC,netdev=n1,id=nic1,mac=52:54:00:00:18:02" \
	-- selftests/virtio_guest/mq_guest.sh &
L2_PID=$!

# The link flap, then the unplug, each when the guest asks for it. The
# first ask comes after L2's boot and four cases: wait as long as L2 may
# run (a debug L2 got there ~3000 s into its 4800, 1200 x 4).
if wait_rx_filter '"multicast": "all"' $((1200 * slow)); then
	log "L1: set_link n0 off"
	qmp '{"execute":"set_link","arguments":{"name":"n0","up":false}}' >/dev/null
	# The guest turns allmulticast off once it saw the carrier go.
	wait_rx_filter '"multicast": "normal"' $((300 * slow)) || log "L1: the guest did not see the link go down"
	log "L1: set_link n0 on"
	qmp '{"execute":"set_link","arguments":{"name":"n0","up":true}}' >/dev/null
	if wait_rx_filter '"promiscuous": true' $((300 * slow)); then
		log "L1: device_del nic0"
		qmp '{"execute":"device_del","arguments":{"id":"nic0"}}' >/dev/null
	fi
fi
wait "$L2_PID"
rc=$?
L2_PID=""
exit $rc
