/* unit.c: a container's systemd unit lxmgr@NAME.service, enabled and started at boot. */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "base/lxmgr.h"
#include "base/sd.h"
#include "base/util.h"
#include "run/unit.h"

#define LOG_STEP "systemd"

/* systemctl ARGS..., its output passed through; 0, or -EIO when it failed. */
static int systemctl(const struct lxmgr_ctx *ctx, const char *verb, const char *unit,
		     const char *unit2)
{
	const char *argv[] = {"systemctl", "--quiet", verb, unit, unit2, NULL};
	int status;
	pid_t pid;

	lx_debug(ctx, "systemctl %s %s%s%s", verb, unit, unit2 ? " " : "", unit2 ? unit2 : "");
	pid = fork();
	if (pid < 0)
		return lx_fail(ctx, -errno, "fork");
	if (pid == 0) {
		execvp(argv[0], (char **)argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return lx_fail(ctx, -errno, "wait for systemctl");
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	return lx_fail(ctx, LX_SYNTHETIC(-EIO), "systemctl %s %s failed (status %d)", verb, unit,
		       WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

/* What keeps enable from working here; 0 when it can. */
static int check_host(const struct lxmgr_ctx *ctx)
{
	if (!sd_is_booted())
		return lx_fail(ctx, LX_SYNTHETIC(-EOPNOTSUPP),
			       "systemd is not running as PID 1 on this host: start the "
			       "container with 'lxmgr start' from the host's own boot scripts");
	/* The unit runs plain `lxmgr start --foreground NAME`: the default store. */
	if (ctx->custom_root)
		return lx_fail(ctx, LX_SYNTHETIC(-EOPNOTSUPP),
			       "lxmgr@.service manages the default store only, not --root or "
			       "LXMGR_ROOT");
	return 0;
}

int unit_autostart_apply(const struct lxmgr_ctx *ctx, const char *name, bool on)
{
	_cleanup_free_ char *unit = NULL;
	int r;

	r = check_host(ctx);
	if (r < 0)
		return r;
	if (xasprintf(&unit, "lxmgr@%s.service", name) < 0)
		return lx_fail(ctx, -ENOMEM, "out of memory");
	if (!on)
		return systemctl(ctx, "disable", "--now", unit);
	/* The target is what multi-user.target pulls in at boot; the unit is what it wants. */
	r = systemctl(ctx, "enable", "lxmgr.target", NULL);
	if (r >= 0)
		r = systemctl(ctx, "enable", "--now", unit);
	return r;
}
