/* lifecycle.h: starting, stopping and attaching to a container, for the verbs and for
 * provisioning (the library side of start, stop and exec; no verb is called from here). */
#pragma once

#include <stdbool.h>

struct lxmgr_ctx;
struct container;
struct attach_opts;

/* Starts the stopped container name: takes its running lock, removes what a dead monitor
 * left, refuses the lower layer of snapshot clones, and forks its monitor, returning once
 * init runs (or, with foreground, runs the monitor here until the container stops). Sets
 * ctx->name to name. Reports failures itself; returns 0 or -errno. */
int lifecycle_start(struct lxmgr_ctx *ctx, const char *name, bool foreground);

/* A container whose monitor died: tears down what its runtime record names and removes the
 * runtime directory. The caller holds the running lock. Returns 1 when something was
 * removed, 0 when there was nothing, -errno after reporting. */
int lifecycle_cleanup_stale(const struct lxmgr_ctx *ctx, struct container *c);

/* Asks the monitor of the running container c to stop (timeout seconds, -1 for the config's;
 * kill_now: at once); returns the control connection, on which the monitor's exit shows, or
 * -errno after reporting. */
int lifecycle_send_stop(const struct lxmgr_ctx *ctx, const struct container *c, int timeout,
			bool kill_now);
/* Waits until the monitor behind sock (from lifecycle_send_stop) has exited. Returns 0. */
int lifecycle_wait_monitor_exit(const struct container *c, int sock);
/* Both: stops c and returns once its monitor has removed everything. */
int lifecycle_stop_running(const struct lxmgr_ctx *ctx, const struct container *c, int timeout,
			   bool kill_now);

/* Runs a->argv (attach.h) in the running container name, reading only its runtime record.
 * Returns the command's exit status, or -errno after reporting (-ESRCH: not running). */
int lifecycle_attach_running(struct lxmgr_ctx *ctx, const char *name, struct attach_opts *a);
