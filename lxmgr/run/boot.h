/* boot.h: waiting until a started guest is up (start --wait, launch). */
#pragma once

#include <stdbool.h>

struct lxmgr_ctx;

/* Waits until systemd inside the running container name reports the system up
 * (`systemctl is-system-running --wait`); at once for another init. Sets ctx->name.
 * Returns 0, or -EIO when it is degraded or did not answer (reported). */
int boot_wait_up(struct lxmgr_ctx *ctx, const char *name);
