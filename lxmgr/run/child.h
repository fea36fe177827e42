/* child.h: the container's first process, from clone3 to execve of its init. */
#pragma once

#include <stdbool.h>

#include "store/config.h"

/* The child starts with the container's directory (LIB/NAME) as its working directory,
 * translated into its new mount namespace by clone: the container's root, an unmapped uid
 * on the host, may not be able to walk the host path to it (a store below a 0700 dir). When
 * it enters the locked mount namespace (kernfs.h), it finds that directory again as the
 * parent of the rootfs fd the monitor sends. */
struct child_args {
	int sync_fd;         /* our end of the socketpair with the monitor */
	int console_fd;      /* the console pty slave: init's stdin, stdout and stderr */
	const char *console; /* host path of the pty slave, bound onto /dev/console */
	const char *hostname;
	const char *init; /* path of init inside */
	const char *uuid;
	bool own_netns;
	bool notify; /* container.notify_ready: bind NOTIFY_SOCKET, pass it to the monitor */
	enum cgroup_layout cgroup_layout;   /* what /sys/fs/cgroup looks like inside */
	const struct container_config *cfg; /* mount.* and device.* (the monitor's copy) */
	int close_fd; /* a snapshot's view (clone.h), closed at once: the monitor mounts its
		       * upper layer again only once no one holds the view; or -EBADF */
};

/* Runs in the child of clone3(); never returns: it execs init or reports the failed step
 * over sync_fd and exits. */
_Noreturn void child_main(const struct child_args *a);
