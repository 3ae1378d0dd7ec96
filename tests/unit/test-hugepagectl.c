// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hugepagectl: its output functions on the fixtures in tests/fixtures/
 * status/ with a fixed clock, and the command itself ($HUGEPAGECTL) for
 * what only main() decides: the exit status and the errors on stderr.
 * JSON is checked by Python's parser ($PYTHON3) where it is available.
 */
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <signal.h>
#include <unistd.h>

#include "hugepagectl.h"
#include "status.h"
#include "util.h"

/* The fixture's updated_us plus 2.1 s. */
#define NOW_US 1700000002100000ULL

static const char expected_text[] =
	"hugepaged: pid 123, backend module, updated 2.1 s ago\n"
	"  System: ok (memory some 0.00%, cpu some 1.20%)\n"
	"  Fed: 1 of 3 matched groups (kdamond limit 1)\n"
	"Kernel: damon_hugepage enabled, max_kdamonds 2, 2 groups\n"
	"\n"
	"Group /c1\n"
	"  Decision: fed (rank 1, priority 10, benefit 60.0 MiB)\n"
	"  Policy: 10-c1.conf (priority 10)\n"
	"  Memory: anon 64.0 MiB, huge 32.0 MiB (50.0%), pressure ok (some 0.00%, limit 10.00%)\n"
	"  Kernel: running, kdamond 456, procs 1, tuning goal 80.00%, min_access 4, share 50.00%\n"
	"  Collapsed: 32.0 MiB in 16 regions, tried 40.0 MiB, failed 8.0 MiB\n"
	"\n"
	"Group /c2\n"
	"  Decision: refused (kdamond limit 1 reached: rank 2, priority 5, benefit 20.0 MiB; last fed /c1)\n"
	"  Policy: 20-c2.conf (priority 5)\n"
	"  Memory: anon 20.0 MiB, huge 0 B (0.0%), pressure ok (some 0.10%, limit none)\n"
	"\n"
	"Group /c3\n"
	"  Decision: paused (memory pressure some 12.50% >= limit 10.00%)\n"
	"  Policy: 30-c3.conf (priority 20)\n"
	"  Memory: anon 128.0 MiB, huge 0 B (0.0%), pressure over (some 12.50%, limit 10.00%)\n"
	"\n"
	"Other kernel groups:\n"
	"  pid:4242: running, kdamond 789, procs 1, tuning threshold, min_access 5, share 25.00%, collapsed 4.0 MiB in 2 regions\n";

static char *load(const char *rel)
{
	char *text = NULL;
	int r = read_file_at(AT_FDCWD, fixture(rel), &text);

	if (r < 0)
		fail_msg("cannot read %s: %s", fixture(rel), strerror(-r));
	return text;
}

static void load_status(const char *rel, struct hp_status *s)
{
	_cleanup_(freep) char *text = load(rel);
	unsigned line = 0;

	assert_int_equal(hp_status_parse(text, s, &line), 0);
}

static void load_kstatus(const char *rel, struct hp_kstatus *k)
{
	_cleanup_(freep) char *text = load(rel);
	unsigned line = 0;

	assert_int_equal(hp_kstatus_parse(text, k, &line), 0);
}

static void parse_kstatus(const char *text, struct hp_kstatus *k)
{
	unsigned line = 0;

	assert_int_equal(hp_kstatus_parse(text, k, &line), 0);
}

static void parse_status(const char *text, struct hp_status *s)
{
	unsigned line = 0;

	assert_int_equal(hp_status_parse(text, s, &line), 0);
}

/* The text output, in a new string. */
static char *text_of(const struct hp_status *s, const char *derr, const struct hp_kstatus *k,
		     const char *kerr, uint64_t now)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(hugepagectl_print_text(f, s, derr, k, kerr, now), 0);
	assert_int_equal(fclose(f), 0);
	print_message("--- text ---\n%s--- end ---\n", buf);
	return buf;
}

static char *json_of(const struct hp_status *s, const char *derr, const struct hp_kstatus *k,
		     const char *kerr)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(hugepagectl_print_json(f, s, derr, k, kerr), 0);
	assert_int_equal(fclose(f), 0);
	print_message("--- json ---\n%s--- end ---\n", buf);
	return buf;
}

static bool starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

#define assert_line(text, line)                                                        \
	do {                                                                           \
		if (!has_line((text), (line)))                                          \
			fail_msg("no line \"%s\" in the output above", (line));         \
	} while (0)
#define assert_no_line(text, line)                                                     \
	do {                                                                           \
		if (has_line((text), (line)))                                           \
			fail_msg("unexpected line \"%s\" in the output above", (line)); \
	} while (0)

struct run {
	int status;	/* the exit status; -1 if killed */
	char *out;
	char *err;
};

static void run_done(struct run *r)
{
	free(r->out);
	free(r->err);
}

static char *read_back(int fd)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	char chunk[4096];
	ssize_t n;

	assert_non_null(f);
	assert_true(lseek(fd, 0, SEEK_SET) == 0);
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		fwrite(chunk, 1, (size_t)n, f);
	assert_true(n == 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

/*
 * Runs path with argv (argv[0] included) and input on stdin, collecting
 * stdout and stderr in memory files, so that no pipe can fill up.
 */
static void run_program(struct run *res, const char *path, char *const argv[], const char *input)
{
	int out = memfd_create("stdout", MFD_CLOEXEC), err = memfd_create("stderr", MFD_CLOEXEC);
	int in = memfd_create("stdin", MFD_CLOEXEC), status;
	pid_t pid;

	assert_true(out >= 0 && err >= 0 && in >= 0);
	if (input)
		assert_true(write(in, input, strlen(input)) == (ssize_t)strlen(input));
	assert_true(lseek(in, 0, SEEK_SET) == 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* stderr must not be mistaken for the journal. */
		unsetenv("JOURNAL_STREAM");
		if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
			_exit(127);
		execv(path, argv);
		_exit(127);
	}
	assert_true(waitpid(pid, &status, 0) == pid);
	res->status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	res->out = read_back(out);
	res->err = read_back(err);
	close(in);
	close(out);
	close(err);
	print_message("--- %s: exit %d, stdout ---\n%s--- stderr ---\n%s--- end ---\n", argv[0],
		      res->status, res->out, res->err);
}

static const char *hugepagectl(void)
{
	const char *p = getenv("HUGEPAGECTL");

	if (!p || !*p)
		fail_msg("HUGEPAGECTL is not set: run the tests through meson test");
	return p;
}

/* hugepagectl --status-file S --procfs P args... */
#define RUN_CTL(res, status_file, procfs, ...)                                              \
	do {                                                                                \
		_cleanup_(freep) char *s_ = strdup(status_file), *p_ = strdup(procfs);      \
		char *argv_[] = { "hugepagectl", "--status-file", s_, "--procfs", p_,       \
				  "--cgroup-root", "/nonexistent", __VA_ARGS__, NULL };     \
		run_program((res), hugepagectl(), argv_, NULL);                             \
	} while (0)

/*
 * Checks json with Python's parser and the assertions of script (which
 * sees it as d).  Skips when there is no Python.
 */
static void check_json(const char *json, const char *script)
{
	const char *python = getenv("PYTHON3");
	_cleanup_(freep) char *program = NULL;
	struct run res = { 0 };

	if (!python || !*python) {
		print_message("PYTHON3 is not set: JSON is not parsed\n");
		return;
	}
	assert_true(asprintf(&program, "import json, sys\nd = json.load(sys.stdin)\n%s\n", script) > 0);
	{
		char *argv[] = { "python3", "-c", program, NULL };

		run_program(&res, python, argv, json);
	}
	if (res.status != 0)
		fail_msg("python3 rejected the JSON (exit %d): %s", res.status, res.err);
	run_done(&res);
}

static void test_text_fixture(void **state)
{
	struct hp_status s = { 0 };
	struct hp_kstatus k = { 0 };
	_cleanup_(freep) char *text = NULL;

	(void)state;
	load_status("status/hugepaged-status", &s);
	load_kstatus("status/damon_hugepage", &k);
	text = text_of(&s, NULL, &k, NULL, NOW_US);
	assert_string_equal(text, expected_text);
	hp_status_done(&s);
	hp_kstatus_done(&k);
}

static void test_text_age(void **state)
{
	struct hp_status s = { 0 };
	_cleanup_(freep) char *later = NULL, *earlier = NULL;

	(void)state;
	load_status("status/hugepaged-status", &s);
	later = text_of(&s, NULL, NULL, "x", NOW_US + 60 * USEC_PER_SEC - 2100000 + 49999);
	assert_line(later, "hugepaged: pid 123, backend module, updated 60.0 s ago");
	/* The clock was set back after the daemon wrote the file. */
	earlier = text_of(&s, NULL, NULL, "x", 1700000000000000ULL - 500000);
	assert_line(earlier, "hugepaged: pid 123, backend module, updated 0.5 s in the future");
	hp_status_done(&s);
}

static void test_text_system_paused(void **state)
{
	struct hp_status s = { 0 };
	_cleanup_(freep) char *text = NULL;

	(void)state;
	parse_status("# hugepaged 1\n"
		     "daemon pid=9 updated_us=1 backend=dry-run kdamond_limit=2 matched=0 fed=0 "
		     "system=paused memory_some_bp=2500 cpu_some_bp=0 reason=system memory some 25.00% >= 20.00%\n",
		     &s);
	text = text_of(&s, NULL, NULL, "not root", 1);
	assert_line(text, "hugepaged: pid 9, backend dry-run, updated 0.0 s ago");
	assert_line(text, "  System: paused: system memory some 25.00% >= 20.00% (memory some 25.00%, cpu some 0.00%)");
	assert_line(text, "  Fed: 0 of 0 matched groups (kdamond limit 2)");
	assert_line(text, "Kernel: unavailable (not root)");
	hp_status_done(&s);
}

/* The module is not there or we are not root: the daemon's view stands alone. */
static void test_text_kernel_unavailable(void **state)
{
	struct hp_status s = { 0 };
	_cleanup_(freep) char *text = NULL;

	(void)state;
	load_status("status/hugepaged-status", &s);
	text = text_of(&s, NULL, NULL, "/proc/damon_hugepage is readable by root only", NOW_US);
	assert_line(text, "Kernel: unavailable (/proc/damon_hugepage is readable by root only)");
	assert_line(text, "Group /c1");
	assert_line(text, "  Decision: fed (rank 1, priority 10, benefit 60.0 MiB)");
	/* Nothing to compare with: no per-group kernel lines, not even "not listed". */
	assert_null(strstr(text, "  Kernel:"));
	assert_null(strstr(text, "Collapsed"));
	assert_null(strstr(text, "kernel groups"));
	hp_status_done(&s);
}

/* The daemon says fed, the kernel does not know the group: show it. */
static void test_text_not_listed(void **state)
{
	struct hp_status s = { 0 };
	struct hp_kstatus k = { 0 };
	_cleanup_(freep) char *text = NULL;

	(void)state;
	load_status("status/hugepaged-status", &s);
	parse_kstatus("# damon_hugepage 1 enabled=N max_kdamonds=1\n"
		      "group=cgroup:/elsewhere kdamond=-1 state=refused:kdamond_limit procs=3 tuning=threshold "
		      "min_access=0 goal_bp=0 share_bp=0 anon_bytes=0 anon_huge_bytes=0 nr_tried=0 "
		      "tried_bytes=0 nr_collapsed=1 collapsed_bytes=2097152 failed_bytes=0 quota_exceeds=3 "
		      "wmark=paused\n",
		      &k);
	text = text_of(&s, NULL, &k, NULL, NOW_US);
	assert_line(text, "Kernel: damon_hugepage disabled, max_kdamonds 1, 1 group");
	assert_string_equal(strstr(text, "Group /c1\n"),
			    "Group /c1\n"
			    "  Decision: fed (rank 1, priority 10, benefit 60.0 MiB)\n"
			    "  Policy: 10-c1.conf (priority 10)\n"
			    "  Memory: anon 64.0 MiB, huge 32.0 MiB (50.0%), pressure ok (some 0.00%, limit 10.00%)\n"
			    "  Kernel: not listed\n"
			    "\n"
			    "Group /c2\n"
			    "  Decision: refused (kdamond limit 1 reached: rank 2, priority 5, benefit 20.0 MiB; last fed /c1)\n"
			    "  Policy: 20-c2.conf (priority 5)\n"
			    "  Memory: anon 20.0 MiB, huge 0 B (0.0%), pressure ok (some 0.10%, limit none)\n"
			    "\n"
			    "Group /c3\n"
			    "  Decision: paused (memory pressure some 12.50% >= limit 10.00%)\n"
			    "  Policy: 30-c3.conf (priority 20)\n"
			    "  Memory: anon 128.0 MiB, huge 0 B (0.0%), pressure over (some 12.50%, limit 10.00%)\n"
			    "\n"
			    "Other kernel groups:\n"
			    "  cgroup:/elsewhere: refused:kdamond_limit, kdamond none, procs 3, tuning threshold, "
			    "min_access 0, share 0.00%, wmark paused, collapsed 2.0 MiB in 1 region\n");
	hp_status_done(&s);
	hp_kstatus_done(&k);
}

/* The damon backend: the kernel's view comes from the status file itself. */
static void test_text_damon(void **state)
{
	static const char expected[] =
		"hugepaged: pid 321, backend damon, updated 2.1 s ago\n"
		"  System: ok (memory some 0.00%, cpu some 0.00%)\n"
		"  Fed: 1 of 3 matched groups (kdamond limit 2)\n"
		"  Kernel features: damon_sysfs, vaddr, collapse, quota_goals, intervals_goal, obsolete_target; action collapse\n"
		"Kernel: DAMON sysfs, nr_kdamonds 3: 1 hugepaged's, 2 another user's, 0 free\n"
		"  Busy: DAMON sysfs is busy: kdamond 0 (pid 4242) is not hugepaged's and runs, so nr_kdamonds cannot grow, and no slot is free\n"
		"\n"
		"Group /A\n"
		"  Decision: fed (rank 1, priority 30, benefit 64.0 MiB)\n"
		"  Policy: 10-a.conf (priority 30)\n"
		"  Memory: anon 128.0 MiB, huge 64.0 MiB (50.0%), pressure ok (some 0.00%, limit 10.00%)\n"
		"  Kernel: running, kdamond 5001, slot 1, action collapse, procs 2, tuning threshold, min_access 12, share 50.00%\n"
		"  Collapsed: 64.0 MiB in 32 regions, tried 80.0 MiB, failed 16.0 MiB\n"
		"\n"
		"Group /C\n"
		"  Decision: waiting (DAMON sysfs is busy: kdamond 0 (pid 4242) is not hugepaged's and runs, so nr_kdamonds cannot grow, and no slot is free)\n"
		"  Policy: 20-c.conf (priority 20)\n"
		"  Memory: anon 32.0 MiB, huge 0 B (0.0%), pressure ok (some 0.00%, limit 10.00%)\n"
		"  Kernel: waiting (DAMON sysfs is busy: kdamond 0 (pid 4242) is not hugepaged's and runs, so nr_kdamonds cannot grow, and no slot is free), kdamond none, action collapse, procs 0, tuning -, min_access 0, share 0.00%\n"
		"  Collapsed: 0 B in 0 regions, tried 0 B, failed 0 B\n"
		"\n"
		"Group /D\n"
		"  Decision: refused (kdamond limit 2 reached: rank 3, priority 10, benefit 32.0 MiB; last fed /C)\n"
		"  Policy: 30-d.conf (priority 10)\n"
		"  Memory: anon 32.0 MiB, huge 0 B (0.0%), pressure ok (some 0.00%, limit 10.00%)\n"
		"\n"
		"Other kdamonds (not hugepaged's, left alone):\n"
		"  kdamond 0: pid 4242, running\n"
		"  kdamond 2: stopped, with another user's inputs\n";
	struct hp_status s = { 0 };
	_cleanup_(freep) char *text = NULL, *json = NULL, *round = NULL;
	struct hp_status back = { 0 };
	unsigned line = 0;

	(void)state;
	load_status("status/hugepaged-status-damon", &s);
	assert_true(s.has_kernel);
	assert_int_equal(s.kernel.n_groups, 2);
	assert_int_equal(s.kernel.n_slots, 3);
	text = text_of(&s, NULL, &s.kernel, NULL, NOW_US);
	assert_string_equal(text, expected);

	json = json_of(&s, NULL, &s.kernel, NULL);
	assert_non_null(strstr(json, "\"features\":[\"damon_sysfs\",\"vaddr\",\"collapse\",\"quota_goals\","
				     "\"intervals_goal\",\"obsolete_target\"],\"action\":\"collapse\"}"));
	assert_non_null(strstr(json, "\"source\":\"damon_sysfs\",\"nr_kdamonds\":3,"));
	assert_non_null(strstr(json, "{\"slot\":0,\"pid\":4242,\"on\":true,\"owner\":\"other\",\"group\":null}"));
	assert_non_null(strstr(json, "\"slot\":1,\"action\":\"collapse\",\"reason\":\"\"}"));
	check_json(json, "k = d['kernel']\n"
			 "assert k['source'] == 'damon_sysfs' and k['nr_kdamonds'] == 3\n"
			 "assert [x['owner'] for x in k['slots']] == ['other', 'hugepaged', 'other']\n"
			 "g = {x['path']: x for x in d['groups']}\n"
			 "assert g['/A']['kernel']['slot'] == 1 and g['/A']['kernel']['kdamond'] == 5001\n"
			 "assert g['/C']['kernel']['state'] == 'waiting'\n"
			 "assert 'pid 4242' in g['/C']['kernel']['reason']\n"
			 "assert g['/D']['kernel'] is None\n"
			 "assert d['daemon']['action'] == 'collapse' and 'collapse' in d['daemon']['features']\n");

	/* What the daemon writes is what it reads. */
	assert_int_equal(hp_status_format(&s, &round), 0);
	assert_int_equal(hp_status_parse(round, &back, &line), 0);
	assert_int_equal(back.kernel.n_slots, 3);
	assert_string_equal(back.kernel.slots[1].group, "/A");
	assert_string_equal(back.kernel.groups[1].reason, s.kernel.groups[1].reason);
	assert_string_equal(back.features[2], "collapse");
	assert_string_equal(back.action, "collapse");
	hp_status_done(&back);
	hp_status_done(&s);
}

static void test_text_daemon_missing(void **state)
{
	struct hp_kstatus k = { 0 };
	_cleanup_(freep) char *text = NULL;

	(void)state;
	load_kstatus("status/damon_hugepage", &k);
	text = text_of(NULL, "not running, no /run/hugepaged/status", &k, NULL, NOW_US);
	assert_string_equal(text,
			    "hugepaged: unavailable (not running, no /run/hugepaged/status)\n"
			    "Kernel: damon_hugepage enabled, max_kdamonds 2, 2 groups\n"
			    "\n"
			    "Kernel groups:\n"
			    "  cgroup:/c1: running, kdamond 456, procs 1, tuning goal 80.00%, min_access 4, "
			    "share 50.00%, collapsed 32.0 MiB in 16 regions\n"
			    "  pid:4242: running, kdamond 789, procs 1, tuning threshold, min_access 5, "
			    "share 25.00%, collapsed 4.0 MiB in 2 regions\n");
	hp_kstatus_done(&k);
}

/*
 * The kernel escapes a space in a cgroup path as \040 (seq_escape), the
 * daemon as \x20: both must come out as the same path to be joined.
 */
static void test_join_escaped_path(void **state)
{
	struct hp_status s = { 0 };
	struct hp_kstatus k = { 0 };
	_cleanup_(freep) char *text = NULL;

	(void)state;
	parse_status("# hugepaged 1\n"
		     "daemon pid=1 updated_us=1 backend=module kdamond_limit=1 matched=1 fed=1 system=ok "
		     "memory_some_bp=0 cpu_some_bp=0 reason=\n"
		     "group path=/my\\x20app policy=p priority=0 decision=fed rank=1 fed_since_us=1 populated=1 "
		     "anon_bytes=0 anon_huge_bytes=0 memory_state=ok memory_some_bp=0 memory_limit_bp=0 reason=\n",
		     &s);
	parse_kstatus("# damon_hugepage 1 enabled=Y max_kdamonds=1\n"
		      "group=cgroup:/my\\040app kdamond=7 state=running procs=2 tuning=threshold min_access=3 "
		      "goal_bp=0 share_bp=0 anon_bytes=0 anon_huge_bytes=0 nr_tried=0 tried_bytes=0 "
		      "nr_collapsed=0 collapsed_bytes=0 failed_bytes=0 quota_exceeds=0 wmark=active\n",
		      &k);
	assert_string_equal(k.groups[0].group, "cgroup:/my app");
	text = text_of(&s, NULL, &k, NULL, 1);
	assert_line(text, "Group /my app");
	assert_line(text, "  Decision: fed");
	assert_line(text, "  Kernel: running, kdamond 7, procs 2, tuning threshold, min_access 3, share 0.00%");
	assert_line(text, "  Collapsed: 0 B in 0 regions, tried 0 B, failed 0 B");
	assert_null(strstr(text, "kernel groups"));
	hp_status_done(&s);
	hp_kstatus_done(&k);
}

/* What the status.c fixes keep out: silent misreadings of a damaged file. */
static void test_status_parse_strict(void **state)
{
	static const char daemon[] = "# hugepaged 1\n"
				     "daemon pid=1 updated_us=1 backend=module kdamond_limit=1 matched=1 fed=1 "
				     "system=ok memory_some_bp=0 cpu_some_bp=0 reason=\n";
	static const char *const bad[] = {
		"group path=/a bogus rank=1 reason=\n",		/* a word without '=' */
		"group path=/a priority=99999999999 reason=\n",	/* beyond int */
		"group path=/a rank=-1 reason=\n",		/* negative unsigned */
		"group path=/a anon_bytes=-1 reason=\n",
		"group path=/a rank=1x reason=\n",
		/* Numbers are digits as written, not decoded first. */
		"group path=/a anon_bytes=\\x20-1 reason=\n",
		"group path=/a anon_bytes=\\x2d1 reason=\n",
		"group path=/a rank=\\x201 reason=\n",
		"group path=/a rank=+1 reason=\n",
		"group path=/a priority=+1 reason=\n",
		"group path=/a fed_since_us=0x10 reason=\n",
		"group path=/a populated=2 reason=\n",
		"group path=/a populated= reason=\n",
		"config reloads=1 units=yes reason=\n",
		"policy name=a priority=1.5\n",
	};
	struct hp_status s = { 0 };

	(void)state;
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		_cleanup_(freep) char *text = NULL;
		unsigned line = 0;

		assert_true(asprintf(&text, "%s%s", daemon, bad[i]) > 0);
		print_message("must fail: %s", bad[i]);
		assert_int_equal(hp_status_parse(text, &s, &line), -EINVAL);
		assert_int_equal(line, 3);
	}

	/* reason= is written as is, so it is read as is: no \xHH decoding. */
	{
		_cleanup_(freep) char *text = NULL;

		assert_true(asprintf(&text, "%sgroup path=/a\\x5cb reason=C:\\x41 \"q\" a=b\n", daemon) > 0);
		parse_status(text, &s);
		assert_int_equal(s.n_groups, 1);
		assert_string_equal(s.groups[0].path, "/a\\b");
		assert_string_equal(s.groups[0].reason, "C:\\x41 \"q\" a=b");
		hp_status_done(&s);
	}
}

static void test_json_fixture(void **state)
{
	struct hp_status s = { 0 };
	struct hp_kstatus k = { 0 };
	_cleanup_(freep) char *json = NULL;

	(void)state;
	load_status("status/hugepaged-status", &s);
	load_kstatus("status/damon_hugepage", &k);
	json = json_of(&s, NULL, &k, NULL);
	/* Key substrings, so that this holds without Python too. */
	assert_non_null(strstr(json, "\"daemon\":{\"pid\":123,\"updated_us\":1700000000000000,"
				     "\"backend\":\"module\",\"kdamond_limit\":1,\"matched\":3,\"fed\":1,"
				     "\"system_paused\":false,\"memory_some_bp\":0,\"cpu_some_bp\":120,"
				     "\"reason\":\"\",\"features\":[],\"action\":null}"));
	assert_non_null(strstr(json, "\"kernel\":{\"enabled\":true,\"max_kdamonds\":2}"));
	assert_non_null(strstr(json, "\"path\":\"/c2\""));
	assert_non_null(strstr(json, "\"memory_limit_bp\":0,\"kernel\":null}"));
	assert_non_null(strstr(json, "\"other_kernel_groups\":[{\"group\":\"pid:4242\",\"kdamond\":789,"));
	assert_int_equal(json[strlen(json) - 1], '\n');
	check_json(json,
		   "assert d['daemon']['pid'] == 123 and d['daemon']['system_paused'] is False\n"
		   "assert d['daemon_error'] is None and d['kernel_error'] is None\n"
		   "assert d['kernel'] == {'enabled': True, 'max_kdamonds': 2}\n"
		   "assert [g['path'] for g in d['groups']] == ['/c1', '/c2', '/c3']\n"
		   "assert [g['decision'] for g in d['groups']] == ['fed', 'refused', 'paused']\n"
		   "g = d['groups'][0]\n"
		   "assert g['populated'] is True and g['rank'] == 1 and g['fed_since_us'] == 1699999990000000\n"
		   "assert g['reason'] == 'rank 1, priority 10, benefit 60.0 MiB'\n"
		   "kg = g['kernel']\n"
		   "assert kg['group'] == 'cgroup:/c1' and kg['kdamond'] == 456 and kg['tuning'] == 'goal'\n"
		   "assert kg['collapsed_bytes'] == 33554432 and kg['nr_collapsed'] == 16 and kg['wmark'] == 'active'\n"
		   "assert len(kg) == 20 and len(g) == 16\n"
		   "assert kg['slot'] == -1 and kg['action'] is None and kg['reason'] is None\n"
		   "assert g['unit'] is None and g['sources'] == []\n"
		   "assert d['groups'][1]['kernel'] is None and d['groups'][2]['kernel'] is None\n"
		   "assert [o['group'] for o in d['other_kernel_groups']] == ['pid:4242']");
	hp_status_done(&s);
	hp_kstatus_done(&k);
}

static void test_json_missing(void **state)
{
	struct hp_status s = { 0 };
	struct hp_kstatus k = { 0 };
	_cleanup_(freep) char *no_kernel = NULL, *no_daemon = NULL;

	(void)state;
	load_status("status/hugepaged-status", &s);
	load_kstatus("status/damon_hugepage", &k);
	no_kernel = json_of(&s, NULL, NULL, "no /proc/damon_hugepage");
	assert_non_null(strstr(no_kernel, "\"kernel\":null,\"kernel_error\":\"no /proc/damon_hugepage\""));
	check_json(no_kernel, "assert d['kernel'] is None and d['other_kernel_groups'] == []\n"
			      "assert all(g['kernel'] is None for g in d['groups'])");
	no_daemon = json_of(NULL, "not running", &k, NULL);
	assert_non_null(strstr(no_daemon, "{\"daemon\":null,\"daemon_error\":\"not running\","));
	check_json(no_daemon, "assert d['groups'] == []\n"
			      "assert [o['group'] for o in d['other_kernel_groups']] == ['cgroup:/c1', 'pid:4242']");
	hp_status_done(&s);
	hp_kstatus_done(&k);
}

/* Quotes, backslashes, control characters and bytes that are not UTF-8. */
static void test_json_escaping(void **state)
{
	struct hp_status s = { 0 };
	_cleanup_(freep) char *json = NULL, *text = NULL;

	(void)state;
	parse_status("# hugepaged 1\n"
		     "daemon pid=1 updated_us=1 backend=module kdamond_limit=1 matched=1 fed=0 system=ok "
		     "memory_some_bp=0 cpu_some_bp=0 reason=\n"
		     "group path=/we\\x09ird\\x5c\"\xff\xc3\xa9 policy=p priority=-3 decision=empty rank=0 "
		     "fed_since_us=0 populated=0 anon_bytes=0 anon_huge_bytes=0 memory_state=ok "
		     "memory_some_bp=0 memory_limit_bp=0 reason=say \"hi\" \\ \x01 end\n",
		     &s);
	json = json_of(&s, NULL, NULL, "x");
	assert_non_null(strstr(json, "\"path\":\"/we\\tird\\\\\\\"\\ufffd\xc3\xa9\""));
	assert_non_null(strstr(json, "\"reason\":\"say \\\"hi\\\" \\\\ \\u0001 end\""));
	assert_non_null(strstr(json, "\"priority\":-3,"));
	assert_non_null(strstr(json, "\"populated\":false,"));
	check_json(json, "g = d['groups'][0]\n"
			 "assert g['path'] == '/we\\tird\\\\\"\\ufffd\\u00e9', repr(g['path'])\n"
			 "assert g['reason'] == 'say \"hi\" \\\\ \\x01 end', repr(g['reason'])");
	/* People get the control characters as \xHH rather than raw. */
	text = text_of(&s, NULL, NULL, "x", 1);
	assert_line(text, "Group /we\\x09ird\\\"\xff\xc3\xa9");
	assert_line(text, "  Decision: empty (say \"hi\" \\ \\x01 end)");
	hp_status_done(&s);
}

static void test_cli_fixture(void **state)
{
	_cleanup_(freep) char *status_file = strdup(fixture("status/hugepaged-status"));
	struct run res = { 0 };
	const char *rest;

	(void)state;
	RUN_CTL(&res, status_file, fixture("status/damon_hugepage"), "status");
	assert_int_equal(res.status, 0);
	assert_string_equal(res.err, "");
	/* All but the first line, whose age depends on the clock. */
	assert_true(starts_with(res.out, "hugepaged: pid 123, backend module, updated "));
	rest = strchr(res.out, '\n');
	assert_non_null(rest);
	assert_string_equal(rest, strchr(expected_text, '\n'));
	run_done(&res);

	RUN_CTL(&res, status_file, fixture("status/damon_hugepage"), "status", "--json");
	assert_int_equal(res.status, 0);
	check_json(res.out, "assert len(d['groups']) == 3 and d['kernel']['enabled'] is True");
	run_done(&res);
}

static void test_cli_kernel_missing(void **state)
{
	_cleanup_(freep) char *status_file = strdup(fixture("status/hugepaged-status"));
	struct run res = { 0 };

	(void)state;
	RUN_CTL(&res, status_file, "/nonexistent/damon_hugepage", "status");
	assert_int_equal(res.status, 0);
	assert_string_equal(res.err, "");
	assert_line(res.out, "Kernel: unavailable (no /nonexistent/damon_hugepage: damon_hugepage is not in this kernel)");
	assert_line(res.out, "  Decision: fed (rank 1, priority 10, benefit 60.0 MiB)");
	assert_null(strstr(res.out, "  Kernel:"));
	run_done(&res);

	RUN_CTL(&res, status_file, "/nonexistent/damon_hugepage", "--json", "status");
	assert_int_equal(res.status, 0);
	check_json(res.out, "assert d['kernel'] is None and d['kernel_error'].startswith('no /nonexistent/')");
	run_done(&res);
}

static void test_cli_daemon_missing(void **state)
{
	_cleanup_(freep) char *procfs = strdup(fixture("status/damon_hugepage"));
	struct run res = { 0 };

	(void)state;
	/* The kernel's view is still shown, but the exit status says "not running". */
	RUN_CTL(&res, "/nonexistent/status", procfs, "status");
	assert_int_equal(res.status, 3);
	assert_string_equal(res.err, "hugepagectl: hugepaged is not running (no /nonexistent/status)\n");
	assert_true(starts_with(res.out, "hugepaged: unavailable (not running, no /nonexistent/status)\n"
					 "Kernel: damon_hugepage enabled, max_kdamonds 2, 2 groups\n"));
	assert_line(res.out, "Kernel groups:");
	run_done(&res);

	RUN_CTL(&res, "/nonexistent/status", procfs, "status", "--json");
	assert_int_equal(res.status, 3);
	check_json(res.out, "assert d['daemon'] is None and len(d['other_kernel_groups']) == 2");
	run_done(&res);

	/* Neither: nothing to show but the error. */
	RUN_CTL(&res, "/nonexistent/status", "/nonexistent/damon_hugepage", "status");
	assert_int_equal(res.status, 3);
	assert_string_equal(res.out, "");
	assert_string_equal(res.err, "hugepagectl: hugepaged is not running (no /nonexistent/status)\n");
	run_done(&res);
}

static void test_cli_malformed(void **state)
{
	_cleanup_(freep) char *good_status = strdup(fixture("status/hugepaged-status"));
	_cleanup_(freep) char *good_procfs = strdup(fixture("status/damon_hugepage"));
	_cleanup_(freep) char *bad_status = strdup(fixture("status/malformed-status"));
	_cleanup_(freep) char *bad_procfs = strdup(fixture("status/malformed-damon_hugepage"));
	_cleanup_(freep) char *want = NULL;
	struct run res = { 0 };

	(void)state;
	RUN_CTL(&res, bad_status, good_procfs, "status");
	assert_int_equal(res.status, 2);
	assert_string_equal(res.out, "");
	assert_true(asprintf(&want, "hugepagectl: %s:3: malformed hugepaged status record\n", bad_status) > 0);
	assert_string_equal(res.err, want);
	run_done(&res);
	free(want);

	RUN_CTL(&res, good_status, bad_procfs, "status");
	assert_int_equal(res.status, 2);
	assert_string_equal(res.out, "");
	assert_true(asprintf(&want, "hugepagectl: %s:3: malformed damon_hugepage status record\n", bad_procfs) > 0);
	assert_string_equal(res.err, want);
	run_done(&res);
}

static void test_cli_usage(void **state)
{
	_cleanup_(freep) char *status_file = strdup(fixture("status/hugepaged-status"));
	struct run res = { 0 };

	(void)state;
	RUN_CTL(&res, status_file, "/nonexistent", "frobnicate");
	assert_int_equal(res.status, 1);
	assert_string_equal(res.out, "");
	assert_string_equal(res.err, "hugepagectl: Unknown command 'frobnicate', see --help.\n");
	run_done(&res);

	RUN_CTL(&res, status_file, "/nonexistent", "status", "extra");
	assert_int_equal(res.status, 1);
	assert_string_equal(res.out, "");
	run_done(&res);

	RUN_CTL(&res, status_file, "/nonexistent", "--bogus");
	assert_int_equal(res.status, 1);
	assert_string_equal(res.out, "");
	assert_non_null(strstr(res.err, "bogus"));
	run_done(&res);

	RUN_CTL(&res, status_file, "/nonexistent", "--help");
	assert_int_equal(res.status, 0);
	assert_non_null(strstr(res.out, "explain CGROUP"));
	run_done(&res);
}


/* The daemon writes what hugepagectl reads: format, parse, compare. */
static void test_status_roundtrip(void **state)
{
	struct hp_status s = { 0 }, back = { 0 };
	_cleanup_(freep) char *text = NULL;
	char *odd[] = { "/etc/a,b.conf", "/etc/c d=e.conf", NULL };
	unsigned line = 0;

	(void)state;
	load_status("status/hugepaged-units", &s);
	assert_int_equal(s.n_policies, 5);
	assert_int_equal(s.reloads, 2);
	assert_true(s.units);
	/* Commas, spaces and '=' inside a list entry survive. */
	strv_free(s.policies[1].sources);
	s.policies[1].sources = NULL;
	assert_int_equal(strv_push(&s.policies[1].sources, odd[0]), 0);
	assert_int_equal(strv_push(&s.policies[1].sources, odd[1]), 0);
	assert_int_equal(hp_status_format(&s, &text), 0);
	assert_int_equal(hp_status_parse(text, &back, &line), 0);
	assert_int_equal(back.n_policies, 5);
	assert_int_equal(back.n_groups, 2);
	assert_int_equal(back.reloads, 2);
	assert_int_equal(back.policy_errors, 2);
	assert_int_equal(strv_len(back.policies[1].sources), 2);
	assert_string_equal(back.policies[1].sources[0], odd[0]);
	assert_string_equal(back.policies[1].sources[1], odd[1]);
	assert_null(back.policies[2].sources);
	assert_string_equal(back.policies[4].sources[0], "/etc/systemd/system/bad.slice.d/hp x.conf");
	assert_string_equal(back.groups[0].unit, "db.slice");
	assert_int_equal(strv_len(back.groups[0].sources), 2);
	assert_string_equal(back.groups[1].decision, "thp-disabled");
	hp_status_done(&s);
	hp_status_done(&back);
}

/* Lists with empty entries, entries that read like markers, and absent strings. */
static void test_status_roundtrip_exact(void **state)
{
	static char *lists[][4] = {
		{ "", NULL }, { "", "", NULL }, { "-", NULL }, { "-", "", "-", NULL }, { "a,", ",b", NULL },
	};
	(void)state;
	for (size_t i = 0; i < ELEMENTSOF(lists) + 1; i++) {
		struct hp_status_group g = { .path = "/a", .unit = i % 2 ? "-" : NULL, .policy = "",
					      .sources = i < ELEMENTSOF(lists) ? lists[i] : NULL };
		struct hp_status s = { .backend = "module", .groups = &g, .n_groups = 1 }, back = { 0 };
		_cleanup_(freep) char *text = NULL, *again = NULL;
		unsigned line = 0;

		assert_int_equal(hp_status_format(&s, &text), 0);
		print_message("%s", text);
		assert_int_equal(hp_status_parse(text, &back, &line), 0);
		assert_int_equal(back.n_groups, 1);
		assert_int_equal(strv_len(back.groups[0].sources), strv_len(g.sources));
		for (size_t j = 0; g.sources && g.sources[j]; j++)
			assert_string_equal(back.groups[0].sources[j], g.sources[j]);
		if (g.unit)
			assert_string_equal(back.groups[0].unit, g.unit);
		else
			assert_null(back.groups[0].unit);
		assert_string_equal(back.groups[0].policy, "");
		/* Formatting what was read gives the same text. */
		assert_int_equal(hp_status_format(&back, &again), 0);
		assert_string_equal(again, text);
		hp_status_done(&back);
	}
}

static void test_policies_text(void **state)
{
	struct hp_status s = { 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	load_status("status/hugepaged-units", &s);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(hugepagectl_print_policies_text(f, &s), 0);
	assert_int_equal(fclose(f), 0);
	assert_line(buf, "Unit sections: read ([X-Hugepage] of systemd units and drop-ins)");
	assert_line(buf, "Reloads: 2, policies with errors: 2");
	assert_line(buf, "50-slices.conf (file, loaded)");
	assert_line(buf, "  Files: /etc/hugepaged/policies.d/50-slices.conf");
	assert_line(buf, "  Settings: priority 5, min size 0 B, memory pressure limit 10.00%, tuning goal");
	/* The slice's own group follows the unit's merged policy, not the file. */
	assert_line(buf, "  Groups: /web.slice/nginx.service (thp-disabled)");
	assert_line(buf, "60-old.conf (file, kept)");
	assert_line(buf, "  Settings: priority 1, min size 64.0 MiB, memory pressure limit none, tuning threshold");
	assert_line(buf, "  Groups: none");
	assert_line(buf, "70-broken.conf (file, failed)");
	assert_line(buf, "  Files: none");
	assert_line(buf, "  Skipped: it has errors (journalctl -u hugepaged)");
	assert_line(buf, "db.slice (unit, loaded)");
	assert_line(buf, "  Files: /etc/hugepaged/policies.d/50-slices.conf, /etc/systemd/system/db.slice.d/hugepage.conf");
	assert_line(buf, "  Groups: /db.slice (fed)");
	assert_line(buf, "bad.slice (unit, failed)");
	assert_line(buf, "  Files: /etc/systemd/system/bad.slice.d/hp x.conf");
	free(buf);

	s.units = false;
	free(s.units_reason);
	s.units_reason = strdup("no systemd on the system bus: No such file or directory");
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(hugepagectl_print_policies_text(f, &s), 0);
	assert_int_equal(fclose(f), 0);
	assert_line(buf, "Unit sections: not read (no systemd on the system bus: No such file or directory)");
	free(buf);
	hp_status_done(&s);
}

static void test_policies_json(void **state)
{
	_cleanup_(freep) char *status_file = strdup(fixture("status/hugepaged-units"));
	struct run res = { 0 };

	(void)state;
	RUN_CTL(&res, status_file, "/nonexistent", "policies", "--json");
	assert_int_equal(res.status, 0);
	check_json(res.out,
		   "assert d['units'] is True and d['units_reason'] is None\n"
		   "assert d['reloads'] == 2 and d['policy_errors'] == 2\n"
		   "p = {x['name']: x for x in d['policies']}\n"
		   "assert [x['name'] for x in d['policies']] == ['50-slices.conf', '60-old.conf', '70-broken.conf', 'db.slice', 'bad.slice']\n"
		   "assert p['db.slice']['kind'] == 'unit' and p['db.slice']['state'] == 'loaded'\n"
		   "assert p['db.slice']['sources'] == ['/etc/hugepaged/policies.d/50-slices.conf', '/etc/systemd/system/db.slice.d/hugepage.conf']\n"
		   "assert p['db.slice']['groups'] == [{'path': '/db.slice', 'decision': 'fed'}]\n"
		   "assert p['50-slices.conf']['groups'] == [{'path': '/web.slice/nginx.service', 'decision': 'thp-disabled'}]\n"
		   "assert p['bad.slice']['sources'] == ['/etc/systemd/system/bad.slice.d/hp x.conf']\n"
		   "assert p['70-broken.conf']['sources'] == [] and p['60-old.conf']['state'] == 'kept'\n"
		   "assert p['60-old.conf']['min_size'] == 67108864 and p['50-slices.conf']['memory_limit_bp'] == 1000");
	run_done(&res);

	/* Not running: exit 3, nothing on stdout. */
	RUN_CTL(&res, "/nonexistent/status", "/nonexistent", "policies");
	assert_int_equal(res.status, 3);
	assert_string_equal(res.out, "");
	run_done(&res);
}

#define RUN_EXPLAIN(res, ...)                                                                       \
	do {                                                                                        \
		_cleanup_(freep) char *s_ = strdup(fixture("status/hugepaged-units")),              \
				      *c_ = strdup(fixture("cgroup")),                              \
				      *p_ = strdup(fixture("status/damon_hugepage"));               \
		char *argv_[] = { "hugepagectl", "--status-file", s_, "--procfs", p_,               \
				  "--cgroup-root", c_, "explain", __VA_ARGS__, NULL };              \
		run_program((res), hugepagectl(), argv_, NULL);                                     \
	} while (0)

static void test_explain(void **state)
{
	struct run res = { 0 };

	(void)state;
	/* A fed group, by path and by unit name: the same answer. */
	RUN_EXPLAIN(&res, "/db.slice");
	assert_int_equal(res.status, 0);
	assert_line(res.out, "/db.slice: fed");
	assert_line(res.out, "  Why: rank 1, priority 10, benefit 4.0 MiB");
	assert_line(res.out, "  Policy: db.slice ([X-Hugepage] of unit db.slice), priority 10");
	assert_line(res.out, "  Files: /etc/hugepaged/policies.d/50-slices.conf, /etc/systemd/system/db.slice.d/hugepage.conf");
	/* Sizes as memory.stat has them now (the fixture's), not the daemon's last reading. */
	assert_line(res.out, "  Memory: anon 128.0 MiB, huge 4.0 MiB (3.1%), pressure ok (some 0.00%, limit 10.00%)");
	assert_line(res.out, "  Kernel: not fed to damon_hugepage");
	{
		_cleanup_(freep) char *by_path = strdup(res.out);
		run_done(&res);
		RUN_EXPLAIN(&res, "db.slice");
		assert_int_equal(res.status, 0);
		assert_string_equal(res.out, by_path);
		run_done(&res);
	}

	RUN_EXPLAIN(&res, "nginx.service");
	assert_int_equal(res.status, 0);
	assert_line(res.out, "/web.slice/nginx.service: thp-disabled");
	assert_line(res.out, "  Why: huge pages are disabled for all 2 of its processes (THP_enabled: 0, prctl PR_SET_THP_DISABLE or MemoryTHP=disable)");
	run_done(&res);

	/* Cgroups the daemon does not track, found in the tree. */
	RUN_EXPLAIN(&res, "/web.slice");
	assert_int_equal(res.status, 0);
	assert_line(res.out, "/web.slice: not matched");
	assert_line(res.out, "  Why: no policy file matches it and its unit, if any, has no [X-Hugepage] section");
	run_done(&res);
	RUN_EXPLAIN(&res, "bad.slice");
	assert_int_equal(res.status, 0);
	assert_line(res.out, "/bad.slice: not matched");
	assert_line(res.out, "  Why: no policy file matches it, and the [X-Hugepage] sections of its unit have errors "
			     "(/etc/systemd/system/bad.slice.d/hp x.conf; journalctl -u hugepaged)");
	run_done(&res);
	RUN_EXPLAIN(&res, "postgres.service");
	assert_int_equal(res.status, 0);
	assert_line(res.out, "/db.slice/postgres.service: not matched");
	run_done(&res);

	/* No such cgroup: exit 4. */
	RUN_EXPLAIN(&res, "/nope.slice");
	assert_int_equal(res.status, 4);
	assert_string_equal(res.out, "/nope.slice: no such cgroup\n");
	run_done(&res);
	RUN_EXPLAIN(&res, "a/b");
	assert_int_equal(res.status, 1);
	assert_non_null(strstr(res.err, "a/b: expected a cgroup path"));
	run_done(&res);

	RUN_EXPLAIN(&res, "/db.slice", "--json");
	assert_int_equal(res.status, 0);
	check_json(res.out,
		   "assert d['query'] == '/db.slice' and d['path'] == '/db.slice'\n"
		   "assert d['exists'] is True and d['matched'] is True and d['decision'] == 'fed'\n"
		   "assert d['group']['unit'] == 'db.slice' and d['group']['priority'] == 10\n"
		   "assert d['group']['sources'][1] == '/etc/systemd/system/db.slice.d/hugepage.conf'\n"
		   "assert d['group']['anon_bytes'] == 134217728 and d['group']['anon_huge_bytes'] == 4194304\n"
		   "assert d['kernel'] is None and d['kernel_error'] is None");
	run_done(&res);
	RUN_EXPLAIN(&res, "web.slice", "--json");
	assert_int_equal(res.status, 0);
	check_json(res.out,
		   "assert d['path'] == '/web.slice' and d['matched'] is False and d['group'] is None\n"
		   "assert d['decision'] == 'not-matched' and 'no policy file matches it' in d['reason']");
	run_done(&res);
	RUN_EXPLAIN(&res, "/nope.slice", "--json");
	assert_int_equal(res.status, 4);
	check_json(res.out, "assert d['path'] is None and d['exists'] is False and d['decision'] == 'no-such-cgroup'");
	run_done(&res);
}

/* The start time of the calling process, as /proc/self/stat field 22 says. */
static unsigned long long self_start_time(void)
{
	_cleanup_(freep) char *stat = NULL;
	unsigned long long t = 0;
	char *p;

	assert_int_equal(read_file_at(AT_FDCWD, "/proc/self/stat", &stat), 0);
	p = strrchr(stat, ')');
	assert_non_null(p);
	/* After "(comm)": state is field 3, starttime field 22. */
	assert_int_equal(sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d "
					"%*d %llu", &t), 1);
	return t;
}

/* A stand-in for hugepaged: answers SIGHUP by counting a reload, if asked to. */
static pid_t fake_daemon(const char *status_file, bool answer)
{
	int ready[2];
	pid_t pid;
	char c;

	assert_int_equal(pipe(ready), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		sigset_t mask;
		int sig;
		FILE *f;

		sigemptyset(&mask);
		sigaddset(&mask, SIGHUP);
		sigprocmask(SIG_BLOCK, &mask, NULL);
		f = fopen(status_file, "we");
		fprintf(f, "# hugepaged 1\ndaemon pid=%d start_time=%llu updated_us=1 backend=dry-run kdamond_limit=1 "
			   "matched=0 fed=0 system=ok memory_some_bp=0 cpu_some_bp=0 reason=\nconfig reloads=4 "
			   "reload_us=1 units=0 policy_errors=0 reason=x\n", (int)getpid(), self_start_time());
		fclose(f);
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		sigwait(&mask, &sig);
		if (answer) {
			f = fopen(status_file, "we");
			fprintf(f, "# hugepaged 1\ndaemon pid=%d start_time=%llu updated_us=2 backend=dry-run "
				   "kdamond_limit=1 matched=0 fed=0 system=ok memory_some_bp=0 cpu_some_bp=0 reason=\n"
				   "config reloads=5 reload_us=2 units=0 policy_errors=1 reason=x\npolicy name=a.conf "
				   "kind=file state=kept sources=/a.conf priority=0 min_size=0 memory_limit_bp=0 "
				   "tuning=goal\n", (int)getpid(), self_start_time());
			fclose(f);
		} else {
			pause();
		}
		_exit(0);
	}
	assert_int_equal(read(ready[0], &c, 1), 1);
	close(ready[0]);
	close(ready[1]);
	return pid;
}

static void test_reload(void **state)
{
	char status_file[] = "/tmp/hugepagectl-reload-XXXXXX";
	struct run res = { 0 };
	pid_t pid;
	int fd;

	(void)state;
	fd = mkstemp(status_file);
	assert_true(fd >= 0);
	close(fd);

	pid = fake_daemon(status_file, true);
	RUN_CTL(&res, status_file, "/nonexistent", "reload", "--timeout", "10");
	assert_int_equal(res.status, 0);
	assert_string_equal(res.out, "hugepaged reloaded: 1 policies, 1 with errors (the last good version of a "
				     "broken file is kept; journalctl -u hugepaged)\n");
	run_done(&res);
	assert_int_equal(waitpid(pid, NULL, 0), pid);

	/* A daemon that never confirms: exit 1 after the timeout. */
	pid = fake_daemon(status_file, false);
	RUN_CTL(&res, status_file, "/nonexistent", "reload", "--timeout=0.3");
	assert_int_equal(res.status, 1);
	assert_non_null(strstr(res.err, "did not confirm the reload within"));
	run_done(&res);
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, NULL, 0), pid);

	RUN_CTL(&res, status_file, "/nonexistent", "reload", "--timeout=0");
	assert_int_equal(res.status, 1);
	assert_non_null(strstr(res.err, "--timeout=0: expected seconds"));
	run_done(&res);
	unlink(status_file);
}

/* A process that is not hugepaged: it dies of SIGHUP, as most do. */
static pid_t bystander(void)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		sigset_t mask;

		sigemptyset(&mask);
		sigaddset(&mask, SIGHUP);
		sigprocmask(SIG_UNBLOCK, &mask, NULL);
		signal(SIGHUP, SIG_DFL);
		for (;;)
			pause();
	}
	return pid;
}

static bool alive(pid_t pid)
{
	int status;

	return waitpid(pid, &status, WNOHANG) == 0;
}

/*
 * A stale status file (the daemon is gone and its pid reused) must not
 * make reload signal whatever runs under that pid now.
 */
static void test_reload_stale(void **state)
{
	char status_file[] = "/tmp/hugepagectl-stale-XXXXXX";
	struct run res = { 0 };
	pid_t pid = bystander();
	char pidarg[32];
	FILE *f;
	int fd;

	(void)state;
	fd = mkstemp(status_file);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	/* The pid of another process, with and without the daemon's start time. */
	fprintf(f, "# hugepaged 1\ndaemon pid=%d start_time=1 updated_us=1 backend=module kdamond_limit=1 "
		   "matched=0 fed=0 system=ok memory_some_bp=0 cpu_some_bp=0 reason=\n", (int)pid);
	assert_int_equal(fclose(f), 0);
	RUN_CTL(&res, status_file, "/nonexistent", "reload", "--timeout=2");
	assert_int_equal(res.status, 3);
	assert_non_null(strstr(res.err, "is not the hugepaged that wrote"));
	run_done(&res);
	assert_true(alive(pid));

	f = fopen(status_file, "we");
	fprintf(f, "# hugepaged 1\ndaemon pid=%d updated_us=1 backend=module kdamond_limit=1 "
		   "matched=0 fed=0 system=ok memory_some_bp=0 cpu_some_bp=0 reason=\n", (int)pid);
	assert_int_equal(fclose(f), 0);
	RUN_CTL(&res, status_file, "/nonexistent", "reload", "--timeout=2");
	assert_int_equal(res.status, 3);
	assert_non_null(strstr(res.err, "is not hugepaged"));
	run_done(&res);
	assert_true(alive(pid));

	/* --pid (the unit's $MAINPID) must be the pid the status names. */
	snprintf(pidarg, sizeof(pidarg), "--pid=%d", (int)getpid());
	RUN_CTL(&res, status_file, "/nonexistent", "reload", pidarg, "--timeout=2");
	assert_int_equal(res.status, 1);
	assert_non_null(strstr(res.err, "not the main pid"));
	run_done(&res);
	assert_true(alive(pid));

	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	unlink(status_file);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_fixture),
		cmocka_unit_test(test_text_age),
		cmocka_unit_test(test_text_system_paused),
		cmocka_unit_test(test_text_kernel_unavailable),
		cmocka_unit_test(test_text_not_listed),
		cmocka_unit_test(test_text_damon),
		cmocka_unit_test(test_text_daemon_missing),
		cmocka_unit_test(test_join_escaped_path),
		cmocka_unit_test(test_status_parse_strict),
		cmocka_unit_test(test_json_fixture),
		cmocka_unit_test(test_json_missing),
		cmocka_unit_test(test_json_escaping),
		cmocka_unit_test(test_cli_fixture),
		cmocka_unit_test(test_cli_kernel_missing),
		cmocka_unit_test(test_cli_daemon_missing),
		cmocka_unit_test(test_cli_malformed),
		cmocka_unit_test(test_cli_usage),
		cmocka_unit_test(test_status_roundtrip),
		cmocka_unit_test(test_status_roundtrip_exact),
		cmocka_unit_test(test_policies_text),
		cmocka_unit_test(test_policies_json),
		cmocka_unit_test(test_explain),
		cmocka_unit_test(test_reload),
		cmocka_unit_test(test_reload_stale),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
