/* link.h: network interfaces by name through libnl-route-3: look up, up, master, alias, delete.
 * Every function acts in the namespace of sk and returns 0 or -errno; -ENODEV: no such link. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct nl_sock;

/* The ifindex of name (> 0). */
int net_link_index(struct nl_sock *sk, const char *name);
/* The same, but 0 when name is NULL or no such link exists ("except this link", if any). */
int net_link_index_or_none(struct nl_sock *sk, const char *name);
/* Sets IFF_UP. */
int net_link_up(struct nl_sock *sk, const char *name);
/* Enslaves name to the bridge master and sets it up. */
int net_link_set_master(struct nl_sock *sk, const char *name, const char *master);
/* Turns hairpin mode on for the bridge port name: the bridge may send a frame back out of the
 * port it came in on (a container reaching its own forwarded port when br_netfilter makes
 * the DNAT'd packet a bridged one). */
int net_link_set_hairpin(struct nl_sock *sk, const char *name);
/* IFLA_IFALIAS: lxmgr marks the links it creates with it (see net_link_alias_is_ours). */
int net_link_set_alias(struct nl_sock *sk, const char *name, const char *alias);
/* Copies the alias into buf ("" when none). */
int net_link_get_alias(struct nl_sock *sk, const char *name, char *buf, size_t size);
/* The kind of link ("bridge", "veth"; "" for a plain device) into buf. */
int net_link_get_kind(struct nl_sock *sk, const char *name, char *buf, size_t size);
/* Deletes the link (a veth takes its peer with it). -ENODEV when there is none. */
int net_link_delete(struct nl_sock *sk, const char *name);
/* How many links have master as their master (ports of a bridge), counting only those whose
 * alias starts with alias_prefix unless it is NULL. */
int net_link_count_ports(struct nl_sock *sk, const char *master, const char *alias_prefix);
/* How many links carry an alias starting with prefix (host objects of lxmgr still in use). */
int net_link_count_alias(struct nl_sock *sk, const char *prefix);
/* Whether name is a valid interface name (1-15 characters, no '/', ':' or white space). */
bool net_link_name_is_valid(const char *name);
