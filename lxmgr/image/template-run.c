/* template-run.c: running a template's build: in a pid and mount namespace of its own, its
 * output kept in a log, its STEP: lines shown, its failure reported in one line. */
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "base/lxmgr.h"
#include "base/progress.h"
#include "base/util.h"
#include "image/template.h"

#define LOG_STEP "template"
#define TAIL_LINES 15
#define LINE_LEN 1024

/* What the parent keeps of the output while it runs. */
struct output {
	const struct lxmgr_ctx *ctx;
	int logfd;
	bool verbose;
	char line[LINE_LEN];
	size_t len;
	char tail[TAIL_LINES][LINE_LEN]; /* the last lines that were not STEP: lines */
	unsigned n_tail;
	char error[LINE_LEN]; /* the last ERROR: line, without the prefix */
	struct progress progress;
};

/* In the template's process, after fork inside the new namespaces: its environment, its
 * working directory, its output on the pipe, the signals lxmgr holds unblocked. */
static _Noreturn void exec_template(const struct template_run *run, int out)
{
	const struct template_request *req = run->req;
	const struct {
		const char *name, *value;
	} env[] = {
		{"LXMGR_TEMPLATE_NAME", run->info->name},
		{"LXMGR_TEMPLATE_ROOTFS", run->rootfs},
		{"LXMGR_TEMPLATE_TMPDIR", run->workdir},
		{"LXMGR_RELEASE", run->release},
		{"LXMGR_ARCH", run->arch},
		{"LXMGR_MIRROR", req->mirror},
		{"LXMGR_TEMPLATE_FILE", req->file},
		{"LXMGR_TEMPLATE_URL", req->url},
		{"LXMGR_TEMPLATE_IMAGE", req->image},
		{"LXMGR_VERBOSE", req->verbose ? "1" : NULL},
	};
	sigset_t none;
	int null;

	for (size_t i = 0; i < ELEMENTSOF(env); i++)
		if (env[i].value ? setenv(env[i].name, env[i].value, 1) < 0
				 : unsetenv(env[i].name) < 0)
			_exit(127);
	(void)setenv("DEBIAN_FRONTEND", "noninteractive", 1);
	null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0 ||
	    dup2(out, STDERR_FILENO) < 0 || chdir(run->workdir) < 0)
		_exit(127);
	(void)sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
	(void)signal(SIGPIPE, SIG_DFL);
	execl(run->info->path, run->info->path, "build", (char *)NULL);
	dprintf(STDERR_FILENO, "ERROR: %s: cannot run %s: %m\n", run->info->name, run->info->path);
	_exit(127);
}

/* PID 1 of the template's pid namespace, in its own mount namespace. When lxmgr dies it
 * gets SIGKILL (PR_SET_PDEATHSIG), and the kernel then kills every process of the namespace;
 * when the template ends, so does it, with the template's status (128+N for signal N). */
static _Noreturn void reaper(const struct template_run *run, int out, int lxmgr_pidfd)
{
	struct pollfd p = {.fd = lxmgr_pidfd, .events = POLLIN};
	int status = 0;
	pid_t child, w;

	/* lxmgr's pid means nothing in here: its pidfd tells whether it died before prctl. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || poll(&p, 1, 0) != 0)
		_exit(127);
	(void)close(lxmgr_pidfd);
	/* Nothing the template mounts may reach the host, and its ps sees only itself. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) {
		dprintf(out, "ERROR: %s: cannot set up its namespaces: %m\n", run->info->name);
		_exit(127);
	}
	child = fork();
	if (child < 0)
		_exit(127);
	if (child == 0)
		exec_template(run, out);
	(void)close(out);
	for (;;) {
		w = wait(&status);
		if (w < 0 && errno != EINTR)
			_exit(127);
		if (w == child)
			break;
	}
	if (WIFSIGNALED(status))
		_exit(128 + WTERMSIG(status));
	_exit(WEXITSTATUS(status));
}

void template_step(const struct lxmgr_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	if (log_threshold() < LOG_LEVEL_WARNING)
		return;
	fprintf(stderr, "lxmgr: %s%s%s: template: ", ctx->verb, ctx->name ? " " : "",
		ctx->name ? ctx->name : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (%u s)\n", progress_elapsed_s());
}

static void keep_line(struct output *o, const char *line)
{
	if (!strncmp(line, "STEP: ", 6)) {
		progress_step(o->ctx, &o->progress, "template", "%s", line + 6);
		return;
	}
	/* debootstrap's stages ("I: Retrieving libc6", "I: Unpacking ..."): -v shows them all. */
	if (!o->verbose && !strncmp(line, "I: ", 3))
		progress_detail(o->ctx, &o->progress, "template: debootstrap", line + 3);
	if (o->verbose)
		fprintf(stderr, "%s\n", line);
	/* The ERROR: line ends the failure's own message; the tail leaves it out. */
	if (!strncmp(line, "ERROR: ", 7)) {
		snprintf(o->error, sizeof(o->error), "%s", line + 7);
		return;
	}
	snprintf(o->tail[o->n_tail % TAIL_LINES], LINE_LEN, "%s", line);
	o->n_tail++;
}

/* Splits what arrived into lines; every byte also goes to the log as it came. */
static void take_output(struct output *o, const char *buf, size_t n)
{
	if (o->logfd >= 0 && write(o->logfd, buf, n) < 0)
		o->logfd = -EBADF; /* a full disk loses the log, not the build */
	for (size_t i = 0; i < n; i++) {
		if (buf[i] == '\n' || o->len == LINE_LEN - 1) {
			o->line[o->len] = '\0';
			keep_line(o, o->line);
			o->len = 0;
			if (buf[i] == '\n')
				continue;
		}
		if (buf[i] != '\r')
			o->line[o->len++] = buf[i];
	}
}

static int wait_template(pid_t pid, int *ret_code)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	*ret_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	return 0;
}

/* Reads the template's output until it closes it; kills the namespace when cancelled. */
static int relay(const struct template_run *run, struct output *o, int rd, pid_t pid)
{
	bool killed = false;
	char buf[8192];

	for (;;) {
		struct pollfd p = {.fd = rd, .events = POLLIN};
		ssize_t n;
		int r = poll(&p, 1, 200);

		if (r < 0 && errno != EINTR)
			return -errno;
		if (!killed && run->cancelled && run->cancelled(run->userdata)) {
			/* PID 1 of the namespace: its death ends every process in it. */
			(void)kill(pid, SIGKILL);
			killed = true;
		}
		if (r <= 0)
			continue;
		n = read(rd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		take_output(o, buf, (size_t)n);
	}
	if (o->len) {
		o->line[o->len] = '\0';
		keep_line(o, o->line);
	}
	return killed ? -EINTR : 0;
}

static int report_failure(const struct template_run *run, const struct output *o, int code)
{
	const struct lxmgr_ctx *ctx = o->ctx;
	unsigned first = o->n_tail > TAIL_LINES ? o->n_tail - TAIL_LINES : 0;

	/* Bad input: the template's own line says it all, and a log of a refusal that made
	 * nothing would only be litter. */
	if (code == 2 && o->error[0]) {
		(void)unlink(run->log_path);
		return lx_fail(ctx, LX_SYNTHETIC(-EINVAL), "%s", o->error);
	}
	if (!o->verbose)
		for (unsigned i = first; i < o->n_tail; i++)
			fprintf(stderr, "  %s\n", o->tail[i % TAIL_LINES]);
	if (o->error[0])
		return lx_fail(ctx, LX_SYNTHETIC(-EIO), "%s (log: %s)", o->error, run->log_path);
	return lx_fail(ctx, LX_SYNTHETIC(-EIO), "%s failed with exit status %d (log: %s)",
		       run->info->name, code, run->log_path);
}

static int open_log(const char *path)
{
	_cleanup_free_ char *dir = strdup(path);
	char *slash = dir ? strrchr(dir, '/') : NULL;

	if (!dir)
		return -ENOMEM;
	if (slash) {
		*slash = '\0';
		int r = mkdir_p(dir, 0755);

		if (r < 0)
			return r;
	}
	return NEG_ERRNO(open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0640));
}

int template_run(const struct lxmgr_ctx *ctx, const struct template_run *run)
{
	_cleanup_free_ struct output *o = calloc(1, sizeof(*o));
	_cleanup_close_ int rd = -EBADF, logfd = -EBADF, pidfd = -EBADF;
	pid_t pid;
	int p[2], r, code = 0;

	if (!o)
		return lx_fail(ctx, -ENOMEM, "out of memory");
	logfd = open_log(run->log_path);
	if (logfd < 0)
		return lx_fail(ctx, logfd, "open the log %s", run->log_path);
	*o = (struct output){.ctx = ctx, .logfd = logfd, .verbose = run->req->verbose};
	progress_init(&o->progress);
	pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	if (pidfd < 0)
		return lx_fail(ctx, -errno, "pidfd_open");
	if (pipe2(p, O_CLOEXEC) < 0)
		return lx_fail(ctx, -errno, "pipe");
	rd = p[0];
	fflush(NULL);
	/* fork-like clone: the child is PID 1 of a new pid namespace, in a new mount one. */
	pid = (pid_t)syscall(SYS_clone, CLONE_NEWPID | CLONE_NEWNS | SIGCHLD, NULL, NULL, NULL,
			     NULL);
	if (pid < 0) {
		r = -errno;
		(void)close(p[1]);
		return lx_fail(ctx, r, "clone a pid and mount namespace for %s", run->info->name);
	}
	if (pid == 0) {
		(void)close(rd);
		reaper(run, p[1], pidfd);
	}
	(void)close(p[1]);
	lx_debug(ctx, "running %s (pid %d) into %s, log %s", run->info->path, (int)pid, run->rootfs,
		 run->log_path);
	r = relay(run, o, rd, pid);
	progress_end(&o->progress);
	if (r == -EINTR)
		(void)kill(pid, SIGKILL);
	if (wait_template(pid, &code) < 0)
		return lx_fail(ctx, -errno, "wait for %s", run->info->name);
	if (r < 0)
		return r == -EINTR ? r : lx_fail(ctx, r, "read the output of %s", run->info->name);
	if (run->cancelled && run->cancelled(run->userdata))
		return -EINTR;
	return code == 0 ? 0 : report_failure(run, o, code);
}
