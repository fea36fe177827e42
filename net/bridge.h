/* bridge.h: the host bridge of bridged containers. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

struct nl_sock;

/* 0 when name is a bridge, -ENODEV when there is no such link, -EMEDIUMTYPE when a link of
 * that name exists but is not a bridge. */
int net_bridge_check(struct nl_sock *sk, const char *name);

/* Creates the bridge name, marked with alias, with gateway/prefix as its address, and sets it
 * up. -EEXIST when a link of that name exists. */
int net_bridge_create(struct nl_sock *sk, const char *name, const char *alias, uint32_t gateway,
		      uint8_t prefix);
