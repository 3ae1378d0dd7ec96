// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The orchestration: the groups (cgroups that matched a policy), fed by
 * the cgroup watcher (cgwatch.c), the PSI watcher (psiwatch.c) and the
 * unit resolver (resolver.c); at each step the decision (plan.c,
 * decide.c), the backend's apply and readout, the confirmation, the log
 * and the status; reload and the daemon's lifecycle.
 */
#include "manager.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include "cgroup.h"
#include "cgwatch.h"
#include "log.h"
#include "plan.h"
#include "psiwatch.h"
#include "resolver.h"
#include "status.h"

/* A cgroup that matched a policy. */
struct mgroup {
	struct hp_group g;	/* first: decide.c sees these */
	size_t idx;		/* in manager.groups */
	uint64_t id;		/* its cgroup id: the same path with another id is another group */
	struct ucache *policy_uc;	/* the unit entry g.policy points into, or NULL */
	char *unit;		/* the systemd unit whose own cgroup this is */
	bool unit_thp_disabled;	/* that unit has MemoryTHP=disable */
	struct psi_watch memory;
	int events_wd;		/* inotify watch of cgroup.events */
	uint64_t last_tried_bytes;
	bool seen;		/* during a rescan */
	enum hp_decision logged;	/* last decision logged */
	char logged_why[HP_REASON_MAX];	/* and its error, for failed and waiting */
	bool logged_once;
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

	struct cgwatch cg;		/* the tree */
	struct psi_hooks psi;		/* what every PSI watch shares */
	struct resolver res;		/* systemd units */

	struct mgroup **groups;
	size_t n_groups;
	struct strmap group_by_path;	/* path -> struct mgroup * */

	struct psi_watch sys_memory, sys_cpu;
	struct hp_system_state sys;

	sd_event_source *rescan_timer, *refresh_timer, *decide_defer;
	sd_event_source *retry_timer;	/* a failed group's backoff is over */
	sd_event_source *backend_timer;	/* the backend's work between decisions */
	struct hp_kstatus kernel;	/* the backend's last readout */
	bool have_kernel;
	int apply_error;		/* the last apply's, logged once */

	bool running;			/* manager_run() made the first decision: decide from now */
	int proc_fd;			/* /proc, for the processes' THP_enabled */
	bool settle;			/* a group was just populated: refresh in SETTLE_USEC */

	unsigned reloads;
	uint64_t reload_rt;		/* CLOCK_REALTIME of the last reload */
	unsigned reload_errors;		/* reloads that kept some of the old configuration */
	uint64_t start_time;		/* ours, /proc/self/stat: with the pid, says who wrote the status */
};

static void schedule_decide(struct manager *m)
{
	(void)sd_event_source_set_enabled(m->decide_defer, SD_EVENT_ONESHOT);
}

static void schedule_rescan_soon(struct manager *m)
{
	(void)sd_event_source_set_time_relative(m->rescan_timer, 100 * USEC_PER_MSEC);
	(void)sd_event_source_set_enabled(m->rescan_timer, SD_EVENT_ONESHOT);
}

/* ---- the PSI watcher's reports ---- */

static void on_psi_changed(void *userdata)
{
	schedule_decide(userdata);
}

static void on_psi_gone(void *userdata)
{
	schedule_rescan_soon(userdata);
}

/* ---- the groups ---- */

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
		(void)snprintf(mg->g.thp_off, sizeof(mg->g.thp_off), "%s sets MemoryTHP=disable", mg->unit);
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
		(void)snprintf(mg->g.thp_off, sizeof(mg->g.thp_off),
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
	cgwatch_events_unwatch(&m->cg, mg->events_wd);
	psi_watch_done(&mg->memory);
	group_set_policy(mg, NULL, NULL);
	free(mg->g.path);
	free(mg->unit);
	free(mg);
}

static void group_remove(struct manager *m, size_t i, const char *why)
{
	struct mgroup *mg = m->groups[i];

	assert(mg->idx == i);
	log_full(LOG_INFO, 0,
		 &(struct log_fields){ .cgroup = mg->g.path, .decision = "dropped", .reason = why,
				       .message_id = HP_MESSAGE_GROUP },
		 "%s: dropped (%s)%s", mg->g.path, why, mg->g.fed ? ", it was fed" : "");
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

/*
 * Starts tracking the cgroup path whose cgroup id is id (0: ask), which
 * matched policy p (uc: its unit, or NULL).
 */
static int group_add(struct manager *m, const char *path, uint64_t id, const struct hp_policy *p,
		     struct ucache *uc)
{
	_cleanup_(freep) char *label = NULL, *file = NULL;
	struct mgroup *mg, **ng;
	int r;

	assert(path && p);
	if (!id && cgwatch_id(&m->cg, path, &id) < 0)
		id = 0;		/* gone meanwhile: the watch or the rescan drops it */
	mg = calloc(1, sizeof(*mg));
	if (!mg)
		return -ENOMEM;
	mg->events_wd = -1;
	mg->memory = PSI_WATCH_NULL;
	mg->id = id;
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

	r = cgwatch_events_watch(&m->cg, path);
	mg->events_wd = r >= 0 ? r : -1;
	if (asprintf(&label, "%s memory", path) < 0 ||
	    asprintf(&file, "%s%smemory.pressure", path + 1, path[1] ? "/" : "") < 0)
		return -ENOMEM;
	r = psi_watch_init(&mg->memory, &m->psi, label, m->cgroup_fd, file, &mg->g.memory_limit, &mg->g.memory);
	if (r < 0)
		log_warning_errno(r, "%s: cannot watch memory.pressure, ignoring", path);
	group_refresh(m, mg, true);
	log_full(LOG_INFO, 0, &(struct log_fields){ .cgroup = path, .decision = "matched", .message_id = HP_MESSAGE_GROUP },
		 "%s: matches %s %s (priority %d)", path, p->unit ? "the [X-Hugepage] sections of" : "policy",
		 p->name, p->priority);
	schedule_decide(m);
	return 0;
}

/*
 * Matches path again after a change of policies or of its unit.  While
 * systemd is being asked about it, a group keeps the policy it has and a
 * cgroup that is no group yet stays none: the answer matches it again.
 */
static int rematch(struct manager *m, const char *path)
{
	size_t i = group_index(m, path);
	struct mgroup *mg = i == SIZE_MAX ? NULL : m->groups[i];
	struct ucache *uc;
	bool pending;
	const struct hp_policy *p = resolver_resolve(&m->res, path, &uc, &pending);
	struct hp_limit limit;

	if (pending)
		return 0;
	if (!mg)
		return p ? group_add(m, path, 0, p, uc) : 0;
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
		(void)psi_watch_reset(&mg->memory, &mg->g.memory_limit);
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

	resolver_mark_stale(&m->res, unit);
	/* A copy: matching again may change the lists. */
	if (resolver_paths_of(&m->res, unit, &paths) < 0)
		return;
	for (size_t i = 0; paths && paths[i]; i++)
		if (rematch(m, paths[i]) == -ENOMEM)
			break;
	resolver_sweep(&m->res);
}

/* systemd answered about path, after the question was left pending. */
static void on_unit_answered(const char *path, void *userdata)
{
	struct manager *m = userdata;

	(void)rematch(m, path);
	resolver_sweep(&m->res);
}

/* ---- the cgroup watcher's reports ---- */

/* A cgroup seen in the tree: track it if it matches. */
static int on_cgroup_seen(const char *path, uint64_t id, void *userdata)
{
	struct manager *m = userdata;
	const struct hp_policy *p;
	struct ucache *uc = NULL;
	struct mgroup *mg;
	bool pending;
	int r;

	if (resolver_cgroup_seen(&m->res, path) < 0)
		return -ENOMEM;
	mg = group_find(m, path);
	if (mg && mg->id && id && mg->id != id) {
		/* Removed and made again (its events lost, or not yet read): a new cgroup. */
		group_remove(m, mg->idx, "cgroup removed, a new cgroup has its path");
		mg = NULL;
	}
	if (mg) {
		mg->seen = true;
		return 0;
	}
	p = resolver_resolve(&m->res, path, &uc, &pending);
	if (!p)
		return 0;	/* no policy, or systemd is asked: its answer matches the cgroup */
	r = group_add(m, path, id, p, uc);
	if (r < 0)
		return r;
	m->groups[m->n_groups - 1]->seen = true;
	return 0;
}

static void on_cgroup_removed(const char *path, void *userdata)
{
	struct manager *m = userdata;
	size_t len = strlen(path);

	for (size_t i = m->n_groups; i-- > 0;) {
		const char *p = m->groups[i]->g.path;

		if (!strncmp(p, path, len) && (p[len] == '\0' || p[len] == '/'))
			group_remove(m, i, "cgroup removed");
	}
	resolver_forget_under(&m->res, path);
}

static void on_cgroup_events(const char *path, void *userdata)
{
	struct manager *m = userdata;
	struct mgroup *mg = group_find(m, path);

	if (mg) {
		group_refresh(m, mg, false);
		schedule_decide(m);
	}
}

static void on_cgroup_lost(void *userdata)
{
	schedule_rescan_soon(userdata);
}

static const struct cgwatch_ops cgwatch_ops = {
	.seen = on_cgroup_seen,
	.removed = on_cgroup_removed,
	.events = on_cgroup_events,
	.lost = on_cgroup_lost,
};

/* Walks the whole tree: the safety net behind inotify, and after a reload. */
static int rescan(struct manager *m)
{
	usec_t start = now_usec();
	int r;

	if (resolver_reconnect(&m->res, m->cfg.unit_sections))
		on_units_changed(NULL, m);
	for (size_t i = 0; i < m->n_groups; i++)
		m->groups[i]->seen = false;
	resolver_rescan_begin(&m->res);
	r = cgwatch_rescan(&m->cg);
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
	resolver_rescan_end(&m->res);
	log_debug("rescan: %u cgroups, %zu matched, %" PRIu64 " us", m->cg.n_cgroups, m->n_groups,
		  now_usec() - start);
	schedule_decide(m);
	return 0;
}

static int on_rescan_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct manager *m = userdata;

	(void)usec;
	(void)rescan(m);
	(void)sd_event_source_set_time_relative(s, m->cfg.rescan_interval);
	(void)sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
	return 0;
}

/* ---- one step: decide, apply, confirm, log, status ---- */

/* The hot bytes per fed group since the last readout (what the kernel tried). */
static void update_hot_bytes(struct manager *m)
{
	for (size_t i = 0; i < m->n_groups; i++) {
		struct mgroup *mg = m->groups[i];
		const struct hp_kgroup *kg = m->have_kernel ? hp_kstatus_find_cgroup(&m->kernel, mg->g.path) : NULL;

		if (!kg || !mg->g.fed) {
			mg->g.hot_bytes = 0;
			mg->last_tried_bytes = kg ? kg->tried_bytes : 0;
			continue;
		}
		mg->g.hot_bytes = kg->tried_bytes >= mg->last_tried_bytes ? kg->tried_bytes - mg->last_tried_bytes : 0;
		mg->last_tried_bytes = kg->tried_bytes;
	}
}

#define SETTLE_USEC (2 * USEC_PER_SEC)
#define UNITS_WAIT_USEC (15 * USEC_PER_SEC)

/* Sizes change without notification: re-read them while they matter (hp_sizes_matter()). */
static void arm_refresh(struct manager *m)
{
	if (m->settle) {
		(void)sd_event_source_set_time_relative(m->refresh_timer, SETTLE_USEC);
		(void)sd_event_source_set_enabled(m->refresh_timer, SD_EVENT_ONESHOT);
		return;
	}
	if (!hp_sizes_matter((struct hp_group *const *)m->groups, m->n_groups)) {
		(void)sd_event_source_set_enabled(m->refresh_timer, SD_EVENT_OFF);
		return;
	}
	if (sd_event_source_get_enabled(m->refresh_timer, NULL) > 0)
		return;
	(void)sd_event_source_set_time_relative(m->refresh_timer, m->cfg.refresh_interval);
	(void)sd_event_source_set_enabled(m->refresh_timer, SD_EVENT_ONESHOT);
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
	/* The decision reads the kernel back. */
	schedule_decide(m);
	return 0;
}

/* Policy records of the status: files in effect, failed files, units. */
static int status_policies(struct manager *m, struct hp_status_policy **ret, size_t *ret_n)
{
	size_t n = m->policies.n + strv_len(m->policies.failed) + m->res.n, k = 0;
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
	for (size_t i = 0; i < m->res.n; i++) {
		const struct ucache *uc = m->res.v[i];
		const struct hp_policy *p = &uc->policy;

		if (!ucache_shown(uc))
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
		.features = m->backend->ops->features(m->backend),
		.action = (char *)m->backend->ops->action(m->backend),
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
	if (m->backend->ops->readout_in_status && m->have_kernel) {
		s.has_kernel = true;
		s.kernel = m->kernel;	/* borrowed: not freed with s */
	}
	s.reloads = m->reloads;
	s.reload_us = m->reload_rt;
	s.reload_errors = m->reload_errors;
	s.units = m->res.units != NULL;
	s.units_reason = m->res.reason;
	s.policy_errors = (unsigned)strv_len(m->policies.failed);
	for (size_t i = 0; i < m->res.n; i++)
		s.policy_errors += !m->res.v[i]->stale && m->res.v[i]->failed;
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

static void arm_timer(sd_event_source *t, usec_t when)
{
	if (when == USEC_INFINITY) {
		(void)sd_event_source_set_enabled(t, SD_EVENT_OFF);
		return;
	}
	(void)sd_event_source_set_time(t, when);
	(void)sd_event_source_set_enabled(t, SD_EVENT_ONESHOT);
}

/* Logs each group whose decision (or error) changed: once per change, not per retry. */
static void log_decisions(struct manager *m)
{
	for (size_t i = 0; i < m->n_groups; i++) {
		struct mgroup *mg = m->groups[i];
		const char *key = hp_decision_log_key(&mg->g);

		if (mg->logged_once && mg->logged == mg->g.decision && !strcmp(mg->logged_why, key))
			continue;
		log_full(mg->g.decision == HP_DECISION_FAILED ? LOG_WARNING : LOG_INFO, 0,
			 &(struct log_fields){ .cgroup = mg->g.path,
					       .decision = hp_decision_name(mg->g.decision),
					       .reason = mg->g.reason,
					       .message_id = HP_MESSAGE_DECISION },
			 "%s: %s (%s)", mg->g.path, hp_decision_name(mg->g.decision), mg->g.reason);
		mg->logged = mg->g.decision;
		(void)snprintf(mg->logged_why, sizeof(mg->logged_why), "%s", key);
		mg->logged_once = true;
	}
}

/*
 * Groups, matching, pressure -> a plan -> the backend -> the kernel's
 * readout -> what is fed -> status.
 */
static int decide_and_feed(struct manager *m)
{
	struct hp_group **gs = (struct hp_group **)m->groups;
	struct hp_plan_limits limits = { 0 };
	struct hp_kstatus k = { 0 };
	struct hp_feed feed;
	unsigned n_fed;
	usec_t now = now_usec();
	int r, read_error;

	hp_system_pause(&m->sys, m->sys_memory.state, &m->cfg.system_memory, m->sys_cpu.state,
			&m->cfg.system_cpu);
	if (m->backend->ops->limits)
		m->backend->ops->limits(m->backend, &limits);
	(void)hp_decide(gs, m->n_groups, &m->cfg, &limits, &m->sys, now);

	r = hp_plan_feed(gs, m->n_groups, &m->cfg.tuning, m->cfg.kdamond_limit, &feed);
	if (r < 0)
		return r;
	r = m->backend->ops->apply(m->backend, &feed);
	if (r < 0 && r != m->apply_error)
		log_error_errno(r, "feeding %s failed", feed.cgroups ? "the groups" : "nothing");
	m->apply_error = r < 0 ? r : 0;
	hp_feed_done(&feed);

	/* Fed is what the kernel shows, read back after every apply. */
	read_error = m->backend->ops->readout(m->backend, &k);
	n_fed = hp_confirm_readout(gs, m->n_groups, &k, m->apply_error, read_error < 0 ? read_error : 0, now);
	hp_kstatus_done(&m->kernel);
	m->have_kernel = read_error >= 0;
	if (m->have_kernel)
		m->kernel = k;
	update_hot_bytes(m);

	log_decisions(m);
	(void)write_status(m, n_fed);
	(void)sd_notifyf(false, "STATUS=Feeding %u of %zu matched groups (kdamond limit %u)%s%s", n_fed,
			 m->n_groups, m->cfg.kdamond_limit, m->sys.paused ? "; paused: " : "",
			 m->sys.paused ? m->sys.reason : "");
	arm_refresh(m);
	arm_timer(m->retry_timer, hp_next_retry(gs, m->n_groups, now));
	if (m->backend->ops->tick && sd_event_source_get_enabled(m->backend_timer, NULL) <= 0)
		arm_timer(m->backend_timer, now + USEC_PER_SEC);
	return 0;
}

static int on_retry_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	(void)s;
	(void)usec;
	schedule_decide(userdata);
	return 0;
}

static int on_backend_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct manager *m = userdata;
	usec_t next = USEC_INFINITY;
	bool changed = false;
	int r;

	(void)usec;
	r = m->backend->ops->tick(m->backend, now_usec(), &next, &changed);
	if (r < 0)
		log_debug_errno(r, "backend work failed, trying again");
	arm_timer(s, next);
	if (changed)
		schedule_decide(m);
	return 0;
}

static int on_decide(sd_event_source *s, void *userdata)
{
	struct manager *m = userdata;

	(void)s;
	if (m->running)
		(void)decide_and_feed(m);
	return 0;
}

/* ---- configuration, reload, lifecycle ---- */

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

	(void)sd_notifyf(false, "RELOADING=1\nMONOTONIC_USEC=%" PRIu64, now_usec());
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
		(void)sd_notify(false, "READY=1");
		return r;
	}
	errors |= r > 0;
	r = hp_policy_set_keep_failed(&pol, &m->policies);
	if (r < 0) {
		hp_policy_set_free(&pol);
		m->reload_errors++;
		(void)sd_notify(false, "READY=1");
		return r;
	}
	m->reload_errors += errors;
	log_full(LOG_INFO, 0, &(struct log_fields){ .message_id = HP_MESSAGE_RELOAD },
		 "configuration: %s, %zu policies, kdamond limit %u", m->o.config_path, pol.n, cfg.kdamond_limit);
	if (cfg.backend != m->cfg.backend)
		log_warning("Backend=%s takes effect at the next start; the %s backend stays",
			    hp_backend_kind_name(cfg.backend), m->backend->ops->name);
	old = m->policies;
	m->policies = pol;
	m->cfg = cfg;
	resolver_setup(&m->res, m->cfg.unit_sections);
	/* Groups point into the old policies and units: rematch them all. */
	resolver_mark_stale(&m->res, NULL);
	for (size_t i = m->n_groups; i-- > 0;)
		if (i < m->n_groups)
			(void)rematch(m, m->groups[i]->g.path);
	/*
	 * A group whose unit is being asked kept its policy: one of a policy
	 * file is of the old set, freed here.  It takes the new set's until
	 * the answer comes (the unit's entry, stale, stays while it is used).
	 */
	for (size_t i = m->n_groups; i-- > 0;) {
		struct mgroup *mg = m->groups[i];
		const struct hp_policy *p;

		if (mg->policy_uc || (mg->g.policy >= m->policies.v && mg->g.policy < m->policies.v + m->policies.n))
			continue;
		p = hp_policy_find(&m->policies, mg->g.path);
		if (p)
			group_set_policy(mg, p, NULL);
		else
			group_remove(m, i, "no policy file matches any more");
	}
	hp_policy_set_free(&old);
	resolver_sweep(&m->res);
	for (size_t i = 0; i < m->n_groups; i++) {
		struct mgroup *mg = m->groups[i];

		mg->g.memory_limit = group_limit(m, mg->g.policy);
		(void)psi_watch_reset(&mg->memory, &mg->g.memory_limit);
	}
	(void)psi_watch_reset(&m->sys_memory, &m->cfg.system_memory);
	(void)psi_watch_reset(&m->sys_cpu, &m->cfg.system_cpu);
	(void)sd_event_source_set_time_relative(m->rescan_timer, m->cfg.rescan_interval);
	(void)rescan(m);
	m->reloads++;
	m->reload_rt = now_realtime_usec();
	/* The status shows the reload even when no decision changes. */
	schedule_decide(m);
	(void)sd_notify(false, "READY=1");
	return 0;
}

static int on_sighup(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	(void)s;
	(void)si;
	(void)reload(userdata);
	return 0;
}

static int on_exit_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	(void)userdata;
	log_info("received %s, stopping", strsignal((int)si->ssi_signo));
	(void)sd_notify(false, "STOPPING=1");
	return sd_event_exit(sd_event_source_get_event(s), 0);
}

/* An event source the daemon cannot live without: named, and the loop ends if it fails. */
static void source_setup(sd_event_source *s, const char *description, bool vital)
{
	(void)sd_event_source_set_description(s, description);
	if (vital)
		(void)sd_event_source_set_exit_on_failure(s, true);
}

static int add_signals(struct manager *m)
{
	static const struct {
		int sig;
		sd_event_signal_handler_t handler;
		const char *description;
	} sigs[] = {
		{ SIGHUP, on_sighup, "signal-reload" },
		{ SIGTERM, on_exit_signal, "signal-term" },
		{ SIGINT, on_exit_signal, "signal-int" },
	};
	sigset_t mask;

	(void)sigemptyset(&mask);
	for (size_t i = 0; i < ELEMENTSOF(sigs); i++)
		(void)sigaddset(&mask, sigs[i].sig);
	(void)sigprocmask(SIG_BLOCK, &mask, NULL);
	for (size_t i = 0; i < ELEMENTSOF(sigs); i++) {
		sd_event_source *s;
		int r = sd_event_add_signal(m->event, &s, sigs[i].sig, sigs[i].handler, m);

		if (r < 0)
			return r;
		source_setup(s, sigs[i].description, true);
		/* Floating: the loop owns it. */
		(void)sd_event_source_set_floating(s, true);
		(void)sd_event_source_unref(s);
	}
	return 0;
}

/* A timer that is off until armed. */
static int add_timer(struct manager *m, sd_event_source **ret, usec_t accuracy, sd_event_time_handler_t handler,
		     const char *description, bool vital)
{
	int r = sd_event_add_time(m->event, ret, CLOCK_MONOTONIC, USEC_INFINITY, accuracy, handler, m);

	if (r < 0)
		return r;
	source_setup(*ret, description, vital);
	(void)sd_event_source_set_enabled(*ret, SD_EVENT_OFF);
	return 0;
}

int manager_new(const struct manager_options *o, struct manager **ret)
{
	_cleanup_(manager_freep) struct manager *m = calloc(1, sizeof(*m));
	_cleanup_(strv_freep) char **adopted = NULL;
	int r;

	if (!m)
		return -ENOMEM;
	m->o = *o;
	if (proc_start_time(0, &m->start_time) < 0)
		log_warning("cannot read our own start time: hugepagectl reload will not signal us");
	m->cgroup_fd = m->pressure_fd = m->proc_fd = m->cg.inotify_fd = -1;
	m->sys_memory = m->sys_cpu = PSI_WATCH_NULL;

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
	r = add_signals(m);
	if (r < 0)
		return log_error_errno(r, "cannot watch signals");
	r = sd_event_set_watchdog(m->event, true);
	if (r < 0)
		log_warning_errno(r, "cannot set up the watchdog, ignoring");

	r = cgwatch_init(&m->cg, m->event, m->cgroup_fd, m->cgroup_root, &m->cfg.rescan_interval, &cgwatch_ops, m);
	if (r < 0)
		return r;
	m->psi = (struct psi_hooks){ .event = m->event, .resume_delay = &m->cfg.resume_delay,
				     .changed = on_psi_changed, .gone = on_psi_gone, .userdata = m };
	resolver_init(&m->res, m->event, &m->policies, on_units_changed, on_unit_answered, m);

	r = sd_event_add_defer(m->event, &m->decide_defer, on_decide, m);
	if (r < 0)
		return r;
	source_setup(m->decide_defer, "decide", true);
	(void)sd_event_source_set_enabled(m->decide_defer, SD_EVENT_OFF);
	/* Decide after every other pending event of this iteration. */
	(void)sd_event_source_set_priority(m->decide_defer, SD_EVENT_PRIORITY_IDLE);
	r = sd_event_add_time_relative(m->event, &m->rescan_timer, CLOCK_MONOTONIC, m->cfg.rescan_interval,
				       USEC_PER_SEC, on_rescan_timer, m);
	if (r < 0)
		return r;
	source_setup(m->rescan_timer, "rescan", true);
	if ((r = add_timer(m, &m->refresh_timer, USEC_PER_SEC, on_refresh_timer, "refresh", true)) < 0 ||
	    (r = add_timer(m, &m->retry_timer, USEC_PER_SEC / 10, on_retry_timer, "retry", true)) < 0 ||
	    (r = add_timer(m, &m->backend_timer, USEC_PER_SEC / 20, on_backend_timer, "backend", false)) < 0)
		return r;

	r = psi_watch_init(&m->sys_memory, &m->psi, "system memory", m->pressure_fd, "memory",
			   &m->cfg.system_memory, NULL);
	if (r < 0)
		return log_error_errno(r, "%s/memory: cannot watch", o->pressure_dir);
	r = psi_watch_init(&m->sys_cpu, &m->psi, "system cpu", m->pressure_fd, "cpu", &m->cfg.system_cpu, NULL);
	if (r < 0)
		return log_error_errno(r, "%s/cpu: cannot watch", o->pressure_dir);

	m->proc_fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (m->proc_fd < 0)
		log_warning_errno(-errno, "/proc: cannot open, not checking processes for disabled huge pages");
	resolver_setup(&m->res, m->cfg.unit_sections);

	/* The backend: Backend= or --backend, which needs the configuration and the cgroup root. */
	{
		struct hp_backend_paths paths = o->paths;
		enum hp_backend_kind kind = o->backend != HP_BACKEND_AUTO ? o->backend : m->cfg.backend;

		paths.damon.cgroup_fd = m->cgroup_fd;
		paths.damon.run_dir = o->run_dir;
		r = hp_backend_open(kind, &paths, &m->backend);
		if (r < 0)
			return r;
		log_info("backend %s%s", m->backend->ops->name, kind == HP_BACKEND_AUTO ? " (Backend=auto)" : "");
	}

	/* Groups the kernel already runs (a restart) count as fed from now. */
	r = m->backend->ops->current(m->backend, &adopted);
	if (r < 0)
		return r;

	r = rescan(m);
	if (r < 0)
		return r;
	/*
	 * What systemd says about the units' cgroups, before the groups the
	 * kernel runs are adopted and the first decision: else a fed group
	 * whose unit is being asked would be stopped, and fed again a moment
	 * later.  Bounded: each call times out after 5 s.
	 */
	for (usec_t until = now_usec() + UNITS_WAIT_USEC; m->res.n_pending > 0 && now_usec() < until;) {
		r = sd_event_run(m->event, 100 * USEC_PER_MSEC);
		if (r < 0)
			return log_error_errno(r, "event loop failed");
	}
	for (size_t i = 0; adopted && adopted[i]; i++) {
		struct mgroup *mg = group_find(m, adopted[i]);

		if (mg) {
			mg->g.fed = true;
			mg->g.fed_since = now_usec();
		}
		log_info("%s: already fed by the %s%s, adopting%s", adopted[i], m->backend->ops->name,
			 strcmp(m->backend->ops->name, "module") ? " backend" : "",
			 mg ? "" : " (no policy matches: will stop it)");
	}
	*ret = TAKE_PTR(m);
	return 0;
}

int manager_run(struct manager *m)
{
	int r;

	m->running = true;
	r = decide_and_feed(m);
	if (r < 0)
		return r;
	(void)sd_notify(false, "READY=1");
	r = sd_event_loop(m->event);
	if (m->cfg.stop_on_exit) {
		log_info("stopping the %s backend's groups (StopFeedingOnExit=yes)", m->backend->ops->name);
		(void)m->backend->ops->stop(m->backend);
	} else {
		log_info("leaving the %s backend's groups running (StopFeedingOnExit=no)", m->backend->ops->name);
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
	(void)sd_event_source_disable_unref(m->rescan_timer);
	(void)sd_event_source_disable_unref(m->refresh_timer);
	(void)sd_event_source_disable_unref(m->decide_defer);
	(void)sd_event_source_disable_unref(m->retry_timer);
	(void)sd_event_source_disable_unref(m->backend_timer);
	hp_kstatus_done(&m->kernel);
	if (m->backend)
		hp_backend_free(m->backend);
	cgwatch_done(&m->cg);
	if (m->cgroup_fd >= 0)
		(void)close(m->cgroup_fd);
	if (m->pressure_fd >= 0)
		(void)close(m->pressure_fd);
	if (m->proc_fd >= 0)
		(void)close(m->proc_fd);
	resolver_done(&m->res);
	strmap_clear(&m->group_by_path, NULL);
	free(m->cgroup_root);
	hp_policy_set_free(&m->policies);
	(void)sd_event_unref(m->event);
	free(m);
}
