// SPDX-License-Identifier: GPL-2.0-or-later
#include "log.h"

#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

static const char *log_ident = "hugepaged";
static int log_max_level = LOG_INFO;
static int log_to_journal;
static log_sink_t log_sink;
static void *log_sink_data;
/*
 * The journal's writer: none in the library (hugepagectl and the tests
 * need no libsystemd); the daemon gives sd_journal_sendv().
 */
static log_journal_fn log_journal_default;
static log_journal_fn log_journal;

/* stderr is the journal if JOURNAL_STREAM names its device and inode. */
static int stderr_is_journal(void)
{
	const char *e = getenv("JOURNAL_STREAM");
	unsigned long dev, ino;
	struct stat st;

	if (!e || sscanf(e, "%lu:%lu", &dev, &ino) != 2)
		return 0;
	if (fstat(STDERR_FILENO, &st) < 0)
		return 0;
	return st.st_dev == dev && st.st_ino == ino;
}

void log_setup(const char *ident)
{
	log_ident = ident;
	log_to_journal = stderr_is_journal();
}

void log_set_max_level(int level)
{
	log_max_level = level;
}

void log_set_sink(log_sink_t sink, void *userdata)
{
	log_sink = sink;
	log_sink_data = userdata;
}

void log_use_journal(log_journal_fn fn)
{
	log_journal_default = log_journal = fn;
}

void log_set_journal(log_journal_fn fn)
{
	log_journal = fn ? fn : log_journal_default;
	log_to_journal = fn ? 1 : stderr_is_journal();
}

static void add_field(struct iovec *iov, size_t *n, char **bufs, const char *key, const char *value)
{
	char *b;

	if (!value || asprintf(&b, "%s=%s", key, value) < 0)
		return;
	bufs[*n] = b;
	iov[*n] = (struct iovec){ .iov_base = b, .iov_len = strlen(b) };
	(*n)++;
}

#define MAX_FIELDS 16

/* One journal entry with the message and the structured fields given. */
static int journal_send(int level, int error, const struct log_fields *f, const char *code_file,
			int code_line, const char *code_func, const char *text)
{
	struct iovec iov[MAX_FIELDS];
	char *bufs[MAX_FIELDS], num[32];
	size_t n = 0;
	int r;

	if (!log_journal)
		return -ENOSYS;
	add_field(iov, &n, bufs, "MESSAGE", text);
	snprintf(num, sizeof(num), "%d", level);
	add_field(iov, &n, bufs, "PRIORITY", num);
	add_field(iov, &n, bufs, "SYSLOG_IDENTIFIER", log_ident);
	if (error) {
		snprintf(num, sizeof(num), "%d", error < 0 ? -error : error);
		add_field(iov, &n, bufs, "ERRNO", num);
	}
	add_field(iov, &n, bufs, "CODE_FILE", code_file);
	snprintf(num, sizeof(num), "%d", code_line);
	add_field(iov, &n, bufs, "CODE_LINE", num);
	add_field(iov, &n, bufs, "CODE_FUNC", code_func);
	if (f) {
		add_field(iov, &n, bufs, "MESSAGE_ID", f->message_id);
		add_field(iov, &n, bufs, "HUGEPAGED_CGROUP", f->cgroup);
		add_field(iov, &n, bufs, "HUGEPAGED_DECISION", f->decision);
		add_field(iov, &n, bufs, "HUGEPAGED_REASON", f->reason);
		add_field(iov, &n, bufs, "HUGEPAGED_CONFIG_FILE", f->file);
	}
	r = log_journal(iov, (int)n);
	while (n > 0)
		free(bufs[--n]);
	return r;
}

/* Writes all of buf to fd; false if it could not. */
static bool write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, buf, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		buf += w;
		len -= (size_t)w;
	}
	return true;
}

/* "ident: text\n" on stderr; false if stderr is gone too. */
static bool stderr_send(const char *text)
{
	char line[4096];
	int n = snprintf(line, sizeof(line), "%s: %s\n", log_ident, text);

	if (n < 0)
		return false;
	return write_all(STDERR_FILENO, line, MIN((size_t)n, sizeof(line) - 1));
}

/* The last resort: the kernel log ("<level>ident[pid]: text"), if we may write it. */
static void kmsg_send(int level, const char *text)
{
	char line[1024];
	int fd = open("/dev/kmsg", O_WRONLY | O_NOCTTY | O_CLOEXEC);
	int n;

	if (fd < 0)
		return;
	n = snprintf(line, sizeof(line), "<%d>%s[%d]: %s\n", level, log_ident, (int)getpid(), text);
	if (n > 0)
		(void)write_all(fd, line, MIN((size_t)n, sizeof(line) - 1));
	(void)close(fd);
}

int log_internal(int level, int error, const char *code_file, int code_line, const char *code_func,
		 const struct log_fields *f, const char *fmt, ...)
{
	char text[2048], prefix[512] = "";
	size_t n;
	va_list ap;

	if (level > log_max_level)
		return error;

	if (f && f->file) {
		if (f->line)
			snprintf(prefix, sizeof(prefix), "%s:%u: ", f->file, f->line);
		else
			snprintf(prefix, sizeof(prefix), "%s: ", f->file);
	}
	n = strlen(prefix);
	memcpy(text, prefix, n + 1);
	va_start(ap, fmt);
	vsnprintf(text + n, sizeof(text) - n, fmt, ap);
	va_end(ap);
	n = strlen(text);
	if (error)
		snprintf(text + n, sizeof(text) - n, ": %s", strerror(error < 0 ? -error : error));

	if (log_sink) {
		log_sink(level, text, log_sink_data);
		return error;
	}
	/* journald away (restarted, or not yet up): stderr, then the kernel log. */
	if (log_to_journal && journal_send(level, error, f, code_file, code_line, code_func, text) >= 0)
		return error;
	if (!stderr_send(text))
		kmsg_send(level, text);
	return error;
}
