/* pty.c: the user's terminal (raw mode, window size) and the loop that relays it to the
 * container: a console socket of the monitor, or the master of a pty inside. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/util.h"
#include "run/pty.h"

int pty_term_raw(struct pty_term *t, int fd)
{
	struct termios raw;

	t->raw = false;
	t->fd = -EBADF;
	if (!isatty(fd))
		return 0;
	if (tcgetattr(fd, &t->saved) < 0)
		return -errno;
	raw = t->saved;
	cfmakeraw(&raw);
	/* Reads return as soon as one byte is there. */
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	if (tcsetattr(fd, TCSANOW, &raw) < 0)
		return -errno;
	t->fd = fd;
	t->raw = true;
	return 0;
}

void pty_term_restore(struct pty_term *t)
{
	if (!t->raw)
		return;
	(void)tcsetattr(t->fd, TCSAFLUSH, &t->saved);
	t->raw = false;
}

void pty_get_winsize(int fd, uint16_t *ret_rows, uint16_t *ret_cols)
{
	struct winsize ws = {0};

	if (ioctl(fd, TIOCGWINSZ, &ws) < 0)
		ws = (struct winsize){0};
	*ret_rows = ws.ws_row;
	*ret_cols = ws.ws_col;
}

size_t pty_filter_escape(const char *in, size_t len, char *out, bool *pending, bool *ret_detach)
{
	size_t n = 0;

	*ret_detach = false;
	for (size_t i = 0; i < len; i++) {
		char c = in[i];

		if (*pending) {
			*pending = false;
			if (c == 'q' || c == 'Q') {
				*ret_detach = true;
				return n;
			}
			/* Ctrl-a Ctrl-a is one Ctrl-a; Ctrl-a X is both, unchanged. */
			if (c != PTY_ESCAPE_CHAR)
				out[n++] = PTY_ESCAPE_CHAR;
			out[n++] = c;
		} else if (c == PTY_ESCAPE_CHAR)
			*pending = true;
		else
			out[n++] = c;
	}
	return n;
}

static void send_winsize(struct pty_relay *r)
{
	uint16_t rows, cols;

	pty_get_winsize(isatty(r->in_fd) ? r->in_fd : r->out_fd, &rows, &cols);
	if (rows && cols && r->resize)
		r->resize(r->userdata, rows, cols);
}

/* Returns 1 to go on, or the negated enum pty_end that ends the relay. */
static int on_input(struct pty_relay *r, bool *in_open, bool *pending)
{
	char buf[4096], out[2 * sizeof(buf)];
	bool detach = false;
	ssize_t n = read(r->in_fd, buf, sizeof(buf));
	size_t len = (size_t)n;

	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 1 : -PTY_END_ERROR;
	if (n == 0) {
		*in_open = false;
		if (r->input_eof)
			r->input_eof(r->userdata);
		return 1;
	}
	if (r->escape) {
		len = pty_filter_escape(buf, (size_t)n, out, pending, &detach);
		if (len > 0 && r->send(r->userdata, out, len) < 0)
			return -PTY_END_REMOTE;
		return detach ? -PTY_END_DETACH : 1;
	}
	return r->send(r->userdata, buf, len) < 0 ? -PTY_END_REMOTE : 1;
}

/* Copies what the remote end has; returns 1 to go on, 0 at its end. */
static int on_output(struct pty_relay *r, bool drain)
{
	char buf[8192];

	do {
		ssize_t n = r->recv(r->userdata, buf, sizeof(buf));

		if (n == -EAGAIN || n == -EINTR)
			return 1;
		if (n <= 0)
			return 0;
		if (write_all(r->out_fd, buf, (size_t)n) < 0)
			return 0;
	} while (drain);
	return 1;
}

static int on_signal(struct pty_relay *r, int sigfd)
{
	struct signalfd_siginfo si;

	while (read(sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGWINCH) {
			send_winsize(r);
			continue;
		}
		if (si.ssi_signo == SIGPIPE)
			continue;
		r->signo = (int)si.ssi_signo;
		return -PTY_END_SIGNAL;
	}
	return 1;
}

static int relay_loop(struct pty_relay *r, int sigfd)
{
	bool in_open = true, pending = false;
	int res = 1;

	while (res > 0) {
		struct pollfd p[4] = {
			{.fd = sigfd, .events = POLLIN},
			{.fd = r->remote_fd, .events = POLLIN},
			{.fd = in_open ? r->in_fd : -1, .events = POLLIN},
			{.fd = r->child_fd, .events = POLLIN},
		};

		if (poll(p, 4, -1) < 0) {
			if (errno == EINTR)
				continue;
			return PTY_END_ERROR;
		}
		if (p[0].revents)
			res = on_signal(r, sigfd);
		if (res > 0 && p[1].revents && on_output(r, false) == 0)
			return PTY_END_REMOTE;
		if (res > 0 && p[2].revents & (POLLIN | POLLHUP | POLLERR))
			res = on_input(r, &in_open, &pending);
		if (res > 0 && p[3].revents) {
			/* What the command wrote last is still in the pty. */
			(void)on_output(r, true);
			return PTY_END_CHILD;
		}
	}
	return -res;
}

enum pty_end pty_relay_run(struct pty_relay *r)
{
	static const int sigs[] = {SIGWINCH, SIGTERM, SIGHUP, SIGINT, SIGQUIT, SIGPIPE};
	_cleanup_close_ int sigfd = -EBADF;
	sigset_t mask, old;
	int res;

	(void)sigemptyset(&mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		(void)sigaddset(&mask, sigs[i]);
	if (sigprocmask(SIG_BLOCK, &mask, &old) < 0)
		return PTY_END_ERROR;
	sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sigfd < 0) {
		(void)sigprocmask(SIG_SETMASK, &old, NULL);
		return PTY_END_ERROR;
	}
	r->signo = 0;
	send_winsize(r);
	res = relay_loop(r, sigfd);
	/* A SIGPIPE or SIGWINCH held now must not kill us once the mask is back. */
	(void)signal(SIGPIPE, SIG_IGN);
	(void)sigprocmask(SIG_SETMASK, &old, NULL);
	return (enum pty_end)res;
}

int pty_send_fd(int sock, int fd)
{
	return fd_send(sock, "F", 1, fd);
}

int pty_recv_fd(int sock)
{
	char byte;
	int fd;
	ssize_t n = fd_recv(sock, &byte, 1, &fd);

	if (n < 0)
		return (int)n;
	if (n == 0 || fd < 0)
		return -ECONNRESET;
	return fd;
}

static ssize_t master_recv(void *userdata, char *buf, size_t size)
{
	const int *master = userdata;
	ssize_t n = read(*master, buf, size);

	if (n >= 0)
		return n;
	/* EIO: every descriptor of the slave is closed. */
	return errno == EAGAIN || errno == EINTR ? -EAGAIN : 0;
}

static int master_send(void *userdata, const char *buf, size_t len)
{
	const int *master = userdata;

	while (len > 0) {
		ssize_t n = write(*master, buf, len);

		if (n < 0 && errno == EAGAIN) {
			struct pollfd p = {.fd = *master, .events = POLLOUT};

			/* The command does not read: wait a little, then drop what it won't take.
			 */
			if (poll(&p, 1, 1000) <= 0)
				return 0;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static void master_resize(void *userdata, uint16_t rows, uint16_t cols)
{
	const int *master = userdata;
	struct winsize ws = {.ws_row = rows, .ws_col = cols};

	(void)ioctl(*master, TIOCSWINSZ, &ws);
}

static void master_input_eof(void *userdata)
{
	const int *master = userdata;
	char eof = 0x04; /* VEOF at the start of a line: the command reads the end of input */

	(void)master_send((void *)master, &eof, 1);
}

enum pty_end pty_master_relay(int master, int pidfd)
{
	_cleanup_close_ int fd = master;
	struct pty_term term = {.fd = -EBADF};
	struct pty_relay relay = {
		.in_fd = STDIN_FILENO,
		.out_fd = STDOUT_FILENO,
		.remote_fd = fd,
		.child_fd = pidfd,
		.userdata = &fd,
		.recv = master_recv,
		.send = master_send,
		.resize = master_resize,
		.input_eof = master_input_eof,
	};
	enum pty_end e;

	if (fcntl(fd, F_SETFL, O_NONBLOCK) < 0 || pty_term_raw(&term, STDIN_FILENO) < 0)
		return PTY_END_ERROR;
	e = pty_relay_run(&relay);
	pty_term_restore(&term);
	return e;
}
