/* storage-btrfs.c: the btrfs pool: its image file, loop device and mount, and subvolumes
 * made, snapshotted and deleted through the btrfs ioctls (storage.h). */
#include <fcntl.h>
#include <linux/btrfs.h>
#include <linux/loop.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/util.h"
#include "fs/storage.h"

/* Splits path into its parent's fd (O_DIRECTORY) and its last component. */
static int open_parent(const char *path, const char **ret_leaf)
{
	_cleanup_free_ char *dir = strdup(path);
	char *slash;

	if (!dir)
		return -ENOMEM;
	slash = strrchr(dir, '/');
	if (!slash || !slash[1])
		return -EINVAL;
	*ret_leaf = path + (slash - dir) + 1;
	if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	return NEG_ERRNO(open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
}

/* The ioctls take the new (or doomed) subvolume's name in a fixed array. */
static int copy_leaf(char *dst, size_t size, const char *leaf)
{
	size_t len = strlen(leaf);

	if (len >= size)
		return -ENAMETOOLONG;
	memcpy(dst, leaf, len + 1);
	return 0;
}

int btrfs_subvol_create(const char *path)
{
	struct btrfs_ioctl_vol_args args = {0};
	_cleanup_close_ int dfd = -EBADF;
	const char *leaf = NULL;

	dfd = open_parent(path, &leaf);
	if (dfd < 0)
		return dfd;
	if (copy_leaf(args.name, sizeof(args.name), leaf) < 0)
		return -ENAMETOOLONG;
	return NEG_ERRNO(ioctl(dfd, BTRFS_IOC_SUBVOL_CREATE, &args));
}

int btrfs_subvol_snapshot(const char *src, const char *dst, bool readonly)
{
	struct btrfs_ioctl_vol_args_v2 args = {0};
	_cleanup_close_ int sfd = -EBADF, dfd = -EBADF;
	const char *leaf = NULL;

	sfd = NEG_ERRNO(open(src, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	if (sfd < 0)
		return sfd;
	dfd = open_parent(dst, &leaf);
	if (dfd < 0)
		return dfd;
	if (copy_leaf(args.name, sizeof(args.name), leaf) < 0)
		return -ENAMETOOLONG;
	args.fd = sfd;
	args.flags = readonly ? BTRFS_SUBVOL_RDONLY : 0;
	return NEG_ERRNO(ioctl(dfd, BTRFS_IOC_SNAP_CREATE_V2, &args));
}

/* The ioctl rather than rmdir(2): rmdir removes only an empty subvolume (or, with
 * user_subvol_rm_allowed, needs that mount option) and a read-only snapshot cannot be
 * emptied; SNAP_DESTROY drops a whole tree at once and the cleaner frees its extents in the
 * background. */
int btrfs_subvol_delete(const char *path)
{
	struct btrfs_ioctl_vol_args_v2 args = {0};
	_cleanup_close_ int dfd = -EBADF;
	const char *leaf = NULL;

	dfd = open_parent(path, &leaf);
	if (dfd < 0)
		return dfd;
	if (copy_leaf(args.name, sizeof(args.name), leaf) < 0)
		return -ENAMETOOLONG;
	return NEG_ERRNO(ioctl(dfd, BTRFS_IOC_SNAP_DESTROY_V2, &args));
}

bool btrfs_is_btrfs(const char *path)
{
	struct statfs sf;

	return statfs(path, &sf) == 0 && sf.f_type == BTRFS_SUPER_MAGIC;
}

/* mkfs.btrfs (btrfs-progs) on the sparse image; its output goes to our stderr only when it
 * fails (it is kept in a pipe-less way: -q). */
static int run_mkfs(const char *image)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		char *argv[] = {(char *)"mkfs.btrfs", (char *)"-q",  (char *)"-f", (char *)"-m",
				(char *)"single",     (char *)image, NULL};
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);

		if (null >= 0)
			(void)dup2(null, STDOUT_FILENO);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		return -ENOENT;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

/* A sparse file of size bytes made into a btrfs filesystem, under a temporary name renamed
 * into place when complete, so that a killed mkfs leaves no half image. */
static int make_image(const char *image, uint64_t size)
{
	_cleanup_free_ char *tmp = NULL;
	_cleanup_close_ int fd = -EBADF;
	int r;

	if (xasprintf(&tmp, "%s.tmp", image) < 0)
		return -ENOMEM;
	fd = NEG_ERRNO(open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
	if (fd < 0)
		return fd;
	if (ftruncate(fd, (off_t)size) < 0)
		return -errno;
	r = run_mkfs(tmp);
	if (r < 0) {
		(void)unlink(tmp);
		return r;
	}
	return NEG_ERRNO(rename(tmp, image));
}

/* A free loop device bound to the image (LOOP_CTL_GET_FREE, then LOOP_CONFIGURE, which
 * binds and sets flags in one step). LO_FLAGS_AUTOCLEAR: the device is released when its
 * last user, the mount, goes, so unmounting the pool leaves no loop device. Another process
 * may take the same free device between the two calls: then we ask again. Returns the
 * loop device's fd, its path in buf. */
static int attach_loop(const char *image, char *buf, size_t size)
{
	_cleanup_close_ int ctl = -EBADF, img = -EBADF;

	ctl = NEG_ERRNO(open("/dev/loop-control", O_RDWR | O_CLOEXEC));
	if (ctl < 0)
		return ctl;
	img = NEG_ERRNO(open(image, O_RDWR | O_CLOEXEC));
	if (img < 0)
		return img;
	for (int tries = 0; tries < 16; tries++) {
		struct loop_config cfg = {.fd = (uint32_t)img};
		int n = ioctl(ctl, LOOP_CTL_GET_FREE), fd;

		if (n < 0)
			return -errno;
		(void)snprintf(buf, size, "/dev/loop%d", n);
		fd = open(buf, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		cfg.info.lo_flags = LO_FLAGS_AUTOCLEAR;
		(void)snprintf((char *)cfg.info.lo_file_name, LO_NAME_SIZE, "%s", image);
		if (ioctl(fd, LOOP_CONFIGURE, &cfg) == 0)
			return fd;
		(void)close(fd);
		if (errno != EBUSY)
			return -errno;
	}
	return -EBUSY;
}

bool btrfs_pool_mounted(const char *mnt)
{
	struct stat a, b;
	_cleanup_free_ char *parent = NULL;

	if (xasprintf(&parent, "%s/..", mnt) < 0 || stat(mnt, &a) < 0 || stat(parent, &b) < 0)
		return false;
	return a.st_dev != b.st_dev && btrfs_is_btrfs(mnt);
}

int btrfs_pool_mount(const char *image, const char *mnt, uint64_t size, const char **ret_step)
{
	_cleanup_close_ int loop = -EBADF;
	char dev[32];
	int r;

	if (access(image, F_OK) < 0) {
		*ret_step = "make the pool image (mkfs.btrfs, from btrfs-progs)";
		r = make_image(image, size);
		if (r < 0)
			return r;
	}
	*ret_step = "bind a loop device to the pool image";
	loop = attach_loop(image, dev, sizeof(dev));
	if (loop < 0)
		return loop;
	*ret_step = "mount the pool";
	/* The mount holds the loop device from here; our fd goes at return (autoclear). */
	return NEG_ERRNO(mount(dev, mnt, "btrfs", MS_NOSUID | MS_NODEV, "discard=async"));
}

int btrfs_pool_unmount(const char *mnt)
{
	/* Not MNT_DETACH: a busy pool (a running container, a verb at work) stays mounted. */
	return NEG_ERRNO(umount2(mnt, UMOUNT_NOFOLLOW));
}

/* A limit on what the subvolume refers to (its qgroup 0/ID; qgroupid 0 asks the kernel for
 * the subvolume of the fd). bytes 0 lifts it. Quotas are enabled on the pool the first time
 * a limit is set (a rescan, waited for, counts what is already there), never to lift one. */
int btrfs_subvol_limit(const char *subvol, const char *pool, uint64_t bytes)
{
	struct btrfs_ioctl_qgroup_limit_args args = {
		.lim = {.flags = BTRFS_QGROUP_LIMIT_MAX_RFER,
			.max_rfer = bytes ? bytes : UINT64_MAX},
	};
	struct btrfs_ioctl_quota_ctl_args ctl = {.cmd = BTRFS_QUOTA_CTL_ENABLE};
	_cleanup_close_ int sfd = -EBADF, pfd = -EBADF;
	int r;

	sfd = NEG_ERRNO(open(subvol, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	if (sfd < 0)
		return sfd;
	r = NEG_ERRNO(ioctl(sfd, BTRFS_IOC_QGROUP_LIMIT, &args));
	if (r != -ENOTCONN)
		return r;
	if (!bytes)
		return 0; /* quotas off: no limit to lift */
	pfd = NEG_ERRNO(open(pool, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	if (pfd < 0)
		return pfd;
	r = NEG_ERRNO(ioctl(pfd, BTRFS_IOC_QUOTA_CTL, &ctl));
	if (r >= 0)
		r = NEG_ERRNO(ioctl(pfd, BTRFS_IOC_QUOTA_RESCAN_WAIT));
	if (r < 0)
		return r;
	return NEG_ERRNO(ioctl(sfd, BTRFS_IOC_QGROUP_LIMIT, &args));
}
