/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon's state and event sources: the cgroup tree (inotify and a
 * slow rescan), PSI (triggers, or sampling where triggers are refused),
 * the decision step and the backend, the status file, reload.
 */
#pragma once

#include <systemd/sd-event.h>

#include "backend.h"
#include "conf.h"
#include "decide.h"

struct manager_options {
	const char *config_path;
	char **policy_dirs;
	bool check_owner;
	const char *cgroup_root;	/* NULL: find it through libcgroup */
	const char *pressure_dir;	/* /proc/pressure */
	const char *run_dir;		/* /run/hugepaged */
	enum hp_backend_kind backend;	/* --backend; auto: Backend= of the configuration */
	struct hp_backend_paths paths;	/* where each backend's kernel files are */
};

struct manager;

/* Loads the configuration, opens the backend it names, adopts what the kernel runs. */
int manager_new(const struct manager_options *o, struct manager **ret);
void manager_free(struct manager *m);
static inline void manager_freep(struct manager **m)
{
	if (*m)
		manager_free(*m);
}
/* Runs until SIGTERM/SIGINT; returns 0 or a negative errno. */
int manager_run(struct manager *m);
