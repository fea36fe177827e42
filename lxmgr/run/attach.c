/* attach.c: running a command inside a running container (exec): setns through a pidfd. */
#include <fcntl.h>
#include <grp.h>
#include <linux/filter.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "base/lxmgr.h"
#include "base/util.h"
#include "cgroup/usermgr.h"
#include "fs/rootless.h"
#include "guest/locale.h"
#include "run/attach.h"
#include "run/boundary.h"
#include "run/pty.h"
#include "run/security.h"
#include "run/stdio-relay.h"
#include "store/runtime.h"

#define LOG_STEP "attach"
#define MAX_GROUPS 256

struct identity {
	uid_t uid;
	gid_t gid;
	gid_t groups[MAX_GROUPS];
	int n_groups;
	char name[64];
	char home[256];
	char shell[256];
};

struct attach_plan {
	struct identity id;
	int pidfd;
	int cgroup_fd;
	char *seccomp; /* raw BPF */
	size_t seccomp_len;
	char **envp;
	struct winsize ws; /* tty: the size the new pty starts with */
	int pty_sock;      /* tty: the child sends the master back over it; -EBADF otherwise */
	struct stdio_relay stdio; /* no tty: pipes in place of our terminals */
};

static int open_container_file(int rootfd, const char *path, FILE **ret)
{
	/* Host root reading a file the container owns: never follow a link out of it. */
	int fd = open_in_root(rootfd, path, O_RDONLY, 0);

	if (fd < 0)
		return fd;
	*ret = fdopen(fd, "re");
	if (!*ret) {
		(void)close(fd);
		return -errno;
	}
	return 0;
}

static bool user_matches(const struct passwd *pw, const char *user)
{
	uint32_t uid;

	if (!strcmp(pw->pw_name, user))
		return true;
	return parse_u32(user, &uid) >= 0 && pw->pw_uid == uid;
}

static int lookup_user(int rootfd, const char *user, struct identity *id)
{
	_cleanup_fclose_ FILE *f = NULL;
	struct passwd *pw;
	int r;

	r = open_container_file(rootfd, "/etc/passwd", &f);
	if (r < 0)
		return r;
	while ((pw = fgetpwent(f)))
		if (user_matches(pw, user)) {
			id->uid = pw->pw_uid;
			id->gid = pw->pw_gid;
			(void)snprintf(id->name, sizeof(id->name), "%s", pw->pw_name);
			(void)snprintf(id->home, sizeof(id->home), "%s", pw->pw_dir);
			(void)snprintf(id->shell, sizeof(id->shell), "%s", pw->pw_shell);
			return 0;
		}
	return -ESRCH;
}

static int lookup_groups(int rootfd, struct identity *id)
{
	_cleanup_fclose_ FILE *f = NULL;
	struct group *gr;
	int r;

	id->groups[0] = id->gid;
	id->n_groups = 1;
	r = open_container_file(rootfd, "/etc/group", &f);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	while ((gr = fgetgrent(f)) && id->n_groups < MAX_GROUPS)
		for (char **mem = gr->gr_mem; mem && *mem; mem++)
			if (!strcmp(*mem, id->name) && gr->gr_gid != id->gid) {
				id->groups[id->n_groups++] = gr->gr_gid;
				break;
			}
	return 0;
}

static int resolve_identity(const struct lxmgr_ctx *ctx, pid_t pid, const char *user,
			    struct identity *id)
{
	_cleanup_close_ int rootfd = -EBADF;
	char path[64];
	int r;

	(void)snprintf(path, sizeof(path), "/proc/%d/root", (int)pid);
	rootfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return lx_fail(ctx, -errno, "open %s", path);
	r = lookup_user(rootfd, user ? user : "0", id);
	if (r == -ESRCH)
		return lx_fail(ctx, LX_SYNTHETIC(r), "no user '%s' in the container's /etc/passwd",
			       user ? user : "root");
	if (r < 0)
		return lx_fail(ctx, r, "read the container's /etc/passwd");
	r = lookup_groups(rootfd, id);
	if (r < 0)
		return lx_fail(ctx, r, "read the container's /etc/group");
	return 0;
}

static int env_push(char ***v, size_t *n, const char *key, const char *value)
{
	char **nv = realloc(*v, (*n + 2) * sizeof(char *));
	int r;

	if (!nv)
		return -ENOMEM;
	*v = nv;
	r = value ? xasprintf(&nv[*n], "%s=%s", key, value) : xasprintf(&nv[*n], "%s", key);
	if (r < 0)
		return r;
	nv[++*n] = NULL;
	return 0;
}

/* LANG: the caller's where the guest has that locale, else C.UTF-8 where it has that, else
 * none (glibc warns "Cannot set LC_CTYPE" for a locale it lacks). */
static int build_env(const struct identity *id, pid_t pid, char **extra, char ***ret)
{
	static const char *const from_caller[] = {"TERM"};
	const char *lang = getenv("LANG");
	_cleanup_strv_ char **v = NULL;
	size_t n = 0;
	int r = 0;

	r |= env_push(&v, &n, "PATH",
		      id->uid == 0 ? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
				   : "/usr/local/bin:/usr/bin:/bin:/usr/local/games:/usr/games");
	r |= env_push(&v, &n, "HOME", id->home);
	r |= env_push(&v, &n, "USER", id->name);
	r |= env_push(&v, &n, "LOGNAME", id->name);
	r |= env_push(&v, &n, "SHELL", id->shell[0] ? id->shell : "/bin/sh");
	for (size_t i = 0; i < ELEMENTSOF(from_caller); i++)
		if (getenv(from_caller[i]))
			r |= env_push(&v, &n, from_caller[i], getenv(from_caller[i]));
	if (!lang || !guest_has_locale(pid, lang))
		lang = guest_has_locale(pid, "C.UTF-8") ? "C.UTF-8" : NULL;
	if (lang)
		r |= env_push(&v, &n, "LANG", lang);
	for (char **e = extra; e && *e; e++)
		r |= env_push(&v, &n, *e, NULL);
	if (r < 0)
		return -ENOMEM;
	*ret = TAKE_PTR(v);
	return 0;
}

/* The cgroup of init as the host sees it: a leaf, so that joining it is allowed on cgroup2
 * even where the container's root cgroup has controllers enabled for its children. */
static int open_init_cgroup(const struct runtime_state *rs)
{
	_cleanup_free_ char *text = NULL, *path = NULL;
	char proc[64];
	char *line;
	int r;

	(void)snprintf(proc, sizeof(proc), "/proc/%d/cgroup", (int)rs->init_pid);
	r = read_file_at(AT_FDCWD, proc, 65536, &text, NULL);
	if (r < 0)
		return r;
	line = strstr(text, "0::");
	if (!line || !rs->cgroup_mount)
		return -ENOENT;
	line += 3;
	line[strcspn(line, "\n")] = '\0';
	r = xasprintf(&path, "%s%s", rs->cgroup_mount, line);
	if (r < 0)
		return r;
	return NEG_ERRNO(open(path, O_PATH | O_DIRECTORY | O_CLOEXEC));
}

static int make_plan(const struct lxmgr_ctx *ctx, const struct runtime_state *rs,
		     const struct attach_opts *o, struct attach_plan *p)
{
	_cleanup_free_ char *bpf = NULL;
	int r;

	p->pidfd = NEG_ERRNO((int)syscall(SYS_pidfd_open, rs->init_pid, 0));
	/* Checked after the pidfd exists: from here on the pid cannot be recycled under us. */
	if (p->pidfd < 0 || !runtime_pid_is(rs->init_pid, rs->init_start))
		return lx_fail(ctx, LX_SYNTHETIC(-ESRCH), "container is not running");
	r = resolve_identity(ctx, rs->init_pid, o->user, &p->id);
	if (r < 0)
		return r;
	r = build_env(&p->id, rs->init_pid, o->env, &p->envp);
	if (r < 0)
		return lx_fail(ctx, r, "environment");
	/* A rootless container in no cgroup of its own (rootless-cgroup.h): none to join. */
	p->cgroup_fd = rs->cgroup.unified ? open_init_cgroup(rs) : -EBADF;
	if (p->cgroup_fd < 0 && rs->cgroup.unified)
		return lx_fail(ctx, p->cgroup_fd, "open the cgroup of init");
	r = xasprintf(&bpf, "%s/seccomp.bpf", o->rundir);
	if (r >= 0)
		r = read_file_at(AT_FDCWD, bpf, 1 << 20, &p->seccomp, &p->seccomp_len);
	if (r < 0)
		return lx_fail(ctx, r, "read %s", bpf ? bpf : "seccomp.bpf");
	return 0;
}

static int load_seccomp(const struct attach_plan *p)
{
	struct sock_fprog prog = {
		.len = (unsigned short)(p->seccomp_len / sizeof(struct sock_filter)),
		.filter = (struct sock_filter *)p->seccomp,
	};

	return NEG_ERRNO(prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0));
}

/* Each write to a v1 cgroup.procs takes the kernel's global cgroup_threadgroup_rwsem for
 * writing, which waits for an RCU grace period: most of what exec costs over nsenter on a
 * hybrid host. The v1 freezer is skipped where freeze uses the container's cgroup2
 * cgroup.freeze (cgroup.c), which we joined with CLONE_INTO_CGROUP already. */
static bool v1_needed(const struct runtime_state *rs, int i)
{
	_cleanup_free_ char *path = NULL;

	if (i != CGROUP_V1_FREEZER || !rs->cgroup.unified)
		return true;
	if (xasprintf(&path, "%s/cgroup.freeze", rs->cgroup.unified) < 0)
		return true;
	return access(path, F_OK) < 0;
}

static int join_v1_cgroups(const struct runtime_state *rs)
{
	for (int i = 0; i < _CGROUP_V1_MAX; i++) {
		_cleanup_free_ char *path = NULL;
		int r;

		if (!rs->cgroup.v1[i] || !v1_needed(rs, i))
			continue;
		r = xasprintf(&path, "%s/cgroup.procs", rs->cgroup.v1[i]);
		if (r >= 0)
			r = write_string_at(AT_FDCWD, path, "0");
		if (r < 0)
			return r;
	}
	return 0;
}

static _Noreturn void child_fail(const struct lxmgr_ctx *ctx, int r, int code, const char *what)
{
	(void)lx_fail(ctx, r, "%s", what);
	_exit(code);
}

/* In every namespace of the container, its root as our root, capabilities in its user
 * namespace: the pty comes from the container's own devpts (/dev/ptmx -> pts/ptmx there), so
 * nothing of the host's devpts is visible inside, and becomes our controlling terminal. */
static void child_setup_pty(const struct lxmgr_ctx *ctx, const struct attach_plan *p)
{
	_cleanup_close_ int master = -EBADF, slave = -EBADF;

	/* As the container's root: the new pty is owned by a uid that exists inside. */
	if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
		child_fail(ctx, -errno, 1, "become the container's root");
	master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0 || unlockpt(master) < 0)
		child_fail(ctx, -errno, 1, "open /dev/ptmx of the container");
	slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0)
		child_fail(ctx, -errno, 1, "open the pty's slave");
	/* As login(1) does: the user owns the terminal (group tty from devpts' gid=5). */
	if (fchown(slave, p->id.uid, (gid_t)-1) < 0)
		child_fail(ctx, -errno, 1, "give the pty to the user");
	(void)ioctl(slave, TIOCSWINSZ, &p->ws);
	if (pty_send_fd(p->pty_sock, master) < 0)
		child_fail(ctx, -errno, 1, "pass the pty to lxmgr");
	if (setsid() < 0 || ioctl(slave, TIOCSCTTY, 0) < 0)
		child_fail(ctx, -errno, 1, "make the pty our controlling terminal");
	for (int fd = 0; fd < 3; fd++)
		if (dup2(slave, fd) < 0)
			child_fail(ctx, -errno, 1, "dup2 the pty");
}

static _Noreturn void exec_login_shell(const struct lxmgr_ctx *ctx, const struct identity *id)
{
	const char *shell = id->shell[0] ? id->shell : "/bin/sh";
	const char *base = strrchr(shell, '/');
	char argv0[sizeof(id->shell) + 2];
	char *argv[] = {argv0, NULL};
	int r;

	/* A leading '-' makes it a login shell: it reads /etc/profile and ~/.profile. */
	(void)snprintf(argv0, sizeof(argv0), "-%s", base ? base + 1 : shell);
	execv(shell, argv);
	r = -errno;
	(void)log_fail_full(ctx, LOG_STEP, r, "cannot execute the shell '%s'", shell);
	_exit(r == -ENOENT ? 127 : 126);
}

/* Still in the host's namespaces, as host root. Nothing of the host may come along: not our
 * terminal (pipes or a pty inside take its place), not a descriptor our caller left open,
 * and, until execve, not even this process's memory: it is not dumpable, so root inside
 * cannot ptrace it or open its /proc/PID/fd once it has entered the user namespace. */
static void shed_host(const struct lxmgr_ctx *ctx, const struct attach_plan *p)
{
	const int keep[] = {p->pidfd, p->pty_sock};
	int r;

	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		child_fail(ctx, -errno, 1, "make the process not dumpable");
	r = stdio_relay_child(&p->stdio);
	if (r >= 0)
		r = boundary_close_fds(keep, ELEMENTSOF(keep), /* cloexec= */ false);
	if (r < 0)
		child_fail(ctx, r, 1, "leave the host's descriptors behind");
}

static _Noreturn void attach_child(const struct lxmgr_ctx *ctx, const struct runtime_state *rs,
				   const struct attach_plan *p, char **argv)
{
	const struct identity *id = &p->id;
	sigset_t none;
	int r;

	/* Host namespaces, the container's pid namespace for children; cgroup2 already set. */
	shed_host(ctx, p);
	r = join_v1_cgroups(rs);
	if (r < 0)
		child_fail(ctx, r, 1, "join the container's v1 cgroups");
	if (setns(p->pidfd, CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC |
				    CLONE_NEWNET | CLONE_NEWCGROUP) < 0)
		child_fail(ctx, -errno, 1, "enter the container's namespaces");
	(void)close(p->pidfd);
	/* Inside every namespace now, root of the container's mount namespace as our root. Our
	 * caller's keyring stays outside; keyctl is refused from here on. */
	r = boundary_new_session_keyring();
	if (r < 0)
		child_fail(ctx, r, 1, "join a new session keyring");
	r = security_drop_bounding_set();
	if (r >= 0)
		r = load_seccomp(p);
	if (r < 0)
		child_fail(ctx, r, 1, "apply the container's capability bounding set and filter");
	if (p->pty_sock >= 0)
		child_setup_pty(ctx, p);
	else if (setsid() < 0)
		child_fail(ctx, -errno, 1, "start a session without a terminal");
	if (setgroups((size_t)id->n_groups, id->groups) < 0 ||
	    setresgid(id->gid, id->gid, id->gid) < 0 || setresuid(id->uid, id->uid, id->uid) < 0)
		child_fail(ctx, -errno, 1, "switch to the user");
	if (chdir(id->home) < 0)
		(void)!chdir("/");
	umask(022);
	(void)sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
	(void)signal(SIGINT, SIG_DFL);
	(void)signal(SIGQUIT, SIG_DFL);
	(void)signal(SIGPIPE, SIG_DFL);
	environ = p->envp;
	if (argv) {
		execvp(argv[0], argv);
		r = -errno;
		(void)log_fail_full(ctx, LOG_STEP, r, "cannot execute '%s'", argv[0]);
		_exit(r == -ENOENT ? 127 : 126);
	}
	exec_login_shell(ctx, id);
}

static void plan_done(struct attach_plan *p)
{
	if (p->pidfd >= 0)
		(void)close(p->pidfd);
	if (p->cgroup_fd >= 0)
		(void)close(p->cgroup_fd);
	if (p->pty_sock >= 0)
		(void)close(p->pty_sock);
	free(p->seccomp);
	strv_free(p->envp);
	stdio_relay_done(&p->stdio);
}

/* The parent's side of a tty attach: the master from the child, relayed until it ends. */
static int relay_pty(const struct lxmgr_ctx *ctx, int sock, int child_pidfd)
{
	int master = pty_recv_fd(sock);
	enum pty_end e;

	if (master < 0)
		return 0; /* the child failed before it had a pty, and said why */
	e = pty_master_relay(master, child_pidfd);
	if (e == PTY_END_ERROR)
		(void)lx_fail(ctx, -EIO, "relay the terminal");
	/* The master is closed, so the session was hung up; its leader gets SIGHUP too, in case
	 * it gave up its terminal. */
	if (e == PTY_END_SIGNAL || e == PTY_END_ERROR)
		(void)syscall(SYS_pidfd_send_signal, child_pidfd, SIGHUP, NULL, 0);
	return 0;
}

int attach_run(const struct lxmgr_ctx *ctx, const struct runtime_state *rs,
	       const struct attach_opts *opts)
{
	_cleanup_(plan_done) struct attach_plan p = {
		.pidfd = -EBADF,
		.cgroup_fd = -EBADF,
		.pty_sock = -EBADF,
		.stdio = {.child = {0, 1, 2}, .ours = {-EBADF, -EBADF, -EBADF}}};
	_cleanup_close_ int parent_sock = -EBADF;
	_cleanup_close_ int sigfd = -EBADF, child_pidfd = -EBADF, own_pidns = -EBADF;
	struct clone_args args = {.exit_signal = SIGCHLD};
	void (*old_pipe)(int);
	sigset_t mask;
	pid_t pid;
	int r;

	/* Rootless: from the monitor's own user namespace, where entering the container's is
	 * allowed (rootless.h), and from the user manager's scope of the container, if that
	 * is where its cgroups are (usermgr.h). */
	if (rootless_active()) {
		char why[512] = "";

		r = cgroup_usermgr_join(rs->cgroup.unified, why, sizeof(why));
		if (r < 0)
			return lx_fail(ctx, LX_SYNTHETIC(r), "rootless: join the scope: %s", why);
	}
	r = rootless_join(rs->monitor_pid);
	if (r < 0)
		return lx_fail(ctx, r, "rootless: enter the namespaces of the monitor %d",
			       (int)rs->monitor_pid);
	r = make_plan(ctx, rs, opts, &p);
	if (r < 0)
		return r;
	if (opts->tty) {
		int sv[2];

		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
			return lx_fail(ctx, -errno, "socketpair");
		parent_sock = sv[0];
		p.pty_sock = sv[1];
		pty_get_winsize(isatty(STDIN_FILENO) ? STDIN_FILENO : STDOUT_FILENO, &p.ws.ws_row,
				&p.ws.ws_col);
		if (!p.ws.ws_row || !p.ws.ws_col)
			p.ws = (struct winsize){.ws_row = 24, .ws_col = 80};
	} else {
		r = stdio_relay_open(&p.stdio, opts->stdin_null);
		if (r < 0)
			return lx_fail(ctx, r, "pipes in place of the terminal");
	}
	/* Ctrl-C reaches the command through the terminal; we stay to pass its status on. */
	(void)sigemptyset(&mask);
	(void)sigaddset(&mask, SIGINT);
	(void)sigaddset(&mask, SIGQUIT);
	(void)sigaddset(&mask, SIGTERM);
	(void)sigaddset(&mask, SIGHUP);
	(void)sigprocmask(SIG_BLOCK, &mask, NULL);
	sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	own_pidns = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
	if (own_pidns < 0 || setns(p.pidfd, CLONE_NEWPID) < 0)
		return lx_fail(ctx, -errno, "enter the container's pid namespace");
	args.flags = CLONE_PIDFD | (p.cgroup_fd >= 0 ? CLONE_INTO_CGROUP : 0);
	args.pidfd = (uint64_t)(uintptr_t)&child_pidfd;
	args.cgroup = (uint64_t)(p.cgroup_fd >= 0 ? p.cgroup_fd : 0);
	pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
	/* Our children go to our own namespace again: a later fork (launch's monitor, after
	 * provisioning stopped the container) must not land in one that is gone (ENOMEM). */
	if (pid != 0)
		(void)setns(own_pidns, CLONE_NEWPID);
	if (pid < 0)
		return lx_fail(ctx, -errno, "clone3 into the container's cgroup");
	if (pid == 0)
		attach_child(ctx, rs, &p, opts->login_shell ? NULL : opts->argv);
	stdio_relay_parent(&p.stdio);
	/* Writes into a command's stdin after it closed it are EPIPE, not our end. */
	old_pipe = signal(SIGPIPE, SIG_IGN);
	if (opts->tty) {
		(void)close(TAKE_FD(p.pty_sock));
		(void)relay_pty(ctx, parent_sock, child_pidfd);
	}
	r = stdio_relay_run(&p.stdio, child_pidfd, pid, sigfd);
	(void)signal(SIGPIPE, old_pipe);
	return r;
}
