// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * policyd/manager.c's orchestration, included here so that its static
 * state can be checked, with a fake of units.h (systemd over D-Bus): the
 * unit of a cgroup named like one is that name, its only file
 * $UNITS/NAME, and the test says when systemd "reloaded".  calloc() in
 * manager.c can be made to fail for one kind of allocation (a group), to
 * check what happens under memory pressure.
 */
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

static void *fault_calloc(size_t n, size_t size);
#define calloc(n, size) fault_calloc(n, size)
#include "../../policyd/manager.c"
#undef calloc

/* calloc() of manager.c: fails for a struct mgroup while fail_groups is set. */
static bool fail_groups;
static unsigned failed_allocs;

static void *fault_calloc(size_t n, size_t size)
{
	if (fail_groups && n == 1 && size == sizeof(struct mgroup)) {
		failed_allocs++;
		return NULL;
	}
	return calloc(n, size);
}

#include "fake-units.h"

/* ---- the tree ---- */

struct env {
	char dir[64];
	char cgroup[128], pressure[128], run[128], conf[128];
	struct manager *m;
};

static void write_text(const char *dir, const char *name, const char *text)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(close(fd), 0);
}

static void make_cgroup(struct env *e, const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", e->cgroup, name);
	assert_int_equal(mkdir(path, 0755), 0);
	write_text(path, "cgroup.events", "populated 1\n");
	write_text(path, "memory.stat", "anon 104857600\nanon_thp 0\n");
	write_text(path, "memory.pressure", "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n");
}

static int env_setup(void **state)
{
	static const char psi[] = "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n";
	struct env *e = calloc(1, sizeof(*e));

	if (!e)
		return -1;
	snprintf(e->dir, sizeof(e->dir), "/tmp/test-manager.XXXXXX");
	if (!mkdtemp(e->dir))
		return -1;
	snprintf(e->cgroup, sizeof(e->cgroup), "%s/cgroup", e->dir);
	snprintf(e->pressure, sizeof(e->pressure), "%s/pressure", e->dir);
	snprintf(e->run, sizeof(e->run), "%s/run", e->dir);
	snprintf(e->conf, sizeof(e->conf), "%s/hugepaged.conf", e->dir);
	snprintf(units_dir, sizeof(units_dir), "%s/units", e->dir);
	if (mkdir(e->cgroup, 0755) || mkdir(e->pressure, 0755) || mkdir(e->run, 0755) || mkdir(units_dir, 0755))
		return -1;
	write_text(e->pressure, "memory", psi);
	write_text(e->pressure, "cpu", psi);
	write_text(e->dir, "hugepaged.conf", "[Pressure]\nSystemMemoryLimit=0%\nSystemCPULimit=0%\n");
	*state = e;
	return 0;
}

static int env_teardown(void **state)
{
	struct env *e = *state;

	fail_groups = false;
	units_defer = false;
	if (e->m)
		manager_free(e->m);
	rm_tree(e->dir);
	free(e);
	return 0;
}

/* Starts the manager on the environment's tree, reading policies from @dirs. */
static void env_start_dirs(struct env *e, char **dirs)
{
	struct manager_options o = {
		.config_path = e->conf, .policy_dirs = dirs, .check_owner = false,
		.cgroup_root = e->cgroup, .pressure_dir = e->pressure, .run_dir = e->run,
		.backend = HP_BACKEND_DRY_RUN,
	};

	assert_int_equal(manager_new(&o, &e->m), 0);
}

static void env_start(struct env *e)
{
	char *no_dirs[] = { NULL };

	env_start_dirs(e, no_dirs);
}

/* Journal entries, as log.c sends them (see test-log.c). */
static char journal[64][1024];
static size_t n_journal;

static int fake_journal(const struct iovec *iov, int n)
{
	char *e = journal[n_journal % 64];

	n_journal++;
	e[0] = '\0';
	for (int i = 0; i < n; i++) {
		strncat(e, iov[i].iov_base, iov[i].iov_len > 200 ? 200 : iov[i].iov_len);
		strcat(e, "\n");
	}
	return 0;
}

/* Every group's policy is alive: a loaded policy file or a unit cache entry. */
static void assert_policies_alive(struct manager *m)
{
	for (size_t i = 0; i < m->n_groups; i++) {
		const struct hp_policy *p = m->groups[i]->g.policy;
		bool alive = false;

		for (size_t j = 0; j < m->policies.n; j++)
			alive |= p == &m->policies.v[j];
		for (size_t j = 0; j < m->res.n; j++)
			alive |= p == &m->res.v[j]->policy;
		if (!alive)
			fail_msg("group %s points at a policy that was freed", m->groups[i]->g.path);
	}
}

#define N_UNITS 8

/*
 * systemd reloads while memory is short: the groups that could not be
 * matched again keep a policy that is still there (before, the entries
 * they pointed at were freed: a use-after-free at the next decision).
 */
static void test_units_changed_enomem(void **state)
{
	struct env *e = *state;
	char name[64];

	/* a*.service: no section yet; b*.service: a section (their own groups). */
	for (int i = 0; i < N_UNITS; i++) {
		snprintf(name, sizeof(name), "a%d.service", i);
		make_cgroup(e, name);
		write_text(units_dir, name, "[Service]\nExecStart=/bin/true\n");
		snprintf(name, sizeof(name), "b%d.service", i);
		make_cgroup(e, name);
		write_text(units_dir, name, "[Service]\nExecStart=/bin/true\n[X-Hugepage]\nPriority=5\n");
	}
	env_start(e);
	assert_non_null(units_changed);
	assert_int_equal(e->m->n_groups, N_UNITS);
	assert_policies_alive(e->m);

	/* The a* units get sections; new groups cannot be allocated. */
	for (int i = 0; i < N_UNITS; i++) {
		snprintf(name, sizeof(name), "a%d.service", i);
		write_text(units_dir, name, "[X-Hugepage]\nPriority=7\n");
	}
	fail_groups = true;
	failed_allocs = 0;
	units_changed(NULL, units_userdata);
	fail_groups = false;
	assert_true(failed_allocs > 0);
	assert_policies_alive(e->m);
	/* The next decision reads every group's policy. */
	assert_int_equal(decide_and_feed(e->m), 0);

	/* Memory is back: the next change (or rescan) matches everything. */
	units_changed(NULL, units_userdata);
	assert_int_equal(e->m->n_groups, 2 * N_UNITS);
	assert_policies_alive(e->m);
	assert_int_equal(decide_and_feed(e->m), 0);
}

/* Reads and handles what inotify has queued, as the event loop would. */
static void drain_inotify(struct manager *m)
{
	cgwatch_dispatch(&m->cg);
}

/* Reads and drops what inotify has queued: events lost, as on an overflow. */
static void lose_inotify(struct manager *m)
{
	char buf[65536];

	while (read(m->cg.inotify_fd, buf, sizeof(buf)) > 0)
		;
}

/*
 * A rescan does not look into a directory whose watch says it has no
 * subdirectory; a directory made there is found through its event, and
 * once events were lost every directory is looked into again.
 */
static void test_rescan_known_leaves(void **state)
{
	struct env *e = *state;
	char policies[256];
	char *dirs[] = { policies, NULL };

	snprintf(policies, sizeof(policies), "%s/policies.d", e->dir);
	assert_int_equal(mkdir(policies, 0755), 0);
	write_text(policies, "10-all.conf", "[Match]\nCgroupPath=/* /*/* /*/*/*\n");
	make_cgroup(e, "a");
	make_cgroup(e, "b");
	make_cgroup(e, "b/c");
	env_start_dirs(e, dirs);
	assert_int_equal(e->m->n_groups, 4);	/* the root matches too */

	/* A rescan finds what is there, without its events... */
	assert_int_equal(rescan(e->m), 0);
	assert_int_equal(e->m->cg.n_cgroups, 4);
	make_cgroup(e, "b/new");
	assert_int_equal(rescan(e->m), 0);
	assert_non_null(group_find(e->m, "/b/new"));
	/* ...but for inside a known leaf: that is its watch's to say. */
	make_cgroup(e, "a/x");
	assert_int_equal(rescan(e->m), 0);
	assert_null(group_find(e->m, "/a/x"));
	drain_inotify(e->m);
	assert_non_null(group_find(e->m, "/a/x"));
	/* /a is no leaf now: the next rescan looks into it. */
	make_cgroup(e, "a/x/y");
	make_cgroup(e, "a/z");
	lose_inotify(e->m);
	assert_int_equal(rescan(e->m), 0);
	assert_non_null(group_find(e->m, "/a/z"));
	assert_null(group_find(e->m, "/a/x/y"));	/* /a/x was a leaf, its event lost */

	/* Events lost (the overflow sets this): every directory is looked into. */
	e->m->cg.full_rescan = true;
	assert_int_equal(rescan(e->m), 0);
	assert_non_null(group_find(e->m, "/a/x/y"));
	assert_false(e->m->cg.full_rescan);
	assert_int_equal(e->m->cg.n_cgroups, 8);
}

/* Messages, through log_set_sink(). */
static char logged[8192];

static void log_to_buffer(int level, const char *text, void *userdata)
{
	(void)level;
	(void)userdata;
	if (strlen(logged) + strlen(text) + 2 < sizeof(logged)) {
		strcat(logged, text);
		strcat(logged, "\n");
	}
}

/*
 * A cgroup is known by its cgroup id: one removed and made again under the
 * same path while its events were lost is a new group (its pressure state,
 * fed and hold time start again), and the log says so.  The new directory
 * is made before the old one goes, so that it cannot get the old inode.
 */
static void test_cgroup_identity(void **state)
{
	struct env *e = *state;
	char policies[256], a[512], a_new[512];
	char *dirs[] = { policies, NULL };
	struct mgroup *mg;
	uint64_t id0, id;

	snprintf(policies, sizeof(policies), "%s/policies.d", e->dir);
	assert_int_equal(mkdir(policies, 0755), 0);
	write_text(policies, "10-a.conf", "[Match]\nCgroupPath=/a\n");
	make_cgroup(e, "a");
	env_start_dirs(e, dirs);
	assert_int_equal(decide_and_feed(e->m), 0);
	mg = group_find(e->m, "/a");
	assert_non_null(mg);
	assert_true(mg->g.fed);
	id0 = mg->id;
	assert_int_equal(cgwatch_id(&e->m->cg, "/a", &id), 0);
	assert_true(id0 != 0 && id0 == id);
	mg->g.memory.state = HP_PRESSURE_OVER;

	/* Nothing changed: the same group. */
	assert_int_equal(rescan(e->m), 0);
	mg = group_find(e->m, "/a");
	assert_int_equal(mg->id, id0);
	assert_int_equal(mg->g.memory.state, HP_PRESSURE_OVER);

	/* /a removed and made again, its events lost. */
	make_cgroup(e, "a.new");
	snprintf(a, sizeof(a), "%s/a", e->cgroup);
	snprintf(a_new, sizeof(a_new), "%s/a.new", e->cgroup);
	rm_tree(a);
	assert_int_equal(rename(a_new, a), 0);
	lose_inotify(e->m);
	logged[0] = '\0';
	log_set_sink(log_to_buffer, NULL);
	assert_int_equal(rescan(e->m), 0);
	log_set_sink(NULL, NULL);
	mg = group_find(e->m, "/a");
	assert_non_null(mg);
	assert_int_equal(e->m->n_groups, 1);
	assert_true(mg->id != id0);
	assert_int_equal(cgwatch_id(&e->m->cg, "/a", &id), 0);
	assert_int_equal(mg->id, id);
	assert_int_equal(mg->g.memory.state, HP_PRESSURE_OK);
	assert_false(mg->g.fed);
	assert_non_null(strstr(logged, "/a: dropped (cgroup removed, a new cgroup has its path), it was fed\n"));
	assert_non_null(strstr(logged, "/a: matches policy 10-a"));
	assert_int_equal(decide_and_feed(e->m), 0);
	assert_true(mg->g.fed);
}

/*
 * A miss (no unit has the cgroup as its own) is remembered: rescans do
 * not ask again; UnitNew for its name, or a daemon-reload, does.
 */
static void test_units_negative_cache(void **state)
{
	struct env *e = *state;
	unsigned asked;

	make_cgroup(e, "ghost.service");	/* the fake has no unit for ghost* */
	make_cgroup(e, "db.service");
	units_lookups = 0;
	env_start(e);
	assert_int_equal(units_lookups, 2);
	assert_null(group_find(e->m, "/ghost.service"));
	assert_int_equal(rescan(e->m), 0);
	assert_int_equal(rescan(e->m), 0);
	assert_int_equal(units_lookups, 2);

	/* UnitNew for another name: not asked again. */
	units_changed("other.service", units_userdata);
	assert_int_equal(units_lookups, 2);
	/* For its name: asked again (once). */
	units_changed("ghost.service", units_userdata);
	assert_int_equal(units_lookups, 3);
	assert_int_equal(rescan(e->m), 0);
	assert_int_equal(units_lookups, 3);
	/* A daemon-reload: everything is asked again. */
	asked = units_lookups;
	units_changed(NULL, units_userdata);
	assert_int_equal(units_lookups, asked + 2);
	/* The bounded time: an expired miss is asked again at the next look. */
	for (size_t i = 0; i < e->m->res.n; i++)
		if (e->m->res.v[i]->miss && !e->m->res.v[i]->stale)
			e->m->res.v[i]->expires = now_usec();
	assert_int_equal(rescan(e->m), 0);
	assert_int_equal(units_lookups, asked + 3);
}

/*
 * While systemd is asked about a cgroup, it is not matched on its policy
 * file alone (to be flipped to its unit's sections a moment later): it
 * is no group until the answer; a group whose unit is asked again keeps
 * its policy meanwhile.
 */
static void test_units_pending(void **state)
{
	struct env *e = *state;
	char policies[256];
	char *dirs[] = { policies, NULL };
	struct mgroup *mg;
	const struct hp_policy *before;

	snprintf(policies, sizeof(policies), "%s/policies.d", e->dir);
	assert_int_equal(mkdir(policies, 0755), 0);
	write_text(policies, "10-db.conf", "[Match]\nUnit=db*.service\n[Policy]\nPriority=1\n");
	write_text(units_dir, "db.service", "[X-Hugepage]\nPriority=5\n");
	write_text(units_dir, "db2.service", "[X-Hugepage]\nPriority=7\n");
	make_cgroup(e, "db.service");
	env_start_dirs(e, dirs);
	mg = group_find(e->m, "/db.service");
	assert_non_null(mg);
	assert_int_equal(mg->g.policy->priority, 5);

	/* A new cgroup while systemd is slow: not a group yet, not fed. */
	units_defer = true;
	make_cgroup(e, "db2.service");
	drain_inotify(e->m);
	assert_null(group_find(e->m, "/db2.service"));
	assert_int_equal(e->m->res.n_pending, 1);
	assert_int_equal(decide_and_feed(e->m), 0);
	assert_null(group_find(e->m, "/db2.service"));

	/* systemd signals a change of db.service: it keeps its policy while asked. */
	before = mg->g.policy;
	units_changed("db.service", units_userdata);
	assert_int_equal(e->m->res.n_pending, 2);
	assert_ptr_equal(group_find(e->m, "/db.service"), mg);
	assert_ptr_equal(mg->g.policy, before);
	assert_int_equal(mg->g.policy->priority, 5);
	assert_policies_alive(e->m);
	assert_int_equal(decide_and_feed(e->m), 0);
	assert_true(mg->g.fed);

	/* A reload while asked: the policy files are new, the group takes the new one meanwhile. */
	write_text(units_dir, "db.service", "[X-Hugepage]\nPriority=6\n");
	assert_int_equal(reload(e->m), 0);
	assert_policies_alive(e->m);
	assert_int_equal(decide_and_feed(e->m), 0);

	/* The answers: matched with the unit's sections straight away. */
	units_defer = false;
	assert_true(units_answer_deferred() >= 2);
	units_answer_deferred();	/* what the reload asked */
	assert_int_equal(e->m->res.n_pending, 0);
	mg = group_find(e->m, "/db2.service");
	assert_non_null(mg);
	assert_int_equal(mg->g.policy->priority, 7);
	assert_int_equal(group_find(e->m, "/db.service")->g.policy->priority, 6);
	assert_policies_alive(e->m);
	assert_int_equal(decide_and_feed(e->m), 0);
}

/* Decision changes carry their MESSAGE_ID, for journalctl MESSAGE_ID=. */
static void test_decision_message_id(void **state)
{
	struct env *e = *state;
	bool decision = false, matched = false;

	make_cgroup(e, "db.service");
	write_text(units_dir, "db.service", "[X-Hugepage]\nPriority=5\n");
	n_journal = 0;
	log_set_journal(fake_journal);
	env_start(e);
	assert_int_equal(decide_and_feed(e->m), 0);
	log_set_journal(NULL);
	for (size_t i = 0; i < n_journal && i < 64; i++) {
		const char *j = journal[i];

		matched |= strstr(j, "MESSAGE_ID=" HP_MESSAGE_GROUP "\n") && strstr(j, "HUGEPAGED_DECISION=matched\n") &&
			   strstr(j, "HUGEPAGED_CGROUP=/db.service\n");
		decision |= strstr(j, "MESSAGE_ID=" HP_MESSAGE_DECISION "\n") && strstr(j, "HUGEPAGED_DECISION=fed\n") &&
			    strstr(j, "HUGEPAGED_CGROUP=/db.service\n");
	}
	assert_true(matched);
	assert_true(decision);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_units_changed_enomem, env_setup, env_teardown),
		cmocka_unit_test_setup_teardown(test_rescan_known_leaves, env_setup, env_teardown),
		cmocka_unit_test_setup_teardown(test_decision_message_id, env_setup, env_teardown),
		cmocka_unit_test_setup_teardown(test_cgroup_identity, env_setup, env_teardown),
		cmocka_unit_test_setup_teardown(test_units_negative_cache, env_setup, env_teardown),
		cmocka_unit_test_setup_teardown(test_units_pending, env_setup, env_teardown),
	};

	return cmocka_run_group_tests_name("manager", tests, NULL, NULL);
}
