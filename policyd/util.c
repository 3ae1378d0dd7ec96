// SPDX-License-Identifier: GPL-2.0-or-later
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <string.h>
#include <strings.h>
#include <time.h>

void strv_free(char **v)
{
	if (!v)
		return;
	for (char **s = v; *s; s++)
		free(*s);
	free(v);
}

size_t strv_len(char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

int strv_push(char ***v, const char *s)
{
	size_t n = strv_len(*v);
	char **nv;
	char *copy = strdup(s);

	if (!copy)
		return -ENOMEM;
	nv = realloc(*v, (n + 2) * sizeof(char *));
	if (!nv) {
		free(copy);
		return -ENOMEM;
	}
	nv[n] = copy;
	nv[n + 1] = NULL;
	*v = nv;
	return 0;
}

bool strv_contains(char *const *v, const char *s)
{
	for (size_t i = 0; v && v[i]; i++)
		if (!strcmp(v[i], s))
			return true;
	return false;
}

/* Is path equal to prefix or below it ("/a" covers "/a/b", not "/ab")? */
bool path_startswith(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	return !strncmp(path, prefix, n) && (path[n] == '\0' || path[n] == '/');
}

size_t strv_remove_under(char **v, const char *prefix)
{
	size_t removed = 0, j = 0;

	for (size_t i = 0; v && v[i]; i++) {
		if (path_startswith(v[i], prefix)) {
			free(v[i]);
			removed++;
		} else {
			v[j++] = v[i];
		}
	}
	if (v)
		v[j] = NULL;
	return removed;
}

static usec_t clock_usec(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (usec_t)ts.tv_sec * USEC_PER_SEC + (usec_t)ts.tv_nsec / 1000;
}

usec_t now_usec(void)
{
	return clock_usec(CLOCK_MONOTONIC);
}

usec_t now_realtime_usec(void)
{
	return clock_usec(CLOCK_REALTIME);
}

int parse_bool(const char *s, bool *ret)
{
	static const char *const yes[] = { "1", "yes", "y", "true", "on" };
	static const char *const no[] = { "0", "no", "n", "false", "off" };

	for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
		if (!strcasecmp(s, yes[i])) {
			*ret = true;
			return 0;
		}
		if (!strcasecmp(s, no[i])) {
			*ret = false;
			return 0;
		}
	}
	return -EINVAL;
}

int parse_int_range(const char *s, long min, long max, long *ret)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (end == s || *end || errno == ERANGE)
		return -EINVAL;
	if (v < min || v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}

/* Splits "12.5MiB" into a non-negative number and its unit suffix. */
static int split_number(const char *s, double *num, const char **unit)
{
	char *end;
	double v;

	while (isspace((unsigned char)*s))
		s++;
	if (!isdigit((unsigned char)*s) && *s != '.')
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno == ERANGE || !isfinite(v) || v < 0)
		return -EINVAL;
	while (isspace((unsigned char)*end))
		end++;
	*num = v;
	*unit = end;
	return 0;
}

struct unit {
	const char *suffix;
	double factor;
};

/* A number with one of the units' suffixes, scaled, below limit. */
static int parse_scaled(const char *s, const struct unit *units, size_t n, double limit, uint64_t *ret)
{
	const char *unit;
	double v, x;

	if (split_number(s, &v, &unit) < 0)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(unit, units[i].suffix))
			continue;
		x = v * units[i].factor + 0.5;
		if (x >= limit)
			return -ERANGE;
		*ret = (uint64_t)x;
		return 0;
	}
	return -EINVAL;
}

int parse_size(const char *s, uint64_t *ret)
{
	static const struct unit units[] = {
		{ "", 1 },	    { "B", 1 },		{ "K", 0x1p10 },  { "KiB", 0x1p10 },
		{ "M", 0x1p20 },    { "MiB", 0x1p20 },	{ "G", 0x1p30 },  { "GiB", 0x1p30 },
		{ "T", 0x1p40 },    { "TiB", 0x1p40 },
	};

	return parse_scaled(s, units, ELEMENTSOF(units), 0x1p64, ret);
}

int parse_percent_bp(const char *s, unsigned *ret)
{
	const char *unit;
	double v;

	if (split_number(s, &v, &unit) < 0 || strcmp(unit, "%"))
		return -EINVAL;
	if (v > 100.0)
		return -ERANGE;
	*ret = (unsigned)lround(v * 100.0);
	return 0;
}

int parse_duration(const char *s, usec_t *ret)
{
	static const struct unit units[] = {
		{ "", 1e6 },	 { "s", 1e6 },	{ "sec", 1e6 },	 { "ms", 1e3 },
		{ "msec", 1e3 }, { "us", 1 },	{ "min", 60e6 }, { "m", 60e6 },
		{ "h", 3600e6 },
	};

	return parse_scaled(s, units, ELEMENTSOF(units), 1e15 + 1, ret);
}

int read_file_at(int dirfd, const char *name, char **ret)
{
	_cleanup_(closep) int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	char *buf = NULL;
	size_t len = 0, size = 0;

	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t n;

		if (size - len < 4096) {
			char *nb = realloc(buf, size + 8192);

			if (!nb) {
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
			size += 8192;
		}
		n = read(fd, buf + len, size - len - 1);
		if (n < 0) {
			int r = -errno;

			free(buf);
			return r;
		}
		if (n == 0)
			break;
		len += n;
	}
	buf[len] = '\0';
	*ret = buf;
	return 0;
}

int write_file_atomic(const char *path, const char *data, size_t len)
{
	_cleanup_(freep) char *tmp = NULL;
	int fd, r = 0;

	if (asprintf(&tmp, "%s.tmp.%d", path, (int)getpid()) < 0)
		return -ENOMEM;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0) {
			r = -errno;
			break;
		}
		data += n;
		len -= n;
	}
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
	return r;
}

size_t utf8_char_len(const unsigned char *p)
{
	uint32_t cp;
	size_t n;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, cp = p[0] & 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)	/* also stops at the terminating NUL */
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	/* Overlong forms, surrogates and beyond U+10FFFF. */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

const char *format_bytes(char *buf, size_t len, uint64_t bytes)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)bytes;
	size_t i = 0;

	while (v >= 1024.0 && i + 1 < ELEMENTSOF(units)) {
		v /= 1024.0;
		i++;
	}
	if (i == 0)
		snprintf(buf, len, "%" PRIu64 " B", bytes);
	else
		snprintf(buf, len, "%.1f %s", v, units[i]);
	return buf;
}

const char *format_bp(char *buf, size_t len, unsigned bp)
{
	snprintf(buf, len, "%u.%02u%%", bp / 100, bp % 100);
	return buf;
}
