/* test-network.c: unit tests of the pure parts of the network policy (network/) and of the
 * names net/ derives: which bridge a container is on (its own, the store's, the default),
 * its veth and MAC, whether it wants IPv6, the holders list the address allocation builds,
 * and the nft table names (valid identifiers, or refused). No root, no netlink. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/lxmgr.h"
#include "net/link.h"
#include "net/nat.h"
#include "net/veth.h"
#include "network/internal.h"
#include "network/network.h"
#include "unit.h"

#define UUID "15db2026-9f9b-41dc-b7ea-14137ff574f0"

static void
test_bridge_is_the_configured_one_else_the_stores_else_the_default(void **state _unused_)
{
	struct lxmgr_ctx ctx = {0};
	struct container_config cfg = {0};
	char br[IFNAMSIZ];

	network_bridge_name(&ctx, &cfg, br);
	assert_string_equal(br, "lxmgrbr0");
	ctx.paths.cgroup_tag = (char *)"";
	network_bridge_name(&ctx, &cfg, br);
	assert_string_equal(br, "lxmgrbr0");
	/* A store of its own (--root): a bridge of its own, named by 8 characters of its tag. */
	ctx.paths.cgroup_tag = (char *)"0a1b2c3d";
	network_bridge_name(&ctx, &cfg, br);
	assert_string_equal(br, "lxbr-0a1b2c3d");
	ctx.paths.cgroup_tag = (char *)"0a1b2c3d4e5f";
	network_bridge_name(&ctx, &cfg, br);
	assert_string_equal(br, "lxbr-0a1b2c3d");
	/* net.bridge wins over both. */
	(void)snprintf(cfg.net_bridge, sizeof(cfg.net_bridge), "br-lan");
	network_bridge_name(&ctx, &cfg, br);
	assert_string_equal(br, "br-lan");
	ctx.paths.cgroup_tag = NULL;
	network_bridge_name(&ctx, &cfg, br);
	assert_string_equal(br, "br-lan");
}

static void test_veth_name_follows_the_store(void **state _unused_)
{
	struct lxmgr_ctx ctx = {0};
	char a[IFNAMSIZ], b[IFNAMSIZ], direct[IFNAMSIZ];

	network_veth_name(&ctx, "dev1", a);
	net_veth_name(NULL, "dev1", direct);
	assert_string_equal(a, direct);
	assert_true(strlen(a) < IFNAMSIZ);
	ctx.paths.cgroup_tag = (char *)"0a1b2c3d";
	network_veth_name(&ctx, "dev1", b);
	net_veth_name("0a1b2c3d", "dev1", direct);
	assert_string_equal(b, direct);
	/* Two stores' containers of one name get two host links. */
	assert_string_not_equal(a, b);
	assert_true(net_link_name_is_valid(a));
	assert_true(net_link_name_is_valid(b));
}

static void test_mac_is_net_mac_else_derived_from_the_uuid(void **state _unused_)
{
	struct container_config cfg = {.uuid = (char *)UUID};
	uint8_t m[6], derived[6];
	char s[18];

	net_mac_from_uuid(UUID, 0, derived);
	network_container_mac(&cfg, m);
	assert_memory_equal(m, derived, 6);
	(void)snprintf(cfg.net_mac, sizeof(cfg.net_mac), "02:aa:bb:cc:dd:ee");
	network_container_mac(&cfg, m);
	assert_string_equal(net_mac_format(m, s), "02:aa:bb:cc:dd:ee");
	/* A net.mac that does not parse (a multicast one) falls back to the derived MAC. */
	(void)snprintf(cfg.net_mac, sizeof(cfg.net_mac), "01:00:5e:00:00:01");
	network_container_mac(&cfg, m);
	assert_memory_equal(m, derived, 6);
	/* No uuid at all still gives a MAC (of ""), the same every time. */
	cfg = (struct container_config){0};
	network_container_mac(&cfg, m);
	net_mac_from_uuid("", 0, derived);
	assert_memory_equal(m, derived, 6);
}

static void test_ipv6_is_wanted_by_net_ipv6_yes_or_a_net_ip6(void **state _unused_)
{
	struct container_config cfg = {0};

	assert_false(network_ipv6_wanted(&cfg));
	(void)snprintf(cfg.net_ipv6, sizeof(cfg.net_ipv6), "no");
	assert_false(network_ipv6_wanted(&cfg));
	(void)snprintf(cfg.net_ipv6, sizeof(cfg.net_ipv6), "yes");
	assert_true(network_ipv6_wanted(&cfg));
	(void)snprintf(cfg.net_ipv6, sizeof(cfg.net_ipv6), "no");
	(void)snprintf(cfg.net_ip6, sizeof(cfg.net_ip6), "fd00::5");
	assert_true(network_ipv6_wanted(&cfg));
}

static void test_holders_append_keeps_addresses_and_names_parallel(void **state _unused_)
{
	uint32_t *addrs = NULL;
	char **names = NULL;
	size_t n = 0;
	uint32_t a;

	for (uint32_t i = 0; i < 100; i++) {
		char name[16];

		a = 0x0a4d0002 + i;
		(void)snprintf(name, sizeof(name), "c%u", i);
		assert_int_equal(network_holders_append((void **)&addrs, sizeof(*addrs), &names, &n,
							&a, name),
				 0);
	}
	assert_int_equal(n, 100);
	for (size_t i = 0; i < n; i++) {
		char name[32];

		(void)snprintf(name, sizeof(name), "c%zu", i);
		assert_int_equal(addrs[i], 0x0a4d0002 + i);
		assert_string_equal(names[i], name);
		free(names[i]);
	}
	free(names);
	free(addrs);
}

static void test_nat_table_name_is_an_nft_identifier_or_refused(void **state _unused_)
{
	static const char *const bad[] = {
		"", "br 0", "br/0", "br:0", "br@0", "br$0", ".", "..", "abcdefghijklmnop"};
	char t[64];

	assert_int_equal(net_nat_table_name("lxbr-0a1b2c3d", t, sizeof(t)), 0);
	assert_string_equal(t, "lxmgr-lxbr-0a1b2c3d");
	assert_int_equal(net_nat_table_name("br_lan.10", t, sizeof(t)), 0);
	assert_string_equal(t, "lxmgr-br_lan.10");
	for (size_t i = 0; i < ELEMENTSOF(bad); i++)
		if (net_nat_table_name(bad[i], t, sizeof(t)) != -EINVAL)
			fail_msg("bridge '%s' accepted", bad[i]);
	assert_int_equal(net_nat_table_name("lxbr-0a1b2c3d", t, 19), -ENAMETOOLONG);
	assert_int_equal(net_nat_table_name("lxbr-0a1b2c3d", t, 20), 0);
}

static void test_forward_table_name_is_an_nft_identifier_or_refused(void **state _unused_)
{
	char t[64];

	assert_int_equal(net_forward_table_name("lx-dev1", t, sizeof(t)), 0);
	assert_string_equal(t, NET_FORWARD_TABLE_PREFIX "lx-dev1");
	assert_int_equal(net_forward_table_name("", t, sizeof(t)), -EINVAL);
	assert_int_equal(net_forward_table_name("lx dev1", t, sizeof(t)), -EINVAL);
	assert_int_equal(net_forward_table_name("lx\"dev1", t, sizeof(t)), -EINVAL);
	assert_int_equal(net_forward_table_name("lx-dev1", t, strlen(NET_FORWARD_TABLE_PREFIX) + 7),
			 -ENAMETOOLONG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_bridge_is_the_configured_one_else_the_stores_else_the_default),
		cmocka_unit_test(test_veth_name_follows_the_store),
		cmocka_unit_test(test_mac_is_net_mac_else_derived_from_the_uuid),
		cmocka_unit_test(test_ipv6_is_wanted_by_net_ipv6_yes_or_a_net_ip6),
		cmocka_unit_test(test_holders_append_keeps_addresses_and_names_parallel),
		cmocka_unit_test(test_nat_table_name_is_an_nft_identifier_or_refused),
		cmocka_unit_test(test_forward_table_name_is_an_nft_identifier_or_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
