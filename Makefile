# SPDX-License-Identifier: GPL-2.0
#
# vhostfp: a fast vhost-net compatible host data path and a virtio-net guest
# driver, built out of tree.
#
#   make                 build both modules (KDIR, or cached Debian headers for KVER)
#   make KVER=6.12       build against Debian 12's 6.12 kernel
#   make unit            unit tests of the pure logic, in userspace (gcc only)
#   make check [T=name]  set up, build, run the tests of selftests/tests (inside QEMU)
#   make demo            boot the host VM, attach a guest through vhostfp, push traffic
#   make fuzz [KVER=6.1-debug] [FUZZ_OPS=N] [FUZZ_SEED=S] [FUZZ_TIME=SEC]
#                        the vhost-fp fuzzer in one VM, 1M operations by default
#   make bench           vhostfp vs vhost_net vs QEMU, virtio_guest vs virtio_net (BENCH_ARGS=...)
#   make install         on a KVM host: vhostfp.ko, vhostfp-stat and its man page,
#                        the udev rule, loading at boot (DESTDIR=, INSTALL_MOD_PATH=)
#   make install-guest   in a guest: virtio_guest.ko, preferred over virtio_net
#   make install-vhost-net  modprobe.d: vhostfp serves /dev/vhost-net
#   make dkms-install    register vhostfp with DKMS (make dkms-source: copy only)
#   make uninstall       undo all of the above

KVER ?= 6.1
CACHE ?= $(CURDIR)/.cache
HOST_KDIR := /lib/modules/$(shell uname -r)/build

ifeq ($(origin KDIR),undefined)
  ifeq ($(origin KVER)$(wildcard $(HOST_KDIR)/Makefile),file$(HOST_KDIR)/Makefile)
    KDIR := $(HOST_KDIR)
  else
    KABI := $(notdir $(realpath $(CACHE)/kernel/$(KVER)))
    KDIR := $(CACHE)/kernel/$(KVER)/root/usr/src/linux-headers-$(KABI)
  endif
endif

# Debian's 6.12 headers want pahole for module BTF; build without it if absent.
ifeq ($(shell command -v pahole),)
  BTF_OPT := CONFIG_DEBUG_INFO_BTF_MODULES=
endif

MAKEFLAGS += --no-print-directory
KMAKE = $(MAKE) -C $(KDIR) M=$(CURDIR) $(BTF_OPT)

# What a host needs: gcc, make and the kernel's headers. The selftests and
# the bench are built by check, bench and selftests.
all: modules tools

tools:
	$(MAKE) -C vhostfp/tools

# Each build is also kept under .cache/build/<kernel release>/ so that the
# tests of both supported kernels find a matching .ko: a new file each time
# (--remove-destination), never a write into one a hard-linked copy of the
# cache (another worktree's) shares.
modules: kdir-check
	$(KMAKE) modules
	@for ko in vhostfp/vhostfp.ko virtio_guest/virtio_guest.ko; do \
		[ -f $$ko ] || continue; \
		rel=$$(modinfo -F vermagic $$ko | cut -d' ' -f1); \
		mkdir -p $(CACHE)/build/$$rel && cp --remove-destination $$ko $(CACHE)/build/$$rel/; \
	done

kdir-check:
	@test -f $(KDIR)/Makefile || { echo "no kernel headers in '$(KDIR)': run 'scripts/setup' (or set KDIR)"; exit 1; }

selftests:
	$(MAKE) -C selftests KHDR_INCLUDES=-I$(CURDIR)/uapi

# The pure logic (memory table, IOTLB, ring arithmetic, chain checks),
# the module's own code compiled for userspace: no kernel headers, no VM.
unit:
	$(MAKE) -C selftests/unit run

clean:
	-$(KMAKE) clean 2>/dev/null
	$(MAKE) -C selftests clean
	$(MAKE) -C selftests/unit clean
	$(MAKE) -C bench clean
	$(MAKE) -C vhostfp/tools clean
	rm -f vhostfp/modules.order vhostfp/Module.symvers \
		virtio_guest/modules.order virtio_guest/Module.symvers

# Installation. DESTDIR stages everything under a directory (a package
# build): then nothing is run on this machine (no depmod, no udevadm).
# INSTALL_MOD_PATH moves the modules alone, as in Kbuild (default: DESTDIR).
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
INSTALL_MOD_PATH ?= $(DESTDIR)
INSTALL_MOD_DIR ?= extra
VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"$$/\1/p' $(CURDIR)/dkms.conf)
# The release modules_install uses (Debian 6.1's kernel.release says 6.1.x).
KREL = $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' $(KDIR)/include/generated/utsrelease.h)
MODDIR = $(INSTALL_MOD_PATH)/lib/modules/$(KREL)/$(INSTALL_MOD_DIR)
ETC := $(DESTDIR)$(SYSCONFDIR)
RUN_HERE := $(if $(DESTDIR),false,true)

# One module of the two, built and installed on its own (M=its directory),
# so that a host never gets virtio_guest, whose modalias is virtio_net's.
define install_module
	$(KMAKE_ONE)/$(1) modules
	$(KMAKE_ONE)/$(1) INSTALL_MOD_PATH=$(INSTALL_MOD_PATH) INSTALL_MOD_DIR=$(INSTALL_MOD_DIR) \
		CONFIG_MODULE_SIG_ALL= modules_install
endef
KMAKE_ONE = $(MAKE) -C $(KDIR) $(BTF_OPT) M=$(CURDIR)

# depmod for the kernel built against, unless staging under DESTDIR.
define run_depmod
	if $(RUN_HERE); then \
		depmod -a $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH)) $(KREL); \
	fi
endef

install: kdir-check tools
	$(call install_module,vhostfp)
	@$(call run_depmod)
	install -D -m 0755 vhostfp/tools/vhostfp-stat $(DESTDIR)$(SBINDIR)/vhostfp-stat
	install -D -m 0644 vhostfp/tools/vhostfp-stat.8 $(DESTDIR)$(MANDIR)/man8/vhostfp-stat.8
	install -D -m 0644 scripts/99-vhost-fp.rules $(ETC)/udev/rules.d/99-vhost-fp.rules
	install -D -m 0644 scripts/vhostfp.modules-load $(ETC)/modules-load.d/vhostfp.conf
	@# No udev (a container, a minimal host): the rule applies from the next boot.
	@if $(RUN_HERE) && command -v udevadm >/dev/null; then \
		udevadm control --reload 2>/dev/null; \
		udevadm trigger --action=add --subsystem-match=misc \
			--sysname-match=vhost-fp --sysname-match=vhost-net 2>/dev/null || true; \
	fi

install-guest: kdir-check
	$(call install_module,virtio_guest)
	@$(call run_depmod)
	install -D -m 0644 scripts/virtio_guest.conf $(ETC)/modprobe.d/virtio_guest.conf

install-vhost-net:
	install -D -m 0644 scripts/vhostfp-vhost-net.conf $(ETC)/modprobe.d/vhostfp-vhost-net.conf

# The host module's sources alone: what DKMS builds from.
DKMS_SRC = $(DESTDIR)/usr/src/vhostfp-$(VERSION)
dkms-source:
	rm -rf $(DKMS_SRC)
	install -D -m 0644 -t $(DKMS_SRC) dkms.conf
	install -D -m 0644 -t $(DKMS_SRC)/vhostfp vhostfp/Kbuild vhostfp/*.c vhostfp/*.h
	install -D -m 0644 -t $(DKMS_SRC)/uapi/linux uapi/linux/vhost_fp.h \
		uapi/linux/vhost_fp_counters.h

dkms-install: dkms-source
	dkms remove -m vhostfp -v $(VERSION) --all 2>/dev/null || true
	dkms add -m vhostfp -v $(VERSION)
	dkms build -m vhostfp -v $(VERSION) -k $(KREL)
	dkms install -m vhostfp -v $(VERSION) -k $(KREL)

# Files only: a loaded module stays loaded until it is unloaded or the
# machine reboots.
uninstall:
	@if $(RUN_HERE) && command -v dkms >/dev/null; then \
		dkms remove -m vhostfp -v $(VERSION) --all 2>/dev/null || true; \
	fi
	rm -rf $(DESTDIR)/usr/src/vhostfp-$(VERSION)
	@# depmod only when a module went (dkms remove ran its own).
	@if [ -n "$$(ls $(MODDIR)/vhostfp.ko* $(MODDIR)/virtio_guest.ko* 2>/dev/null)" ]; then \
		rm -f $(MODDIR)/vhostfp.ko* $(MODDIR)/virtio_guest.ko*; \
		$(call run_depmod); \
	fi
	rm -f $(DESTDIR)$(SBINDIR)/vhostfp-stat $(DESTDIR)$(MANDIR)/man8/vhostfp-stat.8
	rm -f $(ETC)/udev/rules.d/99-vhost-fp.rules $(ETC)/modules-load.d/vhostfp.conf
	rm -f $(ETC)/modprobe.d/virtio_guest.conf $(ETC)/modprobe.d/vhostfp-vhost-net.conf

setup:
	scripts/setup

# The test suite, selftests/tests: the unit tests on this machine, the rest
# inside QEMU (Documentation/testing.rst). T=PATTERN runs the tests whose
# name contains it. Both supported kernels unless KVER is given on the
# command line.
# DEBUG=1 runs them on the debug kernels (scripts/debug-kernel: KASAN,
# lockdep, kmemleak, UBSAN, fault injection; built once, ~1 h each) with
# panic_on_warn=1; nested guests boot the stock kernel of the same series.
CHECK_KVERS := $(if $(filter command line,$(origin KVER)),$(KVER),6.1 6.12)
ifeq ($(DEBUG),1)
CHECK_KVERS := $(addsuffix -debug,$(CHECK_KVERS))
endif

check: setup selftests tools $(if $(filter 1,$(DEBUG)),debug-kernels)
	scripts/run-tests $(foreach k,$(CHECK_KVERS),--kver $(k)) $(if $(T),--test $(T))

debug-kernels:
	for k in $(CHECK_KVERS); do scripts/debug-kernel $${k%-debug} || exit 1; done

demo: setup
	$(MAKE) KVER=$(KVER) all selftests
	scripts/demo --kver $(KVER)

# The fuzzer (selftests/vhostfp/fuzz.sh): FUZZ_OPS
# operations on KVER, bounded by FUZZ_TIME seconds; FUZZ_SEED replays the
# seed a failed run printed. Debug kernels (KVER=6.1-debug) panic on warn.
FUZZ_OPS ?= 1000000
FUZZ_TIME ?= 7200

fuzz: selftests
	$(MAKE) KVER=$(KVER) modules
	scripts/vm --kver $(KVER) --timeout $$(($(FUZZ_TIME) + 900)) -- \
		'VFP_FUZZ_TIME=$(FUZZ_TIME) selftests/vhostfp/fuzz.sh --ops $(FUZZ_OPS) $(if $(FUZZ_SEED),--seed $(FUZZ_SEED))'

# The benchmark, one kernel (Documentation/performance.rst): ~21 minutes on a
# fresh clone of a 2-core machine with one other VM running.
bench: selftests
	$(MAKE) -C bench
	scripts/bench --kver $(KVER) $(BENCH_ARGS)

checkpatch:
	scripts/checkpatch

# The files generated from the list of counters
# (uapi/linux/vhost_fp_counters.h) are up to date, and the netlink spec is
# one the kernel's ynl reads: scripts/gen-counters --check.
spec-check:
	scripts/gen-counters --check

# Static checks: sparse over both modules, checkpatch --strict.
lint: kdir-check
	$(KMAKE) C=2 W=1 modules
	scripts/checkpatch

.PHONY: all tools modules kdir-check selftests unit clean install install-guest \
	install-vhost-net dkms-source dkms-install uninstall setup check debug-kernels demo fuzz bench checkpatch spec-check lint
