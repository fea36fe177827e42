/* sync.c: named sync points between the monitor and the container's first process. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cleanup.h"
#include "sync.h"

static const char *const sync_step_names[_SYNC_STEP_MAX] = {
	[SYNC_CHILD_READY] = "SYNC_CHILD_READY",
	[SYNC_IDMAP_DONE] = "SYNC_IDMAP_DONE",
	[SYNC_EXEC] = "SYNC_EXEC",
	[SYNC_ERROR] = "SYNC_ERROR",
};

const char *sync_step_to_string(enum sync_step s)
{
	return s < _SYNC_STEP_MAX ? sync_step_names[s] : "SYNC_UNKNOWN";
}

static int send_msg(int sock, const struct sync_msg *m, int fd)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} control = {0};
	struct iovec iov = {.iov_base = (void *)m, .iov_len = sizeof(*m)};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	ssize_t n;

	if (fd >= 0) {
		struct cmsghdr *c;

		mh.msg_control = control.buf;
		mh.msg_controllen = sizeof(control.buf);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	do
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return n == (ssize_t)sizeof(*m) ? 0 : -EIO;
}

int sync_send(int sock, enum sync_step step, int fd)
{
	struct sync_msg m = {.step = step};

	return send_msg(sock, &m, fd);
}

static int recv_msg(int sock, struct sync_msg *m, int *ret_fd)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} control;
	struct iovec iov = {.iov_base = m, .iov_len = sizeof(*m)};
	struct msghdr mh = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.buf,
		.msg_controllen = sizeof(control.buf),
	};
	ssize_t n;

	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n == 0)
		return -ECONNRESET;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS && ret_fd)
			memcpy(ret_fd, CMSG_DATA(c), sizeof(int));
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
	(void)send_msg(sock, &m, -EBADF);
	_exit(1);
}
