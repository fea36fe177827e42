/* guest-state.h: what the monitor knows of its guest's systemd (system state, failed units),
 * learnt from the guest's NOTIFY_SOCKET and cached, so that `list` asks no guest. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "guest/readiness.h"

struct lxmgr_ctx;
struct container;
struct runtime_state;
struct notify_msg;

/* Default bound on the age of a cached answer that `list` accepts (list --max-age). */
#define GUEST_STATE_MAX_AGE_DEFAULT 30

struct guest_state {
	struct readiness r; /* last known; r.state "" while unknown */
	uint64_t known_ns;  /* CLOCK_MONOTONIC when r was true; 0: never */
	bool booting;       /* the guest's systemd has not sent READY=1 yet (notify socket) */
	pid_t refresh_pid;  /* a child asking systemd inside, or 0 */
	int refresh_fd;     /* its answer (struct readiness), or -EBADF */
};

void guest_state_init(struct guest_state *gs);
/* Forgets the cache (a reboot in place); a running refresh is left to end on its own. */
void guest_state_reset(struct guest_state *gs, bool booting);
void guest_state_done(struct guest_state *gs);

/* Whether the cache answers a request that accepts max_age seconds: a booting guest (its
 * systemd said nothing yet) or an answer younger than that. */
bool guest_state_fresh(const struct guest_state *gs, uint32_t max_age);

/* Forks a child that asks systemd inside (readiness_query) and writes the answer to a pipe;
 * a no-op while one runs. The child ends itself after 5 s. Returns 0 or -errno. */
int guest_state_refresh(struct guest_state *gs, const struct lxmgr_ctx *ctx,
			const struct container *c, const struct runtime_state *rs);
/* For each reaped pid: true when it was the refresh child (its answer, if any, is taken). */
bool guest_state_reaped(struct guest_state *gs, pid_t pid);

/* A datagram of the guest's init: READY=1 ends booting (the caller then refreshes, for the
 * failed units), STOPPING=1 makes the state "stopping". Returns true when a refresh is due. */
bool guest_state_on_notify(struct guest_state *gs, const struct notify_msg *msg);

/* The wire form in a control reply's text: "SYSTEMSTATE FAILED AGE_MS", "-" for unknown. */
void guest_state_format(const struct guest_state *gs, char *text, size_t size);
/* Parses it back; -EBADMSG when malformed. */
int guest_state_parse(const char *text, struct readiness *ret, uint64_t *ret_age_ms);
