/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which groups to feed: pure code on plain structs, no I/O.  The manager
 * fills the inputs of each group (what it read) and calls hp_decide(),
 * which makes a plan (decision "fed" means "in the plan").  The backend
 * applies the plan, the kernel's readout is read, and hp_confirm() sets
 * what the kernel confirmed: a group is fed only when the kernel runs it.
 * State that must survive from one decision to the next (fed, fed_since,
 * the failures and their backoff) lives in the group.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "conf.h"
#include "pressure.h"

enum hp_decision {
	HP_DECISION_FED,
	HP_DECISION_REFUSED,		/* ranked below the kdamond limit */
	HP_DECISION_PAUSED,		/* its own memory pressure */
	HP_DECISION_SYSTEM_PAUSED,	/* the system's pressure */
	HP_DECISION_TOO_SMALL,		/* less anonymous memory than MinSize= */
	HP_DECISION_EMPTY,		/* no processes */
	HP_DECISION_NESTED,		/* an ancestor or descendant is fed */
	HP_DECISION_UNUSABLE,		/* its path cannot be given to the module */
	HP_DECISION_THP_DISABLED,	/* its unit or its processes forbid huge pages */
	HP_DECISION_FAILED,		/* the backend could not feed it (retried with backoff) */
	HP_DECISION_WAITING,		/* planned, but the backend has no room for it now */
	HP_DECISION_UNSUPPORTED,	/* the kernel cannot give it huge pages */
	_HP_DECISION_MAX,
};
const char *hp_decision_name(enum hp_decision d);

#define HP_REASON_MAX 256

struct hp_group {
	char *path;			/* "/a.slice/b.service", relative to the cgroup root */
	const struct hp_policy *policy;	/* the policy that matched (never NULL here) */

	/* Inputs, read by the manager. */
	bool populated;			/* cgroup.events */
	uint64_t anon_bytes;		/* memory.stat anon */
	uint64_t anon_huge_bytes;	/* memory.stat anon_thp */
	uint64_t hot_bytes;		/* bytes the module found hot in the last refresh */
	struct hp_limit memory_limit;	/* effective memory pressure limit */
	struct hp_pressure memory;	/* memory.pressure state */
	char thp_off[HP_REASON_MAX];	/* why huge pages are forbidden, "" if they are not */

	/* Outputs, carried to the next decision. */
	bool fed;			/* the kernel confirmed it runs (hp_confirm) */
	usec_t fed_since;
	enum hp_decision decision;
	unsigned rank;			/* 1-based among the eligible, 0 if not eligible */
	char reason[HP_REASON_MAX];

	/* Failures to feed it, for the backoff (hp_confirm). */
	unsigned failures;		/* in a row; 0 once the kernel runs it */
	usec_t retry_at;		/* not planned again before this */
	char error[HP_REASON_MAX];	/* what went wrong last, "" if nothing */
};

/* The system-wide part of the input. */
struct hp_system_state {
	bool paused;
	char reason[HP_REASON_MAX];	/* why, when paused */
};

/* What a group is worth collapsing: memory not yet huge plus hot bytes. */
uint64_t hp_group_benefit(const struct hp_group *g);

/*
 * What the backend can take; the plan respects it.  The module gets the
 * paths as one comma-separated list of at most list_max bytes (with the
 * terminating NUL), which the kernel trims of whitespace: a list backend
 * refuses names that a list cannot carry.
 */
struct hp_plan_limits {
	bool path_list;			/* paths go into one list */
	size_t list_max;		/* its size, NUL included (0: no limit) */
	const char *unsupported;	/* the kernel cannot collapse at all: why; NULL otherwise */
};

/*
 * Can path be given to a backend with these limits?  If not, *why (if
 * not NULL) says why in a few words.  Every backend needs "/..." paths;
 * a path list refuses commas, newlines, a name with leading or trailing
 * whitespace, and a path longer than the list.
 */
bool hp_cgroup_path_usable(const char *path, const struct hp_plan_limits *limits, const char **why);

/*
 * Plans every group: sets decision (HP_DECISION_FED: in the plan), rank
 * and reason; leaves fed alone.  A group whose last feed failed is not
 * planned again before its retry_at.  limits may be NULL (none).
 * Returns the number of groups planned (never more than the kdamond limit).
 */
unsigned hp_decide(struct hp_group **groups, size_t n, const struct hp_config *cfg,
		   const struct hp_plan_limits *limits, const struct hp_system_state *sys, usec_t now);

/* The backoff after n failures in a row (n >= 1): 1 s, doubled each time, at most 5 min. */
usec_t hp_backoff(unsigned n);

struct hp_kstatus;

/*
 * After the backend applied the plan: sets fed (and fed_since) from what
 * the kernel reports.  k: the kernel's readout, NULL if there is none to
 * check (a dry run: the plan is taken as done); apply_error: the apply's
 * negative errno, 0 if it succeeded; read_error: the readout's, 0 if it
 * could be read.  A planned group the kernel runs ("running", "idle:...")
 * is fed; one the backend could not place ("waiting:...") waits without
 * counting a failure; any other is failed, with the reason and a backoff.
 * Returns the number of groups fed.
 */
unsigned hp_confirm(struct hp_group **groups, size_t n, const struct hp_kstatus *k, int apply_error,
		    int read_error, usec_t now);

/* The earliest retry_at of a failed group after now, or USEC_INFINITY. */
usec_t hp_next_retry(struct hp_group **groups, size_t n, usec_t now);
