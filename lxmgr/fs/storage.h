/* storage.h: storage pools: where a container's rootfs and its snapshots live (dir: plain
 * directories and sealed overlayfs layers, snapshot.h; btrfs: subvolumes). docs/snapshots.md,
 * "Storage pools". */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct lxmgr_ctx;
struct container;
struct container_config;

enum storage_pool {
	STORAGE_DIR,
	STORAGE_BTRFS,
	_STORAGE_POOL_MAX,
};

/* Under LIB: .storage/btrfs.img (the loop image, when LIB is not on btrfs itself) and
 * .storage/btrfs, its mount point (or a plain directory of LIB's btrfs), holding the
 * subvolumes containers/ID and snapshots/ID (read-only), each with rootfs/ inside.
 * LIB/NAME/rootfs and LIB/NAME/snapshots/SNAP/rootfs are relative symlinks to them. */
#define STORAGE_DIR_NAME ".storage"
#define STORAGE_BTRFS_DEFAULT_SIZE (20ULL << 30)
#define STORAGE_CHOICES "dir or btrfs"

const char *storage_pool_to_string(enum storage_pool p);
/* -EINVAL for anything but "dir" and "btrfs". */
int storage_pool_from_string(const char *s);
/* rootfs.storage as a pool: unset (containers made before pools) is dir. */
enum storage_pool storage_of(const struct container_config *cfg);

/* create: the pool the new container goes to: --storage (NULL: unset), else for a clone its
 * source's pool, else lxmgr.conf's storage.default, else dir. */
enum storage_pool storage_choose(const struct container_config *defaults, const char *option,
				 const struct container_config *source);

/* create, btrfs pool: makes the subvolume of a new container, empty or (src_rootfs not
 * NULL: LIB/NAME/rootfs or LIB/NAME/snapshots/SNAP/rootfs, the symlink) a writable
 * snapshot of src's; writes dir/rootfs, the symlink to it. *ret_rootfs (malloc'd) is the
 * real path to fill (it does not exist yet unless src_rootfs). Reports failures itself. */
int storage_create_rootfs(const struct lxmgr_ctx *ctx, const char *dir, const char *src_rootfs,
			  char **ret_rootfs);

/* Opens (mounts if needed) the btrfs pool of c when c lives on it: every verb that touches
 * its rootfs calls it first (store_container_open does); c->rootfs becomes the real path in
 * the pool. 0 for a dir container. Reports failures itself. */
int storage_open(const struct lxmgr_ctx *ctx, struct container *c);

/* The directory that holds c's rootfs/ (c opened): LIB/NAME, or a btrfs container's
 * subvolume (export's tar -C), malloc'd into *ret. 0 or -ENOMEM. */
int storage_rootfs_parent(const struct container *c, char **ret);

/* Snapshots on btrfs: a read-only snapshot of c's subvolume, recorded as
 * LIB/NAME/snapshots/SNAP/{config,created,rootfs}; c may run (it is frozen meanwhile when
 * freeze says so, through freeze(ctx, c, true/false), which reports its own failure).
 * Reports failures itself. */
int storage_snapshot_create(const struct lxmgr_ctx *ctx, struct container *c, const char *snap,
			    int (*freeze)(const struct lxmgr_ctx *ctx, const struct container *c,
					  bool on));
/* A writable snapshot of SNAP swapped in for c's rootfs (c stopped, locked) and SNAP's
 * config put back; the old subvolume is deleted. Reports failures itself. */
int storage_snapshot_restore(const struct lxmgr_ctx *ctx, struct container *c, const char *snap);
/* gc, c stopped and its running lock held: finishes or undoes a killed restore. Returns
 * how many leftovers went (0 or 1), or -errno. */
int storage_gc_container(struct container *c);
/* Deletes SNAP's record and subvolume. Reports failures itself. */
int storage_snapshot_delete(const struct lxmgr_ctx *ctx, struct container *c, const char *snap);
/* Whether LIB/NAME/snapshots/SNAP is a pool snapshot (its rootfs symlink). */
bool storage_snapshot_is_pool(int dirfd, const char *snap);

/* destroy: deletes the subvolumes of the container whose directory is dir (its rootfs and
 * its snapshots'), then unmounts the pool if nothing is left on it. 0 for a dir container. */
int storage_destroy(const struct lxmgr_ctx *ctx, const char *dir);

/* gc: deletes the subvolumes no symlink of the store names (left by killed verbs) and
 * unmounts an empty pool. Returns how many leftovers went, or -errno. */
int storage_gc(const struct lxmgr_ctx *ctx);

/* limits.disk on btrfs: a qgroup limit of bytes (0: none) on c's subvolume. Reports
 * failures itself. */
int storage_set_disk_limit(const struct lxmgr_ctx *ctx, const struct container *c, uint64_t bytes);

/* info: the "Storage:" line: "dir", or "btrfs (...)" saying where the subvolumes are. */
void storage_print_info(const struct lxmgr_ctx *ctx, const struct container *c);

/* storage-btrfs.c: the ioctls and the pool's mount. 0 or -errno. */
int btrfs_subvol_create(const char *path);
int btrfs_subvol_snapshot(const char *src, const char *dst, bool readonly);
int btrfs_subvol_delete(const char *path);
bool btrfs_is_btrfs(const char *path);
bool btrfs_pool_mounted(const char *mnt);
/* Makes image (sparse, size bytes, mkfs.btrfs) when missing, binds a loop device to it and
 * mounts it at mnt. *ret_step names what failed. */
int btrfs_pool_mount(const char *image, const char *mnt, uint64_t size, const char **ret_step);
int btrfs_pool_unmount(const char *mnt);
/* limits.disk: a qgroup limit on what subvol refers to (bytes 0: none), quotas enabled on
 * pool when first needed. 0 or -errno. */
int btrfs_subvol_limit(const char *subvol, const char *pool, uint64_t bytes);
