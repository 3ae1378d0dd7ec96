// SPDX-License-Identifier: GPL-2.0-or-later
#include "decide.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *hp_decision_name(enum hp_decision d)
{
	static const char *const names[_HP_DECISION_MAX] = {
		[HP_DECISION_FED] = "fed",
		[HP_DECISION_REFUSED] = "refused",
		[HP_DECISION_PAUSED] = "paused",
		[HP_DECISION_SYSTEM_PAUSED] = "system-paused",
		[HP_DECISION_TOO_SMALL] = "too-small",
		[HP_DECISION_EMPTY] = "empty",
		[HP_DECISION_NESTED] = "nested",
		[HP_DECISION_UNUSABLE] = "unusable",
		[HP_DECISION_THP_DISABLED] = "thp-disabled",
		[HP_DECISION_FAILED] = "failed",
	};

	return d < _HP_DECISION_MAX ? names[d] : "?";
}

uint64_t hp_group_benefit(const struct hp_group *g)
{
	uint64_t small = g->anon_bytes > g->anon_huge_bytes ? g->anon_bytes - g->anon_huge_bytes : 0;

	return small + g->hot_bytes;
}

bool hp_cgroup_path_usable(const char *path)
{
	return path[0] == '/' && !strchr(path, ',') && strlen(path) < 4096;
}

struct rank_ctx {
	const struct hp_config *cfg;
	usec_t now;
};

/* An incumbent fed for less than HoldSec= is not displaced by its peers. */
static bool is_protected(const struct hp_group *g, const struct rank_ctx *c)
{
	return g->fed && c->now - g->fed_since < c->cfg->hold_time;
}

/* Incumbents count ChallengeMargin= more, so that near-ties do not flap. */
static double effective_benefit(const struct hp_group *g, const struct rank_ctx *c)
{
	double b = (double)hp_group_benefit(g);

	return g->fed ? b * (100.0 + c->cfg->challenge_margin_pct) / 100.0 : b;
}

static int rank_cmp(const void *pa, const void *pb, void *arg)
{
	const struct hp_group *a = *(struct hp_group *const *)pa, *b = *(struct hp_group *const *)pb;
	const struct rank_ctx *c = arg;
	double ba, bb;

	if (a->policy->priority != b->policy->priority)
		return a->policy->priority > b->policy->priority ? -1 : 1;
	if (is_protected(a, c) != is_protected(b, c))
		return is_protected(a, c) ? -1 : 1;
	ba = effective_benefit(a, c);
	bb = effective_benefit(b, c);
	if (ba != bb)
		return ba > bb ? -1 : 1;
	return strcmp(a->path, b->path);
}

/* Is one of the paths inside the other (or equal)? */
static bool nested(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	const char *s = la < lb ? a : b, *l = la < lb ? b : a;
	size_t ls = MIN(la, lb);

	if (ls == 1)	/* the root contains everything */
		return true;
	return !strncmp(s, l, ls) && (l[ls] == '/' || l[ls] == '\0');
}

/* The reasons a group cannot be fed whatever its rank, or false. */
static bool ineligible(struct hp_group *g, const struct hp_system_state *sys)
{
	char a[32], b[32];
	uint64_t min = g->policy->min_size;

	if (!hp_cgroup_path_usable(g->path)) {
		g->decision = HP_DECISION_UNUSABLE;
		snprintf(g->reason, sizeof(g->reason),
			 "path has a comma or is too long for the module's cgroups list");
		return true;
	}
	if (!g->populated) {
		g->decision = HP_DECISION_EMPTY;
		snprintf(g->reason, sizeof(g->reason), "no processes");
		return true;
	}
	/* MADV_COLLAPSE fails for such processes: a kdamond would only burn CPU. */
	if (g->thp_off[0]) {
		g->decision = HP_DECISION_THP_DISABLED;
		snprintf(g->reason, sizeof(g->reason), "%s", g->thp_off);
		return true;
	}
	/* A fed group keeps its slot until it shrinks below half MinSize=. */
	if (g->anon_bytes < (g->fed ? min / 2 : min)) {
		g->decision = HP_DECISION_TOO_SMALL;
		snprintf(g->reason, sizeof(g->reason), "anon %s below MinSize=%s%s",
			 format_bytes(a, sizeof(a), g->anon_bytes), format_bytes(b, sizeof(b), min),
			 g->fed ? " (half of it while fed)" : "");
		return true;
	}
	if (sys->paused) {
		g->decision = HP_DECISION_SYSTEM_PAUSED;
		snprintf(g->reason, sizeof(g->reason), "%s", sys->reason);
		return true;
	}
	if (hp_pressure_paused(&g->memory)) {
		g->decision = HP_DECISION_PAUSED;
		if (g->memory.state == HP_PRESSURE_OVER)
			snprintf(g->reason, sizeof(g->reason), "memory pressure some %s >= limit %s",
				 format_bp(a, sizeof(a), g->memory.share_bp),
				 format_bp(b, sizeof(b), g->memory_limit.bp));
		else
			snprintf(g->reason, sizeof(g->reason),
				 "memory pressure some %s below limit %s, waiting for ResumeDelaySec=",
				 format_bp(a, sizeof(a), g->memory.share_bp),
				 format_bp(b, sizeof(b), g->memory_limit.bp));
		return true;
	}
	return false;
}

unsigned hp_decide(struct hp_group **groups, size_t n, const struct hp_config *cfg,
		   const struct hp_system_state *sys, usec_t now)
{
	struct hp_group *eligible[n ? n : 1];
	struct rank_ctx ctx = { .cfg = cfg, .now = now };
	const struct hp_group *last_fed = NULL;
	size_t n_eligible = 0;
	unsigned n_fed = 0;

	for (size_t i = 0; i < n; i++) {
		struct hp_group *g = groups[i];

		g->rank = 0;
		if (!ineligible(g, sys))
			eligible[n_eligible++] = g;
	}

	qsort_r(eligible, n_eligible, sizeof(eligible[0]), rank_cmp, &ctx);

	for (size_t i = 0; i < n_eligible; i++) {
		struct hp_group *g = eligible[i];
		const struct hp_group *outer = NULL;
		char a[32];

		g->rank = (unsigned)i + 1;
		for (size_t j = 0; j < i && !outer; j++)
			if (eligible[j]->decision == HP_DECISION_FED && nested(eligible[j]->path, g->path))
				outer = eligible[j];
		if (outer) {
			g->decision = HP_DECISION_NESTED;
			snprintf(g->reason, sizeof(g->reason), "overlaps fed %s, which ranks higher",
				 outer->path);
		} else if (n_fed < cfg->kdamond_limit) {
			g->decision = HP_DECISION_FED;
			snprintf(g->reason, sizeof(g->reason), "rank %u, priority %d, benefit %s%s",
				 g->rank, g->policy->priority,
				 format_bytes(a, sizeof(a), hp_group_benefit(g)),
				 is_protected(g, &ctx) ? ", held" : "");
			n_fed++;
			last_fed = g;
		} else {
			g->decision = HP_DECISION_REFUSED;
			snprintf(g->reason, sizeof(g->reason),
				 "kdamond limit %u reached: rank %u, priority %d, benefit %s; last fed %s",
				 cfg->kdamond_limit, g->rank, g->policy->priority,
				 format_bytes(a, sizeof(a), hp_group_benefit(g)),
				 last_fed ? last_fed->path : "-");
		}
	}

	for (size_t i = 0; i < n; i++) {
		struct hp_group *g = groups[i];
		bool fed = g->decision == HP_DECISION_FED;

		if (fed && !g->fed)
			g->fed_since = now;
		g->fed = fed;
	}
	return n_fed;
}
