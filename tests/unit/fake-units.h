/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tests/unit/fake-units.c: a fake of units.h for tests of manager.c. */
#pragma once

#include "units.h"

/* Where the fake unit files are: units_dir/NAME is the file of unit NAME. */
extern char units_dir[128];
/* What manager.c gave hp_units_open(): call it to say "systemd reloaded". */
extern hp_units_changed_t units_changed;
extern void *units_userdata;
/* Lookups asked so far. */
extern unsigned units_lookups;
/* While set, lookups are not answered before units_answer_deferred() (else at once). */
extern bool units_defer;
size_t units_answer_deferred(void);
