/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared helpers of the unit tests: cmocka's includes, the fixture root
 * and a log sink that keeps the messages for assertions.
 */
#pragma once

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

/* The fixture tree, from $FIXTURES (set by tests/unit/meson.build). */
static inline const char *fixtures(void)
{
	const char *f = getenv("FIXTURES");

	if (!f || !*f)
		fail_msg("FIXTURES is not set: run the tests through meson test");
	return f;
}

/* fixtures()/rel in a static buffer (one at a time is enough). */
static inline const char *fixture(const char *rel)
{
	static char buf[4096];

	snprintf(buf, sizeof(buf), "%s/%s", fixtures(), rel);
	return buf;
}

static inline int rm_tree_entry(const char *path, const struct stat *st, int flag,
				struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Removes the temporary tree PATH, depth first, without following links. */
static inline void rm_tree(const char *path)
{
	nftw(path, rm_tree_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* TEXT contains LINE (without its newline) as a whole line. */
static inline bool has_line(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, line, n) && (p[n] == '\n' || p[n] == '\0'))
			return true;
	return false;
}

#define CAPTURE_MAX 64

struct capture {
	size_t n;
	int level[CAPTURE_MAX];
	char text[CAPTURE_MAX][2048];
};

static struct capture captured;

static inline void capture_sink(int level, const char *text, void *userdata)
{
	struct capture *c = userdata;

	/* Shown in the test log, so that a failure explains itself. */
	print_message("  log<%d>: %s\n", level, text);
	if (c->n >= CAPTURE_MAX)
		return;
	c->level[c->n] = level;
	snprintf(c->text[c->n], sizeof(c->text[c->n]), "%s", text);
	c->n++;
}

static inline void capture_start(void)
{
	memset(&captured, 0, sizeof(captured));
	log_set_max_level(LOG_DEBUG);
	log_set_sink(capture_sink, &captured);
}

static inline void capture_stop(void)
{
	log_set_sink(NULL, NULL);
	log_set_max_level(LOG_INFO);
}

/* Messages at LOG_ERR or worse. */
static inline size_t captured_errors(void)
{
	size_t n = 0;

	for (size_t i = 0; i < captured.n; i++)
		if (captured.level[i] <= LOG_ERR)
			n++;
	return n;
}

/*
 * The number of captured messages that start with prefix and contain
 * needle (NULL: anything).
 */
static inline size_t captured_count(const char *prefix, const char *needle)
{
	size_t n = 0;

	for (size_t i = 0; i < captured.n; i++)
		if (!strncmp(captured.text[i], prefix, strlen(prefix)) &&
		    (!needle || strstr(captured.text[i], needle)))
			n++;
	return n;
}

/* Exactly one message "FILE:LINE: ..." containing needle. */
#define assert_logged_at(file, line, needle)                                              \
	do {                                                                               \
		char prefix_[8192];                                                        \
		snprintf(prefix_, sizeof(prefix_), "%s:%u: ", (file), (unsigned)(line));  \
		if (captured_count(prefix_, (needle)) != 1)                                \
			fail_msg("expected one message \"%s...%s...\", got %zu", prefix_,   \
				 (needle) ? (needle) : "", captured_count(prefix_, (needle))); \
	} while (0)
