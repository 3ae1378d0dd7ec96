/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Logging: to the journal with structured fields when stderr is connected
 * to it (JOURNAL_STREAM), to stderr otherwise.  Every log_*() call returns
 * the negative errno it was given, so that "log and return" is one step.
 */
#pragma once

#include <errno.h>
#include <syslog.h>

/* Optional structured fields of a message; NULL fields are left out. */
struct log_fields {
	const char *cgroup;
	const char *decision;
	const char *reason;
	const char *file;
	unsigned line;
};

void log_setup(const char *ident);
void log_set_max_level(int level);

/*
 * Tests can capture messages: the sink sees the level and the formatted
 * text (without the "ident: " prefix) instead of stderr/the journal.
 */
typedef void (*log_sink_t)(int level, const char *text, void *userdata);
void log_set_sink(log_sink_t sink, void *userdata);

int log_full(int level, int error, const struct log_fields *f, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#define log_debug(...) log_full(LOG_DEBUG, 0, NULL, __VA_ARGS__)
#define log_info(...) log_full(LOG_INFO, 0, NULL, __VA_ARGS__)
#define log_notice(...) log_full(LOG_NOTICE, 0, NULL, __VA_ARGS__)
#define log_warning(...) log_full(LOG_WARNING, 0, NULL, __VA_ARGS__)
#define log_error(...) log_full(LOG_ERR, 0, NULL, __VA_ARGS__)
#define log_error_errno(e, ...) log_full(LOG_ERR, (e), NULL, __VA_ARGS__)
#define log_warning_errno(e, ...) log_full(LOG_WARNING, (e), NULL, __VA_ARGS__)
#define log_debug_errno(e, ...) log_full(LOG_DEBUG, (e), NULL, __VA_ARGS__)

/* A configuration error: "FILE:LINE: message"; evaluates to -EINVAL. */
#define log_syntax(path_, line_, ...)                                                             \
	({                                                                                        \
		log_full(LOG_ERR, 0, &(struct log_fields){ .file = (path_), .line = (line_) },     \
			 __VA_ARGS__);                                                             \
		-EINVAL;                                                                          \
	})
