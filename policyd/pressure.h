/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * "Over X for at least D" on PSI counters, as a pure state machine fed with
 * samples of the cumulative "some total=" stall time.  PSI triggers only
 * decide when a sample is taken; the state machine decides what it means.
 *
 *   ok --(trigger, or share >= X in a polled sample)--> suspect
 *   suspect --(share over the whole D >= X, checked at since+D)--> over
 *   suspect --(share over D < X)--> ok
 *   over --(share of a sample < X)--> recovering
 *   recovering --(share >= X)--> over; --(below for resume delay)--> ok
 *
 * With D = 0, a trigger (or an over-limit sample) goes straight to over.
 * Paused means over or recovering.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "conf.h"
#include "util.h"

enum hp_pressure_state {
	HP_PRESSURE_OK,
	HP_PRESSURE_SUSPECT,
	HP_PRESSURE_OVER,
	HP_PRESSURE_RECOVERING,
};
const char *hp_pressure_state_name(enum hp_pressure_state s);

struct hp_pressure {
	enum hp_pressure_state state;
	usec_t since;			/* entered the current state */
	uint64_t total_at_since;	/* "some total=" at since, us */
	usec_t last;			/* previous sample (0: none yet) */
	uint64_t last_total;
	unsigned share_bp;		/* share of the last sample interval */
};

/* How often to sample while over or recovering, and when polling. */
#define HP_PRESSURE_SAMPLE_PERIOD (1 * USEC_PER_SEC)

/*
 * Feeds one sample taken at now.  triggered: a PSI trigger fired (the
 * kernel saw the stall threshold crossed in its window).  polling: no
 * trigger could be set up, so samples come every sample period and an
 * over-limit share counts as a trigger.  Returns when the caller must
 * sample next, or 0 for "only when a trigger fires".
 */
usec_t hp_pressure_sample(struct hp_pressure *p, const struct hp_limit *limit, usec_t resume_delay,
			  usec_t now, uint64_t total_us, bool triggered, bool polling);

static inline bool hp_pressure_paused(const struct hp_pressure *p)
{
	return p->state == HP_PRESSURE_OVER || p->state == HP_PRESSURE_RECOVERING;
}

/*
 * The PSI trigger for a limit: "some <stall us> <window us>" with the
 * window D clamped to 500 ms..2 s and the stall X of it.
 * Returns the length written (without the NUL) or -EINVAL for no limit.
 */
int hp_pressure_trigger(const struct hp_limit *limit, char *buf, size_t len);

/*
 * Parses a PSI file's text ("some avg10=.. avg60=.. avg300=.. total=N").
 * Sets *some_total (us) and *avg10_bp.  -EINVAL if the line is missing.
 */
int hp_psi_parse(const char *text, uint64_t *some_total, unsigned *avg10_bp);
