/* stdio-relay.c: pipes in place of the host's terminal for a command inside a container. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/util.h"
#include "run/stdio-relay.h"

/* After the command ended: how long its pipes may stay silent before we stop relaying. */
#define DRAIN_QUIET_MS 100

enum { P_CHILD, P_SIGNAL, P_STDIN, P_TO_CHILD, P_OUT, P_ERR, _P_MAX };

struct relay_state {
	struct stdio_relay *s;
	char in_buf[4096];
	size_t in_len, in_off;
	bool stdin_open, exited;
	pid_t pid;
};

static void close_fd(int *fd)
{
	if (*fd >= 0)
		(void)close(*fd);
	*fd = -EBADF;
}

int stdio_relay_open(struct stdio_relay *s, bool stdin_null)
{
	for (int i = 0; i < 3; i++) {
		int p[2];

		s->child[i] = i;
		s->ours[i] = -EBADF;
		if (i == 0 && stdin_null) {
			s->child[0] = open("/dev/null", O_RDONLY | O_CLOEXEC);
			if (s->child[0] < 0)
				return -errno;
			continue;
		}
		if (!isatty(i))
			continue;
		if (pipe2(p, O_CLOEXEC) < 0)
			return -errno;
		s->child[i] = i == 0 ? p[0] : p[1];
		s->ours[i] = i == 0 ? p[1] : p[0];
		if (fcntl(s->ours[i], F_SETFL, O_NONBLOCK) < 0)
			return -errno;
	}
	return 0;
}

int stdio_relay_child(const struct stdio_relay *s)
{
	for (int i = 0; i < 3; i++)
		if (s->child[i] != i && dup2(s->child[i], i) < 0)
			return -errno;
	return 0;
}

void stdio_relay_parent(struct stdio_relay *s)
{
	for (int i = 0; i < 3; i++)
		if (s->child[i] != i) {
			(void)close(s->child[i]);
			s->child[i] = i;
		}
}

void stdio_relay_done(struct stdio_relay *s)
{
	stdio_relay_parent(s);
	for (int i = 0; i < 3; i++)
		close_fd(&s->ours[i]);
}

static void forward_signals(struct relay_state *st, int sigfd)
{
	struct signalfd_siginfo si;

	while (read(sigfd, &si, sizeof(si)) == sizeof(si))
		if (!st->exited && kill(-st->pid, (int)si.ssi_signo) < 0)
			(void)kill(st->pid, (int)si.ssi_signo);
}

/* Our terminal's input, one buffer at a time, into the command's stdin pipe. */
static void read_stdin(struct relay_state *st)
{
	ssize_t n = read(STDIN_FILENO, st->in_buf, sizeof(st->in_buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		st->stdin_open = false;
		close_fd(&st->s->ours[0]);
		return;
	}
	st->in_len = (size_t)n;
	st->in_off = 0;
}

static void write_to_child(struct relay_state *st)
{
	ssize_t n = write(st->s->ours[0], st->in_buf + st->in_off, st->in_len - st->in_off);

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n < 0) { /* the command closed its stdin: what it did not read is dropped */
		st->stdin_open = false;
		st->in_len = st->in_off = 0;
		close_fd(&st->s->ours[0]);
		return;
	}
	st->in_off += (size_t)n;
	if (st->in_off == st->in_len)
		st->in_len = st->in_off = 0;
}

/* Returns true while the pipe of descriptor i stays open. */
static bool copy_output(struct relay_state *st, int i)
{
	char buf[8192];
	ssize_t n = read(st->s->ours[i], buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (n <= 0 || write_all(i, buf, (size_t)n) < 0) {
		close_fd(&st->s->ours[i]);
		return false;
	}
	return true;
}

static void fill_pollfds(const struct relay_state *st, int pidfd, int sigfd, struct pollfd *p)
{
	const struct stdio_relay *s = st->s;
	bool want_input = st->stdin_open && !st->exited && s->ours[0] >= 0;

	p[P_CHILD] = (struct pollfd){.fd = st->exited ? -1 : pidfd, .events = POLLIN};
	p[P_SIGNAL] = (struct pollfd){.fd = sigfd, .events = POLLIN};
	p[P_STDIN] = (struct pollfd){.fd = want_input && !st->in_len ? 0 : -1, .events = POLLIN};
	p[P_TO_CHILD] = (struct pollfd){.fd = want_input && st->in_len ? s->ours[0] : -1,
					.events = POLLOUT};
	p[P_OUT] = (struct pollfd){.fd = s->ours[1] >= 0 ? s->ours[1] : -1, .events = POLLIN};
	p[P_ERR] = (struct pollfd){.fd = s->ours[2] >= 0 ? s->ours[2] : -1, .events = POLLIN};
}

static int exit_status(int pidfd)
{
	siginfo_t si = {0};

	if (waitid(P_PIDFD, (id_t)pidfd, &si, WEXITED) < 0)
		return -errno;
	return si.si_code == CLD_EXITED ? si.si_status : 128 + si.si_status;
}

int stdio_relay_run(struct stdio_relay *s, int pidfd, pid_t pid, int sigfd)
{
	struct relay_state st = {.s = s, .stdin_open = true, .pid = pid};
	struct pollfd p[_P_MAX];

	for (;;) {
		int n;

		if (st.exited && s->ours[1] < 0 && s->ours[2] < 0)
			break;
		fill_pollfds(&st, pidfd, sigfd, p);
		n = poll(p, _P_MAX, st.exited ? DRAIN_QUIET_MS : -1);
		if (n < 0 && errno != EINTR)
			return -errno;
		if (n == 0)
			break; /* ended, and its pipes went quiet */
		if (p[P_SIGNAL].revents & POLLIN)
			forward_signals(&st, sigfd);
		if (p[P_STDIN].revents & (POLLIN | POLLHUP | POLLERR))
			read_stdin(&st);
		if (p[P_TO_CHILD].revents & (POLLOUT | POLLERR))
			write_to_child(&st);
		for (int i = P_OUT; i <= P_ERR; i++)
			if (p[i].revents & (POLLIN | POLLHUP | POLLERR))
				(void)copy_output(&st, i - P_OUT + 1);
		if (p[P_CHILD].revents & POLLIN) {
			st.exited = true;
			close_fd(&s->ours[0]);
		}
	}
	return exit_status(pidfd);
}
