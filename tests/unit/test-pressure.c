// SPDX-License-Identifier: GPL-2.0-or-later
/* The PSI state machine, trigger strings and parser of policyd/pressure.c. */
#include "unit.h"

#include <errno.h>

#include "pressure.h"

#define S(x) ((usec_t)(x) * USEC_PER_SEC)
#define MS(x) ((usec_t)(x) * USEC_PER_MSEC)
#define PERIOD HP_PRESSURE_SAMPLE_PERIOD

/* A feeder that keeps the cumulative stall counter, as the kernel does. */
struct feed {
	struct hp_pressure p;
	struct hp_limit limit;
	usec_t resume_delay;
	uint64_t total;
	bool polling;
};

/* Sample at now after stall more microseconds of stall. */
static usec_t sample(struct feed *f, usec_t now, uint64_t stall, bool triggered)
{
	f->total += stall;
	return hp_pressure_sample(&f->p, &f->limit, f->resume_delay, now, f->total, triggered,
				  f->polling);
}

#define assert_state(f, s) assert_string_equal(hp_pressure_state_name((f)->p.state), hp_pressure_state_name(s))
#define assert_time(got, want) assert_int_equal((got), (want))

static void test_duration_zero(void **state)
{
	struct feed f = { .limit = { .bp = 1000, .duration = 0 }, .resume_delay = S(30) };

	(void)state;
	/* A first, quiet sample: nothing to do until a trigger fires. */
	assert_time(sample(&f, S(100), 0, false), 0);
	assert_state(&f, HP_PRESSURE_OK);
	assert_false(hp_pressure_paused(&f.p));

	/* D = 0: a trigger means over at once. */
	assert_time(sample(&f, S(101), MS(200), true), S(101) + PERIOD);
	assert_state(&f, HP_PRESSURE_OVER);
	assert_true(hp_pressure_paused(&f.p));
	assert_time(f.p.since, S(101));
	assert_int_equal(f.p.share_bp, 2000);

	/* Even the very first sample, if triggered. */
	f = (struct feed){ .limit = { .bp = 1000, .duration = 0 }, .resume_delay = S(30) };
	assert_time(sample(&f, S(5), 0, true), S(5) + PERIOD);
	assert_state(&f, HP_PRESSURE_OVER);
}

static void test_suspect_to_over(void **state)
{
	struct feed f = { .limit = { .bp = 1000, .duration = S(10) }, .resume_delay = S(30) };

	(void)state;
	assert_time(sample(&f, S(100), 0, false), 0);
	assert_state(&f, HP_PRESSURE_OK);

	/* A trigger: suspect, checked again after D. */
	assert_time(sample(&f, S(101), MS(200), true), S(111));
	assert_state(&f, HP_PRESSURE_SUSPECT);
	assert_false(hp_pressure_paused(&f.p));

	/* An early sample (another trigger) changes nothing. */
	assert_time(sample(&f, S(105), MS(900), true), S(111));
	assert_state(&f, HP_PRESSURE_SUSPECT);
	assert_time(f.p.since, S(101));

	/* Over the whole D (101..111 s): 0.9 + 0.6 = 1.5 s = 15% >= 10%. */
	assert_time(sample(&f, S(111), MS(600), false), S(111) + PERIOD);
	assert_state(&f, HP_PRESSURE_OVER);
	assert_true(hp_pressure_paused(&f.p));
	assert_time(f.p.since, S(111));
}

static void test_suspect_exactly_limit(void **state)
{
	struct feed f = { .limit = { .bp = 1000, .duration = S(10) }, .resume_delay = S(30) };

	(void)state;
	sample(&f, S(100), 0, false);
	sample(&f, S(101), MS(500), true);
	assert_state(&f, HP_PRESSURE_SUSPECT);
	/* Exactly 10% of D: ">= limit" is over. */
	assert_time(sample(&f, S(111), S(1), false), S(112));
	assert_state(&f, HP_PRESSURE_OVER);
}

static void test_suspect_to_ok(void **state)
{
	struct feed f = { .limit = { .bp = 1000, .duration = S(10) }, .resume_delay = S(30) };

	(void)state;
	sample(&f, S(100), 0, false);
	assert_time(sample(&f, S(101), S(1), true), S(111));
	assert_state(&f, HP_PRESSURE_SUSPECT);
	/*
	 * A short spike (the trigger's 1 s before since does not count):
	 * 0.5 s over D = 5% < 10%, back to ok.
	 */
	assert_time(sample(&f, S(111), MS(500), false), 0);
	assert_state(&f, HP_PRESSURE_OK);
	assert_false(hp_pressure_paused(&f.p));
	assert_time(f.p.since, S(111));

	/* A sample that is late (the daemon was busy) is judged over the real span. */
	assert_time(sample(&f, S(120), 0, true), S(130));
	assert_state(&f, HP_PRESSURE_SUSPECT);
	/* 1.5 s of the 20 s since 120 s = 7.5% (of the 10 s D it would be 15%). */
	assert_time(sample(&f, S(140), MS(1500), false), 0);
	assert_state(&f, HP_PRESSURE_OK);
}

static void test_over_recovering_ok(void **state)
{
	struct feed f = { .limit = { .bp = 1000, .duration = 0 }, .resume_delay = S(30) };

	(void)state;
	sample(&f, S(100), 0, false);
	sample(&f, S(101), MS(500), true);
	assert_state(&f, HP_PRESSURE_OVER);

	/* Still over: 50% of the last second. */
	assert_time(sample(&f, S(102), MS(500), false), S(103));
	assert_state(&f, HP_PRESSURE_OVER);
	assert_time(f.p.since, S(101));

	/* Below: recovering, still paused. */
	assert_time(sample(&f, S(103), 0, false), S(104));
	assert_state(&f, HP_PRESSURE_RECOVERING);
	assert_true(hp_pressure_paused(&f.p));
	assert_time(f.p.since, S(103));

	/* Below the limit but not zero: still recovering. */
	assert_time(sample(&f, S(104), MS(50), false), S(105));
	assert_state(&f, HP_PRESSURE_RECOVERING);
	/* The next sample is never later than the end of the resume delay. */
	assert_time(sample(&f, S(132) + MS(500), 0, false), S(133));
	assert_state(&f, HP_PRESSURE_RECOVERING);
	assert_time(sample(&f, S(132) + MS(900), 0, false), S(133));
	assert_state(&f, HP_PRESSURE_RECOVERING);
	/* Resume delay (30 s since 103 s) over: ok, wait for a trigger. */
	assert_time(sample(&f, S(133), 0, false), 0);
	assert_state(&f, HP_PRESSURE_OK);
	assert_false(hp_pressure_paused(&f.p));
}

static void test_recovering_spike(void **state)
{
	struct feed f = { .limit = { .bp = 1000, .duration = 0 }, .resume_delay = S(30) };

	(void)state;
	sample(&f, S(100), 0, false);
	sample(&f, S(101), MS(500), true);
	sample(&f, S(102), 0, false);
	assert_state(&f, HP_PRESSURE_RECOVERING);
	assert_time(f.p.since, S(102));

	/* A new spike: over again. */
	assert_time(sample(&f, S(110), S(2), false), S(111));	/* 2 s of 8 s = 25% */
	assert_state(&f, HP_PRESSURE_OVER);
	assert_time(f.p.since, S(110));

	/* The resume delay starts again from the new recovery. */
	assert_time(sample(&f, S(111), 0, false), S(112));
	assert_state(&f, HP_PRESSURE_RECOVERING);
	assert_time(f.p.since, S(111));
	sample(&f, S(133), 0, false);	/* 30 s after 102 s, but only 22 s after 111 s */
	assert_state(&f, HP_PRESSURE_RECOVERING);
	assert_time(sample(&f, S(141), 0, false), 0);
	assert_state(&f, HP_PRESSURE_OK);
}

static void test_resume_delay_zero(void **state)
{
	struct feed f = { .limit = { .bp = 1000, .duration = 0 }, .resume_delay = 0 };

	(void)state;
	sample(&f, S(100), 0, false);
	sample(&f, S(101), MS(500), true);
	assert_state(&f, HP_PRESSURE_OVER);
	/* No resume delay: below the limit is ok at once. */
	assert_time(sample(&f, S(102), 0, false), 0);
	assert_state(&f, HP_PRESSURE_OK);
}

static void test_polling(void **state)
{
	struct feed f = { .limit = { .bp = 1000, .duration = S(10) }, .resume_delay = S(5),
			  .polling = true };

	(void)state;
	/* The first sample has nothing to compare with: a large total is not a spike. */
	f.total = 1000000000000ULL;
	assert_time(sample(&f, S(100), 0, false), S(101));
	assert_state(&f, HP_PRESSURE_OK);
	assert_int_equal(f.p.share_bp, 0);

	/* 5% < 10%: stays ok, polled every sample period. */
	assert_time(sample(&f, S(101), MS(50), false), S(102));
	assert_state(&f, HP_PRESSURE_OK);
	assert_int_equal(f.p.share_bp, 500);

	/* 20% in a sample counts as a trigger: suspect for D. */
	assert_time(sample(&f, S(102), MS(200), false), S(112));
	assert_state(&f, HP_PRESSURE_SUSPECT);
	assert_int_equal(f.p.share_bp, 2000);

	/* 2 s of 10 s: over. */
	assert_time(sample(&f, S(112), S(2), false), S(113));
	assert_state(&f, HP_PRESSURE_OVER);

	/* Recovering, then ok after 5 s; polled again every period. */
	assert_time(sample(&f, S(113), 0, false), S(114));
	assert_state(&f, HP_PRESSURE_RECOVERING);
	assert_time(sample(&f, S(118), 0, false), S(119));
	assert_state(&f, HP_PRESSURE_OK);

	/* A suspect that does not hold goes back to ok, still polling. */
	assert_time(sample(&f, S(119), MS(300), false), S(129));
	assert_state(&f, HP_PRESSURE_SUSPECT);
	assert_time(sample(&f, S(129), MS(100), false), S(130));
	assert_state(&f, HP_PRESSURE_OK);
}

static void test_polling_duration_zero(void **state)
{
	struct feed f = { .limit = { .bp = 1000, .duration = 0 }, .resume_delay = S(5),
			  .polling = true };

	(void)state;
	sample(&f, S(100), 0, false);
	assert_time(sample(&f, S(101), MS(99), false), S(102));
	assert_state(&f, HP_PRESSURE_OK);
	assert_time(sample(&f, S(102), MS(100), false), S(103));
	assert_state(&f, HP_PRESSURE_OVER);
}

static void test_limit_zero(void **state)
{
	struct feed f = { .limit = { .bp = 0, .duration = S(10) }, .resume_delay = S(30) };

	(void)state;
	/* No limit: never paused, whatever the triggers and shares. */
	assert_time(sample(&f, S(100), 0, true), 0);
	assert_state(&f, HP_PRESSURE_OK);
	assert_time(sample(&f, S(101), S(1), true), 0);
	assert_state(&f, HP_PRESSURE_OK);
	assert_int_equal(f.p.share_bp, 10000);
	assert_false(hp_pressure_paused(&f.p));

	f.polling = true;
	f.limit.duration = 0;
	sample(&f, S(102), S(1), false);
	sample(&f, S(103), S(1), true);
	assert_state(&f, HP_PRESSURE_OK);
	assert_false(hp_pressure_paused(&f.p));
}

static void test_share_capped(void **state)
{
	struct feed f = { .limit = { .bp = 1000, .duration = 0 }, .resume_delay = S(30) };

	(void)state;
	sample(&f, S(100), 0, false);
	/* More stall than wall time (several CPUs): 100%. */
	sample(&f, S(101), S(3), true);
	assert_int_equal(f.p.share_bp, 10000);
	/* A counter that went back (a new cgroup of the same name): 0%, not huge. */
	f.total = 0;
	sample(&f, S(102), 0, false);
	assert_int_equal(f.p.share_bp, 0);
	assert_state(&f, HP_PRESSURE_RECOVERING);
}

static void trigger_is(unsigned bp, usec_t duration, const char *want)
{
	struct hp_limit l = { .bp = bp, .duration = duration };
	char buf[64];

	memset(buf, 'x', sizeof(buf));
	print_message("trigger for %u bp over %llu us\n", bp, (unsigned long long)duration);
	assert_int_equal(hp_pressure_trigger(&l, buf, sizeof(buf)), (int)strlen(want));
	assert_string_equal(buf, want);
}

static void test_trigger(void **state)
{
	struct hp_limit none = { .bp = 0, .duration = S(10) };
	struct hp_limit l = { .bp = 1000, .duration = S(1) };
	char buf[64];

	(void)state;
	trigger_is(5000, S(1), "some 500000 1000000");
	trigger_is(1000, MS(1500), "some 150000 1500000");
	/* Window clamped to 2 s above ... */
	trigger_is(1000, S(10), "some 200000 2000000");
	trigger_is(2000, S(3600), "some 400000 2000000");
	/* ... and to 500 ms below. */
	trigger_is(1000, MS(100), "some 50000 500000");
	trigger_is(1000, 0, "some 50000 500000");
	trigger_is(10000, MS(500), "some 500000 500000");
	/* The smallest share still stalls for something. */
	trigger_is(1, 0, "some 50 500000");

	assert_int_equal(hp_pressure_trigger(&none, buf, sizeof(buf)), -EINVAL);
	/* Too small a buffer is an error, not a cut string. */
	assert_int_equal(hp_pressure_trigger(&l, buf, 10), -EINVAL);
	assert_int_equal(hp_pressure_trigger(&l, buf, strlen("some 100000 1000000")), -EINVAL);
	assert_int_equal(hp_pressure_trigger(&l, buf, strlen("some 100000 1000000") + 1), 19);
}

static void psi_ok(const char *text, uint64_t total, unsigned avg10)
{
	uint64_t t = 4242;
	unsigned a = 4242;

	print_message("hp_psi_parse(\"%s\")\n", text);
	assert_int_equal(hp_psi_parse(text, &t, &a), 0);
	assert_true(t == total);
	assert_int_equal(a, avg10);
}

static void psi_bad(const char *text)
{
	uint64_t t = 4242;
	unsigned a = 4242;

	print_message("hp_psi_parse(\"%s\") must fail\n", text);
	assert_int_equal(hp_psi_parse(text, &t, &a), -EINVAL);
	assert_true(t == 4242);
	assert_int_equal(a, 4242);
}

static void test_psi_parse(void **state)
{
	(void)state;
	psi_ok("some avg10=1.23 avg60=0.50 avg300=0.10 total=123456\n"
	       "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n",
	       123456, 123);
	psi_ok("some avg10=0.05 avg60=0.00 avg300=0.00 total=7\n", 7, 5);
	psi_ok("some avg10=100.00 avg60=99.99 avg300=98.00 total=18446744073709551615\n"
	       "full avg10=50.00 avg60=0.00 avg300=0.00 total=5\n",
	       UINT64_MAX, 10000);
	/* "full" first: the "some" line is still found, full's total not taken. */
	psi_ok("full avg10=9.99 avg60=0.00 avg300=0.00 total=999\n"
	       "some avg10=12.34 avg60=1.00 avg300=0.00 total=4567\n",
	       4567, 1234);
	/* No trailing newline, as a short read may leave it. */
	psi_ok("some avg10=0.00 avg60=0.00 avg300=0.00 total=0", 0, 0);

	psi_bad("");
	psi_bad("garbage\n");
	psi_bad("full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n");
	psi_bad("some avg10=abc avg60=0.00 avg300=0.00 total=1\n");
	psi_bad("some avg10=1.00 avg60=1.00 avg300=1.00\n");	/* no total */
	psi_bad("some avg10=1.00 avg60=1.00 avg300=1.00 total=x\n");
	psi_bad("some total=5\n");
	psi_bad("awesome avg10=1.00 avg60=1.00 avg300=1.00 total=1\n");
	/* The kernel's form only: "%lu.%02lu" and "%llu". */
	psi_bad("some avg10=1.00 avg60=1.00 avg300=1.00 total=-1\n");
	psi_bad("some avg10=1.00 avg60=1.00 avg300=1.00 total=+1\n");
	psi_bad("some avg10=1.00 avg60=1.00 avg300=1.00 total= 1\n");
	psi_bad("some avg10=1.00 avg60=1.00 avg300=1.00 total=18446744073709551616\n");
	psi_bad("some avg10=-1.00 avg60=1.00 avg300=1.00 total=1\n");
	psi_bad("some avg10=+1.00 avg60=1.00 avg300=1.00 total=1\n");
	psi_bad("some avg10=1.5 avg60=1.00 avg300=1.00 total=1\n");
	psi_bad("some avg10=1.123 avg60=1.00 avg300=1.00 total=1\n");
	psi_bad("some avg10=100.01 avg60=1.00 avg300=1.00 total=1\n");
	psi_bad("some  avg10=1.00 avg60=1.00 avg300=1.00 total=1\n");
	psi_bad("some avg10=1.00 avg60=1.00 avg300=1.00 total=1 extra\n");
}

static void test_state_names(void **state)
{
	(void)state;
	assert_string_equal(hp_pressure_state_name(HP_PRESSURE_OK), "ok");
	assert_string_equal(hp_pressure_state_name(HP_PRESSURE_SUSPECT), "suspect");
	assert_string_equal(hp_pressure_state_name(HP_PRESSURE_OVER), "over");
	assert_string_equal(hp_pressure_state_name(HP_PRESSURE_RECOVERING), "recovering");
	assert_string_equal(hp_pressure_state_name((enum hp_pressure_state)42), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_duration_zero),
		cmocka_unit_test(test_suspect_to_over),
		cmocka_unit_test(test_suspect_exactly_limit),
		cmocka_unit_test(test_suspect_to_ok),
		cmocka_unit_test(test_over_recovering_ok),
		cmocka_unit_test(test_recovering_spike),
		cmocka_unit_test(test_resume_delay_zero),
		cmocka_unit_test(test_polling),
		cmocka_unit_test(test_polling_duration_zero),
		cmocka_unit_test(test_limit_zero),
		cmocka_unit_test(test_share_capped),
		cmocka_unit_test(test_trigger),
		cmocka_unit_test(test_psi_parse),
		cmocka_unit_test(test_state_names),
	};

	return cmocka_run_group_tests_name("pressure", tests, NULL, NULL);
}
