/* console-client.c: the user's side of a container's console: attach to the monitor's
 * console socket and relay the terminal until detach or the container's end. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "base/util.h"
#include "run/console-client.h"
#include "run/control.h"
#include "run/pty.h"
#include "store/store.h"

#define LOG_STEP "console"

struct console_session {
	int sock;
	bool ended; /* the monitor sent END: the container stopped */
	int status;
};

static ssize_t session_recv(void *userdata, char *buf, size_t size)
{
	struct console_session *s = userdata;
	uint8_t frame[CTRL_FRAME_MAX + 1];
	enum ctrl_frame type;
	const uint8_t *data;
	size_t len;
	ssize_t n;

	n = recv(s->sock, frame, sizeof(frame), MSG_DONTWAIT);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? -EAGAIN : -errno;
	if (n == 0 || control_frame_decode(frame, (size_t)n, &type, &data, &len) < 0)
		return 0;
	if (type == CTRL_FRAME_END) {
		s->ended = true;
		memcpy(&s->status, data, sizeof(s->status));
		return 0;
	}
	if (type != CTRL_FRAME_DATA || len > size)
		return -EAGAIN;
	memcpy(buf, data, len);
	return (ssize_t)len;
}

static int session_send(void *userdata, const char *buf, size_t len)
{
	const struct console_session *s = userdata;

	while (len > 0) {
		size_t chunk = len < CTRL_FRAME_DATA_MAX ? len : CTRL_FRAME_DATA_MAX;
		int r = control_frame_send(s->sock, CTRL_FRAME_DATA, buf, chunk, false);

		if (r < 0)
			return r;
		buf += chunk;
		len -= chunk;
	}
	return 0;
}

static void session_resize(void *userdata, uint16_t rows, uint16_t cols)
{
	const struct console_session *s = userdata;
	uint8_t p[4];

	control_frame_put_winsize(p, rows, cols);
	(void)control_frame_send(s->sock, CTRL_FRAME_RESIZE, p, sizeof(p), false);
}

static int request_console(const struct lxmgr_ctx *ctx, const struct container *c, bool readonly,
			   int *ret_sock, bool *ret_typing)
{
	_cleanup_close_ int sock = -EBADF;
	struct ctrl_msg req = {.cmd = CTRL_CONSOLE, .flags = readonly ? CTRL_FLAG_READONLY : 0};
	struct ctrl_msg rep = {0};
	uint16_t rows, cols;
	int r;

	if (!store_is_running(c))
		return lx_fail(ctx, LX_SYNTHETIC(-ESRCH),
			       "container is not running (lxmgr start %s --console boots it and "
			       "attaches; lxmgr console %s --log shows its last output)",
			       c->name, c->name);
	sock = control_connect(c->rundir);
	if (sock < 0)
		return lx_fail(ctx, sock, "connect to the monitor at %s/control", c->rundir);
	pty_get_winsize(STDIN_FILENO, &rows, &cols);
	req.arg = CTRL_WINSIZE(rows, cols);
	r = control_call(sock, &req, &rep);
	if (r < 0)
		return lx_fail(ctx, r, "attach to the monitor");
	if (rep.status < 0)
		return lx_fail(ctx, rep.text[0] ? LX_SYNTHETIC(rep.status) : rep.status, "%s",
			       rep.text[0] ? rep.text : "attach");
	*ret_typing = rep.arg == 1;
	*ret_sock = TAKE_FD(sock);
	return 0;
}

static const char *end_reason(enum pty_end e, const struct console_session *s)
{
	switch (e) {
	case PTY_END_DETACH:
		return "detached; the container keeps running";
	case PTY_END_SIGNAL:
		return "detached by a signal; the container keeps running";
	case PTY_END_REMOTE:
	case PTY_END_CHILD:
		return s->ended ? "the container stopped"
				: "the monitor closed the console (this terminal fell behind, "
				  "or the monitor went away)";
	case PTY_END_ERROR:
		break;
	}
	return "the terminal failed";
}

int console_client_attach(const struct lxmgr_ctx *ctx, const struct container *c, bool readonly)
{
	_cleanup_close_ int sock = -EBADF;
	struct console_session s = {.sock = -EBADF};
	struct pty_term term = {.fd = -EBADF};
	struct pty_relay relay;
	enum pty_end e;
	bool typing = false;
	int r;

	r = request_console(ctx, c, readonly, &sock, &typing);
	if (r < 0)
		return r;
	s.sock = sock;
	fprintf(stderr,
		"lxmgr: console %s: attached%s (Ctrl-a q detaches, Ctrl-a Ctrl-a sends "
		"Ctrl-a)\n",
		c->name, typing ? "" : ", watching only: another console types");
	r = pty_term_raw(&term, STDIN_FILENO);
	if (r < 0)
		return lx_fail(ctx, r, "put the terminal in raw mode");
	relay = (struct pty_relay){
		.in_fd = STDIN_FILENO,
		.out_fd = STDOUT_FILENO,
		.remote_fd = sock,
		.child_fd = -EBADF,
		.escape = true,
		.userdata = &s,
		.recv = session_recv,
		.send = session_send,
		.resize = session_resize,
	};
	e = pty_relay_run(&relay);
	pty_term_restore(&term);
	fprintf(stderr, "\r\nlxmgr: console %s: %s\n", c->name, end_reason(e, &s));
	return e == PTY_END_ERROR ? -EIO : 0;
}
