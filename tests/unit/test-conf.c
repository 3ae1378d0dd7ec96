// SPDX-License-Identifier: GPL-2.0-or-later
/* Main configuration and policies of policyd/conf.c. */
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"

#define MiB (1ULL << 20)
#define GiB (1ULL << 30)

/* ---- main configuration ---- */

static int teardown_capture(void **state)
{
	(void)state;
	capture_stop();
	return 0;
}

static void test_config_missing_is_defaults(void **state)
{
	struct hp_config c, d;

	(void)state;
	memset(&c, 0x5a, sizeof(c));
	capture_start();
	assert_int_equal(hp_config_load("/nonexistent/hugepaged.conf", false, &c), 0);
	assert_int_equal(captured_errors(), 0);
	hp_config_defaults(&d);
	assert_int_equal(c.kdamond_limit, d.kdamond_limit);
	assert_true(c.rescan_interval == d.rescan_interval);
	assert_true(c.hold_time == d.hold_time);
	assert_int_equal(c.challenge_margin_pct, d.challenge_margin_pct);
	assert_int_equal(c.system_memory.bp, d.system_memory.bp);
	assert_int_equal(c.tuning.mode, d.tuning.mode);
	/* The documented defaults. */
	assert_int_equal(d.kdamond_limit, 4);
	assert_true(d.stop_on_exit);
	assert_int_equal(d.tuning.mode, HP_TUNING_GOAL);
}

static void test_config_dropins(void **state)
{
	char path[4096];
	struct hp_config c;

	(void)state;
	snprintf(path, sizeof(path), "%s", fixture("conf/good/hugepaged.conf"));
	capture_start();
	assert_int_equal(hp_config_load(path, false, &c), 0);
	assert_int_equal(captured_errors(), 0);

	/* 05-zeroth (7), 10-first (6), 20-second (5): lexical order, last wins;
	 * 30-ignored.conf.bak (1) and .99-hidden.conf (2) are not read. */
	assert_int_equal(c.kdamond_limit, 5);
	assert_true(c.hold_time == 90 * USEC_PER_SEC);		/* 05-zeroth */
	assert_int_equal(c.challenge_margin_pct, 10);		/* 10-first */
	assert_true(c.tuning.quota_bytes == 1 * GiB);		/* 20-second */

	/* From hugepaged.conf only. */
	assert_true(c.rescan_interval == 30 * USEC_PER_SEC);
	assert_true(c.refresh_interval == 5 * USEC_PER_SEC);
	assert_true(c.resume_delay == 60 * USEC_PER_SEC);
	assert_false(c.stop_on_exit);
	assert_int_equal(c.system_memory.bp, 1500);
	assert_true(c.system_memory.duration == 5 * USEC_PER_SEC);
	assert_int_equal(c.system_cpu.bp, 5000);
	assert_true(c.system_cpu.duration == 500 * USEC_PER_MSEC);
	assert_int_equal(c.group_memory.bp, 1250);
	assert_true(c.group_memory.duration == 0);
	assert_int_equal(c.tuning.mode, HP_TUNING_THRESHOLD);
	assert_int_equal(c.tuning.goal_bp, 3000);
	assert_int_equal(c.tuning.min_access, 3);
	assert_int_equal(c.tuning.quota_ms, 20);
}

static void test_config_errors(void **state)
{
	char path[4096], dropin[4096];
	struct hp_config c;

	(void)state;
	snprintf(path, sizeof(path), "%s", fixture("conf/errors/hugepaged.conf"));
	snprintf(dropin, sizeof(dropin), "%s", fixture("conf/errors/hugepaged.conf.d/50-bad.conf"));
	capture_start();
	assert_int_equal(hp_config_load(path, false, &c), 6);
	assert_int_equal(captured_errors(), 6);

	assert_logged_at(path, 4, "out-of-range value KdamondLimit=100");
	assert_logged_at(path, 5, "bad value RescanIntervalSec=soon");
	assert_logged_at(path, 6, "unknown key NoSuchKey");
	assert_logged_at(path, 8, "unknown section [NoSuchSection]");
	assert_logged_at(path, 10, "out-of-range value SystemMemoryLimit=150%");
	assert_logged_at(dropin, 3, "bad value Tuning=sometimes");
	/* No other message names either file. */
	{
		char p1[4200], p2[4200];

		snprintf(p1, sizeof(p1), "%s:", path);
		snprintf(p2, sizeof(p2), "%s:", dropin);
		assert_int_equal(captured_count(p1, NULL), 5);
		assert_int_equal(captured_count(p2, NULL), 1);
	}

	/* Bad entries are skipped: the earlier value or the default stays. */
	assert_int_equal(c.kdamond_limit, 6);
	assert_true(c.rescan_interval == 60 * USEC_PER_SEC);
	assert_int_equal(c.system_memory.bp, 2000);
	assert_int_equal(c.tuning.mode, HP_TUNING_GOAL);
	/* Good entries around them still apply. */
	assert_int_equal(c.system_cpu.bp, 5000);
	assert_int_equal(c.tuning.goal_bp, 2500);
	assert_int_equal(c.tuning.min_access, 7);
}

static void test_config_malformed_line(void **state)
{
	char path[4096];
	struct hp_config c;

	(void)state;
	snprintf(path, sizeof(path), "%s", fixture("conf/malformed/hugepaged.conf"));
	capture_start();
	assert_int_equal(hp_config_load(path, false, &c), 1);
	assert_int_equal(captured_errors(), 1);
	assert_logged_at(path, 3, "malformed line");
	assert_int_equal(c.kdamond_limit, 3);
	assert_true(c.hold_time == 5 * USEC_PER_SEC);
}

/* ---- policies from drop-in directories ---- */

static void load_fixture_policies(struct hp_policy_set *set, int want_skipped)
{
	char usr[4096], etc[4096], run[4096];
	char *dirs[] = { usr, etc, run, NULL };

	snprintf(usr, sizeof(usr), "%s", fixture("policies/usr"));
	snprintf(etc, sizeof(etc), "%s", fixture("policies/etc"));
	snprintf(run, sizeof(run), "%s", fixture("policies/run"));
	assert_int_equal(hp_policies_load(dirs, false, set), want_skipped);
}

static void assert_source(const struct hp_policy *p, const char *dir, const char *name)
{
	char want[4200];

	snprintf(want, sizeof(want), "%s/%s/%s", fixtures(), dir, name);
	assert_string_equal(p->name, name);
	assert_string_equal(p->source, want);
}

static void test_policies_load(void **state)
{
	struct hp_policy_set set = { 0 };
	const struct hp_policy *p;

	(void)state;
	capture_start();
	/* 50-broken.conf and 60-nomatch.conf are skipped. */
	load_fixture_policies(&set, 2);
	assert_int_equal(set.n, 4);

	/* Lexical order of the names, whatever directory each came from. */
	assert_source(&set.v[0], "policies/etc", "05-system.conf");
	assert_source(&set.v[1], "policies/run", "10-db.conf");
	assert_source(&set.v[2], "policies/etc", "20-web.conf");
	assert_source(&set.v[3], "policies/usr", "70-batch.conf");

	p = &set.v[0];
	assert_non_null(p->cgroup_globs);
	assert_string_equal(p->cgroup_globs[0], "/system.slice/*");
	assert_null(p->cgroup_globs[1]);
	assert_int_equal(p->priority, 0);
	assert_false(p->memory_limit_set);
	assert_false(p->memory_duration_set);
	assert_int_equal(p->tuning.mode, HP_TUNING_UNSET);

	/* run/10-db.conf overrides etc/ and usr/: all of its keys. */
	p = &set.v[1];
	assert_null(p->cgroup_globs);
	assert_null(p->units);
	assert_non_null(p->slices);
	assert_string_equal(p->slices[0], "db.slice");
	assert_null(p->slices[1]);
	assert_int_equal(p->priority, 10);
	assert_true(p->min_size == 64 * MiB);
	assert_true(p->memory_limit_set);
	assert_true(p->memory_duration_set);
	assert_int_equal(p->memory.bp, 500);
	assert_true(p->memory.duration == 3 * USEC_PER_SEC);
	assert_int_equal(p->tuning.mode, HP_TUNING_GOAL);
	assert_int_equal(p->tuning.goal_bp, 4000);
	assert_int_equal(p->tuning.min_access, 2);
	assert_int_equal(p->tuning.quota_ms, 10);
	assert_true(p->tuning.quota_bytes == 128 * MiB);

	/* etc/20-web.conf overrides usr/20-web.conf. */
	p = &set.v[2];
	assert_int_equal(p->priority, 7);
	assert_non_null(p->cgroup_globs);
	assert_string_equal(p->cgroup_globs[0], "/web.slice/*.service");
	assert_string_equal(p->cgroup_globs[1], "/web.slice/*.scope");
	assert_null(p->cgroup_globs[2]);

	p = &set.v[3];
	assert_int_equal(p->priority, -5);
	assert_non_null(p->units);
	assert_string_equal(p->units[0], "batch-*.service");
	assert_int_equal(p->tuning.mode, HP_TUNING_THRESHOLD);

	/* The broken file names its file and line; the other is refused. */
	{
		char broken[4200], nomatch[4200], m1[4200], m2[4200];

		snprintf(broken, sizeof(broken), "%s", fixture("policies/usr/50-broken.conf"));
		snprintf(nomatch, sizeof(nomatch), "%s", fixture("policies/usr/60-nomatch.conf"));
		snprintf(m1, sizeof(m1), "%s", fixture("policies/etc/30-masked-empty.conf"));
		snprintf(m2, sizeof(m2), "%s", fixture("policies/run/40-masked-null.conf"));
		assert_logged_at(broken, 5, "bad value Priority=high");
		assert_int_equal(captured_count(nomatch, "no [Match]"), 1);
		assert_int_equal(captured_count(m1, "masked"), 1);
		assert_int_equal(captured_count(m2, "masked"), 1);
		/* Masking is not an error. */
		assert_int_equal(captured_count(m1, NULL), 1);
		assert_int_equal(captured_count(m2, NULL), 1);
	}
	hp_policy_set_free(&set);
	assert_int_equal(set.n, 0);
	assert_null(set.v);
}

static void test_policies_no_dirs(void **state)
{
	struct hp_policy_set set = { .n = 99 };
	char *dirs[] = { "/nonexistent/a", "/nonexistent/b", NULL };
	char file[4096];
	char *not_dirs[] = { file, NULL };

	(void)state;
	assert_int_equal(hp_policies_load(dirs, true, &set), 0);
	assert_int_equal(set.n, 0);
	hp_policy_set_free(&set);

	/* A directory that is a file is an error, not "no policies". */
	snprintf(file, sizeof(file), "%s", fixture("policies/etc/10-db.conf"));
	capture_start();
	assert_int_equal(hp_policies_load(not_dirs, false, &set), 1);
	assert_int_equal(set.n, 0);
	assert_int_equal(captured_count(file, "not a directory"), 1);
	hp_policy_set_free(&set);
}

/* ---- owner checks, in a temporary directory ---- */

struct tmpdir {
	char path[64];
};

static int setup_tmpdir(void **state)
{
	struct tmpdir *t = calloc(1, sizeof(*t));

	if (!t)
		return -1;
	snprintf(t->path, sizeof(t->path), "/tmp/test-conf.XXXXXX");
	if (!mkdtemp(t->path)) {
		free(t);
		return -1;
	}
	*state = t;
	return 0;
}

static int teardown_tmpdir(void **state)
{
	struct tmpdir *t = *state;

	capture_stop();
	rm_tree(t->path);
	free(t);
	return 0;
}

/* Writes len bytes of text to dir/name; the path goes to path. */
static void write_bytes(const char *dir, const char *name, const char *text, size_t len, char *path,
			size_t path_len)
{
	int fd;

	snprintf(path, path_len, "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
}

#define WRITE_TEXT(dir, name, text, path) write_bytes((dir), (name), (text), strlen(text), (path), sizeof(path))

/* Writes a valid policy dir/name with mode (not filtered by the umask). */
static void write_policy(const char *dir, const char *name, mode_t mode, char *path, size_t len)
{
	static const char text[] = "[Match]\nCgroupPath=/x.slice\n[Policy]\nPriority=1\n";
	int fd;

	snprintf(path, len, "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, sizeof(text) - 1), (ssize_t)(sizeof(text) - 1));
	assert_int_equal(fchmod(fd, mode), 0);
	assert_int_equal(close(fd), 0);
}

static void test_owner_root_ok(void **state)
{
	struct tmpdir *t = *state;
	struct hp_policy_set set = { 0 };
	char *dirs[] = { t->path, NULL };
	char p[256];

	if (geteuid() != 0) {
		print_message("skipped: only root can create a root-owned policy file\n");
		skip();
	}
	write_policy(t->path, "10-ok.conf", 0644, p, sizeof(p));
	capture_start();
	assert_int_equal(hp_policies_load(dirs, true, &set), 0);
	assert_int_equal(set.n, 1);
	assert_string_equal(set.v[0].name, "10-ok.conf");
	assert_int_equal(captured_errors(), 0);
	hp_policy_set_free(&set);
}

static void test_owner_writable_by_others(void **state)
{
	struct tmpdir *t = *state;
	struct hp_policy_set set = { 0 };
	char *dirs[] = { t->path, NULL };
	char ok[256], bad[256];

	if (geteuid() != 0) {
		/* Unprivileged, every file we create fails the owner check first. */
		print_message("skipped: needs root for a root-owned file that is writable by others\n");
		skip();
	}
	write_policy(t->path, "10-ok.conf", 0644, ok, sizeof(ok));
	write_policy(t->path, "20-others.conf", 0666, bad, sizeof(bad));
	capture_start();
	assert_int_equal(hp_policies_load(dirs, true, &set), 1);
	assert_int_equal(set.n, 1);
	assert_string_equal(set.v[0].name, "10-ok.conf");
	assert_int_equal(captured_count(bad, "writable by others"), 1);
	hp_policy_set_free(&set);

	/* Without owner checks (unprivileged test runs), it loads. */
	assert_int_equal(hp_policies_load(dirs, false, &set), 0);
	assert_int_equal(set.n, 2);
	assert_string_equal(set.v[1].name, "20-others.conf");
	hp_policy_set_free(&set);
}

static void test_owner_not_root(void **state)
{
	struct tmpdir *t = *state;
	struct hp_policy_set set = { 0 };
	char *dirs[] = { t->path, NULL };
	char bad[256], want[64];
	uid_t uid = geteuid();

	write_policy(t->path, "30-nobody.conf", 0644, bad, sizeof(bad));
	if (uid == 0) {
		uid = 65534;
		assert_int_equal(chown(bad, uid, 65534), 0);
	} else {
		print_message("not root: the file is owned by uid %u, which is not root either\n",
			      (unsigned)uid);
	}
	snprintf(want, sizeof(want), "owned by uid %u", (unsigned)uid);
	capture_start();
	assert_int_equal(hp_policies_load(dirs, true, &set), 1);
	assert_int_equal(set.n, 0);
	/* As root, the file is refused; unprivileged, already its directory. */
	assert_int_equal(captured_count(t->path, want), 1);
	hp_policy_set_free(&set);

	assert_int_equal(hp_policies_load(dirs, false, &set), 0);
	assert_int_equal(set.n, 1);
	assert_string_equal(set.v[0].name, "30-nobody.conf");
	hp_policy_set_free(&set);
}

/* A masked name needs no owner check: an empty file of anyone's. */
static void test_mask_in_tmpdir(void **state)
{
	struct tmpdir *t = *state;
	struct hp_policy_set set = { 0 };
	char d1[128], d2[128], p[256];
	char *dirs[] = { d1, d2, NULL };

	snprintf(d1, sizeof(d1), "%s/lib", t->path);
	snprintf(d2, sizeof(d2), "%s/etc", t->path);
	assert_int_equal(mkdir(d1, 0755), 0);
	assert_int_equal(mkdir(d2, 0755), 0);
	write_policy(d1, "10-a.conf", 0644, p, sizeof(p));
	write_policy(d1, "20-b.conf", 0644, p, sizeof(p));
	write_policy(d1, "30-c.conf", 0644, p, sizeof(p));
	snprintf(p, sizeof(p), "%s/10-a.conf", d2);
	assert_int_equal(symlink("/dev/null", p), 0);
	snprintf(p, sizeof(p), "%s/30-c.conf", d2);
	assert_int_equal(close(open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0644)), 0);

	capture_start();
	assert_int_equal(hp_policies_load(dirs, false, &set), 0);
	assert_int_equal(set.n, 1);
	assert_string_equal(set.v[0].name, "20-b.conf");
	assert_int_equal(captured_errors(), 0);
	hp_policy_set_free(&set);
}

/*
 * A FIFO (or anything but a regular file) is refused at once, not waited
 * on; the alarm turns a hang into a failure of this test.
 */
static void test_fifo(void **state)
{
	struct tmpdir *t = *state;
	struct hp_policy_set set = { 0 };
	char *dirs[] = { t->path, NULL };
	char fifo[256], ok[256], conf[256], dropdir[256], dropin[512];
	struct hp_config c;

	write_policy(t->path, "20-ok.conf", 0644, ok, sizeof(ok));
	snprintf(fifo, sizeof(fifo), "%s/10-fifo.conf", t->path);
	assert_int_equal(mkfifo(fifo, 0644), 0);
	snprintf(dropin, sizeof(dropin), "%s/11-dir.conf", t->path);
	assert_int_equal(mkdir(dropin, 0755), 0);
	capture_start();
	alarm(60);
	assert_int_equal(hp_policies_load(dirs, false, &set), 2);
	alarm(0);
	assert_int_equal(set.n, 1);
	assert_string_equal(set.v[0].name, "20-ok.conf");
	assert_int_equal(captured_count(fifo, "a FIFO, not a regular file"), 1);
	assert_int_equal(captured_count(dropin, "a directory, not a regular file"), 1);
	assert_int_equal(strv_len(set.failed), 2);
	hp_policy_set_free(&set);

	/* The main file and its drop-ins. */
	snprintf(conf, sizeof(conf), "%s/main.conf", t->path);
	assert_int_equal(mkfifo(conf, 0644), 0);
	capture_start();
	alarm(60);
	assert_true(hp_config_load(conf, false, &c) < 0);
	alarm(0);
	assert_int_equal(captured_count(conf, "a FIFO, not a regular file"), 1);
	assert_int_equal(unlink(conf), 0);
	snprintf(dropdir, sizeof(dropdir), "%s.d", conf);
	assert_int_equal(mkdir(dropdir, 0755), 0);
	snprintf(dropin, sizeof(dropin), "%s/10-fifo.conf", dropdir);
	assert_int_equal(mkfifo(dropin, 0644), 0);
	snprintf(dropin, sizeof(dropin), "%s/20-ok.conf", dropdir);
	write_bytes(dropdir, "20-ok.conf", "[Daemon]\nKdamondLimit=9\n", 24, dropin, sizeof(dropin));
	capture_start();
	alarm(60);
	assert_int_equal(hp_config_load(conf, false, &c), 1);
	alarm(0);
	assert_int_equal(c.kdamond_limit, 9);
	assert_int_equal(captured_count(dropdir, "a FIFO, not a regular file"), 1);
}

/*
 * Files are opened once, without following a link: a link is a mask (to
 * /dev/null) or refused, and the checks are made on what was opened.
 */
static void test_links_and_dirs(void **state)
{
	struct tmpdir *t = *state;
	struct hp_policy_set set = { 0 };
	char *dirs[] = { t->path, NULL };
	char ok[256], link[256], target[256];

	write_policy(t->path, "20-ok.conf", 0644, ok, sizeof(ok));
	write_policy(t->path, "target.txt", 0644, target, sizeof(target));
	snprintf(link, sizeof(link), "%s/10-link.conf", t->path);
	assert_int_equal(symlink("target.txt", link), 0);
	capture_start();
	assert_int_equal(hp_policies_load(dirs, false, &set), 1);
	assert_int_equal(set.n, 1);
	assert_int_equal(captured_count(link, "a symbolic link"), 1);
	hp_policy_set_free(&set);

	/* A directory that others may write to: none of its policies apply. */
	if (geteuid() != 0) {
		print_message("skipped the directory checks: they need root-owned directories\n");
		return;
	}
	assert_int_equal(unlink(link), 0);
	write_policy(t->path, "30-more.conf", 0644, ok, sizeof(ok));
	assert_int_equal(chmod(t->path, 0777), 0);
	capture_start();
	assert_int_equal(hp_policies_load(dirs, true, &set), 2);
	assert_int_equal(set.n, 0);
	assert_int_equal(captured_count(t->path, "writable by others"), 1);
	hp_policy_set_free(&set);
	assert_int_equal(chmod(t->path, 0755), 0);
	assert_int_equal(chown(t->path, 65534, 65534), 0);
	capture_start();
	assert_int_equal(hp_policies_load(dirs, true, &set), 2);
	assert_int_equal(captured_count(t->path, "owned by uid 65534"), 1);
	hp_policy_set_free(&set);
	/* Without owner checks, both load. */
	assert_int_equal(hp_policies_load(dirs, false, &set), 0);
	assert_int_equal(set.n, 2);
	hp_policy_set_free(&set);
	assert_int_equal(chown(t->path, 0, 0), 0);
}

/* The main configuration is checked like the policies. */
static void test_config_owner(void **state)
{
	struct tmpdir *t = *state;
	struct hp_config c;
	char conf[256];

	if (geteuid() != 0) {
		print_message("skipped: needs root to make a file of another owner\n");
		skip();
	}
	write_bytes(t->path, "hugepaged.conf", "[Daemon]\nKdamondLimit=9\n", 24, conf, sizeof(conf));
	capture_start();
	assert_int_equal(hp_config_load(conf, true, &c), 0);
	assert_int_equal(c.kdamond_limit, 9);
	assert_int_equal(chown(conf, 65534, 65534), 0);
	capture_start();
	assert_true(hp_config_load(conf, true, &c) < 0);
	assert_int_equal(captured_count(conf, "owned by uid 65534"), 1);
	/* Tests and --no-owner-check. */
	assert_int_equal(hp_config_load(conf, false, &c), 0);
	assert_int_equal(c.kdamond_limit, 9);
}

/* A long line is one line: never cut into pieces read as lines of their own. */
static void test_long_line(void **state)
{
	struct tmpdir *t = *state;
	struct hp_policy p;
	char path[256], glob[64], line2[8192] = "CgroupPath=";
	FILE *f;
	char p3[300];

	for (int i = 0; i < 100; i++) {
		snprintf(glob, sizeof(glob), "%s/long-slice-name-%03d.slice/*", i ? " " : "", i);
		strcat(line2, glob);
	}
	snprintf(path, sizeof(path), "%s/long.conf", t->path);
	f = fopen(path, "we");
	assert_non_null(f);
	fprintf(f, "[Match]\n%s\n[Policy]\nPriority=3\nMinSize=lots\n", line2);
	assert_int_equal(fclose(f), 0);

	capture_start();
	assert_int_equal(hp_policy_parse_file(path, "long.conf", "Policy", &p), -EINVAL);
	assert_logged_at(path, 5, "bad value MinSize=lots");
	snprintf(p3, sizeof(p3), "%s:3:", path);
	assert_int_equal(captured_count(p3, NULL), 0);
	assert_int_equal(captured_errors(), 2);	/* MinSize= and the summary */

	f = fopen(path, "we");
	assert_non_null(f);
	fprintf(f, "[Match]\n%s\n[Policy]\nPriority=3\n", line2);
	assert_int_equal(fclose(f), 0);
	capture_start();
	assert_int_equal(hp_policy_parse_file(path, "long.conf", "Policy", &p), 0);
	assert_int_equal(strv_len(p.cgroup_globs), 100);
	assert_string_equal(p.cgroup_globs[99], "/long-slice-name-099.slice/*");
	assert_int_equal(p.priority, 3);
	hp_policy_done(&p);
}

/*
 * In the main file, what follows a value is part of it (no inline
 * comments): the entry is refused, at its line, and the default stays.
 */
static void test_long_line_config(void **state)
{
	struct tmpdir *t = *state;
	struct hp_config c;
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/hugepaged.conf", t->path);
	f = fopen(path, "we");
	assert_non_null(f);
	fprintf(f, "[Daemon]\nKdamondLimit=5%*s; an inline comment after many spaces\nHoldSec=7s\n", 300, "");
	assert_int_equal(fclose(f), 0);
	capture_start();
	assert_int_equal(hp_config_load(path, false, &c), 1);
	assert_logged_at(path, 2, "bad value KdamondLimit=5");
	assert_true(c.hold_time == 7 * USEC_PER_SEC);
	assert_int_equal(c.kdamond_limit, 4);	/* the default stays */
}

/* systemd's limit on a line (1 MiB, continued lines joined), and what just fits. */
static void test_line_limit(void **state)
{
	struct tmpdir *t = *state;
	size_t max = 1024 * 1024, len = max + 200;
	_cleanup_(freep) char *text = malloc(len + 64);
	struct hp_policy p;
	char path[256];
	size_t n;

	assert_non_null(text);
	/* "CgroupPath=/" and globs of 'x' up to exactly the limit. */
	n = (size_t)sprintf(text, "[Match]\nCgroupPath=/");
	memset(text + n, 'x', max - 12);
	n += max - 12;
	n += (size_t)sprintf(text + n, "\n[Policy]\nPriority=4\n");
	write_bytes(t->path, "fits.conf", text, n, path, sizeof(path));
	capture_start();
	assert_int_equal(hp_policy_parse_file(path, "fits.conf", "Policy", &p), 0);
	assert_int_equal(strlen(p.cgroup_globs[0]), max - 11);
	hp_policy_done(&p);

	/* One more byte, split over two continued lines: refused at its first line. */
	n = (size_t)sprintf(text, "[Match]\nCgroupPath=/");
	memset(text + n, 'x', max / 2);
	n += max / 2;
	n += (size_t)sprintf(text + n, "\\\n");
	memset(text + n, 'y', max / 2 - 12 + 1);
	n += max / 2 - 12 + 1;
	n += (size_t)sprintf(text + n, "\nCgroupPath=/z\n[Policy]\nPriority=4\n");
	write_bytes(t->path, "long.conf", text, n, path, sizeof(path));
	capture_start();
	assert_int_equal(hp_policy_parse_file(path, "long.conf", "Policy", &p), -EINVAL);
	assert_logged_at(path, 2, "longer than 1048576 characters");
	assert_int_equal(captured_errors(), 2);	/* that line and the summary */
}

/* ---- systemd's unit file syntax, for unit files and our own files ---- */

static void test_syntax_unit_section(void **state)
{
	struct tmpdir *t = *state;
	struct hp_policy p;
	char path[256];

	/* An indented line is a line of its own, as systemd reads it. */
	WRITE_TEXT(t->path, "indent.service", "[Service]\nExecStart=/bin/true\n\n[X-Hugepage]\n"
						 "MinSize=16M\n  Priority=5\n\tQuotaTime=7ms\n",
		   path);
	capture_start();
	assert_int_equal(hp_policy_parse_file(path, "indent.service", "X-Hugepage", &p), 0);
	assert_int_equal(captured_errors(), 0);
	assert_true(p.min_size == 16 * MiB);
	assert_int_equal(p.priority, 5);
	assert_int_equal(p.tuning.quota_ms, 7);
	hp_policy_done(&p);

	/* No inline comments: "; comment" is part of the value. */
	WRITE_TEXT(t->path, "inline.service", "[X-Hugepage]\nPriority=5 ; comment\n", path);
	capture_start();
	assert_int_equal(hp_policy_parse_file(path, "inline.service", "X-Hugepage", &p), -EINVAL);
	assert_logged_at(path, 2, "bad value Priority=5 ; comment");

	/* No ':' separator. */
	WRITE_TEXT(t->path, "colon.service", "[X-Hugepage]\nPriority: 7\n", path);
	capture_start();
	assert_int_equal(hp_policy_parse_file(path, "colon.service", "X-Hugepage", &p), -EINVAL);
	assert_logged_at(path, 2, "malformed line");

	/* A continued line in our section, with a comment line inside it. */
	WRITE_TEXT(t->path, "cont.service", "[X-Hugepage]\nPriority=\\\n# a comment\n  12\nMinSize=1M\n", path);
	capture_start();
	assert_int_equal(hp_policy_parse_file(path, "cont.service", "X-Hugepage", &p), 0);
	assert_int_equal(captured_errors(), 0);
	assert_int_equal(p.priority, 12);
	assert_true(p.min_size == 1 * MiB);
	hp_policy_done(&p);

	/*
	 * systemd's sections with continued lines whose next line starts
	 * like a section header or a key of ours are not ours to read.
	 */
	WRITE_TEXT(t->path, "other.service", "[Service]\nExecStart=/bin/echo \\\n[X-Hugepage] \\\n"
						"Priority=99\n[X-Hugepage]\nPriority=3\n",
		   path);
	capture_start();
	assert_int_equal(hp_policy_parse_file(path, "other.service", "X-Hugepage", &p), 0);
	assert_int_equal(captured_errors(), 0);
	assert_int_equal(p.priority, 3);
	hp_policy_done(&p);
}

static void test_syntax_policy_file(void **state)
{
	struct tmpdir *t = *state;
	struct hp_policy p;
	char path[256];

	/* Continuation adds to a list; an even number of backslashes does not continue. */
	WRITE_TEXT(t->path, "cont.conf", "\xef\xbb\xbf[Match]\r\nCgroupPath=/a.slice \\\n   /b.slice\r\n"
					   "Unit=x\\\\\n[Policy]\n  Priority = 4  \n; comment\n",
		   path);
	capture_start();
	assert_int_equal(hp_policy_parse_file(path, "cont.conf", "Policy", &p), 0);
	assert_int_equal(captured_errors(), 0);
	assert_int_equal(strv_len(p.cgroup_globs), 2);
	assert_string_equal(p.cgroup_globs[0], "/a.slice");
	assert_string_equal(p.cgroup_globs[1], "/b.slice");
	assert_string_equal(p.units[0], "x\\\\");
	assert_int_equal(p.priority, 4);
	hp_policy_done(&p);

	/* Inline comments and ':' are errors here too, at their lines. */
	WRITE_TEXT(t->path, "bad.conf", "[Match]\nCgroupPath=/a\n[Policy]\nPriority=5 # five\nMinSize: 1M\n"
					  "=5\n[Policy] # trailing\nPriority=oops\n",
		   path);
	capture_start();
	assert_int_equal(hp_policy_parse_file(path, "bad.conf", "Policy", &p), -EINVAL);
	assert_logged_at(path, 4, "bad value Priority=5 # five");
	assert_logged_at(path, 5, "malformed line");
	assert_logged_at(path, 6, "missing key name");
	assert_logged_at(path, 7, "invalid section header");
	/* The lines of a section whose header is broken are not read. */
	assert_int_equal(captured_count(path, "oops"), 0);

	/* A key before any section. */
	WRITE_TEXT(t->path, "nosection.conf", "Priority=1\n[Match]\nCgroupPath=/a\n", path);
	capture_start();
	assert_int_equal(hp_policy_parse_file(path, "nosection.conf", "Policy", &p), -EINVAL);
	assert_logged_at(path, 1, "outside of a section");
}

/* NUL bytes and bytes that are not UTF-8 make a line an error, at its number. */
static void test_syntax_nul_utf8(void **state)
{
	static const char conf[] = "[Daemon]\nKdamondLimit=5\0garbage\nHoldSec=7s\0\n"
				   "[Tuning]\nQuotaTime=1\xffms\nGoalShare=50%\n";
	static const char unit[] = "[Service]\nExecStart=/bin/true\0\n[X-Hugepage]\nPriority=5\0\n";
	struct tmpdir *t = *state;
	struct hp_config c;
	struct hp_policy p;
	char path[256];

	write_bytes(t->path, "hugepaged.conf", conf, sizeof(conf) - 1, path, sizeof(path));
	capture_start();
	assert_int_equal(hp_config_load(path, false, &c), 3);
	assert_logged_at(path, 2, "NUL byte");
	assert_logged_at(path, 3, "NUL byte");
	assert_logged_at(path, 5, "not valid UTF-8");
	assert_int_equal(c.kdamond_limit, 4);
	assert_true(c.hold_time == 60 * USEC_PER_SEC);
	assert_int_equal(c.tuning.quota_ms, 0);
	/* The line after them is read, with its own number. */
	assert_int_equal(c.tuning.goal_bp, 5000);

	/* In a unit file, only our section's lines are ours to judge. */
	write_bytes(t->path, "nul.service", unit, sizeof(unit) - 1, path, sizeof(path));
	capture_start();
	assert_int_equal(hp_policy_parse_file(path, "nul.service", "X-Hugepage", &p), -EINVAL);
	assert_logged_at(path, 4, "NUL byte");
	{
		char p2[300];

		snprintf(p2, sizeof(p2), "%s:2:", path);
		assert_int_equal(captured_count(p2, NULL), 0);
	}
}

/* ---- unit files ---- */

static void test_unit_file(void **state)
{
	struct hp_policy p;
	char path[4096];

	(void)state;
	snprintf(path, sizeof(path), "%s", fixture("units/app.service"));
	capture_start();
	/* [Unit], [Service] and [Install] belong to systemd: not errors. */
	assert_int_equal(hp_policy_parse_file(path, "app.service", "X-Hugepage", &p), 0);
	assert_int_equal(captured_errors(), 0);
	assert_string_equal(p.name, "app.service");
	assert_string_equal(p.source, path);
	assert_int_equal(p.priority, 20);
	assert_true(p.min_size == 32 * MiB);
	assert_int_equal(p.tuning.quota_ms, 5);
	assert_null(p.cgroup_globs);
	assert_null(p.slices);
	assert_null(p.units);
	hp_policy_done(&p);
	assert_null(p.name);
}

static void test_unit_file_refused(void **state)
{
	struct hp_policy p;
	char path[4096];

	(void)state;
	capture_start();
	snprintf(path, sizeof(path), "%s", fixture("units/with-match.service"));
	assert_int_equal(hp_policy_parse_file(path, "with-match.service", "X-Hugepage", &p), -EINVAL);
	assert_logged_at(path, 8, "[Match] is not allowed");

	snprintf(path, sizeof(path), "%s", fixture("units/bad-key.service"));
	assert_int_equal(hp_policy_parse_file(path, "bad-key.service", "X-Hugepage", &p), -EINVAL);
	assert_logged_at(path, 6, "unknown key Frobnicate");
}


#define STRV(...) ((char *[]){ __VA_ARGS__, NULL })

static void test_unit_systemd_syntax(void **state)
{
	struct hp_policy p;
	char path[4096];

	(void)state;
	snprintf(path, sizeof(path), "%s", fixture("units/systemd-syntax.service"));
	capture_start();
	/* Continued lines and long command lines in [Service] are systemd's business. */
	assert_int_equal(hp_policy_parse_file(path, "x.service", "X-Hugepage", &p), 0);
	assert_int_equal(captured_errors(), 0);
	assert_true(p.has_section);
	assert_int_equal(p.priority, 7);
	assert_true(p.min_size == 16 * MiB);
	hp_policy_done(&p);
}

static void test_unit_policy_merge(void **state)
{
	char frag[4096], d10[4096], d20[4096], d30[4096], base_path[4096];
	struct hp_policy base = { 0 }, p = { 0 };

	(void)state;
	snprintf(frag, sizeof(frag), "%s", fixture("units/db.slice"));
	snprintf(d10, sizeof(d10), "%s", fixture("units/db.slice.d/10-hugepage.conf"));
	snprintf(d20, sizeof(d20), "%s", fixture("units/db.slice.d/20-tuning.conf"));
	snprintf(d30, sizeof(d30), "%s", fixture("units/db.slice.d/30-other.conf"));
	snprintf(base_path, sizeof(base_path), "%s", fixture("policies/usr/10-db.conf"));
	capture_start();

	/* No policy file: the defaults, then the drop-ins in order. */
	assert_int_equal(hp_unit_policy_build("db.slice", STRV(frag, d10, d20, d30), NULL, &p), 1);
	assert_int_equal(captured_errors(), 0);
	assert_string_equal(p.name, "db.slice");
	assert_string_equal(p.unit, "db.slice");
	assert_int_equal(p.priority, 45);
	assert_true(p.memory_limit_set && p.memory.bp == 500);
	assert_false(p.memory_duration_set);
	assert_true(p.tuning.quota_bytes == 128 * MiB);
	assert_true(p.min_size == 0);
	/* Only the files with a section are sources. */
	assert_int_equal(strv_len(p.sources), 2);
	assert_string_equal(p.sources[0], d10);
	assert_string_equal(p.sources[1], d20);
	hp_policy_done(&p);

	/* Over a matching policy file: keys not named by the unit stay the file's. */
	assert_int_equal(hp_policy_parse_file(base_path, "10-db.conf", "Policy", &base), 0);
	base.min_size = 64 * MiB;
	base.tuning.quota_ms = 9;
	assert_int_equal(hp_unit_policy_build("db.slice", STRV(frag, d10, d20), &base, &p), 1);
	assert_int_equal(p.priority, 45);
	assert_true(p.min_size == 64 * MiB);
	assert_int_equal(p.tuning.quota_ms, 9);
	assert_true(p.tuning.quota_bytes == 128 * MiB);
	assert_int_equal(strv_len(p.sources), 3);
	assert_string_equal(p.sources[0], base_path);
	/* The merged policy has no [Match]: it is the unit's own. */
	assert_null(p.cgroup_globs);
	hp_policy_done(&p);

	/* No section anywhere: 0, nothing made. */
	assert_int_equal(hp_unit_policy_build("db.slice", STRV(frag, d30), &base, &p), 0);
	assert_null(p.name);

	/* A section with errors: the whole unit is ignored, with file and line. */
	{
		char bad[4096];

		snprintf(bad, sizeof(bad), "%s", fixture("units/bad-key.service"));
		assert_int_equal(hp_unit_policy_build("db.slice", STRV(d10, bad), &base, &p), -EINVAL);
		assert_logged_at(bad, 6, "unknown key Frobnicate");
		assert_int_equal(captured_count(bad, "ignoring all of its sections (the policy files apply)"), 1);
		assert_null(p.name);
	}
	hp_policy_done(&base);
}

/* ---- matching ---- */


static void test_match_cgroup_path(void **state)
{
	struct hp_policy p = { .cgroup_globs = STRV("/a/*") };

	(void)state;
	assert_true(hp_policy_matches(&p, "/a/b"));
	assert_true(hp_policy_matches(&p, "/a/b.service"));
	/* FNM_PATHNAME: * does not cross '/'. */
	assert_false(hp_policy_matches(&p, "/a/b/c"));
	assert_false(hp_policy_matches(&p, "/a"));
	assert_false(hp_policy_matches(&p, "/ab/c"));
	assert_false(hp_policy_matches(&p, "/"));

	p.cgroup_globs = STRV("/a/*/c", "/x.slice");
	assert_true(hp_policy_matches(&p, "/a/b/c"));
	assert_true(hp_policy_matches(&p, "/x.slice"));
	assert_false(hp_policy_matches(&p, "/a/b/d"));
	assert_false(hp_policy_matches(&p, "/x.slice/y"));

	p.cgroup_globs = STRV("/");
	assert_true(hp_policy_matches(&p, "/"));
	assert_false(hp_policy_matches(&p, "/a"));
}

static void test_match_slice_unit(void **state)
{
	struct hp_policy p = { .slices = STRV("db.slice") };

	(void)state;
	assert_true(hp_policy_matches(&p, "/db.slice"));
	assert_true(hp_policy_matches(&p, "/machine.slice/db.slice"));
	assert_false(hp_policy_matches(&p, "/dbx.slice"));
	assert_false(hp_policy_matches(&p, "/web.slice"));

	p.slices = STRV("db-*.slice");
	assert_true(hp_policy_matches(&p, "/db-1.slice"));
	assert_false(hp_policy_matches(&p, "/db.slice"));

	p = (struct hp_policy){ .units = STRV("x.service", "y-*.scope") };
	assert_true(hp_policy_matches(&p, "/system.slice/x.service"));
	assert_true(hp_policy_matches(&p, "/x.service"));
	assert_true(hp_policy_matches(&p, "/user.slice/y-12.scope"));
	assert_false(hp_policy_matches(&p, "/system.slice/x.service/child"));
	assert_false(hp_policy_matches(&p, "/system.slice/xx.service"));
	assert_false(hp_policy_matches(&p, "/system.slice"));

	/* Slice= with Unit=: the units inside the slice, at any depth. */
	p = (struct hp_policy){ .slices = STRV("db.slice"), .units = STRV("*.service") };
	assert_true(hp_policy_matches(&p, "/db.slice/pg.service"));
	assert_true(hp_policy_matches(&p, "/machine.slice/db.slice/pg.service"));
	assert_false(hp_policy_matches(&p, "/db.slice"));
	assert_false(hp_policy_matches(&p, "/web.slice/pg.service"));
	assert_false(hp_policy_matches(&p, "/db.slice/pg.scope"));
}

static void test_keep_failed(void **state)
{
	struct hp_policy_set prev = { 0 }, next = { 0 };

	(void)state;
	prev.n = 2;
	prev.v = calloc(2, sizeof(*prev.v));
	prev.v[0] = (struct hp_policy){ .name = strdup("10-a.conf"), .source = strdup("/x/10-a.conf"), .priority = 1 };
	prev.v[1] = (struct hp_policy){ .name = strdup("30-c.conf"), .source = strdup("/x/30-c.conf"), .priority = 3 };
	next.n = 1;
	next.v = calloc(1, sizeof(*next.v));
	next.v[0] = (struct hp_policy){ .name = strdup("20-b.conf"), .source = strdup("/x/20-b.conf"), .priority = 2 };
	strv_push(&next.failed, "10-a.conf");
	strv_push(&next.failed, "99-new.conf");	/* broken, and never loaded: stays out */

	assert_int_equal(hp_policy_set_keep_failed(&next, &prev), 1);
	assert_int_equal(next.n, 2);
	assert_string_equal(next.v[0].name, "10-a.conf");
	assert_int_equal(next.v[0].priority, 1);
	assert_string_equal(next.v[1].name, "20-b.conf");
	assert_null(prev.v[0].name);	/* moved, not copied */
	hp_policy_set_free(&prev);
	hp_policy_set_free(&next);
}

static void test_policy_memory_limit(void **state)
{
	const struct hp_limit dflt = { .bp = 1000, .duration = 10 * USEC_PER_SEC };
	struct hp_policy p = { 0 };
	struct hp_limit l;

	(void)state;
	l = hp_policy_memory_limit(&p, &dflt);
	assert_int_equal(l.bp, 1000);
	assert_true(l.duration == 10 * USEC_PER_SEC);
	/* 0% given in a policy disables the limit; the duration stays. */
	p.memory_limit_set = true;
	l = hp_policy_memory_limit(&p, &dflt);
	assert_int_equal(l.bp, 0);
	assert_true(l.duration == 10 * USEC_PER_SEC);
	p.memory_duration_set = true;
	p.memory.duration = 2 * USEC_PER_SEC;
	l = hp_policy_memory_limit(&p, &dflt);
	assert_true(l.duration == 2 * USEC_PER_SEC);
}

static void test_match_and(void **state)
{
	struct hp_policy p = { .cgroup_globs = STRV("/system.slice/*"), .units = STRV("a*.service") };
	struct hp_policy none = { 0 };

	(void)state;
	assert_true(hp_policy_matches(&p, "/system.slice/abc.service"));
	assert_false(hp_policy_matches(&p, "/system.slice/b.service"));	/* Unit= fails */
	assert_false(hp_policy_matches(&p, "/user.slice/abc.service"));	/* CgroupPath= fails */

	p = (struct hp_policy){ .cgroup_globs = STRV("/*/*"), .slices = STRV("db.slice") };
	assert_true(hp_policy_matches(&p, "/machine.slice/db.slice"));
	assert_false(hp_policy_matches(&p, "/db.slice"));
	assert_false(hp_policy_matches(&p, "/machine.slice/web.slice"));

	/* No [Match] entry at all matches nothing. */
	assert_false(hp_policy_matches(&none, "/"));
	assert_false(hp_policy_matches(&none, "/a"));
}

static void test_policy_find(void **state)
{
	struct hp_policy v[] = {
		{ .name = "10-a.conf", .cgroup_globs = STRV("/a/*") },
		{ .name = "20-b.conf", .cgroup_globs = STRV("/a/b") },
		{ .name = "30-c.conf", .units = STRV("*.service") },
	};
	struct hp_policy_set s = { .v = v, .n = ELEMENTSOF(v) };
	struct hp_policy_set loaded = { 0 };

	(void)state;
	assert_ptr_equal(hp_policy_find(&s, "/a/b"), &v[0]);
	assert_ptr_equal(hp_policy_find(&s, "/a/b.service"), &v[0]);
	assert_ptr_equal(hp_policy_find(&s, "/x/y.service"), &v[2]);
	assert_null(hp_policy_find(&s, "/z"));
	s.n = 0;
	assert_null(hp_policy_find(&s, "/a/b"));

	capture_start();
	load_fixture_policies(&loaded, 2);
	assert_string_equal(hp_policy_find(&loaded, "/db.slice")->name, "10-db.conf");
	assert_string_equal(hp_policy_find(&loaded, "/web.slice/nginx.service")->name, "20-web.conf");
	/* 70-batch.conf matches too, but 20-web.conf comes first. */
	assert_string_equal(hp_policy_find(&loaded, "/web.slice/batch-1.service")->name, "20-web.conf");
	assert_string_equal(hp_policy_find(&loaded, "/batch-1.service")->name, "70-batch.conf");
	assert_string_equal(hp_policy_find(&loaded, "/system.slice/foo.service")->name, "05-system.conf");
	assert_null(hp_policy_find(&loaded, "/web.slice/nginx.socket"));
	/* The masked and broken policies would have matched these. */
	assert_null(hp_policy_find(&loaded, "/other"));
	assert_null(hp_policy_find(&loaded, "/broken.slice"));
	hp_policy_set_free(&loaded);
}

static void test_tuning_merge(void **state)
{
	struct hp_tuning over = { .mode = HP_TUNING_THRESHOLD, .min_access = 5, .quota_bytes = 1 * MiB };
	struct hp_tuning under = { .mode = HP_TUNING_GOAL, .goal_bp = 2000, .min_access = 10,
				   .quota_ms = 100, .quota_bytes = 2 * MiB };
	struct hp_tuning none = { 0 }, m;

	(void)state;
	m = hp_tuning_merge(&over, &under);
	assert_int_equal(m.mode, HP_TUNING_THRESHOLD);
	assert_int_equal(m.goal_bp, 2000);
	assert_int_equal(m.min_access, 5);
	assert_int_equal(m.quota_ms, 100);
	assert_true(m.quota_bytes == 1 * MiB);

	m = hp_tuning_merge(&none, &under);
	assert_memory_equal(&m, &under, sizeof(m));
	m = hp_tuning_merge(&over, &none);
	assert_memory_equal(&m, &over, sizeof(m));
	m = hp_tuning_merge(&none, &none);
	assert_int_equal(m.mode, HP_TUNING_UNSET);
	assert_int_equal(m.goal_bp, 0);
	assert_true(m.quota_bytes == 0);

	assert_string_equal(hp_tuning_mode_name(HP_TUNING_GOAL), "goal");
	assert_string_equal(hp_tuning_mode_name(HP_TUNING_THRESHOLD), "threshold");
	assert_string_equal(hp_tuning_mode_name(HP_TUNING_UNSET), "unset");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_config_missing_is_defaults, teardown_capture),
		cmocka_unit_test_teardown(test_config_dropins, teardown_capture),
		cmocka_unit_test_teardown(test_config_errors, teardown_capture),
		cmocka_unit_test_teardown(test_config_malformed_line, teardown_capture),
		cmocka_unit_test_teardown(test_policies_load, teardown_capture),
		cmocka_unit_test_teardown(test_policies_no_dirs, teardown_capture),
		cmocka_unit_test_setup_teardown(test_owner_root_ok, setup_tmpdir, teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_owner_writable_by_others, setup_tmpdir, teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_owner_not_root, setup_tmpdir, teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_mask_in_tmpdir, setup_tmpdir, teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_fifo, setup_tmpdir, teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_links_and_dirs, setup_tmpdir, teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_config_owner, setup_tmpdir, teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_long_line, setup_tmpdir, teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_long_line_config, setup_tmpdir, teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_line_limit, setup_tmpdir, teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_syntax_unit_section, setup_tmpdir, teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_syntax_policy_file, setup_tmpdir, teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_syntax_nul_utf8, setup_tmpdir, teardown_tmpdir),
		cmocka_unit_test_teardown(test_unit_file, teardown_capture),
		cmocka_unit_test_teardown(test_unit_file_refused, teardown_capture),
		cmocka_unit_test_teardown(test_unit_systemd_syntax, teardown_capture),
		cmocka_unit_test_teardown(test_unit_policy_merge, teardown_capture),
		cmocka_unit_test(test_match_cgroup_path),
		cmocka_unit_test(test_match_slice_unit),
		cmocka_unit_test(test_policy_memory_limit),
		cmocka_unit_test(test_keep_failed),
		cmocka_unit_test(test_match_and),
		cmocka_unit_test_teardown(test_policy_find, teardown_capture),
		cmocka_unit_test(test_tuning_merge),
	};

	return cmocka_run_group_tests_name("conf", tests, NULL, NULL);
}
