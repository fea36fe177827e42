/* network-pasta.h: user-mode networking through pasta(1) (Debian package passt), the rootless
 * default: no bridge, no nft, no root. */
#pragma once

#include <stdint.h>
#include <sys/types.h>

struct lxmgr_ctx;
struct container;

/* Connects the network namespace of pid (the container's init) to the host's through pasta:
 * eth0 with the host's address and routes (--config-net), connections to the gateway reach
 * the host's loopback, net.forward's ports published on the host. pasta runs below the
 * monitor, as whoever runs the monitor, holding the namespaces open, and is ended when the
 * monitor dies (a watcher child with a death signal); its pid is in RUNDIR/pasta.pid for
 * network_pasta_stop, its messages in RUNDIR/pasta.log. Reports failures itself. */
int network_pasta_start(const struct lxmgr_ctx *ctx, const struct container *c, pid_t pid);

/* The address the container's /etc/resolv.conf names: pasta forwards DNS sent there to the
 * host's first resolver (--dns-forward), also one on the host's loopback. */
#define PASTA_DNS_ADDR "169.254.1.1"

/* PASTA_DNS_ADDR as net_addr_parse() gives it. */
uint32_t network_pasta_dns(void);

/* Ends a pasta of this user that RUNDIR/pasta.pid names, if it still runs; removes the file
 * and pasta's log. 1 when one was ended, 0 when none ran, -ENOMEM. */
int network_pasta_stop(const char *rundir);
