/* boot.c: starting a container (its monitor forked, init running) and waiting until the
 * guest's systemd is up: start, launch and provisioning share it. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "clone.h"
#include "boot.h"
#include "cmd.h"
#include "attach.h"
#include "guest.h"
#include "base/log.h"
#include "quota.h"
#include "monitor.h"
#include "runtime.h"
#include "start.h"
#include "store.h"
#include "base/util.h"

#define LOG_STEP "control"

/* systemd's private socket appears early in its boot; until then systemctl cannot ask. */
static int wait_for_systemd_socket(const struct runtime_state *rs, unsigned timeout_ms)
{
	char root[64];

	(void)snprintf(root, sizeof(root), "/proc/%d/root", (int)rs->init_pid);
	for (unsigned waited = 0; waited < timeout_ms; waited += 10) {
		_cleanup_close_ int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
		_cleanup_close_ int fd = -EBADF;

		if (rootfd < 0)
			return -ESRCH;
		fd = open_in_root(rootfd, "/run/systemd/private", O_PATH, 0);
		if (fd >= 0)
			return 0;
		(void)usleep(10000);
	}
	return -ETIMEDOUT;
}

static int wait_until_up(struct lxmgr_ctx *ctx, const struct container *c)
{
	char *argv[] = {"systemctl", "is-system-running", "--wait", NULL};
	struct runtime_state rs = {0};
	struct attach_opts a = {.argv = argv, .rundir = c->rundir, .stdin_null = true};
	int r;

	if (c->cfg.init_kind != INIT_KIND_SYSTEMD)
		return 0;
	r = runtime_state_read(c->rundir, &rs);
	if (r < 0)
		return lx_fail(ctx, r, "read %s/state", c->rundir);
	r = wait_for_systemd_socket(&rs, 120000);
	if (r < 0)
		(void)lx_fail(ctx, r, "systemd inside did not open its control socket");
	else
		r = attach_run(ctx, &rs, &a);
	runtime_state_done(&rs);
	return r;
}

static int spawn_monitor(struct lxmgr_ctx *ctx, struct container *c)
{
	int pipefd[2], null;
	pid_t pid;
	char b;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return lx_fail(ctx, -errno, "pipe");
	pid = fork();
	if (pid < 0)
		return lx_fail(ctx, -errno, "fork the monitor");
	if (pid == 0) {
		/* The monitor: its own session, no terminal; stderr stays ours until init runs,
		 * so that a failed start is reported here. */
		(void)close(pipefd[0]);
		(void)setsid();
		null = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (null >= 0) {
			(void)dup2(null, STDIN_FILENO);
			(void)dup2(null, STDOUT_FILENO);
		}
		_exit(monitor_run(ctx, c, pipefd[1], false));
	}
	(void)close(pipefd[1]);
	if (read(pipefd[0], &b, 1) != 1) {
		(void)close(pipefd[0]);
		(void)waitpid(pid, NULL, 0);
		return -EIO; /* the monitor reported why */
	}
	(void)close(pipefd[0]);
	return 0;
}

int boot_start(struct lxmgr_ctx *ctx, const char *name, bool foreground)
{
	_cleanup_container_ struct container *c = NULL;
	_cleanup_close_ int rootfd = -EBADF;
	int r;

	ctx->name = name;
	r = store_container_open(ctx, name, &c);
	if (r < 0)
		return r;
	r = store_lock_running(c);
	if (r == -EBUSY)
		return lx_fail(ctx, LX_SYNTHETIC(r), "container is already running");
	if (r < 0)
		return lx_fail(ctx, r, "lock %s", c->dir);
	r = cmd_cleanup_stale(ctx, c);
	if (r < 0)
		return r;
	/* The lower layer of snapshot clones stays as they were made (clone.h). */
	r = clone_refuse_if_source(ctx, c->name, "starting it would change files under them");
	if (r < 0)
		return r;
	/* Files made since the last start (or copied in) get the project id too. */
	r = quota_apply(ctx, c);
	if (r < 0)
		return r;
	r = clone_view_open(ctx, c);
	if (r < 0)
		return r;
	rootfd = open(c->rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return lx_fail(ctx, -errno, "open the rootfs %s", c->rootfs);
	r = guest_check_init(rootfd, c->cfg.init);
	/* The monitor opens a view of its own: this process must not hold one meanwhile. */
	(void)close(TAKE_FD(rootfd));
	clone_view_close(c);
	if (r < 0)
		return lx_fail(ctx, LX_SYNTHETIC(r),
			       "the rootfs has no executable %s (container.init)", c->cfg.init);
	if (foreground)
		return monitor_run(ctx, c, -1, true) == 0 ? 0 : -EIO;
	return spawn_monitor(ctx, c);
}

int boot_wait_up(struct lxmgr_ctx *ctx, const char *name)
{
	_cleanup_container_ struct container *c = NULL;
	int r;

	ctx->name = name;
	r = store_container_open(ctx, name, &c);
	if (r < 0)
		return r;
	return wait_until_up(ctx, c) == 0 ? 0 : -EIO;
}
