/* cmd-publish.c: lxmgr publish NAME ALIAS [--force] and lxmgr publish --delete ALIAS: a
 * container as a local image for create -t image -r ALIAS (publish.h). */
#include <stdio.h>
#include <stdlib.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "cmd/cmd.h"
#include "cmd/parse.h"
#include "image/publish.h"
#include "store/store.h"

#define LOG_STEP "publish"

struct publish_opts {
	bool force, delete;
};

static int publish_option(struct lxmgr_ctx *ctx, int opt, const char *arg, void *userdata)
{
	struct publish_opts *o = userdata;

	(void)ctx;
	(void)arg;
	if (opt == 'f')
		o->force = true;
	else if (opt == 'd')
		o->delete = true;
	return 0;
}

int cmd_publish(struct lxmgr_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"force", no_argument, NULL, 'f'},
		{"delete", no_argument, NULL, 'd'},
		{},
	};
	_cleanup_container_ struct container *c = NULL;
	struct publish_opts o = {0};
	struct verb_args a = {.longopts = longopts,
			      .on_option = publish_option,
			      .userdata = &o,
			      .min_args = 1,
			      .max_args = 2,
			      .args_name = "NAME and ALIAS (or --delete ALIAS)"};
	int r;

	r = cmd_parse(ctx, argc, argv, &a);
	if (r != 0)
		return r;
	if (o.delete) {
		if (a.n_args != 1 || o.force)
			return cmd_usage_error(ctx, "--delete takes one ALIAS and no --force");
		return publish_delete(ctx, a.args[0]) < 0 ? EXIT_FAILED : 0;
	}
	if (a.n_args != 2)
		return cmd_usage_error(ctx, "expected NAME and ALIAS (or --delete ALIAS)");
	if (store_container_open(ctx, a.args[0], &c) < 0)
		return EXIT_FAILED;
	return publish_image(ctx, c, a.args[1], o.force) < 0 ? EXIT_FAILED : 0;
}
