/* child.h: the container's first process, from clone3 to execve of its init. */
#pragma once

#include <stdbool.h>

struct child_args {
	int sync_fd;          /* our end of the socketpair with the monitor */
	int console_fd;       /* the console pty slave: init's stdin, stdout and stderr */
	const char *rootfs;   /* host path of the root filesystem */
	const char *console;  /* host path of the pty slave, bound onto /dev/console */
	const char *hostname;
	const char *init;     /* path of init inside */
	const char *uuid;
	bool own_netns;
};

/* Runs in the child of clone3(); never returns: it execs init or reports the failed step
 * over sync_fd and exits. */
_Noreturn void child_main(const struct child_args *a);
