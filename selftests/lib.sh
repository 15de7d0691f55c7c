# SPDX-License-Identifier: GPL-2.0
#
# Shared helpers for the shell selftests; sourced by each test, which runs
# as root inside the harness VM (scripts/vm). Modelled on the kernel's
# tools/testing/selftests/net/lib.sh: namespaces and links made here are
# removed by vfp_cleanup, which the test hooks to EXIT.

# Always where this file lives: in a nested guest the environment's
# VFP_REPO names L2's scratch share, while the tree (and its built modules)
# is visible read-only at the same path as in L1.
VFP_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# debug_kernel, the workarounds (scripts/emulation.sh).
. "$VFP_REPO/scripts/lib.sh"
# kselftest's KTAP printer and exit codes (KSFT_PASS, KSFT_FAIL, KSFT_SKIP),
# from the kernel source scripts/setup unpacked.
VFP_KTAP=$VFP_REPO/.cache/src/6.12/tools/testing/selftests/kselftest/ktap_helpers.sh
[ -f "$VFP_KTAP" ] || { echo "# SKIP: no $VFP_KTAP: run scripts/setup"; exit 4; }
. "$VFP_KTAP"
VFP_NETNS=()
VFP_LINKS=()
VFP_PIDS=()
VFP_MODULES=()
# 1 on the harness's debug kernels (scripts/debug-kernel), which KASAN,
# lockdep and kmemleak make 3 to 7 times slower: tests that move bulk data
# move less there (the checkers need the code paths, not the volume).
VFP_DEBUG=0
debug_kernel "$(uname -r)" && VFP_DEBUG=1

log() { echo "# $*"; }
fail() { echo "# FAIL: $*"; exit $KSFT_FAIL; }
skip() { echo "# SKIP: $*"; exit $KSFT_SKIP; }

vfp_cleanup()
{
	local p n l m
	for p in "${VFP_PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${VFP_PIDS[@]}"; do wait "$p" 2>/dev/null; done
	for n in "${VFP_NETNS[@]}"; do ip netns del "$n" 2>/dev/null; done
	for l in "${VFP_LINKS[@]}"; do ip link del "$l" 2>/dev/null; done
	for m in "${VFP_MODULES[@]}"; do rmmod "$m" 2>/dev/null; done
	return 0
}

# The .ko of one of our modules built for the running kernel (or for the
# kernel ABI given second): make copies each build to
# .cache/build/<kernel ABI>/ so several kernels' builds coexist.
vfp_ko()
{
	local name=$1 kv=${2:-$(uname -r)} ko
	for ko in "$VFP_REPO/.cache/build/$kv/$name.ko" "$VFP_REPO/$name/$name.ko"; do
		[ -f "$ko" ] || continue
		[ "$(modinfo -F vermagic "$ko" 2>/dev/null | cut -d' ' -f1)" = "$kv" ] || continue
		echo "$ko"
		return 0
	done
	return 1
}

# Load one of our modules (vhostfp, virtio_guest) unless loaded; it is
# unloaded again at cleanup. Extra arguments are module parameters.
vfp_load()
{
	local name=$1 ko
	shift
	[ -d "/sys/module/$name" ] && return 0
	ko=$(vfp_ko "$name") || fail "no $name.ko built for $(uname -r): run make KVER=..."
	insmod "$ko" "$@" || fail "insmod $ko failed"
	VFP_MODULES=("$name" "${VFP_MODULES[@]}")
}

# Modules from the kernel's own tree.
vfp_modprobe()
{
	local m
	for m in "$@"; do
		modprobe "$m" || fail "modprobe $m failed"
	done
}

vfp_netns_add()
{
	ip netns add "$1" || fail "ip netns add $1"
	VFP_NETNS+=("$1")
	ip -n "$1" link set lo up
}

vfp_link_track() { VFP_LINKS+=("$1"); }

# Run a command in the background and stop it at cleanup.
vfp_bg()
{
	"$@" &
	VFP_PIDS+=($!)
}

# Wait until "$@" succeeds, at most $VFP_WAIT seconds (default 20).
vfp_wait_for()
{
	local i
	for ((i = 0; i < ${VFP_WAIT:-20} * 5; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	return 1
}

# Wait until process $1 (a child) has exited, at most $VFP_WAIT seconds.
vfp_wait_exit()
{
	vfp_wait_for sh -c "! ps -o stat= -p $1 | grep -qv Z"
}

# A bridge br0 in the root namespace with a veth into namespace $1 carrying
# $2 (CIDR), the way a KVM host puts a guest's tap beside its uplink.
vfp_bridge_with_peer()
{
	local ns=$1 addr=$2
	vfp_modprobe bridge veth
	ip link add br0 type bridge || fail "cannot create br0"
	vfp_link_track br0
	ip link set br0 type bridge stp_state 0 forward_delay 0
	ip link set br0 up
	vfp_netns_add "$ns"
	ip link add vfp-veth0 type veth peer name vfp-veth1 || fail "cannot create veth"
	vfp_link_track vfp-veth0
	ip link set vfp-veth1 netns "$ns"
	ip link set vfp-veth0 master br0 up
	ip -n "$ns" addr add "$addr" dev vfp-veth1
	ip -n "$ns" link set vfp-veth1 up
}

# A tap for a guest, enslaved to br0.
vfp_tap_in_bridge()
{
	local tap=$1
	ip tuntap add "$tap" mode tap vnet_hdr || fail "cannot create $tap"
	vfp_link_track "$tap"
	ip link set "$tap" master br0 up
}

# Print the counters of every open vhostfp device, as debugfs has them:
# "owner <tgid>" then "<rx|tx> <counter> <value>" lines.
vfp_stats_dump()
{
	cat /sys/kernel/debug/vhostfp/*/stats 2>/dev/null
}

# Keep the latest output of a command (default vfp_stats_dump) in file $1,
# every second: a device's counters go away with its last close, so they
# are read while it is open.
vfp_stats_follow()
{
	local out=$1
	shift
	[ $# -gt 0 ] || set -- vfp_stats_dump
	while sleep 1; do
		"$@" >"$out.new" 2>/dev/null && [ -s "$out.new" ] && mv "$out.new" "$out"
	done
}

# The peer side of a nested transfer (selftests/e2e/guest-xfer.sh in L2):
# in netns $1, a TCP sink on port 5001 and a source of $2 MiB of random
# data on port 5002. Sets VFP_XFER_SRC_SHA and VFP_XFER_SINK_PID.
vfp_xfer_peer_start()
{
	local ns=$1 mb=$2

	head -c "${mb}M" /dev/urandom >/tmp/src.bin
	VFP_XFER_SRC_SHA=$(sha256sum </tmp/src.bin | cut -d' ' -f1)
	vfp_bg ip netns exec "$ns" socat -u TCP-LISTEN:5001,reuseaddr CREATE:/tmp/sink.bin
	VFP_XFER_SINK_PID=$!
	vfp_bg ip netns exec "$ns" socat -u OPEN:/tmp/src.bin TCP-LISTEN:5002,reuseaddr
	vfp_wait_for ip netns exec "$ns" sh -c 'ss -ltn | grep -q :5002' ||
		fail "peer servers did not start"
}

# Relay guest-xfer.sh's output ($1) and compare its sha256 sums with what
# the peer received and sent.
vfp_xfer_verify()
{
	local out=$1 tx_sha rx_sha sink_sha

	echo "$out" | grep -v '^VFP-' | sed 's/^/# l2: /'
	tx_sha=$(echo "$out" | sed -n 's/^VFP-TX-SHA //p')
	rx_sha=$(echo "$out" | sed -n 's/^VFP-RX-SHA //p')
	vfp_wait_exit "$VFP_XFER_SINK_PID" || fail "the peer's sink did not finish"
	sink_sha=$(sha256sum </tmp/sink.bin | cut -d' ' -f1)
	[ -n "$tx_sha" ] && [ "$tx_sha" = "$sink_sha" ] ||
		fail "guest->peer data differs: guest sent $tx_sha, peer got $sink_sha"
	[ "$rx_sha" = "$VFP_XFER_SRC_SHA" ] ||
		fail "peer->guest data differs: peer sent $VFP_XFER_SRC_SHA, guest got $rx_sha"
	log "sha256 match both ways"
}

# Prove that vhostfp, not QEMU, moved $1 MiB each way.  The caller holds
# the device open past QEMU's exit (scripts/l2 --fd N:&M), so the counters
# are read once the guest is gone and are complete: all of the payload must
# be there (frame headers and retransmissions only add to it).  When QEMU
# opened the device itself, $2 is the file vfp_stats_follow kept: its last
# sample, taken within a second of QEMU's exit, after the guest's transfer
# and during its shutdown.
vfp_stats_carried()
{
	local mb=$1 want got q s

	if [ -n "${2:-}" ]; then
		s=$(cat "$2" 2>/dev/null)
	else
		s=$(vfp_stats_dump)
	fi
	[ -n "$s" ] || fail "no vhostfp device left to read the counters of"
	echo "$s" | sed 's/^/# stats: /'
	want=$((mb * 1024 * 1024))
	for q in tx rx; do
		got=$(echo "$s" | awk -v q=$q '$1 == q && $2 == "bytes" { s += $3 } END { print s + 0 }')
		[ "$got" -ge "$want" ] || fail "vhostfp $q bytes $got < $want: it did not carry the traffic"
	done
	log "vhostfp counters show the traffic both ways"
}
