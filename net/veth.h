/* veth.h: the veth pair of a container: its names, its MAC addresses, its creation. */
#pragma once

#include <net/if.h>
#include <stdint.h>
#include <sys/types.h>

struct nl_sock;

/* The host end's name: "lx-NAME" when that fits in 15 characters and tag is empty (the
 * default store); else "lx-" + the first 7 characters of NAME + "-" + 4 hex digits of a
 * hash of tag and NAME, so that stores on one host (tag) and long names never collide. */
void net_veth_name(const char *tag, const char *name, char ret[static IFNAMSIZ]);

/* A stable, locally administered unicast MAC derived from the container's uuid text; salt
 * tells the container end (0) from the host end (1). */
void net_mac_from_uuid(const char *uuid, uint8_t salt, uint8_t ret[static 6]);
/* "02:xx:..." <-> bytes. parse: -EINVAL unless six hex pairs, unicast, not all zero. */
int net_mac_parse(const char *s, uint8_t ret[static 6]);
const char *net_mac_format(const uint8_t mac[static 6], char buf[static 18]);

/* Creates host_name in sk's namespace and its peer peer_name directly in the network
 * namespace of pid (so that the peer's name never collides with a host link), with the
 * given MACs, marked with alias. Both ends down. -EEXIST when host_name exists. */
int net_veth_create(struct nl_sock *sk, const char *host_name, const uint8_t host_mac[static 6],
		    const char *alias, const char *peer_name, const uint8_t peer_mac[static 6],
		    pid_t pid);
