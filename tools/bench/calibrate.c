// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * calibrate: what a given share of a hot set in huge pages is worth on this
 * machine's real TLB.  Run it on the host: inside a TCG guest every access
 * goes through QEMU's software TLB, which works per 4 KiB page whatever the
 * guest maps, so the guest cannot show the gain.
 *
 * It populates a hot set in small pages (MADV_NOHUGEPAGE), then for each
 * share in ascending order collapses more of its 2 MiB units with
 * MADV_COLLAPSE (spread over the set, not from one end) and measures random
 * 8-byte reads per second, the median of --runs runs.
 *
 * Output, one line per share:
 *   CALIB SHARE_PCT ACTUAL_HUGE_PCT MEDIAN_MREADS_PER_S GAIN_PCT_VS_0 SPREAD_PCT
 * SPREAD_PCT is how far the gain could be off: half the range of this
 * share's runs plus half the range of the 0% runs, in percent of the 0%
 * median.  A gain smaller than its spread is noise.
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif

#define PMD_SIZE (2UL << 20)
#define SMALL_PAGE 4096UL
#define MAX_RUNS 31

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Random 8-byte reads over @hot for about @seconds; reads per second. */
static double read_rate(const uint64_t *hot, unsigned long n, double seconds)
{
	static uint64_t x = 88172645463325252ULL;
	volatile uint64_t sink = 0;
	unsigned long reads = 0, i;
	double start = now(), t;

	do {
		for (i = 0; i < (1UL << 20); i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			sink += hot[x % n];
		}
		reads += 1UL << 20;
		t = now() - start;
	} while (t < seconds);
	(void)sink;
	return reads / t;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The huge page share of [addr, addr + len), from /proc/self/smaps. */
static double huge_share(uintptr_t addr, unsigned long len)
{
	unsigned long start, end, kb, huge_kb = 0;
	char line[512];
	int inside = 0;
	FILE *f = fopen("/proc/self/smaps", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2 && strchr(line, '-') < strchr(line, ' ')) {
			inside = start >= addr && end <= addr + len;
			continue;
		}
		if (inside && sscanf(line, "AnonHugePages: %lu kB", &kb) == 1)
			huge_kb += kb;
	}
	fclose(f);
	return 100.0 * huge_kb * 1024 / len;
}

static int parse_shares(char *arg, int *shares)
{
	int n = 0;
	char *tok, *end;

	for (tok = strtok(arg, ","); tok && n < 32; tok = strtok(NULL, ",")) {
		long v = strtol(tok, &end, 10);

		if (*end || v < 0 || v > 100 || (n && v <= shares[n - 1]))
			return -1;
		shares[n++] = v;
	}
	return n;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "hot", required_argument, NULL, 'h' },
		{ "runs", required_argument, NULL, 'r' },
		{ "seconds", required_argument, NULL, 's' },
		{ "shares", required_argument, NULL, 'S' },
		{ 0 }
	};
	char default_shares[] = "0,25,50,75,90,100";
	unsigned long hot_len = 2048UL << 20, nchunks, done = 0, want, i, k;
	int shares[32], nshares, runs = 5, c, s, r, failed = 0;
	double seconds = 1.0, rates[MAX_RUNS], base = 0, base_range = 0, median;
	unsigned long *order;
	uintptr_t hot;
	void *map;

	nshares = parse_shares(default_shares, shares);
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'h': hot_len = strtoul(optarg, NULL, 10) << 20; break;
		case 'r': runs = atoi(optarg); break;
		case 's': seconds = atof(optarg); break;
		case 'S': nshares = parse_shares(optarg, shares); break;
		default:
			fprintf(stderr, "usage: calibrate [--hot MIB] [--runs N] [--seconds S] [--shares P,P,...]\n");
			return 2;
		}
	}
	if (hot_len < PMD_SIZE || runs < 1 || runs > MAX_RUNS || seconds <= 0 || nshares < 1) {
		fprintf(stderr, "calibrate: bad arguments (--shares: ascending percentages)\n");
		return 2;
	}
	hot_len &= ~(PMD_SIZE - 1);
	nchunks = hot_len / PMD_SIZE;

	map = mmap(NULL, hot_len + PMD_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	order = calloc(nchunks, sizeof(*order));
	if (map == MAP_FAILED || !order) {
		perror("calibrate: mmap");
		return 1;
	}
	hot = ((uintptr_t)map + PMD_SIZE - 1) & ~(PMD_SIZE - 1);
	if (madvise((void *)hot, hot_len, MADV_NOHUGEPAGE)) {
		perror("calibrate: MADV_NOHUGEPAGE");
		return 1;
	}
	for (i = 0; i < hot_len; i += SMALL_PAGE)
		((volatile char *)hot)[i] = 1;

	/* A fixed shuffle, so that each share is spread over the whole set. */
	for (i = 0; i < nchunks; i++)
		order[i] = i;
	srand(1);
	for (i = nchunks - 1; i > 0; i--) {
		k = (unsigned long)rand() % (i + 1);
		unsigned long tmp = order[i];

		order[i] = order[k];
		order[k] = tmp;
	}

	for (s = 0; s < nshares; s++) {
		want = nchunks * shares[s] / 100;
		for (; done < want; done++) {
			void *chunk = (void *)(hot + order[done] * PMD_SIZE);

			if (madvise(chunk, PMD_SIZE, MADV_HUGEPAGE) ||
			    madvise(chunk, PMD_SIZE, MADV_COLLAPSE))
				failed++;
		}
		/*
		 * Touch every page before timing: a collapse copies into new
		 * memory, and where this runs in a VM, its first touch costs a
		 * fault in the hypervisor, which is not what is measured here.
		 */
		for (i = 0; i < hot_len; i += SMALL_PAGE)
			(void)((volatile char *)hot)[i];
		read_rate((const uint64_t *)hot, hot_len / 8, seconds);
		for (r = 0; r < runs; r++)
			rates[r] = read_rate((const uint64_t *)hot, hot_len / 8, seconds);
		qsort(rates, runs, sizeof(rates[0]), cmp_double);
		median = rates[runs / 2];
		if (s == 0) {
			base = median;
			base_range = rates[runs - 1] - rates[0];
		}
		printf("CALIB %d %.1f %.2f %.1f %.1f\n", shares[s], huge_share(hot, hot_len),
		       median / 1e6, (median / base - 1) * 100,
		       (rates[runs - 1] - rates[0] + base_range) / 2 / base * 100);
		fflush(stdout);
	}
	if (failed)
		fprintf(stderr, "calibrate: %d units failed to collapse\n", failed);
	return 0;
}
