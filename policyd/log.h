/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Logging: to the journal with structured fields when stderr is connected
 * to it (JOURNAL_STREAM), to stderr otherwise; when the journal refuses a
 * message (journald is away), to stderr, and when that fails too, to the
 * kernel log.  Every log_*() call returns the negative errno it was given,
 * so that "log and return" is one step.  Journal entries carry CODE_FILE,
 * CODE_LINE and CODE_FUNC.
 */
#pragma once

#include <errno.h>
#include <sys/uio.h>
#include <syslog.h>

/*
 * MESSAGE_IDs of the events an operator filters on
 * (journalctl MESSAGE_ID=...); hugepaged(8) lists them.
 */
#define HP_MESSAGE_DECISION "c4e0dd4ded9948b6b164a58b003d775e"	/* a group's decision changed */
#define HP_MESSAGE_GROUP "4ff6f85ec8e2426abd5cbebb438d929e"	/* a cgroup matched, rematched or dropped */
#define HP_MESSAGE_PRESSURE "c4a0d6a00aae43738f43ab7a579eaf5e"	/* pressure over or back below a limit */
#define HP_MESSAGE_RELOAD "9ff0a01985e44dd08f04f767f339eca3"	/* the configuration was reloaded */

/* Optional structured fields of a message; NULL fields are left out. */
struct log_fields {
	const char *cgroup;
	const char *decision;
	const char *reason;
	const char *file;
	unsigned line;
	const char *message_id;	/* one of HP_MESSAGE_* */
};

void log_setup(const char *ident);
void log_set_max_level(int level);

/*
 * Tests can capture messages: the sink sees the level and the formatted
 * text (without the "ident: " prefix) instead of stderr/the journal.
 */
typedef void (*log_sink_t)(int level, const char *text, void *userdata);
void log_set_sink(log_sink_t sink, void *userdata);

/*
 * Tests can stand in for the journal: fn gets what sd_journal_sendv()
 * would (NULL: the journal again), and forces the journal route on.
 */
typedef int (*log_journal_fn)(const struct iovec *iov, int n);
void log_set_journal(log_journal_fn fn);
/*
 * The journal's writer, sd_journal_sendv() in the daemon.  Without one
 * (hugepagectl, which need not link libsystemd) messages go to stderr.
 */
void log_use_journal(log_journal_fn fn);

int log_internal(int level, int error, const char *code_file, int code_line, const char *code_func,
		 const struct log_fields *f, const char *fmt, ...) __attribute__((format(printf, 7, 8)));

/* log_full(level, error, fields, fmt, ...): fields may be a compound literal. */
#define log_full(level, error, ...) log_internal((level), (error), __FILE__, __LINE__, __func__, __VA_ARGS__)

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
