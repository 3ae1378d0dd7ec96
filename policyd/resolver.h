/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The unit resolver: which systemd unit a cgroup is the own cgroup of, and
 * the policy its [X-Hugepage] sections make over the policy file that
 * matches the cgroup.  systemd is asked once per cgroup (units.h) and the
 * answer kept until systemd signals a change (UnitNew, UnitRemoved,
 * Reloading), or until the cgroup goes.  The cgroups named like units are
 * recorded by name, so that a signal for a unit finds the cgroups it
 * concerns.
 *
 * systemd is asked without waiting (units.h).  While a cgroup's question
 * is out, resolver_resolve() says so (pending) and the owner decides
 * nothing for it on its policy file alone; the answer comes back through
 * answered().  A miss (no unit has the cgroup as its own: a cgroup made
 * inside a unit, a container's own hierarchy) is remembered too: until
 * systemd signals UnitNew or UnitRemoved for the name, a daemon-reload,
 * or for RESOLVER_MISS_USEC; a bus error or timeout for
 * RESOLVER_ERROR_USEC, with the policy files only meanwhile.
 */
#pragma once

#include <stdbool.h>
#include <systemd/sd-event.h>

#include "conf.h"
#include "units.h"
#include "util.h"

/*
 * What systemd said about a unit's own cgroup, and the policy its
 * [X-Hugepage] sections make.  Groups point at .policy: an entry made
 * stale by a change is freed only once no group points at it (users).
 */
struct ucache {
	char *path;
	bool pending;		/* systemd was asked, no answer yet */
	bool miss;		/* no unit has it as its own (or asking failed): until .expires */
	usec_t expires;
	struct hp_unit_info info;
	bool has_policy;	/* the unit has [X-Hugepage] sections: .policy */
	bool failed;		/* its sections have errors: the policy files apply */
	bool stale;
	unsigned users;		/* groups whose policy is &.policy */
	struct hp_policy policy;
};

#define RESOLVER_MISS_USEC (10 * 60 * USEC_PER_SEC)
#define RESOLVER_ERROR_USEC (30 * USEC_PER_SEC)

/* path was asked and answered: match it again (only for answers that came later). */
typedef void (*resolver_answered_t)(const char *path, void *userdata);

struct resolver {
	sd_event *event;
	const struct hp_policy_set *policies;	/* the owner's: the base of unit sections */
	hp_units_changed_t changed;	/* the owner's, after systemd's signals */
	resolver_answered_t answered;
	void *userdata;
	unsigned n_pending;		/* questions out */
	struct ucache *asking;		/* asked in resolver_resolve() now: its answer may come at once */
	unsigned lookups;		/* questions asked, ever (for tests and the debug log) */

	/* systemd units: NULL without a system bus or with UnitSections=no. */
	struct hp_units *units;
	char reason[128];		/* why there is none */
	bool error_logged;
	struct ucache **v;
	size_t n, cap;
	struct strmap by_path;		/* path -> its entry that is not stale */
	struct strmap unit_paths;	/* unit name -> char **: the cgroups seen named so */
};

void resolver_init(struct resolver *r, sd_event *event, const struct hp_policy_set *policies,
		   hp_units_changed_t changed, resolver_answered_t answered, void *userdata);
void resolver_done(struct resolver *r);

/* Connects to systemd or disconnects, as UnitSections= (enabled) says. */
void resolver_setup(struct resolver *r, bool enabled);
/*
 * Before a rescan: connects again if the bus went away or was never
 * there.  True if every answer must be asked again (the owner calls its
 * changed(NULL)).
 */
bool resolver_reconnect(struct resolver *r, bool enabled);

/*
 * The policy for path: the first policy file that matches, overridden key
 * by key by the [X-Hugepage] sections of the unit whose own cgroup it is.
 * *ret_uc: that unit, if any.  NULL if neither applies, or if systemd is
 * being asked (*pending: the answer comes through answered()).
 */
const struct hp_policy *resolver_resolve(struct resolver *r, const char *path, struct ucache **ret_uc,
					 bool *pending);

/* Marks the entries of unit (NULL: of every unit) stale. */
void resolver_mark_stale(struct resolver *r, const char *unit);
/* A copy of the cgroup paths seen named like unit (NULL: every one). */
int resolver_paths_of(struct resolver *r, const char *unit, char ***ret);
/* Frees the stale entries no group points at. */
void resolver_sweep(struct resolver *r);

/* A rescan begins: the cgroups seen are recorded again. */
void resolver_rescan_begin(struct resolver *r);
/* A cgroup seen (by a walk or inotify). */
int resolver_cgroup_seen(struct resolver *r, const char *path);
/* The rescan is done: the entries of cgroups not seen are stale. */
void resolver_rescan_end(struct resolver *r);
/* prefix and everything below were removed. */
void resolver_forget_under(struct resolver *r, const char *prefix);

/* The entries that are not stale and have sections (loaded, or failed), for the status. */
static inline bool ucache_shown(const struct ucache *uc)
{
	return !uc->stale && (uc->has_policy || uc->failed);
}
