# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Sourced by the in-VM parts of the benchmark (host.sh, nested.sh,
# drivers.sh): window markers, module loading, result lines.

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$BENCH/../selftests/lib.sh"

# Marker ids: window N uses markers 2N and 2N+1.  Each part of a run
# starts at its own base so that ids stay unique in one VM.
MARK=${VFP_BENCH_MARK0:-1}
next_mark() { MARK=$((MARK + 1)); }

bench_load_vhostfp()
{
	[ -c /dev/vhost-fp ] || vfp_load vhostfp
	[ -c /dev/vhost-fp ] || fail "no /dev/vhost-fp"
}

# vhost_net loaded with experimental_zcopytx=$1.
bench_vhost_net_zc()
{
	local p=/sys/module/vhost_net/parameters/experimental_zcopytx
	if [ -r $p ]; then
		[ "$(cat $p)" = "$1" ] && return 0
		rmmod vhost_net || fail "cannot unload vhost_net"
	fi
	modprobe vhost_net experimental_zcopytx="$1" || fail "modprobe vhost_net"
}

# One vfp-bench run; its JSON line gets the round added.
bench_run()
{
	local round=$1 out
	shift
	next_mark
	out=$("$BENCH/vfp-bench" --mark "$MARK" "$@") || {
		echo "# vfp-bench $* failed" >&2
		return 0
	}
	echo "$out" | sed -n "s/^VFP-BENCH {/VFP-BENCH {\"suite\":\"host\",\"round\":$round,/p"
}

# The VM's instructions while nothing runs: subtracted per second.
idle_window()
{
	next_mark
	"$BENCH/vfp-bench" --workload idle --packets 2000 --mark "$MARK" |
		sed -n 's/^VFP-BENCH {/VFP-BENCH {"suite":"idle","round":0,/p'
}

# A tap $1 enslaved to bridge $2.
bench_tap_in_bridge()
{
	ip tuntap add "$1" mode tap vnet_hdr || fail "cannot create $1"
	vfp_link_track "$1"
	ip link set "$1" master "$2" up
}
