// SPDX-License-Identifier: GPL-2.0-or-later
/* /proc/damon_hugepage as hugepagectl reads it: parsed, looked up, printed (text, JSON, metrics). */
#include "fuzz.h"
#include "hugepagectl.h"
#include "status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_(freep) char *text = NULL;
	struct hp_kstatus k = { 0 };
	unsigned line = 0;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int r;

	if (size > FUZZ_MAX_SIZE)
		return 0;
	fuzz_setup();
	text = fuzz_string(data, size);
	r = hp_kstatus_parse(text, &k, &line);
	fuzz_check(r == 0 || r == -EINVAL || r == -ENOMEM);
	if (r < 0)
		return 0;
	for (size_t i = 0; i < k.n_groups; i++)
		if (k.groups[i].group && !strncmp(k.groups[i].group, "cgroup:", 7))
			fuzz_check(hp_kstatus_find_cgroup(&k, k.groups[i].group + 7) != NULL);
	f = open_memstream(&buf, &len);
	if (!f)
		abort();
	(void)hugepagectl_print_text(f, NULL, "not running", &k, NULL, 1700000000000000ULL);
	(void)hugepagectl_print_json(f, NULL, "not running", &k, NULL);
	(void)hugepagectl_print_metrics(f, NULL, false, &k);
	fclose(f);
	free(buf);
	hp_kstatus_done(&k);
	return 0;
}
