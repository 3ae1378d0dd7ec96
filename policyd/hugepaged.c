// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hugepaged: decides which cgroups get hot-region huge page collapse, from
 * the damon_hugepage module or, on a stock kernel, from DAMON sysfs,
 * watching cgroups and PSI.  See hugepaged(8) and the configuration in
 * policies/.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <systemd/sd-journal.h>
#include <systemd/sd-daemon.h>

#include "backend.h"
#include "conf.h"
#include "log.h"
#include "manager.h"

static const char *const default_policy_dirs[] = {
	HP_PREFIX_LIBDIR "/hugepaged/policies.d",
	HP_SYSCONFDIR "/hugepaged/policies.d",
	"/run/hugepaged/policies.d",
};

static void help(void)
{
	printf("Usage: hugepaged [OPTIONS]\n"
	       "Feeds the hot memory of chosen cgroups to DAMON: the damon_hugepage module,\n"
	       "or DAMON sysfs on a stock kernel.\n\n"
	       "  --config=PATH        main configuration (default " HP_SYSCONFDIR "/hugepaged/hugepaged.conf;\n"
	       "                       drop-ins in PATH.d/*.conf)\n"
	       "  --policy-dir=DIR     a policies.d directory, lowest precedence first; repeat it\n"
	       "                       (default " HP_PREFIX_LIBDIR ", " HP_SYSCONFDIR ", /run .../hugepaged/policies.d)\n"
	       "  --cgroup-root=PATH   the cgroup v2 mount (default: found through libcgroup)\n"
	       "  --pressure-dir=PATH  system PSI files (default /proc/pressure)\n"
	       "  --backend=KIND       auto, module, damon or dry-run (default: Backend= of the\n"
	       "                       configuration, auto)\n"
	       "  --damon-dir=PATH     DAMON sysfs (default /sys/kernel/mm/damon/admin)\n"
	       "  --thp-dir=PATH       THP settings (default /sys/kernel/mm/transparent_hugepage)\n"
	       "  --module-dir=PATH    damon_hugepage parameters (default\n"
	       "                       /sys/module/damon_hugepage/parameters)\n"
	       "  --procfs=PATH        the module's readout (default /proc/damon_hugepage)\n"
	       "  --run-dir=PATH       where the status file goes (default /run/hugepaged)\n"
	       "  --dry-run            decide and log, but touch nothing (--backend=dry-run)\n"
	       "  --no-owner-check     accept files not owned by root (tests)\n"
	       "  --check-config       load the configuration, report errors, exit\n"
	       "  --debug              log debug messages\n"
	       "  -h, --help           this text\n");
}

int main(int argc, char **argv)
{
	enum {
		ARG_CONFIG = 0x100, ARG_POLICY_DIR, ARG_CGROUP_ROOT, ARG_PRESSURE_DIR, ARG_MODULE_DIR,
		ARG_PROCFS, ARG_RUN_DIR, ARG_DRY_RUN, ARG_NO_OWNER_CHECK, ARG_CHECK_CONFIG, ARG_DEBUG,
		ARG_BACKEND, ARG_DAMON_DIR, ARG_THP_DIR,
	};
	static const struct option options[] = {
		{ "config", required_argument, NULL, ARG_CONFIG },
		{ "policy-dir", required_argument, NULL, ARG_POLICY_DIR },
		{ "cgroup-root", required_argument, NULL, ARG_CGROUP_ROOT },
		{ "pressure-dir", required_argument, NULL, ARG_PRESSURE_DIR },
		{ "module-dir", required_argument, NULL, ARG_MODULE_DIR },
		{ "procfs", required_argument, NULL, ARG_PROCFS },
		{ "run-dir", required_argument, NULL, ARG_RUN_DIR },
		{ "dry-run", no_argument, NULL, ARG_DRY_RUN },
		{ "backend", required_argument, NULL, ARG_BACKEND },
		{ "damon-dir", required_argument, NULL, ARG_DAMON_DIR },
		{ "thp-dir", required_argument, NULL, ARG_THP_DIR },
		{ "no-owner-check", no_argument, NULL, ARG_NO_OWNER_CHECK },
		{ "check-config", no_argument, NULL, ARG_CHECK_CONFIG },
		{ "debug", no_argument, NULL, ARG_DEBUG },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	_cleanup_(strv_freep) char **dirs = NULL;
	_cleanup_(manager_freep) struct manager *m = NULL;
	struct manager_options o = {
		.config_path = HP_SYSCONFDIR "/hugepaged/hugepaged.conf",
		.check_owner = true,
		.pressure_dir = "/proc/pressure",
		.run_dir = "/run/hugepaged",
		.paths = {
			.module_dir = "/sys/module/damon_hugepage/parameters",
			.procfs = "/proc/damon_hugepage",
			.damon = {
				.admin_dir = "/sys/kernel/mm/damon/admin",
				.thp_dir = "/sys/kernel/mm/transparent_hugepage",
				/*
				 * Undocumented, for tests: the DAMOS action the damon
				 * backend uses ("hugepage" where the kernel has collapse).
				 */
				.force_action = getenv("HUGEPAGED_TEST_DAMON_ACTION"),
			},
		},
	};
	bool check_only = false;
	int c, r;

	log_use_journal(sd_journal_sendv);
	log_setup("hugepaged");
	/* A log write to a closed pipe must not kill the daemon (systemd ignores it too). */
	(void)signal(SIGPIPE, SIG_IGN);
	while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
		switch (c) {
		case ARG_CONFIG:
			o.config_path = optarg;
			break;
		case ARG_POLICY_DIR:
			if (strv_push(&dirs, optarg) < 0)
				return 1;
			break;
		case ARG_CGROUP_ROOT:
			o.cgroup_root = optarg;
			break;
		case ARG_PRESSURE_DIR:
			o.pressure_dir = optarg;
			break;
		case ARG_MODULE_DIR:
			o.paths.module_dir = optarg;
			break;
		case ARG_PROCFS:
			o.paths.procfs = optarg;
			break;
		case ARG_DAMON_DIR:
			o.paths.damon.admin_dir = optarg;
			break;
		case ARG_THP_DIR:
			o.paths.damon.thp_dir = optarg;
			break;
		case ARG_BACKEND:
			if (hp_backend_kind_from_string(optarg, &o.backend) < 0) {
				log_error("--backend=%s: expected auto, module, damon or dry-run", optarg);
				return 1;
			}
			break;
		case ARG_RUN_DIR:
			o.run_dir = optarg;
			break;
		case ARG_DRY_RUN:
			o.backend = HP_BACKEND_DRY_RUN;
			break;
		case ARG_NO_OWNER_CHECK:
			o.check_owner = false;
			break;
		case ARG_CHECK_CONFIG:
			check_only = true;
			break;
		case ARG_DEBUG:
			log_set_max_level(LOG_DEBUG);
			break;
		case 'h':
			help();
			return 0;
		default:
			return 1;
		}
	}
	if (optind < argc) {
		log_error("unexpected argument '%s' (see --help)", argv[optind]);
		return 1;
	}
	if (!dirs)
		for (size_t i = 0; i < ELEMENTSOF(default_policy_dirs); i++)
			if (strv_push(&dirs, default_policy_dirs[i]) < 0)
				return 1;
	o.policy_dirs = dirs;

	if (check_only) {
		struct hp_policy_set pol = { 0 };
		struct hp_config cfg;
		int errors;

		errors = hp_config_load(o.config_path, o.check_owner, &cfg);
		if (errors < 0)
			return 1;
		r = hp_policies_load(dirs, o.check_owner, &pol);
		if (r < 0)
			return 1;
		errors += r;
		printf("backend %s, kdamond limit %u, %zu policies\n",
		       hp_backend_kind_name(o.backend != HP_BACKEND_AUTO ? o.backend : cfg.backend), cfg.kdamond_limit,
		       pol.n);
		for (size_t i = 0; i < pol.n; i++)
			printf("policy %s (%s) priority %d\n", pol.v[i].name, pol.v[i].source, pol.v[i].priority);
		hp_policy_set_free(&pol);
		printf("%d error(s)\n", errors);
		return errors ? 1 : 0;
	}

	r = manager_new(&o, &m);
	if (r < 0)
		goto fail;
	r = manager_run(m);
	if (r < 0)
		goto fail;
	return 0;
fail:
	(void)sd_notifyf(false, "STATUS=Failed to start: %s\nERRNO=%d", strerror(-r), -r);
	return 1;
}
