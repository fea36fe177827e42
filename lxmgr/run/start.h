/* start.h: the start sequence of DESIGN §3, as the monitor runs it, and its undo. */
#pragma once

#include <stdbool.h>

#include "cgroup/cgroup.h"
#include "store/runtime.h"

struct lxmgr_ctx;
struct container;

/* What stays the same across reboots of one container under one monitor. */
struct start_env {
	const struct lxmgr_ctx *ctx;
	struct container *c;
	struct cgroup_host cgroup_host;
	bool delegated;           /* run by the systemd unit: our cgroup is delegated */
	const char *console_path; /* host pty slave that becomes /dev/console */
	int console_fd;           /* an open fd of it, for init's stdio */
	/* Set by each start_instance with container.notify_ready: the guest's NOTIFY_SOCKET
	 * (notify.h); the monitor owns and closes it. -EBADF otherwise. */
	int guest_notify_fd;
};

/* Creates the cgroup, clones init into its namespaces, writes its id maps, hands it the
 * rootfs and waits until it has exec'd init (steps 2-6). The runtime record in *rs names
 * every host object before it is made. On failure it reports the step once, undoes what it
 * made and returns -errno. On success *ret_pidfd is a pidfd of init. */
int start_instance(struct start_env *env, struct runtime_state *rs, int *ret_pidfd);

/* Kills whatever is left in the container's cgroups and removes them; the undo of
 * start_instance, also used for a dead monitor's leftovers. */
int start_teardown(const struct lxmgr_ctx *ctx, struct runtime_state *rs);
