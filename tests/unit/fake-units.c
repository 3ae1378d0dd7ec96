// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A fake of units.h (systemd over D-Bus) for tests and benchmarks of
 * manager.c: the unit of a cgroup named like one (*.service, *.slice) is
 * that name, and its only file units_dir/NAME if there is one.  The
 * caller says when systemd "reloaded" by calling units_changed().
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fake-units.h"
#include "util.h"

char units_dir[128];
hp_units_changed_t units_changed;
void *units_userdata;
unsigned units_lookups;
bool units_defer;
static hp_units_answer_t units_answer;
static void *deferred[256];
static size_t n_deferred;

struct hp_units {
	int dummy;
};

void hp_unit_info_done(struct hp_unit_info *u)
{
	free(u->unit);
	strv_free(u->files);
	*u = (struct hp_unit_info){ 0 };
}

int hp_units_open(sd_event *event, hp_units_changed_t changed, hp_units_answer_t answer, void *userdata,
		  struct hp_units **ret)
{
	(void)event;
	units_changed = changed;
	units_answer = answer;
	n_deferred = 0;
	units_userdata = userdata;
	*ret = calloc(1, sizeof(**ret));
	return *ret ? 0 : -ENOMEM;
}

void hp_units_free(struct hp_units *u)
{
	free(u);
}

bool hp_units_connected(struct hp_units *u)
{
	(void)u;
	return true;
}

bool hp_units_path_is_unit_like(const char *path)
{
	const char *last = strrchr(path, '/');
	size_t n;

	if (!last)
		return false;
	n = strlen(++last);
	return (n > 8 && !strcmp(last + n - 8, ".service")) || (n > 6 && !strcmp(last + n - 6, ".slice"));
}

/* What systemd would say about path: 0 with *ret, or -ENOENT. */
static int lookup_now(const char *path, struct hp_unit_info *ret)
{
	_cleanup_(freep) char *file = NULL;
	struct hp_unit_info info = { 0 };

	if (!hp_units_path_is_unit_like(path) || !strncmp(strrchr(path, '/') + 1, "ghost", 5))
		return -ENOENT;
	info.unit = strdup(strrchr(path, '/') + 1);
	if (!info.unit || asprintf(&file, "%s/%s", units_dir, info.unit) < 0) {
		hp_unit_info_done(&info);
		return -ENOMEM;
	}
	/* A unit without a file (transient) has no files, as systemd says. */
	if (access(file, F_OK) == 0 && strv_push(&info.files, file) < 0) {
		hp_unit_info_done(&info);
		return -ENOMEM;
	}
	*ret = info;
	return 0;
}

struct question {
	char *path;
	void *cookie;
};

static void answer(const char *path, void *cookie)
{
	struct hp_unit_info info = { 0 };
	int r = lookup_now(path, &info);

	units_answer(cookie, r, r < 0 ? NULL : &info, units_userdata);
	hp_unit_info_done(&info);
}

int hp_units_lookup(struct hp_units *u, const char *path, void *cookie)
{
	struct question *q = NULL;

	(void)u;
	units_lookups++;
	if (!units_defer) {
		answer(path, cookie);
		return 0;
	}
	if (n_deferred == ELEMENTSOF(deferred) || !(q = calloc(1, sizeof(*q))) || !(q->path = strdup(path))) {
		free(q);
		return -ENOMEM;
	}
	q->cookie = cookie;
	deferred[n_deferred++] = q;
	return 0;
}

size_t units_answer_deferred(void)
{
	size_t n = n_deferred;

	n_deferred = 0;
	for (size_t i = 0; i < n; i++) {
		struct question *q = deferred[i];

		answer(q->path, q->cookie);
		free(q->path);
		free(q);
	}
	return n;
}
