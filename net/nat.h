/* nat.h: lxmgr's own nftables tables: per bridge (masquerade) and per container (forwards).
 * Nothing here touches a table that is not lxmgr's. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct net_pool;
struct net_pool6;

/* "lxmgr-BRIDGE": the table of a bridge. */
int net_nat_table_name(const char *bridge, char *buf, size_t size);

/* Creates (or rewrites) table ip TABLE with a postrouting nat chain that masquerades what
 * leaves pool for anywhere outside it, and a guard that drops what arrives on bridge for
 * 127.0.0.0/8. */
int net_nat_add(const char *table, const char *bridge, const struct net_pool *pool);
/* IPv6: table ip6 TABLE (same name) masquerading what leaves pool for outside it (NAT66). */
int net_nat6_add(const char *table, const struct net_pool6 *pool);
/* Deletes table ip TABLE and table ip6 TABLE; a missing table is not an error. */
int net_nat_remove(const char *table);
/* Whether table ip TABLE exists (0 no, 1 yes, or -errno). */
int net_nat_exists(const char *table);

/* Port forwarding: one table ip lxmgr-fwd-VETH per container, made at start, deleted at
 * stop. */
#define NET_FORWARD_TABLE_PREFIX "lxmgr-fwd-"
#define NET_FORWARD_MAX 32

struct net_forward {
	bool udp;
	uint16_t host_port; /* on every address of the host */
	uint16_t port;      /* in the container */
};

/* "tcp:8080:80 udp:5353:53", separated by commas or spaces: the number parsed into ret (at
 * most max), -EINVAL for a bad item, -EEXIST for a host port given twice, -E2BIG. */
int net_forward_parse(const char *s, struct net_forward *ret, size_t max);
/* "lxmgr-fwd-VETH". */
int net_forward_table_name(const char *veth, char *buf, size_t size);
/* Creates (or rewrites) TABLE: DNAT of the host's local addresses' ports (127.0.0.1 too) to
 * ip (prerouting and output), and a masquerade of hairpin traffic from pool and of traffic
 * from 127.0.0.0/8. */
int net_forward_add(const char *table, const struct net_pool *pool, const char *ip,
		    const struct net_forward *f, size_t n);
/* Deletes TABLE; a missing table is not an error. */
int net_forward_remove(const char *table);
/* 1 and the table's name in ret_table if a forward table other than skip_table already
 * forwards f's host port, 0 if none, or -errno. */
int net_forward_find(const struct net_forward *f, const char *skip_table, char *ret_table,
		     size_t size);
/* Chains hooked to forward with policy drop in tables that are not lxmgr's: the count, and
 * one "FAMILY TABLE CHAIN" line each in *ret (freed by the caller); or -errno. */
int net_forward_policy_drops(char **ret);
