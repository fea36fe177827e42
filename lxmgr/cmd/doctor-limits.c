/* doctor-limits.c: the host limits that bound how many guests run at once: each read with
 * what is in use, against what an idle guest takes, so doctor names the first one met. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/util.h"
#include "cmd/doctor-limits.h"

/* Per idle Debian 12 guest (systemd, journald, dbus, logind, getty: 6 processes and
 * threads, 2 mount namespaces, one console pty), as bench/density-bench.sh measures it,
 * with room for an exec or two. */
#define GUEST_TASKS 10
#define GUEST_FILES 64
#define GUEST_PTYS 1
#define GUEST_MEMORY_MIB 16

static int read_u64_field(const char *path, int field, uint64_t *ret)
{
	_cleanup_free_ char *text = NULL;
	const char *p;
	int r = read_file_at(AT_FDCWD, path, 4096, &text, NULL);

	if (r < 0)
		return r;
	p = text;
	for (int i = 0; i < field; i++) {
		p += strcspn(p, " \t/");
		p += strspn(p, " \t/");
	}
	*ret = strtoull(p, NULL, 10);
	return 0;
}

/* Threads on the host: the total of /proc/loadavg's "running/total". */
static int read_tasks(uint64_t *ret)
{
	return read_u64_field("/proc/loadavg", 4, ret);
}

static int read_meminfo(const char *key, uint64_t *ret)
{
	_cleanup_free_ char *text = NULL;
	const char *p;
	int r = read_file_at(AT_FDCWD, "/proc/meminfo", 1 << 16, &text, NULL);

	if (r < 0)
		return r;
	p = strstr(text, key);
	if (!p)
		return -ENOENT;
	*ret = strtoull(p + strlen(key), NULL, 10) * 1024;
	return 0;
}

int doctor_limits_read(struct host_limit *ret, int n)
{
	uint64_t tasks = 0, v = 0, total = 0, avail = 0;
	int k = 0;

	(void)read_tasks(&tasks);
	if (k < n && read_u64_field("/proc/sys/kernel/pid_max", 0, &v) >= 0)
		ret[k++] = (struct host_limit){"kernel.pid_max", v, tasks, GUEST_TASKS,
					       "sysctl -w kernel.pid_max=4194304"};
	if (k < n && read_u64_field("/proc/sys/kernel/threads-max", 0, &v) >= 0)
		ret[k++] = (struct host_limit){"kernel.threads-max", v, tasks, GUEST_TASKS,
					       "sysctl -w kernel.threads-max=4194304"};
	if (k < n && read_u64_field("/proc/sys/kernel/pty/max", 0, &v) >= 0 &&
	    read_u64_field("/proc/sys/kernel/pty/nr", 0, &total) >= 0)
		ret[k++] = (struct host_limit){"kernel.pty.max", v, total, GUEST_PTYS,
					       "sysctl -w kernel.pty.max=65536"};
	if (k < n && read_u64_field("/proc/sys/fs/file-nr", 0, &total) >= 0 &&
	    read_u64_field("/proc/sys/fs/file-max", 0, &v) >= 0)
		ret[k++] = (struct host_limit){"fs.file-max", v, total, GUEST_FILES,
					       "sysctl -w fs.file-max=9223372036854775807"};
	if (k < n && read_meminfo("MemTotal:", &total) >= 0 &&
	    read_meminfo("MemAvailable:", &avail) >= 0)
		ret[k++] = (struct host_limit){"memory (MiB)", total >> 20, (total - avail) >> 20,
					       GUEST_MEMORY_MIB,
					       "more RAM, or fewer services in each guest"};
	return k;
}

uint64_t doctor_limit_room(const struct host_limit *l)
{
	if (l->used >= l->limit || !l->per_guest)
		return 0;
	return (l->limit - l->used) / l->per_guest;
}

bool doctor_cgroup2_favors_dynmods(const char *mount)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/mounts", "re");
	char dir[4096], type[64], opts[1024];

	while (f && fscanf(f, "%*s %4095s %63s %1023s %*d %*d", dir, type, opts) == 3)
		if (!strcmp(type, "cgroup2") && !strcmp(dir, mount))
			return strstr(opts, "favordynmods") != NULL;
	return false;
}
