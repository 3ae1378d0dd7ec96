/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DAMON sysfs (/sys/kernel/mm/damon/admin) for the damon backend: its
 * files, the kernel features they show, and the rules by which hugepaged
 * shares the one array of kdamonds with other users (damo, operators'
 * scripts).  Every access goes through struct hp_damon_io, relative to the
 * admin directory, so that the same code runs on a fake tree in the unit
 * tests (tests/fixtures/damon), where a hook plays the kernel.
 *
 * Sharing (see hugepaged(8), "SHARING DAMON SYSFS"):
 *   - a slot (kdamonds/N) is hugepaged's if hugepaged's claims file lists
 *     it and the kernel agrees: a running slot must have the kdamond pid
 *     hugepaged started, a stopped one must still hold one vaddr context;
 *   - a slot is free if its kdamond is off and it has no context;
 *     hugepaged takes free slots when it needs them, from the end of the
 *     array (other users start at 0), and marks them by writing a
 *     context at once;
 *   - every other slot is someone else's and is only read;
 *   - nr_kdamonds is written only while no kdamond runs and no other
 *     user's stopped kdamond keeps inputs there (the kernel would reset
 *     them): the array then grows by the slots hugepaged may need up to
 *     its kdamond limit, appended after the existing ones, which keep
 *     their numbers.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define HP_DAMON_PMD_SIZE (2ULL << 20)

struct hp_damon_io {
	int admin_fd;		/* the admin directory */
	/*
	 * Tests: called before each write with the path relative to
	 * admin_fd, to do what the kernel would (make the directories that
	 * nr_* files ask for, start a kdamond).  Returns < 0 to refuse the
	 * write, 0 to go on and write the file, 1 when it did all there is.
	 */
	int (*write_hook)(struct hp_damon_io *io, const char *path, const char *value);
	void *userdata;
};

/* Reads path (relative to the admin directory) without its newline; retries -EBUSY. */
int hp_damon_read(struct hp_damon_io *io, const char *path, char **ret);
int hp_damon_read_int(struct hp_damon_io *io, const char *path, long long *ret);
int hp_damon_write(struct hp_damon_io *io, const char *path, const char *value);
bool hp_damon_exists(struct hp_damon_io *io, const char *path);

/* "kdamonds/<slot>/<rel>" into buf. */
const char *hp_damon_slot_path(char *buf, size_t len, int slot, const char *rel);
/* "kdamonds/<slot>/contexts/0/<rel>" into buf. */
const char *hp_damon_ctx_path(char *buf, size_t len, int slot, const char *rel);

/* Kernel features, by version where it is known (see the README's table). */
struct hp_damon_features {
	bool sysfs;		/* DAMON sysfs: 5.18 */
	bool probed;		/* the rest was probed in a slot of hugepaged's */
	bool vaddr;		/* the vaddr operations set */
	bool collapse;		/* DAMOS 'collapse': 7.2 (and the damon-hugepage series) */
	bool quota_goals;	/* DAMOS quota goals with user_input: 6.8 */
	bool hugepage_mem_bp;	/* the hugepage_mem_bp quota goal metric (not released yet) */
	bool goal_path;		/* quota goals have a path (memcg metrics) */
	bool intervals_goal;	/* monitoring intervals auto-tuning: 6.15 */
	bool obsolete_target;	/* targets/N/obsolete_target: remove one target online */
	bool goal_tuner;	/* quota goal tuners: 7.1 */
	bool refresh_ms;	/* kdamonds/N/refresh_ms */
};

/* The names of the features present, in a fixed order (a new strv). */
int hp_damon_features_names(const struct hp_damon_features *f, char ***ret);

/*
 * What can be told without writing: DAMON sysfs is there, and what the
 * directories of existing slots (anyone's) show.  f->probed stays false.
 */
int hp_damon_features_peek(struct hp_damon_io *io, struct hp_damon_features *f);

/*
 * Probes the rest in slot, a stopped slot of hugepaged's with one context:
 * writes test values (operations, action, targets, goals) and leaves the
 * context with no targets and no schemes.
 */
int hp_damon_features_probe(struct hp_damon_io *io, int slot, struct hp_damon_features *f);

/*
 * The DAMOS action to use: "collapse" where the kernel has it, else
 * "hugepage" (MADV_HUGEPAGE, khugepaged collapses) where THP enabled is
 * "always" or "madvise".  forced: a test's choice, or NULL.  NULL with
 * *why set when the kernel cannot get huge pages this way.
 */
const char *hp_damon_choose_action(const struct hp_damon_features *f, const char *thp_enabled, const char *forced,
				   const char **why);

/* The bracketed word of a THP 'enabled' file ("always [madvise] never"). */
int hp_thp_parse_enabled(const char *text, char *buf, size_t len);

/* What a slot of the kdamonds array holds, as read. */
struct hp_damon_slot_info {
	bool on;
	int pid;		/* -1 when off */
	int nr_contexts;
	char operations[16];	/* of context 0, "" if none */
	int nr_targets;
	int nr_schemes;
	char action[24];	/* of scheme 0, "" if none */
};

struct hp_damon_tree {
	size_t n;		/* nr_kdamonds */
	struct hp_damon_slot_info *slots;
};

int hp_damon_read_tree(struct hp_damon_io *io, struct hp_damon_tree *ret);
void hp_damon_tree_done(struct hp_damon_tree *t);

/* hugepaged's claim on a slot, kept in its run directory across restarts. */
struct hp_damon_claim {
	int slot;
	int pid;		/* the kdamond hugepaged started there, -1: none running */
	char *cgroup;		/* the group it serves, NULL: a spare */
};

struct hp_damon_claims {
	struct hp_damon_claim *v;
	size_t n;
};

/*
 *   # hugepaged damon slots 1
 *   slot=N pid=N cgroup=PATH
 * PATH with bytes up to space, '=', '\' and DEL as \xHH; "-" for none.
 */
int hp_damon_claims_format(const struct hp_damon_claims *c, char **ret);
/* -EINVAL with *line set on a malformed file. */
int hp_damon_claims_parse(const char *text, struct hp_damon_claims *ret, unsigned *line);
void hp_damon_claims_done(struct hp_damon_claims *c);
struct hp_damon_claim *hp_damon_claims_find_slot(const struct hp_damon_claims *c, int slot);
struct hp_damon_claim *hp_damon_claims_find_cgroup(const struct hp_damon_claims *c, const char *cgroup);
int hp_damon_claims_add(struct hp_damon_claims *c, int slot, int pid, const char *cgroup);
void hp_damon_claims_remove(struct hp_damon_claims *c, int slot);

enum hp_damon_owner {
	HP_DAMON_FREE,		/* off, no context: anyone may take it */
	HP_DAMON_OURS,
	HP_DAMON_OTHER,
};
const char *hp_damon_owner_name(enum hp_damon_owner o);

/*
 * Whose is slot s, given hugepaged's claim on it (NULL: none)?  When a
 * claim no longer holds, *lost (if not NULL) says why in a few words.
 */
enum hp_damon_owner hp_damon_classify(const struct hp_damon_slot_info *s, const struct hp_damon_claim *c,
				      const char **lost);

/*
 * Adoption after a restart, or a check before each apply: drops from
 * claims the slots that are no longer hugepaged's (and those beyond the
 * array), logging each once.  Returns how many were dropped.
 */
size_t hp_damon_verify_claims(const struct hp_damon_tree *t, struct hp_damon_claims *claims);

/* Where each wanted group goes, from hp_damon_plan(). */
struct hp_damon_plan {
	int *slot;		/* per wanted group: the slot, or -1 (waits) */
	bool *start;		/* per wanted group: its slot must be (re)configured and started */
	int *stop;		/* hugepaged's running slots to stop first, -1 terminated */
	int *release;		/* hugepaged's slots beyond its limit, to give back, -1 terminated */
	bool grow;		/* write nr_kdamonds = grow_to first (nothing runs then) */
	size_t grow_to;
	char busy[256];		/* why the groups without a slot wait, "" if none does */
};
void hp_damon_plan_done(struct hp_damon_plan *p);

/*
 * Plans the slots for want (the planned groups, best first, at most
 * limit), given the tree and hugepaged's verified claims: a group keeps
 * the slot that serves it; the others take hugepaged's unused slots,
 * then free ones, then new ones if the array may grow.
 */
int hp_damon_plan_slots(const struct hp_damon_tree *t, const struct hp_damon_claims *claims, char *const *want,
			unsigned limit, struct hp_damon_plan *ret);

/*
 * The seed's threshold loop, one step per tuning cycle: min_access stays
 * while the group gains huge pages, else goes down by one to floor, and
 * from the floor back to top (newly hot regions are served first).  When
 * no region reached it at all in the cycle (tried false), it goes down by
 * idle_steps at once, as the module lowers it in each aggregation where
 * none does.
 */
unsigned hp_damon_next_min_access(unsigned cur, unsigned floor, unsigned top, bool progress, bool tried,
				  unsigned idle_steps);

/*
 * The targets to write to follow the processes want of a context that
 * monitors cur (in the kernel's order).  With obsolete_target, the
 * current targets keep their places (so their monitoring results stay
 * theirs), the gone ones are marked obsolete, the new ones come after;
 * without it, the list is rewritten (survivors first, in their order).
 * *result is the kernel's list after the commit.  Returns whether
 * anything changed.
 */
struct hp_damon_targets {
	int *pids;
	bool *obsolete;
	size_t n;
	int *result;
	size_t n_result;
};
bool hp_damon_plan_targets(const int *cur, size_t n_cur, const int *want, size_t n_want, bool obsolete,
			   int placeholder_pid, struct hp_damon_targets *ret);
void hp_damon_targets_done(struct hp_damon_targets *t);

/* What one of hugepaged's contexts runs. */
struct hp_damon_ctx_cfg {
	const char *action;		/* "collapse" or "hugepage" */
	unsigned sample_us, aggr_us, update_us;
	unsigned min_nr_regions, max_nr_regions;
	bool intervals_goal;		/* write intervals_goal (access_bp, aggrs, min/max sample) */
	unsigned min_access;		/* nr_accesses min */
	unsigned apply_interval_us;
	unsigned quota_ms;
	uint64_t quota_bytes;
	unsigned quota_reset_ms;
	const char *goal_metric;	/* "user_input", "hugepage_mem_bp", or NULL: no goal */
	unsigned goal_bp;
	unsigned current_bp;		/* user_input's current value */
	const char *goal_path;		/* memcg path for a metric that takes one, or NULL */
	unsigned wmark_low;		/* free memory permille below which collapsing pauses */
};

/* Writes the monitoring attributes, the scheme and (with pids) the targets of slot's context 0. */
int hp_damon_write_attrs(struct hp_damon_io *io, int slot, const struct hp_damon_ctx_cfg *cfg);
int hp_damon_write_scheme(struct hp_damon_io *io, int slot, const struct hp_damon_ctx_cfg *cfg);
int hp_damon_write_targets(struct hp_damon_io *io, int slot, const int *pids, const bool *obsolete, size_t n);

/* A kdamond state command ("on", "off", "commit", "update_schemes_stats", ...). */
int hp_damon_state(struct hp_damon_io *io, int slot, const char *cmd);

struct hp_damon_stats {
	uint64_t nr_tried, sz_tried, nr_applied, sz_applied, qt_exceeds;
};
/* Reads the stats of scheme 0 (after update_schemes_stats). */
int hp_damon_read_stats(struct hp_damon_io *io, int slot, struct hp_damon_stats *ret);
