// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The value parsers: the first byte picks one, the rest is the value.
 * Results stay within their ranges; a value a parser accepts has only the
 * documented characters; what hugepaged writes (format_bp(), "%llu") reads
 * back as the same number.
 */
#include "fuzz.h"

/* Only digits, one dot and the units' letters: no sign, blank, hex or exponent. */
static bool documented_chars(const char *s, const char *extra)
{
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || *s == '.' || strchr(extra, *s)))
			return false;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_(freep) char *s = NULL;
	char buf[64];
	uint64_t u;
	unsigned bp, back;
	long l;
	bool b;

	if (size < 1 || size > 4096)
		return 0;
	fuzz_setup();
	s = fuzz_string(data + 1, size - 1);
	switch (data[0] % 6) {
	case 0:
		if (parse_size(s, &u) == 0)
			fuzz_check(documented_chars(s, "BKMGTi"));
		break;
	case 1:
		if (parse_percent_bp(s, &bp) == 0) {
			fuzz_check(bp <= 10000 && documented_chars(s, "%"));
			fuzz_check(parse_percent_bp(format_bp(buf, sizeof(buf), bp), &back) == 0 && back == bp);
		}
		break;
	case 2:
		if (parse_duration(s, &u) == 0)
			fuzz_check(u <= 1000000000000000ULL && documented_chars(s, "usecminh"));
		break;
	case 3:
		if (parse_int_range(s, -1000, 1000, &l) == 0)
			fuzz_check(l >= -1000 && l <= 1000 && s[0] != '+' && s[0] != ' ');
		break;
	case 4:
		if (parse_u64(s, &u) == 0) {
			fuzz_check(documented_chars(s, "") && !strchr(s, '.'));
			snprintf(buf, sizeof(buf), "%llu", (unsigned long long)u);
			fuzz_check(parse_u64(buf, &u) == 0 && strtoull(buf, NULL, 10) == u);
		}
		break;
	default:
		if (parse_bool(s, &b) == 0)
			fuzz_check(strlen(s) <= 5);
		break;
	}
	return 0;
}
