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
#   make install         modules_install + depmod (on a real KVM host)

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
# tests of both supported kernels find a matching .ko.
modules: kdir-check
	$(KMAKE) modules
	@for ko in vhostfp/vhostfp.ko virtio_guest/virtio_guest.ko; do \
		[ -f $$ko ] || continue; \
		rel=$$(modinfo -F vermagic $$ko | cut -d' ' -f1); \
		mkdir -p $(CACHE)/build/$$rel && cp $$ko $(CACHE)/build/$$rel/; \
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

install: modules
	$(KMAKE) modules_install
	depmod -a $(shell $(MAKE) -s -C $(KDIR) kernelrelease 2>/dev/null || uname -r)
	install -D -m 0644 scripts/99-vhost-fp.rules /etc/udev/rules.d/99-vhost-fp.rules

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

# Static checks: sparse over both modules, checkpatch --strict.
lint: kdir-check
	$(KMAKE) C=2 W=1 modules
	scripts/checkpatch

.PHONY: all tools modules kdir-check selftests unit clean install setup check debug-kernels demo fuzz bench checkpatch lint
