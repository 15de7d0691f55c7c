// SPDX-License-Identifier: GPL-2.0
/*
 * The checks every descriptor chain passes (vhostfp/vq_desc.h): lengths
 * and addresses that overflow, indirect tables, INDIRECT with NEXT, and
 * the bound that stops loops and chains longer than the ring.
 */
#include <linux/types.h>

#include "unit.h"
#include "vq_desc.h"

static void desc_table_len(void)
{
	EXPECT(!vfp_desc_table_len_ok(0, 256));
	EXPECT(vfp_desc_table_len_ok(16, 256));
	EXPECT(!vfp_desc_table_len_ok(8, 256));
	EXPECT(!vfp_desc_table_len_ok(17, 256));
	EXPECT(!vfp_desc_table_len_ok(24, 256));
	EXPECT(vfp_desc_table_len_ok(256 * 16, 256));
	EXPECT(!vfp_desc_table_len_ok(257 * 16, 256));
	/* A ring of 3: tables need not be powers of two either. */
	EXPECT(vfp_desc_table_len_ok(3 * 16, 3));
	EXPECT(!vfp_desc_table_len_ok(4 * 16, 3));
	EXPECT(!vfp_desc_table_len_ok(0xfffffff0, 32768));
	EXPECT(!vfp_desc_table_len_ok(0xffffffff, 32768));
}

static void desc_indirect_chained(void)
{
	EXPECT(vfp_desc_indirect_chained(VRING_DESC_F_INDIRECT |
					 VRING_DESC_F_NEXT));
	EXPECT(vfp_desc_indirect_chained(VRING_DESC_F_INDIRECT |
					 VRING_DESC_F_NEXT |
					 VRING_DESC_F_WRITE));
	EXPECT(!vfp_desc_indirect_chained(VRING_DESC_F_INDIRECT));
	EXPECT(!vfp_desc_indirect_chained(VRING_DESC_F_NEXT));
	EXPECT(!vfp_desc_indirect_chained(VRING_DESC_F_INDIRECT |
					  VRING_DESC_F_WRITE));
	EXPECT(!vfp_desc_indirect_chained(0));
}

static void desc_wraps(void)
{
	EXPECT(!vfp_desc_wraps(0, 1));
	EXPECT(!vfp_desc_wraps(0, U64_MAX));
	EXPECT(!vfp_desc_wraps(U64_MAX, 1));
	EXPECT(vfp_desc_wraps(U64_MAX, 2));
	EXPECT(!vfp_desc_wraps(U64_MAX - 15, 16));
	EXPECT(vfp_desc_wraps(U64_MAX - 14, 16));
	EXPECT(!vfp_desc_wraps(1, U64_MAX));
	EXPECT(vfp_desc_wraps(2, U64_MAX));
	EXPECT(!vfp_desc_wraps(U64_MAX - 0xfffffffeULL, 0xffffffff));
	EXPECT(vfp_desc_wraps(U64_MAX - 0xfffffffdULL, 0xffffffff));
}

/*
 * A walk of the next indices in @next from @head, bounded as the split
 * walk is: how many descriptors it took before it stopped (-1: refused).
 */
static int unit_chain(const u16 *next, unsigned int num, unsigned int head)
{
	unsigned int i = head, seen = 0;

	for (;;) {
		if (vfp_desc_one_too_many(&seen, num))
			return -1;
		if (next[i] == 0xffff)
			return seen;
		i = next[i];
	}
}

static void desc_chain_bound(void)
{
	/* 0xffff: no NEXT.  A ring of 5, not a power of two. */
	const u16 whole[5] = { 1, 2, 3, 4, 0xffff };
	const u16 loop[5] = { 1, 2, 3, 4, 0 };
	const u16 self[5] = { 0xffff, 1, 0xffff, 0xffff, 0xffff };
	const u16 tail[5] = { 0xffff, 2, 3, 4, 2 };
	unsigned int seen = 0, i;

	EXPECT(unit_chain(whole, 5, 0) == 5);
	EXPECT(unit_chain(whole, 5, 3) == 2);
	EXPECT(unit_chain(loop, 5, 0) == -1);
	EXPECT(unit_chain(self, 5, 1) == -1);
	EXPECT(unit_chain(tail, 5, 1) == -1);
	EXPECT(unit_chain(self, 5, 0) == 1);
	/* Direct and indirect together: num ranges, not one more. */
	for (i = 0; i < 256; i++)
		EXPECT(!vfp_desc_one_too_many(&seen, 256));
	EXPECT(vfp_desc_one_too_many(&seen, 256));
	seen = 0;
	EXPECT(vfp_desc_one_too_many(&seen, 0));
}

const struct unit_test unit_desc_tests[] = {
	{ "desc_table_len", desc_table_len },
	{ "desc_indirect_chained", desc_indirect_chained },
	{ "desc_wraps", desc_wraps },
	{ "desc_chain_bound", desc_chain_bound },
	{ }
};
