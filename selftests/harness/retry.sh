#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The retry rule (scripts/emulation.sh, emu_classify) against logs shaped
# like the harness's: each catalogue entry is recognised in its scope, and
# every death our code could have caused is not. Runs on the host, no VM.

set -u
. "$(dirname "$0")/../lib.sh"
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT

OOT='[    8.0] vhostfp: loading out-of-tree module taints kernel.'
VM_INT3='vm: the kernel reported:
vm:   [   61.2] Oops: int3: 0000 [#1] PREEMPT SMP NOPTI
vm:   [   61.3] Kernel panic - not syncing: Fatal exception in interrupt
vm: the VM stopped without a result (qemu exit 0); serial log: x'
VM_GIF='vm: the kernel reported:
vm:   [  201.0] BUG: unable to handle page fault for address: fffffe0000001ff8
vm:   [  201.1] Kernel panic - not syncing: Fatal exception in interrupt'
GIF_CONSOLE='[  201.0] RIP: 0010:__svm_vcpu_run+0x8e/0x130 [kvm_amd]'
VM_TRIPLE='vm: the VM stopped without a result (qemu exit 0); serial log: x
vm: Triple fault'
L2_EARLY='l2: the kernel reported:
l2:   [    6.1] WARNING: CPU: 0 PID: 0 at security/apparmor/lsm.c:2001 apparmor_init+0x1/0x2
# l2-console: [    6.2]  security_init+0x4/0x5
# l2-console: [    6.2]  start_kernel+0x6/0x7'
L2_DF='l2: the VM stopped without a result (qemu exit 0); serial log: x
l2: the kernel reported:
l2:   [   40.1] PANIC: double fault, error_code: 0x0
# l2-console: [   40.1]  asm_exc_double_fault+0x1/0x2
# FAIL: the guest'"'"'s run failed'
L2_IDLE='l2: the kernel reported:
l2:   [   90.1] WARNING: CPU: 0 PID: 0 at kernel/time/tick-sched.c:1 x+0x1/0x2
# l2-console: [   90.1]  do_idle+0x1/0x2
# l2-console: [   90.1]  cpu_startup_entry+0x1/0x2
# l2-console: [   90.1]  rest_init+0x1/0x2
# l2-console: [   90.1]  start_kernel+0x6/0x7'
L2_TRIPLE='l2: the VM stopped without a result (qemu exit 0); serial log: x
l2: L2 shut down (triple fault) at rip 0xffffffffc045c20c: vcpu 0 reason shutdown rip 0xffffffffc045c20c info1 0x0 info2 0x0 intr_info 0x80000b0e error_code 0x00000010
# l2: # l2-console: last 60 lines of x:'
L2_MUTE='l2: L2 printed nothing: it stopped before its console came up'
L2_L1RIP="l2: the VM stopped without a result (qemu exit 0); serial log: x
l2: L2 shut down (triple fault) at L1's __svm_vcpu_run+0x9c [kvm_amd]: vcpu 0 reason shutdown rip 0xffffffffc044720c info1 0x0 info2 0x0 intr_info 0x80000b0e error_code 0x00000010
# FAIL: L2 ended before its blast"
# L1's kallsyms, as /proc/kallsyms prints it (a tab before a module).
KALLSYMS="ffffffff9a000000 T _text
ffffffffc0420000 t svm_vcpu_run	[kvm_amd]
ffffffffc0447170 T __svm_vcpu_run	[kvm_amd]
ffffffffc04472a0 t svm_set_gif	[kvm_amd]
ffffffffc0447400 d svm_data	[kvm_amd]
ffffffffc04c0000 t vfp_tx_handle	[vhostfp]"

VM_LOCKUP='vm: the kernel reported:
vm:   [   68.6] watchdog: BUG: soft lockup - CPU#0 stuck for 44s! [qemu-system-x86:227]'
lockup_console()
{
	printf '%s\n' "$OOT" '[   68.6] Call Trace:' '[   68.6]  <IRQ>' \
		'[   68.6]  _raw_spin_lock_irqsave+0x39/0x50' '[   68.6]  </IRQ>' '[   68.6]  <TASK>' \
		'[   68.6] RIP: 0010:vp_notify+0x12/0x20 [virtio_pci]' \
		"[   68.6] RSP: 0018:ffffc900006fbbe8 EFLAGS: $1"
}
L2_SYSCALL_DF='l2: the VM stopped without a result (qemu exit 0); serial log: x
l2:   [   24.0] Kernel panic - not syncing: Fatal exception in interrupt
# l2: # l2-console: [   24.0] traps: PANIC: double fault, error_code: 0x0
# l2: # l2-console: [   24.0] RIP: 0010:entry_SYSCALL_64+0x0/0x29
# l2: # l2-console: [   24.0] RSP: 0018:00007ffe4ecf5da8 EFLAGS: 00000002
# FAIL: the guest'"'"'s run failed'

# case NAME EXPECTED LOG [CONSOLE]: emu_classify of that log says EXPECTED
# (an entry, or "none").
case_()
{
	local name=$1 want=$2 got
	printf '%s\n' "$3" >"$DIR/log"
	printf '%s\n' "${4:-}" >"$DIR/log.console"
	got=$(emu_classify "$DIR/log") || got=none
	if [ "$got" = "$want" ]; then
		ktap_test_pass "$name"
	else
		ktap_print_msg "$name: classified $got, want $want"
		ktap_test_fail "$name"
	fi
}

# sym NAME ADDRESS EXPECTED: l1_module_sym names ADDRESS from $KALLSYMS so.
sym_()
{
	local got
	printf '%b\n' "$KALLSYMS" >"$DIR/kallsyms"
	got=$(l1_module_sym "$2" "$DIR/kallsyms")
	if [ "$got" = "$3" ]; then
		ktap_test_pass "$1"
	else
		ktap_print_msg "$1: named '$got', want '$3'"
		ktap_test_fail "$1"
	fi
}

# allow ENTRY N: emu_allowance ENTRY is N.
allow_()
{
	if [ "$(emu_allowance "$1")" = "$2" ]; then
		ktap_test_pass "allowance_$1"
	else
		ktap_print_msg "allowance of $1: $(emu_allowance "$1"), want $2"
		ktap_test_fail "allowance_$1"
	fi
}

ktap_print_header
ktap_set_plan 43
sym_ sym_after_vmrun ffffffffc044720c "L1's __svm_vcpu_run+0x9c [kvm_amd]"
sym_ sym_function_start ffffffffc0447170 "L1's __svm_vcpu_run+0x0 [kvm_amd]"
sym_ sym_past_module_text ffffffffc0450000 ''
sym_ sym_below_modules ffffffffc0000000 ''
sym_ sym_kernel_text ffffffff9a001000 ''
allow_ l2-l1-rip 2
allow_ l2-triple-fetch 2
allow_ l2-triple-intr 2
allow_ l1-triple 1
case_ pass_is_no_death none '# ok 1 case'
case_ l1_int3_stock l1-int3 "$VM_INT3"
case_ l1_int3_with_vhostfp none "$VM_INT3" "$OOT"
case_ l1_panic_alone_is_not_int3 none 'vm: the kernel reported:
vm:   [   29.8] Kernel panic - not syncing: corrupted stack end detected inside scheduler
vm: the VM stopped without a result (qemu exit 0); serial log: x'
case_ l1_int3_and_bug none "$VM_INT3
vm:   [   61.4] BUG: KASAN: use-after-free in x+0x1/0x2"
case_ l1_gif_stock l1-gif-irq "$VM_GIF" "$GIF_CONSOLE"
case_ l1_gif_with_vhostfp none "$VM_GIF" "$OOT
$GIF_CONSOLE"
case_ l1_triple_stock l1-triple "$VM_TRIPLE"
case_ l1_triple_with_virtio_guest l1-triple "$VM_TRIPLE" \
	'[    7.0] virtio_guest: loading out-of-tree module taints kernel.'
case_ l1_triple_after_report none "$VM_TRIPLE
vm: the kernel reported:
vm:   [   61.4] BUG: unable to handle page fault for address: 0000000000000008" "$OOT"
case_ l1_timeout none 'vm: timeout after 500s; serial log: x'
case_ l2_early_boot_under_vhostfp l2-early-boot "$L2_EARLY" "$OOT"
case_ l2_early_boot_wrong_data none "$L2_EARLY
# FAIL: guest->peer data differs: guest sent 1, peer got 2" "$OOT"
case_ l2_double_fault_under_vhostfp none "$L2_DF" "$OOT"
case_ l2_triple_fetch_before_console l2-triple-fetch "${L2_TRIPLE/l2: L2 shut/$L2_MUTE
l2: L2 shut}" "$OOT"
case_ l2_triple_fetch_under_vhostfp l2-triple-fetch "$L2_TRIPLE
# l2: # l2-console: [    0.9] acpi PNP0A03:00: fail to add MMCONFIG information" "$OOT"
case_ l2_l1_rip_under_vhostfp l2-l1-rip "$L2_L1RIP" "$OOT"
case_ l2_l1_rip_other_event l2-l1-rip "${L2_L1RIP/0x80000b0e/0x80000403}" "$OOT"
case_ l2_l1_rip_after_report none "$L2_L1RIP
l2: the kernel reported:
l2:   [   40.1] BUG: unable to handle page fault for address: ffff888000000000" "$OOT"
case_ l2_at_other_l1_module l2-triple-fetch "${L2_L1RIP/__svm_vcpu_run+0x9c \[kvm_amd\]/vfp_tx_handle+0x10 [vhostfp]}" "$OOT"
# As vmstop.sh prints scripts/l2's output: each line behind "# l2: ".
case_ l2_triple_fetch_prefixed l2-triple-fetch "$(sed 's/^/# l2: /' <<<"$L2_TRIPLE")" "$OOT"
case_ l2_triple_prefixed_after_report none "$(sed 's/^/# l2: /' <<<"$L2_TRIPLE
l2: the kernel reported:
l2:   [   40.1] BUG: unable to handle page fault for address: ffff888000000000")" "$OOT"
case_ l2_triple_other_event none "${L2_TRIPLE/0x80000b0e/0x80000403}" "$OOT"
case_ l2_triple_intr_stock l2-triple-intr "${L2_TRIPLE/0x80000b0e error_code 0x00000010/0x80000026 error_code 0x00000000}"
case_ l2_triple_intr_under_virtio_guest l2-triple-intr \
	"${L2_TRIPLE/0x80000b0e error_code 0x00000010/0x800000ec error_code 0x00000000}" "$OOT"
case_ l2_triple_nmi none "${L2_TRIPLE/0x80000b0e error_code 0x00000010/0x80000202 error_code 0x00000000}" "$OOT"
case_ l2_triple_intr_after_report none "${L2_TRIPLE/0x80000b0e error_code 0x00000010/0x800000ec error_code 0x00000000}
l2:   [   40.1] BUG: unable to handle page fault for address: 0000000000000008"
case_ l2_triple_after_report none "$L2_TRIPLE
l2: the kernel reported:
l2:   [   40.1] BUG: unable to handle page fault for address: ffff888000000000" "$OOT"
case_ l2_warn_in_idle_loop none "$L2_IDLE" "$OOT"
case_ l2_hang_no_report none 'l2: timeout after 400s; serial log: x
# FAIL: the guest'"'"'s run failed' "$OOT"
case_ l1_irq_with_if0_under_vhostfp irq-if0 "$VM_LOCKUP" "$(lockup_console 00000092)"
case_ l1_irq_with_if1_under_vhostfp none "$VM_LOCKUP" "$(lockup_console 00000246)"
case_ l2_syscall_entry_double_fault irq-if0 "$L2_SYSCALL_DF" "$OOT"
case_ l2_syscall_entry_kernel_stack none "${L2_SYSCALL_DF/00007ffe4ecf5da8/ffffc90000137f58}" "$OOT"
ktap_finished
