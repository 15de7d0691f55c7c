/* SPDX-License-Identifier: GPL-2.0 */
/* selftests/unit: the memory table as VHOST_SET_MEM_TABLE passes it (uapi). */
#ifndef _UNIT_LINUX_VHOST_TYPES_H
#define _UNIT_LINUX_VHOST_TYPES_H

#include <linux/types.h>

#define VHOST_ACCESS_RO		0x1
#define VHOST_ACCESS_WO		0x2
#define VHOST_ACCESS_RW		0x3

struct vhost_memory_region {
	__u64 guest_phys_addr;
	__u64 memory_size;
	__u64 userspace_addr;
	__u64 flags_padding;
};

struct vhost_memory {
	__u32 nregions;
	__u32 padding;
	struct vhost_memory_region regions[];
};

#endif /* _UNIT_LINUX_VHOST_TYPES_H */
