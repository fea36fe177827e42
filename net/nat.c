/* nat.c: lxmgr's own nftables tables: per bridge (masquerade) and per container (forwards). */
#include <errno.h>
#include <stdlib.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <nftables/libnftables.h>

#include "base/cleanup.h"
#include "base/lazy-libs.h"
#include "net/link.h"
#include "net/nat.h"
#include "net/pool.h"
#include "net/pool6.h"

static void nft_ctx_freep(struct nft_ctx **n)
{
	if (*n)
		nft_ctx_free(*n);
}

/* Runs an nft script with output and errors kept in buffers: a library never prints. The
 * output is handed on in *ret_output if asked for. */
static int nft_run_output(const char *script, bool *ret_missing, char **ret_output)
{
	__attribute__((cleanup(nft_ctx_freep))) struct nft_ctx *nft = nft_ctx_new(NFT_CTX_DEFAULT);
	const char *err;
	int r;

	if (!nft)
		return -ENOMEM;
	if (nft_ctx_buffer_output(nft) < 0 || nft_ctx_buffer_error(nft) < 0)
		return -ENOMEM;
	r = nft_run_cmd_from_buffer(nft, script);
	if (r == 0 && ret_output) {
		*ret_output = strdup(nft_ctx_get_output_buffer(nft) ?: "");
		return *ret_output ? 0 : -ENOMEM;
	}
	if (r == 0)
		return 0;
	err = nft_ctx_get_error_buffer(nft);
	if (ret_missing)
		*ret_missing = err && strstr(err, "No such file or directory");
	return err && strstr(err, "Operation not permitted") ? -EPERM : -EIO;
}

static int nft_run(const char *script, bool *ret_missing)
{
	return nft_run_output(script, ret_missing, NULL);
}

int net_nat_table_name(const char *bridge, char *buf, size_t size)
{
	if (!net_link_name_is_valid(bridge))
		return -EINVAL;
	for (const char *p = bridge; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.",
			    *p))
			return -EINVAL; /* not an nft identifier */
	if ((size_t)snprintf(buf, size, "lxmgr-%s", bridge) >= size)
		return -ENAMETOOLONG;
	return 0;
}

int net_nat_add(const char *table, const char *bridge, const struct net_pool *pool)
{
	char script[1024], p[NET_POOL_STRLEN];

	net_pool_format(pool, p);
	/* The guard: with route_localnet on the bridge (forwards to 127.0.0.1) the kernel would
	 * deliver a container's packets for 127.0.0.0/8 to the host's loopback services
	 * (CVE-2020-8558); they are dropped before conntrack, so that replies to the host's
	 * masqueraded 127.0.0.1 connections (addressed to the gateway) still pass. */
	(void)snprintf(script, sizeof(script),
		       "add table ip %1$s\n"
		       "add chain ip %1$s postrouting { type nat hook postrouting priority srcnat; "
		       "policy accept; }\n"
		       "add chain ip %1$s guard { type filter hook prerouting priority raw; "
		       "policy accept; }\n"
		       "flush chain ip %1$s postrouting\n"
		       "flush chain ip %1$s guard\n"
		       "add rule ip %1$s postrouting ip saddr %2$s ip daddr != %2$s masquerade\n"
		       "add rule ip %1$s guard iifname \"%3$s\" ip daddr 127.0.0.0/8 drop\n",
		       table, p, bridge);
	return nft_run(script, NULL);
}

int net_nat6_add(const char *table, const struct net_pool6 *pool)
{
	char script[1024], p[NET_POOL6_STRLEN];

	net_pool6_format(pool, p);
	(void)snprintf(
		script, sizeof(script),
		"add table ip6 %1$s\n"
		"add chain ip6 %1$s postrouting { type nat hook postrouting priority srcnat; "
		"policy accept; }\n"
		"flush chain ip6 %1$s postrouting\n"
		"add rule ip6 %1$s postrouting ip6 saddr %2$s ip6 daddr != %2$s masquerade\n",
		table, p);
	return nft_run(script, NULL);
}

static int remove_family(const char *family, const char *table)
{
	char script[256];
	bool missing = false;
	int r;

	(void)snprintf(script, sizeof(script), "delete table %s %s\n", family, table);
	r = nft_run(script, &missing);
	return r < 0 && missing ? 0 : r;
}

int net_nat_remove(const char *table)
{
	int r = remove_family("ip6", table), q = remove_family("ip", table);

	return q < 0 ? q : r;
}

int net_nat_exists(const char *table)
{
	char script[256];
	bool missing = false;
	int r;

	(void)snprintf(script, sizeof(script), "list table ip %s\n", table);
	r = nft_run(script, &missing);
	if (r < 0)
		return missing ? 0 : r;
	return 1;
}

static bool nft_ident_is_valid(const char *s)
{
	return *s &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") ==
		       strlen(s);
}

int net_forward_table_name(const char *veth, char *buf, size_t size)
{
	if (!nft_ident_is_valid(veth))
		return -EINVAL;
	if ((size_t)snprintf(buf, size, NET_FORWARD_TABLE_PREFIX "%s", veth) >= size)
		return -ENAMETOOLONG;
	return 0;
}

static int parse_port(const char *s, size_t n, uint16_t *ret)
{
	unsigned long v = 0;

	if (n == 0 || n > 5 || strspn(s, "0123456789") < n)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (unsigned long)(s[i] - '0');
	if (v < 1 || v > 65535)
		return -EINVAL;
	*ret = (uint16_t)v;
	return 0;
}

/* One "PROTO:HOSTPORT:PORT" of n characters. */
static int parse_one(const char *s, size_t n, struct net_forward *ret)
{
	const char *c1 = memchr(s, ':', n), *c2;

	if (!c1)
		return -EINVAL;
	c2 = memchr(c1 + 1, ':', n - (size_t)(c1 + 1 - s));
	if (!c2)
		return -EINVAL;
	if (c1 - s == 3 && !strncmp(s, "tcp", 3))
		ret->udp = false;
	else if (c1 - s == 3 && !strncmp(s, "udp", 3))
		ret->udp = true;
	else
		return -EINVAL;
	if (parse_port(c1 + 1, (size_t)(c2 - c1 - 1), &ret->host_port) < 0)
		return -EINVAL;
	return parse_port(c2 + 1, n - (size_t)(c2 + 1 - s), &ret->port);
}

int net_forward_parse(const char *s, struct net_forward *ret, size_t max)
{
	size_t n = 0;

	for (;;) {
		size_t len;

		s += strspn(s, ", ");
		if (!*s)
			return (int)n;
		len = strcspn(s, ", ");
		if (n == max)
			return -E2BIG;
		if (parse_one(s, len, &ret[n]) < 0)
			return -EINVAL;
		for (size_t i = 0; i < n; i++)
			if (ret[i].udp == ret[n].udp && ret[i].host_port == ret[n].host_port)
				return -EEXIST;
		n++;
		s += len;
	}
}

static const char *proto(const struct net_forward *f)
{
	return f->udp ? "udp" : "tcp";
}

int net_forward_add(const char *table, const struct net_pool *pool, const char *ip,
		    const struct net_forward *f, size_t n)
{
	_cleanup_free_ char *script = NULL;
	char p[NET_POOL_STRLEN];
	size_t size = 1024 + n * 512, off;

	script = malloc(size);
	if (!script)
		return -ENOMEM;
	net_pool_format(pool, p);
	/* prerouting: from other hosts and from containers (hairpin); output (priority -100:
	 * nft 1.0 refuses "dstnat" there): from the host itself to one of its addresses,
	 * 127.0.0.1 included (the caller turns route_localnet on for the bridge, without which
	 * a packet from 127/8 leaving on it is a martian). */
	off = (size_t)snprintf(
		script, size,
		"add table ip %1$s\n"
		"add chain ip %1$s prerouting { type nat hook prerouting priority dstnat; "
		"policy accept; }\n"
		"add chain ip %1$s output { type nat hook output priority -100; policy accept; }\n"
		"add chain ip %1$s postrouting { type nat hook postrouting priority srcnat; "
		"policy accept; }\n"
		"flush table ip %1$s\n",
		table);
	for (size_t i = 0; i < n && off < size; i++)
		/* Masqueraded: a connection from the pool (hairpin: the answer must come back
		 * through the host) and one from 127/8 (the container would answer its own lo). */
		off += (size_t)snprintf(
			script + off, size - off,
			"add rule ip %1$s prerouting fib daddr type local %2$s dport %3$u "
			"dnat to %4$s:%5$u\n"
			"add rule ip %1$s output fib daddr type local %2$s dport %3$u "
			"dnat to %4$s:%5$u\n"
			"add rule ip %1$s postrouting ip saddr { %6$s, 127.0.0.0/8 } ip daddr %4$s "
			"%2$s dport %5$u ct status dnat masquerade\n",
			table, proto(&f[i]), f[i].host_port, ip, f[i].port, p);
	if (off >= size)
		return -ENAMETOOLONG;
	return nft_run(script, NULL);
}

int net_forward_remove(const char *table)
{
	return net_nat_remove(table);
}

int net_forward_find(const struct net_forward *f, const char *skip_table, char *ret_table,
		     size_t size)
{
	_cleanup_free_ char *out = NULL;
	char table[128] = "", needle[64];
	int r;

	r = nft_run_output("list tables ip\n", NULL, &out);
	if (r < 0)
		return r;
	(void)snprintf(needle, sizeof(needle), "%s dport %u dnat", proto(f), f->host_port);
	for (char *save = NULL, *line = strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		_cleanup_free_ char *rules = NULL;
		char script[256];

		if (sscanf(line, "table ip %127s", table) != 1 ||
		    strncmp(table, NET_FORWARD_TABLE_PREFIX, strlen(NET_FORWARD_TABLE_PREFIX)) ||
		    (skip_table && !strcmp(table, skip_table)))
			continue;
		(void)snprintf(script, sizeof(script), "list table ip %s\n", table);
		if (nft_run_output(script, NULL, &rules) < 0 || !strstr(rules, needle))
			continue;
		(void)snprintf(ret_table, size, "%s", table);
		return 1;
	}
	return 0;
}

/* A line "table FAMILY NAME {", "chain NAME {" or a chain's "type ... hook forward ...
 * policy drop;" of `nft list chains`. */
int net_forward_policy_drops(char **ret)
{
	_cleanup_free_ char *out = NULL, *list = NULL;
	char family[16] = "", table[128] = "", chain[128] = "";
	size_t len = 0;
	int r, n = 0;

	r = nft_run_output("list chains\n", NULL, &out);
	if (r < 0)
		return r;
	list = strdup("");
	if (!list)
		return -ENOMEM;
	for (char *save = NULL, *line = strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *grown;

		line += strspn(line, " \t");
		if (sscanf(line, "table %15s %127s", family, table) == 2 ||
		    sscanf(line, "chain %127s", chain) == 1)
			continue;
		/* lxmgr's own tables are all "ip lxmgr-*" and hook no forward chain. */
		if (!strstr(line, "hook forward") || !strstr(line, "policy drop;") ||
		    (!strcmp(family, "ip") && !strncmp(table, "lxmgr-", 6)))
			continue;
		grown = realloc(list, len + strlen(family) + strlen(table) + strlen(chain) + 4);
		if (!grown)
			return -ENOMEM;
		list = grown;
		len += (size_t)sprintf(list + len, "%s %s %s\n", family, table, chain);
		n++;
	}
	*ret = TAKE_PTR(list);
	return n;
}
