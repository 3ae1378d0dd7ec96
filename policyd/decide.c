// SPDX-License-Identifier: GPL-2.0-or-later
#include "decide.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "status.h"

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
		[HP_DECISION_WAITING] = "waiting",
		[HP_DECISION_UNSUPPORTED] = "unsupported",
	};

	return d < _HP_DECISION_MAX ? names[d] : "?";
}

uint64_t hp_group_benefit(const struct hp_group *g)
{
	uint64_t small = g->anon_bytes > g->anon_huge_bytes ? g->anon_bytes - g->anon_huge_bytes : 0;

	return small + g->hot_bytes;
}

/* Does a name of path (between slashes) start or end with whitespace? */
static bool name_has_edge_space(const char *path)
{
	for (const char *p = path; *p; p++) {
		bool start = p > path && p[-1] == '/', end = p[1] == '/' || p[1] == '\0';

		if ((start || end) && *p != '/' && isspace((unsigned char)*p))
			return true;
	}
	return false;
}

bool hp_cgroup_path_usable(const char *path, const struct hp_plan_limits *limits, const char **why)
{
	const char *w = NULL;

	if (path[0] != '/')
		w = "not an absolute cgroup path";
	else if (limits && limits->path_list && strchr(path, ','))
		w = "its path has a comma, which the module's cgroups list cannot carry";
	else if (limits && limits->path_list && strchr(path, '\n'))
		w = "its path has a newline, which the module's cgroups list cannot carry";
	else if (limits && limits->path_list && name_has_edge_space(path))
		w = "a name in its path starts or ends with whitespace, which the module would trim";
	else if (limits && limits->path_list && limits->list_max && strlen(path) + 1 > limits->list_max)
		w = "its path is longer than the module's cgroups list";
	if (w && why)
		*why = w;
	return !w;
}

usec_t hp_backoff(unsigned n)
{
	usec_t max = 300 * USEC_PER_SEC;

	if (n == 0)
		return 0;
	/* 2^9 s is past the cap already. */
	return n > 9 ? max : MIN(USEC_PER_SEC << (n - 1), max);
}

/* "12 s", "1.5 s": a wait for a reason. */
static const char *format_wait(char *buf, size_t len, usec_t us)
{
	uint64_t tenths = (us + USEC_PER_SEC / 20) / (USEC_PER_SEC / 10);

	if (tenths >= 100 || tenths % 10 == 0)
		snprintf(buf, len, "%llu s", (unsigned long long)((tenths + 5) / 10));
	else
		snprintf(buf, len, "%llu.%llu s", (unsigned long long)(tenths / 10),
			 (unsigned long long)(tenths % 10));
	return buf;
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
static bool ineligible(struct hp_group *g, const struct hp_plan_limits *limits,
		       const struct hp_system_state *sys, usec_t now)
{
	char a[32], b[32];
	uint64_t min = g->policy->min_size;
	const char *why = NULL;

	if (!hp_cgroup_path_usable(g->path, limits, &why)) {
		g->decision = HP_DECISION_UNUSABLE;
		snprintf(g->reason, sizeof(g->reason), "%s", why);
		return true;
	}
	if (!g->populated) {
		g->decision = HP_DECISION_EMPTY;
		snprintf(g->reason, sizeof(g->reason), "no processes");
		return true;
	}
	if (limits && limits->unsupported) {
		g->decision = HP_DECISION_UNSUPPORTED;
		snprintf(g->reason, sizeof(g->reason), "%s", limits->unsupported);
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
	/* The last feed failed: not again before the backoff is over. */
	if (g->failures && g->retry_at > now) {
		g->decision = HP_DECISION_FAILED;
		snprintf(g->reason, sizeof(g->reason), "%.200s; retrying in %s", g->error,
			 format_wait(a, sizeof(a), g->retry_at - now));
		return true;
	}
	return false;
}

unsigned hp_decide(struct hp_group **groups, size_t n, const struct hp_config *cfg,
		   const struct hp_plan_limits *limits, const struct hp_system_state *sys, usec_t now)
{
	struct hp_group *eligible[n ? n : 1];
	struct rank_ctx ctx = { .cfg = cfg, .now = now };
	const struct hp_group *last_fed = NULL;
	size_t n_eligible = 0, list_used = 0;
	bool list = limits && limits->path_list && limits->list_max;
	unsigned n_fed = 0;

	for (size_t i = 0; i < n; i++) {
		struct hp_group *g = groups[i];

		g->rank = 0;
		if (!ineligible(g, limits, sys, now))
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
		} else if (n_fed < cfg->kdamond_limit && list &&
			   list_used + (n_fed ? 1 : 0) + strlen(g->path) + 1 > limits->list_max) {
			g->decision = HP_DECISION_REFUSED;
			snprintf(g->reason, sizeof(g->reason),
				 "the module's cgroups list has no room for it: %zu of %zu bytes used; rank %u",
				 list_used + 1, limits->list_max, g->rank);
		} else if (n_fed < cfg->kdamond_limit) {
			list_used += (n_fed ? 1 : 0) + strlen(g->path);
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

	return n_fed;
}

/* Is a kernel state one of a running group?  idle: it has no processes just now. */
static bool state_running(const char *state)
{
	return state && (!strcmp(state, "running") || !strncmp(state, "idle:", 5));
}

static void set_failed(struct hp_group *g, usec_t now, const char *fmt, const char *arg)
{
	char w[32];

	snprintf(g->error, sizeof(g->error), fmt, arg);
	g->failures++;
	g->retry_at = now + hp_backoff(g->failures);
	g->decision = HP_DECISION_FAILED;
	snprintf(g->reason, sizeof(g->reason), "%.200s; retrying in %s", g->error,
		 format_wait(w, sizeof(w), g->retry_at - now));
}

unsigned hp_confirm(struct hp_group **groups, size_t n, const struct hp_kstatus *k, int apply_error,
		    int read_error, usec_t now)
{
	unsigned n_fed = 0;

	for (size_t i = 0; i < n; i++) {
		struct hp_group *g = groups[i];
		const struct hp_kgroup *kg;
		char e[64];
		bool fed;

		if (g->decision != HP_DECISION_FED) {
			g->fed = false;
			continue;
		}
		kg = k ? hp_kstatus_find_cgroup(k, g->path) : NULL;
		if (apply_error && !(kg && state_running(kg->state))) {
			snprintf(e, sizeof(e), "%s", strerror(-apply_error));
			set_failed(g, now, "applying the plan failed: %s", e);
		} else if (read_error) {
			snprintf(e, sizeof(e), "%s", strerror(-read_error));
			set_failed(g, now, "the kernel's readout cannot be read: %s", e);
		} else if (!k || (kg && state_running(kg->state))) {
			/* No readout at all (a dry run): the plan is all there is. */
			fed = true;
			if (!g->fed)
				g->fed_since = now;
			g->fed = fed;
			g->failures = 0;
			g->retry_at = 0;
			g->error[0] = '\0';
			n_fed++;
			continue;
		} else if (kg && kg->state && !strncmp(kg->state, "waiting", 7)) {
			g->decision = HP_DECISION_WAITING;
			snprintf(g->reason, sizeof(g->reason), "%s",
				 kg->reason && *kg->reason ? kg->reason : kg->state);
		} else if (kg) {
			set_failed(g, now, "the kernel reports %s", kg->state ? kg->state : "no state");
		} else {
			set_failed(g, now, "%s", "the kernel does not list it");
		}
		g->fed = false;
	}
	return n_fed;
}

usec_t hp_next_retry(struct hp_group **groups, size_t n, usec_t now)
{
	usec_t next = USEC_INFINITY;

	for (size_t i = 0; i < n; i++)
		if (groups[i]->failures && groups[i]->retry_at > now)
			next = MIN(next, groups[i]->retry_at);
	return next;
}
