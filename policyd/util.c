// SPDX-License-Identifier: GPL-2.0-or-later
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
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

/*
 * Slots a list of n entries has (NULL included): the next power of two,
 * so that appending one at a time reallocates O(log n) times.
 */
static size_t strv_slots(size_t n)
{
	size_t slots = 4;

	while (slots < n + 1)
		slots *= 2;
	return slots;
}

int strv_push_len(char ***v, size_t *len, const char *s)
{
	size_t n = *len;
	char *copy;

	assert(v && len && s);
	assert(!*v ? n == 0 : !(*v)[n]);
	copy = strdup(s);
	if (!copy)
		return -ENOMEM;
	if (!*v || strv_slots(n + 1) != strv_slots(n)) {
		char **nv = realloc(*v, strv_slots(n + 1) * sizeof(char *));

		if (!nv) {
			free(copy);
			return -ENOMEM;
		}
		*v = nv;
	}
	(*v)[n] = copy;
	(*v)[n + 1] = NULL;
	*len = n + 1;
	return 0;
}

int strv_push(char ***v, const char *s)
{
	size_t n;

	assert(v && s);
	n = strv_len(*v);
	return strv_push_len(v, &n, s);
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
	size_t n;

	assert(path && prefix);
	n = strlen(prefix);
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

static inline uint64_t rotl64(uint64_t x, unsigned b)
{
	return (x << b) | (x >> (64 - b));
}

#define SIPROUND(v0, v1, v2, v3)                                                     \
	do {                                                                         \
		v0 += v1, v1 = rotl64(v1, 13), v1 ^= v0, v0 = rotl64(v0, 32);        \
		v2 += v3, v3 = rotl64(v3, 16), v3 ^= v2;                             \
		v0 += v3, v3 = rotl64(v3, 21), v3 ^= v0;                             \
		v2 += v1, v1 = rotl64(v1, 17), v1 ^= v2, v2 = rotl64(v2, 32);        \
	} while (0)

static inline uint64_t load_le64(const unsigned char *p, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

uint64_t siphash24(const void *data, size_t len, uint64_t k0, uint64_t k1)
{
	const unsigned char *p = data;
	uint64_t v0 = k0 ^ 0x736f6d6570736575ULL, v1 = k1 ^ 0x646f72616e646f6dULL;
	uint64_t v2 = k0 ^ 0x6c7967656e657261ULL, v3 = k1 ^ 0x7465646279746573ULL;
	uint64_t m;
	size_t left = len;

	assert(data || len == 0);
	for (; left >= 8; p += 8, left -= 8) {
		m = load_le64(p, 8);
		v3 ^= m;
		SIPROUND(v0, v1, v2, v3);
		SIPROUND(v0, v1, v2, v3);
		v0 ^= m;
	}
	m = load_le64(p, left) | (uint64_t)(len & 0xff) << 56;
	v3 ^= m;
	SIPROUND(v0, v1, v2, v3);
	SIPROUND(v0, v1, v2, v3);
	v0 ^= m;
	v2 ^= 0xff;
	for (int i = 0; i < 4; i++)
		SIPROUND(v0, v1, v2, v3);
	return v0 ^ v1 ^ v2 ^ v3;
}

/* Open addressing with linear probing; at most 3/4 full. */
static void strmap_seed(struct strmap *m)
{
	uint64_t k[2];

	if (m->k0 || m->k1)
		return;
	if (getrandom(k, sizeof(k), GRND_NONBLOCK) != (ssize_t)sizeof(k)) {
		/* Early boot without entropy: still different per process. */
		k[0] = now_usec() ^ ((uint64_t)getpid() << 32);
		k[1] = (uint64_t)(uintptr_t)m ^ 0x9e3779b97f4a7c15ULL;
	}
	m->k0 = k[0];
	m->k1 = k[1] | 1;	/* never both zero: "seeded" */
}

static uint64_t strmap_hash(const struct strmap *m, const char *key)
{
	return siphash24(key, strlen(key), m->k0, m->k1);
}

/* The slot of key, or of the free slot where it would go. */
static size_t strmap_slot(const struct strmap *m, const char *key, uint64_t h)
{
	size_t mask = m->cap - 1, i = (size_t)h & mask;

	while (m->e[i].key && (m->e[i].hash != h || strcmp(m->e[i].key, key)))
		i = (i + 1) & mask;
	return i;
}

static int strmap_grow(struct strmap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 16;
	struct strmap_entry *e = calloc(cap, sizeof(*e)), *old = m->e;
	size_t old_cap = m->cap;

	if (!e)
		return -ENOMEM;
	m->e = e;
	m->cap = cap;
	for (size_t i = 0; i < old_cap; i++)
		if (old[i].key)
			m->e[strmap_slot(m, old[i].key, old[i].hash)] = old[i];
	free(old);
	return 0;
}

int strmap_put(struct strmap *m, const char *key, void *value)
{
	uint64_t h;
	size_t i;
	char *copy;

	assert(m && key);
	strmap_seed(m);
	if ((m->n + 1) * 4 > m->cap * 3 && strmap_grow(m) < 0)
		return -ENOMEM;
	h = strmap_hash(m, key);
	i = strmap_slot(m, key, h);
	if (m->e[i].key) {
		m->e[i].value = value;
		return 0;
	}
	copy = strdup(key);
	if (!copy)
		return -ENOMEM;
	m->e[i] = (struct strmap_entry){ .key = copy, .value = value, .hash = h };
	m->n++;
	return 1;
}

void *strmap_get(const struct strmap *m, const char *key, bool *found)
{
	size_t i;

	assert(m && key);
	if (found)
		*found = false;
	if (m->n == 0)
		return NULL;
	i = strmap_slot(m, key, strmap_hash(m, key));
	if (!m->e[i].key)
		return NULL;
	if (found)
		*found = true;
	return m->e[i].value;
}

/* Empties slot i and moves later entries of its run back into the hole. */
static void strmap_delete_slot(struct strmap *m, size_t i)
{
	size_t mask = m->cap - 1, j = i;

	free(m->e[i].key);
	m->e[i] = (struct strmap_entry){ 0 };
	m->n--;
	for (;;) {
		size_t home;

		j = (j + 1) & mask;
		if (!m->e[j].key)
			return;
		home = (size_t)m->e[j].hash & mask;
		/* Stays if its home lies cyclically in (i, j]. */
		if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
			continue;
		m->e[i] = m->e[j];
		m->e[j] = (struct strmap_entry){ 0 };
		i = j;
	}
}

bool strmap_remove(struct strmap *m, const char *key, void **ret_value)
{
	size_t i;

	assert(m && key);
	if (m->n == 0)
		return false;
	i = strmap_slot(m, key, strmap_hash(m, key));
	if (!m->e[i].key)
		return false;
	if (ret_value)
		*ret_value = m->e[i].value;
	strmap_delete_slot(m, i);
	return true;
}

size_t strmap_remove_if(struct strmap *m, bool (*pred)(const char *key, void *value, void *userdata),
			void *userdata, void (*done)(void *value))
{
	size_t removed = 0;

	assert(m && pred);
	/*
	 * A deletion may move a later entry into slot i (or, wrapping, one
	 * already seen): look at slot i again rather than step past it.
	 */
	for (size_t i = 0; i < m->cap;) {
		void *value = m->e[i].value;

		if (!m->e[i].key || !pred(m->e[i].key, value, userdata)) {
			i++;
			continue;
		}
		strmap_delete_slot(m, i);
		if (done)
			done(value);
		removed++;
	}
	return removed;
}

void strmap_clear(struct strmap *m, void (*done)(void *value))
{
	for (size_t i = 0; i < m->cap; i++) {
		if (!m->e[i].key)
			continue;
		free(m->e[i].key);
		if (done)
			done(m->e[i].value);
	}
	free(m->e);
	m->e = NULL;
	m->n = m->cap = 0;
}

bool strmap_next(const struct strmap *m, size_t *i, const char **key, void **value)
{
	for (; *i < m->cap; (*i)++) {
		if (!m->e[*i].key)
			continue;
		if (key)
			*key = m->e[*i].key;
		if (value)
			*value = m->e[*i].value;
		(*i)++;
		return true;
	}
	return false;
}

bool utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;

	while (p < end) {
		unsigned c = *p, n;
		uint32_t cp;

		if (c < 0x80) {
			p++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 1, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3, cp = c & 0x07;
		else
			return false;	/* a continuation byte, 0xc0, 0xc1 or beyond 0xf4 */
		if ((size_t)(end - p) <= n)
			return false;
		for (unsigned i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (p[i] & 0x3f);
		}
		/* Overlong forms, UTF-16 surrogates, beyond U+10FFFF. */
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || (cp >= 0xd800 && cp <= 0xdfff) ||
		    cp > 0x10ffff)
			return false;
		p += n + 1;
	}
	return true;
}

int proc_start_time(pid_t pid, uint64_t *ret)
{
	_cleanup_(freep) char *path = NULL, *stat = NULL;
	const char *p;
	int r;

	if (asprintf(&path, "/proc/%d/stat", pid > 0 ? (int)pid : (int)getpid()) < 0)
		return -ENOMEM;
	r = read_file_at(AT_FDCWD, path, &stat);
	if (r < 0)
		return r == -ENOENT ? -ESRCH : r;
	/* "PID (COMM) STATE ...": comm may hold anything, so from its last ')'. */
	p = strrchr(stat, ')');
	if (!p)
		return -EINVAL;
	p++;
	/* Field 22 is starttime; after ')' come fields 3 (state) to 52. */
	for (int field = 3; field <= 22; field++) {
		if (*p != ' ')
			return -EINVAL;
		p++;
		if (field == 22)
			return parse_u64_prefix(p, ret, NULL) < 0 ? -EINVAL : 0;
		p += strcspn(p, " ");
	}
	return -EINVAL;
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

	assert(s && ret);
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

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

int parse_u64_prefix(const char *s, uint64_t *ret, const char **end)
{
	uint64_t v = 0;
	const char *p = s;

	assert(s && ret);
	if (!is_digit(*p))
		return -EINVAL;
	for (; is_digit(*p); p++) {
		unsigned d = (unsigned)(*p - '0');

		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	*ret = v;
	if (end)
		*end = p;
	return 0;
}

int parse_u64(const char *s, uint64_t *ret)
{
	const char *end;
	uint64_t v;
	int r = parse_u64_prefix(s, &v, &end);

	if (r < 0)
		return r;
	if (*end)
		return -EINVAL;
	*ret = v;
	return 0;
}

int parse_int_range(const char *s, long min, long max, long *ret)
{
	bool neg;
	uint64_t u;
	long v;
	int r;

	assert(s && ret && min <= max);
	neg = *s == '-';
	r = parse_u64(s + neg, &u);
	if (r < 0)
		return r;
	if (neg ? u > (uint64_t)LONG_MAX + 1 : u > (uint64_t)LONG_MAX)
		return -ERANGE;
	v = neg ? (long)(0 - u) : (long)u;
	if (v < min || v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}

/*
 * "D+" or "D+.D+" at the start of s: the whole part, and the fraction as
 * frac / 10^frac_digits (digits after the 18th are read and dropped).
 * *unit is what follows.
 */
struct decimal {
	uint64_t whole, frac, frac_scale;
};

static int parse_decimal(const char *s, struct decimal *ret, const char **unit)
{
	struct decimal d = { .frac_scale = 1 };
	const char *p;
	int r = parse_u64_prefix(s, &d.whole, &p);

	if (r < 0)
		return r;
	if (*p == '.') {
		p++;
		if (!is_digit(*p))
			return -EINVAL;
		for (; is_digit(*p); p++) {
			if (d.frac_scale >= 1000000000000000000ULL)
				continue;
			d.frac = d.frac * 10 + (uint64_t)(*p - '0');
			d.frac_scale *= 10;
		}
	}
	*ret = d;
	*unit = p;
	return 0;
}

/* d * factor, rounded half up; -ERANGE above max. */
static int decimal_scale(const struct decimal *d, uint64_t factor, uint64_t max, uint64_t *ret)
{
	unsigned __int128 v = (unsigned __int128)d->whole * factor;

	v += ((unsigned __int128)d->frac * factor * 2 + d->frac_scale) / (2 * (unsigned __int128)d->frac_scale);
	if (v > max)
		return -ERANGE;
	*ret = (uint64_t)v;
	return 0;
}

struct unit {
	const char *suffix;
	uint64_t factor;
};

/* A decimal with one of the units' suffixes, scaled, at most max. */
static int parse_scaled(const char *s, const struct unit *units, size_t n, uint64_t max, uint64_t *ret)
{
	struct decimal d;
	const char *unit;
	int r;

	assert(s && units && ret);
	r = parse_decimal(s, &d, &unit);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(unit, units[i].suffix))
			return decimal_scale(&d, units[i].factor, max, ret);
	return -EINVAL;
}

int parse_size(const char *s, uint64_t *ret)
{
	static const struct unit units[] = {
		{ "", 1 },	      { "B", 1 },		{ "K", 1ULL << 10 },  { "KiB", 1ULL << 10 },
		{ "M", 1ULL << 20 },  { "MiB", 1ULL << 20 },	{ "G", 1ULL << 30 },  { "GiB", 1ULL << 30 },
		{ "T", 1ULL << 40 },  { "TiB", 1ULL << 40 },
	};

	return parse_scaled(s, units, ELEMENTSOF(units), UINT64_MAX, ret);
}

int parse_percent_bp(const char *s, unsigned *ret)
{
	static const struct unit percent[] = { { "%", 100 } };
	uint64_t v;
	int r = parse_scaled(s, percent, 1, UINT64_MAX, &v);

	if (r < 0)
		return r;
	if (v > 10000)
		return -ERANGE;
	*ret = (unsigned)v;
	return 0;
}

int parse_duration(const char *s, usec_t *ret)
{
	static const struct unit units[] = {
		{ "", USEC_PER_SEC },	{ "s", USEC_PER_SEC },	      { "sec", USEC_PER_SEC },
		{ "ms", USEC_PER_MSEC }, { "msec", USEC_PER_MSEC },   { "us", 1 },
		{ "min", 60 * USEC_PER_SEC }, { "m", 60 * USEC_PER_SEC }, { "h", 3600 * USEC_PER_SEC },
	};

	/* About 31 years: beyond any interval a setting can mean. */
	return parse_scaled(s, units, ELEMENTSOF(units), 1000000000000000ULL, ret);
}

/* Files we read are small: status files, cgroup and proc files. */
#define READ_FILE_MAX (64 * 1024 * 1024)

int read_fd(int fd, char **ret, size_t *ret_len)
{
	_cleanup_(freep) char *buf = NULL;
	size_t len = 0, size = 0;

	assert(fd >= 0 && ret);
	for (;;) {
		ssize_t n;

		if (size - len < 4096) {
			char *nb;

			if (size >= READ_FILE_MAX)
				return -EFBIG;
			nb = realloc(buf, size + 8192);
			if (!nb)
				return -ENOMEM;
			buf = nb;
			size += 8192;
		}
		n = read(fd, buf + len, size - len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	if (ret_len)
		*ret_len = len;
	*ret = TAKE_PTR(buf);
	return 0;
}

int read_file_at_len(int dirfd, const char *name, char **ret, size_t *ret_len)
{
	/* Without blocking: a FIFO put where a file should be is refused, not waited on. */
	_cleanup_(closep) int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	struct stat st;

	assert(name && ret);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (!S_ISREG(st.st_mode))
		return -EBADFD;
	return read_fd(fd, ret, ret_len);
}

int read_file_at(int dirfd, const char *name, char **ret)
{
	return read_file_at_len(dirfd, name, ret, NULL);
}

int write_file_atomic(const char *path, const char *data, size_t len)
{
	_cleanup_(freep) char *tmp = NULL;
	_cleanup_(closep) int fd = -1;
	int r = 0;

	assert(path && (data || len == 0));
	/* mkostemp(): a random name, O_CREAT|O_EXCL (a planted link is never followed). */
	if (asprintf(&tmp, "%s.XXXXXX", path) < 0)
		return -ENOMEM;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fchmod(fd, 0644) < 0)
		r = -errno;
	while (r == 0 && len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			break;
		}
		data += n;
		len -= (size_t)n;
	}
	if (close(TAKE_FD(fd)) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		(void)unlink(tmp);
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
