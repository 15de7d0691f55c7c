# SPDX-License-Identifier: GPL-2.0
#
# Test cases shared by the device variants (basic.sh, packed.sh, nomrg.sh,
# ...): each variant boots its own NICs and runs a list of these. Each case
# runs in a subshell with set -e: the first failing command fails it.

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# 10 MiB each way (some 160 64 KiB GSO packets, or 7000 1500-byte frames:
# either goes round QEMU's 256-entry rings many times); 4 on a debug kernel
# (kmemleak present: KASAN and lockdep slow the VM some tenfold, and
# vgn_xfer gives up after 120 s).
if [ -e /sys/kernel/debug/kmemleak ]; then
	VGN_XFER_MB=${VGN_XFER_MB:-4}
else
	VGN_XFER_MB=${VGN_XFER_MB:-10}
fi

test_driver()
{
	ethtool -i "$VGN_A" | grep -q '^driver: virtio_guest$'
	vgn_peer ethtool -i "$VGN_B" | grep -q '^driver: virtio_guest$'
	[ "$(cat /sys/class/net/"$VGN_A"/carrier)" = 1 ]
	# The device's driver names its module (driver.owner; 6.1's
	# register_virtio_driver does not set it).
	[ "$(basename "$(readlink /sys/class/net/"$VGN_A"/device/driver/module)")" = virtio_guest ] ||
		{ log "no module link under $VGN_A's driver"; return 1; }
	log "features: $(cat /sys/bus/virtio/devices/"$(basename "$(readlink -f /sys/class/net/"$VGN_A"/device)")"/features)"
}

test_ping()
{
	ping -c 3 -i 0.2 -W 2 $VGN_IP_B >/dev/null
	vgn_peer ping -c 3 -i 0.2 -W 2 $VGN_IP_A >/dev/null
	ping -6 -c 3 -i 0.2 -W 2 $VGN_IP6_B >/dev/null
	# Sizes around one buffer, one page and several of each.
	local s
	for s in 1 100 1400 1472 4000 9000 30000 65000; do
		ping -c 1 -W 2 -s $s $VGN_IP_B >/dev/null || { log "ping -s $s failed"; return 1; }
	done
}

# The software TX timestamp ethtool -T advertises: a UDP datagram sent
# with SO_TIMESTAMPING comes back on the error queue stamped by the driver
# (skb_tx_timestamp()), within 2 s.
test_tx_timestamp()
{
	ethtool -T "$VGN_A" | grep -q 'software-transmit' ||
		{ log "ethtool -T does not advertise software-transmit"; return 1; }
	python3 - "$VGN_IP_B" <<'PY'
import select, socket, struct, sys
SO_TIMESTAMPING = 37
TX_SOFTWARE, SOFTWARE, OPT_TSONLY = 1 << 1, 1 << 4, 1 << 11
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPING, TX_SOFTWARE | SOFTWARE | OPT_TSONLY)
s.sendto(b"t" * 64, (sys.argv[1], 9))
p = select.poll()
p.register(s, select.POLLERR)
if not p.poll(2000):
    sys.exit("# no TX timestamp on the error queue within 2 s")
_, anc, _, _ = s.recvmsg(64, 1024, socket.MSG_ERRQUEUE)
for level, kind, data in anc:
    if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPING:
        sec, nsec = struct.unpack("qq", data[:16])
        if sec or nsec:
            sys.exit(0)
sys.exit("# the error queue held no software timestamp")
PY
}

# B's device has no control queue (ctrl_vq=off, the packed line): the
# features that act through it are not negotiated (QEMU offers them
# regardless), and B works without them (the other tests talk to it).
test_no_ctrl_vq()
{
	local dev f b
	dev=$(vgn_peer readlink -f /sys/class/net/"$VGN_B"/device)
	f=$(cat "$dev/features")
	[ "${f:17:1}" = 0 ] || { log "B has a control queue: the table line lost ctrl_vq=off"; return 1; }
	# CTRL_GUEST_OFFLOADS, CTRL_RX, CTRL_VLAN, GUEST_ANNOUNCE, MQ, CTRL_MAC_ADDR
	for b in 2 18 19 21 22 23; do
		[ "${f:$b:1}" = 0 ] || { log "feature $b negotiated without a control queue"; return 1; }
	done
}

test_tcp()
{
	vgn_xfer "$VGN_XFER_MB" a2b
	vgn_xfer "$VGN_XFER_MB" b2a
}

# The largest MTU interface $1 (in namespace $2, if given) takes.
vgn_max_mtu()
{
	${2:+ip netns exec "$2"} ip -d link show dev "$1" | grep -o 'maxmtu [0-9]*' | cut -d' ' -f2
}

# 9000, or less where a NIC stops short of it: a device with neither guest
# GSO nor an MTU of its own gets one-page chains without mergeable buffers
# (nomrg.sh's B), and an MTU capped to them.
test_mtu_jumbo()
{
	local mtu=9000 max
	max=$(vgn_max_mtu "$VGN_A")
	[ "$max" -ge "$mtu" ] || mtu=$max
	max=$(vgn_max_mtu "$VGN_B" "$VGN_NS")
	[ "$max" -ge "$mtu" ] || mtu=$max
	log "MTU $mtu"
	ip link set "$VGN_A" mtu $mtu
	vgn_peer ip link set "$VGN_B" mtu $mtu
	ping -c 2 -W 2 -M do -s $((mtu - 28)) $VGN_IP_B >/dev/null
	vgn_peer ping -c 2 -W 2 -M do -s $((mtu - 28)) $VGN_IP_A >/dev/null
	vgn_xfer 10 a2b
	vgn_xfer 10 b2a
	ip link set "$VGN_A" mtu 1500
	vgn_peer ip link set "$VGN_B" mtu 1500
	ping -c 1 -W 2 $VGN_IP_B >/dev/null
}

# Packets from B to link-layer address $1 (through a static neighbour):
# print how many A received.
vgn_rx_count_to()
{
	local mac=$1 before after
	vgn_peer ip neigh replace 198.18.0.99 lladdr "$mac" dev "$VGN_B" nud permanent
	before=$(vgn_stat "$VGN_A" 'rx_queue_[0-9]+_packets')
	vgn_peer ping -c 5 -i 0.1 -W 1 198.18.0.99 >/dev/null 2>&1 || true
	sleep 0.5
	after=$(vgn_stat "$VGN_A" 'rx_queue_[0-9]+_packets')
	echo $((after - before))
}

# The device filters by MAC table, promiscuous and all-multicast mode, all
# set through the control queue.
test_rx_filter()
{
	local other=02:00:00:00:18:99 mcast=01:00:5e:12:34:56 n
	n=$(vgn_rx_count_to $other)
	[ "$n" -le 1 ] || { log "got $n frames for $other without promisc"; return 1; }
	ip link set "$VGN_A" promisc on
	n=$(vgn_rx_count_to $other)
	[ "$n" -ge 5 ] || { log "got $n frames for $other in promisc"; return 1; }
	ip link set "$VGN_A" promisc off
	n=$(vgn_rx_count_to $mcast)
	[ "$n" -le 1 ] || { log "got $n frames for $mcast not joined"; return 1; }
	ip maddr add $mcast dev "$VGN_A"
	n=$(vgn_rx_count_to $mcast)
	[ "$n" -ge 5 ] || { log "got $n frames for joined $mcast"; return 1; }
	ip maddr del $mcast dev "$VGN_A"
	ip link set "$VGN_A" allmulticast on
	n=$(vgn_rx_count_to $mcast)
	[ "$n" -ge 5 ] || { log "got $n frames for $mcast in allmulti"; return 1; }
	ip link set "$VGN_A" allmulticast off
	# A secondary unicast address goes to the filter table too.
	vfp_modprobe macvlan
	ip link add link "$VGN_A" name vgn-mv address 02:00:00:00:18:98 type macvlan
	vfp_link_track vgn-mv
	ip link set vgn-mv up
	n=$(vgn_rx_count_to "$(cat /sys/class/net/vgn-mv/address)")
	ip link del vgn-mv
	[ "$n" -ge 5 ] || { log "got $n frames for a macvlan address"; return 1; }
	vgn_peer ip neigh del 198.18.0.99 dev "$VGN_B"
}

# Down/up of A in the middle of a transfer: TCP rides it out, nothing lost.
test_link_flap()
{
	local src=$VGN_TMP/flap.tx dst=$VGN_TMP/flap.rx pid cpid i
	# Three times VGN_XFER_MB: the flaps (~2.5 s) fall inside the transfer.
	head -c "$((VGN_XFER_MB * 3))M" /dev/urandom >"$src"
	vgn_peer timeout 120 socat -u TCP-LISTEN:5003,reuseaddr OPEN:"$dst",creat,trunc &
	pid=$!
	vfp_wait_for vgn_peer sh -c "ss -Hltn 'sport = :5003' | grep -q ."
	(timeout 120 socat -u OPEN:"$src" TCP:$VGN_IP_B:5003,connect-timeout=10) &
	cpid=$!
	# Flap only once the connection stands (or the client is done): a
	# connect() while the link is down fails (no route), which is not what
	# this tests.
	vfp_wait_for sh -c "ss -Htn state established 'dport = :5003' | grep -q . ||
			    ! kill -0 $cpid"
	for i in 1 2 3; do
		sleep 0.5
		ip link set "$VGN_A" down
		sleep 0.3
		ip link set "$VGN_A" up
	done
	wait $cpid
	wait $pid
	cmp -s "$src" "$dst" || { log "data differs after link flaps"; return 1; }
	rm -f "$src" "$dst"
}

test_ethtool()
{
	local q
	ethtool "$VGN_A" | grep -q 'Link detected: yes'
	ethtool -g "$VGN_A" | grep -q '^RX:'
	ethtool -l "$VGN_A" | grep -q '^Combined:'
	q=$(ethtool -l "$VGN_A" | awk '/^Combined:/ { print $2; exit }')
	[ "$q" -ge 1 ]
	[ "$(vgn_stat "$VGN_A" 'rx_queue_0_packets')" -gt 0 ]
	[ "$(vgn_stat "$VGN_A" 'tx_queue_0_packets')" -gt 0 ]
	[ "$(vgn_stat "$VGN_A" 'tx_queue_0_kicks')" -gt 0 ]
	ip -s link show "$VGN_A" | grep -q 'RX:'
}

# The netdev family's per-queue counters (qstats, 6.9+; a kernel without
# them, 6.1, has nothing to check: it passes, and says so): read with the
# kernel's ynl, 20 pings show on the queues, and the device's totals equal
# its /sys statistics (read again if traffic moved them in between).
vgn_qstats()
{
	local spec=$VFP_REPO/.cache/src/6.12/Documentation/netlink/specs/netdev.yaml
	python3 "$VFP_REPO/.cache/src/6.12/tools/net/ynl/cli.py" --spec "$spec" --no-schema \
		--dump qstats-get --json "{\"ifindex\": $(cat /sys/class/net/"$VGN_A"/ifindex)$1}" \
		--output-json
}

test_qstats()
{
	local before after dev
	local i sys v
	v=$(uname -r | awk -F. '{ print $1 * 100 + $2 }')
	[ "$v" -ge 609 ] || { log "no qstats before 6.9: nothing to check"; return 0; }
	before=$(vgn_qstats ', "scope": "queue"' |
		python3 -c 'import json,sys; print(sum(q.get("rx-packets", 0) for q in json.load(sys.stdin)))')
	ping -c 20 -i 0.05 -W 2 $VGN_IP_B >/dev/null
	after=$(vgn_qstats ', "scope": "queue"' |
		python3 -c 'import json,sys; print(sum(q.get("rx-packets", 0) for q in json.load(sys.stdin)))')
	log "qstats: rx packets over the queues $before, after 20 pings $after"
	[ "$after" -ge $((before + 20)) ]
	for i in 1 2 3; do
		dev=$(vgn_qstats '' | python3 -c 'import json,sys; d = json.load(sys.stdin)[0]
print(d["rx-packets"], d["tx-packets"])')
		sys="$(cat /sys/class/net/"$VGN_A"/statistics/rx_packets) $(cat /sys/class/net/"$VGN_A"/statistics/tx_packets)"
		[ "$dev" != "$sys" ] || break
	done
	log "qstats device totals (rx tx): $dev; /sys: $sys"
	[ "$dev" = "$sys" ]
}

# B's receive interrupts, queue 0, summed over the CPUs.
vgn_rx_irqs()
{
	local virtio
	virtio=$(basename "$(vgn_peer readlink -f /sys/class/net/"$VGN_B"/device)")
	awk -v q="$virtio-input.0" '$NF == q {
		for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++)
			s += $i
	} END { print s + 0 }' /proc/interrupts
}

# $1 UDP requests from A (CPU 0), each answered by an echo in B (CPU 1)
# whose socket busy-polls for $2 us (0: not at all) before it sleeps;
# print B's receive interrupts per request, in hundredths.
vgn_echo_irqs()
{
	local n=$1 usec=$2 before after
	vgn_peer taskset -c 1 python3 - "$VGN_IP_B" "$n" "$usec" <<'PY' &
import signal, socket, sys
SO_BUSY_POLL = 46
signal.alarm(60)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
if int(sys.argv[3]):
    s.setsockopt(socket.SOL_SOCKET, SO_BUSY_POLL, int(sys.argv[3]))
s.bind((sys.argv[1], 7007))
# Blocking (no timeout): recvfrom then busy-polls (poll() would not).
for _ in range(int(sys.argv[2])):
    d, a = s.recvfrom(2048)
    s.sendto(d, a)
PY
	local pid=$!
	vfp_wait_for vgn_peer sh -c "ss -Hlun 'sport = :7007' | grep -q ." ||
		{ kill $pid 2>/dev/null; log "the echo did not bind"; return 1; }
	before=$(vgn_rx_irqs)
	taskset -c 0 python3 - "$VGN_IP_B" "$n" <<'PY' || { kill $pid 2>/dev/null; return 1; }
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(5)
for i in range(int(sys.argv[2])):
    s.sendto(b"%d" % i, (sys.argv[1], 7007))
    if s.recv(2048) != b"%d" % i:
        sys.exit("# echo %d came back wrong" % i)
PY
	after=$(vgn_rx_irqs)
	wait $pid || return 1
	echo $(((after - before) * 100 / n))
}

# Busy polling owns the receive queue: a socket that busy-polls finds its
# packets without the device's interrupt (virtio_net disables it when NAPI
# cannot complete under a busy poller). Control: without busy polling
# each request takes an interrupt, so the count sees them.
test_busy_poll_irqs()
{
	local plain busy
	plain=$(vgn_echo_irqs 200 0) || return 1
	busy=$(vgn_echo_irqs 200 200000) || return 1
	log "B's receive interrupts per request: $plain/100 without busy polling, $busy/100 with it"
	[ "$plain" -ge 50 ] || { log "the control saw too few interrupts to tell"; return 1; }
	[ "$busy" -le 20 ]
}

# RX memory per queue pair: what "ip link set up" takes with one pair in
# use, then what growing to every pair adds, on virtio_guest and then on
# stock virtio_net, the same NIC in the same VM. The NIC (MAC $VGN_MEM_MAC)
# is the line's third: multiqueue on a tap nothing reads, rx_queue_size=1024,
# down until now and never given traffic. Memory is the fall of free
# memory (MemFree and the per-CPU page lists), read once it holds still.
#
# virtio_net's cost of a pair is its total once every pair is in use,
# divided by the pairs: it fills every ring at open whatever ethtool -L
# says (open schedules each pair's NAPI, whose poll refills), so its
# figure for "one pair in use" is all of them. virtio_guest fills the
# pairs in use: one at open, the rest when they come into use. Each step
# may take at most VGN_MEM_RATIO times virtio_net's cost of the pairs it
# fills, plus 4 MiB (the VM's own activity moved free memory by up to
# 3.5 MiB between two steps); growing must take at least half of it
# (the new pairs are filled, not left empty). VGN_MEM_RATIO is 1.5 with
# mergeable buffers, where both carve ~1.5 KiB slices of page frags; a
# line without them sets its own (nomrg.sh).
VGN_MEM_MAC=${VGN_MEM_MAC:-52:54:00:00:18:03}
VGN_MEM_RATIO=${VGN_MEM_RATIO:-1.5}

# The interface in this namespace whose address is $1.
vgn_iface_by_mac()
{
	local d
	for d in /sys/class/net/*; do
		[ "$(cat "$d/address" 2>/dev/null)" = "$1" ] && basename "$d"
	done
	return 0
}

# Free memory in KiB: the buddy allocator's free pages and those on the
# per-CPU lists, which MemFree leaves out (they come and go in batches).
vgn_free_kib()
{
	awk '$1 == "pages" && $2 == "free" { n += $3 } $1 == "count:" { n += $2 }
	     END { print n * 4 }' /proc/zoneinfo
}

# Free memory in KiB once two readings 1 s apart differ by less than 256 KiB.
vgn_memfree()
{
	local a b
	b=$(vgn_free_kib)
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		sleep 1
		a=$b
		b=$(vgn_free_kib)
		[ $((a - b)) -ge 256 ] || [ $((b - a)) -ge 256 ] || break
	done
	echo "$b"
}

# KiB taken by "ip link set $1 up" with one pair in use, then by
# "ethtool -L $1 combined $2"; prints both.
vgn_rx_mem_measure()
{
	local dev=$1 pairs=$2 m0 m1 m2
	ip link set "$dev" down
	ethtool -L "$dev" combined 1
	sysctl -qw net.ipv6.conf."$dev".disable_ipv6=1
	sync
	echo 3 >/proc/sys/vm/drop_caches
	# Every program below has been read once: no page cache grows.
	ethtool -l "$dev" >/dev/null
	ip link show "$dev" >/dev/null
	m0=$(vgn_memfree)
	ip link set "$dev" up
	m1=$(vgn_memfree)
	ethtool -L "$dev" combined "$pairs"
	m2=$(vgn_memfree)
	ip link set "$dev" down
	echo "$((m0 - m1)) $((m1 - m2))"
}

# Wait for the NIC to come back under driver $1; print its name.
vgn_mem_iface_of()
{
	local drv=$1 dev
	for _ in $(seq 50); do
		dev=$(vgn_iface_by_mac "$VGN_MEM_MAC")
		if [ -n "$dev" ] && ethtool -i "$dev" 2>/dev/null | grep -q "^driver: $drv\$"; then
			echo "$dev"
			return 0
		fi
		sleep 0.2
	done
	return 1
}

test_rx_memory()
{
	local dev vdev max vg nv rc=0 vg_up vg_grow nv_up nv_grow nv_pair
	dev=$(vgn_mem_iface_of virtio_guest) ||
		{ log "no NIC $VGN_MEM_MAC on virtio_guest: the table line lost it"; return 1; }
	if [ "$dev" = "$VGN_A" ] || [ "$dev" = "$VGN_B" ]; then
		log "$dev is one of the traffic NICs: the line's NIC order changed"
		return 1
	fi
	vdev=$(basename "$(readlink -f /sys/class/net/"$dev"/device)")
	max=$(ethtool -l "$dev" | awk '/^Combined:/ { print $2; exit }')
	[ "$max" -ge 4 ] || { log "$dev has $max queue pairs, want 4 or more"; return 1; }
	vg=$(vgn_rx_mem_measure "$dev" "$max")

	echo "$vdev" >/sys/bus/virtio/drivers/virtio_guest/unbind
	modprobe virtio_net
	if dev=$(vgn_mem_iface_of virtio_net); then
		nv=$(vgn_rx_mem_measure "$dev" "$max") || rc=1
	else
		log "virtio_net did not bind $vdev"
		rc=1
	fi
	rmmod virtio_net || rc=1
	echo "$vdev" >/sys/bus/virtio/drivers/virtio_guest/bind || rc=1
	[ $rc = 0 ]

	read -r vg_up vg_grow <<<"$vg"
	read -r nv_up nv_grow <<<"$nv"
	nv_pair=$(((nv_up + nv_grow) / max))
	log "RX memory (KiB), $max pairs of $(ethtool -g "$(vgn_mem_iface_of virtio_guest)" |
		awk '/^RX:/ { print $2; exit }') entries: up with 1 pair in use, then 1 -> $max pairs"
	log "  virtio_guest $vg_up, $vg_grow; virtio_net $nv_up, $nv_grow: $nv_pair a pair"
	if [ "$(echo "$vg_up > $VGN_MEM_RATIO * $nv_pair + 4096" | bc)" = 1 ]; then
		log "virtio_guest takes $vg_up KiB for one pair, over ${VGN_MEM_RATIO}x $nv_pair + 4096"
		rc=1
	fi
	if [ "$(echo "$vg_grow > $VGN_MEM_RATIO * $nv_pair * ($max - 1) + 4096" | bc)" = 1 ]; then
		log "virtio_guest takes $vg_grow KiB for $((max - 1)) pairs, over ${VGN_MEM_RATIO}x $nv_pair each + 4096"
		rc=1
	fi
	if [ $((vg_grow * 2)) -lt $((nv_pair * (max - 1))) ]; then
		log "virtio_guest took $vg_grow KiB growing to $max pairs: the new pairs were not filled"
		rc=1
	fi
	return $rc
}

# rmmod while a transfer runs: remove must wait for nothing and free all.
test_unload_under_traffic()
{
	local src=$VGN_TMP/unload.tx spid cpid
	head -c 100M /dev/zero >"$src"
	vgn_peer timeout 60 socat -u TCP-LISTEN:5004,reuseaddr /dev/null &
	spid=$!
	vfp_wait_for vgn_peer sh -c "ss -Hltn 'sport = :5004' | grep -q ."
	timeout 60 socat -u OPEN:"$src" TCP:$VGN_IP_B:5004,connect-timeout=10 &
	cpid=$!
	vfp_wait_for sh -c "ss -Htn state established 'dport = :5004' | grep -q . ||
			    ! kill -0 $cpid"
	sleep 1
	timeout 30 rmmod virtio_guest
	[ ! -d /sys/module/virtio_guest ]
	# The connection lost its device: end both sides now rather than
	# wait out their timeouts (timeout passes the signal on to socat).
	kill "$cpid" "$spid" 2>/dev/null || true
	wait "$cpid" "$spid" || true
	# Load again: both NICs come back and pass traffic.
	ip netns del "$VGN_NS"
	VFP_NETNS=()
	VFP_MODULES=()
	vgn_setup
	ping -c 2 -W 2 $VGN_IP_B >/dev/null
}

# XDP: programs from xdp_prog.c, one object per action (built by the
# suite's Makefile), attached to A.
vgn_xdp_build()
{
	local a
	for a in PASS DROP TX REDIRECT; do
		[ -f "$VGN_DIR/xdp_$a.o" ] ||
			fail "no $VGN_DIR/xdp_$a.o: build the selftests (make selftests)"
	done
}

vgn_xdp_attach() { ip link set dev "$VGN_A" xdpdrv obj "$VGN_DIR/xdp_$1.o" sec xdp; }
vgn_xdp_detach() { ip link set dev "$VGN_A" xdpdrv off; }

# Echo requests A's own stack answered so far.
vgn_in_echos()
{
	awk '/^Icmp:/ { if (!n) { for (i = 2; i <= NF; i++) if ($i == "InEchos") c = i; n = 1 }
			else { print $c; exit } }' /proc/net/snmp
}

test_xdp_pass()
{
	vgn_xdp_build
	vgn_xdp_attach PASS
	ip link show "$VGN_A" | grep -q 'xdp'
	ping -c 3 -i 0.2 -W 2 $VGN_IP_B >/dev/null
	ping -c 1 -W 2 -s 3000 $VGN_IP_B >/dev/null
	# test_tcp moved the volume; this is the path through the program.
	vgn_xfer 8 b2a
	vgn_xfer 8 a2b
	[ "$(vgn_stat "$VGN_A" 'rx_queue_[0-9]+_xdp_pass')" -gt 1000 ]
	vgn_xdp_detach
	vgn_xfer 4 b2a
}

test_xdp_drop()
{
	local before
	vgn_xdp_build
	vgn_xdp_attach DROP
	before=$(vgn_stat "$VGN_A" 'rx_queue_[0-9]+_xdp_drop')
	if vgn_peer ping -c 5 -i 0.2 -W 1 $VGN_IP_A >/dev/null; then
		log "ping went through XDP_DROP"
		return 1
	fi
	[ $(($(vgn_stat "$VGN_A" 'rx_queue_[0-9]+_xdp_drop') - before)) -ge 5 ]
	vgn_xfer 5 b2a
	vgn_xdp_detach
	vgn_peer ping -c 2 -W 2 $VGN_IP_A >/dev/null
}

# The program answers the peer's pings itself ($1: TX or REDIRECT).
vgn_xdp_echo()
{
	local act=$1 counter=$2 echos before
	vgn_xdp_build
	vgn_xdp_attach "$act"
	echos=$(vgn_in_echos)
	before=$(vgn_stat "$VGN_A" "rx_queue_[0-9]+_$counter")
	vgn_peer ping -c 10 -i 0.2 -W 2 $VGN_IP_A >/dev/null
	[ $(($(vgn_stat "$VGN_A" "rx_queue_[0-9]+_$counter") - before)) -ge 10 ]
	[ "$(vgn_stat "$VGN_A" 'tx_queue_[0-9]+_xdp_tx')" -ge 10 ]
	[ "$(vgn_in_echos)" = "$echos" ] || { log "the stack saw the pings"; return 1; }
	vgn_xfer 5 b2a
	vgn_xdp_detach
	vgn_peer ping -c 2 -W 2 $VGN_IP_A >/dev/null
	[ "$(vgn_in_echos)" -gt "$echos" ]
}

# XDP_TX replies and A's own packets share A's transmit queue: B floods
# A with pings the program answers while A's stack sends UDP as fast as it
# can. Frames that leave the ring too little room for the stack's next skb
# must stop the stack's queue (its packets wait in the qdisc): the driver
# drops none of the stack's skbs. The queue stopping at all shows that
# the ring filled.
test_xdp_tx_full_ring()
{
	local drops stops xdp flood
	vgn_xdp_build
	vgn_xdp_attach TX
	drops=$(vgn_stat "$VGN_A" 'tx_queue_[0-9]+_drops')
	stops=$(vgn_stat "$VGN_A" 'tx_queue_[0-9]+_stops')
	xdp=$(vgn_stat "$VGN_A" 'tx_queue_[0-9]+_xdp_tx')
	# Echo requests without waiting for replies (ping -f waits for them).
	vgn_peer timeout 20 python3 - "$VGN_IP_A" <<'PY' &
import socket, struct, sys, time
def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff)
    return ~(s + (s >> 16)) & 0xffff
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
end, seq = time.time() + 8, 0
while time.time() < end:
    seq = (seq + 1) & 0xffff
    m = struct.pack("!BBHHH", 8, 0, 0, 4242, seq) + b"p" * 1000
    m = m[:2] + struct.pack("!H", csum(m)) + m[4:]
    try:
        s.sendto(m, (sys.argv[1], 0))
    except OSError:
        pass
PY
	flood=$!
	timeout 20 python3 - "$VGN_IP_B" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
data, end = b"x" * 1400, time.time() + 8
while time.time() < end:
    try:
        s.sendto(data, (sys.argv[1], 9))
    except OSError:
        pass  # ENOBUFS: the qdisc is full, as it may be
PY
	wait $flood || true
	drops=$(($(vgn_stat "$VGN_A" 'tx_queue_[0-9]+_drops') - drops))
	stops=$(($(vgn_stat "$VGN_A" 'tx_queue_[0-9]+_stops') - stops))
	xdp=$(($(vgn_stat "$VGN_A" 'tx_queue_[0-9]+_xdp_tx') - xdp))
	vgn_xdp_detach
	log "XDP_TX frames $xdp, queue stops $stops, the stack's skbs dropped $drops"
	[ "$xdp" -gt 0 ] && [ "$stops" -gt 0 ] ||
		{ log "the ring never filled: nothing shown"; return 1; }
	[ "$drops" = 0 ]
}

test_xdp_tx() { vgn_xdp_echo TX xdp_tx; }
test_xdp_redirect() { vgn_xdp_echo REDIRECT xdp_redirect; }

# An attached program caps the MTU at what fits one page, and vice versa.
# One-page chains (page chains without guest GSO or a device MTU: nomrg)
# cap the MTU there anyway: no MTU is too big for XDP yet allowed.
test_xdp_mtu()
{
	vgn_xdp_build
	vgn_xdp_attach PASS
	if ip link set "$VGN_A" mtu 9000 2>/dev/null; then
		log "MTU 9000 accepted with XDP"
		return 1
	fi
	vgn_xdp_detach
	if [ "$(vgn_max_mtu "$VGN_A")" -lt 9000 ]; then
		log "$VGN_A's MTU stops at $(vgn_max_mtu "$VGN_A") without XDP too"
		return 0
	fi
	ip link set "$VGN_A" mtu 9000
	if vgn_xdp_attach PASS 2>/dev/null; then
		log "XDP accepted at MTU 9000"
		return 1
	fi
	ip link set "$VGN_A" mtu 1500
}
