# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Everything the harness does because the machine is emulated or a stock
# part is broken, and nothing else: the workarounds, and the catalogue of
# emulation failures a retry may forgive. Sourced by scripts/lib.sh (bash)
# and by the initramfs's /init (busybox sh, scripts/vm-init): POSIX sh, and
# local, which both have.
# The functions the host calls may use scripts/lib.sh's (debug_kernel).
#
# Where we run: L1 (the "KVM host") under TCG with -cpu max, whose SVM lets
# kvm_amd load; L2 under that KVM. Both are far from real hardware.

# -- Workarounds ------------------------------------------------------------
#
# W1. Stale translations of patched code (--pin-keys, emu_pin_keys below).
#     TCG with several vCPUs may run a translation of kernel text that
#     another vCPU is patching: the kernel meets an int3 that no patch is
#     in progress for (catalogue entry l1-int3). The sites that patch
#     under running vCPUs are static keys: preempt_notifier_key (KVM flips
#     it at every VM's creation and destruction, so at each L2's start and
#     exit) and netstamp_needed_key (a ping flips it). A --pin-keys VM boots
#     with maxcpus=1, flips both on while alone (kvm_amd loaded, and the
#     holder selftests/harness/pinkeys keeps a KVM VM and an SO_TIMESTAMP
#     socket open), then onlines its other vCPUs; L2s and pings only move
#     the keys' counts. Costs ~6 s a VM.
#     Still needed? Run the --nested tests without --pin-keys a few times:
#     "Oops: int3" in L1 came back in about one nested test in ten.
EMU_PIN_KEYS_ARGS="maxcpus=1 vfp.pinkeys=1"
emu_pin_keys()
{
	# $1: the new root; $2: the repository inside it.
	chroot "$1" modprobe kvm_amd 2>/dev/null
	chroot "$1" "$2/selftests/harness/pinkeys" /run/vfp-pinkeys \
		</dev/null >/dev/null 2>/dev/ttyS0 &
	i=0
	while [ ! -e "$1/run/vfp-pinkeys" ] && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -e "$1/run/vfp-pinkeys" ] || echo "vm-init: the key holder did not start" >/dev/ttyS0
	emu_l2_shutdown_trace
	# SO_TIMESTAMP flips its key from a work item: let it run first.
	sleep 1
	for c in /sys/devices/system/cpu/cpu[0-9]*/online; do
		echo 1 >"$c" 2>/dev/null
	done
	[ "$(cat /sys/devices/system/cpu/online)" = "$(cat /sys/devices/system/cpu/present)" ] ||
		echo "vm-init: vCPUs online $(cat /sys/devices/system/cpu/online) of $(cat /sys/devices/system/cpu/present)" >/dev/ttyS0
}

# The trace instance through which scripts/l2 names an L2's triple fault
# (which leaves nothing in L2 itself): L1's KVM records L2's shutdown exits,
# with the QEMU process's pid (record-tgid). Enabling a tracepoint patches
# kernel text, so this too happens while one vCPU is online (W1): enabled
# under running vCPUs, it left L1's CPU 0 at an int3 in __schedule and
# soft-locked CPU 1 in text_poke_bp (6.1, stock vhost_net).
EMU_L2_TRACE=/sys/kernel/tracing/instances/l2-shutdown
emu_l2_shutdown_trace()
{
	local t=$EMU_L2_TRACE shut=2

	# SVM's exit code 0x7f (shutdown); VMX's basic exit reason 2.
	[ ! -d /sys/module/kvm_amd ] || shut=127
	mkdir -p /sys/kernel/tracing
	mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null
	mkdir "$t" 2>/dev/null &&
		echo 1 >"$t/options/record-tgid" &&
		echo "exit_reason == $shut" >"$t/events/kvm/kvm_exit/filter" &&
		echo 1 >"$t/events/kvm/kvm_exit/enable" ||
		echo "vm-init: no trace of L2 shutdowns" >/dev/ttyS0
}

# W2. L2's CPU model: KVM nested in TCG reports an XSAVE area size (CPUID
#     0xD) that does not match the features it enables, and the L2 kernel
#     WARNs at boot; -xsave hides XSAVE. Still needed? VFP_L2_CPU=host.
EMU_L2_CPU=host,-xsave

# W3. A debug kernel's (scripts/debug-kernel) instrumented ACPI interpreter
#     needs ~30 s under TCG for the _PRT loop of QEMU's pc machine, once per
#     PCI device it enables, past ACPICA's loop limit on a loaded machine;
#     acpi=noirq skips it (our devices use MSI-X). panic_on_warn=1 is not a
#     workaround: a debug kernel is there to stop at the first warning.
#     Still needed? Boot a debug kernel without it: "AE_AML_LOOP_TIMEOUT".
emu_boot_args()
{
	! debug_kernel "$1" || echo "panic_on_warn=1 acpi=noirq"
}

# W4. One stock leak: vhost_net allocates its zero-copy reference count in
#     vhost_net_ioctl (SET_BACKEND) and loses it when the fd is closed with
#     the TX backend set under experimental_zcopytx=1 (6.1 and 6.12). The
#     tests that do so on purpose leave one 1-counted object per close.
#     Such an object (first caller past the allocator vhost_net_ioctl, first
#     word 1) is printed as one "kmemleak: known stock vhost_net leak" line,
#     which is not a report; every other object is printed whole. Only
#     debug kernels have kmemleak. Still needed? Remove the filter and run
#     vhostfp/badinput on a debug kernel.
emu_kmemleak_filter()
{
	awk '
	function flush() {
		if (blk == "")
			return
		if (known && one && head != "")
			print "kmemleak: known stock vhost_net leak: " head
		else
			printf "%s", blk
		blk = ""
	}
	/unreferenced object/ {
		flush()
		head = $0
		sub(/^ *unreferenced object /, "", head)
		known = 0; one = 0; frame = 0; inhex = 0; intrace = 0
	}
	{ blk = blk $0 "\n" }
	/hex dump/ { inhex = 1; next }
	inhex {
		inhex = 0
		one = $1 == "01" && $2 == "00" && $3 == "00" && $4 == "00"
	}
	/backtrace/ { intrace = 1; next }
	intrace && !frame && !/(kmalloc|kmem_cache_alloc)/ {
		frame = 1
		known = /vhost_net_ioctl\+.*\[vhost_net\]/
	}
	END { flush() }' "$1"
}

# W5. Slowness. Not the emulator's but the debug kernels' checkers (3 to 7
#     times slower): emu_slow is the factor every timeout and wait scales
#     by, VFP_DEBUG_SLOWDOWN (default 4) on a debug kernel in either level.
#     scripts/vm scales its own --timeout and passes vfp.slow= to the VM,
#     where it is VFP_SLOW (vm-init), which scripts/l2 and the tests read.
emu_slow()
{
	local k
	for k in "$@"; do
		! debug_kernel "$k" || { echo "${VFP_DEBUG_SLOWDOWN:-4}"; return; }
	done
	echo 1
}

# W6. L2's memory stays where it is (--pin-keys, which every test that
#     starts nested guests has): L1 boots with transparent hugepages off,
#     so khugepaged never collapses L2's memory into huge pages, and with
#     compaction keeping off unevictable pages, which scripts/l2 makes all
#     of L2's (QEMU's -overcommit mem-lock=on). The emulation's nested SVM
#     appears to corrupt memory when L1 moves a page of a running L2: stock parts
#     under an L1 that compacted memory every 0.3 s and ran khugepaged
#     fast (15,000 to 18,000 page migrations, 30 to 50 collapses a run)
#     died in 2 of 5 runs: an L2 triple fault (6.12 nested virtio_net over
#     vhost_net, at pv_native_safe_halt+0xf delivering an interrupt) and an
#     L1 "corrupted stack end" in the scheduler (6.12, vhost_net, mq4);
#     with W6 under the same churn (30,000 to 43,000 migrations, no
#     collapse), 6 of 6 passed. Without churn an L1 migrates nothing during
#     a nested test, but khugepaged collapses 7 to 9 huge pages of L2's
#     memory. W6 does not stop the early-boot death of 6.1 mq4-vhostfp
#     (l2-triple-fetch): one came with it. Nor is it enough: of two
#     clean-clone make-check runs with W6, the first had no nested death,
#     the second four (L2 triple faults delivering an interrupt or the
#     fetch page fault, and one L1 "corrupted stack end" panic, 6.12
#     virtio_guest/mq). Still needed? Boot L1 with
#     transparent_hugepage=madvise and loop the nested tests.
EMU_NESTED_ARGS="transparent_hugepage=never sysctl.vm.compact_unevictable_allowed=0"
EMU_L2_QEMU_ARGS="-overcommit mem-lock=on"

# -- The retry catalogue ------------------------------------------------------
#
# The rule (Documentation/testing.rst, "What a green run promises"):
# a test whose VM died is run again only when the death matches one entry
# below, in its scope; then its log says "# RETRY <test>: <entry>". An
# entry forgives one death of a test in all (emu_allowance); the L2 triple
# faults (l2-l1-rip, l2-triple-fetch, l2-triple-intr), which all stop L2 at
# its first step after the emulated VMRUN, two: a failure past that fails
# the test, whatever it was. Nothing else is retried: a timeout, a hang, an
# assertion, a report with a frame of ours, a checksum mismatch. A death
# of a VM whose memory our code could have written (an L1 that loaded a
# module of ours, an L2 after its NIC came up with any backend of ours) is
# in an entry's scope only when the entry says so: irq-if0 and l2-l1-rip,
# which no write to memory can produce, and the triple faults (l1-triple,
# l2-triple-fetch, l2-triple-intr), which emulation produced with nothing
# of ours able to, and which a write of ours could in principle produce
# too.
#
# Each entry: its signature, its scope, and the runs that showed it where
# nothing of ours ran (the evidence that the emulation, not we, did it).
#
# l1-int3        L1's only reports are "Oops: int3" and the panic after it.
#   scope        L1 loaded no module of ours.
#   evidence     2026-11-26 (commit 99f4a0c): 6.12 e2e/nested-virtio_guest-
#                qemu, L1 running QEMU's userspace backend alone, int3 in
#                __schedule; 6.12 virtio_guest/mq (6f9c9e7), L1 running
#                vhost_net, int3 in kvm_arch_vcpu_ioctl_run. W1 since.
# l1-gif-irq     an L1 report with "RIP: 0010:__svm_vcpu_run+": an
#                interrupt between VMRUN and VMLOAD, where GIF=0 holds
#                every interrupt on real hardware.
#   scope        L1 loaded no module of ours.
#   evidence     2026-11-27 (be3efde): 6.12-debug virtio_guest/mq, L1
#                running vhost_net.
# l1-triple      L1 stopped with no result and no kernel report, and QEMU's
#                own log says "Triple fault"; no L2 died before it.
#   scope        any. A triple fault is a double fault the CPU could not
#                deliver: the IDT, the GDT or the IST stack gone. Module
#                bugs die with a report first, unless one wrote over those;
#                the entry forgives one such death per test, not two.
#   evidence     2026-11-26 (99f4a0c): 6.12 virtio_guest/mq, L1 (vhost_net)
#                gone after 23 s; 2026-11-28: 6.1-debug virtio_guest/mq,
#                stock L1 (vhost_net) triple-faulted under a debug L2.
# l2-early-boot  L2's only reports come from its boot task (PID 0) in
#                start_kernel, before rest_init, or L2 stopped with a
#                start_kernel trace and no result; L1 silent.
#   scope        any: before userspace L2 has probed no NIC, so no backend
#                has its memory table or rings and no module of ours runs
#                in it: up to there the run is stock, whatever the test.
#   evidence     2026-11-28 (ccac339): CI, 6.12, a stock L2 warned in
#                apparmor_init 6 s into its boot; 2026-11-27 (1a805f6):
#                6.12-debug, a stock L2 took a #DB in exc_debug_kernel, then
#                a fault in text_poke_early, 13 s into its boot.
# l2-triple-fetch L2 triple-faulted (scripts/l2's trace of L1's KVM) while
#                delivering a page fault on an instruction fetch in
#                supervisor mode, page not present (intr_info 0x80000b0e,
#                error code 0x10); no report in L1 or L2.
#   scope        any. A write of ours into L2's page tables could look the
#                same; the entry forgives one such death per test, and a
#                second fails it (and every transfer is sha256-checked).
#   evidence     2026-12-07: 6.1 e2e/mq4-vhostfp, L2 died before its
#                console came up (it printed nothing), so before its NIC
#                was probed and any backend had its memory table: at
#                0xffffffffc045c20c, a module address L2 had no module at.
#                That address is L1's, not L2's: kvm_amd's instruction
#                after VMRUN (l2-l1-rip, which now takes such deaths
#                first). Those since at an L2 address stopped on the
#                instruction after one that exits to L1, so on L2's first
#                fetch after the emulated VMRUN, of kernel text that is
#                mapped: 2026-12-07, 6.12 virtio_guest/mq (L1 vhost_net),
#                native_write_msr+0xa, after WRMSR; 2026-12-08, 6.1
#                e2e/mq4-vhostfp, read_pci_config+0x35, after "in" from
#                port 0xcfc. Forgives two deaths of a test, as l2-l1-rip.
# l2-l1-rip      L2 shut down (scripts/l2's trace) at an address in L1's
#                __svm_vcpu_run, kvm_amd's own VMRUN sequence: L2 resumed
#                on L1's state. Any event, no report in L1 or L2.
#   scope        any, and it forgives two deaths of a test (every other
#                entry forgives one). The address is what the emulated
#                CPU's VMRUN saves as L1's return point (the instruction
#                after VMRUN) into its host-save area, which no software
#                writes; KVM copies an L2's RIP from and to the VMCB's save
#                area only. L2 on L1's CR3 and descriptor tables cannot
#                deliver the page fault its first fetch takes: a triple
#                fault (that the page fault was not delivered either says
#                more than RIP was L1's). No write of ours makes L1's
#                VMRUN return point L2's RIP.
#   evidence     by mechanism, not by a stock run: every one seen came
#                with vhostfp in L1. 2026-12-07 CI (f3cc16f): 6.1
#                e2e/vmstop-vhostfp died twice, at 0xffffffffc044720c;
#                the 6.1 l2-triple-fetch deaths of sessions 19-21 were at
#                0xffffffffc04xx20c. In 6.1.0-57's kvm-amd.ko the core
#                layout puts .noinstr.text at 0x140f0 and VMRUN at
#                __svm_vcpu_run+0x99, so the next instruction at 0x1420c:
#                page offset 0x20c, the page moving with L1's randomised
#                module base (L2 boots with nokaslr, its modules fixed).
#                Before the trace named L1's modules these were
#                l2-triple-fetch.
# l2-triple-intr L2 triple-faulted (scripts/l2's trace) while delivering an
#                external interrupt (intr_info 0x800000XX: valid, type 0);
#                no report in L1 or L2.
#   scope        any, as l2-triple-fetch, and for the same reason; it
#                forgives two deaths of a test, as l2-triple-fetch.
#   evidence     2026-12-07 (b81a86e): 6.12 e2e/nested.sh virtio_net
#                vhost_net, L1 and L2 stock, under an L1 that compacted its
#                memory every 0.3 s (W6): at pv_native_safe_halt+0xf,
#                delivering vector 0x26. The same place and kind as 6.12
#                nested-virtio_guest-vhost_net's death of that day (vector
#                0xec), which had been a known failure. pv_native_safe_halt
#                +0xf is after "sti; hlt": the interrupt that ends the halt
#                comes through L1 (a HLT exit, then VMRUN injecting it).
#                2026-12-08, 6.1 e2e/mq4-vhostfp: at handle_softirqs+0x7d,
#                vector 0x27, the return from "sti" (local_irq_enable), where
#                L1 injects what waited for the interrupt window: again on
#                L2's first step after a VMRUN.
# irq-if0        an interrupt the CPU had masked: a report whose <IRQ>
#                section interrupted a frame with IF clear in its EFLAGS,
#                or an L2 double fault at entry_SYSCALL_64+0x0 on the
#                user's stack (SYSCALL has just cleared IF; the event's
#                frame went onto the user stack, and SMAP refused it).
#   scope        any: the interrupted frame's flags and the entry point are
#                the CPU's record of the delivery, made in registers, and
#                no write to memory, ours or anyone's, makes a CPU deliver
#                a maskable interrupt with IF=0. (A corrupted mapping that
#                made fetching entry_SYSCALL_64 fault would have stopped
#                the double-fault handler too: asm_exc_double_fault lies in
#                the same .entry.text, under the same 2 MiB kernel page.)
#                The class, an interrupt the architecture holds, is
#                l1-gif-irq's, seen on stock parts.
#   evidence     2026-11-27 (be3efde, stock L1: the GIF=0 case above);
#                2026-11-28 (ec2d72f): a 6.12-debug L2 took its timer
#                interrupt inside hrtimer_interrupt with interrupts off;
#                2026-12-07: L1 of 6.1 e2e/nested-virtio_net-vhostfp-viommu
#                spun in 9p's req_done, an interrupt taken in
#                p9_virtio_request's irqsave section (EFLAGS 0x92), and the
#                L2s of 6.1 e2e/mq4-vhostfp double-faulted at
#                entry_SYSCALL_64+0x0 three times; none of those was stock.
#
# Still needed? results/retries counts each entry's retries per run; an
# entry no run has needed for a month can go.

# True when L1 of test log $1 (its console: $1.console) loaded a module of
# ours: both are out-of-tree, and nothing else is.
emu_l1_ran_ours()
{
	grep -q 'loading out-of-tree module taints kernel' "$1.console" 2>/dev/null ||
		grep -qE '^vm: .*Tainted: [A-Z ]*O' "$1"
}

# True when the trace lines on stdin hold an interrupt taken where IF was
# clear: after an "</IRQ>", the interrupted frame's EFLAGS lacks bit 9.
emu_irq_if0()
{
	awk '/<\/IRQ>/ { irq = 1; next }
	irq && match($0, /EFLAGS: [0-9a-f]+/) {
		f = substr($0, RSTART + 8, RLENGTH - 8)
		v = 0
		for (i = 1; i <= length(f); i++)
			v = v * 16 + index("0123456789abcdef", substr(f, i, 1)) - 1
		if (int(v / 512) % 2 == 0)
			found = 1
		irq = 0
	}
	END { exit !found }'
}

# How many deaths of one test catalogue entry $1 forgives in all: a test
# is run again after a death while its deaths so far number no more than
# the allowance of the entry the last one matched.
emu_allowance()
{
	case $1 in
	l2-l1-rip | l2-triple-fetch | l2-triple-intr) echo 2 ;;
	*) echo 1 ;;
	esac
}

# Print the catalogue entry test log $1 matches, or return 1. Tests that
# hold scripts/l2's output and print it later prefix each of its lines
# with "# l2: " (vmstop.sh, libvirt.sh, nested.sh on failure): the rules
# read L2's lines without that prefix, wherever they came from.
emu_classify()
{
	local norm rc=0

	norm=$(mktemp) || return 1
	sed -E 's/^# l2: (l2: |# l2-console: )/\1/' "$1" >"$norm"
	[ ! -e "$1.console" ] || ln -s "$(realpath "$1.console")" "$norm.console"
	emu_classify_log "$norm" || rc=$?
	rm -f "$norm" "$norm.console"
	return $rc
}

# emu_classify on a log whose L2 lines carry no prefix.
emu_classify_log()
{
	local log=$1 vm l2

	# A wrong result is never the emulation's.
	! grep -qiE 'sha256 (mismatch|differ)|data differs' "$log" || return 1
	vm=$(grep -E '^vm:   ' "$log")
	l2=$(grep -E '^l2:   ' "$log")
	if [ -z "$l2" ] && ! emu_l1_ran_ours "$log" &&
	   ! grep -q '^l2: the VM stopped without a result' "$log"; then
		# The int3 itself, and nothing but it and the panic after it.
		if echo "$vm" | grep -q 'Oops: int3' &&
		   ! echo "$vm" | grep -vqE 'Oops: int3|Kernel panic - not syncing'; then
			echo l1-int3
			return 0
		fi
		if [ -n "$vm" ] && grep -qE 'RIP: 0010:__svm_vcpu_run\+' "$log.console" 2>/dev/null; then
			echo l1-gif-irq
			return 0
		fi
	fi
	if [ -z "$vm" ] && [ -z "$l2" ] && grep -q '^vm: the VM stopped without a result' "$log" &&
	   grep -q '^vm: .*Triple fault' "$log" && ! grep -q '^l2: the VM stopped without a result' "$log"; then
		echo l1-triple
		return 0
	fi
	# L2 stopped at L1's own VMRUN sequence; no report anywhere.
	if [ -z "$vm" ] && [ -z "$l2" ] &&
	   grep -qE "^l2: L2 shut down \(triple fault\) at L1's __svm_vcpu_run\+0x[0-9a-f]+ \[kvm_amd\]: " "$log"; then
		echo l2-l1-rip
		return 0
	fi
	# L2 shut down delivering a page fault on an instruction fetch,
	# supervisor, page not present; no report anywhere.
	if [ -z "$vm" ] && [ -z "$l2" ] &&
	   grep -qE '^l2: L2 shut down \(triple fault\) at .* intr_info 0x80000b0e error_code 0x00000010' "$log"; then
		echo l2-triple-fetch
		return 0
	fi
	# L2 shut down delivering an external interrupt; no report anywhere.
	if [ -z "$vm" ] && [ -z "$l2" ] &&
	   grep -qE '^l2: L2 shut down \(triple fault\) at .* intr_info 0x800000[0-9a-f]{2} ' "$log"; then
		echo l2-triple-intr
		return 0
	fi
	# An interrupt delivered through IF=0, in L1 (its console) or in L2.
	if { [ -n "$vm" ] && emu_irq_if0 <"$log.console"; } ||
	   { [ -n "$l2" ] && grep -h 'l2-console: ' "$log" | emu_irq_if0; } ||
	   { grep -qE 'l2-console: .*PANIC: double fault' "$log" &&
	     grep -qE 'l2-console: .*RIP: 0010:entry_SYSCALL_64\+0x0/' "$log" &&
	     grep -qE 'l2-console: .*RSP: 0018:00007f[0-9a-f]{10} ' "$log"; }; then
		echo irq-if0
		return 0
	fi
	# L2 in its early boot: its reports (or its last trace) in start_kernel
	# on the boot task, not through the idle loop CPU 0 also reaches from
	# start_kernel; L1 silent.
	if [ -z "$vm" ] &&
	   grep -qE 'l2-console: \[ *[0-9.]+\] +(\? )?start_kernel\+' "$log" &&
	   ! grep -qE 'l2-console: \[ *[0-9.]+\] +(\? )?(rest_init|cpu_startup_entry|do_idle)\+' "$log"; then
		if { [ -n "$l2" ] && ! echo "$l2" | grep -vqE 'WARNING: CPU: [0-9]+ PID: 0 at |Kernel panic'; } ||
		   grep -q '^l2: the VM stopped without a result' "$log"; then
			echo l2-early-boot
			return 0
		fi
	fi
	return 1
}
