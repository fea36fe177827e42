/* start.c: the start sequence of DESIGN §3, as the monitor runs it, and its undo. */
#include <fcntl.h>
#include <linux/sched.h>
#include <linux/securebits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "base/lxmgr.h"
#include "base/sync.h"
#include "base/util.h"
#include "cgroup/cgroup.h"
#include "fs/idmap-alloc.h"
#include "fs/idmap.h"
#include "fs/kernfs.h"
#include "fs/mounts-source.h"
#include "fs/mounts.h"
#include "fs/rootfs.h"
#include "fs/rootless.h"
#include "guest/boot-prep.h"
#include "image/clone.h"
#include "image/rootless-snapshot.h"
#include "network/network.h"
#include "run/child.h"
#include "run/hooks.h"
#include "run/rootless-cgroup.h"
#include "run/start.h"
#include "store/store.h"

#define LOG_STEP "start"

static pid_t clone3_into(uint64_t flags, int cgroup_fd, int *ret_pidfd)
{
	struct clone_args args = {
		.flags = flags | CLONE_PIDFD | (cgroup_fd >= 0 ? CLONE_INTO_CGROUP : 0),
		.pidfd = (uint64_t)(uintptr_t)ret_pidfd,
		.exit_signal = SIGCHLD,
		.cgroup = (uint64_t)(cgroup_fd >= 0 ? cgroup_fd : 0),
	};

	return (pid_t)syscall(SYS_clone3, &args, sizeof(args));
}

/* The user namespace is created with the container's root uid as its owner, so that per-user
 * kernel quotas (inotify instances, keys) are charged to the container, not to host root
 * (DESIGN §5). SECBIT_NO_SETUID_FIXUP keeps our capabilities while euid is not 0. */
static pid_t clone_as_owner(const struct container_config *cfg, uint64_t flags, int cgroup_fd,
			    int *ret_pidfd)
{
	int saved = -1;
	pid_t pid;

	saved = prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);
	if (saved < 0 || prctl(PR_SET_SECUREBITS, saved | SECBIT_NO_SETUID_FIXUP, 0, 0, 0) < 0)
		return -errno;
	if (setresgid(-1, cfg->gid_base, -1) < 0 || setresuid(-1, cfg->uid_base, -1) < 0) {
		pid = -errno;
		goto restore;
	}
	pid = clone3_into(flags, cgroup_fd, ret_pidfd);
	if (pid < 0)
		pid = -errno;
	if (pid == 0)
		return 0;
restore:
	if (setresuid(-1, 0, -1) < 0 || setresgid(-1, 0, -1) < 0 ||
	    prctl(PR_SET_SECUREBITS, saved, 0, 0, 0) < 0)
		abort(); /* the monitor cannot go on as another user */
	return pid;
}

static int report_child_error(const struct lxmgr_ctx *ctx, int r, const struct sync_msg *m)
{
	if (r == -ECONNRESET || !m->where[0])
		return lx_fail(ctx, r, "the container's first process died before exec");
	return log_fail_full(ctx, m->where, r, "%s", m->text);
}

static int run_hooks(struct start_env *env, enum hook_kind kind, pid_t pid)
{
	struct hook_target t;

	hooks_target_of(env->c, &t);
	return hooks_run(env->ctx, &t, kind, pid);
}

/* The container's root: an idmapped clone of the rootfs, or for a snapshot clone an overlayfs
 * stacked on the idmapped layers (the host's view of it closed first: one upper, one mount). */
static int open_root_tree(struct start_env *env, int userns)
{
	int tree;

	if (clone_is_snapshot(&env->c->cfg)) {
		clone_view_close(env->c);
		return clone_open_snapshot_tree(env->ctx, env->c, userns);
	}
	tree = rootfs_open_idmapped(env->c->rootfs, userns);
	if (tree < 0)
		return log_fail_full(env->ctx, "rootfs", tree, "idmapped mount of %s",
				     env->c->rootfs);
	return tree;
}

/* /proc and /sys, mounted from the host's user namespace in a mount namespace that is then
 * copied into the container's, which locks them (kernfs.h). */
static int lock_kernel_fs(struct start_env *env, pid_t pid, int tree, int *ret_mntns,
			  int *ret_rootfd)
{
	const struct container_config *cfg = &env->c->cfg;
	_cleanup_close_ int pidfd = -EBADF;
	struct child_error e = {0};
	struct kernfs_args a = {
		.rootfs = env->c->rootfs,
		.tree_fd = tree,
		.own_netns = cfg->net_mode != NET_MODE_HOST,
		.uid_base = cfg->uid_base,
		.gid_base = cfg->gid_base,
	};
	int r;

	pidfd = NEG_ERRNO((int)syscall(SYS_pidfd_open, pid, 0));
	if (pidfd < 0)
		return lx_fail(env->ctx, pidfd, "open a pidfd of %d", (int)pid);
	a.pidfd = pidfd;
	r = kernfs_prepare(&a, ret_mntns, ret_rootfd, &e);
	if (r < 0)
		return log_fail_full(env->ctx, e.where, r, "%s", e.text);
	return 0;
}

static int send_mounts(const struct lxmgr_ctx *ctx, int sock, int mntns, int rootfd)
{
	int r = sync_send(sock, SYNC_IDMAP_DONE, -EBADF);

	if (r >= 0)
		r = sync_send(sock, SYNC_MOUNT_NS, mntns);
	if (r >= 0)
		r = sync_send(sock, SYNC_ROOTFS, rootfd);
	if (r < 0)
		return lx_fail(ctx, r, "send the mounts to the container's first process");
	return 0;
}

/* Parent side of the sync points, numbered as the child sees them. */
static int parent_sync(struct start_env *env, struct runtime_state *rs, int sock, pid_t pid)
{
	const struct cgroup *cg = &rs->cgroup;
	const struct lxmgr_ctx *ctx = env->ctx;
	const struct container_config *cfg = &env->c->cfg;
	_cleanup_close_ int userns = -EBADF, tree = -EBADF, mntns = -EBADF, rootfd = -EBADF;
	struct sync_msg m = {0};
	char path[64];
	int r;

	lx_debug(ctx, "waiting for %s", sync_step_to_string(SYNC_CHILD_READY));
	r = sync_wait(sock, SYNC_CHILD_READY, &m, NULL);
	if (r < 0)
		return report_child_error(ctx, r, &m);
	r = idmap_write_maps(pid, cfg->uid_base, cfg->gid_base, cfg->id_count);
	if (r < 0)
		return log_fail_full(ctx, "idmap", r, "write the uid/gid maps of %d", (int)pid);
	/* Limits on a hybrid host live in v1 hierarchies; join them before init runs. */
	r = cgroup_attach_v1(cg, pid);
	if (r < 0)
		return log_fail_full(ctx, "cgroup", r, "move %d into the v1 cgroups", (int)pid);
	/* eth0, its address and routes exist before init runs (DESIGN §3.4). */
	r = network_setup(ctx, env->c, pid, rs);
	if (r < 0)
		return r;
	/* After the network: that may still write /etc/resolv.conf through a snapshot's view. */
	if (!cfg->rootfs_shifted) {
		(void)snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
		userns = open(path, O_RDONLY | O_CLOEXEC);
		if (userns < 0)
			return log_fail_full(ctx, "idmap", -errno, "open %s", path);
		tree = open_root_tree(env, userns);
		if (tree < 0)
			return tree;
	} else if (clone_is_snapshot(cfg)) {
		/* Rootless: layers of the container's own ids, no idmap (rootless-snapshot.h). */
		tree = rootless_snapshot_tree(env->ctx, env->c);
		if (tree < 0)
			return tree;
	}
	r = run_hooks(env, HOOK_START_HOST, pid);
	if (r < 0)
		return r;
	/* After the network: sysfs shows the devices of the namespace it is mounted in. */
	r = lock_kernel_fs(env, pid, tree, &mntns, &rootfd);
	if (r >= 0)
		r = send_mounts(ctx, sock, mntns, rootfd);
	if (r < 0)
		return r;
	lx_debug(ctx, "waiting for %s", sync_step_to_string(SYNC_EXEC));
	r = sync_wait(sock, SYNC_EXEC, &m, &env->guest_notify_fd);
	if (r < 0)
		return report_child_error(ctx, r, &m);
	/* The socket is close-on-exec: end of stream means execve succeeded. */
	r = sync_wait(sock, SYNC_EXEC, &m, NULL);
	if (r == -ECONNRESET)
		return 0;
	return report_child_error(ctx, r < 0 ? r : -EPROTO, &m);
}

static uint64_t clone_flags(const struct container_config *cfg)
{
	uint64_t f = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC;

	if (cfg->net_mode != NET_MODE_HOST)
		f |= CLONE_NEWNET;
	return f;
}

static int make_cgroup(struct start_env *env, struct runtime_state *rs)
{
	const struct lxmgr_ctx *ctx = env->ctx;
	const struct container_config *cfg = &env->c->cfg;
	_cleanup_free_ char *tag = NULL;
	int r;

	r = xasprintf(&tag, "%s%s", ctx->paths.cgroup_tag, env->c->name);
	if (r < 0)
		return lx_fail(ctx, r, "out of memory");
	/* Rootless: the user manager's scope, else the session's cgroups (rootless-cgroup.h). */
	if (rootless_active()) {
		r = rootless_cgroup_paths(env, tag, rs);
		if (r < 0)
			return r;
	} else {
		r = cgroup_paths(&env->cgroup_host, tag, env->delegated, &rs->cgroup);
		if (r < 0)
			return log_fail_full(ctx, "cgroup", r, "compute the cgroup paths");
	}
	rs->cgroup_mount = strdup(env->cgroup_host.unified_mount);
	if (!rs->cgroup_mount)
		return lx_fail(ctx, -ENOMEM, "out of memory");
	/* Journal first: a monitor killed from here on leaves a record that gc can act on. */
	r = runtime_state_write(env->c->rundir, rs);
	if (r < 0)
		return lx_fail(ctx, r, "write %s/state", env->c->rundir);
	if (!rs->cgroup.unified) /* rootless, in no cgroup of its own (rootless-cgroup.h) */
		return 0;
	r = cgroup_create(&env->cgroup_host, &rs->cgroup, cfg, cfg->uid_base, cfg->gid_base);
	if (r < 0)
		return log_fail_full(ctx, "cgroup", r, "create %s", rs->cgroup.unified);
	r = cgroup_devices_apply(&rs->cgroup, cfg);
	if (r == -ENODEV)
		return log_fail_full(ctx, "cgroup", LX_SYNTHETIC(r),
				     "devices: a device.* node is not a character device");
	if (r < 0)
		return log_fail_full(ctx, "cgroup", r, "devices: allow only the container's nodes");
	if (r > 0)
		log_line(ctx, LOG_LEVEL_INFO, "cgroup", 0,
			 "devices: nested: the outer container's devices cgroup applies");
	return 0;
}

/* Shared folders, staged where the child's copy of our mounts holds them locked (mounts.h). */
static int stage_mounts(struct start_env *env, int *ret_hostns)
{
	const struct container_config *cfg = &env->c->cfg;
	const char *store[MOUNTS_STORE_DIRS_MAX];
	struct mounts_failure f;
	size_t failed;
	int r;

	mounts_source_store(&env->ctx->paths, store);
	r = mounts_stage(cfg, env->c->rootfs, store, ret_hostns, &f);
	if (r >= 0)
		return 0;
	mounts_unstage(*ret_hostns);
	*ret_hostns = -EBADF;
	mounts_stage_remove(env->c->dirfd);
	failed = f.slot;
	/* A refused source: its reason names it (a symlink on its way, the store). */
	if (failed < CONFIG_ENTRIES_MAX && f.why[0])
		return log_fail_full(env->ctx, "mounts", LX_SYNTHETIC(r), "mount.%s: %s",
				     cfg->mounts[failed].name, f.why);
	if (failed < CONFIG_ENTRIES_MAX && r == -ESRCH)
		return log_fail_full(env->ctx, "mounts", LX_SYNTHETIC(r),
				     "mount.%s: owner: no such user in the container's /etc/passwd",
				     cfg->mounts[failed].name);
	if (failed < CONFIG_ENTRIES_MAX && r == -ERANGE)
		return log_fail_full(env->ctx, "mounts", LX_SYNTHETIC(r),
				     "mount.%s: owner: root, or outside the container's id range",
				     cfg->mounts[failed].name);
	if (failed < CONFIG_ENTRIES_MAX)
		return log_fail_full(env->ctx, "mounts", r, "mount.%s: idmapped clone of %s",
				     cfg->mounts[failed].name, cfg->mounts[failed].value);
	failed -= CONFIG_ENTRIES_MAX;
	if (failed < CONFIG_ENTRIES_MAX && r == -ENODEV)
		return log_fail_full(env->ctx, "mounts", LX_SYNTHETIC(r),
				     "device.%s: %s is not a character device on the host",
				     cfg->devices[failed].name, cfg->devices[failed].value);
	if (failed < CONFIG_ENTRIES_MAX)
		return log_fail_full(env->ctx, "mounts", r, "device.%s: make a node like %s",
				     cfg->devices[failed].name, cfg->devices[failed].value);
	return log_fail_full(env->ctx, "mounts", r, "stage the shared folders");
}

static int spawn_child(struct start_env *env, struct runtime_state *rs, int *ret_pidfd)
{
	const struct container_config *cfg = &env->c->cfg;
	_cleanup_close_ int cgfd = -EBADF;
	int sv[2], pidfd = -EBADF, hostns = -EBADF, r;
	pid_t pid;

	cgfd = rs->cgroup.unified ? cgroup_open_unified(&rs->cgroup) : -EBADF;
	if (cgfd < 0 && rs->cgroup.unified)
		return log_fail_full(env->ctx, "cgroup", cgfd, "open %s", rs->cgroup.unified);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return lx_fail(env->ctx, -errno, "socketpair");
	/* The child inherits this working directory, translated into its mount namespace. */
	if (fchdir(env->c->dirfd) < 0)
		return lx_fail(env->ctx, -errno, "enter %s", env->c->dir);
	r = stage_mounts(env, &hostns);
	if (r < 0) {
		(void)!chdir("/");
		(void)close(sv[0]);
		(void)close(sv[1]);
		return r;
	}
	pid = clone_as_owner(cfg, clone_flags(cfg), cgfd, &pidfd);
	if (pid != 0) {
		mounts_unstage(hostns);
		(void)!chdir("/");
	}
	if (pid == 0) {
		struct child_args a = {
			.sync_fd = sv[1],
			.console_fd = env->console_fd,
			.console = env->console_path,
			.hostname = cfg->hostname ? cfg->hostname : cfg->name,
			.init = cfg->init,
			.uuid = cfg->uuid,
			.own_netns = cfg->net_mode != NET_MODE_HOST,
			/* Only systemd speaks sd_notify. Always, not only with notify_ready: the
			 * monitor learns the guest's state from it (guest-state.h). */
			.notify = cfg->init_kind == INIT_KIND_SYSTEMD,
			.cgroup_layout = cfg->cgroup_layout,
			.cfg = cfg,
			.close_fd = env->c->view_fd,
		};

		(void)close(sv[0]);
		child_main(&a);
	}
	(void)close(sv[1]);
	if (pid < 0) {
		(void)close(sv[0]);
		mounts_stage_remove(env->c->dirfd);
		return lx_fail(env->ctx, (int)pid, "clone3 into new namespaces");
	}
	rs->init_pid = pid;
	env->guest_notify_fd = -EBADF;
	r = parent_sync(env, rs, sv[0], pid);
	(void)close(sv[0]);
	mounts_stage_remove(env->c->dirfd);
	if (r < 0) {
		(void)close(pidfd);
		if (env->guest_notify_fd >= 0)
			(void)close(env->guest_notify_fd);
		env->guest_notify_fd = -EBADF;
		return r;
	}
	*ret_pidfd = pidfd;
	return 0;
}

int start_instance(struct start_env *env, struct runtime_state *rs, int *ret_pidfd)
{
	_cleanup_close_ int claim = -EBADF;
	int r;

	/* A snapshot clone's host-side steps work on its merged tree (again after a reboot). */
	r = clone_view_open(env->ctx, env->c);
	/* The check that the guest can boot here, and its fix-ups (DESIGN §11): first of all. */
	if (r >= 0)
		r = boot_prep_start(env->ctx, env->c, &env->cgroup_host);
	/* Bad network settings fail here too, before anything is made. */
	if (r >= 0)
		r = network_check(env->ctx, env->c);
	/* Held until init's id maps are written: no other start can take the same ids. */
	if (r >= 0)
		r = idmap_claim(env->ctx, env->c, &claim);
	/* The monitor gave the console to the range the config had; the claim may have moved it.
	 * Owned by anyone else, /dev/console is nobody's inside and its getty fails. */
	if (r >= 0 && fchown(env->console_fd, env->c->cfg.uid_base, env->c->cfg.gid_base + 5) < 0)
		r = log_fail_full(env->ctx, "console", -errno, "hand the console to the container");
	if (r >= 0)
		r = make_cgroup(env, rs);
	/* Host side, before any namespace: a failure leaves only the cgroup, removed below. */
	if (r >= 0)
		r = run_hooks(env, HOOK_PRE_START, 0);
	if (r >= 0)
		r = spawn_child(env, rs, ret_pidfd);
	if (r < 0) {
		(void)start_teardown(env->ctx, rs);
		return r;
	}
	(void)pid_start_time(rs->init_pid, &rs->init_start);
	rs->state = RUN_STATE_RUNNING;
	rs->started_at = now_realtime_s();
	r = runtime_state_write(env->c->rundir, rs);
	if (r < 0)
		lx_warn(env->ctx, r, "write %s/state, ignoring", env->c->rundir);
	return 0;
}

int start_teardown(const struct lxmgr_ctx *ctx, struct runtime_state *rs)
{
	int r;

	if (rs->init_pid > 0) {
		/* A child that never exec'd, or an init that outlived a failed step. */
		(void)kill(rs->init_pid, SIGKILL);
		(void)waitpid(rs->init_pid, NULL, __WALL | WNOHANG);
	}
	if (!rs->cgroup.unified) {
		(void)network_teardown(ctx, rs);
		return 0;
	}
	r = cgroup_kill_all(&rs->cgroup);
	if (r < 0)
		lx_warn(ctx, r, "kill the processes of %s, ignoring", rs->cgroup.unified);
	if (rs->init_pid > 0)
		(void)waitpid(rs->init_pid, NULL, __WALL);
	/* Warnings only: the cgroup is removed whatever a device did. */
	(void)network_teardown(ctx, rs);
	r = cgroup_remove(&rs->cgroup);
	if (r < 0)
		return log_fail_full(ctx, "cgroup", r, "remove %s", rs->cgroup.unified);
	return 0;
}
