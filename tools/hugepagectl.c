// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hugepagectl: the operator's readout, joining hugepaged's view of the
 * groups (/run/hugepaged/status) with the kernel's (/proc/damon_hugepage).
 *
 *   hugepagectl [--status-file PATH] [--procfs PATH] status [--json]
 *
 * The output formats are described in hugepagectl-print.c.  Exit status:
 *   0  printed; the kernel's view may be missing (the module is not built
 *      in, or we are not root: /proc/damon_hugepage is 0400), which the
 *      output says -- the daemon's view alone is still useful
 *   1  bad usage, or an unexpected error (cannot read a file, no memory)
 *   2  a file is malformed (the error names file and line)
 *   3  hugepaged is not running (no status file); the kernel's view is
 *      still printed if there is one
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <string.h>

#include "hugepagectl.h"
#include "log.h"
#include "status.h"
#include "util.h"

enum {
	EXIT_MALFORMED = 2,
	EXIT_NOT_RUNNING = 3,
};

static const char *arg_status_file = "/run/hugepaged/status";
static const char *arg_procfs = "/proc/damon_hugepage";
static bool arg_json;

static void help(void)
{
	printf("%s [OPTIONS...] status [--json]\n\n"
	       "Show what hugepaged decided for each group next to what damon_hugepage does.\n\n"
	       "  -h --help              Show this help\n"
	       "     --status-file=PATH  hugepaged's status (default: /run/hugepaged/status)\n"
	       "     --procfs=PATH       The kernel's status (default: /proc/damon_hugepage)\n"
	       "     --json              Print one JSON object\n\n"
	       "Exit status: 0 shown, 1 usage or other error, 2 malformed file,\n"
	       "3 hugepaged not running.\n",
	       program_invocation_short_name);
}

/* 0 to go on, 1 to exit successfully (--help), -EINVAL on bad usage. */
static int parse_argv(int argc, char *argv[])
{
	enum { ARG_STATUS_FILE = 0x100, ARG_PROCFS, ARG_JSON };
	static const struct option options[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "status-file", required_argument, NULL, ARG_STATUS_FILE },
		{ "procfs", required_argument, NULL, ARG_PROCFS },
		{ "json", no_argument, NULL, ARG_JSON },
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
		case ARG_JSON:
			arg_json = true;
			break;
		default:
			/* getopt_long() has said what is wrong. */
			return -EINVAL;
		}
	}

	/* "status" is the only verb, and the default one, as in oomctl. */
	if (optind < argc && strcmp(argv[optind], "status")) {
		log_error("Unknown command '%s', see --help.", argv[optind]);
		return -EINVAL;
	}
	if (optind + 1 < argc) {
		log_error("Too many arguments, see --help.");
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

static int run(void)
{
	_cleanup_(freep) char *status_text = NULL, *kernel_text = NULL, *kernel_error = NULL,
			      *daemon_error = NULL;
	/* The _done() functions take zeroed structs: safe on every path. */
	_cleanup_(hp_status_done) struct hp_status status = { 0 };
	_cleanup_(hp_kstatus_done) struct hp_kstatus kstatus = { 0 };
	bool have_status = false, have_kstatus = false;
	unsigned line = 0;
	int r;

	/* Read and parse both first: a malformed file fails before any output. */
	r = read_file_at(AT_FDCWD, arg_status_file, &status_text);
	if (r == -ENOENT) {
		log_error("hugepaged is not running (no %s)", arg_status_file);
		if (asprintf(&daemon_error, "not running, no %s", arg_status_file) < 0) {
			log_error_errno(-ENOMEM, "Cannot format the output");
			return EXIT_FAILURE;
		}
	} else if (r < 0) {
		log_error_errno(r, "Cannot read %s", arg_status_file);
		return EXIT_FAILURE;
	} else {
		r = hp_status_parse(status_text, &status, &line);
		if (r == -EINVAL) {
			log_syntax(arg_status_file, line, "malformed hugepaged status record");
			return EXIT_MALFORMED;
		}
		if (r < 0) {
			log_error_errno(r, "Cannot parse %s", arg_status_file);
			return EXIT_FAILURE;
		}
		have_status = true;
	}

	r = read_file_at(AT_FDCWD, arg_procfs, &kernel_text);
	if (r < 0) {
		kernel_error = kernel_unavailable_reason(r);
		if (!kernel_error) {
			log_error_errno(-ENOMEM, "Cannot format the output");
			return EXIT_FAILURE;
		}
	} else {
		r = hp_kstatus_parse(kernel_text, &kstatus, &line);
		if (r == -EINVAL) {
			log_syntax(arg_procfs, line, "malformed damon_hugepage status record");
			return EXIT_MALFORMED;
		}
		if (r < 0) {
			log_error_errno(r, "Cannot parse %s", arg_procfs);
			return EXIT_FAILURE;
		}
		have_kstatus = true;
	}

	/* Neither view: the error above is all there is to say. */
	if (!have_status && !have_kstatus)
		return EXIT_NOT_RUNNING;

	if (arg_json)
		r = hugepagectl_print_json(stdout, have_status ? &status : NULL, daemon_error,
					   have_kstatus ? &kstatus : NULL, kernel_error);
	else
		r = hugepagectl_print_text(stdout, have_status ? &status : NULL, daemon_error,
					   have_kstatus ? &kstatus : NULL, kernel_error,
					   now_realtime_usec());
	if (fflush(stdout) != 0 && r == 0)
		r = -errno;
	if (r < 0) {
		log_error_errno(r, "Cannot write the output");
		return EXIT_FAILURE;
	}
	return have_status ? EXIT_SUCCESS : EXIT_NOT_RUNNING;
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
	return run();
}
