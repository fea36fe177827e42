/* hooks.c: host-side hooks: where they come from, in which order, how they run. */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "base/lxmgr.h"
#include "base/util.h"
#include "run/boundary.h"
#include "run/hooks.h"
#include "store/store.h"

#define LOG_STEP "hooks"
#define HOOK_STDERR_MAX 1024 /* what a failure report shows of the hook's stderr */
#define HOOKS_PER_DIR 64

static const char *const kind_names[_HOOK_MAX] = {
	[HOOK_PRE_START] = "pre-start",     [HOOK_START_HOST] = "start-host",
	[HOOK_POST_STOP] = "post-stop",     [HOOK_POST_CREATE] = "post-create",
	[HOOK_PRE_DESTROY] = "pre-destroy",
};

const char *hook_kind_to_string(enum hook_kind k)
{
	return (unsigned)k < _HOOK_MAX ? kind_names[k] : NULL;
}

static const char *config_hook(const struct container_config *cfg, enum hook_kind k)
{
	switch (k) {
	case HOOK_PRE_START:
		return cfg->hook_pre_start;
	case HOOK_START_HOST:
		return cfg->hook_start_host;
	case HOOK_POST_STOP:
		return cfg->hook_post_stop;
	case HOOK_POST_CREATE:
		return cfg->hook_post_create;
	case HOOK_PRE_DESTROY:
		return cfg->hook_pre_destroy;
	case _HOOK_MAX:
		break;
	}
	return "";
}

void hooks_target_of(const struct container *c, struct hook_target *ret)
{
	*ret = (struct hook_target){
		.name = c->name,
		.dir = c->dir,
		.rootfs = c->rootfs,
		.rootfs_fd = c->view_fd,
		.config = c->config_path,
		.cfg = &c->cfg,
	};
}

/* Owned by root and writable by no one else: a hook runs as host root. */
static bool owned_safely(const struct stat *st)
{
	return st->st_uid == 0 && !(st->st_mode & (S_IWGRP | S_IWOTH));
}

/* Why path may not run as a hook, or NULL. own_hooks: DIR/hooks/, the one place in the
 * store a hook may live (everything else there belongs to containers). */
static const char *unsafe_reason(const struct lxmgr_ctx *ctx, const char *path,
				 const char *own_hooks)
{
	char real[PATH_MAX], dir[PATH_MAX], lib[PATH_MAX];
	struct stat st, dst;
	size_t n;
	char *slash;

	if (!realpath(path, real) || stat(real, &st) < 0)
		return "cannot be resolved";
	if (!S_ISREG(st.st_mode))
		return "is not a regular file";
	if (!owned_safely(&st))
		return "is not owned by root or is writable by others than root";
	(void)snprintf(dir, sizeof(dir), "%s", real);
	slash = strrchr(dir, '/');
	if (slash)
		*(slash == dir ? slash + 1 : slash) = '\0';
	if (stat(dir, &dst) < 0 || !owned_safely(&dst))
		return "lies in a directory not owned by root or writable by others than root";
	if (!realpath(ctx->paths.lib, lib))
		return NULL;
	n = strlen(lib);
	if (strncmp(real, lib, n) == 0 && real[n] == '/') {
		if (own_hooks && realpath(own_hooks, dir) && strncmp(real, dir, strlen(dir)) == 0 &&
		    real[strlen(dir)] == '/')
			return NULL;
		return "lies in the store (a container's files are not the host's)";
	}
	return NULL;
}

static void child_exec(const struct hook_target *t, enum hook_kind kind, pid_t pid,
		       const char *path, int errfd)
{
	char e_name[128], e_rootfs[PATH_MAX + 16], e_config[PATH_MAX + 16], e_hook[64], e_pid[32];
	char *envp[] = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
			e_name,
			e_rootfs,
			e_config,
			e_hook,
			pid > 0 ? e_pid : NULL,
			NULL};
	char *argv[] = {(char *)path, (char *)t->name, (char *)hook_kind_to_string(kind), NULL};
	sigset_t none;
	int null;

	/* Our callers hold signals (monitor: signalfd; create: polled); a hook starts clean. */
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			(void)signal(sig, SIG_DFL);
	(void)sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
	/* Its own process group: a timeout kills whatever it started too. */
	(void)setpgid(0, 0);
	null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null < 0 || dup2(null, 0) < 0 || dup2(STDERR_FILENO, 1) < 0 || dup2(errfd, 2) < 0)
		_exit(126);
	/* dup2 onto itself keeps close-on-exec: then clear the flag instead. */
	if (t->rootfs_fd >= 0 &&
	    (t->rootfs_fd == 3 ? fcntl(3, F_SETFD, 0) : dup2(t->rootfs_fd, 3)) < 0)
		_exit(126);
	/* A hook gets what hooks/README.md documents (0, 1, 2 and the view on 3), nothing of the
	 * descriptors its caller inherited. */
	if (boundary_close_fds((const int[]){t->rootfs_fd >= 0 ? 3 : -EBADF}, 1,
			       /* cloexec= */ true) < 0)
		_exit(126);
	(void)snprintf(e_name, sizeof(e_name), "LXMGR_NAME=%s", t->name);
	(void)snprintf(e_rootfs, sizeof(e_rootfs), "LXMGR_ROOTFS=%s",
		       t->rootfs_fd >= 0 ? "/proc/self/fd/3" : t->rootfs);
	(void)snprintf(e_config, sizeof(e_config), "LXMGR_CONFIG=%s", t->config);
	(void)snprintf(e_hook, sizeof(e_hook), "LXMGR_HOOK=%s", hook_kind_to_string(kind));
	(void)snprintf(e_pid, sizeof(e_pid), "LXMGR_PID=%d", (int)pid);
	execve(path, argv, envp);
	_exit(127);
}

static void keep_tail(char *buf, size_t *len, const char *chunk, size_t n)
{
	if (n > HOOK_STDERR_MAX) {
		chunk += n - HOOK_STDERR_MAX;
		n = HOOK_STDERR_MAX;
	}
	if (*len + n > HOOK_STDERR_MAX) {
		size_t drop = *len + n - HOOK_STDERR_MAX;

		memmove(buf, buf + drop, *len - drop);
		*len -= drop;
	}
	memcpy(buf + *len, chunk, n);
	*len += n;
}

/* What the hook wrote before it exited; a process it left behind may hold the pipe open,
 * so no waiting for its end. */
static void drain(int fd, char *buf, size_t *len)
{
	char chunk[512];
	ssize_t n;

	if (fd < 0 || fcntl(fd, F_SETFL, O_NONBLOCK) < 0)
		return;
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		keep_tail(buf, len, chunk, (size_t)n);
}

/* Collects the hook's stderr (the last HOOK_STDERR_MAX bytes) until it exits or the
 * deadline passes; then kills its process group. Returns its wait status, or -ETIME. */
static int wait_hook(pid_t child, int errfd, uint32_t timeout, char *buf, size_t *len)
{
	int pidfd = (int)syscall(SYS_pidfd_open, child, 0);
	uint64_t deadline = now_ns() + (uint64_t)timeout * 1000000000ULL;
	int status = 0, r = 0;

	while (pidfd >= 0) {
		struct pollfd p[2] = {{.fd = pidfd, .events = POLLIN},
				      {.fd = errfd, .events = POLLIN}};
		uint64_t now = now_ns();
		char chunk[512];
		ssize_t n;

		if (now >= deadline) {
			r = -ETIME;
			break;
		}
		if (poll(p, errfd >= 0 ? 2 : 1, (int)((deadline - now) / 1000000 + 1)) < 0 &&
		    errno != EINTR)
			break;
		if (errfd >= 0 && (p[1].revents & (POLLIN | POLLHUP))) {
			n = read(errfd, chunk, sizeof(chunk));
			if (n <= 0) {
				errfd = -1; /* EOF: only the exit is left to wait for */
				continue;
			}
			keep_tail(buf, len, chunk, (size_t)n);
		}
		if (p[0].revents & POLLIN)
			break;
	}
	if (r == -ETIME)
		(void)kill(-child, SIGKILL);
	else
		drain(errfd, buf, len);
	if (pidfd >= 0)
		(void)close(pidfd);
	if (waitpid(child, &status, 0) < 0)
		return -errno;
	return r < 0 ? r : status;
}

/* One line: newlines of the hook's stderr become " / ". */
static void flatten(char *buf, size_t len)
{
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
		len--;
	buf[len] = '\0';
	for (char *p = buf; *p; p++)
		if (*p == '\n')
			*p = '/';
}

static int run_one(const struct lxmgr_ctx *ctx, const struct hook_target *t, enum hook_kind kind,
		   pid_t pid, const char *path, const char *own_hooks)
{
	const char *why = unsafe_reason(ctx, path, own_hooks);
	char err[HOOK_STDERR_MAX + 1];
	size_t len = 0;
	int pipefd[2], status;
	pid_t child;

	if (why)
		return lx_fail(ctx, LX_SYNTHETIC(-EPERM), "%s hook %s %s: refused",
			       hook_kind_to_string(kind), path, why);
	lx_debug(ctx, "running the %s hook %s", hook_kind_to_string(kind), path);
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return lx_fail(ctx, -errno, "pipe");
	child = fork();
	if (child == 0)
		child_exec(t, kind, pid, path, pipefd[1]);
	(void)close(pipefd[1]);
	if (child < 0) {
		(void)close(pipefd[0]);
		return lx_fail(ctx, -errno, "fork for the %s hook", hook_kind_to_string(kind));
	}
	status = wait_hook(child, pipefd[0], t->cfg->hook_timeout, err, &len);
	(void)close(pipefd[0]);
	flatten(err, len);
	if (status == -ETIME)
		return lx_fail(ctx, LX_SYNTHETIC(-ETIME),
			       "%s hook %s killed after %u s (hooks.timeout)%s%s",
			       hook_kind_to_string(kind), path, t->cfg->hook_timeout,
			       err[0] ? ": " : "", err);
	if (status < 0)
		return lx_fail(ctx, status, "wait for the %s hook %s", hook_kind_to_string(kind),
			       path);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		if (err[0])
			log_line(ctx, LOG_LEVEL_INFO, LOG_STEP, 0, "%s hook %s: %s",
				 hook_kind_to_string(kind), path, err);
		return 0;
	}
	return lx_fail(ctx, LX_SYNTHETIC(-ECANCELED), "%s hook %s failed (%s %d)%s%s",
		       hook_kind_to_string(kind), path,
		       WIFEXITED(status) ? "exit status" : "signal",
		       WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
		       err[0] ? ": " : "", err);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The executable entries of DIR/KIND.d in name order (run-parts' rule: others are skipped). */
static int list_dir(const char *dir, char **names, size_t *n)
{
	_cleanup_closedir_ DIR *d = opendir(dir);
	struct dirent *de;

	*n = 0;
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d)) && *n < HOOKS_PER_DIR) {
		struct stat st;

		if (de->d_name[0] == '.' || fstatat(dirfd(d), de->d_name, &st, 0) < 0 ||
		    !S_ISREG(st.st_mode) || !(st.st_mode & S_IXUSR))
			continue;
		if (xasprintf(&names[*n], "%s/%s", dir, de->d_name) < 0)
			return -ENOMEM;
		(*n)++;
	}
	qsort(names, *n, sizeof(*names), cmp_names);
	return 0;
}

static int run_dir(const struct lxmgr_ctx *ctx, const struct hook_target *t, enum hook_kind kind,
		   pid_t pid, const char *base, const char *own_hooks)
{
	_cleanup_free_ char *dir = NULL;
	char *names[HOOKS_PER_DIR];
	size_t n = 0;
	int r, first = 0;

	if (xasprintf(&dir, "%s/%s.d", base, hook_kind_to_string(kind)) < 0)
		return lx_fail(ctx, -ENOMEM, "out of memory");
	r = list_dir(dir, names, &n);
	if (r < 0)
		return lx_fail(ctx, r, "list %s", dir);
	for (size_t i = 0; i < n; i++) {
		if (!first || kind == HOOK_POST_STOP) {
			r = run_one(ctx, t, kind, pid, names[i], own_hooks);
			if (r < 0 && !first)
				first = r;
		}
		free(names[i]);
	}
	return first;
}

int hooks_run(const struct lxmgr_ctx *ctx, const struct hook_target *t, enum hook_kind kind,
	      pid_t pid)
{
	_cleanup_free_ char *own = NULL;
	const char *key = config_hook(t->cfg, kind);
	int r, first;

	if (xasprintf(&own, "%s/hooks", t->dir) < 0)
		return lx_fail(ctx, -ENOMEM, "out of memory");
	/* post-stop cleans up: one failure must not keep the others from running. */
	first = run_dir(ctx, t, kind, pid, ctx->paths.hooks, NULL);
	if (first < 0 && kind != HOOK_POST_STOP)
		return first;
	r = run_dir(ctx, t, kind, pid, own, own);
	if (r < 0 && kind != HOOK_POST_STOP)
		return r;
	first = first < 0 ? first : r;
	if (key[0]) {
		r = run_one(ctx, t, kind, pid, key, own);
		first = first < 0 ? first : r;
	}
	return first;
}
