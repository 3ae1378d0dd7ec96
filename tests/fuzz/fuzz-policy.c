// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A policy file: parsed, its values within range, and its [Match] globs
 * used as they would be (fnmatch on cgroup paths).
 */
#include "conf.h"
#include "fuzz.h"

static const char *const paths[] = {
	"/", "/db.slice", "/db.slice/postgres.service", "/system.slice/a.service/x", "/.x/y.scope",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hp_policy p;
	struct hp_limit dflt = { .bp = 1000, .duration = USEC_PER_SEC }, l;
	int r;

	if (size > FUZZ_MAX_SIZE)
		return 0;
	fuzz_setup();
	r = hp_policy_parse_text("fuzz.conf", "fuzz.conf", "Policy", (const char *)data, size, &p);
	fuzz_check(r == 0 || r == -EINVAL || r == -ENOMEM);
	if (r < 0)
		return 0;
	fuzz_check(p.cgroup_globs || p.slices || p.units);
	fuzz_check(p.priority >= -1000 && p.priority <= 1000);
	fuzz_check(p.tuning.goal_bp <= 10000 && p.tuning.quota_ms <= 3600 * 1000);
	l = hp_policy_memory_limit(&p, &dflt);
	fuzz_check(l.bp <= 10000 && l.duration <= 3600 * USEC_PER_SEC);
	for (size_t i = 0; i < ELEMENTSOF(paths); i++)
		(void)hp_policy_matches(&p, paths[i]);
	fuzz_check(!strcmp(p.sources[0], "fuzz.conf") && !p.sources[1]);
	hp_policy_done(&p);
	return 0;
}
