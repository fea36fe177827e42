/* quota.c: limits.disk, a project quota on a container's directory in the store. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/dqblk_xfs.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <linux/quota.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fs/storage.h"
#include "base/cleanup.h"
#include "base/log.h"
#include "base/util.h"
#include "fs/quota.h"
#include "store/config.h"
#include "store/store.h"

#define LOG_STEP "quota"

/* Deeper trees are refused rather than walked: each level holds a descriptor. */
#define WALK_DEPTH_MAX 256

/* quotactl_fd (Linux 5.14) needs no block device path, which a loop or dm store hides. */
static int prj_quotactl(int fd, int cmd, uint32_t id, void *addr)
{
	return NEG_ERRNO((int)syscall(SYS_quotactl_fd, fd, QCMD(cmd, PRJQUOTA), id, addr));
}

static const char *fs_lacks(long type)
{
	switch (type) {
	case EXT4_SUPER_MAGIC:
		return "ext4 without the 'project' and 'quota' features (tune2fs -O project,quota, "
		       "or mount -o prjquota)";
	case XFS_SUPER_MAGIC:
		return "xfs not mounted with prjquota (mount -o prjquota)";
	case TMPFS_MAGIC:
		return "tmpfs, which has no project quotas";
	case OVERLAYFS_SUPER_MAGIC:
		return "overlayfs, which has no project quotas";
	case BTRFS_SUPER_MAGIC:
		return "btrfs, which has qgroups but no project quotas";
	default:
		return NULL;
	}
}

int quota_check_fs(const char *dir, char *why, size_t size)
{
	_cleanup_close_ int fd = -EBADF;
	_cleanup_free_ char *store = strdup(dir);
	struct fs_quota_statv qs = {.qs_version = FS_QSTATV_VERSION1};
	struct statfs sf;
	char *slash;
	const char *lacks;

	if (!store)
		return -ENOMEM;
	slash = strrchr(store, '/');
	if (slash && slash != store)
		*slash = '\0';
	fd = NEG_ERRNO(open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	if (fd < 0)
		return fd;
	if (fstatfs(fd, &sf) < 0)
		return -errno;
	/* ext4 with the quota feature counts project usage at every mount but enforces limits only
	 * when mounted with prjquota: a limit that is only counted would limit nothing. */
	if (prj_quotactl(fd, Q_XGETQSTATV, 0, &qs) >= 0) {
		if (qs.qs_flags & FS_QUOTA_PDQ_ENFD)
			return 0;
		if (qs.qs_flags & FS_QUOTA_PDQ_ACCT) {
			(void)snprintf(
				why, size,
				"%s counts project quotas but does not enforce them (mount it "
				"with -o prjquota)",
				store);
			return -EOPNOTSUPP;
		}
	}
	lacks = fs_lacks((long)sf.f_type);
	if (lacks)
		(void)snprintf(why, size, "%s is %s", store, lacks);
	else
		(void)snprintf(why, size,
			       "%s is on a file system (type 0x%lx) without project quotas", store,
			       (unsigned long)sf.f_type);
	return -EOPNOTSUPP;
}

int quota_refuse_unsupported(const struct lxmgr_ctx *ctx, const char *dir)
{
	char why[256];
	int r = quota_check_fs(dir, why, sizeof(why));

	if (r == -EOPNOTSUPP)
		return lx_fail(ctx, LX_SYNTHETIC(r), "limits.disk needs project quotas: %s", why);
	if (r < 0)
		return lx_fail(ctx, r, "read the file system of %s", dir);
	return 0;
}

int quota_refuse_for(const struct lxmgr_ctx *ctx, const struct container *c)
{
	/* The tree is a btrfs subvolume: a qgroup limit, whatever the store's filesystem. */
	if (storage_of(&c->cfg) == STORAGE_BTRFS)
		return 0;
	return quota_refuse_unsupported(ctx, c->dir);
}

uint32_t quota_project_id(const struct container *c)
{
	return c->cfg.uid_base;
}

static int set_projid(int fd, uint32_t projid, bool dir)
{
	struct fsxattr fsx;

	if (ioctl(fd, FS_IOC_FSGETXATTR, &fsx) < 0)
		return -errno;
	if (fsx.fsx_projid == projid && (!dir || (fsx.fsx_xflags & FS_XFLAG_PROJINHERIT)))
		return 0;
	fsx.fsx_projid = projid;
	if (dir)
		fsx.fsx_xflags |= FS_XFLAG_PROJINHERIT;
	return NEG_ERRNO(ioctl(fd, FS_IOC_FSSETXATTR, &fsx));
}

/* Opens a regular file or directory of the container's tree without following a symlink into
 * *ret_fd; anything else (a symlink, a device, a fifo) leaves it -EBADF, as does an entry that
 * went away (the container may be running). st is filled for every entry that exists. */
static int open_entry(int dfd, const char *name, struct stat *st, int *ret_fd)
{
	int fd;

	*ret_fd = -EBADF;
	if (fstatat(dfd, name, st, AT_SYMLINK_NOFOLLOW) < 0) {
		st->st_blocks = 0;
		return errno == ENOENT ? 0 : -errno;
	}
	if (!S_ISREG(st->st_mode) && !S_ISDIR(st->st_mode))
		return 0;
	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT || errno == ELOOP ? 0 : -errno;
	/* Swapped for something else between the two calls: skip it. */
	if (fstat(fd, st) < 0 || (!S_ISREG(st->st_mode) && !S_ISDIR(st->st_mode))) {
		(void)close(fd);
		return 0;
	}
	*ret_fd = fd;
	return 0;
}

/* Visits dfd's tree: projid != 0 sets it on every file and directory, and *bytes counts the
 * space used (st_blocks), as du does. Stays on dfd's file system. */
static int walk(int dfd, dev_t dev, uint32_t projid, uint64_t *bytes, unsigned depth)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	int fd, r;

	if (depth > WALK_DEPTH_MAX)
		return -ELOOP;
	fd = NEG_ERRNO(openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	if (fd < 0)
		return fd;
	d = fdopendir(fd);
	if (!d) {
		(void)close(fd);
		return -errno;
	}
	while ((de = readdir(d))) {
		_cleanup_close_ int efd = -EBADF;
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		r = open_entry(dirfd(d), de->d_name, &st, &efd);
		if (r < 0)
			return r;
		if (st.st_dev != dev)
			continue;
		*bytes += (uint64_t)st.st_blocks * 512;
		if (efd < 0)
			continue;
		r = projid ? set_projid(efd, projid, S_ISDIR(st.st_mode)) : 0;
		if (r >= 0 && S_ISDIR(st.st_mode))
			r = walk(efd, dev, projid, bytes, depth + 1);
		if (r < 0)
			return r;
	}
	return 0;
}

static int walk_top(const char *dir, uint32_t projid, uint64_t *bytes)
{
	_cleanup_close_ int fd = -EBADF;
	struct stat st;
	int r;

	fd = NEG_ERRNO(open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0)
		return -errno;
	*bytes = (uint64_t)st.st_blocks * 512;
	r = projid ? set_projid(fd, projid, true) : 0;
	return r < 0 ? r : walk(fd, st.st_dev, projid, bytes, 0);
}

static int set_limit(const char *dir, uint32_t projid, uint64_t bytes)
{
	_cleanup_close_ int fd = -EBADF;
	/* The kernel counts in 1 KiB blocks; round up so that the limit is never below the key. */
	struct if_dqblk q = {
		.dqb_bhardlimit = bytes ? (bytes + 1023) / 1024 : 0,
		.dqb_bsoftlimit = bytes ? (bytes + 1023) / 1024 : 0,
		.dqb_valid = QIF_BLIMITS,
	};

	fd = NEG_ERRNO(open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	if (fd < 0)
		return fd;
	return prj_quotactl(fd, Q_SETQUOTA, projid, &q);
}

/* The project id that dir's top directory carries, 0 when none. */
static uint32_t current_projid(const char *dir)
{
	_cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct fsxattr fsx;

	if (fd < 0 || ioctl(fd, FS_IOC_FSGETXATTR, &fsx) < 0)
		return 0;
	return fsx.fsx_projid;
}

int quota_apply(const struct lxmgr_ctx *ctx, const struct container *c)
{
	uint32_t projid = quota_project_id(c);
	uint64_t bytes = 0;
	int r;

	/* A btrfs container's tree is a subvolume: its qgroup's limit (storage.h). */
	if (storage_of(&c->cfg) == STORAGE_BTRFS)
		return storage_set_disk_limit(ctx, c,
					      c->cfg.disk_max == LIMIT_UNSET ? 0 : c->cfg.disk_max);
	if (c->cfg.disk_max == LIMIT_UNSET) {
		/* An unset key lifts a limit set before; nothing to do for a tree never tagged. */
		if (current_projid(c->dir) == 0)
			return 0;
		r = set_limit(c->dir, current_projid(c->dir), 0);
		return r < 0 ? lx_fail(ctx, r, "remove the limit of project %u", projid) : 0;
	}
	r = quota_refuse_unsupported(ctx, c->dir);
	if (r < 0)
		return r;
	if (projid == 0)
		return lx_fail(ctx, LX_SYNTHETIC(-EINVAL), "limits.disk needs idmap.uid_base");
	r = walk_top(c->dir, projid, &bytes);
	if (r < 0)
		return lx_fail(ctx, r, "give %s project id %u", c->dir, projid);
	r = set_limit(c->dir, projid, c->cfg.disk_max);
	if (r < 0)
		return lx_fail(ctx, r, "set the limit of project %u", projid);
	lx_debug(ctx, "project %u: limit %" PRIu64 " bytes, %" PRIu64 " used", projid,
		 c->cfg.disk_max, bytes);
	return 0;
}

void quota_release(const struct container *c)
{
	uint32_t projid = current_projid(c->dir);

	if (projid)
		(void)set_limit(c->dir, projid, 0);
}

int quota_usage(const struct container *c, struct quota_usage *ret)
{
	_cleanup_close_ int fd = -EBADF;
	uint32_t projid = current_projid(c->dir);
	struct if_dqblk q = {0};

	*ret = (struct quota_usage){0};
	fd = NEG_ERRNO(open(c->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	if (fd < 0)
		return fd;
	if (projid && prj_quotactl(fd, Q_GETQUOTA, projid, &q) >= 0) {
		ret->used = q.dqb_curspace;
		ret->limit = q.dqb_bhardlimit * 1024;
		ret->from_quota = true;
		return 0;
	}
	/* A btrfs container's directory holds links: its files are in the pool. */
	return walk_top(storage_of(&c->cfg) == STORAGE_BTRFS ? c->rootfs : c->dir, /* projid= */ 0,
			&ret->used);
}
