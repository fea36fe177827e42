/* stats.c: the figures of running containers, read from their cgroups, veth and /proc. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup/internal.h"
#include "base/cleanup.h"
#include "store/config.h"
#include "base/lxmgr.h"
#include "run/stats.h"
#include "store/store.h"
#include "base/util.h"

/* v1 reports "no limit" as PAGE_COUNTER_MAX pages: 2^63 rounded down to a page, per arch. */
#define V1_NO_LIMIT (UINT64_C(1) << 62)

int stats_parse_keyed(const char *text, const char *key, uint64_t *ret)
{
	size_t len = strlen(key);

	for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		char *end;
		unsigned long long v;

		if (strncmp(l, key, len) || l[len] != ' ')
			continue;
		errno = 0;
		v = strtoull(l + len + 1, &end, 10);
		if (errno || end == l + len + 1)
			return -EINVAL;
		*ret = v;
		return 0;
	}
	return -ENOENT;
}

int stats_parse_limit(const char *text, uint64_t *ret)
{
	_cleanup_free_ char *s = strndup(text, strcspn(text, "\n"));
	uint64_t v;
	int r;

	if (!s)
		return -ENOMEM;
	if (!strcmp(s, "max")) {
		*ret = STATS_UNKNOWN;
		return 0;
	}
	r = parse_u64(s, &v);
	if (r < 0)
		return r;
	*ret = v >= V1_NO_LIMIT ? STATS_UNKNOWN : v;
	return 0;
}

int stats_parse_io_stat(const char *text, uint64_t *ret_read, uint64_t *ret_write)
{
	uint64_t rd = 0, wr = 0;

	for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		const char *end = l + strcspn(l, "\n");
		const char *p = strstr(l, " rbytes="), *q = strstr(l, " wbytes=");

		if (p && p < end)
			rd += strtoull(p + 8, NULL, 10);
		if (q && q < end)
			wr += strtoull(q + 8, NULL, 10);
	}
	*ret_read = rd;
	*ret_write = wr;
	return 0;
}

int stats_parse_blkio(const char *text, uint64_t *ret_read, uint64_t *ret_write)
{
	uint64_t rd = 0, wr = 0;

	for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		char op[16];
		unsigned long long v;

		/* "Total N" (the sum over devices) has no device field and does not match. */
		if (sscanf(l, "%*u:%*u %15s %llu", op, &v) != 2)
			continue;
		if (!strcmp(op, "Read"))
			rd += v;
		else if (!strcmp(op, "Write"))
			wr += v;
	}
	*ret_read = rd;
	*ret_write = wr;
	return 0;
}

int stats_parse_net_dev(const char *text, uint64_t *ret_rx, uint64_t *ret_tx)
{
	uint64_t rx = 0, tx = 0;

	/* "  eth0: RXBYTES packets errs drop fifo frame compressed multicast TXBYTES ..." */
	for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		char ifname[32];
		unsigned long long r, t;

		if (sscanf(l, " %31[^:]: %llu %*u %*u %*u %*u %*u %*u %*u %llu", ifname, &r, &t) !=
		    3)
			continue;
		if (!strcmp(ifname, "lo"))
			continue;
		rx += r;
		tx += t;
	}
	*ret_rx = rx;
	*ret_tx = tx;
	return 0;
}

/* dir/file read from the container's cgroup2 dir, else (-ENOENT: a hybrid host's cgroup2 lacks
 * the controller) from v1 dir v1. */
static int read_either(const struct cgroup *cg, const char *v2_file, int v1, const char *v1_file,
		       char **ret)
{
	int r = -ENOENT;

	if (cg->unified && v2_file)
		r = cg_read(cg->unified, v2_file, ret);
	if (r == -ENOENT && v1 >= 0 && cg->v1[v1] && v1_file)
		r = cg_read(cg->v1[v1], v1_file, ret);
	return r;
}

static uint64_t keyed(const struct cgroup *cg, const char *v2_file, int v1, const char *v1_file,
		      const char *key)
{
	_cleanup_free_ char *text = NULL;
	uint64_t v;

	if (read_either(cg, v2_file, v1, v1_file, &text) < 0 ||
	    stats_parse_keyed(text, key, &v) < 0)
		return STATS_UNKNOWN;
	return v;
}

/* A plain number (memory.current) or a limit (memory.max): STATS_UNKNOWN when unreadable. */
static uint64_t value(const struct cgroup *cg, const char *v2_file, int v1, const char *v1_file)
{
	_cleanup_free_ char *text = NULL;
	uint64_t v;

	if (read_either(cg, v2_file, v1, v1_file, &text) < 0 || stats_parse_limit(text, &v) < 0)
		return STATS_UNKNOWN;
	return v;
}

static void read_cpu(const struct cgroup *cg, struct stats *st)
{
	/* cpu.stat's usage_usec is a core file of every cgroup2 dir: also on a hybrid host,
	 * where cpu and cpuacct are v1 controllers. */
	st->cpu_usec = keyed(cg, "cpu.stat", -1, NULL, "usage_usec");
	if (st->cpu_usec == STATS_UNKNOWN) {
		uint64_t ns = value(cg, NULL, CGROUP_V1_CPU, "cpuacct.usage");

		st->cpu_usec = ns == STATS_UNKNOWN ? ns : ns / 1000;
	}
}

static void read_io(const struct cgroup *cg, struct stats *st)
{
	_cleanup_free_ char *text = NULL;

	st->io_read = st->io_write = STATS_UNKNOWN;
	if (cg->unified && cg_read(cg->unified, "io.stat", &text) >= 0) {
		(void)stats_parse_io_stat(text, &st->io_read, &st->io_write);
		return;
	}
	if (cg->v1[CGROUP_V1_BLKIO] &&
	    cg_read(cg->v1[CGROUP_V1_BLKIO], "blkio.throttle.io_service_bytes", &text) >= 0)
		(void)stats_parse_blkio(text, &st->io_read, &st->io_write);
}

static uint64_t sysfs_counter(const char *ifname, const char *which)
{
	_cleanup_free_ char *path = NULL, *text = NULL;
	uint64_t v;

	if (xasprintf(&path, "/sys/class/net/%s/statistics/%s", ifname, which) < 0 ||
	    read_file_at(AT_FDCWD, path, 64, &text, NULL) < 0 || stats_parse_limit(text, &v) < 0)
		return STATS_UNKNOWN;
	return v;
}

/* The host end of a veth: what it receives, the container sent. Otherwise the init's own
 * network namespace (net.mode none: only lo, so 0); host mode has no figures of its own. */
static void read_net(const struct container *c, const struct runtime_state *rs, struct stats *st)
{
	_cleanup_free_ char *path = NULL, *text = NULL;

	st->net_rx = st->net_tx = STATS_UNKNOWN;
	if (rs->net_veth) {
		st->net_rx = sysfs_counter(rs->net_veth, "tx_bytes");
		st->net_tx = sysfs_counter(rs->net_veth, "rx_bytes");
		return;
	}
	if (c->cfg.net_mode == NET_MODE_HOST || rs->init_pid <= 0)
		return;
	if (xasprintf(&path, "/proc/%d/net/dev", (int)rs->init_pid) >= 0 &&
	    read_file_at(AT_FDCWD, path, 1 << 20, &text, NULL) >= 0 &&
	    runtime_pid_is(rs->init_pid, rs->init_start))
		(void)stats_parse_net_dev(text, &st->net_rx, &st->net_tx);
}

static void read_figures(const struct container *c, const struct runtime_state *rs,
			 struct stats *st)
{
	const struct cgroup *cg = &rs->cgroup;

	st->sampled_ns = now_ns();
	read_cpu(cg, st);
	st->mem_bytes = value(cg, "memory.current", CGROUP_V1_MEMORY, "memory.usage_in_bytes");
	st->mem_limit = value(cg, "memory.max", CGROUP_V1_MEMORY, "memory.limit_in_bytes");
	st->pids = value(cg, "pids.current", CGROUP_V1_PIDS, "pids.current");
	st->pids_limit = value(cg, "pids.max", CGROUP_V1_PIDS, "pids.max");
	st->oom_kills =
		keyed(cg, "memory.events", CGROUP_V1_MEMORY, "memory.oom_control", "oom_kill");
	read_io(cg, st);
	read_net(c, rs, st);
}

static int read_one(const struct lxmgr_ctx *ctx, const char *name, bool failed_units,
		    struct stats *ret)
{
	_cleanup_container_ struct container *c = NULL;
	struct runtime_state rs = {0};
	int r;

	r = store_container_open(ctx, name, &c);
	if (r < 0)
		return r;
	if (!store_is_running(c) || runtime_state_read(c->rundir, &rs) < 0)
		return -ESRCH;
	*ret = (struct stats){.state = rs.state,
			      .init_pid = rs.init_pid,
			      .started_at = rs.started_at,
			      .reboots = rs.reboots};
	ret->name = strdup(name);
	if (!ret->name) {
		runtime_state_done(&rs);
		return -ENOMEM;
	}
	read_figures(c, &rs, ret);
	if (failed_units && rs.state == RUN_STATE_RUNNING) {
		sigset_t saved;

		/* Its exec blocks SIGINT, SIGTERM, SIGHUP and SIGQUIT to pass them on to the
		 * command, and leaves them blocked: top and --listen must stay killable. */
		(void)sigprocmask(SIG_SETMASK, NULL, &saved);
		readiness_query(ctx, c, &rs, &ret->ready);
		(void)sigprocmask(SIG_SETMASK, &saved, NULL);
	}
	runtime_state_done(&rs);
	return 0;
}

int stats_collect(const struct lxmgr_ctx *ctx, bool failed_units, struct stats_set *ret)
{
	_cleanup_strv_ char **names = NULL;
	struct stats_set s = {0};
	size_t n = 0;
	int r;

	r = store_list_names(ctx, &names);
	if (r < 0)
		return r;
	for (char **p = names; p && *p; p++)
		n++;
	s.v = calloc(n ? n : 1, sizeof(*s.v));
	if (!s.v)
		return -ENOMEM;
	STRV_FOREACH(name, names) {
		r = read_one(ctx, *name, failed_units, &s.v[s.n]);
		if (r == -ENOMEM) {
			stats_set_done(&s);
			return r;
		}
		if (r >= 0)
			s.n++;
	}
	*ret = s;
	return 0;
}

void stats_set_done(struct stats_set *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].name);
	free(s->v);
	*s = (struct stats_set){0};
}

const struct stats *stats_find(const struct stats_set *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i].name, name))
			return &s->v[i];
	return NULL;
}
