// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The daemon's own cost of a full rescan (policyd/manager.c's rescan(),
 * included), on a tmpfs tree: 10,000 plain cgroups (100 slices of 99, as
 * tools/bench/daemon makes in the guest), and 2,000, 4,000 and 8,000
 * cgroups named like services.  systemd is faked (tests/unit/fake-units.c):
 * what is measured is the walk and the bookkeeping, not D-Bus.  Prints
 *   bench-rescan CASE cgroups=N median_ms=T min_ms=T max_ms=T
 * Usage: bench-rescan [ROUNDS [plain|services]]   (default 7, both; the
 * tree goes in /dev/shm)
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../policyd/manager.c"
#include "../unit/fake-units.h"

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void quiet(int level, const char *text, void *userdata)
{
	(void)userdata;
	if (level <= LOG_WARNING)
		fprintf(stderr, "bench-rescan: %s\n", text);
}

static void write_text(const char *dir, const char *name, const char *text)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "we");
	if (!f || fputs(text, f) < 0 || fclose(f))
		die(path);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Times rounds rescans of root and prints them as case name. */
static void run(const char *name, const char *top, const char *root, int rounds)
{
	char pressure[4096], run_dir[4096], conf[4096], policies[4096];
	char *dirs[] = { policies, NULL };
	struct manager_options o = {
		.config_path = conf, .policy_dirs = dirs, .check_owner = false,
		.cgroup_root = root, .pressure_dir = pressure, .run_dir = run_dir,
		.backend = HP_BACKEND_DRY_RUN,
	};
	struct manager *m = NULL;
	double ms[64];

	snprintf(pressure, sizeof(pressure), "%s/pressure", top);
	snprintf(run_dir, sizeof(run_dir), "%s/run", top);
	snprintf(conf, sizeof(conf), "%s/hugepaged.conf", top);
	snprintf(policies, sizeof(policies), "%s/policies.d", top);
	if (manager_new(&o, &m) < 0)
		die("manager_new");
	for (int i = 0; i < rounds; i++) {
		usec_t start = now_usec();

		if (rescan(m) < 0)
			die("rescan");
		ms[i] = (double)(now_usec() - start) / 1000.0;
	}
	qsort(ms, (size_t)rounds, sizeof(double), cmp_double);
	printf("bench-rescan %s cgroups=%u median_ms=%.1f min_ms=%.1f max_ms=%.1f\n", name, m->cg.n_cgroups,
	       ms[rounds / 2], ms[0], ms[rounds - 1]);
	fflush(stdout);
	manager_free(m);
}

int main(int argc, char **argv)
{
	static const char psi[] = "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n";
	int rounds = argc > 1 ? atoi(argv[1]) : 7;
	const char *only = argc > 2 ? argv[2] : "";
	char top[] = "/dev/shm/bench-rescan-XXXXXX", path[8192], root[2048];

	if (rounds < 1 || rounds > 64)
		return 2;
	log_set_sink(quiet, NULL);
	if (!mkdtemp(top))
		die("mkdtemp");
	snprintf(path, sizeof(path), "%s/pressure", top);
	if (mkdir(path, 0755) < 0)
		die(path);
	write_text(path, "memory", psi);
	write_text(path, "cpu", psi);
	snprintf(path, sizeof(path), "%s/run", top);
	snprintf(units_dir, sizeof(units_dir), "%s/units", top);
	snprintf(root, sizeof(root), "%s/policies.d", top);
	if (mkdir(path, 0755) < 0 || mkdir(units_dir, 0755) < 0 || mkdir(root, 0755) < 0)
		die(path);
	/* The policies of tools/bench/daemon: nothing in the tree matches them. */
	write_text(root, "10-r.conf", "[Match]\nCgroupPath=/r*\n[Policy]\nPriority=10\n");
	write_text(root, "20-p.conf", "[Match]\nCgroupPath=/p\n[Policy]\nPriority=20\n");
	write_text(top, "hugepaged.conf", "[Pressure]\nSystemMemoryLimit=0%\nSystemCPULimit=0%\n");

	/* 100 x 99 plain cgroups under /bench. */
	if (strcmp(only, "services")) {
	snprintf(root, sizeof(root), "%s/plain", top);
	if (mkdir(root, 0755) < 0)
		die(root);
	snprintf(path, sizeof(path), "%s/bench", root);
	if (mkdir(path, 0755) < 0)
		die(path);
	for (int i = 0; i < 100; i++) {
		snprintf(path, sizeof(path), "%s/bench/s%d", root, i);
		if (mkdir(path, 0755) < 0)
			die(path);
		for (int j = 0; j < 99; j++) {
			snprintf(path, sizeof(path), "%s/bench/s%d/c%d", root, i, j);
			if (mkdir(path, 0755) < 0)
				die(path);
		}
	}
	run("plain-10000", top, root, rounds);
	}

	/* Services below system.slice, the shape of a busy host. */
	for (int n = 2000; n <= 8000 && strcmp(only, "plain"); n *= 2) {
		char name[64];

		snprintf(root, sizeof(root), "%s/services-%d", top, n);
		snprintf(path, sizeof(path), "%s/system.slice", root);
		if (mkdir(root, 0755) < 0 || mkdir(path, 0755) < 0)
			die(path);
		for (int i = 0; i < n; i++) {
			snprintf(path, sizeof(path), "%s/system.slice/s%d.service", root, i);
			if (mkdir(path, 0755) < 0)
				die(path);
		}
		snprintf(name, sizeof(name), "services-%d", n);
		run(name, top, root, rounds);
	}
	nftw(top, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}
