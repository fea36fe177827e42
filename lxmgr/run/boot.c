/* boot.c: waiting until a started guest's systemd reports the system up: start --wait and
 * launch share it. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "base/lxmgr.h"
#include "base/util.h"
#include "guest/readiness.h"
#include "run/attach.h"
#include "run/boot.h"
#include "store/runtime.h"
#include "store/store.h"

#define LOG_STEP "control"

/* How long start --wait waits for the socket, then again for the boot to settle. */
#define WAIT_UP_MS 120000

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

/* One line when the guest does not come up as it should; 0 when it is running. */
static int wait_until_up(struct lxmgr_ctx *ctx, const struct container *c)
{
	_cleanup_(runtime_state_done) struct runtime_state rs = {0};
	struct readiness up;
	int r;

	if (c->cfg.init_kind != INIT_KIND_SYSTEMD)
		return 0;
	r = runtime_state_read(c->rundir, &rs);
	if (r < 0)
		return lx_fail(ctx, r, "read %s/state", c->rundir);
	r = wait_for_systemd_socket(&rs, WAIT_UP_MS);
	if (r < 0)
		return lx_fail(ctx, r, "systemd inside did not open its control socket");
	r = readiness_wait(ctx, c, &rs, WAIT_UP_MS, &up);
	if (r < 0)
		return lx_fail(ctx, LX_SYNTHETIC(r), "systemd inside is still %s after %u s",
			       up.state[0] ? up.state : "silent", WAIT_UP_MS / 1000);
	if (strcmp(up.state, "running") != 0)
		return lx_fail(ctx, LX_SYNTHETIC(-EIO),
			       "systemd inside is up but %s (%u failed units): lxmgr doctor %s "
			       "names them",
			       up.state, up.failed_units, c->name);
	return 0;
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
