/* cmd-snapshot.c: lxmgr snapshot create|list|delete NAME [SNAP] and lxmgr restore NAME SNAP:
 * restore points of a container (snapshot.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/cleanup.h"
#include "cmd/cmd.h"
#include "cmd/parse.h"
#include "run/lifecycle.h"
#include "base/log.h"
#include "image/snapshot.h"
#include "store/store.h"
#include "base/util.h"

#define LOG_STEP "snapshot"

static int list_snapshots(const struct container *c)
{
	_cleanup_free_ struct snapshot_info *v = NULL;
	int n = snapshot_list(c, &v);

	if (n < 0)
		return n;
	printf("%-24s %-20s %s\n", "SNAPSHOT", "CREATED (UTC)", "LAYERS");
	for (int i = 0; i < n; i++) {
		char when[32] = "-";
		time_t t = (time_t)v[i].created;
		struct tm tm;

		if (v[i].created && gmtime_r(&t, &tm))
			(void)strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
		printf("%-24s %-20s %d\n", v[i].name, when, v[i].layers);
	}
	return 0;
}

int cmd_snapshot(struct lxmgr_ctx *ctx, int argc, char **argv)
{
	_cleanup_container_ struct container *c = NULL;
	const char *op = argc > 1 ? argv[1] : NULL;
	struct verb_args a = {0};
	bool list;
	uint64_t t0 = now_ns();
	int r;

	if (!op || (strcmp(op, "create") && strcmp(op, "list") && strcmp(op, "delete")))
		return cmd_usage_error(ctx, "expected create, list or delete");
	list = !strcmp(op, "list");
	/* OP stands where the verb stood: NAME (and SNAP) follow it */
	a.min_args = a.max_args = list ? 1 : 2;
	a.args_name = list ? "NAME" : "NAME and SNAP";
	r = cmd_parse(ctx, argc - 1, argv + 1, &a);
	if (r != 0)
		return r;
	argv = a.args - 2; /* argv[2] NAME, argv[3] SNAP, as before */
	if (store_container_open(ctx, argv[2], &c) < 0)
		return EXIT_FAILED;
	if (list) {
		r = list_snapshots(c);
		return r < 0 ? (lx_fail(ctx, r, "list the snapshots of %s", c->name), EXIT_FAILED)
			     : 0;
	}
	if (!name_is_valid(argv[3]))
		return lx_fail(ctx, LX_SYNTHETIC(-EINVAL), "invalid snapshot name '%s'", argv[3]),
		       EXIT_FAILED;
	if (!strcmp(op, "create"))
		r = snapshot_create(ctx, c, argv[3]);
	else
		r = snapshot_delete(ctx, c, argv[3]);
	if (r < 0)
		return EXIT_FAILED;
	lx_info(ctx, "snapshot %s %s of %s in %.3f s", op, argv[3], c->name,
		(double)(now_ns() - t0) / 1e9);
	return 0;
}

int cmd_restore(struct lxmgr_ctx *ctx, int argc, char **argv)
{
	_cleanup_container_ struct container *c = NULL;
	struct verb_args a = {.min_args = 2, .max_args = 2, .args_name = "NAME and SNAP"};
	uint64_t t0 = now_ns();
	int r = cmd_parse(ctx, argc, argv, &a);

	if (r != 0)
		return r;
	argv = a.args - 1; /* argv[1] NAME, argv[2] SNAP */
	if (store_container_open(ctx, argv[1], &c) < 0)
		return EXIT_FAILED;
	if (store_lock_stopped(ctx, LOG_STEP, c) < 0)
		return EXIT_FAILED;
	if (lifecycle_cleanup_stale(ctx, c) < 0)
		return EXIT_FAILED;
	if (snapshot_restore(ctx, c, argv[2]) < 0)
		return EXIT_FAILED;
	lx_info(ctx, "restored %s to %s in %.3f s", c->name, argv[2],
		(double)(now_ns() - t0) / 1e9);
	return 0;
}
