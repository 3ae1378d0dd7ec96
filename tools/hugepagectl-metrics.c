// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `hugepagectl metrics`: hugepaged's and the kernel's state in the
 * Prometheus text exposition format (version 0.0.4), the format of
 * node_exporter's textfile collector.  Every family has HELP and TYPE,
 * its samples follow it, no sample has a timestamp (the textfile
 * collector refuses them).  Names start with hugepaged_; every sample
 * carries a backend label, and per-group samples a group label.
 *
 * Daemon (backend: the daemon's, from its status file):
 *   hugepaged_up                                 1 while the process that wrote the status
 *                                                runs; 0 without a status file (then with
 *                                                no labels) or when its process is gone
 *                                                (then nothing else of the daemon follows)
 *   hugepaged_last_decision_timestamp_seconds    the status' updated_us
 *   hugepaged_kdamond_limit                      KdamondLimit=
 *   hugepaged_groups{decision}                   matched groups by decision, every known
 *                                                decision (0 included)
 *   hugepaged_system_paused                      1 while system pressure pauses feeding
 *   hugepaged_system_pressure_ratio{resource}    PSI "some" share, memory and cpu
 *   hugepaged_reloads_total, hugepaged_reload_errors_total
 *   hugepaged_last_reload_timestamp_seconds      (only once reloaded)
 *   hugepaged_policy_errors                      policies with errors now
 * Backend (backend: the readout's, "module" for /proc/damon_hugepage):
 *   hugepaged_kdamonds_in_use                    groups the backend runs a kdamond for
 * Groups the daemon matched (group: the cgroup path):
 *   hugepaged_group_decision{decision}           1 for the current decision, 0 for the others
 *   hugepaged_group_priority
 *   hugepaged_group_anon_bytes, hugepaged_group_anon_huge_bytes   memory.stat anon, anon_thp
 *   hugepaged_group_huge_ratio                   anon_huge_bytes / anon_bytes (0 without anon)
 *   hugepaged_group_memory_pressure_ratio        memory.pressure "some" share
 *   hugepaged_group_memory_pressure_limit_ratio  (only where a limit is set)
 * Groups the backend reports (the daemon's and any other it runs, e.g.
 * the module's pid:N groups; group: the cgroup path, or "pid:N"):
 *   hugepaged_group_state{state}                 1, state as the backend says it
 *   hugepaged_group_processes
 *   hugepaged_group_{tried,collapsed,failed}_bytes_total
 *   hugepaged_group_{tried,collapsed}_regions_total
 *   hugepaged_group_quota_reached_total
 * Counters restart from 0 when the backend restarts a group's kdamond.
 * Ratios are 0..1; times are Unix seconds.
 *
 * The backend figures are read into struct figures, one filler per
 * readout: a backend whose figures live in the status file adds its own
 * filler, and the families above stay as they are.
 */
#include "hugepagectl.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "decide.h"
#include "util.h"

/* A group's figures as the backend that runs it reads them back. */
struct figures {
	const char *backend;	/* the readout's backend */
	const char *state;
	int kdamond;		/* -1: none */
	uint64_t procs;
	uint64_t tried_bytes;
	uint64_t collapsed_bytes;
	uint64_t failed_bytes;
	uint64_t nr_tried;
	uint64_t nr_collapsed;
	uint64_t quota_exceeds;
};

/* A group as the metrics see it: the daemon's view, the backend's, or both. */
struct mgroup {
	const char *label;		/* the group label */
	const struct hp_status_group *g;	/* NULL: not one of the daemon's groups */
	bool have_figures;
	struct figures fig;
};

struct label {
	const char *name;
	const char *value;
};

/* The module's record of a group (/proc/damon_hugepage). */
static void figures_from_kgroup(const struct hp_kgroup *kg, struct figures *ret)
{
	*ret = (struct figures){
		.backend = "module",
		.state = kg->state,
		.kdamond = kg->kdamond,
		.procs = kg->procs,
		.tried_bytes = kg->tried_bytes,
		.collapsed_bytes = kg->collapsed_bytes,
		.failed_bytes = kg->failed_bytes,
		.nr_tried = kg->nr_tried,
		.nr_collapsed = kg->nr_collapsed,
		.quota_exceeds = kg->quota_exceeds,
	};
}

/* A kernel group's label: its cgroup path, or the record's name (pid:N). */
static const char *kgroup_label(const struct hp_kgroup *kg)
{
	if (kg->group && !strncmp(kg->group, "cgroup:", 7))
		return kg->group + 7;
	return kg->group;
}

static bool daemon_has(const struct hp_status *s, const char *path)
{
	for (size_t i = 0; s && i < s->n_groups; i++)
		if (s->groups[i].path && !strcmp(s->groups[i].path, path))
			return true;
	return false;
}

/*
 * The daemon's groups (s NULL: none), each with the backend's figures
 * where it has a record, then the backend's other groups.
 */
static int collect_groups(const struct hp_status *s, const struct hp_kstatus *k, struct mgroup **ret,
			  size_t *ret_n)
{
	size_t max = (s ? s->n_groups : 0) + (k ? k->n_groups : 0), n = 0;
	struct mgroup *v = calloc(max ? max : 1, sizeof(*v));

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; s && i < s->n_groups; i++) {
		const struct hp_status_group *g = &s->groups[i];
		const struct hp_kgroup *kg = k && g->path ? hp_kstatus_find_cgroup(k, g->path) : NULL;

		if (!g->path)
			continue;
		v[n] = (struct mgroup){ .label = g->path, .g = g, .have_figures = kg != NULL };
		if (kg)
			figures_from_kgroup(kg, &v[n].fig);
		n++;
	}
	for (size_t i = 0; k && i < k->n_groups; i++) {
		const struct hp_kgroup *kg = &k->groups[i];
		const char *label = kgroup_label(kg);

		if (!label || daemon_has(s, label))
			continue;
		v[n] = (struct mgroup){ .label = label, .have_figures = true };
		figures_from_kgroup(kg, &v[n].fig);
		n++;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

static void family(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value: backslash, double quote and newline escaped, UTF-8 only. */
static void put_label_value(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");

	while (*p) {
		size_t n;

		if (*p == '\\' || *p == '"') {
			fputc('\\', out);
			fputc(*p++, out);
			continue;
		}
		if (*p == '\n') {
			fputs("\\n", out);
			p++;
			continue;
		}
		n = utf8_char_len(p);
		if (n == 0) {
			fputs("\xef\xbf\xbd", out);	/* U+FFFD */
			p++;
			continue;
		}
		fwrite(p, 1, n, out);
		p += n;
	}
}

/* "name{a="x",b="y"}"; labels with a NULL value are left out. */
static void series(FILE *out, const char *name, const struct label *l, size_t n)
{
	bool first = true;

	fputs(name, out);
	for (size_t i = 0; i < n; i++) {
		if (!l[i].value)
			continue;
		fputs(first ? "{" : ",", out);
		fprintf(out, "%s=\"", l[i].name);
		put_label_value(out, l[i].value);
		fputc('"', out);
		first = false;
	}
	if (!first)
		fputc('}', out);
}

static void value_u64(FILE *out, uint64_t v)
{
	fprintf(out, " %" PRIu64 "\n", v);
}

static void value_bp(FILE *out, unsigned bp)
{
	fprintf(out, " %u.%04u\n", bp / 10000, bp % 10000);
}

static void value_us(FILE *out, uint64_t us)
{
	fprintf(out, " %" PRIu64 ".%06" PRIu64 "\n", us / 1000000, us % 1000000);
}

/* One sample with the backend label only. */
static void daemon_sample_u64(FILE *out, const char *name, const char *backend, uint64_t v)
{
	series(out, name, (const struct label[]){ { "backend", backend } }, 1);
	value_u64(out, v);
}

static bool decision_known(const char *d)
{
	for (int i = 0; i < _HP_DECISION_MAX; i++)
		if (!strcmp(hp_decision_name(i), d))
			return true;
	return false;
}

/*
 * The decisions to list: every one hugepaged knows, and any other the
 * status names (a newer daemon's), so that each appears with 0 too.
 */
static int decision_list(const struct hp_status *s, char ***ret)
{
	_cleanup_(strv_freep) char **v = NULL;
	int r;

	for (int i = 0; i < _HP_DECISION_MAX; i++) {
		r = strv_push(&v, hp_decision_name(i));
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < s->n_groups; i++) {
		const char *d = s->groups[i].decision;

		if (d && !decision_known(d) && !strv_contains(v, d)) {
			r = strv_push(&v, d);
			if (r < 0)
				return r;
		}
	}
	*ret = v;
	v = NULL;
	return 0;
}

static bool is_decision(const struct hp_status_group *g, const char *d)
{
	return g->decision && !strcmp(g->decision, d);
}

static void print_daemon(FILE *out, const struct hp_status *s, char *const *decisions)
{
	const char *b = s->backend;

	family(out, "hugepaged_last_decision_timestamp_seconds", "gauge",
	       "When hugepaged last decided which groups to feed (Unix time).");
	series(out, "hugepaged_last_decision_timestamp_seconds", (const struct label[]){ { "backend", b } }, 1);
	value_us(out, s->updated_us);

	family(out, "hugepaged_kdamond_limit", "gauge",
	       "The most groups hugepaged feeds at once, one kdamond each (KdamondLimit=).");
	daemon_sample_u64(out, "hugepaged_kdamond_limit", b, s->kdamond_limit);

	family(out, "hugepaged_groups", "gauge", "Groups that match a policy, by hugepaged's decision.");
	for (size_t d = 0; decisions[d]; d++) {
		uint64_t n = 0;

		for (size_t i = 0; i < s->n_groups; i++)
			n += is_decision(&s->groups[i], decisions[d]);
		series(out, "hugepaged_groups",
		       (const struct label[]){ { "backend", b }, { "decision", decisions[d] } }, 2);
		value_u64(out, n);
	}

	family(out, "hugepaged_system_paused", "gauge",
	       "1 while the system's memory or CPU pressure pauses feeding every group.");
	daemon_sample_u64(out, "hugepaged_system_paused", b, s->system_paused);

	family(out, "hugepaged_system_pressure_ratio", "gauge",
	       "The system's PSI some share over the limit's duration, 0..1.");
	series(out, "hugepaged_system_pressure_ratio",
	       (const struct label[]){ { "backend", b }, { "resource", "memory" } }, 2);
	value_bp(out, s->memory_some_bp);
	series(out, "hugepaged_system_pressure_ratio",
	       (const struct label[]){ { "backend", b }, { "resource", "cpu" } }, 2);
	value_bp(out, s->cpu_some_bp);

	family(out, "hugepaged_reloads_total", "counter", "Configuration reloads (SIGHUP) since hugepaged started.");
	daemon_sample_u64(out, "hugepaged_reloads_total", b, s->reloads);

	family(out, "hugepaged_reload_errors_total", "counter",
	       "Reloads that met an error and kept some of the previous configuration.");
	daemon_sample_u64(out, "hugepaged_reload_errors_total", b, s->reload_errors);

	if (s->reload_us) {
		family(out, "hugepaged_last_reload_timestamp_seconds", "gauge",
		       "When hugepaged last reloaded its configuration (Unix time).");
		series(out, "hugepaged_last_reload_timestamp_seconds", (const struct label[]){ { "backend", b } }, 1);
		value_us(out, s->reload_us);
	}

	family(out, "hugepaged_policy_errors", "gauge",
	       "Policy files and unit sections with errors now (skipped, or their last good version kept).");
	daemon_sample_u64(out, "hugepaged_policy_errors", b, s->policy_errors);
}

/* hugepaged_kdamonds_in_use, once for each backend that reports figures. */
static void print_kdamonds(FILE *out, const struct mgroup *v, size_t n, const struct hp_kstatus *k)
{
	bool any = false;

	for (size_t i = 0; i < n; i++) {
		uint64_t used = 0;
		bool seen = false;

		if (!v[i].have_figures)
			continue;
		for (size_t j = 0; j < i && !seen; j++)
			seen = v[j].have_figures && !strcmp(v[j].fig.backend, v[i].fig.backend);
		if (seen)
			continue;
		for (size_t j = i; j < n; j++)
			used += v[j].have_figures && !strcmp(v[j].fig.backend, v[i].fig.backend) &&
				v[j].fig.kdamond >= 0;
		if (!any)
			family(out, "hugepaged_kdamonds_in_use", "gauge",
			       "Kernel threads (kdamonds) the backend runs for groups now.");
		any = true;
		daemon_sample_u64(out, "hugepaged_kdamonds_in_use", v[i].fig.backend, used);
	}
	/* The module's readout without a group: none in use. */
	if (!any && k) {
		family(out, "hugepaged_kdamonds_in_use", "gauge",
		       "Kernel threads (kdamonds) the backend runs for groups now.");
		daemon_sample_u64(out, "hugepaged_kdamonds_in_use", "module", 0);
	}
}

/* The daemon's view of each of its groups. */
static void print_daemon_groups(FILE *out, const struct hp_status *s, const struct mgroup *v, size_t n,
				char *const *decisions)
{
	const char *b = s->backend;

#define GROUP_LABELS(m) { "backend", b }, { "group", (m)->label }
	family(out, "hugepaged_group_decision", "gauge",
	       "1 for the group's current decision, 0 for the other decisions.");
	for (size_t i = 0; i < n; i++) {
		if (!v[i].g)
			continue;
		for (size_t d = 0; decisions[d]; d++) {
			series(out, "hugepaged_group_decision",
			       (const struct label[]){ GROUP_LABELS(&v[i]), { "decision", decisions[d] } }, 3);
			value_u64(out, is_decision(v[i].g, decisions[d]));
		}
	}

	family(out, "hugepaged_group_priority", "gauge", "The Priority= of the group's policy.");
	for (size_t i = 0; i < n; i++) {
		if (!v[i].g)
			continue;
		series(out, "hugepaged_group_priority", (const struct label[]){ GROUP_LABELS(&v[i]) }, 2);
		fprintf(out, " %d\n", v[i].g->priority);
	}

	family(out, "hugepaged_group_anon_bytes", "gauge", "The group's anonymous memory (memory.stat anon).");
	for (size_t i = 0; i < n; i++) {
		if (!v[i].g)
			continue;
		series(out, "hugepaged_group_anon_bytes", (const struct label[]){ GROUP_LABELS(&v[i]) }, 2);
		value_u64(out, v[i].g->anon_bytes);
	}

	family(out, "hugepaged_group_anon_huge_bytes", "gauge",
	       "The group's anonymous memory in huge pages (memory.stat anon_thp).");
	for (size_t i = 0; i < n; i++) {
		if (!v[i].g)
			continue;
		series(out, "hugepaged_group_anon_huge_bytes", (const struct label[]){ GROUP_LABELS(&v[i]) }, 2);
		value_u64(out, v[i].g->anon_huge_bytes);
	}

	family(out, "hugepaged_group_huge_ratio", "gauge",
	       "Share of the group's anonymous memory in huge pages, 0..1.");
	for (size_t i = 0; i < n; i++) {
		const struct hp_status_group *g = v[i].g;

		if (!g)
			continue;
		series(out, "hugepaged_group_huge_ratio", (const struct label[]){ GROUP_LABELS(&v[i]) }, 2);
		fprintf(out, " %.6f\n", g->anon_bytes ? (double)MIN(g->anon_huge_bytes, g->anon_bytes) /
							(double)g->anon_bytes : 0.0);
	}

	family(out, "hugepaged_group_memory_pressure_ratio", "gauge",
	       "The group's memory.pressure some share over its limit's duration, 0..1.");
	for (size_t i = 0; i < n; i++) {
		if (!v[i].g)
			continue;
		series(out, "hugepaged_group_memory_pressure_ratio", (const struct label[]){ GROUP_LABELS(&v[i]) },
		       2);
		value_bp(out, v[i].g->memory_some_bp);
	}

	family(out, "hugepaged_group_memory_pressure_limit_ratio", "gauge",
	       "The memory pressure share over which the group is paused, 0..1 (only where a limit is set).");
	for (size_t i = 0; i < n; i++) {
		if (!v[i].g || !v[i].g->memory_limit_bp)
			continue;
		series(out, "hugepaged_group_memory_pressure_limit_ratio",
		       (const struct label[]){ GROUP_LABELS(&v[i]) }, 2);
		value_bp(out, v[i].g->memory_limit_bp);
	}
#undef GROUP_LABELS
}

/* The backend's figures, as counters and gauges per group. */
static const struct {
	const char *name;
	const char *type;
	const char *help;
	size_t offset;
} figure_families[] = {
	{ "hugepaged_group_processes", "gauge", "Processes the backend follows in the group.",
	  offsetof(struct figures, procs) },
	{ "hugepaged_group_tried_bytes_total", "counter", "Bytes the backend tried to collapse.",
	  offsetof(struct figures, tried_bytes) },
	{ "hugepaged_group_collapsed_bytes_total", "counter", "Bytes collapsed into huge pages.",
	  offsetof(struct figures, collapsed_bytes) },
	{ "hugepaged_group_failed_bytes_total", "counter", "Bytes whose collapse failed.",
	  offsetof(struct figures, failed_bytes) },
	{ "hugepaged_group_tried_regions_total", "counter", "Regions the backend tried to collapse.",
	  offsetof(struct figures, nr_tried) },
	{ "hugepaged_group_collapsed_regions_total", "counter", "Regions collapsed into huge pages.",
	  offsetof(struct figures, nr_collapsed) },
	{ "hugepaged_group_quota_reached_total", "counter",
	  "Times the collapse quota (time or size) stopped the backend.", offsetof(struct figures, quota_exceeds) },
};

static void print_figures(FILE *out, const struct mgroup *v, size_t n)
{
	bool any = false;

	for (size_t i = 0; i < n; i++)
		any |= v[i].have_figures;
	if (!any)
		return;

	family(out, "hugepaged_group_state", "gauge", "1, with the group's state as the backend reports it.");
	for (size_t i = 0; i < n; i++) {
		if (!v[i].have_figures)
			continue;
		series(out, "hugepaged_group_state",
		       (const struct label[]){ { "backend", v[i].fig.backend },
					       { "group", v[i].label },
					       { "state", v[i].fig.state ? v[i].fig.state : "unknown" } },
		       3);
		value_u64(out, 1);
	}
	for (size_t f = 0; f < ELEMENTSOF(figure_families); f++) {
		family(out, figure_families[f].name, figure_families[f].type, figure_families[f].help);
		for (size_t i = 0; i < n; i++) {
			if (!v[i].have_figures)
				continue;
			series(out, figure_families[f].name,
			       (const struct label[]){ { "backend", v[i].fig.backend }, { "group", v[i].label } }, 2);
			value_u64(out, *(const uint64_t *)((const char *)&v[i].fig + figure_families[f].offset));
		}
	}
}

int hugepagectl_print_metrics(FILE *out, const struct hp_status *s, bool daemon_up, const struct hp_kstatus *k)
{
	_cleanup_(strv_freep) char **decisions = NULL;
	_cleanup_(freep) struct mgroup *v = NULL;
	const struct hp_status *live = s && daemon_up ? s : NULL;
	size_t n = 0;
	int r;

	/* A status left behind by a daemon that is gone says nothing of now. */
	r = collect_groups(live, k, &v, &n);
	if (r < 0)
		return r;

	family(out, "hugepaged_up", "gauge", "1 while hugepaged runs, 0 otherwise.");
	series(out, "hugepaged_up", (const struct label[]){ { "backend", s ? s->backend : NULL } }, 1);
	value_u64(out, live != NULL);
	if (live) {
		r = decision_list(live, &decisions);
		if (r < 0)
			return r;
		print_daemon(out, live, decisions);
	}
	print_kdamonds(out, v, n, k);
	if (live)
		print_daemon_groups(out, live, v, n, decisions);
	print_figures(out, v, n);
	return ferror(out) ? -EIO : 0;
}
