/* state-query.c: asks many monitors for their guest's state at once (list). */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "base/cleanup.h"
#include "base/util.h"
#include "run/control.h"
#include "run/guest-state.h"
#include "run/state-query.h"

/* One socket per guest: 500 guests outgrow the usual soft limit of 1024 with what else
 * list holds open, so the soft limit goes up to the hard one for this process. */
static void raise_nofile(size_t n)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= n + 64)
		return;
	rl.rlim_cur = rl.rlim_max;
	(void)setrlimit(RLIMIT_NOFILE, &rl);
}

static int ask(const char *rundir, uint32_t max_age)
{
	const struct ctrl_msg req = {.cmd = CTRL_STATE, .arg = (int32_t)max_age};
	_cleanup_close_ int fd = control_connect(rundir);
	int r;

	if (fd < 0)
		return fd;
	r = control_send(fd, &req);
	return r < 0 ? r : TAKE_FD(fd);
}

static void take(struct pollfd *p, struct state_answer *a)
{
	struct ctrl_msg rep;

	if (control_recv(p->fd, &rep) >= 0 && rep.cmd == CTRL_STATE && rep.status == 0 &&
	    guest_state_parse(rep.text, &a->r, &a->age_ms) >= 0)
		a->run_state = rep.arg;
	(void)close(p->fd);
	p->fd = -1;
}

int state_query_all(char *const *rundirs, size_t n, uint32_t max_age, int timeout_ms,
		    struct state_answer *ret)
{
	_cleanup_free_ struct pollfd *p = calloc(n ? n : 1, sizeof(*p));
	uint64_t deadline = now_ns() + (uint64_t)timeout_ms * 1000000ULL;
	size_t waiting = 0, answered = 0;

	if (!p)
		return -ENOMEM;
	raise_nofile(n);
	for (size_t i = 0; i < n; i++) {
		ret[i] = (struct state_answer){.run_state = -1};
		p[i] = (struct pollfd){.fd = ask(rundirs[i], max_age), .events = POLLIN};
		if (p[i].fd < 0)
			p[i].fd = -1;
		else
			waiting++;
	}
	while (waiting) {
		uint64_t now = now_ns();
		int k;

		if (now >= deadline)
			break;
		k = poll(p, n, (int)((deadline - now) / 1000000ULL) + 1);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		for (size_t i = 0; i < n; i++) {
			if (p[i].fd < 0 || !p[i].revents)
				continue;
			take(&p[i], &ret[i]);
			waiting--;
			answered += ret[i].run_state >= 0;
		}
	}
	for (size_t i = 0; i < n; i++)
		if (p[i].fd >= 0)
			(void)close(p[i].fd);
	return (int)answered;
}
