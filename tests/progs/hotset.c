// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hotset: the benchmark workload.  A hot set read at random inside a larger
 * anonymous footprint that is touched sparsely (one 4 KiB page per 2 MiB),
 * as a program with a big heap and a smaller working set would.
 *
 * The footprint is one mapping; the hot set is a 2 MiB aligned range in its
 * middle, written once so that it is resident.  The reads go on until the
 * process is killed, with a TLB flush every few thousand reads (see
 * workload.h).
 *
 * Prints "hot ADDR BYTES" and "footprint ADDR BYTES" (hex ADDR) into
 * --ready FILE once the memory is resident.
 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "workload.h"

#define READS_PER_FLUSH 4096

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "footprint", required_argument, NULL, 'f' },
		{ "hot", required_argument, NULL, 'h' },
		{ "ready", required_argument, NULL, 'r' },
		{ 0 }
	};
	unsigned long foot_len = 1024UL << 20, hot_len = 256UL << 20, i, n;
	uint64_t x = 88172645463325252ULL, sink = 0;
	uintptr_t foot, hot;
	const char *ready = NULL;
	void *map, *scratch;
	char text[256];
	int c, r;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'f': foot_len = parse_mib("hotset", "footprint", optarg); break;
		case 'h': hot_len = parse_mib("hotset", "hot", optarg); break;
		case 'r': ready = optarg; break;
		default:
			fprintf(stderr, "usage: hotset [--footprint MIB] [--hot MIB] [--ready FILE]\n");
			return 2;
		}
	}
	if (hot_len > foot_len || hot_len % PMD_SIZE || foot_len % PMD_SIZE) {
		fprintf(stderr, "hotset: the hot set must fit in the footprint, both in 2 MiB units\n");
		return 2;
	}

	map = mmap(NULL, foot_len + PMD_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	scratch = tlb_scratch();
	if (map == MAP_FAILED || !scratch) {
		perror("hotset: mmap");
		return 1;
	}
	foot = ((uintptr_t)map + PMD_SIZE - 1) & ~(PMD_SIZE - 1);
	hot = foot + ((foot_len - hot_len) / 2 & ~(PMD_SIZE - 1));
	for (i = 0; i < foot_len; i += PMD_SIZE)
		((volatile char *)foot)[i] = 1;
	for (i = 0; i < hot_len; i += SMALL_PAGE)
		((volatile char *)hot)[i] = 1;

	snprintf(text, sizeof(text), "hot %lx %lu\nfootprint %lx %lu\n", (unsigned long)hot,
		 hot_len, (unsigned long)foot, foot_len);
	if (ready) {
		r = write_ready(ready, text);
		if (r < 0) {
			fprintf(stderr, "hotset: %s: %s\n", ready, strerror(-r));
			return 1;
		}
	}

	n = hot_len / sizeof(uint64_t);
	for (;;) {
		for (i = 0; i < READS_PER_FLUSH; i++) {
			/* xorshift64 */
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			sink += ((volatile uint64_t *)hot)[x % n];
		}
		r = tlb_flush(scratch);
		if (r < 0) {
			fprintf(stderr, "hotset: mprotect: %s\n", strerror(-r));
			return 1;
		}
	}
}
