// SPDX-License-Identifier: GPL-2.0-or-later
#include "pressure.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

const char *hp_pressure_state_name(enum hp_pressure_state s)
{
	static const char *const names[] = {
		[HP_PRESSURE_OK] = "ok",
		[HP_PRESSURE_SUSPECT] = "suspect",
		[HP_PRESSURE_OVER] = "over",
		[HP_PRESSURE_RECOVERING] = "recovering",
	};

	return s < ELEMENTSOF(names) ? names[s] : "?";
}

/* Stall share of (t0, t1] in basis points, capped at 100%. */
static unsigned share_bp(uint64_t total0, uint64_t total1, usec_t t0, usec_t t1)
{
	uint64_t stall = total1 > total0 ? total1 - total0 : 0;

	if (t1 <= t0)
		return 0;
	if (stall >= t1 - t0)
		return 10000;
	return (unsigned)(stall * 10000 / (t1 - t0));
}

static void enter(struct hp_pressure *p, enum hp_pressure_state s, usec_t now, uint64_t total)
{
	p->state = s;
	p->since = now;
	p->total_at_since = total;
}

usec_t hp_pressure_sample(struct hp_pressure *p, const struct hp_limit *limit, usec_t resume_delay,
			  usec_t now, uint64_t total_us, bool triggered, bool polling)
{
	usec_t idle_next = polling ? now + HP_PRESSURE_SAMPLE_PERIOD : 0;
	bool first, over;

	assert(p && limit);
	first = p->last == 0;
	p->share_bp = first ? 0 : share_bp(p->last_total, total_us, p->last, now);
	p->last = now;
	p->last_total = total_us;
	if (limit->bp == 0) {
		enter(p, HP_PRESSURE_OK, now, total_us);
		return 0;
	}
	over = p->share_bp >= limit->bp;

	switch (p->state) {
	case HP_PRESSURE_OK:
		if (!triggered && !(polling && over && !first))
			return idle_next;
		if (limit->duration == 0) {
			enter(p, HP_PRESSURE_OVER, now, total_us);
			return now + HP_PRESSURE_SAMPLE_PERIOD;
		}
		enter(p, HP_PRESSURE_SUSPECT, now, total_us);
		return now + limit->duration;

	case HP_PRESSURE_SUSPECT:
		if (now < p->since + limit->duration)
			return p->since + limit->duration;
		if (share_bp(p->total_at_since, total_us, p->since, now) >= limit->bp) {
			enter(p, HP_PRESSURE_OVER, now, total_us);
			return now + HP_PRESSURE_SAMPLE_PERIOD;
		}
		enter(p, HP_PRESSURE_OK, now, total_us);
		return idle_next;

	case HP_PRESSURE_OVER:
		if (!over)
			enter(p, HP_PRESSURE_RECOVERING, now, total_us);
		break;

	case HP_PRESSURE_RECOVERING:
		if (over) {
			enter(p, HP_PRESSURE_OVER, now, total_us);
			break;
		}
		if (now >= p->since + resume_delay) {
			enter(p, HP_PRESSURE_OK, now, total_us);
			return idle_next;
		}
		return MIN(now + HP_PRESSURE_SAMPLE_PERIOD, p->since + resume_delay);
	}
	if (p->state == HP_PRESSURE_RECOVERING && resume_delay == 0) {
		enter(p, HP_PRESSURE_OK, now, total_us);
		return idle_next;
	}
	return now + HP_PRESSURE_SAMPLE_PERIOD;
}

int hp_pressure_trigger(const struct hp_limit *limit, char *buf, size_t len)
{
	usec_t window;
	uint64_t stall;
	int n;

	assert(limit && buf);
	window = limit->duration;
	if (limit->bp == 0)
		return -EINVAL;
	window = MAX(window, 500 * USEC_PER_MSEC);
	/* A short window: the duration itself is checked by the suspect state. */
	window = MIN(window, 2 * USEC_PER_SEC);
	stall = window * limit->bp / 10000;
	if (stall == 0)
		stall = 1;
	n = snprintf(buf, len, "some %" PRIu64 " %" PRIu64, stall, window);
	return n < 0 || (size_t)n >= len ? -EINVAL : n;
}

/* "NAME=W.FF " at *p, the kernel's "%lu.%02lu" of a share in percent. */
static int psi_avg(const char **p, const char *name, unsigned *ret)
{
	size_t n = strlen(name);
	uint64_t whole;
	const char *s = *p;

	if (strncmp(s, name, n) || s[n] != '=' || parse_u64_prefix(s + n + 1, &whole, &s) < 0 ||
	    s[0] != '.' || !isdigit((unsigned char)s[1]) || !isdigit((unsigned char)s[2]) || s[3] != ' ')
		return -EINVAL;
	if (whole > 100 || (whole == 100 && (s[1] != '0' || s[2] != '0')))
		return -EINVAL;
	*ret = (unsigned)whole * 100 + (unsigned)(s[1] - '0') * 10 + (unsigned)(s[2] - '0');
	*p = s + 4;
	return 0;
}

int hp_psi_parse(const char *text, uint64_t *some_total, unsigned *avg10_bp)
{
	const char *p = text;
	unsigned avg10, ignored;
	uint64_t total;

	assert(text && some_total && avg10_bp);
	/* The "some" line, which starts the text or a line of it. */
	while (p && strncmp(p, "some ", 5))
		p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL;
	if (!p)
		return -EINVAL;
	p += 5;
	if (psi_avg(&p, "avg10", &avg10) < 0 || psi_avg(&p, "avg60", &ignored) < 0 ||
	    psi_avg(&p, "avg300", &ignored) < 0 || strncmp(p, "total=", 6) ||
	    parse_u64_prefix(p + 6, &total, &p) < 0 || (*p && *p != '\n'))
		return -EINVAL;
	*some_total = total;
	*avg10_bp = avg10;
	return 0;
}
