/* network-forward-live.h: the port forwards (net.forward) of a running container, changed live. */
#pragma once

#include <stddef.h>

struct lxmgr_ctx;
struct container;
struct runtime_state;

/* The monitor (CTRL_FORWARD): net.forward as the config file now has it replaces the live
 * forwards of c (host network lock; the table flushed and refilled in one nft transaction, or
 * deleted when none is left) and c->cfg; rs records the table. 0, or -errno logged with the
 * reason also in why (for the reply). */
int network_forward_reload(const struct lxmgr_ctx *ctx, struct container *c,
			   struct runtime_state *rs, char *why, size_t size);

/* A client (config set net.forward, lxmgr forward): writes value (NULL or "": none) as c's
 * net.forward and, while c runs, has its monitor make it live; a change the monitor refuses
 * (a host port another container forwards) puts the old value back. Reports failures. */
int network_forward_change(const struct lxmgr_ctx *ctx, const struct container *c,
			   const char *value);
