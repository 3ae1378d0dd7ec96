// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hugepagectl: the operator's view of hugepaged (/run/hugepaged/status)
 * and of the kernel (/proc/damon_hugepage; with the damon backend, the
 * DAMON sysfs view the daemon writes into its status).
 *
 *   hugepagectl [OPTIONS] [status] [--json]     both views, group by group
 *   hugepagectl [OPTIONS] policies [--json]     policies, their files, their groups
 *   hugepagectl [OPTIONS] explain CGROUP [--json]
 *                                               why a group is or is not fed
 *   hugepagectl [OPTIONS] reload [--timeout=SEC]
 *                                               make hugepaged reload, and wait
 *   hugepagectl [OPTIONS] metrics [--output=FILE]
 *                                               Prometheus text format, to stdout or
 *                                               written atomically to FILE
 *
 * The output formats are described in hugepagectl-print.c and (metrics)
 * hugepagectl-metrics.c.  Exit status:
 *   0  done; for status the kernel's view may be missing (the module is
 *      not built in, or we are not root: /proc/damon_hugepage is 0400),
 *      which the output says -- the daemon's view alone is still useful;
 *      metrics: also when hugepaged is not running (hugepaged_up 0)
 *   1  bad usage, or an unexpected error (cannot read a file, no memory);
 *      reload: hugepaged did not confirm the reload in time
 *   2  a file is malformed (the error names file and line)
 *   3  hugepaged is not running (no status file); status still prints
 *      the kernel's view if there is one
 *   4  explain: no such cgroup
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <time.h>

#include "cgroup.h"
#include "hugepagectl.h"
#include "log.h"
#include "status.h"
#include "util.h"

enum {
	EXIT_MALFORMED = 2,
	EXIT_NOT_RUNNING = 3,
	EXIT_NO_SUCH_CGROUP = 4,
};

static const char *arg_status_file = "/run/hugepaged/status";
static const char *arg_procfs = "/proc/damon_hugepage";
static const char *arg_cgroup_root = "/sys/fs/cgroup";
static bool arg_json;
static usec_t arg_timeout = 30 * USEC_PER_SEC;
static int arg_pid;
static const char *arg_verb = "status";
static const char *arg_cgroup;
static const char *arg_output;

static void help(void)
{
	printf("%s [OPTIONS...] COMMAND\n\n"
	       "Show what hugepaged decided for each group next to what damon_hugepage does.\n\n"
	       "Commands:\n"
	       "  status                 Both views, group by group (the default)\n"
	       "  policies               Policy files and unit sections in effect, their groups\n"
	       "  explain CGROUP         Why a cgroup (path or unit name) is or is not fed\n"
	       "  reload                 Make hugepaged reload its configuration, and wait\n"
	       "  metrics                Both views in the Prometheus text format\n\n"
	       "Options:\n"
	       "  -h --help              Show this help\n"
	       "     --json              Print one JSON object (status, policies, explain)\n"
	       "     --timeout=SEC       How long reload waits (default 30)\n"
	       "     --pid=PID           reload: the daemon's pid as its manager knows it\n"
	       "                         (the unit passes $MAINPID)\n"
	       "     --output=FILE       metrics: write FILE atomically instead of stdout\n"
	       "     --status-file=PATH  hugepaged's status (default: /run/hugepaged/status)\n"
	       "     --procfs=PATH       The kernel's status (default: /proc/damon_hugepage)\n"
	       "     --cgroup-root=PATH  The cgroup2 mount, for live memory.stat and explain\n"
	       "                         (default: /sys/fs/cgroup)\n\n"
	       "Exit status: 0 done, 1 usage or other error, 2 malformed file,\n"
	       "3 hugepaged not running, 4 no such cgroup (explain).\n",
	       program_invocation_short_name);
}

/* 0 to go on, 1 to exit successfully (--help), -EINVAL on bad usage. */
static int parse_argv(int argc, char *argv[])
{
	enum { ARG_STATUS_FILE = 0x100, ARG_PROCFS, ARG_CGROUP_ROOT, ARG_JSON, ARG_TIMEOUT, ARG_PID, ARG_OUTPUT };
	static const struct option options[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "status-file", required_argument, NULL, ARG_STATUS_FILE },
		{ "procfs", required_argument, NULL, ARG_PROCFS },
		{ "cgroup-root", required_argument, NULL, ARG_CGROUP_ROOT },
		{ "json", no_argument, NULL, ARG_JSON },
		{ "timeout", required_argument, NULL, ARG_TIMEOUT },
		{ "pid", required_argument, NULL, ARG_PID },
		{ "output", required_argument, NULL, ARG_OUTPUT },
		{},
	};
	int c;

	while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
		switch (c) {
		case 'h':
			help();
			return 1;
		case ARG_STATUS_FILE:
			arg_status_file = optarg;
			break;
		case ARG_PROCFS:
			arg_procfs = optarg;
			break;
		case ARG_CGROUP_ROOT:
			arg_cgroup_root = optarg;
			break;
		case ARG_JSON:
			arg_json = true;
			break;
		case ARG_TIMEOUT:
			if (parse_duration(optarg, &arg_timeout) < 0 || arg_timeout == 0 ||
			    arg_timeout > 3600 * USEC_PER_SEC) {
				log_error("--timeout=%s: expected seconds (or a duration such as 500ms), "
					  "more than 0 and at most 3600", optarg);
				return -EINVAL;
			}
			break;
		case ARG_PID: {
			long pid;

			if (parse_int_range(optarg, 1, INT_MAX, &pid) < 0) {
				log_error("--pid=%s: expected a process id", optarg);
				return -EINVAL;
			}
			arg_pid = (int)pid;
			break;
		}
		case ARG_OUTPUT:
			if (!*optarg || optarg[strlen(optarg) - 1] == '/') {
				log_error("--output=%s: expected a file name", optarg);
				return -EINVAL;
			}
			arg_output = optarg;
			break;
		default:
			/* getopt_long() has said what is wrong. */
			return -EINVAL;
		}
	}

	if (optind < argc)
		arg_verb = argv[optind++];
	if (!strcmp(arg_verb, "explain")) {
		if (optind >= argc) {
			log_error("explain needs a cgroup path or a unit name, see --help.");
			return -EINVAL;
		}
		arg_cgroup = argv[optind++];
	} else if (strcmp(arg_verb, "status") && strcmp(arg_verb, "policies") && strcmp(arg_verb, "reload") &&
		   strcmp(arg_verb, "metrics")) {
		log_error("Unknown command '%s', see --help.", arg_verb);
		return -EINVAL;
	}
	if (optind < argc) {
		log_error("Too many arguments, see --help.");
		return -EINVAL;
	}
	if (arg_json && (!strcmp(arg_verb, "reload") || !strcmp(arg_verb, "metrics"))) {
		log_error("%s has no --json output.", arg_verb);
		return -EINVAL;
	}
	if (arg_output && strcmp(arg_verb, "metrics")) {
		log_error("--output is for metrics only.");
		return -EINVAL;
	}
	if (arg_pid && strcmp(arg_verb, "reload")) {
		log_error("--pid is for reload only.");
		return -EINVAL;
	}
	return 0;
}

/* Why the kernel's view is missing, in words an operator can act on. */
static char *kernel_unavailable_reason(int error)
{
	char *s = NULL;
	int r;

	if (error == -ENOENT)
		r = asprintf(&s, "no %s: damon_hugepage is not in this kernel", arg_procfs);
	else if (error == -EACCES || error == -EPERM)
		r = asprintf(&s, "%s is readable by root only", arg_procfs);
	else
		r = asprintf(&s, "%s: %s", arg_procfs, strerror(-error));
	return r < 0 ? NULL : s;
}

/*
 * Reads and parses hugepaged's status.  Returns 0, or an exit status
 * after saying what is wrong (EXIT_NOT_RUNNING: no status file, with
 * *not_running set to why).
 */
static int load_status(struct hp_status *ret, char **not_running)
{
	_cleanup_(freep) char *text = NULL;
	unsigned line = 0;
	int r;

	r = read_file_at(AT_FDCWD, arg_status_file, &text);
	if (r == -ENOENT) {
		log_error("hugepaged is not running (no %s)", arg_status_file);
		if (not_running && asprintf(not_running, "not running, no %s", arg_status_file) < 0) {
			log_error_errno(-ENOMEM, "Cannot format the output");
			return EXIT_FAILURE;
		}
		return EXIT_NOT_RUNNING;
	}
	if (r < 0) {
		log_error_errno(r, "Cannot read %s", arg_status_file);
		return EXIT_FAILURE;
	}
	r = hp_status_parse(text, ret, &line);
	if (r == -EINVAL) {
		log_syntax(arg_status_file, line, "malformed hugepaged status record");
		return EXIT_MALFORMED;
	}
	if (r < 0) {
		log_error_errno(r, "Cannot parse %s", arg_status_file);
		return EXIT_FAILURE;
	}
	return 0;
}

/*
 * Reads and parses the kernel's view.  Returns 0 (with *error set and
 * nothing parsed if it is unavailable), or an exit status.
 */
static int load_kstatus(struct hp_kstatus *ret, bool *have, char **error)
{
	_cleanup_(freep) char *text = NULL;
	unsigned line = 0;
	int r;

	*have = false;
	r = read_file_at(AT_FDCWD, arg_procfs, &text);
	if (r < 0) {
		*error = kernel_unavailable_reason(r);
		if (!*error) {
			log_error_errno(-ENOMEM, "Cannot format the output");
			return EXIT_FAILURE;
		}
		return 0;
	}
	r = hp_kstatus_parse(text, ret, &line);
	if (r == -EINVAL) {
		log_syntax(arg_procfs, line, "malformed damon_hugepage status record");
		return EXIT_MALFORMED;
	}
	if (r < 0) {
		log_error_errno(r, "Cannot parse %s", arg_procfs);
		return EXIT_FAILURE;
	}
	*have = true;
	return 0;
}

/*
 * The kernel's view: the damon backend's, moved out of the daemon's
 * STATUS (NULL when there is none), or else the module's procfs file, as
 * load_kstatus().
 */
static int load_kernel_view(struct hp_status *status, struct hp_kstatus *ret, bool *have,
			    char **error)
{
	if (status && status->has_kernel) {
		*have = true;
		*ret = status->kernel;
		status->kernel = (struct hp_kstatus){ 0 };
		return 0;
	}
	return load_kstatus(ret, have, error);
}

static int finish_output(int r, int exit_status)
{
	if (fflush(stdout) != 0 && r == 0)
		r = -errno;
	if (r < 0) {
		log_error_errno(r, "Cannot write the output");
		return EXIT_FAILURE;
	}
	return exit_status;
}

/*
 * The daemon re-reads sizes only while they can change a decision, so its
 * figures may be old: show the cgroup's memory.stat as it is now where it
 * can be read.
 */
static void refresh_memory(struct hp_status *s)
{
	_cleanup_(closep) int root = open(arg_cgroup_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	for (size_t i = 0; root >= 0 && i < s->n_groups; i++) {
		struct hp_status_group *g = &s->groups[i];
		uint64_t anon, huge;

		if (g->path && hp_cgroup_read_memory(root, g->path, &anon, &huge) == 0) {
			g->anon_bytes = anon;
			g->anon_huge_bytes = huge;
		}
	}
}

static int verb_status(void)
{
	_cleanup_(freep) char *kernel_error = NULL, *daemon_error = NULL;
	/* The _done() functions take zeroed structs: safe on every path. */
	_cleanup_(hp_status_done) struct hp_status status = { 0 };
	_cleanup_(hp_kstatus_done) struct hp_kstatus kstatus = { 0 };
	bool have_kstatus;
	int r, ds;

	/* Read and parse both first: a malformed file fails before any output. */
	ds = load_status(&status, &daemon_error);
	if (ds != 0 && ds != EXIT_NOT_RUNNING)
		return ds;
	/* The damon backend's kernel view is in its status: no kernel file to read. */
	r = load_kernel_view(ds ? NULL : &status, &kstatus, &have_kstatus, &kernel_error);
	if (r != 0)
		return r;

	/* Neither view: the error above is all there is to say. */
	if (ds && !have_kstatus)
		return EXIT_NOT_RUNNING;
	if (!ds)
		refresh_memory(&status);

	if (arg_json)
		r = hugepagectl_print_json(stdout, ds ? NULL : &status, daemon_error,
					   have_kstatus ? &kstatus : NULL, kernel_error);
	else
		r = hugepagectl_print_text(stdout, ds ? NULL : &status, daemon_error,
					   have_kstatus ? &kstatus : NULL, kernel_error,
					   now_realtime_usec());
	return finish_output(r, ds ? EXIT_NOT_RUNNING : EXIT_SUCCESS);
}

static int verb_policies(void)
{
	_cleanup_(hp_status_done) struct hp_status status = { 0 };
	int r;

	r = load_status(&status, NULL);
	if (r != 0)
		return r;
	r = arg_json ? hugepagectl_print_policies_json(stdout, &status) :
		       hugepagectl_print_policies_text(stdout, &status);
	return finish_output(r, EXIT_SUCCESS);
}

struct find_name {
	const char *name;
	char *found;
};

static int find_name_fn(const char *path, void *userdata)
{
	struct find_name *f = userdata;
	const char *last = strrchr(path, '/');

	if (f->found || !last || strcmp(last + 1, f->name))
		return 0;
	f->found = strdup(path);
	return f->found ? -ECANCELED : -ENOMEM;	/* stop the walk */
}

/*
 * The cgroup a query names: a path as given if it exists; a unit name is
 * looked up in the daemon's groups (unit=) and else in the tree.  NULL if
 * there is none (*ret stays NULL), -errno on errors.
 */
static int resolve_query(const struct hp_status *s, const char *query, char **ret)
{
	_cleanup_(closep) int root = -1;
	struct find_name f = { .name = query };
	struct stat st;
	int r;

	*ret = NULL;
	root = open(arg_cgroup_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (query[0] == '/') {
		bool known = false;

		for (size_t i = 0; i < s->n_groups; i++)
			known |= s->groups[i].path && !strcmp(s->groups[i].path, query);
		if (known || (root >= 0 && fstatat(root, query[1] ? query + 1 : ".", &st, 0) == 0 &&
			      S_ISDIR(st.st_mode))) {
			*ret = strdup(query);
			return *ret ? 0 : -ENOMEM;
		}
		return 0;
	}
	if (strchr(query, '/'))
		return -EINVAL;
	for (size_t i = 0; i < s->n_groups; i++)
		if (s->groups[i].unit && !strcmp(s->groups[i].unit, query)) {
			*ret = strdup(s->groups[i].path);
			return *ret ? 0 : -ENOMEM;
		}
	if (root < 0)
		return 0;
	r = hp_cgroup_walk(root, find_name_fn, &f);
	if (r < 0 && r != -ECANCELED) {
		free(f.found);
		return r;
	}
	*ret = f.found;
	return 0;
}

static int verb_explain(void)
{
	_cleanup_(hp_status_done) struct hp_status status = { 0 };
	_cleanup_(hp_kstatus_done) struct hp_kstatus kstatus = { 0 };
	_cleanup_(freep) char *kernel_error = NULL, *path = NULL;
	const struct hp_status_group *g = NULL;
	bool have_kstatus;
	int r;

	r = load_status(&status, NULL);
	if (r != 0)
		return r;
	r = load_kernel_view(&status, &kstatus, &have_kstatus, &kernel_error);
	if (r != 0)
		return r;
	refresh_memory(&status);
	r = resolve_query(&status, arg_cgroup, &path);
	if (r == -EINVAL) {
		log_error("%s: expected a cgroup path (starting with /) or a unit name", arg_cgroup);
		return EXIT_FAILURE;
	}
	if (r < 0) {
		log_error_errno(r, "%s: cannot look it up", arg_cgroup);
		return EXIT_FAILURE;
	}
	for (size_t i = 0; path && i < status.n_groups; i++)
		if (status.groups[i].path && !strcmp(status.groups[i].path, path))
			g = &status.groups[i];
	r = (arg_json ? hugepagectl_print_explain_json : hugepagectl_print_explain_text)(
		stdout, arg_cgroup, path, &status, g, have_kstatus ? &kstatus : NULL, kernel_error);
	return finish_output(r, path ? EXIT_SUCCESS : EXIT_NO_SUCH_CGROUP);
}

/*
 * A pidfd of the daemon that wrote the status s, checked: a status file
 * outlives a daemon that was killed, and its pid may since name another
 * process, which a SIGHUP would kill.  The process is held by the pidfd
 * first, then identified by its start time (or, from a daemon that does
 * not write it, by its executable), then checked to be still alive, so
 * that what was read from /proc was about that process.  Returns the fd,
 * or a negative exit status after saying why not.
 */
static int open_daemon(const struct hp_status *s)
{
	_cleanup_(closep) int fd = -1;
	int pid = arg_pid ? arg_pid : s->pid;

	if (arg_pid && s->pid != arg_pid) {
		log_error("%s was written by pid %d, not the main pid %d: not signalling", arg_status_file, s->pid,
			  arg_pid);
		return -EXIT_FAILURE;
	}
	if (pid <= 0) {
		log_error("%s names no pid: not signalling", arg_status_file);
		return -EXIT_MALFORMED;
	}
	fd = pidfd_open(pid, 0);
	if (fd < 0) {
		if (errno == ESRCH) {
			log_error("hugepaged is not running (pid %d has exited; %s is stale)", pid, arg_status_file);
			return -EXIT_NOT_RUNNING;
		}
		log_error_errno(-errno, "Cannot open pid %d", pid);
		return -EXIT_FAILURE;
	}
	if (s->start_time) {
		uint64_t t = 0;
		int r = proc_start_time(pid, &t);

		if (r < 0 && r != -ESRCH) {
			log_error_errno(r, "Cannot read the start time of pid %d", pid);
			return -EXIT_FAILURE;
		}
		if (r == 0 && t != s->start_time) {
			log_error("pid %d is not the hugepaged that wrote %s (it started later): the file is stale, "
				  "not signalling", pid, arg_status_file);
			return -EXIT_NOT_RUNNING;
		}
	} else {
		_cleanup_(freep) char *link = NULL;
		char exe[PATH_MAX];
		ssize_t n;
		const char *base;

		if (asprintf(&link, "/proc/%d/exe", pid) < 0)
			return -EXIT_FAILURE;
		n = readlink(link, exe, sizeof(exe) - 1);
		if (n < 0) {
			log_error_errno(-errno, "Cannot tell whether pid %d is hugepaged (%s names no start time), "
				  "not signalling", pid, arg_status_file);
			return errno == ENOENT ? -EXIT_NOT_RUNNING : -EXIT_FAILURE;
		}
		exe[n] = '\0';
		base = strrchr(exe, '/') ? strrchr(exe, '/') + 1 : exe;
		if (strcmp(base, "hugepaged")) {
			log_error("pid %d is not hugepaged (it runs %s): %s is stale, not signalling", pid, exe,
				  arg_status_file);
			return -EXIT_NOT_RUNNING;
		}
	}
	if (pidfd_send_signal(fd, 0, NULL, 0) < 0) {
		log_error("hugepaged is not running (pid %d has exited; %s is stale)", pid, arg_status_file);
		return -EXIT_NOT_RUNNING;
	}
	return TAKE_FD(fd);
}

/*
 * SIGHUP, then waits for the status to count one more reload (hugepaged
 * writes it once the new configuration is applied).  The unit's
 * ExecReload= runs this, so that `systemctl reload` returns when done.
 */
static int verb_reload(void)
{
	_cleanup_(hp_status_done) struct hp_status before = { 0 };
	_cleanup_(closep) int pidfd = -1;
	usec_t deadline = now_usec() + arg_timeout;
	int r;

	r = load_status(&before, NULL);
	if (r != 0)
		return r;
	pidfd = open_daemon(&before);
	if (pidfd < 0)
		return -pidfd;
	if (pidfd_send_signal(pidfd, SIGHUP, NULL, 0) < 0) {
		r = errno;
		log_error_errno(-r, "Cannot signal hugepaged (pid %d)", before.pid);
		return r == ESRCH ? EXIT_NOT_RUNNING : EXIT_FAILURE;
	}
	while (now_usec() < deadline) {
		_cleanup_(hp_status_done) struct hp_status now = { 0 };
		struct timespec ts = { .tv_nsec = 20 * 1000 * 1000 };
		_cleanup_(freep) char *text = NULL;

		(void)nanosleep(&ts, NULL);
		/* Written atomically: a partial file is never seen. */
		if (read_file_at(AT_FDCWD, arg_status_file, &text) < 0 || hp_status_parse(text, &now, NULL) < 0)
			continue;
		if (now.pid != before.pid || now.reloads == before.reloads)
			continue;
		printf("hugepaged reloaded: %zu policies", now.n_policies);
		if (now.policy_errors)
			printf(", %u with errors (the last good version of a broken file is kept; "
			       "journalctl -u hugepaged)", now.policy_errors);
		printf("\n");
		return finish_output(0, EXIT_SUCCESS);
	}
	log_error("hugepaged (pid %d) did not confirm the reload within %.1f s", before.pid,
		  (double)arg_timeout / USEC_PER_SEC);
	return EXIT_FAILURE;
}

/*
 * Does the hugepaged that wrote a status with this pid still run?  A
 * status left behind (its runtime directory is preserved) names a pid
 * that may since belong to something else: the name tells.
 */
static bool daemon_runs(int pid)
{
	_cleanup_(freep) char *path = NULL, *comm = NULL;

	if (pid <= 0 || (kill(pid, 0) < 0 && errno != EPERM))
		return false;
	if (asprintf(&path, "/proc/%d/comm", pid) < 0 || read_file_at(AT_FDCWD, path, &comm) < 0)
		return false;
	return !strcmp(comm, "hugepaged\n");
}

/*
 * Both views in the Prometheus text format, for node_exporter's textfile
 * collector: hugepaged-metrics.service runs this with --output in the
 * collector's directory, so the file is replaced whole or not at all.
 */
static int verb_metrics(void)
{
	_cleanup_(freep) char *kernel_error = NULL, *text = NULL;
	_cleanup_(hp_status_done) struct hp_status status = { 0 };
	_cleanup_(hp_kstatus_done) struct hp_kstatus kstatus = { 0 };
	_cleanup_(fclosep) FILE *f = NULL;
	bool have_kstatus, up;
	size_t len = 0;
	int r, ds;

	/* Not running is what hugepaged_up 0 says, every 30 s: not an error to log. */
	if (access(arg_status_file, F_OK) < 0 && errno == ENOENT)
		ds = EXIT_NOT_RUNNING;
	else
		ds = load_status(&status, NULL);
	if (ds != 0 && ds != EXIT_NOT_RUNNING)
		return ds;
	/* The damon backend's kernel view is in its status, as for status. */
	r = load_kernel_view(ds ? NULL : &status, &kstatus, &have_kstatus, &kernel_error);
	if (r != 0)
		return r;
	/* No module is a kernel without it (or another backend): nothing to say. */
	if (!have_kstatus && access(arg_procfs, F_OK) == 0)
		log_warning("%s, the metrics lack the module's figures", kernel_error);
	up = ds == 0 && daemon_runs(status.pid);
	if (up)
		refresh_memory(&status);

	f = open_memstream(&text, &len);
	if (f)
		r = hugepagectl_print_metrics(f, ds ? NULL : &status, up, have_kstatus ? &kstatus : NULL);
	if (!f || fclose(f) != 0 || r < 0) {
		f = NULL;
		log_error_errno(-ENOMEM, "Cannot format the metrics");
		return EXIT_FAILURE;
	}
	f = NULL;
	if (!arg_output) {
		fputs(text, stdout);
		return finish_output(0, EXIT_SUCCESS);
	}
	r = write_file_atomic(arg_output, text, len);
	if (r < 0) {
		log_error_errno(r, "Cannot write %s", arg_output);
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}

int main(int argc, char *argv[])
{
	int r;

	log_setup("hugepagectl");
	r = parse_argv(argc, argv);
	if (r < 0)
		return EXIT_FAILURE;
	if (r > 0)
		return EXIT_SUCCESS;
	if (!strcmp(arg_verb, "policies"))
		return verb_policies();
	if (!strcmp(arg_verb, "explain"))
		return verb_explain();
	if (!strcmp(arg_verb, "reload"))
		return verb_reload();
	if (!strcmp(arg_verb, "metrics"))
		return verb_metrics();
	return verb_status();
}
