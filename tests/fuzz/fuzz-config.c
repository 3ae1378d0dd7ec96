// SPDX-License-Identifier: GPL-2.0-or-later
/* hugepaged.conf: whatever the text, every setting stays within its range. */
#include "conf.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hp_config c;
	int r;

	if (size > FUZZ_MAX_SIZE)
		return 0;
	fuzz_setup();
	hp_config_defaults(&c);
	r = hp_config_parse_text("fuzz.conf", (const char *)data, size, &c);
	fuzz_check(r >= 0 || r == -ENOMEM);
	fuzz_check(c.kdamond_limit >= 1 && c.kdamond_limit <= 64);
	fuzz_check(c.rescan_interval >= USEC_PER_SEC && c.rescan_interval <= 3600 * USEC_PER_SEC);
	fuzz_check(c.refresh_interval >= USEC_PER_SEC && c.refresh_interval <= 3600 * USEC_PER_SEC);
	fuzz_check(c.resume_delay <= 3600 * USEC_PER_SEC);
	fuzz_check(c.hold_time <= 24 * 3600 * USEC_PER_SEC);
	fuzz_check(c.challenge_margin_pct <= 100);
	fuzz_check(c.system_memory.bp <= 10000 && c.system_cpu.bp <= 10000 && c.group_memory.bp <= 10000);
	fuzz_check(c.system_memory.duration <= 3600 * USEC_PER_SEC);
	fuzz_check(c.tuning.goal_bp <= 10000 && c.tuning.min_access <= 1000000 && c.tuning.quota_ms <= 3600 * 1000);
	fuzz_check(c.tuning.mode <= HP_TUNING_GOAL);
	return 0;
}
