/* cgroup.h: the container's cgroups on a pure cgroup2 host and on a v1+v2 hybrid host. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

struct container_config;

/* v1 hierarchies: the controllers lxmgr applies limits through on a hybrid host, and the
 * named name=systemd hierarchy that systemd < 230 needs inside (container.cgroup_layout). */
enum cgroup_v1 {
	CGROUP_V1_MEMORY,
	CGROUP_V1_PIDS,
	CGROUP_V1_CPU,
	CGROUP_V1_FREEZER,
	CGROUP_V1_SYSTEMD,
	CGROUP_V1_DEVICES,
	CGROUP_V1_BLKIO, /* no limit: joined for its I/O counters (lxmgr top, metrics) */
	_CGROUP_V1_MAX,
};
const char *cgroup_v1_to_string(enum cgroup_v1 c);

/* What the host offers, read from mountinfo and /proc/self/cgroup. */
struct cgroup_host {
	char *unified_mount;            /* cgroup2 mount point, e.g. /sys/fs/cgroup(/unified) */
	char *unified_own;              /* our own cgroup2 path, relative, e.g. "/" */
	bool v2_controllers[4];         /* memory, pids, cpu, io enabled at the cgroup2 root */
	char *v1_mount[_CGROUP_V1_MAX]; /* v1 mount point per controller, NULL if none */
	char *v1_own[_CGROUP_V1_MAX];   /* our own path in that hierarchy */
};

/* The cgroups of one container (all absolute paths, NULL where not used). */
struct cgroup {
	char *unified;            /* the container's cgroup2 dir: its cgroup-namespace root */
	char *v1[_CGROUP_V1_MAX]; /* on a hybrid host: limits are applied here */
	bool limits_v2;           /* limits went through cgroup2 */
	/* Delegated (the lxmgr@ unit, Delegate=yes): where the monitor moves, so that the unit's
	 * cgroup holds no process and may enable controllers for the payload (cgroup2's "no
	 * internal processes" rule). NULL otherwise. Not in the runtime record: systemd removes
	 * the unit's cgroup. */
	char *supervisor;
};

/* Parses /proc/self/mountinfo text and /proc/self/cgroup text into *ret. Pure: tests feed
 * fmemopen()ed samples. */
int cgroup_host_parse(FILE *mountinfo, FILE *self_cgroup, struct cgroup_host *ret);
/* The same for this process. */
int cgroup_host_detect(struct cgroup_host *ret);
void cgroup_host_done(struct cgroup_host *h);
/* Takes the controllers h offers from dir's cgroup.controllers instead of the root's: a
 * delegated cgroup (the user manager's scope) may have fewer. 0 or -errno. */
int cgroup_host_controllers_of(struct cgroup_host *h, const char *dir);

/* Computes the container's cgroup paths: under DIR/lxmgr.slice/lxmgr-TAG.scope in each
 * hierarchy, where DIR is the hierarchy root, or our own cgroup when delegated (the systemd
 * unit: then the payload goes in OWN/payload and the monitor in OWN/supervisor, cgroup2
 * only). Only fills in paths; creates nothing. */
int cgroup_paths(const struct cgroup_host *h, const char *tag, bool delegated, struct cgroup *ret);
void cgroup_done(struct cgroup *cg);

/* Creates the directories (delegated: first moves this process into cg->supervisor and
 * enables the controllers in the unit's cgroup only, never above it), hands the cgroup2 dir to the
 * container's root (owner uid/gid: the directory, cgroup.procs, cgroup.threads,
 * cgroup.subtree_control) and so the name=systemd one, and applies the limits of c: through cgroup2
 * when the controllers are there, else through the v1 hierarchies. */
int cgroup_create(const struct cgroup_host *h, const struct cgroup *cg,
		  const struct container_config *c, uid_t owner, gid_t owner_gid);
/* Denies every device to the container's cgroups but the standard nodes and its device.*
 * nodes (cgroup-devices.c): v1 devices.deny/allow in the v1 devices hierarchy if there is
 * one, and a BPF_CGROUP_DEVICE program on its cgroup2 dir (both: the kernel checks both).
 * Once, right after cgroup_create, before any process enters. -ENODEV: a device.* node is
 * no character device. 1 (nothing done) outside the initial user namespace (nested): only
 * the outer container's devices cgroup applies then. */
int cgroup_devices_apply(const struct cgroup *cg, const struct container_config *c);
/* Applies (or re-applies after `config set`) the limits only. */
int cgroup_apply_limits(const struct cgroup_host *h, const struct cgroup *cg,
			const struct container_config *c);
/* O_PATH fd of the cgroup2 dir, for clone3(CLONE_INTO_CGROUP). */
int cgroup_open_unified(const struct cgroup *cg);
/* Hands the container's name=systemd directory (if any) to its root, as a v1 delegate. */
int cgroup_v1_delegate_systemd(const struct cgroup *cg, uid_t uid, gid_t gid);
/* On a host without a name=systemd hierarchy (pure cgroup2), creates one by mounting
 * "none,name=systemd" at where and records it in h. 0 when h has one already. */
int cgroup_host_ensure_systemd_v1(struct cgroup_host *h, const char *where);
/* Moves pid into the v1 hierarchies (cgroup2 is done by CLONE_INTO_CGROUP). */
int cgroup_attach_v1(const struct cgroup *cg, pid_t pid);
/* Kills every process in the container's cgroups: cgroup.kill where the kernel has it, else
 * freeze + SIGKILL of every pid in cgroup.procs of the whole subtree until empty. */
int cgroup_kill_all(const struct cgroup *cg);
/* true when the container's cgroup2 subtree still holds a process. */
bool cgroup_is_populated(const struct cgroup *cg);
/* Removes the container's cgroups depth-first in every hierarchy (the subtree systemd made
 * inside too). -EBUSY if a process is still there. Missing dirs are fine. */
int cgroup_remove(const struct cgroup *cg);
/* Memory in use: cgroup2 memory.current, else v1 memory.usage_in_bytes. */
int cgroup_memory_current(const struct cgroup *cg, uint64_t *ret);
/* Freezes or thaws (cgroup.freeze, waiting for cgroup.events "frozen 1"; v1 freezer.state
 * where cgroup.freeze is missing). */
int cgroup_freeze(const struct cgroup *cg, bool frozen);
