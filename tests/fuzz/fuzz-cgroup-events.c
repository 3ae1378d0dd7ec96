// SPDX-License-Identifier: GPL-2.0-or-later
/* A cgroup's cgroup.events: "populated 0|1" in the kernel's form only. */
#include "cgroup.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_(freep) char *text = NULL;
	bool populated = false;
	int r;

	if (size > FUZZ_MAX_SIZE)
		return 0;
	fuzz_setup();
	text = fuzz_string(data, size);
	r = hp_cgroup_events_parse(text, &populated);
	fuzz_check(r == 0 || r == -EINVAL);
	if (r == 0) {
		/* The value of the first line that starts "populated ". */
		const char *l = text;

		while (strncmp(l, "populated ", 10))
			l = strchr(l, '\n') + 1;
		fuzz_check(strtoull(l + 10, NULL, 10) == (populated ? 1 : 0));
	}
	return 0;
}
