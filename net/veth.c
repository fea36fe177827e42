/* veth.c: the veth pair of a container: its names, its MAC addresses, its creation. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <netlink/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>

#include "net/link.h"
#include "net/nl.h"
#include "net/veth.h"

/* FNV-1a: stable across builds and architectures (names and MACs must not change). */
static uint32_t fnv1a(uint32_t h, const char *s)
{
	for (; s && *s; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h;
}

void net_veth_name(const char *tag, const char *name, char ret[static IFNAMSIZ])
{
	uint32_t h;

	if ((!tag || !*tag) && strlen(name) <= IFNAMSIZ - 1 - 3) {
		(void)snprintf(ret, IFNAMSIZ, "lx-%s", name);
		return;
	}
	h = fnv1a(fnv1a(2166136261u, tag), name);
	(void)snprintf(ret, IFNAMSIZ, "lx-%.7s-%04x", name, (unsigned)(h & 0xffff));
}

void net_mac_from_uuid(const char *uuid, uint8_t salt, uint8_t ret[static 6])
{
	char s[2] = {(char)('0' + salt), '\0'};
	uint32_t h1 = fnv1a(fnv1a(2166136261u, uuid), s);
	uint32_t h2 = fnv1a(fnv1a(h1, "lxmgr"), uuid);

	/* 0x02: locally administered, unicast. */
	ret[0] = 0x02;
	ret[1] = (uint8_t)(h1 >> 24);
	ret[2] = (uint8_t)(h1 >> 16);
	ret[3] = (uint8_t)(h1 >> 8);
	ret[4] = (uint8_t)h1;
	ret[5] = (uint8_t)(h2 >> 8);
}

int net_mac_parse(const char *s, uint8_t ret[static 6])
{
	unsigned v[6];
	char end;
	bool zero = true;

	if (!s || strlen(s) != 17 ||
	    sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
		   &end) != 6)
		return -EINVAL;
	for (int i = 0; i < 6; i++) {
		if (s[i * 3] == '+' || s[i * 3] == '-' || s[i * 3] == ' ')
			return -EINVAL;
		ret[i] = (uint8_t)v[i];
		zero = zero && v[i] == 0;
	}
	return (v[0] & 1) || zero ? -EINVAL : 0;
}

const char *net_mac_format(const uint8_t mac[static 6], char buf[static 18])
{
	(void)snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
		       mac[4], mac[5]);
	return buf;
}

static int set_mac(struct rtnl_link *l, const uint8_t mac[static 6])
{
	struct nl_addr *a = nl_addr_build(AF_LLC, mac, 6);

	if (!a)
		return -ENOMEM;
	rtnl_link_set_addr(l, a);
	nl_addr_put(a);
	return 0;
}

int net_veth_create(struct nl_sock *sk, const char *host_name, const uint8_t host_mac[static 6],
		    const char *alias, const char *peer_name, const uint8_t peer_mac[static 6],
		    pid_t pid)
{
	struct rtnl_link *l = rtnl_link_veth_alloc(), *peer;
	int r;

	if (!l)
		return -ENOMEM;
	peer = rtnl_link_veth_get_peer(l);
	rtnl_link_set_name(l, host_name);
	rtnl_link_set_name(peer, peer_name);
	rtnl_link_set_ns_pid(peer, pid);
	r = set_mac(l, host_mac);
	if (r >= 0)
		r = set_mac(peer, peer_mac);
	if (r >= 0) {
		r = rtnl_link_add(sk, l, NLM_F_CREATE | NLM_F_EXCL);
		r = r < 0 ? net_nl_errno(r) : 0;
	}
	rtnl_link_put(peer);
	rtnl_link_veth_release(l);
	/* The kernel ignores IFLA_IFALIAS when it creates a link: set it afterwards. */
	if (r >= 0)
		r = net_link_set_alias(sk, host_name, alias);
	return r;
}
