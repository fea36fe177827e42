/* child.c: the container's first process, from clone3 to execve of its init. */
#include <fcntl.h>
#include <grp.h>
#include <linux/securebits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "base/sync.h"
#include "base/util.h"
#include "fs/dev.h"
#include "fs/mounts.h"
#include "fs/rootfs.h"
#include "run/boundary.h"
#include "run/child.h"
#include "run/notify.h"
#include "run/security.h"

static void reset_signals(void)
{
	sigset_t none;

	/* The monitor blocks signals for its signalfd; init must start with a clean slate. */
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			(void)signal(sig, SIG_DFL);
	(void)sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
}

static void become_root(const struct child_args *a)
{
	/* The maps are written: uid 0 here is the container's range on the host. */
	if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0 || setgroups(0, NULL) < 0)
		sync_child_fail(a->sync_fd, -errno, "idmap", "become root in the user namespace");
	/* The monitor cloned us with SECBIT_NO_SETUID_FIXUP; init must not inherit it. */
	if (prctl(PR_SET_SECUREBITS, 0, 0, 0, 0) < 0)
		sync_child_fail(a->sync_fd, -errno, "security", "clear securebits");
}

/* Into the mount namespace the monitor's helper made (kernfs.h): the rootfs with /proc and
 * /sys on it, locked. setns puts us at its root; the container's directory, our working
 * directory from here on (see child.h), is the parent of the rootfs. */
static void enter_mounts(const struct child_args *a, int mntns, int rootfd)
{
	if (setns(mntns, CLONE_NEWNS) < 0)
		sync_child_fail(a->sync_fd, -errno, "kernfs", "enter the locked mount namespace");
	if (fchdir(rootfd) < 0 || chdir("..") < 0)
		sync_child_fail(a->sync_fd, -errno, "kernfs", "enter the container's directory");
	(void)close(mntns);
	(void)close(rootfd);
}

/* Returns the guest's notify socket (container.notify_ready), else -EBADF. nesting holds the
 * detached proc and sysfs of container.nesting (-EBADF without). */
static int setup_mounts(const struct child_args *a, const int nesting[2],
			const int shares[CONFIG_ENTRIES_MAX], const int devs[CONFIG_ENTRIES_MAX])
{
	/* Relative to our working directory, the container's directory (see child.h). */
	static const char rootfs[] = "rootfs";
	struct child_error e = {0};
	int r, notify_fd = -EBADF;

	r = rootfs_mount_kernel_fs(rootfs, a->own_netns, a->uuid, a->cgroup_layout, &e);
	if (r >= 0 && a->notify) {
		notify_fd = notify_guest_bind(rootfs);
		if (notify_fd < 0)
			sync_child_fail(a->sync_fd, notify_fd, "notify", "bind %s",
					NOTIFY_GUEST_PATH);
	}
	if (r >= 0)
		r = dev_setup(rootfs, a->console, &e);
	if (r >= 0 && a->cfg->nesting)
		r = rootfs_attach_nesting(rootfs, nesting, &e);
	if (r >= 0)
		r = dev_bind_devices(rootfs, a->cfg, devs, &e);
	if (r >= 0)
		r = mounts_attach(rootfs, a->cfg, shares, &e);
	if (r >= 0)
		r = rootfs_pivot(rootfs, &e);
	if (r < 0)
		sync_child_fail(a->sync_fd, r, e.where, "%s", e.text);
	return notify_fd;
}

static void setup_console(const struct child_args *a)
{
	/* A session of its own, but no controlling terminal: a getty that init starts on
	 * /dev/console in another session must be able to take it (TIOCSCTTY gives EPERM while
	 * init holds it, and stealing needs CAP_SYS_ADMIN of the host). systemd drops it itself;
	 * busybox init and sysvinit do not. */
	if (setsid() < 0)
		sync_child_fail(a->sync_fd, -errno, "console", "setsid");
	for (int fd = 0; fd < 3; fd++)
		if (dup2(a->console_fd, fd) < 0)
			sync_child_fail(a->sync_fd, -errno, "console", "dup2");
	if (a->console_fd > 2)
		(void)close(a->console_fd);
}

_Noreturn void child_main(const struct child_args *a)
{
	/* Namespaces: new user (unmapped until SYNC_IDMAP_DONE), mount (a copy of the host's,
	 * left for the monitor's locked one at SYNC_ROOTFS), pid (we are its PID 1), uts, ipc,
	 * net; still the host's cgroup namespace, already in the container's cgroup. pivot_root
	 * has not happened. */
	char env_uuid[80];
	char *const envp[] = {
		"container=lxmgr",
		env_uuid,
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"TERM=vt220",
		"HOME=/root",
		a->notify ? "NOTIFY_SOCKET=" NOTIFY_GUEST_PATH : NULL,
		NULL,
	};
	char *const argv[] = {(char *)a->init, NULL};
	int mntns = -EBADF, rootfd = -EBADF, nesting[2] = {-EBADF, -EBADF}, notify_fd;
	int shares[CONFIG_ENTRIES_MAX], devs[CONFIG_ENTRIES_MAX], r;
	struct child_error e = {0};

	if (a->close_fd >= 0)
		(void)close(a->close_fd);
	(void)snprintf(env_uuid, sizeof(env_uuid), "container_uuid=%s", a->uuid);
	if (sync_send(a->sync_fd, SYNC_CHILD_READY, -EBADF) < 0)
		_exit(1);
	r = sync_wait(a->sync_fd, SYNC_IDMAP_DONE, NULL, NULL);
	if (r >= 0)
		r = sync_wait(a->sync_fd, SYNC_MOUNT_NS, NULL, &mntns);
	if (r >= 0)
		r = sync_wait(a->sync_fd, SYNC_ROOTFS, NULL, &rootfd);
	if (r < 0 || mntns < 0 || rootfd < 0)
		_exit(1);
	become_root(a);
	/* As the container's root: the keyring of whoever ran lxmgr start stays outside. */
	r = boundary_new_session_keyring();
	if (r < 0)
		sync_child_fail(a->sync_fd, r, "security", "join a new session keyring");
	/* The shared folders and devices the monitor staged in the mounts we copied (mounts.h):
	 * detached clones, taken along into the namespace we enter next. */
	r = mounts_open_staged(a->cfg, shares, devs, &e);
	if (r < 0)
		sync_child_fail(a->sync_fd, r, e.where, "%s", e.text);
	/* Made here, where a proc and a sysfs are fully visible: in the locked namespace the
	 * masks forbid a new one (kernfs.h). */
	if (a->cfg->nesting) {
		r = rootfs_open_nesting(a->own_netns, nesting, &e);
		if (r < 0)
			sync_child_fail(a->sync_fd, r, e.where, "%s", e.text);
	}
	enter_mounts(a, mntns, rootfd);
	/* Now that we are in the container's cgroup, its namespace is rooted there. */
	if (unshare(CLONE_NEWCGROUP) < 0)
		sync_child_fail(a->sync_fd, -errno, "cgroup", "unshare the cgroup namespace");
	if (sethostname(a->hostname, strlen(a->hostname)) < 0)
		sync_child_fail(a->sync_fd, -errno, "uts", "sethostname %s", a->hostname);
	notify_fd = setup_mounts(a, nesting, shares, devs);
	for (int i = 0; i < 2; i++)
		if (nesting[i] >= 0)
			(void)close(nesting[i]);
	mounts_close_fds(&shares);
	mounts_close_fds(&devs);
	/* pivot_root done: paths are the container's from here on. */
	setup_console(a);
	r = security_drop_bounding_set();
	if (r < 0)
		sync_child_fail(a->sync_fd, r, "security", "drop capabilities");
	r = security_seccomp_load();
	if (r < 0)
		sync_child_fail(a->sync_fd, r, "security", "load the seccomp filter");
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		sync_child_fail(a->sync_fd, -errno, "security", "set the parent-death signal");
	reset_signals();
	/* Only the console on 0, 1 and 2 reaches init: whatever else is open here closes on
	 * exec, the sync socket with it (that is how the monitor learns that exec succeeded). */
	r = boundary_close_fds(/* keep= */ NULL, 0, /* cloexec= */ true);
	if (r < 0)
		sync_child_fail(a->sync_fd, r, "security", "close inherited descriptors");
	/* The monitor keeps the notify socket; ours closes on exec. */
	if (sync_send(a->sync_fd, SYNC_EXEC, notify_fd) < 0)
		_exit(1);
	execve(a->init, argv, envp);
	sync_child_fail(a->sync_fd, -errno, "exec", "execute %s", a->init);
}
