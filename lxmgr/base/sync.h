/* sync.h: named sync points between the monitor and the container's first process. */
#pragma once

#include <stdint.h>

struct lxmgr_ctx;

enum sync_step {
	SYNC_CHILD_READY, /* child: namespaces exist, waiting for its id maps */
	SYNC_IDMAP_DONE,  /* parent: uid_map/gid_map written, v1 cgroups joined, network set up */
	SYNC_MOUNT_NS,    /* parent: the locked mount namespace with /proc and /sys (fd) */
	SYNC_ROOTFS,      /* parent: the rootfs's root in that namespace (fd) */
	SYNC_EXEC,        /* child: about to execve init (EOF on the socket means it did) */
	SYNC_ERROR,       /* child: a step failed; carries errno, step and message */
	_SYNC_STEP_MAX,
};
const char *sync_step_to_string(enum sync_step s);

struct sync_msg {
	uint32_t step;
	int32_t err;    /* -errno for SYNC_ERROR */
	char where[32]; /* the child's step: "rootfs", "dev", ... */
	char text[224];
};

/* Sends a step, with fd passed along (SCM_RIGHTS) when fd >= 0. */
int sync_send(int sock, enum sync_step step, int fd);
/* Waits for step. Returns 0, or the child's -errno for SYNC_ERROR (with *err_msg filled),
 * -ECONNRESET at end of stream, -EPROTO for another step. *ret_fd gets a passed fd or -EBADF
 * (ret_fd may be NULL). */
int sync_wait(int sock, enum sync_step step, struct sync_msg *err_msg, int *ret_fd);
/* In the child: sends SYNC_ERROR {r, where, message} and _exit(1)s. Never returns. */
_Noreturn void sync_child_fail(int sock, int r, const char *where, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
