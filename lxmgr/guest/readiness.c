/* readiness.c: the guest's systemd state for list and info, from systemctl inside. */
#include <errno.h>
#include <fcntl.h>
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

void readiness_format(const struct readiness *r, char *buf, size_t size)
{
	if (!r->state[0])
		(void)snprintf(buf, size, "-");
	else if (r->failed_units)
		(void)snprintf(buf, size, "%s (%u failed)", r->state, r->failed_units);
	else
		(void)snprintf(buf, size, "%s", r->state);
}
