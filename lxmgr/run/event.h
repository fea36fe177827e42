/* event.h: a monitor's events (start, stop, crash, oom, reboot): logged with journal fields,
 * the last one kept for info, and the OOM kills of the container's cgroup watched. */
#pragma once

#include <stdint.h>

struct lxmgr_ctx;
struct container;
struct cgroup;

enum event_kind {
	EVENT_START,
	EVENT_STOP,
	EVENT_CRASH,
	EVENT_OOM,
	EVENT_REBOOT,
	_EVENT_MAX,
};
const char *event_to_string(enum event_kind e);

/* LOG/NAME/EVENT_FILE: the last event, kept after a stop (a crash is worth knowing then). */
#define EVENT_FILE "last-event"

struct event_last {
	char event[16];
	uint64_t at; /* wall clock, seconds */
	char message[256];
};

/* Logs the event (log_event: LXMGR_EVENT= in the journal) and writes it to the container's
 * EVENT_FILE; a failed write warns. */
void event_record(const struct lxmgr_ctx *ctx, const struct container *c, enum event_kind e,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Reads EVENT_FILE of c: 0, -ENOENT when there was none yet. */
int event_read_last(const struct container *c, struct event_last *ret);
/* Its text form, "EVENT UNIXTIME MESSAGE\n"; pure for the unit tests. */
int event_parse(const char *text, struct event_last *ret);

/* A descriptor that becomes readable when the container's cgroup sees an OOM kill: inotify
 * on cgroup2 memory.events, else an eventfd registered on v1 memory.oom_control. Also
 * returns the kills counted so far. -errno when neither is there. */
int event_oom_watch(const struct cgroup *cg, uint64_t *ret_kills);
/* After fd woke up: drains it and returns how many kills are new since *kills (updated). */
uint64_t event_oom_check(int fd, const struct cgroup *cg, uint64_t *kills);
