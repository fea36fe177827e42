/* control.c: the monitor's control socket: commands, their wire form, client and server ends. */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/util.h"
#include "run/control.h"

#define CTRL_MAGIC 0x6c786d67U /* "lxmg" */
#define CTRL_VERSION 1U
#define CTRL_FRAME_MAGIC 0x6c786366U /* "lxcf" */

static const char *const ctrl_cmd_names[_CTRL_CMD_MAX] = {
	[CTRL_STATUS] = "status",   [CTRL_STOP] = "stop",         [CTRL_KILL] = "kill",
	[CTRL_FREEZE] = "freeze",   [CTRL_UNFREEZE] = "unfreeze", [CTRL_REBOOT] = "reboot",
	[CTRL_CONSOLE] = "console", [CTRL_FORWARD] = "forward",   [CTRL_STATE] = "state",
};

const char *ctrl_cmd_to_string(enum ctrl_cmd c)
{
	return c < _CTRL_CMD_MAX ? ctrl_cmd_names[c] : "unknown";
}

static void put_u32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

static uint32_t get_u32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

void control_encode(const struct ctrl_msg *m, uint8_t buf[static CTRL_WIRE_SIZE])
{
	put_u32(buf, CTRL_MAGIC);
	put_u32(buf + 4, CTRL_VERSION);
	put_u32(buf + 8, m->cmd);
	put_u32(buf + 12, m->flags);
	put_u32(buf + 16, (uint32_t)m->arg);
	put_u32(buf + 20, (uint32_t)m->status);
	memcpy(buf + 24, m->text, CTRL_TEXT_MAX);
	buf[24 + CTRL_TEXT_MAX - 1] = '\0';
}

int control_decode(const uint8_t *buf, size_t len, struct ctrl_msg *ret)
{
	if (len != CTRL_WIRE_SIZE || get_u32(buf) != CTRL_MAGIC || get_u32(buf + 4) != CTRL_VERSION)
		return -EBADMSG;
	ret->cmd = get_u32(buf + 8);
	if (ret->cmd >= _CTRL_CMD_MAX)
		return -EBADMSG;
	ret->flags = get_u32(buf + 12);
	ret->arg = (int32_t)get_u32(buf + 16);
	ret->status = (int32_t)get_u32(buf + 20);
	memcpy(ret->text, buf + 24, CTRL_TEXT_MAX);
	ret->text[CTRL_TEXT_MAX - 1] = '\0';
	return 0;
}

int control_socket_path(const char *rundir, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%s/control", rundir);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* A SEQPACKET socket (with the extra type flags) and the address of rundir's control
 * socket in *sa: the fd, or -errno. */
static int open_socket(const char *rundir, int flags, struct sockaddr_un *sa)
{
	int r;

	*sa = (struct sockaddr_un){.sun_family = AF_UNIX};
	r = control_socket_path(rundir, sa->sun_path, sizeof(sa->sun_path));
	if (r < 0)
		return r;
	return NEG_ERRNO(socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | flags, 0));
}

int control_listen(const char *rundir)
{
	_cleanup_close_ int fd = -EBADF;
	struct sockaddr_un sa;

	fd = open_socket(rundir, SOCK_NONBLOCK, &sa);
	if (fd < 0)
		return fd;
	(void)unlink(sa.sun_path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	if (chmod(sa.sun_path, 0600) < 0 || listen(fd, 16) < 0)
		return -errno;
	return TAKE_FD(fd);
}

int control_connect(const char *rundir)
{
	_cleanup_close_ int fd = -EBADF;
	struct sockaddr_un sa;

	fd = open_socket(rundir, /* flags= */ 0, &sa);
	if (fd < 0)
		return fd;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	return TAKE_FD(fd);
}

int control_send(int fd, const struct ctrl_msg *m)
{
	uint8_t buf[CTRL_WIRE_SIZE];
	ssize_t n;

	control_encode(m, buf);
	n = send(fd, buf, sizeof(buf), MSG_NOSIGNAL);
	if (n < 0)
		return -errno;
	return n == (ssize_t)sizeof(buf) ? 0 : -EIO;
}

int control_recv(int fd, struct ctrl_msg *ret)
{
	uint8_t buf[CTRL_WIRE_SIZE + 1];
	ssize_t n;

	do
		n = recv(fd, buf, sizeof(buf), 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n == 0)
		return -ECONNRESET;
	return control_decode(buf, (size_t)n, ret);
}

int control_call(int fd, const struct ctrl_msg *req, struct ctrl_msg *reply)
{
	int r = control_send(fd, req);

	if (r < 0)
		return r;
	return control_recv(fd, reply);
}

int control_frame_encode(enum ctrl_frame type, const void *data, size_t len,
			 uint8_t buf[static CTRL_FRAME_MAX])
{
	if (len > CTRL_FRAME_DATA_MAX)
		return -EMSGSIZE;
	put_u32(buf, CTRL_FRAME_MAGIC);
	put_u32(buf + 4, (uint32_t)type);
	if (len)
		memcpy(buf + CTRL_FRAME_HEADER, data, len);
	return (int)(CTRL_FRAME_HEADER + len);
}

int control_frame_decode(const uint8_t *buf, size_t len, enum ctrl_frame *ret_type,
			 const uint8_t **ret_data, size_t *ret_len)
{
	uint32_t type;

	if (len < CTRL_FRAME_HEADER || len > CTRL_FRAME_MAX || get_u32(buf) != CTRL_FRAME_MAGIC)
		return -EBADMSG;
	type = get_u32(buf + 4);
	len -= CTRL_FRAME_HEADER;
	if (type >= _CTRL_FRAME_MAX || (type != CTRL_FRAME_DATA && len != 4))
		return -EBADMSG;
	*ret_type = (enum ctrl_frame)type;
	*ret_data = buf + CTRL_FRAME_HEADER;
	*ret_len = len;
	return 0;
}

int control_frame_send(int fd, enum ctrl_frame type, const void *data, size_t len, bool nonblock)
{
	uint8_t buf[CTRL_FRAME_MAX];
	int n = control_frame_encode(type, data, len, buf);
	ssize_t sent;

	if (n < 0)
		return n;
	do
		sent = send(fd, buf, (size_t)n, MSG_NOSIGNAL | (nonblock ? MSG_DONTWAIT : 0));
	while (sent < 0 && errno == EINTR);
	if (sent < 0)
		return -errno;
	return sent == n ? 0 : -EIO;
}

void control_frame_put_winsize(uint8_t p[static 4], uint16_t rows, uint16_t cols)
{
	put_u32(p, ((uint32_t)rows << 16) | cols);
}

void control_frame_get_winsize(const uint8_t p[static 4], uint16_t *rows, uint16_t *cols)
{
	uint32_t v = get_u32(p);

	*rows = (uint16_t)(v >> 16);
	*cols = (uint16_t)(v & 0xffffU);
}
