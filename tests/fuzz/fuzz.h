/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer harnesses of the parsers (tools/fuzz runs them; tests/run for
 * 20 s each under ASan and UBSan).  Each defines LLVMFuzzerTestOneInput();
 * standalone.c gives them a main() that runs files, for builds without
 * libFuzzer (the seeds as a regression test).  A broken invariant is an
 * abort(), which the fuzzer reports with the input.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Inputs larger than this are not interesting and only slow the fuzzer. */
#define FUZZ_MAX_SIZE (256 * 1024)

static void fuzz_quiet(int level, const char *text, void *userdata)
{
	(void)level;
	(void)text;
	(void)userdata;
}

/* Messages go nowhere (they are formatted all the same). */
static inline void fuzz_setup(void)
{
	log_set_sink(fuzz_quiet, NULL);
	log_set_max_level(LOG_DEBUG);
}

/* A NUL-terminated copy of the input (the text parsers take strings). */
static inline char *fuzz_string(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#define fuzz_check(cond)                                                                     \
	do {                                                                                 \
		if (!(cond)) {                                                               \
			fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, #cond); \
			abort();                                                             \
		}                                                                            \
	} while (0)
