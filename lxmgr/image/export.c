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
static int write_clean_config(const struct container *c, const char *dir)
{
	_cleanup_free_ char *text = NULL, *out = NULL, *path = NULL;
	char section[32] = "";
	size_t len = 0, o = 0;
	char *save = NULL;

	if (read_file_at(c->dirfd, "config", 1 << 20, &text, &len) < 0 ||
	    !(out = malloc(len + 1)) || xasprintf(&path, "%s/" EXPORT_CONFIG, dir) < 0)
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

static int tar_create(const struct lxmgr_ctx *ctx, const char *stage, const char *dir, int out)
{
	/* The members: the config, the identity, the rootfs (export.h). */
	char *argv[] = {"tar",
			"--create",
			"--file=-",
			"--numeric-owner",
			"--xattrs",
			"--xattrs-include=*",
			"--acls",
			"--sparse",
			"--zstd",
			"-C",
			(char *)stage,
			EXPORT_CONFIG,
			EXPORT_IDENTITY,
			"-C",
			(char *)dir,
			EXPORT_ROOTFS,
			NULL};

	return run_tar(ctx, argv, -EBADF, out);
}

/* A snapshot clone's or a layered container's merged tree, mounted on its empty rootfs
 * directory in a mount namespace of this process only (tar walks a path). */
static int attach_view(const struct lxmgr_ctx *ctx, struct container *c)
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
	_cleanup_free_ char *stage = NULL, *top = NULL;
	_cleanup_close_ int stagefd = -EBADF;
	int r;

	if (c->cfg.rootfs_shifted)
		return lx_fail(ctx, LX_SYNTHETIC(-EOPNOTSUPP),
			       "%s has a shifted rootfs (rootfs.shifted = yes): its files carry "
			       "this host's ids; export only idmapped containers",
			       c->name);
	if (clone_is_snapshot(&c->cfg)) {
		r = attach_view(ctx, c);
		if (r < 0)
			return r;
	}
	/* Named and locked as a create's build: gc removes it after a kill. */
	if (xasprintf(&stage, "%s/.%s.export.create-XXXXXX", ctx->paths.lib, c->name) < 0)
		return lx_fail(ctx, -ENOMEM, "out of memory");
	if (!mkdtemp(stage))
		return lx_fail(ctx, -errno, "create a directory in %s", ctx->paths.lib);
	stagefd = open(stage, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (stagefd < 0 || flock(stagefd, LOCK_EX) < 0) {
		r = lx_fail(ctx, -errno, "lock %s", stage);
		(void)rm_rf_at(AT_FDCWD, stage);
		return r;
	}
	r = write_clean_config(c, stage);
	if (r >= 0)
		r = write_identity(c, stage);
	if (r < 0)
		(void)lx_fail(ctx, r, "write %s/" EXPORT_CONFIG, stage);
	else if ((r = storage_rootfs_parent(c, &top)) >= 0)
		r = tar_create(ctx, stage, top, outfd);
	(void)rm_rf_at(AT_FDCWD, stage);
	return r;
}

int export_unpack(const struct lxmgr_ctx *ctx, const char *path, const char *dir)
{
	_cleanup_free_ char *msg = NULL;
	int r = import_tarball(path, dir, /* progress= */ NULL, &msg);

	if (r == -EMEDIUMTYPE && !msg)
		return lx_fail(ctx, LX_SYNTHETIC(r), "%s is not an lxmgr export (tar + zstd)",
			       path);
	if (r < 0 && msg)
		return lx_fail(ctx, LX_SYNTHETIC(r), "%s is truncated or damaged: %s", path, msg);
	if (r < 0)
		return lx_fail(ctx, r, "unpack %s", path);
	return 0;
}
