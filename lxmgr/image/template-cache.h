/* template-cache.h: built template root filesystems, kept per template/release/arch. */
#pragma once

struct copy_progress;
struct lxmgr_ctx;
struct template_choice;
struct template_run;

/* Fills rootfs (which must not exist) from the chosen template: a copy (reflinks where the
 * filesystem has them) of its cache entry, built first when missing or on --refresh; or,
 * for a template that keeps no cache, its run straight into rootfs, with a scratch
 * directory in tmpdir (create's build directory). Reports failures itself; returns 0,
 * -EINTR when progress->cancelled said so, or another -errno. */
int template_make_rootfs(const struct lxmgr_ctx *ctx, const struct template_choice *c,
			 const char *tmpdir, const char *rootfs,
			 const struct copy_progress *progress);

/* The cache's root: $LXMGR_TEMPLATE_CACHE, else the store's cache directory
 * (/var/cache/lxmgr, or DIR/cache under --root). *ret is malloc'd. */
int template_cache_dir(const struct lxmgr_ctx *ctx, char **ret);

/* Makes sure CACHE/TEMPLATE/RELEASE/ARCH/rootfs exists and sets *ret_rootfs to it. When it
 * is missing, or run->req->refresh, runs the template into CACHE/TEMPLATE/RELEASE/
 * .ARCH.build-XXXXXX (locked while it runs) and renames that into place: an entry that
 * exists is complete, and a refresh swaps the new one in atomically (RENAME_EXCHANGE).
 * Builders hold flock(LOCK_EX) on CACHE/TEMPLATE/RELEASE, users LOCK_SH: a second create
 * of an entry being built waits for it instead of building it again, and a refresh waits
 * until no create copies the old entry. *ret_lock is that directory, locked shared: the
 * caller closes it when its copy is done. Fills in run's rootfs, workdir and log_path.
 * Reports failures itself; -EINTR when run->cancelled said so (the build directory is
 * removed). */
int template_cache_get(const struct lxmgr_ctx *ctx, struct template_run *run, char **ret_rootfs,
		       int *ret_lock);

/* Removes the build directories that dead creates left in the cache (their lock is free).
 * Returns how many, or -errno. */
int template_cache_gc(const struct lxmgr_ctx *ctx);
