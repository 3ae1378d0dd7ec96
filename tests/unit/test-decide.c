// SPDX-License-Identifier: GPL-2.0-or-later
/* Ranking and feeding decisions of policyd/decide.c, on plain structs. */
#include "unit.h"

#include "decide.h"
#include "status.h"

#define MiB (1ULL << 20)
#define NOW ((usec_t)1000 * USEC_PER_SEC)
#define S(x) ((usec_t)(x) * USEC_PER_SEC)

static struct hp_policy prio[] = {
	{ .name = "p-5", .priority = -5 },
	{ .name = "p0", .priority = 0 },
	{ .name = "p5", .priority = 5 },
	{ .name = "p10", .priority = 10 },
};
#define P_NEG (&prio[0])
#define P0 (&prio[1])
#define P5 (&prio[2])
#define P10 (&prio[3])

static struct hp_policy small_policy = { .name = "min64", .min_size = 64 * MiB };

static struct hp_group group(const char *path, const struct hp_policy *p, uint64_t anon)
{
	return (struct hp_group){
		.path = (char *)path,
		.policy = p,
		.populated = true,
		.anon_bytes = anon,
		.memory_limit = { .bp = 1000, .duration = S(10) },
		/* Outputs set to values hp_decide() must overwrite. */
		.decision = HP_DECISION_FAILED,
		.rank = 99,
		.reason = "stale",
	};
}

static struct hp_config config(unsigned limit)
{
	struct hp_config c;

	hp_config_defaults(&c);
	c.kdamond_limit = limit;
	c.hold_time = S(60);
	c.challenge_margin_pct = 25;
	return c;
}

static const struct hp_system_state sys_ok = { .paused = false };

/* What the module backend takes: one comma-separated list of 4096 bytes. */
static const struct hp_plan_limits module_limits = { .path_list = true, .list_max = 4096 };

/*
 * Runs hp_decide() with the module's limits, then hp_confirm() as for a
 * backend that runs all it is given, and checks what holds for every
 * decision.
 */
static unsigned decide(struct hp_group **g, size_t n, const struct hp_config *c,
		       const struct hp_system_state *sys, usec_t now)
{
	unsigned planned = hp_decide(g, n, c, &module_limits, sys, now), count = 0, fed;

	fed = hp_confirm(g, n, NULL, 0, 0, now);
	assert_int_equal(planned, fed);

	for (size_t i = 0; i < n; i++) {
		print_message("  %-28s %-13s rank %u: %s\n", g[i]->path,
			      hp_decision_name(g[i]->decision), g[i]->rank, g[i]->reason);
		assert_true(g[i]->reason[0] != '\0');
		assert_string_not_equal(g[i]->reason, "stale");
		assert_int_equal(g[i]->fed, g[i]->decision == HP_DECISION_FED);
		if (g[i]->fed) {
			count++;
			assert_true(g[i]->fed_since <= now);
			assert_true(g[i]->rank > 0);
		}
	}
	assert_int_equal(fed, count);
	assert_true(fed <= c->kdamond_limit);
	return fed;
}

#define assert_decision(g, d) assert_string_equal(hp_decision_name((g).decision), hp_decision_name(d))

static void test_benefit(void **state)
{
	struct hp_group g = group("/a", P0, 100 * MiB);

	(void)state;
	g.anon_huge_bytes = 30 * MiB;
	g.hot_bytes = 5 * MiB;
	assert_true(hp_group_benefit(&g) == 75 * MiB);
	/* More huge than anon (counters read at different times): no underflow. */
	g.anon_huge_bytes = 200 * MiB;
	assert_true(hp_group_benefit(&g) == 5 * MiB);

	assert_true(hp_cgroup_path_usable("/a.slice/b.service", &module_limits, NULL));
	assert_true(hp_cgroup_path_usable("/", &module_limits, NULL));
	assert_false(hp_cgroup_path_usable("/a,b", &module_limits, NULL));
	assert_false(hp_cgroup_path_usable("a/b", &module_limits, NULL));
	assert_false(hp_cgroup_path_usable("", &module_limits, NULL));
	assert_false(hp_cgroup_path_usable("a/b", NULL, NULL));
}

static void test_rank_priority(void **state)
{
	struct hp_group a = group("/a", P0, 900 * MiB), b = group("/b", P10, 10 * MiB),
			c = group("/c", P5, 10 * MiB), d = group("/d", P_NEG, 999 * MiB);
	struct hp_group *g[] = { &a, &b, &c, &d };
	struct hp_config cfg = config(2);

	(void)state;
	assert_int_equal(decide(g, 4, &cfg, &sys_ok, NOW), 2);
	/* Priority first, whatever the benefit. */
	assert_decision(b, HP_DECISION_FED);
	assert_int_equal(b.rank, 1);
	assert_decision(c, HP_DECISION_FED);
	assert_int_equal(c.rank, 2);
	assert_decision(a, HP_DECISION_REFUSED);
	assert_int_equal(a.rank, 3);
	assert_decision(d, HP_DECISION_REFUSED);
	assert_int_equal(d.rank, 4);
	/* The refused say the limit. */
	assert_non_null(strstr(a.reason, "kdamond limit 2"));
	assert_non_null(strstr(d.reason, "kdamond limit 2"));
	assert_true(b.fed_since == NOW);
	assert_false(a.fed);
}

static void test_rank_benefit(void **state)
{
	struct hp_group a = group("/a", P0, 100 * MiB), b = group("/b", P0, 50 * MiB),
			c = group("/c", P0, 20 * MiB), d = group("/d", P0, 0);
	struct hp_group *g[] = { &a, &b, &c, &d };
	struct hp_config cfg = config(2);

	(void)state;
	a.anon_huge_bytes = 90 * MiB;	/* benefit 10M: mostly huge already */
	c.hot_bytes = 40 * MiB;		/* benefit 60M */
	d.hot_bytes = 55 * MiB;		/* benefit 55M */
	assert_int_equal(decide(g, 4, &cfg, &sys_ok, NOW), 2);
	assert_decision(c, HP_DECISION_FED);
	assert_int_equal(c.rank, 1);
	assert_decision(d, HP_DECISION_FED);
	assert_int_equal(d.rank, 2);
	assert_decision(b, HP_DECISION_REFUSED);
	assert_int_equal(b.rank, 3);
	assert_decision(a, HP_DECISION_REFUSED);
	assert_int_equal(a.rank, 4);
}

static void test_limit(void **state)
{
	struct hp_group gs[12];
	struct hp_group *g[12];
	char paths[12][16];
	struct hp_config cfg = config(3);
	unsigned refused = 0;

	(void)state;
	for (size_t i = 0; i < 12; i++) {
		snprintf(paths[i], sizeof(paths[i]), "/g%02zu", i);
		gs[i] = group(paths[i], P0, (i + 1) * MiB);
		g[i] = &gs[i];
	}
	assert_int_equal(decide(g, 12, &cfg, &sys_ok, NOW), 3);
	for (size_t i = 0; i < 12; i++) {
		/* The three largest. */
		if (i >= 9) {
			assert_decision(gs[i], HP_DECISION_FED);
			assert_int_equal(gs[i].rank, 12 - i);
		} else {
			assert_decision(gs[i], HP_DECISION_REFUSED);
			assert_non_null(strstr(gs[i].reason, "kdamond limit 3"));
			refused++;
		}
	}
	assert_int_equal(refused, 9);

	/* Nothing at all. */
	assert_int_equal(hp_decide(g, 0, &cfg, NULL, &sys_ok, NOW), 0);
}

static void test_ineligible(void **state)
{
	struct hp_group empty = group("/empty", P10, 100 * MiB),
			small = group("/small", &small_policy, 32 * MiB),
			comma = group("/a,b", P10, 100 * MiB),
			relative = group("a/b", P10, 100 * MiB),
			nothp = group("/nothp", P10, 100 * MiB),
			ok = group("/ok", P0, 1 * MiB);
	struct hp_group *g[] = { &empty, &small, &comma, &relative, &nothp, &ok };
	struct hp_config cfg = config(4);

	(void)state;
	empty.populated = false;
	snprintf(nothp.thp_off, sizeof(nothp.thp_off), "x.service sets MemoryTHP=disable");
	assert_int_equal(decide(g, 6, &cfg, &sys_ok, NOW), 1);
	/* Forbidden huge pages win over a higher priority. */
	assert_decision(nothp, HP_DECISION_THP_DISABLED);
	assert_string_equal(nothp.reason, "x.service sets MemoryTHP=disable");
	assert_int_equal(nothp.rank, 0);
	assert_decision(empty, HP_DECISION_EMPTY);
	assert_decision(small, HP_DECISION_TOO_SMALL);
	assert_non_null(strstr(small.reason, "MinSize="));
	assert_decision(comma, HP_DECISION_UNUSABLE);
	assert_decision(relative, HP_DECISION_UNUSABLE);
	assert_decision(ok, HP_DECISION_FED);
	assert_int_equal(ok.rank, 1);
	assert_int_equal(empty.rank, 0);
	assert_int_equal(small.rank, 0);
	assert_int_equal(comma.rank, 0);
}

static void test_min_size_hysteresis(void **state)
{
	struct hp_group exact = group("/exact", &small_policy, 64 * MiB),
			below = group("/below", &small_policy, 64 * MiB - 1),
			fed_half = group("/fed-half", &small_policy, 32 * MiB),
			fed_below = group("/fed-below", &small_policy, 32 * MiB - 1);
	struct hp_group *g[] = { &exact, &below, &fed_half, &fed_below };
	struct hp_config cfg = config(8);

	(void)state;
	fed_half.fed = fed_below.fed = true;
	fed_half.fed_since = fed_below.fed_since = NOW - S(5);
	assert_int_equal(decide(g, 4, &cfg, &sys_ok, NOW), 2);
	assert_decision(exact, HP_DECISION_FED);
	assert_decision(below, HP_DECISION_TOO_SMALL);
	/* While fed, a group keeps its slot down to half of MinSize=. */
	assert_decision(fed_half, HP_DECISION_FED);
	assert_true(fed_half.fed_since == NOW - S(5));
	assert_decision(fed_below, HP_DECISION_TOO_SMALL);
	assert_non_null(strstr(fed_below.reason, "half"));
	assert_false(fed_below.fed);

	/* Once dropped, it needs the whole MinSize= again. */
	fed_below.anon_bytes = 40 * MiB;
	assert_int_equal(decide(g, 4, &cfg, &sys_ok, NOW + S(10)), 2);
	assert_decision(fed_below, HP_DECISION_TOO_SMALL);
	assert_null(strstr(fed_below.reason, "half"));
}

static void test_system_paused(void **state)
{
	struct hp_group a = group("/a", P10, 100 * MiB), b = group("/b", P0, 100 * MiB),
			empty = group("/empty", P0, 100 * MiB);
	struct hp_group *g[] = { &a, &b, &empty };
	struct hp_config cfg = config(4);
	struct hp_system_state sys = { .paused = true, .reason = "system memory some 30.00% >= 20.00%" };

	(void)state;
	a.fed = true;
	a.fed_since = NOW - S(100);
	empty.populated = false;
	assert_int_equal(decide(g, 3, &cfg, &sys, NOW), 0);
	assert_decision(a, HP_DECISION_SYSTEM_PAUSED);
	assert_decision(b, HP_DECISION_SYSTEM_PAUSED);
	assert_string_equal(a.reason, sys.reason);
	assert_string_equal(b.reason, sys.reason);
	assert_false(a.fed);
	assert_int_equal(a.rank, 0);
	/* An empty group stays "empty": pausing would not feed it either. */
	assert_decision(empty, HP_DECISION_EMPTY);
}

static void test_group_paused(void **state)
{
	struct hp_group over = group("/over", P10, 100 * MiB),
			recovering = group("/recovering", P10, 100 * MiB),
			suspect = group("/suspect", P5, 1 * MiB),
			next = group("/next", P0, 1 * MiB), last = group("/last", P_NEG, 1 * MiB);
	struct hp_group *g[] = { &over, &recovering, &suspect, &next, &last };
	struct hp_config cfg = config(2);

	(void)state;
	over.fed = true;
	over.fed_since = NOW - S(5);
	over.memory.state = HP_PRESSURE_OVER;
	over.memory.share_bp = 2500;
	recovering.memory.state = HP_PRESSURE_RECOVERING;
	/* Suspect is not paused: it could still turn out to be a blip. */
	suspect.memory.state = HP_PRESSURE_SUSPECT;
	assert_int_equal(decide(g, 5, &cfg, &sys_ok, NOW), 2);
	assert_decision(over, HP_DECISION_PAUSED);
	assert_non_null(strstr(over.reason, "25.00%"));
	assert_non_null(strstr(over.reason, "10.00%"));
	assert_false(over.fed);
	assert_decision(recovering, HP_DECISION_PAUSED);
	assert_non_null(strstr(recovering.reason, "ResumeDelaySec="));
	/* Their slots go to the next in rank. */
	assert_decision(suspect, HP_DECISION_FED);
	assert_int_equal(suspect.rank, 1);
	assert_decision(next, HP_DECISION_FED);
	assert_int_equal(next.rank, 2);
	assert_decision(last, HP_DECISION_REFUSED);
}

static void test_nested(void **state)
{
	struct hp_group a = group("/a", P10, 100 * MiB), ab = group("/a/b", P5, 90 * MiB),
			abc = group("/a/b/c", P5, 80 * MiB), prefix = group("/ab", P0, 1 * MiB),
			x = group("/x", P0, 50 * MiB), xy = group("/x/y", P10, 40 * MiB);
	struct hp_group *g[] = { &a, &ab, &abc, &prefix, &x, &xy };
	struct hp_config cfg = config(3);

	(void)state;
	assert_int_equal(decide(g, 6, &cfg, &sys_ok, NOW), 3);
	assert_decision(a, HP_DECISION_FED);
	/* Below a fed group: nested, and no slot used. */
	assert_decision(ab, HP_DECISION_NESTED);
	assert_non_null(strstr(ab.reason, "/a"));
	assert_decision(abc, HP_DECISION_NESTED);
	assert_false(ab.fed);
	/* /ab is not inside /a. */
	assert_decision(prefix, HP_DECISION_FED);
	/* A fed descendant that ranks higher blocks its ancestor. */
	assert_decision(xy, HP_DECISION_FED);
	assert_decision(x, HP_DECISION_NESTED);
	assert_non_null(strstr(x.reason, "/x/y"));
}

static void test_nested_root(void **state)
{
	struct hp_group root = group("/", P10, 100 * MiB), a = group("/a", P5, 90 * MiB),
			b = group("/b/c", P0, 90 * MiB);
	struct hp_group *g[] = { &root, &a, &b };
	struct hp_config cfg = config(3);

	(void)state;
	assert_int_equal(decide(g, 3, &cfg, &sys_ok, NOW), 1);
	assert_decision(root, HP_DECISION_FED);
	assert_decision(a, HP_DECISION_NESTED);
	assert_decision(b, HP_DECISION_NESTED);
}

/* An incumbent and a challenger of equal priority for one slot. */
static void duel(usec_t fed_for, uint64_t incumbent_benefit, uint64_t challenger_benefit,
		 const struct hp_policy *challenger_policy, bool challenger_wins)
{
	struct hp_group inc = group("/incumbent", P0, incumbent_benefit),
			ch = group("/challenger", challenger_policy, challenger_benefit);
	struct hp_group *g[] = { &inc, &ch };
	struct hp_config cfg = config(1);

	print_message("incumbent fed for %llus, benefit %llu vs %llu, priority %d vs 0\n",
		      (unsigned long long)(fed_for / USEC_PER_SEC),
		      (unsigned long long)incumbent_benefit, (unsigned long long)challenger_benefit,
		      challenger_policy->priority);
	inc.fed = true;
	inc.fed_since = NOW - fed_for;
	assert_int_equal(decide(g, 2, &cfg, &sys_ok, NOW), 1);
	if (challenger_wins) {
		assert_decision(ch, HP_DECISION_FED);
		assert_true(ch.fed_since == NOW);
		assert_decision(inc, HP_DECISION_REFUSED);
		assert_false(inc.fed);
	} else {
		assert_decision(inc, HP_DECISION_FED);
		assert_true(inc.fed_since == NOW - fed_for);	/* kept */
		assert_decision(ch, HP_DECISION_REFUSED);
		assert_false(ch.fed);
	}
}

static void test_hysteresis(void **state)
{
	(void)state;
	/* Within HoldSec= (60 s), even twice the benefit does not displace. */
	duel(S(10), 100 * MiB, 200 * MiB, P0, false);
	duel(S(59), 100 * MiB, 1000 * MiB, P0, false);
	/* After it, the challenger needs more than ChallengeMargin= (25%) over. */
	duel(S(120), 100 * MiB, 124 * MiB, P0, false);
	duel(S(120), 100 * MiB, 126 * MiB, P0, true);
	duel(S(60), 100 * MiB, 200 * MiB, P0, true);
	/* Less benefit never displaces. */
	duel(S(120), 100 * MiB, 90 * MiB, P0, false);
	/* A higher priority displaces at once, with less benefit. */
	duel(S(1), 100 * MiB, 1 * MiB, P5, true);
	/* A lower priority never does. */
	duel(S(1000), 1 * MiB, 1000 * MiB, P_NEG, false);
}

static void test_fed_since(void **state)
{
	struct hp_group a = group("/a", P10, 100 * MiB), b = group("/b", P5, 100 * MiB),
			c = group("/c", P0, 100 * MiB);
	struct hp_group *g[] = { &a, &b, &c };
	struct hp_config cfg = config(2);

	(void)state;
	assert_int_equal(decide(g, 3, &cfg, &sys_ok, NOW), 2);
	assert_true(a.fed_since == NOW);
	assert_true(b.fed_since == NOW);
	assert_false(c.fed);

	/* Stays fed: fed_since is kept. */
	assert_int_equal(decide(g, 3, &cfg, &sys_ok, NOW + S(10)), 2);
	assert_true(a.fed_since == NOW);
	assert_true(b.fed_since == NOW);

	/* b goes away, c comes in: c is new, a is still the old one. */
	b.populated = false;
	assert_int_equal(decide(g, 3, &cfg, &sys_ok, NOW + S(20)), 2);
	assert_true(a.fed_since == NOW);
	assert_decision(c, HP_DECISION_FED);
	assert_true(c.fed_since == NOW + S(20));

	/* b comes back: newly fed again (it ranks above c, priority 5 > 0). */
	b.populated = true;
	assert_int_equal(decide(g, 3, &cfg, &sys_ok, NOW + S(30)), 2);
	assert_decision(b, HP_DECISION_FED);
	assert_true(b.fed_since == NOW + S(30));
	assert_decision(c, HP_DECISION_REFUSED);
}


/* A kernel readout with the given (cgroup, state) records. */
static void kstatus(struct hp_kstatus *k, const char *const *pairs)
{
	*k = (struct hp_kstatus){ 0 };
	for (size_t i = 0; pairs && pairs[i]; i += 2) {
		char group[256];
		struct hp_kgroup g = { .group = group, .kdamond = 100 + (int)i, .slot = -1, .state = (char *)pairs[i + 1],
				       .reason = (char *)(strncmp(pairs[i + 1], "waiting", 7) ? "" : "DAMON sysfs is busy: x") };

		snprintf(group, sizeof(group), "cgroup:%s", pairs[i]);
		assert_int_equal(hp_kstatus_add_group(k, &g), 0);
	}
}

/* hp_decide() only plans: fed is what hp_confirm() finds the kernel running. */
static void test_plan_leaves_fed(void **state)
{
	struct hp_group a = group("/a", P10, 100 * MiB), b = group("/b", P5, 100 * MiB);
	struct hp_group *g[] = { &a, &b };
	struct hp_config cfg = config(2);
	struct hp_kstatus k;

	(void)state;
	assert_int_equal(hp_decide(g, 2, &cfg, &module_limits, &sys_ok, NOW), 2);
	assert_decision(a, HP_DECISION_FED);
	assert_false(a.fed);
	assert_false(b.fed);

	kstatus(&k, (const char *[]){ "/a", "running", "/b", "idle:no_processes", NULL });
	assert_int_equal(hp_confirm(g, 2, &k, 0, 0, NOW), 2);
	assert_true(a.fed && b.fed);
	assert_true(a.fed_since == NOW);
	hp_kstatus_done(&k);
}

/* A write that fails: nothing is fed, the reason says so, retried with backoff. */
static void test_confirm_apply_failure(void **state)
{
	struct hp_group a = group("/a", P10, 100 * MiB), b = group("/b", P5, 100 * MiB),
			c = group("/c", P0, 100 * MiB);
	struct hp_group *g[] = { &a, &b, &c };
	struct hp_config cfg = config(2);
	struct hp_kstatus k;

	(void)state;
	kstatus(&k, NULL);
	assert_int_equal(hp_decide(g, 3, &cfg, &module_limits, &sys_ok, NOW), 2);
	assert_int_equal(hp_confirm(g, 3, &k, -EIO, 0, NOW), 0);
	assert_decision(a, HP_DECISION_FAILED);
	assert_decision(b, HP_DECISION_FAILED);
	assert_decision(c, HP_DECISION_REFUSED);
	assert_false(a.fed);
	assert_string_equal(a.error, "applying the plan failed: Input/output error");
	assert_string_equal(a.reason, "applying the plan failed: Input/output error; retrying in 1 s");
	assert_int_equal(a.failures, 1);
	assert_true(a.retry_at == NOW + S(1));
	assert_true(hp_next_retry(g, 3, NOW) == NOW + S(1));

	/* Within the backoff, a and b are not planned: c gets a slot. */
	assert_int_equal(hp_decide(g, 3, &cfg, &module_limits, &sys_ok, NOW + S(1) / 2), 1);
	assert_decision(a, HP_DECISION_FAILED);
	assert_string_equal(a.reason, "applying the plan failed: Input/output error; retrying in 0.5 s");
	assert_decision(c, HP_DECISION_FED);

	/* Failing again doubles the wait. */
	assert_int_equal(hp_decide(g, 3, &cfg, &module_limits, &sys_ok, NOW + S(1)), 2);
	assert_decision(a, HP_DECISION_FED);
	assert_int_equal(hp_confirm(g, 3, &k, -EIO, 0, NOW + S(1)), 0);
	assert_int_equal(a.failures, 2);
	assert_true(a.retry_at == NOW + S(3));
	assert_non_null(strstr(a.reason, "retrying in 2 s"));
	hp_kstatus_done(&k);

	/* Once the kernel runs it, it is fed and the failures are forgotten. */
	kstatus(&k, (const char *[]){ "/a", "running", "/b", "running", NULL });
	assert_int_equal(hp_decide(g, 3, &cfg, &module_limits, &sys_ok, NOW + S(3)), 2);
	assert_int_equal(hp_confirm(g, 3, &k, 0, 0, NOW + S(3)), 2);
	assert_decision(a, HP_DECISION_FED);
	assert_true(a.fed);
	assert_int_equal(a.failures, 0);
	assert_string_equal(a.error, "");
	assert_true(hp_next_retry(g, 3, NOW + S(3)) == USEC_INFINITY);
	hp_kstatus_done(&k);
}

/* The kernel's failed: state is a failure, and stays one at the next decision (a rescan). */
static void test_confirm_kernel_failed(void **state)
{
	struct hp_group a = group("/a", P10, 100 * MiB), b = group("/b", P5, 100 * MiB);
	struct hp_group *g[] = { &a, &b };
	struct hp_config cfg = config(2);
	struct hp_kstatus k;

	(void)state;
	kstatus(&k, (const char *[]){ "/a", "failed:-12", "/b", "running", NULL });
	hp_decide(g, 2, &cfg, &module_limits, &sys_ok, NOW);
	assert_int_equal(hp_confirm(g, 2, &k, 0, 0, NOW), 1);
	assert_decision(a, HP_DECISION_FAILED);
	assert_string_equal(a.error, "the kernel reports failed:-12");
	assert_false(a.fed);
	assert_true(b.fed);

	/* The rescan's decision: still failed, not fed. */
	hp_decide(g, 2, &cfg, &module_limits, &sys_ok, NOW + S(1) / 10);
	assert_decision(a, HP_DECISION_FAILED);
	assert_false(a.fed);
	hp_kstatus_done(&k);

	/* Not listed at all: failed too. */
	kstatus(&k, (const char *[]){ "/b", "running", NULL });
	hp_decide(g, 2, &cfg, &module_limits, &sys_ok, NOW + S(1));
	assert_int_equal(hp_confirm(g, 2, &k, 0, 0, NOW + S(1)), 1);
	assert_string_equal(a.error, "the kernel does not list it");
	assert_int_equal(a.failures, 2);
	hp_kstatus_done(&k);

	/* A readout that cannot be read confirms nothing. */
	hp_decide(g, 2, &cfg, &module_limits, &sys_ok, NOW + S(10));
	assert_int_equal(hp_confirm(g, 2, NULL, 0, -EACCES, NOW + S(10)), 0);
	assert_decision(b, HP_DECISION_FAILED);
	assert_non_null(strstr(b.error, "cannot be read"));
}

/* No room in the backend (DAMON sysfs busy): waiting, not a failure. */
static void test_confirm_waiting(void **state)
{
	struct hp_group a = group("/a", P10, 100 * MiB);
	struct hp_group *g[] = { &a };
	struct hp_config cfg = config(2);
	struct hp_kstatus k;

	(void)state;
	kstatus(&k, (const char *[]){ "/a", "waiting", NULL });
	hp_decide(g, 1, &cfg, NULL, &sys_ok, NOW);
	assert_int_equal(hp_confirm(g, 1, &k, 0, 0, NOW), 0);
	assert_decision(a, HP_DECISION_WAITING);
	assert_string_equal(a.reason, "DAMON sysfs is busy: x");
	assert_int_equal(a.failures, 0);
	assert_false(a.fed);
	/* Planned again at once. */
	hp_decide(g, 1, &cfg, NULL, &sys_ok, NOW + 1);
	assert_decision(a, HP_DECISION_FED);
	hp_kstatus_done(&k);
}

static void test_backoff(void **state)
{
	(void)state;
	assert_true(hp_backoff(0) == 0);
	assert_true(hp_backoff(1) == S(1));
	assert_true(hp_backoff(2) == S(2));
	assert_true(hp_backoff(5) == S(16));
	assert_true(hp_backoff(9) == S(256));
	assert_true(hp_backoff(10) == S(300));
	assert_true(hp_backoff(4000000000U) == S(300));
}

/* The module's 4096-byte list: what does not fit is refused with a reason, the rest fed. */
static void test_list_limit(void **state)
{
	static char pa[1601], pb[1601], pc[1601], pd[40];
	struct hp_group a = group(pa, P10, 100 * MiB), b = group(pb, P5, 100 * MiB),
			c = group(pc, P0, 100 * MiB), d = group(pd, P_NEG, 100 * MiB);
	struct hp_group *g[] = { &a, &b, &c, &d };
	struct hp_config cfg = config(8);

	(void)state;
	memset(pa, 'a', 1600);
	memset(pb, 'b', 1600);
	memset(pc, 'c', 1600);
	pa[0] = pb[0] = pc[0] = '/';
	snprintf(pd, sizeof(pd), "/d");
	/* a and b take 3201 bytes with the comma; c would need 1601 more, d fits. */
	assert_int_equal(decide(g, 4, &cfg, &sys_ok, NOW), 3);
	assert_decision(a, HP_DECISION_FED);
	assert_decision(b, HP_DECISION_FED);
	assert_decision(c, HP_DECISION_REFUSED);
	assert_non_null(strstr(c.reason, "cgroups list has no room"));
	assert_decision(d, HP_DECISION_FED);
	/* Without a list (the damon backend) all four are fed. */
	assert_int_equal(hp_decide(g, 4, &cfg, NULL, &sys_ok, NOW), 4);
}

/* Names a comma-separated, trimmed list cannot carry: refused for the module only. */
static void test_unusable_names(void **state)
{
	const char *bad[] = { "/a,b", "/a\nb", "/a/ b", "/a /b", "/a/b\t", "/\ta" };
	const char *good[] = { "/a b/c", "/a.slice/x y.service", "/" };
	const char *why = NULL;

	(void)state;
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		why = NULL;
		assert_false(hp_cgroup_path_usable(bad[i], &module_limits, &why));
		assert_non_null(why);
		print_message("  %s: %s\n", bad[i], why);
		assert_true(hp_cgroup_path_usable(bad[i], NULL, NULL));
		assert_true(hp_cgroup_path_usable(bad[i], &(struct hp_plan_limits){ 0 }, NULL));
	}
	for (size_t i = 0; i < ELEMENTSOF(good); i++)
		assert_true(hp_cgroup_path_usable(good[i], &module_limits, NULL));
	assert_false(hp_cgroup_path_usable("/a/b ", &module_limits, &why));
	assert_string_equal(why, "a name in its path starts or ends with whitespace, which the module would trim");
}

static void test_unsupported(void **state)
{
	struct hp_group a = group("/a", P10, 100 * MiB), e = group("/e", P10, 100 * MiB);
	struct hp_group *g[] = { &a, &e };
	struct hp_config cfg = config(2);
	struct hp_plan_limits l = { .unsupported = "THP 'enabled' is 'never' and there is no collapse" };

	(void)state;
	e.populated = false;
	assert_int_equal(hp_decide(g, 2, &cfg, &l, &sys_ok, NOW), 0);
	assert_decision(a, HP_DECISION_UNSUPPORTED);
	assert_string_equal(a.reason, l.unsupported);
	assert_decision(e, HP_DECISION_EMPTY);
}

static void test_decision_names(void **state)
{
	(void)state;
	for (int d = 0; d < _HP_DECISION_MAX; d++) {
		assert_non_null(hp_decision_name(d));
		assert_string_not_equal(hp_decision_name(d), "?");
	}
	assert_string_equal(hp_decision_name(HP_DECISION_SYSTEM_PAUSED), "system-paused");
	assert_string_equal(hp_decision_name(_HP_DECISION_MAX), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_benefit),
		cmocka_unit_test(test_rank_priority),
		cmocka_unit_test(test_rank_benefit),
		cmocka_unit_test(test_limit),
		cmocka_unit_test(test_ineligible),
		cmocka_unit_test(test_min_size_hysteresis),
		cmocka_unit_test(test_system_paused),
		cmocka_unit_test(test_group_paused),
		cmocka_unit_test(test_nested),
		cmocka_unit_test(test_nested_root),
		cmocka_unit_test(test_hysteresis),
		cmocka_unit_test(test_fed_since),
		cmocka_unit_test(test_plan_leaves_fed),
		cmocka_unit_test(test_confirm_apply_failure),
		cmocka_unit_test(test_confirm_kernel_failed),
		cmocka_unit_test(test_confirm_waiting),
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_list_limit),
		cmocka_unit_test(test_unusable_names),
		cmocka_unit_test(test_unsupported),
		cmocka_unit_test(test_decision_names),
	};

	return cmocka_run_group_tests_name("decide", tests, NULL, NULL);
}
