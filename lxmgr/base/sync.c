/* sync.c: named sync points between the monitor and the container's first process. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/sync.h"
#include "base/util.h"

static const char *const sync_step_names[_SYNC_STEP_MAX] = {
	[SYNC_CHILD_READY] = "SYNC_CHILD_READY",
	[SYNC_IDMAP_DONE] = "SYNC_IDMAP_DONE",
	[SYNC_MOUNT_NS] = "SYNC_MOUNT_NS",
	[SYNC_ROOTFS] = "SYNC_ROOTFS",
	[SYNC_EXEC] = "SYNC_EXEC",
	[SYNC_ERROR] = "SYNC_ERROR",
};

const char *sync_step_to_string(enum sync_step s)
{
	return s < _SYNC_STEP_MAX ? sync_step_names[s] : "SYNC_UNKNOWN";
}

int sync_send(int sock, enum sync_step step, int fd)
{
	struct sync_msg m = {.step = step};

	return fd_send(sock, &m, sizeof(m), fd);
}

static int recv_msg(int sock, struct sync_msg *m, int *ret_fd)
{
	ssize_t n = fd_recv(sock, m, sizeof(*m), ret_fd);

	if (n < 0)
		return (int)n;
	if (n == 0)
		return -ECONNRESET;
	return n == (ssize_t)sizeof(*m) ? 0 : -EBADMSG;
}

int sync_wait(int sock, enum sync_step step, struct sync_msg *err_msg, int *ret_fd)
{
	struct sync_msg m = {0};
	int fd = -EBADF, r;

	r = recv_msg(sock, &m, &fd);
	if (ret_fd)
		*ret_fd = fd;
	else if (fd >= 0)
		(void)close(fd);
	if (r < 0)
		return r;
	if (m.step == SYNC_ERROR) {
		m.where[sizeof(m.where) - 1] = '\0';
		m.text[sizeof(m.text) - 1] = '\0';
		if (err_msg)
			*err_msg = m;
		return m.err < 0 ? m.err : -EIO;
	}
	return m.step == step ? 0 : -EPROTO;
}

_Noreturn void sync_child_fail(int sock, int r, const char *where, const char *fmt, ...)
{
	struct sync_msg m = {.step = SYNC_ERROR, .err = r < 0 ? r : -EIO};
	va_list ap;

	(void)snprintf(m.where, sizeof(m.where), "%s", where);
	va_start(ap, fmt);
	(void)vsnprintf(m.text, sizeof(m.text), fmt, ap);
	va_end(ap);
	(void)fd_send(sock, &m, sizeof(m), -EBADF);
	_exit(1);
}
