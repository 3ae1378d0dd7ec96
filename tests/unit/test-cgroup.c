// SPDX-License-Identifier: GPL-2.0-or-later
/* Readers and tree walk of policyd/cgroup.c on tests/fixtures/cgroup/. */
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"

#define MiB (1ULL << 20)

static int open_fixture_dir(const char *rel)
{
	int fd = open(fixture(rel), O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		fail_msg("cannot open %s: %s", fixture(rel), strerror(errno));
	return fd;
}

static int setup_root(void **state)
{
	int *fd = malloc(sizeof(*fd));

	if (!fd)
		return -1;
	*fd = open_fixture_dir("cgroup");
	*state = fd;
	return 0;
}

static int teardown_root(void **state)
{
	int *fd = *state;

	close(*fd);
	free(fd);
	return 0;
}

static void test_populated(void **state)
{
	int root = *(int *)*state;
	bool p;

	p = false;
	assert_int_equal(hp_cgroup_read_populated(root, "/db.slice", &p), 0);
	assert_true(p);
	p = false;
	assert_int_equal(hp_cgroup_read_populated(root, "/db.slice/postgres.service", &p), 0);
	assert_true(p);
	p = true;
	assert_int_equal(hp_cgroup_read_populated(root, "/web.slice", &p), 0);
	assert_false(p);
	/* "populated 0" followed by "frozen 1": the right line is taken. */
	p = true;
	assert_int_equal(hp_cgroup_read_populated(root, "/web.slice/nginx.service", &p), 0);
	assert_false(p);
	/* Without the leading slash, the same. */
	p = false;
	assert_int_equal(hp_cgroup_read_populated(root, "db.slice", &p), 0);
	assert_true(p);
}

static void test_populated_errors(void **state)
{
	int root = *(int *)*state;
	bool p = true;

	/* The root cgroup has no cgroup.events. */
	assert_int_equal(hp_cgroup_read_populated(root, "/", &p), -ENOENT);
	assert_int_equal(hp_cgroup_read_populated(root, "/gone.service", &p), -ENOENT);
	/* The file is there but has no "populated" line. */
	assert_int_equal(hp_cgroup_read_populated(root, "/bad.slice", &p), -EINVAL);
	assert_true(p);
}

static void test_memory(void **state)
{
	int root = *(int *)*state;
	uint64_t anon = 1, thp = 1;

	assert_int_equal(hp_cgroup_read_memory(root, "/db.slice", &anon, &thp), 0);
	assert_true(anon == 128 * MiB);
	assert_true(thp == 4 * MiB);
	assert_int_equal(hp_cgroup_read_memory(root, "/", &anon, &thp), 0);
	assert_true(anon == 512 * MiB);
	assert_true(thp == 8 * MiB);
	anon = thp = 1;
	assert_int_equal(hp_cgroup_read_memory(root, "/web.slice/nginx.service", &anon, &thp), 0);
	assert_true(anon == 0);
	assert_true(thp == 0);
}

static void test_memory_errors(void **state)
{
	int root = *(int *)*state;
	uint64_t anon = 42, thp = 43;

	assert_int_equal(hp_cgroup_read_memory(root, "/gone.service", &anon, &thp), -ENOENT);
	/* "anon_thp" and "anonymous" are not "anon". */
	assert_int_equal(hp_cgroup_read_memory(root, "/bad.slice", &anon, &thp), -EINVAL);
	assert_true(anon == 42);
	assert_true(thp == 43);
}

static void memory_text_bad(const char *text)
{
	uint64_t anon = 42, thp = 43;

	print_message("hp_memory_stat_parse(\"%s\") must fail\n", text);
	assert_int_equal(hp_memory_stat_parse(text, &anon, &thp), -EINVAL);
	assert_true(anon == 42 && thp == 43);
}

static void events_text_bad(const char *text)
{
	bool p = true;

	print_message("hp_cgroup_events_parse(\"%s\") must fail\n", text);
	assert_int_equal(hp_cgroup_events_parse(text, &p), -EINVAL);
	assert_true(p);
}

/* The kernel's forms only: "key %llu" per line. */
static void test_text_strict(void **state)
{
	uint64_t anon = 0, thp = 0;
	bool p = false;

	(void)state;
	assert_int_equal(hp_memory_stat_parse("anon 5\nfile 7\nanon_thp 2\n", &anon, &thp), 0);
	assert_true(anon == 5 && thp == 2);
	assert_int_equal(hp_memory_stat_parse("file 1\nanon 18446744073709551615", &anon, &thp), 0);
	assert_true(anon == UINT64_MAX && thp == 0);
	memory_text_bad("anon -1\n");
	memory_text_bad("anon +5\n");
	memory_text_bad("anon  5\n");
	memory_text_bad("anon 5x\n");
	memory_text_bad("anon 5 \n");
	memory_text_bad("anon 0x5\n");
	memory_text_bad("anon 18446744073709551616\n");
	memory_text_bad("anon 5\nanon_thp -1\n");
	memory_text_bad("anonymous 5\n");

	assert_int_equal(hp_cgroup_events_parse("populated 1\nfrozen 0\n", &p), 0);
	assert_true(p);
	assert_int_equal(hp_cgroup_events_parse("frozen 0\npopulated 0", &p), 0);
	assert_false(p);
	events_text_bad("populated -1\n");
	events_text_bad("populated 2\n");
	events_text_bad("populated  1\n");
	events_text_bad("populated +1\n");
	events_text_bad("frozen 1\n");
}

static void test_psi(void **state)
{
	int root = *(int *)*state;
	_cleanup_(closep) int proc = open_fixture_dir("proc/pressure");
	uint64_t total = 1;
	unsigned avg10 = 1;

	assert_int_equal(hp_psi_read(root, "db.slice/memory.pressure", &total, &avg10), 0);
	assert_true(total == 123456);
	assert_int_equal(avg10, 123);
	assert_int_equal(hp_psi_read(root, "db.slice/postgres.service/memory.pressure", &total, &avg10), 0);
	assert_true(total == 9876543210ULL);
	assert_int_equal(avg10, 1234);
	assert_int_equal(hp_psi_read(root, "memory.pressure", &total, &avg10), 0);
	assert_true(total == 0);
	assert_int_equal(avg10, 0);

	/* System-wide files, relative to a /proc/pressure directory. */
	assert_int_equal(hp_psi_read(proc, "memory", &total, &avg10), 0);
	assert_true(total == 500000);
	assert_int_equal(avg10, 2500);
	assert_int_equal(hp_psi_read(proc, "cpu", &total, &avg10), 0);
	assert_true(total == 77777777);
	assert_int_equal(avg10, 8050);

	total = 7;
	avg10 = 7;
	assert_int_equal(hp_psi_read(proc, "io", &total, &avg10), -ENOENT);
	assert_int_equal(hp_psi_read(root, "gone.service/memory.pressure", &total, &avg10), -ENOENT);
	/* Only a "full" line. */
	assert_int_equal(hp_psi_read(root, "bad.slice/memory.pressure", &total, &avg10), -EINVAL);
	assert_true(total == 7);
	assert_int_equal(avg10, 7);

	/* An absolute path with AT_FDCWD works too. */
	assert_int_equal(hp_psi_read(AT_FDCWD, fixture("proc/pressure/cpu"), &total, &avg10), 0);
	assert_true(total == 77777777);
}

static void test_read_file_missing(void **state)
{
	int root = *(int *)*state;
	char *text = (char *)0x1;

	assert_int_equal(read_file_at(root, "no-such-file", &text), -ENOENT);
	assert_ptr_equal(text, (char *)0x1);
	assert_int_equal(read_file_at(root, "db.slice/cgroup.events", &text), 0);
	assert_string_equal(text, "populated 1\nfrozen 0\n");
	free(text);
	/* An empty file reads as "". */
	assert_int_equal(read_file_at(root, "web.slice/cgroup.procs", &text), 0);
	assert_string_equal(text, "");
	free(text);
}

#define MAX_SEEN 32

struct seen {
	size_t n;
	char *paths[MAX_SEEN];
	int stop_after;		/* return -ECANCELED on this call (1-based), 0: never */
};

static int collect(const char *path, void *userdata)
{
	struct seen *s = userdata;

	print_message("  visit %s\n", path);
	assert_true(s->n < MAX_SEEN);
	s->paths[s->n++] = strdup(path);
	if (s->stop_after && (int)s->n == s->stop_after)
		return -ECANCELED;
	return 0;
}

static int strcmp_ptr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void seen_free(struct seen *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->paths[i]);
	s->n = 0;
}

static void test_walk(void **state)
{
	static const char *const want[] = {
		"/",
		"/bad.slice",
		"/db.slice",
		"/db.slice/postgres.service",
		"/web.slice",
		"/web.slice/nginx.service",
	};
	int root = *(int *)*state;
	struct seen s = { 0 };

	assert_int_equal(hp_cgroup_walk(root, collect, &s), (int)ELEMENTSOF(want));
	assert_int_equal(s.n, ELEMENTSOF(want));
	/* The root first, then each directory once (in readdir order). */
	assert_string_equal(s.paths[0], "/");
	qsort(s.paths, s.n, sizeof(s.paths[0]), strcmp_ptr);
	for (size_t i = 0; i < s.n; i++)
		assert_string_equal(s.paths[i], want[i]);
	seen_free(&s);

	/* The walk does not move root_fd: a second walk sees the same. */
	assert_int_equal(hp_cgroup_walk(root, collect, &s), (int)ELEMENTSOF(want));
	seen_free(&s);
}

static void test_walk_parent_first(void **state)
{
	int root = *(int *)*state;
	struct seen s = { 0 };

	assert_int_equal(hp_cgroup_walk(root, collect, &s), 6);
	/* A directory is visited before the directories inside it. */
	for (size_t i = 0; i < s.n; i++) {
		const char *slash = strrchr(s.paths[i], '/');
		size_t plen = (size_t)(slash - s.paths[i]);
		bool parent_before = plen == 0;

		for (size_t j = 0; j < i && !parent_before; j++)
			parent_before = strlen(s.paths[j]) == plen && !strncmp(s.paths[j], s.paths[i], plen);
		if (!parent_before)
			fail_msg("%s visited before its parent", s.paths[i]);
	}
	seen_free(&s);
}

struct ino_check {
	int root;
	unsigned n;
};

/* Each path's inode is the one stat() gives; counts the visits. */
static int check_ino(const char *path, uint64_t ino, void *userdata)
{
	struct ino_check *c = userdata;
	struct stat st;

	assert_int_equal(fstatat(c->root, path[1] ? path + 1 : ".", &st, 0), 0);
	assert_true(st.st_ino == ino);
	c->n++;
	return 0;
}

/* Deep trees, directories with many entries, leaves at every depth. */
static void test_walk_tree(void **state)
{
	char dir[] = "/tmp/test-cgroup.XXXXXX", path[256], cmd[300];
	struct ino_check c = { 0 };
	unsigned want = 1;

	(void)state;
	assert_non_null(mkdtemp(dir));
	for (int i = 0; i < 600; i++) {
		snprintf(path, sizeof(path), "%s/wide-with-a-long-name-%04d.service", dir, i);
		assert_int_equal(mkdir(path, 0755), 0);
		want++;
	}
	snprintf(path, sizeof(path), "%s/deep", dir);
	for (int i = 0; i < 12; i++) {
		assert_int_equal(mkdir(path, 0755), 0);
		want++;
		/* A file and a leaf beside each level. */
		snprintf(cmd, sizeof(cmd), "%s/leaf", path);
		assert_int_equal(mkdir(cmd, 0755), 0);
		want++;
		snprintf(cmd, sizeof(cmd), "%s/cgroup.procs", path);
		assert_int_equal(close(open(cmd, O_WRONLY | O_CREAT | O_CLOEXEC, 0644)), 0);
		strcat(path, "/d");
	}
	c.root = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(c.root >= 0);
	assert_int_equal(hp_cgroup_walk_ino(c.root, check_ino, NULL, &c), (int)want);
	assert_int_equal(c.n, want);
	close(c.root);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static void test_walk_stop(void **state)
{
	int root = *(int *)*state;

	for (int stop = 1; stop <= 6; stop++) {
		struct seen s = { .stop_after = stop };

		print_message("stop at visit %d\n", stop);
		assert_int_equal(hp_cgroup_walk(root, collect, &s), -ECANCELED);
		assert_int_equal(s.n, stop);
		seen_free(&s);
	}
}

static void test_walk_bad_fd(void **state)
{
	struct seen s = { 0 };
	int fd = open(fixture("cgroup/db.slice/cgroup.events"), O_RDONLY | O_CLOEXEC);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(hp_cgroup_walk(fd, collect, &s), -ENOTDIR);
	assert_int_equal(s.n, 0);
	close(fd);
}


static void test_thp_disabled(void **state)
{
	int root = open_fixture_dir("thp/cgroup"), proc = open_fixture_dir("thp/proc");
	unsigned procs = 99, disabled = 99;

	(void)state;
	assert_true(hp_proc_status_thp_disabled("Name:\tx\nTHP_enabled:\t0\n"));
	assert_false(hp_proc_status_thp_disabled("Name:\tx\nTHP_enabled:\t1\n"));
	/* Kernels without the line (no CONFIG_TRANSPARENT_HUGEPAGE): not disabled. */
	assert_false(hp_proc_status_thp_disabled("Name:\tx\n"));

	/* The group and every cgroup below it. */
	assert_int_equal(hp_cgroup_count_thp_disabled(root, "/off.slice", proc, &procs, &disabled), 0);
	assert_int_equal(procs, 2);
	assert_int_equal(disabled, 2);
	assert_int_equal(hp_cgroup_count_thp_disabled(root, "/mixed.slice", proc, &procs, &disabled), 0);
	assert_int_equal(procs, 2);	/* 999 has exited */
	assert_int_equal(disabled, 1);
	assert_int_equal(hp_cgroup_count_thp_disabled(root, "/", proc, &procs, &disabled), 0);
	assert_int_equal(procs, 4);
	assert_int_equal(disabled, 3);
	assert_int_equal(hp_cgroup_count_thp_disabled(root, "/gone.slice", proc, &procs, &disabled), -ENOENT);
	close(root);
	close(proc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_strict),
		cmocka_unit_test_setup_teardown(test_populated, setup_root, teardown_root),
		cmocka_unit_test_setup_teardown(test_populated_errors, setup_root, teardown_root),
		cmocka_unit_test_setup_teardown(test_memory, setup_root, teardown_root),
		cmocka_unit_test_setup_teardown(test_memory_errors, setup_root, teardown_root),
		cmocka_unit_test_setup_teardown(test_psi, setup_root, teardown_root),
		cmocka_unit_test_setup_teardown(test_read_file_missing, setup_root, teardown_root),
		cmocka_unit_test_setup_teardown(test_walk, setup_root, teardown_root),
		cmocka_unit_test_setup_teardown(test_walk_parent_first, setup_root, teardown_root),
		cmocka_unit_test_setup_teardown(test_walk_stop, setup_root, teardown_root),
		cmocka_unit_test(test_walk_tree),
		cmocka_unit_test(test_walk_bad_fd),
		cmocka_unit_test(test_thp_disabled),
	};

	return cmocka_run_group_tests_name("cgroup", tests, NULL, NULL);
}
