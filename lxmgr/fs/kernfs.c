/* kernfs.c: /proc and /sys of a container, mounted from the host's user namespace and locked. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/sync.h"
#include "base/util.h"
#include "fs/kernfs.h"

#define NOSUID_NODEV_NOEXEC (MS_NOSUID | MS_NODEV | MS_NOEXEC)

/* In order, relative to the rootfs we are chrooted in. /proc/sys is read-only but
 * /proc/sys/net stays writable with a private network namespace (DESIGN §4). sysfs is a fresh
 * instance: of the container's network namespace, or of the host's with net.mode = host (a
 * fresh one shows none of the host's submounts that a bind of /sys would). */
static const struct mount_spec kernfs_mounts[] = {
	{"proc", "proc", "proc", NOSUID_NODEV_NOEXEC, NULL, MNT_FATAL},
	{"proc/sys", "proc/sys", NULL, 0, NULL, MNT_FATAL | MNT_BIND_RO},
	{"proc/sys/net", "proc/sys/net", NULL, 0, NULL, MNT_BIND_RW | MNT_NETNS_ONLY},
	{"proc/sysrq-trigger", "proc/sysrq-trigger", NULL, 0, NULL, MNT_BIND_RO},
	{"proc/irq", "proc/irq", NULL, 0, NULL, MNT_BIND_RO},
	{"proc/bus", "proc/bus", NULL, 0, NULL, MNT_BIND_RO},
	{"proc/fs", "proc/fs", NULL, 0, NULL, MNT_BIND_RO},
	{NULL, "proc/kcore", NULL, 0, NULL, MNT_MASK_FILE},
	{NULL, "proc/keys", NULL, 0, NULL, MNT_MASK_FILE},
	{NULL, "proc/timer_list", NULL, 0, NULL, MNT_MASK_FILE},
	{NULL, "proc/sched_debug", NULL, 0, NULL, MNT_MASK_FILE},
	{NULL, "proc/kallsyms", NULL, 0, NULL, MNT_MASK_FILE},
	{NULL, "proc/acpi", NULL, 0, NULL, MNT_MASK_DIR},
	{NULL, "proc/scsi", NULL, 0, NULL, MNT_MASK_DIR},
	{"sysfs", "sys", "sysfs", MS_RDONLY | NOSUID_NODEV_NOEXEC, NULL, MNT_FATAL},
	{NULL, "sys/firmware", NULL, 0, NULL, MNT_MASK_DIR},
};

/* A missing /proc or /sys is made as the container's root: host root maps to no one under
 * the idmapped mount, and on a shifted rootfs the directory must be the container's. */
static int make_mountpoint(const char *path, uid_t uid, gid_t gid)
{
	struct stat st;
	int r = 0;

	if (lstat(path, &st) == 0)
		return 0; /* whatever it is, we are chrooted: a mount on it lands inside */
	if (errno != ENOENT)
		return -errno;
	(void)setfsgid(gid);
	(void)setfsuid(uid);
	if (mkdir(path, 0555) < 0)
		r = -errno;
	(void)setfsuid(0);
	(void)setfsgid(0);
	return r;
}

/* Helper, second process: host root in the helper's mount namespace, in the container's pid
 * and (with its own) net namespaces; still the host's user namespace. */
static _Noreturn void mount_and_copy(const struct kernfs_args *a, int sock)
{
	_cleanup_close_ int devnull = -EBADF, mntns = -EBADF, rootfd = -EBADF;
	struct child_error e = {0};
	char null_src[64];
	int r;

	if (chdir(a->rootfs) < 0)
		sync_child_fail(sock, -errno, "kernfs", "chdir %s", a->rootfs);
	/* The host's /dev/null, for the masks: the rootfs's own may be anything. */
	devnull = open("/dev/null", O_PATH | O_CLOEXEC);
	if (devnull < 0)
		sync_child_fail(sock, -errno, "kernfs", "open /dev/null");
	/* Every path below resolves inside the rootfs, whatever symlinks the guest planted. */
	if (chroot(".") < 0 || chdir("/") < 0)
		sync_child_fail(sock, -errno, "kernfs", "chroot into %s", a->rootfs);
	if ((r = make_mountpoint("/proc", a->uid_base, a->gid_base)) < 0 ||
	    (r = make_mountpoint("/sys", a->uid_base, a->gid_base)) < 0)
		sync_child_fail(sock, r, "kernfs", "create /proc or /sys in the rootfs");
	/* Through our own fd in the proc we have just mounted (the first row). */
	(void)snprintf(null_src, sizeof(null_src), "/proc/self/fd/%d", devnull);
	r = mount_table_apply_masked("", kernfs_mounts, ELEMENTSOF(kernfs_mounts), a->own_netns,
				     null_src, &e);
	if (r < 0)
		sync_child_fail(sock, r, e.where[0] ? e.where : "kernfs", "%s", e.text);
	/* Into the container's user namespace, then a copy of this mount namespace owned by it:
	 * the copy is what locks (mount_namespaces(7)). */
	if (setns(a->pidfd, CLONE_NEWUSER) < 0)
		sync_child_fail(sock, -errno, "kernfs", "join the container's user namespace");
	if (unshare(CLONE_NEWNS) < 0)
		sync_child_fail(sock, -errno, "kernfs", "copy the mounts into the user namespace");
	mntns = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (mntns < 0 || rootfd < 0)
		sync_child_fail(sock, -errno, "kernfs", "open the locked mount namespace");
	if (sync_send(sock, SYNC_MOUNT_NS, mntns) < 0 || sync_send(sock, SYNC_ROOTFS, rootfd) < 0)
		_exit(1);
	_exit(0);
}

/* Helper, first process: host root, host namespaces. */
static _Noreturn void helper_main(const struct kernfs_args *a, int sock)
{
	struct child_error e = {0};
	int status, r;
	pid_t pid;

	(void)prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (unshare(CLONE_NEWNS) < 0)
		sync_child_fail(sock, -errno, "kernfs", "unshare a mount namespace");
	r = rootfs_mount_root(a->rootfs, a->tree_fd, &e);
	if (r < 0)
		sync_child_fail(sock, r, e.where, "%s", e.text);
	/* proc shows the pid namespace of whoever mounts it, sysfs the net namespace. */
	if (setns(a->pidfd, CLONE_NEWPID | (a->own_netns ? CLONE_NEWNET : 0)) < 0)
		sync_child_fail(sock, -errno, "kernfs",
				"join the container's pid and net namespaces");
	pid = fork();
	if (pid < 0)
		sync_child_fail(sock, -errno, "kernfs", "fork into the container's pid namespace");
	if (pid == 0) {
		(void)prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		mount_and_copy(a, sock);
	}
	if (waitpid(pid, &status, 0) < 0)
		_exit(1);
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
}

int kernfs_prepare(const struct kernfs_args *a, int *ret_mntns, int *ret_rootfd,
		   struct child_error *e)
{
	_cleanup_close_ int mntns = -EBADF, rootfd = -EBADF, sock = -EBADF;
	struct sync_msg m = {0};
	int sv[2], status, r;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	sock = sv[0];
	pid = fork();
	if (pid < 0) {
		(void)close(sv[1]);
		return -errno;
	}
	if (pid == 0) {
		(void)close(sv[0]);
		helper_main(a, sv[1]);
	}
	(void)close(sv[1]);
	r = sync_wait(sock, SYNC_MOUNT_NS, &m, &mntns);
	if (r >= 0)
		r = sync_wait(sock, SYNC_ROOTFS, &m, &rootfd);
	(void)waitpid(pid, &status, 0);
	if (r >= 0 && (mntns < 0 || rootfd < 0))
		r = -EBADMSG;
	if (r < 0) {
		(void)snprintf(e->where, sizeof(e->where), "%s", m.where[0] ? m.where : "kernfs");
		(void)snprintf(e->text, sizeof(e->text), "%s",
			       m.where[0] ? m.text : "the mount helper died");
		return r;
	}
	*ret_mntns = TAKE_FD(mntns);
	*ret_rootfd = TAKE_FD(rootfd);
	return 0;
}
