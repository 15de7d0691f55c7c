#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# libvirt drives vhostfp, the way an operator's host runs a guest:
#
#   +------------------------- L1 (host VM) --------------------------------+
#   |  virtlogd, libvirtd (started here: L1 has no init system)             |
#   |  netns vfp-peer                                                       |
#   |  vfp-veth1 10.77.0.1 ==veth== vfp-veth0 --[br0]-- vnetN (libvirt's)   |
#   |                                                    |  /dev/vhost-fp   |
#   |                                                    |  or vhostfp's    |
#   |                                                    |  /dev/vhost-net  |
#   |   +----- L2: a libvirt domain (QEMU -accel kvm) ---|--------------+   |
#   |   |  eth0 10.77.0.2 (virtio_net), root: L1's / over 9p            |   |
#   |   +---------------------------------------------------------------+   |
#   +-----------------------------------------------------------------------+
#
# usage: libvirt.sh
# Two domains, one after the other, each defined, started with virsh,
# moving VFP_XFER_MB MiB (default 10) each way with sha256 sums compared
# (guest-xfer.sh), checked against vhostfp's counters while it runs and
# then destroyed with virsh:
#
#   backend  <interface type='bridge'> with <driver name='vhost'/> and
#            <backend vhost='/dev/vhost-fp'/>; vhost_net is loaded too, so
#            that only the backend element can have sent it to vhostfp.
#   default  libvirt's default XML (<driver name='vhost'/>, no backend
#            element: libvirt opens /dev/vhost-net), vhost_net unloaded and
#            vhostfp loaded with as_vhost_net=1.
#
# L2 boots as scripts/l2 boots it (the harness's kernel, initramfs and
# vm-init), in libvirt's terms: direct kernel boot with qboot as the
# <loader>, L1's root and a scratch directory as <filesystem> 9p shares,
# L2's console and its command's output as two file <serial> ports. No
# <qemu:commandline> is needed. libvirt's configuration lives in L1's
# overlay (/etc is a tmpfs there) and runs QEMU as root without a security
# driver (L1 loads no AppArmor or SELinux policy: Documentation/vhostfp.rst
# says what a host needs).

set -u
. "$(dirname "$0")/../lib.sh"
trap 'lv_cleanup' EXIT

MB=${VFP_XFER_MB:-10}
VIRSH=(virsh -q -c qemu:///system)
LV_PIDS=()
# libvirtd's warnings and errors
LV_LOG=/var/log/libvirt/libvirtd.log
DOMAINS=()

[ "${VFP_LEVEL:-}" = 1 ] || skip "runs in the host VM only (it writes /etc/libvirt and starts libvirtd)"
if ! command -v libvirtd >/dev/null || ! command -v virsh >/dev/null; then
	skip "libvirt is not installed: run scripts/setup"
fi

lv_cleanup()
{
	local d p

	for d in "${DOMAINS[@]}"; do
		"${VIRSH[@]}" destroy "$d" >/dev/null 2>&1
		"${VIRSH[@]}" undefine "$d" >/dev/null 2>&1
	done
	for p in "${LV_PIDS[@]}"; do kill "$p" 2>/dev/null; done
	vfp_cleanup
}

# libvirt as an operator's host has it, less what L1 lacks. The QEMU
# driver resolves its built-in user, libvirt-qemu, before it reads
# qemu.conf: libvirt-daemon-system's postinst creates it on a host (that
# package also brings polkit, a firewall, the default network and init
# scripts, none of which the test needs), here it is added to L1's
# overlay. QEMU then runs as root, with no security driver, in L1's own
# /dev (in the private /dev libvirt builds for QEMU by default, L1's
# QEMU found no /dev/kvm), and libvirt leaves the ownership of L1's files
# alone (chowning the kernel would copy it up into L1's tmpfs).
lv_configure()
{
	getent group libvirt-qemu >/dev/null || groupadd -r libvirt-qemu ||
		fail "cannot add the group libvirt-qemu"
	getent passwd libvirt-qemu >/dev/null ||
		useradd -r -g libvirt-qemu -d /var/lib/libvirt -s /usr/sbin/nologin libvirt-qemu ||
		fail "cannot add the user libvirt-qemu"
	mkdir -p /etc/libvirt /var/lib/libvirt /var/log/libvirt /var/cache/libvirt
	cat >/etc/libvirt/qemu.conf <<-EOF
		user = "root"
		group = "root"
		dynamic_ownership = 0
		remember_owner = 0
		security_driver = "none"
		namespaces = [ ]
	EOF
}

# Start virtlogd and libvirtd by hand, as daemons, and wait until virsh
# gets an answer: libvirtd probes QEMU's capabilities first, which takes
# a while under TCG.
lv_start_daemons()
{
	local p

	virtlogd -d || fail "virtlogd did not start"
	p=$(pgrep -x virtlogd) && LV_PIDS+=("$p")
	LIBVIRT_LOG_OUTPUTS="3:file:$LV_LOG" libvirtd -d || fail "libvirtd did not start"
	p=$(pgrep -x libvirtd) && LV_PIDS+=("$p")
	VFP_WAIT=$((120 * VFP_SLOW)) vfp_wait_for "${VIRSH[@]}" version || {
		sed 's/^/# libvirtd: /' "$LV_LOG"
		fail "libvirtd did not answer within $((120 * VFP_SLOW)) s"
	}
	log "$("${VIRSH[@]}" version | tr -s ' \n' ' '), answering after $SECONDS s"
	"${VIRSH[@]}" domcapabilities --virttype kvm >/dev/null ||
		fail "libvirt sees no KVM in L1"
}

# L2's CPU: scripts/emulation.sh's EMU_L2_CPU ("host,-feature,...") as a
# libvirt <cpu>.
lv_cpu_xml()
{
	local cpu=${VFP_L2_CPU:-$EMU_L2_CPU} f

	case "$cpu" in host|host,*) ;; *) fail "L2 CPU '$cpu' is not host[,-feature...]" ;; esac
	echo "<cpu mode='host-passthrough'>"
	for f in $(echo "${cpu#host}" | tr ',' ' '); do
		case "$f" in
		-*) echo "  <feature policy='disable' name='${f#-}'/>" ;;
		+*) echo "  <feature policy='require' name='${f#+}'/>" ;;
		*) fail "L2 CPU feature '$f' has no sign" ;;
		esac
	done
	echo "</cpu>"
}

# The domain XML: lv_domain_xml NAME SHARE INTERFACE_EXTRA. SHARE is L2's
# read-write scratch share (vm-init's vfp.repo), with run/ in it. L2's
# memory is locked (<locked/> is QEMU's -overcommit mem-lock=on), as
# scripts/l2 has it: emulation.sh, W6.
lv_domain_xml()
{
	local name=$1 share=$2 extra=$3 kdir kv

	kv=${VFP_L2_KVER:-$(uname -r)}
	kdir=$VFP_REPO/.cache/kernel/$kv
	if [ ! -f "$kdir/vmlinux" ] || [ ! -f "$kdir/initramfs.cpio.gz" ]; then
		fail "no cached kernel and initramfs for $kv"
	fi
	cat <<-EOF
		<domain type='kvm'>
		  <name>$name</name>
		  <memory unit='MiB'>512</memory>
		  <memoryBacking><locked/></memoryBacking>
		  <vcpu>1</vcpu>
		  <os>
		    <type arch='x86_64' machine='pc'>hvm</type>
		    <loader type='rom'>/usr/share/qemu/qboot.rom</loader>
		    <kernel>$kdir/vmlinux</kernel>
		    <initrd>$kdir/initramfs.cpio.gz</initrd>
		    <cmdline>console=ttyS0 loglevel=5 panic=-1 mitigations=off nokaslr vfp.repo=$share vfp.run=$share/run vfp.out=/dev/ttyS1 vfp.level=2 vfp.hostname=vfp-l2 vfp.kroot=$kdir/root $(emu_boot_args "$kdir")</cmdline>
		  </os>
		  $(lv_cpu_xml)
		  <on_poweroff>destroy</on_poweroff>
		  <on_reboot>destroy</on_reboot>
		  <on_crash>destroy</on_crash>
		  <devices>
		    <emulator>$(command -v qemu-system-x86_64)</emulator>
		    <filesystem type='mount' accessmode='squash' multidevs='remap'>
		      <source dir='/'/>
		      <target dir='hostroot'/>
		      <readonly/>
		    </filesystem>
		    <filesystem type='mount' accessmode='squash' multidevs='remap'>
		      <source dir='$share'/>
		      <target dir='repo'/>
		    </filesystem>
		    <interface type='bridge'>
		      <source bridge='br0'/>
		      <mac address='52:54:00:12:34:56'/>
		      <model type='virtio'/>
		      <driver name='vhost'/>
		      $extra
		    </interface>
		    <serial type='file'>
		      <source path='$share/run/console.log'/>
		      <target port='0'/>
		    </serial>
		    <serial type='file'>
		      <source path='$share/run/out'/>
		      <target port='1'/>
		    </serial>
		    <controller type='usb' model='none'/>
		    <memballoon model='none'/>
		  </devices>
		</domain>
	EOF
}

# What went wrong with domain $1 (scratch share $2, QEMU pid $3 if it
# started), in scripts/l2's words where it has them, which the harness's
# retry rule reads (an L2 triple fault, L2's console).
lv_explain()
{
	[ -z "${3:-}" ] || l2_shutdown "$3" "${VFP_L2_KVER:-$(uname -r)}"
	echo "# last 40 lines of L2's console:"
	tail -n 40 "$2/run/console.log" 2>/dev/null | sed 's/^/# l2-console: /'
	echo "# libvirt's QEMU log:"
	tail -n 20 "/var/log/libvirt/qemu/$1.log" 2>/dev/null | sed 's/^/# qemu: /'
	tail -n 20 "$LV_LOG" 2>/dev/null | sed 's/^/# libvirtd: /'
}

# Run one domain: lv_run NAME DEVICE INTERFACE_EXTRA. DEVICE is the path
# QEMU's vhost fd must name.
lv_run()
{
	local name=$1 dev=$2 extra=$3 share pid fd out limit i start=$SECONDS

	share=$(mktemp -d /tmp/lv.XXXXXX)
	mkdir -p "$share/run"
	printf 'cd %q\n%s\n' "$VFP_REPO" \
		"selftests/e2e/guest-xfer.sh virtio_net 10.77.0.2/24 10.77.0.1 $MB; echo VFP-DONE \$?; exec sleep 3600" \
		>"$share/run/cmd"
	lv_domain_xml "$name" "$share" "$extra" >"$share/domain.xml"
	vfp_xfer_peer_start vfp-peer "$MB"

	"${VIRSH[@]}" define "$share/domain.xml" >/dev/null || fail "virsh define $name failed"
	DOMAINS+=("$name")
	"${VIRSH[@]}" start "$name" >/dev/null || { lv_explain "$name" "$share"; fail "virsh start $name failed"; }
	pid=$(cat "/run/libvirt/qemu/$name.pid" 2>/dev/null) || fail "no pid file for $name"
	# libvirtd opened the device and handed QEMU the fd.
	fd=$(for f in /proc/"$pid"/fd/*; do readlink "$f"; done | grep -c "^$dev\$")
	log "$name: QEMU $pid holds $fd fd(s) on $dev"
	[ "$fd" -ge 1 ] || { lv_explain "$name" "$share" "$pid"; fail "QEMU of $name has no fd on $dev"; }

	limit=$((400 * VFP_SLOW))
	for ((i = 0; i < limit; i++)); do
		grep -q '^VFP-DONE' "$share/run/out" 2>/dev/null && break
		[ "$("${VIRSH[@]}" domstate "$name" 2>/dev/null)" = running ] || break
		sleep 1
	done
	out=$(tr -d '\r' <"$share/run/out")
	echo "$out" | grep -q '^VFP-DONE 0$' || {
		echo "$out" | sed 's/^/# l2: /'
		lv_explain "$name" "$share" "$pid"
		fail "$name: the guest's transfer failed or did not finish within $limit s"
	}
	vfp_xfer_verify "$(echo "$out" | grep -v '^VFP-DONE')"

	# The counters go with the device's last close: read them while the
	# domain still runs, from the device QEMU holds.
	[ "$(vfp_stats_dump | awk '$1 == "owner" { print $2 }')" = "$pid" ] ||
		fail "$name: no vhostfp device is owned by QEMU $pid"
	vfp_stats_carried "$MB"

	"${VIRSH[@]}" destroy "$name" >/dev/null || fail "virsh destroy $name failed"
	[ "$("${VIRSH[@]}" domstate "$name")" = "shut off" ] || fail "$name is not shut off after destroy"
	vfp_wait_for sh -c '! ls /sys/kernel/debug/vhostfp/*/stats' ||
		fail "$name: vhostfp's device stayed open after destroy"
	grep -hE "$KERNEL_BAD" "$share/run/console.log" && fail "$name: L2's kernel reported the above"
	"${VIRSH[@]}" undefine "$name" >/dev/null || fail "virsh undefine $name failed"
	DOMAINS=()
	kill "$VFP_XFER_SINK_PID" 2>/dev/null
	rm -rf "$share"
	log "$name: passed in $((SECONDS - start)) s"
}

vfp_modprobe tun bridge
modprobe kvm_amd 2>/dev/null || modprobe kvm_intel 2>/dev/null || fail "no KVM module loads in L1"
vfp_bridge_with_peer vfp-peer 10.77.0.1/24
lv_configure
lv_start_daemons

log "domain 1: <backend vhost='/dev/vhost-fp'/>, vhost_net loaded beside it"
vfp_modprobe vhost_net
vfp_load vhostfp
lv_run vfp-backend /dev/vhost-fp "<backend vhost='/dev/vhost-fp'/>"

log "domain 2: libvirt's default XML, vhostfp as /dev/vhost-net"
rmmod vhost_net || fail "cannot unload vhost_net"
rmmod vhostfp || fail "cannot unload vhostfp"
vfp_load vhostfp as_vhost_net=1
[ "$(stat -c '%t:%T' /dev/vhost-net 2>/dev/null)" = a:ee ] || fail "/dev/vhost-net is not 10:238"
lv_run vfp-default /dev/vhost-net ""
[ ! -d /sys/module/vhost_net ] || fail "vhost_net was loaded during the run"
exit $KSFT_PASS
