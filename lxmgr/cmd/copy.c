/* cmd-copy.c: lxmgr copy and move NAME [USER@]HOST[:NEWNAME]: a container sent to another
 * host through ssh (transfer-ssh.h); move keeps its identity and removes the source. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "base/util.h"
#include "cmd/cmd.h"
#include "cmd/parse.h"
#include "image/snapshot.h"
#include "image/transfer-ssh.h"
#include "run/destroy.h"
#include "run/lifecycle.h"
#include "store/store.h"

#define LOG_STEP "copy"

#define MAX_SSH_OPTIONS 16

struct copy_opts {
	struct ssh_send_opts send;
	char *ssh_options[MAX_SSH_OPTIONS];
	bool stop, move;
};

enum {
	OPT_SSH = 'e',
	OPT_SSH_OPTION = 'o',
	OPT_REMOTE_LXMGR = 0x100,
	OPT_REMOTE_ROOT,
	OPT_PROGRESS,
	OPT_STOP,
	OPT_SNAPSHOTS,
};

static int on_option(struct lxmgr_ctx *ctx, int opt, const char *arg, void *userdata)
{
	struct copy_opts *o = userdata;

	switch (opt) {
	case OPT_SSH:
		o->send.ssh = arg;
		return 0;
	case OPT_SSH_OPTION:
		if (o->send.n_ssh_options >= MAX_SSH_OPTIONS)
			return cmd_usage_error(ctx, "at most %d --ssh-option", MAX_SSH_OPTIONS);
		o->ssh_options[o->send.n_ssh_options++] = (char *)arg;
		return 0;
	case OPT_REMOTE_LXMGR:
		o->send.remote_lxmgr = arg;
		return 0;
	case OPT_REMOTE_ROOT:
		o->send.remote_root = arg;
		return 0;
	case OPT_PROGRESS:
		o->send.progress = true;
		return 0;
	case OPT_SNAPSHOTS:
		o->send.snapshots = true;
		return 0;
	case OPT_STOP:
		if (!o->move)
			return cmd_usage_error(ctx, "unknown option '--stop' (move only)");
		o->stop = true;
		return 0;
	}
	return cmd_usage_error(ctx, "unknown option");
}

static int parse(struct lxmgr_ctx *ctx, int argc, char **argv, struct copy_opts *o,
		 struct ssh_dest *dest)
{
	static const struct option longopts[] = {
		{"ssh", required_argument, NULL, OPT_SSH},
		{"ssh-option", required_argument, NULL, OPT_SSH_OPTION},
		{"remote-lxmgr", required_argument, NULL, OPT_REMOTE_LXMGR},
		{"remote-root", required_argument, NULL, OPT_REMOTE_ROOT},
		{"progress", no_argument, NULL, OPT_PROGRESS},
		{"stop", no_argument, NULL, OPT_STOP},
		{"snapshots", no_argument, NULL, OPT_SNAPSHOTS},
		{},
	};
	struct verb_args a = {.longopts = longopts,
			      .shortopts = "e:o:",
			      .on_option = on_option,
			      .userdata = o,
			      .min_args = 2,
			      .max_args = 2,
			      .args_name = "NAME and [USER@]HOST[:NEWNAME]"};
	int r = cmd_parse(ctx, argc, argv, &a);

	if (r != 0)
		return r;
	o->send.ssh_options = o->ssh_options;
	if (o->send.remote_root && o->send.remote_root[0] != '/')
		return cmd_usage_error(ctx, "--remote-root needs an absolute path");
	if (ssh_dest_parse(a.args[1], dest) < 0)
		return cmd_usage_error(ctx, "bad destination '%s': expected [USER@]HOST[:NEWNAME]",
				       a.args[1]);
	if (!dest->name && !(dest->name = strdup(a.args[0])))
		return EXIT_FAILED;
	return 0;
}

/* move --stop: a running source is stopped first; without it, refused in one line. */
static int stop_for_move(struct lxmgr_ctx *ctx, struct container *c, bool stop)
{
	if (!store_is_running(c))
		return 0;
	if (!stop)
		return lx_fail(ctx, LX_SYNTHETIC(-EBUSY),
			       "%s is running: stop it first, or give --stop", c->name);
	return lifecycle_stop_running(ctx, c, /* timeout= */ -1, /* kill_now= */ false);
}

/* move: c stopped (--stop), held so until it is destroyed, its snapshots sent along. A
 * snapshot clone standing on one of them is refused before anything moves. */
static int prepare_move(struct lxmgr_ctx *ctx, struct container *c, struct copy_opts *o,
			bool *ret_force)
{
	_cleanup_free_ struct snapshot_info *snaps = NULL;
	int r = snapshot_refuse_destroy(ctx, c, /* force= */ true);

	if (r >= 0)
		r = stop_for_move(ctx, c, o->stop);
	if (r >= 0)
		r = store_lock_stopped(ctx, LOG_STEP, c);
	if (r < 0)
		return r;
	r = snapshot_list(c, &snaps);
	if (r < 0)
		return lx_fail(ctx, r, "list the snapshots of %s", c->name);
	o->send.snapshots = true;
	*ret_force = r > 0;
	return 0;
}

static int copy_or_move(struct lxmgr_ctx *ctx, int argc, char **argv, bool move)
{
	_cleanup_container_ struct container *c = NULL;
	struct copy_opts o = {.move = move, .send.keep_identity = move};
	struct ssh_dest dest = {0};
	bool force = false;
	int r;

	r = parse(ctx, argc, argv, &o, &dest);
	if (r != 0) {
		ssh_dest_done(&dest);
		return r;
	}
	r = store_container_open(ctx, ctx->name, &c);
	if (r >= 0 && move)
		r = prepare_move(ctx, c, &o, &force);
	/* copy: a stopped c is held stopped by the export, a running one is read through a
	 * temporary snapshot (export-live.h). */
	if (r >= 0)
		r = ssh_send_container(ctx, c, &dest, &o.send);
	c = container_free(c);
	/* The far side has it, with its identity and its snapshots: one of the two goes. */
	if (r >= 0 && move)
		r = destroy_container(ctx, ctx->name, force);
	if (r >= 0)
		lx_info(ctx, "%s to %s as %s", move ? "moved" : "copied", dest.host, dest.name);
	ssh_dest_done(&dest);
	return r < 0 ? EXIT_FAILED : 0;
}

int cmd_copy(struct lxmgr_ctx *ctx, int argc, char **argv)
{
	return copy_or_move(ctx, argc, argv, /* move= */ false);
}

int cmd_move(struct lxmgr_ctx *ctx, int argc, char **argv)
{
	return copy_or_move(ctx, argc, argv, /* move= */ true);
}
