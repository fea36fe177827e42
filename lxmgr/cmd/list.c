/* cmd-list.c: lxmgr list and lxmgr info: state for people (tables) and programs (--json). */
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "base/util.h"
#include "cgroup/cgroup.h"
#include "cgroup/usermgr.h"
#include "cmd/cmd.h"
#include "cmd/parse.h"
#include "fs/idmap-alloc.h"
#include "fs/mounts-live.h"
#include "fs/quota.h"
#include "fs/rootless.h"
#include "guest/fixups.h"
#include "guest/provision.h"
#include "guest/readiness.h"
#include "image/snapshot.h"
#include "net/nat.h"
#include "net/veth.h"
#include "run/guest-state.h"
#include "run/state-query.h"
#include "network/network.h"
#include "run/event.h"
#include "store/runtime.h"
#include "store/store.h"
#include "fs/storage.h"

#define LOG_STEP "list"

struct status {
	enum run_state state;
	pid_t monitor_pid; /* 0 when stopped */
	pid_t init_pid;
	uint64_t uptime;
	uint64_t memory;        /* UINT64_MAX: unknown */
	char veth[IFNAMSIZ];    /* host end of its veth while running, else "" */
	char **live_mounts;     /* what `lxmgr mount` attached during this boot (mounts-live.h) */
	struct readiness ready; /* the guest's systemd state while running */
	int64_t ready_age_ms;   /* list: how old the monitor's answer is; -1 for info (asked now) */
	bool disk_known;        /* info only: a walk of every container would slow list down */
	struct quota_usage disk;
	/* Rootless, running: "user manager" (cgroup_unit: its scope) or "session"; else NULL. */
	const char *cgroup_source;
	char cgroup_unit[256];
};

static void status_done(struct status *st)
{
	strv_free(st->live_mounts);
	st->live_mounts = NULL;
}

/* a: the monitor's answer (list), or NULL to ask systemd inside now (info's exact figures). */
static void read_status(const struct lxmgr_ctx *ctx, const struct container *c,
			const struct state_answer *a, struct status *ret)
{
	struct runtime_state rs = {0};

	*ret = (struct status){
		.state = RUN_STATE_STOPPED, .memory = UINT64_MAX, .ready_age_ms = -1};
	if (!store_is_running(c) || runtime_state_read(c->rundir, &rs) < 0)
		return;
	ret->state = rs.state;
	ret->init_pid = rs.init_pid;
	ret->monitor_pid = rs.monitor_pid;
	if (rs.started_at && now_realtime_s() >= rs.started_at)
		ret->uptime = now_realtime_s() - rs.started_at;
	if (rs.cgroup.unified && cgroup_memory_current(&rs.cgroup, &ret->memory) < 0)
		ret->memory = UINT64_MAX;
	if (rs.net_veth)
		(void)snprintf(ret->veth, sizeof(ret->veth), "%s", rs.net_veth);
	if (rootless_active())
		ret->cgroup_source = cgroup_rootless_source(rs.cgroup.unified, ret->cgroup_unit,
							    sizeof(ret->cgroup_unit));
	(void)mounts_live_list(c->rundir, rs.init_start, &ret->live_mounts);
	if (a && a->run_state >= 0) {
		ret->ready = a->r;
		ret->ready_age_ms = (int64_t)a->age_ms;
	} else if (!a && rs.state == RUN_STATE_RUNNING) {
		readiness_query(ctx, c, &rs, &ret->ready);
	}
	runtime_state_done(&rs);
}

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

/* Facts of the config, so that a stopped container shows them too; veth only while running. */
static void net_facts(const struct lxmgr_ctx *ctx, const struct container *c, char *ip,
		      size_t ip_size, char mac[static 18], char bridge[static IFNAMSIZ])
{
	const struct container_config *cfg = &c->cfg;
	uint8_t m[6];

	ip[0] = mac[0] = bridge[0] = '\0';
	if (cfg->net_mode != NET_MODE_BRIDGE && cfg->net_mode != NET_MODE_ROUTED)
		return;
	network_container_mac(cfg, m);
	net_mac_format(m, mac);
	if (cfg->net_mode == NET_MODE_BRIDGE) {
		struct net_pool pool;

		network_bridge_name(ctx, cfg, bridge);
		if (cfg->net_ip[0] && network_known_pool(ctx, cfg, bridge, &pool) >= 0)
			(void)snprintf(ip, ip_size, "%s/%u", cfg->net_ip, pool.prefix);
		else
			(void)snprintf(ip, ip_size, "%s", cfg->net_ip);
	} else {
		(void)snprintf(ip, ip_size, "%s/32", cfg->net_ip);
	}
}

/* The IPv6 address with its prefix length ("fd12::5/64", routed "/128"), or "". */
static const char *address6(const struct container_config *cfg, char *buf, size_t size)
{
	bool routed = cfg->net_mode == NET_MODE_ROUTED;

	buf[0] = '\0';
	if (cfg->net_ip6[0] && (routed || network_ipv6_wanted(cfg)))
		(void)snprintf(buf, size, "%s/%u", cfg->net_ip6, routed ? 128u : 64u);
	return buf;
}

/* net.forward: what a running container has live (a live change updates the config too). */
static void print_json_forwards(FILE *f, const struct container_config *cfg)
{
	struct net_forward fw[NET_FORWARD_MAX];
	int n = net_forward_parse(cfg->net_forward, fw, NET_FORWARD_MAX);

	fprintf(f, ", \"forwards\": [");
	for (int i = 0; i < n; i++)
		fprintf(f, "%s{\"protocol\": \"%s\", \"host_port\": %u, \"port\": %u}",
			i ? ", " : "", fw[i].udp ? "udp" : "tcp", fw[i].host_port, fw[i].port);
	fprintf(f, "]");
}

static void print_json_net(FILE *f, const struct lxmgr_ctx *ctx, const struct container *c,
			   const struct status *st)
{
	char ip[32], ip6[64], mac[18], bridge[IFNAMSIZ];
	bool eth0 = c->cfg.net_mode == NET_MODE_BRIDGE || c->cfg.net_mode == NET_MODE_ROUTED;

	net_facts(ctx, c, ip, sizeof(ip), mac, bridge);
	fprintf(f, ", \"net_interface\": ");
	json_string(f, eth0 ? "eth0" : "");
	fprintf(f, ", \"net_address\": ");
	json_string(f, ip);
	fprintf(f, ", \"net_mac\": ");
	json_string(f, mac);
	fprintf(f, ", \"net_bridge\": ");
	json_string(f, bridge);
	fprintf(f, ", \"net_uplink\": ");
	json_string(f, c->cfg.net_mode == NET_MODE_ROUTED ? c->cfg.net_uplink : "");
	fprintf(f, ", \"net_address6\": ");
	json_string(f, eth0 ? address6(&c->cfg, ip6, sizeof(ip6)) : "");
	fprintf(f, ", \"net_veth\": ");
	json_string(f, st->veth);
	print_json_forwards(f, &c->cfg);
}

static void print_json_entries(FILE *f, const char *what, const struct config_entry *e)
{
	bool first = true;

	fprintf(f, ", \"%s\": {", what);
	for (size_t i = 0; i < CONFIG_ENTRIES_MAX; i++) {
		if (!e[i].name)
			continue;
		fprintf(f, "%s", first ? "" : ", ");
		json_string(f, e[i].name);
		fprintf(f, ": ");
		json_string(f, e[i].value);
		first = false;
	}
	fprintf(f, "}");
}

/* {"event": "oom", "at": UNIXTIME, "message": "..."} or null (event.h). */
static void print_json_event(FILE *f, const struct container *c)
{
	struct event_last ev;

	if (event_read_last(c, &ev) < 0) {
		fprintf(f, "null");
		return;
	}
	fprintf(f, "{\"event\": ");
	json_string(f, ev.event);
	fprintf(f, ", \"at\": %llu, \"message\": ", (unsigned long long)ev.at);
	json_string(f, ev.message);
	fprintf(f, "}");
}

/* Rootless: where the running container's cgroups come from (docs/rootless.md). */
static void print_json_cgroup_source(FILE *f, const struct status *st)
{
	fprintf(f, ", \"cgroup_source\": ");
	if (st->cgroup_source)
		json_string(f, !strcmp(st->cgroup_source, "session") ? "session" : "user-manager");
	else
		fprintf(f, "null");
	fprintf(f, ", \"cgroup_unit\": ");
	json_string(f, st->cgroup_unit);
}

static void print_json(FILE *f, const struct lxmgr_ctx *ctx, const struct container *c,
		       const struct status *st)
{
	const struct container_config *cfg = &c->cfg;

	fprintf(f, "{\"name\": ");
	json_string(f, c->name);
	fprintf(f, ", \"state\": \"%s\", \"init_pid\": %d, \"uptime_seconds\": %llu",
		run_state_to_string(st->state), (int)st->init_pid, (unsigned long long)st->uptime);
	fprintf(f, ", \"monitor_pid\": %d", (int)st->monitor_pid);
	if (st->memory != UINT64_MAX)
		fprintf(f, ", \"memory_bytes\": %llu", (unsigned long long)st->memory);
	else
		fprintf(f, ", \"memory_bytes\": null");
	if (st->disk_known)
		fprintf(f, ", \"disk_bytes\": %llu, \"disk_limit_bytes\": %llu",
			(unsigned long long)st->disk.used, (unsigned long long)st->disk.limit);
	fprintf(f, ", \"uid_base\": %u, \"gid_base\": %u, \"id_count\": %u", cfg->uid_base,
		cfg->gid_base, cfg->id_count);
	fprintf(f, ", \"uuid\": ");
	json_string(f, cfg->uuid);
	fprintf(f, ", \"hostname\": ");
	json_string(f, cfg->hostname ? cfg->hostname : c->name);
	fprintf(f, ", \"init\": ");
	json_string(f, cfg->init);
	fprintf(f, ", \"init_kind\": \"%s\", \"systemd_version\": %u",
		init_kind_to_string(cfg->init_kind), cfg->systemd_version);
	fprintf(f, ", \"rootfs\": ");
	json_string(f, c->rootfs);
	fprintf(f, ", \"rootfs_shifted\": %s, \"snapshot_of\": ",
		cfg->rootfs_shifted ? "true" : "false");
	json_string(f, cfg->snapshot_of);
	fprintf(f, ", \"source\": ");
	json_string(f, cfg->rootfs_source ? cfg->rootfs_source : "");
	fprintf(f, ", \"storage\": \"%s\"", storage_pool_to_string(storage_of(cfg)));
	fprintf(f, ", \"autostart\": %s, \"net_mode\": \"%s\"", cfg->autostart ? "true" : "false",
		net_mode_to_string(cfg->net_mode));
	print_json_cgroup_source(f, st);
	print_json_net(f, ctx, c, st);
	print_json_entries(f, "mounts", cfg->mounts);
	print_json_entries(f, "devices", cfg->devices);
	snapshot_print_json(f, c);
	fprintf(f, ", \"system_state\": ");
	if (st->ready.state[0]) {
		json_string(f, st->ready.state);
		fprintf(f, ", \"failed_units\": %u", st->ready.failed_units);
	} else {
		fprintf(f, "null, \"failed_units\": null");
	}
	if (st->ready_age_ms >= 0)
		fprintf(f, ", \"system_state_age_ms\": %lld", (long long)st->ready_age_ms);
	fprintf(f, ", \"live_mounts\": [");
	for (char **m = st->live_mounts; m && *m; m++) {
		fprintf(f, "%s", m == st->live_mounts ? "" : ", ");
		json_string(f, *m);
	}
	fprintf(f, "], \"last_event\": ");
	print_json_event(f, c);
	fprintf(f, ", \"provision_log\": ");
	if (provision_requested(cfg))
		fprintf(f, "\"%s/%s\"", c->logdir, PROVISION_LOG);
	else
		fprintf(f, "\"\"");
	fprintf(f, "}");
}

static const char *cgroup_source_text(const struct status *st)
{
	if (!st->cgroup_source && st->state == RUN_STATE_STOPPED)
		return "none while stopped";
	if (!st->cgroup_source)
		return "none of its own (no delegated cgroup: no limits, no freezer)";
	if (st->cgroup_unit[0])
		return "a scope of the systemd user manager (Delegate=yes), ";
	return "below the login session's own (pam_cgfs)";
}

static void format_memory(uint64_t bytes, char *buf, size_t size)
{
	if (bytes == UINT64_MAX)
		(void)snprintf(buf, size, "-");
	else
		(void)snprintf(buf, size, "%.1fM", (double)bytes / (1024.0 * 1024.0));
}

/* "Disk:       1.2G used of 2.0G (project quota)", or without a limit "172.3M used". */
static void print_disk(const struct status *st)
{
	char used[32], limit[32];

	if (!st->disk_known)
		return;
	format_memory(st->disk.used, used, sizeof(used));
	format_memory(st->disk.limit, limit, sizeof(limit));
	if (st->disk.limit)
		printf("Disk:       %s used of %s (project quota)\n", used, limit);
	else
		printf("Disk:       %s used%s\n", used, st->disk.from_quota ? " (no limit)" : "");
}

static void format_uptime(const struct status *st, char *buf, size_t size)
{
	if (st->state == RUN_STATE_STOPPED)
		(void)snprintf(buf, size, "-");
	else if (st->uptime < 3600)
		(void)snprintf(buf, size, "%llum%02llus", (unsigned long long)st->uptime / 60,
			       (unsigned long long)st->uptime % 60);
	else
		(void)snprintf(buf, size, "%lluh%02llum", (unsigned long long)st->uptime / 3600,
			       (unsigned long long)(st->uptime / 60) % 60);
}

/* --json, and list's --max-age SECONDS (userdata: where it goes). */
static int on_list_option(struct lxmgr_ctx *ctx, int opt, const char *arg, void *userdata)
{
	uint32_t *max_age = userdata;
	char *end = NULL;
	unsigned long v;

	if (opt == 'j') {
		ctx->output = OUTPUT_JSON;
		return 0;
	}
	v = strtoul(arg, &end, 10);
	if (!*arg || *end || arg[0] == '-' || v > 86400)
		return cmd_usage_error(ctx, "--max-age: expected seconds (0-86400), not '%s'", arg);
	*max_age = (uint32_t)v;
	return 0;
}

/* list: no NAME, --max-age; info: one NAME (max_age NULL). Both take --json. */
static int parse_json_flag(struct lxmgr_ctx *ctx, int argc, char **argv, int want_names,
			   uint32_t *max_age)
{
	static const struct option list_opts[] = {
		{"json", no_argument, NULL, 'j'},
		{"max-age", required_argument, NULL, 'm'},
		{},
	};
	static const struct option info_opts[] = {{"json", no_argument, NULL, 'j'}, {}};
	struct verb_args a = {.longopts = max_age ? list_opts : info_opts,
			      .on_option = on_list_option,
			      .userdata = max_age,
			      .min_args = want_names,
			      .max_args = want_names};

	return cmd_parse(ctx, argc, argv, &a);
}

/* Fits 100 columns with the longest SYSTEM ("degraded (N failed)"); the UID range and the
 * uptime are in info. */
#define LIST_ROW "%-12s %-8s %-15s %-19s %-7s %-7s %-4s %s\n"

/* The addresses without their prefix lengths, "-" when there is none. */
static void list_addresses(const struct container *c, char *ip, size_t ip_size, char *ip6,
			   size_t ip6_size)
{
	bool eth0 = c->cfg.net_mode == NET_MODE_BRIDGE || c->cfg.net_mode == NET_MODE_ROUTED;

	(void)snprintf(ip, ip_size, "%s", eth0 && c->cfg.net_ip[0] ? c->cfg.net_ip : "-");
	if (!eth0 || !*address6(&c->cfg, ip6, ip6_size))
		(void)snprintf(ip6, ip6_size, "-");
	else
		ip6[strcspn(ip6, "/")] = '\0';
}

/* Every monitor at once, before any container is read: list does not wait on them in turn.
 * *ret is NULL when nothing could be asked; then each guest shows no system state. */
static void ask_monitors(const struct lxmgr_ctx *ctx, char **names, uint32_t max_age,
			 struct state_answer **ret)
{
	_cleanup_strv_ char **rundirs = NULL;
	size_t n = 0;

	STRV_FOREACH(s, names)
		n++;
	*ret = calloc(n ? n : 1, sizeof(**ret));
	rundirs = calloc(n + 1, sizeof(char *));
	if (!*ret || !rundirs)
		return;
	for (size_t i = 0; i < n; i++)
		if (xasprintf(&rundirs[i], "%s/%s", ctx->paths.run, names[i]) < 0)
			return;
	/* A monitor that refreshes asks systemd inside, which answers in well under 5 s. */
	(void)state_query_all(rundirs, n, max_age, 6000, *ret);
}

/* The SYSTEM column names how old its answers may be (list --max-age). */
static void print_list_header(uint32_t max_age)
{
	char sys[32];

	(void)snprintf(sys, sizeof(sys), "SYSTEM (<= %us old)", max_age);
	printf(LIST_ROW, "NAME", "STATE", "IPV4", "IPV6", "PID", "MEMORY", "AUTO", sys);
}

int cmd_list(struct lxmgr_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ char **names = NULL;
	_cleanup_free_ struct state_answer *answers = NULL;
	uint32_t max_age = GUEST_STATE_MAX_AGE_DEFAULT;
	size_t i = 0;
	bool first = true;
	int r;

	r = parse_json_flag(ctx, argc, argv, 0, &max_age);
	if (r != 0)
		return r;
	r = store_list_names(ctx, &names);
	if (r < 0) {
		(void)lx_fail(ctx, r, "read %s", ctx->paths.lib);
		return EXIT_FAILED;
	}
	ask_monitors(ctx, names, max_age, &answers);
	if (ctx->output == OUTPUT_JSON)
		printf("[");
	else
		print_list_header(max_age);
	STRV_FOREACH(name, names) {
		const struct state_answer none = {.run_state = -1};
		const struct state_answer *a = answers ? &answers[i] : &none;
		_cleanup_container_ struct container *c = NULL;
		_cleanup_(status_done) struct status st = {0};
		char ip[32], ip6[64], mem[32], pid[16], sys[48];

		i++;
		/* A broken config is reported and the listing goes on. */
		if (store_container_open(ctx, *name, &c) < 0)
			continue;
		read_status(ctx, c, a, &st);
		if (ctx->output == OUTPUT_JSON) {
			printf("%s", first ? "" : ", ");
			print_json(stdout, ctx, c, &st);
			first = false;
			continue;
		}
		list_addresses(c, ip, sizeof(ip), ip6, sizeof(ip6));
		format_memory(st.memory, mem, sizeof(mem));
		if (st.init_pid)
			(void)snprintf(pid, sizeof(pid), "%d", (int)st.init_pid);
		else
			(void)snprintf(pid, sizeof(pid), "-");
		readiness_format(&st.ready, sys, sizeof(sys));
		printf(LIST_ROW, c->name, run_state_to_string(st.state), ip, ip6, pid, mem,
		       c->cfg.autostart ? "yes" : "no", sys);
	}
	if (ctx->output == OUTPUT_JSON)
		printf("]\n");
	return 0;
}

static void print_forwards(const struct container_config *cfg, bool live)
{
	struct net_forward fw[NET_FORWARD_MAX];
	int n = net_forward_parse(cfg->net_forward, fw, NET_FORWARD_MAX);

	for (int i = 0; i < n; i++)
		printf("Forward:    %s host port %u -> %s:%u%s\n", fw[i].udp ? "udp" : "tcp",
		       fw[i].host_port, cfg->net_ip, fw[i].port, live ? "" : " (at start)");
}

static void print_network(const struct lxmgr_ctx *ctx, const struct container *c,
			  const struct status *st)
{
	const struct container_config *cfg = &c->cfg;
	char ip[32], ip6[64], mac[18], bridge[IFNAMSIZ];

	printf("Network:    %s\n", net_mode_to_string(cfg->net_mode));
	if (cfg->net_mode == NET_MODE_HOST)
		printf("            warning: shares the host's network namespace: root inside "
		       "can reconfigure the host's interfaces and firewall\n");
	if (cfg->net_mode != NET_MODE_BRIDGE && cfg->net_mode != NET_MODE_ROUTED)
		return;
	net_facts(ctx, c, ip, sizeof(ip), mac, bridge);
	printf("Interface:  eth0\nMAC:        %s\nAddress:    %s\n", mac, ip);
	if (*address6(cfg, ip6, sizeof(ip6)))
		printf("Address6:   %s\n", ip6);
	if (bridge[0])
		printf("Bridge:     %s\n", bridge);
	else
		printf("Uplink:     %s (proxy ARP)\n", cfg->net_uplink);
	printf("Host veth:  %s\n", st->veth[0] ? st->veth : "- (stopped)");
	print_forwards(cfg, st->veth[0] != '\0');
}

/* mount.NAME and device.NAME, one line each (SRC -> DST, idmapped, ro), then live mounts. */
static void print_shares(const struct container_config *cfg, const struct status *st)
{
	for (size_t i = 0; i < CONFIG_ENTRIES_MAX; i++)
		if (cfg->mounts[i].name)
			printf("Mount:      %s: %s\n", cfg->mounts[i].name, cfg->mounts[i].value);
	for (char **m = st->live_mounts; m && *m; m++)
		printf("Live mount: %s\n", *m);
	for (size_t i = 0; i < CONFIG_ENTRIES_MAX; i++)
		if (cfg->devices[i].name)
			printf("Device:     %s: %s\n", cfg->devices[i].name, cfg->devices[i].value);
}

/* "Last event: oom at 2026-12-07 03:10:02: the OOM killer ended 1 process inside ..." */
static void print_last_event(const struct container *c)
{
	struct event_last ev;
	char when[32] = "?";
	time_t t;
	struct tm tm;

	if (event_read_last(c, &ev) < 0)
		return;
	t = (time_t)ev.at;
	if (localtime_r(&t, &tm))
		(void)strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	printf("Last event: %s at %s: %s\n", ev.event, when, ev.message);
}

/* What guest-fixups.c keeps in the rootfs (DESIGN §11), read from the tree itself. */
static void print_fixups(const struct container *c)
{
	_cleanup_close_ int rootfd = open(c->rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char list[512];

	if (rootfd < 0)
		return;
	guest_fixups_list(rootfd, list, sizeof(list));
	printf("Fix-ups:    %s%s\n", list, c->cfg.guest_fixups ? "" : " (guest.fixups no)");
}

/* The id ranges (whose block, for a rootless snapshot clone) and where the rootfs lives. */
static void print_ids_and_rootfs(const struct container *c)
{
	const struct container_config *cfg = &c->cfg;
	const char *how = cfg->rootfs_shifted ? "layers of its block" : "idmapped layers";
	char buf[NAME_MAX + 1];
	const char *owner = idmap_block_owner(c->name, cfg, buf, sizeof(buf));
	char shared[NAME_MAX + 64] = "";

	if (strcmp(owner, c->name) != 0)
		(void)snprintf(shared, sizeof(shared), " (%s's block: it stands on its layers)",
			       owner);
	printf("UIDs:       %u-%u%s\nGIDs:       %u-%u%s\n", cfg->uid_base,
	       cfg->uid_base + cfg->id_count - 1, shared, cfg->gid_base,
	       cfg->gid_base + cfg->id_count - 1, shared);
	if (cfg->snapshot_of[0] && strchr(cfg->snapshot_of, '@'))
		printf("Rootfs:     %s/overlay/upper over the sealed layers of %s (%s)\n", c->dir,
		       cfg->snapshot_of, how);
	else if (cfg->snapshot_of[0])
		printf("Rootfs:     %s/overlay/upper over %s's rootfs (snapshot, %s)\n", c->dir,
		       cfg->snapshot_of, how);
	else
		printf("Rootfs:     %s (%s)\n", c->rootfs,
		       cfg->rootfs_shifted ? "ownership shifted" : "idmapped mount");
}

int cmd_info(struct lxmgr_ctx *ctx, int argc, char **argv)
{
	_cleanup_container_ struct container *c = NULL;
	const struct container_config *cfg;
	_cleanup_(status_done) struct status st = {0};
	char up[32], mem[32], sig[16];
	int r;

	r = parse_json_flag(ctx, argc, argv, 1, /* max_age= */ NULL);
	if (r != 0)
		return r;
	if (store_container_open(ctx, ctx->name, &c) < 0)
		return EXIT_FAILED;
	read_status(ctx, c, /* a= */ NULL, &st);
	st.disk_known = quota_usage(c, &st.disk) >= 0;
	if (ctx->output == OUTPUT_JSON) {
		print_json(stdout, ctx, c, &st);
		printf("\n");
		return 0;
	}
	cfg = &c->cfg;
	format_uptime(&st, up, sizeof(up));
	format_memory(st.memory, mem, sizeof(mem));
	printf("Name:       %s\nState:      %s\n", c->name, run_state_to_string(st.state));
	if (st.init_pid)
		printf("Init PID:   %d\n", (int)st.init_pid);
	printf("Uptime:     %s\nMemory:     %s\n", up, mem);
	print_disk(&st);
	printf("UUID:       %s\nHostname:   %s\n", cfg->uuid,
	       cfg->hostname ? cfg->hostname : c->name);
	printf("Init:       %s (%s", cfg->init, init_kind_to_string(cfg->init_kind));
	if (cfg->systemd_version)
		printf(" %u", cfg->systemd_version);
	printf(", stops with %s)\n", signal_to_string(cfg->stop_signal, sig));
	if (st.ready.state[0]) {
		char sys[48];

		readiness_format(&st.ready, sys, sizeof(sys));
		printf("System:     %s\n", sys);
	}
	print_ids_and_rootfs(c);
	if (cfg->rootfs_source)
		printf("Source:     %s\n", cfg->rootfs_source);
	storage_print_info(ctx, c);
	print_network(ctx, c, &st);
	if (rootless_active())
		printf("Rootless:   %s's store and subordinate ids; cgroups: %s%s\n",
		       rootless_user_name(), cgroup_source_text(&st), st.cgroup_unit);
	print_shares(cfg, &st);
	print_last_event(c);
	print_fixups(c);
	snapshot_print_info(c);
	printf("Console:    %s/console.log\n", c->logdir);
	if (provision_requested(cfg))
		printf("Provision:  %s%s%s%s; log %s/%s\n", cfg->provision_user[0] ? "user " : "",
		       cfg->provision_user, cfg->provision_sudo ? " (sudo)" : "",
		       cfg->provision_packages[0] ? ", packages" : "", c->logdir, PROVISION_LOG);
	return 0;
}
