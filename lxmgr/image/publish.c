/* publish.c: local images: a container cleaned of its identity, kept in the template cache
 * and made into new containers as a template's rootfs is (docs/templates.md). */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "base/lxmgr.h"
#include "base/util.h"
#include "guest/identity.h"
#include "image/copy.h"
#include "image/create.h"
#include "image/export-live.h"
#include "image/export.h"
#include "image/publish.h"
#include "image/template-cache.h"
#include "image/template.h"
#include "store/config.h"
#include "store/store.h"

#define LOG_STEP "publish"

/* An alias is -r RELEASE of -t image, hence a directory name of the cache. */
#define ALIAS_RULE "1-64 letters, digits, '-', '_' and '.', not starting with '.' or '-'"

/* CACHE/image/ALIAS and CACHE/image/ALIAS/ARCH (the host's: the image's programs are). */
static int image_paths(const struct lxmgr_ctx *ctx, const char *alias, char **ret_base,
		       char **ret_entry)
{
	_cleanup_free_ char *cache = NULL;
	struct utsname u;

	if (uname(&u) < 0)
		return -errno;
	if (template_cache_dir(ctx, &cache) < 0 ||
	    xasprintf(ret_base, "%s/" IMAGE_TEMPLATE "/%s", cache, alias) < 0 ||
	    xasprintf(ret_entry, "%s/%s", *ret_base, u.machine) < 0)
		return -ENOMEM;
	return 0;
}

static bool exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* The image being made: BASE/.ARCH.build-XXXXXX, locked while we live (template-cache.c's
 * gc removes it after a kill), renamed to BASE/ARCH when complete. */
struct image_build {
	char *base, *entry, *dir;
	int fd;
};

static void image_build_done(struct image_build *b)
{
	if (b->dir)
		(void)rm_rf_at(AT_FDCWD, b->dir);
	if (b->fd >= 0)
		(void)close(b->fd);
	if (b->base)
		(void)rmdir(b->base); /* only when a failed first publish left it empty */
	free(b->base);
	free(b->entry);
	free(b->dir);
}

static int make_build(const struct lxmgr_ctx *ctx, struct image_build *b)
{
	const char *arch = strrchr(b->entry, '/') + 1;
	int r = mkdir_p(b->base, 0700);
	char *made;

	if (r < 0)
		return lx_fail(ctx, r, "create %s", b->base);
	if (xasprintf(&b->dir, "%s/.%s.build-XXXXXX", b->base, arch) < 0)
		return lx_fail(ctx, -ENOMEM, "out of memory");
	made = mkdtemp(b->dir);
	/* A gc may remove BASE while it is empty (publish_gc): once more. */
	if (!made && errno == ENOENT && mkdir_p(b->base, 0700) >= 0) {
		memcpy(b->dir + strlen(b->dir) - 6, "XXXXXX", 6);
		made = mkdtemp(b->dir);
	}
	if (!made) {
		r = -errno;
		free(b->dir);
		b->dir = NULL;
		return lx_fail(ctx, r, "create a directory in %s", b->base);
	}
	b->fd = open(b->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (b->fd < 0 || flock(b->fd, LOCK_EX) < 0 || mkdirat(b->fd, "scratch", 0700) < 0)
		return lx_fail(ctx, -errno, "lock %s", b->dir);
	return 0;
}

/* The tree as it is now (a running one: its temporary snapshot) into BUILD/rootfs. */
static int copy_source(const struct lxmgr_ctx *ctx, struct container *c, struct image_build *b)
{
	_cleanup_free_ char *scratch = NULL, *rootfs = NULL, *failed = NULL;
	struct live_tree t = LIVE_TREE_INIT;
	int r, k;

	if (xasprintf(&scratch, "%s/scratch", b->dir) < 0 ||
	    xasprintf(&rootfs, "%s/rootfs", b->dir) < 0)
		return lx_fail(ctx, -ENOMEM, "out of memory");
	r = live_tree_open(ctx, c, "publish", scratch, /* snapshots= */ false, &t);
	if (r >= 0) {
		r = copy_tree(t.rootfs, rootfs, 0, 0, NULL, &failed);
		if (r < 0)
			(void)lx_fail(ctx, r, "copy %s", failed ? failed : t.rootfs);
	}
	k = live_tree_close(ctx, c, &t);
	if (r >= 0 && (r = rm_rf_at(b->fd, "scratch")) < 0)
		(void)lx_fail(ctx, r, "remove %s/scratch", b->dir);
	return r < 0 ? r : k;
}

/* No identity in the image: each container made of it gets its own (create). */
static int clean_identity(const struct lxmgr_ctx *ctx, const struct container *c,
			  struct image_build *b)
{
	_cleanup_free_ char *config = NULL, *stamp = NULL;
	_cleanup_close_ int rootfd = openat(b->fd, "rootfs", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r;

	if (rootfd < 0)
		return lx_fail(ctx, -errno, "open %s/rootfs", b->dir);
	r = identity_reset(rootfd, 0, 0);
	if (r < 0)
		return log_fail_full(ctx, "identity", r,
				     "reset machine-id, SSH host keys and DHCP leases");
	if (xasprintf(&config, "%s/config", b->dir) < 0 ||
	    xasprintf(&stamp, "source=%s\nuuid=%s\npublished=%llu\n", c->name, c->cfg.uuid,
		      (unsigned long long)now_realtime_s()) < 0)
		return lx_fail(ctx, -ENOMEM, "out of memory");
	r = export_clean_config(c->dirfd, "config", config);
	if (r < 0)
		return lx_fail(ctx, r, "write %s", config);
	r = write_file_atomic_at(b->fd, IMAGE_STAMP, stamp, strlen(stamp), 0644);
	return r < 0 ? lx_fail(ctx, r, "write %s/" IMAGE_STAMP, b->dir) : 0;
}

/* Under BASE's exclusive lock: no create copies the entry we replace. */
static int commit(const struct lxmgr_ctx *ctx, struct image_build *b, const char *alias, bool force)
{
	_cleanup_close_ int basefd = open(b->base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (basefd < 0 || flock(basefd, LOCK_EX) < 0)
		return lx_fail(ctx, -errno, "lock %s", b->base);
	if (exists(b->entry)) {
		if (!force)
			return lx_fail(ctx, LX_SYNTHETIC(-EEXIST),
				       "an image '%s' exists already: publish --force replaces it",
				       alias);
		/* b->dir names the old image from here; image_build_done removes it. */
		if (renameat2(AT_FDCWD, b->dir, AT_FDCWD, b->entry, RENAME_EXCHANGE) < 0)
			return lx_fail(ctx, -errno, "replace %s", b->entry);
		return 0;
	}
	if (renameat2(AT_FDCWD, b->dir, AT_FDCWD, b->entry, RENAME_NOREPLACE) < 0)
		return lx_fail(ctx, -errno, "rename into %s", b->entry);
	free(b->dir);
	b->dir = NULL;
	return 0;
}

static int check_alias(const struct lxmgr_ctx *ctx, const char *step, const char *alias)
{
	if (name_is_valid(alias))
		return 0;
	return log_fail_full(ctx, step, LX_SYNTHETIC(-EINVAL),
			     "invalid image alias '%s' (" ALIAS_RULE ")", alias);
}

int publish_image(const struct lxmgr_ctx *ctx, struct container *c, const char *alias, bool force)
{
	_cleanup_(image_build_done) struct image_build b = {.fd = -EBADF};
	uint64_t t0 = now_ns();
	int r;

	r = check_alias(ctx, LOG_STEP, alias);
	if (r < 0)
		return r;
	r = image_paths(ctx, alias, &b.base, &b.entry);
	if (r < 0)
		return lx_fail(ctx, r, "out of memory");
	if (!force && exists(b.entry))
		return lx_fail(ctx, LX_SYNTHETIC(-EEXIST),
			       "an image '%s' exists already: publish --force replaces it", alias);
	r = export_check_ids(ctx, c, "publish", /* in_range= */ false);
	if (r < 0)
		return r;
	r = make_build(ctx, &b);
	if (r >= 0)
		r = copy_source(ctx, c, &b);
	if (r >= 0)
		r = clean_identity(ctx, c, &b);
	if (r >= 0)
		r = commit(ctx, &b, alias, force);
	if (r >= 0)
		lx_info(ctx, "published %s as image %s in %.1f s (%s)", c->name, alias,
			(double)(now_ns() - t0) / 1e9, b.entry);
	return r;
}

int publish_delete(const struct lxmgr_ctx *ctx, const char *alias)
{
	_cleanup_free_ char *base = NULL, *entry = NULL, *grave = NULL;
	_cleanup_close_ int basefd = -EBADF, gravefd = -EBADF;
	int r;

	r = check_alias(ctx, LOG_STEP, alias);
	if (r < 0)
		return r;
	if (image_paths(ctx, alias, &base, &entry) < 0 ||
	    xasprintf(&grave, "%s/.%s.build-deleted-%d", base, strrchr(entry, '/') + 1,
		      (int)getpid()) < 0)
		return lx_fail(ctx, -ENOMEM, "out of memory");
	basefd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (basefd < 0 || !exists(entry))
		return lx_fail(ctx, LX_SYNTHETIC(-ENOENT),
			       "no image '%s' (lxmgr templates lists the images)", alias);
	if (flock(basefd, LOCK_EX) < 0)
		return lx_fail(ctx, -errno, "lock %s", base);
	/* Out of sight in one rename; a killed delete leaves a build directory gc removes. */
	if (rename(entry, grave) < 0)
		return lx_fail(ctx, -errno, "rename %s", entry);
	gravefd = open(grave, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (gravefd >= 0)
		(void)flock(gravefd, LOCK_EX);
	r = rm_rf_at(AT_FDCWD, grave);
	if (r < 0)
		return lx_fail(ctx, r, "remove %s", grave);
	(void)rmdir(base);
	return 0;
}

void image_use_done(struct image_use *img)
{
	if (img->lock >= 0)
		(void)close(img->lock);
	free(img->rootfs);
	free(img->config);
	free(img->label);
	free(img->net);
	*img = (struct image_use)IMAGE_USE_INIT;
}

/* The image's network mode is the new container's, unless --net says otherwise (as import). */
static int image_net_mode(const char *config, char **ret)
{
	struct container_config cfg;
	struct config_error e = {0};
	int r;

	config_init_defaults(&cfg);
	r = config_parse_file(config, false, &cfg, &e);
	if (r >= 0)
		r = (*ret = strdup(net_mode_to_string(cfg.net_mode))) ? 0 : -ENOMEM;
	config_done(&cfg);
	return r;
}

int image_use(const struct lxmgr_ctx *ctx, const struct template_request *t, struct image_use *img,
	      struct create_request *req)
{
	_cleanup_free_ char *base = NULL, *entry = NULL;
	int r;

	if (!t->release)
		return log_fail_full(ctx, "image", LX_SYNTHETIC(-EINVAL),
				     "-t image needs -r ALIAS (lxmgr templates lists the images)");
	if (t->arch || t->mirror || t->file || t->url || t->image || t->refresh)
		return log_fail_full(ctx, "image", LX_SYNTHETIC(-EINVAL),
				     "-t image takes -r ALIAS only (no --arch, --mirror, --file, "
				     "--url, --image or --refresh)");
	r = check_alias(ctx, "image", t->release);
	if (r < 0)
		return r;
	if (image_paths(ctx, t->release, &base, &entry) < 0 ||
	    xasprintf(&img->rootfs, "%s/rootfs", entry) < 0 ||
	    xasprintf(&img->config, "%s/config", entry) < 0 ||
	    xasprintf(&img->label, "image %s", t->release) < 0)
		return log_fail_full(ctx, "image", -ENOMEM, "out of memory");
	/* Shared: a publish --force or a delete waits until our copy is done. */
	img->lock = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (img->lock >= 0 && flock(img->lock, LOCK_SH) < 0)
		return log_fail_full(ctx, "image", -errno, "lock %s", base);
	if (img->lock < 0 || !exists(img->rootfs))
		return log_fail_full(ctx, "image", LX_SYNTHETIC(-ENOENT),
				     "no image '%s' (lxmgr publish NAME %s makes one; lxmgr "
				     "templates lists them)",
				     t->release, t->release);
	if (!req->net.mode) {
		r = image_net_mode(img->config, &img->net);
		if (r < 0)
			return log_fail_full(ctx, "image", r, "read %s", img->config);
		req->net.mode = img->net;
	}
	req->tmpl = NULL;
	req->source_dir = img->rootfs;
	req->base_config = img->config;
	req->source_label = img->label;
	return 0;
}

static void read_stamp(int dirfd, const char *path, struct image_info *i)
{
	_cleanup_free_ char *text = NULL;
	const char *p;

	if (read_file_at(dirfd, path, 4096, &text, NULL) < 0)
		return;
	if ((p = strstr(text, "source=")))
		(void)snprintf(i->source, sizeof(i->source), "%.*s", (int)strcspn(p + 7, "\n"),
			       p + 7);
	if ((p = strstr(text, "published=")))
		i->published = strtoull(p + 10, NULL, 10);
}

int image_foreach(const struct lxmgr_ctx *ctx, void (*fn)(const struct image_info *i, void *u),
		  void *u)
{
	_cleanup_free_ char *cache = NULL, *top = NULL;
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *a;
	int n = 0;

	if (template_cache_dir(ctx, &cache) < 0 || xasprintf(&top, "%s/" IMAGE_TEMPLATE, cache) < 0)
		return -ENOMEM;
	d = opendir(top);
	while (d && (a = readdir(d))) {
		_cleanup_closedir_ DIR *arches = NULL;
		_cleanup_free_ char *p = NULL;
		struct dirent *e;

		if (a->d_name[0] == '.' || xasprintf(&p, "%s/%s", top, a->d_name) < 0 ||
		    !(arches = opendir(p)))
			continue;
		while ((e = readdir(arches))) {
			_cleanup_free_ char *stamp = NULL;
			struct image_info i = {.alias = a->d_name, .arch = e->d_name};

			if (e->d_name[0] == '.' ||
			    xasprintf(&stamp, "%s/" IMAGE_STAMP, e->d_name) < 0 ||
			    faccessat(dirfd(arches), stamp, F_OK, 0) < 0)
				continue;
			read_stamp(dirfd(arches), stamp, &i);
			fn(&i, u);
			n++;
		}
	}
	return n;
}

int publish_gc(const struct lxmgr_ctx *ctx)
{
	_cleanup_free_ char *cache = NULL, *top = NULL;
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *a;
	int n = 0;

	if (template_cache_dir(ctx, &cache) < 0 || xasprintf(&top, "%s/" IMAGE_TEMPLATE, cache) < 0)
		return -ENOMEM;
	d = opendir(top);
	while (d && (a = readdir(d)))
		if (a->d_name[0] != '.' && unlinkat(dirfd(d), a->d_name, AT_REMOVEDIR) == 0)
			n++;
	return n;
}
