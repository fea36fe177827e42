/* bridge.c: the host bridge of bridged containers. */
#include <errno.h>
#include <string.h>

#include <netlink/route/link.h>
#include <netlink/route/link/bridge.h>

#include "net/addr.h"
#include "net/bridge.h"
#include "net/link.h"
#include "net/nl.h"

int net_bridge_check(struct nl_sock *sk, const char *name)
{
	char kind[32];
	int r = net_link_get_kind(sk, name, kind, sizeof(kind));

	if (r < 0)
		return r;
	return strcmp(kind, "bridge") ? -EMEDIUMTYPE : 0;
}

int net_bridge_create(struct nl_sock *sk, const char *name, const char *alias, uint32_t gateway,
		      uint8_t prefix)
{
	struct rtnl_link *l = rtnl_link_bridge_alloc();
	int r;

	if (!l)
		return -ENOMEM;
	rtnl_link_set_name(l, name);
	r = rtnl_link_add(sk, l, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_link_put(l);
	if (r < 0)
		return net_nl_errno(r);
	r = net_link_set_alias(sk, name, alias);
	if (r >= 0)
		r = net_addr_add(sk, name, gateway, prefix);
	if (r >= 0)
		r = net_link_up(sk, name);
	return r;
}
