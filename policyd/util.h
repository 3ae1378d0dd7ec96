/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Small helpers shared by hugepaged and hugepagectl. */
#pragma once

#include <assert.h>
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

/*
 * Ownership hand-offs: the value of p (or fd), leaving NULL (or -1)
 * behind, so that a cleanup attribute on the old owner does nothing.
 */
#define TAKE_PTR(p)                                \
	({                                         \
		__typeof__(p) _taken_ = (p);       \
		(p) = NULL;                        \
		_taken_;                           \
	})
#define TAKE_FD(fd)                                \
	({                                         \
		int _taken_fd_ = (fd);             \
		(fd) = -1;                         \
		_taken_fd_;                        \
	})

static inline void freep(void *p)
{
	free(*(void **)p);
}

static inline void fclosep(FILE **f)
{
	if (*f)
		(void)fclose(*f);
}

static inline void closep(int *fd)
{
	if (*fd >= 0)
		(void)close(*fd);
}

/*
 * NULL-terminated string vectors.  Lists built by strv_push() and
 * strv_push_len() grow geometrically: strv_push_len() is O(1) amortized
 * when the caller keeps the length, strv_push() counts the list first.
 * Never push onto a vector allocated elsewhere (its size is unknown).
 */
void strv_free(char **v);
static inline void strv_freep(char ***v)
{
	strv_free(*v);
}
/* Appends a copy of s to the NULL-terminated *v.  -ENOMEM on failure. */
int strv_push(char ***v, const char *s);
/* The same, for a list of *len entries; *len is incremented on success. */
int strv_push_len(char ***v, size_t *len, const char *s);
size_t strv_len(char *const *v);
bool strv_contains(char *const *v, const char *s);
/* Is path equal to prefix or below it ("/a" covers "/a/b", not "/ab")? */
bool path_startswith(const char *path, const char *prefix);
/* Removes (frees) the entries equal to or below prefix; returns how many. */
size_t strv_remove_under(char **v, const char *prefix);

/*
 * A hash map from strings (copied, owned by the map) to pointers (not
 * owned), with a per-map random SipHash key so that names chosen by
 * whoever creates cgroups cannot make it degenerate.  Zero-initialised
 * is empty.  Lookups, inserts and removals are O(1) on average.
 */
struct strmap_entry {
	char *key;		/* NULL: a free slot */
	void *value;
	uint64_t hash;
};

struct strmap {
	struct strmap_entry *e;
	size_t n;		/* entries in use */
	size_t cap;		/* slots: 0 or a power of two */
	uint64_t k0, k1;
};

/* Adds key (or replaces its value): 1 if added, 0 if replaced, -ENOMEM. */
int strmap_put(struct strmap *m, const char *key, void *value);
/* The value of key, or NULL; *found (if given) says whether it is there. */
void *strmap_get(const struct strmap *m, const char *key, bool *found);
static inline bool strmap_contains(const struct strmap *m, const char *key)
{
	bool found = false;

	(void)strmap_get(m, key, &found);
	return found;
}
/* Removes key; returns whether it was there, with its value in *ret_value. */
bool strmap_remove(struct strmap *m, const char *key, void **ret_value);
/*
 * Removes every entry for which pred returns true, handing each removed
 * value to done (if given).  Returns how many were removed.
 */
size_t strmap_remove_if(struct strmap *m, bool (*pred)(const char *key, void *value, void *userdata),
			void *userdata, void (*done)(void *value));
/* Removes every entry (values handed to done, if given) and frees the table. */
void strmap_clear(struct strmap *m, void (*done)(void *value));
static inline size_t strmap_size(const struct strmap *m)
{
	return m->n;
}
/* Iteration: for (size_t i = 0; strmap_next(m, &i, &key, &value);) ... */
bool strmap_next(const struct strmap *m, size_t *i, const char **key, void **value);

/* SipHash-2-4 of data under the 128-bit key (k0, k1). */
uint64_t siphash24(const void *data, size_t len, uint64_t k0, uint64_t k1);

/* Is s[0..len) well-formed UTF-8 (no overlong forms, no surrogates)? */
bool utf8_valid(const char *s, size_t len);

/*
 * The start time of process pid (0: this one), in clock ticks after boot
 * (/proc/PID/stat field 22): with the pid, it names one process for good,
 * where a pid alone may be reused.  -ESRCH if there is no such process.
 */
int proc_start_time(pid_t pid, uint64_t *ret);

/* CLOCK_MONOTONIC and CLOCK_REALTIME in microseconds. */
usec_t now_usec(void);
usec_t now_realtime_usec(void);

/*
 * Value parsers: 0 on success, -EINVAL (or -ERANGE) otherwise; *ret is set
 * only on success.
 */
int parse_bool(const char *s, bool *ret);
int parse_int_range(const char *s, long min, long max, long *ret);
/* "42": decimal digits only (the status files' numbers). */
int parse_u64(const char *s, uint64_t *ret);
/*
 * Decimal digits at the start of s, up to the first non-digit (*end);
 * -EINVAL if there is no digit, -ERANGE beyond 2^64 - 1.
 */
int parse_u64_prefix(const char *s, uint64_t *ret, const char **end);
/* "64M", "1G", "4096", "2MiB": bytes. */
int parse_size(const char *s, uint64_t *ret);
/* "20%", "12.5%", "0.5%": basis points (1% = 100); 0..100%. */
int parse_percent_bp(const char *s, unsigned *ret);
/* "5", "1.5", "500ms", "2s", "1min": microseconds. */
int parse_duration(const char *s, usec_t *ret);

/*
 * Reads a small regular file relative to dirfd (AT_FDCWD for a path) into
 * *ret (NUL-terminated; *ret_len, if given, is its length, which counts
 * any NUL bytes inside).  The open does not block (a FIFO is refused, not
 * waited on): -EBADFD for anything but a regular file, -EISDIR for a
 * directory, -EFBIG beyond 64 MiB.
 */
int read_file_at(int dirfd, const char *name, char **ret);
int read_file_at_len(int dirfd, const char *name, char **ret, size_t *ret_len);
/* Reads what is left of fd, as read_file_at() does; fd stays open. */
int read_fd(int fd, char **ret, size_t *ret_len);
/*
 * Writes data to a path through a temporary file with a random name in
 * the same directory, created exclusively (never through a link someone
 * planted), mode 0644, then rename().
 */
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
