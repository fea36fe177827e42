/* cmd-lifecycle.c: start, stop, restart, kill, freeze, unfreeze. */
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "cmd.h"
#include "control.h"
#include "attach.h"
#include "guest.h"
#include "log.h"
#include "monitor.h"
#include "runtime.h"
#include "start.h"
#include "store.h"
#include "util.h"

#define LOG_STEP "control"

struct lifecycle_opts {
	const char *name;
	const char *extra; /* kill: the signal */
	bool foreground, wait, kill;
	bool console; /* start: attach to the console once init runs */
	int timeout;  /* -1: the config's */
};

static int parse_opts(struct lxmgr_ctx *ctx, int argc, char **argv, struct lifecycle_opts *o,
		      bool allow_extra)
{
	static const struct option longopts[] = {
		{"foreground", no_argument, NULL, 'f'}, {"wait", no_argument, NULL, 'w'},
		{"kill", no_argument, NULL, 'k'},       {"timeout", required_argument, NULL, 't'},
		{"console", no_argument, NULL, 'c'},    {},
	};
	uint32_t t;
	int c;

	*o = (struct lifecycle_opts){.timeout = -1};
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) >= 0)
		switch (c) {
		case 'f':
			o->foreground = true;
			break;
		case 'w':
			o->wait = true;
			break;
		case 'k':
			o->kill = true;
			break;
		case 'c':
			o->console = true;
			break;
		case 't':
			if (parse_u32(optarg, &t) < 0 || t > 86400)
				return cmd_usage_error(
					ctx, "--timeout takes seconds (0-86400), not '%s'", optarg);
			o->timeout = (int)t;
			break;
		case ':':
			return cmd_usage_error(ctx, "option '%s' needs a value", argv[optind - 1]);
		default:
			return cmd_usage_error(ctx, "unknown option '%s'", argv[optind - 1]);
		}
	if (optind >= argc || argc - optind > (allow_extra ? 2 : 1))
		return cmd_usage_error(ctx, "expected NAME%s", allow_extra ? " [SIGNAL]" : "");
	o->name = argv[optind];
	o->extra = optind + 1 < argc ? argv[optind + 1] : NULL;
	ctx->name = o->name;
	return 0;
}

int cmd_cleanup_stale(const struct lxmgr_ctx *ctx, struct container *c)
{
	struct runtime_state rs = {0};
	int r;

	r = runtime_state_read(c->rundir, &rs);
	if (r == -ENOENT && access(c->rundir, F_OK) < 0)
		return 0;
	if (r >= 0) {
		/* A dead monitor's init died with it (PR_SET_PDEATHSIG); what remains is in
		 * the cgroup, which is killed as a whole. The pid itself is never signalled. */
		rs.init_pid = 0;
		r = start_teardown(ctx, &rs);
	}
	runtime_state_done(&rs);
	if (r < 0)
		return r;
	(void)rm_rf_at(AT_FDCWD, c->rundir);
	lx_info(ctx, "removed what a dead monitor left");
	return 1;
}

static int open_running(struct lxmgr_ctx *ctx, const char *name, struct container **ret,
			int *ret_fd)
{
	_cleanup_container_ struct container *c = NULL;
	int r = store_container_open(ctx, name, &c);

	if (r < 0)
		return r;
	if (!store_is_running(c))
		return lx_fail(ctx, LX_SYNTHETIC(-ESRCH), "container is not running");
	*ret_fd = control_connect(c->rundir);
	if (*ret_fd < 0)
		return lx_fail(ctx, *ret_fd, "connect to the monitor at %s/control", c->rundir);
	*ret = TAKE_PTR(c);
	return 0;
}

static int wait_for_monitor_exit(const struct container *c, int sock)
{
	struct ctrl_msg m;

	/* The monitor closes our connection as it exits, after removing everything. */
	while (control_recv(sock, &m) >= 0)
		;
	for (int i = 0; i < 500 && store_is_running(c); i++)
		(void)usleep(10000);
	return 0;
}

int cmd_stop_running(const struct lxmgr_ctx *ctx, const struct container *c, int timeout,
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
	return wait_for_monitor_exit(c, sock);
}

static int do_stop(struct lxmgr_ctx *ctx, const struct lifecycle_opts *o)
{
	_cleanup_container_ struct container *c = NULL;
	int r = store_container_open(ctx, o->name, &c);

	if (r < 0)
		return r;
	if (!store_is_running(c))
		return lx_fail(ctx, LX_SYNTHETIC(-ESRCH), "container is not running");
	return cmd_stop_running(ctx, c, o->timeout, o->kill);
}

int cmd_stop(struct lxmgr_ctx *ctx, int argc, char **argv)
{
	struct lifecycle_opts o;
	int r = parse_opts(ctx, argc, argv, &o, false);

	if (r != 0)
		return r;
	return do_stop(ctx, &o) < 0 ? EXIT_FAILED : 0;
}

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
	struct attach_opts a = {.argv = argv, .rundir = c->rundir};
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

static int do_start(struct lxmgr_ctx *ctx, const struct lifecycle_opts *o)
{
	_cleanup_container_ struct container *c = NULL;
	_cleanup_close_ int rootfd = -EBADF;
	int r;

	r = store_container_open(ctx, o->name, &c);
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
	rootfd = open(c->rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return lx_fail(ctx, -errno, "open the rootfs %s", c->rootfs);
	r = guest_check_init(rootfd, c->cfg.init);
	if (r < 0)
		return lx_fail(ctx, LX_SYNTHETIC(r),
			       "the rootfs has no executable %s (container.init)", c->cfg.init);
	if (o->foreground)
		return monitor_run(ctx, c, -1, true) == 0 ? 0 : -EIO;
	r = spawn_monitor(ctx, c);
	if (r >= 0 && o->console)
		return cmd_console_attach(ctx, c, /* readonly= */ false);
	if (r < 0 || !o->wait)
		return r;
	r = wait_until_up(ctx, c);
	return r == 0 ? 0 : -EIO;
}

int cmd_start(struct lxmgr_ctx *ctx, int argc, char **argv)
{
	struct lifecycle_opts o;
	int r = parse_opts(ctx, argc, argv, &o, false);

	if (r != 0)
		return r;
	if (o.console && (o.foreground || o.wait))
		return cmd_usage_error(ctx, "--console goes with neither --foreground nor --wait");
	return do_start(ctx, &o) < 0 ? EXIT_FAILED : 0;
}

int cmd_restart(struct lxmgr_ctx *ctx, int argc, char **argv)
{
	struct lifecycle_opts o;
	int r = parse_opts(ctx, argc, argv, &o, false);

	if (r != 0)
		return r;
	r = do_stop(ctx, &o);
	if (r < 0)
		return EXIT_FAILED;
	return do_start(ctx, &o) < 0 ? EXIT_FAILED : 0;
}

static int simple_request(struct lxmgr_ctx *ctx, const char *name, enum ctrl_cmd cmd, int arg)
{
	_cleanup_container_ struct container *c = NULL;
	_cleanup_close_ int sock = -EBADF;
	struct ctrl_msg req = {.cmd = cmd, .arg = arg}, rep = {0};
	int r;

	r = open_running(ctx, name, &c, &sock);
	if (r < 0)
		return EXIT_FAILED;
	r = control_call(sock, &req, &rep);
	if (r < 0) {
		(void)lx_fail(ctx, r, "%s", ctrl_cmd_to_string(cmd));
		return EXIT_FAILED;
	}
	if (rep.status < 0) {
		if (rep.text[0])
			(void)lx_fail(ctx, LX_SYNTHETIC(rep.status), "%s", rep.text);
		else
			(void)lx_fail(ctx, rep.status, "%s", ctrl_cmd_to_string(cmd));
		return EXIT_FAILED;
	}
	return 0;
}

int cmd_kill(struct lxmgr_ctx *ctx, int argc, char **argv)
{
	struct lifecycle_opts o;
	int sig = SIGKILL, r = parse_opts(ctx, argc, argv, &o, true);

	if (r != 0)
		return r;
	if (o.extra && parse_signal(o.extra, &sig) < 0)
		return cmd_usage_error(ctx, "unknown signal '%s'", o.extra);
	return simple_request(ctx, o.name, CTRL_KILL, sig);
}

int cmd_freeze(struct lxmgr_ctx *ctx, int argc, char **argv)
{
	struct lifecycle_opts o;
	int r = parse_opts(ctx, argc, argv, &o, false);

	return r != 0 ? r : simple_request(ctx, o.name, CTRL_FREEZE, 0);
}

int cmd_unfreeze(struct lxmgr_ctx *ctx, int argc, char **argv)
{
	struct lifecycle_opts o;
	int r = parse_opts(ctx, argc, argv, &o, false);

	return r != 0 ? r : simple_request(ctx, o.name, CTRL_UNFREEZE, 0);
}
