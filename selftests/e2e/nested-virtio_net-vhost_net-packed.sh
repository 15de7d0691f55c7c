#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vm-args: --timeout 500 --pin-keys
#
# nested.sh with packed=on on vhost_net: vhost_net has no packed rings, so
# QEMU silently negotiates split rings instead.  The guest prints which
# layout it got (not asserted: that is QEMU's business); the transfer must
# still pass.

export VFP_NIC_OPTS=packed=on VFP_GUEST_CHECK=layout
exec "$(dirname "$0")/nested.sh" virtio_net vhost_net
