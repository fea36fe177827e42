/* cmd-enable.c: lxmgr enable and disable: the container's systemd unit, started at boot. */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "base/sd.h"
#include "base/util.h"
#include "cmd/cmd.h"
#include "cmd/parse.h"
#include "run/unit.h"
#include "store/config.h"
#include "store/store.h"

#define LOG_STEP "systemd"

static int run(struct lxmgr_ctx *ctx, int argc, char **argv, bool on)
{
	_cleanup_container_ struct container *c = NULL;
	struct config_error e = {0};
	struct verb_args a = {.min_args = 1, .max_args = 1};
	int r;

	r = cmd_parse(ctx, argc, argv, &a);
	if (r != 0)
		return r;
	if (store_container_open(ctx, ctx->name, &c) < 0)
		return EXIT_FAILED;
	/* Refused before anything changes: the config keeps its value. */
	r = unit_autostart_apply(ctx, c->name, on);
	if (r < 0)
		return EXIT_FAILED;
	r = config_edit_file(c->config_path, "container.autostart", on ? "yes" : "no", &e);
	if (r < 0)
		return store_report_config_error(ctx, r, &e), EXIT_FAILED;
	return 0;
}

int cmd_enable(struct lxmgr_ctx *ctx, int argc, char **argv)
{
	return run(ctx, argc, argv, true);
}

int cmd_disable(struct lxmgr_ctx *ctx, int argc, char **argv)
{
	return run(ctx, argc, argv, false);
}
