/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where decisions go.  The module backend drives damon_hugepage through its
 * parameters; the damon backend drives DAMON sysfs directly (stock kernels,
 * backend-damon.c); the dry-run backend only logs.  Each says which cgroups
 * to run with which tuning (apply), reports what the kernel runs (readout:
 * only what it shows is "fed"), and stops.
 */
#pragma once

#include "conf.h"
#include "decide.h"
#include "status.h"

struct hp_damon_io;

struct hp_feed {
	char **cgroups;		/* paths relative to the cgroup root, best first */
	struct hp_tuning *tunings;	/* per cgroup: its policy over [Tuning]; NULL: .tuning for all */
	unsigned kdamond_limit;
	struct hp_tuning tuning;	/* the best-ranked group's (the module runs one) */
};

struct hp_backend;

struct hp_backend_ops {
	const char *name;
	/* The cgroups the kernel runs now (adopted at start).  May be empty. */
	int (*current)(struct hp_backend *b, char ***ret);
	/*
	 * Makes the kernel run feed.  Whether it does is for the readout to
	 * say, group by group: a failed write returns its error here, a group
	 * the backend could not place or start shows in the readout.
	 */
	int (*apply)(struct hp_backend *b, const struct hp_feed *feed);
	/* The kernel's per-group readout; -EOPNOTSUPP if there is none. */
	int (*readout)(struct hp_backend *b, struct hp_kstatus *ret);
	/* Stops every group (daemon exit). */
	int (*stop)(struct hp_backend *b);
	/*
	 * Work between decisions (follow processes, tune), or NULL.  Sets
	 * *next to when it wants to run again (CLOCK_MONOTONIC, USEC_INFINITY:
	 * not before the next decision) and *changed when a decision should
	 * follow (a slot came free, a kdamond stopped).
	 */
	int (*tick)(struct hp_backend *b, usec_t now, usec_t *next, bool *changed);
	/* What a plan must respect. */
	void (*limits)(struct hp_backend *b, struct hp_plan_limits *ret);
	/* The kernel features found, and the action used ("collapse"), for the status. */
	char **(*features)(struct hp_backend *b);
	const char *(*action)(struct hp_backend *b);
	/* The readout goes into the status file (no kernel file of its own). */
	bool readout_in_status;
};

struct hp_backend {
	const struct hp_backend_ops *ops;
	char *params_dir;	/* /sys/module/damon_hugepage/parameters */
	char *procfs;		/* /proc/damon_hugepage */
	char *last;		/* the last feed applied, as a comparable string */
	char **feature_names;
	void *damon;		/* the damon backend's state (backend-damon.c) */
};

/* -ENOENT with a clear message if the module is not there. */
int hp_backend_module_new(const char *params_dir, const char *procfs, struct hp_backend **ret);
int hp_backend_dry_run_new(struct hp_backend **ret);

struct hp_damon_options {
	const char *admin_dir;	/* /sys/kernel/mm/damon/admin */
	const char *thp_dir;	/* /sys/kernel/mm/transparent_hugepage */
	int cgroup_fd;		/* the cgroup2 mount (borrowed) */
	const char *run_dir;	/* the claims file goes here */
	const char *force_action;	/* tests: "hugepage" or "collapse", NULL: choose */
	/* Unit tests: a fake kernel behind the files (see struct hp_damon_io). */
	int (*write_hook)(struct hp_damon_io *io, const char *path, const char *value);
	void *hook_data;
};
/* -ENOENT with a clear message if DAMON sysfs with vaddr is not there. */
int hp_backend_damon_new(const struct hp_damon_options *o, struct hp_backend **ret);

struct hp_backend_paths {
	const char *module_dir;	/* /sys/module/damon_hugepage/parameters */
	const char *procfs;	/* /proc/damon_hugepage */
	struct hp_damon_options damon;
};
/*
 * The backend of that kind; auto picks the module where it is there, else
 * DAMON sysfs with vaddr, else fails with one line saying what the kernel
 * lacks.
 */
int hp_backend_open(enum hp_backend_kind kind, const struct hp_backend_paths *paths, struct hp_backend **ret);

void hp_backend_free(struct hp_backend *b);
static inline void hp_backend_freep(struct hp_backend **b)
{
	if (*b)
		hp_backend_free(*b);
}

/* "a,b,c" of the feed's cgroups; NULL on allocation failure. */
char *hp_feed_cgroups_string(const struct hp_feed *feed);

/* The damon backend's own cleanup (backend-damon.c). */
void hp_backend_damon_free(struct hp_backend *b);
