// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The damon backend: hugepaged on a stock kernel, through DAMON sysfs.
 *
 * One kdamond per fed group, each with one vaddr context that has one
 * target per process of the cgroup and its descendants, and one scheme:
 * 'collapse' (Linux 7.2+), or 'hugepage' (MADV_HUGEPAGE, khugepaged
 * collapses) where THP 'enabled' allows it.  Between decisions, tick()
 * follows the processes (an online 'commit' keeps the kdamond running),
 * runs the threshold loop and feeds the goal's user_input.  Which slots
 * of the shared kdamonds array are hugepaged's is damon.c's business; the
 * claims file in the run directory carries them across restarts.
 */
#include "backend.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>

#include "cgroup.h"
#include "damon.h"
#include "log.h"

/* The module's defaults (Documentation/admin-guide/mm/damon/hugepage.rst). */
#define SAMPLE_US 5000
#define AGGR_US 100000
#define UPDATE_US 1000000
#define MIN_NR_REGIONS 10
#define MAX_NR_REGIONS 1000
#define QUOTA_RESET_MS 100
#define WMARK_LOW 50
#define DEFAULT_TUNING HP_TUNING_THRESHOLD
#define DEFAULT_GOAL_BP 9000
#define DEFAULT_FLOOR 4
/* How often processes are looked up again and the tuning steps (the module's refresh_interval_ms). */
#define TICK_USEC USEC_PER_SEC
/* How often a busy interface is looked at again. */
#define BUSY_RETRY_USEC (2 * USEC_PER_SEC)
/*
 * How often, while kdamonds run, a decision reads them back: the status
 * file is the only view of them, and a decision writes it.
 */
#define READOUT_USEC (5 * USEC_PER_SEC)
/*
 * A group whose huge pages have not grown for this many ticks since they
 * last did has a stable hot set; one that has gained none yet gets longer,
 * for DAMON to find its hot set first.  Then (and only then) the kernel may
 * tune its monitoring intervals, which before would only slow that down.
 */
#define STABLE_TICKS 10
#define STABLE_TICKS_UNSEEN 30

#define STATE_LEN 32

/* What hugepaged knows of one of its slots beyond the claim. */
struct dslot {
	int slot;
	int *targets;		/* the kernel's targets, in its order */
	size_t n_targets;
	struct hp_tuning tuning;	/* as configured, defaults filled in */
	bool goal;		/* a quota goal is configured */
	unsigned min_access, top;
	uint64_t last_huge;	/* anon_thp at the last tuning step */
	uint64_t last_tried;	/* the scheme's nr_tried at the last tuning step */
	uint64_t prev_huge;	/* anon_thp at the last tick */
	unsigned idle_ticks;	/* ticks in a row without more huge pages */
	bool gained;		/* it gained huge pages since it started */
	bool intervals_tuned;	/* intervals_goal is on (the hot set is stable) */
	uint64_t anon, anon_huge;
	char state[STATE_LEN];	/* when not running: "stopped", "failed:-22", "idle:no_processes" */
	char reason[HP_REASON_MAX];
};

struct damon_state {
	struct hp_damon_io io;
	int cgroup_fd;			/* borrowed */
	char *thp_path;
	char *claims_path;
	char *force_action;
	struct hp_damon_claims claims;
	struct dslot *ds;		/* one per claim with a slot index */
	size_t n_ds;
	struct hp_damon_features f;
	char thp[16];
	const char *action;		/* NULL: none possible (unsupported says why) */
	char unsupported[HP_REASON_MAX];
	char busy[256];
	char logged_busy[256];
	struct hp_damon_tree tree;	/* as last read */
	/* The last feed: the groups wanted and their tunings. */
	char **want;
	struct hp_tuning *want_tuning;
	unsigned limit;
	char **logged_others;		/* "slot:pid" of other users' running kdamonds, as last logged */
	usec_t last_readout;		/* CLOCK_MONOTONIC of the last readout */
};

static struct damon_state *state_of(struct hp_backend *b)
{
	return b->damon;
}

static struct dslot *ds_find(struct damon_state *st, int slot)
{
	for (size_t i = 0; i < st->n_ds; i++)
		if (st->ds[i].slot == slot)
			return &st->ds[i];
	return NULL;
}

static struct dslot *ds_get(struct damon_state *st, int slot)
{
	struct dslot *d = ds_find(st, slot), *nv;

	if (d)
		return d;
	nv = realloc(st->ds, (st->n_ds + 1) * sizeof(*nv));
	if (!nv)
		return NULL;
	st->ds = nv;
	d = &st->ds[st->n_ds++];
	*d = (struct dslot){ .slot = slot };
	snprintf(d->state, sizeof(d->state), "stopped");
	return d;
}

static void ds_clear_targets(struct dslot *d)
{
	free(d->targets);
	d->targets = NULL;
	d->n_targets = 0;
}

static void ds_remove(struct damon_state *st, int slot)
{
	for (size_t i = 0; i < st->n_ds; i++)
		if (st->ds[i].slot == slot) {
			ds_clear_targets(&st->ds[i]);
			st->ds[i] = st->ds[--st->n_ds];
			return;
		}
}

/* Drops the in-memory state of slots no longer claimed. */
static void ds_sync(struct damon_state *st)
{
	for (size_t i = st->n_ds; i-- > 0;)
		if (!hp_damon_claims_find_slot(&st->claims, st->ds[i].slot))
			ds_remove(st, st->ds[i].slot);
}

static int save_claims(struct damon_state *st)
{
	_cleanup_(freep) char *text = NULL;
	int r;

	if (st->claims.n == 0) {
		if (unlink(st->claims_path) < 0 && errno != ENOENT)
			return log_warning_errno(-errno, "%s: cannot remove", st->claims_path);
		return 0;
	}
	r = hp_damon_claims_format(&st->claims, &text);
	if (r < 0)
		return r;
	r = write_file_atomic(st->claims_path, text, strlen(text));
	if (r < 0)
		return log_warning_errno(r, "%s: cannot write hugepaged's kdamond slots", st->claims_path);
	return 0;
}

static void read_thp(struct damon_state *st)
{
	_cleanup_(freep) char *text = NULL;

	if (read_file_at(AT_FDCWD, st->thp_path, &text) < 0 || hp_thp_parse_enabled(text, st->thp, sizeof(st->thp)) < 0)
		snprintf(st->thp, sizeof(st->thp), "unknown");
}

/* Chooses the action for the features and THP mode; logs when that changes. */
static void choose_action(struct damon_state *st)
{
	const char *why = NULL, *old = st->action;
	bool was_unsupported = st->unsupported[0];

	read_thp(st);
	if (!st->f.probed) {
		/* Until a slot of ours shows what the kernel has, assume what it needs. */
		st->action = st->force_action ? st->force_action : "collapse";
		st->unsupported[0] = '\0';
		return;
	}
	st->action = hp_damon_choose_action(&st->f, st->thp, st->force_action, &why);
	if (!st->action)
		snprintf(st->unsupported, sizeof(st->unsupported), "%s", why);
	else
		st->unsupported[0] = '\0';
	if (st->action && (!old || strcmp(old, st->action) || was_unsupported))
		log_info("damon backend: DAMOS action %s (THP enabled %s)", st->action, st->thp);
	else if (!st->action && !was_unsupported)
		log_warning("damon backend: cannot feed any group: %s", st->unsupported);
}

static int update_features_names(struct hp_backend *b)
{
	struct damon_state *st = state_of(b);
	char **v = NULL;
	int r = hp_damon_features_names(&st->f, &v);

	if (r < 0)
		return r;
	strv_free(b->feature_names);
	b->feature_names = v;
	return 0;
}

/* Probes the features in slot (hugepaged's, stopped, with a context). */
static int probe(struct hp_backend *b, int slot)
{
	struct damon_state *st = state_of(b);
	_cleanup_(freep) char *joined = NULL;
	int r = hp_damon_features_probe(&st->io, slot, &st->f);

	if (r < 0)
		return log_warning_errno(r, "damon backend: cannot probe the kernel's DAMON features in kdamond %d",
					 slot);
	r = update_features_names(b);
	if (r < 0)
		return r;
	choose_action(st);
	joined = hp_strv_join(b->feature_names, " ");
	log_info("damon backend: kernel features: %s", joined ? joined : "?");
	return 0;
}

/* Marks a slot as hugepaged's: one vaddr context, which no one else's client takes. */
static int mark_slot(struct damon_state *st, int slot)
{
	char p[128];
	long long n = -1;
	int r;

	(void)hp_damon_read_int(&st->io, hp_damon_slot_path(p, sizeof(p), slot, "contexts/nr_contexts"), &n);
	if (n != 1) {
		r = hp_damon_write(&st->io, hp_damon_slot_path(p, sizeof(p), slot, "contexts/nr_contexts"), "1");
		if (r < 0)
			return r;
	}
	/* A kernel without vaddr refuses this: the caller says so. */
	return hp_damon_write(&st->io, hp_damon_ctx_path(p, sizeof(p), slot, "operations"), "vaddr");
}

static int read_tree(struct damon_state *st)
{
	struct hp_damon_tree t;
	int r = hp_damon_read_tree(&st->io, &t);

	if (r < 0)
		return r;
	hp_damon_tree_done(&st->tree);
	st->tree = t;
	return 0;
}

/* Reads the tree and drops claims that no longer hold. */
static int refresh(struct damon_state *st, bool *lost)
{
	int r = read_tree(st);

	if (r < 0)
		return log_warning_errno(r, "DAMON sysfs: cannot read the kdamonds array");
	if (hp_damon_verify_claims(&st->tree, &st->claims) > 0) {
		ds_sync(st);
		(void)save_claims(st);
		if (lost)
			*lost = true;
	}
	return 0;
}

static const struct hp_tuning *want_tuning(struct damon_state *st, size_t w)
{
	static const struct hp_tuning none;

	return st->want_tuning ? &st->want_tuning[w] : &none;
}

/* The tuning with the module's defaults for what no one set. */
static struct hp_tuning tuning_filled(const struct hp_tuning *t)
{
	return (struct hp_tuning){
		.mode = t->mode ? t->mode : DEFAULT_TUNING,
		.goal_bp = t->goal_bp ? t->goal_bp : DEFAULT_GOAL_BP,
		.min_access = t->min_access ? t->min_access : DEFAULT_FLOOR,
		.quota_ms = t->quota_ms,
		.quota_bytes = t->quota_bytes,
	};
}

static bool tuning_equal(const struct hp_tuning *a, const struct hp_tuning *b)
{
	return a->mode == b->mode && a->goal_bp == b->goal_bp && a->min_access == b->min_access &&
	       a->quota_ms == b->quota_ms && a->quota_bytes == b->quota_bytes;
}

static unsigned share_bp(uint64_t anon, uint64_t huge)
{
	return anon ? (unsigned)MIN(10000, huge * 10000 / anon) : 0;
}

static void read_memory(struct damon_state *st, const char *cgroup, struct dslot *d)
{
	if (hp_cgroup_read_memory(st->cgroup_fd, cgroup, &d->anon, &d->anon_huge) < 0)
		d->anon = d->anon_huge = 0;
}

static struct hp_damon_ctx_cfg ctx_cfg(struct damon_state *st, const struct dslot *d, const char *cgroup)
{
	struct hp_damon_ctx_cfg c = {
		.action = st->action,
		.sample_us = SAMPLE_US,
		.aggr_us = AGGR_US,
		.update_us = UPDATE_US,
		.min_nr_regions = MIN_NR_REGIONS,
		.max_nr_regions = MAX_NR_REGIONS,
		.intervals_goal = st->f.intervals_goal && d->intervals_tuned,
		.min_access = d->goal ? d->tuning.min_access : d->min_access,
		.quota_ms = d->tuning.quota_ms,
		.quota_bytes = d->tuning.quota_bytes,
		.quota_reset_ms = QUOTA_RESET_MS,
		.wmark_low = WMARK_LOW,
	};

	if (d->goal) {
		c.goal_metric = st->f.hugepage_mem_bp ? "hugepage_mem_bp" : "user_input";
		c.goal_bp = d->tuning.goal_bp;
		c.current_bp = share_bp(d->anon, d->anon_huge);
		c.goal_path = st->f.goal_path ? cgroup : NULL;
	}
	return c;
}

/* Sets up the tuning state of d for t (the group's tuning). */
static void ds_set_tuning(struct damon_state *st, struct dslot *d, const struct hp_tuning *t)
{
	struct hp_tuning f = tuning_filled(t);

	d->tuning = f;
	d->goal = f.mode == HP_TUNING_GOAL && st->f.quota_goals;
	d->top = AGGR_US / SAMPLE_US;
	d->tuning.min_access = MIN(d->tuning.min_access, d->top);
	/* The threshold loop starts at the top: the hottest regions first. */
	d->min_access = d->top;
	d->last_huge = d->prev_huge = d->anon_huge;
	d->idle_ticks = 0;
	d->gained = false;
	d->intervals_tuned = false;
}

static void ds_fail(struct dslot *d, int r, const char *what)
{
	snprintf(d->state, sizeof(d->state), "failed:%d", r);
	snprintf(d->reason, sizeof(d->reason), "kdamond %d: %s: %s", d->slot, what, strerror(-r));
}

/* Configures slot d for cgroup and starts its kdamond. */
static int start_slot(struct damon_state *st, struct dslot *d, const char *cgroup, const struct hp_tuning *t)
{
	_cleanup_(freep) int *pids = NULL;
	struct hp_damon_claim *c = hp_damon_claims_find_slot(&st->claims, d->slot);
	struct hp_damon_ctx_cfg cfg;
	char p[128];
	long long pid = -1;
	size_t n = 0;
	int r;

	d->reason[0] = '\0';
	ds_clear_targets(d);
	r = hp_cgroup_list_pids(st->cgroup_fd, cgroup, &pids, &n);
	if (r < 0) {
		ds_fail(d, r, "cannot list the processes of its cgroup");
		return r;
	}
	if (n == 0) {
		snprintf(d->state, sizeof(d->state), "idle:no_processes");
		return 0;
	}
	read_memory(st, cgroup, d);
	ds_set_tuning(st, d, t);
	cfg = ctx_cfg(st, d, cgroup);
	r = mark_slot(st, d->slot);
	if (r < 0) {
		ds_fail(d, r, "the kernel refused a vaddr context");
		return r;
	}
	r = hp_damon_write_attrs(&st->io, d->slot, &cfg);
	if (r < 0) {
		ds_fail(d, r, "the kernel refused the monitoring attributes");
		return r;
	}
	r = hp_damon_write_targets(&st->io, d->slot, pids, NULL, n);
	if (r < 0) {
		ds_fail(d, r, "the kernel refused a target process");
		return r;
	}
	r = hp_damon_write_scheme(&st->io, d->slot, &cfg);
	if (r < 0) {
		ds_fail(d, r, "the kernel refused the scheme");
		return r;
	}
	r = hp_damon_state(&st->io, d->slot, "on");
	if (r < 0) {
		/* A process may have exited since it was listed: the next try lists again. */
		ds_fail(d, r, "the kernel did not start the kdamond");
		return r;
	}
	r = hp_damon_read_int(&st->io, hp_damon_slot_path(p, sizeof(p), d->slot, "pid"), &pid);
	if (r < 0 || pid <= 0) {
		/* Without its pid it could not be told from another user's later: not left running. */
		(void)hp_damon_state(&st->io, d->slot, "off");
		ds_fail(d, r < 0 ? r : -ESRCH, "the kdamond has no pid");
		return r < 0 ? r : -ESRCH;
	}
	d->targets = TAKE_PTR(pids);
	d->n_targets = n;
	snprintf(d->state, sizeof(d->state), "running");
	free(c->cgroup);
	c->cgroup = strdup(cgroup);
	c->pid = (int)pid;
	if (!c->cgroup)
		return -ENOMEM;
	log_info("%s: kdamond %d started (pid %lld), %zu %s, action %s, tuning %s", cgroup, d->slot, pid, n,
		 n == 1 ? "process" : "processes", st->action, d->goal ? "goal" : "threshold");
	return save_claims(st);
}

/* Stops a slot of hugepaged's; it stays hugepaged's, as a spare. */
static int stop_slot(struct damon_state *st, int slot, const char *why)
{
	struct hp_damon_claim *c = hp_damon_claims_find_slot(&st->claims, slot);
	struct dslot *d = ds_get(st, slot);
	int r = 0;

	if ((size_t)slot < st->tree.n && st->tree.slots[slot].on) {
		r = hp_damon_state(&st->io, slot, "off");
		/* EPERM, EINVAL: it stopped by itself meanwhile. */
		if (r < 0 && r != -EINVAL && r != -EPERM)
			log_warning_errno(r, "kdamond %d: cannot stop it", slot);
		else {
			log_info("%s: kdamond %d stopped (%s)", c && c->cgroup ? c->cgroup : "-", slot, why);
			st->tree.slots[slot].on = false;
		}
	}
	if (d) {
		ds_clear_targets(d);
		snprintf(d->state, sizeof(d->state), "stopped");
	}
	if (c) {
		c->pid = -1;
		free(c->cgroup);
		c->cgroup = NULL;
	}
	return r;
}

/* Gives a slot back: stopped, no context (free for anyone), no claim. */
static void release_slot(struct damon_state *st, int slot)
{
	char p[128];

	(void)stop_slot(st, slot, "released");
	if (hp_damon_write(&st->io, hp_damon_slot_path(p, sizeof(p), slot, "contexts/nr_contexts"), "0") < 0)
		log_debug("kdamond %d: cannot clear its context", slot);
	hp_damon_claims_remove(&st->claims, slot);
	ds_remove(st, slot);
}

/* Writes nr_kdamonds = n; every slot is rebuilt, hugepaged's marked again. */
static int grow(struct hp_backend *b, size_t n)
{
	struct damon_state *st = state_of(b);
	size_t old = st->tree.n;
	char num[16];
	int r;

	snprintf(num, sizeof(num), "%zu", n);
	r = hp_damon_write(&st->io, "kdamonds/nr_kdamonds", num);
	if (r < 0)
		return log_warning_errno(r, "DAMON sysfs: cannot grow nr_kdamonds from %zu to %zu", old, n);
	log_info("DAMON sysfs: nr_kdamonds %zu -> %zu; kdamonds %zu..%zu are hugepaged's", old, n, old, n - 1);
	for (size_t i = old; i < n; i++) {
		r = hp_damon_claims_add(&st->claims, (int)i, -1, NULL);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < st->claims.n; i++) {
		struct hp_damon_claim *c = &st->claims.v[i];

		c->pid = -1;
		free(c->cgroup);
		c->cgroup = NULL;
		r = mark_slot(st, c->slot);
		if (r < 0)
			return log_warning_errno(r, "kdamond %d: cannot set up a vaddr context", c->slot);
	}
	r = save_claims(st);
	if (r < 0)
		return r;
	r = read_tree(st);
	if (r < 0)
		return r;
	if (!st->f.probed && st->claims.n > 0)
		(void)probe(b, st->claims.v[0].slot);
	return 0;
}

/* Changes the scheme of a running slot to a new tuning or action, online. */
static int retune_slot(struct damon_state *st, struct dslot *d, const char *cgroup, const struct hp_tuning *t)
{
	struct hp_damon_ctx_cfg cfg;
	int r;

	ds_set_tuning(st, d, t);
	cfg = ctx_cfg(st, d, cgroup);
	/* A new tuning has work to do: monitoring at full speed again. */
	r = hp_damon_write_scheme(&st->io, d->slot, &cfg);
	if (r == 0)
		r = hp_damon_write_attrs(&st->io, d->slot, &cfg);
	if (r == 0)
		r = hp_damon_state(&st->io, d->slot, "commit");
	if (r < 0)
		return log_debug_errno(r, "%s: kdamond %d: cannot change its scheme", cgroup, d->slot);
	log_info("%s: kdamond %d now runs tuning %s", cgroup, d->slot, d->goal ? "goal" : "threshold");
	return 0;
}

static int copy_feed(struct damon_state *st, const struct hp_feed *feed)
{
	size_t n = strv_len(feed->cgroups);

	strv_free(st->want);
	st->want = NULL;
	free(st->want_tuning);
	st->want_tuning = NULL;
	st->limit = feed->kdamond_limit;
	for (size_t i = 0; i < n; i++)
		if (strv_push(&st->want, feed->cgroups[i]) < 0)
			return -ENOMEM;
	st->want_tuning = calloc(n ? n : 1, sizeof(*st->want_tuning));
	if (!st->want_tuning)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		st->want_tuning[i] = feed->tunings ? feed->tunings[i] : feed->tuning;
	return 0;
}

static void set_busy(struct damon_state *st, const char *busy)
{
	snprintf(st->busy, sizeof(st->busy), "%s", busy);
	if (!strcmp(st->busy, st->logged_busy))
		return;
	if (st->busy[0])
		log_warning("%s; feeding the groups that have no slot when that changes", st->busy);
	else if (st->logged_busy[0])
		log_info("DAMON sysfs: no longer busy");
	snprintf(st->logged_busy, sizeof(st->logged_busy), "%s", st->busy);
}

/* Says once when another user's kdamond starts or goes away. */
static void log_others(struct damon_state *st)
{
	_cleanup_(strv_freep) char **now = NULL;
	char key[48];

	for (size_t i = 0; i < st->tree.n; i++) {
		const struct hp_damon_slot_info *s = &st->tree.slots[i];

		if (!s->on || hp_damon_claims_find_slot(&st->claims, (int)i))
			continue;
		snprintf(key, sizeof(key), "%zu:%d", i, s->pid);
		if (strv_push(&now, key) < 0)
			return;
		if (!strv_contains(st->logged_others, key))
			log_info("DAMON sysfs: kdamond %zu (pid %d) runs and is not hugepaged's: leaving it alone", i,
				 s->pid);
	}
	for (size_t i = 0; st->logged_others && st->logged_others[i]; i++)
		if (!strv_contains(now, st->logged_others[i]))
			log_info("DAMON sysfs: another user's kdamond %s (slot:pid) is gone", st->logged_others[i]);
	strv_free(st->logged_others);
	st->logged_others = TAKE_PTR(now);
}

static int damon_apply(struct hp_backend *b, const struct hp_feed *feed)
{
	struct damon_state *st = state_of(b);
	struct hp_damon_plan plan = { 0 };
	size_t n_want;
	int r, err = 0;

	r = copy_feed(st, feed);
	if (r < 0)
		return r;
	n_want = strv_len(st->want);
	choose_action(st);
	r = refresh(st, NULL);
	if (r < 0)
		return r;
	log_others(st);
	r = hp_damon_plan_slots(&st->tree, &st->claims, st->want, st->limit, &plan);
	if (r < 0)
		return r;
	set_busy(st, plan.busy);

	for (size_t i = 0; plan.stop[i] >= 0; i++)
		(void)stop_slot(st, plan.stop[i], "its group is not fed now");
	for (size_t i = 0; plan.release[i] >= 0; i++)
		release_slot(st, plan.release[i]);
	if (plan.grow) {
		r = grow(b, plan.grow_to);
		if (r < 0) {
			/* Someone took the array meanwhile: the groups wait, the next decision plans again. */
			set_busy(st, "DAMON sysfs changed while hugepaged grew nr_kdamonds");
			for (size_t w = 0; w < n_want; w++)
				if (plan.slot[w] >= (int)st->tree.n || !hp_damon_claims_find_slot(&st->claims, plan.slot[w]))
					plan.slot[w] = -1;
			err = r;
		}
	}
	for (size_t w = 0; w < n_want; w++) {
		const char *cg = st->want[w];
		int slot = plan.slot[w];
		struct dslot *d;

		if (slot < 0)
			continue;
		if (!hp_damon_claims_find_slot(&st->claims, slot)) {
			/* A free slot: take it. */
			r = hp_damon_claims_add(&st->claims, slot, -1, NULL);
			if (r == 0)
				r = mark_slot(st, slot);
			if (r < 0) {
				log_warning_errno(r, "kdamond %d: cannot take it", slot);
				hp_damon_claims_remove(&st->claims, slot);
				plan.slot[w] = -1;
				continue;
			}
			log_info("DAMON sysfs: kdamond %d was free, it is hugepaged's now", slot);
			(void)save_claims(st);
		}
		d = ds_get(st, slot);
		if (!d) {
			err = -ENOMEM;
			break;
		}
		/* Probing writes test values: only in a stopped slot (an adopted one runs). */
		if (!st->f.probed && (size_t)slot < st->tree.n && !st->tree.slots[slot].on) {
			r = probe(b, slot);
			if (r == 0 && !st->action)
				break;	/* unsupported: the next decision plans nothing */
		}
		if (!st->action)
			break;
		if (plan.start[w]) {
			struct hp_damon_claim *c = hp_damon_claims_find_slot(&st->claims, slot);

			/* It served another group before: that one is done there. */
			if (c->cgroup && strcmp(c->cgroup, cg))
				(void)stop_slot(st, slot, "given to another group");
			r = start_slot(st, d, cg, want_tuning(st, w));
			/* The decision logs it, once per change. */
			if (r < 0)
				log_debug("%s: %s", cg, d->reason);
		} else {
			struct hp_tuning t = tuning_filled(want_tuning(st, w));

			if (!tuning_equal(&t, &d->tuning) || d->goal != (t.mode == HP_TUNING_GOAL && st->f.quota_goals) ||
			    ((size_t)slot < st->tree.n && strcmp(st->tree.slots[slot].action, st->action)))
				(void)retune_slot(st, d, cg, want_tuning(st, w));
		}
	}
	hp_damon_plan_done(&plan);
	return err;
}

/* What a running slot of hugepaged's runs, read back after a restart. */
static int adopt_slot(struct damon_state *st, const struct hp_damon_claim *c, struct dslot *d)
{
	char p[128];
	long long nt = 0, val;

	(void)hp_damon_read_int(&st->io, hp_damon_ctx_path(p, sizeof(p), c->slot, "targets/nr_targets"), &nt);
	ds_clear_targets(d);
	d->targets = calloc(nt > 0 ? (size_t)nt : 1, sizeof(int));
	if (!d->targets)
		return -ENOMEM;
	for (long long t = 0; t < nt; t++) {
		snprintf(p, sizeof(p), "kdamonds/%d/contexts/0/targets/%lld/pid_target", c->slot, t);
		if (hp_damon_read_int(&st->io, p, &val) == 0)
			d->targets[d->n_targets++] = (int)val;
	}
	read_memory(st, c->cgroup, d);
	ds_set_tuning(st, d, &(struct hp_tuning){ 0 });
	if (hp_damon_read_int(&st->io, hp_damon_ctx_path(p, sizeof(p), c->slot, "schemes/0/access_pattern/nr_accesses/min"),
			      &val) == 0)
		d->min_access = (unsigned)val;
	d->intervals_tuned = hp_damon_read_int(&st->io, hp_damon_ctx_path(p, sizeof(p), c->slot,
									  "monitoring_attrs/intervals/intervals_goal/access_bp"),
					       &val) == 0 && val > 0;
	d->goal = hp_damon_read_int(&st->io, hp_damon_ctx_path(p, sizeof(p), c->slot, "schemes/0/quotas/goals/nr_goals"),
				    &val) == 0 && val > 0;
	if (d->goal) {
		d->tuning.mode = HP_TUNING_GOAL;
		if (hp_damon_read_int(&st->io, hp_damon_ctx_path(p, sizeof(p), c->slot,
								  "schemes/0/quotas/goals/0/target_value"), &val) == 0)
			d->tuning.goal_bp = (unsigned)val;
	}
	snprintf(d->state, sizeof(d->state), "running");
	return 0;
}

static int damon_current(struct hp_backend *b, char ***ret)
{
	struct damon_state *st = state_of(b);
	_cleanup_(strv_freep) char **v = NULL;
	_cleanup_(freep) char *text = NULL;
	unsigned line = 0;
	int r;

	*ret = NULL;
	r = read_file_at(AT_FDCWD, st->claims_path, &text);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return log_warning_errno(r, "%s: cannot read hugepaged's kdamond slots, adopting none", st->claims_path);
	hp_damon_claims_done(&st->claims);
	r = hp_damon_claims_parse(text, &st->claims, &line);
	if (r < 0) {
		log_warning_errno(r, "%s:%u: malformed, adopting no kdamond", st->claims_path, line);
		return 0;
	}
	r = refresh(st, NULL);
	if (r < 0)
		return r;
	for (size_t i = 0; i < st->claims.n; i++) {
		struct hp_damon_claim *c = &st->claims.v[i];
		struct dslot *d = ds_get(st, c->slot);

		if (!d)
			return -ENOMEM;
		if (!st->tree.slots[c->slot].on || !c->cgroup) {
			c->pid = -1;
			continue;
		}
		r = adopt_slot(st, c, d);
		if (r < 0)
			return r;
		log_info("%s: adopting kdamond %d (pid %d), which hugepaged started before", c->cgroup, c->slot, c->pid);
		r = strv_push(&v, c->cgroup);
		if (r < 0)
			return r;
	}
	(void)save_claims(st);
	if (!st->f.probed)
		for (size_t i = 0; i < st->claims.n && !st->f.probed; i++)
			if (!st->tree.slots[st->claims.v[i].slot].on)
				(void)probe(b, st->claims.v[i].slot);
	*ret = TAKE_PTR(v);
	return 0;
}

/* The readout record of a group that has a slot of hugepaged's. */
static int kgroup_of_slot(struct damon_state *st, const struct hp_damon_claim *c, const char *cgroup,
			  struct hp_kstatus *k)
{
	struct dslot *d = ds_get(st, c->slot);
	const struct hp_damon_slot_info *s = (size_t)c->slot < st->tree.n ? &st->tree.slots[c->slot] : NULL;
	struct hp_damon_stats stats = { 0 };
	_cleanup_(freep) char *group = NULL;
	bool on = s && s->on && c->pid > 0 && s->pid == c->pid;
	struct hp_kgroup g;

	if (!d || asprintf(&group, "cgroup:%s", cgroup) < 0)
		return -ENOMEM;
	read_memory(st, cgroup, d);
	if (on && hp_damon_state(&st->io, c->slot, "update_schemes_stats") == 0)
		(void)hp_damon_read_stats(&st->io, c->slot, &stats);
	g = (struct hp_kgroup){
		.group = group,
		.slot = c->slot,
		.kdamond = on ? c->pid : -1,
		.state = on ? (char *)"running" : d->state,
		.procs = (unsigned)d->n_targets,
		.tuning = (char *)(d->goal ? "goal" : "threshold"),
		.min_access = d->goal ? d->tuning.min_access : d->min_access,
		.goal_bp = d->goal ? d->tuning.goal_bp : 0,
		.share_bp = share_bp(d->anon, d->anon_huge),
		.anon_bytes = d->anon,
		.anon_huge_bytes = d->anon_huge,
		.nr_tried = stats.nr_tried,
		.tried_bytes = stats.sz_tried,
		.nr_collapsed = stats.nr_applied,
		.collapsed_bytes = stats.sz_applied,
		.failed_bytes = stats.sz_tried > stats.sz_applied ? stats.sz_tried - stats.sz_applied : 0,
		.quota_exceeds = stats.qt_exceeds,
		.wmark = (char *)"-",
		.action = (char *)(st->action ? st->action : "-"),
		.reason = on ? (char *)"" : d->reason,
	};
	return hp_kstatus_add_group(k, &g);
}

static int damon_readout(struct hp_backend *b, struct hp_kstatus *ret)
{
	struct damon_state *st = state_of(b);
	struct hp_kstatus k = { 0 };
	int r;

	r = refresh(st, NULL);
	if (r < 0)
		return r;
	st->last_readout = now_usec();
	k.source = strdup("damon_sysfs");
	k.reason = strdup(st->busy);
	if (!k.source || !k.reason) {
		hp_kstatus_done(&k);
		return -ENOMEM;
	}
	k.nr_kdamonds = (unsigned)st->tree.n;
	k.max_kdamonds = st->limit;
	for (size_t i = 0; i < st->tree.n; i++) {
		const struct hp_damon_slot_info *s = &st->tree.slots[i];
		const struct hp_damon_claim *c = hp_damon_claims_find_slot(&st->claims, (int)i);
		struct hp_kslot ks = {
			.slot = (int)i,
			.pid = s->on ? s->pid : -1,
			.on = s->on,
			.owner = (char *)hp_damon_owner_name(c ? HP_DAMON_OURS : hp_damon_classify(s, NULL, NULL)),
			.group = c ? c->cgroup : NULL,
		};

		k.enabled |= c && s->on;
		r = hp_kstatus_add_slot(&k, &ks);
		if (r < 0)
			goto fail;
	}
	for (size_t w = 0; st->want && st->want[w]; w++) {
		const struct hp_damon_claim *c = hp_damon_claims_find_cgroup(&st->claims, st->want[w]);
		_cleanup_(freep) char *group = NULL;
		struct hp_kgroup g;

		if (c) {
			r = kgroup_of_slot(st, c, st->want[w], &k);
			if (r < 0)
				goto fail;
			continue;
		}
		if (asprintf(&group, "cgroup:%s", st->want[w]) < 0) {
			r = -ENOMEM;
			goto fail;
		}
		g = (struct hp_kgroup){
			.group = group, .slot = -1, .kdamond = -1, .state = (char *)"waiting",
			.tuning = (char *)"-", .wmark = (char *)"-", .action = (char *)(st->action ? st->action : "-"),
			.reason = st->busy[0] ? st->busy : (char *)"no kdamond slot of hugepaged's for it yet",
		};
		r = hp_kstatus_add_group(&k, &g);
		if (r < 0)
			goto fail;
	}
	/* Slots still serving a group no longer wanted (a stop that failed). */
	for (size_t i = 0; i < st->claims.n; i++) {
		const struct hp_damon_claim *c = &st->claims.v[i];

		if (!c->cgroup || strv_contains(st->want, c->cgroup))
			continue;
		r = kgroup_of_slot(st, c, c->cgroup, &k);
		if (r < 0)
			goto fail;
	}
	*ret = k;
	return 0;
fail:
	hp_kstatus_done(&k);
	return r;
}

/* Follows the processes of a running slot and steps its tuning; commits what changed. */
static void tick_slot(struct damon_state *st, struct hp_damon_claim *c, struct dslot *d, bool *changed)
{
	_cleanup_(freep) int *pids = NULL;
	struct hp_damon_targets tp = { 0 };
	bool commit = false, targets_changed = false, goal_feed = false, progress, toggled = false;
	char p[128], num[32];
	size_t n = 0;
	int r;

	r = hp_cgroup_list_pids(st->cgroup_fd, c->cgroup, &pids, &n);
	if (r < 0)
		return;
	if (n == 0) {
		(void)stop_slot(st, c->slot, "no processes left");
		snprintf(d->state, sizeof(d->state), "idle:no_processes");
		*changed = true;
		(void)save_claims(st);
		return;
	}
	targets_changed = hp_damon_plan_targets(d->targets, d->n_targets, pids, n, st->f.obsolete_target, getpid(),
						&tp);
	if (!tp.pids)
		return;
	if (targets_changed) {
		r = hp_damon_write_targets(&st->io, c->slot, tp.pids, tp.obsolete, tp.n);
		if (r < 0)
			log_debug_errno(r, "%s: kdamond %d: cannot write its targets", c->cgroup, c->slot);
		commit = r == 0;
	}
	read_memory(st, c->cgroup, d);
	progress = d->anon_huge > d->prev_huge;
	d->prev_huge = d->anon_huge;
	if (st->f.intervals_goal) {
		bool stable;

		d->gained |= progress;
		d->idle_ticks = progress || targets_changed ? 0 : d->idle_ticks + 1;
		stable = d->idle_ticks >= (d->gained ? STABLE_TICKS : STABLE_TICKS_UNSEEN);
		if (stable != d->intervals_tuned) {
			struct hp_damon_ctx_cfg cfg;

			d->intervals_tuned = stable;
			cfg = ctx_cfg(st, d, c->cgroup);
			/* On: from the base intervals, the kernel tunes; off: back to them. */
			if (hp_damon_write_attrs(&st->io, c->slot, &cfg) == 0) {
				toggled = commit = true;
				log_debug("%s: kdamond %d: %s", c->cgroup, c->slot,
					  stable ? "hot set stable, the kernel tunes the monitoring intervals" :
						   "huge pages to gain, monitoring intervals back to the shortest");
			}
		}
	}
	if (!d->goal) {
		struct hp_damon_stats stats = { 0 };
		bool tried = true;
		unsigned next;

		/* Did any region reach min_access this second?  If none did, step faster. */
		if (hp_damon_state(&st->io, c->slot, "update_schemes_stats") == 0 &&
		    hp_damon_read_stats(&st->io, c->slot, &stats) == 0) {
			tried = stats.nr_tried != d->last_tried;
			d->last_tried = stats.nr_tried;
		}
		next = hp_damon_next_min_access(d->min_access, d->tuning.min_access, d->top,
						d->anon_huge > d->last_huge, tried, TICK_USEC / AGGR_US);
		d->last_huge = d->anon_huge;
		if (next != d->min_access) {
			snprintf(num, sizeof(num), "%u", next);
			r = hp_damon_write(&st->io, hp_damon_ctx_path(p, sizeof(p), c->slot,
								      "schemes/0/access_pattern/nr_accesses/min"),
					   num);
			if (r == 0) {
				d->min_access = next;
				commit = true;
			}
		}
	} else if (!st->f.hugepage_mem_bp) {
		snprintf(num, sizeof(num), "%u", share_bp(d->anon, d->anon_huge));
		goal_feed = hp_damon_write(&st->io, hp_damon_ctx_path(p, sizeof(p), c->slot,
								      "schemes/0/quotas/goals/0/current_value"),
					   num) == 0;
	}
	if (commit) {
		/* commit would reset the intervals the kernel tuned to the files' values: copy them first. */
		if (d->intervals_tuned && !toggled)
			(void)hp_damon_state(&st->io, c->slot, "update_tuned_intervals");
		r = hp_damon_state(&st->io, c->slot, "commit");
		if (r == 0 && targets_changed) {
			log_debug("%s: kdamond %d follows %zu %s now", c->cgroup, c->slot, tp.n_result,
				  tp.n_result == 1 ? "process" : "processes");
			free(d->targets);
			d->targets = TAKE_PTR(tp.result);
			d->n_targets = tp.n_result;
			*changed = true;	/* the status shows the processes followed */
		} else if (r < 0) {
			/* A process exited between the listing and the commit: the next tick lists again. */
			log_debug_errno(r, "%s: kdamond %d: commit refused", c->cgroup, c->slot);
		}
		goal_feed = false;	/* the commit took the goal's current value too */
	}
	/* The files must say what the kernel runs (no obsolete marks), for the next commit. */
	if (targets_changed)
		(void)hp_damon_write_targets(&st->io, c->slot, d->targets, NULL, d->n_targets);
	if (goal_feed)
		(void)hp_damon_state(&st->io, c->slot, "commit_schemes_quota_goals");
	hp_damon_targets_done(&tp);
}

static int damon_tick(struct hp_backend *b, usec_t now, usec_t *next, bool *changed)
{
	struct damon_state *st = state_of(b);
	bool running = false;
	int r;

	*next = USEC_INFINITY;
	*changed = false;
	/* THP 'enabled' may have changed, and with it the action (or whether there is one). */
	if (st->f.probed) {
		const char *old = st->action;

		choose_action(st);
		if ((old == NULL) != (st->action == NULL) || (old && strcmp(old, st->action)))
			*changed = true;
	}
	r = refresh(st, changed);
	if (r < 0) {
		*next = now + BUSY_RETRY_USEC;
		return r;
	}
	log_others(st);
	for (size_t i = 0; i < st->claims.n; i++) {
		struct hp_damon_claim *c = &st->claims.v[i];
		struct dslot *d = ds_get(st, c->slot);

		if (!d)
			return -ENOMEM;
		if (!c->cgroup || c->pid <= 0)
			continue;
		if (!st->tree.slots[c->slot].on) {
			/* It stopped by itself: every target it had is gone, or someone turned it off. */
			log_info("%s: kdamond %d (pid %d) stopped", c->cgroup, c->slot, c->pid);
			snprintf(d->state, sizeof(d->state), "stopped");
			snprintf(d->reason, sizeof(d->reason), "kdamond %d stopped (its processes exited, or it was turned off)",
				 c->slot);
			c->pid = -1;
			(void)save_claims(st);
			*changed = true;
			continue;
		}
		running = true;
		tick_slot(st, c, d, changed);
	}
	if (st->busy[0] && st->want) {
		struct hp_damon_plan plan;

		/* Someone's kdamond stopped, or slots came free: decide again. */
		if (hp_damon_plan_slots(&st->tree, &st->claims, st->want, st->limit, &plan) == 0) {
			if (!plan.busy[0] || strcmp(plan.busy, st->busy))
				*changed = true;
			hp_damon_plan_done(&plan);
		}
	}
	if (running && now >= st->last_readout + READOUT_USEC)
		*changed = true;
	if (running)
		*next = now + TICK_USEC;
	else if (st->busy[0])
		*next = now + BUSY_RETRY_USEC;
	return 0;
}

static int damon_stop(struct hp_backend *b)
{
	struct damon_state *st = state_of(b);
	bool all_free = true;

	(void)refresh(st, NULL);
	while (st->claims.n > 0)
		release_slot(st, st->claims.v[0].slot);
	(void)save_claims(st);
	/* The array hugepaged grew is all free again: give DAMON sysfs back as it was. */
	if (read_tree(st) < 0)
		return 0;
	for (size_t i = 0; i < st->tree.n; i++)
		all_free &= hp_damon_classify(&st->tree.slots[i], NULL, NULL) == HP_DAMON_FREE;
	if (all_free && st->tree.n > 0 && hp_damon_write(&st->io, "kdamonds/nr_kdamonds", "0") == 0)
		log_info("DAMON sysfs: nr_kdamonds %zu -> 0", st->tree.n);
	return 0;
}

static void damon_limits(struct hp_backend *b, struct hp_plan_limits *ret)
{
	struct damon_state *st = state_of(b);

	choose_action(st);
	*ret = (struct hp_plan_limits){ .unsupported = st->action ? NULL : st->unsupported };
}

static char **damon_features(struct hp_backend *b)
{
	return b->feature_names;
}

static const char *damon_action(struct hp_backend *b)
{
	return state_of(b)->action;
}

static const struct hp_backend_ops damon_ops = {
	.name = "damon",
	.current = damon_current,
	.apply = damon_apply,
	.readout = damon_readout,
	.stop = damon_stop,
	.tick = damon_tick,
	.limits = damon_limits,
	.features = damon_features,
	.action = damon_action,
	.readout_in_status = true,
};

void hp_backend_damon_free(struct hp_backend *b)
{
	struct damon_state *st = state_of(b);

	if (!st)
		return;
	if (st->io.admin_fd >= 0)
		close(st->io.admin_fd);
	free(st->thp_path);
	free(st->claims_path);
	free(st->force_action);
	hp_damon_claims_done(&st->claims);
	for (size_t i = 0; i < st->n_ds; i++)
		ds_clear_targets(&st->ds[i]);
	free(st->ds);
	hp_damon_tree_done(&st->tree);
	strv_free(st->want);
	free(st->want_tuning);
	strv_free(st->logged_others);
	free(st);
	b->damon = NULL;
}

int hp_backend_damon_new(const struct hp_damon_options *o, struct hp_backend **ret)
{
	_cleanup_(hp_backend_freep) struct hp_backend *b = calloc(1, sizeof(*b));
	_cleanup_(freep) char *joined = NULL;
	struct damon_state *st;
	int r;

	if (!b)
		return -ENOMEM;
	b->ops = &damon_ops;
	st = b->damon = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->cgroup_fd = o->cgroup_fd;
	st->io.write_hook = o->write_hook;
	st->io.userdata = o->hook_data;
	st->io.admin_fd = open(o->admin_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (st->io.admin_fd < 0)
		return log_error_errno(-ENOENT, "%s: no DAMON sysfs (a kernel without CONFIG_DAMON_SYSFS)", o->admin_dir);
	r = hp_damon_features_peek(&st->io, &st->f);
	if (r < 0)
		return log_error_errno(-ENOENT, "%s: no kdamonds/nr_kdamonds, not DAMON sysfs", o->admin_dir);
	if (asprintf(&st->thp_path, "%s/enabled", o->thp_dir) < 0 ||
	    asprintf(&st->claims_path, "%s/damon-slots", o->run_dir) < 0 ||
	    (o->force_action && !(st->force_action = strdup(o->force_action))))
		return -ENOMEM;
	/* Nothing shows the operations sets before a context exists: vaddr is assumed until then. */
	st->f.vaddr = true;
	r = update_features_names(b);
	if (r < 0)
		return r;
	choose_action(st);
	joined = hp_strv_join(b->feature_names, " ");
	log_info("damon backend: DAMON sysfs %s; THP enabled %s; kernel features seen so far: %s (the rest is "
		 "probed in the first kdamond slot hugepaged takes)%s%s",
		 o->admin_dir, st->thp, joined ? joined : "?", st->force_action ? "; action forced to " : "",
		 st->force_action ? st->force_action : "");
	*ret = TAKE_PTR(b);
	return 0;
}
