// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * policyd/plan.c: the decisions the manager takes around hp_decide() and
 * hp_confirm() (the system's pause, what the backend is handed and which
 * tuning wins, the backend's failures, when sizes matter, when a decision
 * is logged again), on plain structs.
 */
#include "unit.h"

#include <errno.h>

#include "damon.h"
#include "plan.h"
#include "status.h"

#define NOW ((usec_t)1000 * USEC_PER_SEC)

static const struct hp_limit mem_limit = { .bp = 1000, .duration = 10 * USEC_PER_SEC };
static const struct hp_limit cpu_limit = { .bp = 8000, .duration = 10 * USEC_PER_SEC };

static void test_system_pause(void **state)
{
	struct hp_pressure mem = { .state = HP_PRESSURE_OK, .share_bp = 1234 };
	struct hp_pressure cpu = { .state = HP_PRESSURE_SUSPECT, .share_bp = 9000 };
	struct hp_system_state sys = { .paused = true, .reason = "stale" };

	(void)state;
	/* Suspect is not paused yet: nothing pauses, and the old reason goes. */
	hp_system_pause(&sys, &mem, &mem_limit, &cpu, &cpu_limit);
	assert_false(sys.paused);
	assert_string_equal(sys.reason, "");

	cpu.state = HP_PRESSURE_OVER;
	hp_system_pause(&sys, &mem, &mem_limit, &cpu, &cpu_limit);
	assert_true(sys.paused);
	assert_string_equal(sys.reason, "system cpu pressure some 90.00%, limit 80.00%");

	/* Both: memory is named. */
	mem.state = HP_PRESSURE_RECOVERING;
	hp_system_pause(&sys, &mem, &mem_limit, &cpu, &cpu_limit);
	assert_true(sys.paused);
	assert_string_equal(sys.reason, "system memory pressure some 12.34%, limit 10.00%");

	/* Recovering still pauses; back to OK resumes. */
	cpu.state = HP_PRESSURE_OK;
	hp_system_pause(&sys, &mem, &mem_limit, &cpu, &cpu_limit);
	assert_true(sys.paused);
	mem.state = HP_PRESSURE_OK;
	hp_system_pause(&sys, &mem, &mem_limit, &cpu, &cpu_limit);
	assert_false(sys.paused);
	assert_string_equal(sys.reason, "");
}

static struct hp_policy pol_goal = { .name = "goal", .tuning = { .mode = HP_TUNING_GOAL, .goal_bp = 5000 } };
static struct hp_policy pol_quota = { .name = "quota", .tuning = { .quota_ms = 7 } };
static struct hp_policy pol_plain = { .name = "plain" };

static struct hp_group planned(const char *path, const struct hp_policy *p, enum hp_decision d, unsigned rank)
{
	return (struct hp_group){ .path = (char *)path, .policy = p, .decision = d, .rank = rank };
}

/* The planned groups go best first, each with its tuning; the best-ranked policy's tuning wins. */
static void test_plan_feed(void **state)
{
	const struct hp_tuning dflt = { .mode = HP_TUNING_THRESHOLD, .min_access = 3, .quota_ms = 20 };
	struct hp_group a = planned("/a", &pol_goal, HP_DECISION_FED, 2);
	struct hp_group b = planned("/b", &pol_quota, HP_DECISION_FED, 1);
	struct hp_group c = planned("/c", &pol_plain, HP_DECISION_REFUSED, 0);
	struct hp_group d = planned("/d", &pol_plain, HP_DECISION_FED, 3);
	struct hp_group *gs[] = { &a, &b, &c, &d };
	struct hp_feed f;

	(void)state;
	assert_int_equal(hp_plan_feed(gs, 4, &dflt, 2, &f), 0);
	assert_int_equal(strv_len(f.cgroups), 3);
	assert_string_equal(f.cgroups[0], "/b");
	assert_string_equal(f.cgroups[1], "/a");
	assert_string_equal(f.cgroups[2], "/d");
	assert_int_equal(f.kdamond_limit, 2);
	/* /b's QuotaTime= over the defaults. */
	assert_int_equal(f.tunings[0].mode, HP_TUNING_THRESHOLD);
	assert_int_equal(f.tunings[0].quota_ms, 7);
	assert_int_equal(f.tunings[0].min_access, 3);
	/* /a's goal over the defaults. */
	assert_int_equal(f.tunings[1].mode, HP_TUNING_GOAL);
	assert_int_equal(f.tunings[1].goal_bp, 5000);
	assert_int_equal(f.tunings[1].quota_ms, 20);
	assert_int_equal(f.tunings[2].quota_ms, 20);
	/* The one tuning: the best-ranked group's (/b), not the first in the list (/a). */
	assert_int_equal(f.tuning.mode, HP_TUNING_THRESHOLD);
	assert_int_equal(f.tuning.quota_ms, 7);
	hp_feed_done(&f);
	assert_null(f.cgroups);

	/* Nothing planned: no list, and the defaults. */
	a.decision = b.decision = d.decision = HP_DECISION_PAUSED;
	assert_int_equal(hp_plan_feed(gs, 4, &dflt, 2, &f), 0);
	assert_null(f.cgroups);
	assert_int_equal(f.tuning.mode, HP_TUNING_THRESHOLD);
	assert_int_equal(f.tuning.quota_ms, 20);
	hp_feed_done(&f);
	assert_int_equal(hp_plan_feed(NULL, 0, &dflt, 1, &f), 0);
	assert_null(f.cgroups);
	hp_feed_done(&f);
}

/* The backend's failures: no readout is no failure; a readout that fails fails the plan. */
static void test_confirm_readout(void **state)
{
	struct hp_group a = planned("/a", &pol_plain, HP_DECISION_FED, 1);
	struct hp_group b = planned("/b", &pol_plain, HP_DECISION_REFUSED, 0);
	struct hp_group *gs[] = { &a, &b };
	struct hp_kstatus k = { 0 };

	(void)state;
	/* A backend without a readout (dry run): the plan is taken as done. */
	assert_int_equal(hp_confirm_readout(gs, 2, &k, 0, -EOPNOTSUPP, NOW), 1);
	assert_true(a.fed);
	assert_int_equal(a.decision, HP_DECISION_FED);
	assert_false(b.fed);

	/* The readout fails: the planned group fails with its error, and backs off. */
	a = planned("/a", &pol_plain, HP_DECISION_FED, 1);
	assert_int_equal(hp_confirm_readout(gs, 2, &k, 0, -EIO, NOW), 0);
	assert_false(a.fed);
	assert_int_equal(a.decision, HP_DECISION_FAILED);
	assert_non_null(strstr(a.error, strerror(EIO)));
	assert_true(a.retry_at > NOW);

	/* The apply fails, the readout works and shows nothing: failed with the apply's error. */
	a = planned("/a", &pol_plain, HP_DECISION_FED, 1);
	assert_int_equal(hp_confirm_readout(gs, 2, &k, -EBUSY, 0, NOW), 0);
	assert_int_equal(a.decision, HP_DECISION_FAILED);
	assert_non_null(strstr(a.error, strerror(EBUSY)));
	assert_int_equal(b.decision, HP_DECISION_REFUSED);
}

static void test_sizes_matter(void **state)
{
	struct hp_policy min = { .name = "min", .min_size = 1 << 20 };
	struct hp_group a = planned("/a", &pol_plain, HP_DECISION_FED, 1);
	struct hp_group b = planned("/b", &pol_plain, HP_DECISION_EMPTY, 0);
	struct hp_group *gs[] = { &a, &b };

	(void)state;
	assert_false(hp_sizes_matter(gs, 2));
	assert_false(hp_sizes_matter(NULL, 0));
	a.policy = &min;	/* fed with a MinSize=: it could shrink below */
	assert_true(hp_sizes_matter(gs, 2));
	a.policy = &pol_plain;
	b.decision = HP_DECISION_REFUSED;	/* waits for a slot */
	assert_true(hp_sizes_matter(gs, 2));
	b.decision = HP_DECISION_TOO_SMALL;	/* waits for MinSize= */
	assert_true(hp_sizes_matter(gs, 2));
	b.decision = HP_DECISION_PAUSED;
	assert_false(hp_sizes_matter(gs, 2));
}

static void test_log_key(void **state)
{
	struct hp_group g = planned("/a", &pol_plain, HP_DECISION_FED, 1);

	(void)state;
	snprintf(g.reason, sizeof(g.reason), "rank 1 of 1");
	snprintf(g.error, sizeof(g.error), "Device or resource busy");
	/* A fed group's reason changes with its rank: not logged again for that. */
	assert_string_equal(hp_decision_log_key(&g), "");
	g.decision = HP_DECISION_FAILED;
	assert_string_equal(hp_decision_log_key(&g), "Device or resource busy");
	g.decision = HP_DECISION_WAITING;
	assert_string_equal(hp_decision_log_key(&g), "rank 1 of 1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_system_pause),
		cmocka_unit_test(test_plan_feed),
		cmocka_unit_test(test_confirm_readout),
		cmocka_unit_test(test_sizes_matter),
		cmocka_unit_test(test_log_key),
	};

	return cmocka_run_group_tests_name("plan", tests, NULL, NULL);
}
