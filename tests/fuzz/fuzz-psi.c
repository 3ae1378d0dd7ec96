// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A PSI file (in /proc/pressure, or memory.pressure): parsed in the kernel's
 * form only, and its total fed to the pressure state machine.
 */
#include "fuzz.h"
#include "pressure.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_(freep) char *text = NULL;
	struct hp_pressure p = { 0 };
	struct hp_limit limit = { .bp = 1000, .duration = 10 * USEC_PER_SEC };
	uint64_t total = 0;
	unsigned avg10 = 0;
	int r;

	if (size > FUZZ_MAX_SIZE)
		return 0;
	fuzz_setup();
	text = fuzz_string(data, size);
	r = hp_psi_parse(text, &total, &avg10);
	fuzz_check(r == 0 || r == -EINVAL);
	if (r < 0)
		return 0;
	fuzz_check(avg10 <= 10000);
	/* Totals from the file, as samples a second apart, whatever they are. */
	for (unsigned i = 1; i <= 4; i++) {
		(void)hp_pressure_sample(&p, &limit, 30 * USEC_PER_SEC, i * USEC_PER_SEC, total / i, i == 2, i == 3);
		fuzz_check(p.share_bp <= 10000);
	}
	return 0;
}
