/* SPDX-License-Identifier: GPL-2.0 */
/* selftests/unit: the virtio ring constants and vring_need_event() (uapi). */
#ifndef _UNIT_LINUX_VIRTIO_RING_H
#define _UNIT_LINUX_VIRTIO_RING_H

#include <linux/types.h>

#define VRING_DESC_F_NEXT		1
#define VRING_DESC_F_WRITE		2
#define VRING_DESC_F_INDIRECT		4
#define VRING_PACKED_DESC_F_AVAIL	7
#define VRING_PACKED_DESC_F_USED	15
#define VRING_PACKED_EVENT_F_WRAP_CTR	15

/* The virtio spec's rule: did new_idx pass event_idx since old? */
static inline int vring_need_event(__u16 event_idx, __u16 new_idx, __u16 old)
{
	return (__u16)(new_idx - event_idx - 1) < (__u16)(new_idx - old);
}

#endif /* _UNIT_LINUX_VIRTIO_RING_H */
