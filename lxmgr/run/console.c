/* console.c: the container's /dev/console: a pty the monitor owns, its log and its ring. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/util.h"
#include "run/console.h"
#include "run/control.h"

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

void console_init(struct console *con)
{
	memset(con, 0, sizeof(*con));
	con->master = con->slave = con->log_fd = con->journal_fd = -EBADF;
	con->writer = -1;
	for (int i = 0; i < CONSOLE_MAX_CLIENTS; i++)
		con->clients[i].fd = -EBADF;
}

int console_log_open(struct console *con, const char *logdir)
{
	int r = xasprintf(&con->log_path, "%s/console.log", logdir);

	return r < 0 ? r : open_log(con);
}

int console_open(struct console *con, const char *logdir, uid_t uid, gid_t tty_gid)
{
	char name[128];
	int r;

	console_init(con);
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
	return console_log_open(con, logdir);
}

int console_private_devpts(void)
{
	struct stat st;

	if (mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
		  "newinstance,ptmxmode=0666,mode=0620") < 0)
		return -errno;
	/* A /dev/ptmx node (not the usual symlink to pts/ptmx) would open the old instance. */
	if (lstat("/dev/ptmx", &st) == 0 && !S_ISLNK(st.st_mode) &&
	    mount("/dev/pts/ptmx", "/dev/ptmx", NULL, MS_BIND, NULL) < 0)
		return -errno;
	return 0;
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

static void pick_writer(struct console *con)
{
	int best = -1;

	for (int i = 0; i < CONSOLE_MAX_CLIENTS; i++) {
		const struct console_client *cl = &con->clients[i];

		if (cl->fd >= 0 && !cl->readonly && (best < 0 || cl->seq < con->clients[best].seq))
			best = i;
	}
	con->writer = best;
}

static void drop_client(struct console *con, int slot)
{
	/* Closing the only descriptor also takes it out of the monitor's epoll set. */
	(void)close(con->clients[slot].fd);
	con->clients[slot].fd = -EBADF;
	if (con->writer == slot)
		pick_writer(con);
}

/* Never waits: a client whose socket buffer is full has fallen behind and is dropped. */
static int send_to(struct console *con, int slot, const char *data, size_t len)
{
	while (len > 0) {
		size_t chunk = len < CTRL_FRAME_DATA_MAX ? len : CTRL_FRAME_DATA_MAX;
		int r = control_frame_send(con->clients[slot].fd, CTRL_FRAME_DATA, data, chunk,
					   /* nonblock= */ true);

		if (r < 0) {
			drop_client(con, slot);
			return r;
		}
		data += chunk;
		len -= chunk;
	}
	return 0;
}

static void broadcast(struct console *con, const char *data, size_t len)
{
	for (int i = 0; i < CONSOLE_MAX_CLIENTS; i++)
		if (con->clients[i].fd >= 0)
			(void)send_to(con, i, data, len);
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
		broadcast(con, buf, (size_t)n);
		/* journald splits lines itself; a full pipe loses output, never stalls us. */
		if (con->journal_fd >= 0)
			(void)!write(con->journal_fd, buf, (size_t)n);
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
	for (int i = 0; i < CONSOLE_MAX_CLIENTS; i++)
		if (con->clients[i].fd >= 0)
			drop_client(con, i);
	if (con->master >= 0)
		(void)close(con->master);
	if (con->slave >= 0)
		(void)close(con->slave);
	if (con->log_fd >= 0)
		(void)close(con->log_fd);
	if (con->journal_fd >= 0)
		(void)close(con->journal_fd);
	free(con->slave_path);
	free(con->log_path);
	con->master = con->slave = con->log_fd = con->journal_fd = -EBADF;
	con->slave_path = con->log_path = NULL;
}

static void set_winsize(const struct console *con, uint16_t rows, uint16_t cols)
{
	struct winsize ws = {.ws_row = rows, .ws_col = cols};

	if (rows && cols && con->master >= 0)
		(void)ioctl(con->master, TIOCSWINSZ, &ws);
}

static int replay_ring(struct console *con, int slot)
{
	size_t first = CONSOLE_RING_SIZE - con->ring_head;
	int r;

	if (first > con->ring_len)
		first = con->ring_len;
	r = send_to(con, slot, con->ring + con->ring_head, first);
	if (r >= 0)
		r = send_to(con, slot, con->ring, con->ring_len - first);
	return r;
}

static int refuse(int fd, const struct ctrl_msg *req, int status, const char *text)
{
	struct ctrl_msg rep = {.cmd = req->cmd, .status = status};

	(void)snprintf(rep.text, sizeof(rep.text), "%s", text);
	(void)control_send(fd, &rep);
	(void)close(fd);
	return status;
}

int console_attach(struct console *con, int fd, const struct ctrl_msg *req)
{
	struct ctrl_msg rep = {.cmd = req->cmd};
	int slot = -1, sndbuf = CONSOLE_CLIENT_SNDBUF, r;

	for (int i = 0; i < CONSOLE_MAX_CLIENTS && slot < 0; i++)
		if (con->clients[i].fd < 0)
			slot = i;
	if (slot < 0)
		return refuse(fd, req, -EUSERS, "too many consoles attached");
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	con->clients[slot] = (struct console_client){
		.fd = fd,
		.seq = con->next_seq++,
		.readonly = req->flags & CTRL_FLAG_READONLY,
	};
	if (con->writer < 0 && !con->clients[slot].readonly) {
		con->writer = slot;
		set_winsize(con, CTRL_WINSIZE_ROWS(req->arg), CTRL_WINSIZE_COLS(req->arg));
	}
	rep.arg = con->writer == slot;
	(void)snprintf(rep.text, sizeof(rep.text), "%s", rep.arg ? "typing" : "watching");
	r = control_send(fd, &rep);
	if (r < 0) {
		drop_client(con, slot);
		return r;
	}
	r = replay_ring(con, slot);
	return r < 0 ? r : slot;
}

static void write_input(const struct console *con, const uint8_t *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(con->master, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return; /* the container does not read its console: the rest is lost */
		data += n;
		len -= (size_t)n;
	}
}

void console_client_event(struct console *con, int slot)
{
	uint8_t buf[CTRL_FRAME_MAX + 1];
	enum ctrl_frame type;
	const uint8_t *data;
	size_t len;
	uint16_t rows, cols;
	ssize_t n;

	if (slot < 0 || slot >= CONSOLE_MAX_CLIENTS || con->clients[slot].fd < 0)
		return;
	n = recv(con->clients[slot].fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0 || control_frame_decode(buf, (size_t)n, &type, &data, &len) < 0) {
		drop_client(con, slot);
		return;
	}
	if (slot != con->writer)
		return;
	if (type == CTRL_FRAME_DATA)
		write_input(con, data, len);
	else if (type == CTRL_FRAME_RESIZE) {
		control_frame_get_winsize(data, &rows, &cols);
		set_winsize(con, rows, cols);
	}
}

void console_detach_all(struct console *con, int status)
{
	uint8_t payload[4];

	memcpy(payload, &status, sizeof(payload));
	for (int i = 0; i < CONSOLE_MAX_CLIENTS; i++)
		if (con->clients[i].fd >= 0) {
			(void)control_frame_send(con->clients[i].fd, CTRL_FRAME_END, payload,
						 sizeof(payload), /* nonblock= */ true);
			drop_client(con, i);
		}
}

int console_n_clients(const struct console *con)
{
	int n = 0;

	for (int i = 0; i < CONSOLE_MAX_CLIENTS; i++)
		n += con->clients[i].fd >= 0;
	return n;
}
