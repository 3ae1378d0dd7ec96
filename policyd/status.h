/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The two status readouts hugepagectl joins:
 *
 * 1. hugepaged's view, written atomically to /run/hugepaged/status:
 *
 *    # hugepaged 1
 *    daemon pid=N start_time=N updated_us=N backend=module|dry-run kdamond_limit=N matched=N fed=N
 *           system=ok|paused memory_some_bp=N cpu_some_bp=N reason=TEXT
 *    group path=P policy=NAME priority=N decision=D rank=N fed_since_us=N populated=0|1
 *          anon_bytes=N anon_huge_bytes=N memory_state=S memory_some_bp=N
 *          memory_limit_bp=N reason=TEXT
 *
 *    config reloads=N reload_us=N reload_errors=N units=0|1 policy_errors=N reason=TEXT
 *    policy name=NAME kind=file|unit state=loaded|kept|failed sources=P,P
 *           priority=N min_size=N memory_limit_bp=N tuning=MODE
 *
 *    (each record on one line; group records also carry unit=NAME and
 *    sources=P,P, the files behind the group's policy).  reloads counts
 *    completed reloads (SIGHUP), reload_errors the reloads that met an
 *    error (a main configuration or policy file with errors, or files
 *    that could not be read) and kept some of the previous configuration;
 *    units says whether [X-Hugepage] sections
 *    of systemd units are read, and reason why not.  Values have no spaces: space, tab,
 *    newline, '=', ',' and backslash in paths and names are written as \xHH.
 *    A missing value is "-" (so a value "-" is written \x2d).  A list is
 *    its entries joined by ',': "-" is the empty list, "" one empty entry,
 *    "," two.
 *    reason= is always last and runs to the end of the line.  Times are
 *    CLOCK_REALTIME microseconds; shares are basis points (10000 = 100%).
 *    start_time is the daemon's /proc/PID/stat start time (clock ticks
 *    after boot), so that hugepagectl can tell the daemon from a process
 *    that reuses its pid after it is gone (0 or absent: unknown).
 *    Unknown keys are ignored by readers, so keys can be added.
 *
 * 2. The kernel's /proc/damon_hugepage (Documentation/admin-guide/mm/
 *    damon/hugepage.rst): "# damon_hugepage 1 enabled=Y max_kdamonds=N",
 *    then "group=cgroup:/P kdamond=N state=S procs=N ..." per group.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hp_status_policy {
	char *name;
	char *kind;		/* "file" or "unit" */
	char *state;		/* "loaded", "kept" (a broken edit kept the last good one), "failed" */
	char **sources;
	int priority;
	uint64_t min_size;
	unsigned memory_limit_bp;	/* effective: the policy's or the config's */
	char *tuning;
};

struct hp_status_group {
	char *path;
	char *policy;
	char *unit;		/* the systemd unit whose own cgroup this is, or NULL */
	char **sources;		/* files behind the policy */
	int priority;
	char *decision;
	unsigned rank;
	uint64_t fed_since_us;
	bool populated;
	uint64_t anon_bytes;
	uint64_t anon_huge_bytes;
	char *memory_state;
	unsigned memory_some_bp;
	unsigned memory_limit_bp;
	char *reason;
};

struct hp_status {
	int pid;
	uint64_t start_time;	/* of pid, /proc/PID/stat field 22; 0 if unknown */
	uint64_t updated_us;
	char *backend;
	unsigned kdamond_limit;
	unsigned matched;
	unsigned fed;
	bool system_paused;
	unsigned memory_some_bp;
	unsigned cpu_some_bp;
	char *reason;
	unsigned reloads;
	uint64_t reload_us;
	unsigned reload_errors;
	bool units;
	unsigned policy_errors;
	char *units_reason;
	struct hp_status_policy *policies;
	size_t n_policies;
	struct hp_status_group *groups;
	size_t n_groups;
};

/* Formats s into a new string (*ret, to be freed).  0 or -ENOMEM. */
int hp_status_format(const struct hp_status *s, char **ret);
/* Parses text; -EINVAL (with *line set, 1-based) on a malformed file. */
int hp_status_parse(const char *text, struct hp_status *ret, unsigned *line);
void hp_status_done(struct hp_status *s);

struct hp_kgroup {
	char *group;		/* "cgroup:/P" or "pid:N" */
	int kdamond;		/* -1: none */
	char *state;		/* running, idle:no_processes, refused:kdamond_limit, ... */
	unsigned procs;
	char *tuning;
	unsigned min_access;
	unsigned goal_bp;
	unsigned share_bp;
	uint64_t anon_bytes;
	uint64_t anon_huge_bytes;
	uint64_t nr_tried;
	uint64_t tried_bytes;
	uint64_t nr_collapsed;
	uint64_t collapsed_bytes;
	uint64_t failed_bytes;
	uint64_t quota_exceeds;
	char *wmark;
};

struct hp_kstatus {
	bool enabled;
	unsigned max_kdamonds;
	struct hp_kgroup *groups;
	size_t n_groups;
};

int hp_kstatus_parse(const char *text, struct hp_kstatus *ret, unsigned *line);
void hp_kstatus_done(struct hp_kstatus *k);
/* The record of cgroup path ("/a/b") or NULL. */
const struct hp_kgroup *hp_kstatus_find_cgroup(const struct hp_kstatus *k, const char *path);
