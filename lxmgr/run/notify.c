/* notify.c: readiness and status for the systemd unit, and the guest's NOTIFY_SOCKET. */
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/sd.h"
#include "base/util.h"
#include "run/notify.h"

static void take_line(const char *line, size_t len, struct notify_msg *m)
{
	static const char status[] = "STATUS=";

	if (len == 7 && !memcmp(line, "READY=1", 7))
		m->ready = true;
	else if (len == 10 && !memcmp(line, "STOPPING=1", 10))
		m->stopping = true;
	else if (len >= sizeof(status) - 1 && !memcmp(line, status, sizeof(status) - 1))
		(void)snprintf(m->status, sizeof(m->status), "%.*s",
			       (int)(len - (sizeof(status) - 1)), line + sizeof(status) - 1);
}

void notify_parse(const char *buf, size_t n, struct notify_msg *ret)
{
	size_t start = 0;

	*ret = (struct notify_msg){0};
	for (size_t i = 0; i <= n; i++)
		if (i == n || buf[i] == '\n') {
			take_line(buf + start, i - start, ret);
			start = i + 1;
		}
}

bool notify_run_by_unit(void)
{
	_cleanup_free_ char *unit = NULL;
	struct sd_lib sd;
	size_t n;
	int r;

	if (!getenv("INVOCATION_ID") || sd_lib_open(&sd) < 0)
		return false;
	r = sd.pid_get_unit(0, &unit);
	sd_lib_close(&sd);
	if (r < 0)
		return false;
	n = strlen(unit);
	return !strncmp(unit, "lxmgr@", 6) && n > 14 && !strcmp(unit + n - 8, ".service");
}

void notify_send(const char *fmt, ...)
{
	char text[512];
	struct sd_lib sd;
	va_list ap;

	if (!getenv("NOTIFY_SOCKET") || sd_lib_open(&sd) < 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	(void)sd.notify(/* unset_environment= */ 0, text);
	sd_lib_close(&sd);
}

int notify_guest_bind(const char *root)
{
	_cleanup_close_ int fd = -EBADF;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int n;

	/* The path is relative to our working directory (child.h): short enough for sun_path. */
	n = snprintf(sa.sun_path, sizeof(sa.sun_path), "%s%s", root, NOTIFY_GUEST_PATH);
	if (n < 0 || (size_t)n >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	/* Now, not in the monitor: the kernel attaches the sender's credentials only to
	 * datagrams sent while SO_PASSCRED is on, and those may come before the monitor looks. */
	if (notify_guest_setup(fd) < 0)
		return -errno;
	(void)unlink(sa.sun_path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	/* Only root inside may tell the host that the container is ready. */
	if (chmod(sa.sun_path, 0600) < 0)
		return -errno;
	return TAKE_FD(fd);
}

int notify_guest_setup(int fd)
{
	int one = 1;

	return NEG_ERRNO(setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)));
}

int notify_guest_recv(int fd, pid_t init_pid, struct notify_msg *ret)
{
	char buf[4096];
	union {
		struct cmsghdr h;
		char space[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(sizeof(int) * 8)];
	} control;
	struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf) - 1};
	struct msghdr mh = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = &control,
		.msg_controllen = sizeof(control),
	};
	const struct ucred *cred = NULL;
	ssize_t n;

	n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (n < 0)
		return -errno;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level != SOL_SOCKET)
			continue;
		if (c->cmsg_type == SCM_CREDENTIALS)
			cred = (const struct ucred *)(void *)CMSG_DATA(c);
		/* sd_notify may pass fds (FDSTORE=1): we keep none. */
		if (c->cmsg_type == SCM_RIGHTS)
			for (int *p = (int *)(void *)CMSG_DATA(c);
			     (char *)p < (char *)c + c->cmsg_len; p++)
				(void)close(*p);
	}
	/* The kernel gives the sender's pid in our pid namespace: init's pid as we know it. */
	if (!cred || cred->pid != init_pid)
		return 0;
	notify_parse(buf, (size_t)n, ret);
	return 1;
}
