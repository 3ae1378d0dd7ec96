/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hugepagectl's output, on parsed structs only: the command reads the
 * files, these functions write what an operator (or a script) sees.  Kept
 * apart from the reading so that tests can feed them fixed inputs and a
 * fixed clock.  The text format is described in hugepagectl-print.c.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "status.h"

/*
 * s: hugepaged's status, or NULL with daemon_error saying why (e.g. "not
 * running, no /run/hugepaged/status").  k: the kernel's, or NULL with
 * kernel_error saying why.  now_realtime_us: CLOCK_REALTIME, to tell the
 * age of s.  0, or -EIO if writing to out failed.
 */
int hugepagectl_print_text(FILE *out, const struct hp_status *s, const char *daemon_error,
			   const struct hp_kstatus *k, const char *kernel_error,
			   uint64_t now_realtime_us);

/* The same as one JSON object; does not depend on the clock. */
int hugepagectl_print_json(FILE *out, const struct hp_status *s, const char *daemon_error,
			   const struct hp_kstatus *k, const char *kernel_error);

/* `hugepagectl policies`: every policy in s, the files behind it and its groups. */
int hugepagectl_print_policies_text(FILE *out, const struct hp_status *s);
int hugepagectl_print_policies_json(FILE *out, const struct hp_status *s);

/*
 * `hugepagectl explain QUERY`: path is the cgroup QUERY names (NULL: no
 * such cgroup), g the daemon's group for it (NULL: not matched), k the
 * kernel's view (NULL with kernel_error saying why).
 */
int hugepagectl_print_explain_text(FILE *out, const char *query, const char *path, const struct hp_status *s,
				   const struct hp_status_group *g, const struct hp_kstatus *k,
				   const char *kernel_error);
int hugepagectl_print_explain_json(FILE *out, const char *query, const char *path, const struct hp_status *s,
				   const struct hp_status_group *g, const struct hp_kstatus *k,
				   const char *kernel_error);

/*
 * `hugepagectl metrics`: Prometheus text format, described in
 * hugepagectl-metrics.c.  s: hugepaged's status or NULL; daemon_up: the
 * process that wrote s still runs (a status left behind by a daemon that
 * is gone yields hugepaged_up 0 and none of its figures).  k: the
 * module's readout or NULL.  0, -ENOMEM, or -EIO if writing failed.
 */
int hugepagectl_print_metrics(FILE *out, const struct hp_status *s, bool daemon_up, const struct hp_kstatus *k);
