/* nat.h: lxmgr's own nftables table per bridge (libnftables), and net.ipv4.ip_forward.
 * Nothing here touches a table that is not lxmgr's. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct net_pool;

/* "lxmgr-BRIDGE": the table of a bridge. */
int net_nat_table_name(const char *bridge, char *buf, size_t size);

/* Creates (or rewrites) table ip TABLE with a postrouting nat chain that masquerades what
 * leaves pool for anywhere outside it. */
int net_nat_add(const char *table, const struct net_pool *pool);
/* Deletes table ip TABLE; a missing table is not an error. */
int net_nat_remove(const char *table);
/* Whether table ip TABLE exists (0 no, 1 yes, or -errno). */
int net_nat_exists(const char *table);

/* Reads and writes /proc/sys/net/ipv4/ip_forward. */
int net_ip_forward_get(bool *ret);
int net_ip_forward_set(bool on);
