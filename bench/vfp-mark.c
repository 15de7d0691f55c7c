// SPDX-License-Identifier: GPL-2.0
/*
 * vfp-mark ID: tell the instruction-counting plugin to print its totals
 * tagged ID (for shell-driven windows such as the nested runs).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

int main(int argc, char **argv)
{
	int ret;

	if (argc != 2) {
		fprintf(stderr, "usage: vfp-mark ID\n");
		return 2;
	}
	ret = vfp_mark(strtoul(argv[1], NULL, 0));
	if (ret)
		fprintf(stderr, "vfp-mark: %s\n", strerror(-ret));
	return ret ? 1 : 0;
}
