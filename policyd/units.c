// SPDX-License-Identifier: GPL-2.0-or-later
#include "units.h"

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>

#include "log.h"
#include "util.h"

#define SD_DEST "org.freedesktop.systemd1"
#define SD_PATH "/org/freedesktop/systemd1"
#define SD_MANAGER "org.freedesktop.systemd1.Manager"
#define SD_UNIT "org.freedesktop.systemd1.Unit"

struct lookup;

struct hp_units {
	sd_bus *bus;
	sd_bus_slot *slots[4];
	hp_units_changed_t changed;
	hp_units_answer_t answer;
	void *userdata;
	struct lookup *lookups;		/* waiting for their answers */
};

/* The properties a lookup asks for, in one round trip of parallel calls. */
enum {
	PROP_ID,
	PROP_FRAGMENT,
	PROP_DROPINS,
	PROP_CGROUP,
	PROP_THP,	/* services only; optional (systemd >= 258) */
	_PROP_MAX,
};

/* One lookup: GetUnitByControlGroup, then the properties of the unit it names. */
struct lookup {
	struct hp_units *u;
	struct lookup *prev, *next;
	char *path;
	void *cookie;
	sd_bus_slot *slots[_PROP_MAX];	/* slots[0] is GetUnitByControlGroup's first */
	unsigned waiting;
	int error;
	char *props[_PROP_MAX];		/* the strings (PROP_DROPINS: unused) */
	char **dropins;
};

static void lookup_free(struct lookup *l);

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

/* systemd (re)connected to the bus (dbus restarted, or the boot): everything is asked again. */
static int on_owner_changed(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	struct hp_units *u = userdata;
	const char *name = NULL, *old = NULL, *new = NULL;

	(void)error;
	if (sd_bus_message_read(msg, "sss", &name, &old, &new) < 0 || !name || strcmp(name, SD_DEST))
		return 0;
	if (new && *new) {
		log_info("systemd is on the bus again, reading unit sections again");
		u->changed(NULL, u->userdata);
	}
	return 0;
}

int hp_units_open_bus(sd_bus *bus, sd_event *event, hp_units_changed_t changed, hp_units_answer_t answer,
		      void *userdata, struct hp_units **ret)
{
	_cleanup_(sd_bus_error_free) sd_bus_error err = SD_BUS_ERROR_NULL;
	struct hp_units *u = calloc(1, sizeof(*u));
	int r;

	assert(bus && event && changed && answer && ret);
	if (!u)
		return -ENOMEM;
	u->changed = changed;
	u->answer = answer;
	u->userdata = userdata;
	u->bus = sd_bus_ref(bus);
	/* Lookups are asynchronous; Subscribe, once per connection, is the only call waited for (5 s at most). */
	(void)sd_bus_set_method_call_timeout(u->bus, 5 * USEC_PER_SEC);
	(void)sd_bus_set_exit_on_disconnect(u->bus, false);
	if ((r = sd_bus_match_signal(u->bus, &u->slots[0], SD_DEST, SD_PATH, SD_MANAGER, "UnitNew",
				     on_unit_signal, u)) < 0 ||
	    (r = sd_bus_match_signal(u->bus, &u->slots[1], SD_DEST, SD_PATH, SD_MANAGER, "UnitRemoved",
				     on_unit_signal, u)) < 0 ||
	    (r = sd_bus_match_signal(u->bus, &u->slots[2], SD_DEST, SD_PATH, SD_MANAGER, "Reloading",
				     on_reloading, u)) < 0 ||
	    (r = sd_bus_add_match(u->bus, &u->slots[3],
				  "type='signal',sender='org.freedesktop.DBus',path='/org/freedesktop/DBus',"
				  "interface='org.freedesktop.DBus',member='NameOwnerChanged',arg0='" SD_DEST "'",
				  on_owner_changed, u)) < 0)
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

int hp_units_open(sd_event *event, hp_units_changed_t changed, hp_units_answer_t answer, void *userdata,
		  struct hp_units **ret)
{
	_cleanup_(sd_bus_unrefp) sd_bus *bus = NULL;
	int r;

	r = sd_bus_open_system(&bus);
	if (r < 0)
		return r;
	(void)sd_bus_set_description(bus, "hugepaged-units");
	return hp_units_open_bus(bus, event, changed, answer, userdata, ret);
}

bool hp_units_connected(struct hp_units *u)
{
	return sd_bus_is_open(u->bus) > 0;
}

void hp_units_free(struct hp_units *u)
{
	if (!u)
		return;
	while (u->lookups)
		lookup_free(u->lookups);
	for (size_t i = 0; i < ELEMENTSOF(u->slots); i++)
		(void)sd_bus_slot_unref(u->slots[i]);
	if (u->bus) {
		sd_bus_detach_event(u->bus);
		sd_bus_flush_close_unref(u->bus);
	}
	free(u);
}

static void lookup_free(struct lookup *l)
{
	for (size_t i = 0; i < ELEMENTSOF(l->slots); i++)
		l->slots[i] = sd_bus_slot_unref(l->slots[i]);
	if (l->prev)
		l->prev->next = l->next;
	else
		l->u->lookups = l->next;
	if (l->next)
		l->next->prev = l->prev;
	for (size_t i = 0; i < ELEMENTSOF(l->props); i++)
		free(l->props[i]);
	strv_free(l->dropins);
	free(l->path);
	free(l);
}

/* The unit a cgroup would be the own cgroup of: its last component. */
static const char *unit_name_of(const char *path)
{
	const char *last = strrchr(path, '/');

	return last ? last + 1 : path;
}

/* Every answer is in: says what they make, and forgets the lookup. */
static void lookup_finish(struct lookup *l)
{
	struct hp_units *u = l->u;
	struct hp_unit_info info = { 0 };
	void *cookie = l->cookie;
	int error = l->error;

	/*
	 * A cgroup inside a unit (delegated, or made by the service) maps to
	 * that unit, whose Id and ControlGroup are not the cgroup's: a miss,
	 * whatever failed on the way (the unit's type may lack the interface asked).
	 */
	if (error != -ENOENT && l->props[PROP_ID] &&
	    (strcmp(l->props[PROP_ID], unit_name_of(l->path)) ||
	     (l->props[PROP_CGROUP] && strcmp(l->props[PROP_CGROUP], l->path))))
		error = -ENOENT;
	if (!error && (!l->props[PROP_ID] || !l->props[PROP_CGROUP] || !l->props[PROP_FRAGMENT]))
		error = -EIO;
	if (!error) {
		info.thp_disabled = l->props[PROP_THP] && !strcmp(l->props[PROP_THP], "disable");
		if (*l->props[PROP_FRAGMENT] && strv_push(&info.files, l->props[PROP_FRAGMENT]) < 0)
			error = -ENOMEM;
		for (size_t i = 0; !error && l->dropins && l->dropins[i]; i++)
			if (strv_push(&info.files, l->dropins[i]) < 0)
				error = -ENOMEM;
		info.unit = TAKE_PTR(l->props[PROP_ID]);
	}
	log_debug("systemd: %s: %s", l->path, error ? strerror(-error) : info.unit);
	lookup_free(l);
	u->answer(cookie, error, error ? NULL : &info, u->userdata);
	hp_unit_info_done(&info);
}

/* A call's error as -errno: NoSuchUnit is -ENOENT. */
static int reply_error(sd_bus_message *m)
{
	const sd_bus_error *e = sd_bus_message_get_error(m);

	if (sd_bus_error_has_name(e, "org.freedesktop.systemd1.NoSuchUnit"))
		return -ENOENT;
	return -sd_bus_message_get_errno(m) ?: -EIO;
}

static int on_property(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
	struct lookup *l = userdata;
	size_t which = SIZE_MAX;
	const char *s = NULL;
	int r;

	(void)ret_error;
	for (size_t i = 0; i < ELEMENTSOF(l->slots); i++)
		if (l->slots[i] && sd_bus_get_current_slot(sd_bus_message_get_bus(m)) == l->slots[i])
			which = i;
	assert(which != SIZE_MAX);
	l->slots[which] = sd_bus_slot_unref(l->slots[which]);
	if (sd_bus_message_is_method_error(m, NULL)) {
		/* MemoryTHP is systemd 258's: older managers do not know it. */
		if (which != PROP_THP && !l->error)
			l->error = reply_error(m);
	} else if (which == PROP_DROPINS) {
		r = sd_bus_message_enter_container(m, 'v', "as");
		if (r >= 0)
			r = sd_bus_message_read_strv(m, &l->dropins);
		if (r < 0 && !l->error)
			l->error = r;
	} else {
		r = sd_bus_message_read(m, "v", "s", &s);
		if (r >= 0 && !(l->props[which] = strdup(s)))
			r = -ENOMEM;
		if (r < 0 && !l->error)
			l->error = r;
	}
	if (--l->waiting == 0)
		lookup_finish(l);
	return 0;
}

/*
 * Lookups do not wait, so they may take their time (PID 1 answers nothing
 * while it reloads its units, which takes seconds on a slow machine); they
 * never start systemd on the bus (bus activation): while systemd is not
 * on the bus they fail at once, and NameOwnerChanged asks again.
 */
#define LOOKUP_TIMEOUT_USEC (30 * USEC_PER_SEC)

static int call_async(sd_bus *bus, sd_bus_slot **slot, const char *obj, const char *iface, const char *member,
		      sd_bus_message_handler_t handler, void *userdata, const char *types, ...)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
	va_list ap;
	int r;

	r = sd_bus_message_new_method_call(bus, &m, SD_DEST, obj, iface, member);
	if (r < 0)
		return r;
	(void)sd_bus_message_set_auto_start(m, false);
	va_start(ap, types);
	r = sd_bus_message_appendv(m, types, ap);
	va_end(ap);
	if (r < 0)
		return r;
	return sd_bus_call_async(bus, slot, m, handler, userdata, LOOKUP_TIMEOUT_USEC);
}

static int get_property(struct lookup *l, size_t which, const char *obj, const char *iface, const char *name)
{
	int r = call_async(l->u->bus, &l->slots[which], obj, "org.freedesktop.DBus.Properties", "Get", on_property, l,
			   "ss", iface, name);

	if (r >= 0)
		l->waiting++;
	return r;
}

static int on_unit_by_cgroup(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
	struct lookup *l = userdata;
	const char *obj = NULL, *iface = cgroup_interface(unit_name_of(l->path));
	int r;

	(void)ret_error;
	l->slots[0] = sd_bus_slot_unref(l->slots[0]);
	if (sd_bus_message_is_method_error(m, NULL)) {
		l->error = reply_error(m);
		lookup_finish(l);
		return 0;
	}
	r = sd_bus_message_read(m, "o", &obj);
	/* The unit's interface is known from the name: every property in one round trip. */
	if (r >= 0 && (r = get_property(l, PROP_ID, obj, SD_UNIT, "Id")) >= 0 &&
	    (r = get_property(l, PROP_FRAGMENT, obj, SD_UNIT, "FragmentPath")) >= 0 &&
	    (r = get_property(l, PROP_DROPINS, obj, SD_UNIT, "DropInPaths")) >= 0 &&
	    (r = get_property(l, PROP_CGROUP, obj, iface, "ControlGroup")) >= 0 &&
	    !strcmp(iface, "org.freedesktop.systemd1.Service"))
		r = get_property(l, PROP_THP, obj, iface, "MemoryTHP");
	if (r < 0 && !l->error)
		l->error = r;
	if (l->waiting == 0)
		lookup_finish(l);
	return 0;
}

int hp_units_lookup(struct hp_units *u, const char *path, void *cookie)
{
	struct lookup *l;
	int r;

	assert(u && path);
	if (!hp_units_path_is_unit_like(path))
		return -ENOENT;
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->u = u;
	l->cookie = cookie;
	l->path = strdup(path);
	l->next = u->lookups;
	if (l->next)
		l->next->prev = l;
	u->lookups = l;
	if (!l->path) {
		lookup_free(l);
		return -ENOMEM;
	}
	r = call_async(u->bus, &l->slots[0], SD_PATH, SD_MANAGER, "GetUnitByControlGroup", on_unit_by_cgroup, l, "s",
		       path);
	if (r < 0) {
		lookup_free(l);
		return r;
	}
	return 0;
}
