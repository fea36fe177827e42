/* cmd-gc.c: lxmgr gc: remove what killed monitors and interrupted creates left behind. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "base/util.h"
#include "cmd/cmd.h"
#include "cmd/parse.h"
#include "fs/rootless.h"
#include "fs/storage.h"
#include "image/snapshot.h"
#include "image/publish.h"
#include "image/template-cache.h"
#include "run/lifecycle.h"
#include "store/store.h"

#define LOG_STEP "gc"

/* Rootless: a shifted tree is removed inside a user namespace of its range (rootless.h). */
static int remove_leftover(const struct lxmgr_ctx *ctx, DIR *d, const char *name)
{
	_cleanup_free_ char *path = NULL;

	if (!rootless_active())
		return rm_rf_at(dirfd(d), name);
	if (xasprintf(&path, "%s/%s", ctx->paths.lib, name) < 0)
		return -ENOMEM;
	return rootless_remove_container_dir(path);
}

/* .NAME.create-XXXXXX of a create that died, .NAME.destroy-PID of a destroy that died. */
static int remove_dead_builds(const struct lxmgr_ctx *ctx)
{
	_cleanup_closedir_ DIR *d = opendir(ctx->paths.lib);
	struct dirent *de;
	int removed = 0;

	while (d && (de = readdir(d))) {
		_cleanup_close_ int fd = -EBADF;

		if (de->d_name[0] != '.' ||
		    (!strstr(de->d_name, ".create-") && !strstr(de->d_name, ".destroy-")))
			continue;
		fd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		/* A create in progress holds its lock. */
		if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0)
			continue;
		if (remove_leftover(ctx, d, de->d_name) >= 0) {
			lx_info(ctx, "removed %s/%s", ctx->paths.lib, de->d_name);
			removed++;
		}
	}
	return removed;
}

/* What a write_file_atomic_at() killed between its write and its rename left in the
 * container's directory (config, provisioning records) and its runtime directory. */
static void remove_dead_tmp_files(const struct lxmgr_ctx *ctx, const struct container *c)
{
	_cleanup_close_ int runfd = open(c->rundir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int removed = remove_stale_atomic_tmp(c->dirfd, false);

	if (runfd >= 0)
		removed += remove_stale_atomic_tmp(runfd, false);
	if (removed > 0)
		lx_info(ctx, "removed %d temporary file(s) of killed writers", removed);
}

/* What a killed snapshot, restore or snapshot delete left (snapshot.h). */
static void report_snapshot_gc(const struct lxmgr_ctx *ctx, struct container *c, bool locked)
{
	int n = snapshot_gc(ctx, c, locked);

	if (n < 0)
		lx_warn(ctx, n, "the snapshot leftovers of %s, ignoring", c->name);
	else if (n > 0)
		lx_info(ctx, "removed %d snapshot leftover(s) of %s", n, c->name);
}

int cmd_gc(struct lxmgr_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ char **names = NULL;
	struct verb_args a = {.max_args = 0};
	int failed = 0, removed, r;

	r = cmd_parse(ctx, argc, argv, &a);
	if (r != 0)
		return r;
	if (store_list_names(ctx, &names) < 0)
		return EXIT_FAILED;
	STRV_FOREACH(name, names) {
		_cleanup_container_ struct container *c = NULL;

		if (store_container_paths(ctx, *name, &c) < 0)
			continue;
		c->dirfd = open(c->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (c->dirfd < 0)
			continue;
		ctx->name = *name;
		/* Only a container no monitor holds; the lock keeps a start from racing us. */
		if (store_lock_running(c) < 0) {
			report_snapshot_gc(ctx, c, /* locked= */ false);
			continue;
		}
		report_snapshot_gc(ctx, c, /* locked= */ true);
		if (storage_gc_container(c) > 0)
			lx_info(ctx, "finished or undid a killed restore of %s", c->name);
		if (lifecycle_cleanup_stale(ctx, c) < 0)
			failed++;
		remove_dead_tmp_files(ctx, c);
		ctx->name = NULL;
	}
	removed = remove_dead_builds(ctx);
	(void)removed;
	/* After the builds and records: their subvolumes are then named by nothing. */
	removed = storage_gc(ctx);
	if (removed < 0)
		lx_warn(ctx, removed, "the btrfs pool's leftovers, ignoring");
	/* Template builds of creates that died: their lock is free. */
	removed = template_cache_gc(ctx);
	if (removed > 0)
		lx_info(ctx, "removed %d unfinished template build(s)", removed);
	(void)publish_gc(ctx);
	return failed ? EXIT_FAILED : 0;
}
