/* store.c: where containers live, opening one, its lock, listing. */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "base/lxmgr.h"
#include "base/util.h"
#include "fs/rootless.h"
#include "image/clone.h"
#include "store/store.h"
#include "fs/storage.h"

#define LOG_STEP "store"

static int tag_for_root(const char *root, char **ret)
{
	unsigned long h = 5381;

	/* Containers of different stores may share a name: their cgroups must not. */
	if (!root)
		return xasprintf(ret, "%s", "");
	for (const char *p = root; *p; p++)
		h = h * 33 + (unsigned char)*p;
	return xasprintf(ret, "%08lx-", h & 0xffffffffUL);
}

int lxmgr_paths_init(struct lxmgr_paths *p, const char *root)
{
	int r = 0;

	if (root) {
		r |= xasprintf(&p->lib, "%s/lib", root);
		r |= xasprintf(&p->run, "%s/run", root);
		r |= xasprintf(&p->log, "%s/log", root);
		r |= xasprintf(&p->cache, "%s/cache", root);
		r |= xasprintf(&p->conf, "%s/etc/lxmgr.conf", root);
		r |= xasprintf(&p->hooks, "%s/etc/hooks", root);
	} else if (rootless_active()) {
		r = rootless_paths_init(p);
		if (r < 0)
			return r;
		/* One user's store: its cgroups must not meet another user's nor root's. */
		return tag_for_root(p->lib, &p->cgroup_tag) < 0 ? -ENOMEM : 0;
	} else {
		r |= xasprintf(&p->lib, "%s/lib/lxmgr", LXMGR_LOCALSTATEDIR);
		r |= xasprintf(&p->run, "%s/lxmgr", LXMGR_RUNSTATEDIR);
		r |= xasprintf(&p->log, "%s/log/lxmgr", LXMGR_LOCALSTATEDIR);
		r |= xasprintf(&p->cache, "%s/cache/lxmgr", LXMGR_LOCALSTATEDIR);
		r |= xasprintf(&p->conf, "%s/lxmgr/lxmgr.conf", LXMGR_SYSCONFDIR);
		r |= xasprintf(&p->hooks, "%s/lxmgr/hooks", LXMGR_SYSCONFDIR);
	}
	r |= tag_for_root(root, &p->cgroup_tag);
	return r < 0 ? -ENOMEM : 0;
}

void lxmgr_paths_done(struct lxmgr_paths *p)
{
	free(p->lib);
	free(p->run);
	free(p->log);
	free(p->cache);
	free(p->conf);
	free(p->hooks);
	free(p->cgroup_tag);
	*p = (struct lxmgr_paths){0};
}

int store_container_paths(const struct lxmgr_ctx *ctx, const char *name, struct container **ret)
{
	struct container *c = calloc(1, sizeof(*c));
	int r = 0;

	if (!c)
		return -ENOMEM;
	c->dirfd = -EBADF;
	c->view_fd = -EBADF;
	config_init_defaults(&c->cfg);
	c->name = strdup(name);
	r |= xasprintf(&c->dir, "%s/%s", ctx->paths.lib, name);
	r |= xasprintf(&c->config_path, "%s/%s/config", ctx->paths.lib, name);
	r |= xasprintf(&c->rootfs, "%s/%s/rootfs", ctx->paths.lib, name);
	r |= xasprintf(&c->rundir, "%s/%s", ctx->paths.run, name);
	r |= xasprintf(&c->logdir, "%s/%s", ctx->paths.log, name);
	if (r < 0 || !c->name) {
		container_free(c);
		return -ENOMEM;
	}
	*ret = c;
	return 0;
}

struct container *container_free(struct container *c)
{
	if (!c)
		return NULL;
	if (c->close_view)
		c->close_view(c);
	free(c->name);
	free(c->dir);
	free(c->config_path);
	free(c->rootfs);
	free(c->rundir);
	free(c->logdir);
	if (c->dirfd >= 0)
		(void)close(c->dirfd);
	config_done(&c->cfg);
	free(c);
	return NULL;
}

void container_freep(struct container **c)
{
	*c = container_free(*c);
}

int store_report_config_error(const struct lxmgr_ctx *ctx, int r, const struct config_error *e)
{
	char where[600];

	if (!e->file[0] && e->key[0])
		return log_fail_full(ctx, "config", LX_SYNTHETIC(r), "%s: %s", e->key, e->message);
	if (e->line)
		(void)snprintf(where, sizeof(where), "%s:%u", e->file, e->line);
	else
		(void)snprintf(where, sizeof(where), "%s", e->file);
	if (e->key[0])
		return log_fail_full(ctx, "config", LX_SYNTHETIC(r), "%s: %s: %s", where, e->key,
				     e->message);
	return log_fail_full(ctx, "config", LX_SYNTHETIC(r), "%s: %s", where, e->message);
}

int store_load_defaults(const struct lxmgr_ctx *ctx, struct container_config *ret)
{
	struct config_error err = {0};
	int r;

	config_init_defaults(ret);
	r = config_parse_file(ctx->paths.conf, /* global= */ true, ret, &err);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return store_report_config_error(ctx, r, &err);
	return 0;
}

int store_container_open(const struct lxmgr_ctx *ctx, const char *name, struct container **ret)
{
	_cleanup_container_ struct container *c = NULL;
	struct config_error err = {0};
	int r;

	if (!name_is_valid(name))
		return lx_fail(ctx, LX_SYNTHETIC(-EINVAL),
			       "invalid container name '%s' (1-64 of A-Z a-z 0-9 . _ -, not "
			       "starting with . or -)",
			       name);
	r = store_container_paths(ctx, name, &c);
	if (r < 0)
		return lx_fail(ctx, r, "out of memory");
	c->dirfd = open(c->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (c->dirfd < 0 && errno == ENOENT)
		return lx_fail(ctx, LX_SYNTHETIC(-ENOENT), "no container named '%s' in %s", name,
			       ctx->paths.lib);
	if (c->dirfd < 0)
		return lx_fail(ctx, -errno, "cannot open %s", c->dir);
	config_done(&c->cfg);
	r = store_load_defaults(ctx, &c->cfg);
	if (r < 0)
		return r;
	r = config_parse_file(c->config_path, /* global= */ false, &c->cfg, &err);
	if (r >= 0) {
		r = config_validate(&c->cfg, &err);
		/* The validator checks values, not a file: name the file it came from. */
		if (r < 0)
			(void)snprintf(err.file, sizeof(err.file), "%s", c->config_path);
	}
	if (r < 0)
		return store_report_config_error(ctx, r, &err);
	if (strcmp(c->cfg.name, name) != 0)
		return lx_fail(ctx, LX_SYNTHETIC(-EINVAL), "%s: container.name is '%s', not '%s'",
			       c->config_path, c->cfg.name, name);
	/* A btrfs container's rootfs is in the pool: mounted before anyone looks at it. */
	r = storage_open(ctx, c);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(c);
	return 0;
}

int store_lock_running(struct container *c)
{
	if (flock(c->dirfd, LOCK_EX | LOCK_NB) < 0)
		return errno == EWOULDBLOCK ? -EBUSY : -errno;
	return 0;
}

int store_lock_stopped(const struct lxmgr_ctx *ctx, const char *step, struct container *c)
{
	int r = store_lock_running(c);

	if (r == -EBUSY)
		return log_fail_full(ctx, step, LX_SYNTHETIC(r), "%s is running: stop it first",
				     c->name);
	if (r < 0)
		return log_fail_full(ctx, step, r, "lock %s", c->dir);
	return 0;
}

bool store_is_running(const struct container *c)
{
	_cleanup_close_ int fd = -EBADF;

	/* A fresh open file description: our own lock must not hide a monitor's. */
	fd = open(c->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return false;
	if (flock(fd, LOCK_SH | LOCK_NB) < 0)
		return errno == EWOULDBLOCK;
	return false;
}

static bool entry_is_dir(DIR *d, const struct dirent *de)
{
	struct stat st;

	if (de->d_type != DT_UNKNOWN)
		return de->d_type == DT_DIR;
	return fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int store_list_names(const struct lxmgr_ctx *ctx, char ***ret)
{
	_cleanup_closedir_ DIR *d = opendir(ctx->paths.lib);
	_cleanup_strv_ char **v = NULL;
	size_t n = 0;
	struct dirent *de;

	if (!d && errno != ENOENT)
		return -errno;
	while (d && (de = readdir(d))) {
		char **nv;

		/* Temporary directories of a create in progress start with '.'. */
		if (!name_is_valid(de->d_name) || !entry_is_dir(d, de))
			continue;
		nv = realloc(v, (n + 2) * sizeof(char *));
		if (!nv)
			return -ENOMEM;
		v = nv;
		v[n] = strdup(de->d_name);
		if (!v[n])
			return -ENOMEM;
		v[++n] = NULL;
	}
	if (!v) {
		v = calloc(1, sizeof(char *));
		if (!v)
			return -ENOMEM;
	}
	qsort(v, n, sizeof(char *), cmp_str);
	*ret = TAKE_PTR(v);
	return 0;
}

int store_lock_alloc(const struct lxmgr_ctx *ctx)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_close_ int fd = -EBADF;
	int r;

	r = mkdir_p(ctx->paths.run, 0755);
	if (r < 0)
		return r;
	if (xasprintf(&path, "%s/" STORE_ALLOC_LOCK, ctx->paths.run) < 0)
		return -ENOMEM;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX) < 0)
		return -errno;
	return TAKE_FD(fd);
}

/* NAME of LIB/.NAME.create-XXXXXX, the directory of a create in progress; false for other
 * names. */
static bool pending_create_name(const char *entry, char *ret, size_t size)
{
	const char *end = strstr(entry, ".create-");
	size_t len;

	if (entry[0] != '.' || !end || end == entry + 1)
		return false;
	len = (size_t)(end - entry - 1);
	if (len >= size)
		return false;
	memcpy(ret, entry + 1, len);
	ret[len] = '\0';
	return name_is_valid(ret);
}

/* Whether a create still holds the lock of its directory: one that died reserves nothing. */
static bool pending_is_live(int libfd, const char *entry)
{
	_cleanup_close_ int fd = openat(libfd, entry, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return false;
	return flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK;
}

struct visit {
	bool (*wanted)(void *userdata, const char *text);
	int (*fn)(void *userdata, const char *name, const struct container_config *c);
	void *userdata;
};

static int visit_config(const char *path, const char *name, const struct visit *v)
{
	_cleanup_free_ char *text = NULL;
	struct container_config c;
	size_t len;
	int r;

	/* A broken config is reported where it is opened, not here; a reservation a create
	 * has not written yet holds nothing. */
	if (read_file_at(AT_FDCWD, path, CONFIG_FILE_MAX, &text, &len) < 0 ||
	    (v->wanted && !v->wanted(v->userdata, text)))
		return 0;
	config_init_defaults(&c);
	r = config_parse_text(path, text, len, /* global= */ false, &c, NULL);
	r = r >= 0 ? v->fn(v->userdata, name, &c) : 0;
	config_done(&c);
	return r;
}

/* The reservations of creates in progress (their LIB/.NAME.create-XXXXXX/config): written
 * under the allocation lock, so that what one create took no other create or start takes. */
static int foreach_pending(const struct lxmgr_ctx *ctx, const struct visit *v)
{
	_cleanup_closedir_ DIR *d = opendir(ctx->paths.lib);
	struct dirent *de;
	char name[NAME_MAX + 1];

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		_cleanup_free_ char *path = NULL;
		int r;

		if (!pending_create_name(de->d_name, name, sizeof(name)) ||
		    !pending_is_live(dirfd(d), de->d_name))
			continue;
		if (xasprintf(&path, "%s/%s/config", ctx->paths.lib, de->d_name) < 0)
			return -ENOMEM;
		r = visit_config(path, name, v);
		if (r < 0)
			return r;
	}
	return 0;
}

int store_foreach_config_where(const struct lxmgr_ctx *ctx,
			       bool (*wanted)(void *userdata, const char *text),
			       int (*fn)(void *userdata, const char *name,
					 const struct container_config *c),
			       void *userdata)
{
	const struct visit v = {.wanted = wanted, .fn = fn, .userdata = userdata};
	_cleanup_strv_ char **names = NULL;
	int r;

	r = store_list_names(ctx, &names);
	if (r < 0)
		return r;
	STRV_FOREACH(name, names) {
		_cleanup_free_ char *path = NULL;

		if (xasprintf(&path, "%s/%s/config", ctx->paths.lib, *name) < 0)
			return -ENOMEM;
		r = visit_config(path, *name, &v);
		if (r < 0)
			return r;
	}
	return foreach_pending(ctx, &v);
}

int store_foreach_config(const struct lxmgr_ctx *ctx,
			 int (*fn)(void *userdata, const char *name,
				   const struct container_config *c),
			 void *userdata)
{
	return store_foreach_config_where(ctx, NULL, fn, userdata);
}
