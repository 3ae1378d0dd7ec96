// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hugepaged's status file as hugepagectl reads it: parsed, printed as
 * text, JSON and Prometheus metrics, and written back: what was read is written so that it
 * reads back the same (format(parse(format(parse(x)))) == format(parse(x))).
 */
#include "fuzz.h"
#include "hugepagectl.h"
#include "status.h"

static void print_all(const struct hp_status *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		abort();
	(void)hugepagectl_print_text(f, s, NULL, NULL, "fuzz", 1700000000000000ULL);
	(void)hugepagectl_print_json(f, s, NULL, NULL, "fuzz");
	(void)hugepagectl_print_policies_text(f, s);
	(void)hugepagectl_print_policies_json(f, s);
	(void)hugepagectl_print_metrics(f, s, true, NULL);
	for (size_t i = 0; i < s->n_groups && i < 4; i++) {
		(void)hugepagectl_print_explain_text(f, s->groups[i].path ? s->groups[i].path : "/x",
						     s->groups[i].path, s, &s->groups[i], NULL, "fuzz");
		(void)hugepagectl_print_explain_json(f, "/x", s->groups[i].path, s, &s->groups[i], NULL, "fuzz");
	}
	fclose(f);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_(freep) char *text = NULL, *once = NULL, *twice = NULL;
	struct hp_status s = { 0 }, back = { 0 };
	unsigned line = 0;
	int r;

	if (size > FUZZ_MAX_SIZE)
		return 0;
	fuzz_setup();
	text = fuzz_string(data, size);
	r = hp_status_parse(text, &s, &line);
	fuzz_check(r == 0 || r == -EINVAL || r == -ENOMEM);
	if (r < 0) {
		fuzz_check(r != -EINVAL || line >= 1);
		return 0;
	}
	print_all(&s);
	fuzz_check(hp_status_format(&s, &once) == 0);
	r = hp_status_parse(once, &back, &line);
	if (r != 0) {
		fprintf(stderr, "written status does not read back (line %u):\n%s", line, once);
		abort();
	}
	fuzz_check(back.n_groups == s.n_groups && back.n_policies == s.n_policies);
	fuzz_check(hp_status_format(&back, &twice) == 0);
	if (strcmp(once, twice)) {
		fprintf(stderr, "status round trip differs:\n%s---\n%s", once, twice);
		abort();
	}
	hp_status_done(&s);
	hp_status_done(&back);
	return 0;
}
