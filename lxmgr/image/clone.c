/* clone.c: clones of a container: the checks on the source, snapshot clones (overlayfs over
 * the source's rootfs) and who is a snapshot of whom. */
#include <fcntl.h>
#include <linux/mount.h>
#include <linux/securebits.h>
#include <sched.h>
#include <sys/mount.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "base/lxmgr.h"
#include "base/util.h"
#include "fs/rootfs.h"
#include "fs/rootless.h"
#include "guest/provision.h"
#include "image/clone.h"
#include "image/snapshot.h"
#include "store/store.h"

#define LOG_STEP "clone"

/* overlayfs leaves WORK/work/incompat/volatile after a volatile mount and refuses the next
 * mount while it exists. Only our views are volatile, and one is open only under the
 * container's lock (held by whoever calls this), so a marker found here is a view's that a
 * killed lxmgr did not clear: what went through it is ours and needs no sync. */
static void clear_volatile_marker(const char *overlay_dir)
{
	_cleanup_free_ char *marker = NULL;

	if (xasprintf(&marker, "%s/work/work/incompat/volatile", overlay_dir) >= 0)
		(void)rm_rf_at(AT_FDCWD, marker);
}

int clone_check_source(const struct lxmgr_ctx *ctx, const struct container *src, bool snapshot)
{
	/* Rootless, every rootfs is shifted: a full clone is read inside the source's range and
	 * unpacked into its own (rootless-copy.h); a snapshot clone shares the source's block
	 * (idmap_block_owner()). */
	if (src->cfg.rootfs_shifted && !rootless_active())
		return lx_fail(
			ctx, LX_SYNTHETIC(-EOPNOTSUPP),
			"%s has a shifted rootfs (rootfs.shifted = yes): its files carry its "
			"own id range, which no clone may share; clone only idmapped "
			"containers",
			src->name);
	if (snapshot && clone_is_snapshot(&src->cfg) && strchr(src->cfg.snapshot_of, '@'))
		return lx_fail(ctx, LX_SYNTHETIC(-EOPNOTSUPP),
			       "%s runs on the layers of its snapshots: clone one of them (%s@SNAP "
			       "--snapshot), or make a full clone",
			       src->name, src->name);
	if (snapshot && clone_is_snapshot(&src->cfg))
		return lx_fail(ctx, LX_SYNTHETIC(-EOPNOTSUPP),
			       "%s is itself a snapshot of %s: make a full clone of it, or a "
			       "snapshot of %s",
			       src->name, src->cfg.snapshot_of, src->cfg.snapshot_of);
	return 0;
}

int clone_reset_config(struct container_config *cfg, const char *snapshot_of)
{
	free(cfg->name);
	free(cfg->uuid);
	free(cfg->hostname);
	cfg->name = cfg->uuid = cfg->hostname = NULL;
	cfg->uid_base = cfg->gid_base = 0;
	cfg->rootfs_shifted = false;
	/* Allocated anew by create; the forwards' host ports belong to the source. */
	cfg->net_ip[0] = cfg->net_ip6[0] = cfg->net_mac[0] = cfg->net_forward[0] = '\0';
	if ((size_t)snprintf(cfg->snapshot_of, sizeof(cfg->snapshot_of), "%s",
			     snapshot_of ? snapshot_of : "") >= sizeof(cfg->snapshot_of))
		return -ENAMETOOLONG;
	return 0;
}

int clone_copy_records(const struct container *src, int dirfd)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	int r;

	r = read_file_at(src->dirfd, PROVISION_RUN_DONE, 1 << 20, &text, &len);
	if (r == -ENOENT)
		return 0;
	return r < 0 ? r : write_file_atomic_at(dirfd, PROVISION_RUN_DONE, text, len, 0600);
}

int clone_make_layers(const char *dir)
{
	static const char *const dirs[] = {CLONE_OVERLAY_DIR, CLONE_OVERLAY_DIR "/upper",
					   CLONE_OVERLAY_DIR "/work", "rootfs"};
	_cleanup_close_ int fd = -EBADF;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (size_t i = 0; i < ELEMENTSOF(dirs); i++)
		if (mkdirat(fd, dirs[i], 0755) < 0)
			return -errno;
	/* The overlay's private directories: nobody but root walks into them from the host. */
	if (fchmodat(fd, CLONE_OVERLAY_DIR, 0700, 0) < 0)
		return -errno;
	return 0;
}

/* overlayfs from layer descriptors (fsconfig FSCONFIG_SET_FD, Linux 6.13): the layers may be
 * detached idmapped mounts, which no path names. */
static int overlay_mount(const int *lower, size_t n_lower, int upper, int work, bool volatile_)
{
	_cleanup_close_ int fs = -EBADF;
	int r;

	fs = NEG_ERRNO((int)syscall(SYS_fsopen, "overlay", FSOPEN_CLOEXEC));
	if (fs < 0)
		return fs;
	/* Top first, as lowerdir= lists them: a snapshot's sealed layers (snapshot.h). */
	for (size_t i = 0; i < n_lower; i++)
		if (syscall(SYS_fsconfig, fs, FSCONFIG_SET_FD, "lowerdir+", NULL, lower[i]) < 0)
			return -errno;
	if (syscall(SYS_fsconfig, fs, FSCONFIG_SET_FD, "upperdir", NULL, upper) < 0 ||
	    syscall(SYS_fsconfig, fs, FSCONFIG_SET_FD, "workdir", NULL, work) < 0)
		return -errno;
	/* No index: several clones share the lower layer, and each upper is used by one mount
	 * at a time (the host's view or the container's, never both). */
	if (syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "index", "off", 0) < 0)
		return -errno;
	/* Rootless, mounted in a user namespace: trusted.* xattrs are out of reach there. */
	if (rootless_active() &&
	    syscall(SYS_fsconfig, fs, FSCONFIG_SET_FLAG, "userxattr", NULL, 0) < 0)
		return -errno;
	/* Without it, the end of the mount syncs the whole filesystem of the upper layer,
	 * seconds on a busy host; see clone_close_view_at() for its marker. */
	if (volatile_ && syscall(SYS_fsconfig, fs, FSCONFIG_SET_FLAG, "volatile", NULL, 0) < 0)
		return -errno;
	if (syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return -errno;
	r = NEG_ERRNO((int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, 0));
	return r;
}

static int open_layers(int overlay_dir_fd, int *ret_upper, int *ret_work)
{
	*ret_upper = openat(overlay_dir_fd, "upper", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (*ret_upper < 0)
		return -errno;
	*ret_work = openat(overlay_dir_fd, "work", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (*ret_work < 0) {
		int r = -errno;

		(void)close(*ret_upper);
		*ret_upper = -EBADF;
		return r;
	}
	return 0;
}

/* Opens each layer of lower (':'-separated, top first) with open_one into lo[]. */
static int open_lowers(const char *lower, int (*open_one)(const char *path, int arg), int arg,
		       int lo[static CLONE_MAX_LAYERS], size_t *ret_n)
{
	_cleanup_free_ char *copy = strdup(lower);
	char *save = NULL;
	size_t n = 0;

	if (!copy)
		return -ENOMEM;
	for (char *p = strtok_r(copy, ":", &save); p; p = strtok_r(NULL, ":", &save)) {
		if (n == CLONE_MAX_LAYERS)
			return -E2BIG;
		lo[n] = open_one(p, arg);
		if (lo[n] < 0)
			return lo[n];
		*ret_n = ++n;
	}
	return n ? 0 : -EINVAL;
}

static void close_lowers(int *lo, size_t n)
{
	for (size_t i = 0; i < n; i++)
		(void)close(lo[i]);
}

static int open_path(const char *path, int arg)
{
	(void)arg;
	return NEG_ERRNO(open(path, O_PATH | O_DIRECTORY | O_CLOEXEC));
}

static int view_mount(const int *lo, size_t n, const char *overlay_dir, bool volatile_)
{
	_cleanup_close_ int ov = -EBADF, up = -EBADF, wk = -EBADF;
	int r;

	ov = open(overlay_dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (ov < 0)
		return -errno;
	clear_volatile_marker(overlay_dir);
	r = open_layers(ov, &up, &wk);
	if (r < 0)
		return r;
	return overlay_mount(lo, n, up, wk, volatile_);
}

int clone_open_view_at(const char *lower, const char *overlay_dir, bool volatile_)
{
	int lo[CLONE_MAX_LAYERS];
	size_t n = 0;
	int r;

	r = open_lowers(lower, open_path, 0, lo, &n);
	if (r >= 0)
		r = view_mount(lo, n, overlay_dir, volatile_);
	close_lowers(lo, n);
	return r;
}

void clone_close_view_at(int fd, const char *overlay_dir)
{
	if (fd < 0)
		return;
	/* The last reference: the overlay is gone when close() returns (unless a process we
	 * forked still holds it, which then only keeps it from syncing). */
	(void)close(fd);
	clear_volatile_marker(overlay_dir);
}

int clone_attach_private(int fd, const char *path)
{
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
		return -errno;
	if (syscall(SYS_move_mount, fd, "", AT_FDCWD, path, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return -errno;
	return 0;
}

static int source_rootfs(const struct lxmgr_ctx *ctx, const struct container_config *cfg,
			 char **ret)
{
	return snapshot_lower_of(ctx, cfg->snapshot_of, ret);
}

int clone_view_open(const struct lxmgr_ctx *ctx, struct container *c)
{
	_cleanup_free_ char *lower = NULL, *ovdir = NULL, *path = NULL;
	int fd;

	if (!clone_is_snapshot(&c->cfg) || c->view_fd >= 0)
		return 0;
	fd = source_rootfs(ctx, &c->cfg, &lower);
	if (fd < 0)
		return lx_fail(ctx, fd, "the layers of %s", c->cfg.snapshot_of);
	if (xasprintf(&ovdir, "%s/" CLONE_OVERLAY_DIR, c->dir) < 0)
		return lx_fail(ctx, -ENOMEM, "out of memory");
	fd = clone_open_view_at(lower, ovdir, /* volatile_= */ true);
	if (fd == -ENOENT)
		return lx_fail(ctx, LX_SYNTHETIC(fd),
			       "the snapshot's source %s or its layers in %s are missing",
			       c->cfg.snapshot_of, ovdir);
	if (fd < 0)
		return lx_fail(ctx, fd, "overlayfs of %s and %s", lower, ovdir);
	if (xasprintf(&path, "/proc/self/fd/%d", fd) < 0) {
		(void)close(fd);
		return lx_fail(ctx, -ENOMEM, "out of memory");
	}
	free(c->rootfs);
	c->rootfs = TAKE_PTR(path);
	c->view_fd = fd;
	c->close_view = clone_view_close;
	return 0;
}

void clone_view_close(struct container *c)
{
	_cleanup_free_ char *ovdir = NULL;
	char *path = NULL;

	if (c->view_fd < 0)
		return;
	if (xasprintf(&ovdir, "%s/" CLONE_OVERLAY_DIR, c->dir) < 0)
		return;
	clone_close_view_at(c->view_fd, ovdir);
	c->view_fd = -EBADF;
	if (xasprintf(&path, "%s/rootfs", c->dir) >= 0) {
		free(c->rootfs);
		c->rootfs = path;
	}
}

/* Runs overlay_mount with fsuid/fsgid of the container's root: overlayfs keeps the mounter's
 * credentials for its own work in the upper layer (work dir, copy-up), and through the
 * idmapped upper only the container's ids exist (host root would get EOVERFLOW).
 * SECBIT_NO_SETUID_FIXUP keeps our capabilities while fsuid is not 0. */
static int overlay_mount_as(const struct container_config *cfg, const int *lower, size_t n,
			    int upper, int work)
{
	int saved, r;

	saved = prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);
	if (saved < 0 || prctl(PR_SET_SECUREBITS, saved | SECBIT_NO_SETUID_FIXUP, 0, 0, 0) < 0)
		return -errno;
	(void)setfsgid(cfg->gid_base);
	(void)setfsuid(cfg->uid_base);
	r = overlay_mount(lower, n, upper, work, /* volatile_= */ false);
	(void)setfsuid(0);
	(void)setfsgid(0);
	if (prctl(PR_SET_SECUREBITS, saved, 0, 0, 0) < 0 || setfsuid((uid_t)-1) != 0)
		abort(); /* the monitor cannot go on with another fsuid */
	return r;
}

static int open_idmapped(const char *path, int userns_fd)
{
	return rootfs_open_idmapped(path, userns_fd);
}

int clone_open_snapshot_tree(const struct lxmgr_ctx *ctx, const struct container *c, int userns_fd)
{
	_cleanup_close_ int ov = -EBADF, up = -EBADF, wk = -EBADF;
	_cleanup_free_ char *lowerpath = NULL, *ovpath = NULL;
	int lower[CLONE_MAX_LAYERS];
	size_t n = 0;
	int r;

	r = source_rootfs(ctx, &c->cfg, &lowerpath);
	if (r < 0)
		return log_fail_full(ctx, "rootfs", r, "the layers of %s", c->cfg.snapshot_of);
	if (xasprintf(&ovpath, "%s/" CLONE_OVERLAY_DIR, c->dir) < 0)
		return lx_fail(ctx, -ENOMEM, "out of memory");
	clear_volatile_marker(ovpath);
	ov = rootfs_open_idmapped(ovpath, userns_fd);
	if (ov < 0)
		return log_fail_full(ctx, "rootfs", ov, "idmapped mount of %s", ovpath);
	r = open_layers(ov, &up, &wk);
	if (r < 0)
		return log_fail_full(ctx, "rootfs", r, "open %s/upper and work", ovpath);
	r = open_lowers(lowerpath, open_idmapped, userns_fd, lower, &n);
	if (r < 0) {
		close_lowers(lower, n);
		return log_fail_full(ctx, "rootfs", r, "idmapped mount of %s", lowerpath);
	}
	r = overlay_mount_as(&c->cfg, lower, n, up, wk);
	close_lowers(lower, n);
	if (r < 0)
		return log_fail_full(ctx, "rootfs", r,
				     "overlayfs of the idmapped %s and %s/upper (Linux >= 6.13 "
				     "needed for layers given as descriptors)",
				     lowerpath, ovpath);
	return r;
}

struct snapshots {
	const char *name;
	char *buf;
	size_t size, len;
	int n;
};

static int collect_snapshot(void *userdata, const char *name, const struct container_config *c)
{
	struct snapshots *s = userdata;
	int n;

	if (strcmp(c->snapshot_of, s->name) != 0)
		return 0;
	s->n++;
	n = snprintf(s->buf + s->len, s->size - s->len, "%s%s", s->len ? " " : "", name);
	if (n > 0 && (size_t)n < s->size - s->len)
		s->len += (size_t)n;
	return 0;
}

/* Only a config whose rootfs.snapshot_of is the source (or cannot be read at a glance). */
static bool names_source(void *userdata, const char *text)
{
	const struct snapshots *s = userdata;
	char of[sizeof(((struct container_config *)NULL)->snapshot_of)];
	int r = config_peek(text, "rootfs", "snapshot_of", of, sizeof(of));

	return r < 0 || (r > 0 && !strcmp(of, s->name));
}

int clone_snapshots_of(const struct lxmgr_ctx *ctx, const char *name, char *buf, size_t size)
{
	struct snapshots s = {.name = name, .buf = buf, .size = size};
	int r;

	if (size)
		buf[0] = '\0';
	r = store_foreach_config_where(ctx, names_source, collect_snapshot, &s);
	return r < 0 ? r : s.n;
}

int clone_refuse_if_source(const struct lxmgr_ctx *ctx, const char *name, const char *what)
{
	char names[512];
	int n;

	n = clone_snapshots_of(ctx, name, names, sizeof(names));
	if (n < 0)
		return lx_fail(ctx, n, "list the snapshot clones of %s", name);
	if (n == 0)
		return 0;
	return lx_fail(ctx, LX_SYNTHETIC(-EBUSY),
		       "%s is the read-only lower layer of %d snapshot clone%s (%s): %s; "
		       "destroy %s first",
		       name, n, n == 1 ? "" : "s", names, what, n == 1 ? "it" : "them");
}
