/* network-pasta.h: user-mode networking through pasta(1) (Debian package passt), the rootless
 * default: no bridge, no nft, no root. */
#pragma once

#include <sys/types.h>

struct lxmgr_ctx;
struct container;

/* Connects the network namespace of pid (the container's init) to the host's through pasta:
 * eth0 with the host's address and routes (--config-net), connections to the gateway reach
 * the host's loopback, net.forward's ports published on the host. pasta runs in the
 * background as whoever runs the monitor, holding the namespaces open; its pid is written to
 * RUNDIR/pasta.pid for network_pasta_stop. Reports failures itself. */
int network_pasta_start(const struct lxmgr_ctx *ctx, const struct container *c, pid_t pid);

/* Ends a pasta that RUNDIR/pasta.pid names, if it still runs; removes the file. */
void network_pasta_stop(const char *rundir);
