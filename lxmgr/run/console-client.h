/* console-client.h: the user's side of a container's console. */
#pragma once

#include <stdbool.h>

struct lxmgr_ctx;
struct container;

/* Attaches this terminal to the console of c through its monitor until Ctrl-a q, a signal or
 * the container's stop (readonly: watch only); the terminal is restored on every way out.
 * Returns 0 or -errno after reporting. */
int console_client_attach(const struct lxmgr_ctx *ctx, const struct container *c, bool readonly);
