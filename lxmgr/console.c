/* console.c: the container's /dev/console: a pty the monitor owns, its log and its ring. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "console.h"
#include "util.h"

static int open_log(struct console *con)
{
	struct stat st;

	con->log_fd =
		open(con->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (con->log_fd < 0)
		return -errno;
	con->log_size = fstat(con->log_fd, &st) == 0 ? (uint64_t)st.st_size : 0;
	return 0;
}

int console_open(struct console *con, const char *logdir, uid_t uid, gid_t tty_gid)
{
	char name[128];
	int r;

	*con = (struct console){.master = -EBADF, .slave = -EBADF, .log_fd = -EBADF};
	con->master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
	if (con->master < 0)
		return -errno;
	if (unlockpt(con->master) < 0 || ptsname_r(con->master, name, sizeof(name)) != 0)
		return -errno;
	con->slave_path = strdup(name);
	if (!con->slave_path)
		return -ENOMEM;
	/* The container's root owns its console, as root owns /dev/console on a computer. */
	if (chown(name, uid, tty_gid) < 0 || chmod(name, 0620) < 0)
		return -errno;
	con->slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (con->slave < 0)
		return -errno;
	r = mkdir_p(logdir, 0750);
	if (r < 0)
		return r;
	r = xasprintf(&con->log_path, "%s/console.log", logdir);
	if (r < 0)
		return r;
	return open_log(con);
}

void console_ring_append(struct console *con, const char *data, size_t len)
{
	if (len >= CONSOLE_RING_SIZE) {
		data += len - CONSOLE_RING_SIZE;
		len = CONSOLE_RING_SIZE;
	}
	for (size_t i = 0; i < len; i++) {
		size_t pos = (con->ring_head + con->ring_len) % CONSOLE_RING_SIZE;

		con->ring[pos] = data[i];
		if (con->ring_len < CONSOLE_RING_SIZE)
			con->ring_len++;
		else
			con->ring_head = (con->ring_head + 1) % CONSOLE_RING_SIZE;
	}
}

static void log_rotate(struct console *con)
{
	_cleanup_free_ char *old = NULL;

	if (xasprintf(&old, "%s.1", con->log_path) < 0)
		return;
	(void)close(con->log_fd);
	con->log_fd = -EBADF;
	(void)rename(con->log_path, old);
	(void)open_log(con);
}

ssize_t console_drain(struct console *con)
{
	char buf[8192];
	ssize_t total = 0;

	for (;;) {
		ssize_t n = read(con->master, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		total += n;
		console_ring_append(con, buf, (size_t)n);
		if (con->log_fd < 0)
			continue;
		if (con->log_size + (uint64_t)n > CONSOLE_LOG_MAX)
			log_rotate(con);
		if (con->log_fd >= 0 && write(con->log_fd, buf, (size_t)n) == n)
			con->log_size += (uint64_t)n;
	}
	return total;
}

void console_close(struct console *con)
{
	if (con->master >= 0)
		(void)close(con->master);
	if (con->slave >= 0)
		(void)close(con->slave);
	if (con->log_fd >= 0)
		(void)close(con->log_fd);
	free(con->slave_path);
	free(con->log_path);
	con->master = con->slave = con->log_fd = -EBADF;
	con->slave_path = con->log_path = NULL;
}
