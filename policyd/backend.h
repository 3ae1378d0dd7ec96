/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where decisions go.  The module backend drives damon_hugepage through its
 * parameters; the dry-run backend only logs.  The interface is what a
 * DAMON-sysfs backend for stock kernels would need too: say which cgroups
 * to run with which tuning, report what the kernel did, stop.
 */
#pragma once

#include "conf.h"
#include "status.h"

struct hp_feed {
	char **cgroups;		/* paths relative to the cgroup root, best first */
	unsigned kdamond_limit;
	struct hp_tuning tuning;	/* unset fields keep the module's value */
};

struct hp_backend;

struct hp_backend_ops {
	const char *name;
	/* The cgroups the kernel runs now (adopted at start).  May be empty. */
	int (*current)(struct hp_backend *b, char ***ret);
	/*
	 * Makes the kernel run feed.  On success, *failed lists the cgroups
	 * the kernel did not start as pairs: path, the kernel's state, path,
	 * state, ... (states such as "failed:-12" hold ':' themselves).
	 */
	int (*apply)(struct hp_backend *b, const struct hp_feed *feed, char ***failed);
	/* The kernel's per-group readout; -EOPNOTSUPP if there is none. */
	int (*readout)(struct hp_backend *b, struct hp_kstatus *ret);
	/* Stops every group (daemon exit). */
	int (*stop)(struct hp_backend *b);
};

struct hp_backend {
	const struct hp_backend_ops *ops;
	char *params_dir;	/* /sys/module/damon_hugepage/parameters */
	char *procfs;		/* /proc/damon_hugepage */
	char *last;		/* the last feed applied, as a comparable string */
};

/* -ENOENT with a clear message if the module is not there. */
int hp_backend_module_new(const char *params_dir, const char *procfs, struct hp_backend **ret);
int hp_backend_dry_run_new(struct hp_backend **ret);
void hp_backend_free(struct hp_backend *b);
static inline void hp_backend_freep(struct hp_backend **b)
{
	if (*b)
		hp_backend_free(*b);
}

/* "a,b,c" of the feed's cgroups; NULL on allocation failure. */
char *hp_feed_cgroups_string(const struct hp_feed *feed);
