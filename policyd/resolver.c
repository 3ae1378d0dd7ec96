// SPDX-License-Identifier: GPL-2.0-or-later
#include "resolver.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "log.h"

static void ucache_free(struct ucache *uc)
{
	free(uc->path);
	hp_unit_info_done(&uc->info);
	hp_policy_done(&uc->policy);
	free(uc);
}

static void strv_free_value(void *v)
{
	strv_free(v);
}

void resolver_init(struct resolver *r, sd_event *event, const struct hp_policy_set *policies,
		   hp_units_changed_t changed, resolver_answered_t answered, void *userdata)
{
	assert(event && policies && changed && answered);
	*r = (struct resolver){ .event = event, .policies = policies, .changed = changed, .answered = answered,
				.userdata = userdata };
}

static void ucache_set_stale(struct resolver *r, struct ucache *uc);
static void on_answer(void *cookie, int error, struct hp_unit_info *info, void *userdata);

/* systemd's signals, for the owner. */
static void on_changed(const char *unit, void *userdata)
{
	struct resolver *r = userdata;

	r->changed(unit, r->userdata);
}

/* Drops the connection: the questions out are never answered, their entries go stale. */
static void units_close(struct resolver *r)
{
	hp_units_free(r->units);
	r->units = NULL;
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i]->pending) {
			r->v[i]->pending = false;
			r->n_pending--;
			ucache_set_stale(r, r->v[i]);
		}
	assert(r->n_pending == 0);
}

void resolver_done(struct resolver *r)
{
	units_close(r);
	for (size_t i = 0; i < r->n; i++)
		ucache_free(r->v[i]);
	free(r->v);
	r->v = NULL;
	r->n = r->cap = 0;
	strmap_clear(&r->by_path, NULL);
	strmap_clear(&r->unit_paths, strv_free_value);
}

void resolver_setup(struct resolver *r, bool enabled)
{
	int e;

	if (!enabled) {
		if (r->units)
			log_info("UnitSections=no: no longer reading [X-Hugepage] sections of units");
		units_close(r);
		(void)snprintf(r->reason, sizeof(r->reason), "UnitSections=no");
		return;
	}
	if (r->units)
		return;
	e = hp_units_open(r->event, on_changed, on_answer, r, &r->units);
	if (e < 0) {
		bool said = r->reason[0] != '\0';

		(void)snprintf(r->reason, sizeof(r->reason), "no systemd on the system bus: %s", strerror(-e));
		/* Tried again at every rescan: say it once. */
		if (!said)
			log_info("%s: not reading [X-Hugepage] sections of units, policy files only", r->reason);
		return;
	}
	r->reason[0] = '\0';
	log_info("reading [X-Hugepage] sections of systemd units, following systemd's signals");
}

bool resolver_reconnect(struct resolver *r, bool enabled)
{
	/* The bus went away (dbus restarted) or was never there: try again. */
	bool lost = r->units && !hp_units_connected(r->units);

	if (lost) {
		log_warning("lost the system bus, connecting again");
		units_close(r);
	}
	if (r->units)
		return false;
	resolver_setup(r, enabled);
	/* Answers from the old connection, or none at all: ask again. */
	return lost || r->units;
}

static void ucache_set_stale(struct resolver *r, struct ucache *uc)
{
	if (uc->stale)
		return;
	uc->stale = true;
	(void)strmap_remove(&r->by_path, uc->path, NULL);
}

/*
 * A stale entry that a group still uses (matching it again failed, for
 * want of memory) stays until that group is matched again: by the next
 * change, or by the rescan.
 */
void resolver_sweep(struct resolver *r)
{
	for (size_t i = r->n; i-- > 0;) {
		if (!r->v[i]->stale || r->v[i]->users > 0 || r->v[i]->pending)
			continue;
		ucache_free(r->v[i]);
		r->v[i] = r->v[--r->n];
	}
}

/* The unit a cgroup would be the own cgroup of: its last component. */
static const char *unit_name_of(const char *path)
{
	const char *last = strrchr(path, '/');

	return last ? last + 1 : path;
}

void resolver_mark_stale(struct resolver *r, const char *unit)
{
	char **paths;

	if (!unit) {
		for (size_t i = 0; i < r->n; i++)
			ucache_set_stale(r, r->v[i]);
		return;
	}
	/* Every entry that is not stale is of a cgroup seen, so it is in unit_paths. */
	paths = strmap_get(&r->unit_paths, unit, NULL);
	for (size_t i = 0; paths && paths[i]; i++) {
		struct ucache *uc = strmap_get(&r->by_path, paths[i], NULL);

		if (uc)
			ucache_set_stale(r, uc);
	}
}

int resolver_paths_of(struct resolver *r, const char *unit, char ***ret)
{
	_cleanup_(strv_freep) char **paths = NULL;
	size_t n = 0;
	char **list;

	if (unit) {
		list = strmap_get(&r->unit_paths, unit, NULL);
		for (size_t i = 0; list && list[i]; i++)
			if (strv_push_len(&paths, &n, list[i]) < 0)
				return -ENOMEM;
	} else {
		for (size_t it = 0; strmap_next(&r->unit_paths, &it, NULL, (void **)&list);)
			for (size_t i = 0; list && list[i]; i++)
				if (strv_push_len(&paths, &n, list[i]) < 0)
					return -ENOMEM;
	}
	*ret = TAKE_PTR(paths);
	return 0;
}

void resolver_rescan_begin(struct resolver *r)
{
	strmap_clear(&r->unit_paths, strv_free_value);
}

/* Records path (named like a unit) as seen; the paths of one name are few. */
int resolver_cgroup_seen(struct resolver *r, const char *path)
{
	const char *name = unit_name_of(path);
	char **paths;

	if (!hp_units_path_is_unit_like(path))
		return 0;
	paths = strmap_get(&r->unit_paths, name, NULL);
	if (strv_contains(paths, path))
		return 0;
	if (strv_push(&paths, path) < 0)
		return -ENOMEM;
	/* strv_push() may have moved the list: store it again. */
	if (strmap_put(&r->unit_paths, name, paths) < 0) {
		if (!strmap_contains(&r->unit_paths, name))
			strv_free(paths);
		return -ENOMEM;
	}
	return 0;
}

static bool unit_path_seen(struct resolver *r, const char *path)
{
	return strv_contains(strmap_get(&r->unit_paths, unit_name_of(path), NULL), path);
}

void resolver_rescan_end(struct resolver *r)
{
	for (size_t i = 0; i < r->n; i++)
		if (!unit_path_seen(r, r->v[i]->path))
			ucache_set_stale(r, r->v[i]);
	resolver_sweep(r);
}

/* Drops the paths under prefix (strmap_remove_if(): true if none are left). */
static bool unit_paths_drop_under(const char *name, void *value, void *prefix)
{
	(void)name;
	(void)strv_remove_under(value, prefix);
	return !((char **)value)[0];
}

void resolver_forget_under(struct resolver *r, const char *prefix)
{
	(void)strmap_remove_if(&r->unit_paths, unit_paths_drop_under, (void *)prefix, strv_free_value);
	for (size_t i = 0; i < r->n; i++)
		if (path_startswith(r->v[i]->path, prefix))
			ucache_set_stale(r, r->v[i]);
	resolver_sweep(r);
}

/* systemd's answer about uc->path (cookie). */
static void on_answer(void *cookie, int error, struct hp_unit_info *info, void *userdata)
{
	struct resolver *r = userdata;
	struct ucache *uc = cookie;
	int e;

	assert(uc->pending && r->n_pending > 0);
	uc->pending = false;
	r->n_pending--;
	if (!error) {
		uc->info = *info;
		*info = (struct hp_unit_info){ 0 };
		r->error_logged = false;
		e = hp_unit_policy_build(uc->info.unit, uc->info.files, hp_policy_find(r->policies, uc->path),
					 &uc->policy);
		uc->has_policy = e > 0;
		uc->failed = e == -EINVAL;
	} else {
		uc->miss = true;
		uc->expires = now_usec() + (error == -ENOENT ? RESOLVER_MISS_USEC : RESOLVER_ERROR_USEC);
		if (error != -ENOENT && !r->error_logged) {
			r->error_logged = true;
			log_warning_errno(error, "%s: cannot ask systemd for its unit, using policy files only",
					  uc->path);
		}
	}
	/* Answered at once (in resolver_resolve()), or for a question no longer wanted. */
	if (uc == r->asking)
		return;
	if (uc->stale) {
		resolver_sweep(r);
		return;
	}
	r->answered(uc->path, r->userdata);
}

/* A new entry for path, asking systemd.  NULL for want of memory. */
static struct ucache *ucache_ask(struct resolver *r, const char *path)
{
	_cleanup_(freep) struct ucache *uc = calloc(1, sizeof(*uc));
	int e;

	if (!uc || !(uc->path = strdup(path)))
		return NULL;
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		struct ucache **nv = realloc(r->v, cap * sizeof(*nv));

		if (!nv) {
			free(uc->path);
			return NULL;
		}
		r->v = nv;
		r->cap = cap;
	}
	if (strmap_put(&r->by_path, path, uc) < 0) {
		free(uc->path);
		return NULL;
	}
	r->v[r->n++] = uc;
	uc->pending = true;
	r->n_pending++;
	r->lookups++;
	r->asking = uc;
	e = hp_units_lookup(r->units, path, uc);
	r->asking = NULL;
	if (e < 0 && uc->pending) {
		/* Not asked: no answer will come. */
		uc->pending = false;
		r->n_pending--;
		uc->miss = true;
		uc->expires = now_usec() + (e == -ENOENT ? RESOLVER_MISS_USEC : RESOLVER_ERROR_USEC);
		if (e != -ENOENT)
			log_warning_errno(e, "%s: cannot ask systemd for its unit, using policy files only", path);
	}
	return TAKE_PTR(uc);
}

const struct hp_policy *resolver_resolve(struct resolver *r, const char *path, struct ucache **ret_uc,
					 bool *pending)
{
	const struct hp_policy *fp = hp_policy_find(r->policies, path);
	struct ucache *uc;

	*ret_uc = NULL;
	*pending = false;
	if (!r->units || !hp_units_path_is_unit_like(path))
		return fp;
	uc = strmap_get(&r->by_path, path, NULL);
	/* A miss is remembered for a while: then asked again. */
	if (uc && uc->miss && now_usec() >= uc->expires) {
		ucache_set_stale(r, uc);
		uc = NULL;
	}
	if (!uc)
		uc = ucache_ask(r, path);
	if (!uc)
		return fp;
	if (uc->pending) {
		*pending = true;
		return NULL;
	}
	if (uc->miss)
		return fp;
	*ret_uc = uc;
	return uc->has_policy ? &uc->policy : fp;
}
