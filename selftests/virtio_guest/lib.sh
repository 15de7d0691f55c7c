# SPDX-License-Identifier: GPL-2.0
#
# Helpers for the virtio_guest selftests; sourced. Each test runs as root
# inside the harness VM, whose QEMU gives it two virtio-net NICs joined back
# to back (the test's line in selftests/tests says how):
#
#   +------------------------------ VM (scripts/vm) ------------------------------+
#   |  root namespace                            namespace vgn-peer                |
#   |  $VGN_A 198.18.0.1/24, fd00:18::1/64       $VGN_B 198.18.0.2/24, fd00:18::2 |
#   |  virtio_guest                              virtio_guest                      |
#   +-------|------------------------------------------|--------------------------+
#           +------- QEMU virtio-net backends ---------+   (hub, or socket pair)
#
# 198.18.0.0/15 is the benchmarking range (RFC 2544): no traffic leaves QEMU.

# In a nested guest, VFP_REPO names that guest's scratch share: the
# repository is where this file is.
VFP_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$VFP_REPO/selftests/lib.sh"
VGN_DIR=$VFP_REPO/selftests/virtio_guest

VGN_NS=vgn-peer
VGN_IP_A=198.18.0.1
VGN_IP_B=198.18.0.2
VGN_IP6_A=fd00:18::1
VGN_IP6_B=fd00:18::2
VGN_A=""
VGN_B=""
VGN_TMP=""

vgn_cleanup()
{
	vfp_cleanup
	[ -z "$VGN_TMP" ] || rm -rf "$VGN_TMP"
}

# Interfaces bound to virtio_guest, in PCI order.
vgn_ifaces()
{
	local d
	for d in /sys/bus/virtio/drivers/virtio_guest/virtio*/net/*; do
		[ -e "$d" ] && basename "$d"
	done
}

# Run "$@" in the peer namespace.
vgn_peer() { ip netns exec "$VGN_NS" "$@"; }

# Load the driver, check it bound both NICs, build the topology above.
vgn_setup()
{
	local ifs
	# Once a test: test_unload_under_traffic sets up again.
	[ -n "$VGN_TMP" ] || VGN_TMP=$(mktemp -d)
	[ ! -d /sys/module/virtio_net ] || skip "virtio_net is loaded and owns the NICs"
	vfp_load virtio_guest
	vfp_wait_for test "$(vgn_ifaces | wc -l)" -ge 2 ||
		fail "virtio_guest bound $(vgn_ifaces | wc -l) interface(s), want 2"
	# No process substitution: the VM has no /dev/fd.
	read -r -a ifs <<<"$(vgn_ifaces | tr '\n' ' ')"
	VGN_A=${ifs[0]}
	VGN_B=${ifs[1]}
	vfp_netns_add "$VGN_NS"
	ip link set "$VGN_B" netns "$VGN_NS"
	ip addr add $VGN_IP_A/24 dev "$VGN_A"
	ip addr add $VGN_IP6_A/64 dev "$VGN_A" nodad
	vgn_peer ip addr add $VGN_IP_B/24 dev "$VGN_B"
	vgn_peer ip addr add $VGN_IP6_B/64 dev "$VGN_B" nodad
	# Both up together: a NIC posts its receive buffers when it opens,
	# and until then QEMU holds what the other side sends to it. The
	# sender's first frame is not given back meanwhile, and BQL (which
	# lets one frame out before the first completion) stops the queue
	# behind it. On a debug kernel the peer's addr adds took longer than
	# the TX watchdog's 5 s, which fired on A's queue in every run.
	ip link set "$VGN_A" up
	vgn_peer ip link set "$VGN_B" up
	vfp_wait_for ping -c 1 -W 1 $VGN_IP_B || fail "no ping $VGN_A -> $VGN_B"
	log "A=$VGN_A B=$VGN_B (netns $VGN_NS)"
}

# A named counter of "ethtool -S", summed over queues matching $2
# (e.g. vgn_stat eth0 'rx_queue_.*_packets').
vgn_stat()
{
	local dev=$1 re=$2 ns=${3:-}
	${ns:+ip netns exec "$ns"} ethtool -S "$dev" |
		awk -v re="^ *$re:" '$0 ~ re { s += $2 } END { print s + 0 }'
}

# Send $1 MiB from "$2" side to the other over TCP, compare sha256.
# Each end gives up after VGN_XFER_TIMEOUT s (120).
# usage: vgn_xfer MB a2b|b2a [port]
vgn_xfer()
{
	local mb=$1 dir=$2 port=${3:-5001} to=${VGN_XFER_TIMEOUT:-120}
	local src=$VGN_TMP/tx.$dir dst=$VGN_TMP/rx.$dir pid t0 t1 rc=0
	head -c "${mb}M" /dev/urandom >"$src"
	if [ "$dir" = a2b ]; then
		vgn_peer timeout $to socat -u TCP-LISTEN:$port,reuseaddr OPEN:"$dst",creat,trunc &
		pid=$!
		# A loaded VM may take seconds to start the listener.
		vfp_wait_for vgn_peer sh -c "ss -Hltn 'sport = :$port' | grep -q ." ||
			log "the listener on port $port is not up after ${VFP_WAIT:-20} s"
		t0=$(date +%s.%N)
		timeout $to socat -u OPEN:"$src" TCP:$VGN_IP_B:$port,connect-timeout=10 || rc=1
	else
		timeout $to socat -u TCP-LISTEN:$port,reuseaddr OPEN:"$dst",creat,trunc &
		pid=$!
		vfp_wait_for sh -c "ss -Hltn 'sport = :$port' | grep -q ." ||
			log "the listener on port $port is not up after ${VFP_WAIT:-20} s"
		t0=$(date +%s.%N)
		vgn_peer timeout $to socat -u OPEN:"$src" TCP:$VGN_IP_A:$port,connect-timeout=10 || rc=1
	fi
	wait $pid || rc=1
	t1=$(date +%s.%N)
	[ $rc = 0 ] || { log "transfer $dir failed"; return 1; }
	if [ "$(sha256sum <"$src" | cut -d' ' -f1)" != "$(sha256sum <"$dst" | cut -d' ' -f1)" ]; then
		log "transfer $dir: sha256 mismatch ($(stat -c %s "$dst") of $(stat -c %s "$src") bytes)"
		return 1
	fi
	log "$dir: $mb MiB in $(echo "$t1 - $t0" | bc -l | cut -c1-5) s," \
	    "$(echo "$mb * 8 / ($t1 - $t0)" | bc -l | cut -c1-6) Mbit/s, sha256 ok"
	rm -f "$src" "$dst"
}

# Run the test_* functions named in "$@", each a KTAP subtest (kselftest's
# ktap_helpers.sh, sourced by ../lib.sh); fails when one failed.
vgn_run_tests()
{
	local t rc t0

	ktap_print_header
	ktap_set_plan $#
	for t in "$@"; do
		t0=$SECONDS
		# Not in a condition: there, bash would ignore set -e.
		( set -e; "$t" )
		rc=$?
		ktap_print_msg "$t: $((SECONDS - t0)) s"
		case $rc in
		"$KSFT_PASS") ktap_test_pass "$t" ;;
		"$KSFT_SKIP") ktap_test_skip "$t" ;;
		*) ktap_test_fail "$t" ;;
		esac
	done
	ktap_print_totals
	[ "$KTAP_CNT_FAIL" = 0 ]
}
