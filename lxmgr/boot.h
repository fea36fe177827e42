/* boot.h: starting a container and waiting until its guest is up (start, launch). */
#pragma once

#include <stdbool.h>

struct lxmgr_ctx;

/* Starts the stopped container name: forks its monitor, which returns here once init runs
 * (with foreground, runs the monitor in this process until the container stops). Sets
 * ctx->name. Reports failures itself; returns 0 or -errno. */
int boot_start(struct lxmgr_ctx *ctx, const char *name, bool foreground);

/* Waits until systemd inside the running container name reports the system up
 * (`systemctl is-system-running --wait`); at once for another init. Sets ctx->name.
 * Returns 0, or -EIO when it is degraded or did not answer (reported). */
int boot_wait_up(struct lxmgr_ctx *ctx, const char *name);
