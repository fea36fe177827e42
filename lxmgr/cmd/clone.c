/* cmd-clone.c: lxmgr clone SRC DST: a new container from a stopped one, by copy or as an
 * overlayfs snapshot, with an identity of its own. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "base/cleanup.h"
#include "fs/rootless.h"
#include "base/log.h"
#include "base/util.h"
#include "cmd/cmd.h"
#include "fs/storage.h"
#include "image/clone.h"
#include "image/create.h"
#include "image/snapshot.h"
#include "store/store.h"

#define LOG_STEP "clone"

struct clone_opts {
	const char *src, *dst, *hostname, *ip, *storage;
	bool snapshot;
};

static int parse_opts(struct lxmgr_ctx *ctx, int argc, char **argv, struct clone_opts *o)
{
	static const struct option longopts[] = {
		{"snapshot", no_argument, NULL, 's'},
		{"hostname", required_argument, NULL, 'H'},
		{"ip", required_argument, NULL, 'I'},
		{"storage", required_argument, NULL, 'B'},
		{},
	};
	char bad[3];
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) >= 0)
		switch (c) {
		case 's':
			o->snapshot = true;
			break;
		case 'H':
			o->hostname = optarg;
			break;
		case 'I':
			o->ip = optarg;
			break;
		case 'B':
			if (storage_pool_from_string(optarg) < 0)
				return cmd_usage_error(
					ctx, "--storage '%s': expected " STORAGE_CHOICES, optarg);
			o->storage = optarg;
			break;
		case ':':
			return cmd_usage_error(ctx, "option '%s' needs a value", argv[optind - 1]);
		default:
			return cmd_usage_error(ctx, "unknown option '%s'",
					       args_bad_option(argv, optind, optopt, bad));
		}
	if (optind + 2 != argc)
		return cmd_usage_error(ctx, "expected SRC and DST");
	o->src = argv[optind];
	o->dst = argv[optind + 1];
	return 0;
}

/* SRC@SNAP: a snapshot of SRC, whose sealed layers do not change while SRC runs; the
 * snapshot lock keeps it from being deleted until the clone exists. */
static int open_snapshot_source(struct lxmgr_ctx *ctx, const char *ref, struct container **ret,
				int *ret_lock)
{
	_cleanup_free_ char *name = strndup(ref, (size_t)(strchr(ref, '@') - ref));
	const char *snap = strchr(ref, '@') + 1;

	if (!name)
		return lx_fail(ctx, -ENOMEM, "out of memory");
	ctx->name = ref;
	if (store_container_open(ctx, name, ret) < 0)
		return -EINVAL;
	*ret_lock = snapshot_lock(*ret, /* wait= */ true);
	if (*ret_lock < 0)
		return lx_fail(ctx, *ret_lock, "lock the snapshots of %s", name);
	if (!snapshot_exists(*ret, snap))
		return lx_fail(ctx, LX_SYNTHETIC(-ENOENT), "%s has no snapshot '%s'", name, snap);
	return 0;
}

static int clone_snapshot(struct lxmgr_ctx *ctx, const struct clone_opts *o)
{
	_cleanup_container_ struct container *src = NULL;
	_cleanup_close_ int lock = -EBADF;
	struct create_request req;

	if (open_snapshot_source(ctx, o->src, &src, &lock) < 0)
		return EXIT_FAILED;
	/* Rootless, a full clone of a snapshot is read through its layers (rootless-copy.h) and a
	 * snapshot clone stands on them in the source's block. */
	if (src->cfg.rootfs_shifted && !rootless_active())
		return clone_check_source(ctx, src, o->snapshot) < 0 ? EXIT_FAILED : 0;
	ctx->name = o->dst;
	req = (struct create_request){
		.name = o->dst,
		.hostname = o->hostname,
		.net = {.mode = net_mode_to_string(src->cfg.net_mode), .ip = o->ip},
		.clone_of = src,
		.clone_ref = o->src,
		.snapshot = o->snapshot,
		.storage = o->storage,
	};
	return create_container(ctx, &req) < 0 ? EXIT_FAILED : 0;
}

int cmd_clone(struct lxmgr_ctx *ctx, int argc, char **argv)
{
	_cleanup_container_ struct container *src = NULL;
	struct clone_opts o = {0};
	struct create_request req;
	uint64_t t0 = now_ns();
	int r;

	r = parse_opts(ctx, argc, argv, &o);
	if (r != 0)
		return r;
	if (strchr(o.src, '@'))
		return clone_snapshot(ctx, &o);
	ctx->name = o.src;
	if (store_container_open(ctx, o.src, &src) < 0)
		return EXIT_FAILED;
	/* Held until the clone exists: the source cannot start (or be destroyed) meanwhile. */
	if (store_lock_stopped(ctx, LOG_STEP, src) < 0)
		return EXIT_FAILED;
	if (clone_check_source(ctx, src, o.snapshot) < 0)
		return EXIT_FAILED;
	ctx->name = o.dst;
	req = (struct create_request){
		.name = o.dst,
		.hostname = o.hostname,
		.net = {.mode = net_mode_to_string(src->cfg.net_mode), .ip = o.ip},
		.clone_of = src,
		.snapshot = o.snapshot,
		.storage = o.storage,
	};
	r = create_container(ctx, &req);
	if (r < 0)
		return EXIT_FAILED;
	lx_info(ctx, "%s of %s made in %.3f s", o.snapshot ? "snapshot" : "copy", o.src,
		(double)(now_ns() - t0) / 1e9);
	return 0;
}
