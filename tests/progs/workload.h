/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Pieces shared by the guest workloads (hotcold, hotset).
 */
#ifndef DAMON_HUGEPAGE_WORKLOAD_H
#define DAMON_HUGEPAGE_WORKLOAD_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define PMD_SIZE (2UL << 20)
#define SMALL_PAGE 4096UL
/* More pages than the kernel's tlb_single_page_flush_ceiling (33). */
#define TLB_SCRATCH_LEN (64 * SMALL_PAGE)

/* A size in MiB from option --OPT of PROG; exits with a message if bad. */
static unsigned long parse_mib(const char *prog, const char *opt, const char *arg)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || *end || v == 0 || v > (1UL << 20)) {
		fprintf(stderr, "%s: --%s: '%s' is not a size in MiB (1..1048576)\n", prog, opt, arg);
		exit(2);
	}
	return v << 20;
}

/*
 * The workloads flush their TLB now and then.  Under QEMU's TCG the
 * software TLB holds every page of a large working set, and the accessed
 * bit that DAMON clears in a PTE is set again only when the entry is
 * refilled, so without flushes DAMON sees hot memory as idle.  A real CPU's
 * TLB holds a few thousand entries and loses them quickly anyway.
 *
 * tlb_scratch() maps a small populated area; tlb_flush() changes the
 * protection of its present PTEs, which makes the kernel flush the whole
 * TLB of the process.  Both return NULL / -errno on failure.
 */
static void *tlb_scratch(void)
{
	void *p = mmap(NULL, TLB_SCRATCH_LEN, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	memset(p, 1, TLB_SCRATCH_LEN);
	return p;
}

static int tlb_flush(void *scratch)
{
	if (mprotect(scratch, TLB_SCRATCH_LEN, PROT_READ) ||
	    mprotect(scratch, TLB_SCRATCH_LEN, PROT_READ | PROT_WRITE))
		return -errno;
	return 0;
}

/* Write TEXT to PATH atomically (through PATH.tmp and rename). */
static int write_ready(const char *path, const char *text)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return -errno;
	if (fputs(text, f) < 0) {
		fclose(f);
		return -EIO;
	}
	if (fclose(f) != 0 || rename(tmp, path) < 0)
		return -errno;
	return 0;
}

#endif
