/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which groups to feed to the module: pure code on plain structs, no I/O.
 * The manager fills the inputs of each group (what it read), calls
 * hp_decide(), and applies the decisions.  State that must survive from
 * one decision to the next (fed, fed_since) lives in the group.
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
	HP_DECISION_FAILED,		/* the backend could not feed it */
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
	bool fed;
	usec_t fed_since;
	enum hp_decision decision;
	unsigned rank;			/* 1-based among the eligible, 0 if not eligible */
	char reason[HP_REASON_MAX];
};

/* The system-wide part of the input. */
struct hp_system_state {
	bool paused;
	char reason[HP_REASON_MAX];	/* why, when paused */
};

/* What a group is worth collapsing: memory not yet huge plus hot bytes. */
uint64_t hp_group_benefit(const struct hp_group *g);

/* Paths with a comma cannot be written to the module's cgroups list. */
bool hp_cgroup_path_usable(const char *path);

/*
 * Decides every group: sets decision, rank, reason, fed and fed_since.
 * Returns the number of groups fed (never more than the kdamond limit).
 */
unsigned hp_decide(struct hp_group **groups, size_t n, const struct hp_config *cfg,
		   const struct hp_system_state *sys, usec_t now);
