/* create.c: making a container in the store, atomically (DESIGN §8). */
#include <fcntl.h>
#include <linux/fs.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uuid/uuid.h>

#include "base/cleanup.h"
#include "base/lazy-libs.h"
#include "base/log.h"
#include "base/lxmgr.h"
#include "base/util.h"
#include "fs/idmap-alloc.h"
#include "fs/idmap.h"
#include "fs/rootfs.h"
#include "fs/rootless.h"
#include "fs/storage.h"
#include "guest/guest.h"
#include "guest/identity.h"
#include "guest/login.h"
#include "image/clone.h"
#include "image/copy.h"
#include "image/create-build.h"
#include "image/create.h"
#include "image/import.h"
#include "image/rootless-copy.h"
#include "image/rootless-template.h"
#include "image/snapshot.h"
#include "image/template-cache.h"
#include "image/template.h"
#include "network/network.h"
#include "run/hooks.h"
#include "store/store.h"

#define LOG_STEP "create"

static int check_target_free(const struct lxmgr_ctx *ctx, const char *name)
{
	_cleanup_free_ char *path = NULL;
	struct stat st;

	if (xasprintf(&path, "%s/%s", ctx->paths.lib, name) < 0)
		return lx_fail(ctx, -ENOMEM, "out of memory");
	if (lstat(path, &st) == 0)
		return lx_fail(ctx, LX_SYNTHETIC(-EEXIST), "a container named '%s' exists already",
			       name);
	return 0;
}

static int check_source(struct build *b)
{
	const struct lxmgr_ctx *ctx = b->ctx;
	const struct create_request *req = b->req;
	_cleanup_close_ int fd = -EBADF;
	int r;

	if (req->clone_of)
		return 0; /* clone_check_source() */
	if (req->tmpl)
		return template_choose(ctx, req->tmpl, &b->tmpl);
	if (req->tarball) {
		if (access(req->tarball, R_OK) < 0)
			return lx_fail(ctx, -errno, "tarball %s", req->tarball);
		return 0;
	}
	fd = open(req->source_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return lx_fail(ctx, -errno, "rootfs %s", req->source_dir);
	r = guest_check_init(fd, "/sbin/init");
	if (r < 0)
		return lx_fail(ctx, LX_SYNTHETIC(r),
			       "%s has no executable /sbin/init: not a bootable "
			       "root filesystem",
			       req->source_dir);
	return 0;
}

/* clone: the source's config as it loads (defaults, lxmgr.conf, its file) without what is
 * its own identity; its network mode unless --net says otherwise. */
static int clone_base_config(const struct lxmgr_ctx *ctx, const struct create_request *req,
			     struct container_config *cfg)
{
	const char *at = req->clone_ref ? strchr(req->clone_ref, '@') : NULL;
	_cleanup_free_ char *snapcfg = NULL;
	struct config_error e = {0};
	bool overlay;
	int r;

	if (at &&
	    xasprintf(&snapcfg, "%s/" SNAPSHOT_DIR "/%s/config", req->clone_of->dir, at + 1) < 0)
		return lx_fail(ctx, -ENOMEM, "out of memory");
	if (req->base_config)
		r = config_parse_file(req->base_config, false, cfg, &e);
	else
		r = config_parse_file(snapcfg ? snapcfg : req->clone_of->config_path, false, cfg,
				      &e);
	if (r < 0)
		return store_report_config_error(ctx, r, &e);
	/* A btrfs clone is a subvolume snapshot: a rootfs of its own, no lower layer. */
	overlay = req->snapshot && storage_of(&req->clone_of->cfg) != STORAGE_BTRFS;
	r = clone_reset_config(cfg, !overlay         ? NULL
				    : req->clone_ref ? req->clone_ref
						     : req->clone_of->name);
	return r < 0 ? lx_fail(ctx, r, "reset the clone's config") : 0;
}

static int make_tmpdir(struct build *b)
{
	const struct lxmgr_ctx *ctx = b->ctx;
	int r;

	r = mkdir_p(ctx->paths.lib, 0700);
	if (r < 0)
		return lx_fail(ctx, r, "create %s", ctx->paths.lib);
	r = xasprintf(&b->tmpdir, "%s/.%s.create-XXXXXX", ctx->paths.lib, b->req->name);
	if (r < 0)
		return lx_fail(ctx, r, "out of memory");
	if (!mkdtemp(b->tmpdir)) {
		free(b->tmpdir);
		b->tmpdir = NULL;
		return lx_fail(ctx, -errno, "create a directory in %s", ctx->paths.lib);
	}
	b->tmpfd = open(b->tmpdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (b->tmpfd < 0 || flock(b->tmpfd, LOCK_EX) < 0 || chmod(b->tmpdir, 0755) < 0)
		return lx_fail(ctx, -errno, "lock %s", b->tmpdir);
	r = xasprintf(&b->tmp_rootfs, "%s/rootfs", b->tmpdir);
	return r < 0 ? lx_fail(ctx, r, "out of memory") : 0;
}

static int decide_ownership(struct build *b)
{
	_cleanup_free_ char *failed = NULL;
	int r;

	/* A snapshot's layers are idmapped at each start; an overlay itself cannot be. Rootless:
	 * unpacked inside the range's user namespace, the tree is shifted already. */
	if (b->rootless || (b->req->snapshot && !b->pool_clone) ||
	    (!b->req->force_shift && rootfs_supports_idmap(b->tmp_rootfs)))
		return 0;
	/* The filesystem cannot be idmapped: shift once, now, and remember it. */
	lx_info(b->ctx, "shifting ownership of the rootfs by %u", b->cfg.uid_base);
	r = shift_tree(b->tmp_rootfs, b->cfg.uid_base, b->cfg.gid_base, &failed);
	if (r < 0)
		return lx_fail(b->ctx, r, "shift ownership of %s", failed ? failed : b->tmp_rootfs);
	b->cfg.rootfs_shifted = true;
	return 0;
}

/* A path as rootfs.source records it: absolute where it can be resolved. */
static char *source_path(const char *path)
{
	char *abs = realpath(path, NULL);

	return abs ? abs : strdup(path);
}

/* rootfs.source: where the rootfs came from. Characters an INI value cannot hold become
 * '?' (the key is informational). */
static int describe_source(const struct build *b, char **ret)
{
	const struct create_request *req = b->req;
	const struct template_request *t = req->tmpl;
	_cleanup_free_ char *path = NULL;
	char *text = NULL;
	int r;

	if (req->source_label)
		r = (text = strdup(req->source_label)) ? 0 : -ENOMEM;
	else if (req->clone_of)
		r = xasprintf(&text, "%s of %s", req->snapshot ? "snapshot" : "clone",
			      req->clone_ref ? req->clone_ref : req->clone_of->name);
	else if (t && (t->file || t->url || t->image)) {
		path = t->file ? source_path(t->file) : strdup(t->url ? t->url : t->image);
		r = path ? xasprintf(&text, "template %s %s", b->tmpl.info.name, path) : -ENOMEM;
	} else if (t)
		r = xasprintf(&text, "template %s %s %s", b->tmpl.info.name,
			      b->tmpl.release ? b->tmpl.release : "-", b->tmpl.arch);
	else {
		path = source_path(req->tarball ? req->tarball : req->source_dir);
		r = path ? xasprintf(&text, "%s %s",
				     req->tarball            ? "tarball"
				     : req->adopt_source_dir ? "import"
							     : "directory",
				     path)
			 : -ENOMEM;
	}
	if (r < 0)
		return -ENOMEM;
	for (char *p = text; *p; p++)
		if (!config_text_char_is_kept(*p))
			*p = '?';
	*ret = text;
	return 0;
}

static int make_config(struct build *b)
{
	const struct create_request *req = b->req;
	_cleanup_close_ int rootfd = -EBADF;
	char uuid[37];
	uuid_t u;
	int r;

	rootfd = open(b->tmp_rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return lx_fail(b->ctx, -errno, "open %s", b->tmp_rootfs);
	r = guest_check_init(rootfd, b->cfg.init);
	if (r < 0)
		return lx_fail(b->ctx, LX_SYNTHETIC(r), "the root filesystem has no executable %s",
			       b->cfg.init);
	(void)guest_detect_init(rootfd, b->cfg.init, &b->cfg.init_kind, &b->cfg.systemd_version);
	b->cfg.stop_signal = guest_stop_signal(b->cfg.init_kind);
	b->cfg.cgroup_layout = guest_cgroup_layout(b->cfg.init_kind, b->cfg.systemd_version);
	uuid_generate_random(u);
	uuid_unparse_lower(u, uuid);
	b->cfg.name = strdup(req->name);
	b->cfg.uuid = strdup(req->keep_uuid ? req->keep_uuid : uuid);
	b->cfg.hostname = strdup(req->hostname        ? req->hostname
				 : req->keep_hostname ? req->keep_hostname
						      : req->name);
	if (req->keep_mac && strlen(req->keep_mac) < sizeof(b->cfg.net_mac))
		memcpy(b->cfg.net_mac, req->keep_mac, strlen(req->keep_mac) + 1);
	free(b->cfg.rootfs_source);
	b->cfg.rootfs_source = NULL;
	if (!b->cfg.name || !b->cfg.uuid || !b->cfg.hostname ||
	    describe_source(b, &b->cfg.rootfs_source) < 0)
		return lx_fail(b->ctx, -ENOMEM, "out of memory");
	r = decide_ownership(b);
	if (r < 0)
		return r;
	r = guest_write_identity(rootfd, b->cfg.hostname,
				 b->cfg.rootfs_shifted ? b->cfg.uid_base : 0,
				 b->cfg.rootfs_shifted ? b->cfg.gid_base : 0);
	if (r < 0)
		return lx_fail(b->ctx, r, "write /etc/hostname, /etc/hosts, /etc/machine-id");
	/* A copied tree must not boot as the machine it was copied from (unless it moves). */
	if (req->keep_uuid)
		return 0;
	r = identity_reset(rootfd, b->cfg.rootfs_shifted ? b->cfg.uid_base : 0,
			   b->cfg.rootfs_shifted ? b->cfg.gid_base : 0);
	return r < 0 ? log_fail_full(b->ctx, "identity", r,
				     "reset machine-id, SSH host keys and DHCP leases")
		     : 0;
}

/* Root's password and the console autologin drop-in, written as the rootfs stores owners. */
static int set_up_login(struct build *b)
{
	_cleanup_close_ int rootfd = -EBADF;
	uid_t uid = b->cfg.rootfs_shifted ? b->cfg.uid_base : 0;
	gid_t gid = b->cfg.rootfs_shifted ? b->cfg.gid_base : 0;
	int r;

	rootfd = open(b->tmp_rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return lx_fail(b->ctx, -errno, "open %s", b->tmp_rootfs);
	if (b->req->root_password) {
		r = login_set_password(rootfd, "root", b->req->root_password);
		if (r == -ESRCH)
			return log_fail_full(b->ctx, "login", LX_SYNTHETIC(r),
					     "the rootfs's /etc/shadow has no line for root");
		if (r < 0)
			return log_fail_full(b->ctx, "login", r,
					     "set root's password in the rootfs's /etc/shadow");
	}
	if (!b->cfg.console_autologin[0])
		return 0;
	r = login_apply_autologin(rootfd, b->cfg.console_autologin, uid, gid);
	return r < 0 ? log_fail_full(b->ctx, "login", r, "install the console autologin drop-in")
		     : 0;
}

/* A rootless snapshot clone stands on its source's layers, which carry the source's ids and
 * cannot be idmapped without privilege: it runs in the source's block (idmap_block_owner()). */
static bool shares_source_ids(const struct build *b)
{
	return rootless_active() && b->req->clone_of && b->req->snapshot;
}

/* Chooses the network (net.ip, net.ip6, net.pool) and the id range under the store's
 * allocation lock and writes them into the temporary directory's config, which every later
 * allocation reads (store_foreach_config) until this create renames it into place or dies:
 * parallel creates and starts never take the same ids or address, and the copy that follows
 * runs without the lock. */
static int reserve(struct build *b)
{
	_cleanup_close_ int lock = -EBADF;
	_cleanup_free_ char *cfgpath = NULL;
	int r;

	lock = store_lock_alloc(b->ctx);
	if (lock < 0)
		return log_fail_full(b->ctx, "store", lock, "lock %s/" STORE_ALLOC_LOCK,
				     b->ctx->paths.run);
	r = network_prepare_create(b->ctx, b->req->name, &b->cfg, &b->req->net);
	if (r >= 0 && shares_source_ids(b)) {
		b->cfg.uid_base = b->req->clone_of->cfg.uid_base;
		b->cfg.gid_base = b->req->clone_of->cfg.gid_base;
		b->cfg.id_count = b->req->clone_of->cfg.id_count;
	} else if (r >= 0)
		r = idmap_alloc_ids(b->ctx, b->cfg.id_count, &b->cfg.uid_base, &b->cfg.gid_base);
	if (r < 0)
		return r;
	if (xasprintf(&cfgpath, "%s/config", b->tmpdir) < 0)
		return lx_fail(b->ctx, -ENOMEM, "out of memory");
	r = config_write_file(cfgpath, &b->cfg);
	return r < 0 ? lx_fail(b->ctx, r, "write the reservation %s", cfgpath) : 0;
}

/* The rename under the allocation lock: a reader of the store sees the reservation or the
 * container, never neither (readdir may miss an entry renamed while it runs). */
static int rename_into_place(struct build *b, const char *final)
{
	_cleanup_close_ int lock = store_lock_alloc(b->ctx);

	if (lock < 0)
		return log_fail_full(b->ctx, "store", lock, "lock %s/" STORE_ALLOC_LOCK,
				     b->ctx->paths.run);
	/* The one step that makes the container exist; another create of the name loses. */
	if (renameat2(AT_FDCWD, b->tmpdir, AT_FDCWD, final, RENAME_NOREPLACE) < 0)
		return lx_fail(b->ctx, errno == EEXIST ? LX_SYNTHETIC(-EEXIST) : -errno,
			       errno == EEXIST ? "a container named '%s' appeared meanwhile"
					       : "rename into %s",
			       errno == EEXIST ? b->req->name : final);
	return 0;
}

/* Before the rename: a failing hook undoes the create; the paths are the temporary ones. */
static int post_create(struct build *b, const char *cfgpath)
{
	struct hook_target t = {
		.name = b->req->name,
		.dir = b->tmpdir,
		.rootfs = b->tmp_rootfs,
		.rootfs_fd = b->view_fd,
		.config = cfgpath,
		.cfg = &b->cfg,
	};

	return hooks_run(b->ctx, &t, HOOK_POST_CREATE, 0);
}

static int commit(struct build *b)
{
	_cleanup_free_ char *cfgpath = NULL, *final = NULL;
	struct config_error e = {0};
	int r;

	r = config_validate(&b->cfg, &e);
	if (r < 0)
		return store_report_config_error(b->ctx, r, &e);
	if (xasprintf(&cfgpath, "%s/config", b->tmpdir) < 0 ||
	    xasprintf(&final, "%s/%s", b->ctx->paths.lib, b->req->name) < 0)
		return lx_fail(b->ctx, -ENOMEM, "out of memory");
	r = config_write_file(cfgpath, &b->cfg);
	if (r < 0)
		return lx_fail(b->ctx, r, "write %s", cfgpath);
	if (b->req->clone_of) {
		r = clone_copy_records(b->req->clone_of, b->tmpfd);
		if (r < 0)
			return lx_fail(b->ctx, r, "copy %s's provisioning record",
				       b->req->clone_of->name);
	}
	r = post_create(b, cfgpath);
	if (r < 0)
		return r;
	/* The overlay view must be gone before anyone mounts the same upper layer again. */
	build_close_view(b);
	if (build_interrupted(NULL))
		return -EINTR;
	return rename_into_place(b, final);
}

/* The steps that write the rootfs, in this process or (rootless) in a child that is root of
 * a user namespace mapping the range: its files then belong to the range on the host. */
static int fill_and_configure(void *userdata)
{
	struct build *b = userdata;
	_cleanup_free_ char *cfgpath = NULL;
	int r = build_fill_rootfs(b);

	if (r >= 0)
		r = make_config(b);
	if (r >= 0)
		r = set_up_login(b);
	if (r < 0 || !b->rootless)
		return r;
	/* Handed back to the parent through the reservation's file. */
	if (xasprintf(&cfgpath, "%s/config", b->tmpdir) < 0)
		return lx_fail(b->ctx, -ENOMEM, "out of memory");
	r = config_write_file(cfgpath, &b->cfg);
	return r < 0 ? lx_fail(b->ctx, r, "write %s", cfgpath) : 0;
}

static int build_rootfs(struct build *b)
{
	_cleanup_free_ char *cfgpath = NULL;
	struct config_error e = {0};
	char msg[256];
	int r;

	b->rootless = rootless_active();
	if (!b->rootless)
		return fill_and_configure(b);
	/* A tree copied inside the namespace would keep the ids it shows there: the user's as
	 * 65536, root's as nobody. A tarball carries its own numeric owners; a tree is read as
	 * one where its owners can be read (rootless-copy.h). */
	if (!b->req->tarball && !b->req->tmpl && !b->req->clone_of && !rootless_copy_wanted(b->req))
		return lx_fail(b->ctx, LX_SYNTHETIC(-EOPNOTSUPP),
			       "a rootless create takes --tarball FILE, --rootfs DIR, -t debian "
			       "or a clone");
	r = b->req->tmpl ? rootless_template_tarball(b->ctx, &b->tmpl, &b->tmpl_tarball) : 0;
	if (r < 0)
		return r;
	r = rootless_copy_wanted(b->req) ? rootless_copy_start(b->ctx, b->req, b->tmpdir, &b->copy)
					 : 0;
	if (r < 0)
		return lx_fail(b->ctx, r, "start reading %s", build_tree_of(b->req));
	r = rootless_run_in_userns(b->cfg.uid_base, b->cfg.gid_base, b->cfg.id_count,
				   fill_and_configure, b, msg, sizeof(msg));
	if (b->copy.pid > 0) {
		_cleanup_free_ char *why = NULL;
		int rr = rootless_copy_finish(&b->copy, &why);

		/* Reported by the unpacking child when it failed. */
		if (r >= 0 && rr < 0)
			return lx_fail(b->ctx, LX_SYNTHETIC(rr), "read %s: %s",
				       build_tree_of(b->req), why ? why : "tar failed");
	}
	if (r < 0 && msg[0])
		return log_fail_full(b->ctx, "rootless", r,
				     "enter a user namespace of ids %u-%u: %s", b->cfg.uid_base,
				     b->cfg.uid_base + b->cfg.id_count - 1, msg);
	if (r < 0) /* reported by the child */
		return r;
	if (xasprintf(&cfgpath, "%s/config", b->tmpdir) < 0)
		return lx_fail(b->ctx, -ENOMEM, "out of memory");
	config_done(&b->cfg);
	config_init_defaults(&b->cfg);
	r = config_parse_file(cfgpath, /* global= */ false, &b->cfg, &e);
	if (r < 0)
		return store_report_config_error(b->ctx, r, &e);
	b->cfg.rootfs_shifted = true;
	return 0;
}

static void build_done(struct build *b, bool keep)
{
	_cleanup_free_ char *why = NULL;

	(void)rootless_copy_finish(&b->copy, &why);
	free(b->tmpl_tarball);
	build_close_view(b);
	if (b->tmpdir && !keep && b->pool != STORAGE_DIR)
		(void)storage_destroy(b->ctx, b->tmpdir);
	if (b->tmpdir && !keep)
		(void)rootless_remove_tree(b->tmpdir, b->cfg.uid_base, b->cfg.gid_base,
					   b->cfg.id_count);
	if (b->tmpfd >= 0)
		(void)close(b->tmpfd);
	free(b->tmpdir);
	free(b->tmp_rootfs);
	template_choice_done(&b->tmpl);
	config_done(&b->cfg);
}

/* The pool (storage.h): --storage, a clone's source's, lxmgr.conf's storage.default. A
 * snapshot clone stays in its source's pool: an overlay over a dir rootfs, or a subvolume
 * snapshot of a btrfs one (which never restricts its source). */
static int choose_pool(struct build *b)
{
	const struct container *src = b->req->clone_of;

	b->pool = storage_choose(&b->cfg, b->req->storage, src ? &src->cfg : NULL);
	if (b->req->snapshot && src && b->pool != storage_of(&src->cfg))
		return lx_fail(b->ctx, LX_SYNTHETIC(-EINVAL),
			       "clone --snapshot stays in %s's pool (%s): drop --storage, or make "
			       "a full clone",
			       src->name, storage_pool_to_string(storage_of(&src->cfg)));
	if (b->pool == STORAGE_BTRFS && rootless_active())
		return lx_fail(b->ctx, LX_SYNTHETIC(-EOPNOTSUPP),
			       "a rootless store has no btrfs pool (mounting needs host root)");
	b->pool_clone = b->pool == STORAGE_BTRFS && src && storage_of(&src->cfg) == STORAGE_BTRFS;
	(void)snprintf(b->cfg.rootfs_storage, sizeof(b->cfg.rootfs_storage), "%s",
		       storage_pool_to_string(b->pool));
	return 0;
}

/* btrfs: the rootfs is a subvolume (a snapshot of the source's for a btrfs clone), linked
 * from the build's directory; b->tmp_rootfs is its real path, which the copy fills. */
static int make_pool_rootfs(struct build *b)
{
	const struct create_request *req = b->req;
	_cleanup_free_ char *src = NULL, *real = NULL;
	const char *at = req->clone_ref ? strchr(req->clone_ref, '@') : NULL;
	int r;

	if (b->pool_clone && at &&
	    xasprintf(&src, "%s/" SNAPSHOT_DIR "/%s/rootfs", req->clone_of->dir, at + 1) < 0)
		return lx_fail(b->ctx, -ENOMEM, "out of memory");
	if (b->pool_clone && !at && xasprintf(&src, "%s/rootfs", req->clone_of->dir) < 0)
		return lx_fail(b->ctx, -ENOMEM, "out of memory");
	r = storage_create_rootfs(b->ctx, b->tmpdir, src, &real);
	if (r < 0)
		return r;
	free(b->tmp_rootfs);
	b->tmp_rootfs = TAKE_PTR(real);
	return 0;
}

/* Before minutes of copying: a hostname the config would refuse at the end. */
static int check_hostname(const struct lxmgr_ctx *ctx, const char *hostname)
{
	struct config_error e;
	int r = config_check_value("container.hostname", hostname, &e);

	return r < 0 ? store_report_config_error(ctx, r, &e) : 0;
}

int create_container(const struct lxmgr_ctx *ctx, const struct create_request *req)
{
	struct build b = {
		.ctx = ctx, .req = req, .tmpfd = -EBADF, .view_fd = -EBADF, .last_percent = -1};
	sigset_t mask, old;
	int r;

	b.copy.fd = b.copy.errfd = b.copy.status_fd = -EBADF;
	if (!name_is_valid_new(req->name))
		return lx_fail(ctx, LX_SYNTHETIC(-EINVAL),
			       "invalid container name '%s': " NAME_RULE, req->name);
	r = check_target_free(ctx, req->name);
	if (r >= 0)
		r = check_hostname(ctx, req->hostname ? req->hostname : req->name);
	if (r >= 0)
		r = check_source(&b);
	if (r < 0) {
		template_choice_done(&b.tmpl);
		return r;
	}
	/* Held, not handled: each step polls for them and the build is undone as a whole. */
	hold_stop_signals(&mask, &old);
	b.tty = isatty(STDERR_FILENO);
	config_init_defaults(&b.cfg);
	r = store_load_defaults(ctx, &b.cfg);
	if (r >= 0 && (req->clone_of || req->base_config))
		r = clone_base_config(ctx, req, &b.cfg);
	if (r >= 0 && req->id_count)
		b.cfg.id_count = req->id_count;
	if (req->nesting)
		b.cfg.nesting = true;
	if (r >= 0)
		r = choose_pool(&b);
	if (r >= 0)
		r = make_tmpdir(&b);
	/* Network and ids before minutes of copying: bad input or a host without a free range
	 * fails first. */
	if (r >= 0)
		r = reserve(&b);
	if (r >= 0 && b.pool == STORAGE_BTRFS)
		r = make_pool_rootfs(&b);
	if (r >= 0)
		r = build_rootfs(&b);
	if (r >= 0)
		r = commit(&b);
	if (r == -EINTR || (r < 0 && build_interrupted(NULL)))
		r = lx_fail(ctx, LX_SYNTHETIC(-EINTR), "interrupted: nothing was created");
	if (r >= 0)
		lx_info(ctx, "created (uid range %u-%u%s)", b.cfg.uid_base,
			b.cfg.uid_base + b.cfg.id_count - 1,
			b.cfg.rootfs_shifted ? ", shifted" : "");
	build_done(&b, r >= 0);
	(void)sigprocmask(SIG_SETMASK, &old, NULL);
	return r;
}
