/* cgroup-v1.c: the v1 hierarchies of a hybrid host, and the named name=systemd hierarchy
 * that systemd older than 230 needs inside its container. */
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/util.h"
#include "cgroup/internal.h"

/* Also the keys of the runtime record ("cgroup_NAME="), hence "systemd", not "name=...". */
static const char *const cgroup_v1_table[_CGROUP_V1_MAX] = {
	[CGROUP_V1_MEMORY] = "memory",   [CGROUP_V1_PIDS] = "pids",
	[CGROUP_V1_CPU] = "cpu",         [CGROUP_V1_FREEZER] = "freezer",
	[CGROUP_V1_SYSTEMD] = "systemd", [CGROUP_V1_DEVICES] = "devices",
	[CGROUP_V1_BLKIO] = "blkio",
};

const char *cgroup_v1_to_string(enum cgroup_v1 c)
{
	return (unsigned)c < _CGROUP_V1_MAX ? cgroup_v1_table[c] : NULL;
}

int cgroup_v1_from_option(const char *s)
{
	/* The named hierarchy is "name=systemd"; a bare "systemd" is no controller. */
	if (!strcmp(s, "name=systemd"))
		return CGROUP_V1_SYSTEMD;
	for (int i = 0; i < _CGROUP_V1_MAX; i++)
		if (i != CGROUP_V1_SYSTEMD && !strcmp(s, cgroup_v1_table[i]))
			return i;
	return -EINVAL;
}

int cgroup_v1_note_mount(struct cgroup_host *h, const char *where, char *super)
{
	char *save = NULL;

	for (char *o = strtok_r(super, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
		int i = cgroup_v1_from_option(o);
		int r = 0;

		if (i >= 0 && !h->v1_mount[i])
			r = cg_set_str(&h->v1_mount[i], where);
		if (r < 0)
			return r;
	}
	return 0;
}

int cgroup_attach_v1(const struct cgroup *cg, pid_t pid)
{
	char buf[32];

	(void)snprintf(buf, sizeof(buf), "%d", (int)pid);
	for (int i = 0; i < _CGROUP_V1_MAX; i++) {
		int r = cg->v1[i] ? cg_write(cg->v1[i], "cgroup.procs", buf) : 0;

		if (r < 0)
			return r;
	}
	return 0;
}

/* v1 freezer.state passes through FREEZING; writing FROZEN again retries tasks that were
 * busy the first time (LXC does the same). */
int cgroup_v1_freeze(const char *dir, bool frozen, int timeout_ms)
{
	const char *want = frozen ? "FROZEN" : "THAWED";
	uint64_t deadline = now_ns() + (uint64_t)timeout_ms * 1000000ULL;

	for (;;) {
		_cleanup_free_ char *state = NULL;
		int r;

		r = cg_write(dir, "freezer.state", want);
		if (r >= 0)
			r = cg_read(dir, "freezer.state", &state);
		if (r < 0)
			return r;
		if (!strncmp(state, want, strlen(want)))
			return 0;
		if (now_ns() >= deadline)
			return -ETIMEDOUT;
		(void)poll(NULL, 0, 10);
	}
}

int cgroup_v1_delegate_systemd(const struct cgroup *cg, uid_t uid, gid_t gid)
{
	/* What a v1 delegate needs (nspawn chowns the same): make sub-cgroups and move tasks. */
	static const char *const files[] = {".", "cgroup.procs", "tasks", "notify_on_release",
					    "cgroup.clone_children"};
	_cleanup_close_ int fd = -EBADF;

	if (!cg->v1[CGROUP_V1_SYSTEMD])
		return 0;
	fd = open(cg->v1[CGROUP_V1_SYSTEMD], O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	for (size_t i = 0; i < ELEMENTSOF(files); i++)
		if (fchownat(fd, files[i], uid, gid, AT_SYMLINK_NOFOLLOW) < 0 && errno != ENOENT)
			return -errno;
	return 0;
}

int cgroup_host_ensure_systemd_v1(struct cgroup_host *h, const char *where)
{
	int r;

	if (h->v1_mount[CGROUP_V1_SYSTEMD])
		return 0;
	/* A pure cgroup2 host has no name=systemd hierarchy: mounting "none,name=systemd"
	 * creates it (no controller is bound, so the kernel allows it while v1 is built in). */
	r = mkdir_p(where, 0755);
	if (r < 0)
		return r;
	if (mount("cgroup", where, "cgroup", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "none,name=systemd") < 0)
		return -errno;
	return cg_set_str(&h->v1_mount[CGROUP_V1_SYSTEMD], where);
}
