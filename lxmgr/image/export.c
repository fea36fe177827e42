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

/* tar in a child; its stderr in a temporary file whose first line reports a failure. */
static int run_tar(const struct lxmgr_ctx *ctx, char *const argv[], int in, int out)
{
	_cleanup_close_ int errfd = open("/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	char line[256] = "";
	int status;
	ssize_t n;
	pid_t pid;

	if (errfd < 0)
		return lx_fail(ctx, -errno, "a temporary file for tar's errors");
	pid = fork();
	if (pid < 0)
		return lx_fail(ctx, -errno, "fork tar");
	if (pid == 0) {
		if ((in >= 0 && dup2(in, STDIN_FILENO) < 0) ||
		    (out >= 0 && dup2(out, STDOUT_FILENO) < 0) || dup2(errfd, STDERR_FILENO) < 0)
			_exit(127);
		(void)signal(SIGPIPE, SIG_DFL);
		/* A killed lxmgr takes tar along: nothing writes on after gc has cleaned up. */
		(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
		execvp("tar", argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return lx_fail(ctx, -errno, "wait for tar");
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	n = pread(errfd, line, sizeof(line) - 1, 0);
	line[n > 0 ? n : 0] = '\0';
	line[strcspn(line, "\n")] = '\0';
	return lx_fail(ctx, LX_SYNTHETIC(-EIO), "tar failed: %s",
		       line[0] ? line : "(no message; killed?)");
}

/* The members: the config, the identity, the rootfs (export.h), then extra ("-C DIR MEMBER"
 * words: the snapshots' records and layers). */
static int tar_create(const struct lxmgr_ctx *ctx, const char *stage, const char *dir, char **extra,
		      int out)
{
	const char *head[] = {"tar",
			      "--create",
			      "--file=-",
			      "--numeric-owner",
			      "--xattrs",
			      "--xattrs-include=*",
			      "--acls",
			      "--sparse",
			      "--zstd",
			      "-C",
			      stage,
			      EXPORT_CONFIG,
			      EXPORT_IDENTITY,
			      "-C",
			      dir,
			      EXPORT_ROOTFS};
	_cleanup_free_ char **argv = NULL;
	size_t n = ELEMENTSOF(head), k = 0;

	STRV_FOREACH(e, extra) {
		k++;
	}
	argv = calloc(n + k + 1, sizeof(char *));
	if (!argv)
		return lx_fail(ctx, -ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++)
		argv[i] = (char *)head[i];
	for (size_t i = 0; i < k; i++)
		argv[n + i] = extra[i];
	return run_tar(ctx, argv, -EBADF, out);
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
	_cleanup_free_ char *top = NULL;
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
	return tar_create(ctx, stage, o->tree ? o->tree : top, extra, outfd);
}

int export_check_ids(const struct lxmgr_ctx *ctx, const struct container *c, const char *verb)
{
	if (c->cfg.rootfs_shifted && rootless_active())
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

	r = export_check_ids(ctx, c, "export");
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
	sigset_t pending;

	if (sigpending(&pending) < 0)
		return false;
	return sigismember(&pending, SIGINT) || sigismember(&pending, SIGTERM) ||
	       sigismember(&pending, SIGHUP);
}

int export_unpack(const struct lxmgr_ctx *ctx, const char *path, const char *dir)
{
	const struct copy_progress p = {.cancelled = interrupted};
	_cleanup_free_ char *msg = NULL;
	int r = import_tarball(path, dir, &p, &msg);

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
