// SPDX-License-Identifier: GPL-2.0-or-later
#include "backend.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"

char *hp_feed_cgroups_string(const struct hp_feed *feed)
{
	size_t len = 1;
	char *s;

	for (size_t i = 0; feed->cgroups && feed->cgroups[i]; i++)
		len += strlen(feed->cgroups[i]) + 1;
	s = malloc(len);
	if (!s)
		return NULL;
	s[0] = '\0';
	for (size_t i = 0; feed->cgroups && feed->cgroups[i]; i++) {
		if (i)
			strcat(s, ",");
		strcat(s, feed->cgroups[i]);
	}
	return s;
}

/* The feed as one string, to skip applying what is already applied. */
static char *feed_key(const struct hp_feed *f)
{
	_cleanup_(freep) char *groups = hp_feed_cgroups_string(f);
	char *key;

	if (!groups || asprintf(&key, "%s|%u|%d|%u|%u|%u|%" PRIu64, groups, f->kdamond_limit,
				f->tuning.mode, f->tuning.goal_bp, f->tuning.min_access,
				f->tuning.quota_ms, f->tuning.quota_bytes) < 0)
		return NULL;
	return key;
}

/*
 * The module's defaults (Documentation/admin-guide/mm/damon/hugepage.rst),
 * written for tuning settings no policy and no [Tuning] sets.  Quotas
 * default to 0, no limit.
 */
#define MODULE_TUNING HP_TUNING_THRESHOLD
#define MODULE_GOAL_SHARE_BP 9000
#define MODULE_MIN_ACCESS_FLOOR 4

static int write_param(struct hp_backend *b, const char *name, const char *value)
{
	_cleanup_(freep) char *path = NULL;
	_cleanup_(closep) int fd = -1;
	size_t len = strlen(value);

	if (asprintf(&path, "%s/%s", b->params_dir, name) < 0)
		return -ENOMEM;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return log_error_errno(-errno, "%s: cannot open", path);
	/* An empty value still needs a write() for the parameter to be set. */
	if (write(fd, len ? value : "\n", len ? len : 1) < 0)
		return log_error_errno(-errno, "%s: the module refused \"%s\" (see the kernel log)", path,
				       value);
	return 0;
}

static int write_param_u64(struct hp_backend *b, const char *name, uint64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	return write_param(b, name, buf);
}

static int read_param(struct hp_backend *b, const char *name, char **ret)
{
	_cleanup_(freep) char *path = NULL;
	char *v;
	int r;

	if (asprintf(&path, "%s/%s", b->params_dir, name) < 0)
		return -ENOMEM;
	r = read_file_at(AT_FDCWD, path, &v);
	if (r < 0)
		return log_error_errno(r, "%s: cannot read", path);
	v[strcspn(v, "\n")] = '\0';
	*ret = v;
	return 0;
}

static int module_current(struct hp_backend *b, char ***ret)
{
	_cleanup_(freep) char *enabled = NULL, *groups = NULL;
	_cleanup_(strv_freep) char **v = NULL;
	char *save = NULL;
	int r;

	r = read_param(b, "enabled", &enabled);
	if (r < 0)
		return r;
	r = read_param(b, "cgroups", &groups);
	if (r < 0)
		return r;
	if (strcmp(enabled, "Y")) {
		*ret = NULL;
		return 0;
	}
	for (char *g = strtok_r(groups, ",", &save); g; g = strtok_r(NULL, ",", &save)) {
		r = strv_push(&v, g);
		if (r < 0)
			return r;
	}
	*ret = v;
	v = NULL;
	return 0;
}

static int module_readout(struct hp_backend *b, struct hp_kstatus *ret)
{
	_cleanup_(freep) char *text = NULL;
	unsigned line = 0;
	int r = read_file_at(AT_FDCWD, b->procfs, &text);

	if (r < 0)
		return log_warning_errno(r, "%s: cannot read", b->procfs);
	r = hp_kstatus_parse(text, ret, &line);
	if (r < 0)
		return log_warning_errno(r, "%s:%u: unexpected format", b->procfs, line);
	return 0;
}

static int module_apply(struct hp_backend *b, const struct hp_feed *feed)
{
	_cleanup_(freep) char *key = feed_key(feed), *groups = hp_feed_cgroups_string(feed);
	_cleanup_(freep) char *enabled = NULL;
	const struct hp_tuning *t = &feed->tuning;
	int r;

	if (!key || !groups)
		return -ENOMEM;
	if (b->last && !strcmp(b->last, key))
		return 0;

	/*
	 * Every tuning parameter is written, an unset one with the module's
	 * default, or for the quotas with 0, no limit (hugepaged.conf(5)):
	 * skipping it would leave the value of the previous leading policy
	 * in place.
	 */
	r = write_param_u64(b, "max_kdamonds", feed->kdamond_limit);
	if (r == 0)
		r = write_param(b, "tuning", hp_tuning_mode_name(t->mode ? t->mode : MODULE_TUNING));
	if (r == 0)
		r = write_param_u64(b, "goal_share_bp", t->goal_bp ? t->goal_bp : MODULE_GOAL_SHARE_BP);
	if (r == 0)
		r = write_param_u64(b, "min_access_floor", t->min_access ? t->min_access : MODULE_MIN_ACCESS_FLOOR);
	if (r == 0)
		r = write_param_u64(b, "quota_ms", t->quota_ms);
	if (r == 0)
		r = write_param_u64(b, "quota_sz", t->quota_bytes);
	if (r == 0)
		r = write_param(b, "cgroups", groups);
	if (r == 0)
		r = read_param(b, "enabled", &enabled);
	if (r == 0)
		r = strcmp(enabled, "Y") ? write_param(b, "enabled", "Y") :
					   write_param(b, "commit_inputs", "Y");
	free(b->last);
	b->last = NULL;
	if (r < 0)
		return r;	/* unknown state now: apply in full next time */
	/* Whether the module runs each group is for the readout to say. */
	b->last = key;
	key = NULL;
	return 0;
}

/*
 * The module takes the groups as one comma-separated list of at most
 * 4096 bytes (DAMON_HUGEPAGE_LIST_LEN), and trims each entry.
 */
static void module_limits(struct hp_backend *b, struct hp_plan_limits *ret)
{
	(void)b;
	*ret = (struct hp_plan_limits){ .path_list = true, .list_max = 4096 };
}

static char **module_features(struct hp_backend *b)
{
	return b->feature_names;
}

static const char *module_action(struct hp_backend *b)
{
	(void)b;
	return "collapse";
}

static int module_stop(struct hp_backend *b)
{
	int r = write_param(b, "enabled", "N");

	if (r == 0)
		r = write_param(b, "cgroups", "");
	free(b->last);
	b->last = NULL;
	return r;
}

static const struct hp_backend_ops module_ops = {
	.name = "module",
	.current = module_current,
	.apply = module_apply,
	.readout = module_readout,
	.stop = module_stop,
	.limits = module_limits,
	.features = module_features,
	.action = module_action,
};

static int dry_current(struct hp_backend *b, char ***ret)
{
	(void)b;
	*ret = NULL;
	return 0;
}

static int dry_apply(struct hp_backend *b, const struct hp_feed *feed)
{
	_cleanup_(freep) char *key = feed_key(feed), *groups = hp_feed_cgroups_string(feed);

	if (!key || !groups)
		return -ENOMEM;
	if (b->last && !strcmp(b->last, key))
		return 0;
	log_info("dry run: would feed cgroups=%s max_kdamonds=%u tuning=%s", *groups ? groups : "(none)",
		 feed->kdamond_limit, hp_tuning_mode_name(feed->tuning.mode));
	free(b->last);
	b->last = key;
	key = NULL;
	return 0;
}

static int dry_readout(struct hp_backend *b, struct hp_kstatus *ret)
{
	(void)b;
	(void)ret;
	return -EOPNOTSUPP;
}

static int dry_stop(struct hp_backend *b)
{
	(void)b;
	log_info("dry run: would stop feeding");
	return 0;
}

static char **dry_features(struct hp_backend *b)
{
	(void)b;
	return NULL;
}

static const char *dry_action(struct hp_backend *b)
{
	(void)b;
	return NULL;
}

static const struct hp_backend_ops dry_run_ops = {
	.name = "dry-run",
	.current = dry_current,
	.apply = dry_apply,
	.readout = dry_readout,
	.stop = dry_stop,
	.features = dry_features,
	.action = dry_action,
};

int hp_backend_module_new(const char *params_dir, const char *procfs, struct hp_backend **ret)
{
	struct hp_backend *b;
	struct stat st;

	if (stat(params_dir, &st) < 0)
		return log_error_errno(-errno,
				       "%s: the damon_hugepage module is not available (kernel without "
				       "CONFIG_DAMON_HUGEPAGE?); use --dry-run to run without it",
				       params_dir);
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->ops = &module_ops;
	b->params_dir = strdup(params_dir);
	b->procfs = strdup(procfs);
	if (!b->params_dir || !b->procfs || strv_push(&b->feature_names, "damon_hugepage") < 0) {
		hp_backend_free(b);
		return -ENOMEM;
	}
	*ret = b;
	return 0;
}

int hp_backend_dry_run_new(struct hp_backend **ret)
{
	struct hp_backend *b = calloc(1, sizeof(*b));

	if (!b)
		return -ENOMEM;
	b->ops = &dry_run_ops;
	*ret = b;
	return 0;
}

int hp_backend_open(enum hp_backend_kind kind, const struct hp_backend_paths *paths, struct hp_backend **ret)
{
	struct stat st;
	int r;

	switch (kind) {
	case HP_BACKEND_MODULE:
		return hp_backend_module_new(paths->module_dir, paths->procfs, ret);
	case HP_BACKEND_DAMON:
		return hp_backend_damon_new(&paths->damon, ret);
	case HP_BACKEND_DRY_RUN:
		return hp_backend_dry_run_new(ret);
	default:
		break;
	}
	if (stat(paths->module_dir, &st) == 0)
		return hp_backend_module_new(paths->module_dir, paths->procfs, ret);
	r = hp_backend_damon_new(&paths->damon, ret);
	if (r == -ENOENT)
		return log_error_errno(r, "neither the damon_hugepage module (%s) nor DAMON sysfs with the vaddr "
				       "operations (%s: CONFIG_DAMON_SYSFS, CONFIG_DAMON_VADDR) is in this "
				       "kernel: nothing to feed",
				       paths->module_dir, paths->damon.admin_dir);
	return r;
}

void hp_backend_free(struct hp_backend *b)
{
	if (b->damon)
		hp_backend_damon_free(b);
	strv_free(b->feature_names);
	free(b->params_dir);
	free(b->procfs);
	free(b->last);
	free(b);
}
