/* cmd-mount.c: lxmgr mount / umount: a host directory into a running container, live. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "base/util.h"
#include "cmd/cmd.h"
#include "cmd/parse.h"
#include "fs/mounts-live.h"
#include "store/runtime.h"
#include "store/store.h"

#define LOG_STEP "mounts"
#define PATH_RULE                                                                                  \
	"an absolute path without '.', '..', blanks or ':', not / nor under /proc, /sys or /dev"

struct mount_opts {
	const char *name, *src, *dst, *owner;
	bool ro;
};

static int on_option(struct lxmgr_ctx *ctx, int opt, const char *arg, void *userdata)
{
	struct mount_opts *o = userdata;

	(void)ctx;
	if (opt == 'r')
		o->ro = true;
	else
		o->owner = arg;
	return 0;
}

/* mount NAME HOSTDIR GUESTDIR [--ro] [--owner USER], or umount NAME GUESTDIR (no options). */
static int parse_opts(struct lxmgr_ctx *ctx, int argc, char **argv, struct mount_opts *o,
		      int n_args)
{
	static const struct option longopts[] = {
		{"ro", no_argument, NULL, 'r'},
		{"owner", required_argument, NULL, 'o'},
		{},
	};
	struct verb_args a = {
		.longopts = n_args == 3 ? longopts : NULL,
		.on_option = on_option,
		.userdata = o,
		.min_args = n_args,
		.max_args = n_args,
		.args_name = n_args == 3 ? "NAME HOSTDIR GUESTDIR" : "NAME GUESTDIR",
		.options_first = n_args == 2,
	};
	int r = cmd_parse(ctx, argc, argv, &a);

	if (r != 0)
		return r;
	o->name = a.args[0];
	if (n_args == 3)
		o->src = a.args[1];
	o->dst = a.args[n_args - 1];
	return 0;
}

/* The share as a mount.NAME value, checked as `config set` checks one. */
static int make_entry(const struct lxmgr_ctx *ctx, const struct mount_opts *o,
		      struct mount_entry *ret)
{
	_cleanup_free_ char *value = NULL, *plain = NULL;
	char why[PATH_MAX + 64];
	int r;

	if (!mounts_target_is_valid(o->dst))
		return lx_fail(ctx, LX_SYNTHETIC(-EINVAL), "invalid GUESTDIR '%s': " PATH_RULE,
			       o->dst);
	r = xasprintf(&plain, "%s:%s", o->src, o->dst);
	if (r >= 0)
		r = xasprintf(&value, "%s%s%s%s", plain, o->ro ? ":ro" : "",
			      o->owner ? ":owner=" : "", o->owner ? o->owner : "");
	if (r < 0)
		return lx_fail(ctx, r, "out of memory");
	if (mounts_parse(plain, ret) < 0)
		return lx_fail(ctx, LX_SYNTHETIC(-EINVAL),
			       "invalid HOSTDIR '%s': an absolute path without '.', '..', blanks "
			       "or ':'",
			       o->src);
	if (mounts_parse(value, ret) < 0)
		return lx_fail(ctx, LX_SYNTHETIC(-EINVAL), "invalid user name '%s'", o->owner);
	r = mounts_check_host_mount(value, why, sizeof(why));
	if (r < 0)
		return lx_fail(ctx, LX_SYNTHETIC(r), "%s", why);
	return 0;
}

/* The running container: its config (the id range) and its runtime record. */
static int open_running(struct lxmgr_ctx *ctx, const char *name, struct container **ret,
			struct runtime_state *rs)
{
	_cleanup_container_ struct container *c = NULL;
	int r;

	r = store_container_open(ctx, name, &c);
	if (r < 0)
		return r;
	r = runtime_state_read(c->rundir, rs);
	if (r < 0 || !store_is_running(c) || rs->state != RUN_STATE_RUNNING)
		return lx_fail(ctx, LX_SYNTHETIC(-ESRCH), "container is not running");
	*ret = TAKE_PTR(c);
	return 0;
}

int cmd_mount(struct lxmgr_ctx *ctx, int argc, char **argv)
{
	_cleanup_container_ struct container *c = NULL;
	struct runtime_state rs = {0};
	struct mount_opts o = {0};
	struct mount_entry m;
	int r;

	r = parse_opts(ctx, argc, argv, &o, 3);
	if (r != 0)
		return r;
	if (!name_is_valid(o.name))
		return store_container_open(ctx, o.name, &c) < 0 ? EXIT_FAILED : EXIT_FAILED;
	r = make_entry(ctx, &o, &m);
	if (r >= 0)
		r = open_running(ctx, o.name, &c, &rs);
	if (r >= 0)
		r = mounts_live_attach(ctx, c, &rs, &m);
	runtime_state_done(&rs);
	return r < 0 ? EXIT_FAILED : 0;
}

int cmd_umount(struct lxmgr_ctx *ctx, int argc, char **argv)
{
	_cleanup_container_ struct container *c = NULL;
	struct runtime_state rs = {0};
	struct mount_opts o = {0};
	int r;

	r = parse_opts(ctx, argc, argv, &o, 2);
	if (r != 0)
		return r;
	if (!name_is_valid(o.name))
		return store_container_open(ctx, o.name, &c) < 0 ? EXIT_FAILED : EXIT_FAILED;
	if (!mounts_target_is_valid(o.dst))
		r = lx_fail(ctx, LX_SYNTHETIC(-EINVAL), "invalid GUESTDIR '%s': " PATH_RULE, o.dst);
	if (r >= 0)
		r = open_running(ctx, o.name, &c, &rs);
	if (r >= 0)
		r = mounts_live_detach(ctx, c, &rs, o.dst);
	runtime_state_done(&rs);
	return r < 0 ? EXIT_FAILED : 0;
}
