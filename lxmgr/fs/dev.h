/* dev.h: the container's /dev: a tmpfs with the standard nodes, devpts, the console. */
#pragma once

#include "fs/rootfs.h"

/* Child side, before pivot_root: builds root/dev. console is the host path of the pty slave
 * that becomes /dev/console (NULL: none). tty_gid is the gid of group tty inside (5). */
int dev_setup(const char *root, const char *console, struct child_error *e);

/* Child side, after dev_setup: attaches the staged node of each device.* of cfg (fds, from
 * mounts_open_staged) at root/dev/PATH, creating its parent directories in the /dev tmpfs. */
int dev_bind_devices(const char *root, const struct container_config *cfg,
		     const int fds[CONFIG_ENTRIES_MAX], struct child_error *e);
