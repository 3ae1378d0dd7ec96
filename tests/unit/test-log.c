// SPDX-License-Identifier: GPL-2.0-or-later
/* policyd/log.c: journal fields, and stderr when the journal is away. */
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util.h"

#define MAX_ENTRIES 8

static char entries[MAX_ENTRIES][4096];
static size_t n_entries;
static int journal_error;

/* Stands in for sd_journal_sendv(): keeps "KEY=value\n..." per entry. */
static int fake_journal(const struct iovec *iov, int n)
{
	char *e;

	if (journal_error)
		return journal_error;
	assert_true(n_entries < MAX_ENTRIES);
	e = entries[n_entries++];
	e[0] = '\0';
	for (int i = 0; i < n; i++) {
		strncat(e, iov[i].iov_base, iov[i].iov_len);
		strcat(e, "\n");
	}
	return 0;
}

static bool has_field(const char *entry, const char *field)
{
	char line[512];

	snprintf(line, sizeof(line), "%s\n", field);
	return !strncmp(entry, line, strlen(line)) || strstr(entry, line) != NULL;
}

static void test_journal_fields(void **state)
{
	char line_field[64];
	int line;

	(void)state;
	n_entries = 0;
	journal_error = 0;
	log_set_journal(fake_journal);
	line = __LINE__ + 1;
	log_full(LOG_INFO, 0, &(struct log_fields){ .cgroup = "/db.slice", .decision = "fed", .reason = "rank 1",
						     .message_id = HP_MESSAGE_DECISION },
		 "%s: %s", "/db.slice", "fed");
	log_error_errno(-ENOENT, "no %s", "file");
	log_set_journal(NULL);
	assert_int_equal(n_entries, 2);
	print_message("%s---\n%s", entries[0], entries[1]);
	assert_true(has_field(entries[0], "MESSAGE=/db.slice: fed"));
	assert_true(has_field(entries[0], "MESSAGE_ID=" HP_MESSAGE_DECISION));
	assert_true(has_field(entries[0], "HUGEPAGED_CGROUP=/db.slice"));
	assert_true(has_field(entries[0], "HUGEPAGED_DECISION=fed"));
	assert_true(has_field(entries[0], "HUGEPAGED_REASON=rank 1"));
	assert_true(has_field(entries[0], "PRIORITY=6"));
	assert_true(has_field(entries[0], "CODE_FUNC=test_journal_fields"));
	snprintf(line_field, sizeof(line_field), "CODE_LINE=%d", line);
	assert_true(has_field(entries[0], line_field));
	assert_non_null(strstr(entries[0], "CODE_FILE="));
	assert_non_null(strstr(entries[0], "test-log.c\n"));
	assert_true(has_field(entries[1], "MESSAGE=no file: No such file or directory"));
	assert_true(has_field(entries[1], "ERRNO=2"));
	assert_null(strstr(entries[1], "MESSAGE_ID="));
}

/* journald away: the message goes to stderr, not nowhere. */
static void test_journal_away(void **state)
{
	int saved = dup(STDERR_FILENO), mem = memfd_create("stderr", MFD_CLOEXEC);
	char buf[512] = "";
	ssize_t n;

	(void)state;
	assert_true(saved >= 0 && mem >= 0);
	n_entries = 0;
	journal_error = -ECONNREFUSED;
	log_set_journal(fake_journal);
	assert_int_equal(dup2(mem, STDERR_FILENO), STDERR_FILENO);
	log_warning("journald is %s", "away");
	assert_int_equal(dup2(saved, STDERR_FILENO), STDERR_FILENO);
	log_set_journal(NULL);
	close(saved);
	assert_int_equal(n_entries, 0);
	n = pread(mem, buf, sizeof(buf) - 1, 0);
	close(mem);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(buf, "hugepaged: journald is away\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_journal_fields),
		cmocka_unit_test(test_journal_away),
	};

	log_set_max_level(LOG_DEBUG);
	return cmocka_run_group_tests_name("log", tests, NULL, NULL);
}
