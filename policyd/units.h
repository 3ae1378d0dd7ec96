/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * systemd, over D-Bus: which unit owns a cgroup, the files that unit was
 * loaded from (so that the manager can read their [X-Hugepage] sections)
 * and whether the unit forbids transparent huge pages; and the manager's
 * signals that mean those answers may have changed.
 */
#pragma once

#include <stdbool.h>
#include <systemd/sd-event.h>

/* What systemd says about the unit whose own cgroup is a path. */
struct hp_unit_info {
	char *unit;		/* "db.slice" */
	char **files;		/* FragmentPath, then DropInPaths, in systemd's order */
	bool thp_disabled;	/* MemoryTHP=disable (systemd >= 258; absent before) */
};
void hp_unit_info_done(struct hp_unit_info *u);

/*
 * Called when units may have changed: unit is the unit's name after
 * UnitNew/UnitRemoved, or NULL after a daemon-reload (everything).
 */
typedef void (*hp_units_changed_t)(const char *unit, void *userdata);

/*
 * The answer to hp_units_lookup(): error 0 with *info filled (the callee
 * may take its fields: what it leaves is freed after), -ENOENT if no unit
 * has the cgroup as its own (a cgroup inside a unit is not the unit's),
 * another -errno for a bus error or a timeout.  cookie: the lookup's.
 */
typedef void (*hp_units_answer_t)(void *cookie, int error, struct hp_unit_info *info, void *userdata);

struct hp_units;
typedef struct sd_bus sd_bus;

/*
 * Connects to the system bus and subscribes to systemd's signals.
 * -errno if there is no bus or no systemd on it (the caller goes on
 * without unit sections).
 */
int hp_units_open(sd_event *event, hp_units_changed_t changed, hp_units_answer_t answer, void *userdata,
		  struct hp_units **ret);
/* The same on a bus already connected (a test's peer): takes a reference to bus. */
int hp_units_open_bus(sd_bus *bus, sd_event *event, hp_units_changed_t changed, hp_units_answer_t answer,
		      void *userdata, struct hp_units **ret);
/* Lookups still waiting for their answer are dropped: their answers never come. */
void hp_units_free(struct hp_units *u);
/* Still connected?  (No: the bus went away, e.g. dbus was restarted.) */
bool hp_units_connected(struct hp_units *u);

/* Could path be a unit's own cgroup (its last component a unit name)? */
bool hp_units_path_is_unit_like(const char *path);

/*
 * Asks systemd, without waiting, for the unit whose own cgroup is path
 * ("/db.slice"): GetUnitByControlGroup, then its properties in one round
 * trip of parallel calls.  The answer goes to the answer callback with
 * cookie, possibly before this returns (a fake).  0 when asked; -errno if
 * it could not be asked (then there is no answer).
 */
int hp_units_lookup(struct hp_units *u, const char *path, void *cookie);
