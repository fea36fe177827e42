/* metrics.c: the figures of stats.h in the Prometheus text exposition format. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "run/metrics.h"
#include "base/util.h"

/* One family: a uint64_t field of struct stats, divided by scale (cpu_usec -> seconds). */
struct family {
	const char *name, *type, *help;
	size_t offset;
	uint64_t scale;
};

#define FIELD(f) offsetof(struct stats, f)
static const struct family families[] = {
	{"lxmgr_container_cpu_seconds_total", "counter",
	 "CPU time used by every process of the container.", FIELD(cpu_usec), 1000000},
	{"lxmgr_container_memory_bytes", "gauge",
	 "Memory charged to the container's cgroup (memory.current or memory.usage_in_bytes).",
	 FIELD(mem_bytes), 1},
	{"lxmgr_container_memory_limit_bytes", "gauge",
	 "The container's memory limit (limits.memory); absent when unlimited.", FIELD(mem_limit),
	 1},
	{"lxmgr_container_oom_kills_total", "counter",
	 "Processes the OOM killer ended in the container's cgroup during this boot.",
	 FIELD(oom_kills), 1},
	{"lxmgr_container_pids", "gauge", "Tasks in the container's cgroup.", FIELD(pids), 1},
	{"lxmgr_container_pids_limit", "gauge",
	 "The container's task limit (limits.pids); absent when unlimited.", FIELD(pids_limit), 1},
	{"lxmgr_container_block_read_bytes_total", "counter",
	 "Bytes the container read from block devices.", FIELD(io_read), 1},
	{"lxmgr_container_block_write_bytes_total", "counter",
	 "Bytes the container wrote to block devices.", FIELD(io_write), 1},
	{"lxmgr_container_network_receive_bytes_total", "counter",
	 "Bytes the container received on its network interfaces (not loopback).", FIELD(net_rx),
	 1},
	{"lxmgr_container_network_transmit_bytes_total", "counter",
	 "Bytes the container sent on its network interfaces (not loopback).", FIELD(net_tx), 1},
	{"lxmgr_container_boot_time_seconds", "gauge",
	 "When the container last started, in seconds since the epoch.", FIELD(started_at), 1},
};
#undef FIELD

/* Label values escape backslash, double quote and newline (the exposition format). */
static void label_value(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

static void sample_head(FILE *f, const char *metric, const struct stats *st)
{
	fprintf(f, "%s{name=\"", metric);
	label_value(f, st->name);
	fputc('"', f);
}

static void write_family(FILE *f, const struct family *fam, const struct stats_set *s)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", fam->name, fam->help, fam->name, fam->type);
	for (size_t i = 0; i < s->n; i++) {
		uint64_t v =
			*(const uint64_t *)(const void *)((const char *)&s->v[i] + fam->offset);

		if (v == STATS_UNKNOWN)
			continue;
		sample_head(f, fam->name, &s->v[i]);
		if (fam->scale == 1)
			fprintf(f, "} %llu\n", (unsigned long long)v);
		else
			fprintf(f, "} %llu.%06llu\n", (unsigned long long)(v / fam->scale),
				(unsigned long long)(v % fam->scale));
	}
}

/* A state set: one sample per state, 1 for the one the container is in. */
static void write_state(FILE *f, const struct stats_set *s)
{
	static const char name[] = "lxmgr_container_state";

	fprintf(f, "# HELP %s The container's state (1 for the one it is in).\n# TYPE %s gauge\n",
		name, name);
	for (size_t i = 0; i < s->n; i++)
		for (int k = RUN_STATE_STARTING; k < _RUN_STATE_MAX; k++) {
			sample_head(f, name, &s->v[i]);
			fprintf(f, ",state=\"%s\"} %d\n", run_state_to_string((enum run_state)k),
				s->v[i].state == (enum run_state)k);
		}
}

static void write_guest(FILE *f, const struct stats_set *s)
{
	static const char failed[] = "lxmgr_container_failed_units";
	static const char reboots[] = "lxmgr_container_reboots_total";

	fprintf(f,
		"# HELP %s Failed units of the guest's systemd; absent when it does not say.\n"
		"# TYPE %s gauge\n",
		failed, failed);
	for (size_t i = 0; i < s->n; i++) {
		if (!s->v[i].ready.state[0])
			continue;
		sample_head(f, failed, &s->v[i]);
		fprintf(f, "} %u\n", s->v[i].ready.failed_units);
	}
	fprintf(f,
		"# HELP %s Reboots from inside since the container was started.\n"
		"# TYPE %s counter\n",
		reboots, reboots);
	for (size_t i = 0; i < s->n; i++) {
		sample_head(f, reboots, &s->v[i]);
		fprintf(f, "} %u\n", s->v[i].reboots);
	}
}

void metrics_write(FILE *f, const struct stats_set *s)
{
	fprintf(f,
		"# HELP lxmgr_containers_running Containers of the store that run.\n"
		"# TYPE lxmgr_containers_running gauge\nlxmgr_containers_running %zu\n",
		s->n);
	write_state(f, s);
	for (size_t i = 0; i < ELEMENTSOF(families); i++)
		write_family(f, &families[i], s);
	write_guest(f, s);
}
