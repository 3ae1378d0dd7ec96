// SPDX-License-Identifier: GPL-2.0-or-later
/* Value parsers and formatters of policyd/util.c. */
#include "unit.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "util.h"

#define SENTINEL_U64 0xdeadbeefcafef00dULL

static void size_ok(const char *s, uint64_t want)
{
	uint64_t v = SENTINEL_U64;

	print_message("parse_size(\"%s\")\n", s);
	assert_int_equal(parse_size(s, &v), 0);
	assert_true(v == want);
}

static void size_bad(const char *s, int want)
{
	uint64_t v = SENTINEL_U64;

	print_message("parse_size(\"%s\") must fail\n", s);
	assert_int_equal(parse_size(s, &v), want);
	/* *ret is set only on success. */
	assert_true(v == SENTINEL_U64);
}

static void test_parse_size_good(void **state)
{
	(void)state;
	size_ok("0", 0);
	size_ok("4096", 4096);
	size_ok("4096B", 4096);
	size_ok("1K", 1024);
	size_ok("1KiB", 1024);
	size_ok("1.5K", 1536);
	size_ok("64M", 64ULL << 20);
	size_ok("2MiB", 2ULL << 20);
	size_ok("1G", 1ULL << 30);
	size_ok("3GiB", 3ULL << 30);
	size_ok("2T", 2ULL << 40);
	size_ok("0.5G", 512ULL << 20);
	/* The largest whole number of TiB that fits. */
	size_ok("16777215T", 16777215ULL << 40);
}

static void test_parse_size_bad(void **state)
{
	(void)state;
	size_bad("", -EINVAL);
	size_bad(" ", -EINVAL);
	size_bad("-1", -EINVAL);
	size_bad("-64M", -EINVAL);
	size_bad("M", -EINVAL);
	size_bad("abc", -EINVAL);
	size_bad("64X", -EINVAL);
	size_bad("64Mx", -EINVAL);
	size_bad("64MB", -EINVAL);
	size_bad("64m", -EINVAL);
	size_bad("64M ", -EINVAL);
	size_bad("1 2", -EINVAL);
	size_bad(".", -EINVAL);
	size_bad("inf", -EINVAL);
	size_bad("nan", -EINVAL);
	/* Overflow: 2^64 bytes and more. */
	size_bad("16777216T", -ERANGE);
	size_bad("18446744073709551616", -ERANGE);
	size_bad("99999999999999999999999G", -ERANGE);
	/* Forms hugepaged.conf(5) does not describe. */
	size_bad(" 64M", -EINVAL);
	size_bad("64 M", -EINVAL);
	size_bad("+64M", -EINVAL);
	size_bad("0x40M", -EINVAL);
	size_bad("0x1p4", -EINVAL);
	size_bad("1e3", -EINVAL);
	size_bad(".5G", -EINVAL);
	size_bad("5.G", -EINVAL);
	size_bad("5.", -EINVAL);
	size_bad("1..5G", -EINVAL);
	size_bad("infinity", -EINVAL);
	size_bad("\t64M", -EINVAL);
}

static void test_parse_size_exact(void **state)
{
	(void)state;
	/* Integer arithmetic: exact at the top of the range, rounded halves up. */
	size_ok("18446744073709551615", UINT64_MAX);
	size_ok("18446744073709551615B", UINT64_MAX);
	size_bad("18446744073709551616B", -ERANGE);
	size_ok("15.999999999999999999T", 16ULL << 40);
	size_ok("0.0000000000000000001K", 0);
	size_ok("1.0009765625K", 1025);
	size_ok("1.00048828125K", 1025);	/* 1024.5 rounds up */
	size_ok("0007M", 7ULL << 20);
}

static void pct_ok(const char *s, unsigned want)
{
	unsigned v = 4242;

	print_message("parse_percent_bp(\"%s\")\n", s);
	assert_int_equal(parse_percent_bp(s, &v), 0);
	assert_int_equal(v, want);
}

static void pct_bad(const char *s, int want)
{
	unsigned v = 4242;

	print_message("parse_percent_bp(\"%s\") must fail\n", s);
	assert_int_equal(parse_percent_bp(s, &v), want);
	assert_int_equal(v, 4242);
}

static void test_parse_percent(void **state)
{
	(void)state;
	pct_ok("0%", 0);
	pct_ok("20%", 2000);
	pct_ok("12.5%", 1250);
	pct_ok("0.5%", 50);
	pct_ok("0.01%", 1);
	pct_ok("33.33%", 3333);
	pct_ok("100%", 10000);
	pct_ok("100.0%", 10000);

	pct_bad("", -EINVAL);
	pct_bad("%", -EINVAL);
	pct_bad("20", -EINVAL);		/* the % is required */
	pct_bad("-5%", -EINVAL);
	pct_bad("20%%", -EINVAL);
	pct_bad("20%x", -EINVAL);
	pct_bad("20 percent", -EINVAL);
	pct_bad("abc%", -EINVAL);
	pct_bad("100.01%", -ERANGE);
	pct_bad("101%", -ERANGE);
	pct_bad("1000000%", -ERANGE);
	pct_bad("+5%", -EINVAL);
	pct_bad("0x32%", -EINVAL);
	pct_bad(".5%", -EINVAL);
	pct_bad("5.%", -EINVAL);
	pct_bad("5 %", -EINVAL);
	pct_bad(" 5%", -EINVAL);
	pct_bad("1e1%", -EINVAL);
	pct_bad("nan%", -EINVAL);
	pct_bad("99999999999999999999999%", -ERANGE);
	pct_ok("12.345%", 1235);		/* two decimals count, rounded */
	pct_ok("99.999%", 10000);
}

static void dur_ok(const char *s, usec_t want)
{
	usec_t v = SENTINEL_U64;

	print_message("parse_duration(\"%s\")\n", s);
	assert_int_equal(parse_duration(s, &v), 0);
	assert_true(v == want);
}

static void dur_bad(const char *s, int want)
{
	usec_t v = SENTINEL_U64;

	print_message("parse_duration(\"%s\") must fail\n", s);
	assert_int_equal(parse_duration(s, &v), want);
	assert_true(v == SENTINEL_U64);
}

static void test_parse_duration(void **state)
{
	(void)state;
	dur_ok("0", 0);
	dur_ok("5", 5 * USEC_PER_SEC);		/* a bare number is seconds */
	dur_ok("1.5", 1500 * USEC_PER_MSEC);
	dur_ok("500ms", 500 * USEC_PER_MSEC);
	dur_ok("500msec", 500 * USEC_PER_MSEC);
	dur_ok("2s", 2 * USEC_PER_SEC);
	dur_ok("2sec", 2 * USEC_PER_SEC);
	dur_ok("250us", 250);
	dur_ok("1min", 60 * USEC_PER_SEC);
	dur_ok("2m", 120 * USEC_PER_SEC);
	dur_ok("1h", 3600 * USEC_PER_SEC);
	dur_ok("0.5s", 500 * USEC_PER_MSEC);

	dur_bad("", -EINVAL);
	dur_bad("s", -EINVAL);
	dur_bad("-1", -EINVAL);
	dur_bad("-5s", -EINVAL);
	dur_bad("5x", -EINVAL);
	dur_bad("5sx", -EINVAL);
	dur_bad("5 seconds", -EINVAL);
	dur_bad("1d", -EINVAL);
	dur_bad("soon", -EINVAL);
	/* More than 1e15 us (~31 years). */
	dur_bad("300000h", -ERANGE);
	dur_bad("1000000000000000001us", -ERANGE);
	dur_ok("1000000000000000us", 1000000000000000ULL);
	/* Forms hugepaged.conf(5) does not describe. */
	dur_bad("1e20", -EINVAL);
	dur_bad("+5", -EINVAL);
	dur_bad("0x10s", -EINVAL);
	dur_bad("0x1p4", -EINVAL);
	dur_bad(".5", -EINVAL);
	dur_bad("5.", -EINVAL);
	dur_bad("5 s", -EINVAL);
	dur_bad(" 5s", -EINVAL);
	dur_bad("5s ", -EINVAL);
	dur_bad("inf", -EINVAL);
	dur_bad("5S", -EINVAL);
}

static void bool_ok(const char *s, bool want)
{
	bool v = !want;

	print_message("parse_bool(\"%s\")\n", s);
	assert_int_equal(parse_bool(s, &v), 0);
	assert_int_equal(v, want);
}

static void bool_bad(const char *s)
{
	bool v = true;

	print_message("parse_bool(\"%s\") must fail\n", s);
	assert_int_equal(parse_bool(s, &v), -EINVAL);
	assert_true(v);
	v = false;
	assert_int_equal(parse_bool(s, &v), -EINVAL);
	assert_false(v);
}

static void test_parse_bool(void **state)
{
	(void)state;
	bool_ok("1", true);
	bool_ok("yes", true);
	bool_ok("y", true);
	bool_ok("true", true);
	bool_ok("on", true);
	bool_ok("YES", true);
	bool_ok("True", true);
	bool_ok("0", false);
	bool_ok("no", false);
	bool_ok("n", false);
	bool_ok("false", false);
	bool_ok("off", false);
	bool_ok("OFF", false);

	bool_bad("");
	bool_bad("2");
	bool_bad("-1");
	bool_bad("yess");
	bool_bad("maybe");
	bool_bad(" yes");
	bool_bad("yes ");
	bool_bad("enable");
}

static void int_ok(const char *s, long min, long max, long want)
{
	long v = 4242;

	print_message("parse_int_range(\"%s\", %ld, %ld)\n", s, min, max);
	assert_int_equal(parse_int_range(s, min, max, &v), 0);
	assert_int_equal(v, want);
}

static void int_bad(const char *s, long min, long max, int want)
{
	long v = 4242;
	int r;

	print_message("parse_int_range(\"%s\", %ld, %ld) must fail\n", s, min, max);
	r = parse_int_range(s, min, max, &v);
	if (want)
		assert_int_equal(r, want);
	else
		assert_true(r == -EINVAL || r == -ERANGE);
	assert_int_equal(v, 4242);
}

static void test_parse_int_range(void **state)
{
	(void)state;
	int_ok("42", 0, 100, 42);
	int_ok("0", 0, 100, 0);
	int_ok("100", 0, 100, 100);
	int_ok("-5", -10, 10, -5);
	int_ok("-1000", -1000, 1000, -1000);
	int_ok("1000", -1000, 1000, 1000);

	int_bad("", 0, 100, -EINVAL);
	int_bad("abc", 0, 100, -EINVAL);
	int_bad("12x", 0, 100, -EINVAL);
	int_bad("1.5", 0, 100, -EINVAL);
	int_bad("12 ", 0, 100, -EINVAL);
	int_bad("-", 0, 100, -EINVAL);
	int_bad("101", 0, 100, -ERANGE);
	int_bad("-1", 0, 100, -ERANGE);
	int_bad("-11", -10, 10, -ERANGE);
	int_bad("65", 1, 64, -ERANGE);
	int_bad("0", 1, 64, -ERANGE);
	/* Beyond long: any error will do, but an error it must be. */
	int_bad("99999999999999999999999", 0, 100, 0);
	int_bad("-99999999999999999999999", -100, 100, 0);
	/* Forms hugepaged.conf(5) does not describe. */
	int_bad("+5", 0, 100, -EINVAL);
	int_bad(" 5", 0, 100, -EINVAL);
	int_bad("5 ", 0, 100, -EINVAL);
	int_bad("0x10", 0, 100, -EINVAL);
	int_bad("--5", -10, 10, -EINVAL);
	int_bad("- 5", -10, 10, -EINVAL);
	int_ok("-0", -10, 10, 0);
	int_ok("007", 0, 10, 7);
}

static void u64_ok(const char *s, uint64_t want)
{
	uint64_t v = SENTINEL_U64;

	print_message("parse_u64(\"%s\")\n", s);
	assert_int_equal(parse_u64(s, &v), 0);
	assert_true(v == want);
}

static void u64_bad(const char *s, int want)
{
	uint64_t v = SENTINEL_U64;

	print_message("parse_u64(\"%s\") must fail\n", s);
	assert_int_equal(parse_u64(s, &v), want);
	assert_true(v == SENTINEL_U64);
}

static void test_parse_u64(void **state)
{
	(void)state;
	u64_ok("0", 0);
	u64_ok("18446744073709551615", UINT64_MAX);
	u64_bad("18446744073709551616", -ERANGE);
	u64_bad("", -EINVAL);
	u64_bad("-1", -EINVAL);
	u64_bad(" -1", -EINVAL);
	u64_bad(" 1", -EINVAL);
	u64_bad("+1", -EINVAL);
	u64_bad("1 ", -EINVAL);
	u64_bad("0x1", -EINVAL);
}

static void test_format(void **state)
{
	char buf[32];

	(void)state;
	assert_string_equal(format_bytes(buf, sizeof(buf), 0), "0 B");
	assert_string_equal(format_bytes(buf, sizeof(buf), 1023), "1023 B");
	assert_string_equal(format_bytes(buf, sizeof(buf), 1024), "1.0 KiB");
	assert_string_equal(format_bytes(buf, sizeof(buf), 64ULL << 20), "64.0 MiB");
	assert_string_equal(format_bytes(buf, sizeof(buf), 3ULL << 29), "1.5 GiB");
	assert_string_equal(format_bytes(buf, sizeof(buf), 2048ULL << 40), "2048.0 TiB");
	assert_string_equal(format_bp(buf, sizeof(buf), 0), "0.00%");
	assert_string_equal(format_bp(buf, sizeof(buf), 1250), "12.50%");
	assert_string_equal(format_bp(buf, sizeof(buf), 5), "0.05%");
	assert_string_equal(format_bp(buf, sizeof(buf), 10000), "100.00%");
}

static void test_strv(void **state)
{
	_cleanup_(strv_freep) char **v = NULL;

	(void)state;
	assert_int_equal(strv_len(v), 0);
	assert_int_equal(strv_push(&v, "a"), 0);
	assert_int_equal(strv_push(&v, "bc"), 0);
	assert_int_equal(strv_len(v), 2);
	assert_string_equal(v[0], "a");
	assert_string_equal(v[1], "bc");
	assert_null(v[2]);
}

/* Growth is geometric: a long list built one entry at a time stays intact. */
static void test_strv_long(void **state)
{
	_cleanup_(strv_freep) char **v = NULL, **w = NULL;
	size_t n = 0;
	char buf[32];

	(void)state;
	for (unsigned i = 0; i < 100000; i++) {
		snprintf(buf, sizeof(buf), "/g%u", i);
		assert_int_equal(strv_push_len(&v, &n, buf), 0);
	}
	assert_int_equal(n, 100000);
	assert_int_equal(strv_len(v), 100000);
	assert_string_equal(v[99999], "/g99999");
	/* Shrunk in place, then pushed onto again. */
	assert_int_equal(strv_remove_under(v, "/g1"), 1);
	n = strv_len(v);
	for (unsigned i = 0; i < 1000; i++)
		assert_int_equal(strv_push(&v, "/x"), 0);
	assert_int_equal(strv_len(v), n + 1000);
	assert_string_equal(v[n + 999], "/x");
	/* strv_push() and strv_push_len() grow the same lists. */
	for (unsigned i = 0; i < 37; i++)
		assert_int_equal(strv_push(&w, "w"), 0);
	n = 37;
	assert_int_equal(strv_push_len(&w, &n, "z"), 0);
	assert_string_equal(w[37], "z");
	assert_null(w[38]);
}

static void test_siphash(void **state)
{
	unsigned char msg[15];

	(void)state;
	/* The reference vector of the SipHash paper (Aumasson, Bernstein 2012). */
	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (unsigned char)i;
	assert_true(siphash24(msg, sizeof(msg), 0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL) ==
		    0xa129ca6149be45e5ULL);
	/* Empty input, from the paper's table of 64 vectors (first entry). */
	assert_true(siphash24("", 0, 0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL) == 0x726fdb47dd0e0e31ULL);
}

static bool key_has_prefix(const char *key, void *value, void *userdata)
{
	(void)value;
	return path_startswith(key, userdata);
}

static unsigned freed_values;
static void count_free(void *value)
{
	(void)value;
	freed_values++;
}

static void test_strmap(void **state)
{
	struct strmap m = { 0 };
	char key[32];
	const char *k;
	void *v;
	bool found;
	size_t n = 0;

	(void)state;
	assert_null(strmap_get(&m, "a", &found));
	assert_false(found);
	assert_false(strmap_remove(&m, "a", NULL));
	assert_int_equal(strmap_put(&m, "a", (void *)1), 1);
	assert_int_equal(strmap_put(&m, "a", (void *)2), 0);
	assert_int_equal(strmap_size(&m), 1);
	assert_ptr_equal(strmap_get(&m, "a", &found), (void *)2);
	assert_true(found);
	/* A NULL value is still an entry. */
	assert_int_equal(strmap_put(&m, "null", NULL), 1);
	assert_true(strmap_contains(&m, "null"));

	/* Many entries: growth, and removal keeps every other one reachable. */
	for (unsigned i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "/s%u/c%u", i % 50, i);
		assert_int_equal(strmap_put(&m, key, (void *)(uintptr_t)(i + 10)), 1);
	}
	assert_int_equal(strmap_size(&m), 5002);
	for (unsigned i = 0; i < 5000; i += 3) {
		snprintf(key, sizeof(key), "/s%u/c%u", i % 50, i);
		assert_true(strmap_remove(&m, key, &v));
		assert_ptr_equal(v, (void *)(uintptr_t)(i + 10));
	}
	for (unsigned i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "/s%u/c%u", i % 50, i);
		v = strmap_get(&m, key, &found);
		assert_int_equal(found, i % 3 != 0);
		if (found)
			assert_ptr_equal(v, (void *)(uintptr_t)(i + 10));
	}
	for (size_t i = 0; strmap_next(&m, &i, &k, &v);)
		n++;
	assert_int_equal(n, strmap_size(&m));

	/* Everything under /s7, and not /s70.. */
	freed_values = 0;
	n = strmap_remove_if(&m, key_has_prefix, "/s7", count_free);
	assert_int_equal(n, freed_values);
	assert_true(n > 0);
	for (unsigned i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "/s%u/c%u", i % 50, i);
		assert_int_equal(strmap_contains(&m, key), i % 3 != 0 && i % 50 != 7);
	}
	assert_true(strmap_contains(&m, "a"));
	freed_values = 0;
	n = strmap_size(&m);
	strmap_clear(&m, count_free);
	assert_int_equal(freed_values, n);
	assert_int_equal(strmap_size(&m), 0);
	assert_false(strmap_contains(&m, "a"));
	strmap_clear(&m, NULL);
}

static void test_utf8(void **state)
{
	(void)state;
	assert_true(utf8_valid("", 0));
	assert_true(utf8_valid("plain", 5));
	assert_true(utf8_valid("\xc3\xa9t\xc3\xa9", 6));		/* été */
	assert_true(utf8_valid("\xe2\x82\xac", 3));			/* U+20AC */
	assert_true(utf8_valid("\xf0\x9f\x98\x80", 4));		/* U+1F600 */
	assert_true(utf8_valid("\xf4\x8f\xbf\xbf", 4));		/* U+10FFFF */
	assert_false(utf8_valid("\xff", 1));
	assert_false(utf8_valid("\x80", 1));
	assert_false(utf8_valid("\xc3", 1));			/* cut short */
	assert_false(utf8_valid("\xc0\xaf", 2));			/* overlong '/' */
	assert_false(utf8_valid("\xe0\x80\xaf", 3));		/* overlong '/' */
	assert_false(utf8_valid("\xed\xa0\x80", 3));		/* a surrogate */
	assert_false(utf8_valid("\xf4\x90\x80\x80", 4));		/* beyond U+10FFFF */
	assert_false(utf8_valid("a\xe2\x82", 3));
}

/*
 * The temporary file is created exclusively under a name nobody can
 * guess: a link planted where a predictable name would be is not
 * followed, and nothing is left behind.
 */
static void test_write_atomic(void **state)
{
	char dir[] = "/tmp/test-util.XXXXXX", path[128], link[256], victim[128];
	_cleanup_(freep) char *text = NULL;
	struct stat st;
	DIR *d;
	struct dirent *de;
	int fd, n = 0;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/status", dir);
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	fd = open(victim, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "precious\n", 9), 9);
	close(fd);
	/* The name the old code used: path.tmp.PID. */
	snprintf(link, sizeof(link), "%s.tmp.%d", path, (int)getpid());
	assert_int_equal(symlink(victim, link), 0);

	assert_int_equal(write_file_atomic(path, "new\n", 4), 0);
	assert_int_equal(read_file_at(AT_FDCWD, victim, &text), 0);
	assert_string_equal(text, "precious\n");
	free(text);
	assert_int_equal(read_file_at(AT_FDCWD, path, &text), 0);
	assert_string_equal(text, "new\n");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	/* status, victim and the planted link: no temporary file left. */
	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	assert_int_equal(n, 3);
	unlink(link);
	unlink(victim);
	unlink(path);
	rmdir(dir);
}

static void test_take(void **state)
{
	_cleanup_(freep) char *owner = strdup("x");
	_cleanup_(closep) int fd = dup(0);
	char *taken;
	int tfd;

	(void)state;
	taken = TAKE_PTR(owner);
	assert_null(owner);
	assert_string_equal(taken, "x");
	free(taken);
	tfd = TAKE_FD(fd);
	assert_int_equal(fd, -1);
	assert_true(tfd >= 0);
	close(tfd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_size_good),
		cmocka_unit_test(test_parse_size_bad),
		cmocka_unit_test(test_parse_size_exact),
		cmocka_unit_test(test_parse_u64),
		cmocka_unit_test(test_parse_percent),
		cmocka_unit_test(test_parse_duration),
		cmocka_unit_test(test_parse_bool),
		cmocka_unit_test(test_parse_int_range),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_strv),
		cmocka_unit_test(test_strv_long),
		cmocka_unit_test(test_siphash),
		cmocka_unit_test(test_strmap),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_write_atomic),
		cmocka_unit_test(test_take),
	};

	return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
