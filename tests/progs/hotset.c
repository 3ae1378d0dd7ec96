// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hotset: the benchmark workload.  A hot set read at random inside a larger
 * anonymous footprint that is touched sparsely (one 4 KiB page per 2 MiB),
 * as a program with a big heap and a smaller working set would.
 *
 * The footprint is one mapping; the hot set is a 2 MiB aligned range in its
 * middle, written once so that it is resident.  The reads go on until the
 * process is killed.  As in hotcold, the TLB is flushed every few thousand
 * reads so that DAMON sees the accesses under QEMU's TCG, whose software
 * TLB would otherwise hide them.
 *
 * Prints "hot ADDR BYTES" and "footprint ADDR BYTES" (hex ADDR) into
 * --ready FILE once the memory is resident.
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define PMD_SIZE (2UL << 20)
#define SMALL_PAGE 4096UL
#define SCRATCH_LEN (64 * SMALL_PAGE)
#define READS_PER_FLUSH 4096

static unsigned long parse_mib(const char *opt, const char *arg)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || *end || v == 0 || v > (1UL << 20)) {
		fprintf(stderr, "hotset: --%s: '%s' is not a size in MiB (1..1048576)\n", opt, arg);
		exit(2);
	}
	return v << 20;
}

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
	FILE *f;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'f': foot_len = parse_mib("footprint", optarg); break;
		case 'h': hot_len = parse_mib("hot", optarg); break;
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
	scratch = mmap(NULL, SCRATCH_LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED || scratch == MAP_FAILED) {
		perror("hotset: mmap");
		return 1;
	}
	memset(scratch, 1, SCRATCH_LEN);
	foot = ((uintptr_t)map + PMD_SIZE - 1) & ~(PMD_SIZE - 1);
	hot = foot + ((foot_len - hot_len) / 2 & ~(PMD_SIZE - 1));
	for (i = 0; i < foot_len; i += PMD_SIZE)
		((volatile char *)foot)[i] = 1;
	for (i = 0; i < hot_len; i += SMALL_PAGE)
		((volatile char *)hot)[i] = 1;

	if (ready) {
		char tmp[4096];

		snprintf(tmp, sizeof(tmp), "%s.tmp", ready);
		f = fopen(tmp, "w");
		if (!f || fprintf(f, "hot %lx %lu\nfootprint %lx %lu\n", (unsigned long)hot, hot_len,
				  (unsigned long)foot, foot_len) < 0 || fclose(f) || rename(tmp, ready)) {
			perror("hotset: ready file");
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
		if (mprotect(scratch, SCRATCH_LEN, PROT_READ) ||
		    mprotect(scratch, SCRATCH_LEN, PROT_READ | PROT_WRITE)) {
			perror("hotset: mprotect");
			return 1;
		}
	}
}
