// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * memhog: memory pressure on demand.  Allocates an anonymous region and
 * writes one word into each of its 4 KiB pages, round after round, until
 * it is killed or --seconds have passed.
 *
 * In a cgroup whose memory.max is below the region's size, with swap on,
 * every round pushes pages out to swap and faults them back in: the
 * process spends most of its time in reclaim and swap-in, which is what
 * memory.pressure (PSI) counts.  The words written differ from round to
 * round and from page to page, so no page is zero or same-filled (zram
 * would store those without compressing them).
 *
 * Each round ends with a TLB flush (see workload.h), so that under QEMU's
 * TCG the reclaim sees the pages' accessed bits as a real CPU would set
 * them.
 *
 * Prints "memhog ADDR BYTES" (hex ADDR) on stdout and, with --ready FILE,
 * into FILE once every page has been written once; with --seconds, prints
 * "memhog rounds N" when it stops.
 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "workload.h"

/* Pages written between two looks at the clock. */
#define PAGES_PER_CLOCK 256

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static unsigned long parse_seconds(const char *arg)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || *end || arg[0] == '\0' || arg[0] == '-' || v > 86400 * 365) {
		fprintf(stderr, "memhog: --seconds: '%s' is not a number of seconds\n", arg);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mib", required_argument, NULL, 'm' },
		{ "seconds", required_argument, NULL, 's' },
		{ "ready", required_argument, NULL, 'r' },
		{ 0 }
	};
	unsigned long len = 256UL << 20, seconds = 0, round = 0, i;
	const char *ready = NULL;
	double deadline = 0;
	void *scratch;
	char text[256];
	char *map;
	int c, r;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'm': len = parse_mib("memhog", "mib", optarg); break;
		case 's': seconds = parse_seconds(optarg); break;
		case 'r': ready = optarg; break;
		default:
			fprintf(stderr, "usage: memhog [--mib MIB] [--seconds S] [--ready FILE]\n");
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "usage: memhog [--mib MIB] [--seconds S] [--ready FILE]\n");
		return 2;
	}

	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	scratch = tlb_scratch();
	if (map == MAP_FAILED || !scratch) {
		perror("memhog: mmap");
		return 1;
	}
	if (seconds)
		deadline = now() + seconds;

	for (;;) {
		round++;
		for (i = 0; i < len; i += SMALL_PAGE) {
			/* Never 0, different in every page and every round. */
			*(volatile unsigned long *)(map + i) = (round << 32) | (i / SMALL_PAGE) | 1;
			if (deadline && (i / SMALL_PAGE) % PAGES_PER_CLOCK == 0 && now() >= deadline)
				goto out;
		}
		r = tlb_flush(scratch);
		if (r < 0) {
			fprintf(stderr, "memhog: mprotect: %s\n", strerror(-r));
			return 1;
		}
		if (round == 1) {
			snprintf(text, sizeof(text), "memhog %lx %lu\n", (unsigned long)map, len);
			fputs(text, stdout);
			fflush(stdout);
			if (ready) {
				r = write_ready(ready, text);
				if (r < 0) {
					fprintf(stderr, "memhog: %s: %s\n", ready, strerror(-r));
					return 1;
				}
			}
		}
	}
out:
	printf("memhog rounds %lu\n", round);
	return 0;
}
