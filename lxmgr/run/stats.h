/* stats.h: the figures of running containers, read from their cgroups (cgroup2, v1 or a
 * hybrid of both), their host veth and /proc: what lxmgr top and lxmgr metrics show. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "guest/readiness.h"
#include "store/runtime.h"

struct lxmgr_ctx;

/* A figure the host cannot give (no such file, no limit set). */
#define STATS_UNKNOWN UINT64_MAX

struct stats {
	char *name;
	enum run_state state;
	pid_t init_pid;
	uint64_t started_at; /* wall clock, seconds */
	uint32_t reboots;
	uint64_t sampled_ns; /* CLOCK_MONOTONIC when read, for rates */
	uint64_t cpu_usec;   /* cpu time of every process of the container */
	uint64_t mem_bytes, mem_limit;
	uint64_t pids, pids_limit;
	uint64_t io_read, io_write; /* block I/O bytes */
	uint64_t net_rx, net_tx;    /* bytes, as the container sees them (host veth reversed) */
	uint64_t oom_kills;
	struct readiness ready; /* failed units: only when asked for */
};

struct stats_set {
	struct stats *v;
	size_t n;
};

/* Reads the figures of every running container of the store, in name order; with
 * failed_units, also asks each guest's systemd (readiness_query: one exec per container).
 * A container that stops meanwhile is left out. 0 or -errno (the store is unreadable). */
int stats_collect(const struct lxmgr_ctx *ctx, bool failed_units, struct stats_set *ret);
void stats_set_done(struct stats_set *s);
/* The entry named name in s, or NULL. */
const struct stats *stats_find(const struct stats_set *s, const char *name);

/* Parsers of the kernel's files, pure for the unit tests: */
/* "KEY VALUE" lines (cpu.stat, memory.events, memory.oom_control): the value of key. */
int stats_parse_keyed(const char *text, const char *key, uint64_t *ret);
/* A limit file: "max" (cgroup2) or a v1 value of 2^62 or more is STATS_UNKNOWN. */
int stats_parse_limit(const char *text, uint64_t *ret);
/* cgroup2 io.stat ("8:0 rbytes=N wbytes=N ..."): summed over the devices. */
int stats_parse_io_stat(const char *text, uint64_t *ret_read, uint64_t *ret_write);
/* v1 blkio.throttle.io_service_bytes ("8:0 Read N"): summed over the devices. */
int stats_parse_blkio(const char *text, uint64_t *ret_read, uint64_t *ret_write);
/* /proc/PID/net/dev: received and sent bytes summed over every interface but lo. */
int stats_parse_net_dev(const char *text, uint64_t *ret_rx, uint64_t *ret_tx);
