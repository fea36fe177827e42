/* storage.c: storage pools: the btrfs pool's containers and snapshots as subvolumes, named
 * from the store by relative symlinks (storage.h, docs/snapshots.md "Storage pools"). */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "base/lxmgr.h"
#include "base/util.h"
#include "fs/storage.h"
#include "store/config.h"
#include "store/store.h"

#define LOG_STEP "storage"

#define POOL_REL STORAGE_DIR_NAME "/btrfs"
#define CONTAINERS "containers"
#define SNAPSHOTS "snapshots"
#define NEXT_LINK "rootfs.next"
#define NEXT_CONFIG "config.next"

static const char *const pool_names[_STORAGE_POOL_MAX] = {
	[STORAGE_DIR] = "dir",
	[STORAGE_BTRFS] = "btrfs",
};

const char *storage_pool_to_string(enum storage_pool p)
{
	return p >= 0 && p < _STORAGE_POOL_MAX ? pool_names[p] : "dir";
}

int storage_pool_from_string(const char *s)
{
	for (int i = 0; i < _STORAGE_POOL_MAX; i++)
		if (!strcmp(s, pool_names[i]))
			return i;
	return -EINVAL;
}

enum storage_pool storage_of(const struct container_config *cfg)
{
	int p = storage_pool_from_string(cfg->rootfs_storage);

	return p < 0 ? STORAGE_DIR : (enum storage_pool)p;
}

enum storage_pool storage_choose(const struct container_config *defaults, const char *option,
				 const struct container_config *source)
{
	int p = option ? storage_pool_from_string(option) : -EINVAL;

	if (p >= 0)
		return (enum storage_pool)p;
	if (source)
		return storage_of(source);
	p = storage_pool_from_string(defaults->storage_default);
	return p < 0 ? STORAGE_DIR : (enum storage_pool)p;
}

struct pool {
	char *top;   /* LIB/.storage: its flock serialises mounting and unmounting */
	char *mnt;   /* LIB/.storage/btrfs */
	char *image; /* LIB/.storage/btrfs.img */
	bool native; /* LIB is on btrfs: mnt is a plain directory of it, nothing is mounted */
	int lock;
};

static void pool_done(struct pool *p)
{
	free(p->top);
	free(p->mnt);
	free(p->image);
	if (p->lock >= 0)
		(void)close(p->lock);
}

static int pool_paths(const struct lxmgr_ctx *ctx, struct pool *p)
{
	*p = (struct pool){.lock = -EBADF};
	if (xasprintf(&p->top, "%s/" STORAGE_DIR_NAME, ctx->paths.lib) < 0 ||
	    xasprintf(&p->mnt, "%s/" POOL_REL, ctx->paths.lib) < 0 ||
	    xasprintf(&p->image, "%s/" POOL_REL ".img", ctx->paths.lib) < 0)
		return -ENOMEM;
	p->native = btrfs_is_btrfs(ctx->paths.lib);
	return 0;
}

static int pool_lock(struct pool *p)
{
	int r = mkdir_p(p->mnt, 0700);

	if (r < 0)
		return r;
	p->lock = NEG_ERRNO(open(p->top, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	if (p->lock < 0)
		return p->lock;
	return NEG_ERRNO(flock(p->lock, LOCK_EX));
}

/* Mounts the pool unless it is (or is native), under the pool's lock: two verbs at once
 * must not bind two loop devices to one image (btrfs would see one filesystem twice). */
static int pool_ensure(const struct lxmgr_ctx *ctx, struct pool *p)
{
	struct container_config cfg;
	const char *step = "lock the pool";
	uint64_t size;
	int r;

	r = pool_paths(ctx, p);
	if (r < 0)
		return lx_fail(ctx, r, "out of memory");
	r = pool_lock(p);
	if (r < 0)
		return lx_fail(ctx, r, "%s %s", step, p->top);
	if (!p->native && !btrfs_pool_mounted(p->mnt)) {
		config_init_defaults(&cfg);
		r = store_load_defaults(ctx, &cfg);
		size = cfg.storage_btrfs_size;
		config_done(&cfg);
		if (r < 0)
			return r;
		r = btrfs_pool_mount(p->image, p->mnt,
				     size == LIMIT_UNSET ? STORAGE_BTRFS_DEFAULT_SIZE : size,
				     &step);
		if (r < 0)
			return lx_fail(ctx, r, "%s %s", step, p->image);
	}
	r = 0;
	for (int i = 0; i < 2 && r >= 0; i++) {
		_cleanup_free_ char *d = NULL;

		if (xasprintf(&d, "%s/%s", p->mnt, i ? SNAPSHOTS : CONTAINERS) < 0)
			return lx_fail(ctx, -ENOMEM, "out of memory");
		if (mkdir(d, 0700) < 0 && errno != EEXIST)
			r = lx_fail(ctx, -errno, "mkdir %s", d);
	}
	return r;
}

static bool dir_empty(const char *path)
{
	_cleanup_closedir_ DIR *d = opendir(path);
	struct dirent *de;

	while (d && (de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			return false;
	return true;
}

/* Unmounts a pool that holds no subvolume any more (its loop device goes with it); the
 * image file stays for the next btrfs container. Called with the pool's lock held. */
static void pool_release(const struct lxmgr_ctx *ctx, const struct pool *p)
{
	_cleanup_free_ char *a = NULL, *b = NULL;

	if (p->native || !btrfs_pool_mounted(p->mnt) ||
	    xasprintf(&a, "%s/" CONTAINERS, p->mnt) < 0 ||
	    xasprintf(&b, "%s/" SNAPSHOTS, p->mnt) < 0 || !dir_empty(a) || !dir_empty(b))
		return;
	if (btrfs_pool_unmount(p->mnt) < 0)
		lx_warn(ctx, -errno, "unmount the empty pool %s, ignoring", p->mnt);
	else
		lx_info(ctx, "unmounted the empty btrfs pool %s", p->mnt);
}

/* The subvolume a rootfs symlink (at dirfd/path) names: "[../]*.storage/btrfs/KIND/ID/rootfs"
 * -> "LIB/.storage/btrfs/KIND/ID". -EINVAL for anything else (a plain directory: dir). */
static int link_subvol(const struct lxmgr_ctx *ctx, int dirfd, const char *path, char **ret)
{
	char text[PATH_MAX];
	ssize_t n = readlinkat(dirfd, path, text, sizeof(text) - 1);
	const char *rel = text;
	size_t len;

	if (n < 0)
		return -errno;
	text[n] = '\0';
	while (!strncmp(rel, "../", 3))
		rel += 3;
	len = strlen(rel);
	if (strncmp(rel, POOL_REL "/", strlen(POOL_REL) + 1) || len < 8 ||
	    strcmp(rel + len - 7, "/rootfs") || strstr(rel, "/../"))
		return -EINVAL;
	return xasprintf(ret, "%s/%.*s", ctx->paths.lib, (int)(len - 7), rel) < 0 ? -ENOMEM : 0;
}

/* The subvolume of c's rootfs, found before the pool is touched: a rootfs that is no link
 * into the pool (its config changed by hand to btrfs) is refused in one line, and no pool
 * image is made or mounted for it. */
static int rootfs_subvol(const struct lxmgr_ctx *ctx, const struct container *c, char **ret)
{
	int r = link_subvol(ctx, c->dirfd, "rootfs", ret);

	if (r == -EINVAL)
		return lx_fail(ctx, LX_SYNTHETIC(r),
			       "rootfs.storage is btrfs, but %s/rootfs is no subvolume of the pool "
			       "(a config changed by hand?)",
			       c->dir);
	return r < 0 ? lx_fail(ctx, r, "the subvolume of %s/rootfs", c->dir) : 0;
}

/* Writes the symlink at dirfd/path to KIND/ID/rootfs, up depth directories from it. The
 * link exists before its subvolume: gc never takes a subvolume being made for a leftover. */
static int write_link(int dirfd, const char *path, int depth, const char *kind, const char *id)
{
	_cleanup_free_ char *text = NULL;
	const char *up = depth == 1 ? "../" : "../../../";

	if (xasprintf(&text, "%s" POOL_REL "/%s/%s/rootfs", up, kind, id) < 0)
		return -ENOMEM;
	return NEG_ERRNO(symlinkat(text, dirfd, path));
}

int storage_create_rootfs(const struct lxmgr_ctx *ctx, const char *dir, const char *src_rootfs,
			  char **ret_rootfs)
{
	_cleanup_(pool_done) struct pool p = {.lock = -EBADF};
	_cleanup_free_ char *sub = NULL, *src = NULL, *link = NULL;
	char id[24];
	int r;

	r = pool_ensure(ctx, &p);
	if (r < 0)
		return r;
	unique_time_id(id);
	if (xasprintf(&sub, "%s/" CONTAINERS "/%s", p.mnt, id) < 0 ||
	    xasprintf(&link, "%s/rootfs", dir) < 0 || xasprintf(ret_rootfs, "%s/rootfs", sub) < 0)
		return lx_fail(ctx, -ENOMEM, "out of memory");
	if (src_rootfs) {
		r = link_subvol(ctx, AT_FDCWD, src_rootfs, &src);
		if (r < 0)
			return lx_fail(ctx, r, "the subvolume of %s", src_rootfs);
	}
	r = write_link(AT_FDCWD, link, 1, CONTAINERS, id);
	if (r < 0)
		return lx_fail(ctx, r, "symlink %s", link);
	r = src ? btrfs_subvol_snapshot(src, sub, /* readonly= */ false) : btrfs_subvol_create(sub);
	if (r < 0)
		return lx_fail(ctx, r, "%s subvolume %s", src ? "snapshot into" : "create", sub);
	return 0;
}

int storage_open(const struct lxmgr_ctx *ctx, struct container *c)
{
	_cleanup_(pool_done) struct pool p = {.lock = -EBADF};
	_cleanup_free_ char *sub = NULL;
	char *real;
	int r;

	if (storage_of(&c->cfg) != STORAGE_BTRFS)
		return 0;
	/* No link into the pool (a config changed by hand): nothing to mount; the verbs that
	 * need the subvolume refuse it (rootfs_subvol), and destroy still opens it. */
	if (link_subvol(ctx, c->dirfd, "rootfs", &sub) < 0)
		return 0;
	r = pool_ensure(ctx, &p);
	if (r < 0)
		return r;
	/* The real directory, not the link: a mount cannot be moved onto a symlink, and every
	 * later step works on the tree itself. */
	real = realpath(c->rootfs, NULL);
	/* A subvolume gone (a killed verb): destroy must still open the container. */
	if (!real && errno == ENOENT)
		return 0;
	if (!real)
		return lx_fail(ctx, -errno, "resolve %s", c->rootfs);
	free(c->rootfs);
	c->rootfs = real;
	return 0;
}

int storage_rootfs_parent(const struct container *c, char **ret)
{
	const char *slash = strrchr(c->rootfs, '/');

	/* c->rootfs is SUBVOL/rootfs since storage_open. */
	if (storage_of(&c->cfg) == STORAGE_BTRFS && slash && !strcmp(slash, "/rootfs"))
		*ret = strndup(c->rootfs, (size_t)(slash - c->rootfs));
	else
		*ret = strdup(c->dir);
	return *ret ? 0 : -ENOMEM;
}

bool storage_snapshot_is_pool(int dirfd, const char *snap)
{
	_cleanup_free_ char *p = NULL;
	struct stat st;

	return xasprintf(&p, "snapshots/%s/rootfs", snap) >= 0 &&
	       fstatat(dirfd, p, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode);
}

/* Deletes the subvolume the link at dirfd/path names, if it exists. */
static int delete_linked(const struct lxmgr_ctx *ctx, int dirfd, const char *path)
{
	_cleanup_free_ char *sub = NULL;
	int r = link_subvol(ctx, dirfd, path, &sub);

	if (r == -ENOENT || r == -EINVAL)
		return 0;
	if (r < 0)
		return r;
	r = btrfs_subvol_delete(sub);
	return r == -ENOENT ? 0 : r;
}

/* Writes snapshots/.tmp-SNAP: config, created and the link to the subvolume id. */
static int write_record(const struct container *c, const char *tmp, const char *id)
{
	_cleanup_free_ char *config = NULL, *p = NULL, *q = NULL, *l = NULL;
	char created[32];
	size_t len;
	int r;

	(void)snprintf(created, sizeof(created), "%lld\n", (long long)time(NULL));
	r = rm_rf_at(c->dirfd, tmp);
	if (r < 0)
		return r;
	if (mkdirat(c->dirfd, tmp, 0700) < 0)
		return -errno;
	if (xasprintf(&p, "%s/config", tmp) < 0 || xasprintf(&q, "%s/created", tmp) < 0 ||
	    xasprintf(&l, "%s/rootfs", tmp) < 0)
		return -ENOMEM;
	r = read_file_at(c->dirfd, "config", 1 << 20, &config, &len);
	if (r >= 0)
		r = write_file_atomic_at(c->dirfd, p, config, len, 0600);
	if (r >= 0)
		r = write_file_atomic_at(c->dirfd, q, created, strlen(created), 0600);
	if (r >= 0)
		r = write_link(c->dirfd, l, 3, SNAPSHOTS, id);
	return r;
}

int storage_snapshot_create(const struct lxmgr_ctx *ctx, struct container *c, const char *snap,
			    int (*freeze)(const struct lxmgr_ctx *ctx, const struct container *c,
					  bool on))
{
	_cleanup_(pool_done) struct pool p = {.lock = -EBADF};
	_cleanup_free_ char *tmp = NULL, *dst = NULL, *src = NULL, *sub = NULL;
	char id[24];
	int r, t = 0;

	r = rootfs_subvol(ctx, c, &src);
	if (r >= 0)
		r = pool_ensure(ctx, &p);
	if (r < 0)
		return r;
	unique_time_id(id);
	if (xasprintf(&tmp, SNAPSHOTS "/.tmp-%s", snap) < 0 ||
	    xasprintf(&dst, SNAPSHOTS "/%s", snap) < 0 ||
	    xasprintf(&sub, "%s/" SNAPSHOTS "/%s", p.mnt, id) < 0)
		return lx_fail(ctx, -ENOMEM, "out of memory");
	r = write_record(c, tmp, id);
	if (r < 0)
		return lx_fail(ctx, r, "write the record %s/%s", c->dir, tmp);
	/* One instant of a running container: frozen for the ioctl only. */
	if (freeze) {
		r = freeze(ctx, c, true);
		if (r < 0)
			return r;
	}
	r = btrfs_subvol_snapshot(src, sub, /* readonly= */ true);
	if (freeze)
		t = freeze(ctx, c, false);
	if (r < 0)
		return lx_fail(ctx, r, "snapshot %s as %s", src, sub);
	if (t < 0)
		return t;
	if (renameat(c->dirfd, tmp, c->dirfd, dst) < 0)
		return lx_fail(ctx, -errno, "rename %s/%s", c->dir, tmp);
	return 0;
}

/* restore's next state: rootfs.next (the link) and config.next; renaming the link over
 * rootfs is the commit (storage_gc_container finishes or undoes a killed one). */
static int prepare_next(const struct lxmgr_ctx *ctx, struct container *c, const char *src,
			const char *config, size_t len, const char *sub, const char *id)
{
	int r;

	if ((unlinkat(c->dirfd, NEXT_LINK, 0) < 0 && errno != ENOENT) ||
	    (unlinkat(c->dirfd, NEXT_CONFIG, 0) < 0 && errno != ENOENT))
		return lx_fail(ctx, -errno, "remove %s/" NEXT_LINK, c->dir);
	r = write_file_atomic_at(c->dirfd, NEXT_CONFIG, config, len, 0644);
	if (r < 0)
		return lx_fail(ctx, r, "write %s/" NEXT_CONFIG, c->dir);
	r = write_link(c->dirfd, NEXT_LINK, 1, CONTAINERS, id);
	if (r >= 0)
		r = btrfs_subvol_snapshot(src, sub, /* readonly= */ false);
	return r < 0 ? lx_fail(ctx, r, "snapshot %s into %s", src, sub) : 0;
}

int storage_snapshot_restore(const struct lxmgr_ctx *ctx, struct container *c, const char *snap)
{
	_cleanup_(pool_done) struct pool p = {.lock = -EBADF};
	_cleanup_free_ char *rec = NULL, *cfgp = NULL, *src = NULL, *sub = NULL, *config = NULL,
			    *old = NULL;
	size_t len;
	char id[24];
	int r;

	r = pool_ensure(ctx, &p);
	if (r < 0)
		return r;
	unique_time_id(id);
	if (xasprintf(&rec, SNAPSHOTS "/%s/rootfs", snap) < 0 ||
	    xasprintf(&cfgp, SNAPSHOTS "/%s/config", snap) < 0 ||
	    xasprintf(&sub, "%s/" CONTAINERS "/%s", p.mnt, id) < 0)
		return lx_fail(ctx, -ENOMEM, "out of memory");
	r = link_subvol(ctx, c->dirfd, rec, &src);
	if (r >= 0)
		r = read_file_at(c->dirfd, cfgp, 1 << 20, &config, &len);
	if (r < 0)
		return lx_fail(ctx, r, "read %s/" SNAPSHOTS "/%s", c->dir, snap);
	r = prepare_next(ctx, c, src, config, len, sub, id);
	if (r < 0)
		return r;
	/* The old subvolume, named before the swap: deleted after it (or by gc). */
	r = link_subvol(ctx, c->dirfd, "rootfs", &old);
	if (renameat(c->dirfd, NEXT_LINK, c->dirfd, "rootfs") < 0 ||
	    renameat(c->dirfd, NEXT_CONFIG, c->dirfd, "config") < 0)
		return lx_fail(ctx, -errno, "switch %s to snapshot %s", c->name, snap);
	if (r >= 0 && (r = btrfs_subvol_delete(old)) < 0)
		lx_warn(ctx, r, "delete the old subvolume %s (gc will), ignoring", old);
	return 0;
}

int storage_gc_container(struct container *c)
{
	/* Before the commit: undone (the new subvolume is then named by nothing). */
	if (unlinkat(c->dirfd, NEXT_LINK, 0) == 0) {
		(void)unlinkat(c->dirfd, NEXT_CONFIG, 0);
		return 1;
	}
	/* After it: the config goes with the rootfs. */
	if (renameat(c->dirfd, NEXT_CONFIG, c->dirfd, "config") == 0)
		return 1;
	return errno == ENOENT ? 0 : -errno;
}

int storage_snapshot_delete(const struct lxmgr_ctx *ctx, struct container *c, const char *snap)
{
	_cleanup_(pool_done) struct pool p = {.lock = -EBADF};
	_cleanup_free_ char *rec = NULL, *grave = NULL, *link = NULL;
	int r;

	r = pool_ensure(ctx, &p);
	if (r < 0)
		return r;
	if (xasprintf(&rec, SNAPSHOTS "/%s", snap) < 0 ||
	    xasprintf(&grave, SNAPSHOTS "/.del-%s", snap) < 0 ||
	    xasprintf(&link, "%s/rootfs", grave) < 0)
		return lx_fail(ctx, -ENOMEM, "out of memory");
	/* Out of sight first; a killed delete leaves .del-SNAP for gc, whose link then names
	 * nothing any more and its subvolume goes too. */
	if (renameat(c->dirfd, rec, c->dirfd, grave) < 0)
		return lx_fail(ctx, -errno, "rename %s/%s", c->dir, rec);
	r = delete_linked(ctx, c->dirfd, link);
	if (r < 0)
		return lx_fail(ctx, r, "delete the subvolume of %s/%s", c->dir, rec);
	r = rm_rf_at(c->dirfd, grave);
	if (r < 0)
		return lx_fail(ctx, r, "remove %s/%s", c->dir, grave);
	pool_release(ctx, &p);
	return 0;
}

/* Calls fn on each "snapshots/NAME/rootfs" of the container directory dirfd (dot names,
 * records being written or deleted, too). */
static int foreach_snapshot_link(const struct lxmgr_ctx *ctx, int dirfd,
				 int (*fn)(const struct lxmgr_ctx *ctx, int dirfd, const char *path,
					   void *u),
				 void *u)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	int fd = openat(dirfd, SNAPSHOTS, O_RDONLY | O_DIRECTORY | O_CLOEXEC), r;

	if (fd < 0)
		return errno == ENOENT || errno == ENOTDIR ? 0 : -errno;
	d = fdopendir(fd);
	if (!d)
		return (void)close(fd), -ENOMEM;
	while ((de = readdir(d))) {
		_cleanup_free_ char *p = NULL;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (xasprintf(&p, SNAPSHOTS "/%s/rootfs", de->d_name) < 0)
			return -ENOMEM;
		r = fn(ctx, dirfd, p, u);
		if (r < 0)
			return r;
	}
	return 0;
}

static int delete_one(const struct lxmgr_ctx *ctx, int dirfd, const char *path, void *u)
{
	(void)u;
	return delete_linked(ctx, dirfd, path);
}

int storage_destroy(const struct lxmgr_ctx *ctx, const char *dir)
{
	_cleanup_(pool_done) struct pool p = {.lock = -EBADF};
	_cleanup_close_ int dirfd = -EBADF;
	_cleanup_free_ char *sub = NULL;
	int r;

	dirfd = NEG_ERRNO(open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	if (dirfd < 0)
		return lx_fail(ctx, dirfd, "open %s", dir);
	r = link_subvol(ctx, dirfd, "rootfs", &sub);
	if (r == -EINVAL || r == -ENOENT)
		return 0; /* a dir container */
	r = pool_ensure(ctx, &p);
	if (r < 0)
		return r;
	r = foreach_snapshot_link(ctx, dirfd, delete_one, NULL);
	if (r >= 0)
		r = delete_linked(ctx, dirfd, NEXT_LINK);
	if (r >= 0)
		r = delete_linked(ctx, dirfd, "rootfs");
	if (r < 0)
		return lx_fail(ctx, r, "delete the subvolumes of %s", dir);
	/* Gone before the directory: its link must not name a subvolume that is not there. */
	(void)unlinkat(dirfd, "rootfs", 0);
	pool_release(ctx, &p);
	return 0;
}

/* gc: the ids every link of the store names, "KIND/ID", space-separated. */
static int add_ref(const struct lxmgr_ctx *ctx, int dirfd, const char *path, void *u)
{
	_cleanup_free_ char *sub = NULL;
	char **refs = u, *grown = NULL;
	int r = link_subvol(ctx, dirfd, path, &sub);

	if (r == -ENOENT || r == -EINVAL)
		return 0;
	if (r < 0)
		return r;
	if (xasprintf(&grown, "%s %s ", *refs,
		      sub + strlen(ctx->paths.lib) + strlen(POOL_REL) + 2) < 0)
		return -ENOMEM;
	free(*refs);
	*refs = grown;
	return 0;
}

static int collect_refs(const struct lxmgr_ctx *ctx, char **refs)
{
	_cleanup_closedir_ DIR *d = opendir(ctx->paths.lib);
	struct dirent *de;
	int r = 0;

	if (!d)
		return -errno;
	while (r >= 0 && (de = readdir(d))) {
		_cleanup_close_ int fd = -EBADF;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    !strcmp(de->d_name, STORAGE_DIR_NAME))
			continue;
		fd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			continue;
		r = add_ref(ctx, fd, "rootfs", refs);
		if (r >= 0)
			r = add_ref(ctx, fd, NEXT_LINK, refs);
		if (r >= 0)
			r = foreach_snapshot_link(ctx, fd, add_ref, refs);
	}
	return r;
}

/* Deletes the subvolumes of pool/kind that refs does not name. */
static int delete_unnamed(const struct lxmgr_ctx *ctx, const struct pool *p, const char *kind,
			  const char *refs)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	int n = 0;

	if (xasprintf(&path, "%s/%s", p->mnt, kind) < 0)
		return -ENOMEM;
	d = opendir(path);
	while (d && (de = readdir(d))) {
		_cleanup_free_ char *key = NULL, *sub = NULL;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (xasprintf(&key, " %s/%s ", kind, de->d_name) < 0 ||
		    xasprintf(&sub, "%s/%s", path, de->d_name) < 0)
			return -ENOMEM;
		if (strstr(refs, key))
			continue;
		if (btrfs_subvol_delete(sub) >= 0) {
			lx_info(ctx, "deleted the unused subvolume %s", sub);
			n++;
		}
	}
	return n;
}

int storage_gc(const struct lxmgr_ctx *ctx)
{
	_cleanup_(pool_done) struct pool p = {.lock = -EBADF};
	_cleanup_free_ char *refs = strdup(" ");
	int r, n;

	if (!refs)
		return -ENOMEM;
	r = pool_paths(ctx, &p);
	if (r < 0)
		return r;
	/* No pool, or an image never made: nothing to look at. */
	if (access(p.mnt, F_OK) < 0 || (!p.native && access(p.image, F_OK) < 0))
		return 0;
	/* An image not mounted (after a reboot) is mounted to be looked at, and unmounted
	 * below if it holds nothing any more. */
	pool_done(&p);
	r = pool_ensure(ctx, &p);
	if (r < 0)
		return r;
	r = collect_refs(ctx, &refs);
	if (r < 0)
		return r;
	n = delete_unnamed(ctx, &p, CONTAINERS, refs);
	r = delete_unnamed(ctx, &p, SNAPSHOTS, refs);
	if (n < 0 || r < 0)
		return n < 0 ? n : r;
	pool_release(ctx, &p);
	return n + r;
}

int storage_set_disk_limit(const struct lxmgr_ctx *ctx, const struct container *c, uint64_t bytes)
{
	_cleanup_(pool_done) struct pool p = {.lock = -EBADF};
	_cleanup_free_ char *sub = NULL;
	int r;

	r = rootfs_subvol(ctx, c, &sub);
	if (r >= 0)
		r = pool_ensure(ctx, &p);
	if (r < 0)
		return r;
	r = btrfs_subvol_limit(sub, p.mnt, bytes);
	if (r < 0)
		return lx_fail(ctx, r, "%s the qgroup limit of %s", bytes ? "set" : "lift", sub);
	return 0;
}

void storage_print_info(const struct lxmgr_ctx *ctx, const struct container *c)
{
	if (storage_of(&c->cfg) != STORAGE_BTRFS)
		printf("Storage:    dir\n");
	else if (btrfs_is_btrfs(ctx->paths.lib))
		printf("Storage:    btrfs (subvolumes of the store's btrfs, %s/" POOL_REL ")\n",
		       ctx->paths.lib);
	else
		printf("Storage:    btrfs (subvolumes in the loop-mounted image %s/" POOL_REL
		       ".img)\n",
		       ctx->paths.lib);
}
