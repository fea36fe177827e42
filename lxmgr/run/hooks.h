/* hooks.h: host-side hooks: where they come from, in which order, how they run. */
#pragma once

#include <stddef.h>
#include <sys/types.h>

#include "store/config.h"

struct lxmgr_ctx;
struct container;

enum hook_kind {
	HOOK_PRE_START,   /* monitor, before the container's namespaces: failure aborts start */
	HOOK_START_HOST,  /* monitor, namespaces and eth0 exist, init not yet run: aborts too */
	HOOK_POST_STOP,   /* monitor, after the container stopped and its host objects went */
	HOOK_POST_CREATE, /* create/clone, built aside, before the rename: failure undoes it */
	HOOK_PRE_DESTROY, /* destroy, before anything is removed: failure keeps the container */
	_HOOK_MAX,
};

/* "pre-start", the name of the HOOK.d directories and of LXMGR_HOOK. */
const char *hook_kind_to_string(enum hook_kind k);

/* What a hook runs for. */
struct hook_target {
	const char *name;
	const char *dir;    /* the container's directory: its own hooks are in DIR/hooks/ */
	const char *rootfs; /* LXMGR_ROOTFS */
	int rootfs_fd;      /* >= 0: the rootfs as a descriptor (a snapshot's view), given to the
			     * hook as fd 3 and LXMGR_ROOTFS=/proc/self/fd/3 */
	const char *config; /* LXMGR_CONFIG */
	const struct container_config *cfg; /* hooks.* keys and hooks.timeout */
};

/* The target of an existing container (its paths, its view if open, its config). */
void hooks_target_of(const struct container *c, struct hook_target *ret);

/* Runs the hooks of kind for t, in this order: HOOKS/KIND.d/ (ctx->paths.hooks; executable
 * files in name order), DIR/hooks/KIND.d/ (the same), then the config key hooks.KIND. Each
 * gets argv NAME KIND, stdin /dev/null, stdout on our stderr, and the environment PATH,
 * LXMGR_NAME, LXMGR_ROOTFS, LXMGR_CONFIG, LXMGR_HOOK, and LXMGR_PID (init's pid, start-host
 * only; pid 0 leaves it out). A hook file must be owned by root and writable by no one else
 * (nor its directory), and must not lie in the store outside DIR/hooks/. A hook still
 * running after hooks.timeout seconds is killed with its whole process group.
 * The first failure stops the run and is reported with the hook's stderr (post-stop: a
 * warning, and the others still run). Returns 0 or -errno. */
int hooks_run(const struct lxmgr_ctx *ctx, const struct hook_target *t, enum hook_kind kind,
	      pid_t pid);
