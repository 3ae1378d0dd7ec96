// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hugepaged itself ($HUGEPAGED) with --dry-run against a temporary tree:
 * a fake cgroup root (plain directories with the files the daemon reads),
 * copies of the fixture PSI files, its own run directory.  Every wait is
 * for a condition (a status file saying something), with a deadline only
 * to turn a hang into a failure.
 */
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "status.h"
#include "util.h"

#define DEADLINE_USEC (120 * USEC_PER_SEC)

struct daemon {
	char dir[64];
	char cgroup[128], pressure[128], run[128], policies[128], conf[128], log[128], status[160];
	pid_t pid;
};

static void write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		fail_msg("%s: %s", path, strerror(errno));
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(close(fd), 0);
}

static void write_at(const char *dir, const char *name, const char *text)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	write_text(path, text);
}

/* A cgroup directory below the fake root, with the files a group needs. */
static void make_cgroup(struct daemon *d, const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s%s", d->cgroup, rel);
	assert_int_equal(mkdir(path, 0755), 0);
	write_at(path, "cgroup.events", "populated 1\nfrozen 0\n");
	write_at(path, "memory.stat", "anon 104857600\nanon_thp 0\n");
	write_at(path, "memory.pressure", "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"
					  "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n");
}

static int daemon_setup(void **state)
{
	struct daemon *d = calloc(1, sizeof(*d));
	static const char psi[] = "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"
				  "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n";

	if (!d)
		return -1;
	snprintf(d->dir, sizeof(d->dir), "/tmp/test-hugepaged.XXXXXX");
	if (!mkdtemp(d->dir))
		return -1;
	snprintf(d->cgroup, sizeof(d->cgroup), "%s/cgroup", d->dir);
	snprintf(d->pressure, sizeof(d->pressure), "%s/pressure", d->dir);
	snprintf(d->run, sizeof(d->run), "%s/run", d->dir);
	snprintf(d->policies, sizeof(d->policies), "%s/policies.d", d->dir);
	snprintf(d->conf, sizeof(d->conf), "%s/hugepaged.conf", d->dir);
	snprintf(d->log, sizeof(d->log), "%s/log", d->dir);
	snprintf(d->status, sizeof(d->status), "%s/status", d->run);
	if (mkdir(d->cgroup, 0755) || mkdir(d->pressure, 0755) || mkdir(d->run, 0755) || mkdir(d->policies, 0755))
		return -1;
	write_at(d->pressure, "memory", psi);
	write_at(d->pressure, "cpu", psi);
	/* No system bus here; the slow rescan only when a test asks for one. */
	write_text(d->conf, "[Daemon]\nUnitSections=no\nRescanIntervalSec=1h\n"
			    "[Pressure]\nSystemMemoryLimit=0%\nSystemCPULimit=0%\n");
	d->pid = -1;
	*state = d;
	return 0;
}

static int daemon_teardown(void **state)
{
	struct daemon *d = *state;

	if (d->pid > 0) {
		kill(d->pid, SIGKILL);
		waitpid(d->pid, NULL, 0);
	}
	rm_tree(d->dir);
	free(d);
	return 0;
}

static void daemon_start(struct daemon *d)
{
	const char *exe = getenv("HUGEPAGED");

	if (!exe || !*exe)
		fail_msg("HUGEPAGED is not set: run the tests through meson test");
	d->pid = fork();
	assert_true(d->pid >= 0);
	if (d->pid == 0) {
		int fd = open(d->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		sigset_t none;

		/* stderr must not be mistaken for the journal, nor us for systemd. */
		unsetenv("JOURNAL_STREAM");
		unsetenv("NOTIFY_SOCKET");
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(127);
		execl(exe, "hugepaged", "--dry-run", "--no-owner-check", "--debug", "--config", d->conf,
		      "--policy-dir", d->policies, "--cgroup-root", d->cgroup, "--pressure-dir", d->pressure,
		      "--run-dir", d->run, (char *)NULL);
		_exit(127);
	}
}

static void show_log(const struct daemon *d)
{
	_cleanup_(freep) char *text = NULL;

	if (read_file_at(AT_FDCWD, d->log, &text) == 0)
		print_message("--- hugepaged's log ---\n%s--- end ---\n", text);
}

/*
 * Waits until the status file exists and pred(status, arg) holds; fails
 * if the daemon exits or the deadline passes first.
 */
typedef bool (*status_pred)(const struct hp_status *s, const void *arg);

static void wait_status(struct daemon *d, status_pred pred, const void *arg, const char *what)
{
	usec_t deadline = now_usec() + DEADLINE_USEC;

	while (now_usec() < deadline) {
		_cleanup_(freep) char *text = NULL;
		struct hp_status s = { 0 };
		struct timespec ts = { .tv_nsec = 20 * 1000 * 1000 };
		int status;

		if (waitpid(d->pid, &status, WNOHANG) == d->pid) {
			d->pid = -1;
			show_log(d);
			fail_msg("hugepaged exited (status 0x%x) while waiting for %s", status, what);
		}
		if (read_file_at(AT_FDCWD, d->status, &text) == 0 && hp_status_parse(text, &s, NULL) == 0) {
			bool ok = pred(&s, arg);

			hp_status_done(&s);
			if (ok)
				return;
		}
		(void)nanosleep(&ts, NULL);
	}
	show_log(d);
	fail_msg("hugepaged did not get to %s within %llu s", what, (unsigned long long)(DEADLINE_USEC / USEC_PER_SEC));
}

static bool status_written(const struct hp_status *s, const void *arg)
{
	(void)s;
	(void)arg;
	return true;
}

/* The status names group path (arg), or does not (with a leading '!'). */
static bool has_group(const struct hp_status *s, const void *arg)
{
	const char *want = arg;
	bool negate = want[0] == '!', found = false;

	for (size_t i = 0; i < s->n_groups; i++)
		found |= s->groups[i].path && !strcmp(s->groups[i].path, want + negate);
	return found != negate;
}

static bool reloads_at_least(const struct hp_status *s, const void *arg)
{
	return s->reloads >= *(const unsigned *)arg;
}

static int daemon_stop(struct daemon *d)
{
	usec_t deadline = now_usec() + DEADLINE_USEC;
	int status;

	assert_int_equal(kill(d->pid, SIGTERM), 0);
	while (waitpid(d->pid, &status, WNOHANG) != d->pid) {
		struct timespec ts = { .tv_nsec = 20 * 1000 * 1000 };

		if (now_usec() > deadline) {
			show_log(d);
			fail_msg("hugepaged did not stop on SIGTERM");
		}
		(void)nanosleep(&ts, NULL);
	}
	d->pid = -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The status says a daemon runs: it must not outlive the daemon. */
static void test_status_removed_on_exit(void **state)
{
	struct daemon *d = *state;

	daemon_start(d);
	wait_status(d, status_written, NULL, "a status file");
	assert_int_equal(daemon_stop(d), 0);
	assert_int_equal(access(d->status, F_OK), -1);
	assert_int_equal(errno, ENOENT);
}

/* The status names the daemon by pid and start time (for hugepagectl reload). */
static void test_status_start_time(void **state)
{
	struct daemon *d = *state;
	_cleanup_(freep) char *text = NULL;
	_cleanup_(hp_status_done) struct hp_status s = { 0 };
	uint64_t t = 0;

	daemon_start(d);
	wait_status(d, status_written, NULL, "a status file");
	assert_int_equal(read_file_at(AT_FDCWD, d->status, &text), 0);
	assert_int_equal(hp_status_parse(text, &s, NULL), 0);
	assert_int_equal(s.pid, d->pid);
	assert_int_equal(proc_start_time(d->pid, &t), 0);
	assert_true(s.start_time == t);
	assert_int_equal(daemon_stop(d), 0);
}

/*
 * A cgroup whose name starts with a dot is a cgroup like any other: found
 * by the walk at start, added by inotify, and still there after a rescan
 * (the walk skipped dot names, inotify did not: the rescan dropped it).
 */
static void test_dot_named_cgroups(void **state)
{
	struct daemon *d = *state;
	unsigned one = 1;

	write_at(d->policies, "10-all.conf", "[Match]\nCgroupPath=/*\n");
	make_cgroup(d, "/.early");
	daemon_start(d);
	wait_status(d, has_group, "/.early", "matching /.early at start");
	make_cgroup(d, "/.late");
	wait_status(d, has_group, "/.late", "matching /.late through inotify");
	/* SIGHUP reloads and rescans the whole tree. */
	assert_int_equal(kill(d->pid, SIGHUP), 0);
	wait_status(d, reloads_at_least, &one, "a reload");
	wait_status(d, has_group, "/.late", "keeping /.late after the rescan");
	wait_status(d, has_group, "/.early", "keeping /.early after the rescan");
	assert_int_equal(daemon_stop(d), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_status_removed_on_exit, daemon_setup, daemon_teardown),
		cmocka_unit_test_setup_teardown(test_status_start_time, daemon_setup, daemon_teardown),
		cmocka_unit_test_setup_teardown(test_dot_named_cgroups, daemon_setup, daemon_teardown),
	};

	return cmocka_run_group_tests_name("hugepaged", tests, NULL, NULL);
}
