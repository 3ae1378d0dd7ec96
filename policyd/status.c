// SPDX-License-Identifier: GPL-2.0-or-later
#include "status.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/*
 * Appends a value with space, tab, newline, '=', ',' and '\' as \xHH; a
 * missing value (NULL) is "-", so a value that is "-" itself is \x2d.
 */
static void put_escaped(FILE *f, const char *s)
{
	if (!s) {
		fputc('-', f);
		return;
	}
	if (!strcmp(s, "-")) {
		fputs("\\x2d", f);
		return;
	}
	for (; *s; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '=' || *s == '\\' || *s == ',')
			fprintf(f, "\\x%02x", (unsigned char)*s);
		else
			fputc(*s, f);
	}
}

/*
 * A list as comma-separated escaped values: "-" if empty, and otherwise
 * one more entry than commas, empty entries included ("" is one empty
 * entry, "," two).
 */
static void put_list(FILE *f, char *const *v)
{
	for (size_t i = 0; v && v[i]; i++) {
		if (i)
			fputc(',', f);
		if (v[i][0])
			put_escaped(f, v[i]);
	}
	if (!v || !v[0])
		fputc('-', f);
}

/* reason= runs to the end of the line: only newlines are replaced. */
static void put_reason(FILE *f, const char *s)
{
	for (; s && *s; s++)
		fputc(*s == '\n' ? ' ' : *s, f);
}

int hp_status_format(const struct hp_status *s, char **ret)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	assert(s && ret);
	f = open_memstream(&buf, &len);
	if (!f)
		return -ENOMEM;
	fprintf(f, "# hugepaged 1\n");
	fprintf(f, "daemon pid=%d start_time=%" PRIu64 " updated_us=%" PRIu64 " backend=", s->pid, s->start_time,
		s->updated_us);
	put_escaped(f, s->backend);
	fprintf(f, " kdamond_limit=%u matched=%u fed=%u system=%s memory_some_bp=%u cpu_some_bp=%u reason=",
		s->kdamond_limit, s->matched, s->fed, s->system_paused ? "paused" : "ok",
		s->memory_some_bp, s->cpu_some_bp);
	put_reason(f, s->reason);
	fputc('\n', f);
	fprintf(f, "config reloads=%u reload_us=%" PRIu64 " reload_errors=%u units=%d policy_errors=%u reason=",
		s->reloads, s->reload_us, s->reload_errors, s->units, s->policy_errors);
	put_reason(f, s->units_reason);
	fputc('\n', f);
	for (size_t i = 0; i < s->n_policies; i++) {
		const struct hp_status_policy *p = &s->policies[i];

		fputs("policy name=", f);
		put_escaped(f, p->name);
		fputs(" kind=", f);
		put_escaped(f, p->kind);
		fputs(" state=", f);
		put_escaped(f, p->state);
		fputs(" sources=", f);
		put_list(f, p->sources);
		fprintf(f, " priority=%d min_size=%" PRIu64 " memory_limit_bp=%u tuning=", p->priority,
			p->min_size, p->memory_limit_bp);
		put_escaped(f, p->tuning);
		fputc('\n', f);
	}
	for (size_t i = 0; i < s->n_groups; i++) {
		const struct hp_status_group *g = &s->groups[i];

		fputs("group path=", f);
		put_escaped(f, g->path);
		fputs(" policy=", f);
		put_escaped(f, g->policy);
		fputs(" unit=", f);
		put_escaped(f, g->unit);
		fputs(" sources=", f);
		put_list(f, g->sources);
		fprintf(f, " priority=%d decision=", g->priority);
		put_escaped(f, g->decision);
		fprintf(f, " rank=%u fed_since_us=%" PRIu64 " populated=%d anon_bytes=%" PRIu64
			   " anon_huge_bytes=%" PRIu64 " memory_state=",
			g->rank, g->fed_since_us, g->populated, g->anon_bytes, g->anon_huge_bytes);
		put_escaped(f, g->memory_state);
		fprintf(f, " memory_some_bp=%u memory_limit_bp=%u reason=", g->memory_some_bp,
			g->memory_limit_bp);
		put_reason(f, g->reason);
		fputc('\n', f);
	}
	if (fclose(f) != 0) {
		free(buf);
		return -ENOMEM;
	}
	*ret = buf;
	return 0;
}

static bool is_odigit(char c)
{
	return c >= '0' && c <= '7';
}

static unsigned hexval(char c)
{
	return c <= '9' ? (unsigned)(c - '0') : (unsigned)((c | 0x20) - 'a' + 10);
}

/*
 * Decodes \xHH (hugepaged's escape) and \ooo (the kernel's: seq_escape()
 * writes octal, so "/a b" is "cgroup:/a\040b" in /proc/damon_hugepage and
 * would not match the daemon's path otherwise).  A backslash is always
 * escaped by both writers, so a literal one never starts either form.
 */
static char *unescape(const char *s, size_t len)
{
	char *out = malloc(len + 1), *o = out;

	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\\' && i + 3 < len && s[i + 1] == 'x' && isxdigit((unsigned char)s[i + 2]) &&
		    isxdigit((unsigned char)s[i + 3])) {
			*o++ = (char)(hexval(s[i + 2]) << 4 | hexval(s[i + 3]));
			i += 3;
		} else if (s[i] == '\\' && i + 3 < len && is_odigit(s[i + 1]) && is_odigit(s[i + 2]) &&
			   is_odigit(s[i + 3])) {
			*o++ = (char)((s[i + 1] - '0') << 6 | (s[i + 2] - '0') << 3 | (s[i + 3] - '0'));
			i += 3;
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	return out;
}

/* Field types of one record kind, by key. */
enum field_type { F_STR, F_INT, F_UINT, F_U64, F_BOOL, F_PAUSED, F_YN, F_LIST };

/* A flag written as one of two words. */
static int set_word(bool *p, const char *v, const char *yes, const char *no)
{
	if (!strcmp(v, yes))
		*p = true;
	else if (!strcmp(v, no))
		*p = false;
	else
		return -EINVAL;
	return 0;
}

struct field {
	const char *key;
	enum field_type type;
	size_t offset;
};

/* A comma-separated list of escaped values; "-" alone is the empty list. */
static int set_list(void *p, const char *val, size_t vlen)
{
	char ***list = p;
	size_t n = 0;

	strv_free(*list);
	*list = NULL;
	if (vlen == 1 && val[0] == '-')
		return 0;
	for (;;) {
		const char *comma = memchr(val, ',', vlen);
		size_t len = comma ? (size_t)(comma - val) : vlen;
		_cleanup_(freep) char *v = unescape(val, len);

		if (!v || strv_push_len(list, &n, v) < 0)
			return -ENOMEM;
		if (!comma)
			return 0;
		val += len + 1;
		vlen -= len + 1;
	}
}

/* Stores the text v (taken over) into the field p of the given type. */
static int set_value(enum field_type type, void *p, char *v)
{
	_cleanup_(freep) char *text = v;
	uint64_t u;
	long l;
	int r;

	switch (type) {
	case F_STR:
		free(*(char **)p);
		*(char **)p = TAKE_PTR(text);
		return 0;
	/* Out of range is malformed, not silently truncated or wrapped. */
	case F_INT:
		r = parse_int_range(text, INT_MIN, INT_MAX, &l);
		if (r < 0)
			return -EINVAL;
		*(int *)p = (int)l;
		return 0;
	case F_UINT:
		if (parse_u64(text, &u) < 0 || u > UINT_MAX)
			return -EINVAL;
		*(unsigned *)p = (unsigned)u;
		return 0;
	case F_U64:
		if (parse_u64(text, &u) < 0)
			return -EINVAL;
		*(uint64_t *)p = u;
		return 0;
	case F_BOOL:
		return set_word(p, text, "1", "0");
	case F_PAUSED:
		return set_word(p, text, "paused", "ok");
	case F_YN:
		return set_word(p, text, "Y", "N");
	case F_LIST:	/* set_list() */
		break;
	}
	return -EINVAL;
}

/*
 * raw: the value is taken as written.  reason= runs to the end of the line
 * and is written without escapes, so decoding it would alter a reason that
 * quotes a path with a backslash.
 */
static int set_field(const struct field *fields, size_t n, void *rec, const char *key, size_t klen,
		     const char *val, size_t vlen, bool raw)
{
	for (size_t i = 0; i < n; i++) {
		const struct field *fd = &fields[i];
		void *p = (char *)rec + fd->offset;
		_cleanup_(freep) char *v = NULL;

		if (strlen(fd->key) != klen || strncmp(fd->key, key, klen))
			continue;
		if (fd->type == F_LIST)
			return set_list(p, val, vlen);
		/* "-" is a missing string (a "-" itself is written \x2d). */
		if (fd->type == F_STR && !raw && vlen == 1 && val[0] == '-') {
			free(*(char **)p);
			*(char **)p = NULL;
			return 0;
		}
		/* Numbers and flags are written as digits and words: never decoded. */
		v = raw || fd->type != F_STR ? strndup(val, vlen) : unescape(val, vlen);
		if (!v)
			return -ENOMEM;
		return set_value(fd->type, p, TAKE_PTR(v));
	}
	return 0;	/* unknown keys are allowed */
}

/*
 * Parses the "key=value key=value ... [reason=rest]" part of one line.
 * rest_key: a key whose value runs to the end of the line, or NULL.
 */
static int parse_record(const char *s, const struct field *fields, size_t n, void *rec,
			const char *rest_key)
{
	while (*s) {
		const char *eq, *end;
		bool rest;
		int r;

		while (*s == ' ')
			s++;
		if (!*s)
			break;
		eq = strchr(s, '=');
		/* "bogus rank=1" would otherwise read as the unknown key "bogus rank". */
		if (!eq || memchr(s, ' ', eq - s))
			return -EINVAL;
		end = strchr(eq, ' ');
		rest = rest_key && (size_t)(eq - s) == strlen(rest_key) && !strncmp(s, rest_key, eq - s);
		if (rest || !end)
			end = eq + strlen(eq);
		r = set_field(fields, n, rec, s, eq - s, eq + 1, end - eq - 1, rest);
		if (r < 0)
			return r;
		s = end;
	}
	return 0;
}

#define SF(k, t) { #k, t, offsetof(struct hp_status, k) }
static const struct field daemon_fields[] = {
	SF(pid, F_INT),		 SF(start_time, F_U64),	    SF(updated_us, F_U64),
	SF(backend, F_STR),
	SF(kdamond_limit, F_UINT), SF(matched, F_UINT),	    SF(fed, F_UINT),
	{ "system", F_PAUSED, offsetof(struct hp_status, system_paused) },
	SF(memory_some_bp, F_UINT), SF(cpu_some_bp, F_UINT), SF(reason, F_STR),
};

static const struct field config_fields[] = {
	SF(reloads, F_UINT), SF(reload_us, F_U64), SF(reload_errors, F_UINT), SF(units, F_BOOL),
	SF(policy_errors, F_UINT),
	{ "reason", F_STR, offsetof(struct hp_status, units_reason) },
};

#define PF(k, t) { #k, t, offsetof(struct hp_status_policy, k) }
static const struct field policy_fields[] = {
	PF(name, F_STR),     PF(kind, F_STR),	    PF(state, F_STR),		PF(sources, F_LIST),
	PF(priority, F_INT), PF(min_size, F_U64), PF(memory_limit_bp, F_UINT), PF(tuning, F_STR),
};

#define GF(k, t) { #k, t, offsetof(struct hp_status_group, k) }
static const struct field group_fields[] = {
	GF(path, F_STR),	   GF(policy, F_STR),	       GF(unit, F_STR),
	GF(sources, F_LIST),	   GF(priority, F_INT),
	GF(decision, F_STR),	   GF(rank, F_UINT),	       GF(fed_since_us, F_U64),
	GF(populated, F_BOOL),	   GF(anon_bytes, F_U64),      GF(anon_huge_bytes, F_U64),
	GF(memory_state, F_STR),   GF(memory_some_bp, F_UINT), GF(memory_limit_bp, F_UINT),
	GF(reason, F_STR),
};

void hp_status_done(struct hp_status *s)
{
	for (size_t i = 0; i < s->n_groups; i++) {
		struct hp_status_group *g = &s->groups[i];

		free(g->path);
		free(g->policy);
		free(g->decision);
		free(g->memory_state);
		free(g->reason);
		free(g->unit);
		strv_free(g->sources);
	}
	for (size_t i = 0; i < s->n_policies; i++) {
		struct hp_status_policy *p = &s->policies[i];

		free(p->name);
		free(p->kind);
		free(p->state);
		free(p->tuning);
		strv_free(p->sources);
	}
	free(s->policies);
	free(s->units_reason);
	free(s->groups);
	free(s->backend);
	free(s->reason);
	*s = (struct hp_status){ 0 };
}

/* Calls fn on each line of text with its 1-based number. */
static int for_each_line(const char *text, int (*fn)(const char *line, void *data), void *data,
			 unsigned *lineno)
{
	unsigned n = 0;

	while (*text) {
		const char *nl = strchr(text, '\n');
		size_t len = nl ? (size_t)(nl - text) : strlen(text);
		_cleanup_(freep) char *line = strndup(text, len);
		int r;

		n++;
		if (!line)
			return -ENOMEM;
		r = fn(line, data);
		if (r < 0) {
			if (lineno)
				*lineno = n;
			return r;
		}
		text += len + (nl ? 1 : 0);
	}
	return 0;
}

struct status_parse {
	struct hp_status *s;
	bool header;
};

static int status_line(const char *line, void *data)
{
	struct status_parse *st = data;
	struct hp_status *s = st->s;

	if (!st->header) {
		if (strcmp(line, "# hugepaged 1"))
			return -EINVAL;
		st->header = true;
		return 0;
	}
	if (!*line || line[0] == '#')
		return 0;
	if (!strncmp(line, "daemon ", 7))
		return parse_record(line + 7, daemon_fields, ELEMENTSOF(daemon_fields), s, "reason");
	if (!strncmp(line, "config ", 7))
		return parse_record(line + 7, config_fields, ELEMENTSOF(config_fields), s, "reason");
	if (!strncmp(line, "policy ", 7)) {
		struct hp_status_policy *np = realloc(s->policies, (s->n_policies + 1) * sizeof(*np));

		if (!np)
			return -ENOMEM;
		s->policies = np;
		np[s->n_policies] = (struct hp_status_policy){ 0 };
		s->n_policies++;
		return parse_record(line + 7, policy_fields, ELEMENTSOF(policy_fields),
				    &np[s->n_policies - 1], NULL);
	}
	if (!strncmp(line, "group ", 6)) {
		struct hp_status_group *ng = realloc(s->groups, (s->n_groups + 1) * sizeof(*ng));

		if (!ng)
			return -ENOMEM;
		s->groups = ng;
		ng[s->n_groups] = (struct hp_status_group){ 0 };
		s->n_groups++;
		return parse_record(line + 6, group_fields, ELEMENTSOF(group_fields),
				    &ng[s->n_groups - 1], "reason");
	}
	return -EINVAL;
}

int hp_status_parse(const char *text, struct hp_status *ret, unsigned *line)
{
	struct hp_status s = { 0 };
	struct status_parse st = { .s = &s };
	int r;

	assert(text && ret);
	r = for_each_line(text, status_line, &st, line);
	if (r == 0 && !st.header) {
		if (line)
			*line = 1;
		r = -EINVAL;
	}
	if (r < 0) {
		hp_status_done(&s);
		return r;
	}
	*ret = s;
	return 0;
}

#define KF(k, t) { #k, t, offsetof(struct hp_kgroup, k) }
static const struct field kgroup_fields[] = {
	KF(group, F_STR),	     KF(kdamond, F_INT),	KF(state, F_STR),
	KF(procs, F_UINT),	     KF(tuning, F_STR),		KF(min_access, F_UINT),
	KF(goal_bp, F_UINT),	     KF(share_bp, F_UINT),	KF(anon_bytes, F_U64),
	KF(anon_huge_bytes, F_U64),  KF(nr_tried, F_U64),	KF(tried_bytes, F_U64),
	KF(nr_collapsed, F_U64),     KF(collapsed_bytes, F_U64), KF(failed_bytes, F_U64),
	KF(quota_exceeds, F_U64),    KF(wmark, F_STR),
};

static const struct field kheader_fields[] = {
	{ "enabled", F_YN, offsetof(struct hp_kstatus, enabled) },
	{ "max_kdamonds", F_UINT, offsetof(struct hp_kstatus, max_kdamonds) },
};

void hp_kstatus_done(struct hp_kstatus *k)
{
	for (size_t i = 0; i < k->n_groups; i++) {
		struct hp_kgroup *g = &k->groups[i];

		free(g->group);
		free(g->state);
		free(g->tuning);
		free(g->wmark);
	}
	free(k->groups);
	*k = (struct hp_kstatus){ 0 };
}

struct kstatus_parse {
	struct hp_kstatus *k;
	bool header;
};

static int kstatus_line(const char *line, void *data)
{
	struct kstatus_parse *st = data;
	struct hp_kstatus *k = st->k;
	struct hp_kgroup *ng;

	if (!st->header) {
		if (strncmp(line, "# damon_hugepage 1 ", 19))
			return -EINVAL;
		st->header = true;
		return parse_record(line + 19, kheader_fields, ELEMENTSOF(kheader_fields), k, NULL);
	}
	if (!*line || line[0] == '#')
		return 0;
	if (strncmp(line, "group=", 6))
		return -EINVAL;
	ng = realloc(k->groups, (k->n_groups + 1) * sizeof(*ng));
	if (!ng)
		return -ENOMEM;
	k->groups = ng;
	ng[k->n_groups] = (struct hp_kgroup){ .kdamond = -1 };
	k->n_groups++;
	return parse_record(line, kgroup_fields, ELEMENTSOF(kgroup_fields), &ng[k->n_groups - 1], NULL);
}

int hp_kstatus_parse(const char *text, struct hp_kstatus *ret, unsigned *line)
{
	struct hp_kstatus k = { 0 };
	struct kstatus_parse st = { .k = &k };
	int r;

	assert(text && ret);
	r = for_each_line(text, kstatus_line, &st, line);
	if (r == 0 && !st.header) {
		if (line)
			*line = 1;
		r = -EINVAL;
	}
	if (r < 0) {
		hp_kstatus_done(&k);
		return r;
	}
	*ret = k;
	return 0;
}

const struct hp_kgroup *hp_kstatus_find_cgroup(const struct hp_kstatus *k, const char *path)
{
	assert(k && path);
	for (size_t i = 0; i < k->n_groups; i++) {
		const char *g = k->groups[i].group;

		if (g && !strncmp(g, "cgroup:", 7) && !strcmp(g + 7, path))
			return &k->groups[i];
	}
	return NULL;
}
