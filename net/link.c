/* link.c: network interfaces by name through libnl-route-3: look up, up, master, alias, delete. */
#include <errno.h>
#include <net/if.h>
#include <string.h>

#include <netlink/cache.h>
#include <netlink/route/link.h>
#include <netlink/route/link/bridge.h>

#include "net/link.h"
#include "net/nl.h"

static void link_putp(struct rtnl_link **l)
{
	if (*l)
		rtnl_link_put(*l);
}
#define _cleanup_link_ __attribute__((cleanup(link_putp)))

static int get_link(struct nl_sock *sk, const char *name, struct rtnl_link **ret)
{
	int r;

	if (!net_link_name_is_valid(name))
		return -EINVAL;
	r = rtnl_link_get_kernel(sk, 0, name, ret);
	return r < 0 ? net_nl_errno(r) : 0;
}

int net_link_index(struct nl_sock *sk, const char *name)
{
	_cleanup_link_ struct rtnl_link *l = NULL;
	int r = get_link(sk, name, &l);

	return r < 0 ? r : rtnl_link_get_ifindex(l);
}

/* Applies the changes in *change to the link name. */
static int link_change(struct nl_sock *sk, const char *name, struct rtnl_link *change)
{
	_cleanup_link_ struct rtnl_link *l = NULL;
	int r = get_link(sk, name, &l);

	if (r < 0)
		return r;
	r = rtnl_link_change(sk, l, change, 0);
	return r < 0 ? net_nl_errno(r) : 0;
}

int net_link_up(struct nl_sock *sk, const char *name)
{
	_cleanup_link_ struct rtnl_link *change = rtnl_link_alloc();

	if (!change)
		return -ENOMEM;
	rtnl_link_set_flags(change, IFF_UP);
	return link_change(sk, name, change);
}

int net_link_set_master(struct nl_sock *sk, const char *name, const char *master)
{
	_cleanup_link_ struct rtnl_link *change = rtnl_link_alloc();
	int m = net_link_index(sk, master);

	if (m < 0)
		return m;
	if (!change)
		return -ENOMEM;
	rtnl_link_set_master(change, m);
	rtnl_link_set_flags(change, IFF_UP);
	return link_change(sk, name, change);
}

int net_link_set_hairpin(struct nl_sock *sk, const char *name)
{
	_cleanup_link_ struct rtnl_link *l = NULL, *change = rtnl_link_alloc();
	int r;

	if (!change)
		return -ENOMEM;
	r = get_link(sk, name, &l);
	if (r < 0)
		return r;
	/* A bridge port's flags travel in IFLA_PROTINFO of an AF_BRIDGE RTM_SETLINK. */
	rtnl_link_set_family(l, AF_BRIDGE);
	rtnl_link_set_family(change, AF_BRIDGE);
	r = rtnl_link_bridge_set_flags(change, RTNL_BRIDGE_HAIRPIN_MODE);
	if (r >= 0)
		r = rtnl_link_change(sk, l, change, 0);
	return r < 0 ? net_nl_errno(r) : 0;
}

int net_link_set_alias(struct nl_sock *sk, const char *name, const char *alias)
{
	_cleanup_link_ struct rtnl_link *change = rtnl_link_alloc();

	if (!change)
		return -ENOMEM;
	rtnl_link_set_ifalias(change, alias);
	return link_change(sk, name, change);
}

static int copy_out(const char *s, char *buf, size_t size)
{
	if (!s)
		s = "";
	if (strlen(s) >= size)
		return -ENAMETOOLONG;
	memcpy(buf, s, strlen(s) + 1);
	return 0;
}

int net_link_get_alias(struct nl_sock *sk, const char *name, char *buf, size_t size)
{
	_cleanup_link_ struct rtnl_link *l = NULL;
	int r = get_link(sk, name, &l);

	return r < 0 ? r : copy_out(rtnl_link_get_ifalias(l), buf, size);
}

int net_link_get_kind(struct nl_sock *sk, const char *name, char *buf, size_t size)
{
	_cleanup_link_ struct rtnl_link *l = NULL;
	int r = get_link(sk, name, &l);

	return r < 0 ? r : copy_out(rtnl_link_get_type(l), buf, size);
}

int net_link_delete(struct nl_sock *sk, const char *name)
{
	_cleanup_link_ struct rtnl_link *l = NULL;
	int r = get_link(sk, name, &l);

	if (r < 0)
		return r;
	r = rtnl_link_delete(sk, l);
	return r < 0 ? net_nl_errno(r) : 0;
}

static int count_links(struct nl_sock *sk, int master, const char *alias_prefix)
{
	_cleanup_nl_cache_ struct nl_cache *cache = NULL;
	int n = 0, r;

	r = rtnl_link_alloc_cache(sk, AF_UNSPEC, &cache);
	if (r < 0)
		return net_nl_errno(r);
	for (struct nl_object *o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
		struct rtnl_link *l = (struct rtnl_link *)o;
		const char *a = rtnl_link_get_ifalias(l);

		if (master > 0 && rtnl_link_get_master(l) != master)
			continue;
		if (alias_prefix && (!a || strncmp(a, alias_prefix, strlen(alias_prefix))))
			continue;
		n++;
	}
	return n;
}

int net_link_count_ports(struct nl_sock *sk, const char *master, const char *alias_prefix)
{
	int m = net_link_index(sk, master);

	return m < 0 ? m : count_links(sk, m, alias_prefix);
}

int net_link_count_alias(struct nl_sock *sk, const char *prefix)
{
	return count_links(sk, 0, prefix);
}

bool net_link_name_is_valid(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	if (n < 1 || n >= IFNAMSIZ || !strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	for (const char *p = name; *p; p++)
		if (*p == '/' || *p == ':' || (unsigned char)*p <= ' ' || (unsigned char)*p >= 127)
			return false;
	return true;
}

int net_link_index_or_none(struct nl_sock *sk, const char *name)
{
	int r = name ? net_link_index(sk, name) : 0;

	return r == -ENODEV ? 0 : r;
}
