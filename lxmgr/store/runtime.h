/* runtime.h: the runtime record of a running container (RUN/NAME/state) and its liveness. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgroup/cgroup.h"

enum run_state {
	RUN_STATE_STOPPED,
	RUN_STATE_STARTING,
	RUN_STATE_RUNNING,
	RUN_STATE_STOPPING,
	RUN_STATE_FROZEN,
	RUN_STATE_REBOOTING,
	_RUN_STATE_MAX,
};
const char *run_state_to_string(enum run_state s);
int run_state_from_string(const char *s, enum run_state *ret);

/* Written by the monitor before it creates what it names (the journal of host objects), and
 * rewritten atomically on every change of state. */
struct runtime_state {
	enum run_state state;
	pid_t monitor_pid;
	uint64_t monitor_start; /* start time of the pid, so a reused pid is not mistaken */
	pid_t init_pid;
	uint64_t init_start;
	uint64_t started_at; /* wall clock, seconds */
	uint32_t reboots;
	struct cgroup cgroup;
	char *cgroup_mount; /* the host's cgroup2 mount point */
	char *console;      /* host path of the console pty slave */
	/* Host network objects (DESIGN §7), each recorded before it is made: */
	char *net_veth;    /* host end of the container's veth pair */
	char *net_bridge;  /* the bridge it is on (removed with its last port if lxmgr made it) */
	char *net_nat;     /* lxmgr's nft table of that bridge */
	char *net_uplink;  /* routed: the link holding the proxy ARP entry for net_ip */
	char *net_ip;      /* routed: the address routed and proxied */
	char *net_ip6;     /* routed: the IPv6 address routed and proxied (NDP) */
	char *net_dns;     /* "NAME MAC": its entries in the bridge's dnsmasq */
	char *net_forward; /* lxmgr's nft table of its port forwards */
};

void runtime_state_done(struct runtime_state *s);
/* Text form, one "key=value" per line; parse is its inverse (tests round-trip it). */
int runtime_state_format(const struct runtime_state *s, char **ret);
int runtime_state_parse(const char *text, struct runtime_state *ret);
/* Reads and writes RUNDIR/state (atomic write). -ENOENT when there is no record. */
int runtime_state_read(const char *rundir, struct runtime_state *ret);
int runtime_state_write(const char *rundir, const struct runtime_state *s);
/* true when pid is alive and still the process that started at start_time. */
bool runtime_pid_is(pid_t pid, uint64_t start_time);
