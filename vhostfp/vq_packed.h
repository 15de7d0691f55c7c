/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The packed ring's position arithmetic (vq_packed.c): ring positions and
 * the wrap counters that go with them.  Pure, so that selftests/unit tests
 * it in userspace.
 */
#ifndef _VHOSTFP_VQ_PACKED_H
#define _VHOSTFP_VQ_PACKED_H

#include <linux/bits.h>
#include <linux/types.h>
#include <linux/virtio_ring.h>

#define VFP_PACKED_AVAIL	BIT(VRING_PACKED_DESC_F_AVAIL)
#define VFP_PACKED_USED		BIT(VRING_PACKED_DESC_F_USED)
#define VFP_PACKED_WRAP		BIT(VRING_PACKED_EVENT_F_WRAP_CTR)

/* Is a descriptor with @flags available to a device whose counter is @wrap? */
static inline bool vfp_packed_is_avail(u16 flags, bool wrap)
{
	return !!(flags & VFP_PACKED_AVAIL) == wrap &&
	       !!(flags & VFP_PACKED_USED) != wrap;
}

/*
 * Move ring position *@pos @n descriptors on (@n <= @num), flipping the
 * wrap counter *@wrap when it passes the end of a ring of @num.
 */
static inline void vfp_packed_advance(unsigned int *pos, bool *wrap,
				      unsigned int n, unsigned int num)
{
	*pos += n;
	if (*pos >= num) {
		*pos -= num;
		*wrap = !*wrap;
	}
}

/*
 * Did the used entries written from position @old to @new (the device's
 * wrap counter now @wrap; @since descriptors in all) pass the guest's
 * event @off_wrap (position | wrap counter << 15, position < @num)?
 */
static inline bool vfp_packed_event_passed(u16 off_wrap, u16 old, u16 new,
					   bool wrap, unsigned int since,
					   unsigned int num)
{
	u16 off = off_wrap & (VFP_PACKED_WRAP - 1);

	/*
	 * A lap or more since the last look passed every position, off too;
	 * in positions (mod num) new - old would say less or nothing at all,
	 * and a guest waiting for off would never hear from us again.  With
	 * up to VFP_WEIGHT_PACKETS packets, each of several buffers, between
	 * two looks, and the guest reusing descriptors of the used batches
	 * written meanwhile, that happens.
	 */
	if (since >= num)
		return true;
	/*
	 * Same index space as the positions: an event on the previous lap
	 * lies num below.  After a wrap new < old, and the u16 arithmetic
	 * of vring_need_event() errs towards an interrupt.
	 */
	if (!!(off_wrap & VFP_PACKED_WRAP) != wrap)
		off -= num;
	return vring_need_event(off, new, old);
}

#endif /* _VHOSTFP_VQ_PACKED_H */
