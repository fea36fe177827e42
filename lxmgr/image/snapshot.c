/* snapshot.c: restore points of a container: sealed overlayfs layers and the records that
 * name them (docs/snapshots.md). */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "image/clone.h"
#include "store/config.h"
#include "run/control.h"
#include "image/copy.h"
#include "base/log.h"
#include "base/lxmgr.h"
#include "store/runtime.h"
#include "image/snapshot.h"
#include "image/snapshot-freeze.h"
#include "store/store.h"
#include "base/util.h"
#include "fs/storage.h"
#include "fs/rootless.h"

#define LOG_STEP "snapshot"

/* The container's next state, built aside and swapped in by one rename (commit_next). It
 * holds "pending" until it is in place: a gc finding overlay.next with the marker finishes
 * the swap when every layer it names exists, and drops it otherwise; without the marker,
 * overlay.next is the old state a swap moved out. */
#define NEXT_DIR CLONE_OVERLAY_DIR ".next"
#define PENDING "pending"
#define STACK "stack"

int snapshot_lock(const struct container *c, bool wait)
{
	int fd;

	if (mkdirat(c->dirfd, SNAPSHOT_DIR, 0700) < 0 && errno != EEXIST)
		return -errno;
	if (mkdirat(c->dirfd, SNAPSHOT_LAYERS_DIR, 0700) < 0 && errno != EEXIST)
		return -errno;
	fd = openat(c->dirfd, SNAPSHOT_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) < 0) {
		int r = -errno;

		(void)close(fd);
		return r == -EWOULDBLOCK ? -EBUSY : r;
	}
	return fd;
}

static bool exists_at(int dirfd, const char *path)
{
	struct stat st;

	return fstatat(dirfd, path, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

/* A stack file: layer ids, one a line, top first. */
static int read_stack(int dirfd, const char *path, char ***ret)
{
	_cleanup_free_ char *text = NULL;
	_cleanup_strv_ char **v = NULL;
	size_t len = 0, n = 0;
	char *save = NULL;
	int r;

	r = read_file_at(dirfd, path, 1 << 16, &text, &len);
	if (r < 0)
		return r;
	v = calloc(len / 2 + 2, sizeof(char *));
	if (!v)
		return -ENOMEM;
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (!name_is_valid(l))
			return -EBADMSG;
		v[n] = strdup(l);
		if (!v[n++])
			return -ENOMEM;
	}
	if (n == 0)
		return -EBADMSG;
	*ret = TAKE_PTR(v);
	return (int)n;
}

static bool layers_exist(const struct container *c, char **ids)
{
	STRV_FOREACH(id, ids) {
		_cleanup_free_ char *p = NULL;

		if (xasprintf(&p, SNAPSHOT_LAYERS_DIR "/%s", *id) < 0 || !exists_at(c->dirfd, p))
			return false;
	}
	return true;
}

static int join_lowers(const char *srcdir, char **ids, char **ret)
{
	_cleanup_free_ char *out = NULL;

	STRV_FOREACH(id, ids) {
		char *next = NULL;

		if (xasprintf(&next, "%s%s%s/" SNAPSHOT_LAYERS_DIR "/%s", out ? out : "",
			      out ? ":" : "", srcdir, *id) < 0)
			return -ENOMEM;
		free(out);
		out = next;
	}
	*ret = TAKE_PTR(out);
	return 0;
}

int snapshot_lower_of(const struct lxmgr_ctx *ctx, const char *ref, char **ret)
{
	_cleanup_free_ char *src = NULL, *dir = NULL, *stack = NULL;
	_cleanup_strv_ char **ids = NULL;
	const char *at = strchr(ref, '@');
	int r;

	if (!at)
		return xasprintf(ret, "%s/%s/rootfs", ctx->paths.lib, ref) < 0 ? -ENOMEM : 0;
	src = strndup(ref, (size_t)(at - ref));
	if (!src || xasprintf(&dir, "%s/%s", ctx->paths.lib, src) < 0)
		return -ENOMEM;
	if (at[1])
		r = xasprintf(&stack, "%s/" SNAPSHOT_DIR "/%s/" STACK, dir, at + 1);
	else
		r = xasprintf(&stack, "%s/" CLONE_OVERLAY_DIR "/" STACK, dir);
	if (r < 0)
		return -ENOMEM;
	r = read_stack(AT_FDCWD, stack, &ids);
	if (r < 0)
		return r;
	return join_lowers(dir, ids, ret);
}

bool snapshot_exists(const struct container *c, const char *snap)
{
	_cleanup_free_ char *p = NULL;

	if (!name_is_valid(snap) || xasprintf(&p, SNAPSHOT_DIR "/%s/" STACK, snap) < 0)
		return false;
	return exists_at(c->dirfd, p) || storage_snapshot_is_pool(c->dirfd, snap);
}

/* The container runs on its own stack (rootfs.snapshot_of = "NAME@"): overlay/stack is the
 * mark, so that gc, which loads no config, can tell too. */
static bool own_layered(const struct container *c)
{
	return exists_at(c->dirfd, CLONE_OVERLAY_DIR "/" STACK);
}

/* Writes snapshots/SNAP (stack, config, created) under a temporary name, then renames it:
 * a record exists whole or not at all. */
static int write_record(const struct container *c, const char *snap, const char *stack,
			const char *config)
{
	_cleanup_free_ char *tmp = NULL, *dst = NULL, *p1 = NULL, *p2 = NULL, *p3 = NULL;
	char created[32];
	int r;

	if (xasprintf(&tmp, SNAPSHOT_DIR "/.tmp-%s", snap) < 0 ||
	    xasprintf(&dst, SNAPSHOT_DIR "/%s", snap) < 0 || xasprintf(&p1, "%s/" STACK, tmp) < 0 ||
	    xasprintf(&p2, "%s/config", tmp) < 0 || xasprintf(&p3, "%s/created", tmp) < 0)
		return -ENOMEM;
	(void)snprintf(created, sizeof(created), "%lld\n", (long long)time(NULL));
	r = rm_rf_at(c->dirfd, tmp);
	if (r < 0)
		return r;
	if (mkdirat(c->dirfd, tmp, 0700) < 0)
		return -errno;
	r = write_file_atomic_at(c->dirfd, p1, stack, strlen(stack), 0600);
	if (r >= 0)
		r = write_file_atomic_at(c->dirfd, p2, config, strlen(config), 0600);
	if (r >= 0)
		r = write_file_atomic_at(c->dirfd, p3, created, strlen(created), 0600);
	if (r < 0)
		return r;
	return NEG_ERRNO(renameat(c->dirfd, tmp, c->dirfd, dst));
}

/* overlay.next: a fresh upper and work over stack, and the config the container gets with
 * it (config, with rootfs.snapshot_of set to "NAME@"). */
static int prepare_next(const struct container *c, const char *stack, const char *config)
{
	_cleanup_free_ char *cfgpath = NULL, *ref = NULL;
	struct config_error err = {0};
	int r;

	r = rm_rf_at(c->dirfd, NEXT_DIR);
	if (r < 0)
		return r;
	if (mkdirat(c->dirfd, NEXT_DIR, 0700) < 0 ||
	    mkdirat(c->dirfd, NEXT_DIR "/upper", 0755) < 0 ||
	    mkdirat(c->dirfd, NEXT_DIR "/work", 0755) < 0)
		return -errno;
	r = write_file_atomic_at(c->dirfd, NEXT_DIR "/" STACK, stack, strlen(stack), 0600);
	if (r >= 0)
		r = write_file_atomic_at(c->dirfd, NEXT_DIR "/config", config, strlen(config),
					 0600);
	if (r < 0)
		return r;
	if (xasprintf(&cfgpath, "%s/" NEXT_DIR "/config", c->dir) < 0 ||
	    xasprintf(&ref, "%s@", c->name) < 0)
		return -ENOMEM;
	r = config_edit_file(cfgpath, "rootfs.snapshot_of", ref, &err);
	if (r < 0)
		return r;
	return write_file_atomic_at(c->dirfd, NEXT_DIR "/" PENDING, "", 0, 0600);
}

static bool dir_is_empty(int dirfd, const char *path)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	int fd = openat(dirfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			(void)close(fd);
		return true;
	}
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			return false;
	return true;
}

/* What a swap moved out goes to .trash-ID, which a detached process removes: removing a
 * plain rootfs takes about as long as copying it, and restore must not. gc removes what a
 * killed remover left. */
static int to_trash(const struct container *c, const char *path)
{
	char name[40] = ".trash-";

	if (!exists_at(c->dirfd, path))
		return 0;
	unique_time_id(name + strlen(name));
	return NEG_ERRNO(renameat(c->dirfd, path, c->dirfd, name));
}

static bool is_trash(const char *name)
{
	return !strncmp(name, ".trash-", 7);
}

static int empty_trash(int dirfd)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	int fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 3), n = 0;

	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			(void)close(fd);
		return 0;
	}
	while ((de = readdir(d))) {
		_cleanup_close_ int t = -EBADF;

		if (!is_trash(de->d_name))
			continue;
		/* One remover per directory: two would trip over each other's removals. */
		t = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (t < 0 || flock(t, LOCK_EX | LOCK_NB) < 0)
			continue;
		if (rm_rf_at(dirfd, de->d_name) >= 0)
			n++;
	}
	return n;
}

static void empty_trash_in_background(const struct container *c)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0)
		return;
	if (pid > 0) {
		(void)waitpid(pid, NULL, 0);
		return;
	}
	/* The locks are held through inherited descriptors (flock): every one is dropped here,
	 * before our parent's waitpid() returns, with the caller's stdout, which a $(...) would
	 * wait on. Only then does the remover fork off. */
	(void)setsid();
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		(void)dup2(fd, STDIN_FILENO);
		(void)dup2(fd, STDOUT_FILENO);
		(void)dup2(fd, STDERR_FILENO);
	}
	(void)close_range(3, ~0U, 0);
	fd = open(c->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fork() != 0)
		_exit(0);
	(void)empty_trash(fd);
	_exit(0);
}

/* The steps after the swap, each one idempotent (gc runs them again): the config that came
 * with the new state, an empty rootfs directory (the overlay's mount point) in place of a
 * plain rootfs, and what the swap moved out. */
static int finish_next(const struct container *c)
{
	int r;

	if (exists_at(c->dirfd, CLONE_OVERLAY_DIR "/" PENDING) &&
	    unlinkat(c->dirfd, CLONE_OVERLAY_DIR "/" PENDING, 0) < 0)
		return -errno;
	if (exists_at(c->dirfd, CLONE_OVERLAY_DIR "/config") &&
	    renameat(c->dirfd, CLONE_OVERLAY_DIR "/config", c->dirfd, "config") < 0)
		return -errno;
	if (!dir_is_empty(c->dirfd, "rootfs") &&
	    renameat(c->dirfd, "rootfs", c->dirfd, "rootfs.old") < 0)
		return -errno;
	if (!exists_at(c->dirfd, "rootfs") && mkdirat(c->dirfd, "rootfs", 0755) < 0)
		return -errno;
	r = to_trash(c, "rootfs.old");
	if (r >= 0)
		r = to_trash(c, NEXT_DIR);
	if (r >= 0)
		empty_trash_in_background(c);
	return r;
}

/* Swaps overlay.next in (RENAME_EXCHANGE with the old state, which then sits in
 * overlay.next without the pending marker), then finishes. */
static int commit_next(const struct container *c)
{
	if (exists_at(c->dirfd, CLONE_OVERLAY_DIR)) {
		if (renameat2(c->dirfd, NEXT_DIR, c->dirfd, CLONE_OVERLAY_DIR, RENAME_EXCHANGE) < 0)
			return -errno;
	} else if (renameat(c->dirfd, NEXT_DIR, c->dirfd, CLONE_OVERLAY_DIR) < 0) {
		return -errno;
	}
	return finish_next(c);
}

static int read_config_text(const struct container *c, const char *path, char **ret)
{
	size_t len = 0;

	return read_file_at(c->dirfd, path, 1 << 20, ret, &len);
}

/* The stack of c after sealing layer id on top of what it runs on now. */
static int stack_with(const struct container *c, const char *id, char **ret)
{
	_cleanup_free_ char *old = NULL;
	int r = 0;

	if (own_layered(c))
		r = read_config_text(c, CLONE_OVERLAY_DIR "/" STACK, &old);
	if (r < 0)
		return r;
	return xasprintf(ret, "%s\n%s", id, old ? old : "") < 0 ? -ENOMEM : 0;
}

/* A stopped container: its writable layer (the plain rootfs, or overlay/upper) becomes
 * sealed layer ID by a rename; the container goes on over a fresh upper. No data moves. */
static int seal_stopped(const struct lxmgr_ctx *ctx, struct container *c, const char *snap)
{
	_cleanup_free_ char *stack = NULL, *config = NULL, *layer = NULL;
	const char *src = own_layered(c) ? CLONE_OVERLAY_DIR "/upper" : "rootfs";
	char id[24];
	int r;

	unique_time_id(id);
	if (stack_with(c, id, &stack) < 0 || read_config_text(c, "config", &config) < 0 ||
	    xasprintf(&layer, SNAPSHOT_LAYERS_DIR "/%s", id) < 0)
		return lx_fail(ctx, -ENOMEM, "read the stack and config of %s", c->name);
	r = prepare_next(c, stack, config);
	if (r < 0)
		return lx_fail(ctx, r, "prepare %s/" NEXT_DIR, c->dir);
	r = write_record(c, snap, stack, config);
	if (r < 0) {
		(void)rm_rf_at(c->dirfd, NEXT_DIR);
		return lx_fail(ctx, r, "write the record %s/" SNAPSHOT_DIR "/%s", c->dir, snap);
	}
	/* From here the next state is complete: a gc finishes it. */
	if (renameat(c->dirfd, src, c->dirfd, layer) < 0)
		return lx_fail(ctx, -errno, "seal %s/%s as %s", c->dir, src, layer);
	r = commit_next(c);
	return r < 0 ? lx_fail(ctx, r, "switch %s to its new layer", c->name) : 0;
}

/* A running container: frozen while its writable layer is copied into a new sealed layer. */
static int copy_running(const struct lxmgr_ctx *ctx, struct container *c, const char *id)
{
	_cleanup_free_ char *src = NULL, *tmp = NULL;

	if (xasprintf(&src, "%s/%s", c->dir,
		      own_layered(c) ? CLONE_OVERLAY_DIR "/upper" : "rootfs") < 0 ||
	    xasprintf(&tmp, "%s/" SNAPSHOT_LAYERS_DIR "/.tmp-%s", c->dir, id) < 0)
		return lx_fail(ctx, -ENOMEM, "out of memory");
	return snapshot_copy_frozen(ctx, c, src, tmp);
}

static int snap_running(const struct lxmgr_ctx *ctx, struct container *c, const char *snap)
{
	_cleanup_free_ char *stack = NULL, *config = NULL, *tmp = NULL, *layer = NULL;
	char id[24];
	int r;

	unique_time_id(id);
	if (stack_with(c, id, &stack) < 0 || read_config_text(c, "config", &config) < 0 ||
	    xasprintf(&tmp, SNAPSHOT_LAYERS_DIR "/.tmp-%s", id) < 0 ||
	    xasprintf(&layer, SNAPSHOT_LAYERS_DIR "/%s", id) < 0)
		return lx_fail(ctx, -ENOMEM, "read the stack and config of %s", c->name);
	r = copy_running(ctx, c, id);
	if (r < 0)
		return r;
	if (renameat(c->dirfd, tmp, c->dirfd, layer) < 0)
		return lx_fail(ctx, -errno, "rename %s/%s", c->dir, tmp);
	r = write_record(c, snap, stack, config);
	return r < 0 ? lx_fail(ctx, r, "write the record %s/" SNAPSHOT_DIR "/%s", c->dir, snap) : 0;
}

static int check_can_snapshot(const struct lxmgr_ctx *ctx, const struct container *c,
			      const char *snap)
{
	char names[256];
	int n;

	/* A temporary snapshot's name is a dot-name (snapshot_create_temporary). */
	if (!name_is_valid(snap) && strncmp(snap, ".tmp-", 5))
		return lx_fail(ctx, LX_SYNTHETIC(-EINVAL), "invalid snapshot name '%s'", snap);
	/* Rootless, all layers carry the container's own ids: no idmap needed (rootless.h). */
	if (c->cfg.rootfs_shifted && !rootless_active())
		return lx_fail(ctx, LX_SYNTHETIC(-EOPNOTSUPP),
			       "%s has a shifted rootfs (rootfs.shifted = yes): snapshots need an "
			       "idmapped one",
			       c->name);
	if (c->cfg.snapshot_of[0] && !own_layered(c))
		return lx_fail(ctx, LX_SYNTHETIC(-EOPNOTSUPP),
			       "%s is a snapshot clone of %s: make a full clone of it to take "
			       "snapshots",
			       c->name, c->cfg.snapshot_of);
	if (snapshot_exists(c, snap))
		return lx_fail(ctx, LX_SYNTHETIC(-EEXIST), "%s already has a snapshot %s", c->name,
			       snap);
	n = clone_snapshots_of(ctx, c->name, names, sizeof(names));
	if (n > 0 && !own_layered(c))
		return lx_fail(ctx, LX_SYNTHETIC(-EBUSY),
			       "%s's rootfs is the lower layer of snapshot clones (%s): destroy "
			       "them first",
			       c->name, names);
	return n < 0 ? lx_fail(ctx, n, "list the snapshot clones of %s", c->name) : 0;
}

static int gc_layers(const struct container *c);

int snapshot_create_temporary(const struct lxmgr_ctx *ctx, struct container *c, const char *what,
			      char ret_name[static 65], int *ret_lock)
{
	_cleanup_close_ int lock = -EBADF;
	int r;

	(void)snprintf(ret_name, 65, ".tmp-%s-%d", what, (int)getpid());
	r = check_can_snapshot(ctx, c, ret_name);
	if (r < 0)
		return r;
	lock = snapshot_lock(c, /* wait= */ true);
	if (lock < 0)
		return lx_fail(ctx, lock, "lock %s/" SNAPSHOT_DIR, c->dir);
	r = snap_running(ctx, c, ret_name);
	if (r >= 0)
		*ret_lock = TAKE_FD(lock);
	return r;
}

struct temporary {
	const struct container *c;
	const char *rec;
};

static int drop_temporary(void *userdata)
{
	const struct temporary *t = userdata;
	/* Its dot-name is one gc removes, with its layer, should we be killed here. */
	int r = rm_rf_at(t->c->dirfd, t->rec);

	return r < 0 ? r : gc_layers(t->c);
}

int snapshot_drop_temporary(struct container *c, const char *snap, int lock)
{
	_cleanup_close_ int fd = lock;
	_cleanup_free_ char *rec = NULL;
	struct temporary t = {.c = c};

	if (xasprintf(&rec, SNAPSHOT_DIR "/%s", snap) < 0)
		return -ENOMEM;
	t.rec = rec;
	/* Its layer holds the block's files (snapshot_copy_frozen). */
	return rootless_run_as_block_root(c->cfg.uid_base, c->cfg.gid_base, c->cfg.id_count,
					  drop_temporary, &t);
}

int snapshot_create(const struct lxmgr_ctx *ctx, struct container *c, const char *snap)
{
	_cleanup_close_ int lock = -EBADF;
	int r;

	r = check_can_snapshot(ctx, c, snap);
	if (r < 0)
		return r;
	lock = snapshot_lock(c, /* wait= */ true);
	if (lock < 0)
		return lx_fail(ctx, lock, "lock %s/" SNAPSHOT_DIR, c->dir);
	if (snapshot_exists(c, snap))
		return lx_fail(ctx, LX_SYNTHETIC(-EEXIST), "%s already has a snapshot %s", c->name,
			       snap);
	/* Stopped: the running lock keeps a start away until the container is switched. */
	r = store_lock_running(c);
	if (storage_of(&c->cfg) != STORAGE_DIR && (r >= 0 || r == -EBUSY))
		return storage_snapshot_create(ctx, c, snap,
					       r == -EBUSY ? snapshot_freeze_for_copy : NULL);
	if (r == -EBUSY)
		return snap_running(ctx, c, snap);
	if (r < 0)
		return lx_fail(ctx, r, "lock %s", c->dir);
	return seal_stopped(ctx, c, snap);
}

int snapshot_restore(const struct lxmgr_ctx *ctx, struct container *c, const char *snap)
{
	_cleanup_free_ char *stack = NULL, *config = NULL, *p = NULL;
	_cleanup_strv_ char **ids = NULL;
	_cleanup_close_ int lock = -EBADF;
	int r;

	lock = snapshot_lock(c, /* wait= */ true);
	if (lock < 0)
		return lx_fail(ctx, lock, "lock %s/" SNAPSHOT_DIR, c->dir);
	if (!snapshot_exists(c, snap))
		return lx_fail(ctx, LX_SYNTHETIC(-ENOENT), "%s has no snapshot %s", c->name, snap);
	if (storage_snapshot_is_pool(c->dirfd, snap))
		return storage_snapshot_restore(ctx, c, snap);
	if (xasprintf(&p, SNAPSHOT_DIR "/%s/" STACK, snap) < 0)
		return lx_fail(ctx, -ENOMEM, "out of memory");
	r = read_stack(c->dirfd, p, &ids);
	if (r < 0 || read_config_text(c, p, &stack) < 0)
		return lx_fail(ctx, r < 0 ? r : -EIO, "read %s/%s", c->dir, p);
	if (!layers_exist(c, ids))
		return lx_fail(ctx, LX_SYNTHETIC(-ENOENT),
			       "a layer of snapshot %s is missing in %s", snap, c->dir);
	free(p);
	if (xasprintf(&p, SNAPSHOT_DIR "/%s/config", snap) < 0 ||
	    read_config_text(c, p, &config) < 0)
		return lx_fail(ctx, -EIO, "read %s/%s/" SNAPSHOT_DIR "/%s/config", c->dir, snap,
			       snap);
	r = prepare_next(c, stack, config);
	if (r < 0)
		return lx_fail(ctx, r, "prepare %s/" NEXT_DIR, c->dir);
	r = commit_next(c);
	return r < 0 ? lx_fail(ctx, r, "switch %s to snapshot %s", c->name, snap) : 0;
}

/* Adds the ids of the stack file at path to *set (a strv grown by realloc). */
static int add_refs(int dirfd, const char *path, char ***set, size_t *n)
{
	_cleanup_strv_ char **ids = NULL;
	int r = read_stack(dirfd, path, &ids);
	char **grown;
	size_t k = 0;

	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	grown = realloc(*set, (*n + (size_t)r + 1) * sizeof(char *));
	if (!grown)
		return -ENOMEM;
	*set = grown;
	for (; ids[k]; k++)
		(*set)[(*n)++] = TAKE_PTR(ids[k]);
	(*set)[*n] = NULL;
	return 0;
}

/* Every layer id that a record, the container's stack or a pending next state names. */
static int referenced_layers(const struct container *c, char ***ret)
{
	_cleanup_closedir_ DIR *d = NULL;
	_cleanup_strv_ char **set = calloc(1, sizeof(char *));
	struct dirent *de;
	size_t n = 0;
	int fd, r;

	if (!set)
		return -ENOMEM;
	r = add_refs(c->dirfd, CLONE_OVERLAY_DIR "/" STACK, &set, &n);
	if (r >= 0)
		r = add_refs(c->dirfd, NEXT_DIR "/" STACK, &set, &n);
	if (r < 0)
		return r;
	fd = openat(c->dirfd, SNAPSHOT_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || !(d = fdopendir(fd)))
		return fd < 0 ? -errno : (close(fd), -ENOMEM);
	while ((de = readdir(d))) {
		_cleanup_free_ char *p = NULL;

		if (de->d_name[0] == '.')
			continue;
		if (xasprintf(&p, SNAPSHOT_DIR "/%s/" STACK, de->d_name) < 0)
			return -ENOMEM;
		r = add_refs(c->dirfd, p, &set, &n);
		if (r < 0)
			return r;
	}
	*ret = TAKE_PTR(set);
	return 0;
}

static bool strv_has(char **v, const char *s)
{
	STRV_FOREACH(p, v)
		if (!strcmp(*p, s))
			return true;
	return false;
}

/* Removes, in dir (a directory of c), the entries that drop says to. Returns how many. */
static int remove_entries(const struct container *c, const char *dir,
			  bool (*drop)(const struct container *c, const char *name, void *u),
			  void *u)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	int fd, n = 0;

	fd = openat(c->dirfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			(void)close(fd);
		return 0;
	}
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    !drop(c, de->d_name, u))
			continue;
		if (rm_rf_at(dirfd(d), de->d_name) >= 0)
			n++;
	}
	return n;
}

static bool unreferenced(const struct container *c, const char *name, void *u)
{
	(void)c;
	return name[0] == '.' || !strv_has(u, name);
}

static int gc_layers(const struct container *c)
{
	_cleanup_strv_ char **refs = NULL;
	int r = referenced_layers(c, &refs);

	/* Whatever cannot be read keeps every layer. */
	return r < 0 ? r : remove_entries(c, SNAPSHOT_LAYERS_DIR, unreferenced, refs);
}

int snapshot_delete(const struct lxmgr_ctx *ctx, struct container *c, const char *snap)
{
	_cleanup_free_ char *rec = NULL, *grave = NULL;
	_cleanup_close_ int lock = -EBADF;
	char names[256];
	int r;

	lock = snapshot_lock(c, /* wait= */ true);
	if (lock < 0)
		return lx_fail(ctx, lock, "lock %s/" SNAPSHOT_DIR, c->dir);
	if (!snapshot_exists(c, snap))
		return lx_fail(ctx, LX_SYNTHETIC(-ENOENT), "%s has no snapshot %s", c->name, snap);
	if (storage_snapshot_is_pool(c->dirfd, snap))
		return storage_snapshot_delete(ctx, c, snap);
	if (xasprintf(&rec, "%s@%s", c->name, snap) < 0)
		return lx_fail(ctx, -ENOMEM, "out of memory");
	r = snapshot_clones_of(ctx, rec, names, sizeof(names));
	if (r < 0)
		return lx_fail(ctx, r, "list the snapshot clones of %s", rec);
	if (r > 0)
		return lx_fail(ctx, LX_SYNTHETIC(-EBUSY),
			       "snapshot %s is the lower layer of snapshot clone%s %s: destroy "
			       "them first",
			       rec, r == 1 ? "" : "s", names);
	free(rec);
	rec = NULL;
	if (xasprintf(&rec, SNAPSHOT_DIR "/%s", snap) < 0 ||
	    xasprintf(&grave, SNAPSHOT_DIR "/.del-%s", snap) < 0)
		return lx_fail(ctx, -ENOMEM, "out of memory");
	/* Out of sight first: a killed delete leaves a .del- directory for gc, not half a
	 * record. */
	if (renameat(c->dirfd, rec, c->dirfd, grave) < 0)
		return lx_fail(ctx, -errno, "rename %s/%s", c->dir, rec);
	r = rm_rf_at(c->dirfd, grave);
	if (r >= 0)
		r = gc_layers(c);
	return r < 0 ? lx_fail(ctx, r, "remove the layers of %s", rec) : 0;
}

static bool is_tmp(const struct container *c, const char *name, void *u)
{
	(void)c;
	(void)u;
	return !strncmp(name, ".tmp-", 5) || !strncmp(name, ".del-", 5);
}

/* A record whose layers are not all there: one written by a seal killed before its rename. */
static bool is_incomplete(const struct container *c, const char *name, void *u)
{
	_cleanup_free_ char *p = NULL;
	_cleanup_strv_ char **ids = NULL;

	(void)u;
	if (name[0] == '.' || xasprintf(&p, SNAPSHOT_DIR "/%s/" STACK, name) < 0)
		return false;
	/* A pool's record is written whole before its rename (storage.c). */
	if (storage_snapshot_is_pool(c->dirfd, name))
		return false;
	return read_stack(c->dirfd, p, &ids) == -ENOENT || (ids && !layers_exist(c, ids));
}

/* A stopped container: finishes a swap that has all its layers, or drops it. */
static int gc_next(const struct container *c)
{
	_cleanup_strv_ char **ids = NULL;

	if (exists_at(c->dirfd, NEXT_DIR "/" PENDING) &&
	    read_stack(c->dirfd, NEXT_DIR "/" STACK, &ids) > 0 && layers_exist(c, ids))
		return commit_next(c);
	if (exists_at(c->dirfd, NEXT_DIR) && rm_rf_at(c->dirfd, NEXT_DIR) < 0)
		return -errno;
	return own_layered(c) ? finish_next(c) : 0;
}

int snapshot_gc(const struct lxmgr_ctx *ctx, struct container *c, bool locked)
{
	_cleanup_close_ int lock = -EBADF;
	int n = 0, r;

	if (!exists_at(c->dirfd, SNAPSHOT_DIR) && !snapshot_left_frozen(c) &&
	    !exists_at(c->dirfd, NEXT_DIR))
		return 0;
	lock = snapshot_lock(c, /* wait= */ false);
	if (lock < 0)
		return lock == -EBUSY ? 0 : lock; /* a snapshot verb is at work */
	if (snapshot_left_frozen(c)) {
		snapshot_thaw_left_frozen(ctx, c, /* stopped= */ locked);
		n++;
	}
	n += remove_entries(c, SNAPSHOT_DIR, is_tmp, NULL);
	n += empty_trash(c->dirfd);
	if (locked) {
		r = gc_next(c);
		if (r < 0)
			return r;
		n += remove_entries(c, SNAPSHOT_DIR, is_incomplete, NULL);
	}
	r = gc_layers(c);
	return r < 0 ? r : n + r;
}
