// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * How long the configuration takes to load when it is large: a policy
 * file with N CgroupPath= globs (one per line, then all on one line) and
 * a policies.d directory with N files.  Prints one line per case:
 *   bench-conf CASE n=N ms=T
 * Usage: bench-conf [N]   (default 180000 globs, N/100 files)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void quiet(int level, const char *text, void *userdata)
{
	(void)userdata;
	if (level <= LOG_ERR)
		fprintf(stderr, "bench-conf: %s\n", text);
}

static double ms_since(usec_t start)
{
	return (double)(now_usec() - start) / 1000.0;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 180000;
	char dir[] = "/tmp/bench-conf-XXXXXX", path[8192];
	struct hp_policy p;
	usec_t start;
	FILE *f;

	if (n <= 0)
		return 2;
	log_set_sink(quiet, NULL);
	if (!mkdtemp(dir))
		die("mkdtemp");

	snprintf(path, sizeof(path), "%s/lines.conf", dir);
	f = fopen(path, "we");
	if (!f)
		die(path);
	fputs("[Match]\n", f);
	for (long i = 0; i < n; i++)
		fprintf(f, "CgroupPath=/bench/s%ld/c%ld*\n", i % 100, i);
	fputs("[Policy]\nPriority=1\n", f);
	if (fclose(f))
		die(path);
	start = now_usec();
	if (hp_policy_parse_file(path, "lines.conf", "Policy", &p) < 0)
		return 1;
	printf("bench-conf globs-one-per-line n=%ld ms=%.1f\n", n, ms_since(start));
	if (strv_len(p.cgroup_globs) != (size_t)n)
		return 1;
	hp_policy_done(&p);

	snprintf(path, sizeof(path), "%s/one-line.conf", dir);
	f = fopen(path, "we");
	if (!f)
		die(path);
	fputs("[Match]\nCgroupPath=", f);
	for (long i = 0; i < n; i++)
		fprintf(f, "/bench/s%ld/c%ld* ", i % 100, i);
	fputs("\n[Policy]\nPriority=1\n", f);
	if (fclose(f))
		die(path);
	start = now_usec();
	/* A line this long is refused where lines are limited: still a figure. */
	if (hp_policy_parse_file(path, "one-line.conf", "Policy", &p) == 0) {
		printf("bench-conf globs-one-line n=%ld ms=%.1f\n", n, ms_since(start));
		hp_policy_done(&p);
	} else {
		printf("bench-conf globs-one-line n=%ld refused ms=%.1f\n", n, ms_since(start));
	}

	{
		char pdir[4200];
		long files = n / 100 > 0 ? n / 100 : 1;
		char *dirs[] = { pdir, NULL };
		struct hp_policy_set set;

		snprintf(pdir, sizeof(pdir), "%s/policies.d", dir);
		if (mkdir(pdir, 0755) < 0)
			die(pdir);
		for (long i = 0; i < files; i++) {
			snprintf(path, sizeof(path), "%s/%07ld.conf", pdir, (i * 7919) % files);
			f = fopen(path, "we");
			if (!f)
				die(path);
			fprintf(f, "[Match]\nCgroupPath=/p%ld\n", i);
			if (fclose(f))
				die(path);
		}
		start = now_usec();
		if (hp_policies_load(dirs, false, &set) != 0 || set.n != (size_t)files)
			return 1;
		printf("bench-conf policy-files n=%ld ms=%.1f\n", files, ms_since(start));
		hp_policy_set_free(&set);
	}
	{
		char cmd[4200];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			return 1;
	}
	return 0;
}
