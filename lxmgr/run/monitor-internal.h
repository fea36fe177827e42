/* monitor-internal.h: what monitor.c (the container's life: init, stop, the guest's state)
 * and monitor-control.c (its control socket's clients) share. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "base/lxmgr.h"
#include "run/console.h"
#include "run/guest-state.h"
#include "run/start.h"
#include "store/runtime.h"
#include "store/store.h"

#define MAX_CLIENTS 32

enum ev_tag {
	EV_SIGNAL = 1,
	EV_LISTEN,
	EV_CONSOLE,
	EV_TIMER,
	EV_NOTIFY,
	EV_OOM,
	EV_TRIM,
	EV_CLIENT_BASE = 16,
	EV_CONSOLE_CLIENT_BASE = EV_CLIENT_BASE + MAX_CLIENTS,
};

struct monitor {
	const struct lxmgr_ctx *ctx;
	struct container *c;
	struct start_env env;
	struct runtime_state rs;
	struct console console;
	int epfd, sigfd, listenfd, timerfd, init_pidfd;
	int oomfd;          /* readable on an OOM kill in the container's cgroup (event.h) */
	uint64_t oom_kills; /* counted so far in this run's cgroup */
	/* Fires once, a while after the guest's state was handled (monitor_trim_later). */
	int trimfd;
	int clients[MAX_CLIENTS];
	bool stopping, done;
	bool by_unit; /* run by lxmgr@NAME.service: delegated cgroup, machined, sd_notify */
	bool ready_sent;
	struct guest_state gs;  /* the guest's systemd state for list (CTRL_STATE) */
	uint32_t state_waiting; /* client slots waiting for gs to be refreshed */
	uint64_t stop_deadline; /* CLOCK_MONOTONIC ns after which everything is killed */
	int exit_status;
};

/* monitor.c */
int monitor_ep_add(struct monitor *m, int fd, uint32_t tag);
void monitor_set_state(struct monitor *m, enum run_state s);
int monitor_send_init_signal(struct monitor *m, int sig);
/* Signals init to stop (or kills it: kill_now) and arms the kill timer. */
void monitor_begin_stop(struct monitor *m, int timeout, bool kill_now);

/* monitor-control.c: the control socket's clients. */
/* A new connection on the control socket. */
void monitor_on_listen(struct monitor *m);
/* A request from client slot. */
void monitor_on_client(struct monitor *m, int slot);
/* The guest's state was refreshed: answers the clients waiting for it. */
void monitor_state_refreshed(struct monitor *m);
/* Gives the memory a burst of requests faulted in back, 2 s after the last (monitor_on_trim). */
void monitor_trim_later(struct monitor *m);
void monitor_on_trim(struct monitor *m);
