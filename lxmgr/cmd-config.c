/* cmd-config.c: lxmgr config: show, get, set and unset keys of a container's config. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup.h"
#include "cleanup.h"
#include "sd.h"
#include "cmd.h"
#include "suggest.h"
#include "log.h"
#include "runtime.h"
#include "store.h"
#include "util.h"

#define LOG_STEP "config"

static int show_all(const struct container *c)
{
	const char *doc;
	const char *key;

	for (size_t i = 0; (key = config_key_name(i, &doc)); i++) {
		_cleanup_free_ char *v = NULL;

		if (config_get(&c->cfg, key, &v) >= 0)
			printf("%s = %s\n", key, v);
	}
	return 0;
}

/* Limits of a running container change at once; everything else at its next start. */
static void apply_live(const struct lxmgr_ctx *ctx, const char *name, const char *key)
{
	_cleanup_container_ struct container *c = NULL;
	struct runtime_state rs = {0};
	struct cgroup_host h = {0};
	int r;

	if (store_container_open(ctx, name, &c) < 0 || !store_is_running(c))
		return;
	if (strncmp(key, "limits.", 7) != 0) {
		lx_info(ctx, "%s takes effect at the next start", key);
		return;
	}
	r = runtime_state_read(c->rundir, &rs);
	if (r >= 0)
		r = cgroup_host_detect(&h);
	if (r >= 0)
		r = cgroup_apply_limits(&h, &rs.cgroup, &c->cfg);
	if (r < 0)
		lx_warn(ctx, r,
			"apply %s to the running container (it applies at the next start), "
			"ignoring",
			key);
	cgroup_host_done(&h);
	runtime_state_done(&rs);
}

static int edit(struct lxmgr_ctx *ctx, struct container *c, const char *key, const char *value)
{
	struct config_error e = {0};
	bool on = false;
	int r;

	/* autostart means lxmgr enable/disable where systemd runs: the unit goes first, so a
	 * refusal changes nothing. Elsewhere it is recorded only. */
	if (!strcmp(key, "container.autostart") && sd_is_booted() &&
	    (!value || parse_bool(value, &on) >= 0)) {
		r = cmd_autostart_apply(ctx, c->name, on);
		if (r < 0)
			return r;
	}
	r = config_edit_file(c->config_path, key, value, &e);
	if (r < 0)
		return store_report_config_error(ctx, r, &e);
	apply_live(ctx, c->name, key);
	return 0;
}

int cmd_config(struct lxmgr_ctx *ctx, int argc, char **argv)
{
	_cleanup_container_ struct container *c = NULL;
	_cleanup_free_ char *v = NULL;
	const char *op;
	int r;

	if (argc < 2 || argv[1][0] == '-')
		return cmd_usage_error(ctx, "expected NAME [get KEY | set KEY VALUE | unset KEY]");
	ctx->name = argv[1];
	op = argc > 2 ? argv[2] : NULL;
	if (op && !((!strcmp(op, "get") && argc == 4) || (!strcmp(op, "set") && argc == 5) ||
		    (!strcmp(op, "unset") && argc == 4)))
		return cmd_usage_error(ctx, "expected get KEY, set KEY VALUE or unset KEY");
	if (store_container_open(ctx, ctx->name, &c) < 0)
		return EXIT_FAILED;
	if (!op)
		return show_all(c);
	if (!strcmp(op, "get")) {
		r = config_get(&c->cfg, argv[3], &v);
		if (r == -ENOENT) {
			char hint[96];

			suggest_config_key(argv[3], hint, sizeof(hint));
			return lx_fail(ctx, LX_SYNTHETIC(r), "unknown key '%s'%s", argv[3], hint),
			       EXIT_FAILED;
		}
		if (r < 0)
			return EXIT_FAILED;
		printf("%s\n", v);
		return 0;
	}
	r = edit(ctx, c, argv[3], !strcmp(op, "set") ? argv[4] : NULL);
	return r < 0 ? EXIT_FAILED : 0;
}
