// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A unit file or drop-in: only [X-Hugepage] is ours, whatever systemd's
 * sections around it hold; its values within range, [Match] refused.
 */
#include "conf.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hp_policy p;
	int r;

	if (size > FUZZ_MAX_SIZE)
		return 0;
	fuzz_setup();
	r = hp_policy_parse_text("fuzz.service", "fuzz.service", "X-Hugepage", (const char *)data, size, &p);
	fuzz_check(r == 0 || r == -EINVAL || r == -ENOMEM);
	if (r < 0)
		return 0;
	fuzz_check(!p.cgroup_globs && !p.slices && !p.units);
	fuzz_check(p.priority >= -1000 && p.priority <= 1000);
	fuzz_check(p.min_size == 0 || p.set != 0);
	fuzz_check(p.has_section || p.set == 0);
	hp_policy_done(&p);
	return 0;
}
