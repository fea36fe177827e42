/* nl.h: netlink sockets of libnl-route-3, in the host's or a container's network namespace,
 * and libnl's error codes as -errno. */
#pragma once

#include <netlink/cache.h>
#include <netlink/netlink.h>

#include "base/lazy-libs.h"

/* libnl's NLE_* (as returned, negative) to the nearest -errno. */
int net_nl_errno(int nle);

/* A connected NETLINK_ROUTE socket in the caller's network namespace. */
int net_nl_open(struct nl_sock **ret);

/* A connected NETLINK_ROUTE socket in the network namespace netns_fd refers to. A socket
 * stays in the namespace it was created in, so the caller enters netns_fd just long enough
 * to create it and returns to its own namespace (saved as an fd first). The caller must be
 * single-threaded (setns acts on the calling thread only, and libnl creates no threads).
 * If the way back fails the process would run on in the wrong namespace: it aborts. */
int net_nl_open_in_netns(int netns_fd, struct nl_sock **ret);

static inline void nl_socket_freep(struct nl_sock **sk)
{
	if (*sk)
		nl_socket_free(*sk);
}
#define _cleanup_nl_sock_ __attribute__((cleanup(nl_socket_freep)))

static inline void nl_cache_freep(struct nl_cache **c)
{
	if (*c)
		nl_cache_free(*c);
}
#define _cleanup_nl_cache_ __attribute__((cleanup(nl_cache_freep)))
