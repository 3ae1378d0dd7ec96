// SPDX-License-Identifier: GPL-2.0-or-later
#include "psiwatch.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "cgroup.h"
#include "log.h"
#include "util.h"

void psi_watch_done(struct psi_watch *w)
{
	w->io = sd_event_source_disable_unref(w->io);
	w->timer = sd_event_source_disable_unref(w->timer);
	if (w->trigger_fd >= 0)
		(void)close(w->trigger_fd);
	w->trigger_fd = -1;
	free(w->label);
	free(w->name);
	w->label = w->name = NULL;
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
	next = hp_pressure_sample(w->state, w->limit, *w->hooks->resume_delay, now, total, triggered,
				  w->polling);
	if (next) {
		(void)sd_event_source_set_time(w->timer, next);
		(void)sd_event_source_set_enabled(w->timer, SD_EVENT_ONESHOT);
	} else {
		(void)sd_event_source_set_enabled(w->timer, SD_EVENT_OFF);
	}
	if (hp_pressure_paused(w->state) != was_paused) {
		char a[16], b[16];

		log_full(LOG_INFO, 0, &(struct log_fields){ .message_id = HP_MESSAGE_PRESSURE },
			 "%s pressure: %s (some %s, limit %s)", w->label,
			 hp_pressure_paused(w->state) ? "over the limit, pausing" : "back below the limit, resuming",
			 format_bp(a, sizeof(a), w->state->share_bp), format_bp(b, sizeof(b), w->limit->bp));
		w->hooks->changed(w->hooks->userdata);
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
		(void)sd_event_source_set_enabled(s, SD_EVENT_OFF);
		w->hooks->gone(w->hooks->userdata);
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

int psi_watch_init(struct psi_watch *w, const struct psi_hooks *hooks, const char *label, int dir_fd,
		   const char *name, const struct hp_limit *limit, struct hp_pressure *state)
{
	struct hp_pressure own = w->own;	/* kept across a reset */
	char trig[64], desc[64];
	int r, n;

	assert(hooks && hooks->event && hooks->resume_delay && hooks->changed && hooks->gone);
	assert(label && name && limit);
	*w = (struct psi_watch){ .hooks = hooks, .dir_fd = dir_fd, .trigger_fd = -1, .limit = limit, .own = own };
	w->state = state ? state : &w->own;
	w->label = strdup(label);
	w->name = strdup(name);
	if (!w->label || !w->name)
		return -ENOMEM;
	r = sd_event_add_time(hooks->event, &w->timer, CLOCK_MONOTONIC, USEC_INFINITY, 0, on_psi_timer, w);
	if (r < 0)
		return r;
	(void)snprintf(desc, sizeof(desc), "psi-sample %s", label);
	(void)sd_event_source_set_description(w->timer, desc);
	(void)sd_event_source_set_enabled(w->timer, SD_EVENT_OFF);
	if (limit->bp == 0)
		return 0;

	n = hp_pressure_trigger(limit, trig, sizeof(trig));
	w->trigger_fd = openat(dir_fd, name, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	/* Only the kernel's PSI files take triggers (not fixture copies). */
	if (w->trigger_fd >= 0 && !is_psi_fs(w->trigger_fd)) {
		(void)close(w->trigger_fd);
		w->trigger_fd = -1;
		errno = EOPNOTSUPP;
	}
	if (w->trigger_fd < 0 || n < 0 || write(w->trigger_fd, trig, n + 1) < 0) {
		log_debug_errno(-errno, "%s pressure: no trigger \"%s\", sampling every second", label, trig);
		if (w->trigger_fd >= 0)
			(void)close(w->trigger_fd);
		w->trigger_fd = -1;
		w->polling = true;
	} else {
		r = sd_event_add_io(hooks->event, &w->io, w->trigger_fd, EPOLLPRI, on_psi_event, w);
		if (r < 0)
			return r;
		(void)snprintf(desc, sizeof(desc), "psi-trigger %s", label);
		(void)sd_event_source_set_description(w->io, desc);
	}
	/* A first sample: the baseline of the total, and the polling timer. */
	psi_watch_sample(w, false);
	return 0;
}

int psi_watch_reset(struct psi_watch *w, const struct hp_limit *limit)
{
	_cleanup_(freep) char *label = w->label ? strdup(w->label) : NULL;
	_cleanup_(freep) char *name = w->name ? strdup(w->name) : NULL;
	struct hp_pressure *state = w->state == &w->own ? NULL : w->state;
	const struct psi_hooks *hooks = w->hooks;
	int dir_fd = w->dir_fd;

	if (!label || !name || !hooks)
		return -ENOMEM;
	psi_watch_done(w);
	return psi_watch_init(w, hooks, label, dir_fd, name, limit, state);
}
