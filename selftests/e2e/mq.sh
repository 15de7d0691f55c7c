#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Multiqueue end to end: one multi-queue tap, QUEUES queue pairs, each
# served by its own /dev/vhost-fp (or /dev/vhost-net) fd, the way libvirt
# starts a multiqueue guest:
#
#   +------------------------- L1 (host VM) ---------------------------------+
#   |  netns vfp-peer                                                        |
#   |  vfp-veth1 10.77.0.1 ==veth== vfp-veth0 --[br0]-- tap0 (multi_queue)   |
#   |                                            queue 0 | ... | queue N-1   |
#   |   QEMU in cgroup vfp-mq:                   fd 10   |     | fd 10+N-1   |
#   |   -netdev tap,fds=10:..,vhost=on,vhostfds=20:..[,poll-us=US]           |
#   |   (fd 20+i: /dev/vhost-fp or /dev/vhost-net, one per queue pair)       |
#   |   +------------------ L2 (QEMU -accel kvm, 1 vCPU) -----------------+  |
#   |   |  eth0 10.77.0.2, stock virtio_net, ethtool -L combined N        |  |
#   |   |  flow i (ports 5001+i out, 5101+i in) -> queue pair i (tc)      |  |
#   |   +-----------------------------------------------------------------+  |
#   +------------------------------------------------------------------------+
#
# usage: mq.sh QUEUES POLL_US BACKEND   (POLL_US 0: no busy polling)
# Checks: one worker thread per fd, in QEMU's cgroup; ping; QUEUES flows
# each way at once, VFP_XFER_MB MiB each (default 4, some 2900 full-size
# frames, a dozen laps of each 256-entry ring; 2 on a debug L1),
# sha256-compared; with vhostfp, every queue pair's counters carry its
# flows (and, with POLL_US, the busy-poll counters moved).

set -u
. "$(dirname "$0")/../lib.sh"

CG=/sys/fs/cgroup/vfp-mq
mq_cleanup()
{
	local i

	for ((i = 0; i < 8; i++)); do eval "exec $((20 + i))<&-"; done
	vfp_cleanup
	[ ! -d "$CG" ] || rmdir "$CG" 2>/dev/null
	return 0
}
trap mq_cleanup EXIT

QUEUES=${1:-}
POLL_US=${2:-0}
BACKEND=${3:-}
MB=${VFP_XFER_MB:-$((VFP_DEBUG ? 2 : 4))}
case "$QUEUES" in [1-8]) ;; *) fail "QUEUES must be 1..8, not '$QUEUES'" ;; esac
case "$BACKEND" in
vhostfp) vfp_load vhostfp; DEV=/dev/vhost-fp ;;
vhost_net) vfp_modprobe vhost_net; DEV=/dev/vhost-net ;;
*) fail "unknown backend '$BACKEND'" ;;
esac

vfp_modprobe tun
vfp_bridge_with_peer vfp-peer 10.77.0.1/24
ip tuntap add tap0 mode tap multi_queue vnet_hdr || fail "cannot create a multi-queue tap"
vfp_link_track tap0
ip link set tap0 master br0 up

# QEMU takes vhostfds= only with fds=: the tap's queues are opened here
# (TUNSETIFF with IFF_MULTI_QUEUE) as fds 10.., the devices as fds 20..
fds="" vhostfds=""
for ((i = 0; i < QUEUES; i++)); do
	fds+=${fds:+:}$((10 + i))
	vhostfds+=${vhostfds:+:}$((20 + i))
done
NETDEV=tap,id=n0,fds=$fds,vhost=on,vhostfds=$vhostfds
[ "$POLL_US" = 0 ] || NETDEV+=,poll-us=$POLL_US
DEVICE=virtio-net-pci,netdev=n0,mq=on,vectors=$((2 * QUEUES + 2)),mac=52:54:00:12:34:56

head -c "${MB}M" /dev/urandom >/tmp/src.bin
src_sha=$(sha256sum </tmp/src.bin | cut -d' ' -f1)
for ((i = 0; i < QUEUES; i++)); do
	vfp_bg ip netns exec vfp-peer socat -u TCP-LISTEN:$((5001 + i)),reuseaddr CREATE:/tmp/sink$i.bin
	vfp_bg ip netns exec vfp-peer socat -u OPEN:/tmp/src.bin TCP-LISTEN:$((5101 + i)),reuseaddr
done
vfp_wait_for ip netns exec vfp-peer sh -c "ss -ltn | grep -q :$((5100 + QUEUES))" ||
	fail "peer servers did not start"

# What the host sees while the guest runs: QEMU's worker threads (name,
# cgroup) and each device's counters, as "dev <name>" then its stats.
# The workers of vhostfp and vhost_net are kernel threads on 6.1 and
# threads of QEMU (vhost_task) on 6.12.
QEMU_PID_FILE=/tmp/vfp-mq-qemu.pid
mq_sample()
{
	local qpid t d
	qpid=$(cat $QEMU_PID_FILE 2>/dev/null) || return 1
	for t in /proc/[0-9]* /proc/"$qpid"/task/[0-9]*; do
		case "$(cat "$t/comm" 2>/dev/null)" in
		vhostfp-"$qpid" | vhost-"$qpid")
			echo "worker ${t##*/} $(cat "$t/comm") $(cat "$t/cgroup")" ;;
		esac
	done
	for d in /sys/kernel/debug/vhostfp/"$qpid"-*; do
		[ -f "$d/stats" ] || continue
		echo "dev ${d##*/}"
		cat "$d/stats"
	done
}
# Only a complete sample is kept: while QEMU exits, the devices leave
# debugfs before their workers stop.
mq_sample_complete()
{
	local s
	s=$(mq_sample) || return 1
	[ "$(echo "$s" | grep -c '^worker ')" -eq "$QUEUES" ] || return 1
	[ "$BACKEND" != vhostfp ] || [ "$(echo "$s" | grep -c '^dev ')" -eq "$QUEUES" ] || return 1
	echo "$s"
}
rm -f $QEMU_PID_FILE
vfp_bg vfp_stats_follow /tmp/vfp-mq-sample mq_sample_complete

# Run "$@" with the tap queues NETDEV names open as fds 10.. (TUNSETIFF,
# which the shell cannot do); the devices are the shell's own fds 20..,
# open before and after QEMU, so their final counters can be read.
for ((i = 0; i < QUEUES; i++)); do
	eval "exec $((20 + i))<>$DEV" || fail "cannot open $DEV"
done
with_queue_fds()
{
	MQ_QUEUES=$QUEUES MQ_TAP=tap0 python3 - "$@" <<-'EOF'
	import fcntl, os, struct, sys
	TUNSETIFF = 0x400454ca
	FLAGS = 0x0002 | 0x1000 | 0x4000 | 0x0100  # TAP NO_PI VNET_HDR MULTI_QUEUE
	tap = os.environ["MQ_TAP"].encode()
	for i in range(int(os.environ["MQ_QUEUES"])):
	    fd = os.open("/dev/net/tun", os.O_RDWR)
	    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH22x", tap, FLAGS))
	    os.dup2(fd, 10 + i)
	    os.close(fd)
	os.execvp(sys.argv[1], sys.argv[1:])
	EOF
}

mkdir $CG || fail "cannot create cgroup $CG"
# L2 has one vCPU: the queue pairs are steered by tc, not by CPU, and a
# 2-vCPU L2 under nested SVM in TCG triple faults now and then.
log "$QUEUES queue pairs, backend $BACKEND, poll-us $POLL_US, ${MB} MiB per flow each way"
out=$(echo $BASHPID >$CG/cgroup.procs &&
	VFP_L2_QEMU_PID_FILE=$QEMU_PID_FILE with_queue_fds "$VFP_REPO/scripts/l2" --smp 1 \
	--timeout 500 --netdev "$NETDEV" --device "$DEVICE" \
	-- "selftests/e2e/mq-guest.sh $QUEUES 10.77.0.2/24 10.77.0.1 $MB") || {
	echo "$out" | sed 's/^/# l2: /'
	fail "the guest's run failed"
}
echo "$out" | grep -v '^VFP-' | sed 's/^/# l2: /'
[ -s /tmp/vfp-mq-sample ] || fail "no complete sample (a worker and a device per fd) while the guest ran"
sed 's/^/# host: /' /tmp/vfp-mq-sample

# One worker per fd, all in QEMU's cgroup.
nw=$(grep -c '^worker ' /tmp/vfp-mq-sample)
[ "$nw" -eq "$QUEUES" ] || fail "$nw worker threads for $QUEUES fds"
ncg=$(grep '^worker ' /tmp/vfp-mq-sample | grep -c ' 0::/vfp-mq$')
[ "$ncg" -eq "$QUEUES" ] || fail "only $ncg of $QUEUES workers are in QEMU's cgroup"
log "$nw workers, one per queue pair, in QEMU's cgroup"

tx_sha=$(echo "$out" | sed -n 's/^VFP-TX-SHA //p')
[ -n "$tx_sha" ] || fail "the guest printed no sha256"
for ((i = 0; i < QUEUES; i++)); do
	vfp_wait_exit "${VFP_PIDS[$((2 * i))]}" || fail "the peer's sink $i did not finish"
	sink_sha=$(sha256sum </tmp/sink$i.bin | cut -d' ' -f1)
	[ "$tx_sha" = "$sink_sha" ] ||
		fail "flow $i guest->peer differs: guest sent $tx_sha, peer got $sink_sha"
	rx_sha=$(echo "$out" | sed -n "s/^VFP-RX-SHA-$i //p")
	[ "$rx_sha" = "$src_sha" ] ||
		fail "flow $i peer->guest differs: peer sent $src_sha, guest got $rx_sha"
done
log "sha256 match on all $QUEUES flows both ways"
[ "$BACKEND" = vhostfp ] || exit $KSFT_PASS

# Every queue pair carried its own flow, in the counters of the devices we
# still hold, now that QEMU is gone: at least 90 % of one flow's payload
# each way (the tap learns where a flow goes from the guest's packets: the
# first ones of a flow may take another queue).
# (QEMU took its pid file with it: ours are the only devices.)
for d in /sys/kernel/debug/vhostfp/*-*; do
	[ -f "$d/stats" ] || continue
	echo "dev ${d##*/}"
	cat "$d/stats"
done >/tmp/vfp-mq-final
sed 's/^/# final: /' /tmp/vfp-mq-final
want=$((MB * 1024 * 1024 * 9 / 10))
ndev=$(grep -c '^dev ' /tmp/vfp-mq-final)
[ "$ndev" -eq "$QUEUES" ] || fail "$ndev vhostfp devices for $QUEUES fds"
for d in $(sed -n 's/^dev //p' /tmp/vfp-mq-final); do
	for q in tx rx; do
		got=$(awk -v d="$d" -v q=$q '$1 == "dev" { in_d = ($2 == d) }
			in_d && $1 == q && $2 == "bytes" { print $3 }' /tmp/vfp-mq-final)
		[ "${got:-0}" -ge "$want" ] || fail "device $d: $q bytes ${got:-0} < $want"
	done
done
log "every queue pair carried at least $want bytes each way"

if [ "$POLL_US" != 0 ]; then
	polls=$(awk '$2 == "busy_polls" { s += $3 } END { print s + 0 }' /tmp/vfp-mq-sample)
	[ "$polls" -gt 0 ] || fail "poll-us=$POLL_US but no busy polling was counted"
	log "$polls busy polls"
fi
exit $KSFT_PASS
