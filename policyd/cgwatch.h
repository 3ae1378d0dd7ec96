/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The cgroup watcher: the cgroup tree under inotify (a watch on every
 * directory, and on the cgroup.events of the groups the daemon tracks),
 * the walk of the tree (at start, after a reload, every RescanIntervalSec=
 * and after lost events), and what they report: a cgroup seen, with its
 * cgroup id; a cgroup removed; a cgroup's cgroup.events changed.
 *
 * A cgroup is known by its cgroup id (on cgroupfs, the inode number of its
 * directory: what name_to_handle_at() and statx() report), not by its
 * path: a cgroup removed and made again under the same path has a new id,
 * and is a new cgroup to whoever follows this watcher.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "util.h"

struct cgwatch_ops {
	/*
	 * A cgroup directory, seen by a walk or reported by inotify, with its
	 * cgroup id.  < 0 stops the walk with that error.
	 */
	int (*seen)(const char *path, uint64_t id, void *userdata);
	/* path and everything below it were removed. */
	void (*removed)(const char *path, void *userdata);
	/* The cgroup.events of path changed (a watch of cgroup_events_watch()). */
	void (*events)(const char *path, void *userdata);
	/* Events were lost: a rescan should follow soon (it looks everywhere). */
	void (*lost)(void *userdata);
};

/* inotify watch descriptors: directories and cgroup.events files. */
struct cgwatch_wd {
	char *path;		/* cgroup path; NULL if free */
	bool events;		/* cgroup.events of path, else the directory */
	uint64_t ino;		/* the directory's cgroup id when watched (0: not known) */
	bool leaf;		/* no subdirectory when last looked at, and none reported since */
};

struct cgwatch {
	const struct cgwatch_ops *ops;
	void *userdata;
	const char *root;	/* the cgroup root's path (not owned) */
	int root_fd;		/* (not owned) */
	const usec_t *rescan_interval;	/* for the message at the watch limit */

	int inotify_fd;
	sd_event_source *source;
	struct cgwatch_wd *wds;	/* indexed by wd */
	size_t n_wds;
	struct strmap dir_wds;	/* directory path -> its wd + 1 */
	bool full_rescan;	/* events were lost: look into every directory */
	bool limit_logged;
	unsigned n_cgroups;	/* seen by the last walk */
};

/* Sets w up (inotify, its event source): nothing is watched before cgwatch_rescan(). */
int cgwatch_init(struct cgwatch *w, sd_event *event, int root_fd, const char *root,
		 const usec_t *rescan_interval, const struct cgwatch_ops *ops, void *userdata);
void cgwatch_done(struct cgwatch *w);

/* Walks the whole tree, calling ops->seen on every cgroup: the safety net behind inotify. */
int cgwatch_rescan(struct cgwatch *w);
/* Reads and handles what inotify has queued. */
void cgwatch_dispatch(struct cgwatch *w);

/* Watches path's cgroup.events (ops->events): a wd for cgwatch_events_unwatch(), or -errno. */
int cgwatch_events_watch(struct cgwatch *w, const char *path);
void cgwatch_events_unwatch(struct cgwatch *w, int wd);

/* The cgroup id of path now, or -errno (-ENOENT: it is gone). */
int cgwatch_id(const struct cgwatch *w, const char *path, uint64_t *ret);
