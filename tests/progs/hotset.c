// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hotset: the benchmark workload.  A hot set read at random, and a larger
 * anonymous footprint that is touched sparsely (one 4 KiB page per 2 MiB),
 * as a program with a big heap and a smaller working set would.
 *
 * By default the footprint is one mapping and the hot set a 2 MiB aligned
 * range in its middle.  With --separate, the hot set is a mapping of its
 * own and the footprint stays sparse all over.  With --move-every S, the
 * hot set moves every S seconds to the next place in the footprint (its
 * next hot-set-sized slot, round-robin), which it writes first, so that
 * the new place is resident and the old one stays so but goes cold.
 *
 * The hot set is written once so that it is resident; the reads go on until
 * the process is killed, with a TLB flush every few thousand reads (see
 * workload.h).
 *
 * Writes "hot ADDR BYTES" and "footprint ADDR BYTES" (hex ADDR) into
 * --ready FILE once the memory is resident, and again, with the new hot
 * address, after every move.
 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "workload.h"

#define READS_PER_FLUSH 4096

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* An anonymous mapping of LEN bytes at a 2 MiB aligned address, or 0. */
static uintptr_t map_aligned(unsigned long len)
{
	void *map = mmap(NULL, len + PMD_SIZE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (map == MAP_FAILED)
		return 0;
	return ((uintptr_t)map + PMD_SIZE - 1) & ~(PMD_SIZE - 1);
}

static int announce(const char *ready, uintptr_t hot, unsigned long hot_len,
		    uintptr_t foot, unsigned long foot_len)
{
	char text[256];
	int r;

	if (!ready)
		return 0;
	snprintf(text, sizeof(text), "hot %lx %lu\nfootprint %lx %lu\n", (unsigned long)hot,
		 hot_len, (unsigned long)foot, foot_len);
	r = write_ready(ready, text);
	if (r < 0)
		fprintf(stderr, "hotset: %s: %s\n", ready, strerror(-r));
	return r;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "footprint", required_argument, NULL, 'f' },
		{ "hot", required_argument, NULL, 'h' },
		{ "ready", required_argument, NULL, 'r' },
		{ "separate", no_argument, NULL, 's' },
		{ "move-every", required_argument, NULL, 'm' },
		{ 0 }
	};
	unsigned long foot_len = 1024UL << 20, hot_len = 256UL << 20, i, n, slot = 0;
	uint64_t x = 88172645463325252ULL, sink = 0;
	double move_every = 0, next_move = 0;
	const char *ready = NULL;
	uintptr_t foot, hot;
	int c, r, separate = 0;
	void *scratch;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'f': foot_len = parse_mib("hotset", "footprint", optarg); break;
		case 'h': hot_len = parse_mib("hotset", "hot", optarg); break;
		case 'r': ready = optarg; break;
		case 's': separate = 1; break;
		case 'm': move_every = atof(optarg); break;
		default:
			fprintf(stderr, "usage: hotset [--footprint MIB] [--hot MIB] [--separate] [--move-every S] [--ready FILE]\n");
			return 2;
		}
	}
	if ((!separate && hot_len > foot_len) || hot_len % PMD_SIZE || foot_len % PMD_SIZE ||
	    move_every < 0 || (move_every && (separate || hot_len * 2 > foot_len))) {
		fprintf(stderr, "hotset: the hot set must fit in the footprint (twice to move, and not --separate), both in 2 MiB units\n");
		return 2;
	}

	foot = map_aligned(foot_len);
	hot = separate ? map_aligned(hot_len) : 0;
	scratch = tlb_scratch();
	if (!foot || (separate && !hot) || !scratch) {
		perror("hotset: mmap");
		return 1;
	}
	if (!separate)
		hot = foot + (move_every ? 0 : (foot_len - hot_len) / 2 & ~(PMD_SIZE - 1));
	for (i = 0; i < foot_len; i += PMD_SIZE)
		((volatile char *)foot)[i] = 1;
	for (i = 0; i < hot_len; i += SMALL_PAGE)
		((volatile char *)hot)[i] = 1;
	if (announce(ready, hot, hot_len, foot, foot_len) < 0)
		return 1;
	if (move_every)
		next_move = now() + move_every;

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
		if (move_every && now() >= next_move) {
			slot = (slot + 1) % (foot_len / hot_len);
			hot = foot + slot * hot_len;
			for (i = 0; i < hot_len; i += SMALL_PAGE)
				((volatile char *)hot)[i] = 1;
			if (announce(ready, hot, hot_len, foot, foot_len) < 0)
				return 1;
			next_move += move_every;
		}
	}
}
