// SPDX-License-Identifier: GPL-2.0-or-later
#include "plan.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void hp_system_pause(struct hp_system_state *sys, const struct hp_pressure *memory,
		     const struct hp_limit *memory_limit, const struct hp_pressure *cpu,
		     const struct hp_limit *cpu_limit)
{
	const struct hp_pressure *p = NULL;
	const struct hp_limit *l = NULL;
	const char *what = NULL;
	char a[16], b[16];

	assert(sys && memory && memory_limit && cpu && cpu_limit);
	sys->paused = false;
	sys->reason[0] = '\0';
	if (hp_pressure_paused(memory)) {
		p = memory, l = memory_limit, what = "memory";
	} else if (hp_pressure_paused(cpu)) {
		p = cpu, l = cpu_limit, what = "cpu";
	}
	if (!p)
		return;
	sys->paused = true;
	(void)snprintf(sys->reason, sizeof(sys->reason), "system %s pressure some %s, limit %s", what,
		       format_bp(a, sizeof(a), p->share_bp), format_bp(b, sizeof(b), l->bp));
}

static int rank_order(const void *a, const void *b)
{
	const struct hp_group *x = *(const struct hp_group *const *)a, *y = *(const struct hp_group *const *)b;

	return x->rank < y->rank ? -1 : x->rank > y->rank;
}

void hp_feed_done(struct hp_feed *f)
{
	strv_free(f->cgroups);
	free(f->tunings);
	f->cgroups = NULL;
	f->tunings = NULL;
}

int hp_plan_feed(struct hp_group *const *groups, size_t n, const struct hp_tuning *dflt, unsigned kdamond_limit,
		 struct hp_feed *ret)
{
	_cleanup_(freep) const struct hp_group **planned = calloc(n ? n : 1, sizeof(*planned));
	_cleanup_(freep) struct hp_tuning *tunings = calloc(n ? n : 1, sizeof(*tunings));
	_cleanup_(strv_freep) char **cgroups = NULL;
	size_t n_planned = 0, len = 0;

	assert(groups || n == 0);
	assert(dflt && ret);
	if (!planned || !tunings)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (groups[i]->decision == HP_DECISION_FED)
			planned[n_planned++] = groups[i];
	qsort(planned, n_planned, sizeof(*planned), rank_order);
	for (size_t i = 0; i < n_planned; i++) {
		if (strv_push_len(&cgroups, &len, planned[i]->path) < 0)
			return -ENOMEM;
		tunings[i] = hp_tuning_merge(&planned[i]->policy->tuning, dflt);
	}
	/* A backend that runs one tuning for all groups (the module) runs the best-ranked policy's. */
	*ret = (struct hp_feed){
		.cgroups = TAKE_PTR(cgroups),
		.tunings = TAKE_PTR(tunings),
		.kdamond_limit = kdamond_limit,
		.tuning = n_planned ? hp_tuning_merge(&planned[0]->policy->tuning, dflt) : *dflt,
	};
	return 0;
}

unsigned hp_confirm_readout(struct hp_group **groups, size_t n, const struct hp_kstatus *k, int apply_error,
			    int read_error, usec_t now)
{
	assert(apply_error <= 0 && read_error <= 0);
	if (read_error == -EOPNOTSUPP)
		return hp_confirm(groups, n, NULL, apply_error, 0, now);
	return hp_confirm(groups, n, read_error < 0 ? NULL : k, apply_error, read_error, now);
}

bool hp_sizes_matter(struct hp_group *const *groups, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct hp_group *g = groups[i];

		if (g->decision == HP_DECISION_REFUSED || g->decision == HP_DECISION_TOO_SMALL ||
		    (g->decision == HP_DECISION_FED && g->policy->min_size > 0))
			return true;
	}
	return false;
}

const char *hp_decision_log_key(const struct hp_group *g)
{
	if (g->decision == HP_DECISION_FAILED)
		return g->error;
	if (g->decision == HP_DECISION_WAITING)
		return g->reason;
	return "";
}
