// SPDX-License-Identifier: GPL-2.0-or-later
#include "units.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>

#include "log.h"
#include "util.h"

#define SD_DEST "org.freedesktop.systemd1"
#define SD_PATH "/org/freedesktop/systemd1"
#define SD_MANAGER "org.freedesktop.systemd1.Manager"
#define SD_UNIT "org.freedesktop.systemd1.Unit"

struct hp_units {
	sd_bus *bus;
	sd_bus_slot *slots[3];
	hp_units_changed_t changed;
	void *userdata;
};

void hp_unit_info_done(struct hp_unit_info *u)
{
	free(u->unit);
	strv_free(u->files);
	*u = (struct hp_unit_info){ 0 };
}

/* The interface with ControlGroup for each kind of unit that has one. */
static const char *cgroup_interface(const char *unit)
{
	static const struct {
		const char *suffix, *interface;
	} kinds[] = {
		{ ".slice", "org.freedesktop.systemd1.Slice" },
		{ ".service", "org.freedesktop.systemd1.Service" },
		{ ".scope", "org.freedesktop.systemd1.Scope" },
	};
	size_t len = strlen(unit);

	for (size_t i = 0; i < ELEMENTSOF(kinds); i++) {
		size_t n = strlen(kinds[i].suffix);

		if (len > n && !strcmp(unit + len - n, kinds[i].suffix))
			return kinds[i].interface;
	}
	return NULL;
}

bool hp_units_path_is_unit_like(const char *path)
{
	const char *last = strrchr(path, '/');

	return last && cgroup_interface(last + 1);
}

static int on_unit_signal(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	struct hp_units *u = userdata;
	const char *id = NULL, *obj = NULL;

	(void)error;
	if (sd_bus_message_read(msg, "so", &id, &obj) < 0 || !id)
		return 0;
	log_debug("systemd: %s %s", sd_bus_message_get_member(msg), id);
	u->changed(id, u->userdata);
	return 0;
}

static int on_reloading(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	struct hp_units *u = userdata;
	int active = 0;

	(void)error;
	if (sd_bus_message_read(msg, "b", &active) < 0)
		return 0;
	/* Act when the reload is over: the units are loaded again then. */
	if (!active) {
		log_info("systemd reloaded its units, reading unit sections again");
		u->changed(NULL, u->userdata);
	}
	return 0;
}

int hp_units_open(sd_event *event, hp_units_changed_t changed, void *userdata, struct hp_units **ret)
{
	_cleanup_(sd_bus_error_free) sd_bus_error err = SD_BUS_ERROR_NULL;
	struct hp_units *u = calloc(1, sizeof(*u));
	int r;

	if (!u)
		return -ENOMEM;
	u->changed = changed;
	u->userdata = userdata;
	r = sd_bus_open_system(&u->bus);
	if (r < 0)
		goto fail;
	/* The calls are made from the event loop: never wait long. */
	sd_bus_set_method_call_timeout(u->bus, 5 * USEC_PER_SEC);
	sd_bus_set_exit_on_disconnect(u->bus, false);
	if ((r = sd_bus_match_signal(u->bus, &u->slots[0], SD_DEST, SD_PATH, SD_MANAGER, "UnitNew",
				     on_unit_signal, u)) < 0 ||
	    (r = sd_bus_match_signal(u->bus, &u->slots[1], SD_DEST, SD_PATH, SD_MANAGER, "UnitRemoved",
				     on_unit_signal, u)) < 0 ||
	    (r = sd_bus_match_signal(u->bus, &u->slots[2], SD_DEST, SD_PATH, SD_MANAGER, "Reloading",
				     on_reloading, u)) < 0)
		goto fail;
	/* Without Subscribe() systemd sends UnitNew/UnitRemoved to nobody. */
	r = sd_bus_call_method(u->bus, SD_DEST, SD_PATH, SD_MANAGER, "Subscribe", &err, NULL, NULL);
	if (r < 0) {
		log_debug("systemd: Subscribe failed: %s", err.message ? err.message : strerror(-r));
		goto fail;
	}
	r = sd_bus_attach_event(u->bus, event, SD_EVENT_PRIORITY_NORMAL);
	if (r < 0)
		goto fail;
	*ret = u;
	return 0;
fail:
	hp_units_free(u);
	return r;
}

bool hp_units_connected(struct hp_units *u)
{
	return sd_bus_is_open(u->bus) > 0;
}

void hp_units_free(struct hp_units *u)
{
	if (!u)
		return;
	for (size_t i = 0; i < ELEMENTSOF(u->slots); i++)
		sd_bus_slot_unref(u->slots[i]);
	if (u->bus) {
		sd_bus_detach_event(u->bus);
		sd_bus_flush_close_unref(u->bus);
	}
	free(u);
}

int hp_units_lookup(struct hp_units *u, const char *path, struct hp_unit_info *ret)
{
	_cleanup_(sd_bus_error_free) sd_bus_error err = SD_BUS_ERROR_NULL;
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	_cleanup_(freep) char *id = NULL, *cgroup = NULL, *fragment = NULL, *thp = NULL;
	_cleanup_(strv_freep) char **dropins = NULL;
	struct hp_unit_info info = { 0 };
	const char *obj, *iface;
	int r;

	r = sd_bus_call_method(u->bus, SD_DEST, SD_PATH, SD_MANAGER, "GetUnitByControlGroup", &err, &reply,
			       "s", path);
	if (r < 0) {
		if (sd_bus_error_has_name(&err, "org.freedesktop.systemd1.NoSuchUnit"))
			return -ENOENT;
		return r;
	}
	r = sd_bus_message_read(reply, "o", &obj);
	if (r < 0)
		return r;
	r = sd_bus_get_property_string(u->bus, SD_DEST, obj, SD_UNIT, "Id", &err, &id);
	if (r < 0)
		return r;
	iface = cgroup_interface(id);
	if (!iface)
		return -ENOENT;
	/* A cgroup below a unit's own (delegated, or made by the service) maps to that unit. */
	r = sd_bus_get_property_string(u->bus, SD_DEST, obj, iface, "ControlGroup", &err, &cgroup);
	if (r < 0)
		return r;
	if (strcmp(cgroup, path))
		return -ENOENT;
	r = sd_bus_get_property_string(u->bus, SD_DEST, obj, SD_UNIT, "FragmentPath", &err, &fragment);
	if (r < 0)
		return r;
	r = sd_bus_get_property_strv(u->bus, SD_DEST, obj, SD_UNIT, "DropInPaths", &err, &dropins);
	if (r < 0)
		return r;
	/* MemoryTHP= is systemd 258's; older managers do not know the property. */
	if (!strcmp(iface, "org.freedesktop.systemd1.Service") &&
	    sd_bus_get_property_string(u->bus, SD_DEST, obj, iface, "MemoryTHP", &err, &thp) >= 0)
		info.thp_disabled = !strcmp(thp, "disable");
	sd_bus_error_free(&err);

	if (*fragment && strv_push(&info.files, fragment) < 0)
		return -ENOMEM;
	for (size_t i = 0; dropins && dropins[i]; i++)
		if (strv_push(&info.files, dropins[i]) < 0) {
			hp_unit_info_done(&info);
			return -ENOMEM;
		}
	info.unit = id;
	id = NULL;
	*ret = info;
	return 0;
}
