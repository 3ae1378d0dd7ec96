// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * collapsecost MIB: what collapsing MIB of anonymous memory costs, from user
 * space with MADV_COLLAPSE, one 2 MiB range at a time.  The memory is
 * written in small pages first (MADV_NOHUGEPAGE, lifted before the
 * collapse).  Prints "COLLAPSECOST MIB COLLAPSED CPU_MS": the 2 MiB ranges
 * collapsed and the CPU time of the madvise() calls (this thread's, in
 * milliseconds).
 *
 * Every mode of the benchmark that collapses a hot set of MIB does this
 * work at least once, so CPU_MS is the floor of its CPU column.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif

#define PMD_SIZE (2UL << 20)

static double thread_cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
	unsigned long mib, len, off, collapsed = 0;
	double start, cpu = 0;
	char *end, *map, *mem;

	mib = argc == 2 ? strtoul(argv[1], &end, 0) : 0;
	if (argc != 2 || !mib || *end || mib > (1UL << 20)) {
		fprintf(stderr, "usage: collapsecost MIB (1 to 1048576)\n");
		return 2;
	}
	len = mib << 20;
	/* one huge page more, to align the start */
	map = mmap(NULL, len + PMD_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED) {
		fprintf(stderr, "collapsecost: mmap %lu MiB: %s\n", mib,
			strerror(errno));
		return 1;
	}
	mem = (char *)(((unsigned long)map + PMD_SIZE - 1) & ~(PMD_SIZE - 1));
	if (madvise(mem, len, MADV_NOHUGEPAGE)) {
		fprintf(stderr, "collapsecost: MADV_NOHUGEPAGE: %s\n",
			strerror(errno));
		return 1;
	}
	memset(mem, 1, len);
	/* MADV_COLLAPSE refuses VM_NOHUGEPAGE ranges */
	if (madvise(mem, len, MADV_HUGEPAGE)) {
		fprintf(stderr, "collapsecost: MADV_HUGEPAGE: %s\n",
			strerror(errno));
		return 1;
	}
	for (off = 0; off < len; off += PMD_SIZE) {
		start = thread_cpu_ms();
		if (!madvise(mem + off, PMD_SIZE, MADV_COLLAPSE))
			collapsed++;
		cpu += thread_cpu_ms() - start;
	}
	printf("COLLAPSECOST %lu %lu %.0f\n", mib, collapsed, cpu);
	return collapsed ? 0 : 1;
}
