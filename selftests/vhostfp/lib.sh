# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Sourced by the wrappers of this suite: load the modules the C programs
# need and run them. Builds on ../lib.sh (log, fail, skip, vfp_ko, ...).

DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$DIR/../lib.sh"

VHOST_NET_ZC_ORIG=""

# vhost_net with experimental_zcopytx=$1; a reload when it differs.
load_vhost_net()
{
	local want=$1 p=/sys/module/vhost_net/parameters/experimental_zcopytx

	vfp_modprobe tun
	if [ -r $p ]; then
		[ -n "$VHOST_NET_ZC_ORIG" ] || VHOST_NET_ZC_ORIG=$(cat $p)
		[ "$(cat $p)" = "$want" ] && return 0
		rmmod vhost_net || fail "cannot unload vhost_net to set experimental_zcopytx=$want"
	fi
	modprobe vhost_net experimental_zcopytx="$want" ||
		fail "modprobe vhost_net experimental_zcopytx=$want"
	[ "$(cat $p)" = "$want" ] || fail "vhost_net did not take experimental_zcopytx=$want"
}

# vhostfp when its .ko is built for this kernel; returns 1 (and says so)
# when it is not built yet, fails when it is built but does not load.
load_vhostfp()
{
	local ko

	if [ -c /dev/vhost-fp ]; then
		return 0
	fi
	if ! ko=$(vfp_ko vhostfp); then
		log "SKIP vhost-fp variants: no vhostfp.ko built for $(uname -r) (make KVER=...)"
		return 1
	fi
	insmod "$ko" || fail "insmod $ko"
	VFP_MODULES=(vhostfp "${VFP_MODULES[@]}")
	vfp_wait_for test -c /dev/vhost-fp || fail "no /dev/vhost-fp after insmod"
}

# Load the devices under test, VFP_DEVICES ("vhost-net vhost-fp" unless
# set), and name them in DEVICES: selftests/tests runs vhost-fp on every
# kernel and stock vhost_net, the reference each fixture is checked against,
# on one. vhost_net (experimental_zcopytx=0) is loaded either way: a vhost-fp
# case may ask it how stock vhost behaves on this kernel.
suite_load()
{
	local want=" ${VFP_DEVICES:-vhost-net vhost-fp} "

	load_vhost_net 0
	DEVICES=""
	case "$want" in *" vhost-net "*) DEVICES=vhost-net ;; esac
	case "$want" in *" vhost-fp "*) load_vhostfp && DEVICES="${DEVICES:+$DEVICES }vhost-fp" ;; esac
	[ -n "$DEVICES" ] || skip "none of the devices '$want' can be tested here"
}

# True when the run tests stock vhost_net: its zero-copy pass
# (experimental_zcopytx=1) follows then.
suite_has_net() { case " $DEVICES " in *" vhost-net "*) return 0 ;; esac; return 1; }

suite_cleanup()
{
	vfp_cleanup
	if [ -n "$VHOST_NET_ZC_ORIG" ] &&
	   [ "$(cat /sys/module/vhost_net/parameters/experimental_zcopytx 2>/dev/null)" != "$VHOST_NET_ZC_ORIG" ]; then
		rmmod vhost_net 2>/dev/null &&
			modprobe vhost_net experimental_zcopytx="$VHOST_NET_ZC_ORIG"
	fi
	return 0
}

# Run one of the C programs (KTAP on stdout); remember the worst status:
# a failure beats a pass, a pass beats a skip.
SUITE_RC=$KSFT_SKIP
run_prog()
{
	local prog=$1 rc
	shift
	[ -x "$DIR/$prog" ] || make -s -C "$DIR" "$prog" >&2 || fail "cannot build $prog"
	log "running $prog $* (VFP_PKTS=${VFP_PKTS:-default} VFP_DEVICES=${VFP_DEVICES:-all})"
	"$DIR/$prog" "$@"
	rc=$?
	case $rc in
	"$KSFT_PASS") [ "$SUITE_RC" = "$KSFT_FAIL" ] || SUITE_RC=$KSFT_PASS ;;
	"$KSFT_SKIP") ;;
	*) SUITE_RC=$KSFT_FAIL ;;
	esac
	return 0
}

# datapath over every variant the environment (VFP_DEVICES, VFP_RINGS)
# selects: VFP_PKTS (default 2000) frames each way in the full mix of sizes
# (1 in 16 jumbo, 1 in 16 GSO). Then a long pass on the devices of
# VFP_LONG_DEVICES (default vhost-fp), with VFP_PKTS_LONG (default 70000)
# frames and 1 in 128 of each kind: through hundreds of ring laps, past the
# wrap of the 16-bit ring indices (split) and through many flips of the
# wrap counters (packed), at a quarter of the bytes.
# The long pass runs half of the variants (VFP_LONG_ALL=1: all 16): those
# with an even number of the four options on (event index, indirect,
# mergeable, zero-copy), a half fraction in which every pair of options
# still meets in all four combinations. It was 80 of datapath.sh's 125 s.
# The long pass is there to check our code: stock vhost_net's doubled the
# test's time (~110 s of make check's 268 s on stock 6.12, half of a 1 h
# run on a debug kernel); VFP_LONG_DEVICES="vhost-net vhost-fp" adds it.
# Arguments (a replay: -v VARIANT ...) run the first pass only.
run_datapath()
{
	local d p e i m z long="" pick=()

	run_prog datapath "$@"
	[ $# = 0 ] || return 0
	for d in ${VFP_LONG_DEVICES:-vhost-fp}; do
		case " ${VFP_DEVICES:-vhost-net vhost-fp} " in *" $d "*) long+=${long:+ }$d ;; esac
	done
	[ -n "$long" ] || return 0
	for d in $long; do
		case "$d:${VFP_RINGS:-}" in
		vhost-net:*) p=net ;;
		vhost-fp:split) p=fp ;;
		vhost-fp:packed) p=fpp ;;
		*) p="fp fpp" ;;
		esac
		for p in $p; do
			for e in 0 1; do for i in 0 1; do for m in 0 1; do for z in 0 1; do
				[ "${VFP_LONG_ALL:-0}" = 1 ] || [ $(((e + i + m + z) % 2)) = 0 ] || continue
				pick+=(-v "${p}_evt${e}_ind${i}_mrg${m}_zc${z}")
			done; done; done; done
		done
	done
	VFP_DEVICES=$long VFP_PKTS=${VFP_PKTS_LONG:-70000} VFP_BIG_ONE_IN=128 run_prog datapath "${pick[@]}"
}

KMEMLEAK=/sys/kernel/debug/kmemleak

# With kmemleak (debug kernels): fail when it finds a leak now. Objects
# younger than 5 s are not reported yet, hence the wait and two scans.
# Returns 1 (without failing) where the kernel has no kmemleak.
kmemleak_check()
{
	[ -w $KMEMLEAK ] || return 1
	sleep 6
	echo scan >$KMEMLEAK
	echo scan >$KMEMLEAK
	if grep -q unreferenced $KMEMLEAK; then
		head -60 $KMEMLEAK
		fail "kmemleak reports leaks after $1"
	fi
}
