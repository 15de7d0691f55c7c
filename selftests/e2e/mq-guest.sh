#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the nested guest (L2) for mq.sh: brings the stock virtio_net
# NIC up with QUEUES queue pairs (ethtool -L), pins flow i to queue pair
# i % QUEUES with a tc skbedit rule on egress (the tap steers the answers
# of a flow to the queue the flow came from), pings the peer, then runs
# QUEUES flows each way at once: flow i sends MB MiB of random data to the
# peer's port 5001+i and reads the peer's data from port 5101+i.  Prints
# VFP-TX-SHA (the data sent on every flow) and VFP-RX-SHA-<i> lines.
#
# usage: mq-guest.sh QUEUES ADDR/PREFIX PEER MB

set -eu
. "$(dirname "$0")/../lib.sh"
QUEUES=$1 ADDR=$2 PEER=$3 MB=$4

modprobe virtio_net
dev=""
for d in /sys/class/net/*; do
	[ "$(readlink -f "$d/device/driver" 2>/dev/null | xargs -r basename)" = virtio_net ] && dev=${d##*/}
done
[ -n "$dev" ] || { echo "no interface bound to virtio_net"; ls -l /sys/class/net; exit 1; }
ethtool -L "$dev" combined "$QUEUES"
got=$(ethtool -l "$dev" | awk '/^Current/ { c = 1 } c && /^Combined/ { print $2 }')
[ "$got" = "$QUEUES" ] || { echo "ethtool -L $dev combined $QUEUES left $got"; exit 1; }
echo "interface $dev, $got combined queues"
ip link set "$dev" up
ip addr add "$ADDR" dev "$dev"

modprobe -a sch_ingress cls_flower act_skbedit
tc qdisc add dev "$dev" clsact
for ((i = 0; i < QUEUES; i++)); do
	for port in $((5001 + i)) $((5101 + i)); do
		tc filter add dev "$dev" egress protocol ip flower ip_proto tcp \
			dst_port "$port" action skbedit queue_mapping "$i"
	done
done
ping -c 3 -W 5 "$PEER"

head -c "${MB}M" /dev/urandom >/tmp/tx.bin
echo "VFP-TX-SHA $(sha256sum </tmp/tx.bin | cut -d' ' -f1)"
pids=()
for ((i = 0; i < QUEUES; i++)); do
	timeout 300 socat -u OPEN:/tmp/tx.bin TCP:"$PEER":$((5001 + i)),connect-timeout=20 &
	pids+=($!)
	timeout 300 sh -c "socat -u TCP:$PEER:$((5101 + i)),connect-timeout=20 - |
		sha256sum | cut -d' ' -f1 >/tmp/rx$i.sha" &
	pids+=($!)
done
rc=0
for p in "${pids[@]}"; do wait "$p" || rc=1; done
for ((i = 0; i < QUEUES; i++)); do
	echo "VFP-RX-SHA-$i $(cat /tmp/rx$i.sha)"
done
ethtool -S "$dev" | grep -E 'queue_[0-9]+_(packets|bytes)' | tr -s ' ' | paste -sd' ' | fold -w 150
exit $rc
