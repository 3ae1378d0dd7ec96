// SPDX-License-Identifier: GPL-2.0-or-later
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include <systemd/sd-journal.h>

static const char *log_ident = "hugepaged";
static int log_max_level = LOG_INFO;
static int log_to_journal;
static log_sink_t log_sink;
static void *log_sink_data;

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

static void add_field(struct iovec *iov, size_t *n, char **bufs, const char *key, const char *value)
{
	char *b;

	if (!value || asprintf(&b, "%s=%s", key, value) < 0)
		return;
	bufs[*n] = b;
	iov[*n] = (struct iovec){ .iov_base = b, .iov_len = strlen(b) };
	(*n)++;
}

/* One journal entry with the message and the structured fields given. */
static void journal_send(int level, int error, const struct log_fields *f, const char *text)
{
	struct iovec iov[8];
	char *bufs[8], num[32];
	size_t n = 0;

	add_field(iov, &n, bufs, "MESSAGE", text);
	snprintf(num, sizeof(num), "%d", level);
	add_field(iov, &n, bufs, "PRIORITY", num);
	add_field(iov, &n, bufs, "SYSLOG_IDENTIFIER", log_ident);
	if (error) {
		snprintf(num, sizeof(num), "%d", error < 0 ? -error : error);
		add_field(iov, &n, bufs, "ERRNO", num);
	}
	if (f) {
		add_field(iov, &n, bufs, "HUGEPAGED_CGROUP", f->cgroup);
		add_field(iov, &n, bufs, "HUGEPAGED_DECISION", f->decision);
		add_field(iov, &n, bufs, "HUGEPAGED_REASON", f->reason);
		add_field(iov, &n, bufs, "HUGEPAGED_CONFIG_FILE", f->file);
	}
	sd_journal_sendv(iov, (int)n);
	while (n > 0)
		free(bufs[--n]);
}

int log_full(int level, int error, const struct log_fields *f, const char *fmt, ...)
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
	if (log_to_journal) {
		journal_send(level, error, f, text);
		return error;
	}
	fprintf(stderr, "%s: %s\n", log_ident, text);
	return error;
}
