// SPDX-License-Identifier: GPL-2.0-or-later
#include "conf.h"

#include <dirent.h>
#include <fcntl.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stddef.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "log.h"

const char *hp_tuning_mode_name(enum hp_tuning_mode m)
{
	switch (m) {
	case HP_TUNING_THRESHOLD:
		return "threshold";
	case HP_TUNING_GOAL:
		return "goal";
	default:
		return "unset";
	}
}

void hp_config_defaults(struct hp_config *c)
{
	*c = (struct hp_config){
		.kdamond_limit = 4,
		.rescan_interval = 60 * USEC_PER_SEC,
		.refresh_interval = 10 * USEC_PER_SEC,
		.resume_delay = 30 * USEC_PER_SEC,
		.hold_time = 60 * USEC_PER_SEC,
		.challenge_margin_pct = 25,
		.stop_on_exit = true,
		.unit_sections = true,
		.system_memory = { .bp = 2000, .duration = 10 * USEC_PER_SEC },
		.system_cpu = { .bp = 8000, .duration = 30 * USEC_PER_SEC },
		.group_memory = { .bp = 1000, .duration = 10 * USEC_PER_SEC },
		.tuning = { .mode = HP_TUNING_GOAL },
	};
}

/* One file being parsed: where we are, for the messages. */
struct parse_state {
	const char *path;
	FILE *f;
	unsigned line;		/* of the entry being handled (its first line) */
	unsigned errors;
	const struct conf_key *keys;
	size_t n_keys;
	void *target;
	bool unit_file;		/* other sections are systemd's, except [Match] */
	const char *watch_section;	/* unit files: the one section we parse */
	char *section;		/* the current section, NULL before the first or after a bad header */
	bool in_watch;		/* inside the watched section (or inside a misplaced [Match]) */
	bool section_seen;
	unsigned set;		/* bit i: keys[i] was given a good value */
	size_t list_len[8];	/* lengths of the lists of keys[i] (SIZE_MAX: unknown) */
};

typedef int (*key_parser_t)(const char *value, void *field, const struct conf_key *k);

struct conf_key {
	const char *section;
	const char *key;
	key_parser_t parse;
	size_t offset;
	size_t size;		/* of the field, to copy it (unit section overlays) */
	long min, max;		/* integer range, or duration/size range */
	const char *what;	/* how a good value looks, for the message */
	/* List keys (parse is NULL): a char ** of words that each pass this. */
	bool (*word_ok)(const char *word);
};

static int parse_uint_key(const char *value, void *field, const struct conf_key *k)
{
	long v;
	int r = parse_int_range(value, k->min, k->max, &v);

	if (r < 0)
		return r;
	*(unsigned *)field = (unsigned)v;
	return 0;
}

static int parse_int_key(const char *value, void *field, const struct conf_key *k)
{
	long v;
	int r = parse_int_range(value, k->min, k->max, &v);

	if (r < 0)
		return r;
	*(int *)field = (int)v;
	return 0;
}

static int parse_bool_key(const char *value, void *field, const struct conf_key *k)
{
	(void)k;
	return parse_bool(value, field);
}

static int parse_duration_key(const char *value, void *field, const struct conf_key *k)
{
	usec_t v;
	int r = parse_duration(value, &v);

	if (r < 0)
		return r;
	if (v < (usec_t)k->min * USEC_PER_MSEC || v > (usec_t)k->max * USEC_PER_MSEC)
		return -ERANGE;
	*(usec_t *)field = v;
	return 0;
}

/* A duration stored in milliseconds (QuotaTime= -> quota_ms). */
static int parse_msec_key(const char *value, void *field, const struct conf_key *k)
{
	usec_t v;
	int r = parse_duration_key(value, &v, k);

	if (r < 0)
		return r;
	*(unsigned *)field = (unsigned)(v / USEC_PER_MSEC);
	return 0;
}

static int parse_size_key(const char *value, void *field, const struct conf_key *k)
{
	uint64_t v;
	int r = parse_size(value, &v);

	(void)k;
	if (r < 0)
		return r;
	*(uint64_t *)field = v;
	return 0;
}

/* Percentages are stored in basis points; min/max are basis points too. */
static int parse_bp_key(const char *value, void *field, const struct conf_key *k)
{
	unsigned v;
	int r = parse_percent_bp(value, &v);

	if (r < 0)
		return r;
	if ((long)v < k->min || (long)v > k->max)
		return -ERANGE;
	*(unsigned *)field = v;
	return 0;
}

/* ChallengeMargin= is a plain percentage (25% -> 25). */
static int parse_pct_key(const char *value, void *field, const struct conf_key *k)
{
	int r = parse_bp_key(value, field, k);

	if (r == 0)
		*(unsigned *)field /= 100;
	return r;
}

static int parse_tuning_key(const char *value, void *field, const struct conf_key *k)
{
	(void)k;
	if (!strcmp(value, "threshold"))
		*(enum hp_tuning_mode *)field = HP_TUNING_THRESHOLD;
	else if (!strcmp(value, "goal"))
		*(enum hp_tuning_mode *)field = HP_TUNING_GOAL;
	else
		return -EINVAL;
	return 0;
}

/*
 * A whitespace-separated list of words that each pass ok(); appended to
 * the list of *len entries, or none of them if one fails.  An empty value
 * resets the list (as in systemd).
 */
static int parse_word_list(const char *value, char ***list, size_t *len, bool (*ok)(const char *word))
{
	_cleanup_(strv_freep) char **words = NULL;
	_cleanup_(freep) char *copy = strdup(value);
	size_t n = 0;
	char *save = NULL;
	int r;

	if (!copy)
		return -ENOMEM;
	if (!*value) {
		strv_free(*list);
		*list = NULL;
		*len = 0;
		return 0;
	}
	for (char *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		if (!ok(w))
			return -EINVAL;
		r = strv_push_len(&words, &n, w);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < n; i++) {
		r = strv_push_len(list, len, words[i]);
		if (r < 0)
			return r;
	}
	return 0;
}

/* CgroupPath= globs are absolute within the cgroup hierarchy. */
static bool is_path_glob(const char *w)
{
	return w[0] == '/';
}

/* Unit= names one cgroup directory (globs allowed): no '/'. */
static bool is_unit_name(const char *w)
{
	return !strchr(w, '/');
}

/* Slice= is a unit name ending in .slice. */
static bool is_slice_name(const char *w)
{
	size_t len = strlen(w);

	return is_unit_name(w) && len >= 6 && !strcmp(w + len - 6, ".slice");
}

#define LIMIT_MAX_MS (3600L * 1000)

#define FIELD_SIZE(type, field) sizeof(((type *)0)->field)
#define CONFIG_KEY(sec, name, fn, field, lo, hi, desc)                                            \
	{ .section = sec, .key = name, .parse = fn, .offset = offsetof(struct hp_config, field),    \
	  .size = FIELD_SIZE(struct hp_config, field), .min = lo, .max = hi, .what = desc }
#define TUNING_KEYS(KEY, sec, prefix)                                                                  \
	KEY(sec, "Tuning", parse_tuning_key, prefix.mode, 0, 0, "\"threshold\" or \"goal\""),          \
	KEY(sec, "GoalShare", parse_bp_key, prefix.goal_bp, 1, 10000, "a percentage, 0.01%..100%"),   \
	KEY(sec, "MinAccess", parse_uint_key, prefix.min_access, 1, 1000000, "an integer, 1..1000000"), \
	KEY(sec, "QuotaTime", parse_msec_key, prefix.quota_ms, 0, LIMIT_MAX_MS, "a duration, 0..1h"),  \
	KEY(sec, "QuotaSize", parse_size_key, prefix.quota_bytes, 0, 0, "a size such as 256M")

static const struct conf_key config_keys[] = {
	CONFIG_KEY("Daemon", "KdamondLimit", parse_uint_key, kdamond_limit, 1, 64, "an integer, 1..64"),
	CONFIG_KEY("Daemon", "RescanIntervalSec", parse_duration_key, rescan_interval, 1000, LIMIT_MAX_MS,
		   "a duration, 1s..1h"),
	CONFIG_KEY("Daemon", "RefreshIntervalSec", parse_duration_key, refresh_interval, 1000, LIMIT_MAX_MS,
		   "a duration, 1s..1h"),
	CONFIG_KEY("Daemon", "ResumeDelaySec", parse_duration_key, resume_delay, 0, LIMIT_MAX_MS,
		   "a duration, 0..1h"),
	CONFIG_KEY("Daemon", "HoldSec", parse_duration_key, hold_time, 0, 24 * LIMIT_MAX_MS,
		   "a duration, 0..24h"),
	CONFIG_KEY("Daemon", "ChallengeMargin", parse_pct_key, challenge_margin_pct, 0, 10000,
		   "a percentage, 0%..100%"),
	CONFIG_KEY("Daemon", "StopFeedingOnExit", parse_bool_key, stop_on_exit, 0, 0, "a boolean"),
	CONFIG_KEY("Daemon", "UnitSections", parse_bool_key, unit_sections, 0, 0, "a boolean"),
	CONFIG_KEY("Pressure", "SystemMemoryLimit", parse_bp_key, system_memory.bp, 0, 10000,
		   "a percentage, 0%..100%"),
	CONFIG_KEY("Pressure", "SystemMemoryDurationSec", parse_duration_key, system_memory.duration, 0,
		   LIMIT_MAX_MS, "a duration, 0..1h"),
	CONFIG_KEY("Pressure", "SystemCPULimit", parse_bp_key, system_cpu.bp, 0, 10000,
		   "a percentage, 0%..100%"),
	CONFIG_KEY("Pressure", "SystemCPUDurationSec", parse_duration_key, system_cpu.duration, 0,
		   LIMIT_MAX_MS, "a duration, 0..1h"),
	CONFIG_KEY("Pressure", "MemoryPressureLimit", parse_bp_key, group_memory.bp, 0, 10000,
		   "a percentage, 0%..100%"),
	CONFIG_KEY("Pressure", "MemoryPressureDurationSec", parse_duration_key, group_memory.duration, 0,
		   LIMIT_MAX_MS, "a duration, 0..1h"),
	TUNING_KEYS(CONFIG_KEY, "Tuning", tuning),
};

#define POLICY_KEY(sec, name, fn, field, lo, hi, desc)                                            \
	{ .section = sec, .key = name, .parse = fn, .offset = offsetof(struct hp_policy, field),    \
	  .size = FIELD_SIZE(struct hp_policy, field), .min = lo, .max = hi, .what = desc }
#define LIST_KEY(sec, name, ok, field, desc)                                                      \
	{ .section = sec, .key = name, .offset = offsetof(struct hp_policy, field),                 \
	  .size = FIELD_SIZE(struct hp_policy, field), .what = desc, .word_ok = ok }
#define POLICY_KEYS(sec)                                                                              \
	POLICY_KEY(sec, "Priority", parse_int_key, priority, -1000, 1000, "an integer, -1000..1000"),  \
	POLICY_KEY(sec, "MinSize", parse_size_key, min_size, 0, 0, "a size such as 64M"),              \
	POLICY_KEY(sec, "MemoryPressureLimit", parse_bp_key, memory.bp, 0, 10000,                      \
		   "a percentage, 0%..100%"),                                                          \
	POLICY_KEY(sec, "MemoryPressureDurationSec", parse_duration_key, memory.duration, 0,           \
		   LIMIT_MAX_MS, "a duration, 0..1h"),                                                 \
	TUNING_KEYS(POLICY_KEY, sec, tuning)

static const struct conf_key policy_file_keys[] = {
	LIST_KEY("Match", "CgroupPath", is_path_glob, cgroup_globs, "absolute cgroup path globs"),
	LIST_KEY("Match", "Slice", is_slice_name, slices, "slice names ending in .slice"),
	LIST_KEY("Match", "Unit", is_unit_name, units, "unit names without '/'"),
	POLICY_KEYS("Policy"),
};

static const struct conf_key unit_section_keys[] = {
	POLICY_KEYS("X-Hugepage"),
};

/*
 * The syntax is systemd's for unit files (systemd.syntax(7)), for unit
 * files and our own files alike: blanks around lines, keys and values are
 * dropped; a line whose first non-blank character is '#' or ';' is a
 * comment (also between continued lines); there are no inline comments
 * and no ':' separator; a line ending in an odd number of backslashes
 * continues on the next, the last backslash becoming a space.
 */
#define WHITESPACE " \t\n\r"
/* The longest line, continued lines joined: systemd's LONG_LINE_MAX. */
#define CONF_LINE_MAX 1048576
#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)

/* A growable buffer for lines. */
struct line_buf {
	char *s;
	size_t len, cap;
};

static int line_buf_append(struct line_buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *ns;

		while (cap < b->len + n + 1)
			cap *= 2;
		ns = realloc(b->s, cap);
		if (!ns)
			return -ENOMEM;
		b->s = ns;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
	return 0;
}

/*
 * Reads one line without its newline into b.  0 at the end of the file,
 * 1 for a line, -ENOMEM.  *too_long: it was longer than CONF_LINE_MAX
 * (the rest is read and dropped).
 */
static int read_physical_line(FILE *f, struct line_buf *b, bool *too_long)
{
	bool any = false;
	int c;

	b->len = 0;
	*too_long = false;
	while ((c = getc_unlocked(f)) != EOF) {
		char ch = (char)c;

		any = true;
		if (c == '\n')
			break;
		if (b->len >= CONF_LINE_MAX) {
			*too_long = true;
			continue;
		}
		if (line_buf_append(b, &ch, 1) < 0)
			return -ENOMEM;
	}
	if (!any)
		return 0;
	return line_buf_append(b, "", 0) < 0 ? -ENOMEM : 1;
}

/* s without blanks at either end, in place. */
static char *strip(char *s)
{
	size_t n;

	s += strspn(s, WHITESPACE);
	n = strlen(s);
	while (n > 0 && strchr(WHITESPACE, s[n - 1]))
		s[--n] = '\0';
	return s;
}

static int handle_entry(struct parse_state *st, const char *section, const char *name, const char *value);

/* Is the current section one whose lines we read (all of them in our own files)? */
static bool section_is_ours(const struct parse_state *st)
{
	return !st->unit_file || st->in_watch;
}

/*
 * One logical line (continued lines joined), starting at line lineno.
 * refused: why it cannot be read (too long, a NUL byte, not UTF-8), or NULL.
 */
static int handle_line(struct parse_state *st, unsigned lineno, char *text, const char *refused)
{
	char *l, *eq;
	size_t n;

	st->line = lineno;
	if (refused) {
		/* Cannot tell what it is: an error where our lines are. */
		if (!section_is_ours(st))
			return 0;
		log_syntax(st->path, st->line, "line %s, ignoring it", refused);
		st->errors++;
		return 0;
	}
	l = strip(text);
	if (!*l)
		return 0;
	if (*l == '[') {
		n = strlen(l);
		free(st->section);
		st->section = NULL;
		st->in_watch = false;
		if (l[n - 1] != ']' || n < 3) {
			log_syntax(st->path, st->line, "invalid section header %s, ignoring the section", l);
			st->errors++;
			return 0;
		}
		st->section = strndup(l + 1, n - 2);
		if (!st->section)
			return -ENOMEM;
		if (st->watch_section) {
			bool ours = !strcmp(st->section, st->watch_section);

			st->in_watch = ours || !strcmp(st->section, "Match");
			st->section_seen |= ours;
		}
		return 0;
	}
	if (!st->section) {
		/* Before any section, or after a broken header (said above). */
		if (st->unit_file || st->errors)
			return 0;
		log_syntax(st->path, st->line, "assignment outside of a section, ignoring");
		st->errors++;
		return 0;
	}
	if (!section_is_ours(st))
		return 0;
	eq = strchr(l, '=');
	if (!eq) {
		log_syntax(st->path, st->line, "malformed line (expected [Section] or Key=Value), ignoring");
		st->errors++;
		return 0;
	}
	*eq = '\0';
	if (!*strip(l)) {
		log_syntax(st->path, st->line, "missing key name before '=', ignoring");
		st->errors++;
		return 0;
	}
	return handle_entry(st, st->section, strip(l), strip(eq + 1));
}

/* Reads st->f to the end, handing each logical line to handle_line(). */
static int parse_lines(struct parse_state *st)
{
	_cleanup_(freep) char *phys_s = NULL, *logical_s = NULL;
	struct line_buf phys = { 0 }, logical = { 0 };
	unsigned lineno = 0, start = 0;
	bool continuing = false;
	const char *refused = NULL;
	int r;

	for (;;) {
		bool too_long;
		size_t len, bs = 0;
		char *l;

		r = read_physical_line(st->f, &phys, &too_long);
		phys_s = phys.s;
		if (r <= 0)
			break;
		lineno++;
		l = phys.s;
		len = phys.len;
		if (lineno == 1 && len >= 3 && !memcmp(l, "\xef\xbb\xbf", 3)) {
			l += 3;	/* a UTF-8 byte order mark */
			len -= 3;
		}
		if (l[strspn(l, WHITESPACE)] == '#' || l[strspn(l, WHITESPACE)] == ';')
			continue;
		if (!continuing) {
			start = lineno;
			logical.len = 0;
			refused = NULL;
		}
		/* A NUL would end the line early for every string function after. */
		if (!refused && memchr(l, '\0', len))
			refused = "holds a NUL byte";
		else if (!refused && !utf8_valid(l, len))
			refused = "is not valid UTF-8";
		else if (!refused && (too_long || logical.len + len > CONF_LINE_MAX))
			refused = "longer than " STRINGIFY(CONF_LINE_MAX) " characters";
		if (!refused) {
			r = line_buf_append(&logical, l, len);
			logical_s = logical.s;
			if (r < 0)
				break;
		}
		while (bs < len && l[len - 1 - bs] == '\\')
			bs++;
		continuing = bs % 2 == 1;
		if (continuing) {
			if (!refused)
				logical.s[logical.len - 1] = ' ';
			continue;
		}
		r = handle_line(st, start, refused ? (char *)"" : logical.s, refused);
		if (r < 0)
			break;
	}
	if (r == 0 && continuing)
		r = handle_line(st, start, refused ? (char *)"" : logical.s, refused);
	if (r < 0)
		return r;
	return ferror(st->f) ? -EIO : 0;
}

static int handle_entry(struct parse_state *st, const char *section, const char *name, const char *value)
{
	bool section_known = false;

	for (size_t i = 0; i < st->n_keys; i++) {
		const struct conf_key *k = &st->keys[i];
		int r;

		if (strcmp(section, k->section))
			continue;
		section_known = true;
		if (strcmp(name, k->key))
			continue;
		if (k->word_ok) {
			char ***list = (char ***)((char *)st->target + k->offset);

			assert(i < ELEMENTSOF(st->list_len));
			if (st->list_len[i] == SIZE_MAX)
				st->list_len[i] = strv_len(*list);
			r = parse_word_list(value, list, &st->list_len[i], k->word_ok);
		} else {
			r = k->parse(value, (char *)st->target + k->offset, k);
		}
		if (r == -ENOMEM)
			return r;
		if (r == 0 && i < sizeof(st->set) * 8)
			st->set |= 1u << i;
		if (r < 0) {
			log_syntax(st->path, st->line, "%s %s=%s in [%s]: expected %s, ignoring",
				   r == -ERANGE ? "out-of-range value" : "bad value", name, value, section,
				   k->what);
			st->errors++;
		}
		return 0;
	}
	if (section_known)
		log_syntax(st->path, st->line, "unknown key %s in [%s], ignoring", name, section);
	else if (st->unit_file && strcmp(section, "Match"))
		return 0;	/* [Unit], [Service], [Install]...: systemd's, not ours */
	else if (st->unit_file)
		log_syntax(st->path, st->line,
			   "[Match] is not allowed in a unit file (the unit is the match), ignoring %s=",
			   name);
	else
		log_syntax(st->path, st->line, "unknown section [%s], ignoring %s=", section, name);
	st->errors++;
	return 0;
}

/*
 * Parses f (named path in messages) into target with the key table.
 * Returns the number of errors logged, or a negative errno if the file
 * cannot be read.
 */
static int parse_stream(FILE *f, const char *path, const struct conf_key *keys, size_t n_keys, void *target,
			bool unit_file, struct parse_state *ret_state)
{
	struct parse_state st = {
		.path = path, .f = f, .keys = keys, .n_keys = n_keys, .target = target,
		.unit_file = unit_file, .watch_section = unit_file ? "X-Hugepage" : NULL,
	};
	int r;

	assert(f && path);
	for (size_t i = 0; i < ELEMENTSOF(st.list_len); i++)
		st.list_len[i] = SIZE_MAX;
	r = parse_lines(&st);
	free(TAKE_PTR(st.section));
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		return log_error_errno(r, "%s: read error", path);
	if (ret_state)
		*ret_state = st;
	return (int)st.errors;
}

/* What a file opened with conf_open() turned out to be. */
enum conf_open_flags {
	CONF_FOLLOW = 1 << 0,		/* follow a symbolic link (unit files: systemd's choice) */
	CONF_CHECK_OWNER = 1 << 1,	/* root's and not writable by others */
};

static const char *file_kind(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFDIR:
		return "a directory";
	case S_IFIFO:
		return "a FIFO";
	case S_IFSOCK:
		return "a socket";
	case S_IFCHR:
		return "a character device";
	case S_IFBLK:
		return "a block device";
	case S_IFLNK:
		return "a symbolic link";
	default:
		return "not a regular file";
	}
}

/* A file or directory must be root's and not writable by others (st: of what was opened). */
static int check_owner(const char *path, const struct stat *st, const char *what)
{
	if (st->st_uid != 0) {
		log_error("%s: owned by uid %u, not root: refusing %s", path, (unsigned)st->st_uid, what);
		return -EPERM;
	}
	if (st->st_mode & S_IWOTH) {
		log_error("%s: writable by others (mode %04o): refusing %s", path, (unsigned)(st->st_mode & 07777),
			  what);
		return -EPERM;
	}
	return 0;
}

/*
 * Opens name relative to dir_fd (path in messages) once, without blocking
 * (a FIFO is refused, not waited on), and without following a symbolic
 * link unless CONF_FOLLOW: a link to /dev/null, /dev/null itself and an
 * empty file are masks.  Every check is made with fstat() on what was
 * opened, never by looking the path up again.  Returns 0 with *ret, 1 for
 * a mask, -ENOENT if there is no such file, or another negative errno
 * after logging why the file is refused.
 */
static int conf_open(int dir_fd, const char *name, const char *path, unsigned flags, const char *what,
		     FILE **ret)
{
	_cleanup_(closep) int fd = -1;
	struct stat st;
	FILE *f;

	fd = openat(dir_fd, name,
		    O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | (flags & CONF_FOLLOW ? 0 : O_NOFOLLOW));
	if (fd < 0 && errno == ELOOP && !(flags & CONF_FOLLOW)) {
		char target[PATH_MAX];
		ssize_t n = readlinkat(dir_fd, name, target, sizeof(target) - 1);

		if (n < 0)
			return log_error_errno(-errno, "%s: cannot read the symbolic link", path);
		target[n] = '\0';
		if (!strcmp(target, "/dev/null"))
			return 1;
		log_error("%s: a symbolic link (to %s), not a regular file: refusing %s (a link to "
			  "/dev/null masks; anything else must be a regular file)", path, target, what);
		return -ELOOP;
	}
	if (fd < 0) {
		if (errno == ENOENT)
			return -ENOENT;
		return log_error_errno(-errno, "%s: cannot open", path);
	}
	if (fstat(fd, &st) < 0)
		return log_error_errno(-errno, "%s: cannot stat", path);
	if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3))
		return 1;	/* /dev/null */
	if (!S_ISREG(st.st_mode)) {
		log_error("%s: %s, not a regular file: refusing %s", path, file_kind(st.st_mode), what);
		return -EBADFD;
	}
	if (st.st_size == 0)
		return 1;
	if ((flags & CONF_CHECK_OWNER) && check_owner(path, &st, what) < 0)
		return -EPERM;
	f = fdopen(fd, "r");
	if (!f)
		return -ENOMEM;
	TAKE_FD(fd);
	*ret = f;
	return 0;
}

/*
 * A directory of configuration files, opened once (*ret_fd).  -ENOENT if
 * it is missing; a file where a directory should be is an error, said.
 */
static int conf_open_dir(const char *dir, bool check, const char *what, int *ret_fd)
{
	_cleanup_(closep) int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct stat st;

	if (fd < 0) {
		if (errno == ENOENT)
			return -ENOENT;
		if (errno == ENOTDIR) {
			log_error("%s: not a directory, ignoring it", dir);
			return -ENOTDIR;
		}
		return log_error_errno(-errno, "%s: cannot open", dir);
	}
	if (fstat(fd, &st) < 0)
		return log_warning_errno(-errno, "%s: cannot stat", dir);
	if (check && check_owner(dir, &st, what) < 0)
		return -EPERM;
	*ret_fd = TAKE_FD(fd);
	return 0;
}

static int strcmp_ptr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names of *.conf in the directory dir_fd (dir in messages), sorted. */
static int list_conf_files(int dir_fd, const char *dir, char ***ret)
{
	_cleanup_(strv_freep) char **names = NULL;
	int fd = dup(dir_fd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	size_t n = 0;

	if (!d) {
		if (fd >= 0)
			(void)close(fd);
		return log_warning_errno(-errno, "%s: cannot list", dir);
	}
	rewinddir(d);
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (de->d_name[0] == '.' || len < 6 || strcmp(de->d_name + len - 5, ".conf"))
			continue;
		if (strv_push_len(&names, &n, de->d_name) < 0) {
			(void)closedir(d);
			return -ENOMEM;
		}
	}
	(void)closedir(d);
	if (names)
		qsort(names, n, sizeof(char *), strcmp_ptr);
	*ret = TAKE_PTR(names);
	return 0;
}

/* Splits path into its directory ("." if none) and its last component. */
static int split_path(const char *path, char **ret_dir, const char **ret_name)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");

	if (!dir)
		return -ENOMEM;
	*ret_dir = dir;
	*ret_name = slash ? slash + 1 : path;
	return 0;
}

int hp_config_parse_text(const char *label, const char *text, size_t len, struct hp_config *c)
{
	_cleanup_(fclosep) FILE *f = NULL;

	assert(label && c && (text || len == 0));
	if (len == 0)
		return 0;
	f = fmemopen((void *)text, len, "r");
	if (!f)
		return -ENOMEM;
	return parse_stream(f, label, config_keys, ELEMENTSOF(config_keys), c, false, NULL);
}

/* Parses one main-configuration file name in dir_fd into c; the errors, or < 0. */
static int config_parse_at(int dir_fd, const char *name, const char *path, unsigned flags, struct hp_config *c)
{
	_cleanup_(fclosep) FILE *f = NULL;
	int r = conf_open(dir_fd, name, path, flags, "this configuration file", &f);

	if (r == 1)
		return 0;	/* empty: nothing to set */
	if (r < 0)
		return r;
	return parse_stream(f, path, config_keys, ELEMENTSOF(config_keys), c, false, NULL);
}

int hp_config_load(const char *path, bool check, struct hp_config *ret)
{
	_cleanup_(strv_freep) char **names = NULL;
	_cleanup_(freep) char *dropdir = NULL, *dir = NULL;
	_cleanup_(closep) int dir_fd = -1, drop_fd = -1;
	unsigned flags = check ? CONF_CHECK_OWNER : 0;
	const char *name;
	struct hp_config c;
	int r, errors = 0;

	assert(path && ret);
	hp_config_defaults(&c);
	r = split_path(path, &dir, &name);
	if (r < 0)
		return r;
	r = conf_open_dir(dir, check, "the configuration in it", &dir_fd);
	if (r == 0)
		r = config_parse_at(dir_fd, name, path, flags, &c);
	if (r == -ENOENT)
		r = 0;
	if (r < 0)
		return log_error_errno(r, "%s: cannot be used", path);
	errors += r;

	if (asprintf(&dropdir, "%s.d", path) < 0)
		return -ENOMEM;
	r = conf_open_dir(dropdir, check, "the drop-ins in it", &drop_fd);
	if (r == -ENOENT) {
		*ret = c;
		return errors;
	}
	if (r < 0) {
		*ret = c;
		return errors + 1;
	}
	r = list_conf_files(drop_fd, dropdir, &names);
	if (r < 0)
		return r;
	for (size_t i = 0; names && names[i]; i++) {
		_cleanup_(freep) char *p = NULL;

		if (asprintf(&p, "%s/%s", dropdir, names[i]) < 0)
			return -ENOMEM;
		r = config_parse_at(drop_fd, names[i], p, flags, &c);
		if (r == -ENOMEM)
			return r;
		if (r < 0) {
			log_error("%s: ignoring this drop-in", p);
			errors++;
			continue;
		}
		errors += r;
	}
	*ret = c;
	return errors;
}

void hp_policy_done(struct hp_policy *p)
{
	free(p->name);
	free(p->source);
	strv_free(p->cgroup_globs);
	strv_free(p->slices);
	strv_free(p->units);
	strv_free(p->sources);
	free(p->unit);
	*p = (struct hp_policy){ 0 };
}

void hp_policy_set_free(struct hp_policy_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		hp_policy_done(&s->v[i]);
	free(s->v);
	strv_free(s->failed);
	*s = (struct hp_policy_set){ 0 };
}

static int policy_name_cmp(const void *a, const void *b)
{
	return strcmp(((const struct hp_policy *)a)->name, ((const struct hp_policy *)b)->name);
}

int hp_policy_set_keep_failed(struct hp_policy_set *next, struct hp_policy_set *prev)
{
	int kept = 0;

	for (size_t i = 0; next->failed && next->failed[i]; i++) {
		for (size_t j = 0; j < prev->n; j++) {
			struct hp_policy *nv;

			if (!prev->v[j].name || strcmp(prev->v[j].name, next->failed[i]))
				continue;
			nv = realloc(next->v, (next->n + 1) * sizeof(*nv));
			if (!nv)
				return -ENOMEM;
			next->v = nv;
			next->v[next->n++] = prev->v[j];
			next->v[next->n - 1].kept = true;
			prev->v[j] = (struct hp_policy){ 0 };
			log_warning("%s: keeping the previous version of this policy", next->v[next->n - 1].source);
			kept++;
			break;
		}
	}
	if (kept)
		qsort(next->v, next->n, sizeof(*next->v), policy_name_cmp);
	return kept;
}

/* Parses an opened policy (or unit) file; see hp_policy_parse_file(). */
static int policy_parse_stream(FILE *f, const char *path, const char *name, const char *section,
			       struct hp_policy *ret)
{
	bool unit_file = !strcmp(section, "X-Hugepage");
	/* Out-of-range markers tell "not given" from "given as 0". */
	struct hp_policy p = { .memory = { .bp = UINT_MAX, .duration = USEC_INFINITY } };
	struct parse_state st = { 0 };
	int r;

	if (unit_file)
		r = parse_stream(f, path, unit_section_keys, ELEMENTSOF(unit_section_keys), &p, true, &st);
	else
		r = parse_stream(f, path, policy_file_keys, ELEMENTSOF(policy_file_keys), &p, false, &st);
	if (r < 0) {
		hp_policy_done(&p);
		return log_error_errno(r, "%s: cannot read policy, skipping it", path);
	}
	if (r > 0) {
		hp_policy_done(&p);
		log_error("%s: %d error(s), skipping this policy", path, r);
		return -EINVAL;
	}
	if (!unit_file && !p.cgroup_globs && !p.slices && !p.units) {
		hp_policy_done(&p);
		log_syntax(path, 0, "no [Match] entry (CgroupPath=, Slice= or Unit=), skipping this policy");
		return -EINVAL;
	}
	p.memory_limit_set = p.memory.bp != UINT_MAX;
	p.memory_duration_set = p.memory.duration != USEC_INFINITY;
	p.set = st.set;
	p.has_section = unit_file ? st.section_seen : true;
	p.name = strdup(name);
	p.source = strdup(path);
	if (!p.name || !p.source || strv_push(&p.sources, path) < 0) {
		hp_policy_done(&p);
		return -ENOMEM;
	}
	*ret = p;
	return 0;
}

/* An empty policy (a masked file, or an empty unit file): nothing set. */
static int policy_empty(const char *path, const char *name, const char *section, struct hp_policy *ret)
{
	_cleanup_(fclosep) FILE *f = fmemopen((char *)"\n", 1, "r");

	if (!f)
		return -ENOMEM;
	return policy_parse_stream(f, path, name, section, ret);
}

int hp_policy_parse_text(const char *label, const char *name, const char *section, const char *text, size_t len,
			 struct hp_policy *ret)
{
	_cleanup_(fclosep) FILE *f = NULL;

	assert(label && name && section && ret && (text || len == 0));
	if (len == 0)
		return policy_empty(label, name, section, ret);
	f = fmemopen((void *)text, len, "r");
	if (!f)
		return -ENOMEM;
	return policy_parse_stream(f, label, name, section, ret);
}

int hp_policy_parse_file(const char *path, const char *name, const char *section,
			 struct hp_policy *ret)
{
	_cleanup_(fclosep) FILE *f = NULL;
	bool unit_file;
	int r;

	assert(path && name && section && ret);
	unit_file = !strcmp(section, "X-Hugepage");
	/* systemd follows links to unit files; our policy files are never links. */
	r = conf_open(AT_FDCWD, path, path, unit_file ? CONF_FOLLOW : 0,
		      unit_file ? "its [X-Hugepage] section" : "this policy", &f);
	if (r == 1)
		return policy_empty(path, name, section, ret);
	if (r < 0) {
		if (r == -ENOENT)
			log_error_errno(r, "%s: cannot read policy, skipping it", path);
		return r == -ENOMEM ? r : -EINVAL;
	}
	return policy_parse_stream(f, path, name, section, ret);
}

/* A policy file found in a directory: its name and the directory's index. */
struct found_file {
	char *name;
	char *path;
	size_t dir;
};

static int found_file_cmp(const void *a, const void *b)
{
	const struct found_file *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : (x->dir > y->dir) - (x->dir < y->dir);
}

static void found_files_free(struct found_file *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].path);
	}
	free(v);
}

/* Directories of policies, opened once each: -1 where missing or refused. */
struct policy_dirs {
	int *fd;
	bool *refused;
	size_t n;
};

static void policy_dirs_done(struct policy_dirs *d)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->fd[i] >= 0)
			(void)close(d->fd[i]);
	free(d->fd);
	free(d->refused);
}

/* Adds every *.conf of dir (index d) to *found. */
static int collect_dir(const char *dir, int dir_fd, size_t d, struct found_file **found, size_t *n_found,
		       size_t *cap)
{
	_cleanup_(strv_freep) char **files = NULL;
	int r = list_conf_files(dir_fd, dir, &files);

	for (size_t i = 0; r == 0 && files && files[i]; i++) {
		char *path = NULL, *name;

		if (*n_found == *cap) {
			size_t ncap = *cap ? *cap * 2 : 16;
			struct found_file *nv = realloc(*found, ncap * sizeof(*nv));

			if (!nv)
				return -ENOMEM;
			*found = nv;
			*cap = ncap;
		}
		name = strdup(files[i]);
		if (!name || asprintf(&path, "%s/%s", dir, files[i]) < 0) {
			free(name);
			return -ENOMEM;
		}
		(*found)[(*n_found)++] = (struct found_file){ .name = name, .path = path, .dir = d };
	}
	return r;
}

int hp_policies_load(char *const *dirs, bool check, struct hp_policy_set *ret)
{
	_cleanup_(strv_freep) char **names = NULL, **paths = NULL;
	struct hp_policy_set set = { 0 };
	struct policy_dirs pd = { 0 };
	struct found_file *found = NULL;
	size_t n_found = 0, cap = 0, n_names = 0, n_paths = 0, n_failed = 0, set_cap = 0;
	size_t *dir_of = NULL;
	int skipped = 0, r = 0;

	assert(ret);
	pd.n = strv_len(dirs);
	pd.fd = calloc(pd.n ? pd.n : 1, sizeof(*pd.fd));
	pd.refused = calloc(pd.n ? pd.n : 1, sizeof(*pd.refused));
	if (!pd.fd || !pd.refused) {
		policy_dirs_done(&pd);
		return -ENOMEM;
	}
	/* Every *.conf of every directory, then sorted by name and directory. */
	for (size_t d = 0; d < pd.n && r >= 0; d++) {
		pd.fd[d] = -1;
		r = conf_open_dir(dirs[d], check, "the policies in it", &pd.fd[d]);
		if (r == -ENOENT) {
			r = 0;
			continue;
		}
		if (r == -ENOTDIR) {
			skipped++;	/* an error for --check-config and the status */
			r = 0;
			continue;
		}
		if (r == -EPERM) {
			/* Listed all the same, so that each of its files shows as failed. */
			_cleanup_(closep) int fd = open(dirs[d], O_RDONLY | O_DIRECTORY | O_CLOEXEC);

			pd.refused[d] = true;
			r = fd >= 0 ? collect_dir(dirs[d], fd, d, &found, &n_found, &cap) : 0;
			continue;
		}
		if (r < 0)
			break;
		r = collect_dir(dirs[d], pd.fd[d], d, &found, &n_found, &cap);
	}
	if (r == -ENOMEM) {
		found_files_free(found, n_found);
		policy_dirs_done(&pd);
		return r;
	}
	r = 0;
	if (n_found > 0)	/* qsort(NULL, 0) is undefined behaviour, UBSan says */
		qsort(found, n_found, sizeof(*found), found_file_cmp);
	dir_of = calloc(n_found ? n_found : 1, sizeof(*dir_of));
	if (!dir_of)
		r = -ENOMEM;
	/* Later directories win: of each name, the last (highest directory) entry. */
	for (size_t i = 0; i < n_found && r == 0; i++) {
		if (i + 1 < n_found && !strcmp(found[i].name, found[i + 1].name))
			continue;
		dir_of[n_names] = found[i].dir;
		if (strv_push_len(&names, &n_names, found[i].name) < 0 ||
		    strv_push_len(&paths, &n_paths, found[i].path) < 0)
			r = -ENOMEM;
	}
	found_files_free(found, n_found);

	for (size_t i = 0; r == 0 && i < n_names; i++) {
		_cleanup_(fclosep) FILE *f = NULL;
		size_t d = dir_of[i];
		struct hp_policy p, *nv;

		if (pd.refused[d]) {
			r = -EPERM;	/* said once, for the directory */
		} else {
			r = conf_open(pd.fd[d], names[i], paths[i], check ? CONF_CHECK_OWNER : 0, "this policy", &f);
			if (r == 1) {
				log_info("%s: masked, skipping", paths[i]);
				r = 0;
				continue;
			}
			if (r == 0)
				r = policy_parse_stream(f, paths[i], names[i], "Policy", &p);
			else if (r == -ENOENT)
				log_error("%s: removed while loading, skipping it", paths[i]);
		}
		if (r == -ENOMEM)
			break;
		if (r < 0) {
			skipped++;
			r = strv_push_len(&set.failed, &n_failed, names[i]);
			continue;
		}
		if (set.n == set_cap) {
			nv = realloc(set.v, (set_cap ? set_cap * 2 : 8) * sizeof(*nv));
			if (!nv) {
				hp_policy_done(&p);
				r = -ENOMEM;
				break;
			}
			set.v = nv;
			set_cap = set_cap ? set_cap * 2 : 8;
		}
		set.v[set.n++] = p;
	}
	free(dir_of);
	policy_dirs_done(&pd);
	if (r < 0) {
		hp_policy_set_free(&set);
		return r;
	}
	*ret = set;
	return skipped;
}

static bool any_glob_matches(char *const *globs, const char *s, int flags)
{
	for (size_t i = 0; globs && globs[i]; i++)
		if (fnmatch(globs[i], s, flags) == 0)
			return true;
	return false;
}

/* Does a component of path before its last one match a glob? */
static bool ancestor_matches(char *const *globs, const char *path)
{
	_cleanup_(freep) char *copy = strdup(path);
	char *last, *save = NULL;

	if (!copy)
		return false;
	last = strrchr(copy, '/');
	if (last)
		*last = '\0';
	for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save))
		if (any_glob_matches(globs, c, 0))
			return true;
	return false;
}

bool hp_policy_matches(const struct hp_policy *p, const char *cgroup_path)
{
	const char *last;

	assert(p && cgroup_path);
	last = strrchr(cgroup_path, '/');
	last = last ? last + 1 : cgroup_path;
	if (p->cgroup_globs && !any_glob_matches(p->cgroup_globs, cgroup_path, FNM_PATHNAME))
		return false;
	if (p->units && !any_glob_matches(p->units, last, 0))
		return false;
	if (p->slices && !(p->units ? ancestor_matches(p->slices, cgroup_path) :
				      any_glob_matches(p->slices, last, 0)))
		return false;
	return p->cgroup_globs || p->slices || p->units;
}

struct hp_limit hp_policy_memory_limit(const struct hp_policy *p, const struct hp_limit *dflt)
{
	return (struct hp_limit){
		.bp = p->memory_limit_set ? p->memory.bp : dflt->bp,
		.duration = p->memory_duration_set ? p->memory.duration : dflt->duration,
	};
}

const struct hp_policy *hp_policy_find(const struct hp_policy_set *s, const char *cgroup_path)
{
	for (size_t i = 0; i < s->n; i++)
		if (hp_policy_matches(&s->v[i], cgroup_path))
			return &s->v[i];
	return NULL;
}

struct hp_tuning hp_tuning_merge(const struct hp_tuning *over, const struct hp_tuning *under)
{
	return (struct hp_tuning){
		.mode = over->mode ? over->mode : under->mode,
		.goal_bp = over->goal_bp ? over->goal_bp : under->goal_bp,
		.min_access = over->min_access ? over->min_access : under->min_access,
		.quota_ms = over->quota_ms ? over->quota_ms : under->quota_ms,
		.quota_bytes = over->quota_bytes ? over->quota_bytes : under->quota_bytes,
	};
}

/* Copies into p the [X-Hugepage] keys that over sets. */
static void policy_overlay(struct hp_policy *p, const struct hp_policy *over)
{
	for (size_t i = 0; i < ELEMENTSOF(unit_section_keys); i++) {
		const struct conf_key *k = &unit_section_keys[i];

		if (!(over->set & (1u << i)))
			continue;
		memcpy((char *)p + k->offset, (const char *)over + k->offset, k->size);
	}
	p->memory_limit_set |= over->memory_limit_set;
	p->memory_duration_set |= over->memory_duration_set;
}

int hp_unit_policy_build(const char *unit, char *const *files, const struct hp_policy *base,
			 struct hp_policy *ret)
{
	_cleanup_(hp_policy_done) struct hp_policy merged = { 0 };
	bool found = false;
	int r;

	assert(unit && ret);
	if (base) {
		merged.priority = base->priority;
		merged.min_size = base->min_size;
		merged.memory_limit_set = base->memory_limit_set;
		merged.memory_duration_set = base->memory_duration_set;
		merged.memory = base->memory;
		merged.tuning = base->tuning;
		if (strv_push(&merged.sources, base->source) < 0)
			return -ENOMEM;
	}
	for (size_t i = 0; files && files[i]; i++) {
		_cleanup_(hp_policy_done) struct hp_policy q = { 0 };

		r = hp_policy_parse_file(files[i], unit, "X-Hugepage", &q);
		if (r == -ENOMEM)
			return r;
		if (r < 0) {
			log_error("%s: [X-Hugepage] of %s has errors, ignoring all of its sections%s", files[i],
				  unit, base ? " (the policy files apply)" : "");
			return -EINVAL;
		}
		if (!q.has_section)
			continue;
		policy_overlay(&merged, &q);
		if (strv_push(&merged.sources, files[i]) < 0)
			return -ENOMEM;
		found = true;
	}
	if (!found)
		return 0;
	merged.name = strdup(unit);
	merged.unit = strdup(unit);
	merged.source = strdup(merged.sources[strv_len(merged.sources) - 1]);
	merged.has_section = true;
	if (!merged.name || !merged.unit || !merged.source)
		return -ENOMEM;
	*ret = merged;
	merged = (struct hp_policy){ 0 };
	return 1;
}
