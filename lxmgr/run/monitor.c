/* monitor.c: one monitor per running container: reaps init, serves the control socket. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "base/lxmgr.h"
#include "base/trim.h"
#include "base/util.h"
#include "cgroup/cgroup.h"
#include "fs/mounts-live.h"
#include "guest/login.h"
#include "image/clone.h"
#include "network/forward-live.h"
#include "network/pasta.h"
#include "run/boundary.h"
#include "fs/rootless.h"
#include "run/console.h"
#include "run/control.h"
#include "run/event.h"
#include "run/guest-state.h"
#include "run/hooks.h"
#include "run/machined.h"
#include "run/monitor.h"
#include "run/monitor-internal.h"
#include "run/notify.h"
#include "run/security.h"
#include "run/start.h"
#include "store/runtime.h"
#include "store/store.h"

#define LOG_STEP "monitor"
int monitor_ep_add(struct monitor *m, int fd, uint32_t tag)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u32 = tag};

	return NEG_ERRNO(epoll_ctl(m->epfd, EPOLL_CTL_ADD, fd, &ev));
}

static int setup_fds(struct monitor *m)
{
	sigset_t mask;
	int r;

	(void)sigemptyset(&mask);
	(void)sigaddset(&mask, SIGCHLD);
	(void)sigaddset(&mask, SIGTERM);
	(void)sigaddset(&mask, SIGINT);
	(void)sigaddset(&mask, SIGHUP);
	(void)sigaddset(&mask, SIGPIPE);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		return lx_fail(m->ctx, -errno, "block signals");
	m->sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	m->epfd = epoll_create1(EPOLL_CLOEXEC);
	m->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	m->trimfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (m->sigfd < 0 || m->epfd < 0 || m->timerfd < 0 || m->trimfd < 0)
		return lx_fail(m->ctx, -errno, "create the event descriptors");
	m->listenfd = control_listen(m->c->rundir);
	if (m->listenfd < 0)
		return log_fail_full(m->ctx, "control", m->listenfd, "listen on %s/control",
				     m->c->rundir);
	r = monitor_ep_add(m, m->sigfd, EV_SIGNAL);
	if (r >= 0)
		r = monitor_ep_add(m, m->listenfd, EV_LISTEN);
	if (r >= 0)
		r = monitor_ep_add(m, m->timerfd, EV_TIMER);
	if (r >= 0)
		r = monitor_ep_add(m, m->trimfd, EV_TRIM);
	if (r >= 0)
		r = monitor_ep_add(m, m->console.master, EV_CONSOLE);
	return r < 0 ? lx_fail(m->ctx, r, "epoll") : 0;
}

void monitor_set_state(struct monitor *m, enum run_state s)
{
	int r;

	m->rs.state = s;
	r = runtime_state_write(m->c->rundir, &m->rs);
	if (r < 0)
		lx_warn(m->ctx, r, "write %s/state, ignoring", m->c->rundir);
}

/* While stopping, the timer ticks every 250 ms until the deadline (see on_timer). */
static void arm_timer(struct monitor *m, uint32_t seconds)
{
	struct itimerspec its = {
		.it_value.tv_nsec = 250000000,
		.it_interval.tv_nsec = 250000000,
	};

	m->stop_deadline = now_ns() + (uint64_t)(seconds ? seconds : 1) * 1000000000ULL;
	(void)timerfd_settime(m->timerfd, 0, &its, NULL);
}

/* Whether init has a handler for sig yet (SigCgt in /proc/PID/status). */
static bool init_catches(const struct monitor *m, int sig)
{
	_cleanup_free_ char *text = NULL;
	char path[64];
	const char *p;
	unsigned long long mask;

	(void)snprintf(path, sizeof(path), "/proc/%d/status", (int)m->rs.init_pid);
	if (read_file_at(AT_FDCWD, path, 1 << 16, &text, NULL) < 0)
		return true;
	p = strstr(text, "SigCgt:");
	if (!p || sscanf(p + 7, "%llx", &mask) != 1)
		return true;
	return mask & (1ULL << (sig - 1));
}

int monitor_send_init_signal(struct monitor *m, int sig)
{
	return NEG_ERRNO((int)syscall(SYS_pidfd_send_signal, m->init_pidfd, sig, NULL, 0));
}

/* Every process of the container: through its cgroup, or for a rootless container in none
 * of its own (rootless-cgroup.h) through init, whose death ends its pid namespace. */
static void kill_container(struct monitor *m)
{
	if (m->rs.cgroup.unified)
		(void)cgroup_kill_all(&m->rs.cgroup);
	else
		(void)monitor_send_init_signal(m, SIGKILL);
}

void monitor_begin_stop(struct monitor *m, int timeout, bool kill_now)
{
	char buf[16];
	int r;

	if (kill_now) {
		lx_info(m->ctx, "killing every process of the container");
		kill_container(m);
		return;
	}
	if (m->stopping)
		return;
	m->stopping = true;
	if (m->rs.state == RUN_STATE_FROZEN)
		(void)cgroup_freeze(&m->rs.cgroup, false);
	monitor_set_state(m, RUN_STATE_STOPPING);
	/* The unit's TimeoutStopSec follows this container's own timeout. */
	notify_send(
		"STOPPING=1\nSTATUS=stopping\nEXTEND_TIMEOUT_USEC=%llu",
		(unsigned long long)((timeout >= 0 ? (unsigned)timeout : m->c->cfg.stop_timeout) +
				     15) *
			1000000ULL);
	r = monitor_send_init_signal(m, m->c->cfg.stop_signal);
	lx_info(m->ctx, "sent %s to init, %u s before kill",
		signal_to_string(m->c->cfg.stop_signal, buf),
		timeout >= 0 ? (unsigned)timeout : m->c->cfg.stop_timeout);
	if (r < 0)
		kill_container(m);
	arm_timer(m, timeout >= 0 ? (uint32_t)timeout : m->c->cfg.stop_timeout);
}

/* After each run of the container (also before a reboot's new start); failures warn. */
static void post_stop(const struct monitor *m)
{
	struct hook_target t;

	hooks_target_of(m->c, &t);
	(void)hooks_run(m->ctx, &t, HOOK_POST_STOP, 0);
}

static void drop_guest_notify(struct monitor *m)
{
	if (m->env.guest_notify_fd < 0)
		return;
	(void)epoll_ctl(m->epfd, EPOLL_CTL_DEL, m->env.guest_notify_fd, NULL);
	(void)close(m->env.guest_notify_fd);
	m->env.guest_notify_fd = -EBADF;
}

/* Once init runs: machined learns of it, and the unit is ready now, or (notify_ready) when the
 * guest's systemd says so through the socket we watch from here on. */
static void announce_running(struct monitor *m)
{
	const struct machined_info info = {
		.name = m->c->name,
		.uuid = m->c->cfg.uuid,
		.rootfs = m->c->rootfs,
		.leader = m->rs.init_pid,
		.ifname = m->rs.net_veth,
	};
	int fd = m->env.guest_notify_fd, r = 0;

	guest_state_reset(&m->gs, /* booting= */ fd >= 0);
	if (fd >= 0)
		r = monitor_ep_add(m, fd, EV_NOTIFY);
	if (r < 0) {
		lx_warn(m->ctx, r, "watch the guest's notify socket, ignoring");
		drop_guest_notify(m);
		guest_state_reset(&m->gs, /* booting= */ false);
	}
	/* At boot this may wait for dbus and machined to come up. */
	if (m->by_unit)
		(void)machined_register(m->ctx, &info);
	if (m->env.guest_notify_fd >= 0 && m->c->cfg.notify_ready && !m->ready_sent) {
		notify_send("STATUS=booting: waiting for the guest's systemd (init is pid %d)",
			    (int)m->rs.init_pid);
		return;
	}
	m->ready_sent = true;
	notify_send("READY=1\nSTATUS=running, init is pid %d", (int)m->rs.init_pid);
}

/* Each run has its own cgroup: the watch follows it (a failure only costs the oom events). */
static void watch_oom(struct monitor *m)
{
	int r;

	if (m->oomfd >= 0) {
		(void)epoll_ctl(m->epfd, EPOLL_CTL_DEL, m->oomfd, NULL);
		(void)close(m->oomfd);
	}
	m->oomfd = event_oom_watch(&m->rs.cgroup, &m->oom_kills);
	r = m->oomfd < 0 ? m->oomfd : monitor_ep_add(m, m->oomfd, EV_OOM);
	if (r < 0)
		lx_debug(m->ctx, "no watch for OOM kills: %s", strerror(-r));
}

static void on_oom(struct monitor *m)
{
	uint64_t n = event_oom_check(m->oomfd, &m->rs.cgroup, &m->oom_kills);

	if (n)
		event_record(m->ctx, m->c, EVENT_OOM,
			     "the OOM killer ended %llu process%s inside (%llu in this run)",
			     (unsigned long long)n, n == 1 ? "" : "es",
			     (unsigned long long)m->oom_kills);
}

/* What the guest's systemd sends to its NOTIFY_SOCKET: READY=1 makes the unit ready. */
static void on_guest_notify(struct monitor *m)
{
	struct notify_msg msg;
	int r;

	while ((r = notify_guest_recv(m->env.guest_notify_fd, m->rs.init_pid, &msg)) >= 0) {
		if (r == 0)
			continue;
		if (guest_state_on_notify(&m->gs, &msg))
			(void)guest_state_refresh(&m->gs, m->ctx, m->c, &m->rs);
		if (msg.ready && !m->ready_sent) {
			m->ready_sent = true;
			lx_info(m->ctx, "the guest's systemd reports ready");
			notify_send("READY=1\nSTATUS=running: %s",
				    msg.status[0] ? msg.status : "the guest is up");
		} else if (msg.status[0]) {
			notify_send("STATUS=%s: %s", run_state_to_string(m->rs.state), msg.status);
		}
	}
	if (r != -EAGAIN)
		drop_guest_notify(m);
	monitor_trim_later(m);
}

static int restart_in_place(struct monitor *m)
{
	int r;

	event_record(m->ctx, m->c, EVENT_REBOOT, "init rebooted the container: starting it again");
	notify_send("STATUS=rebooting");
	monitor_set_state(m, RUN_STATE_REBOOTING);
	if (m->by_unit)
		machined_unregister(m->ctx, m->c->name);
	drop_guest_notify(m);
	network_pasta_stop(m->c->rundir);
	r = start_teardown(m->ctx, &m->rs);
	if (r < 0)
		return r;
	post_stop(m);
	(void)close(m->init_pidfd);
	m->init_pidfd = -EBADF;
	m->rs.reboots++;
	m->rs.state = RUN_STATE_STARTING;
	r = start_instance(&m->env, &m->rs, &m->init_pidfd);
	if (r >= 0) {
		(void)trim_monitor_memory();
		watch_oom(m);
		announce_running(m);
	}
	return r;
}

/* init is PID 1 of its namespace: reboot(2) there makes the kernel end it with SIGHUP for a
 * restart and SIGINT for a power-off or halt (pid_namespaces(7)). */
static void on_init_exit(struct monitor *m, int status)
{
	bool reboot = WIFSIGNALED(status) && WTERMSIG(status) == SIGHUP;

	m->rs.init_pid = 0; /* reaped: the pid may belong to someone else from now on */
	if (reboot && !m->stopping && restart_in_place(m) >= 0)
		return;
	if (WIFEXITED(status))
		lx_info(m->ctx, "init exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		lx_info(m->ctx, "init ended by signal %d", WTERMSIG(status));
	/* A power-off from inside, or our stop: both are a clean end. */
	m->exit_status = (m->stopping || (WIFSIGNALED(status) && WTERMSIG(status) == SIGINT) ||
			  (WIFEXITED(status) && WEXITSTATUS(status) == 0))
				 ? 0
				 : 1;
	if (m->exit_status)
		event_record(m->ctx, m->c, EVENT_CRASH, "init %s %d without a stop",
			     WIFEXITED(status) ? "exited with status" : "ended by signal",
			     WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	m->rs.init_pid = 0;
	m->done = true;
}

static void on_signal(struct monitor *m)
{
	struct signalfd_siginfo si;

	while (read(m->sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT)
			monitor_begin_stop(m, -1, false);
		if (si.ssi_signo != SIGCHLD)
			continue;
		for (;;) {
			int status;
			pid_t pid = waitpid(-1, &status, WNOHANG | __WALL);

			if (pid <= 0)
				break;
			if (pid == m->rs.init_pid)
				on_init_exit(m, status);
			else if (guest_state_reaped(&m->gs, pid))
				monitor_state_refreshed(m);
		}
	}
}

static void on_timer(struct monitor *m)
{
	uint64_t ticks;

	if (read(m->timerfd, &ticks, sizeof(ticks)) != sizeof(ticks))
		return;
	if (now_ns() < m->stop_deadline) {
		/* The kernel drops a signal to a namespace's init that has no handler for it:
		 * a stop during early boot is repeated until init listens. */
		if (m->rs.init_pid > 0 && !init_catches(m, m->c->cfg.stop_signal))
			(void)monitor_send_init_signal(m, m->c->cfg.stop_signal);
		return;
	}
	(void)timerfd_settime(m->timerfd, 0, &(struct itimerspec){0}, NULL);
	lx_info(m->ctx, "stop timeout: killing every process of the container");
	kill_container(m);
}

static void event_loop(struct monitor *m)
{
	while (!m->done) {
		struct epoll_event evs[8];
		int n = epoll_wait(m->epfd, evs, ELEMENTSOF(evs), -1);

		for (int i = 0; i < n; i++) {
			uint32_t tag = evs[i].data.u32;

			if (tag == EV_SIGNAL)
				on_signal(m);
			else if (tag == EV_LISTEN)
				monitor_on_listen(m);
			else if (tag == EV_CONSOLE)
				(void)console_drain(&m->console);
			else if (tag == EV_TIMER)
				on_timer(m);
			else if (tag == EV_TRIM)
				monitor_on_trim(m);
			else if (tag == EV_NOTIFY && m->env.guest_notify_fd >= 0)
				on_guest_notify(m);
			else if (tag == EV_OOM && m->oomfd >= 0)
				on_oom(m);
			else if (tag >= EV_CONSOLE_CLIENT_BASE)
				console_client_event(&m->console,
						     (int)(tag - EV_CONSOLE_CLIENT_BASE));
			else if (tag >= EV_CLIENT_BASE && m->clients[tag - EV_CLIENT_BASE] >= 0)
				monitor_on_client(m, (int)(tag - EV_CLIENT_BASE));
		}
	}
	(void)console_drain(&m->console);
	console_detach_all(&m->console, m->exit_status);
}

static void remove_runtime(struct monitor *m)
{
	static const char *const files[] = {"control", "state", "seccomp.bpf", MOUNTS_LIVE_RECORD};
	_cleanup_close_ int dfd = open(m->c->rundir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	network_pasta_stop(m->c->rundir);
	for (size_t i = 0; dfd >= 0 && i < ELEMENTSOF(files); i++)
		(void)unlinkat(dfd, files[i], 0);
	(void)rmdir(m->c->rundir);
}

static void monitor_free(struct monitor *m)
{
	for (int i = 0; i < MAX_CLIENTS; i++)
		if (m->clients[i] >= 0)
			(void)close(m->clients[i]);
	if (m->init_pidfd >= 0)
		(void)close(m->init_pidfd);
	if (m->env.guest_notify_fd >= 0)
		(void)close(m->env.guest_notify_fd);
	guest_state_done(&m->gs);
	if (m->listenfd >= 0)
		(void)close(m->listenfd);
	if (m->timerfd >= 0)
		(void)close(m->timerfd);
	if (m->oomfd >= 0)
		(void)close(m->oomfd);
	if (m->trimfd >= 0)
		(void)close(m->trimfd);
	if (m->sigfd >= 0)
		(void)close(m->sigfd);
	if (m->epfd >= 0)
		(void)close(m->epfd);
	console_close(&m->console);
	cgroup_host_done(&m->env.cgroup_host);
	runtime_state_done(&m->rs);
	free(m);
}

/* The getty drop-in follows console.autologin at every start: set, it is (re)written, so an
 * upgrade inside cannot undo it; unset, it is removed. */
static void apply_autologin(const struct monitor *m)
{
	const struct container_config *cfg = &m->c->cfg;
	const char *user = cfg->console_autologin[0] ? cfg->console_autologin : NULL;
	uid_t uid = cfg->rootfs_shifted ? cfg->uid_base : 0;
	gid_t gid = cfg->rootfs_shifted ? cfg->gid_base : 0;
	_cleanup_close_ int rootfd = -EBADF;
	int r;

	if (user && cfg->init_kind != INIT_KIND_SYSTEMD) {
		log_line(m->ctx, LOG_LEVEL_WARNING, "console", 0,
			 "console.autologin needs systemd in the guest, ignoring");
		user = NULL;
	}
	rootfd = open(m->c->rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	r = rootfd < 0 ? -errno : login_apply_autologin(rootfd, user, uid, gid);
	if (r < 0)
		log_line(m->ctx, LOG_LEVEL_WARNING, "console", r,
			 "%s the console autologin drop-in, ignoring", user ? "install" : "remove");
}

static int prepare(struct monitor *m)
{
	const struct container_config *cfg = &m->c->cfg;
	_cleanup_free_ char *bpf = NULL;
	int r;

	r = mkdir_p(m->c->rundir, 0755);
	if (r < 0)
		return lx_fail(m->ctx, r, "create %s", m->c->rundir);
	m->rs.monitor_pid = getpid();
	(void)pid_start_time(m->rs.monitor_pid, &m->rs.monitor_start);
	m->rs.state = RUN_STATE_STARTING;
	r = console_open(&m->console, m->c->logdir, cfg->uid_base, cfg->gid_base + 5);
	if (r == -EPERM && rootless_active()) {
		console_close(&m->console);
		r = console_private_devpts();
		if (r >= 0)
			r = console_open(&m->console, m->c->logdir, cfg->uid_base,
					 cfg->gid_base + 5);
	}
	if (r < 0)
		return log_fail_full(m->ctx, "console", r, "open the console pty");
	m->rs.console = strdup(m->console.slave_path);
	/* Under the unit the console's output is in the journal too, as nspawn's is. */
	if (m->by_unit) {
		_cleanup_free_ char *ident = NULL;

		if (xasprintf(&ident, "%s-console", m->c->name) >= 0)
			m->console.journal_fd = log_journal_stream(ident);
	}
	/* A snapshot clone's drop-ins go through its merged tree (clone.h). */
	r = clone_view_open(m->ctx, m->c);
	if (r < 0)
		return r;
	apply_autologin(m);
	m->env = (struct start_env){
		.ctx = m->ctx,
		.c = m->c,
		.delegated = m->by_unit,
		.console_path = m->console.slave_path,
		.console_fd = m->console.slave,
		.guest_notify_fd = -EBADF,
	};
	r = cgroup_host_detect(&m->env.cgroup_host);
	if (r < 0)
		return log_fail_full(m->ctx, "cgroup", r, "read the host's cgroup layout");
	/* exec loads this instead of compiling the filter again. */
	r = xasprintf(&bpf, "%s/seccomp.bpf", m->c->rundir);
	if (r >= 0)
		r = security_seccomp_export(bpf);
	if (r < 0)
		return log_fail_full(m->ctx, "security", r, "export the seccomp filter");
	return setup_fds(m);
}

static void detach_stderr(const struct monitor *m)
{
	_cleanup_free_ char *path = NULL;
	int fd;

	if (xasprintf(&path, "%s/monitor.log", m->c->logdir) < 0)
		return;
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	if (fd < 0)
		return;
	(void)dup2(fd, STDERR_FILENO);
	(void)close(fd);
}

/* What the caller of start had open (a directory of the host, a socket) is not the monitor's:
 * it would keep it for the container's lifetime and hand it to every process it forks. Only
 * the running lock on the container's directory, its rootfs view and the status pipe stay. */
static int shed_inherited_fds(const struct lxmgr_ctx *ctx, const struct container *c, int status_fd)
{
	const int keep[] = {status_fd, c->dirfd, c->view_fd};
	int r = boundary_close_fds(keep, ELEMENTSOF(keep), /* cloexec= */ false);

	if (r < 0)
		return lx_fail(ctx, r, "close the descriptors inherited from the caller");
	return 0;
}

int monitor_run(const struct lxmgr_ctx *ctx, struct container *c, int status_fd, bool foreground)
{
	struct monitor *m = NULL;
	int r, status;

	if (shed_inherited_fds(ctx, c, status_fd) < 0)
		return 1;
	m = calloc(1, sizeof(*m));
	if (!m)
		return lx_fail(ctx, -ENOMEM, "out of memory");
	*m = (struct monitor){.ctx = ctx,
			      .c = c,
			      .epfd = -EBADF,
			      .sigfd = -EBADF,
			      .listenfd = -EBADF,
			      .timerfd = -EBADF,
			      .init_pidfd = -EBADF,
			      .oomfd = -EBADF,
			      .trimfd = -EBADF};
	for (int i = 0; i < MAX_CLIENTS; i++)
		m->clients[i] = -EBADF;
	m->env.guest_notify_fd = -EBADF;
	guest_state_init(&m->gs);
	console_init(&m->console);
	/* Run by lxmgr@NAME.service: log to the journal, or with <N> level prefixes. */
	m->by_unit = foreground && notify_run_by_unit();
	if (m->by_unit && !log_setup_journal(c->cfg.uuid))
		log_setup(log_threshold(), /* level_prefix= */ true);
	r = prepare(m);
	if (r >= 0)
		r = start_instance(&m->env, &m->rs, &m->init_pidfd);
	if (r < 0) {
		notify_send("STATUS=failed to start");
		remove_runtime(m);
		monitor_free(m);
		return 1;
	}
	event_record(ctx, c, EVENT_START, "started, init is pid %d", (int)m->rs.init_pid);
	watch_oom(m);
	announce_running(m);
	if (status_fd >= 0) {
		(void)!write(status_fd, "1", 1);
		(void)close(status_fd);
	}
	if (!foreground)
		detach_stderr(m);
	lx_debug(ctx, "released %zu KiB of start-only mappings", trim_monitor_memory() / 1024);
	event_loop(m);
	if (m->by_unit)
		machined_unregister(ctx, c->name);
	(void)start_teardown(ctx, &m->rs);
	post_stop(m);
	remove_runtime(m);
	if (m->exit_status == 0)
		event_record(ctx, c, EVENT_STOP, "stopped");
	else
		lx_info(ctx, "stopped");
	notify_send("STATUS=stopped");
	status = m->exit_status;
	monitor_free(m);
	return status;
}
