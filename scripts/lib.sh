# SPDX-License-Identifier: GPL-2.0
# Common definitions for the scripts: sourced, not run.

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${VFP_CACHE:-$REPO/.cache}
SUPPORTED_KVERS=(6.1 6.12)
. "$REPO/scripts/emulation.sh"

# True for a debug kernel (scripts/debug-kernel): its series name (6.1-debug)
# or its ABI name (6.1.0-57-vfpdebug-amd64).
debug_kernel() { case "$1" in *-debug|*-vfpdebug-*) return 0 ;; esac; return 1; }

# The Debian meta package that tracks each supported series.
kver_meta()
{
	case "$1" in
	6.1) echo linux-image-amd64 ;;
	6.12) echo linux-image-6.12-amd64 ;;
	*) return 1 ;;
	esac
}

# Install Debian packages $@ from the archive (as root), quietly.
# Returns 1 with a message on stderr when apt cannot.
apt_install()
{
	apt-get update -q >/dev/null || {
		echo "apt-get update failed: no network to the Debian archive?" >&2
		return 1
	}
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >/dev/null || {
		echo "apt-get install $* failed" >&2
		return 1
	}
}

# "6.1.0-56-amd64" -> "6.1"; "6.12.117+deb12-amd64" -> "6.12"
kver_series() { echo "$1" | sed -E 's/^([0-9]+\.[0-9]+).*/\1/'; }

# Map a series (6.1, 6.12) or a full ABI name to the ABI name. A cached
# kernel wins over the archive, so the harness works offline once set up.
resolve_kver()
{
	local k=$1 meta abi
	case "$k" in
	*-amd64)
		echo "$k"
		return 0
		;;
	esac
	# 6.1, 6.12, or a locally built kernel such as 6.1-debug
	# (scripts/debug-kernel), which only the cache knows.
	if [ -L "$CACHE/kernel/$k" ] && { [ -z "${VFP_REFRESH:-}" ] || ! kver_meta "$k" >/dev/null; }; then
		readlink "$CACHE/kernel/$k"
		return 0
	fi
	meta=$(kver_meta "$k") || return 1
	abi=$(apt-cache depends "$meta" 2>/dev/null | sed -n 's/.*Depends: linux-image-\(.*-amd64\)$/\1/p' | head -1)
	[ -n "$abi" ] || return 1
	echo "$abi"
}

# Directory of a set-up kernel: vmlinux, root/ (modules, headers).
kernel_dir()
{
	local d=$CACHE/kernel/$1
	[ -f "$d/.done" ] || { echo "no kernel '$1' in $CACHE: run scripts/setup $1" >&2; return 1; }
	(cd "$d" && pwd -P)
}

# Modules the initramfs loads to reach its 9p shares and build the overlay.
INITRAMFS_MODULES="virtio_pci 9pnet_virtio 9p overlay"

# Build (or reuse) the harness initramfs for kernel ABI $1; prints its path.
build_initramfs()
{
	local kv=$1 dir out stage m mod
	dir=$(kernel_dir "$kv") || return 1
	out=$dir/initramfs.cpio.gz
	if [ -f "$out" ] && [ "$out" -nt "$REPO/scripts/vm-init" ] && [ "$out" -nt "$REPO/scripts/lib.sh" ] &&
	   [ "$out" -nt "$REPO/scripts/emulation.sh" ]; then
		echo "$out"
		return 0
	fi
	stage=$(mktemp -d)
	mkdir -p "$stage"/{bin,dev,proc,sys,m,newroot}
	cp /bin/busybox "$stage/bin/busybox"
	cp "$REPO/scripts/vm-init" "$stage/init"
	cp "$REPO/scripts/emulation.sh" "$stage/emulation.sh"
	: >"$stage/m/order"
	for m in $INITRAMFS_MODULES; do
		modprobe -d "$dir/root" -S "$kv" --show-depends "$m" 2>/dev/null |
			sed -n 's/^insmod \([^ ]*\).*/\1/p'
	done | awk '!seen[$0]++' | while read -r mod; do
		case "$mod" in
		*.xz) xz -dc "$mod" >"$stage/m/$(basename "${mod%.xz}")" ;;
		*.zst) zstd -dcq "$mod" >"$stage/m/$(basename "${mod%.zst}")" ;;
		*) cp "$mod" "$stage/m/" ;;
		esac
		basename "${mod%.[xz][zs]*}" >>"$stage/m/order"
	done
	(cd "$stage" && find . | cpio -o -H newc --quiet | gzip -1) >"$out.tmp.$$"
	rm -rf "$stage"
	mv "$out.tmp.$$" "$out"
	echo "$out"
}

# True when /dev/kvm can run a stock kernel: a real kvm_intel/kvm_amd, not
# the sandbox's pagetable-based kvm_pvm (which cannot).
kvm_usable()
{
	[ -w /dev/kvm ] || return 1
	[ -d /sys/module/kvm_intel ] || [ -d /sys/module/kvm_amd ]
}

# Print "L1's SYMBOL+OFF [MODULE]" when address $1 (16 hex digits, no 0x)
# lies in the text of a module of L1's, from kallsyms file $2: between one
# of that module's text symbols and the next. An L2 stopped at such an
# address runs on L1's own state (emulation.sh, l2-l1-rip).
l1_module_sym()
{
	awk -v r="$1" '
	length($1) == 16 && NF == 4 && $2 ~ /^[tT]$/ {
		if ($1 <= r && $1 > a) { a = $1; n = $3; m = $4 }
		if ($1 > r && (b == "" || $1 < b)) { b = $1; bm = $4 }
	}
	END { if (n != "" && b != "" && bm == m) print a, n, m }' "$2" |
	while read -r a n m; do
		printf "L1's %s+0x%x %s\n" "$n" $((16#$1 - 16#$a)) "$m"
	done
}

# Print the shutdown exits (triple faults) of the L2 whose QEMU had pid $1
# and which ran kernel $2, from the trace a --pin-keys L1 keeps
# (emulation.sh, EMU_L2_TRACE), as scripts/l2 and e2e/libvirt.sh (whose
# L2 is a libvirt domain) report them. When L2 runs L1's kernel, each RIP
# in kernel text is named from L1's kallsyms: L2 boots without KASLR (text
# at 0xffffffff81000000), L1 with it (Debian ships no System.map). A RIP in
# the module area is named when it lies in one of L1's modules (which KASLR
# placed at a random base; L2's sit at a fixed one).
l2_shutdown()
{
	local line rip sym off="" t

	# In vm-init's chroot, tracefs shows through debugfs.
	for t in "$EMU_L2_TRACE" "/sys/kernel/debug/tracing/${EMU_L2_TRACE#/sys/kernel/tracing/}" ""; do
		[ ! -r "$t/trace" ] || break
	done
	[ -n "$t" ] || return 0
	if [ "$2" = "$(uname -r)" ]; then
		off=$(awk '$3 == "_text" { print $1; exit }' /proc/kallsyms)
		[ -z "$off" ] || off=$((16#$off - 0xffffffff81000000))
	fi
	{ grep -E "\( *$1\) .* kvm_exit:" "$t/trace" || true; } | head -4 | while read -r line; do
		rip=$(echo "$line" | sed -nE 's/.* rip 0x([0-9a-f]+) .*/\1/p') sym=""
		# Kernel text only: L2's modules lie elsewhere than L1's.
		if [ -n "$off" ] && [ ${#rip} = 16 ] && [[ $rip < ffffffffc0000000 ]]; then
			# Same-width hex compares as text: the last symbol at or below.
			sym=$(awk -v r="$(printf '%016x' $((16#$rip + off)))" \
				'length($1) == 16 && $1 <= r && $1 > a { a = $1; n = $3 } END { if (n != "") print a, n }' /proc/kallsyms)
			[ -z "$sym" ] || sym=$(printf '%s+0x%x' "${sym#* }" $((16#$rip + off - 16#${sym%% *})))
		elif [ ${#rip} = 16 ]; then
			sym=$(l1_module_sym "$rip" /proc/kallsyms)
		fi
		echo "l2: L2 shut down (triple fault) at ${sym:-rip 0x$rip}: ${line#*kvm_exit: }" >&2
	done
}

# Reports that fail a run: the kernel found a bug in itself or in a module.
# kmemleak's own "N new suspected memory leaks" line is not one: every
# scan is made by vm-init, which prints each object (known stock leaks
# as one "known" line), or by a test, which fails itself on a report.
# "BUG <cache> (" is SLUB's own report (slub_debug, scripts/vm --slab-debug).
KERNEL_BAD='WARNING:|BUG:|BUG [^ ]+ \(|Oops|general protection fault|KASAN:|UBSAN:|unreferenced object|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|Kernel panic|soft lockup|hard LOCKUP|self-detected stall|refcount_t:|list_add corruption|list_del corruption|blocked for more than [0-9]+ seconds|detected stalls on CPUs'

# The state letter of task directory $1 (/proc/PID/task/TID): the field
# after the name, which may hold spaces ("CPU 0/TCG": debug-threads=on).
vm_task_state()
{
	sed 's/.*) //; s/ .*//' "$1/stat" 2>/dev/null
}

# vm_watchdog TIMEOUT_PID SECONDS: QEMU outlived its timeout's SIGKILL, so
# it sleeps in the kernel: write where to $RUN/stuck (and, inside a VM, every
# blocked task to the console) and kill timeout(1), so the caller can go on.
vm_watchdog()
{
	local s="" q t
	trap 'kill ${s:-} 2>/dev/null; exit 0' TERM
	sleep "$2" &
	s=$!
	wait $s
	kill -0 "$1" 2>/dev/null || return 0
	{
		echo "$VM_NAME: QEMU did not exit after SIGKILL: it is stuck in the kernel"
		for q in $(pgrep -P "$1"); do
			for t in /proc/"$q"/task/*; do
				echo "$VM_NAME: task ${t##*/} ($(cat "$t/comm" 2>/dev/null)) state $(vm_task_state "$t"):"
				sed "s/^/$VM_NAME:     /" "$t/stack" 2>/dev/null
			done
		done
	} >"$RUN/stuck.tmp"
	mv "$RUN/stuck.tmp" "$RUN/stuck"
	[ "$VM_LEVEL" != 2 ] || echo w >/proc/sysrq-trigger 2>/dev/null
	kill -9 "$1" 2>/dev/null
}

# vm_report_watch QEMU_PID: once the console holds a kernel report, give
# the VM VM_REPORT_GRACE seconds (default 300) to print the rest of it and
# finish, then stop it and leave $RUN/reported. The run fails on the report
# either way; a kernel that deadlocked after reporting (a recursive
# spinlock on its only vCPU) would otherwise sit out the whole timeout.
vm_report_watch()
{
	local s=""
	trap 'kill ${s:-} 2>/dev/null; exit 0' TERM
	while kill -0 "$1" 2>/dev/null; do
		if grep -qE "$KERNEL_BAD" "$VM_LOG" 2>/dev/null; then
			sleep "${VM_REPORT_GRACE:-300}" &
			s=$!
			wait $s
			kill -0 "$1" 2>/dev/null || return 0
			: >"$RUN/reported"
			# timeout(1) passes the signal on to QEMU.
			kill "$1" 2>/dev/null
			return 0
		fi
		sleep 5 &
		s=$!
		wait $s
	done
}

# vm_hang_probe TIMEOUT_PID SECONDS: if QEMU still runs after SECONDS (so
# shortly before its timeout), record what its vCPUs and threads are doing
# in $RUN/hang: the monitor's registers of every vCPU and CPU 0's local
# APIC (its IRR holds an interrupt the CPU was never given) twice, 2 s
# apart, and each QEMU thread's state and wait channel. A VM that times
# out with nothing in its log (a guest that froze) then says whether its
# CPUs still moved, sat halted, or whether QEMU itself stopped answering.
vm_hang_probe()
{
	local s="" q i t
	trap 'kill ${s:-} 2>/dev/null; exit 0' TERM
	sleep "$2" &
	s=$!
	wait $s
	q=$(pgrep -P "$1" | head -1)
	[ -n "$q" ] || return 0
	for i in 1 2; do
		printf '\n== sample %s, %s\n' "$i" "$(date +%T)"
		printf 'info registers -a\ncpu 0\ninfo lapic\n' |
			timeout 5 socat -t 3 - "UNIX-CONNECT:$RUN/monitor" ||
			echo "the monitor did not answer"
		sleep 2
	done >"$RUN/hang.tmp" 2>&1
	for t in /proc/"$q"/task/*; do
		echo "thread ${t##*/} $(tr ' ' _ <"$t/comm" 2>/dev/null) state $(vm_task_state "$t") wchan $(cat "$t/wchan" 2>/dev/null)"
	done >>"$RUN/hang.tmp"
	mv "$RUN/hang.tmp" "$RUN/hang"
}

# Print the summary of $RUN/hang: per vCPU, RIP, CPL and HLT in each
# sample; CPU 0's APIC timer, ISR and IRR in each; the threads' states.
vm_hang_summary()
{
	[ -s "$RUN/hang" ] || return 0
	awk -v n="$VM_NAME" '
	/^== sample/ { smp = $3 + 0 }
	/the monitor did not answer/ { print n ": before the timeout, sample " smp ": the monitor did not answer" }
	/^CPU#/ { cpu = $1 }
	/^RIP=/ { v[cpu] = v[cpu] (v[cpu] == "" ? "" : ", then ") $1 " " $4 " " $NF }
	/^thread / { th = th " " $3 ":" $5 (($7 != "" && $7 != "0") ? "/" $7 : "") }
	/^(ISR|IRR|Timer)/ { sub(/\r$/, ""); apic[smp] = apic[smp] (apic[smp] == "" ? "" : "; ") $0 }
	END {
		for (c in v) print n ": before the timeout, " c " " v[c]
		for (i = 1; i <= 2; i++) if (i in apic) print n ": local APIC of CPU 0, sample " i ": " apic[i]
		if (th != "") print n ": QEMU threads (name:state/wchan):" th
	}' "$RUN/hang"
}

# vm_boot: boot one VM and run $RUN/cmd in it. The caller sets:
#   VM_NAME (vm or l2), VM_KDIR, VM_INITRD, VM_ACCEL (array), VM_MEM, VM_SMP,
#   VM_TIMEOUT, VM_SHARE (read-write share, mounted at its own path),
#   VM_EXTRA (array of QEMU options), VM_APPEND, RUN (run dir inside
#   VM_SHARE holding cmd), VM_LOG, VM_QUIET, VM_ALLOW_WARN, VM_LEVEL.
# Returns the command's status, 124 on timeout, 125 on a kernel report or
# when the VM died without a result; sets VM_KEEP=1 when $RUN is worth keeping.
vm_boot()
{
	local qrc rc report tailpid="" tpid wpid rpid="" hpid
	local -a qemu

	# Under TCG, QEMU itself says why a CPU reset the machine (a triple
	# fault) in $RUN/qemu-debug.log, unless a plugin holds the log (-D).
	local -a dbg=()
	if [ "${VM_ACCEL[1]%%,*}" = tcg ] && [[ " ${VM_EXTRA[*]} " != *" -D "* ]]; then
		dbg=(-d guest_errors,cpu_reset -D "$RUN/qemu-debug.log")
	fi
	# A debug kernel's own boot options (emulation.sh, W3).
	local append="$VM_APPEND $(emu_boot_args "$VM_KDIR")"
	qemu=(qemu-system-x86_64 "${VM_ACCEL[@]}" "${dbg[@]}" -m "$VM_MEM" -smp "$VM_SMP" -nographic
		-no-reboot -display none -monitor "unix:$RUN/monitor,server=on,wait=off"
		-name "$VM_NAME,debug-threads=on"
		-nic none -nodefaults -vga none
		-kernel "$VM_KDIR/vmlinux" -bios /usr/share/qemu/qboot.rom -initrd "$VM_INITRD"
		-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap
		-virtfs "local,path=$VM_SHARE,mount_tag=repo,security_model=none,multidevs=remap"
		-serial "file:$VM_LOG" -chardev "file,id=out,path=$RUN/out" -serial chardev:out
		"${VM_EXTRA[@]}"
		-append "console=ttyS0 loglevel=5 panic=-1 mitigations=off vfp.repo=$VM_SHARE vfp.run=$RUN vfp.out=/dev/ttyS1 vfp.level=$VM_LEVEL vfp.hostname=vfp-l$VM_LEVEL $append")
	VM_KEEP=0
	: >"$RUN/out"
	if [ "$VM_QUIET" = 0 ]; then
		tail -n +1 -F -s 0.2 "$RUN/out" 2>/dev/null &
		tailpid=$!
	fi
	set +e
	timeout -k 5 "$VM_TIMEOUT" "${qemu[@]}" </dev/null >"$RUN/qemu.log" 2>&1 &
	tpid=$!
	vm_watchdog "$tpid" $((VM_TIMEOUT + 60)) </dev/null >/dev/null 2>&1 &
	wpid=$!
	vm_hang_probe "$tpid" $((VM_TIMEOUT > 60 ? VM_TIMEOUT - 20 : VM_TIMEOUT * 2 / 3)) \
		</dev/null >/dev/null 2>&1 &
	hpid=$!
	rm -f "$RUN/reported"
	if [ "$VM_ALLOW_WARN" = 0 ]; then
		vm_report_watch "$tpid" </dev/null >/dev/null 2>&1 &
		rpid=$!
	fi
	wait "$tpid"
	qrc=$?
	kill "$wpid" "$hpid" $rpid 2>/dev/null
	wait "$wpid" "$hpid" $rpid 2>/dev/null
	set -e
	if [ -s "$RUN/stuck" ]; then
		cat "$RUN/stuck" >&2
		qrc=124
	fi
	if [ -n "$tailpid" ]; then
		sleep 0.3
		kill "$tailpid" 2>/dev/null
		wait "$tailpid" 2>/dev/null || true
	fi

	report=$(cat "$VM_LOG" "$RUN/dmesg" 2>/dev/null | grep -E "$KERNEL_BAD" | sort -u | head -20 || true)
	if [ -f "$RUN/reported" ] && [ ! -f "$RUN/rc" ]; then
		echo "$VM_NAME: stopped ${VM_REPORT_GRACE:-300} s after a kernel report; serial log: $VM_LOG" >&2
		[ "$VM_LEVEL" = 2 ] || tail -n 30 "$VM_LOG" >&2
		VM_KEEP=1
		rc=125
	elif [ $qrc = 124 ] || [ $qrc = 137 ]; then
		echo "$VM_NAME: timeout after ${VM_TIMEOUT}s; serial log: $VM_LOG" >&2
		vm_hang_summary >&2
		VM_KEEP=1
		rc=124
	elif [ ! -f "$RUN/rc" ]; then
		echo "$VM_NAME: the VM stopped without a result (qemu exit $qrc); serial log: $VM_LOG" >&2
		sed 's/^/qemu: /' "$RUN/qemu.log" >&2
		grep -h 'Triple fault' "$RUN/qemu-debug.log" 2>/dev/null | head -1 | sed "s/^/$VM_NAME: /" >&2
		# scripts/l2 prints more of its console itself.
		[ "$VM_LEVEL" = 2 ] || tail -n 30 "$VM_LOG" >&2
		VM_KEEP=1
		rc=125
	else
		rc=$(cat "$RUN/rc")
	fi
	if [ -n "$report" ]; then
		echo "$VM_NAME: the kernel reported:" >&2
		echo "$report" | sed "s/^/$VM_NAME:   /" >&2
		if [ "$VM_ALLOW_WARN" = 0 ]; then
			VM_KEEP=1
			[ "$rc" != 0 ] || rc=125
		fi
	fi
	[ $VM_KEEP = 0 ] || echo "$VM_NAME: run directory kept: $RUN" >&2
	return "$rc"
}
