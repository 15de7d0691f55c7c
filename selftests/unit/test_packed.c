// SPDX-License-Identifier: GPL-2.0
/*
 * The packed ring's position arithmetic (vhostfp/vq_packed.h): which
 * descriptors are available, positions and wrap counters moving on, and
 * whether used entries passed the guest's event, across the wrap counter's
 * flip and on rings whose size is not a power of two.
 */
#include <linux/types.h>

#include "unit.h"
#include "vq_packed.h"

#define W	VFP_PACKED_WRAP		/* off_wrap's wrap counter bit */

static void packed_is_avail(void)
{
	/* Available: AVAIL is the driver's wrap counter, USED is not. */
	EXPECT(vfp_packed_is_avail(VFP_PACKED_AVAIL, true));
	EXPECT(vfp_packed_is_avail(VFP_PACKED_USED, false));
	/* Used (both equal) or not yet made available. */
	EXPECT(!vfp_packed_is_avail(VFP_PACKED_AVAIL | VFP_PACKED_USED, true));
	EXPECT(!vfp_packed_is_avail(0, false));
	EXPECT(!vfp_packed_is_avail(0, true));
	EXPECT(!vfp_packed_is_avail(VFP_PACKED_USED, true));
	EXPECT(!vfp_packed_is_avail(VFP_PACKED_AVAIL, false));
}

static void packed_advance(void)
{
	unsigned int pos;
	bool wrap;

	/* A ring of 3: not a power of two. */
	pos = 2;
	wrap = true;
	vfp_packed_advance(&pos, &wrap, 1, 3);
	EXPECT(pos == 0 && !wrap);
	pos = 0;
	wrap = false;
	vfp_packed_advance(&pos, &wrap, 2, 3);
	EXPECT(pos == 2 && !wrap);
	pos = 1;
	wrap = false;
	vfp_packed_advance(&pos, &wrap, 3, 3);
	EXPECT(pos == 1 && wrap);
	pos = 0;
	wrap = true;
	vfp_packed_advance(&pos, &wrap, 3, 3);
	EXPECT(pos == 0 && !wrap);
	/* The longest ring, its last position. */
	pos = 32767;
	wrap = false;
	vfp_packed_advance(&pos, &wrap, 1, 32768);
	EXPECT(pos == 0 && wrap);
	pos = 100;
	wrap = true;
	vfp_packed_advance(&pos, &wrap, 0, 257);
	EXPECT(pos == 100 && wrap);
}

/* No wrap between old and new: exactly the positions in [old, new). */
static void packed_event_same_lap(void)
{
	/* Ring of 5, used entries written at 1 and 2: old 1, new 3. */
	EXPECT(vfp_packed_event_passed(W | 1, 1, 3, true, 2, 5));
	EXPECT(vfp_packed_event_passed(W | 2, 1, 3, true, 2, 5));
	EXPECT(!vfp_packed_event_passed(W | 3, 1, 3, true, 2, 5));
	EXPECT(!vfp_packed_event_passed(W | 0, 1, 3, true, 2, 5));
	EXPECT(!vfp_packed_event_passed(W | 4, 1, 3, true, 2, 5));
	/* An event of the previous lap, behind old: passed long ago. */
	EXPECT(!vfp_packed_event_passed(4, 1, 3, true, 2, 5));
	EXPECT(!vfp_packed_event_passed(3, 1, 3, true, 2, 5));
}

/* Written at 3, 4, 0 of a ring of 5: the device's counter flipped. */
static void packed_event_across_flip(void)
{
	/* The new lap (counter now 0): position 0 was written, 1 not. */
	EXPECT(vfp_packed_event_passed(0, 3, 1, false, 3, 5));
	EXPECT(!vfp_packed_event_passed(1, 3, 1, false, 3, 5));
	EXPECT(!vfp_packed_event_passed(2, 3, 1, false, 3, 5));
	/* The old lap (counter 1): 3 and 4 were written. */
	EXPECT(vfp_packed_event_passed(W | 3, 3, 1, false, 3, 5));
	EXPECT(vfp_packed_event_passed(W | 4, 3, 1, false, 3, 5));
	/* Ring of 257, written 250..256 and 0..9: old 250, new 10. */
	EXPECT(vfp_packed_event_passed(W | 256, 250, 10, false, 17, 257));
	EXPECT(vfp_packed_event_passed(9, 250, 10, false, 17, 257));
	EXPECT(!vfp_packed_event_passed(10, 250, 10, false, 17, 257));
	EXPECT(!vfp_packed_event_passed(200, 250, 10, false, 17, 257));
}

/* A lap or more since the last look: every event passed. */
static void packed_event_lap(void)
{
	/* new == old says nothing moved; since says a whole lap did. */
	EXPECT(vfp_packed_event_passed(W | 2, 2, 2, true, 5, 5));
	EXPECT(vfp_packed_event_passed(2, 2, 2, true, 12, 5));
	EXPECT(!vfp_packed_event_passed(W | 2, 2, 2, true, 0, 5));
	/* One short of a lap (2, 3, 4, 0 written): the arithmetic decides. */
	EXPECT(vfp_packed_event_passed(0, 2, 1, false, 4, 5));
	EXPECT(!vfp_packed_event_passed(1, 2, 1, false, 4, 5));
	/*
	 * Old lap, behind old: not passed by these entries, yet after a flip
	 * the u16 arithmetic errs towards an interrupt, as promised.
	 */
	EXPECT(vfp_packed_event_passed(W | 1, 2, 1, false, 4, 5));
}

const struct unit_test unit_packed_tests[] = {
	{ "packed_is_avail", packed_is_avail },
	{ "packed_advance", packed_advance },
	{ "packed_event_same_lap", packed_event_same_lap },
	{ "packed_event_across_flip", packed_event_across_flip },
	{ "packed_event_lap", packed_event_lap },
	{ }
};
