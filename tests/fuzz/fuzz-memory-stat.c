// SPDX-License-Identifier: GPL-2.0-or-later
/* A cgroup's memory.stat: "anon" and "anon_thp" in the kernel's form only. */
#include "cgroup.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_(freep) char *text = NULL;
	uint64_t anon = 1, thp = 2;
	int r;

	if (size > FUZZ_MAX_SIZE)
		return 0;
	fuzz_setup();
	text = fuzz_string(data, size);
	r = hp_memory_stat_parse(text, &anon, &thp);
	fuzz_check(r == 0 || r == -EINVAL);
	if (r < 0)
		fuzz_check(anon == 1 && thp == 2);	/* set only on success */
	else
		fuzz_check(strstr(text, "anon ") != NULL);
	return 0;
}
