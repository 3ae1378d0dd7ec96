// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * policyd/units.c against a fake systemd: a D-Bus peer on a socket pair,
 * in a thread of its own, that answers GetUnitByControlGroup slowly.  The
 * lookups are asynchronous: the daemon's event loop goes on running (a
 * timer of its fires) while systemd has not answered, and the answers
 * arrive with what the peer said.  A cgroup inside a unit is a miss.
 */
#include "unit.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/socket.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>
#include <unistd.h>

#include "units.h"
#include "util.h"

#define SLOW_USEC (300 * USEC_PER_MSEC)

/* ---- the peer ---- */

static atomic_bool peer_stop;
static atomic_uint peer_calls;

/* The peer's units: their object paths, Ids and cgroups. */
static const struct {
	const char *obj, *id, *cgroup;
} peer_units[] = {
	{ "/org/freedesktop/systemd1/unit/db_2eservice", "db.service", "/db.service" },
	{ "/org/freedesktop/systemd1/unit/box_2eservice", "box.service", "/box.service" },
};

static int peer_method(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
	const char *member = sd_bus_message_get_member(m), *path = sd_bus_message_get_path(m);
	const char *arg = NULL, *iface = NULL, *prop = NULL;
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;

	(void)userdata;
	(void)ret_error;
	peer_calls++;
	if (!strcmp(member, "Subscribe"))
		return sd_bus_reply_method_return(m, NULL);
	if (!strcmp(member, "GetUnitByControlGroup")) {
		assert_true(sd_bus_message_read(m, "s", &arg) >= 0);
		/* Slow: the daemon must not wait for it. */
		usleep(SLOW_USEC);
		for (size_t i = 0; i < ELEMENTSOF(peer_units); i++)
			if (!strncmp(arg, peer_units[i].cgroup, strlen(peer_units[i].cgroup)))
				return sd_bus_reply_method_return(m, "o", peer_units[i].obj);
		return sd_bus_reply_method_errorf(m, "org.freedesktop.systemd1.NoSuchUnit", "No unit for %s", arg);
	}
	if (strcmp(member, "Get"))
		return sd_bus_reply_method_errorf(m, SD_BUS_ERROR_UNKNOWN_METHOD, "%s", member);
	assert_true(sd_bus_message_read(m, "ss", &iface, &prop) >= 0);
	for (size_t i = 0; i < ELEMENTSOF(peer_units); i++) {
		if (strcmp(path, peer_units[i].obj))
			continue;
		if (!strcmp(prop, "Id"))
			return sd_bus_reply_method_return(m, "v", "s", peer_units[i].id);
		if (!strcmp(prop, "ControlGroup"))
			return sd_bus_reply_method_return(m, "v", "s", peer_units[i].cgroup);
		if (!strcmp(prop, "FragmentPath"))
			return sd_bus_reply_method_return(m, "v", "s", "/etc/systemd/system/db.service");
		if (!strcmp(prop, "MemoryTHP"))
			return sd_bus_reply_method_return(m, "v", "s", "disable");
		if (!strcmp(prop, "DropInPaths")) {
			assert_true(sd_bus_message_new_method_return(m, &reply) >= 0);
			assert_true(sd_bus_message_open_container(reply, 'v', "as") >= 0);
			assert_true(sd_bus_message_append_strv(reply, (char *[]){ "/run/x/a.conf", "/etc/x/b.conf", NULL }) >= 0);
			assert_true(sd_bus_message_close_container(reply) >= 0);
			return sd_bus_send(NULL, reply, NULL);
		}
	}
	return sd_bus_reply_method_errorf(m, SD_BUS_ERROR_UNKNOWN_PROPERTY, "%s", prop);
}

static void *peer_main(void *arg)
{
	int fd = *(int *)arg;
	sd_bus *bus = NULL;
	sd_id128_t id;

	assert_true(sd_id128_randomize(&id) >= 0);
	assert_true(sd_bus_new(&bus) >= 0);
	assert_true(sd_bus_set_fd(bus, fd, fd) >= 0);
	assert_true(sd_bus_set_server(bus, true, id) >= 0);
	assert_true(sd_bus_set_anonymous(bus, true) >= 0);
	assert_true(sd_bus_start(bus) >= 0);
	assert_true(sd_bus_add_fallback(bus, NULL, "/", peer_method, NULL) >= 0);
	while (!peer_stop) {
		int r = sd_bus_process(bus, NULL);

		if (r < 0)
			break;
		if (r == 0)
			(void)sd_bus_wait(bus, 50 * USEC_PER_MSEC);
	}
	sd_bus_flush_close_unref(bus);
	return NULL;
}

/* ---- the daemon's side ---- */

struct answer {
	bool done;
	int error;
	char *unit;
	char **files;
	bool thp_disabled;
	unsigned ticks_before;	/* timer ticks of the daemon's loop before the answer */
};

static unsigned ticks;

static int on_tick(sd_event_source *s, uint64_t usec, void *userdata)
{
	(void)userdata;
	ticks++;
	(void)sd_event_source_set_time(s, usec + 20 * USEC_PER_MSEC);
	return 0;
}

static void on_answer(void *cookie, int error, struct hp_unit_info *info, void *userdata)
{
	struct answer *a = cookie;

	(void)userdata;
	a->done = true;
	a->error = error;
	a->ticks_before = ticks;
	if (!error) {
		a->unit = TAKE_PTR(info->unit);
		a->files = TAKE_PTR(info->files);
		a->thp_disabled = info->thp_disabled;
	}
}

static void on_changed(const char *unit, void *userdata)
{
	(void)unit;
	(void)userdata;
}

static void test_lookup_async(void **state)
{
	struct answer db = { 0 }, nested = { 0 }, none = { 0 };
	sd_event_source *tick = NULL;
	struct hp_units *u = NULL;
	sd_event *event = NULL;
	sd_bus *bus = NULL;
	pthread_t peer;
	int fds[2];
	usec_t start, until;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
	assert_int_equal(pthread_create(&peer, NULL, peer_main, &fds[1]), 0);
	assert_true(sd_event_new(&event) >= 0);
	assert_true(sd_bus_new(&bus) >= 0);
	assert_true(sd_bus_set_fd(bus, fds[0], fds[0]) >= 0);
	assert_true(sd_bus_set_anonymous(bus, true) >= 0);
	assert_true(sd_bus_start(bus) >= 0);
	assert_int_equal(hp_units_open_bus(bus, event, on_changed, on_answer, NULL, &u), 0);
	assert_true(sd_event_add_time_relative(event, &tick, CLOCK_MONOTONIC, 20 * USEC_PER_MSEC, 0, on_tick, NULL) >= 0);
	assert_true(sd_event_source_set_enabled(tick, SD_EVENT_ON) >= 0);

	start = now_usec();
	assert_int_equal(hp_units_lookup(u, "/db.service", &db), 0);
	assert_int_equal(hp_units_lookup(u, "/box.service/inner.service", &nested), 0);
	assert_int_equal(hp_units_lookup(u, "/none.slice", &none), 0);
	assert_int_equal(hp_units_lookup(u, "/not-a-unit", &none), -ENOENT);
	/* Asked: nothing was waited for. */
	assert_true(now_usec() - start < SLOW_USEC);
	assert_false(db.done);

	/* The loop runs until every answer is in (bounded, for a broken build). */
	until = now_usec() + 60 * USEC_PER_SEC;
	while (!(db.done && nested.done && none.done) && now_usec() < until)
		assert_true(sd_event_run(event, 100 * USEC_PER_MSEC) >= 0);
	assert_true(db.done && nested.done && none.done);
	print_message("answers after %u, %u, %u ticks of the loop, %u calls to the peer\n", db.ticks_before,
		      nested.ticks_before, none.ticks_before, (unsigned)peer_calls);
	/* The loop went on while the peer took its time: a synchronous call would leave 0 ticks. */
	assert_true(db.ticks_before > 0);

	assert_int_equal(db.error, 0);
	assert_string_equal(db.unit, "db.service");
	assert_int_equal(strv_len(db.files), 3);
	assert_string_equal(db.files[0], "/etc/systemd/system/db.service");
	assert_string_equal(db.files[1], "/run/x/a.conf");
	assert_string_equal(db.files[2], "/etc/x/b.conf");
	assert_true(db.thp_disabled);
	/* Inside box.service: box.service's, so not a unit's own cgroup. */
	assert_int_equal(nested.error, -ENOENT);
	assert_int_equal(none.error, -ENOENT);

	/* A lookup dropped with the connection never answers. */
	free(db.unit);
	strv_free(db.files);
	memset(&db, 0, sizeof(db));
	assert_int_equal(hp_units_lookup(u, "/db.service", &db), 0);
	hp_units_free(u);
	(void)sd_event_run(event, 10 * USEC_PER_MSEC);
	assert_false(db.done);

	peer_stop = true;
	assert_int_equal(pthread_join(peer, NULL), 0);
	sd_event_source_disable_unref(tick);
	sd_bus_flush_close_unref(bus);
	sd_event_unref(event);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup_async),
	};

	return cmocka_run_group_tests_name("units", tests, NULL, NULL);
}
