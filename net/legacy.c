/* legacy.c: the FORWARD policy of iptables-legacy, read through getsockopt. */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <linux/netfilter.h>
#include <linux/netfilter/x_tables.h>
#include <linux/netfilter_ipv4/ip_tables.h>
#include <linux/netfilter_ipv6/ip6_tables.h>

#include "base/cleanup.h"
#include "net/legacy.h"

/* ipt_getinfo and ip6t_getinfo, ipt_get_entries and ip6t_get_entries have one layout. */
_Static_assert(sizeof(struct ipt_getinfo) == sizeof(struct ip6t_getinfo), "getinfo layouts");
_Static_assert(offsetof(struct ipt_get_entries, entrytable) ==
		       offsetof(struct ip6t_get_entries, entrytable),
	       "get_entries layouts");

struct family_ops {
	const char *names; /* the /proc/net file listing the tables of this netns */
	int level, get_info, get_entries;
	size_t target_offset; /* offsetof(entry, target_offset) */
};

static int table_listed(const char *names, const char *table)
{
	_cleanup_fclose_ FILE *f = fopen(names, "re");
	char line[64];

	if (!f)
		return errno == ENOENT ? 0 : -errno; /* module not loaded: no legacy tables */
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strcmp(line, table))
			return 1;
	}
	return 0;
}

/* The verdict of the standard target at offset off of the entry blob. */
static int policy_is_drop(const unsigned char *blob, size_t size, size_t off, size_t target_off)
{
	const struct xt_standard_target *t;
	uint16_t toff;

	if (off + target_off + sizeof(toff) > size)
		return -EBADMSG;
	memcpy(&toff, blob + off + target_off, sizeof(toff));
	if (off + toff + sizeof(*t) > size)
		return -EBADMSG;
	t = (const struct xt_standard_target *)(blob + off + toff);
	/* A built-in chain's policy is its last rule, a standard target whose verdict is
	 * -NF_DROP - 1 for DROP (iptables' libiptc encoding). */
	if (strcmp(t->target.u.user.name, XT_STANDARD_TARGET) != 0)
		return 0;
	return t->verdict == -NF_DROP - 1;
}

const struct net_legacy_family net_legacy_families[2] = {{AF_INET, "iptables-legacy"},
							 {AF_INET6, "ip6tables-legacy"}};

int net_legacy_forward_drops(int family)
{
	static const struct family_ops v4 = {"/proc/net/ip_tables_names", SOL_IP, IPT_SO_GET_INFO,
					     IPT_SO_GET_ENTRIES,
					     offsetof(struct ipt_entry, target_offset)};
	static const struct family_ops v6 = {"/proc/net/ip6_tables_names", SOL_IPV6,
					     IP6T_SO_GET_INFO, IP6T_SO_GET_ENTRIES,
					     offsetof(struct ip6t_entry, target_offset)};
	const struct family_ops *o = family == AF_INET6 ? &v6 : &v4;
	_cleanup_free_ struct ipt_get_entries *e = NULL;
	_cleanup_close_ int fd = -EBADF;
	struct ipt_getinfo info = {.name = "filter"};
	socklen_t len = sizeof(info);
	int r;

	r = table_listed(o->names, "filter");
	if (r <= 0)
		return r;
	fd = socket(family, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	if (fd < 0)
		return -errno;
	if (getsockopt(fd, o->level, o->get_info, &info, &len) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!(info.valid_hooks & (1u << NF_INET_FORWARD)))
		return 0;
	len = (socklen_t)(sizeof(*e) + info.size);
	e = calloc(1, len);
	if (!e)
		return -ENOMEM;
	memcpy(e->name, "filter", sizeof("filter"));
	e->size = info.size;
	if (getsockopt(fd, o->level, o->get_entries, e, &len) < 0)
		return errno == ENOENT ? 0 : -errno;
	return policy_is_drop((const unsigned char *)e->entrytable, e->size,
			      info.underflow[NF_INET_FORWARD], o->target_offset);
}
