/* sysctl.h: the switches under /proc/sys/net/ that lxmgr turns on (forwarding, route_localnet,
 * proxy_ndp), as booleans. */
#pragma once

#include <stdbool.h>

/* key is relative to /proc/sys/net/, e.g. "ipv4/ip_forward" or "ipv4/conf/br0/route_localnet";
 * it must not contain "..". -ENOENT when the switch does not exist (no such interface). */
int net_sysctl_get(const char *key, bool *ret);
int net_sysctl_set(const char *key, bool on);
