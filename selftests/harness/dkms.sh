#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# DKMS as an operator runs it (README, Documentation/vhostfp.rst "DKMS"):
# make dkms-source copies the host module's sources into /usr/src, Debian's
# dkms adds, builds and installs them against the running kernel's headers
# (the harness's cached ones), and modprobe loads the result. pahole is
# hidden, so the build must take dkms.conf's no-BTF path (Debian's 6.12
# headers fail a module build without pahole otherwise).
#
# Then the modprobe.d example of as_vhost_net (make install-vhost-net): the
# alias the first open of /dev/vhost-net asks for loads vhostfp with
# as_vhost_net=1, and vhostfp serves 10:238. make uninstall removes it all.
#
# Everything written lands in L1's throw-away root: /usr/src, /var/lib/dkms
# and /etc on its overlay, /lib/modules (the repository's cache, shared
# read-write) under a tmpfs. The module build under emulation takes 10 to
# 12 minutes. VFP_DKMS_TRACE=1 runs dkms build under bash -x (the trace's
# tail is printed if it fails).
#
# --prebuilt DIR: dkms add and build ran outside the VM (harness/dkms-host.sh,
# with --sourcetree DIR/root/usr/src and --dkmstree DIR/dkms); their tree goes
# where dkms keeps it, and everything from dkms install on runs here.

set -u
. "$(dirname "$0")/../lib.sh"

PREBUILT=
[ "${1:-}" != --prebuilt ] || PREBUILT=${2:?--prebuilt needs a directory}

KV=$(uname -r)
KROOT=$VFP_REPO/.cache/kernel/$KV/root
HDR=/usr/src/linux-headers-$KV
VER=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$VFP_REPO/dkms.conf")

cleanup()
{
	vfp_cleanup
	umount /lib/modules 2>/dev/null
}
trap cleanup EXIT

command -v dkms >/dev/null || fail "no dkms: scripts/setup installs it"
[ -n "$VER" ] || fail "no PACKAGE_VERSION in dkms.conf"
[ -d "$KROOT$HDR" ] || fail "no cached headers at $KROOT$HDR"

# dkms reads <(...), which needs /dev/fd (udev's job on a real system).
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
# A /lib/modules of its own, with the kernel's module lists but none of its
# modules (the ones this VM needs are loaded): every depmod (dkms install,
# dkms remove) would otherwise read all of them over 9p, minutes each under
# emulation. /lib/modules/$KV/build points at $HDR, as with Debian's
# headers package.
mount -t tmpfs tmpfs /lib/modules || fail "cannot mount a tmpfs on /lib/modules"
mkdir -p "/lib/modules/$KV"
cp "$KROOT/lib/modules/$KV"/modules.{order,builtin,builtin.modinfo} "/lib/modules/$KV/" ||
	fail "no module lists in $KROOT/lib/modules/$KV"
ln -s "$HDR" "/lib/modules/$KV/build"
ln -sfn "$KROOT$HDR" "$HDR"
[ -f "/lib/modules/$KV/build/Makefile" ] || fail "/lib/modules/$KV/build does not reach the headers"

if [ -n "$PREBUILT" ]; then
	[ -d "$PREBUILT/dkms/vhostfp/$VER/$KV" ] || fail "no dkms build for $KV in $PREBUILT"
	cp -a "$PREBUILT/root/usr/src/vhostfp-$VER" /usr/src/ &&
		mkdir -p /var/lib/dkms && cp -a "$PREBUILT/dkms/vhostfp" /var/lib/dkms/ &&
		ln -sfn "/usr/src/vhostfp-$VER" "/var/lib/dkms/vhostfp/$VER/source" ||
		fail "cannot put the prebuilt dkms tree in place"
	dkms status -m vhostfp | grep -q "vhostfp/$VER, $KV, .*: built" ||
		fail "dkms does not take the prebuilt tree as built: $(dkms status -m vhostfp)"
else
	if command -v pahole >/dev/null; then
		mv "$(command -v pahole)" /tmp/pahole.hidden || fail "cannot hide pahole"
	fi
	command -v pahole >/dev/null && fail "pahole is still in PATH"

	make -s -C "$VFP_REPO" dkms-source || fail "make dkms-source"
	extra=$(find "/usr/src/vhostfp-$VER" -type f ! -name '*.[ch]' ! -name Kbuild ! -name dkms.conf)
	[ -z "$extra" ] || fail "make dkms-source copied more than sources: $extra"

	start=$SECONDS
	dkms add -m vhostfp -v "$VER" || fail "dkms add"
	${VFP_DKMS_TRACE:+bash -x} "$(command -v dkms)" build -m vhostfp -v "$VER" -k "$KV" 2>/tmp/dkms.err || {
		rc=$?
		tail -n 40 /tmp/dkms.err | sed 's/^/# dkms: /'
		find "/var/lib/dkms/vhostfp/$VER" -name make.log -exec tail -n 30 {} + | sed 's/^/# make.log: /'
		fail "dkms build: exit $rc"
	}
	log "dkms build: $((SECONDS - start)) s"
fi
dkms install -m vhostfp -v "$VER" -k "$KV" || fail "dkms install"
dkms status -m vhostfp | grep -q "vhostfp/$VER, $KV, .*: installed" ||
	fail "dkms status does not show vhostfp installed: $(dkms status -m vhostfp)"

ko=$(modinfo -n vhostfp) || fail "modinfo finds no vhostfp after dkms install"
case "$ko" in "/lib/modules/$KV/updates/dkms/"*) ;; *) fail "modprobe's vhostfp is $ko, not DKMS's" ;; esac
[ "$(modinfo -F version vhostfp)" = "$VER" ] || fail "modinfo version is not $VER"
[ -n "$(modinfo -F author vhostfp)" ] || fail "modinfo shows no author"
signer=$(modinfo -F signer vhostfp)
log "DKMS module: $ko, signed by '${signer:-nobody}'"

modprobe vhostfp || fail "modprobe vhostfp (DKMS build)"
VFP_MODULES=(vhostfp)
[ "$(cat /sys/module/vhostfp/srcversion)" = "$(modinfo -F srcversion vhostfp)" ] ||
	fail "the loaded vhostfp is not the one DKMS built"
vfp_wait_for test -c /dev/vhost-fp || fail "no /dev/vhost-fp after modprobe"
rmmod vhostfp || fail "rmmod vhostfp"

# The modprobe.d example: the kernel asks for char-major-10-238 when
# /dev/vhost-net (a static node) is opened with no driver behind it.
rmmod vhost_net 2>/dev/null
make -s -C "$VFP_REPO" install-vhost-net || fail "make install-vhost-net"
modprobe char-major-10-238 || fail "modprobe char-major-10-238"
[ -d /sys/module/vhostfp ] && [ ! -d /sys/module/vhost_net ] ||
	fail "char-major-10-238 did not load vhostfp alone"
[ "$(cat /sys/module/vhostfp/parameters/as_vhost_net)" = Y ] || fail "the options line did not apply"
vfp_wait_for test -c /dev/vhost-net || fail "no /dev/vhost-net from vhostfp"
exec 3<>/dev/vhost-net || fail "cannot open /dev/vhost-net"
exec 3>&-
rmmod vhostfp || fail "rmmod vhostfp (as_vhost_net)"

make -s -C "$VFP_REPO" uninstall >/dev/null || fail "make uninstall"
modinfo vhostfp >/dev/null 2>&1 && fail "vhostfp still installed after make uninstall"
[ ! -e "/usr/src/vhostfp-$VER" ] && [ ! -e /etc/modprobe.d/vhostfp-vhost-net.conf ] ||
	fail "make uninstall left files behind"
dkms status -m vhostfp | grep -q . && fail "dkms still knows vhostfp: $(dkms status -m vhostfp)"
log "dkms add/build/install, modprobe, the vhost-net alias and uninstall: ok"
exit $KSFT_PASS
