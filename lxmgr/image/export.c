/* export.c: a container as one portable archive (tar + zstd) and back (docs/snapshots.md). */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "fs/storage.h"
#include "image/clone.h"
#include "store/config.h"
#include "image/export.h"
#include "image/import.h"
#include "base/log.h"
#include "base/lxmgr.h"
#include "store/store.h"
#include "base/util.h"
#include "fs/rootless.h"
#include "image/rootless-copy.h"
#include "image/rootless-snapshot.h"

#define LOG_STEP "export"

/* What only this host, or only this machine, holds: import makes them anew. */
static const char *const host_keys[] = {
	"container.name",
	"container.uuid",
	"container.hostname",
	"idmap.uid_base",
	"idmap.gid_base",
	"net.ip",
	"net.ip6",
	"net.mac",
	"net.forward",
	"rootfs.snapshot_of",
};

static bool is_host_key(const char *section, const char *line)
{
	size_t n = strcspn(line, " \t=");
	char key[96];

	if ((size_t)snprintf(key, sizeof(key), "%s.%.*s", section, (int)n, line) >= sizeof(key))
		return false;
	for (size_t i = 0; i < ELEMENTSOF(host_keys); i++)
		if (!strcmp(key, host_keys[i]))
			return true;
	return false;
}

/* The config file as written, less the lines of host_keys (config_edit_file refuses to unset
 * a required key, which these are for a container). */
int export_clean_config(int dirfd, const char *from, const char *path)
{
	_cleanup_free_ char *text = NULL, *out = NULL;
	char section[32] = "";
	size_t len = 0, o = 0;
	char *save = NULL;
	int r;

	r = read_file_at(dirfd, from, 1 << 20, &text, &len);
	if (r < 0)
		return r;
	if (!(out = malloc(len + 1)))
		return -ENOMEM;
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		const char *t = l + strspn(l, " \t");

		if (t[0] == '[')
			(void)snprintf(section, sizeof(section), "%.*s", (int)strcspn(t + 1, "]"),
				       t + 1);
		else if (is_host_key(section, t))
			continue;
		o += (size_t)sprintf(out + o, "%s\n", l);
	}
	return write_file_atomic_at(AT_FDCWD, path, out, o, 0600);
}

static int write_clean_config(const struct container *c, const char *dir)
{
	_cleanup_free_ char *path = NULL;

	if (xasprintf(&path, "%s/" EXPORT_CONFIG, dir) < 0)
		return -ENOMEM;
	return export_clean_config(c->dirfd, "config", path);
}

static int write_identity(const struct container *c, const char *dir)
{
	_cleanup_free_ char *path = NULL, *text = NULL;

	if (xasprintf(&path, "%s/" EXPORT_IDENTITY, dir) < 0 ||
	    xasprintf(&text, "[container]\nuuid = %s\nhostname = %s\n[net]\nmac = %s\n",
		      c->cfg.uuid, c->cfg.hostname ? c->cfg.hostname : c->name, c->cfg.net_mac) < 0)
		return -ENOMEM;
	return write_file_atomic_at(AT_FDCWD, path, text, strlen(text), 0600);
}

/* A rootless container's files carry its block's ids: tar reads them as root of a user
 * namespace of that block (rootless.h), where they are the container's own ids, as an
 * export by root has them. */
struct export_range {
	const struct container *c;
	const char *lower;  /* the layers it stands on, shown on rootfs first; or NULL */
	const char *rootfs; /* DIR/rootfs */
};

struct tar_exec {
	char *const *argv;
	int in, out, err;
	const struct export_range *range; /* NULL: tar runs as this process's user */
};

static _Noreturn void exec_tar(const struct tar_exec *t)
{
	if ((t->in >= 0 && dup2(t->in, STDIN_FILENO) < 0) ||
	    (t->out >= 0 && dup2(t->out, STDOUT_FILENO) < 0) || dup2(t->err, STDERR_FILENO) < 0)
		_exit(127);
	(void)signal(SIGPIPE, SIG_DFL);
	/* A killed lxmgr takes tar along: nothing writes on after gc has cleaned up. */
	(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
	execvp("tar", t->argv);
	_exit(127);
}

/* As root of a user namespace of the container's block (rootless_run_in_userns), in a mount
 * namespace of its own where the layers it stands on are shown on its rootfs directory. */
static int exec_tar_in_range(void *userdata)
{
	const struct tar_exec *t = userdata;

	if (t->range->lower &&
	    rootless_snapshot_mount_source(t->range->lower, t->range->rootfs) < 0) {
		dprintf(t->err, "mount the layers of the container on %s: %m\n", t->range->rootfs);
		return -EIO;
	}
	exec_tar(t);
}

/* tar in a child (in range's user namespace, when given); its stderr in a temporary file
 * whose first line reports a failure. */
static int run_tar(const struct lxmgr_ctx *ctx, char *const argv[], int in, int out,
		   const struct export_range *range)
{
	_cleanup_close_ int errfd = open("/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	struct tar_exec t = {.argv = argv, .in = in, .out = out, .err = errfd, .range = range};
	char line[256] = "";
	int status, r;
	ssize_t n;
	pid_t pid;

	if (errfd < 0)
		return lx_fail(ctx, -errno, "a temporary file for tar's errors");
	if (range) {
		const struct container_config *cfg = &range->c->cfg;

		r = rootless_run_in_userns(cfg->uid_base, cfg->gid_base, cfg->id_count,
					   exec_tar_in_range, &t, line, sizeof(line));
		if (r >= 0)
			return 0;
		if (line[0]) /* the user namespace could not be made */
			return lx_fail(ctx, r, "%s", line);
	} else {
		pid = fork();
		if (pid < 0)
			return lx_fail(ctx, -errno, "fork tar");
		if (pid == 0)
			exec_tar(&t);
		if (waitpid(pid, &status, 0) < 0)
			return lx_fail(ctx, -errno, "wait for tar");
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			return 0;
	}
	n = pread(errfd, line, sizeof(line) - 1, 0);
	line[n > 0 ? n : 0] = '\0';
	line[strcspn(line, "\n")] = '\0';
	return lx_fail(ctx, LX_SYNTHETIC(-EIO), "tar failed: %s",
		       line[0] ? line : "(no message; killed?)");
}

/* The members: the config, the identity, the rootfs (export.h), then extra ("-C DIR MEMBER"
 * words: the snapshots' records and layers); read in range's namespace when given. */
static int tar_create(const struct lxmgr_ctx *ctx, const char *stage, const char *dir, char **extra,
		      int out, const struct export_range *range)
{
	const char *opts[] = {"tar",      "--create",           "--file=-", "--numeric-owner",
			      "--xattrs", "--xattrs-include=*", "--acls",   "--sparse",
			      "--zstd"};
	const char *members[] = {"-C", stage, EXPORT_CONFIG, EXPORT_IDENTITY,
				 "-C", dir,   EXPORT_ROOTFS};
	_cleanup_free_ char *map = NULL, *owner = NULL, *group = NULL;
	_cleanup_free_ char **argv = NULL;
	size_t n = 0, k = 0;
	int r;

	if (range) {
		/* Inside the block's namespace the user's own files (the stage's) show as uid and
		 * gid count: they go into the archive as root's, as an export by root has them. */
		r = rootless_copy_owner_map(stage, range->c->cfg.id_count, range->c->cfg.id_count,
					    &map);
		if (r < 0 || xasprintf(&owner, "--owner-map=%s", map) < 0 ||
		    xasprintf(&group, "--group-map=%s", map) < 0)
			return lx_fail(ctx, r < 0 ? r : -ENOMEM, "write %s/owner-map", stage);
	}
	STRV_FOREACH(e, extra) {
		k++;
	}
	argv = calloc(ELEMENTSOF(opts) + 2 + ELEMENTSOF(members) + k + 1, sizeof(char *));
	if (!argv)
		return lx_fail(ctx, -ENOMEM, "out of memory");
	for (size_t i = 0; i < ELEMENTSOF(opts); i++)
		argv[n++] = (char *)opts[i];
	if (range) {
		argv[n++] = owner;
		argv[n++] = group;
	}
	for (size_t i = 0; i < ELEMENTSOF(members); i++)
		argv[n++] = (char *)members[i];
	for (size_t i = 0; i < k; i++)
		argv[n++] = extra[i];
	return run_tar(ctx, argv, -EBADF, out, range);
}

int export_attach_view(const struct lxmgr_ctx *ctx, struct container *c)
{
	_cleanup_free_ char *rootfs = strdup(c->rootfs);
	int r;

	if (!rootfs)
		return lx_fail(ctx, -ENOMEM, "out of memory");
	r = clone_view_open(ctx, c);
	if (r < 0)
		return r;
	r = clone_attach_private(c->view_fd, rootfs);
	if (r < 0)
		return lx_fail(ctx, r, "mount the view of %s on %s", c->name, rootfs);
	return 0;
}

int export_write(const struct lxmgr_ctx *ctx, struct container *c, int outfd)
{
	return export_write_opts(ctx, c, outfd, &(const struct export_opts){0});
}

/* Named and locked as a create's build: gc removes it after a kill. */
int export_make_stage(const struct lxmgr_ctx *ctx, const char *name, char **ret, int *ret_fd)
{
	int r;

	if (xasprintf(ret, "%s/.%s.export.create-XXXXXX", ctx->paths.lib, name) < 0)
		return lx_fail(ctx, -ENOMEM, "out of memory");
	if (!mkdtemp(*ret)) {
		r = -errno;
		free(*ret);
		*ret = NULL;
		return lx_fail(ctx, r, "create a directory in %s", ctx->paths.lib);
	}
	*ret_fd = open(*ret, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*ret_fd < 0 || flock(*ret_fd, LOCK_EX) < 0) {
		r = lx_fail(ctx, -errno, "lock %s", *ret);
		(void)rm_rf_at(AT_FDCWD, *ret);
		free(*ret);
		*ret = NULL;
		return r;
	}
	return 0;
}

static int write_members(const struct lxmgr_ctx *ctx, struct container *c, const char *stage,
			 const struct export_opts *o, int outfd)
{
	_cleanup_strv_ char **extra = NULL;
	_cleanup_free_ char *top = NULL, *rootfs = NULL;
	const char *dir;
	int r;

	r = write_clean_config(c, stage);
	if (r >= 0)
		r = write_identity(c, stage);
	if (r < 0)
		return lx_fail(ctx, r, "write %s/" EXPORT_CONFIG, stage);
	if (o->snapshots) {
		r = export_stage_snapshots(c, stage, &extra);
		if (r < 0)
			return lx_fail(ctx, r, "write the snapshot records of %s", c->name);
	}
	/* The directory holding rootfs/: LIB/NAME, or a btrfs container's subvolume. */
	if (!o->tree && storage_rootfs_parent(c, &top) < 0)
		return lx_fail(ctx, -ENOMEM, "out of memory");
	dir = o->tree ? o->tree : top;
	if (!export_in_range(c))
		return tar_create(ctx, stage, dir, extra, outfd, NULL);
	if (xasprintf(&rootfs, "%s/" EXPORT_ROOTFS, dir) < 0)
		return lx_fail(ctx, -ENOMEM, "out of memory");
	return tar_create(
		ctx, stage, dir, extra, outfd,
		&(const struct export_range){.c = c, .lower = o->lower, .rootfs = rootfs});
}

bool export_in_range(const struct container *c)
{
	return c->cfg.rootfs_shifted && rootless_active();
}

int export_check_ids(const struct lxmgr_ctx *ctx, const struct container *c, const char *verb,
		     bool in_range)
{
	if (export_in_range(c) && in_range)
		return 0;
	if (export_in_range(c))
		return lx_fail(ctx, LX_SYNTHETIC(-EOPNOTSUPP),
			       "a rootless %s is not done yet: %s's files carry the ids of your "
			       "range (an archive from inside: lxmgr exec %s -- tar -C / "
			       "--numeric-owner --one-file-system -cf - .)",
			       verb, c->name, c->name);
	if (c->cfg.rootfs_shifted)
		return lx_fail(ctx, LX_SYNTHETIC(-EOPNOTSUPP),
			       "%s has a shifted rootfs (rootfs.shifted = yes): its files carry "
			       "this host's ids; %s only idmapped containers",
			       c->name, verb);
	return 0;
}

int export_write_opts(const struct lxmgr_ctx *ctx, struct container *c, int outfd,
		      const struct export_opts *o)
{
	_cleanup_free_ char *stage = NULL;
	_cleanup_close_ int stagefd = -EBADF;
	int r;

	r = export_check_ids(ctx, c, "export", /* in_range= */ true);
	if (r < 0)
		return r;
	if (!o->tree && clone_is_snapshot(&c->cfg)) {
		r = export_attach_view(ctx, c);
		if (r < 0)
			return r;
	}
	r = export_make_stage(ctx, c->name, &stage, &stagefd);
	if (r < 0)
		return r;
	r = write_members(ctx, c, stage, o, outfd);
	(void)rm_rf_at(AT_FDCWD, stage);
	return r;
}

/* SIGINT, SIGTERM, SIGHUP held by cmd_import: polled while the stream comes. */
static bool interrupted(void *userdata _unused_)
{
	return stop_signal_pending();
}

char *const export_rootfs_member[] = {"--strip-components=1", EXPORT_ROOTFS, NULL};

int export_unpack(const struct lxmgr_ctx *ctx, const char *path, const char *dir, bool records_only)
{
	static char *const records[] = {"--no-same-owner", "--exclude=" EXPORT_ROOTFS,
					"--exclude=" EXPORT_LAYERS, NULL};
	const struct copy_progress p = {.cancelled = interrupted};
	_cleanup_free_ char *msg = NULL;
	int r = import_tarball_with(path, dir, records_only ? records : NULL, &p, &msg);

	if (r == -EINTR)
		return lx_fail(ctx, LX_SYNTHETIC(r), "interrupted: nothing was imported");
	if (r == -EMEDIUMTYPE && !msg)
		return lx_fail(ctx, LX_SYNTHETIC(r), "%s is not an lxmgr export (tar + zstd)",
			       path);
	if (r < 0 && msg)
		return lx_fail(ctx, LX_SYNTHETIC(r), "%s is truncated or damaged: %s", path, msg);
	if (r < 0)
		return lx_fail(ctx, r, "unpack %s", path);
	return 0;
}

int export_save_stream(const struct lxmgr_ctx *ctx, int in, const char *path)
{
	_cleanup_close_ int out = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	int r;

	if (out < 0)
		return lx_fail(ctx, -errno, "create %s", path);
	r = import_copy_stream(in, out, &(const struct copy_progress){.cancelled = interrupted});
	if (r == -EINTR)
		return lx_fail(ctx, LX_SYNTHETIC(r), "interrupted: nothing was imported");
	return r < 0 ? lx_fail(ctx, r, "save the archive's stream into %s", path) : 0;
}
