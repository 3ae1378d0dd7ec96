/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hugepaged's configuration: the main file (hugepaged.conf and its
 * hugepaged.conf.d/ drop-ins) and the policies (policies.d/ directories in
 * systemd's manner).  Parsing only: nothing here touches cgroups.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* "Over bp basis points of time stalled for at least duration". */
struct hp_limit {
	unsigned bp;		/* 0 = no limit */
	usec_t duration;
};

enum hp_tuning_mode {
	HP_TUNING_UNSET = 0,
	HP_TUNING_THRESHOLD,
	HP_TUNING_GOAL,
};
const char *hp_tuning_mode_name(enum hp_tuning_mode m);

/*
 * What the module runs with (module parameters).  A zero field is "not
 * set": the next level down (policy -> main config -> module default)
 * applies.
 */
struct hp_tuning {
	enum hp_tuning_mode mode;	/* Tuning= -> tuning */
	unsigned goal_bp;		/* GoalShare= -> goal_share_bp */
	unsigned min_access;		/* MinAccess= -> min_access_floor */
	unsigned quota_ms;		/* QuotaTime= -> quota_ms */
	uint64_t quota_bytes;		/* QuotaSize= -> quota_sz */
};

/* Main configuration, [Daemon], [Pressure] and [Tuning] of hugepaged.conf. */
struct hp_config {
	unsigned kdamond_limit;		/* KdamondLimit=, 1..64 */
	usec_t rescan_interval;		/* RescanIntervalSec= */
	usec_t refresh_interval;	/* RefreshIntervalSec= */
	usec_t resume_delay;		/* ResumeDelaySec= */
	usec_t hold_time;		/* HoldSec= */
	unsigned challenge_margin_pct;	/* ChallengeMargin= */
	bool stop_on_exit;		/* StopFeedingOnExit= */
	bool unit_sections;		/* UnitSections=: read [X-Hugepage] of systemd units */
	struct hp_limit system_memory;	/* SystemMemoryLimit=, SystemMemoryDurationSec= */
	struct hp_limit system_cpu;	/* SystemCPULimit=, SystemCPUDurationSec= */
	struct hp_limit group_memory;	/* MemoryPressureLimit=, MemoryPressureDurationSec= */
	struct hp_tuning tuning;	/* [Tuning] */
};

void hp_config_defaults(struct hp_config *c);

/*
 * Loads path (a missing file is not an error) and then path.d/\*.conf in
 * lexical order.  A bad entry is logged with its file and line and
 * skipped: the default or the earlier value stays.  Each file is opened
 * once, without following a symbolic link and without blocking; with
 * check_owner, files and their directories must be root's and not
 * writable by others.  Returns the number of errors logged (>= 0), or a
 * negative errno if path cannot be used for a reason other than absence
 * (unreadable, not a regular file, refused by the owner checks).
 */
int hp_config_load(const char *path, bool check_owner, struct hp_config *ret);
/*
 * Parses text[0..len) (label names it in messages) on top of c, as one
 * file of hp_config_load(): the number of errors logged, or -ENOMEM.
 */
int hp_config_parse_text(const char *label, const char *text, size_t len, struct hp_config *c);

/* A policy: [Match] selects cgroups, [Policy] says how to treat them. */
struct hp_policy {
	char *name;		/* file name ("50-db.conf") or unit name */
	char *source;		/* path of the file it came from */
	/* [Match]: every kind given must match; any entry of a kind may. */
	char **cgroup_globs;	/* CgroupPath=, fnmatch() on "/a/b" */
	char **slices;		/* Slice=, "db.slice" */
	char **units;		/* Unit=, the cgroup's own name "x.service" */
	/* [Policy] */
	int priority;		/* Priority=, -1000..1000, default 0 */
	uint64_t min_size;	/* MinSize=, anonymous bytes, default 0 */
	bool memory_limit_set;	/* MemoryPressureLimit= given (0% disables) */
	bool memory_duration_set;	/* MemoryPressureDurationSec= given */
	struct hp_limit memory;	/* MemoryPressureLimit=, MemoryPressureDurationSec= */
	struct hp_tuning tuning;

	unsigned set;		/* [X-Hugepage]: bit per key given (unit_section_keys order) */
	bool has_section;	/* unit files: an [X-Hugepage] section was there */
	char *unit;		/* for a unit's policy: the unit's name */
	char **sources;		/* every file applied, in order (a policy file: itself) */
	bool kept;		/* a reload kept this version: the new one has errors */
};

struct hp_policy_set {
	struct hp_policy *v;	/* in lexical order of file names */
	size_t n;
	char **failed;		/* names of the files skipped for errors */
};

void hp_policy_set_free(struct hp_policy_set *s);

/*
 * Collects *.conf from dirs (lowest precedence first: a file of the same
 * name in a later directory replaces an earlier one; an empty file or a
 * symlink to /dev/null masks the name) and parses them in lexical order.
 * A file with any error is logged and skipped.  Each file is opened once,
 * without following a symbolic link and without blocking: anything but a
 * regular file (a FIFO, another link) is refused.  Files, and the
 * directories holding them, not owned by root or writable by others are
 * refused unless owner checks are disabled (tests running unprivileged).
 * Returns the number of files skipped (>= 0) or a negative errno on
 * allocation failure.
 */
int hp_policies_load(char *const *dirs, bool check_owner, struct hp_policy_set *ret);

/*
 * For a reload: each file that failed in next but loaded in prev keeps its
 * previous version (moved from prev into next, in lexical order), so that
 * a broken edit loses nothing.  Returns how many were kept, or -ENOMEM.
 */
int hp_policy_set_keep_failed(struct hp_policy_set *next, struct hp_policy_set *prev);

/*
 * Parses one policy from a file in systemd's unit file syntax; section is
 * the name of the section carrying [Policy] keys ("Policy", or "X-Hugepage" in unit files, where
 * [Match] is not allowed and the unit is the match).  Errors are logged
 * naming file and line.  0 on success, -EINVAL after logging otherwise.
 */
int hp_policy_parse_file(const char *path, const char *name, const char *section,
			 struct hp_policy *ret);
/* The same, from text[0..len) (label names it in messages). */
int hp_policy_parse_text(const char *label, const char *name, const char *section, const char *text, size_t len,
			 struct hp_policy *ret);
void hp_policy_done(struct hp_policy *p);

/*
 * The policy of a systemd unit's own cgroup: base (the first matching
 * policy file, or NULL for the defaults) with the [X-Hugepage] sections of
 * files (the unit file, then its drop-ins, in systemd's order) applied on
 * top, key by key, as systemd applies drop-ins.  Returns 1 with *ret set
 * (name and unit = unit, sources = base's file and the files with a
 * section), 0 if no file has an [X-Hugepage] section, -EINVAL if a section
 * has errors (logged with file and line: the unit's sections are ignored
 * whole), or -ENOMEM.
 */
int hp_unit_policy_build(const char *unit, char *const *files, const struct hp_policy *base,
			 struct hp_policy *ret);

/* The policy's memory pressure limit, each part defaulting to dflt's. */
struct hp_limit hp_policy_memory_limit(const struct hp_policy *p, const struct hp_limit *dflt);

/*
 * Does the policy match the cgroup path ("/a.slice/b.service")?
 * CgroupPath= globs the whole path.  Unit= globs the cgroup's own name;
 * Slice= globs the cgroup's own name when no Unit= is given (the slice is
 * fed as one group), and an ancestor's name otherwise (units in a slice).
 */
bool hp_policy_matches(const struct hp_policy *p, const char *cgroup_path);
/* The first policy (lexical order) matching path, or NULL. */
const struct hp_policy *hp_policy_find(const struct hp_policy_set *s, const char *cgroup_path);

/* The effective tuning: policy over config; unset fields stay 0. */
struct hp_tuning hp_tuning_merge(const struct hp_tuning *over, const struct hp_tuning *under);
