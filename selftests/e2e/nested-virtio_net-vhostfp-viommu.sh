#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vm-args: --timeout 500 --pin-keys
#
# nested.sh behind a vIOMMU: L2 is a q35 machine with QEMU's intel-iommu
# (device IOTLB), its virtio-net NIC has iommu_platform=on, and L2's
# kernel runs the IOMMU in its default lazy mode (unmaps are invalidated
# in batches; iommu.strict=1, one invalidation per unmap, did not finish
# the 6.12 transfer within socat's 300 s in L2 under KVM on TCG). QEMU's
# vhost code then negotiates VIRTIO_F_ACCESS_PLATFORM with vhostfp and
# answers its VHOST_IOTLB_MISS messages with UPDATEs, and turns the
# invalidations L2 sends into INVALIDATEs. L2 checks that the NIC is behind the IOMMU
# (guest_check_iommu); L1 that vhostfp's counters show misses and updates.
# The NIC sits behind a PCIe root port: on the root bus it would be a
# plain PCI function without ATS, and L2 would send no device-IOTLB
# invalidations, which QEMU 7.2 turns into VHOST_IOTLB_INVALIDATE.
# nested-virtio_net-vhost_net-viommu.sh is the same on vhost_net.

export VFP_L2_PRE_ARGS=${VFP_L2_PRE_ARGS:-"-M q35,kernel-irqchip=split -device intel-iommu,intremap=on,device-iotlb=on -device pcie-root-port,id=rp0,bus=pcie.0,chassis=1"}
export VFP_NIC_OPTS=iommu_platform=on,ats=on,bus=rp0 VFP_GUEST_CHECK=iommu
export VFP_L2_APPEND="intel_iommu=on"
export VFP_STATS_CHECK=iotlb
exec "$(dirname "$0")/nested.sh" virtio_net "$(basename "$0" | sed -E 's/^nested-virtio_net-(vhostfp|vhost_net)-viommu\.sh$/\1/')"
