/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The PSI watcher: one PSI file (the system's memory or cpu, a cgroup's
 * memory.pressure) watched with a trigger, or sampled every second where
 * the kernel refuses triggers; each sample goes through the pressure state
 * machine (pressure.c), and a change of "paused" is reported.
 */
#pragma once

#include <stdbool.h>
#include <systemd/sd-event.h>

#include "conf.h"
#include "pressure.h"

/* What every watch of one daemon shares: its loop, its settings, its callbacks. */
struct psi_hooks {
	sd_event *event;
	const usec_t *resume_delay;		/* ResumeDelaySec=, read at each sample */
	void (*changed)(void *userdata);	/* a watch's state went paused or back */
	void (*gone)(void *userdata);		/* a watched file went away (its cgroup did) */
	void *userdata;
};

struct psi_watch {
	const struct psi_hooks *hooks;
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

/* A watch that holds nothing yet (psi_watch_done() is safe on it). */
#define PSI_WATCH_NULL ((struct psi_watch){ .dir_fd = -1, .trigger_fd = -1 })

/*
 * Sets up w on dir_fd/name with a PSI trigger for limit; where the kernel
 * refuses the trigger, samples every second instead.  state: where the
 * pressure state lives (NULL: in w).
 */
int psi_watch_init(struct psi_watch *w, const struct psi_hooks *hooks, const char *label, int dir_fd,
		   const char *name, const struct hp_limit *limit, struct hp_pressure *state);
/* Sets w up again for a changed limit, keeping its pressure state. */
int psi_watch_reset(struct psi_watch *w, const struct hp_limit *limit);
void psi_watch_done(struct psi_watch *w);
