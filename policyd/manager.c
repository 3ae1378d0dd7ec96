// SPDX-License-Identifier: GPL-2.0-or-later
#include "manager.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <string.h>
#include <sys/inotify.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include "cgroup.h"
#include "log.h"
#include "status.h"
#include "units.h"

/* A PSI file watched with a trigger, or sampled if triggers are refused. */
struct psi_watch {
	struct manager *m;
	char *label;		/* "system memory", "/a/b memory" */
	int dir_fd;		/* directory of the file (not owned) */
	char *name;		/* file name relative to dir_fd */
	int trigger_fd;
	sd_event_source *io;
	sd_event_source *timer;
	bool polling;
	const struct hp_limit *limit;
	struct hp_pressure *state;	/* &own, or the group's, which decide.c reads */
	struct hp_pressure own;
};

/*
 * What systemd said about a unit's own cgroup, and the policy its
 * [X-Hugepage] sections make.  Groups point at .policy: an entry made
 * stale by a change is freed only once no group points at it (users).
 */
struct ucache {
	char *path;
	struct hp_unit_info info;
	bool has_policy;	/* the unit has [X-Hugepage] sections: .policy */
	bool failed;		/* its sections have errors: the policy files apply */
	bool stale;
	unsigned users;		/* groups whose g.policy is &.policy */
	struct hp_policy policy;
};

/* A cgroup that matched a policy. */
struct mgroup {
	struct hp_group g;	/* first: decide.c sees these */
	size_t idx;		/* in manager.groups */
	struct ucache *policy_uc;	/* the unit entry g.policy points into, or NULL */
	char *unit;		/* the systemd unit whose own cgroup this is */
	bool unit_thp_disabled;	/* that unit has MemoryTHP=disable */
	struct psi_watch memory;
	int events_wd;		/* inotify watch of cgroup.events */
	uint64_t last_tried_bytes;
	bool seen;		/* during a rescan */
	enum hp_decision logged;	/* last decision logged */
	bool logged_once;
};

/* inotify watch descriptors: directories and cgroup.events files. */
struct watch {
	char *path;		/* cgroup path; NULL if free */
	bool events;		/* cgroup.events of path, else the directory */
	uint64_t ino;		/* the directory's inode when watched (0: not known) */
	bool leaf;		/* no subdirectory when last looked at, and none reported since */
};

struct manager {
	struct manager_options o;
	sd_event *event;
	struct hp_config cfg;
	struct hp_policy_set policies;
	struct hp_backend *backend;

	char *cgroup_root;
	int cgroup_fd;
	int pressure_fd;

	int inotify_fd;
	sd_event_source *inotify_source;
	struct watch *watches;	/* indexed by wd */
	size_t n_watches;
	struct strmap dir_watches;	/* directory path -> its wd + 1 */
	bool full_rescan;		/* events were lost: look into every directory */
	bool watch_limit_logged;

	struct mgroup **groups;
	size_t n_groups;
	struct strmap group_by_path;	/* path -> struct mgroup * */

	struct psi_watch sys_memory, sys_cpu;
	struct hp_system_state sys;

	sd_event_source *rescan_timer, *refresh_timer, *decide_defer;
	unsigned n_cgroups;		/* seen by the current rescan */

	int proc_fd;			/* /proc, for the processes' THP_enabled */
	bool settle;			/* a group was just populated: refresh in SETTLE_USEC */

	/* systemd units: NULL without a system bus or with UnitSections=no. */
	struct hp_units *units;
	char units_reason[128];		/* why there is none */
	bool units_error_logged;
	struct ucache **ucache;
	size_t n_ucache, ucache_cap;
	struct strmap ucache_by_path;	/* path -> its entry that is not stale */
	struct strmap unit_paths;	/* unit name -> char **: the cgroups seen named so */

	unsigned reloads;
	uint64_t reload_rt;		/* CLOCK_REALTIME of the last reload */
	unsigned reload_errors;		/* reloads that kept some of the old configuration */
	uint64_t start_time;		/* ours, /proc/self/stat: with the pid, says who wrote the status */
};

static void psi_watch_done(struct psi_watch *w)
{
	w->io = sd_event_source_disable_unref(w->io);
	w->timer = sd_event_source_disable_unref(w->timer);
	if (w->trigger_fd >= 0)
		close(w->trigger_fd);
	w->trigger_fd = -1;
	free(w->label);
	free(w->name);
	w->label = w->name = NULL;
}

static void units_setup(struct manager *m);

static void schedule_decide(struct manager *m)
{
	sd_event_source_set_enabled(m->decide_defer, SD_EVENT_ONESHOT);
}

static void schedule_rescan_soon(struct manager *m)
{
	sd_event_source_set_time_relative(m->rescan_timer, 100 * USEC_PER_MSEC);
	sd_event_source_set_enabled(m->rescan_timer, SD_EVENT_ONESHOT);
}

/* Takes one sample of w and arms its timer as the state machine asks. */
static void psi_watch_sample(struct psi_watch *w, bool triggered)
{
	bool was_paused = hp_pressure_paused(w->state);
	uint64_t total;
	unsigned avg10_bp;
	usec_t next, now = now_usec();
	int r;

	r = hp_psi_read(w->dir_fd, w->name, &total, &avg10_bp);
	if (r < 0) {
		log_debug_errno(r, "%s pressure: cannot read %s", w->label, w->name);
		return;
	}
	next = hp_pressure_sample(w->state, w->limit, w->m->cfg.resume_delay, now, total, triggered,
				  w->polling);
	if (next) {
		sd_event_source_set_time(w->timer, next);
		sd_event_source_set_enabled(w->timer, SD_EVENT_ONESHOT);
	} else {
		sd_event_source_set_enabled(w->timer, SD_EVENT_OFF);
	}
	if (hp_pressure_paused(w->state) != was_paused) {
		char a[16], b[16];

		log_full(LOG_INFO, 0, &(struct log_fields){ .message_id = HP_MESSAGE_PRESSURE },
			 "%s pressure: %s (some %s, limit %s)", w->label,
			 hp_pressure_paused(w->state) ? "over the limit, pausing" : "back below the limit, resuming",
			 format_bp(a, sizeof(a), w->state->share_bp), format_bp(b, sizeof(b), w->limit->bp));
		schedule_decide(w->m);
	}
}

static int on_psi_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	(void)s;
	(void)usec;
	psi_watch_sample(userdata, false);
	return 0;
}

static int on_psi_event(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct psi_watch *w = userdata;

	(void)fd;
	if (revents & (EPOLLERR | EPOLLHUP)) {
		/* The cgroup went away: the tree watch or the rescan will drop it. */
		sd_event_source_set_enabled(s, SD_EVENT_OFF);
		schedule_rescan_soon(w->m);
		return 0;
	}
	psi_watch_sample(w, true);
	return 0;
}

static bool is_psi_fs(int fd)
{
	struct statfs sfs;

	return fstatfs(fd, &sfs) == 0 && (sfs.f_type == PROC_SUPER_MAGIC || sfs.f_type == CGROUP2_SUPER_MAGIC);
}

/*
 * Sets up w on dir_fd/name with a PSI trigger for limit; where the kernel
 * refuses the trigger, samples every second instead.
 */
static int psi_watch_init(struct manager *m, struct psi_watch *w, const char *label, int dir_fd,
			  const char *name, const struct hp_limit *limit, struct hp_pressure *state)
{
	struct hp_pressure own = w->own;	/* kept across a reset */
	char trig[64];
	int r, n;

	*w = (struct psi_watch){ .m = m, .dir_fd = dir_fd, .trigger_fd = -1, .limit = limit, .own = own };
	w->state = state ? state : &w->own;
	w->label = strdup(label);
	w->name = strdup(name);
	if (!w->label || !w->name)
		return -ENOMEM;
	r = sd_event_add_time(m->event, &w->timer, CLOCK_MONOTONIC, USEC_INFINITY, 0, on_psi_timer, w);
	if (r < 0)
		return r;
	sd_event_source_set_enabled(w->timer, SD_EVENT_OFF);
	if (limit->bp == 0)
		return 0;

	n = hp_pressure_trigger(limit, trig, sizeof(trig));
	w->trigger_fd = openat(dir_fd, name, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	/* Only the kernel's PSI files take triggers (not fixture copies). */
	if (w->trigger_fd >= 0 && !is_psi_fs(w->trigger_fd)) {
		close(w->trigger_fd);
		w->trigger_fd = -1;
		errno = EOPNOTSUPP;
	}
	if (w->trigger_fd < 0 || n < 0 || write(w->trigger_fd, trig, n + 1) < 0) {
		log_debug_errno(-errno, "%s pressure: no trigger \"%s\", sampling every second", label, trig);
		if (w->trigger_fd >= 0)
			close(w->trigger_fd);
		w->trigger_fd = -1;
		w->polling = true;
	} else {
		r = sd_event_add_io(m->event, &w->io, w->trigger_fd, EPOLLPRI, on_psi_event, w);
		if (r < 0)
			return r;
	}
	/* A first sample: the baseline of the total, and the polling timer. */
	psi_watch_sample(w, false);
	return 0;
}

/* Sets w up again for a changed limit, keeping its pressure state. */
static int psi_watch_reset(struct manager *m, struct psi_watch *w, const struct hp_limit *limit)
{
	_cleanup_(freep) char *label = w->label ? strdup(w->label) : NULL;
	_cleanup_(freep) char *name = w->name ? strdup(w->name) : NULL;
	struct hp_pressure *state = w->state == &w->own ? NULL : w->state;
	int dir_fd = w->dir_fd;

	if (!label || !name)
		return -ENOMEM;
	psi_watch_done(w);
	return psi_watch_init(m, w, label, dir_fd, name, limit, state);
}

static void watch_forget(struct manager *m, int wd)
{
	struct watch *w;

	if (wd < 0 || (size_t)wd >= m->n_watches)
		return;
	w = &m->watches[wd];
	if (w->path && !w->events && strmap_get(&m->dir_watches, w->path, NULL) == (void *)(uintptr_t)(wd + 1))
		(void)strmap_remove(&m->dir_watches, w->path, NULL);
	free(w->path);
	w->path = NULL;
}

/*
 * Watches path's directory (or its cgroup.events).  ino: the directory's
 * inode as the walk saw it; a directory watched before under the same
 * inode keeps its watch without a system call, which is most of what a
 * rescan would otherwise cost (a directory made again under the same path
 * has another inode, and gets a watch of its own).
 */
static int watch_add(struct manager *m, const char *path, bool events, uint64_t ino)
{
	_cleanup_(freep) char *rel = NULL;
	uint32_t mask = events ? IN_MODIFY : (IN_CREATE | IN_DELETE | IN_ONLYDIR);
	int wd;

	if (!events && ino) {
		bool found;
		uintptr_t v = (uintptr_t)strmap_get(&m->dir_watches, path, &found);

		wd = (int)v - 1;
		if (found && wd >= 0 && (size_t)wd < m->n_watches && m->watches[wd].ino == ino &&
		    m->watches[wd].path && !strcmp(m->watches[wd].path, path))
			return wd;
	}

	if (asprintf(&rel, "%s%s%s", m->cgroup_root, path[1] ? path : "", events ? "/cgroup.events" : "") < 0)
		return -ENOMEM;
	wd = inotify_add_watch(m->inotify_fd, rel, mask);
	if (wd < 0) {
		if (errno == ENOSPC && !m->watch_limit_logged) {
			m->watch_limit_logged = true;
			log_warning("inotify watch limit reached at %s: the rescan every %" PRIu64
				    " s covers the rest (raise fs.inotify.max_user_watches)",
				    path, (uint64_t)(m->cfg.rescan_interval / USEC_PER_SEC));
		}
		return -errno;
	}
	if ((size_t)wd >= m->n_watches) {
		size_t n = MAX((size_t)wd + 1, m->n_watches * 2);
		struct watch *nw = realloc(m->watches, n * sizeof(*nw));

		if (!nw)
			return -ENOMEM;
		memset(nw + m->n_watches, 0, (n - m->n_watches) * sizeof(*nw));
		m->watches = nw;
		m->n_watches = n;
	}
	if (!m->watches[wd].path || strcmp(m->watches[wd].path, path)) {
		watch_forget(m, wd);
		m->watches[wd].path = strdup(path);
		if (!m->watches[wd].path)
			return -ENOMEM;
	}
	m->watches[wd].events = events;
	m->watches[wd].ino = events ? 0 : ino;
	m->watches[wd].leaf = false;
	if (!events && strmap_put(&m->dir_watches, path, (void *)(uintptr_t)(wd + 1)) < 0)
		return -ENOMEM;
	return wd;
}

static struct mgroup *group_find(struct manager *m, const char *path)
{
	return strmap_get(&m->group_by_path, path, NULL);
}

/* The index of path's group, or SIZE_MAX. */
static size_t group_index(struct manager *m, const char *path)
{
	struct mgroup *mg = group_find(m, path);

	return mg ? mg->idx : SIZE_MAX;
}

static struct hp_limit group_limit(struct manager *m, const struct hp_policy *p)
{
	return hp_policy_memory_limit(p, &m->cfg.group_memory);
}

/*
 * Are huge pages forbidden for the group: by its unit (MemoryTHP=disable),
 * or for every one of its processes (prctl(PR_SET_THP_DISABLE), which is
 * what MemoryTHP=disable does, and which systemd 252 cannot say)?
 */
static void group_check_thp(struct manager *m, struct mgroup *mg)
{
	unsigned procs = 0, disabled = 0;
	int r;

	mg->g.thp_off[0] = '\0';
	if (mg->unit_thp_disabled) {
		snprintf(mg->g.thp_off, sizeof(mg->g.thp_off), "%s sets MemoryTHP=disable", mg->unit);
		return;
	}
	if (m->proc_fd < 0 || !mg->g.populated)
		return;
	r = hp_cgroup_count_thp_disabled(m->cgroup_fd, mg->g.path, m->proc_fd, &procs, &disabled);
	if (r < 0) {
		log_debug_errno(r, "%s: cannot count its processes", mg->g.path);
		return;
	}
	if (procs > 0 && disabled == procs)
		snprintf(mg->g.thp_off, sizeof(mg->g.thp_off),
			 "huge pages are disabled for all %u of its processes (THP_enabled: 0, "
			 "prctl PR_SET_THP_DISABLE or MemoryTHP=disable)", procs);
}

/*
 * Re-reads what a group's decision depends on.  Its processes' THP state
 * (a walk of its cgroups and /proc) only with check_thp, or when it was
 * just populated: it changes at exec and prctl, which the settle refresh
 * and the rescan catch, and sizes are re-read far more often.
 */
static void group_refresh(struct manager *m, struct mgroup *mg, bool check_thp)
{
	bool was_populated = mg->g.populated;
	int r;

	r = hp_cgroup_read_populated(m->cgroup_fd, mg->g.path, &mg->g.populated);
	if (r < 0)
		log_debug_errno(r, "%s: cannot read cgroup.events", mg->g.path);
	/*
	 * A process joins its cgroup before it execs its program, which may
	 * disable huge pages (prctl) a moment later: look again soon.
	 */
	if (!was_populated && mg->g.populated) {
		m->settle = true;
		check_thp = true;
	}
	r = hp_cgroup_read_memory(m->cgroup_fd, mg->g.path, &mg->g.anon_bytes, &mg->g.anon_huge_bytes);
	if (r < 0)
		log_debug_errno(r, "%s: cannot read memory.stat", mg->g.path);
	if (check_thp)
		group_check_thp(m, mg);
}

/* Points the group at policy p, which lives in uc if it is uc's (unit sections). */
static void group_set_policy(struct mgroup *mg, const struct hp_policy *p, struct ucache *uc)
{
	struct ucache *owner = uc && p == &uc->policy ? uc : NULL;

	if (mg->policy_uc)
		mg->policy_uc->users--;
	mg->policy_uc = owner;
	if (owner)
		owner->users++;
	mg->g.policy = p;
}

static void group_free(struct manager *m, struct mgroup *mg)
{
	if (mg->events_wd >= 0) {
		inotify_rm_watch(m->inotify_fd, mg->events_wd);
		watch_forget(m, mg->events_wd);
	}
	psi_watch_done(&mg->memory);
	group_set_policy(mg, NULL, NULL);
	free(mg->g.path);
	free(mg->unit);
	free(mg);
}

static void group_remove(struct manager *m, size_t i, const char *why)
{
	struct mgroup *mg = m->groups[i];

	log_full(LOG_INFO, 0,
		 &(struct log_fields){ .cgroup = mg->g.path, .decision = "dropped", .reason = why,
				       .message_id = HP_MESSAGE_GROUP },
		 "%s: dropped (%s)%s", mg->g.path, why, mg->g.fed ? ", it was fed" : "");
	assert(mg->idx == i);
	(void)strmap_remove(&m->group_by_path, mg->g.path, NULL);
	group_free(m, mg);
	m->groups[i] = m->groups[--m->n_groups];
	if (i < m->n_groups)
		m->groups[i]->idx = i;
	schedule_decide(m);
}

static void group_set_unit(struct mgroup *mg, const struct ucache *uc)
{
	free(mg->unit);
	mg->unit = uc && uc->info.unit ? strdup(uc->info.unit) : NULL;
	mg->unit_thp_disabled = uc && uc->info.thp_disabled;
}

/* Starts tracking a cgroup that matched policy p (uc: its unit, or NULL). */
static int group_add(struct manager *m, const char *path, const struct hp_policy *p, struct ucache *uc)
{
	_cleanup_(freep) char *label = NULL, *file = NULL;
	struct mgroup *mg, **ng;
	int r;

	mg = calloc(1, sizeof(*mg));
	if (!mg)
		return -ENOMEM;
	mg->events_wd = -1;
	mg->memory.trigger_fd = -1;
	mg->g.path = strdup(path);
	ng = mg->g.path ? realloc(m->groups, (m->n_groups + 1) * sizeof(*ng)) : NULL;
	if (ng)
		m->groups = ng;
	if (!ng || strmap_put(&m->group_by_path, path, mg) < 0) {
		free(mg->g.path);
		free(mg);
		return -ENOMEM;
	}
	mg->idx = m->n_groups;
	m->groups[m->n_groups++] = mg;
	group_set_policy(mg, p, uc);
	group_set_unit(mg, uc);
	mg->g.memory_limit = group_limit(m, p);
	mg->g.decision = HP_DECISION_EMPTY;

	r = watch_add(m, path, true, 0);
	mg->events_wd = r >= 0 ? r : -1;
	if (asprintf(&label, "%s memory", path) < 0 ||
	    asprintf(&file, "%s%smemory.pressure", path + 1, path[1] ? "/" : "") < 0)
		return -ENOMEM;
	r = psi_watch_init(m, &mg->memory, label, m->cgroup_fd, file, &mg->g.memory_limit, &mg->g.memory);
	if (r < 0)
		log_warning_errno(r, "%s: cannot watch memory.pressure, ignoring", path);
	group_refresh(m, mg, true);
	log_full(LOG_INFO, 0, &(struct log_fields){ .cgroup = path, .decision = "matched", .message_id = HP_MESSAGE_GROUP },
		 "%s: matches %s %s (priority %d)", path, p->unit ? "the [X-Hugepage] sections of" : "policy",
		 p->name, p->priority);
	schedule_decide(m);
	return 0;
}

static void ucache_free(struct ucache *uc)
{
	free(uc->path);
	hp_unit_info_done(&uc->info);
	hp_policy_done(&uc->policy);
	free(uc);
}

/*
 * Frees the stale entries no group points at.  One that a group still
 * uses (matching it again failed, for want of memory) stays until that
 * group is matched again: by the next change, or by the rescan.
 */
static void ucache_sweep(struct manager *m)
{
	for (size_t i = m->n_ucache; i-- > 0;) {
		if (!m->ucache[i]->stale || m->ucache[i]->users > 0)
			continue;
		ucache_free(m->ucache[i]);
		m->ucache[i] = m->ucache[--m->n_ucache];
	}
}

/* The unit a cgroup would be the own cgroup of: its last component. */
static const char *unit_name_of(const char *path)
{
	const char *last = strrchr(path, '/');

	return last ? last + 1 : path;
}

static void strv_free_value(void *v)
{
	strv_free(v);
}

/* Records path (named like a unit) as seen; the paths of one name are few. */
static int unit_paths_add(struct manager *m, const char *path)
{
	const char *name = unit_name_of(path);
	char **paths = strmap_get(&m->unit_paths, name, NULL);

	if (strv_contains(paths, path))
		return 0;
	if (strv_push(&paths, path) < 0)
		return -ENOMEM;
	/* strv_push() may have moved the list: store it again. */
	if (strmap_put(&m->unit_paths, name, paths) < 0) {
		if (!strmap_contains(&m->unit_paths, name))
			strv_free(paths);
		return -ENOMEM;
	}
	return 0;
}

static bool unit_path_seen(struct manager *m, const char *path)
{
	return strv_contains(strmap_get(&m->unit_paths, unit_name_of(path), NULL), path);
}

/* Drops the paths under prefix (strmap_remove_if(): true if none are left). */
static bool unit_paths_drop_under(const char *name, void *value, void *prefix)
{
	(void)name;
	(void)strv_remove_under(value, prefix);
	return !((char **)value)[0];
}

static void ucache_set_stale(struct manager *m, struct ucache *uc)
{
	if (uc->stale)
		return;
	uc->stale = true;
	(void)strmap_remove(&m->ucache_by_path, uc->path, NULL);
}

/* Marks the entries of unit (NULL: of every unit) stale. */
static void ucache_mark_stale(struct manager *m, const char *unit)
{
	char **paths;

	if (!unit) {
		for (size_t i = 0; i < m->n_ucache; i++)
			ucache_set_stale(m, m->ucache[i]);
		return;
	}
	/* Every entry that is not stale is of a cgroup seen, so it is in unit_paths. */
	paths = strmap_get(&m->unit_paths, unit, NULL);
	for (size_t i = 0; paths && paths[i]; i++) {
		struct ucache *uc = strmap_get(&m->ucache_by_path, paths[i], NULL);

		if (uc)
			ucache_set_stale(m, uc);
	}
}

/*
 * The unit whose own cgroup is path and its [X-Hugepage] policy, asking
 * systemd once and keeping the answer until systemd signals a change.
 * base: the policy file matching path, which the sections override.
 */
static struct ucache *ucache_get(struct manager *m, const char *path, const struct hp_policy *base)
{
	struct ucache *uc = strmap_get(&m->ucache_by_path, path, NULL);
	int r;

	if (uc)
		return uc;
	uc = calloc(1, sizeof(*uc));
	if (!uc)
		return NULL;
	r = hp_units_lookup(m->units, path, &uc->info);
	if (r < 0) {
		/* Not cached: the unit may be registered a moment later (UnitNew). */
		if (r != -ENOENT && !m->units_error_logged) {
			m->units_error_logged = true;
			log_warning_errno(r, "%s: cannot ask systemd for its unit, using policy files only", path);
		}
		free(uc);
		return NULL;
	}
	m->units_error_logged = false;
	uc->path = strdup(path);
	if (uc->path && m->n_ucache == m->ucache_cap) {
		size_t cap = m->ucache_cap ? m->ucache_cap * 2 : 16;
		struct ucache **nv = realloc(m->ucache, cap * sizeof(*nv));

		if (nv) {
			m->ucache = nv;
			m->ucache_cap = cap;
		}
	}
	if (!uc->path || m->n_ucache == m->ucache_cap || strmap_put(&m->ucache_by_path, path, uc) < 0) {
		ucache_free(uc);
		return NULL;
	}
	m->ucache[m->n_ucache++] = uc;
	r = hp_unit_policy_build(uc->info.unit, uc->info.files, base, &uc->policy);
	uc->has_policy = r > 0;
	uc->failed = r == -EINVAL;
	return uc;
}

/*
 * The policy for path: the first matching policy file, overridden key by
 * key by the [X-Hugepage] sections of the unit whose own cgroup it is.
 * *ret_uc: that unit, if any.  NULL if neither applies.
 */
static const struct hp_policy *resolve(struct manager *m, const char *path, struct ucache **ret_uc)
{
	const struct hp_policy *fp = hp_policy_find(&m->policies, path);
	struct ucache *uc;

	*ret_uc = NULL;
	if (!m->units || !hp_units_path_is_unit_like(path))
		return fp;
	uc = ucache_get(m, path, fp);
	if (!uc)
		return fp;
	*ret_uc = uc;
	return uc->has_policy ? &uc->policy : fp;
}

/* Matches path again after a change of policies or of its unit. */
static int rematch(struct manager *m, const char *path)
{
	size_t i = group_index(m, path);
	struct mgroup *mg = i == SIZE_MAX ? NULL : m->groups[i];
	struct ucache *uc;
	const struct hp_policy *p = resolve(m, path, &uc);
	struct hp_limit limit;

	if (!mg)
		return p ? group_add(m, path, p, uc) : 0;
	if (!p) {
		group_remove(m, i, "no policy matches any more");
		return 0;
	}
	/* During a reload the old policy may have moved into the new set (kept): no name. */
	if (mg->g.policy && mg->g.policy->name && strcmp(mg->g.policy->name, p->name))
		log_full(LOG_INFO, 0,
			 &(struct log_fields){ .cgroup = path, .decision = "matched", .message_id = HP_MESSAGE_GROUP },
			 "%s: now matches %s %s (priority %d)", path,
			 p->unit ? "the [X-Hugepage] sections of" : "policy", p->name, p->priority);
	group_set_policy(mg, p, uc);
	group_set_unit(mg, uc);
	limit = group_limit(m, p);
	if (limit.bp != mg->g.memory_limit.bp || limit.duration != mg->g.memory_limit.duration) {
		mg->g.memory_limit = limit;
		psi_watch_reset(m, &mg->memory, &mg->g.memory_limit);
	}
	group_refresh(m, mg, true);
	schedule_decide(m);
	return 0;
}

/* systemd loaded, unloaded or reloaded units (unit NULL: all of them). */
static void on_units_changed(const char *unit, void *userdata)
{
	struct manager *m = userdata;
	_cleanup_(strv_freep) char **paths = NULL;

	size_t n = 0;
	char **list;

	ucache_mark_stale(m, unit);
	/* A copy: matching again may change the lists. */
	if (unit) {
		list = strmap_get(&m->unit_paths, unit, NULL);
		for (size_t i = 0; list && list[i]; i++)
			if (strv_push_len(&paths, &n, list[i]) < 0)
				return;
	} else {
		for (size_t it = 0; strmap_next(&m->unit_paths, &it, NULL, (void **)&list);)
			for (size_t i = 0; list && list[i]; i++)
				if (strv_push_len(&paths, &n, list[i]) < 0)
					return;
	}
	for (size_t i = 0; paths && paths[i]; i++)
		if (rematch(m, paths[i]) == -ENOMEM)
			break;
	ucache_sweep(m);
}

/* A cgroup directory seen in the tree: watch it and track it if it matches. */
static int cgroup_seen(const char *path, uint64_t ino, void *userdata)
{
	struct manager *m = userdata;
	const struct hp_policy *p;
	struct ucache *uc = NULL;
	struct mgroup *mg;
	int r;

	int skip;

	r = watch_add(m, path, false, ino);
	if (r == -ENOMEM)
		return r;
	/*
	 * A directory whose watch is the one it had (same inode), that had no
	 * subdirectory when last looked at and whose watch has reported none
	 * since, has none now: the walk need not look (one system call per
	 * cgroup saved, most of a rescan).  Unless events were lost.
	 */
	skip = r >= 0 && m->watches[r].leaf && !m->full_rescan ? HP_WALK_SKIP : 0;
	m->n_cgroups++;
	if (hp_units_path_is_unit_like(path) && unit_paths_add(m, path) < 0)
		return -ENOMEM;
	mg = group_find(m, path);
	if (mg) {
		mg->seen = true;
		return skip;
	}
	p = resolve(m, path, &uc);
	if (!p)
		return skip;
	r = group_add(m, path, p, uc);
	if (r < 0)
		return r;
	m->groups[m->n_groups - 1]->seen = true;
	return skip;
}

/* The walk looked into path: remember whether it had a subdirectory. */
static void cgroup_looked_at(const char *path, bool leaf, void *userdata)
{
	struct manager *m = userdata;
	uintptr_t v = (uintptr_t)strmap_get(&m->dir_watches, path, NULL);

	if (v > 0 && v - 1 < m->n_watches)
		m->watches[v - 1].leaf = leaf;
}

/* Walks the whole tree: the safety net behind inotify, and after a reload. */
static int rescan(struct manager *m)
{
	usec_t start = now_usec();
	bool lost;
	int r;

	/* The bus went away (dbus restarted) or was never there: try again. */
	lost = m->units && !hp_units_connected(m->units);
	if (lost) {
		log_warning("lost the system bus, connecting again");
		hp_units_free(m->units);
		m->units = NULL;
	}
	if (!m->units) {
		units_setup(m);
		/* Answers from the old connection, or none at all: ask again. */
		if (lost || m->units)
			on_units_changed(NULL, m);
	}
	for (size_t i = 0; i < m->n_groups; i++)
		m->groups[i]->seen = false;
	m->n_cgroups = 0;
	strmap_clear(&m->unit_paths, strv_free_value);
	r = hp_cgroup_walk_ino(m->cgroup_fd, cgroup_seen, cgroup_looked_at, m);
	m->full_rescan = false;
	if (r < 0)
		return log_error_errno(r, "%s: cannot walk the cgroup tree", m->cgroup_root);
	for (size_t i = m->n_groups; i-- > 0;) {
		struct mgroup *mg = m->groups[i];

		/*
		 * Policies change only in reload() and on systemd's signals, which
		 * rematch the groups; one left on a stale unit entry (that failed
		 * for want of memory) is matched again here.
		 */
		if (!mg->seen)
			group_remove(m, i, "cgroup removed");
		else if (mg->policy_uc && mg->policy_uc->stale)
			(void)rematch(m, mg->g.path);
		else
			group_refresh(m, mg, true);
	}
	for (size_t i = 0; i < m->n_ucache; i++)
		if (!unit_path_seen(m, m->ucache[i]->path))
			ucache_set_stale(m, m->ucache[i]);
	ucache_sweep(m);
	log_debug("rescan: %u cgroups, %zu matched, %" PRIu64 " us", m->n_cgroups, m->n_groups,
		  now_usec() - start);
	schedule_decide(m);
	return 0;
}

static int on_rescan_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct manager *m = userdata;

	(void)usec;
	rescan(m);
	sd_event_source_set_time_relative(s, m->cfg.rescan_interval);
	sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
	return 0;
}

/* Reads the module's hot bytes per fed group since the last refresh. */
static void refresh_kernel(struct manager *m)
{
	struct hp_kstatus k = { 0 };

	if (m->backend->ops->readout(m->backend, &k) < 0)
		return;
	for (size_t i = 0; i < m->n_groups; i++) {
		struct mgroup *mg = m->groups[i];
		const struct hp_kgroup *kg = hp_kstatus_find_cgroup(&k, mg->g.path);

		if (!kg || !mg->g.fed) {
			mg->g.hot_bytes = 0;
			mg->last_tried_bytes = kg ? kg->tried_bytes : 0;
			continue;
		}
		mg->g.hot_bytes = kg->tried_bytes >= mg->last_tried_bytes ? kg->tried_bytes - mg->last_tried_bytes : 0;
		mg->last_tried_bytes = kg->tried_bytes;
	}
	hp_kstatus_done(&k);
}

/*
 * Sizes change without notification, but they only matter to a decision
 * while some group waits for a slot or for MinSize=, or a fed group could
 * shrink below half its MinSize=.  Otherwise no timer runs.
 */
static bool sizes_matter(struct manager *m)
{
	for (size_t i = 0; i < m->n_groups; i++) {
		const struct hp_group *g = &m->groups[i]->g;

		if (g->decision == HP_DECISION_REFUSED || g->decision == HP_DECISION_TOO_SMALL ||
		    (g->decision == HP_DECISION_FED && g->policy->min_size > 0))
			return true;
	}
	return false;
}

#define SETTLE_USEC (2 * USEC_PER_SEC)

static void arm_refresh(struct manager *m)
{
	if (m->settle) {
		sd_event_source_set_time_relative(m->refresh_timer, SETTLE_USEC);
		sd_event_source_set_enabled(m->refresh_timer, SD_EVENT_ONESHOT);
		return;
	}
	if (!sizes_matter(m)) {
		sd_event_source_set_enabled(m->refresh_timer, SD_EVENT_OFF);
		return;
	}
	if (sd_event_source_get_enabled(m->refresh_timer, NULL) > 0)
		return;
	sd_event_source_set_time_relative(m->refresh_timer, m->cfg.refresh_interval);
	sd_event_source_set_enabled(m->refresh_timer, SD_EVENT_ONESHOT);
}

static int on_refresh_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct manager *m = userdata;
	bool settle = m->settle;

	(void)s;
	(void)usec;
	m->settle = false;
	for (size_t i = 0; i < m->n_groups; i++)
		group_refresh(m, m->groups[i], settle);
	refresh_kernel(m);
	schedule_decide(m);
	return 0;
}

/* Policy records of the status: files in effect, failed files, units. */
static int status_policies(struct manager *m, struct hp_status_policy **ret, size_t *ret_n)
{
	size_t n = m->policies.n + strv_len(m->policies.failed) + m->n_ucache, k = 0;
	struct hp_status_policy *v = calloc(n ? n : 1, sizeof(*v));

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < m->policies.n; i++) {
		const struct hp_policy *p = &m->policies.v[i];

		v[k++] = (struct hp_status_policy){
			.name = p->name, .kind = "file", .state = p->kept ? "kept" : "loaded",
			.sources = p->sources, .priority = p->priority, .min_size = p->min_size,
			.memory_limit_bp = group_limit(m, p).bp,
			.tuning = (char *)hp_tuning_mode_name(hp_tuning_merge(&p->tuning, &m->cfg.tuning).mode),
		};
	}
	for (size_t i = 0; m->policies.failed && m->policies.failed[i]; i++) {
		bool kept = false;

		/* A broken edit whose previous version is kept shows as "kept". */
		for (size_t j = 0; j < m->policies.n; j++)
			kept |= m->policies.v[j].kept && !strcmp(m->policies.v[j].name, m->policies.failed[i]);
		if (!kept)
			v[k++] = (struct hp_status_policy){
				.name = m->policies.failed[i], .kind = "file", .state = "failed"
			};
	}
	for (size_t i = 0; i < m->n_ucache; i++) {
		const struct ucache *uc = m->ucache[i];
		const struct hp_policy *p = &uc->policy;

		if (uc->stale || (!uc->has_policy && !uc->failed))
			continue;
		v[k++] = (struct hp_status_policy){
			.name = uc->info.unit, .kind = "unit", .state = uc->failed ? "failed" : "loaded",
			.sources = uc->failed ? uc->info.files : p->sources, .priority = p->priority,
			.min_size = p->min_size, .memory_limit_bp = uc->failed ? 0 : group_limit(m, p).bp,
			.tuning = uc->failed ? NULL : (char *)hp_tuning_mode_name(hp_tuning_merge(&p->tuning, &m->cfg.tuning).mode),
		};
	}
	*ret = v;
	*ret_n = k;
	return 0;
}

static int write_status(struct manager *m, unsigned n_fed)
{
	_cleanup_(freep) struct hp_status_group *sg = calloc(m->n_groups ? m->n_groups : 1, sizeof(*sg));
	_cleanup_(freep) struct hp_status_policy *sp = NULL;
	_cleanup_(freep) char *text = NULL, *path = NULL;
	uint64_t rt = now_realtime_usec(), mono = now_usec();
	struct hp_status s = {
		.pid = getpid(),
		.start_time = m->start_time,
		.updated_us = rt,
		.backend = (char *)m->backend->ops->name,
		.kdamond_limit = m->cfg.kdamond_limit,
		.matched = (unsigned)m->n_groups,
		.fed = n_fed,
		.system_paused = m->sys.paused,
		.memory_some_bp = m->sys_memory.state->share_bp,
		.cpu_some_bp = m->sys_cpu.state->share_bp,
		.reason = m->sys.paused ? m->sys.reason : (char *)"",
		.groups = sg,
		.n_groups = m->n_groups,
	};
	int r;

	if (!sg)
		return -ENOMEM;
	r = status_policies(m, &sp, &s.n_policies);
	if (r < 0)
		return r;
	s.policies = sp;
	s.reloads = m->reloads;
	s.reload_us = m->reload_rt;
	s.reload_errors = m->reload_errors;
	s.units = m->units != NULL;
	s.units_reason = m->units_reason;
	s.policy_errors = (unsigned)strv_len(m->policies.failed);
	for (size_t i = 0; i < m->n_ucache; i++)
		s.policy_errors += !m->ucache[i]->stale && m->ucache[i]->failed;
	for (size_t i = 0; i < m->n_groups; i++) {
		struct hp_group *g = &m->groups[i]->g;

		sg[i] = (struct hp_status_group){
			.path = g->path,
			.policy = g->policy->name,
			.unit = m->groups[i]->unit,
			.sources = g->policy->sources,
			.priority = g->policy->priority,
			.decision = (char *)hp_decision_name(g->decision),
			.rank = g->rank,
			.fed_since_us = g->fed ? rt - (mono - g->fed_since) : 0,
			.populated = g->populated,
			.anon_bytes = g->anon_bytes,
			.anon_huge_bytes = g->anon_huge_bytes,
			.memory_state = (char *)hp_pressure_state_name(g->memory.state),
			.memory_some_bp = g->memory.share_bp,
			.memory_limit_bp = g->memory_limit.bp,
			.reason = g->reason,
		};
	}
	r = hp_status_format(&s, &text);
	if (r < 0)
		return r;
	if (asprintf(&path, "%s/status", m->o.run_dir) < 0)
		return -ENOMEM;
	r = write_file_atomic(path, text, strlen(text));
	if (r < 0)
		return log_warning_errno(r, "%s: cannot write the status", path);
	return 0;
}

/*
 * The status says a daemon runs: it goes when we do (the runtime directory
 * is kept across restarts, so nothing else would remove it).
 */
static void remove_status(struct manager *m)
{
	_cleanup_(freep) char *path = NULL;

	if (asprintf(&path, "%s/status", m->o.run_dir) < 0)
		return;
	if (unlink(path) < 0 && errno != ENOENT)
		log_warning_errno(-errno, "%s: cannot remove", path);
}

static int rank_order(const void *a, const void *b)
{
	const struct mgroup *x = *(struct mgroup *const *)a, *y = *(struct mgroup *const *)b;

	return (int)x->g.rank - (int)y->g.rank;
}

/* Groups, matching, pressure -> decisions -> backend -> status. */
static int decide_and_feed(struct manager *m)
{
	_cleanup_(strv_freep) char **cgroups = NULL, **failed = NULL;
	_cleanup_(freep) struct mgroup **fed = calloc(m->n_groups ? m->n_groups : 1, sizeof(*fed));
	struct hp_group **gs = (struct hp_group **)m->groups;
	const struct hp_policy *top = NULL;
	struct hp_feed feed;
	size_t n_fed_list = 0;
	unsigned n_fed;
	char a[16], b[16];
	int r;

	if (!fed)
		return -ENOMEM;
	m->sys.paused = false;
	m->sys.reason[0] = '\0';
	if (hp_pressure_paused(m->sys_memory.state)) {
		m->sys.paused = true;
		snprintf(m->sys.reason, sizeof(m->sys.reason), "system memory pressure some %s, limit %s",
			 format_bp(a, sizeof(a), m->sys_memory.state->share_bp),
			 format_bp(b, sizeof(b), m->cfg.system_memory.bp));
	} else if (hp_pressure_paused(m->sys_cpu.state)) {
		m->sys.paused = true;
		snprintf(m->sys.reason, sizeof(m->sys.reason), "system cpu pressure some %s, limit %s",
			 format_bp(a, sizeof(a), m->sys_cpu.state->share_bp),
			 format_bp(b, sizeof(b), m->cfg.system_cpu.bp));
	}

	n_fed = hp_decide(gs, m->n_groups, &m->cfg, &m->sys, now_usec());

	for (size_t i = 0; i < m->n_groups; i++) {
		struct mgroup *mg = m->groups[i];

		if (mg->g.decision == HP_DECISION_FED)
			fed[n_fed_list++] = mg;
	}
	qsort(fed, n_fed_list, sizeof(*fed), rank_order);
	for (size_t i = 0; i < n_fed_list; i++) {
		r = strv_push(&cgroups, fed[i]->g.path);
		if (r < 0)
			return r;
		if (!top)
			top = fed[i]->g.policy;
	}
	/* The module runs one tuning for all groups: the best-ranked policy's. */
	feed = (struct hp_feed){
		.cgroups = cgroups,
		.kdamond_limit = m->cfg.kdamond_limit,
		.tuning = top ? hp_tuning_merge(&top->tuning, &m->cfg.tuning) : m->cfg.tuning,
	};
	r = m->backend->ops->apply(m->backend, &feed, &failed);
	if (r < 0) {
		log_error_errno(r, "feeding %s failed; rescanning", cgroups ? "the groups" : "nothing");
		schedule_rescan_soon(m);
	}
	for (size_t i = 0; failed && failed[i] && failed[i + 1]; i += 2) {
		struct mgroup *mg = group_find(m, failed[i]);

		if (!mg)
			continue;
		mg->g.decision = HP_DECISION_FAILED;
		snprintf(mg->g.reason, sizeof(mg->g.reason), "the kernel reports %s", failed[i + 1]);
		n_fed--;
	}

	for (size_t i = 0; i < m->n_groups; i++) {
		struct mgroup *mg = m->groups[i];

		if (mg->logged_once && mg->logged == mg->g.decision)
			continue;
		log_full(LOG_INFO, 0,
			 &(struct log_fields){ .cgroup = mg->g.path,
					       .decision = hp_decision_name(mg->g.decision),
					       .reason = mg->g.reason,
					       .message_id = HP_MESSAGE_DECISION },
			 "%s: %s (%s)", mg->g.path, hp_decision_name(mg->g.decision), mg->g.reason);
		mg->logged = mg->g.decision;
		mg->logged_once = true;
	}

	write_status(m, n_fed);
	sd_notifyf(false, "STATUS=Feeding %u of %zu matched groups (kdamond limit %u)%s%s", n_fed,
		   m->n_groups, m->cfg.kdamond_limit, m->sys.paused ? "; paused: " : "",
		   m->sys.paused ? m->sys.reason : "");
	arm_refresh(m);
	return 0;
}

static int on_decide(sd_event_source *s, void *userdata)
{
	(void)s;
	decide_and_feed(userdata);
	return 0;
}

struct subtree_walk {
	struct manager *m;
	const char *prefix;
};

static int subtree_seen(const char *path, uint64_t ino, void *userdata)
{
	struct subtree_walk *w = userdata;
	_cleanup_(freep) char *full = NULL;

	if (asprintf(&full, "%s%s", w->prefix, path[1] ? path : "") < 0)
		return -ENOMEM;
	return cgroup_seen(full, ino, w->m);
}

static void subtree_looked_at(const char *path, bool leaf, void *userdata)
{
	struct subtree_walk *w = userdata;
	_cleanup_(freep) char *full = NULL;

	if (asprintf(&full, "%s%s", w->prefix, path[1] ? path : "") >= 0)
		cgroup_looked_at(full, leaf, w->m);
}

static void on_dir_created(struct manager *m, const char *parent, const char *name)
{
	_cleanup_(freep) char *path = NULL;
	_cleanup_(closep) int fd = -1;
	struct subtree_walk w = { .m = m };

	if (asprintf(&path, "%s/%s", parent[1] ? parent : "", name) < 0)
		return;
	/* Children may have been made before the watch (mkdir -p): walk them too. */
	fd = openat(m->cgroup_fd, path + 1, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	w.prefix = path;
	(void)hp_cgroup_walk_ino(fd, subtree_seen, subtree_looked_at, &w);
}

static void on_dir_deleted(struct manager *m, const char *parent, const char *name)
{
	_cleanup_(freep) char *path = NULL;
	size_t len;

	if (asprintf(&path, "%s/%s", parent[1] ? parent : "", name) < 0)
		return;
	len = strlen(path);
	for (size_t i = m->n_groups; i-- > 0;) {
		const char *p = m->groups[i]->g.path;

		if (!strncmp(p, path, len) && (p[len] == '\0' || p[len] == '/'))
			group_remove(m, i, "cgroup removed");
	}
	(void)strmap_remove_if(&m->unit_paths, unit_paths_drop_under, path, strv_free_value);
	for (size_t i = 0; i < m->n_ucache; i++)
		if (path_startswith(m->ucache[i]->path, path))
			ucache_set_stale(m, m->ucache[i]);
	ucache_sweep(m);
	/* kernfs sends no IN_IGNORED for removed cgroups: forget their watches. */
	for (size_t wd = 0; wd < m->n_watches; wd++) {
		const char *p = m->watches[wd].path;

		if (p && !strncmp(p, path, len) && (p[len] == '\0' || p[len] == '/')) {
			inotify_rm_watch(m->inotify_fd, (int)wd);
			watch_forget(m, (int)wd);
		}
	}
}

static int on_inotify(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct manager *m = userdata;
	char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));

	(void)s;
	(void)revents;
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				log_warning_errno(-errno, "inotify read failed, ignoring");
			break;
		}
		for (char *p = buf; p < buf + n;) {
			struct inotify_event *e = (struct inotify_event *)p;
			struct watch *w = e->wd >= 0 && (size_t)e->wd < m->n_watches ? &m->watches[e->wd] : NULL;
			_cleanup_(freep) char *path = w && w->path ? strdup(w->path) : NULL;

			p += sizeof(*e) + e->len;
			if (e->mask & IN_Q_OVERFLOW) {
				log_warning("inotify queue overflow, rescanning");
				m->full_rescan = true;
				schedule_rescan_soon(m);
				continue;
			}
			if (!path)
				continue;
			if (w->events) {
				struct mgroup *mg = group_find(m, path);

				if (mg) {
					group_refresh(m, mg, false);
					schedule_decide(m);
				}
			} else if ((e->mask & IN_CREATE) && (e->mask & IN_ISDIR) && e->len) {
				w->leaf = false;
				on_dir_created(m, path, e->name);
			} else if ((e->mask & IN_DELETE) && (e->mask & IN_ISDIR) && e->len) {
				on_dir_deleted(m, path, e->name);
			}
		}
	}
	return 0;
}

/* Connects to systemd or disconnects, as UnitSections= says. */
static void units_setup(struct manager *m)
{
	int r;

	if (!m->cfg.unit_sections) {
		if (m->units)
			log_info("UnitSections=no: no longer reading [X-Hugepage] sections of units");
		hp_units_free(m->units);
		m->units = NULL;
		snprintf(m->units_reason, sizeof(m->units_reason), "UnitSections=no");
		return;
	}
	if (m->units)
		return;
	r = hp_units_open(m->event, on_units_changed, m, &m->units);
	if (r < 0) {
		bool said = m->units_reason[0] != '\0';

		snprintf(m->units_reason, sizeof(m->units_reason), "no systemd on the system bus: %s",
			 strerror(-r));
		/* Tried again at every rescan: say it once. */
		if (!said)
			log_info("%s: not reading [X-Hugepage] sections of units, policy files only",
				 m->units_reason);
		return;
	}
	m->units_reason[0] = '\0';
	log_info("reading [X-Hugepage] sections of systemd units, following systemd's signals");
}

static int load_config(struct manager *m, struct hp_config *cfg, struct hp_policy_set *pol)
{
	int errors = 0, r;

	r = hp_config_load(m->o.config_path, m->o.check_owner, cfg);
	if (r < 0)
		return r;
	errors += r;
	r = hp_policies_load(m->o.policy_dirs, m->o.check_owner, pol);
	if (r < 0)
		return r;
	errors += r;
	log_info("configuration: %s, %zu policies, kdamond limit %u%s", m->o.config_path, pol->n,
		 cfg->kdamond_limit, errors ? ", with errors (see above)" : "");
	return errors;
}

static int reload(struct manager *m)
{
	struct hp_policy_set pol = { 0 }, old;
	struct hp_config cfg;
	bool errors;
	int r;

	sd_notifyf(false, "RELOADING=1\nMONOTONIC_USEC=%" PRIu64, now_usec());
	log_info("reloading");
	r = hp_config_load(m->o.config_path, m->o.check_owner, &cfg);
	errors = r != 0;
	if (r != 0) {
		/* A half-applied main configuration would be worse than the old one. */
		log_error("%s: %s, keeping the previous main configuration", m->o.config_path,
			  r < 0 ? "cannot be read" : "has errors (see above)");
		cfg = m->cfg;
	}
	r = hp_policies_load(m->o.policy_dirs, m->o.check_owner, &pol);
	if (r < 0) {
		log_error_errno(r, "reload failed, keeping the previous configuration");
		m->reload_errors++;
		sd_notify(false, "READY=1");
		return r;
	}
	errors |= r > 0;
	r = hp_policy_set_keep_failed(&pol, &m->policies);
	if (r < 0) {
		hp_policy_set_free(&pol);
		m->reload_errors++;
		sd_notify(false, "READY=1");
		return r;
	}
	m->reload_errors += errors;
	log_full(LOG_INFO, 0, &(struct log_fields){ .message_id = HP_MESSAGE_RELOAD },
		 "configuration: %s, %zu policies, kdamond limit %u", m->o.config_path, pol.n, cfg.kdamond_limit);
	old = m->policies;
	m->policies = pol;
	m->cfg = cfg;
	units_setup(m);
	/* Groups point into the old policies and units: rematch them all. */
	ucache_mark_stale(m, NULL);
	for (size_t i = m->n_groups; i-- > 0;)
		if (i < m->n_groups)
			rematch(m, m->groups[i]->g.path);
	hp_policy_set_free(&old);
	ucache_sweep(m);
	for (size_t i = 0; i < m->n_groups; i++) {
		struct mgroup *mg = m->groups[i];

		mg->g.memory_limit = group_limit(m, mg->g.policy);
		psi_watch_reset(m, &mg->memory, &mg->g.memory_limit);
	}
	psi_watch_reset(m, &m->sys_memory, &m->cfg.system_memory);
	psi_watch_reset(m, &m->sys_cpu, &m->cfg.system_cpu);
	sd_event_source_set_time_relative(m->rescan_timer, m->cfg.rescan_interval);
	rescan(m);
	m->reloads++;
	m->reload_rt = now_realtime_usec();
	/* The status shows the reload even when no decision changes. */
	schedule_decide(m);
	sd_notify(false, "READY=1");
	return 0;
}

static int on_sighup(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	(void)s;
	(void)si;
	reload(userdata);
	return 0;
}

static int on_exit_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	(void)userdata;
	log_info("received %s, stopping", strsignal((int)si->ssi_signo));
	sd_notify(false, "STOPPING=1");
	return sd_event_exit(sd_event_source_get_event(s), 0);
}

int manager_new(const struct manager_options *o, struct hp_backend *backend, struct manager **ret)
{
	_cleanup_(manager_freep) struct manager *m = calloc(1, sizeof(*m));
	_cleanup_(strv_freep) char **adopted = NULL;
	sigset_t mask;
	int r;

	if (!m)
		return -ENOMEM;
	m->o = *o;
	if (proc_start_time(0, &m->start_time) < 0)
		log_warning("cannot read our own start time: hugepagectl reload will not signal us");
	m->backend = backend;
	m->cgroup_fd = m->pressure_fd = m->inotify_fd = m->proc_fd = -1;
	m->sys_memory.trigger_fd = m->sys_cpu.trigger_fd = -1;

	r = load_config(m, &m->cfg, &m->policies);
	if (r < 0)
		return r;

	if (o->cgroup_root)
		m->cgroup_root = strdup(o->cgroup_root);
	else if ((r = hp_cgroup_find_root(&m->cgroup_root)) < 0)
		return r;
	if (!m->cgroup_root)
		return -ENOMEM;
	m->cgroup_fd = open(m->cgroup_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (m->cgroup_fd < 0)
		return log_error_errno(-errno, "%s: cannot open the cgroup root", m->cgroup_root);
	m->pressure_fd = open(o->pressure_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (m->pressure_fd < 0)
		return log_error_errno(-errno, "%s: no PSI (kernel without CONFIG_PSI, or psi=0)", o->pressure_dir);
	if (mkdir(o->run_dir, 0755) < 0 && errno != EEXIST)
		return log_error_errno(-errno, "%s: cannot create", o->run_dir);

	r = sd_event_default(&m->event);
	if (r < 0)
		return log_error_errno(r, "cannot create the event loop");
	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	if ((r = sd_event_add_signal(m->event, NULL, SIGHUP, on_sighup, m)) < 0 ||
	    (r = sd_event_add_signal(m->event, NULL, SIGTERM, on_exit_signal, m)) < 0 ||
	    (r = sd_event_add_signal(m->event, NULL, SIGINT, on_exit_signal, m)) < 0)
		return log_error_errno(r, "cannot watch signals");
	r = sd_event_set_watchdog(m->event, true);
	if (r < 0)
		log_warning_errno(r, "cannot set up the watchdog, ignoring");

	m->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (m->inotify_fd < 0)
		return log_error_errno(-errno, "inotify_init1 failed");
	r = sd_event_add_io(m->event, &m->inotify_source, m->inotify_fd, EPOLLIN, on_inotify, m);
	if (r < 0)
		return r;
	r = sd_event_add_defer(m->event, &m->decide_defer, on_decide, m);
	if (r < 0)
		return r;
	sd_event_source_set_enabled(m->decide_defer, SD_EVENT_OFF);
	/* Decide after every other pending event of this iteration. */
	sd_event_source_set_priority(m->decide_defer, SD_EVENT_PRIORITY_IDLE);
	r = sd_event_add_time_relative(m->event, &m->rescan_timer, CLOCK_MONOTONIC, m->cfg.rescan_interval,
				       USEC_PER_SEC, on_rescan_timer, m);
	if (r < 0)
		return r;
	r = sd_event_add_time(m->event, &m->refresh_timer, CLOCK_MONOTONIC, USEC_INFINITY, USEC_PER_SEC,
			      on_refresh_timer, m);
	if (r < 0)
		return r;
	sd_event_source_set_enabled(m->refresh_timer, SD_EVENT_OFF);

	r = psi_watch_init(m, &m->sys_memory, "system memory", m->pressure_fd, "memory", &m->cfg.system_memory, NULL);
	if (r < 0)
		return log_error_errno(r, "%s/memory: cannot watch", o->pressure_dir);
	r = psi_watch_init(m, &m->sys_cpu, "system cpu", m->pressure_fd, "cpu", &m->cfg.system_cpu, NULL);
	if (r < 0)
		return log_error_errno(r, "%s/cpu: cannot watch", o->pressure_dir);

	m->proc_fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (m->proc_fd < 0)
		log_warning_errno(-errno, "/proc: cannot open, not checking processes for disabled huge pages");
	units_setup(m);

	/* Groups the kernel already runs (a restart) count as fed from now. */
	r = backend->ops->current(backend, &adopted);
	if (r < 0)
		return r;

	r = rescan(m);
	if (r < 0)
		return r;
	for (size_t i = 0; adopted && adopted[i]; i++) {
		struct mgroup *mg = group_find(m, adopted[i]);

		if (mg) {
			mg->g.fed = true;
			mg->g.fed_since = now_usec();
		}
		log_info("%s: already fed by the module, adopting%s", adopted[i], mg ? "" : " (no policy matches: will drop it)");
	}
	*ret = m;
	m = NULL;
	return 0;
}

int manager_run(struct manager *m)
{
	int r;

	r = decide_and_feed(m);
	if (r < 0)
		return r;
	sd_notify(false, "READY=1");
	r = sd_event_loop(m->event);
	if (m->cfg.stop_on_exit) {
		log_info("stopping the module's groups (StopFeedingOnExit=yes)");
		(void)m->backend->ops->stop(m->backend);
	} else {
		log_info("leaving the module's groups running (StopFeedingOnExit=no)");
	}
	remove_status(m);
	return r;
}

void manager_free(struct manager *m)
{
	for (size_t i = 0; i < m->n_groups; i++)
		group_free(m, m->groups[i]);
	free(m->groups);
	psi_watch_done(&m->sys_memory);
	psi_watch_done(&m->sys_cpu);
	sd_event_source_disable_unref(m->inotify_source);
	sd_event_source_disable_unref(m->rescan_timer);
	sd_event_source_disable_unref(m->refresh_timer);
	sd_event_source_disable_unref(m->decide_defer);
	for (size_t i = 0; i < m->n_watches; i++)
		free(m->watches[i].path);
	free(m->watches);
	strmap_clear(&m->dir_watches, NULL);
	if (m->inotify_fd >= 0)
		close(m->inotify_fd);
	if (m->cgroup_fd >= 0)
		close(m->cgroup_fd);
	if (m->pressure_fd >= 0)
		close(m->pressure_fd);
	if (m->proc_fd >= 0)
		close(m->proc_fd);
	for (size_t i = 0; i < m->n_ucache; i++)
		ucache_free(m->ucache[i]);
	free(m->ucache);
	strmap_clear(&m->ucache_by_path, NULL);
	strmap_clear(&m->unit_paths, strv_free_value);
	strmap_clear(&m->group_by_path, NULL);
	hp_units_free(m->units);
	free(m->cgroup_root);
	hp_policy_set_free(&m->policies);
	sd_event_unref(m->event);
	free(m);
}
