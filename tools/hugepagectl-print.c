// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hugepagectl's output.  Tests assert on the text, scripts should use
 * --json; changing either format is changing an interface.
 *
 * Text (`hugepagectl status`), blocks separated by one empty line:
 *
 *   hugepaged: pid 123, backend module, updated 2.1 s ago
 *     System: ok (memory some 0.00%, cpu some 1.20%)
 *     Fed: 1 of 3 matched groups (kdamond limit 1)
 *   Kernel: damon_hugepage enabled, max_kdamonds 2, 2 groups
 *
 *   Group /c1
 *     Decision: fed (rank 1, priority 10, benefit 60.0 MiB)
 *     Policy: 10-c1.conf (priority 10)
 *     Memory: anon 64.0 MiB, huge 32.0 MiB (50.0%), pressure ok (some 0.00%, limit 10.00%)
 *     Kernel: running, kdamond 456, procs 1, tuning goal 80.00%, min_access 4, share 50.00%
 *     Collapsed: 32.0 MiB in 16 regions, tried 40.0 MiB, failed 8.0 MiB
 *
 *   Other kernel groups:
 *     pid:4242: running, kdamond 789, procs 1, tuning threshold, min_access 5, share 25.00%, collapsed 4.0 MiB in 2 regions
 *
 * - The age is "updated N.N s ago" (CLOCK_REALTIME), "updated N.N s in the
 *   future" after the clock was set back, "never updated" for 0.
 * - "System: paused: REASON (memory some .., cpu some ..)" when paused.
 * - Without the daemon's view the first line is "hugepaged: unavailable
 *   (WHY)" and nothing follows it in that block; without the kernel's,
 *   "Kernel: unavailable (WHY)".
 * - One "Group" block per daemon group, in the daemon's order.  Decision
 *   is followed by the daemon's reason in parentheses (none if empty).
 *   "limit none" when the group has no pressure limit.
 * - The Kernel and Collapsed lines appear when the kernel has a record of
 *   the group's cgroup; "Kernel: not listed" when the daemon fed the group
 *   but the kernel has no record of it (the two disagree: worth a look);
 *   nothing when the kernel's view is unavailable.  "tuning goal 80.00%"
 *   shows goal_bp when it is set, "kdamond none" for -1, ", wmark paused"
 *   is added when the watermark pauses collapsing, ", quota reached N
 *   times" to Collapsed when N > 0.
 * - Kernel groups the daemon has no group for (pid groups, cgroups fed by
 *   someone else) follow, one line each, under "Other kernel groups:", or
 *   under "Kernel groups:" when the daemon's view is unavailable.
 * - Control characters in names are written as \xHH, "-" for a missing
 *   value.
 *
 * JSON (`hugepagectl status --json`): one object, on one line:
 *   {"daemon": {pid, updated_us, backend, kdamond_limit, matched, fed,
 *    system_paused, memory_some_bp, cpu_some_bp, reason} | null,
 *    "daemon_error": string | null,
 *    "kernel": {enabled, max_kdamonds} | null,
 *    "kernel_error": string | null,
 *    "groups": [{path, policy, priority, decision, rank, reason,
 *      fed_since_us, populated, anon_bytes, anon_huge_bytes, memory_state,
 *      memory_some_bp, memory_limit_bp, "kernel": KGROUP | null}],
 *    "other_kernel_groups": [KGROUP]}
 * KGROUP: {group, kdamond, state, procs, tuning, min_access, goal_bp,
 * share_bp, anon_bytes, anon_huge_bytes, nr_tried, tried_bytes,
 * nr_collapsed, collapsed_bytes, failed_bytes, quota_exceeds, wmark}, with
 * the values of /proc/damon_hugepage (kdamond -1: none).  Units are those
 * of the files: bytes, basis points, CLOCK_REALTIME microseconds.
 */
#include "hugepagectl.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "util.h"

/* Names come from cgroup paths and the kernel: keep the terminal sane. */
static void put_str(FILE *out, const char *s)
{
	if (!s) {
		fputc('-', out);
		return;
	}
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f)
			fprintf(out, "\\x%02x", c);
		else
			fputc(c, out);
	}
}

static const char *plural(uint64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* Tenths of a second, rounded: "2.1". */
static void put_seconds(FILE *out, uint64_t us)
{
	uint64_t tenths = (us + 50000) / 100000;

	fprintf(out, "%" PRIu64 ".%" PRIu64 " s", tenths / 10, tenths % 10);
}

static bool daemon_knows(const struct hp_status *s, const struct hp_kgroup *kg)
{
	if (!s || !kg->group || strncmp(kg->group, "cgroup:", 7))
		return false;
	for (size_t i = 0; i < s->n_groups; i++)
		if (s->groups[i].path && !strcmp(s->groups[i].path, kg->group + 7))
			return true;
	return false;
}

/* "running, kdamond 456, procs 1, tuning goal, min_access 4, share 50.00%" */
static void put_kgroup_summary(FILE *out, const struct hp_kgroup *kg)
{
	char b[32];

	put_str(out, kg->state);
	if (kg->kdamond >= 0)
		fprintf(out, ", kdamond %d", kg->kdamond);
	else
		fputs(", kdamond none", out);
	fprintf(out, ", procs %u, tuning ", kg->procs);
	put_str(out, kg->tuning);
	if (kg->goal_bp)
		fprintf(out, " %s", format_bp(b, sizeof(b), kg->goal_bp));
	fprintf(out, ", min_access %u, share %s", kg->min_access, format_bp(b, sizeof(b), kg->share_bp));
	if (kg->wmark && !strcmp(kg->wmark, "paused"))
		fputs(", wmark paused", out);
}

static void print_daemon_header(FILE *out, const struct hp_status *s, const char *daemon_error,
				uint64_t now)
{
	char a[32], b[32];

	if (!s) {
		fputs("hugepaged: unavailable (", out);
		put_str(out, daemon_error);
		fputs(")\n", out);
		return;
	}

	fprintf(out, "hugepaged: pid %d, backend ", s->pid);
	put_str(out, s->backend);
	if (s->updated_us == 0) {
		fputs(", never updated\n", out);
	} else if (now >= s->updated_us) {
		fputs(", updated ", out);
		put_seconds(out, now - s->updated_us);
		fputs(" ago\n", out);
	} else {
		/* The clock was set back since: say so rather than wrap. */
		fputs(", updated ", out);
		put_seconds(out, s->updated_us - now);
		fputs(" in the future\n", out);
	}

	fputs("  System: ", out);
	if (s->system_paused) {
		fputs("paused: ", out);
		put_str(out, s->reason);
		fputc(' ', out);
	} else {
		fputs("ok ", out);
	}
	fprintf(out, "(memory some %s, cpu some %s)\n", format_bp(a, sizeof(a), s->memory_some_bp),
		format_bp(b, sizeof(b), s->cpu_some_bp));
	fprintf(out, "  Fed: %u of %u matched groups (kdamond limit %u)\n", s->fed, s->matched,
		s->kdamond_limit);
}

static void print_kernel_header(FILE *out, const struct hp_kstatus *k, const char *kernel_error)
{
	if (!k) {
		fputs("Kernel: unavailable (", out);
		put_str(out, kernel_error);
		fputs(")\n", out);
		return;
	}
	fprintf(out, "Kernel: damon_hugepage %s, max_kdamonds %u, %zu %s\n",
		k->enabled ? "enabled" : "disabled", k->max_kdamonds, k->n_groups,
		plural(k->n_groups, "group", "groups"));
}

/* "  Memory: anon 64.0 MiB, huge 32.0 MiB (50.0%), pressure ok (some 0.00%, limit 10.00%)" */
static void put_memory_line(FILE *out, const struct hp_status_group *g)
{
	char a[32], b[32];

	fprintf(out, "  Memory: anon %s, huge %s (%.1f%%), pressure ",
		format_bytes(a, sizeof(a), g->anon_bytes), format_bytes(b, sizeof(b), g->anon_huge_bytes),
		g->anon_bytes ? 100.0 * (double)g->anon_huge_bytes / (double)g->anon_bytes : 0.0);
	put_str(out, g->memory_state);
	fprintf(out, " (some %s, limit %s)\n", format_bp(a, sizeof(a), g->memory_some_bp),
		g->memory_limit_bp ? format_bp(b, sizeof(b), g->memory_limit_bp) : "none");
}

static void print_group(FILE *out, const struct hp_status_group *g, const struct hp_kstatus *k)
{
	const struct hp_kgroup *kg = k && g->path ? hp_kstatus_find_cgroup(k, g->path) : NULL;
	char a[32], b[32], c[32];

	fputs("\nGroup ", out);
	put_str(out, g->path);

	fputs("\n  Decision: ", out);
	put_str(out, g->decision);
	if (g->reason && *g->reason) {
		fputs(" (", out);
		put_str(out, g->reason);
		fputc(')', out);
	}

	fputs("\n  Policy: ", out);
	put_str(out, g->policy);
	fprintf(out, " (priority %d)\n", g->priority);

	put_memory_line(out, g);

	if (!k)
		return;
	if (!kg) {
		if (g->decision && !strcmp(g->decision, "fed"))
			fputs("  Kernel: not listed\n", out);
		return;
	}
	fputs("  Kernel: ", out);
	put_kgroup_summary(out, kg);
	fprintf(out, "\n  Collapsed: %s in %" PRIu64 " %s, tried %s, failed %s",
		format_bytes(a, sizeof(a), kg->collapsed_bytes), kg->nr_collapsed,
		plural(kg->nr_collapsed, "region", "regions"), format_bytes(b, sizeof(b), kg->tried_bytes),
		format_bytes(c, sizeof(c), kg->failed_bytes));
	if (kg->quota_exceeds)
		fprintf(out, ", quota reached %" PRIu64 " %s", kg->quota_exceeds,
			plural(kg->quota_exceeds, "time", "times"));
	fputc('\n', out);
}

static void print_other_kgroups(FILE *out, const struct hp_status *s, const struct hp_kstatus *k)
{
	bool first = true;
	char a[32];

	for (size_t i = 0; i < k->n_groups; i++) {
		const struct hp_kgroup *kg = &k->groups[i];

		if (daemon_knows(s, kg))
			continue;
		if (first) {
			fputs(s ? "\nOther kernel groups:\n" : "\nKernel groups:\n", out);
			first = false;
		}
		fputs("  ", out);
		put_str(out, kg->group);
		fputs(": ", out);
		put_kgroup_summary(out, kg);
		fprintf(out, ", collapsed %s in %" PRIu64 " %s\n",
			format_bytes(a, sizeof(a), kg->collapsed_bytes), kg->nr_collapsed,
			plural(kg->nr_collapsed, "region", "regions"));
	}
}

int hugepagectl_print_text(FILE *out, const struct hp_status *s, const char *daemon_error,
			   const struct hp_kstatus *k, const char *kernel_error,
			   uint64_t now_realtime_us)
{
	print_daemon_header(out, s, daemon_error, now_realtime_us);
	print_kernel_header(out, k, kernel_error);
	for (size_t i = 0; s && i < s->n_groups; i++)
		print_group(out, &s->groups[i], k);
	if (k)
		print_other_kgroups(out, s, k);
	return ferror(out) ? -EIO : 0;
}

/* A JSON string; bytes that are not UTF-8 become U+FFFD. */
static void json_str(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (!s) {
		fputs("null", out);
		return;
	}
	fputc('"', out);
	while (*p) {
		size_t n;

		switch (*p) {
		case '"':
			fputs("\\\"", out);
			break;
		case '\\':
			fputs("\\\\", out);
			break;
		case '\n':
			fputs("\\n", out);
			break;
		case '\t':
			fputs("\\t", out);
			break;
		case '\r':
			fputs("\\r", out);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f) {
				fprintf(out, "\\u%04x", *p);
				break;
			}
			n = utf8_char_len(p);
			if (n == 0) {
				fputs("\\ufffd", out);
				break;
			}
			fwrite(p, 1, n, out);
			p += n;
			continue;
		}
		p++;
	}
	fputc('"', out);
}

static void json_key(FILE *out, bool *first, const char *key)
{
	if (!*first)
		fputc(',', out);
	*first = false;
	json_str(out, key);
	fputc(':', out);
}

static void json_skey(FILE *out, bool *first, const char *key, const char *v)
{
	json_key(out, first, key);
	json_str(out, v);
}

static void json_ukey(FILE *out, bool *first, const char *key, uint64_t v)
{
	json_key(out, first, key);
	fprintf(out, "%" PRIu64, v);
}

static void json_ikey(FILE *out, bool *first, const char *key, int v)
{
	json_key(out, first, key);
	fprintf(out, "%d", v);
}

static void json_bkey(FILE *out, bool *first, const char *key, bool v)
{
	json_key(out, first, key);
	fputs(v ? "true" : "false", out);
}

static void json_strv(FILE *out, char *const *v)
{
	fputc('[', out);
	for (size_t i = 0; v && v[i]; i++) {
		if (i)
			fputc(',', out);
		json_str(out, v[i]);
	}
	fputc(']', out);
}

static void json_kgroup(FILE *out, const struct hp_kgroup *kg)
{
	bool first = true;

	if (!kg) {
		fputs("null", out);
		return;
	}
	fputc('{', out);
	json_skey(out, &first, "group", kg->group);
	json_ikey(out, &first, "kdamond", kg->kdamond);
	json_skey(out, &first, "state", kg->state);
	json_ukey(out, &first, "procs", kg->procs);
	json_skey(out, &first, "tuning", kg->tuning);
	json_ukey(out, &first, "min_access", kg->min_access);
	json_ukey(out, &first, "goal_bp", kg->goal_bp);
	json_ukey(out, &first, "share_bp", kg->share_bp);
	json_ukey(out, &first, "anon_bytes", kg->anon_bytes);
	json_ukey(out, &first, "anon_huge_bytes", kg->anon_huge_bytes);
	json_ukey(out, &first, "nr_tried", kg->nr_tried);
	json_ukey(out, &first, "tried_bytes", kg->tried_bytes);
	json_ukey(out, &first, "nr_collapsed", kg->nr_collapsed);
	json_ukey(out, &first, "collapsed_bytes", kg->collapsed_bytes);
	json_ukey(out, &first, "failed_bytes", kg->failed_bytes);
	json_ukey(out, &first, "quota_exceeds", kg->quota_exceeds);
	json_skey(out, &first, "wmark", kg->wmark);
	fputc('}', out);
}

static void json_group(FILE *out, const struct hp_status_group *g, const struct hp_kstatus *k)
{
	bool first = true;

	fputc('{', out);
	json_skey(out, &first, "path", g->path);
	json_skey(out, &first, "policy", g->policy);
	json_skey(out, &first, "unit", g->unit);
	json_key(out, &first, "sources");
	json_strv(out, g->sources);
	json_ikey(out, &first, "priority", g->priority);
	json_skey(out, &first, "decision", g->decision);
	json_ukey(out, &first, "rank", g->rank);
	json_skey(out, &first, "reason", g->reason);
	json_ukey(out, &first, "fed_since_us", g->fed_since_us);
	json_bkey(out, &first, "populated", g->populated);
	json_ukey(out, &first, "anon_bytes", g->anon_bytes);
	json_ukey(out, &first, "anon_huge_bytes", g->anon_huge_bytes);
	json_skey(out, &first, "memory_state", g->memory_state);
	json_ukey(out, &first, "memory_some_bp", g->memory_some_bp);
	json_ukey(out, &first, "memory_limit_bp", g->memory_limit_bp);
	json_key(out, &first, "kernel");
	json_kgroup(out, k && g->path ? hp_kstatus_find_cgroup(k, g->path) : NULL);
	fputc('}', out);
}

int hugepagectl_print_json(FILE *out, const struct hp_status *s, const char *daemon_error,
			   const struct hp_kstatus *k, const char *kernel_error)
{
	bool first = true, sep;

	fputc('{', out);
	json_key(out, &first, "daemon");
	if (s) {
		bool f = true;

		fputc('{', out);
		json_ikey(out, &f, "pid", s->pid);
		json_ukey(out, &f, "updated_us", s->updated_us);
		json_skey(out, &f, "backend", s->backend);
		json_ukey(out, &f, "kdamond_limit", s->kdamond_limit);
		json_ukey(out, &f, "matched", s->matched);
		json_ukey(out, &f, "fed", s->fed);
		json_bkey(out, &f, "system_paused", s->system_paused);
		json_ukey(out, &f, "memory_some_bp", s->memory_some_bp);
		json_ukey(out, &f, "cpu_some_bp", s->cpu_some_bp);
		json_skey(out, &f, "reason", s->reason);
		fputc('}', out);
	} else {
		fputs("null", out);
	}
	json_skey(out, &first, "daemon_error", s ? NULL : daemon_error);

	json_key(out, &first, "kernel");
	if (k) {
		bool f = true;

		fputc('{', out);
		json_bkey(out, &f, "enabled", k->enabled);
		json_ukey(out, &f, "max_kdamonds", k->max_kdamonds);
		fputc('}', out);
	} else {
		fputs("null", out);
	}
	json_skey(out, &first, "kernel_error", k ? NULL : kernel_error);

	json_key(out, &first, "groups");
	fputc('[', out);
	for (size_t i = 0; s && i < s->n_groups; i++) {
		if (i > 0)
			fputc(',', out);
		json_group(out, &s->groups[i], k);
	}
	fputc(']', out);

	json_key(out, &first, "other_kernel_groups");
	fputc('[', out);
	sep = false;
	for (size_t i = 0; k && i < k->n_groups; i++) {
		if (daemon_knows(s, &k->groups[i]))
			continue;
		if (sep)
			fputc(',', out);
		sep = true;
		json_kgroup(out, &k->groups[i]);
	}
	fputs("]}\n", out);
	return ferror(out) ? -EIO : 0;
}

/* ---- hugepagectl policies ---- */

static void put_strv(FILE *out, char *const *v)
{
	for (size_t i = 0; v && v[i]; i++) {
		if (i)
			fputs(", ", out);
		put_str(out, v[i]);
	}
	if (!v || !v[0])
		fputs("none", out);
}

static void put_policy_settings(FILE *out, const struct hp_status_policy *p)
{
	char a[32], b[32];

	fprintf(out, "priority %d, min size %s, memory pressure limit %s, tuning ", p->priority,
		format_bytes(a, sizeof(a), p->min_size),
		p->memory_limit_bp ? format_bp(b, sizeof(b), p->memory_limit_bp) : "none");
	put_str(out, p->tuning);
}

static bool group_uses(const struct hp_status_group *g, const struct hp_status_policy *p)
{
	if (!g->policy || !p->name || strcmp(g->policy, p->name))
		return false;
	/* A unit's policy and a file could share a name: the unit= tells. */
	return !strcmp(p->kind ? p->kind : "", "unit") == (g->unit && !strcmp(g->unit, p->name));
}

static void put_units_line(FILE *out, const struct hp_status *s)
{
	fputs("Unit sections: ", out);
	if (s->units) {
		fputs("read ([X-Hugepage] of systemd units and drop-ins)", out);
	} else {
		fputs("not read (", out);
		put_str(out, s->units_reason && *s->units_reason ? s->units_reason : "unknown");
		fputc(')', out);
	}
	fprintf(out, "\nReloads: %u, policies with errors: %u\n", s->reloads, s->policy_errors);
}

/*
 *   Unit sections: read ([X-Hugepage] of systemd units and drop-ins)
 *   Reloads: 1, policies with errors: 0
 *
 *   hot.slice (unit, loaded)
 *     Files: /etc/hugepaged/policies.d/50-x.conf, /etc/systemd/system/hot.slice.d/hp.conf
 *     Settings: priority 10, min size 0 B, memory pressure limit 10.00%, tuning goal
 *     Groups: /hot.slice (fed)
 *
 * A failed policy has "Skipped: it has errors (journalctl -u hugepaged)"
 * instead of Settings; "Groups: none" when nothing uses it.
 */
int hugepagectl_print_policies_text(FILE *out, const struct hp_status *s)
{
	put_units_line(out, s);
	for (size_t i = 0; i < s->n_policies; i++) {
		const struct hp_status_policy *p = &s->policies[i];
		bool failed = p->state && !strcmp(p->state, "failed"), any = false;

		fputc('\n', out);
		put_str(out, p->name);
		fputs(" (", out);
		put_str(out, p->kind);
		fputs(", ", out);
		put_str(out, p->state);
		fputs(")\n  Files: ", out);
		put_strv(out, p->sources);
		if (failed) {
			fputs("\n  Skipped: it has errors (journalctl -u hugepaged)\n", out);
			continue;
		}
		fputs("\n  Settings: ", out);
		put_policy_settings(out, p);
		fputs("\n  Groups: ", out);
		for (size_t j = 0; j < s->n_groups; j++) {
			const struct hp_status_group *g = &s->groups[j];

			if (!group_uses(g, p))
				continue;
			fputs(any ? ", " : "", out);
			put_str(out, g->path);
			fputs(" (", out);
			put_str(out, g->decision);
			fputc(')', out);
			any = true;
		}
		fputs(any ? "\n" : "none\n", out);
	}
	return ferror(out) ? -EIO : 0;
}

/*
 * {"units": bool, "units_reason": string|null, "reloads": N,
 *  "policy_errors": N, "policies": [{name, kind, state, sources, priority,
 *  min_size, memory_limit_bp, tuning, "groups": [{path, decision}]}]}
 */
int hugepagectl_print_policies_json(FILE *out, const struct hp_status *s)
{
	bool first = true;

	fputc('{', out);
	json_bkey(out, &first, "units", s->units);
	json_skey(out, &first, "units_reason", s->units ? NULL : s->units_reason);
	json_ukey(out, &first, "reloads", s->reloads);
	json_ukey(out, &first, "policy_errors", s->policy_errors);
	json_key(out, &first, "policies");
	fputc('[', out);
	for (size_t i = 0; i < s->n_policies; i++) {
		const struct hp_status_policy *p = &s->policies[i];
		bool f = true, sep = false;

		fputs(i ? ",{" : "{", out);
		json_skey(out, &f, "name", p->name);
		json_skey(out, &f, "kind", p->kind);
		json_skey(out, &f, "state", p->state);
		json_key(out, &f, "sources");
		json_strv(out, p->sources);
		json_ikey(out, &f, "priority", p->priority);
		json_ukey(out, &f, "min_size", p->min_size);
		json_ukey(out, &f, "memory_limit_bp", p->memory_limit_bp);
		json_skey(out, &f, "tuning", p->tuning);
		json_key(out, &f, "groups");
		fputc('[', out);
		for (size_t j = 0; j < s->n_groups; j++) {
			const struct hp_status_group *g = &s->groups[j];
			bool gf = true;

			if (!group_uses(g, p))
				continue;
			fputs(sep ? ",{" : "{", out);
			json_skey(out, &gf, "path", g->path);
			json_skey(out, &gf, "decision", g->decision);
			fputc('}', out);
			sep = true;
		}
		fputs("]}", out);
	}
	fputs("]}\n", out);
	return ferror(out) ? -EIO : 0;
}

/* ---- hugepagectl explain ---- */

/* A failed unit policy named like the cgroup's last component, or NULL. */
static const struct hp_status_policy *failed_unit_policy(const struct hp_status *s, const char *path)
{
	const char *last = path ? strrchr(path, '/') : NULL;

	for (size_t i = 0; last && i < s->n_policies; i++) {
		const struct hp_status_policy *p = &s->policies[i];

		if (p->kind && !strcmp(p->kind, "unit") && p->state && !strcmp(p->state, "failed") &&
		    p->name && !strcmp(p->name, last + 1))
			return p;
	}
	return NULL;
}

/* Why a cgroup the daemon does not track is not fed. */
static void put_unmatched_reason(FILE *out, const struct hp_status *s, const char *path)
{
	const struct hp_status_policy *fp = failed_unit_policy(s, path);

	fputs("no policy file matches it", out);
	if (fp) {
		fputs(", and the [X-Hugepage] sections of its unit have errors (", out);
		put_strv(out, fp->sources);
		fputs("; journalctl -u hugepaged)", out);
	} else if (s->units) {
		fputs(" and its unit, if any, has no [X-Hugepage] section", out);
	} else {
		fputs(" (unit sections are not read: ", out);
		put_str(out, s->units_reason);
		fputc(')', out);
	}
}

/*
 *   /hot.slice: fed
 *     Why: rank 1 of 2, within the kdamond limit 2
 *     Policy: hot.slice ([X-Hugepage] of unit hot.slice), priority 10
 *     Files: /etc/systemd/system/hot.slice.d/hp.conf
 *     Memory: anon 64.0 MiB, huge 60.0 MiB (93.8%), pressure ok (some 0.00%, limit 10.00%)
 *     Kernel: running, kdamond 456, procs 1, ..., collapsed 60.0 MiB in 30 regions
 *
 * A cgroup the daemon does not track: "/x: not matched" and "Why: no
 * policy file matches it ...".  path NULL: no such cgroup ("query: no
 * such cgroup").
 */
int hugepagectl_print_explain_text(FILE *out, const char *query, const char *path, const struct hp_status *s,
				   const struct hp_status_group *g, const struct hp_kstatus *k,
				   const char *kernel_error)
{
	const struct hp_kgroup *kg = k && path ? hp_kstatus_find_cgroup(k, path) : NULL;
	char a[32];

	if (!path) {
		put_str(out, query);
		fputs(": no such cgroup\n", out);
		return ferror(out) ? -EIO : 0;
	}
	put_str(out, path);
	if (!g) {
		fputs(": not matched\n  Why: ", out);
		put_unmatched_reason(out, s, path);
		fputc('\n', out);
	} else {
		fputs(": ", out);
		put_str(out, g->decision);
		fputs("\n  Why: ", out);
		put_str(out, g->reason && *g->reason ? g->reason : "-");
		fputs("\n  Policy: ", out);
		put_str(out, g->policy);
		if (g->unit) {
			fputs(" ([X-Hugepage] of unit ", out);
			put_str(out, g->unit);
			fputc(')', out);
		}
		fprintf(out, ", priority %d\n  Files: ", g->priority);
		put_strv(out, g->sources);
		fputc('\n', out);
		put_memory_line(out, g);
	}
	fputs("  Kernel: ", out);
	if (!k) {
		fputs("unavailable (", out);
		put_str(out, kernel_error);
		fputs(")\n", out);
	} else if (!kg) {
		fputs("not fed to damon_hugepage\n", out);
	} else {
		put_kgroup_summary(out, kg);
		fprintf(out, ", collapsed %s in %" PRIu64 " %s\n", format_bytes(a, sizeof(a), kg->collapsed_bytes),
			kg->nr_collapsed, plural(kg->nr_collapsed, "region", "regions"));
	}
	return ferror(out) ? -EIO : 0;
}

/*
 * {"query": string, "path": string|null, "exists": bool, "matched": bool,
 *  "decision": string ("not-matched" or "no-such-cgroup" when not matched),
 *  "reason": string, "group": GROUP|null (as in status), "kernel": KGROUP|null,
 *  "kernel_error": string|null}
 */
int hugepagectl_print_explain_json(FILE *out, const char *query, const char *path, const struct hp_status *s,
				   const struct hp_status_group *g, const struct hp_kstatus *k,
				   const char *kernel_error)
{
	_cleanup_(freep) char *why = NULL;
	size_t why_len = 0;
	bool first = true;

	if (path && !g) {
		FILE *w = open_memstream(&why, &why_len);

		if (!w)
			return -ENOMEM;
		put_unmatched_reason(w, s, path);
		if (fclose(w) != 0)
			return -ENOMEM;
	}
	fputc('{', out);
	json_skey(out, &first, "query", query);
	json_skey(out, &first, "path", path);
	json_bkey(out, &first, "exists", path != NULL);
	json_bkey(out, &first, "matched", g != NULL);
	json_skey(out, &first, "decision", g ? g->decision : path ? "not-matched" : "no-such-cgroup");
	json_skey(out, &first, "reason", g ? g->reason : path ? why : "no such cgroup");
	json_key(out, &first, "group");
	if (g)
		json_group(out, g, k);
	else
		fputs("null", out);
	json_key(out, &first, "kernel");
	json_kgroup(out, k && path ? hp_kstatus_find_cgroup(k, path) : NULL);
	json_skey(out, &first, "kernel_error", k ? NULL : kernel_error);
	fputs("}\n", out);
	return ferror(out) ? -EIO : 0;
}
