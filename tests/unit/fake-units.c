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

struct hp_units {
	int dummy;
};

void hp_unit_info_done(struct hp_unit_info *u)
{
	free(u->unit);
	strv_free(u->files);
	*u = (struct hp_unit_info){ 0 };
}

int hp_units_open(sd_event *event, hp_units_changed_t changed, void *userdata, struct hp_units **ret)
{
	(void)event;
	units_changed = changed;
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

int hp_units_lookup(struct hp_units *u, const char *path, struct hp_unit_info *ret)
{
	_cleanup_(freep) char *file = NULL;
	struct hp_unit_info info = { 0 };

	(void)u;
	if (!hp_units_path_is_unit_like(path))
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
