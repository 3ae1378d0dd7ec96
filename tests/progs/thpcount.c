// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * thpcount PID ADDR LEN: how many of the 2 MiB units of [ADDR, ADDR + LEN)
 * in PID's address space are backed by a transparent huge page, from
 * /proc/PID/pagemap and /proc/kpageflags (root only).  ADDR is hex.
 * Prints "HUGE TOTAL".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PMD_SIZE (2UL << 20)
#define SMALL_PAGE 4096UL
#define PM_PRESENT (1ULL << 63)
#define PM_PFN_MASK ((1ULL << 55) - 1)
#define KPF_THP 22

static int read_u64(int fd, uint64_t index, uint64_t *val)
{
	ssize_t n = pread(fd, val, sizeof(*val), (off_t)(index * sizeof(*val)));

	if (n == sizeof(*val))
		return 0;
	return n < 0 ? -errno : -EIO;
}

int main(int argc, char **argv)
{
	unsigned long addr, len, a, huge = 0, total = 0;
	uint64_t ent, flags;
	char path[64];
	int pm, kf, r;

	if (argc != 4) {
		fprintf(stderr, "usage: thpcount PID ADDR LEN\n");
		return 2;
	}
	addr = strtoul(argv[2], NULL, 16);
	len = strtoul(argv[3], NULL, 0);
	snprintf(path, sizeof(path), "/proc/%s/pagemap", argv[1]);
	pm = open(path, O_RDONLY);
	kf = open("/proc/kpageflags", O_RDONLY);
	if (pm < 0 || kf < 0) {
		perror("thpcount: open");
		return 1;
	}
	for (a = addr; a + PMD_SIZE <= addr + len; a += PMD_SIZE) {
		total++;
		r = read_u64(pm, a / SMALL_PAGE, &ent);
		if (r < 0) {
			fprintf(stderr, "thpcount: pagemap: %s\n", strerror(-r));
			return 1;
		}
		if (!(ent & PM_PRESENT) || !(ent & PM_PFN_MASK))
			continue;
		r = read_u64(kf, ent & PM_PFN_MASK, &flags);
		if (r < 0) {
			fprintf(stderr, "thpcount: kpageflags: %s\n", strerror(-r));
			return 1;
		}
		huge += (flags >> KPF_THP) & 1;
	}
	printf("%lu %lu\n", huge, total);
	return 0;
}
