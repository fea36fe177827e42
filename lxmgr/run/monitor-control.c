/* monitor-control.c: the monitor's control socket: status, stop, kill, freeze, reboot and
 * forward requests, console attaches and list's state queries (monitor-internal.h). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "base/log.h"
#include "base/trim.h"
#include "cgroup/cgroup.h"
#include "network/forward-live.h"
#include "run/control.h"
#include "run/monitor-internal.h"

#define LOG_STEP "monitor"

static void reply(int fd, const struct ctrl_msg *req, int status, const char *text)
{
	struct ctrl_msg rep = {.cmd = req->cmd, .status = status, .arg = 0};

	(void)snprintf(rep.text, sizeof(rep.text), "%s", text ? text : "");
	(void)control_send(fd, &rep);
}

static void handle_freeze(struct monitor *m, int fd, const struct ctrl_msg *req, bool frozen)
{
	int r;

	if (m->stopping)
		return reply(fd, req, -EBUSY, "container is stopping");
	if (!m->rs.cgroup.unified)
		return reply(fd, req, -EOPNOTSUPP,
			     "it runs in no cgroup of its own, so has no freezer");
	r = cgroup_freeze(&m->rs.cgroup, frozen);
	if (r >= 0)
		monitor_set_state(m, frozen ? RUN_STATE_FROZEN : RUN_STATE_RUNNING);
	reply(fd, req, r, NULL);
}

static void handle_forward(struct monitor *m, int fd, const struct ctrl_msg *req)
{
	char why[CTRL_TEXT_MAX] = "";

	if (m->stopping || m->rs.state == RUN_STATE_REBOOTING)
		return reply(fd, req, LX_SYNTHETIC(-EBUSY), "container is stopping");
	reply(fd, req, network_forward_reload(m->ctx, m->c, &m->rs, why, sizeof(why)), why);
}

/* Returns true when the client stays connected (stop: it waits for our exit). */
static bool handle_request(struct monitor *m, int fd, const struct ctrl_msg *req)
{
	struct ctrl_msg rep = {.cmd = req->cmd, .arg = (int32_t)m->rs.state};

	switch ((enum ctrl_cmd)req->cmd) {
	case CTRL_STATUS:
		(void)snprintf(rep.text, sizeof(rep.text), "%s", run_state_to_string(m->rs.state));
		(void)control_send(fd, &rep);
		return false;
	case CTRL_STOP:
		monitor_begin_stop(m, req->arg, req->flags & CTRL_FLAG_KILL);
		return true;
	case CTRL_KILL:
		reply(fd, req, monitor_send_init_signal(m, req->arg), NULL);
		return false;
	case CTRL_FREEZE:
	case CTRL_UNFREEZE:
		handle_freeze(m, fd, req, req->cmd == CTRL_FREEZE);
		return false;
	case CTRL_REBOOT:
		reply(fd, req, monitor_send_init_signal(m, SIGINT), NULL);
		return false;
	case CTRL_FORWARD:
		handle_forward(m, fd, req);
		return false;
	case CTRL_CONSOLE: /* monitor_on_client hands these to the console */
	case CTRL_STATE:   /* and these to on_state */
	case _CTRL_CMD_MAX:
		break;
	}
	reply(fd, req, -EOPNOTSUPP, "unknown command");
	return false;
}

static void drop_client(struct monitor *m, int slot)
{
	m->state_waiting &= ~(1U << slot);
	(void)epoll_ctl(m->epfd, EPOLL_CTL_DEL, m->clients[slot], NULL);
	(void)close(m->clients[slot]);
	m->clients[slot] = -EBADF;
}

/* The connection leaves the control clients and becomes a console client: console.c owns
 * it from here, and closing it there also removes it from our epoll set. */
static void attach_console(struct monitor *m, int slot, const struct ctrl_msg *req)
{
	int fd = m->clients[slot], r;

	(void)epoll_ctl(m->epfd, EPOLL_CTL_DEL, fd, NULL);
	m->clients[slot] = -EBADF;
	if (m->stopping) {
		reply(fd, req, LX_SYNTHETIC(-ESHUTDOWN), "container is stopping");
		(void)close(fd);
		return;
	}
	r = console_attach(&m->console, fd, req);
	/* Should epoll refuse it, the client still watches; only its input is not read. */
	if (r >= 0)
		(void)monitor_ep_add(m, m->console.clients[r].fd,
				     EV_CONSOLE_CLIENT_BASE + (uint32_t)r);
	lx_debug(m->ctx, "console: client attached (%d now)", console_n_clients(&m->console));
}

/* Handling the guest's notify datagrams and list's requests faults in code (printf's,
 * fork's) that the trim after start gave back: an idle monitor gives it back again, once,
 * 2 s after the last of them, so that a burst of lists costs one trim, not one each. */
void monitor_trim_later(struct monitor *m)
{
	const struct itimerspec its = {.it_value.tv_sec = 2};

	(void)timerfd_settime(m->trimfd, 0, &its, NULL);
}

void monitor_on_trim(struct monitor *m)
{
	uint64_t ticks;

	if (read(m->trimfd, &ticks, sizeof(ticks)) == sizeof(ticks))
		(void)trim_monitor_memory();
}

static void state_reply(struct monitor *m, int slot)
{
	struct ctrl_msg rep = {.cmd = CTRL_STATE, .arg = (int32_t)m->rs.state};

	guest_state_format(&m->gs, rep.text, sizeof(rep.text));
	(void)control_send(m->clients[slot], &rep);
	drop_client(m, slot);
	monitor_trim_later(m);
}

/* From the cache when it is young enough, else after a refresh: list asks every monitor at
 * once, so these refreshes run side by side. A refresh that fails answers with the cache. */
static void on_state(struct monitor *m, int slot, const struct ctrl_msg *req)
{
	uint32_t max_age = req->arg >= 0 ? (uint32_t)req->arg : GUEST_STATE_MAX_AGE_DEFAULT;

	if (m->rs.state != RUN_STATE_RUNNING || m->c->cfg.init_kind != INIT_KIND_SYSTEMD ||
	    guest_state_fresh(&m->gs, max_age) ||
	    guest_state_refresh(&m->gs, m->ctx, m->c, &m->rs) < 0)
		return state_reply(m, slot);
	m->state_waiting |= 1U << slot;
}

/* The refresh at READY=1 has nobody waiting: that one boot's worth of faults goes at once,
 * so that an idle guest's monitor is back to its size as soon as the guest is up. */
void monitor_state_refreshed(struct monitor *m)
{
	if (!m->state_waiting) {
		(void)trim_monitor_memory();
		return;
	}
	for (int i = 0; i < MAX_CLIENTS; i++)
		if (m->state_waiting & (1U << i))
			state_reply(m, i);
}

void monitor_on_client(struct monitor *m, int slot)
{
	struct ctrl_msg req;
	int r = control_recv(m->clients[slot], &req);

	if (r < 0) {
		drop_client(m, slot);
		return;
	}
	lx_debug(m->ctx, "control: %s", ctrl_cmd_to_string(req.cmd));
	if (req.cmd == CTRL_CONSOLE)
		return attach_console(m, slot, &req);
	if (req.cmd == CTRL_STATE)
		return on_state(m, slot, &req);
	if (!handle_request(m, m->clients[slot], &req))
		drop_client(m, slot);
}

void monitor_on_listen(struct monitor *m)
{
	int fd = accept4(m->listenfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (fd < 0)
		return;
	for (int i = 0; i < MAX_CLIENTS; i++)
		if (m->clients[i] < 0) {
			m->clients[i] = fd;
			if (monitor_ep_add(m, fd, EV_CLIENT_BASE + (uint32_t)i) < 0)
				drop_client(m, i);
			return;
		}
	(void)close(fd);
}
