/* legacy.h: the FORWARD policy of iptables-legacy (the x_tables of ip_tables/ip6_tables, which
 * nft does not show), read the way iptables itself reads it: getsockopt on a raw socket. */
#pragma once

#include <stdbool.h>

/* Whether the legacy filter table of family (AF_INET or AF_INET6) exists in this netns and
 * its FORWARD chain's policy is DROP: 1 yes, 0 no (no such table, or another policy), or
 * -errno. Never creates the table: it is looked up only when /proc/net/ip{,6}_tables_names
 * lists it (a lookup would load iptable_filter). */
int net_legacy_forward_drops(int family);

/* The families of the legacy tables, each with the command that lists its rules. */
struct net_legacy_family {
	int family;
	const char *tool;
};
extern const struct net_legacy_family net_legacy_families[2];
