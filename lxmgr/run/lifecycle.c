/* lifecycle.c: starting, stopping and attaching to a container, for the verbs and for
 * provisioning (which boots a guest to run its steps): the library side of start, stop and
 * exec. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "base/lxmgr.h"
#include "base/proctitle.h"
#include "base/util.h"
#include "cgroup/usermgr.h"
#include "fs/quota.h"
#include "fs/rootless.h"
#include "guest/guest.h"
#include "image/clone.h"
#include "network/pasta.h"
#include "run/attach.h"
#include "run/control.h"
#include "run/lifecycle.h"
#include "run/monitor.h"
#include "run/start.h"
#include "store/config.h"
#include "store/runtime.h"
#include "store/store.h"

#define LOG_STEP "control"

struct stale {
	const struct lxmgr_ctx *ctx;
	struct runtime_state *rs;
};

static int teardown_stale(void *userdata)
{
	struct stale *s = userdata;
	int r = start_teardown(s->ctx, s->rs);

	/* The user manager's scope: its unit went with the monitor, its directory stays. */
	if (r >= 0)
		cgroup_usermgr_remove_scope_dir(s->rs->cgroup.unified);
	return r;
}

/* Rootless, outside the user's namespace: start_teardown in a user namespace of the range
 * the container's config records (gc opens no config). */
static int teardown_stale_rootless(const struct lxmgr_ctx *ctx, const struct container *c,
				   struct stale *s)
{
	_cleanup_free_ char *path = NULL;
	struct container_config cfg;
	struct config_error e;
	char msg[256] = "";
	int r;

	if (xasprintf(&path, "%s/config", c->dir) < 0)
		return -ENOMEM;
	config_init_defaults(&cfg);
	r = config_parse_file(path, /* global= */ false, &cfg, &e);
	if (r >= 0)
		r = rootless_run_in_userns(cfg.uid_base, cfg.gid_base, cfg.id_count, teardown_stale,
					   s, msg, sizeof(msg));
	config_done(&cfg);
	if (r < 0 && msg[0])
		return lx_fail(ctx, LX_SYNTHETIC(r), "rootless: %s", msg);
	if (r < 0)
		return lx_fail(ctx, r, "rootless: remove the cgroups of a dead monitor");
	return r;
}

int lifecycle_cleanup_stale(const struct lxmgr_ctx *ctx, struct container *c)
{
	struct runtime_state rs = {0};
	struct stale s = {ctx, &rs};
	int r;

	r = runtime_state_read(c->rundir, &rs);
	if (r == -ENOENT && access(c->rundir, F_OK) < 0)
		return 0;
	/* A dead monitor's init died with it (PR_SET_PDEATHSIG); what remains is in the
	 * cgroup, which is killed as a whole. The pid itself is never signalled. Rootless, the
	 * container's cgroups are its range's: removed from a user namespace that maps it. */
	if (r >= 0)
		rs.init_pid = 0;
	if (r >= 0 && rootless_outside() && rs.cgroup.unified)
		r = teardown_stale_rootless(ctx, c, &s);
	else if (r >= 0)
		r = teardown_stale(&s);
	runtime_state_done(&rs);
	if (r < 0)
		return r;
	/* A pasta the dead monitor had not yet given its death signal. */
	if (network_pasta_stop(c->rundir) > 0)
		lx_info(ctx, "ended the pasta of a dead monitor");
	(void)rm_rf_at(AT_FDCWD, c->rundir);
	lx_info(ctx, "removed what a dead monitor left");
	return 1;
}

int lifecycle_wait_monitor_exit(const struct container *c, int sock)
{
	struct ctrl_msg m;

	/* The monitor closes our connection as it exits, after removing everything. */
	while (control_recv(sock, &m) >= 0)
		;
	for (int i = 0; i < 500 && store_is_running(c); i++)
		(void)usleep(10000);
	return 0;
}

int lifecycle_send_stop(const struct lxmgr_ctx *ctx, const struct container *c, int timeout,
			bool kill_now)
{
	_cleanup_close_ int sock = control_connect(c->rundir);
	struct ctrl_msg req = {
		.cmd = CTRL_STOP, .arg = timeout, .flags = kill_now ? CTRL_FLAG_KILL : 0};
	int r;

	if (sock < 0)
		return lx_fail(ctx, sock, "connect to the monitor at %s/control", c->rundir);
	r = control_send(sock, &req);
	if (r < 0)
		return lx_fail(ctx, r, "send stop");
	return TAKE_FD(sock);
}

int lifecycle_stop_running(const struct lxmgr_ctx *ctx, const struct container *c, int timeout,
			   bool kill_now)
{
	_cleanup_close_ int sock = lifecycle_send_stop(ctx, c, timeout, kill_now);

	if (sock < 0)
		return sock;
	return lifecycle_wait_monitor_exit(c, sock);
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
		/* ps shows which container this is, not the argv of the start that forked it
		 * (one start forks a monitor per NAME). The title may overwrite the argv
		 * strings: nothing of the monitor may point into them from here on. */
		ctx->name = c->name;
		ctx->argv0 = NULL;
		(void)proctitle_set("lxmgr-monitor", c->name);
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

int lifecycle_start(struct lxmgr_ctx *ctx, const char *name, bool foreground)
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
	r = lifecycle_cleanup_stale(ctx, c);
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

int lifecycle_attach_running(struct lxmgr_ctx *ctx, const char *name, struct attach_opts *a)
{
	_cleanup_container_ struct container *c = NULL;
	struct runtime_state rs = {0};
	int r;

	if (!name_is_valid(name))
		return store_container_open(ctx, name, &c) < 0 ? -EINVAL : -EINVAL;
	/* The fast path reads the runtime record only; the config is not needed to attach. */
	r = store_container_paths(ctx, name, &c);
	if (r < 0)
		return r;
	r = runtime_state_read(c->rundir, &rs);
	if (r < 0 || rs.state == RUN_STATE_STARTING) {
		runtime_state_done(&rs);
		if (access(c->dir, F_OK) < 0) {
			struct container *missing = NULL;

			(void)store_container_open(ctx, name, &missing);
			container_free(missing);
		} else
			(void)lx_fail(ctx, LX_SYNTHETIC(-ESRCH), "container is not running");
		return -ESRCH;
	}
	a->rundir = c->rundir;
	r = attach_run(ctx, &rs, a);
	runtime_state_done(&rs);
	return r;
}
