/* hosts.h: the lookup core of the NSS module: NAME.lxmgr and its addresses, read from the
 * bridges' hosts files that lxmgr writes for dnsmasq (DIR/dnsmasq-BRIDGE.hosts, lines
 * "IP NAME.lxmgr NAME"). Depends on libc only: it is loaded into every process of the host.
 * No allocation, no global state; a malformed line or an unreadable file is skipped. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The most addresses one name gets (an IPv4 and an IPv6 per bridge, a few bridges). */
#define HOSTS_MAX_ADDRS 16
/* The longest name answered: a DNS name (253) plus its trailing dot and NUL. */
#define HOSTS_NAME_MAX 256

struct hosts_addr {
	int family; /* AF_INET or AF_INET6 */
	uint8_t addr[16];
};

/* Whether name is lxmgr's to answer: LABEL.lxmgr (any case, one optional trailing dot), LABEL
 * a DNS label. */
bool hosts_name_is_ours(const char *name);

/* The addresses of name (family AF_INET, AF_INET6 or AF_UNSPEC for both) in dir's hosts
 * files, at most max into ret, and the name as the file spells it into ret_canon (size
 * HOSTS_NAME_MAX) when one is found. The count (0: no such name, or none of that family), or
 * -errno (-ENOMEM and the like; a missing dir is 0). */
int hosts_find_name(const char *dir, const char *name, int family, struct hosts_addr *ret,
		    size_t max, char ret_canon[static HOSTS_NAME_MAX]);

/* The NAME.lxmgr that dir's hosts files give addr (4 or 16 bytes of family), into ret_name
 * (size HOSTS_NAME_MAX): 1 found, 0 not, or -errno. */
int hosts_find_addr(const char *dir, int family, const void *addr,
		    char ret_name[static HOSTS_NAME_MAX]);
