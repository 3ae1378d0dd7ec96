/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading cgroup v2 files relative to a root directory, so that the same
 * code runs on the real hierarchy and on fixture trees (tests/fixtures/).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "util.h"

/*
 * Finds the cgroup v2 mount through libcgroup (the mount of the memory
 * controller), checks that it is cgroup2 with PSI, and returns its path.
 * -ENOMEDIUM if the memory controller is on cgroup v1 (hybrid/legacy).
 */
int hp_cgroup_find_root(char **ret);

/*
 * The texts of cgroup.events ("populated 0|1") and memory.stat ("anon N",
 * "anon_thp N"), in the kernel's form only: "key value" lines, the value
 * in decimal digits.  -EINVAL if the key is missing or malformed.
 */
int hp_cgroup_events_parse(const char *text, bool *populated);
int hp_memory_stat_parse(const char *text, uint64_t *anon, uint64_t *anon_thp);

/* "populated 1" in cgroup.events of root_fd/path. */
int hp_cgroup_read_populated(int root_fd, const char *path, bool *ret);
/* anon and anon_thp of memory.stat. */
int hp_cgroup_read_memory(int root_fd, const char *path, uint64_t *anon, uint64_t *anon_thp);
/* "some total=" and avg10 of a PSI file (memory.pressure, /proc/pressure/...). */
int hp_psi_read(int dir_fd, const char *name, uint64_t *some_total, unsigned *avg10_bp);

/*
 * Walks every cgroup directory below root_fd (the root itself is "/"),
 * calling fn with the path relative to the root ("/a/b"), names starting
 * with a dot included (they are cgroups too).  A directory that vanishes
 * during the walk is skipped.  fn returning < 0 stops the
 * walk with that value.  Returns the number of cgroups visited.
 */
typedef int (*hp_cgroup_walk_fn)(const char *path, void *userdata);
int hp_cgroup_walk(int root_fd, hp_cgroup_walk_fn fn, void *userdata);
/*
 * The same, with each directory's inode number (on cgroupfs, the cgroup's
 * id: a cgroup removed and made again under the same path has another).
 * fn may return HP_WALK_SKIP: the directory is known (from its inotify
 * watch) to have no subdirectory, so it is not looked at.  leaf, if not
 * NULL, is told for each directory looked at whether it had none.
 */
#define HP_WALK_SKIP 1
typedef int (*hp_cgroup_walk_ino_fn)(const char *path, uint64_t ino, void *userdata);
typedef void (*hp_cgroup_walk_leaf_fn)(const char *path, bool leaf, void *userdata);
int hp_cgroup_walk_ino(int root_fd, hp_cgroup_walk_ino_fn fn, hp_cgroup_walk_leaf_fn leaf, void *userdata);

/* Does a /proc/PID/status text say "THP_enabled: 0" (prctl PR_SET_THP_DISABLE)? */
bool hp_proc_status_thp_disabled(const char *text);
/*
 * Counts the processes of the cgroup path and of every cgroup below it
 * (their cgroup.procs) and those with huge pages disabled, reading
 * PID/status relative to proc_fd (/proc).
 */
int hp_cgroup_count_thp_disabled(int root_fd, const char *path, int proc_fd, unsigned *procs,
				 unsigned *disabled);
