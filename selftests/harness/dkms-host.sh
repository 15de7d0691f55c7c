#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# DKMS at a cost make check can pay: Debian's dkms adds and builds vhostfp
# on this machine (about 20 s a kernel, against 10 to 12 minutes under the
# emulation), against each kernel's cached headers with pahole out of PATH,
# so that dkms.conf's no-BTF path is the one taken. Then a VM of that kernel
# takes the tree exactly as dkms left it and runs harness/dkms.sh --prebuilt:
# dkms install, modprobe of the result, the as_vhost_net modprobe.d example,
# make uninstall. harness/dkms-in-vm (a slow test) builds in the VM as well.
#
# The kernels: VFP_KVERS (run-tests passes its --kver list), default all.

set -u
. "$(dirname "$0")/../lib.sh"

read -r -a KVS <<<"${VFP_KVERS:-${SUPPORTED_KVERS[*]}}"
VER=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$VFP_REPO/dkms.conf")
[ -n "$VER" ] || fail "no PACKAGE_VERSION in dkms.conf"
command -v dkms >/dev/null || fail "no dkms: scripts/setup installs it"

# Under the repository: the VM sees it at the same path.
mkdir -p "$VFP_REPO/.cache/run"
WORK=$(mktemp -d "$VFP_REPO/.cache/run/dkms.XXXXXX") || fail "no work directory"
trap 'rm -rf "$WORK"' EXIT

# A PATH with every program of this machine but pahole (bash's command -v
# would still report a masked, non-executable one).
mkdir "$WORK/bin"
for d in /usr/local/bin /usr/bin /usr/local/sbin /usr/sbin; do
	for f in "$d"/*; do
		[ "${f##*/}" != pahole ] && [ ! -e "$WORK/bin/${f##*/}" ] && ln -s "$f" "$WORK/bin/"
	done
done
PATH=$WORK/bin command -v pahole >/dev/null && fail "pahole is still in PATH"

for kv in "${KVS[@]}"; do
	case "$kv" in *-debug) log "$kv: skipped, DKMS builds for Debian's kernels"; continue ;; esac
	kabi=$(basename "$(realpath "$VFP_REPO/.cache/kernel/$kv")")
	ksrc=$VFP_REPO/.cache/kernel/$kv/root/usr/src/linux-headers-$kabi
	d=$WORK/$kabi
	[ -f "$ksrc/Makefile" ] || fail "$kv: no cached headers at $ksrc"

	make -s -C "$VFP_REPO" dkms-source DESTDIR="$d/root" || fail "$kv: make dkms-source"
	extra=$(find "$d/root/usr/src/vhostfp-$VER" -type f ! -name '*.[ch]' ! -name Kbuild ! -name dkms.conf)
	[ -z "$extra" ] || fail "$kv: make dkms-source copied more than sources: $extra"

	start=$SECONDS
	mkdir -p "$d/dkms"
	dk=(--sourcetree "$d/root/usr/src" --dkmstree "$d/dkms" -m vhostfp -v "$VER")
	PATH=$WORK/bin dkms add "${dk[@]}" >"$d/dkms.log" 2>&1 &&
		PATH=$WORK/bin dkms build "${dk[@]}" -k "$kabi" --kernelsourcedir "$ksrc" >>"$d/dkms.log" 2>&1 || {
		sed 's/^/# dkms: /' "$d/dkms.log" | tail -n 30
		find "$d/dkms" -name make.log -exec tail -n 30 {} + | sed 's/^/# make.log: /'
		fail "$kv: dkms add/build"
	}
	ko=$d/dkms/vhostfp/$VER/$kabi/x86_64/module/vhostfp.ko
	[ -f "$ko" ] || ls "$ko".* >/dev/null 2>&1 || fail "$kv: dkms build left no vhostfp.ko"
	# dkms prints the make command it runs (make.log has only its output).
	grep -q 'CONFIG_DEBUG_INFO_BTF_MODULES= ' "$d/dkms.log" ||
		fail "$kv: the build without pahole did not take dkms.conf's no-BTF path"
	log "$kv: dkms add and build here, pahole absent: $((SECONDS - start)) s"

	"$VFP_REPO/scripts/vm" --kver "$kv" --timeout 600 --log "$d/console.log" \
		-- "cd selftests && harness/dkms.sh --prebuilt $d" >"$d/vm.log" 2>&1
	rc=$?
	sed 's/^/  /' "$d/vm.log"
	if [ $rc != 0 ]; then
		[ $rc != 124 ] && [ $rc != 125 ] || tail -n 30 "$d/console.log" | sed 's/^/# console: /'
		fail "$kv: dkms install and load in the VM: exit $rc"
	fi
done
log "dkms add/build (no pahole) here, install/modprobe/uninstall in a VM: ok on ${KVS[*]}"
exit $KSFT_PASS
