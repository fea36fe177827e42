/* lazy-libs.h: every call into a library of lazy.h goes through LAZY_CALL. Included after the
 * library's own header (whose prototypes LAZY_CALL takes); a function missing here is a link
 * error, since lxmgr does not link these libraries. */
#pragma once

#include "base/lazy.h"

/* libnftables */
#define nft_ctx_buffer_error(...) LAZY_CALL(LAZY_NFTABLES, nft_ctx_buffer_error)(__VA_ARGS__)
#define nft_ctx_buffer_output(...) LAZY_CALL(LAZY_NFTABLES, nft_ctx_buffer_output)(__VA_ARGS__)
#define nft_ctx_free(...) LAZY_CALL(LAZY_NFTABLES, nft_ctx_free)(__VA_ARGS__)
#define nft_ctx_get_error_buffer(...)                                                              \
	LAZY_CALL(LAZY_NFTABLES, nft_ctx_get_error_buffer)(__VA_ARGS__)
#define nft_ctx_get_output_buffer(...)                                                             \
	LAZY_CALL(LAZY_NFTABLES, nft_ctx_get_output_buffer)(__VA_ARGS__)
#define nft_ctx_new(...) LAZY_CALL(LAZY_NFTABLES, nft_ctx_new)(__VA_ARGS__)
#define nft_run_cmd_from_buffer(...) LAZY_CALL(LAZY_NFTABLES, nft_run_cmd_from_buffer)(__VA_ARGS__)

/* libnl-3 */
#define nl_addr_build(...) LAZY_CALL(LAZY_NL, nl_addr_build)(__VA_ARGS__)
#define nl_addr_get_binary_addr(...) LAZY_CALL(LAZY_NL, nl_addr_get_binary_addr)(__VA_ARGS__)
#define nl_addr_get_len(...) LAZY_CALL(LAZY_NL, nl_addr_get_len)(__VA_ARGS__)
#define nl_addr_get_prefixlen(...) LAZY_CALL(LAZY_NL, nl_addr_get_prefixlen)(__VA_ARGS__)
#define nl_addr_put(...) LAZY_CALL(LAZY_NL, nl_addr_put)(__VA_ARGS__)
#define nl_addr_set_prefixlen(...) LAZY_CALL(LAZY_NL, nl_addr_set_prefixlen)(__VA_ARGS__)
#define nl_cache_free(...) LAZY_CALL(LAZY_NL, nl_cache_free)(__VA_ARGS__)
#define nl_cache_get_first(...) LAZY_CALL(LAZY_NL, nl_cache_get_first)(__VA_ARGS__)
#define nl_cache_get_next(...) LAZY_CALL(LAZY_NL, nl_cache_get_next)(__VA_ARGS__)
#define nl_connect(...) LAZY_CALL(LAZY_NL, nl_connect)(__VA_ARGS__)
#define nl_socket_alloc(...) LAZY_CALL(LAZY_NL, nl_socket_alloc)(__VA_ARGS__)
#define nl_socket_free(...) LAZY_CALL(LAZY_NL, nl_socket_free)(__VA_ARGS__)

/* libnl-route-3 */
#define rtnl_addr_add(...) LAZY_CALL(LAZY_NL_ROUTE, rtnl_addr_add)(__VA_ARGS__)
#define rtnl_addr_alloc(...) LAZY_CALL(LAZY_NL_ROUTE, rtnl_addr_alloc)(__VA_ARGS__)
#define rtnl_addr_alloc_cache(...) LAZY_CALL(LAZY_NL_ROUTE, rtnl_addr_alloc_cache)(__VA_ARGS__)
#define rtnl_addr_get_family(...) LAZY_CALL(LAZY_NL_ROUTE, rtnl_addr_get_family)(__VA_ARGS__)
#define rtnl_addr_get_ifindex(...) LAZY_CALL(LAZY_NL_ROUTE, rtnl_addr_get_ifindex)(__VA_ARGS__)
#define rtnl_addr_get_local(...) LAZY_CALL(LAZY_NL_ROUTE, rtnl_addr_get_local)(__VA_ARGS__)
#define rtnl_addr_get_prefixlen(...) LAZY_CALL(LAZY_NL_ROUTE, rtnl_addr_get_prefixlen)(__VA_ARGS__)
#define rtnl_addr_put(...) LAZY_CALL(LAZY_NL_ROUTE, rtnl_addr_put)(__VA_ARGS__)
#define rtnl_addr_set_broadcast(...) LAZY_CALL(LAZY_NL_ROUTE, rtnl_addr_set_broadcast)(__VA_ARGS__)
#define rtnl_addr_set_family(...) LAZY_CALL(LAZY_NL_ROUTE, rtnl_addr_set_family)(__VA_ARGS__)
#define rtnl_addr_set_flags(...) LAZY_CALL(LAZY_NL_ROUTE, rtnl_addr_set_flags)(__VA_ARGS__)
#define rtnl_addr_set_ifindex(...) LAZY_CALL(LAZY_NL_ROUTE, rtnl_addr_set_ifindex)(__VA_ARGS__)
#define rtnl_addr_set_local(...) LAZY_CALL(LAZY_NL_ROUTE, rtnl_addr_set_local)(__VA_ARGS__)
#define rtnl_link_add(...) LAZY_CALL(LAZY_NL_ROUTE, rtnl_link_add)(__VA_ARGS__)
#define rtnl_link_alloc(...) LAZY_CALL(LAZY_NL_ROUTE, rtnl_link_alloc)(__VA_ARGS__)
#define rtnl_link_alloc_cache(...) LAZY_CALL(LAZY_NL_ROUTE, rtnl_link_alloc_cache)(__VA_ARGS__)
#define rtnl_link_bridge_alloc(...) LAZY_CALL(LAZY_NL_ROUTE, rtnl_link_bridge_alloc)(__VA_ARGS__)
#define rtnl_link_bridge_set_flags(...)                                                            \
	LAZY_CALL(LAZY_NL_ROUTE, rtnl_link_bridge_set_flags)(__VA_ARGS__)
#define rtnl_link_change(...) LAZY_CALL(LAZY_NL_ROUTE, rtnl_link_change)(__VA_ARGS__)
#define rtnl_link_delete(...) LAZY_CALL(LAZY_NL_ROUTE, rtnl_link_delete)(__VA_ARGS__)
#define rtnl_link_get_ifalias(...) LAZY_CALL(LAZY_NL_ROUTE, rtnl_link_get_ifalias)(__VA_ARGS__)
#define rtnl_link_get_ifindex(...) LAZY_CALL(LAZY_NL_ROUTE, rtnl_link_get_ifindex)(__VA_ARGS__)
#define rtnl_link_get_kernel(...) LAZY_CALL(LAZY_NL_ROUTE, rtnl_link_get_kernel)(__VA_ARGS__)
#define rtnl_link_get_master(...) LAZY_CALL(LAZY_NL_ROUTE, rtnl_link_get_master)(__VA_ARGS__)
#define rtnl_link_get_type(...) LAZY_CALL(LAZY_NL_ROUTE, rtnl_link_get_type)(__VA_ARGS__)
#define rtnl_link_put(...) LAZY_CALL(LAZY_NL_ROUTE, rtnl_link_put)(__VA_ARGS__)
#define rtnl_link_set_addr(...) LAZY_CALL(LAZY_NL_ROUTE, rtnl_link_set_addr)(__VA_ARGS__)
#define rtnl_link_set_family(...) LAZY_CALL(LAZY_NL_ROUTE, rtnl_link_set_family)(__VA_ARGS__)
#define rtnl_link_set_flags(...) LAZY_CALL(LAZY_NL_ROUTE, rtnl_link_set_flags)(__VA_ARGS__)
#define rtnl_link_set_ifalias(...) LAZY_CALL(LAZY_NL_ROUTE, rtnl_link_set_ifalias)(__VA_ARGS__)
#define rtnl_link_set_master(...) LAZY_CALL(LAZY_NL_ROUTE, rtnl_link_set_master)(__VA_ARGS__)
#define rtnl_link_set_name(...) LAZY_CALL(LAZY_NL_ROUTE, rtnl_link_set_name)(__VA_ARGS__)
#define rtnl_link_set_ns_pid(...) LAZY_CALL(LAZY_NL_ROUTE, rtnl_link_set_ns_pid)(__VA_ARGS__)
#define rtnl_link_veth_alloc(...) LAZY_CALL(LAZY_NL_ROUTE, rtnl_link_veth_alloc)(__VA_ARGS__)
#define rtnl_link_veth_get_peer(...) LAZY_CALL(LAZY_NL_ROUTE, rtnl_link_veth_get_peer)(__VA_ARGS__)
#define rtnl_link_veth_release(...) LAZY_CALL(LAZY_NL_ROUTE, rtnl_link_veth_release)(__VA_ARGS__)
#define rtnl_neigh_add(...) LAZY_CALL(LAZY_NL_ROUTE, rtnl_neigh_add)(__VA_ARGS__)
#define rtnl_neigh_alloc(...) LAZY_CALL(LAZY_NL_ROUTE, rtnl_neigh_alloc)(__VA_ARGS__)
#define rtnl_neigh_delete(...) LAZY_CALL(LAZY_NL_ROUTE, rtnl_neigh_delete)(__VA_ARGS__)
#define rtnl_neigh_put(...) LAZY_CALL(LAZY_NL_ROUTE, rtnl_neigh_put)(__VA_ARGS__)
#define rtnl_neigh_set_dst(...) LAZY_CALL(LAZY_NL_ROUTE, rtnl_neigh_set_dst)(__VA_ARGS__)
#define rtnl_neigh_set_family(...) LAZY_CALL(LAZY_NL_ROUTE, rtnl_neigh_set_family)(__VA_ARGS__)
#define rtnl_neigh_set_flags(...) LAZY_CALL(LAZY_NL_ROUTE, rtnl_neigh_set_flags)(__VA_ARGS__)
#define rtnl_neigh_set_ifindex(...) LAZY_CALL(LAZY_NL_ROUTE, rtnl_neigh_set_ifindex)(__VA_ARGS__)
#define rtnl_route_add(...) LAZY_CALL(LAZY_NL_ROUTE, rtnl_route_add)(__VA_ARGS__)
#define rtnl_route_add_nexthop(...) LAZY_CALL(LAZY_NL_ROUTE, rtnl_route_add_nexthop)(__VA_ARGS__)
#define rtnl_route_alloc(...) LAZY_CALL(LAZY_NL_ROUTE, rtnl_route_alloc)(__VA_ARGS__)
#define rtnl_route_alloc_cache(...) LAZY_CALL(LAZY_NL_ROUTE, rtnl_route_alloc_cache)(__VA_ARGS__)
#define rtnl_route_delete(...) LAZY_CALL(LAZY_NL_ROUTE, rtnl_route_delete)(__VA_ARGS__)
#define rtnl_route_get_dst(...) LAZY_CALL(LAZY_NL_ROUTE, rtnl_route_get_dst)(__VA_ARGS__)
#define rtnl_route_get_table(...) LAZY_CALL(LAZY_NL_ROUTE, rtnl_route_get_table)(__VA_ARGS__)
#define rtnl_route_nexthop_n(...) LAZY_CALL(LAZY_NL_ROUTE, rtnl_route_nexthop_n)(__VA_ARGS__)
#define rtnl_route_nh_alloc(...) LAZY_CALL(LAZY_NL_ROUTE, rtnl_route_nh_alloc)(__VA_ARGS__)
#define rtnl_route_nh_free(...) LAZY_CALL(LAZY_NL_ROUTE, rtnl_route_nh_free)(__VA_ARGS__)
#define rtnl_route_nh_get_ifindex(...)                                                             \
	LAZY_CALL(LAZY_NL_ROUTE, rtnl_route_nh_get_ifindex)(__VA_ARGS__)
#define rtnl_route_nh_set_gateway(...)                                                             \
	LAZY_CALL(LAZY_NL_ROUTE, rtnl_route_nh_set_gateway)(__VA_ARGS__)
#define rtnl_route_nh_set_ifindex(...)                                                             \
	LAZY_CALL(LAZY_NL_ROUTE, rtnl_route_nh_set_ifindex)(__VA_ARGS__)
#define rtnl_route_put(...) LAZY_CALL(LAZY_NL_ROUTE, rtnl_route_put)(__VA_ARGS__)
#define rtnl_route_set_dst(...) LAZY_CALL(LAZY_NL_ROUTE, rtnl_route_set_dst)(__VA_ARGS__)
#define rtnl_route_set_family(...) LAZY_CALL(LAZY_NL_ROUTE, rtnl_route_set_family)(__VA_ARGS__)
#define rtnl_route_set_protocol(...) LAZY_CALL(LAZY_NL_ROUTE, rtnl_route_set_protocol)(__VA_ARGS__)
#define rtnl_route_set_scope(...) LAZY_CALL(LAZY_NL_ROUTE, rtnl_route_set_scope)(__VA_ARGS__)
#define rtnl_route_set_table(...) LAZY_CALL(LAZY_NL_ROUTE, rtnl_route_set_table)(__VA_ARGS__)

/* libiniparser */
#define iniparser_freedict(...) LAZY_CALL(LAZY_INIPARSER, iniparser_freedict)(__VA_ARGS__)
#define iniparser_getseckeys(...) LAZY_CALL(LAZY_INIPARSER, iniparser_getseckeys)(__VA_ARGS__)
#define iniparser_getsecnkeys(...) LAZY_CALL(LAZY_INIPARSER, iniparser_getsecnkeys)(__VA_ARGS__)
#define iniparser_getstring(...) LAZY_CALL(LAZY_INIPARSER, iniparser_getstring)(__VA_ARGS__)
#define iniparser_load(...) LAZY_CALL(LAZY_INIPARSER, iniparser_load)(__VA_ARGS__)
#define iniparser_set_error_callback(...)                                                          \
	LAZY_CALL(LAZY_INIPARSER, iniparser_set_error_callback)(__VA_ARGS__)

/* libuuid */
#define uuid_generate_random(...) LAZY_CALL(LAZY_UUID, uuid_generate_random)(__VA_ARGS__)
#define uuid_is_null(...) LAZY_CALL(LAZY_UUID, uuid_is_null)(__VA_ARGS__)
#define uuid_parse(...) LAZY_CALL(LAZY_UUID, uuid_parse)(__VA_ARGS__)
#define uuid_unparse_lower(...) LAZY_CALL(LAZY_UUID, uuid_unparse_lower)(__VA_ARGS__)

/* libcrypt */
#define crypt_gensalt_rn(...) LAZY_CALL(LAZY_CRYPT, crypt_gensalt_rn)(__VA_ARGS__)
#define crypt_rn(...) LAZY_CALL(LAZY_CRYPT, crypt_rn)(__VA_ARGS__)
