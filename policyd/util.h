/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Small helpers shared by hugepaged and hugepagectl. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

typedef uint64_t usec_t;
#define USEC_PER_SEC 1000000ULL
#define USEC_PER_MSEC 1000ULL
#define USEC_INFINITY UINT64_MAX

#define _cleanup_(f) __attribute__((cleanup(f)))
#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

static inline void freep(void *p)
{
	free(*(void **)p);
}

static inline void fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}

static inline void closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}

void strv_free(char **v);
static inline void strv_freep(char ***v)
{
	strv_free(*v);
}
/* Appends a copy of s to the NULL-terminated *v.  -ENOMEM on failure. */
int strv_push(char ***v, const char *s);
size_t strv_len(char *const *v);
bool strv_contains(char *const *v, const char *s);
/* Is path equal to prefix or below it ("/a" covers "/a/b", not "/ab")? */
bool path_startswith(const char *path, const char *prefix);
/* Removes (frees) the entries equal to or below prefix; returns how many. */
size_t strv_remove_under(char **v, const char *prefix);

/* CLOCK_MONOTONIC and CLOCK_REALTIME in microseconds. */
usec_t now_usec(void);
usec_t now_realtime_usec(void);

/*
 * Value parsers: 0 on success, -EINVAL (or -ERANGE) otherwise; *ret is set
 * only on success.
 */
int parse_bool(const char *s, bool *ret);
int parse_int_range(const char *s, long min, long max, long *ret);
/* "64M", "1G", "4096", "2MiB": bytes. */
int parse_size(const char *s, uint64_t *ret);
/* "20%", "12.5%", "0.5%": basis points (1% = 100); 0..100%. */
int parse_percent_bp(const char *s, unsigned *ret);
/* "5", "1.5", "500ms", "2s", "1min": microseconds. */
int parse_duration(const char *s, usec_t *ret);

/* Reads a small file relative to dirfd (AT_FDCWD for a path) into *ret. */
int read_file_at(int dirfd, const char *name, char **ret);
/* Writes data to a path through a temporary file and rename(). */
int write_file_atomic(const char *path, const char *data, size_t len);

/*
 * Length of the valid UTF-8 sequence at p, 0 if there is none (p[0] must
 * not be NUL).  Cgroup names are arbitrary bytes; JSON and Prometheus'
 * label values must be UTF-8.
 */
size_t utf8_char_len(const unsigned char *p);

/* Formats a byte count as "12.5 MiB" into buf. */
const char *format_bytes(char *buf, size_t len, uint64_t bytes);
/* Formats basis points as "12.34%" into buf. */
const char *format_bp(char *buf, size_t len, unsigned bp);
