#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vm-args: --timeout 500 --pin-keys
#
# nested.sh with packed virtqueues: stock QEMU (-device virtio-net-pci,
# packed=on) and the stock virtio_net guest must negotiate
# VIRTIO_F_RING_PACKED with vhostfp (checked from inside L2: bit 34 of
# the device's features) and move the sha256-checked transfer.

export VFP_NIC_OPTS=packed=on VFP_GUEST_CHECK=packed
exec "$(dirname "$0")/nested.sh" virtio_net vhostfp
