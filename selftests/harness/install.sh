#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make install, install-guest, install-vhost-net and uninstall, staged under
# DESTDIR on this machine (no VM): a host gets vhostfp.ko and never
# virtio_guest.ko (whose modalias is virtio_net's), vhostfp-stat and its man
# page, the udev rule and the modules-load.d entry; a guest gets
# virtio_guest.ko and the modprobe.d lines that blacklist virtio_net;
# modinfo shows version, author and description for both; uninstall leaves
# no file behind. It builds in a copy of the sources, so the tree's own
# build (make modules) is left alone; install against 6.1's cached headers,
# install-guest against 6.12's, into the same DESTDIR. The real thing, depmod and modprobe, is
# harness/dkms.sh's, in a VM.

set -u
. "$(dirname "$0")/../lib.sh"

WORK=$(mktemp -d /tmp/vfp-install.XXXXXX)
SRC=$WORK/src
ROOT=$WORK/root
trap 'rm -rf "$WORK"' EXIT

mkdir -p "$SRC"
tar -C "$VFP_REPO" -c --exclude='*.o' --exclude='*.ko' --exclude='*.mod' --exclude='*.mod.c' --exclude='.*.cmd' \
	--exclude='*.order' --exclude=Module.symvers --exclude=vhostfp-stat \
	Makefile Kbuild dkms.conf uapi vhostfp virtio_guest scripts | tar -x -C "$SRC" ||
	fail "cannot copy the sources"

# Every file under $ROOT, one a line, the kernel release replaced by KREL
# and a module's compression (6.12's modules_install xz's them) dropped.
staged()
{
	(cd "$ROOT" && find . -type f |
		sed -e 's|/lib/modules/[^/]*/|/lib/modules/KREL/|' -e 's|\.ko\.[a-z]*$|.ko|' | sort)
}

# $1 = what, then the files expected under $ROOT
expect_files()
{
	local what=$1 want got
	shift
	want=$(printf '%s\n' "$@" | sort)
	got=$(staged)
	[ "$got" = "$want" ] || {
		diff <(echo "$want") <(echo "$got") | sed 's/^/# /'
		fail "$what: the staged files differ from the expected ones (< expected, > staged)"
	}
}

# $1 = a staged .ko: version (dkms.conf's), author and description
check_modinfo()
{
	local ko=$1 f ver
	ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$SRC/dkms.conf")
	[ "$(modinfo -F version "$ko")" = "$ver" ] || fail "$ko: modinfo version is not $ver"
	for f in author description; do
		[ -n "$(modinfo -F $f "$ko")" ] || fail "$ko: modinfo shows no $f"
	done
}

HOST=(./etc/modules-load.d/vhostfp.conf ./etc/udev/rules.d/99-vhost-fp.rules
      ./lib/modules/KREL/extra/vhostfp.ko ./usr/local/sbin/vhostfp-stat
      ./usr/local/share/man/man8/vhostfp-stat.8)
GUEST=(./etc/modprobe.d/virtio_guest.conf ./lib/modules/KREL/extra/virtio_guest.ko)

make -s -C "$SRC" CACHE="$VFP_REPO/.cache" KVER=6.1 DESTDIR="$ROOT" install >"$WORK/log" 2>&1 || {
	tail -n 20 "$WORK/log" | sed 's/^/# /'
	fail "make install"
}
expect_files "make install" "${HOST[@]}"
check_modinfo "$ROOT"/lib/modules/*/extra/vhostfp.ko*
man -l "$ROOT/usr/local/share/man/man8/vhostfp-stat.8" 2>/dev/null | grep -q vhostfp-stat ||
	fail "the man page does not render"
log "make install: host side only: ${HOST[*]}"

# On top: the guest's, for another kernel (a machine that is both).
make -s -C "$SRC" CACHE="$VFP_REPO/.cache" KVER=6.12 DESTDIR="$ROOT" install-guest >"$WORK/log" 2>&1 || {
	tail -n 20 "$WORK/log" | sed 's/^/# /'
	fail "make install-guest"
}
expect_files "make install-guest" "${HOST[@]}" "${GUEST[@]}"
check_modinfo "$ROOT"/lib/modules/6.12*/extra/virtio_guest.ko*
[ -z "$(ls "$ROOT"/lib/modules/6.12*/extra/vhostfp.ko* 2>/dev/null)" ] ||
	fail "make install-guest installed vhostfp too"
grep -qx 'blacklist virtio_net' "$ROOT/etc/modprobe.d/virtio_guest.conf" ||
	fail "virtio_guest.conf does not blacklist virtio_net"
log "make install-guest: ${GUEST[*]}"

make -s -C "$SRC" DESTDIR="$ROOT" install-vhost-net >"$WORK/log" 2>&1 || fail "make install-vhost-net"
expect_files "make install-vhost-net" "${HOST[@]}" "${GUEST[@]}" ./etc/modprobe.d/vhostfp-vhost-net.conf
for k in 6.1 6.12; do
	make -s -C "$SRC" CACHE="$VFP_REPO/.cache" KVER=$k DESTDIR="$ROOT" uninstall >"$WORK/log" 2>&1 ||
		fail "make uninstall KVER=$k"
done
expect_files "make uninstall"
log "make uninstall: nothing left"
exit $KSFT_PASS
