// SPDX-License-Identifier: GPL-2.0-or-later
#include "cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/magic.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include "log.h"
#include "pressure.h"

/* Opens root_fd/path/name; path "/" is the root. */
static int read_cgroup_file(int root_fd, const char *path, const char *name, char **ret)
{
	_cleanup_(freep) char *rel = NULL;

	while (*path == '/')
		path++;
	if (asprintf(&rel, "%s%s%s", *path ? path : "", *path ? "/" : "", name) < 0)
		return -ENOMEM;
	return read_file_at(root_fd, rel, ret);
}

/*
 * Finds "key value" at the start of a line of text: the value is decimal
 * digits running to the end of the line, as the kernel writes it.
 */
static int find_key_u64(const char *text, const char *key, uint64_t *ret)
{
	size_t klen = strlen(key);

	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		const char *end;
		uint64_t v;

		if (strncmp(l, key, klen) || l[klen] != ' ')
			continue;
		if (parse_u64_prefix(l + klen + 1, &v, &end) < 0 || (*end && *end != '\n'))
			return -EINVAL;
		*ret = v;
		return 0;
	}
	return -ENOENT;
}

int hp_cgroup_events_parse(const char *text, bool *populated)
{
	uint64_t v;
	int r;

	assert(text && populated);
	r = find_key_u64(text, "populated", &v);
	if (r < 0 || v > 1)
		return -EINVAL;
	*populated = v == 1;
	return 0;
}

int hp_memory_stat_parse(const char *text, uint64_t *anon, uint64_t *anon_thp)
{
	uint64_t a, t = 0;
	int r;

	assert(text && anon && anon_thp);
	r = find_key_u64(text, "anon", &a);
	if (r < 0)
		return r == -ENOENT ? -EINVAL : r;
	r = find_key_u64(text, "anon_thp", &t);
	if (r < 0 && r != -ENOENT)
		return r;
	*anon = a;
	*anon_thp = t;
	return 0;
}

int hp_cgroup_read_populated(int root_fd, const char *path, bool *ret)
{
	_cleanup_(freep) char *text = NULL;
	int r = read_cgroup_file(root_fd, path, "cgroup.events", &text);

	if (r < 0)
		return r;
	return hp_cgroup_events_parse(text, ret);
}

int hp_cgroup_read_memory(int root_fd, const char *path, uint64_t *anon, uint64_t *anon_thp)
{
	_cleanup_(freep) char *text = NULL;
	int r = read_cgroup_file(root_fd, path, "memory.stat", &text);

	if (r < 0)
		return r;
	return hp_memory_stat_parse(text, anon, anon_thp);
}

int hp_psi_read(int dir_fd, const char *name, uint64_t *some_total, unsigned *avg10_bp)
{
	_cleanup_(freep) char *text = NULL;
	int r = read_file_at(dir_fd, name, &text);

	if (r < 0)
		return r;
	return hp_psi_parse(text, some_total, avg10_bp);
}

/* Every entry of the directory fd, as getdents64() gives them, in *buf (*len bytes). */
static int read_dir_entries(int fd, char **buf, size_t *len)
{
	size_t cap = 32768, used = 0;
	char *b = malloc(cap);

	if (!b)
		return -ENOMEM;
	for (;;) {
		ssize_t n;

		if (cap - used < 8192) {
			char *nb = realloc(b, cap * 2);

			if (!nb) {
				free(b);
				return -ENOMEM;
			}
			b = nb;
			cap *= 2;
		}
		n = getdents64(fd, b + used, cap - used);
		if (n < 0) {
			int r = -errno;

			free(b);
			return r;
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	*buf = b;
	*len = used;
	return 0;
}

struct walk {
	hp_cgroup_walk_ino_fn fn;
	hp_cgroup_walk_leaf_fn leaf;
	void *userdata;
	char path[4096];
};

/*
 * Calls fn on every directory below dir_fd (w->path[0..len) is its path),
 * parents before children.  fn sees a directory before it is read (so a
 * watch it adds misses nothing made later).  A directory whose link count
 * is 2 has no subdirectory on kernfs (cgroupfs) and tmpfs, which count
 * them: it is not opened, which saves most of the system calls of a walk
 * of cgroups (other counts, such as 1 on file systems that do not count,
 * are read).  A directory fn says it knows to be a leaf (HP_WALK_SKIP) is
 * not even looked at.  Returns how many were visited, or fn's error.
 */
static int walk_children(int dir_fd, struct walk *w, size_t len)
{
	_cleanup_(freep) char *buf = NULL;
	size_t used = 0;
	int count = 0, r;

	r = read_dir_entries(dir_fd, &buf, &used);
	if (r < 0)
		return r == -ENOMEM ? r : 0;	/* removed meanwhile */
	for (size_t off = 0; off < used;) {
		struct dirent64 *de = (struct dirent64 *)(buf + off);
		size_t nlen = strlen(de->d_name);
		struct stat st;
		int sub;

		off += de->d_reclen;
		if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN)
			continue;
		/* Only "." and "..": a cgroup may be named ".x", and inotify reports it too. */
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (len + 1 + nlen + 1 > sizeof(w->path)) {
			w->path[len] = '\0';
			log_warning("cgroup path %s/%s too long, ignoring", w->path, de->d_name);
			continue;
		}
		if (de->d_type == DT_UNKNOWN &&
		    (fstatat(dir_fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode)))
			continue;
		w->path[len] = '/';
		memcpy(w->path + len + 1, de->d_name, nlen + 1);
		r = w->fn(w->path, de->d_ino, w->userdata);
		if (r < 0)
			return r;
		count++;
		if (r == HP_WALK_SKIP)
			continue;
		/* After fn: a subdirectory made since is one its watch reports. */
		if (fstatat(dir_fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode))
			continue;
		if (w->leaf)
			w->leaf(w->path, st.st_nlink == 2, w->userdata);
		if (st.st_nlink == 2)
			continue;
		sub = openat(dir_fd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0)
			continue;	/* removed meanwhile */
		r = walk_children(sub, w, len + 1 + nlen);
		(void)close(sub);
		if (r < 0)
			return r;
		count += r;
	}
	return count;
}

int hp_cgroup_walk_ino(int root_fd, hp_cgroup_walk_ino_fn fn, hp_cgroup_walk_leaf_fn leaf, void *userdata)
{
	_cleanup_(freep) struct walk *w = calloc(1, sizeof(*w));
	/* An open file description of our own: reading it must not move root_fd. */
	_cleanup_(closep) int fd = openat(root_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct stat st;
	int r;

	assert(fn);
	if (!w)
		return -ENOMEM;
	if (fd < 0 || fstat(fd, &st) < 0)
		return -errno;
	w->fn = fn;
	w->leaf = leaf;
	w->userdata = userdata;
	r = fn("/", st.st_ino, userdata);
	if (r < 0)
		return r;
	if (r == HP_WALK_SKIP)
		return 1;
	/* Again after fn, as for every directory below. */
	if (fstat(fd, &st) < 0)
		return -errno;
	if (leaf)
		leaf("/", st.st_nlink == 2, userdata);
	if (st.st_nlink == 2)
		return 1;
	r = walk_children(fd, w, 0);
	return r < 0 ? r : r + 1;
}

struct walk_adapter {
	hp_cgroup_walk_fn fn;
	void *userdata;
};

static int walk_without_ino(const char *path, uint64_t ino, void *userdata)
{
	struct walk_adapter *a = userdata;

	int r = a->fn(path, a->userdata);

	(void)ino;
	return r < 0 ? r : 0;
}

int hp_cgroup_walk(int root_fd, hp_cgroup_walk_fn fn, void *userdata)
{
	struct walk_adapter a = { .fn = fn, .userdata = userdata };

	return hp_cgroup_walk_ino(root_fd, walk_without_ino, NULL, &a);
}

/* Is "THP_enabled:\t0" in the text of a /proc/PID/status? */
bool hp_proc_status_thp_disabled(const char *text)
{
	const char *l = strstr(text, "\nTHP_enabled:");

	if (!l)
		return false;
	l += strlen("\nTHP_enabled:");
	l += strspn(l, " \t");
	return *l == '0';
}

struct thp_count {
	int cg_fd;		/* the group's directory */
	int proc_fd;
	unsigned procs, disabled;
};

static int count_thp_in(const char *path, void *userdata)
{
	struct thp_count *c = userdata;
	_cleanup_(freep) char *pids = NULL;
	char *save = NULL;

	/* A process that exits meanwhile is simply not counted. */
	if (read_cgroup_file(c->cg_fd, path, "cgroup.procs", &pids) < 0)
		return 0;
	for (char *p = strtok_r(pids, "\n", &save); p; p = strtok_r(NULL, "\n", &save)) {
		_cleanup_(freep) char *rel = NULL, *status = NULL;

		if (asprintf(&rel, "%s/status", p) < 0)
			return -ENOMEM;
		if (read_file_at(c->proc_fd, rel, &status) < 0)
			continue;
		c->procs++;
		if (hp_proc_status_thp_disabled(status))
			c->disabled++;
	}
	return 0;
}

int hp_cgroup_count_thp_disabled(int root_fd, const char *path, int proc_fd, unsigned *procs,
				 unsigned *disabled)
{
	struct thp_count c = { .proc_fd = proc_fd };
	int r;

	assert(path && procs && disabled);
	while (*path == '/')
		path++;
	c.cg_fd = openat(root_fd, *path ? path : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (c.cg_fd < 0)
		return -errno;
	r = hp_cgroup_walk(c.cg_fd, count_thp_in, &c);
	(void)close(c.cg_fd);
	if (r < 0)
		return r;
	*procs = c.procs;
	*disabled = c.disabled;
	return 0;
}

struct pid_list {
	int cg_fd;
	int *v;
	size_t n, cap;
};

static int list_pids_in(const char *path, void *userdata)
{
	struct pid_list *l = userdata;
	_cleanup_(freep) char *pids = NULL;
	char *save = NULL;

	/* A cgroup removed meanwhile has no processes left to list. */
	if (read_cgroup_file(l->cg_fd, path, "cgroup.procs", &pids) < 0)
		return 0;
	for (char *p = strtok_r(pids, "\n", &save); p; p = strtok_r(NULL, "\n", &save)) {
		char *end;
		long v = strtol(p, &end, 10);

		if (*end || v <= 0 || v > INT32_MAX)
			continue;
		if (l->n == l->cap) {
			size_t cap = l->cap ? l->cap * 2 : 16;
			int *nv = realloc(l->v, cap * sizeof(*nv));

			if (!nv)
				return -ENOMEM;
			l->v = nv;
			l->cap = cap;
		}
		l->v[l->n++] = (int)v;
	}
	return 0;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

int hp_cgroup_list_pids(int root_fd, const char *path, int **ret, size_t *n)
{
	struct pid_list l = { 0 };
	int r;

	while (*path == '/')
		path++;
	l.cg_fd = openat(root_fd, *path ? path : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (l.cg_fd < 0)
		return -errno;
	r = hp_cgroup_walk(l.cg_fd, list_pids_in, &l);
	close(l.cg_fd);
	if (r < 0) {
		free(l.v);
		return r;
	}
	if (l.n)
		qsort(l.v, l.n, sizeof(*l.v), cmp_int);
	*ret = l.v;
	*n = l.n;
	return 0;
}
