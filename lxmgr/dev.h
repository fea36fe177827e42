/* dev.h: the container's /dev: a tmpfs with the standard nodes, devpts, the console. */
#pragma once

#include "rootfs.h"

/* Child side, before pivot_root: builds root/dev. console is the host path of the pty slave
 * that becomes /dev/console (NULL: none). tty_gid is the gid of group tty inside (5). */
int dev_setup(const char *root, const char *console, struct child_error *e);

/* Child side, after dev_setup: binds each device.* node of cfg (a host character device
 * /dev/PATH) onto root/dev/PATH, creating its parent directories in the /dev tmpfs. */
int dev_bind_devices(const char *root, const struct container_config *cfg, struct child_error *e);
