/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The decisions around hp_decide() and hp_confirm() that the manager
 * takes at each step: pure code on plain structs, no I/O.  Whether the
 * system's pressure pauses everything and why; what the backend is handed
 * (the planned groups, best first, and which tuning wins); how the
 * backend's failures to apply and to read back map to what hp_confirm()
 * decides; when sizes must be re-read; when a decision is logged again.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "backend.h"
#include "decide.h"
#include "pressure.h"

/*
 * Sets sys from the system's pressure: paused while memory or cpu is
 * paused (memory named first when both are), with the share and the
 * limit in the reason; not paused otherwise.
 */
void hp_system_pause(struct hp_system_state *sys, const struct hp_pressure *memory,
		     const struct hp_limit *memory_limit, const struct hp_pressure *cpu,
		     const struct hp_limit *cpu_limit);

/*
 * What the backend gets for the plan hp_decide() made: the planned groups
 * (decision fed) by rank, best first; per group its policy's tuning over
 * dflt ([Tuning] of hugepaged.conf); and the one tuning a backend that
 * runs one for all uses: the best-ranked group's policy over dflt, dflt
 * itself when nothing is planned.  0, or -ENOMEM.  hp_feed_done() frees it.
 */
int hp_plan_feed(struct hp_group *const *groups, size_t n, const struct hp_tuning *dflt, unsigned kdamond_limit,
		 struct hp_feed *ret);
void hp_feed_done(struct hp_feed *f);

/*
 * hp_confirm() after the backend's apply (apply_error, 0 or -errno) and its
 * readout (read_error: 0 with k filled, -EOPNOTSUPP if the backend has no
 * readout, which is not a failure: the plan is taken as done, or another
 * -errno: every planned group fails with it).
 */
unsigned hp_confirm_readout(struct hp_group **groups, size_t n, const struct hp_kstatus *k, int apply_error,
			    int read_error, usec_t now);

/*
 * Do the groups' sizes matter to the next decision?  Only while one waits
 * for a slot (refused) or for MinSize= (too small), or a fed group with a
 * MinSize= could shrink below it.  Otherwise no refresh timer runs.
 */
bool hp_sizes_matter(struct hp_group *const *groups, size_t n);

/*
 * What a group's decision is logged for: a change of decision, and of its
 * error (failed) or its reason (waiting), not each retry.  "" otherwise.
 */
const char *hp_decision_log_key(const struct hp_group *g);
