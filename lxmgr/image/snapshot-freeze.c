/* snapshot-freeze.c: a running container frozen for the instant of its snapshot
 * (snapshot-freeze.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "base/util.h"
#include "image/copy.h"
#include "fs/rootless.h"
#include "image/snapshot-freeze.h"
#include "run/control.h"
#include "store/runtime.h"

#define LOG_STEP "snapshot"

/* Says that this froze the container: a gc finding it thaws it. */
#define FROZEN_MARK "snapshot.frozen"

bool snapshot_left_frozen(const struct container *c)
{
	struct stat st;

	return fstatat(c->dirfd, FROZEN_MARK, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

/* Asks c's monitor for cmd; why (if given) gets the monitor's reason for a refusal. */
static int request(const struct container *c, enum ctrl_cmd cmd, char why[static CTRL_TEXT_MAX])
{
	_cleanup_close_ int sock = control_connect(c->rundir);
	struct ctrl_msg req = {.cmd = cmd}, rep = {0};
	int r;

	if (sock < 0)
		return sock;
	r = control_call(sock, &req, &rep);
	if (r < 0)
		return r;
	if (rep.status < 0)
		(void)snprintf(why, CTRL_TEXT_MAX, "%s", rep.text);
	return rep.status;
}

static bool is_frozen(const struct container *c)
{
	struct runtime_state rs = {0};
	bool frozen;

	if (runtime_state_read(c->rundir, &rs) < 0)
		return false;
	frozen = rs.state == RUN_STATE_FROZEN;
	runtime_state_done(&rs);
	return frozen;
}

/* Freezes c (on) unless it is frozen already, or thaws it (off) if we froze it: FROZEN_MARK
 * says so, and tells a gc to thaw it if we are killed meanwhile. why gets the monitor's
 * reason for a refusal. */
static int freeze_or_thaw(const struct container *c, bool on, char why[static CTRL_TEXT_MAX])
{
	int r;

	if (on ? is_frozen(c) : !snapshot_left_frozen(c))
		return 0;
	if (on) {
		r = write_file_atomic_at(c->dirfd, FROZEN_MARK, "", 0, 0600);
		if (r >= 0)
			r = request(c, CTRL_FREEZE, why);
		if (r < 0)
			(void)unlinkat(c->dirfd, FROZEN_MARK, 0);
		return r;
	}
	r = request(c, CTRL_UNFREEZE, why);
	if (r >= 0)
		(void)unlinkat(c->dirfd, FROZEN_MARK, 0);
	return r;
}

int snapshot_freeze_for_copy(const struct lxmgr_ctx *ctx, const struct container *c, bool on)
{
	char why[CTRL_TEXT_MAX] = "";
	int r = freeze_or_thaw(c, on, why);

	if (r >= 0)
		return r;
	if (!on)
		return why[0] ? lx_fail(ctx, LX_SYNTHETIC(r), "thaw %s: %s", c->name, why)
			      : lx_fail(ctx, r, "thaw %s", c->name);
	return why[0] ? lx_fail(ctx, LX_SYNTHETIC(r), "freeze %s: %s; stop it to take a snapshot",
				c->name, why)
		      : lx_fail(ctx, r, "freeze %s", c->name);
}

void snapshot_thaw_left_frozen(const struct lxmgr_ctx *ctx, const struct container *c, bool stopped)
{
	char why[CTRL_TEXT_MAX] = "";

	if (!stopped && request(c, CTRL_UNFREEZE, why) >= 0)
		lx_info(ctx, "thawed %s, which a killed snapshot left frozen", c->name);
	(void)unlinkat(c->dirfd, FROZEN_MARK, 0);
}

struct block_copy {
	const char *src, *dst;
	char **failed;
};

static int copy_as_block_root(void *userdata)
{
	const struct block_copy *b = userdata;

	return copy_tree(b->src, b->dst, 0, 0, NULL, b->failed);
}

int snapshot_copy_frozen(const struct lxmgr_ctx *ctx, const struct container *c, const char *src,
			 const char *dst)
{
	_cleanup_free_ char *failed = NULL;
	int r, t;

	r = snapshot_freeze_for_copy(ctx, c, true);
	if (r < 0)
		return r;
	/* Outside the user's namespace (a rootless export's temporary snapshot: export does not
	 * re-execute itself in it, snapshot does), the block's files are only readable as root
	 * of a user namespace of that block. */
	r = rootless_run_as_block_root(
		c->cfg.uid_base, c->cfg.gid_base, c->cfg.id_count, copy_as_block_root,
		&(struct block_copy){.src = src, .dst = dst, .failed = &failed});
	t = snapshot_freeze_for_copy(ctx, c, false);
	if (r < 0)
		return lx_fail(ctx, r, "copy %s", failed ? failed : src);
	return t < 0 ? t : 0;
}
