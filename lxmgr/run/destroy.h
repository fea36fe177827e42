/* destroy.h: removing a container from the store (destroy, and a failed create's undo). */
#pragma once

#include <stdbool.h>

struct lxmgr_ctx;

/* Removes the container name: its directory, rootfs and logs, after its pre-destroy hooks.
 * A running one is refused, or with force killed first. Reports failures itself (one line);
 * returns 0 or -errno. */
int destroy_container(struct lxmgr_ctx *ctx, const char *name, bool force);
