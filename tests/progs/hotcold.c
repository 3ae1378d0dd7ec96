// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hotcold: a workload with one hot and one cold anonymous region.
 *
 * Both regions are 2 MiB aligned, written once so they are resident in
 * small pages, and kept apart by a PROT_NONE gap so that each is a VMA of
 * its own in /proc/PID/smaps.  The hot region is then read, one word per
 * 4 KiB page, in an endless loop; the cold one is never touched again.
 *
 * Each pass over the hot region ends with a full TLB flush of the
 * process (an mprotect() of a scratch area larger than the kernel's
 * single-page flush ceiling).  Under QEMU's TCG the software TLB is big
 * enough to hold every page of the hot region, and the accessed bit
 * that DAMON clears in a PTE is only set again when the TLB entry is
 * refilled, so without the flush DAMON would see the hot region as
 * nearly idle.  A real CPU's TLB holds a few thousand entries and loses
 * them within one pass anyway, so the flush models real hardware.
 *
 * It prints "hot ADDR BYTES" and "cold ADDR BYTES" (ADDR in the hex form
 * smaps uses) on stdout and, with --ready FILE, into FILE once both
 * regions are populated.
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PMD_SIZE (2UL << 20)
#define SMALL_PAGE 4096UL
/* More pages than tlb_single_page_flush_ceiling (33): a full flush. */
#define SCRATCH_LEN (64 * SMALL_PAGE)

static unsigned long parse_mib(const char *opt, const char *arg)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || *end || v == 0 || v > (1UL << 20)) {
		fprintf(stderr, "hotcold: --%s: '%s' is not a size in MiB (1..1048576)\n", opt, arg);
		exit(2);
	}
	return v << 20;
}

static int write_ready(const char *path, uintptr_t hot, unsigned long hot_len,
		       uintptr_t cold, unsigned long cold_len)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return -errno;
	fprintf(f, "hot %lx %lu\ncold %lx %lu\n", (unsigned long)hot, hot_len,
		(unsigned long)cold, cold_len);
	if (fclose(f) != 0)
		return -errno;
	if (rename(tmp, path) < 0)
		return -errno;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "hot", required_argument, NULL, 'h' },
		{ "cold", required_argument, NULL, 'c' },
		{ "ready", required_argument, NULL, 'r' },
		{ 0 }
	};
	unsigned long hot_len = 64UL << 20, cold_len = 64UL << 20, total, i;
	const char *ready = NULL;
	uintptr_t base, hot, cold;
	volatile unsigned long sink = 0;
	void *map, *scratch;
	int c, r;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'h': hot_len = parse_mib("hot", optarg); break;
		case 'c': cold_len = parse_mib("cold", optarg); break;
		case 'r': ready = optarg; break;
		default:
			fprintf(stderr, "usage: hotcold [--hot MIB] [--cold MIB] [--ready FILE]\n");
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
	scratch = mmap(NULL, SCRATCH_LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (scratch == MAP_FAILED) {
		perror("hotcold: mmap");
		return 1;
	}
	memset(scratch, 1, SCRATCH_LEN);
	for (i = 0; i < hot_len; i += SMALL_PAGE)
		((volatile char *)hot)[i] = 1;
	for (i = 0; i < cold_len; i += SMALL_PAGE)
		((volatile char *)cold)[i] = 1;

	printf("hot %lx %lu\ncold %lx %lu\n", (unsigned long)hot, hot_len,
	       (unsigned long)cold, cold_len);
	fflush(stdout);
	if (ready) {
		r = write_ready(ready, hot, hot_len, cold, cold_len);
		if (r < 0) {
			fprintf(stderr, "hotcold: %s: %s\n", ready, strerror(-r));
			return 1;
		}
	}

	for (;;) {
		for (i = 0; i < hot_len; i += SMALL_PAGE)
			sink += *(volatile unsigned long *)(hot + i);
		/* Changing present PTEs makes the kernel flush the TLB. */
		if (mprotect(scratch, SCRATCH_LEN, PROT_READ) ||
		    mprotect(scratch, SCRATCH_LEN, PROT_READ | PROT_WRITE)) {
			perror("hotcold: mprotect");
			return 1;
		}
	}
}
