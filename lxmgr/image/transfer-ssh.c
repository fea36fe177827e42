/* transfer-ssh.c: a container sent to another host through ssh (lxmgr copy and move). */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "base/lxmgr.h"
#include "base/progress.h"
#include "base/util.h"
#include "image/export-live.h"
#include "image/transfer-ssh.h"
#include "store/store.h"

#define LOG_STEP "ssh"

#define CHUNK (1 << 16)
#define MAX_ARGS 64

static bool host_is_valid(const char *h)
{
	return h[0] && h[0] != '-' && !strpbrk(h, " \t\n/\\'\"`$;&|<>()*?@");
}

/* HOST, or [IPV6], then an optional :NEWNAME; *host gets the bare host. */
static int split_host(const char *s, char **ret_host, const char **ret_rest)
{
	const char *end;

	if (s[0] == '[') {
		end = strchr(s, ']');
		if (!end || (end[1] && end[1] != ':'))
			return -EINVAL;
		*ret_host = strndup(s + 1, (size_t)(end - s - 1));
		*ret_rest = end[1] ? end + 2 : NULL;
	} else {
		end = strchr(s, ':');
		/* fd00::2 without brackets: which colon ends the host? */
		if (end && strchr(end + 1, ':'))
			return -EINVAL;
		*ret_host = end ? strndup(s, (size_t)(end - s)) : strdup(s);
		*ret_rest = end ? end + 1 : NULL;
	}
	return *ret_host ? 0 : -ENOMEM;
}

int ssh_dest_parse(const char *spec, struct ssh_dest *ret)
{
	_cleanup_free_ char *host = NULL;
	const char *at = strchr(spec, '@'), *hostpart = at ? at + 1 : spec, *name = NULL;
	int r;

	*ret = (struct ssh_dest){0};
	/* USER: no blanks, no '/'; ssh hands it on as one word. */
	if (at && (at == spec || strcspn(spec, " \t\n/") < (size_t)(at - spec)))
		return -EINVAL;
	r = split_host(hostpart, &host, &name);
	if (r < 0)
		return r;
	if (!host_is_valid(host) || spec[0] == '-' || (name && !name_is_valid(name)))
		return -EINVAL;
	if (xasprintf(&ret->host, "%.*s%s", at ? (int)(at - spec + 1) : 0, spec, host) < 0 ||
	    (name && !(ret->name = strdup(name)))) {
		ssh_dest_done(ret);
		return -ENOMEM;
	}
	return 0;
}

void ssh_dest_done(struct ssh_dest *d)
{
	free(d->host);
	free(d->name);
	*d = (struct ssh_dest){0};
}

/* One word for the far side's shell: 'a'\''b'. */
static int shell_quote(const char *s, char **ret)
{
	size_t n = 2;
	char *o;

	for (const char *p = s; *p; p++)
		n += *p == '\'' ? 4 : 1;
	o = *ret = malloc(n + 1);
	if (!o)
		return -ENOMEM;
	*o++ = '\'';
	for (const char *p = s; *p; p++)
		if (*p == '\'')
			o = stpcpy(o, "'\\''");
		else
			*o++ = *p;
	*o++ = '\'';
	*o = '\0';
	return 0;
}

/* LXMGR [--root 'DIR'] import - 'NAME' [--keep-identity]: LXMGR unquoted, as rsync's
 * --rsync-path, so that "sudo lxmgr" works. */
static int remote_command(const struct ssh_send_opts *o, const char *name, char **ret)
{
	_cleanup_free_ char *qroot = NULL, *qname = NULL;

	if ((o->remote_root && shell_quote(o->remote_root, &qroot) < 0) ||
	    shell_quote(name, &qname) < 0)
		return -ENOMEM;
	return xasprintf(ret, "%s%s%s import - %s%s", o->remote_lxmgr ? o->remote_lxmgr : "lxmgr",
			 qroot ? " --root " : "", qroot ? qroot : "", qname,
			 o->keep_identity ? " --keep-identity" : "");
}

/* ssh's argv in words (the command split on blanks, which it points into), -o OPT each. */
static int ssh_argv(const struct ssh_send_opts *o, char *words, const char *host, const char *cmd,
		    char **argv)
{
	size_t n = 0;
	char *save = NULL;

	for (char *w = strtok_r(words, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		if (n + 2 * o->n_ssh_options + 3 >= MAX_ARGS)
			return -E2BIG;
		argv[n++] = w;
	}
	if (n == 0)
		return -EINVAL;
	if (n + 2 * o->n_ssh_options + 3 >= MAX_ARGS)
		return -E2BIG;
	for (size_t i = 0; i < o->n_ssh_options; i++) {
		argv[n++] = (char *)"-o";
		argv[n++] = o->ssh_options[i];
	}
	argv[n++] = (char *)host;
	argv[n++] = (char *)cmd;
	argv[n] = NULL;
	return 0;
}

struct send {
	const struct lxmgr_ctx *ctx;
	const struct ssh_dest *dest;
	pid_t export_pid, ssh_pid;
	int export_err, ssh_err; /* their stderr, in temporary files */
	int in, out;             /* the export's stream; ssh's stdin (non-blocking) */
	int sigfd;
	uint64_t sent;
	bool show, snapshots;
	struct timespec t0, last;
	struct progress progress;
};

static _Noreturn void run_export(struct send *s, struct container *c, int fd)
{
	/* No exec: the pipes to ssh must be closed here by hand, or ssh never sees the end. */
	(void)close(s->in);
	(void)close(s->out);
	(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (dup2(s->export_err, STDERR_FILENO) < 0)
		_exit(1);
	_exit(export_write_live(s->ctx, c, fd, s->snapshots) < 0 ? 1 : 0);
}

static _Noreturn void run_ssh(struct send *s, char **argv, int fd)
{
	sigset_t none;

	if (dup2(fd, STDIN_FILENO) < 0 || dup2(s->ssh_err, STDOUT_FILENO) < 0 ||
	    dup2(s->ssh_err, STDERR_FILENO) < 0)
		_exit(127);
	(void)sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
	(void)signal(SIGPIPE, SIG_DFL);
	/* A killed lxmgr takes ssh along: the far side sees a truncated stream. */
	(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
	execvp(argv[0], argv);
	fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(255);
}

static double seconds_since(const struct timespec *t)
{
	struct timespec now;

	(void)clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

static void human(uint64_t n, char *buf, size_t size)
{
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	double v = (double)n;
	size_t u = 0;

	while (v >= 1024 && u + 1 < ELEMENTSOF(units)) {
		v /= 1024;
		u++;
	}
	(void)snprintf(buf, size, u ? "%.1f %s" : "%.0f %s", v, units[u]);
}

static void show_progress(struct send *s, bool final)
{
	char done[32], rate[32];
	double t = seconds_since(&s->t0);

	if (!s->show || (!final && seconds_since(&s->last) < 1))
		return;
	(void)clock_gettime(CLOCK_MONOTONIC, &s->last);
	human(s->sent, done, sizeof(done));
	human(t > 0 ? (uint64_t)((double)s->sent / t) : 0, rate, sizeof(rate));
	progress_step(s->ctx, &s->progress, "send", "%s to %s (%s/s)%s", done, s->dest->host, rate,
		      final ? ", importing there" : "");
}

/* Writes all of buf to ssh, waking for signals: -EPIPE once ssh is gone, -EINTR. */
static int send_all(struct send *s, const char *buf, size_t n)
{
	while (n > 0) {
		struct pollfd p[2] = {{.fd = s->out, .events = POLLOUT},
				      {.fd = s->sigfd, .events = POLLIN}};
		ssize_t w;

		if (poll(p, 2, -1) < 0 && errno != EINTR)
			return -errno;
		if (p[1].revents)
			return -EINTR;
		w = write(s->out, buf, n);
		if (w < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (w < 0)
			return -errno;
		buf += w;
		n -= (size_t)w;
		s->sent += (uint64_t)w;
	}
	show_progress(s, false);
	return 0;
}

/* Relays the export's stream to ssh, holding back the last block read: sent only once the
 * export has succeeded (ssh_send_container). Returns 0, -EPIPE (ssh gone), -EINTR, -EIO (the
 * export failed). */
static int relay(struct send *s)
{
	_cleanup_free_ char *held = malloc(CHUNK), *buf = malloc(CHUNK);
	size_t n_held = 0;
	int status, r;

	if (!held || !buf)
		return -ENOMEM;
	for (;;) {
		struct pollfd p[2] = {{.fd = s->in, .events = POLLIN},
				      {.fd = s->sigfd, .events = POLLIN}};
		ssize_t n;
		char *t;

		if (poll(p, 2, -1) < 0 && errno != EINTR)
			return -errno;
		if (p[1].revents)
			return -EINTR;
		n = read(s->in, buf, CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		r = n_held ? send_all(s, held, n_held) : 0;
		if (r < 0)
			return r;
		t = held, held = buf, buf = t;
		n_held = (size_t)n;
	}
	if (waitpid(s->export_pid, &status, 0) < 0)
		return -errno;
	s->export_pid = -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return -EIO;
	return send_all(s, held, n_held);
}

/* The first line of fd's text that starts with prefix (or the first line); "" if none. */
static void pick_line(int fd, const char *prefix, char *line, size_t size)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	const char *l;

	line[0] = '\0';
	if (lseek(fd, 0, SEEK_SET) < 0 || read_fd_all(fd, 1 << 16, &text, &len) < 0 || !len)
		return;
	l = text;
	for (const char *p = text; prefix && p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, prefix, strlen(prefix))) {
			l = p;
			break;
		}
	/* ssh ends its own lines with \r\n. */
	(void)snprintf(line, size, "%.*s", (int)strcspn(l, "\r\n"), l);
}

static void relay_text(int fd)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;

	if (lseek(fd, 0, SEEK_SET) == 0 && read_fd_all(fd, 1 << 16, &text, &len) >= 0 && len)
		(void)write_all(STDERR_FILENO, text, len);
}

/* The one line of a failure: ours, ssh's, the far side's lxmgr's or the export's. */
static int report(struct send *s, int r, int status)
{
	const struct lxmgr_ctx *ctx = s->ctx;
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	char line[512];

	if (r == -EINTR)
		return lx_fail(ctx, LX_SYNTHETIC(r), "interrupted: nothing was copied");
	if (r == -EIO) {
		/* The export's own line ("lxmgr: copy dev1: export: ..."), as it wrote it. */
		pick_line(s->export_err, "lxmgr: ", line, sizeof(line));
		fprintf(stderr, "%s\n", line[0] ? line : "lxmgr: export failed");
		return r;
	}
	if (code == 0 && r >= 0) {
		relay_text(s->ssh_err);
		return 0;
	}
	if (code == 255) {
		pick_line(s->ssh_err, NULL, line, sizeof(line));
		return lx_fail(ctx, LX_SYNTHETIC(-EHOSTUNREACH), "%s",
			       line[0] ? line + (strncmp(line, "ssh: ", 5) ? 0 : 5)
				       : "ssh failed without a message");
	}
	if (code > 0) {
		pick_line(s->ssh_err, "lxmgr: ", line, sizeof(line));
		return log_fail_full(ctx, s->dest->host, LX_SYNTHETIC(-EREMOTEIO), "%s",
				     line[0] ? line + (strncmp(line, "lxmgr: ", 7) ? 0 : 7)
					     : "the import failed without a message");
	}
	if (r < 0)
		return lx_fail(ctx, r, "send the stream to %s", s->dest->host);
	return lx_fail(ctx, LX_SYNTHETIC(-EPIPE), "ssh was killed (signal %d)",
		       WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

/* Stops what still runs after relay() returned r, and reports the outcome. */
static int finish(struct send *s, int r)
{
	int status = 0;

	/* Before ssh's stdin closes: after a failure the far side must not see a clean end.
	 * Not after EPIPE: ssh has closed its end, it is ending with the far side's status and
	 * the far side's line in its stderr. */
	if (r < 0 && r != -EPIPE && s->ssh_pid > 0)
		(void)kill(s->ssh_pid, SIGTERM);
	(void)close(s->out);
	s->out = -EBADF;
	/* The export's tar dies of SIGPIPE, and the export removes its stage. */
	(void)close(s->in);
	s->in = -EBADF;
	if (s->export_pid > 0)
		(void)waitpid(s->export_pid, &status, 0);
	s->export_pid = -1;
	if (r >= 0)
		show_progress(s, true);
	if (waitpid(s->ssh_pid, &status, 0) < 0)
		status = W_EXITCODE(255, 0);
	s->ssh_pid = -1;
	progress_end(&s->progress);
	return report(s, r, status);
}

static int make_files(struct send *s, int *a, int *b)
{
	s->export_err = open("/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	s->ssh_err = open("/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (s->export_err < 0 || s->ssh_err < 0 || pipe2(a, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(b, O_CLOEXEC) < 0) {
		(void)close(a[0]);
		(void)close(a[1]);
		return -errno;
	}
	s->in = a[0];
	s->out = b[1];
	return 0;
}

/* The export in one child writing a[1], ssh in another reading b[0]. */
static int start_children(struct send *s, struct container *c, char **argv)
{
	int a[2], b[2], r = make_files(s, a, b);

	if (r < 0)
		return lx_fail(s->ctx, r, "make the pipes to ssh");
	s->ssh_pid = fork();
	if (s->ssh_pid == 0)
		run_ssh(s, argv, b[0]);
	(void)close(b[0]);
	if (s->ssh_pid < 0) {
		(void)close(a[1]);
		return lx_fail(s->ctx, -errno, "fork ssh");
	}
	s->export_pid = fork();
	if (s->export_pid == 0)
		run_export(s, c, a[1]);
	(void)close(a[1]);
	if (s->export_pid < 0)
		return lx_fail(s->ctx, -errno, "fork the export");
	if (fcntl(s->out, F_SETFL, O_NONBLOCK) < 0)
		return lx_fail(s->ctx, -errno, "set the pipe to ssh non-blocking");
	return 0;
}

/* After a failure to start: what was started is stopped quietly (it reported nothing). */
static void send_done(struct send *s)
{
	if (s->ssh_pid > 0)
		(void)kill(s->ssh_pid, SIGTERM);
	closep(&s->out);
	closep(&s->in);
	if (s->ssh_pid > 0)
		(void)waitpid(s->ssh_pid, NULL, 0);
	if (s->export_pid > 0)
		(void)waitpid(s->export_pid, NULL, 0);
	closep(&s->export_err);
	closep(&s->ssh_err);
	closep(&s->sigfd);
}

static int send_prepare(const struct ssh_dest *d, const struct ssh_send_opts *o, char **words,
			char **cmd, char **argv)
{
	if (remote_command(o, d->name, cmd) < 0 || !(*words = strdup(o->ssh ? o->ssh : "ssh")))
		return -ENOMEM;
	return ssh_argv(o, *words, d->host, *cmd, argv);
}

int ssh_send_container(const struct lxmgr_ctx *ctx, struct container *c, const struct ssh_dest *d,
		       const struct ssh_send_opts *o)
{
	_cleanup_free_ char *words = NULL, *cmd = NULL;
	struct send s = {.ctx = ctx,
			 .dest = d,
			 .export_pid = -1,
			 .ssh_pid = -1,
			 .export_err = -EBADF,
			 .ssh_err = -EBADF,
			 .in = -EBADF,
			 .out = -EBADF,
			 .sigfd = -EBADF};
	struct sigaction ign = {.sa_handler = SIG_IGN}, old_pipe;
	char *argv[MAX_ARGS];
	sigset_t mask, old;
	int r;

	r = send_prepare(d, o, &words, &cmd, argv);
	if (r < 0)
		return lx_fail(ctx, r == -ENOMEM ? r : LX_SYNTHETIC(r), "%s",
			       r == -ENOMEM ? "out of memory" : "bad ssh command");
	lx_debug(ctx, "%s ... %s %s", argv[0], d->host, cmd);
	/* Held, not handled: the relay wakes on them through the signalfd and undoes the copy. */
	hold_stop_signals(&mask, &old);
	(void)sigaction(SIGPIPE, &ign, &old_pipe);
	s.sigfd = signalfd(-1, &mask, SFD_CLOEXEC);
	s.show = o->progress || isatty(STDERR_FILENO);
	s.snapshots = o->snapshots;
	progress_init(&s.progress);
	(void)clock_gettime(CLOCK_MONOTONIC, &s.t0);
	s.last = s.t0;
	if (s.sigfd < 0)
		r = lx_fail(ctx, -errno, "signalfd");
	else
		r = start_children(&s, c, argv);
	if (r >= 0)
		r = finish(&s, relay(&s));
	send_done(&s);
	(void)sigaction(SIGPIPE, &old_pipe, NULL);
	(void)sigprocmask(SIG_SETMASK, &old, NULL);
	return r;
}
