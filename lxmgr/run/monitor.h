/* monitor.h: one monitor per running container: reaps init, serves the control socket. */
#pragma once

#include <stdbool.h>

struct lxmgr_ctx;
struct container;

/* Runs the container until it stops. The caller holds the running lock. status_fd (or -1)
 * gets one byte once init runs, and is closed; until then errors go to stderr, afterwards
 * stderr goes to LOG/NAME/monitor.log unless foreground. Returns the exit status for the
 * process: 0 after a clean stop, 1 when the start failed or the container crashed. */
int monitor_run(const struct lxmgr_ctx *ctx, struct container *c, int status_fd, bool foreground);
