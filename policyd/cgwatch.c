// SPDX-License-Identifier: GPL-2.0-or-later
#include "cgwatch.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "log.h"

static void wd_forget(struct cgwatch *w, int wd)
{
	struct cgwatch_wd *x;

	if (wd < 0 || (size_t)wd >= w->n_wds)
		return;
	x = &w->wds[wd];
	if (x->path && !x->events && strmap_get(&w->dir_wds, x->path, NULL) == (void *)(uintptr_t)(wd + 1))
		(void)strmap_remove(&w->dir_wds, x->path, NULL);
	free(x->path);
	x->path = NULL;
}

/*
 * Watches path's directory (or its cgroup.events).  ino: the directory's
 * cgroup id as the walk saw it; a directory watched before under the same
 * id keeps its watch without a system call, which is most of what a
 * rescan would otherwise cost (a cgroup made again under the same path
 * has another id, and gets a watch of its own).
 */
static int wd_add(struct cgwatch *w, const char *path, bool events, uint64_t ino)
{
	_cleanup_(freep) char *abs = NULL;
	uint32_t mask = events ? IN_MODIFY : (IN_CREATE | IN_DELETE | IN_ONLYDIR);
	int wd;

	assert(path && path[0] == '/');
	if (!events && ino) {
		bool found;
		uintptr_t v = (uintptr_t)strmap_get(&w->dir_wds, path, &found);

		wd = (int)v - 1;
		if (found && wd >= 0 && (size_t)wd < w->n_wds && w->wds[wd].ino == ino && w->wds[wd].path &&
		    !strcmp(w->wds[wd].path, path))
			return wd;
	}

	if (asprintf(&abs, "%s%s%s", w->root, path[1] ? path : "", events ? "/cgroup.events" : "") < 0)
		return -ENOMEM;
	wd = inotify_add_watch(w->inotify_fd, abs, mask);
	if (wd < 0) {
		if (errno == ENOSPC && !w->limit_logged) {
			w->limit_logged = true;
			log_warning("inotify watch limit reached at %s: the rescan every %" PRIu64
				    " s covers the rest (raise fs.inotify.max_user_watches)",
				    path, (uint64_t)(*w->rescan_interval / USEC_PER_SEC));
		}
		return -errno;
	}
	if ((size_t)wd >= w->n_wds) {
		size_t n = MAX((size_t)wd + 1, w->n_wds * 2);
		struct cgwatch_wd *nw = realloc(w->wds, n * sizeof(*nw));

		if (!nw)
			return -ENOMEM;
		memset(nw + w->n_wds, 0, (n - w->n_wds) * sizeof(*nw));
		w->wds = nw;
		w->n_wds = n;
	}
	if (!w->wds[wd].path || strcmp(w->wds[wd].path, path)) {
		wd_forget(w, wd);
		w->wds[wd].path = strdup(path);
		if (!w->wds[wd].path)
			return -ENOMEM;
	}
	w->wds[wd].events = events;
	w->wds[wd].ino = events ? 0 : ino;
	w->wds[wd].leaf = false;
	if (!events && strmap_put(&w->dir_wds, path, (void *)(uintptr_t)(wd + 1)) < 0)
		return -ENOMEM;
	return wd;
}

int cgwatch_events_watch(struct cgwatch *w, const char *path)
{
	return wd_add(w, path, true, 0);
}

void cgwatch_events_unwatch(struct cgwatch *w, int wd)
{
	if (wd < 0)
		return;
	(void)inotify_rm_watch(w->inotify_fd, wd);
	wd_forget(w, wd);
}

int cgwatch_id(const struct cgwatch *w, const char *path, uint64_t *ret)
{
	struct stat st;

	assert(path && path[0] == '/');
	if (fstatat(w->root_fd, path[1] ? path + 1 : ".", &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	*ret = st.st_ino;
	return 0;
}

/* A cgroup directory seen in the tree: watch it, report it. */
static int on_seen(const char *path, uint64_t ino, void *userdata)
{
	struct cgwatch *w = userdata;
	int r, skip;

	r = wd_add(w, path, false, ino);
	if (r == -ENOMEM)
		return r;
	/*
	 * A directory whose watch is the one it had (same id), that had no
	 * subdirectory when last looked at and whose watch has reported none
	 * since, has none now: the walk need not look (one system call per
	 * cgroup saved, most of a rescan).  Unless events were lost.
	 */
	skip = r >= 0 && w->wds[r].leaf && !w->full_rescan ? HP_WALK_SKIP : 0;
	w->n_cgroups++;
	r = w->ops->seen(path, ino, w->userdata);
	return r < 0 ? r : skip;
}

/* The walk looked into path: remember whether it had a subdirectory. */
static void on_looked_at(const char *path, bool leaf, void *userdata)
{
	struct cgwatch *w = userdata;
	uintptr_t v = (uintptr_t)strmap_get(&w->dir_wds, path, NULL);

	if (v > 0 && v - 1 < w->n_wds)
		w->wds[v - 1].leaf = leaf;
}

int cgwatch_rescan(struct cgwatch *w)
{
	int r;

	w->n_cgroups = 0;
	r = hp_cgroup_walk_ino(w->root_fd, on_seen, on_looked_at, w);
	w->full_rescan = false;
	return r < 0 ? r : 0;
}

struct subtree_walk {
	struct cgwatch *w;
	const char *prefix;
};

static int subtree_seen(const char *path, uint64_t ino, void *userdata)
{
	struct subtree_walk *s = userdata;
	_cleanup_(freep) char *full = NULL;

	if (asprintf(&full, "%s%s", s->prefix, path[1] ? path : "") < 0)
		return -ENOMEM;
	return on_seen(full, ino, s->w);
}

static void subtree_looked_at(const char *path, bool leaf, void *userdata)
{
	struct subtree_walk *s = userdata;
	_cleanup_(freep) char *full = NULL;

	if (asprintf(&full, "%s%s", s->prefix, path[1] ? path : "") >= 0)
		on_looked_at(full, leaf, s->w);
}

static void on_dir_created(struct cgwatch *w, const char *parent, const char *name)
{
	_cleanup_(freep) char *path = NULL;
	_cleanup_(closep) int fd = -1;
	struct subtree_walk s = { .w = w };

	if (asprintf(&path, "%s/%s", parent[1] ? parent : "", name) < 0)
		return;
	/* Children may have been made before the watch (mkdir -p): walk them too. */
	fd = openat(w->root_fd, path + 1, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	s.prefix = path;
	(void)hp_cgroup_walk_ino(fd, subtree_seen, subtree_looked_at, &s);
}

static void on_dir_deleted(struct cgwatch *w, const char *parent, const char *name)
{
	_cleanup_(freep) char *path = NULL;
	size_t len;

	if (asprintf(&path, "%s/%s", parent[1] ? parent : "", name) < 0)
		return;
	w->ops->removed(path, w->userdata);
	/* kernfs sends no IN_IGNORED for removed cgroups: forget their watches. */
	len = strlen(path);
	for (size_t wd = 0; wd < w->n_wds; wd++) {
		const char *p = w->wds[wd].path;

		if (p && !strncmp(p, path, len) && (p[len] == '\0' || p[len] == '/')) {
			(void)inotify_rm_watch(w->inotify_fd, (int)wd);
			wd_forget(w, (int)wd);
		}
	}
}

void cgwatch_dispatch(struct cgwatch *w)
{
	char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));

	for (;;) {
		ssize_t n = read(w->inotify_fd, buf, sizeof(buf));

		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				log_warning_errno(-errno, "inotify read failed, ignoring");
			break;
		}
		for (char *p = buf; p < buf + n;) {
			struct inotify_event *e = (struct inotify_event *)p;
			struct cgwatch_wd *x = e->wd >= 0 && (size_t)e->wd < w->n_wds ? &w->wds[e->wd] : NULL;
			_cleanup_(freep) char *path = x && x->path ? strdup(x->path) : NULL;

			p += sizeof(*e) + e->len;
			if (e->mask & IN_Q_OVERFLOW) {
				log_warning("inotify queue overflow, rescanning");
				w->full_rescan = true;
				w->ops->lost(w->userdata);
				continue;
			}
			if (!path)
				continue;
			if (x->events) {
				w->ops->events(path, w->userdata);
			} else if ((e->mask & IN_CREATE) && (e->mask & IN_ISDIR) && e->len) {
				x->leaf = false;
				on_dir_created(w, path, e->name);
			} else if ((e->mask & IN_DELETE) && (e->mask & IN_ISDIR) && e->len) {
				on_dir_deleted(w, path, e->name);
			}
		}
	}
}

static int on_inotify(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	(void)s;
	(void)fd;
	(void)revents;
	cgwatch_dispatch(userdata);
	return 0;
}

int cgwatch_init(struct cgwatch *w, sd_event *event, int root_fd, const char *root,
		 const usec_t *rescan_interval, const struct cgwatch_ops *ops, void *userdata)
{
	int r;

	assert(event && root_fd >= 0 && root && rescan_interval);
	assert(ops && ops->seen && ops->removed && ops->events && ops->lost);
	*w = (struct cgwatch){ .ops = ops, .userdata = userdata, .root = root, .root_fd = root_fd,
			       .rescan_interval = rescan_interval };
	w->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->inotify_fd < 0)
		return log_error_errno(-errno, "inotify_init1 failed");
	r = sd_event_add_io(event, &w->source, w->inotify_fd, EPOLLIN, on_inotify, w);
	if (r < 0)
		return r;
	(void)sd_event_source_set_description(w->source, "cgroup-inotify");
	/* Without it the tree is not followed: the daemon cannot go on. */
	(void)sd_event_source_set_exit_on_failure(w->source, true);
	return 0;
}

void cgwatch_done(struct cgwatch *w)
{
	w->source = sd_event_source_disable_unref(w->source);
	for (size_t i = 0; i < w->n_wds; i++)
		free(w->wds[i].path);
	free(w->wds);
	w->wds = NULL;
	w->n_wds = 0;
	strmap_clear(&w->dir_wds, NULL);
	if (w->inotify_fd >= 0)
		(void)close(w->inotify_fd);
	w->inotify_fd = -1;
}
