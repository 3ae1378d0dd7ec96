// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hugepagectl metrics: the Prometheus text hugepagectl_print_metrics()
 * writes for the fixtures in tests/fixtures/status/, line by line.  That a
 * real parser takes it is metrics-parse.py's part.
 */
#include "unit.h"

#include <errno.h>
#include <fcntl.h>

#include "decide.h"
#include "hugepagectl.h"
#include "status.h"
#include "util.h"

static void load_fixture(const char *rel, bool kernel, void *ret)
{
	_cleanup_(freep) char *text = NULL;
	unsigned line = 0;

	assert_int_equal(read_file_at(AT_FDCWD, fixture(rel), &text), 0);
	if (kernel)
		assert_int_equal(hp_kstatus_parse(text, ret, &line), 0);
	else
		assert_int_equal(hp_status_parse(text, ret, &line), 0);
}

static char *metrics_of(const struct hp_status *s, bool up, const struct hp_kstatus *k)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(hugepagectl_print_metrics(f, s, up, k), 0);
	assert_int_equal(fclose(f), 0);
	print_message("--- metrics ---\n%s--- end ---\n", buf);
	return buf;
}

#define assert_line(text, line)                                                        \
	do {                                                                           \
		if (!has_line((text), (line)))                                          \
			fail_msg("no line \"%s\" in the output above", (line));         \
	} while (0)
#define assert_no_line(text, line)                                                     \
	do {                                                                           \
		if (has_line((text), (line)))                                           \
			fail_msg("unexpected line \"%s\" in the output above", (line)); \
	} while (0)

/* Lines of text that start with prefix. */
static size_t count_prefix(const char *text, const char *prefix)
{
	size_t n = 0;

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		n += !strncmp(p, prefix, strlen(prefix));
	return n;
}

static void test_fixture(void **state)
{
	_cleanup_(hp_status_done) struct hp_status s = { 0 };
	_cleanup_(hp_kstatus_done) struct hp_kstatus k = { 0 };
	_cleanup_(freep) char *m = NULL;

	(void)state;
	load_fixture("status/hugepaged-status", false, &s);
	load_fixture("status/damon_hugepage", true, &k);
	m = metrics_of(&s, true, &k);

	assert_line(m, "# TYPE hugepaged_up gauge");
	assert_line(m, "hugepaged_up{backend=\"module\"} 1");
	assert_line(m, "hugepaged_last_decision_timestamp_seconds{backend=\"module\"} 1700000000.000000");
	assert_line(m, "hugepaged_kdamond_limit{backend=\"module\"} 1");
	assert_line(m, "hugepaged_kdamonds_in_use{backend=\"module\"} 2");
	assert_line(m, "hugepaged_groups{backend=\"module\",decision=\"fed\"} 1");
	assert_line(m, "hugepaged_groups{backend=\"module\",decision=\"paused\"} 1");
	assert_line(m, "hugepaged_groups{backend=\"module\",decision=\"empty\"} 0");
	assert_line(m, "hugepaged_system_paused{backend=\"module\"} 0");
	assert_line(m, "hugepaged_system_pressure_ratio{backend=\"module\",resource=\"cpu\"} 0.0120");
	assert_line(m, "# TYPE hugepaged_reloads_total counter");
	assert_line(m, "hugepaged_reloads_total{backend=\"module\"} 0");
	assert_line(m, "hugepaged_reload_errors_total{backend=\"module\"} 0");
	/* Never reloaded: no time of the last reload. */
	assert_int_equal(count_prefix(m, "hugepaged_last_reload_timestamp_seconds"), 0);
	assert_line(m, "hugepaged_policy_errors{backend=\"module\"} 0");

	assert_line(m, "hugepaged_group_decision{backend=\"module\",group=\"/c1\",decision=\"fed\"} 1");
	assert_line(m, "hugepaged_group_decision{backend=\"module\",group=\"/c1\",decision=\"refused\"} 0");
	assert_line(m, "hugepaged_group_decision{backend=\"module\",group=\"/c2\",decision=\"refused\"} 1");
	/* One sample per group and decision, one decision set per group. */
	assert_int_equal(count_prefix(m, "hugepaged_group_decision{"), 3 * _HP_DECISION_MAX);
	assert_int_equal(count_prefix(m, "hugepaged_group_decision{backend=\"module\",group=\"/c3\",") -
				 count_prefix(m, "hugepaged_group_decision{backend=\"module\",group=\"/c3\",decision=\"paused\"} 1"),
			 _HP_DECISION_MAX - 1);
	assert_line(m, "hugepaged_group_priority{backend=\"module\",group=\"/c3\"} 20");
	assert_line(m, "hugepaged_group_anon_bytes{backend=\"module\",group=\"/c1\"} 67108864");
	assert_line(m, "hugepaged_group_anon_huge_bytes{backend=\"module\",group=\"/c1\"} 33554432");
	assert_line(m, "hugepaged_group_huge_ratio{backend=\"module\",group=\"/c1\"} 0.500000");
	assert_line(m, "hugepaged_group_memory_pressure_ratio{backend=\"module\",group=\"/c3\"} 0.1250");
	assert_line(m, "hugepaged_group_memory_pressure_limit_ratio{backend=\"module\",group=\"/c1\"} 0.1000");
	/* /c2 has no limit: no sample rather than a limit of 0. */
	assert_int_equal(count_prefix(m, "hugepaged_group_memory_pressure_limit_ratio{backend=\"module\",group=\"/c2\"}"), 0);

	/* The module's figures, for the daemon's group and for its own pid group. */
	assert_line(m, "hugepaged_group_state{backend=\"module\",group=\"/c1\",state=\"running\"} 1");
	assert_line(m, "# TYPE hugepaged_group_collapsed_bytes_total counter");
	assert_line(m, "hugepaged_group_collapsed_bytes_total{backend=\"module\",group=\"/c1\"} 33554432");
	assert_line(m, "hugepaged_group_tried_bytes_total{backend=\"module\",group=\"/c1\"} 41943040");
	assert_line(m, "hugepaged_group_failed_bytes_total{backend=\"module\",group=\"/c1\"} 8388608");
	assert_line(m, "hugepaged_group_collapsed_regions_total{backend=\"module\",group=\"/c1\"} 16");
	assert_line(m, "hugepaged_group_tried_regions_total{backend=\"module\",group=\"/c1\"} 20");
	assert_line(m, "hugepaged_group_processes{backend=\"module\",group=\"pid:4242\"} 1");
	assert_line(m, "hugepaged_group_collapsed_bytes_total{backend=\"module\",group=\"pid:4242\"} 4194304");
	/* /c2 and /c3 are not fed: no figures. */
	assert_int_equal(count_prefix(m, "hugepaged_group_state{backend=\"module\",group=\"/c2\""), 0);
	/* Each family is described once. */
	assert_int_equal(count_prefix(m, "# HELP hugepaged_group_state "), 1);
	assert_int_equal(count_prefix(m, "# HELP "), count_prefix(m, "# TYPE "));
}

/* A daemon that is gone: hugepaged_up 0 with its backend, none of its figures. */
static void test_stale(void **state)
{
	_cleanup_(hp_status_done) struct hp_status s = { 0 };
	_cleanup_(hp_kstatus_done) struct hp_kstatus k = { 0 };
	_cleanup_(freep) char *m = NULL;

	(void)state;
	load_fixture("status/hugepaged-status", false, &s);
	load_fixture("status/damon_hugepage", true, &k);
	m = metrics_of(&s, false, &k);
	assert_line(m, "hugepaged_up{backend=\"module\"} 0");
	assert_int_equal(count_prefix(m, "hugepaged_kdamond_limit"), 0);
	assert_int_equal(count_prefix(m, "hugepaged_group_decision"), 0);
	assert_int_equal(count_prefix(m, "# HELP hugepaged_group_decision"), 0);
	assert_line(m, "hugepaged_kdamonds_in_use{backend=\"module\"} 2");
	assert_line(m, "hugepaged_group_collapsed_bytes_total{backend=\"module\",group=\"/c1\"} 33554432");
}

/* Neither view, then the module's alone with no group. */
static void test_nothing(void **state)
{
	_cleanup_(hp_kstatus_done) struct hp_kstatus k = { 0 };
	_cleanup_(freep) char *m = NULL, *m2 = NULL;
	unsigned line = 0;

	(void)state;
	m = metrics_of(NULL, false, NULL);
	assert_string_equal(m, "# HELP hugepaged_up 1 while hugepaged runs, 0 otherwise.\n"
			       "# TYPE hugepaged_up gauge\n"
			       "hugepaged_up 0\n");
	assert_int_equal(hp_kstatus_parse("# damon_hugepage 1 enabled=N max_kdamonds=4\n", &k, &line), 0);
	m2 = metrics_of(NULL, false, &k);
	assert_line(m2, "hugepaged_kdamonds_in_use{backend=\"module\"} 0");
	assert_int_equal(count_prefix(m2, "hugepaged_group_"), 0);
}

/* Label values: quote, backslash and newline escaped; bytes that are not UTF-8 as U+FFFD. */
static void test_label_escaping(void **state)
{
	_cleanup_(hp_status_done) struct hp_status s = { 0 };
	_cleanup_(freep) char *m = NULL;
	unsigned line = 0;

	(void)state;
	assert_int_equal(hp_status_parse("# hugepaged 1\n"
					 "daemon pid=1 updated_us=2500000 backend=dry-run kdamond_limit=4 matched=1 fed=0 "
					 "system=paused memory_some_bp=2500 cpu_some_bp=0 reason=memory\n"
					 "config reloads=3 reload_us=1500000 reload_errors=2 units=1 policy_errors=1 reason=\n"
					 "group path=/a\"b\\x5cc\\x0ad\xff\xc3\xa9 policy=p priority=-1 decision=system-paused "
					 "rank=0 fed_since_us=0 populated=1 anon_bytes=3 anon_huge_bytes=1 memory_state=ok "
					 "memory_some_bp=0 memory_limit_bp=0 reason=x\n",
					 &s, &line),
			 0);
	m = metrics_of(&s, true, NULL);
	assert_line(m, "hugepaged_group_priority{backend=\"dry-run\",group=\"/a\\\"b\\\\c\\nd\xef\xbf\xbd\xc3\xa9\"} -1");
	assert_line(m, "hugepaged_group_huge_ratio{backend=\"dry-run\",group=\"/a\\\"b\\\\c\\nd\xef\xbf\xbd\xc3\xa9\"} 0.333333");
	assert_line(m, "hugepaged_system_paused{backend=\"dry-run\"} 1");
	assert_line(m, "hugepaged_system_pressure_ratio{backend=\"dry-run\",resource=\"memory\"} 0.2500");
	assert_line(m, "hugepaged_reloads_total{backend=\"dry-run\"} 3");
	assert_line(m, "hugepaged_reload_errors_total{backend=\"dry-run\"} 2");
	assert_line(m, "hugepaged_last_reload_timestamp_seconds{backend=\"dry-run\"} 1.500000");
	assert_line(m, "hugepaged_last_decision_timestamp_seconds{backend=\"dry-run\"} 2.500000");
	assert_line(m, "hugepaged_policy_errors{backend=\"dry-run\"} 1");
	/* No backend readout: no figures, no kdamond count. */
	assert_int_equal(count_prefix(m, "hugepaged_kdamonds_in_use"), 0);
	assert_int_equal(count_prefix(m, "# HELP hugepaged_group_state"), 0);
}

/* A decision this hugepagectl does not know (a newer daemon's) is listed too. */
static void test_unknown_decision(void **state)
{
	_cleanup_(hp_status_done) struct hp_status s = { 0 };
	_cleanup_(freep) char *m = NULL;
	unsigned line = 0;

	(void)state;
	assert_int_equal(hp_status_parse("# hugepaged 1\n"
					 "daemon pid=1 updated_us=1 backend=damon kdamond_limit=4 matched=1 fed=0 "
					 "system=ok memory_some_bp=0 cpu_some_bp=0 reason=\n"
					 "group path=/x policy=p priority=0 decision=from-the-future rank=0 reason=a newer daemon\n",
					 &s, &line),
			 0);
	m = metrics_of(&s, true, NULL);
	assert_line(m, "hugepaged_groups{backend=\"damon\",decision=\"from-the-future\"} 1");
	assert_line(m, "hugepaged_groups{backend=\"damon\",decision=\"fed\"} 0");
	assert_line(m, "hugepaged_group_decision{backend=\"damon\",group=\"/x\",decision=\"from-the-future\"} 1");
	assert_int_equal(count_prefix(m, "hugepaged_group_decision{"), _HP_DECISION_MAX + 1);
}

/* The damon backend's kernel view comes from its status, labelled damon. */
static void test_damon_backend(void **state)
{
	_cleanup_(hp_status_done) struct hp_status s = { 0 };
	_cleanup_(freep) char *m = NULL;

	(void)state;
	load_fixture("status/hugepaged-status-damon", false, &s);
	assert_true(s.has_kernel);
	m = metrics_of(&s, true, &s.kernel);
	assert_line(m, "hugepaged_up{backend=\"damon\"} 1");
	assert_line(m, "hugepaged_kdamonds_in_use{backend=\"damon\"} 1");
	assert_line(m, "hugepaged_group_decision{backend=\"damon\",group=\"/C\",decision=\"waiting\"} 1");
	assert_line(m, "hugepaged_group_state{backend=\"damon\",group=\"/A\",state=\"running\"} 1");
	assert_line(m, "hugepaged_group_state{backend=\"damon\",group=\"/C\",state=\"waiting\"} 1");
	assert_line(m, "hugepaged_group_processes{backend=\"damon\",group=\"/A\"} 2");
	assert_line(m, "hugepaged_group_collapsed_bytes_total{backend=\"damon\",group=\"/A\"} 67108864");
	assert_int_equal(count_prefix(m, "hugepaged_group_state{backend=\"module\""), 0);
}

/* The status' new field survives a round trip. */
static void test_reload_errors_roundtrip(void **state)
{
	struct hp_status s = { .backend = "module", .reloads = 4, .reload_errors = 3 };
	_cleanup_(hp_status_done) struct hp_status back = { 0 };
	_cleanup_(freep) char *text = NULL;
	unsigned line = 0;

	(void)state;
	assert_int_equal(hp_status_format(&s, &text), 0);
	assert_non_null(strstr(text, " reload_errors=3 "));
	assert_int_equal(hp_status_parse(text, &back, &line), 0);
	assert_int_equal(back.reloads, 4);
	assert_int_equal(back.reload_errors, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture),
		cmocka_unit_test(test_stale),
		cmocka_unit_test(test_nothing),
		cmocka_unit_test(test_label_escaping),
		cmocka_unit_test(test_unknown_decision),
		cmocka_unit_test(test_damon_backend),
		cmocka_unit_test(test_reload_errors_roundtrip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
