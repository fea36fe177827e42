/* runtime.c: the runtime record of a running container (RUN/NAME/state) and its liveness. */
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/util.h"
#include "store/runtime.h"

static const char *const run_state_names[_RUN_STATE_MAX] = {
	[RUN_STATE_STOPPED] = "stopped", [RUN_STATE_STARTING] = "starting",
	[RUN_STATE_RUNNING] = "running", [RUN_STATE_STOPPING] = "stopping",
	[RUN_STATE_FROZEN] = "frozen",   [RUN_STATE_REBOOTING] = "rebooting",
};

const char *run_state_to_string(enum run_state s)
{
	return s < _RUN_STATE_MAX ? run_state_names[s] : "unknown";
}

int run_state_from_string(const char *s, enum run_state *ret)
{
	for (int i = 0; i < _RUN_STATE_MAX; i++)
		if (!strcmp(s, run_state_names[i])) {
			*ret = (enum run_state)i;
			return 0;
		}
	return -EINVAL;
}

/* The network fields, all strings: one table for format and parse. */
static const struct {
	const char *key;
	size_t offset;
} net_fields[] = {
	{"net_veth", offsetof(struct runtime_state, net_veth)},
	{"net_bridge", offsetof(struct runtime_state, net_bridge)},
	{"net_nat", offsetof(struct runtime_state, net_nat)},
	{"net_uplink", offsetof(struct runtime_state, net_uplink)},
	{"net_ip", offsetof(struct runtime_state, net_ip)},
	{"net_ip6", offsetof(struct runtime_state, net_ip6)},
	{"net_dns", offsetof(struct runtime_state, net_dns)},
	{"net_forward", offsetof(struct runtime_state, net_forward)},
};

void runtime_state_done(struct runtime_state *s)
{
	cgroup_done(&s->cgroup);
	free(s->console);
	free(s->cgroup_mount);
	free(s->net_veth);
	free(s->net_bridge);
	free(s->net_nat);
	free(s->net_uplink);
	free(s->net_ip);
	free(s->net_ip6);
	free(s->net_dns);
	free(s->net_forward);
	*s = (struct runtime_state){0};
}

int runtime_state_format(const struct runtime_state *s, char **ret)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return -ENOMEM;
	fprintf(f, "state=%s\n", run_state_to_string(s->state));
	fprintf(f, "monitor_pid=%d\nmonitor_start=%llu\n", (int)s->monitor_pid,
		(unsigned long long)s->monitor_start);
	fprintf(f, "init_pid=%d\ninit_start=%llu\n", (int)s->init_pid,
		(unsigned long long)s->init_start);
	fprintf(f, "started_at=%llu\nreboots=%u\n", (unsigned long long)s->started_at, s->reboots);
	if (s->cgroup.unified)
		fprintf(f, "cgroup=%s\n", s->cgroup.unified);
	for (int i = 0; i < _CGROUP_V1_MAX; i++)
		if (s->cgroup.v1[i])
			fprintf(f, "cgroup_%s=%s\n", cgroup_v1_to_string((enum cgroup_v1)i),
				s->cgroup.v1[i]);
	if (s->console)
		fprintf(f, "console=%s\n", s->console);
	if (s->cgroup_mount)
		fprintf(f, "cgroup_mount=%s\n", s->cgroup_mount);
	for (size_t i = 0; i < ELEMENTSOF(net_fields); i++) {
		const char *v =
			*(char *const *)(const void *)((const char *)s + net_fields[i].offset);

		if (v)
			fprintf(f, "%s=%s\n", net_fields[i].key, v);
	}
	if (fclose(f) != 0)
		return -ENOMEM;
	*ret = TAKE_PTR(buf);
	return 0;
}

static int parse_pid(const char *v, pid_t *ret)
{
	uint32_t n;
	int r = parse_u32(v, &n);

	if (r < 0 || n > INT32_MAX)
		return -EINVAL;
	*ret = (pid_t)n;
	return 0;
}

static int set_string(char **field, const char *v)
{
	free(*field);
	*field = strdup(v);
	return *field ? 0 : -ENOMEM;
}

static int runtime_state_set(struct runtime_state *s, const char *k, const char *v)
{
	if (!strcmp(k, "state"))
		return run_state_from_string(v, &s->state);
	if (!strcmp(k, "monitor_pid"))
		return parse_pid(v, &s->monitor_pid);
	if (!strcmp(k, "monitor_start"))
		return parse_u64(v, &s->monitor_start);
	if (!strcmp(k, "init_pid"))
		return parse_pid(v, &s->init_pid);
	if (!strcmp(k, "init_start"))
		return parse_u64(v, &s->init_start);
	if (!strcmp(k, "started_at"))
		return parse_u64(v, &s->started_at);
	if (!strcmp(k, "reboots"))
		return parse_u32(v, &s->reboots);
	if (!strcmp(k, "cgroup"))
		return set_string(&s->cgroup.unified, v);
	if (!strcmp(k, "cgroup_mount"))
		return set_string(&s->cgroup_mount, v);
	if (!strcmp(k, "console"))
		return set_string(&s->console, v);
	for (size_t i = 0; i < ELEMENTSOF(net_fields); i++)
		if (!strcmp(k, net_fields[i].key))
			return set_string((char **)(void *)((char *)s + net_fields[i].offset), v);
	for (int i = 0; i < _CGROUP_V1_MAX; i++) {
		const char *name = cgroup_v1_to_string((enum cgroup_v1)i);

		if (!strncmp(k, "cgroup_", 7) && !strcmp(k + 7, name))
			return set_string(&s->cgroup.v1[i], v);
	}
	return 0; /* a newer lxmgr may write more; an older one reads what it knows */
}

int runtime_state_parse(const char *text, struct runtime_state *ret)
{
	_cleanup_free_ char *copy = strdup(text);
	struct runtime_state s = {0};
	char *save = NULL;

	if (!copy)
		return -ENOMEM;
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '=');
		int r;

		if (!eq) {
			runtime_state_done(&s);
			return -EINVAL;
		}
		*eq = '\0';
		r = runtime_state_set(&s, line, eq + 1);
		if (r < 0) {
			runtime_state_done(&s);
			return r;
		}
	}
	*ret = s;
	return 0;
}

int runtime_state_read(const char *rundir, struct runtime_state *ret)
{
	_cleanup_free_ char *path = NULL, *text = NULL;
	int r;

	r = xasprintf(&path, "%s/state", rundir);
	if (r < 0)
		return r;
	r = read_file_at(AT_FDCWD, path, 65536, &text, NULL);
	if (r < 0)
		return r;
	return runtime_state_parse(text, ret);
}

int runtime_state_write(const char *rundir, const struct runtime_state *s)
{
	_cleanup_free_ char *path = NULL, *text = NULL;
	int r;

	r = xasprintf(&path, "%s/state", rundir);
	if (r < 0)
		return r;
	r = runtime_state_format(s, &text);
	if (r < 0)
		return r;
	return write_file_replace_at(AT_FDCWD, path, text, strlen(text), 0644);
}

bool runtime_pid_is(pid_t pid, uint64_t start_time)
{
	uint64_t t;

	if (pid <= 0)
		return false;
	return pid_start_time(pid, &t) >= 0 && t == start_time;
}
