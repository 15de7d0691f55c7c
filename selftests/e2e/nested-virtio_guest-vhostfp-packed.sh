#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vm-args: --timeout 500 --pin-keys
#
# nested.sh with packed virtqueues and our guest driver: stock QEMU
# (-device virtio-net-pci,packed=on) must give virtio_guest in L2 a packed
# ring served by vhostfp (checked from inside L2: bit 34 of the device's
# features), and the sha256-checked transfer must go through both ways.
# QEMU's own userspace virtio-net cannot be the reference here (its receive
# stalls on packed rings behind a hub, see Documentation/virtio_guest.rst).

export VFP_NIC_OPTS=packed=on VFP_GUEST_CHECK=packed
exec "$(dirname "$0")/nested.sh" virtio_guest vhostfp
