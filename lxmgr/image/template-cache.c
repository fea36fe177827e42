/* template-cache.c: built template root filesystems, kept per template/release/arch, built
 * aside and renamed into place so that an entry that exists is complete. */
#include <dirent.h>
#include <fcntl.h>
#include <linux/fs.h>
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
#include "image/copy.h"
#include "image/template-cache.h"
#include "image/template.h"

#define LOG_STEP "template"

int template_cache_dir(const struct lxmgr_ctx *ctx, char **ret)
{
	const char *env = getenv("LXMGR_TEMPLATE_CACHE");

	return (*ret = strdup(env && *env ? env : ctx->paths.cache)) ? 0 : -ENOMEM;
}

static bool is_build_dir(const char *name)
{
	return name[0] == '.' && strstr(name, ".build-");
}

/* Removes .ARCH.build-XXXXXX directories of dirfd whose lock nobody holds. */
static int remove_dead_builds(int dirfd)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	int fd, removed = 0;

	fd = dup(dirfd);
	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			(void)close(fd);
		return -errno;
	}
	while ((de = readdir(d))) {
		_cleanup_close_ int bfd = -EBADF;

		if (!is_build_dir(de->d_name))
			continue;
		bfd = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		if (bfd < 0 || flock(bfd, LOCK_EX | LOCK_NB) < 0)
			continue;
		if (rm_rf_at(dirfd, de->d_name) >= 0)
			removed++;
	}
	return removed;
}

/* The build directory: made, locked (gc and other creates leave it alone while we live). */
struct cache_build {
	char *base;  /* CACHE/TEMPLATE/RELEASE */
	char *entry; /* BASE/ARCH */
	char *dir;   /* BASE/.ARCH.build-XXXXXX */
	char *rootfs, *workdir, *log;
	int fd;
};

static void cache_build_done(struct cache_build *c)
{
	if (c->dir)
		(void)rm_rf_at(AT_FDCWD, c->dir);
	if (c->fd >= 0)
		(void)close(c->fd);
	free(c->entry);
	free(c->dir);
	free(c->rootfs);
	free(c->workdir);
	free(c->log);
}

static int make_build_dir(const struct lxmgr_ctx *ctx, const struct template_run *run,
			  struct cache_build *c)
{
	int r;

	if (xasprintf(&c->dir, "%s/.%s.build-XXXXXX", c->base, run->arch) < 0)
		return lx_fail(ctx, -ENOMEM, "out of memory");
	if (!mkdtemp(c->dir)) {
		r = -errno;
		free(c->dir);
		c->dir = NULL;
		return lx_fail(ctx, r, "create a build directory in %s", c->base);
	}
	c->fd = open(c->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (c->fd < 0 || flock(c->fd, LOCK_EX) < 0)
		return lx_fail(ctx, -errno, "lock %s", c->dir);
	if (xasprintf(&c->rootfs, "%s/rootfs", c->dir) < 0 ||
	    xasprintf(&c->workdir, "%s/work", c->dir) < 0 ||
	    xasprintf(&c->log, "%s/templates/%s-%s-%s.log", ctx->paths.log, run->info->name,
		      run->release, run->arch) < 0)
		return lx_fail(ctx, -ENOMEM, "out of memory");
	if (mkdir(c->rootfs, 0755) < 0 || mkdir(c->workdir, 0700) < 0)
		return lx_fail(ctx, -errno, "create %s", c->rootfs);
	return 0;
}

/* BUILD/built: what made the entry, for `lxmgr templates` and people. */
static int write_stamp(const struct template_run *run, const struct cache_build *c,
		       uint64_t seconds)
{
	_cleanup_free_ char *text = NULL;
	_cleanup_close_ int fd = open(c->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (xasprintf(&text,
		      "template=%s\nrelease=%s\narch=%s\nmirror=%s\nbuilt=%llu\nseconds=%llu\n",
		      run->info->name, run->release, run->arch,
		      run->req->mirror ? run->req->mirror : "",
		      (unsigned long long)now_realtime_s(), (unsigned long long)seconds) < 0)
		return -ENOMEM;
	return write_file_atomic_at(fd, "built", text, strlen(text), 0644);
}

/* The rename that makes the entry exist (or replaces the old one on --refresh). */
static int commit(const struct lxmgr_ctx *ctx, struct cache_build *c, bool refresh)
{
	struct stat st;

	if (refresh && lstat(c->entry, &st) == 0) {
		if (renameat2(AT_FDCWD, c->dir, AT_FDCWD, c->entry, RENAME_EXCHANGE) < 0)
			return lx_fail(ctx, -errno, "replace %s", c->entry);
		return 0; /* c->dir now names the old entry, removed by cache_build_done */
	}
	if (renameat2(AT_FDCWD, c->dir, AT_FDCWD, c->entry, RENAME_NOREPLACE) < 0) {
		if (errno != EEXIST)
			return lx_fail(ctx, -errno, "rename into %s", c->entry);
		/* Another create built the same entry meanwhile: theirs is as good. */
		return 0;
	}
	free(c->dir);
	c->dir = NULL;
	return 0;
}

static int build_entry(const struct lxmgr_ctx *ctx, struct template_run *run, struct cache_build *c)
{
	_cleanup_close_ int basefd = -EBADF;
	uint64_t start = now_ns();
	int r;

	basefd = open(c->base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (basefd < 0)
		return lx_fail(ctx, -errno, "open %s", c->base);
	(void)remove_dead_builds(basefd);
	r = make_build_dir(ctx, run, c);
	if (r < 0)
		return r;
	run->rootfs = c->rootfs;
	run->workdir = c->workdir;
	run->log_path = c->log;
	r = template_run(ctx, run);
	if (r < 0)
		return r;
	if (run->cancelled && run->cancelled(run->userdata))
		return -EINTR;
	r = rm_rf_at(AT_FDCWD, c->workdir);
	if (r >= 0)
		r = write_stamp(run, c, (now_ns() - start) / 1000000000);
	if (r < 0)
		return lx_fail(ctx, r, "finish %s", c->dir);
	r = commit(ctx, c, run->req->refresh);
	if (r < 0)
		return r;
	template_step(ctx, "%s %s %s built in %llu s and cached in %s", run->info->name,
		      run->release, run->arch,
		      (unsigned long long)((now_ns() - start) / 1000000000), c->entry);
	return 0;
}

/* flock(op) on the release's directory, waiting while another create holds it (polling, so
 * that Ctrl-C still ends the wait). */
static int lock_wait(const struct lxmgr_ctx *ctx, const struct template_run *run, int fd, int op)
{
	bool said = false;

	while (flock(fd, op | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK && errno != EINTR)
			return lx_fail(ctx, -errno, "lock the template cache");
		if (!said)
			template_step(ctx, "waiting for another create that %s %s %s %s",
				      op == LOCK_EX ? "uses" : "builds", run->info->name,
				      run->release, run->arch);
		said = true;
		if (run->cancelled && run->cancelled(run->userdata))
			return -EINTR;
		(void)usleep(200 * 1000);
	}
	return 0;
}

/* Shared lock: creates copy the entry; exclusive: one builds or replaces it. */
static int get_locked(const struct lxmgr_ctx *ctx, struct template_run *run, struct cache_build *c,
		      int basefd)
{
	struct stat st;
	int r;

	if (!run->req->refresh) {
		r = lock_wait(ctx, run, basefd, LOCK_SH);
		if (r < 0)
			return r;
		if (stat(c->entry, &st) == 0) {
			template_step(ctx, "%s %s %s from the cache %s", run->info->name,
				      run->release, run->arch, c->entry);
			return 0;
		}
	}
	r = lock_wait(ctx, run, basefd, LOCK_EX);
	if (r < 0)
		return r;
	/* Built by the create we waited for. */
	if (!run->req->refresh && stat(c->entry, &st) == 0)
		template_step(ctx, "%s %s %s from the cache %s", run->info->name, run->release,
			      run->arch, c->entry);
	else if ((r = build_entry(ctx, run, c)) < 0)
		return r;
	/* Others may copy it as we do. */
	return NEG_ERRNO(flock(basefd, LOCK_SH));
}

int template_cache_get(const struct lxmgr_ctx *ctx, struct template_run *run, char **ret_rootfs,
		       int *ret_lock)
{
	_cleanup_free_ char *cache = NULL;
	_cleanup_close_ int basefd = -EBADF;
	struct cache_build c = {.fd = -EBADF};
	int r;

	r = template_cache_dir(ctx, &cache);
	if (r >= 0 && (xasprintf(&c.base, "%s/%s/%s", cache, run->info->name, run->release) < 0 ||
		       xasprintf(&c.entry, "%s/%s", c.base, run->arch) < 0))
		r = -ENOMEM;
	if (r < 0) {
		cache_build_done(&c);
		free(c.base);
		return lx_fail(ctx, r, "out of memory");
	}
	r = mkdir_p(c.base, 0700);
	if (r < 0)
		r = lx_fail(ctx, r, "create %s", c.base);
	else if ((basefd = open(c.base, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		r = lx_fail(ctx, -errno, "open %s", c.base);
	else
		r = get_locked(ctx, run, &c, basefd);
	if (r >= 0 && xasprintf(ret_rootfs, "%s/rootfs", c.entry) < 0)
		r = lx_fail(ctx, -ENOMEM, "out of memory");
	cache_build_done(&c);
	if (r < 0) {
		/* A refused release leaves no empty CACHE/TEMPLATE/RELEASE behind. */
		(void)rmdir(c.base);
		*strrchr(c.base, '/') = '\0';
		(void)rmdir(c.base);
	}
	free(c.base);
	if (r >= 0)
		*ret_lock = TAKE_FD(basefd);
	return r;
}

/* CACHE/TEMPLATE/RELEASE/.ARCH.build-XXXXXX: two levels of directories to walk. */
int template_cache_gc(const struct lxmgr_ctx *ctx)
{
	_cleanup_free_ char *cache = NULL;
	_cleanup_closedir_ DIR *top = NULL;
	struct dirent *t;
	int removed = 0;

	if (template_cache_dir(ctx, &cache) < 0)
		return -ENOMEM;
	top = opendir(cache);
	if (!top)
		return errno == ENOENT ? 0 : -errno;
	while ((t = readdir(top))) {
		_cleanup_closedir_ DIR *rel = NULL;
		struct dirent *r;
		int fd;

		if (t->d_name[0] == '.')
			continue;
		fd = openat(dirfd(top), t->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0 || !(rel = fdopendir(fd))) {
			if (fd >= 0)
				(void)close(fd);
			continue;
		}
		while ((r = readdir(rel))) {
			_cleanup_close_ int rfd = -EBADF;
			int n;

			if (r->d_name[0] == '.')
				continue;
			rfd = openat(dirfd(rel), r->d_name,
				     O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
			if (rfd >= 0 && (n = remove_dead_builds(rfd)) > 0)
				removed += n;
		}
	}
	return removed;
}

static int run_uncached(const struct lxmgr_ctx *ctx, struct template_run *run, const char *tmpdir,
			const char *rootfs)
{
	_cleanup_free_ char *workdir = NULL, *log = NULL;
	int r;

	if (xasprintf(&workdir, "%s/work", tmpdir) < 0 ||
	    xasprintf(&log, "%s/templates/%s-%s.log", ctx->paths.log, ctx->name, run->info->name) <
		    0)
		return lx_fail(ctx, -ENOMEM, "out of memory");
	if (mkdir(rootfs, 0755) < 0 || mkdir(workdir, 0700) < 0)
		return lx_fail(ctx, -errno, "create %s", rootfs);
	run->rootfs = rootfs;
	run->workdir = workdir;
	run->log_path = log;
	r = template_run(ctx, run);
	(void)rm_rf_at(AT_FDCWD, workdir);
	return r;
}

int template_make_rootfs(const struct lxmgr_ctx *ctx, const struct template_choice *c,
			 const char *tmpdir, const char *rootfs,
			 const struct copy_progress *progress)
{
	struct template_run run = {
		.info = &c->info,
		.req = c->req,
		.release = c->release,
		.arch = c->arch,
		.cancelled = progress->cancelled,
		.userdata = progress->userdata,
	};
	_cleanup_free_ char *cached = NULL, *failed = NULL;
	_cleanup_close_ int lock = -EBADF; /* shared: no --refresh replaces it while we copy */
	int r;

	if (!c->info.cache)
		return run_uncached(ctx, &run, tmpdir, rootfs);
	if (!run.release)
		run.release = "any"; /* the cache's directory of a template without releases */
	r = template_cache_get(ctx, &run, &cached, &lock);
	if (r < 0)
		return r;
	r = copy_tree(cached, rootfs, 0, 0, progress, &failed);
	if (r == -EINTR)
		return r;
	return r < 0 ? lx_fail(ctx, r, "copy %s", failed ? failed : cached) : 0;
}
