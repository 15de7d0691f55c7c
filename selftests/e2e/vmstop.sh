#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A VM stop while the host's egress holds the guest's packets, end to end:
# stock QEMU, a stock virtio_net guest sending 1400-byte UDP datagrams as
# fast as it can, and a netem delay of 10 s on the bridge port toward the
# peer (a paused NIC, a stuck TX queue), whose queue fills:
#
#   +------------------------- L1 (host VM) --------------------------------+
#   |  netns vfp-peer            netem delay 10 s                           |
#   |  vfp-veth1 10.77.0.1 ==veth== vfp-veth0 --[br0]-- tap0                |
#   |                                                    |  vhostfp or      |
#   |   QMP: stop, cont, quit (timed)                    |  vhost_net (fd 3)|
#   |   +------------------ L2 (QEMU -accel kvm) --------|--------------+   |
#   |   |  eth0 10.77.0.2  virtio_net: UDP blast, then 10 MiB each way  |   |
#   |   +---------------------------------------------------------------+   |
#   +-----------------------------------------------------------------------+
#
# usage: vmstop.sh BACKEND    (also as vmstop-BACKEND.sh)
# QMP stop and cont must answer within BOUND_MS while the egress holds
# the guest's packets, the egress is let go, and a sha256-checked
# transfer each way must pass. Then a second L2 blasts into the held
# egress again, and QMP quit must answer, and QEMU exit, within BOUND_MS.
# BOUND_MS covers QEMU's own work for the command under TCG (vhost's part
# of a stop is bounded at 1 s by vhostfp/stop.sh).

set -u
. "$(dirname "$0")/../lib.sh"

QMP=/tmp/vfp-vmstop-qmp.sock
PIDFILE=/tmp/vfp-vmstop-qemu.pid
HOLD="netem delay 10s limit 20000"
BOUND_MS=$((3000 * ${VFP_SLOW:-1}))
MB=${VFP_XFER_MB:-10}
L2_PID=""

cleanup()
{
	[ -z "$L2_PID" ] || kill "$L2_PID" 2>/dev/null
	exec 7<&-
	vfp_cleanup
}
trap cleanup EXIT

BACKEND=${1:-}

command -v socat >/dev/null || skip "socat is not installed"
vfp_modprobe tun sch_netem
vfp_bridge_with_peer vfp-peer 10.77.0.1/24
vfp_tap_in_bridge tap0
NETDEV=tap,id=n0,ifname=tap0,script=no,downscript=no,vhost=on,vhostfd=3
case "$BACKEND" in
vhost_net) vfp_modprobe vhost_net; DEV=/dev/vhost-net ;;
vhostfp) vfp_load vhostfp; DEV=/dev/vhost-fp ;;
*) fail "unknown backend '$BACKEND'" ;;
esac

# shellcheck disable=SC2086 # HOLD is a qdisc and its options, split on purpose
hold() { tc qdisc replace dev vfp-veth0 root $HOLD || fail "cannot add $HOLD"; }
unhold() { tc qdisc del dev vfp-veth0 root 2>/dev/null || true; }
held() { tc -s qdisc show dev vfp-veth0 | sed -n 's/.*backlog [^ ]* \([0-9]*\)p.*/\1/p' | head -1; }
tap_rx() { cat /sys/class/net/tap0/statistics/rx_packets; }

# Start L2 in the background ($1: the command there); QMP is $QMP.
l2_start()
{
	rm -f "$QMP" "$PIDFILE"
	# A device of its own: the last QEMU still owns the one we held.
	exec 7<&-
	exec 7<>"$DEV" || fail "cannot open $DEV"
	VFP_L2_QEMU_PID_FILE=$PIDFILE "$VFP_REPO/scripts/l2" --timeout 400 --fd "3:&7" \
		--netdev "$NETDEV" --qemu-args "-qmp unix:$QMP,server=on,wait=off" \
		-- "$1" >/tmp/vfp-vmstop-l2.out 2>&1 &
	L2_PID=$!
	# The socket's file appears at bind(), before QEMU listens on it.
	local i
	for ((i = 0; i < 100; i++)); do
		socat -u OPEN:/dev/null UNIX-CONNECT:"$QMP" 2>/dev/null && break
		kill -0 "$L2_PID" 2>/dev/null || {
			sed 's/^/# l2: /' /tmp/vfp-vmstop-l2.out
			fail "QEMU ended before its QMP socket answered"
		}
		sleep 0.2
	done
	coproc QMPC { socat - UNIX-CONNECT:"$QMP"; }
	qmp_reply 60 >/dev/null || fail "no QMP greeting"
	echo '{"execute":"qmp_capabilities"}' >&"${QMPC[1]}"
	qmp_reply 60 >/dev/null || fail "QMP: qmp_capabilities"
}

# Read QMP lines (events too) until a reply; print it. At most $1 s.
qmp_reply()
{
	local line
	while read -r -t "$1" line <&"${QMPC[0]}"; do
		case $line in *'"return"'*|*'"error"'*|*'"QMP"'*) echo "$line"; return 0 ;; esac
	done
	return 1
}

# QMP command $1, timed: prints the ms until its reply; fails past BOUND_MS.
qmp_timed()
{
	local t0 ms r
	t0=$(date +%s%N)
	echo "{\"execute\":\"$1\"}" >&"${QMPC[1]}"
	r=$(qmp_reply $((BOUND_MS / 1000 + 60))) || fail "QMP $1: no reply"
	ms=$((($(date +%s%N) - t0) / 1000000))
	case $r in *'"error"'*) fail "QMP $1: $r" ;; esac
	log "QMP $1 answered in $ms ms with $(held) packets held by the egress"
	[ "$ms" -le "$BOUND_MS" ] || fail "QMP $1 took $ms ms (bound $BOUND_MS ms)"
}

# The guest blasting (tap0 counting its datagrams), then the egress held
# until it holds $1 of them.
blast_and_hold()
{
	local base i
	base=$(tap_rx)
	for ((i = 0; i < 600; i++)); do
		[ "$(tap_rx)" -gt $((base + 1000)) ] && break
		kill -0 "$L2_PID" 2>/dev/null || { sed 's/^/# l2: /' /tmp/vfp-vmstop-l2.out; fail "L2 ended before its blast"; }
		sleep 0.2
	done
	hold
	for ((i = 0; i < 300; i++)); do
		[ "${VFP_DEBUG_HELD:-0}" = 1 ] && log "held $(held)"
		[ "$(held)" -ge "$1" ] && return 0
		sleep 0.1
	done
	fail "the egress never held $1 packets (it holds $(held))"
}

vfp_xfer_peer_start vfp-peer "$MB"

log "$BACKEND: stop and cont with the egress held, then $MB MiB each way"
l2_start "VFP_GUEST_BEFORE=blast VFP_BLAST_S=25 selftests/e2e/guest-xfer.sh virtio_net 10.77.0.2/24 10.77.0.1 $MB"
blast_and_hold 500
qmp_timed stop
sleep 1
qmp_timed cont
unhold
wait "$L2_PID" || { sed 's/^/# l2: /' /tmp/vfp-vmstop-l2.out; fail "the guest's run failed"; }
L2_PID=""
vfp_xfer_verify "$(cat /tmp/vfp-vmstop-l2.out)"

log "$BACKEND: quit with the egress held"
l2_start "VFP_GUEST_BEFORE=blast VFP_BLAST_S=600 selftests/e2e/guest-xfer.sh virtio_net 10.77.0.2/24 10.77.0.1 1"
blast_and_hold 500
qemu=$(cat "$PIDFILE")
t0=$(date +%s%N)
qmp_timed quit
while kill -0 "$qemu" 2>/dev/null; do
	[ $((($(date +%s%N) - t0) / 1000000)) -le "$BOUND_MS" ] ||
		fail "QEMU had not exited $BOUND_MS ms after quit"
	sleep 0.05
done
log "QEMU exited $((($(date +%s%N) - t0) / 1000000)) ms after quit"
wait "$L2_PID" 2>/dev/null
L2_PID=""
unhold
exit "$KSFT_PASS"
