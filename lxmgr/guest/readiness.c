/* readiness.c: the guest's systemd state for list and info, from systemctl inside. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/util.h"
#include "guest/readiness.h"
#include "run/attach.h"
#include "store/runtime.h"
#include "store/store.h"

/* Runs argv inside with its stdout into a pipe and its stderr into /dev/null; the first
 * size-1 bytes of the output in buf. The output is a few lines: no pipe buffer fills up. */
static int capture(const struct lxmgr_ctx *ctx, const struct runtime_state *rs,
		   const struct attach_opts *a, char *buf, size_t size)
{
	_cleanup_close_ int saved_out = -EBADF, saved_err = -EBADF, null = -EBADF;
	int p[2], r;
	ssize_t n;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	(void)fflush(stdout);
	(void)fflush(stderr);
	saved_out = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
	saved_err = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
	null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (saved_out < 0 || saved_err < 0 || null < 0 || dup2(p[1], STDOUT_FILENO) < 0 ||
	    dup2(null, STDERR_FILENO) < 0)
		r = -errno;
	else
		r = attach_run(ctx, rs, a);
	(void)fflush(stderr);
	if (saved_out >= 0)
		(void)dup2(saved_out, STDOUT_FILENO);
	if (saved_err >= 0)
		(void)dup2(saved_err, STDERR_FILENO);
	(void)close(p[1]);
	n = read(p[0], buf, size - 1);
	(void)close(p[0]);
	buf[n > 0 ? n : 0] = '\0';
	return r;
}

void readiness_query(const struct lxmgr_ctx *ctx, const struct container *c,
		     const struct runtime_state *rs, struct readiness *ret)
{
	char *argv[] = {"systemctl", "show", "--property=SystemState,NFailedUnits", NULL};
	struct attach_opts a = {.argv = argv, .rundir = c->rundir, .stdin_null = true};
	char out[256], *state, *failed;

	*ret = (struct readiness){0};
	if (c->cfg.init_kind != INIT_KIND_SYSTEMD || rs->init_pid <= 0)
		return;
	if (capture(ctx, rs, &a, out, sizeof(out)) != 0)
		return;
	state = strstr(out, "SystemState=");
	failed = strstr(out, "NFailedUnits=");
	if (!state || !failed)
		return;
	state += strlen("SystemState=");
	(void)snprintf(ret->state, sizeof(ret->state), "%.*s", (int)strcspn(state, "\n"), state);
	ret->failed_units = (uint32_t)strtoul(failed + strlen("NFailedUnits="), NULL, 10);
}

static bool is_settled(const char *state)
{
	static const char *const settled[] = {"running", "degraded", "maintenance", "stopping"};

	for (size_t i = 0; i < ELEMENTSOF(settled); i++)
		if (!strcmp(state, settled[i]))
			return true;
	return false;
}

/* Polled, not `is-system-running --wait`: systemd 219 has no --wait and 239 answers
 * "initializing" at once. SystemState is there since 215. */
int readiness_wait(const struct lxmgr_ctx *ctx, const struct container *c,
		   const struct runtime_state *rs, unsigned timeout_ms, struct readiness *ret)
{
	for (unsigned waited = 0;; waited += 200) {
		readiness_query(ctx, c, rs, ret);
		if (is_settled(ret->state))
			return 0;
		if (waited >= timeout_ms || kill(rs->init_pid, 0) < 0)
			return -ETIMEDOUT;
		(void)usleep(200000);
	}
}

/* The Result of one unit ("exit-code", "timeout", "resources"...), "?" when unknown. */
static void unit_result(const struct lxmgr_ctx *ctx, const struct container *c,
			const struct runtime_state *rs, const char *unit, char *buf, size_t size)
{
	char *argv[] = {"systemctl", "show", "--property=Result", (char *)unit, NULL};
	struct attach_opts a = {.argv = argv, .rundir = c->rundir, .stdin_null = true};
	char out[128], *p;

	(void)snprintf(buf, size, "?");
	if (capture(ctx, rs, &a, out, sizeof(out)) != 0 || !(p = strstr(out, "Result=")))
		return;
	p += strlen("Result=");
	(void)snprintf(buf, size, "%.*s", (int)strcspn(p, "\n"), p);
}

int readiness_failed_units(const struct lxmgr_ctx *ctx, const struct container *c,
			   const struct runtime_state *rs, char *buf, size_t size)
{
	char *argv[] = {"systemctl", "--failed", "--no-legend", "--no-pager", NULL};
	struct attach_opts a = {.argv = argv, .rundir = c->rundir, .stdin_null = true};
	char out[4096], *save = NULL;
	size_t len = 0;
	int n = 0, r;

	buf[0] = '\0';
	r = capture(ctx, rs, &a, out, sizeof(out));
	if (r != 0)
		return r < 0 ? r : -EIO;
	for (char *l = strtok_r(out, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char result[32];

		/* Newer systemctl starts each line with a bullet ("● "), 219 does not. */
		while (*l && !(*l >= 'a' && *l <= 'z') && !(*l >= 'A' && *l <= 'Z') &&
		       !(*l >= '0' && *l <= '9'))
			l++;
		l[strcspn(l, " \t")] = '\0';
		if (!*l)
			continue;
		unit_result(ctx, c, rs, l, result, sizeof(result));
		len += (size_t)snprintf(buf + len, len < size ? size - len : 0, "%s %s\n", l,
					result);
		n++;
	}
	return n;
}

void readiness_format(const struct readiness *r, char *buf, size_t size)
{
	if (!r->state[0])
		(void)snprintf(buf, size, "-");
	else if (r->failed_units)
		(void)snprintf(buf, size, "%s (%u failed)", r->state, r->failed_units);
	else
		(void)snprintf(buf, size, "%s", r->state);
}
