/* guest-state.c: the monitor's cache of its guest's systemd state, and its wire form. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <sys/prctl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/util.h"
#include "run/boundary.h"
#include "run/guest-state.h"
#include "run/notify.h"

/* A guest whose systemd does not answer in this time is reported with its last state. */
#define REFRESH_TIMEOUT_S 5

void guest_state_init(struct guest_state *gs)
{
	*gs = (struct guest_state){.refresh_fd = -EBADF};
}

void guest_state_reset(struct guest_state *gs, bool booting)
{
	gs->r = (struct readiness){0};
	gs->known_ns = 0;
	gs->booting = booting;
	if (booting) {
		/* Until READY=1 systemd is starting, by definition: known now, and always. */
		(void)snprintf(gs->r.state, sizeof(gs->r.state), "starting");
		gs->known_ns = now_ns();
	}
}

void guest_state_done(struct guest_state *gs)
{
	if (gs->refresh_fd >= 0)
		(void)close(gs->refresh_fd);
	gs->refresh_fd = -EBADF;
}

bool guest_state_fresh(const struct guest_state *gs, uint32_t max_age)
{
	if (gs->booting)
		return true;
	return gs->known_ns && now_ns() - gs->known_ns <= (uint64_t)max_age * 1000000000ULL;
}

/* In the child: the monitor's signal mask and handlers are not ours. */
static _Noreturn void refresh_child(int fd, const struct lxmgr_ctx *ctx, const struct container *c,
				    const struct runtime_state *rs)
{
	struct readiness r;
	sigset_t none;

	/* Nothing of the monitor's stays with us: above all not the running lock on the
	 * container's directory, which a start after a killed monitor must be able to take at
	 * once; and we die with the monitor. */
	if (boundary_close_fds((const int[]){fd}, 1, /* cloexec= */ false) < 0 ||
	    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		_exit(1);
	(void)sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
	(void)alarm(REFRESH_TIMEOUT_S);
	readiness_query(ctx, c, rs, &r);
	if (r.state[0])
		(void)!write(fd, &r, sizeof(r));
	_exit(0);
}

int guest_state_refresh(struct guest_state *gs, const struct lxmgr_ctx *ctx,
			const struct container *c, const struct runtime_state *rs)
{
	int p[2];
	pid_t pid;

	if (gs->refresh_pid > 0)
		return 0;
	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		int r = -errno;

		(void)close(p[0]);
		(void)close(p[1]);
		return r;
	}
	if (pid == 0) {
		(void)close(p[0]);
		refresh_child(p[1], ctx, c, rs);
	}
	(void)close(p[1]);
	guest_state_done(gs);
	gs->refresh_fd = p[0];
	gs->refresh_pid = pid;
	return 0;
}

bool guest_state_reaped(struct guest_state *gs, pid_t pid)
{
	struct readiness r;

	if (pid <= 0 || pid != gs->refresh_pid)
		return false;
	gs->refresh_pid = 0;
	/* The pipe holds the whole answer once the child is gone (it is smaller than PIPE_BUF). */
	if (gs->refresh_fd >= 0 && read(gs->refresh_fd, &r, sizeof(r)) == (ssize_t)sizeof(r)) {
		r.state[sizeof(r.state) - 1] = '\0';
		/* A late answer must not undo what STOPPING=1 told us since. */
		if (strcmp(gs->r.state, "stopping") != 0) {
			gs->r = r;
			gs->known_ns = now_ns();
		}
	}
	guest_state_done(gs);
	return true;
}

bool guest_state_on_notify(struct guest_state *gs, const struct notify_msg *msg)
{
	if (msg->stopping) {
		gs->booting = false;
		(void)snprintf(gs->r.state, sizeof(gs->r.state), "stopping");
		gs->known_ns = now_ns();
		return false;
	}
	if (msg->ready && gs->booting) {
		/* "starting" is no longer true: a request waits for the refresh this starts. */
		gs->booting = false;
		gs->known_ns = 0;
		return true;
	}
	return false;
}

void guest_state_format(const struct guest_state *gs, char *text, size_t size)
{
	uint64_t age = gs->known_ns ? (now_ns() - gs->known_ns) / 1000000ULL : 0;

	if (gs->booting)
		age = 0;
	if (!gs->r.state[0])
		(void)snprintf(text, size, "- 0 0");
	else
		(void)snprintf(text, size, "%s %" PRIu32 " %" PRIu64, gs->r.state,
			       gs->r.failed_units, age);
}

int guest_state_parse(const char *text, struct readiness *ret, uint64_t *ret_age_ms)
{
	char state[sizeof(ret->state)];
	unsigned long long age;
	unsigned failed;

	*ret = (struct readiness){0};
	*ret_age_ms = 0;
	if (sscanf(text, "%15s %u %llu", state, &failed, &age) != 3)
		return -EBADMSG;
	if (strcmp(state, "-") != 0)
		(void)snprintf(ret->state, sizeof(ret->state), "%s", state);
	ret->failed_units = failed;
	*ret_age_ms = age;
	return 0;
}
