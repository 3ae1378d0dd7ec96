// SPDX-License-Identifier: GPL-2.0-or-later
#include "damon.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "log.h"

#define PATH_LEN 256
/*
 * DAMON sysfs try-locks one mutex for most files and answers -EBUSY while
 * another writer holds it (a commit waits for the kdamond under it).
 */
#define BUSY_TRIES 50

static void busy_wait(void)
{
	struct timespec ts = { .tv_nsec = 2 * 1000 * 1000 };

	nanosleep(&ts, NULL);
}

int hp_damon_read(struct hp_damon_io *io, const char *path, char **ret)
{
	for (int tries = 0;; tries++) {
		_cleanup_(closep) int fd = openat(io->admin_fd, path, O_RDONLY | O_CLOEXEC);
		char buf[4096];
		ssize_t n;

		if (fd < 0)
			return -errno;
		n = read(fd, buf, sizeof(buf) - 1);
		if (n < 0 && errno == EBUSY && tries < BUSY_TRIES) {
			busy_wait();
			continue;
		}
		if (n < 0)
			return -errno;
		buf[n] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		*ret = strdup(buf);
		return *ret ? 0 : -ENOMEM;
	}
}

int hp_damon_read_int(struct hp_damon_io *io, const char *path, long long *ret)
{
	_cleanup_(freep) char *s = NULL;
	char *end;
	long long v;
	int r = hp_damon_read(io, path, &s);

	if (r < 0)
		return r;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (end == s || *end || errno)
		return -EINVAL;
	*ret = v;
	return 0;
}

int hp_damon_write(struct hp_damon_io *io, const char *path, const char *value)
{
	size_t len = strlen(value);

	if (io->write_hook) {
		int r = io->write_hook(io, path, value);

		if (r != 0)
			return r < 0 ? r : 0;
	}
	for (int tries = 0;; tries++) {
		_cleanup_(closep) int fd = openat(io->admin_fd, path, O_WRONLY | O_TRUNC | O_CLOEXEC);

		if (fd < 0)
			return -errno;
		/* An empty value still needs a write() for the file to take it. */
		if (write(fd, len ? value : "\n", len ? len : 1) >= 0)
			return 0;
		if (errno != EBUSY || tries >= BUSY_TRIES)
			return -errno;
		busy_wait();
	}
}

static int write_u64(struct hp_damon_io *io, const char *path, uint64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	return hp_damon_write(io, path, buf);
}

bool hp_damon_exists(struct hp_damon_io *io, const char *path)
{
	return faccessat(io->admin_fd, path, F_OK, 0) == 0;
}

const char *hp_damon_slot_path(char *buf, size_t len, int slot, const char *rel)
{
	snprintf(buf, len, "kdamonds/%d/%s", slot, rel);
	return buf;
}

const char *hp_damon_ctx_path(char *buf, size_t len, int slot, const char *rel)
{
	snprintf(buf, len, "kdamonds/%d/contexts/0/%s", slot, rel);
	return buf;
}

/* Formats a path under the slot's context 0 into buf. */
static const char *ctxf(char *buf, int slot, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static const char *ctxf(char *buf, int slot, const char *fmt, ...)
{
	char rel[PATH_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	return hp_damon_ctx_path(buf, PATH_LEN, slot, rel);
}

int hp_damon_features_names(const struct hp_damon_features *f, char ***ret)
{
	const struct {
		bool have;
		const char *name;
	} all[] = {
		{ f->sysfs, "damon_sysfs" },
		{ f->vaddr, "vaddr" },
		{ f->collapse, "collapse" },
		{ f->quota_goals, "quota_goals" },
		{ f->hugepage_mem_bp, "hugepage_mem_bp" },
		{ f->intervals_goal, "intervals_goal" },
		{ f->obsolete_target, "obsolete_target" },
		{ f->goal_tuner, "goal_tuner" },
		{ f->refresh_ms, "refresh_ms" },
		/* Only a write tells the rest (collapse above all): not done yet. */
		{ f->sysfs && !f->probed, "probe_pending" },
	};
	_cleanup_(strv_freep) char **v = NULL;

	for (size_t i = 0; i < ELEMENTSOF(all); i++)
		if (all[i].have && strv_push(&v, all[i].name) < 0)
			return -ENOMEM;
	*ret = v;
	v = NULL;
	return 0;
}

/* Is word one of the whitespace-separated words of text? */
static bool has_word(const char *text, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = text; (p = strstr(p, word)); p += n)
		if ((p == text || isspace((unsigned char)p[-1])) && (!p[n] || isspace((unsigned char)p[n])))
			return true;
	return false;
}

int hp_damon_features_peek(struct hp_damon_io *io, struct hp_damon_features *f)
{
	char p[PATH_LEN];
	long long n = 0;

	*f = (struct hp_damon_features){ 0 };
	if (hp_damon_read_int(io, "kdamonds/nr_kdamonds", &n) < 0)
		return -ENOENT;
	f->sysfs = true;
	for (int i = 0; i < n; i++) {
		_cleanup_(freep) char *ops = NULL, *action = NULL;

		f->refresh_ms |= hp_damon_exists(io, hp_damon_slot_path(p, sizeof(p), i, "refresh_ms"));
		if (hp_damon_read(io, hp_damon_ctx_path(p, sizeof(p), i, "avail_operations"), &ops) == 0)
			f->vaddr |= has_word(ops, "vaddr");
		f->intervals_goal |= hp_damon_exists(io, ctxf(p, i, "monitoring_attrs/intervals/intervals_goal"));
		f->obsolete_target |= hp_damon_exists(io, ctxf(p, i, "targets/0/obsolete_target"));
		f->quota_goals |= hp_damon_exists(io, ctxf(p, i, "schemes/0/quotas/goals"));
		f->goal_tuner |= hp_damon_exists(io, ctxf(p, i, "schemes/0/quotas/goal_tuner"));
		if (hp_damon_read(io, ctxf(p, i, "schemes/0/action"), &action) == 0)
			f->collapse |= !strcmp(action, "collapse");
	}
	return 0;
}

int hp_damon_features_probe(struct hp_damon_io *io, int slot, struct hp_damon_features *f)
{
	_cleanup_(freep) char *ops = NULL;
	char p[PATH_LEN];
	int r;

	r = hp_damon_read(io, hp_damon_ctx_path(p, sizeof(p), slot, "avail_operations"), &ops);
	/* Before avail_operations (6.1), only writing tells. */
	f->vaddr = r == 0 ? has_word(ops, "vaddr") :
			    hp_damon_write(io, hp_damon_ctx_path(p, sizeof(p), slot, "operations"), "vaddr") == 0;
	if (f->vaddr) {
		r = hp_damon_write(io, hp_damon_ctx_path(p, sizeof(p), slot, "operations"), "vaddr");
		if (r < 0)
			return r;
	}
	f->refresh_ms = hp_damon_exists(io, hp_damon_slot_path(p, sizeof(p), slot, "refresh_ms"));
	f->intervals_goal = hp_damon_exists(io, ctxf(p, slot, "monitoring_attrs/intervals/intervals_goal/access_bp"));

	r = hp_damon_write(io, ctxf(p, slot, "targets/nr_targets"), "1");
	if (r < 0)
		return r;
	f->obsolete_target = hp_damon_exists(io, ctxf(p, slot, "targets/0/obsolete_target"));
	r = hp_damon_write(io, ctxf(p, slot, "targets/nr_targets"), "0");
	if (r < 0)
		return r;

	r = hp_damon_write(io, ctxf(p, slot, "schemes/nr_schemes"), "1");
	if (r < 0)
		return r;
	f->collapse = hp_damon_write(io, ctxf(p, slot, "schemes/0/action"), "collapse") == 0;
	f->goal_tuner = hp_damon_exists(io, ctxf(p, slot, "schemes/0/quotas/goal_tuner"));
	f->quota_goals = f->hugepage_mem_bp = f->goal_path = false;
	if (hp_damon_exists(io, ctxf(p, slot, "schemes/0/quotas/goals/nr_goals"))) {
		r = hp_damon_write(io, ctxf(p, slot, "schemes/0/quotas/goals/nr_goals"), "1");
		if (r < 0)
			return r;
		f->quota_goals = hp_damon_write(io, ctxf(p, slot, "schemes/0/quotas/goals/0/target_metric"),
						"user_input") == 0;
		f->hugepage_mem_bp = hp_damon_write(io, ctxf(p, slot, "schemes/0/quotas/goals/0/target_metric"),
						    "hugepage_mem_bp") == 0;
		f->goal_path = hp_damon_exists(io, ctxf(p, slot, "schemes/0/quotas/goals/0/path"));
		r = hp_damon_write(io, ctxf(p, slot, "schemes/0/quotas/goals/nr_goals"), "0");
		if (r < 0)
			return r;
	}
	r = hp_damon_write(io, ctxf(p, slot, "schemes/nr_schemes"), "0");
	if (r < 0)
		return r;
	f->probed = true;
	return 0;
}

const char *hp_damon_choose_action(const struct hp_damon_features *f, const char *thp_enabled, const char *forced,
				   const char **why)
{
	bool thp_ok = thp_enabled && (!strcmp(thp_enabled, "always") || !strcmp(thp_enabled, "madvise"));

	if (!f->vaddr) {
		*why = "the kernel's DAMON has no vaddr operations (CONFIG_DAMON_VADDR)";
		return NULL;
	}
	if (forced && !strcmp(forced, "collapse") && !f->collapse) {
		*why = "the kernel has no DAMOS action 'collapse'";
		return NULL;
	}
	if ((!forced || !strcmp(forced, "collapse")) && f->collapse)
		return "collapse";
	if (thp_ok)
		return "hugepage";
	*why = forced ? "THP 'enabled' is 'never', under which a 'hugepage' scheme (MADV_HUGEPAGE) gets no huge "
			"pages: set /sys/kernel/mm/transparent_hugepage/enabled to 'madvise'" :
			"the kernel has no DAMOS action 'collapse' (Linux 7.2 and later) and THP 'enabled' is "
			"'never', under which a 'hugepage' scheme (MADV_HUGEPAGE) gets no huge pages: set "
			"/sys/kernel/mm/transparent_hugepage/enabled to 'madvise'";
	return NULL;
}

int hp_thp_parse_enabled(const char *text, char *buf, size_t len)
{
	const char *a = strchr(text, '['), *b = a ? strchr(a, ']') : NULL;

	if (!a || !b || (size_t)(b - a) > len)
		return -EINVAL;
	memcpy(buf, a + 1, b - a - 1);
	buf[b - a - 1] = '\0';
	return 0;
}

static int read_slot(struct hp_damon_io *io, int i, struct hp_damon_slot_info *s)
{
	_cleanup_(freep) char *state = NULL, *ops = NULL, *action = NULL;
	char p[PATH_LEN];
	long long v;
	int r;

	*s = (struct hp_damon_slot_info){ .pid = -1 };
	r = hp_damon_read(io, hp_damon_slot_path(p, sizeof(p), i, "state"), &state);
	if (r < 0)
		return r;
	s->on = !strcmp(state, "on");
	if (hp_damon_read_int(io, hp_damon_slot_path(p, sizeof(p), i, "pid"), &v) == 0)
		s->pid = (int)v;
	if (!s->on)
		s->pid = -1;
	r = hp_damon_read_int(io, hp_damon_slot_path(p, sizeof(p), i, "contexts/nr_contexts"), &v);
	if (r < 0)
		return r;
	s->nr_contexts = (int)v;
	if (s->nr_contexts < 1)
		return 0;
	if (hp_damon_read(io, hp_damon_ctx_path(p, sizeof(p), i, "operations"), &ops) == 0)
		snprintf(s->operations, sizeof(s->operations), "%s", ops);
	if (hp_damon_read_int(io, hp_damon_ctx_path(p, sizeof(p), i, "targets/nr_targets"), &v) == 0)
		s->nr_targets = (int)v;
	if (hp_damon_read_int(io, hp_damon_ctx_path(p, sizeof(p), i, "schemes/nr_schemes"), &v) == 0)
		s->nr_schemes = (int)v;
	if (s->nr_schemes > 0 && hp_damon_read(io, hp_damon_ctx_path(p, sizeof(p), i, "schemes/0/action"), &action) == 0)
		snprintf(s->action, sizeof(s->action), "%s", action);
	return 0;
}

int hp_damon_read_tree(struct hp_damon_io *io, struct hp_damon_tree *ret)
{
	struct hp_damon_tree t = { 0 };
	long long n;
	int r;

	r = hp_damon_read_int(io, "kdamonds/nr_kdamonds", &n);
	if (r < 0)
		return r;
	if (n < 0 || n > 100000)
		return -EINVAL;
	t.slots = calloc(n ? n : 1, sizeof(*t.slots));
	if (!t.slots)
		return -ENOMEM;
	t.n = (size_t)n;
	for (size_t i = 0; i < t.n; i++) {
		r = read_slot(io, (int)i, &t.slots[i]);
		if (r < 0) {
			/* The array was rebuilt meanwhile: the caller tries again later. */
			free(t.slots);
			return r;
		}
	}
	*ret = t;
	return 0;
}

void hp_damon_tree_done(struct hp_damon_tree *t)
{
	free(t->slots);
	*t = (struct hp_damon_tree){ 0 };
}

/* ---- claims ---- */

static void put_path(FILE *f, const char *s)
{
	if (!s) {
		fputc('-', f);
		return;
	}
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c <= ' ' || c == '=' || c == '\\' || c == 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)(c | 0x20);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static char *get_path(const char *s, size_t len)
{
	char *out, *o;

	if (len == 1 && s[0] == '-')
		return NULL;
	out = o = malloc(len + 1);
	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\\' && i + 3 < len && s[i + 1] == 'x' && hexval(s[i + 2]) >= 0 &&
		    hexval(s[i + 3]) >= 0) {
			*o++ = (char)(hexval(s[i + 2]) << 4 | hexval(s[i + 3]));
			i += 3;
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	return out;
}

int hp_damon_claims_format(const struct hp_damon_claims *c, char **ret)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return -ENOMEM;
	fputs("# hugepaged damon slots 1\n", f);
	for (size_t i = 0; i < c->n; i++) {
		fprintf(f, "slot=%d pid=%d cgroup=", c->v[i].slot, c->v[i].pid);
		put_path(f, c->v[i].cgroup);
		fputc('\n', f);
	}
	if (fclose(f) != 0) {
		free(buf);
		return -ENOMEM;
	}
	*ret = buf;
	return 0;
}

void hp_damon_claims_done(struct hp_damon_claims *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i].cgroup);
	free(c->v);
	*c = (struct hp_damon_claims){ 0 };
}

struct hp_damon_claim *hp_damon_claims_find_slot(const struct hp_damon_claims *c, int slot)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].slot == slot)
			return &c->v[i];
	return NULL;
}

struct hp_damon_claim *hp_damon_claims_find_cgroup(const struct hp_damon_claims *c, const char *cgroup)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].cgroup && !strcmp(c->v[i].cgroup, cgroup))
			return &c->v[i];
	return NULL;
}

int hp_damon_claims_add(struct hp_damon_claims *c, int slot, int pid, const char *cgroup)
{
	struct hp_damon_claim *nv;
	char *copy = cgroup ? strdup(cgroup) : NULL;

	if (cgroup && !copy)
		return -ENOMEM;
	nv = realloc(c->v, (c->n + 1) * sizeof(*nv));
	if (!nv) {
		free(copy);
		return -ENOMEM;
	}
	c->v = nv;
	c->v[c->n++] = (struct hp_damon_claim){ .slot = slot, .pid = pid, .cgroup = copy };
	return 0;
}

void hp_damon_claims_remove(struct hp_damon_claims *c, int slot)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].slot == slot) {
			free(c->v[i].cgroup);
			c->v[i] = c->v[--c->n];
			return;
		}
}

/* "key=value" at *s; advances past it and the spaces after. */
static bool next_field(const char **s, const char *key, const char **val, size_t *vlen)
{
	size_t k = strlen(key);
	const char *v, *end;

	if (strncmp(*s, key, k) || (*s)[k] != '=')
		return false;
	v = *s + k + 1;
	end = v + strcspn(v, " ");
	*val = v;
	*vlen = (size_t)(end - v);
	*s = end + strspn(end, " ");
	return true;
}

static int parse_claim(const char *line, struct hp_damon_claims *c)
{
	const char *s = line, *v;
	size_t vlen;
	char num[16], *end;
	long slot, pid;
	char *cg;
	int r;

	if (!next_field(&s, "slot", &v, &vlen) || vlen == 0 || vlen >= sizeof(num))
		return -EINVAL;
	memcpy(num, v, vlen);
	num[vlen] = '\0';
	slot = strtol(num, &end, 10);
	if (*end || slot < 0 || slot > 100000)
		return -EINVAL;
	if (!next_field(&s, "pid", &v, &vlen) || vlen == 0 || vlen >= sizeof(num))
		return -EINVAL;
	memcpy(num, v, vlen);
	num[vlen] = '\0';
	pid = strtol(num, &end, 10);
	if (*end || pid < -1 || pid > INT32_MAX)
		return -EINVAL;
	if (!next_field(&s, "cgroup", &v, &vlen) || *s)
		return -EINVAL;
	if (hp_damon_claims_find_slot(c, (int)slot))
		return -EINVAL;
	cg = get_path(v, vlen);
	if (!cg && !(vlen == 1 && v[0] == '-'))
		return -ENOMEM;
	r = hp_damon_claims_add(c, (int)slot, (int)pid, cg);
	free(cg);
	return r;
}

int hp_damon_claims_parse(const char *text, struct hp_damon_claims *ret, unsigned *line)
{
	struct hp_damon_claims c = { 0 };
	unsigned n = 0;
	bool header = false;

	while (*text) {
		const char *nl = strchr(text, '\n');
		size_t len = nl ? (size_t)(nl - text) : strlen(text);
		_cleanup_(freep) char *l = strndup(text, len);
		int r = 0;

		n++;
		if (!l)
			r = -ENOMEM;
		else if (!header)
			r = strcmp(l, "# hugepaged damon slots 1") ? -EINVAL : 0, header = true;
		else if (*l && l[0] != '#')
			r = parse_claim(l, &c);
		if (r < 0) {
			if (line)
				*line = n;
			hp_damon_claims_done(&c);
			return r;
		}
		text += len + (nl ? 1 : 0);
	}
	if (!header) {
		if (line)
			*line = 1;
		return -EINVAL;
	}
	*ret = c;
	return 0;
}

/* ---- ownership ---- */

const char *hp_damon_owner_name(enum hp_damon_owner o)
{
	switch (o) {
	case HP_DAMON_FREE:
		return "free";
	case HP_DAMON_OURS:
		return "hugepaged";
	default:
		return "other";
	}
}

/* Does a stopped slot still look as hugepaged leaves its own? */
static bool looks_ours(const struct hp_damon_slot_info *s)
{
	return s->nr_contexts == 1 && !strcmp(s->operations, "vaddr") && s->nr_schemes <= 1 &&
	       (s->nr_schemes == 0 || !strcmp(s->action, "collapse") || !strcmp(s->action, "hugepage"));
}

enum hp_damon_owner hp_damon_classify(const struct hp_damon_slot_info *s, const struct hp_damon_claim *c,
				      const char **lost)
{
	const char *why = NULL;
	enum hp_damon_owner o;

	if (!c)
		return s->on ? HP_DAMON_OTHER : s->nr_contexts == 0 ? HP_DAMON_FREE : HP_DAMON_OTHER;
	if (s->on) {
		o = c->pid > 0 && s->pid == c->pid ? HP_DAMON_OURS : HP_DAMON_OTHER;
		if (o != HP_DAMON_OURS)
			why = c->pid > 0 ? "another kdamond runs there" : "someone else started a kdamond there";
	} else if (s->nr_contexts == 0) {
		/* nr_kdamonds was written: every slot was reset, and is anyone's. */
		o = HP_DAMON_FREE;
		why = "its inputs were reset (someone wrote nr_kdamonds)";
	} else if (looks_ours(s)) {
		o = HP_DAMON_OURS;
	} else {
		o = HP_DAMON_OTHER;
		why = "someone else configured it";
	}
	if (lost && why)
		*lost = why;
	return o;
}

size_t hp_damon_verify_claims(const struct hp_damon_tree *t, struct hp_damon_claims *claims)
{
	size_t dropped = 0;

	for (size_t i = claims->n; i-- > 0;) {
		struct hp_damon_claim *c = &claims->v[i];
		const char *why = "the kdamonds array no longer has it";
		int slot = c->slot;

		if ((size_t)slot < t->n && hp_damon_classify(&t->slots[slot], c, &why) == HP_DAMON_OURS)
			continue;
		log_warning("DAMON sysfs: kdamond %d is no longer hugepaged's (%s%s%s); leaving it alone", slot, why,
			    c->cgroup ? ", it served " : "", c->cgroup ? c->cgroup : "");
		hp_damon_claims_remove(claims, slot);
		dropped++;
	}
	return dropped;
}

void hp_damon_plan_done(struct hp_damon_plan *p)
{
	free(p->slot);
	free(p->start);
	free(p->stop);
	free(p->release);
	*p = (struct hp_damon_plan){ 0 };
}

int hp_damon_plan_slots(const struct hp_damon_tree *t, const struct hp_damon_claims *claims, char *const *want,
			unsigned limit, struct hp_damon_plan *ret)
{
	size_t n_want = strv_len(want), n = t->n, n_ours = 0, n_stop = 0, n_release = 0, unassigned = 0;
	_cleanup_(freep) bool *used = calloc(n ? n : 1, sizeof(bool));
	struct hp_damon_plan p = {
		.slot = malloc((n_want ? n_want : 1) * sizeof(int)),
		.start = calloc(n_want ? n_want : 1, sizeof(bool)),
		.stop = malloc((n + 1) * sizeof(int)),
		.release = malloc((n + 1) * sizeof(int)),
	};
	int other_on = -1, other_idle = -1;
	bool ours_kept_on = false;

	if (!used || !p.slot || !p.start || !p.stop || !p.release) {
		hp_damon_plan_done(&p);
		return -ENOMEM;
	}
	for (size_t w = 0; w < n_want; w++) {
		const struct hp_damon_claim *c = hp_damon_claims_find_cgroup(claims, want[w]);

		p.slot[w] = -1;
		if (c && (size_t)c->slot < n) {
			p.slot[w] = c->slot;
			used[c->slot] = true;
			p.start[w] = !t->slots[c->slot].on;
			ours_kept_on |= t->slots[c->slot].on;
		}
	}
	/* hugepaged's slots that serve no wanted group: stopped, and free for the others. */
	for (size_t i = 0; i < n; i++) {
		const struct hp_damon_claim *c = hp_damon_claims_find_slot(claims, (int)i);

		if (!c) {
			if (t->slots[i].on && other_on < 0)
				other_on = (int)i;
			else if (!t->slots[i].on && t->slots[i].nr_contexts > 0 && other_idle < 0)
				other_idle = (int)i;
			continue;
		}
		n_ours++;
		if (!used[i] && t->slots[i].on)
			p.stop[n_stop++] = (int)i;
	}
	for (size_t w = 0; w < n_want; w++) {
		if (p.slot[w] >= 0)
			continue;
		for (size_t i = 0; i < n && p.slot[w] < 0; i++)
			if (!used[i] && hp_damon_claims_find_slot(claims, (int)i))
				p.slot[w] = (int)i;
		/* Free slots from the end: other users take theirs from the start. */
		for (size_t i = n; i-- > 0 && p.slot[w] < 0;)
			if (!used[i] && !hp_damon_claims_find_slot(claims, (int)i) &&
			    hp_damon_classify(&t->slots[i], NULL, NULL) == HP_DAMON_FREE)
				p.slot[w] = (int)i;
		if (p.slot[w] < 0) {
			unassigned++;
			continue;
		}
		used[p.slot[w]] = true;
		p.start[w] = true;
	}
	if (unassigned && other_on >= 0) {
		snprintf(p.busy, sizeof(p.busy),
			 "DAMON sysfs is busy: kdamond %d (pid %d) is not hugepaged's and runs, so nr_kdamonds "
			 "cannot grow, and no slot is free",
			 other_on, t->slots[other_on].pid);
	} else if (unassigned && other_idle >= 0) {
		snprintf(p.busy, sizeof(p.busy),
			 "DAMON sysfs holds another user's stopped kdamond %d, whose inputs growing nr_kdamonds "
			 "would reset, and no slot is free (write 0 to kdamonds/nr_kdamonds, or leave free slots)",
			 other_idle);
	} else if (unassigned && ours_kept_on) {
		snprintf(p.busy, sizeof(p.busy),
			 "all %zu of hugepaged's kdamond slots are in use, and nr_kdamonds cannot grow while "
			 "kdamonds run",
			 n_ours);
	} else if (unassigned) {
		/* Nothing runs (ours are stopped first): grow to the whole limit now, it cannot later. */
		size_t extra = MAX(unassigned, limit > n_ours ? limit - n_ours : 0), next = n;

		p.grow = true;
		p.grow_to = n + extra;
		for (size_t w = 0; w < n_want; w++)
			if (p.slot[w] < 0) {
				p.slot[w] = (int)next++;
				p.start[w] = true;
			}
	}
	/* Beyond the limit (it was lowered): unused slots of hugepaged's go back. */
	for (size_t i = 0; i < n && n_ours > limit; i++)
		if (!used[i] && hp_damon_claims_find_slot(claims, (int)i)) {
			p.release[n_release++] = (int)i;
			n_ours--;
		}
	p.stop[n_stop] = -1;
	p.release[n_release] = -1;
	*ret = p;
	return 0;
}

unsigned hp_damon_next_min_access(unsigned cur, unsigned floor, unsigned top, bool progress, bool tried,
				  unsigned idle_steps)
{
	if (progress)
		return cur;
	if (!tried && cur > floor)
		return cur - MIN(cur - floor, MAX(idle_steps, 1u));
	if (cur > floor)
		return cur - 1;
	return top;
}

static bool contains(const int *v, size_t n, int x)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == x)
			return true;
	return false;
}

void hp_damon_targets_done(struct hp_damon_targets *t)
{
	free(t->pids);
	free(t->obsolete);
	free(t->result);
	*t = (struct hp_damon_targets){ 0 };
}

bool hp_damon_plan_targets(const int *cur, size_t n_cur, const int *want, size_t n_want, bool obsolete,
			   int placeholder_pid, struct hp_damon_targets *ret)
{
	size_t cap = n_cur + n_want + 1, k = 0, m = 0;
	struct hp_damon_targets t = {
		.pids = malloc(cap * sizeof(int)),
		.obsolete = calloc(cap, sizeof(bool)),
		.result = malloc(cap * sizeof(int)),
	};
	bool changed = false;

	if (!t.pids || !t.obsolete || !t.result) {
		hp_damon_targets_done(&t);
		*ret = t;
		return false;
	}
	for (size_t i = 0; i < n_cur; i++) {
		bool keep = contains(want, n_want, cur[i]);

		changed |= !keep;
		if (keep) {
			t.result[m++] = cur[i];
			t.pids[k++] = cur[i];
		} else if (obsolete) {
			/* The gone process's pid may be reused or freed: any live pid will do. */
			t.obsolete[k] = true;
			t.pids[k++] = placeholder_pid;
		}
	}
	for (size_t i = 0; i < n_want; i++) {
		if (contains(cur, n_cur, want[i]) || contains(t.result, m, want[i]))
			continue;
		changed = true;
		t.result[m++] = want[i];
		t.pids[k++] = want[i];
	}
	t.n = k;
	t.n_result = m;
	*ret = t;
	return changed;
}

/* ---- writing a context ---- */

#define ULONG_MAX_STR "18446744073709551615"
#define UINT_MAX_STR "4294967295"

/* Writes value to an optional file: only where the kernel has it. */
static int write_opt(struct hp_damon_io *io, const char *path, uint64_t v)
{
	return hp_damon_exists(io, path) ? write_u64(io, path, v) : 0;
}

int hp_damon_write_attrs(struct hp_damon_io *io, int slot, const struct hp_damon_ctx_cfg *cfg)
{
	char p[PATH_LEN];
	int r;

	/* aggr_us before sample_us would be refused nowhere: sysfs checks at commit. */
	if ((r = write_u64(io, ctxf(p, slot, "monitoring_attrs/intervals/sample_us"), cfg->sample_us)) < 0 ||
	    (r = write_u64(io, ctxf(p, slot, "monitoring_attrs/intervals/aggr_us"), cfg->aggr_us)) < 0 ||
	    (r = write_u64(io, ctxf(p, slot, "monitoring_attrs/intervals/update_us"), cfg->update_us)) < 0 ||
	    (r = write_u64(io, ctxf(p, slot, "monitoring_attrs/nr_regions/min"), cfg->min_nr_regions)) < 0 ||
	    (r = write_u64(io, ctxf(p, slot, "monitoring_attrs/nr_regions/max"), cfg->max_nr_regions)) < 0)
		return r;
	if (!hp_damon_exists(io, ctxf(p, slot, "monitoring_attrs/intervals/intervals_goal/access_bp")))
		return 0;
	/*
	 * Without a goal (access_bp 0) the kernel does not tune.  With one,
	 * the intervals never go below the given ones: the tuning only makes
	 * monitoring cheaper, where few of the sampled bytes are accessed.
	 */
	if ((r = write_u64(io, ctxf(p, slot, "monitoring_attrs/intervals/intervals_goal/access_bp"),
			   cfg->intervals_goal ? 400 : 0)) < 0 ||
	    (r = write_u64(io, ctxf(p, slot, "monitoring_attrs/intervals/intervals_goal/aggrs"),
			   cfg->intervals_goal ? 3 : 0)) < 0 ||
	    (r = write_u64(io, ctxf(p, slot, "monitoring_attrs/intervals/intervals_goal/min_sample_us"),
			   cfg->intervals_goal ? cfg->sample_us : 0)) < 0 ||
	    (r = write_u64(io, ctxf(p, slot, "monitoring_attrs/intervals/intervals_goal/max_sample_us"),
			   cfg->intervals_goal ? (uint64_t)cfg->sample_us * 20 : 0)) < 0)
		return r;
	return 0;
}

int hp_damon_write_scheme(struct hp_damon_io *io, int slot, const struct hp_damon_ctx_cfg *cfg)
{
	char p[PATH_LEN];
	long long n = 0;
	int r;

	(void)hp_damon_read_int(io, ctxf(p, slot, "schemes/nr_schemes"), &n);
	if (n != 1 && (r = hp_damon_write(io, ctxf(p, slot, "schemes/nr_schemes"), "1")) < 0)
		return r;
	if ((r = hp_damon_write(io, ctxf(p, slot, "schemes/0/action"), cfg->action)) < 0)
		return log_debug_errno(r, "kdamond %d: action %s refused", slot, cfg->action);
	if ((r = write_opt(io, ctxf(p, slot, "schemes/0/apply_interval_us"), cfg->apply_interval_us)) < 0 ||
	    /* whole huge pages only: MADV_COLLAPSE skips the rest */
	    (r = write_u64(io, ctxf(p, slot, "schemes/0/access_pattern/sz/min"), HP_DAMON_PMD_SIZE)) < 0 ||
	    (r = hp_damon_write(io, ctxf(p, slot, "schemes/0/access_pattern/sz/max"), ULONG_MAX_STR)) < 0 ||
	    (r = write_u64(io, ctxf(p, slot, "schemes/0/access_pattern/nr_accesses/min"), cfg->min_access)) < 0 ||
	    (r = hp_damon_write(io, ctxf(p, slot, "schemes/0/access_pattern/nr_accesses/max"), UINT_MAX_STR)) < 0 ||
	    (r = hp_damon_write(io, ctxf(p, slot, "schemes/0/access_pattern/age/min"), "0")) < 0 ||
	    (r = hp_damon_write(io, ctxf(p, slot, "schemes/0/access_pattern/age/max"), UINT_MAX_STR)) < 0 ||
	    (r = write_u64(io, ctxf(p, slot, "schemes/0/quotas/ms"), cfg->quota_ms)) < 0 ||
	    (r = write_u64(io, ctxf(p, slot, "schemes/0/quotas/bytes"), cfg->quota_bytes)) < 0 ||
	    (r = write_u64(io, ctxf(p, slot, "schemes/0/quotas/reset_interval_ms"), cfg->quota_reset_ms)) < 0 ||
	    /* hottest first */
	    (r = write_u64(io, ctxf(p, slot, "schemes/0/quotas/weights/sz_permil"), 0)) < 0 ||
	    (r = write_u64(io, ctxf(p, slot, "schemes/0/quotas/weights/nr_accesses_permil"), 100)) < 0 ||
	    (r = write_u64(io, ctxf(p, slot, "schemes/0/quotas/weights/age_permil"), 0)) < 0 ||
	    /* runs while free memory is at or above low (high and mid at the top) */
	    (r = hp_damon_write(io, ctxf(p, slot, "schemes/0/watermarks/metric"), "free_mem_rate")) < 0 ||
	    (r = write_u64(io, ctxf(p, slot, "schemes/0/watermarks/interval_us"), USEC_PER_SEC)) < 0 ||
	    (r = write_u64(io, ctxf(p, slot, "schemes/0/watermarks/high"), 1000)) < 0 ||
	    (r = write_u64(io, ctxf(p, slot, "schemes/0/watermarks/mid"), 1000)) < 0 ||
	    (r = write_u64(io, ctxf(p, slot, "schemes/0/watermarks/low"), cfg->wmark_low)) < 0)
		return r;
	if (!hp_damon_exists(io, ctxf(p, slot, "schemes/0/quotas/goals/nr_goals")))
		return cfg->goal_metric ? -EOPNOTSUPP : 0;
	n = 0;
	(void)hp_damon_read_int(io, ctxf(p, slot, "schemes/0/quotas/goals/nr_goals"), &n);
	if (n != (cfg->goal_metric ? 1 : 0) &&
	    (r = hp_damon_write(io, ctxf(p, slot, "schemes/0/quotas/goals/nr_goals"), cfg->goal_metric ? "1" : "0")) < 0)
		return r;
	if (!cfg->goal_metric)
		return 0;
	if ((r = hp_damon_write(io, ctxf(p, slot, "schemes/0/quotas/goals/0/target_metric"), cfg->goal_metric)) < 0 ||
	    (r = write_u64(io, ctxf(p, slot, "schemes/0/quotas/goals/0/target_value"), cfg->goal_bp)) < 0 ||
	    (r = write_u64(io, ctxf(p, slot, "schemes/0/quotas/goals/0/current_value"), cfg->current_bp)) < 0)
		return r;
	if (cfg->goal_path && hp_damon_exists(io, ctxf(p, slot, "schemes/0/quotas/goals/0/path")) &&
	    (r = hp_damon_write(io, ctxf(p, slot, "schemes/0/quotas/goals/0/path"), cfg->goal_path)) < 0)
		return r;
	return 0;
}

int hp_damon_write_targets(struct hp_damon_io *io, int slot, const int *pids, const bool *obsolete, size_t n)
{
	char p[PATH_LEN];
	long long cur = -1;
	bool has_obsolete;
	int r;

	(void)hp_damon_read_int(io, ctxf(p, slot, "targets/nr_targets"), &cur);
	/* Writing nr_targets rebuilds every target directory: only when it changes. */
	if (cur != (long long)n && (r = write_u64(io, ctxf(p, slot, "targets/nr_targets"), n)) < 0)
		return r;
	has_obsolete = n > 0 && hp_damon_exists(io, ctxf(p, slot, "targets/0/obsolete_target"));
	for (size_t i = 0; i < n; i++) {
		if ((r = write_u64(io, ctxf(p, slot, "targets/%zu/pid_target", i), (uint64_t)pids[i])) < 0)
			return r;
		if (has_obsolete &&
		    (r = hp_damon_write(io, ctxf(p, slot, "targets/%zu/obsolete_target", i),
					obsolete && obsolete[i] ? "Y" : "N")) < 0)
			return r;
		if (!has_obsolete && obsolete && obsolete[i])
			return -EOPNOTSUPP;
	}
	return 0;
}

int hp_damon_state(struct hp_damon_io *io, int slot, const char *cmd)
{
	char p[PATH_LEN];

	return hp_damon_write(io, hp_damon_slot_path(p, sizeof(p), slot, "state"), cmd);
}

int hp_damon_read_stats(struct hp_damon_io *io, int slot, struct hp_damon_stats *ret)
{
	static const char *const names[] = { "nr_tried", "sz_tried", "nr_applied", "sz_applied", "qt_exceeds" };
	uint64_t *fields[] = { &ret->nr_tried, &ret->sz_tried, &ret->nr_applied, &ret->sz_applied, &ret->qt_exceeds };
	char p[PATH_LEN];

	for (size_t i = 0; i < ELEMENTSOF(names); i++) {
		long long v = 0;
		int r = hp_damon_read_int(io, ctxf(p, slot, "schemes/0/stats/%s", names[i]), &v);

		/* qt_exceeds came later (6.1): zero where it is missing. */
		if (r < 0 && !(r == -ENOENT && i == 4))
			return r;
		*fields[i] = (uint64_t)v;
	}
	return 0;
}
