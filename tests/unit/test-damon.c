// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The damon backend against fake DAMON sysfs trees (tests/fixtures/damon):
 * claims, whose slot is whose, adoption, the slot plan, the target and
 * tuning steps, feature probing, and the backend as a whole, with a small
 * fake kernel answering the writes the way DAMON sysfs does.
 */
#include "unit.h"

/* Fixture paths are short; the fixed buffers below are plenty. */
#pragma GCC diagnostic ignored "-Wformat-truncation"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend.h"
#include "damon.h"
#include "util.h"

/* ---- a copy of a fixture, and a fake kernel behind it ---- */

struct fake {
	char dir[256];		/* the copy's admin directory */
	char run[256];		/* a run directory */
	int next_pid;
	bool no_collapse;	/* a kernel before 7.2 */
	unsigned ons, offs, commits, goal_commits, nr_kdamonds_writes;
};

static struct fake fake;

static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	assert_int_equal(system(cmd), 0);
}

/* Copies fixture damon/NAME (its admin/ and run/) to a new temporary directory. */
static void setup_tree(const char *name)
{
	char tmpl[] = "/tmp/test-damon-XXXXXX", src[512];

	assert_non_null(mkdtemp(tmpl));
	memset(&fake, 0, sizeof(fake));
	fake.next_pid = 9000;
	snprintf(fake.dir, sizeof(fake.dir), "%s/admin", tmpl);
	snprintf(fake.run, sizeof(fake.run), "%s/run", tmpl);
	snprintf(src, sizeof(src), "%s", fixture(name));
	sh("cp -r '%s/admin' '%s' && mkdir -p '%s'", src, fake.dir, fake.run);
	sh("if [ -d '%s/run' ]; then cp -r '%s/run/.' '%s'; fi", src, src, fake.run);
}

static void teardown_tree(void)
{
	char top[256];

	snprintf(top, sizeof(top), "%s", fake.dir);
	*strrchr(top, '/') = '\0';
	sh("rm -rf '%s'", top);
}

static void put(const char *rel, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", fake.dir, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fputc('\n', f);
	fclose(f);
}

/* The content of a file of the copy, without its newline (static buffer). */
static const char *get(const char *rel)
{
	static char buf[256];
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", fake.dir, rel);
	f = fopen(path, "r");
	if (!f)
		return "(none)";
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && !strcmp(s + a - b, suffix);
}

/* The directory of a file path (static buffer). */
static const char *dir_of(const char *rel)
{
	static char buf[512];

	snprintf(buf, sizeof(buf), "%s", rel);
	*strrchr(buf, '/') = '\0';
	return buf;
}

static void make_context(const char *c)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/monitoring_attrs/intervals/intervals_goal", c);
	sh("mkdir -p '%s/%s' '%s/%s/monitoring_attrs/nr_regions' '%s/%s/targets' '%s/%s/schemes'", fake.dir, p,
	   fake.dir, c, fake.dir, c, fake.dir, c);
	snprintf(p, sizeof(p), "%s/avail_operations", c);
	put(p, "vaddr\nfvaddr\npaddr");
	const char *files[][2] = {
		{ "operations", "vaddr" },
		{ "monitoring_attrs/intervals/sample_us", "5000" },
		{ "monitoring_attrs/intervals/aggr_us", "100000" },
		{ "monitoring_attrs/intervals/update_us", "1000000" },
		{ "monitoring_attrs/intervals/intervals_goal/access_bp", "0" },
		{ "monitoring_attrs/intervals/intervals_goal/aggrs", "0" },
		{ "monitoring_attrs/intervals/intervals_goal/min_sample_us", "0" },
		{ "monitoring_attrs/intervals/intervals_goal/max_sample_us", "0" },
		{ "monitoring_attrs/nr_regions/min", "10" },
		{ "monitoring_attrs/nr_regions/max", "1000" },
		{ "targets/nr_targets", "0" },
		{ "schemes/nr_schemes", "0" },
	};
	for (size_t i = 0; i < ELEMENTSOF(files); i++) {
		snprintf(p, sizeof(p), "%s/%s", c, files[i][0]);
		put(p, files[i][1]);
	}
}

static void make_scheme(const char *s)
{
	static const char *const dirs[] = { "access_pattern/sz", "access_pattern/nr_accesses", "access_pattern/age",
					    "quotas/weights", "quotas/goals", "watermarks", "stats" };
	static const char *const files[][2] = {
		{ "action", "stat" }, { "apply_interval_us", "0" },
		{ "access_pattern/sz/min", "0" }, { "access_pattern/sz/max", "0" },
		{ "access_pattern/nr_accesses/min", "0" }, { "access_pattern/nr_accesses/max", "0" },
		{ "access_pattern/age/min", "0" }, { "access_pattern/age/max", "0" },
		{ "quotas/ms", "0" }, { "quotas/bytes", "0" }, { "quotas/reset_interval_ms", "0" },
		{ "quotas/goal_tuner", "consist" },
		{ "quotas/weights/sz_permil", "0" }, { "quotas/weights/nr_accesses_permil", "0" },
		{ "quotas/weights/age_permil", "0" }, { "quotas/goals/nr_goals", "0" },
		{ "watermarks/metric", "none" }, { "watermarks/interval_us", "0" }, { "watermarks/high", "0" },
		{ "watermarks/mid", "0" }, { "watermarks/low", "0" },
		{ "stats/nr_tried", "0" }, { "stats/sz_tried", "0" }, { "stats/nr_applied", "0" },
		{ "stats/sz_applied", "0" }, { "stats/qt_exceeds", "0" },
	};
	char p[512];

	for (size_t i = 0; i < ELEMENTSOF(dirs); i++)
		sh("mkdir -p '%s/%s/%s'", fake.dir, s, dirs[i]);
	for (size_t i = 0; i < ELEMENTSOF(files); i++) {
		snprintf(p, sizeof(p), "%s/%s", s, files[i][0]);
		put(p, files[i][1]);
	}
}

/* Rebuilds the numbered directories under dir: what writing dir/nr_X does. */
static void rebuild(const char *dir, long n, void (*make)(const char *path))
{
	char p[512];

	sh("cd '%s/%s' && rm -rf [0-9]*", fake.dir, dir);
	for (long i = 0; i < n; i++) {
		snprintf(p, sizeof(p), "%s/%ld", dir, i);
		sh("mkdir -p '%s/%s'", fake.dir, p);
		make(p);
	}
}

static void make_kdamond(const char *k)
{
	char p[512];

	sh("mkdir -p '%s/%s/contexts'", fake.dir, k);
	snprintf(p, sizeof(p), "%s/state", k);
	put(p, "off");
	snprintf(p, sizeof(p), "%s/pid", k);
	put(p, "-1");
	snprintf(p, sizeof(p), "%s/refresh_ms", k);
	put(p, "0");
	snprintf(p, sizeof(p), "%s/contexts/nr_contexts", k);
	put(p, "0");
}

static void make_target(const char *t)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/pid_target", t);
	put(p, "0");
	snprintf(p, sizeof(p), "%s/obsolete_target", t);
	put(p, "N");
}

static void make_goal(const char *g)
{
	static const char *const files[] = { "target_metric", "target_value", "current_value", "nid", "path" };
	char p[512];

	for (size_t i = 0; i < ELEMENTSOF(files); i++) {
		snprintf(p, sizeof(p), "%s/%s", g, files[i]);
		put(p, i == 0 ? "user_input" : "0");
	}
}

static bool any_on(void)
{
	long n = atol(get("kdamonds/nr_kdamonds"));
	char p[64];

	for (long i = 0; i < n; i++) {
		snprintf(p, sizeof(p), "kdamonds/%ld/state", i);
		if (!strcmp(get(p), "on"))
			return true;
	}
	return false;
}

/* What DAMON sysfs does on a write, as far as the daemon can tell. */
static int fake_kernel(struct hp_damon_io *io, const char *path, const char *value)
{
	char p[512];
	long n = atol(value);

	(void)io;
	if (!strcmp(path, "kdamonds/nr_kdamonds")) {
		fake.nr_kdamonds_writes++;
		if (any_on())
			return -EBUSY;
		rebuild("kdamonds", n, make_kdamond);
		return 0;
	}
	if (ends_with(path, "/contexts/nr_contexts")) {
		if (n > 1)
			return -EINVAL;
		rebuild(dir_of(path), n, make_context);
		return 0;
	}
	if (ends_with(path, "/targets/nr_targets")) {
		rebuild(dir_of(path), n, make_target);
		return 0;
	}
	if (ends_with(path, "/schemes/nr_schemes")) {
		rebuild(dir_of(path), n, make_scheme);
		return 0;
	}
	if (ends_with(path, "/goals/nr_goals")) {
		rebuild(dir_of(path), n, make_goal);
		return 0;
	}
	if (ends_with(path, "/action")) {
		if (!strcmp(value, "collapse"))
			return fake.no_collapse ? -EINVAL : 0;
		return !strcmp(value, "hugepage") || !strcmp(value, "stat") || !strcmp(value, "pageout") ? 0 : -EINVAL;
	}
	if (ends_with(path, "/target_metric"))
		return !strcmp(value, "user_input") || !strcmp(value, "some_mem_psi_us") ? 0 : -EINVAL;
	if (ends_with(path, "/state")) {
		bool on = !strcmp(get(path), "on");

		snprintf(p, sizeof(p), "%s/pid", dir_of(path));
		if (!strcmp(value, "on")) {
			char pid[16];

			if (on)
				return -EBUSY;
			snprintf(p, sizeof(p), "%s/contexts/nr_contexts", dir_of(path));
			if (strcmp(get(p), "1"))
				return -EINVAL;
			fake.ons++;
			put(path, "on");
			snprintf(pid, sizeof(pid), "%d", fake.next_pid++);
			snprintf(p, sizeof(p), "%s/pid", dir_of(path));
			put(p, pid);
			return 1;
		}
		if (!strcmp(value, "off")) {
			fake.offs++;
			put(path, "off");
			put(p, "-1");
			return 1;
		}
		if (!on)
			return -EINVAL;
		fake.commits += !strcmp(value, "commit");
		fake.goal_commits += !strcmp(value, "commit_schemes_quota_goals");
		return 1;
	}
	return 0;
}

static struct hp_damon_io fake_io(int *fd)
{
	*fd = open(fake.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(*fd >= 0);
	return (struct hp_damon_io){ .admin_fd = *fd, .write_hook = fake_kernel };
}

/* ---- claims ---- */

static void test_claims_roundtrip(void **state)
{
	struct hp_damon_claims c = { 0 }, back = { 0 };
	_cleanup_(freep) char *text = NULL, *again = NULL;
	unsigned line = 0;

	(void)state;
	assert_int_equal(hp_damon_claims_add(&c, 3, 1234, "/a b/c=d\\e"), 0);
	assert_int_equal(hp_damon_claims_add(&c, 0, -1, NULL), 0);
	assert_int_equal(hp_damon_claims_format(&c, &text), 0);
	print_message("%s", text);
	assert_string_equal(text, "# hugepaged damon slots 1\n"
				  "slot=3 pid=1234 cgroup=/a\\x20b/c\\x3dd\\x5ce\n"
				  "slot=0 pid=-1 cgroup=-\n");
	assert_int_equal(hp_damon_claims_parse(text, &back, &line), 0);
	assert_int_equal(back.n, 2);
	assert_string_equal(hp_damon_claims_find_slot(&back, 3)->cgroup, "/a b/c=d\\e");
	assert_null(hp_damon_claims_find_slot(&back, 0)->cgroup);
	assert_int_equal(hp_damon_claims_find_cgroup(&back, "/a b/c=d\\e")->pid, 1234);
	assert_int_equal(hp_damon_claims_format(&back, &again), 0);
	assert_string_equal(text, again);
	hp_damon_claims_remove(&back, 3);
	assert_int_equal(back.n, 1);
	hp_damon_claims_done(&c);
	hp_damon_claims_done(&back);
}

static void test_claims_malformed(void **state)
{
	static const struct {
		const char *text;
		unsigned line;
	} bad[] = {
		{ "slot=1 pid=2 cgroup=/a\n", 1 },
		{ "# hugepaged damon slots 1\nslot=1 pid=2\n", 2 },
		{ "# hugepaged damon slots 1\nslot=1 pid=2 cgroup=/a\nslot=1 pid=3 cgroup=/b\n", 3 },
		{ "# hugepaged damon slots 1\n\nslot=x pid=2 cgroup=/a\n", 3 },
		{ "# hugepaged damon slots 1\nslot=1 pid=-2 cgroup=/a\n", 2 },
		{ "# hugepaged damon slots 1\nslot=1 pid=2 cgroup=/a extra=1\n", 2 },
		{ "", 1 },
	};

	(void)state;
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		struct hp_damon_claims c = { 0 };
		unsigned line = 0;

		assert_int_equal(hp_damon_claims_parse(bad[i].text, &c, &line), -EINVAL);
		assert_int_equal(line, bad[i].line);
	}
}

/* ---- whose slot ---- */

static void test_classify(void **state)
{
	struct hp_damon_slot_info running = { .on = true, .pid = 500, .nr_contexts = 1, .operations = "vaddr",
					       .nr_schemes = 1, .action = "collapse" },
				  spare = { .pid = -1, .nr_contexts = 1, .operations = "vaddr" },
				  free_slot = { .pid = -1 },
				  others = { .pid = -1, .nr_contexts = 1, .operations = "paddr", .nr_schemes = 1,
					     .action = "pageout" };
	struct hp_damon_claim mine = { .slot = 0, .pid = 500, .cgroup = "/a" }, spare_claim = { .pid = -1 };
	const char *lost = NULL;

	(void)state;
	assert_int_equal(hp_damon_classify(&running, NULL, NULL), HP_DAMON_OTHER);
	assert_int_equal(hp_damon_classify(&free_slot, NULL, NULL), HP_DAMON_FREE);
	assert_int_equal(hp_damon_classify(&spare, NULL, NULL), HP_DAMON_OTHER);
	assert_int_equal(hp_damon_classify(&running, &mine, &lost), HP_DAMON_OURS);
	assert_null(lost);
	/* Another kdamond runs there now. */
	running.pid = 501;
	assert_int_equal(hp_damon_classify(&running, &mine, &lost), HP_DAMON_OTHER);
	assert_string_equal(lost, "another kdamond runs there");
	assert_int_equal(hp_damon_classify(&running, &spare_claim, &lost), HP_DAMON_OTHER);
	assert_string_equal(lost, "someone else started a kdamond there");
	/* Ours, stopped (its processes exited, or it was stopped): still ours as left. */
	assert_int_equal(hp_damon_classify(&spare, &mine, NULL), HP_DAMON_OURS);
	assert_int_equal(hp_damon_classify(&spare, &spare_claim, NULL), HP_DAMON_OURS);
	assert_int_equal(hp_damon_classify(&free_slot, &spare_claim, &lost), HP_DAMON_FREE);
	assert_string_equal(lost, "its inputs were reset (someone wrote nr_kdamonds)");
	assert_int_equal(hp_damon_classify(&others, &spare_claim, &lost), HP_DAMON_OTHER);
	assert_string_equal(lost, "someone else configured it");
}

static void read_fixture_tree(const char *name, struct hp_damon_tree *t)
{
	int fd;
	struct hp_damon_io io;

	setup_tree(name);
	io = fake_io(&fd);
	assert_int_equal(hp_damon_read_tree(&io, t), 0);
	close(fd);
}

static void test_tree_and_peek(void **state)
{
	struct hp_damon_tree t = { 0 };
	struct hp_damon_features f;
	_cleanup_(strv_freep) char **names = NULL;
	_cleanup_(freep) char *joined = NULL;
	struct hp_damon_io io;
	int fd;

	(void)state;
	read_fixture_tree("damon/shared", &t);
	assert_int_equal(t.n, 6);
	assert_true(t.slots[0].on);
	assert_int_equal(t.slots[0].pid, 4242);
	assert_string_equal(t.slots[0].action, "stat");
	assert_int_equal(t.slots[1].pid, 5001);
	assert_int_equal(t.slots[1].nr_targets, 3);
	assert_false(t.slots[2].on);
	assert_int_equal(t.slots[2].pid, -1);
	assert_int_equal(t.slots[2].nr_contexts, 1);
	assert_int_equal(t.slots[3].nr_contexts, 0);

	io = fake_io(&fd);
	assert_int_equal(hp_damon_features_peek(&io, &f), 0);
	assert_true(f.sysfs && f.vaddr && f.intervals_goal && f.obsolete_target && f.quota_goals && f.goal_tuner &&
		    f.refresh_ms && f.collapse);
	assert_false(f.probed);
	assert_int_equal(hp_damon_features_names(&f, &names), 0);
	joined = hp_strv_join(names, " ");
	assert_string_equal(joined, "damon_sysfs vaddr collapse quota_goals intervals_goal obsolete_target goal_tuner refresh_ms "
				   "probe_pending");
	close(fd);
	hp_damon_tree_done(&t);
	teardown_tree();
}

/* After a restart: the claims that still hold are adopted, the others dropped and said. */
static void test_verify_claims(void **state)
{
	struct hp_damon_tree t = { 0 };
	struct hp_damon_claims c = { 0 };
	_cleanup_(freep) char *text = NULL;
	char path[512];
	unsigned line;

	(void)state;
	read_fixture_tree("damon/shared", &t);
	snprintf(path, sizeof(path), "%s/damon-slots", fake.run);
	assert_int_equal(read_file_at(AT_FDCWD, path, &text), 0);
	assert_int_equal(hp_damon_claims_parse(text, &c, &line), 0);
	assert_int_equal(c.n, 4);
	capture_start();
	assert_int_equal(hp_damon_verify_claims(&t, &c), 2);
	capture_stop();
	assert_int_equal(c.n, 2);
	assert_int_equal(hp_damon_claims_find_cgroup(&c, "/a")->slot, 1);
	assert_non_null(hp_damon_claims_find_slot(&c, 2));
	assert_null(hp_damon_claims_find_slot(&c, 4));
	assert_int_equal(captured_count("DAMON sysfs: kdamond 4 is no longer hugepaged's (another kdamond runs there, it served /b)", NULL), 1);
	assert_int_equal(captured_count("DAMON sysfs: kdamond 5 is no longer hugepaged's (its inputs were reset", NULL), 1);
	hp_damon_claims_done(&c);
	hp_damon_tree_done(&t);
	teardown_tree();
}

static void plan(const char *fixture_name, const struct hp_damon_claims *claims, char *const *want, unsigned limit,
		 struct hp_damon_plan *p)
{
	struct hp_damon_tree t = { 0 };

	read_fixture_tree(fixture_name, &t);
	assert_int_equal(hp_damon_plan_slots(&t, claims, want, limit, p), 0);
	print_message("  plan: grow %d to %zu, busy \"%s\"\n", p->grow, p->grow_to, p->busy);
	hp_damon_tree_done(&t);
	teardown_tree();
}

static void test_plan_slots(void **state)
{
	struct hp_damon_claims none = { 0 }, shared = { 0 };
	struct hp_damon_plan p;

	(void)state;
	/* Nobody there: grow to the whole limit at once, since it cannot grow while kdamonds run. */
	plan("damon/empty", &none, (char *[]){ "/a", "/b", NULL }, 3, &p);
	assert_true(p.grow);
	assert_int_equal(p.grow_to, 3);
	assert_int_equal(p.slot[0], 0);
	assert_int_equal(p.slot[1], 1);
	assert_true(p.start[0] && p.start[1]);
	assert_int_equal(p.stop[0], -1);
	hp_damon_plan_done(&p);

	/* Another user's kdamond runs and no slot is free: wait, and say why. */
	plan("damon/busy", &none, (char *[]){ "/a", NULL }, 2, &p);
	assert_false(p.grow);
	assert_int_equal(p.slot[0], -1);
	assert_string_equal(p.busy, "DAMON sysfs is busy: kdamond 0 (pid 4242) is not hugepaged's and runs, so "
				    "nr_kdamonds cannot grow, and no slot is free");
	hp_damon_plan_done(&p);

	/* Another user's stopped kdamond keeps its inputs: no growing over them. */
	plan("damon/stopped-other", &none, (char *[]){ "/a", NULL }, 2, &p);
	assert_false(p.grow);
	assert_int_equal(p.slot[0], -1);
	assert_non_null(strstr(p.busy, "another user's stopped kdamond 0"));
	hp_damon_plan_done(&p);

	/* Shared: /a keeps slot 1, /n takes the spare 2, then free ones from the end: 5 (reset), 3. */
	assert_int_equal(hp_damon_claims_add(&shared, 1, 5001, "/a"), 0);
	assert_int_equal(hp_damon_claims_add(&shared, 2, -1, NULL), 0);
	plan("damon/shared", &shared, (char *[]){ "/n", "/a", "/m", "/o", NULL }, 4, &p);
	assert_int_equal(p.slot[1], 1);
	assert_false(p.start[1]);
	assert_int_equal(p.slot[0], 2);
	assert_true(p.start[0]);
	assert_int_equal(p.slot[2], 5);
	assert_int_equal(p.slot[3], 3);
	assert_false(p.grow);
	assert_string_equal(p.busy, "");
	hp_damon_plan_done(&p);

	/* One more than there are slots: 0 runs (not ours), so no growing. */
	plan("damon/shared", &shared, (char *[]){ "/a", "/m", "/n", "/o", "/p", NULL }, 5, &p);
	assert_int_equal(p.slot[4], -1);
	assert_non_null(strstr(p.busy, "kdamond 0 (pid 4242)"));
	hp_damon_plan_done(&p);

	/* /a is not wanted any more: its kdamond stops, its slot serves /m. */
	plan("damon/shared", &shared, (char *[]){ "/m", NULL }, 4, &p);
	assert_int_equal(p.stop[0], 1);
	assert_int_equal(p.stop[1], -1);
	assert_int_equal(p.slot[0], 1);
	assert_true(p.start[0]);
	hp_damon_plan_done(&p);

	/* The limit went down to 1: the unused spare goes back. */
	plan("damon/shared", &shared, (char *[]){ "/a", NULL }, 1, &p);
	assert_int_equal(p.release[0], 2);
	assert_int_equal(p.release[1], -1);
	hp_damon_plan_done(&p);
	hp_damon_claims_done(&shared);
}

static void test_next_min_access(void **state)
{
	(void)state;
	assert_int_equal(hp_damon_next_min_access(20, 4, 20, true, true, 10), 20);
	assert_int_equal(hp_damon_next_min_access(20, 4, 20, false, true, 10), 19);
	assert_int_equal(hp_damon_next_min_access(5, 4, 20, false, true, 10), 4);
	assert_int_equal(hp_damon_next_min_access(4, 4, 20, true, true, 10), 4);
	/* At the floor with nothing new: back to the top, the hottest first. */
	assert_int_equal(hp_damon_next_min_access(4, 4, 20, false, true, 10), 20);
	/* No region reached it all cycle: one step per aggregation, to the floor. */
	assert_int_equal(hp_damon_next_min_access(20, 4, 20, false, false, 10), 10);
	assert_int_equal(hp_damon_next_min_access(10, 4, 20, false, false, 10), 4);
	assert_int_equal(hp_damon_next_min_access(4, 4, 20, false, false, 10), 20);
	assert_int_equal(hp_damon_next_min_access(20, 4, 20, false, false, 0), 19);
}

static void test_plan_targets(void **state)
{
	struct hp_damon_targets t;
	const int cur[] = { 10, 20, 30 }, want[] = { 10, 30, 40 };

	(void)state;
	/* With obsolete_target: 20's place is marked, 40 comes after. */
	assert_true(hp_damon_plan_targets(cur, 3, want, 3, true, 1, &t));
	assert_int_equal(t.n, 4);
	assert_int_equal(t.pids[0], 10);
	assert_int_equal(t.pids[1], 1);
	assert_true(t.obsolete[1]);
	assert_false(t.obsolete[0] || t.obsolete[2] || t.obsolete[3]);
	assert_int_equal(t.pids[2], 30);
	assert_int_equal(t.pids[3], 40);
	assert_int_equal(t.n_result, 3);
	assert_int_equal(t.result[0], 10);
	assert_int_equal(t.result[1], 30);
	assert_int_equal(t.result[2], 40);
	hp_damon_targets_done(&t);

	/* Without it: the list is written again, survivors first. */
	assert_true(hp_damon_plan_targets(cur, 3, want, 3, false, 1, &t));
	assert_int_equal(t.n, 3);
	assert_int_equal(t.pids[1], 30);
	assert_int_equal(t.pids[2], 40);
	hp_damon_targets_done(&t);

	/* Nothing changed. */
	assert_false(hp_damon_plan_targets(cur, 3, (int[]){ 30, 10, 20 }, 3, true, 1, &t));
	assert_int_equal(t.n, 3);
	hp_damon_targets_done(&t);
}

static void test_choose_action(void **state)
{
	struct hp_damon_features f = { .sysfs = true, .probed = true, .vaddr = true, .collapse = true };
	const char *why = NULL;

	(void)state;
	assert_string_equal(hp_damon_choose_action(&f, "never", NULL, &why), "collapse");
	assert_string_equal(hp_damon_choose_action(&f, "madvise", "hugepage", &why), "hugepage");
	assert_null(hp_damon_choose_action(&f, "never", "hugepage", &why));
	assert_non_null(strstr(why, "'never'"));
	f.collapse = false;
	assert_string_equal(hp_damon_choose_action(&f, "madvise", NULL, &why), "hugepage");
	assert_string_equal(hp_damon_choose_action(&f, "always", NULL, &why), "hugepage");
	why = NULL;
	assert_null(hp_damon_choose_action(&f, "never", NULL, &why));
	assert_non_null(strstr(why, "no DAMOS action 'collapse' (Linux 7.2 and later) and THP 'enabled' is 'never'"));
	f.vaddr = false;
	assert_null(hp_damon_choose_action(&f, "always", NULL, &why));
	assert_non_null(strstr(why, "vaddr"));
}

static void test_probe(void **state)
{
	struct hp_damon_features f = { 0 };
	struct hp_damon_io io;
	int fd;

	(void)state;
	setup_tree("damon/empty");
	io = fake_io(&fd);
	assert_int_equal(hp_damon_write(&io, "kdamonds/nr_kdamonds", "1"), 0);
	assert_int_equal(hp_damon_write(&io, "kdamonds/0/contexts/nr_contexts", "1"), 0);
	assert_int_equal(hp_damon_features_probe(&io, 0, &f), 0);
	assert_true(f.probed && f.vaddr && f.collapse && f.quota_goals && f.intervals_goal && f.obsolete_target &&
		    f.goal_tuner && f.refresh_ms && f.goal_path);
	assert_false(f.hugepage_mem_bp);
	/* The probe leaves an empty context behind. */
	assert_string_equal(get("kdamonds/0/contexts/0/schemes/nr_schemes"), "0");
	assert_string_equal(get("kdamonds/0/contexts/0/targets/nr_targets"), "0");
	fake.no_collapse = true;
	assert_int_equal(hp_damon_features_probe(&io, 0, &f), 0);
	assert_false(f.collapse);
	close(fd);
	teardown_tree();
}

/* ---- the backend as a whole ---- */

static struct hp_backend *open_backend(const char *thp, int cgroup_fd)
{
	struct hp_damon_options o = {
		.admin_dir = fake.dir,
		.thp_dir = fixture(thp),
		.cgroup_fd = cgroup_fd,
		.run_dir = fake.run,
		.write_hook = fake_kernel,
	};
	struct hp_backend *b = NULL;
	char thp_dir[512];

	snprintf(thp_dir, sizeof(thp_dir), "%s", fixture(thp));
	o.thp_dir = thp_dir;
	assert_int_equal(hp_backend_damon_new(&o, &b), 0);
	return b;
}

static const struct hp_kgroup *kgroup(const struct hp_kstatus *k, const char *path)
{
	const struct hp_kgroup *g = hp_kstatus_find_cgroup(k, path);

	assert_non_null(g);
	return g;
}

static void test_backend(void **state)
{
	struct hp_feed feed = { .cgroups = (char *[]){ "/a", "/b", NULL }, .kdamond_limit = 3 };
	_cleanup_(closep) int cg = open(fixture("damon/cgroup"), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_(strv_freep) char **adopted = NULL;
	struct hp_backend *b;
	struct hp_kstatus k = { 0 };
	struct hp_plan_limits l;
	usec_t next;
	bool changed;
	char pid_a[16];

	(void)state;
	assert_true(cg >= 0);
	setup_tree("damon/empty");
	b = open_backend("damon/thp-never", cg);
	assert_string_equal(b->ops->name, "damon");
	assert_true(b->ops->readout_in_status);

	/* Nothing runs: the array grows to the limit, two kdamonds start. */
	assert_int_equal(b->ops->apply(b, &feed), 0);
	assert_string_equal(get("kdamonds/nr_kdamonds"), "3");
	assert_int_equal(fake.ons, 2);
	assert_string_equal(get("kdamonds/0/state"), "on");
	assert_string_equal(get("kdamonds/1/state"), "on");
	assert_string_equal(get("kdamonds/2/state"), "off");
	/* Slot 2 is a spare: marked with a context, so that polite users leave it. */
	assert_string_equal(get("kdamonds/2/contexts/nr_contexts"), "1");
	/* /a: its three processes, sorted, in the tree below it. */
	assert_string_equal(get("kdamonds/0/contexts/0/targets/nr_targets"), "3");
	assert_string_equal(get("kdamonds/0/contexts/0/targets/0/pid_target"), "101");
	assert_string_equal(get("kdamonds/0/contexts/0/targets/2/pid_target"), "103");
	assert_string_equal(get("kdamonds/0/contexts/0/operations"), "vaddr");
	assert_string_equal(get("kdamonds/0/contexts/0/schemes/0/action"), "collapse");
	assert_string_equal(get("kdamonds/0/contexts/0/schemes/0/access_pattern/sz/min"), "2097152");
	/* threshold (the default): from the top, 100 ms / 5 ms */
	assert_string_equal(get("kdamonds/0/contexts/0/schemes/0/access_pattern/nr_accesses/min"), "20");
	assert_string_equal(get("kdamonds/0/contexts/0/schemes/0/quotas/goals/nr_goals"), "0");
	assert_string_equal(get("kdamonds/0/contexts/0/schemes/0/watermarks/low"), "50");
	/* The kernel tunes the intervals only once the hot set is stable: not at the start. */
	assert_string_equal(get("kdamonds/0/contexts/0/monitoring_attrs/intervals/intervals_goal/access_bp"), "0");
	assert_string_equal(get("kdamonds/1/contexts/0/targets/0/pid_target"), "201");
	b->ops->limits(b, &l);
	assert_null(l.unsupported);
	assert_string_equal(b->ops->action(b), "collapse");
	assert_true(strv_contains(b->ops->features(b), "collapse"));

	assert_int_equal(b->ops->readout(b, &k), 0);
	assert_string_equal(k.source, "damon_sysfs");
	assert_int_equal(k.nr_kdamonds, 3);
	assert_string_equal(kgroup(&k, "/a")->state, "running");
	assert_int_equal(kgroup(&k, "/a")->kdamond, 9000);
	assert_int_equal(kgroup(&k, "/a")->slot, 0);
	assert_int_equal(kgroup(&k, "/a")->procs, 3);
	assert_int_equal(kgroup(&k, "/a")->share_bp, 5000);
	assert_string_equal(kgroup(&k, "/a")->tuning, "threshold");
	assert_int_equal(kgroup(&k, "/b")->kdamond, 9001);
	assert_int_equal(k.n_slots, 3);
	assert_string_equal(k.slots[2].owner, "hugepaged");
	hp_kstatus_done(&k);

	/* The same feed again: nothing restarts. */
	assert_int_equal(b->ops->apply(b, &feed), 0);
	assert_int_equal(fake.ons, 2);

	/* A tick: regions were tried, but /a gained no huge pages: the threshold steps down, online. */
	put("kdamonds/0/contexts/0/schemes/0/stats/nr_tried", "5");
	assert_int_equal(b->ops->tick(b, 1000, &next, &changed), 0);
	assert_true(next == 1000 + USEC_PER_SEC);
	assert_false(changed);
	assert_string_equal(get("kdamonds/0/contexts/0/schemes/0/access_pattern/nr_accesses/min"), "19");
	assert_true(fake.commits >= 2);
	/* No region tried in a whole second: ten steps, one per aggregation interval. */
	assert_int_equal(b->ops->tick(b, 1000 + USEC_PER_SEC, &next, &changed), 0);
	assert_string_equal(get("kdamonds/0/contexts/0/schemes/0/access_pattern/nr_accesses/min"), "9");
	/*
	 * Thirty ticks without a huge page gained (ten once it gained some):
	 * the hot set is stable, the kernel may tune the intervals.
	 */
	for (int i = 2; i < 29; i++)
		assert_int_equal(b->ops->tick(b, 1000 + i * USEC_PER_SEC, &next, &changed), 0);
	assert_string_equal(get("kdamonds/0/contexts/0/monitoring_attrs/intervals/intervals_goal/access_bp"), "0");
	assert_int_equal(b->ops->tick(b, 1000 + 29 * USEC_PER_SEC, &next, &changed), 0);
	assert_string_equal(get("kdamonds/0/contexts/0/monitoring_attrs/intervals/intervals_goal/access_bp"), "400");
	assert_string_equal(get("kdamonds/0/contexts/0/monitoring_attrs/intervals/intervals_goal/min_sample_us"), "5000");
	assert_string_equal(get("kdamonds/1/contexts/0/monitoring_attrs/intervals/intervals_goal/access_bp"), "400");

	/* A restart (kill -9): the same kdamonds are adopted, nothing starts again. */
	snprintf(pid_a, sizeof(pid_a), "%s", get("kdamonds/0/pid"));
	hp_backend_free(b);
	b = open_backend("damon/thp-never", cg);
	assert_int_equal(b->ops->current(b, &adopted), 0);
	assert_int_equal(strv_len(adopted), 2);
	assert_true(strv_contains(adopted, "/a") && strv_contains(adopted, "/b"));
	assert_int_equal(b->ops->apply(b, &feed), 0);
	assert_int_equal(fake.ons, 2);
	assert_string_equal(get("kdamonds/0/pid"), pid_a);

	/* /b is not fed any more: its kdamond stops, its slot stays hugepaged's. */
	feed.cgroups = (char *[]){ "/a", NULL };
	assert_int_equal(b->ops->apply(b, &feed), 0);
	assert_string_equal(get("kdamonds/1/state"), "off");
	assert_string_equal(get("kdamonds/0/state"), "on");

	/* Exit with StopFeedingOnExit=yes: everything stopped and given back. */
	assert_int_equal(b->ops->stop(b), 0);
	assert_string_equal(get("kdamonds/0/state"), "(none)");
	assert_string_equal(get("kdamonds/nr_kdamonds"), "0");
	hp_backend_free(b);
	teardown_tree();
}

/* Another user's kdamond runs and nothing is free: nothing is touched, the groups wait. */
static void test_backend_busy(void **state)
{
	struct hp_feed feed = { .cgroups = (char *[]){ "/a", NULL }, .kdamond_limit = 2 };
	_cleanup_(closep) int cg = open(fixture("damon/cgroup"), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct hp_kstatus k = { 0 };
	struct hp_backend *b;
	usec_t next;
	bool changed;

	(void)state;
	setup_tree("damon/busy");
	b = open_backend("damon/thp-never", cg);
	capture_start();
	assert_int_equal(b->ops->apply(b, &feed), 0);
	assert_int_equal(b->ops->apply(b, &feed), 0);
	capture_stop();
	/* Said once, not at every decision. */
	assert_int_equal(captured_count("DAMON sysfs is busy: kdamond 0 (pid 4242)", NULL), 1);
	assert_int_equal(fake.nr_kdamonds_writes, 0);
	assert_int_equal(fake.ons + fake.offs + fake.commits, 0);
	assert_string_equal(get("kdamonds/0/pid"), "4242");
	assert_string_equal(get("kdamonds/0/contexts/0/schemes/0/action"), "stat");
	assert_int_equal(b->ops->readout(b, &k), 0);
	assert_string_equal(kgroup(&k, "/a")->state, "waiting");
	assert_non_null(strstr(kgroup(&k, "/a")->reason, "kdamond 0 (pid 4242) is not hugepaged's"));
	assert_non_null(strstr(k.reason, "busy"));
	assert_int_equal(k.n_slots, 1);
	assert_string_equal(k.slots[0].owner, "other");
	hp_kstatus_done(&k);

	/* Looked at again while it waits; its kdamond goes away and the operator frees the array. */
	assert_int_equal(b->ops->tick(b, 1000, &next, &changed), 0);
	assert_true(next == 1000 + 2 * USEC_PER_SEC);
	assert_false(changed);
	put("kdamonds/0/state", "off");
	put("kdamonds/0/pid", "-1");
	put("kdamonds/nr_kdamonds", "0");
	assert_int_equal(b->ops->tick(b, 3000, &next, &changed), 0);
	assert_true(changed);
	assert_int_equal(b->ops->apply(b, &feed), 0);
	assert_string_equal(get("kdamonds/nr_kdamonds"), "2");
	assert_string_equal(get("kdamonds/0/state"), "on");
	hp_backend_free(b);
	teardown_tree();
}

/* No collapse and THP never: the groups cannot be fed, and the limits say why. */
static void test_backend_unsupported(void **state)
{
	struct hp_feed feed = { .cgroups = (char *[]){ "/a", NULL }, .kdamond_limit = 2 };
	_cleanup_(closep) int cg = open(fixture("damon/cgroup"), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char **adopted = NULL;
	struct hp_backend *b;
	struct hp_plan_limits l;

	(void)state;
	setup_tree("damon/empty");
	fake.no_collapse = true;
	b = open_backend("damon/thp-never", cg);
	assert_int_equal(b->ops->apply(b, &feed), 0);
	/* Probed in the first slot it took; nothing started. */
	assert_int_equal(fake.ons, 0);
	b->ops->limits(b, &l);
	assert_non_null(l.unsupported);
	assert_non_null(strstr(l.unsupported, "THP 'enabled' is 'never'"));
	assert_null(b->ops->action(b));
	hp_backend_free(b);

	/* Under madvise, the hugepage action instead (khugepaged collapses). */
	b = open_backend("damon/thp-madvise", cg);
	assert_int_equal(b->ops->current(b, &adopted), 0);
	assert_null(adopted);
	assert_int_equal(b->ops->apply(b, &feed), 0);
	b->ops->limits(b, &l);
	assert_null(l.unsupported);
	assert_string_equal(b->ops->action(b), "hugepage");
	assert_string_equal(get("kdamonds/0/contexts/0/schemes/0/action"), "hugepage");
	assert_string_equal(get("kdamonds/0/state"), "on");
	hp_backend_free(b);
	teardown_tree();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_claims_roundtrip),
		cmocka_unit_test(test_claims_malformed),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_tree_and_peek),
		cmocka_unit_test(test_verify_claims),
		cmocka_unit_test(test_plan_slots),
		cmocka_unit_test(test_next_min_access),
		cmocka_unit_test(test_plan_targets),
		cmocka_unit_test(test_choose_action),
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_backend),
		cmocka_unit_test(test_backend_busy),
		cmocka_unit_test(test_backend_unsupported),
	};

	return cmocka_run_group_tests_name("damon", tests, NULL, NULL);
}
