// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hotcold: a workload with one hot and one cold anonymous region.
 *
 * Both regions are 2 MiB aligned, written once so they are resident in
 * small pages, and kept apart by a PROT_NONE gap so that each is a VMA of
 * its own in /proc/PID/smaps.  The hot region is then read, one word per
 * 4 KiB page, in an endless loop; the cold one is never touched again.
 *
 * Each pass over the hot region ends with a TLB flush (see workload.h).
 *
 * With --hot-stride KIB, only one 4 KiB page per KIB KiB of the hot region
 * is written and read: a sparse region that is hot all the same (2048: one
 * page per 2 MiB huge page range).
 *
 * It prints "hot ADDR BYTES" and "cold ADDR BYTES" (ADDR in the hex form
 * smaps uses) on stdout and, with --ready FILE, into FILE once both
 * regions are populated.
 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "workload.h"

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "hot", required_argument, NULL, 'h' },
		{ "cold", required_argument, NULL, 'c' },
		{ "ready", required_argument, NULL, 'r' },
		{ "hot-stride", required_argument, NULL, 's' },
		{ 0 }
	};
	unsigned long stride = SMALL_PAGE;
	char *end;
	unsigned long hot_len = 64UL << 20, cold_len = 64UL << 20, total, i;
	const char *ready = NULL;
	uintptr_t base, hot, cold;
	volatile unsigned long sink = 0;
	void *map, *scratch;
	char text[256];
	int c, r;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'h': hot_len = parse_mib("hotcold", "hot", optarg); break;
		case 'c': cold_len = parse_mib("hotcold", "cold", optarg); break;
		case 'r': ready = optarg; break;
		case 's':
			stride = strtoul(optarg, &end, 10) << 10;
			if (*end || stride < SMALL_PAGE || stride % SMALL_PAGE || stride > PMD_SIZE) {
				fprintf(stderr, "hotcold: --hot-stride: '%s' is not a multiple of 4 up to 2048\n",
					optarg);
				return 2;
			}
			break;
		default:
			fprintf(stderr, "usage: hotcold [--hot MIB] [--cold MIB] [--hot-stride KIB] [--ready FILE]\n");
			return 2;
		}
	}

	/* Slack for alignment, and a gap between the two regions. */
	total = PMD_SIZE + hot_len + PMD_SIZE + cold_len;
	map = mmap(NULL, total, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (map == MAP_FAILED) {
		perror("hotcold: mmap");
		return 1;
	}
	base = ((uintptr_t)map + PMD_SIZE - 1) & ~(PMD_SIZE - 1);
	hot = base;
	cold = hot + hot_len + PMD_SIZE;
	if (mprotect((void *)hot, hot_len, PROT_READ | PROT_WRITE) ||
	    mprotect((void *)cold, cold_len, PROT_READ | PROT_WRITE)) {
		perror("hotcold: mprotect");
		return 1;
	}
	scratch = tlb_scratch();
	if (!scratch) {
		perror("hotcold: mmap");
		return 1;
	}
	for (i = 0; i < hot_len; i += stride)
		((volatile char *)hot)[i] = 1;
	for (i = 0; i < cold_len; i += SMALL_PAGE)
		((volatile char *)cold)[i] = 1;

	snprintf(text, sizeof(text), "hot %lx %lu\ncold %lx %lu\n", (unsigned long)hot,
		 hot_len, (unsigned long)cold, cold_len);
	fputs(text, stdout);
	fflush(stdout);
	if (ready) {
		r = write_ready(ready, text);
		if (r < 0) {
			fprintf(stderr, "hotcold: %s: %s\n", ready, strerror(-r));
			return 1;
		}
	}

	for (;;) {
		for (i = 0; i < hot_len; i += stride)
			sink += *(volatile unsigned long *)(hot + i);
		r = tlb_flush(scratch);
		if (r < 0) {
			fprintf(stderr, "hotcold: mprotect: %s\n", strerror(-r));
			return 1;
		}
	}
}
