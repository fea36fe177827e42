/* test-pool.c: unit tests of net/pool.c and net/pool6.c (addresses, pools, leases, subnet
 * choice, the derived ULA) and of the names and
 * MACs of net/veth.c: pure functions, no root, no network. */
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/util.h"
#include "net/nat.h"
#include "net/pool.h"
#include "net/pool6.h"
#include "net/sockowner.h"
#include "net/veth.h"

#define A(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (d))

static void test_addr_parse_accepts_dotted_quads_and_formats_back(void **state _unused_)
{
	char buf[NET_ADDR_STRLEN];
	uint32_t a;

	assert_int_equal(net_addr_parse("10.77.0.5", &a), 0);
	assert_int_equal(a, A(10, 77, 0, 5));
	assert_string_equal(net_addr_format(a, buf), "10.77.0.5");
	assert_int_equal(net_addr_parse("255.255.255.255", &a), 0);
	assert_int_equal(a, UINT32_MAX);
	assert_int_equal(net_addr_parse("0.0.0.0", &a), 0);
	assert_int_equal(a, 0);
}

static void test_addr_parse_refuses_what_inet_aton_would_misread(void **state _unused_)
{
	static const char *const bad[] = {
		"",           "10.77.0",    "10.77.0.5.1", "10.77.0.256",
		"010.77.0.5", "10.77.0.5 ", " 10.77.0.5",  "10..0.5",
		"10.77.0.-1", "0x0a.0.0.1", "1000.0.0.1",  "10.77.0.5/24"};
	uint32_t a = 42;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(net_addr_parse(bad[i], &a), -EINVAL);
		assert_int_equal(a, 42);
	}
	assert_int_equal(net_addr_parse(NULL, &a), -EINVAL);
}

static void test_pool_parse_needs_zero_host_bits_and_prefix_8_to_30(void **state _unused_)
{
	struct net_pool p;
	char buf[NET_POOL_STRLEN];

	assert_int_equal(net_pool_parse("10.77.0.0/24", &p), 0);
	assert_int_equal(p.net, A(10, 77, 0, 0));
	assert_int_equal(p.prefix, 24);
	assert_string_equal(net_pool_format(&p, buf), "10.77.0.0/24");
	assert_int_equal(net_pool_parse("172.16.0.0/12", &p), 0);
	assert_int_equal(net_pool_parse("10.77.0.1/24", &p), -EINVAL);
	assert_int_equal(net_pool_parse("10.77.0.0/31", &p), -EINVAL);
	assert_int_equal(net_pool_parse("10.0.0.0/7", &p), -EINVAL);
	assert_int_equal(net_pool_parse("10.77.0.0", &p), -EINVAL);
	assert_int_equal(net_pool_parse("10.77.0.0/", &p), -EINVAL);
	assert_int_equal(net_pool_parse("10.77.0.0/24x", &p), -EINVAL);
	assert_int_equal(net_pool_parse("10.77.0.0/024", &p), 0);
	assert_int_equal(p.prefix, 24);
}

static void test_pool_mask_gateway_and_contains(void **state _unused_)
{
	struct net_pool p = {.net = A(10, 77, 0, 0), .prefix = 24};

	assert_int_equal(net_pool_mask(0), 0);
	assert_int_equal(net_pool_mask(24), A(255, 255, 255, 0));
	assert_int_equal(net_pool_mask(32), UINT32_MAX);
	assert_int_equal(net_pool_gateway(&p), A(10, 77, 0, 1));
	assert_true(net_pool_contains(&p, A(10, 77, 0, 254)));
	assert_false(net_pool_contains(&p, A(10, 77, 1, 1)));
	assert_false(net_pool_contains(&p, A(10, 76, 255, 255)));
}

static void test_pool_check_refuses_outside_network_gateway_broadcast(void **state _unused_)
{
	struct net_pool p = {.net = A(10, 77, 0, 0), .prefix = 24};
	uint32_t used[] = {A(10, 77, 0, 2), A(10, 77, 0, 50)};

	assert_int_equal(net_pool_check(&p, A(10, 77, 0, 3), used, 2), 0);
	assert_int_equal(net_pool_check(&p, A(10, 77, 0, 254), used, 2), 0);
	assert_int_equal(net_pool_check(&p, A(10, 77, 0, 50), used, 2), -EADDRINUSE);
	assert_int_equal(net_pool_check(&p, A(10, 77, 0, 2), used, 2), -EADDRINUSE);
	assert_int_equal(net_pool_check(&p, A(10, 77, 1, 5), used, 2), -EDOM);
	assert_int_equal(net_pool_check(&p, A(10, 77, 0, 0), used, 2), -EDOM);
	assert_int_equal(net_pool_check(&p, A(10, 77, 0, 1), used, 2), -EDOM);
	assert_int_equal(net_pool_check(&p, A(10, 77, 0, 255), used, 2), -EDOM);
}

static void test_pool_lease_gives_lowest_free_address_after_gateway(void **state _unused_)
{
	struct net_pool p = {.net = A(10, 77, 0, 0), .prefix = 24};
	uint32_t used[] = {A(10, 77, 0, 3), A(10, 77, 0, 2), A(10, 77, 0, 5)};
	uint32_t a = 0;

	assert_int_equal(net_pool_lease(&p, NULL, 0, &a), 0);
	assert_int_equal(a, A(10, 77, 0, 2));
	assert_int_equal(net_pool_lease(&p, used, 3, &a), 0);
	assert_int_equal(a, A(10, 77, 0, 4));
}

static void test_pool_lease_of_full_pool_is_enospc(void **state _unused_)
{
	/* A /30 holds the gateway .1 and one container address .2 (.3 is broadcast). */
	struct net_pool p = {.net = A(10, 9, 9, 0), .prefix = 30};
	uint32_t used[] = {A(10, 9, 9, 2)};
	uint32_t a = 7;

	assert_int_equal(net_pool_lease(&p, NULL, 0, &a), 0);
	assert_int_equal(a, A(10, 9, 9, 2));
	a = 7;
	assert_int_equal(net_pool_lease(&p, used, 1, &a), -ENOSPC);
	assert_int_equal(a, 7);
}

static void test_pool_overlaps_in_both_directions(void **state _unused_)
{
	struct net_pool p24 = {.net = A(10, 77, 0, 0), .prefix = 24};
	struct net_pool p16 = {.net = A(10, 77, 0, 0), .prefix = 16};
	struct net_pool host = {.net = A(10, 77, 0, 9), .prefix = 32};
	struct net_pool other = {.net = A(10, 78, 0, 0), .prefix = 24};

	assert_true(net_pool_overlaps(&p24, &p16));
	assert_true(net_pool_overlaps(&p16, &p24));
	assert_true(net_pool_overlaps(&p24, &host));
	assert_false(net_pool_overlaps(&p24, &other));
	assert_false(net_pool_overlaps(&other, &host));
}

static void test_pick_subnet_takes_preferred_when_no_route_covers_it(void **state _unused_)
{
	struct net_pool want = {.net = A(10, 77, 0, 0), .prefix = 24}, got;
	struct net_pool routes[] = {{A(192, 0, 2, 0), 24}, {A(172, 17, 0, 0), 16}};

	assert_int_equal(net_pool_pick_subnet(&want, routes, 2, &got), 0);
	assert_int_equal(got.net, A(10, 77, 0, 0));
	assert_int_equal(got.prefix, 24);
}

static void test_pick_subnet_skips_colliding_routes(void **state _unused_)
{
	struct net_pool want = {.net = A(10, 77, 0, 0), .prefix = 24}, got;
	/* The preferred /24 is taken, and a /23 covers the next two. */
	struct net_pool routes[] = {
		{A(10, 77, 0, 0), 24}, {A(10, 77, 2, 0), 23}, {A(10, 77, 4, 7), 32}};

	assert_int_equal(net_pool_pick_subnet(&want, routes, 3, &got), 0);
	assert_int_equal(got.net, A(10, 77, 1, 0));
	routes[0].prefix = 23; /* now 10.77.0.0-10.77.1.255 */
	assert_int_equal(net_pool_pick_subnet(&want, routes, 3, &got), 0);
	assert_int_equal(got.net, A(10, 77, 5, 0));
}

static void test_pick_subnet_wraps_and_fails_when_10_slash_8_is_routed(void **state _unused_)
{
	struct net_pool want = {.net = A(10, 255, 255, 0), .prefix = 24}, got;
	struct net_pool routes[] = {{A(10, 255, 255, 0), 24}};
	struct net_pool all[] = {{A(10, 0, 0, 0), 8}};

	assert_int_equal(net_pool_pick_subnet(&want, routes, 1, &got), 0);
	assert_int_equal(got.net, A(10, 0, 0, 0));
	assert_int_equal(net_pool_pick_subnet(&want, all, 1, &got), -ENOSPC);
}

static void test_veth_name_is_lx_name_when_it_fits_in_the_default_store(void **state _unused_)
{
	char n[IFNAMSIZ];

	net_veth_name("", "web", n);
	assert_string_equal(n, "lx-web");
	net_veth_name(NULL, "abcdefghijkl", n);
	assert_string_equal(n, "lx-abcdefghijkl");
}

static void test_veth_name_hashes_long_names_and_other_stores(void **state _unused_)
{
	char a[IFNAMSIZ], b[IFNAMSIZ], c[IFNAMSIZ], d[IFNAMSIZ];

	net_veth_name("", "abcdefghijklm", a);
	assert_int_equal(strlen(a), 15);
	assert_memory_equal(a, "lx-abcdefg-", 11);
	net_veth_name("", "abcdefghijkln", b);
	assert_string_not_equal(a, b); /* same 7-character stem, different names */
	net_veth_name("0badf00d-", "web", c);
	net_veth_name("12345678-", "web", d);
	assert_memory_equal(c, "lx-web-", 7);
	assert_string_not_equal(c, d); /* same name in two stores */
	net_veth_name("0badf00d-", "web", d);
	assert_string_equal(c, d); /* and stable */
}

static void test_mac_from_uuid_is_stable_local_unicast_and_differs_per_end(void **state _unused_)
{
	static const char u1[] = "5b8b2d7e-6c1f-4a7d-9a63-0c4f8e2b1d90";
	static const char u2[] = "5b8b2d7e-6c1f-4a7d-9a63-0c4f8e2b1d91";
	uint8_t m1[6], m2[6], m3[6], again[6];
	char buf[18];

	net_mac_from_uuid(u1, 0, m1);
	net_mac_from_uuid(u1, 1, m2);
	net_mac_from_uuid(u2, 0, m3);
	net_mac_from_uuid(u1, 0, again);
	assert_memory_equal(m1, again, 6);
	assert_memory_not_equal(m1, m2, 6);
	assert_memory_not_equal(m1, m3, 6);
	assert_int_equal(m1[0], 0x02);
	assert_int_equal(net_mac_parse(net_mac_format(m1, buf), again), 0);
	assert_memory_equal(m1, again, 6);
}

static void test_mac_parse_refuses_multicast_zero_and_malformed(void **state _unused_)
{
	uint8_t m[6];

	assert_int_equal(net_mac_parse("02:11:22:33:44:55", m), 0);
	assert_int_equal(m[5], 0x55);
	assert_int_equal(net_mac_parse("01:00:5e:00:00:01", m), -EINVAL);
	assert_int_equal(net_mac_parse("00:00:00:00:00:00", m), -EINVAL);
	assert_int_equal(net_mac_parse("02:11:22:33:44", m), -EINVAL);
	assert_int_equal(net_mac_parse("02:11:22:33:44:5g", m), -EINVAL);
	assert_int_equal(net_mac_parse("02:11:22:33:44:555", m), -EINVAL);
	assert_int_equal(net_mac_parse("02-11-22-33-44-55", m), -EINVAL);
	assert_int_equal(net_mac_parse("02:11:22:33:44: 5", m), -EINVAL);
}

static void test_forward_parse_accepts_lists_split_by_commas_or_spaces(void **state _unused_)
{
	struct net_forward f[4];

	assert_int_equal(net_forward_parse("tcp:8080:80, udp:5353:53 tcp:1:65535", f, 4), 3);
	assert_false(f[0].udp);
	assert_int_equal(f[0].host_port, 8080);
	assert_int_equal(f[0].port, 80);
	assert_true(f[1].udp);
	assert_int_equal(f[1].host_port, 5353);
	assert_int_equal(f[1].port, 53);
	assert_int_equal(f[2].host_port, 1);
	assert_int_equal(f[2].port, 65535);
	/* The same host port once per protocol. */
	assert_int_equal(net_forward_parse("tcp:53:53 udp:53:53", f, 4), 2);
	assert_int_equal(net_forward_parse("", f, 4), 0);
}

static void test_forward_parse_refuses_bad_items_duplicates_and_overflow(void **state _unused_)
{
	static const char *const bad[] = {"tcp:0:80",  "tcp:80:0",    "sctp:1:2",    "tcp:8080",
					  "tcp:1:2:3", "tcp:65536:1", "TCP:1:2",     "tcp:+1:2",
					  "tcp::2",    "tcp:1:2x",    "tcp:123456:1"};
	struct net_forward f[4];

	for (size_t i = 0; i < ELEMENTSOF(bad); i++)
		assert_int_equal(net_forward_parse(bad[i], f, 4), -EINVAL);
	assert_int_equal(net_forward_parse("tcp:1:2 tcp:1:3", f, 4), -EEXIST);
	assert_int_equal(net_forward_parse("tcp:1:1 tcp:2:2 tcp:3:3", f, 2), -E2BIG);
}

/* A fake procfs: 10.77.0.1:53/udp bound by pid 4242 ("holder"), a TCP socket on 53 that is
 * not listening, and 0.0.0.0:67/udp held by nobody we can see. */
static void test_sockowner_finds_pid_and_comm_of_a_bound_port(void **state _unused_)
{
	char root[] = "/tmp/test-sockowner.XXXXXX", path[256], comm[32];
	uint32_t gw = (10u << 24) | (77u << 16) | 1u;

	assert_non_null(mkdtemp(root));
	(void)snprintf(path, sizeof(path), "%s/net", root);
	assert_int_equal(mkdir(path, 0755), 0);
	(void)snprintf(path, sizeof(path), "%s/net/udp", root);
	unit_write_text(path, "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when "
			      "retrnsmt   uid  timeout inode ref pointer drops\n"
			      " 1: 01004D0A:0035 00000000:0000 07 00000000:00000000 00:00000000 "
			      "00000000     0        0 999 2 0000000000000000 0\n"
			      " 2: 00000000:0043 00000000:0000 07 00000000:00000000 00:00000000 "
			      "00000000     0        0 777 2 0000000000000000 0\n");
	(void)snprintf(path, sizeof(path), "%s/net/tcp", root);
	unit_write_text(path, "  sl  local_address ...\n"
			      " 0: 01004D0A:0035 0200A8C0:1234 01 00000000:00000000 00:00000000 "
			      "00000000     0        0 555 1 0000000000000000\n");
	(void)snprintf(path, sizeof(path), "%s/4242", root);
	assert_int_equal(mkdir(path, 0755), 0);
	(void)snprintf(path, sizeof(path), "%s/4242/fd", root);
	assert_int_equal(mkdir(path, 0755), 0);
	(void)snprintf(path, sizeof(path), "%s/4242/fd/7", root);
	assert_int_equal(symlink("socket:[999]", path), 0);
	(void)snprintf(path, sizeof(path), "%s/4242/comm", root);
	unit_write_text(path, "holder\n");

	assert_int_equal(net_sockowner_find(root, true, gw, 53, comm, sizeof(comm)), 4242);
	assert_string_equal(comm, "holder");
	/* Another address, a TCP socket that does not listen, an inode no process holds. */
	assert_int_equal(net_sockowner_find(root, true, gw + 1, 53, comm, sizeof(comm)), 0);
	assert_int_equal(net_sockowner_find(root, false, gw, 53, comm, sizeof(comm)), 0);
	assert_int_equal(net_sockowner_find(root, true, gw, 67, comm, sizeof(comm)), 0);
	assert_int_equal(rm_rf_at(AT_FDCWD, root), 0);
}

static void test_pool6_parse_needs_a_slash_64_with_zero_host_bits(void **state _unused_)
{
	char buf[NET_POOL6_STRLEN];
	struct net_pool6 p;

	assert_int_equal(net_pool6_parse("fd12:3456:789a:1::/64", &p), 0);
	assert_string_equal(net_pool6_format(&p, buf), "fd12:3456:789a:1::/64");
	assert_int_equal(net_pool6_parse("fd12:3456:789a:1::/48", &p), -EINVAL);
	assert_int_equal(net_pool6_parse("fd12:3456:789a:1::5/64", &p), -EINVAL);
	assert_int_equal(net_pool6_parse("fe80::/64", &p), -EINVAL);
	assert_int_equal(net_pool6_parse("ff02::/64", &p), -EINVAL);
	assert_int_equal(net_pool6_parse("10.77.0.0/24", &p), -EINVAL);
	assert_int_equal(net_pool6_parse("fd12::", &p), -EINVAL);
}

static void test_pool6_derive_is_a_stable_ula_that_differs_per_seed(void **state _unused_)
{
	struct net_pool6 a, b, c;

	net_pool6_derive("machine:lxbr-1", &a);
	net_pool6_derive("machine:lxbr-1", &b);
	net_pool6_derive("machine:lxbr-2", &c);
	assert_memory_equal(&a, &b, sizeof(a));
	assert_memory_not_equal(&a, &c, sizeof(a));
	assert_int_equal(a.net.s6_addr[0], 0xfd);
	for (int i = 6; i < 16; i++)
		assert_int_equal(a.net.s6_addr[i], 0);
}

static void test_pool6_check_and_lease_skip_anycast_gateway_and_used(void **state _unused_)
{
	struct in6_addr used[2], a, gw;
	char buf[NET_ADDR6_STRLEN];
	struct net_pool6 p;

	assert_int_equal(net_pool6_parse("fd00:1::/64", &p), 0);
	net_pool6_gateway(&p, &gw);
	assert_string_equal(net_addr6_format(&gw, buf), "fd00:1::1");
	assert_int_equal(net_pool6_check(&p, &gw, NULL, 0), -EDOM);
	assert_int_equal(net_pool6_check(&p, &p.net, NULL, 0), -EDOM);
	assert_int_equal(net_addr6_parse("fd00:2::5", &a), 0);
	assert_int_equal(net_pool6_check(&p, &a, NULL, 0), -EDOM);
	assert_int_equal(net_addr6_parse("fd00:1::2", &used[0]), 0);
	assert_int_equal(net_addr6_parse("fd00:1::3", &used[1]), 0);
	assert_int_equal(net_pool6_check(&p, &used[1], used, 2), -EADDRINUSE);
	assert_int_equal(net_pool6_lease(&p, used, 2, &a), 0);
	assert_string_equal(net_addr6_format(&a, buf), "fd00:1::4");
	assert_int_equal(net_pool6_lease(&p, NULL, 0, &a), 0);
	assert_string_equal(net_addr6_format(&a, buf), "fd00:1::2");
	assert_int_equal(net_addr6_parse("not-an-address", &a), -EINVAL);
}

static void test_pool6_overlaps_shorter_and_longer_routes(void **state _unused_)
{
	struct net_pool6 p;
	struct in6_addr d;

	assert_int_equal(net_pool6_parse("fd00:1:2:3::/64", &p), 0);
	assert_int_equal(net_addr6_parse("fd00::", &d), 0);
	assert_true(net_pool6_overlaps(&p, &d, 8));   /* fd00::/8 covers it */
	assert_true(net_pool6_overlaps(&p, &d, 16));  /* fd00::/16 too */
	assert_false(net_pool6_overlaps(&p, &d, 32)); /* fd00:0::/32 does not */
	assert_int_equal(net_addr6_parse("fd00:1:2:3::8", &d), 0);
	assert_true(net_pool6_overlaps(&p, &d, 128)); /* a host route inside it */
	assert_int_equal(net_addr6_parse("fd00:1:2:4::", &d), 0);
	assert_false(net_pool6_overlaps(&p, &d, 64));
	assert_true(net_pool6_overlaps(&p, &d, 61)); /* fd00:1:2::/61 covers ...:3 and :4 */
	assert_false(net_pool6_overlaps(&p, &d, 62));
}

#define T(f) cmocka_unit_test(f)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_addr_parse_accepts_dotted_quads_and_formats_back),
		T(test_addr_parse_refuses_what_inet_aton_would_misread),
		T(test_pool_parse_needs_zero_host_bits_and_prefix_8_to_30),
		T(test_pool_mask_gateway_and_contains),
		T(test_pool_check_refuses_outside_network_gateway_broadcast),
		T(test_pool_lease_gives_lowest_free_address_after_gateway),
		T(test_pool_lease_of_full_pool_is_enospc),
		T(test_pool_overlaps_in_both_directions),
		T(test_pick_subnet_takes_preferred_when_no_route_covers_it),
		T(test_pick_subnet_skips_colliding_routes),
		T(test_pick_subnet_wraps_and_fails_when_10_slash_8_is_routed),
		T(test_veth_name_is_lx_name_when_it_fits_in_the_default_store),
		T(test_veth_name_hashes_long_names_and_other_stores),
		T(test_mac_from_uuid_is_stable_local_unicast_and_differs_per_end),
		T(test_mac_parse_refuses_multicast_zero_and_malformed),
		T(test_forward_parse_accepts_lists_split_by_commas_or_spaces),
		T(test_forward_parse_refuses_bad_items_duplicates_and_overflow),
		T(test_sockowner_finds_pid_and_comm_of_a_bound_port),
		T(test_pool6_parse_needs_a_slash_64_with_zero_host_bits),
		T(test_pool6_derive_is_a_stable_ula_that_differs_per_seed),
		T(test_pool6_check_and_lease_skip_anycast_gateway_and_used),
		T(test_pool6_overlaps_shorter_and_longer_routes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
