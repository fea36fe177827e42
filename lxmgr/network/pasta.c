/* network-pasta.c: pasta(1) gives a container's network namespace a tap of user-mode
 * networking: it translates the namespace's packets into socket calls of the host, so an
 * unprivileged user needs neither a bridge nor nft. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "base/lxmgr.h"
#include "net/nat.h"
#include "net/pool.h"
#include "run/boundary.h"
#include "network/pasta.h"
#include "store/store.h"
#include "base/util.h"

#define LOG_STEP "pasta"
#define PASTA_PID_FILE "pasta.pid"
#define PASTA_LOG_FILE "pasta.log"

/* "-t 8080:80,8443:443": net.forward's ports of one protocol, or "none". */
static void port_spec(const struct net_forward *f, int n, bool udp, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (f[i].udp != udp)
			continue;
		len += (size_t)snprintf(buf + len, len < size ? size - len : 0, "%s%u:%u",
					len ? "," : "", f[i].host_port, f[i].port);
	}
	if (!buf[0])
		(void)snprintf(buf, size, "none");
}

/* The last line of path that is not pasta's complaint about a missing syslog. */
static void read_last_line(const char *path, char *line, size_t size)
{
	_cleanup_free_ char *text = NULL;

	line[0] = '\0';
	if (read_file_at(AT_FDCWD, path, 8192, &text, NULL) < 0)
		return;
	for (char *l = strtok(text, "\n"); l; l = strtok(NULL, "\n"))
		if (!strstr(l, "to syslog") && !strstr(l, "nameserver address"))
			(void)snprintf(line, size, "%s", l);
}

static _Noreturn void exec_pasta(char *runas, char *pidfile, const char *tcp, const char *udp)
{
	sigset_t none;

	/* The monitor holds its signals for its signalfd: pasta must not inherit that. */
	(void)sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
	execlp("pasta", "pasta", "--quiet", "--foreground", "--config-net", "--ns-ifname", "eth0",
	       "--runas", runas, "--pid", pidfile, "--dns-forward", PASTA_DNS_ADDR, "-t", tcp, "-u",
	       udp, "-T", "none", "-U", "none", "--userns", "/proc/self/fd/3", "--netns",
	       "/proc/self/fd/4", (char *)NULL);
	_exit(127);
}

/* stdin /dev/null, stdout and stderr the log, the namespaces on fds 3 and 4, nothing else of
 * the monitor's: above all not its running lock, its control socket or the caller's pipe
 * (a start --wait in $(...) would wait for ever). */
static int watcher_fds(int log, int userns, int netns)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	int u = fcntl(userns, F_DUPFD_CLOEXEC, 10), n = fcntl(netns, F_DUPFD_CLOEXEC, 10);

	if (null < 0 || u < 0 || n < 0 || dup2(null, STDIN_FILENO) < 0 ||
	    dup2(log, STDOUT_FILENO) < 0 || dup2(log, STDERR_FILENO) < 0 || dup2(u, 3) < 0 ||
	    dup2(n, 4) < 0)
		return -errno;
	return boundary_close_fds((const int[]){3, 4}, 2, /* cloexec= */ false);
}

/* The monitor's child that runs pasta (--foreground) as its own child and ends it when the
 * monitor dies, however it dies. pasta cannot keep a death signal itself: the kernel clears
 * it when pasta joins the container's user namespace, which another uid owns. A daemonized
 * pasta held the container's namespaces open for ever after a SIGKILLed monitor. Exits with
 * pasta's status. */
static _Noreturn void pasta_watcher(pid_t monitor, int log, int userns, int netns, char *runas,
				    char *pidfile, const char *tcp, const char *udp)
{
	struct timespec tick = {.tv_sec = 1};
	sigset_t mask;
	int status;
	pid_t p, w;

	(void)sigemptyset(&mask);
	(void)sigaddset(&mask, SIGTERM);
	(void)sigaddset(&mask, SIGCHLD);
	(void)signal(SIGCHLD, SIG_DFL);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0 ||
	    prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0) < 0 || getppid() != monitor ||
	    watcher_fds(log, userns, netns) < 0)
		_exit(126);
	p = fork();
	if (p < 0)
		_exit(126);
	if (p == 0)
		exec_pasta(runas, pidfile, tcp, udp);
	for (;;) {
		/* The monitor died (the death signal) or network_pasta_stop: pass it on. */
		if (sigtimedwait(&mask, NULL, &tick) == SIGTERM)
			(void)kill(p, SIGTERM);
		w = waitpid(p, &status, WNOHANG);
		if (w == p)
			_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
		if (w < 0)
			_exit(1);
	}
}

/* pasta writes its pid file once the namespace's eth0 is configured: ready. It (and p, its
 * watcher) exits with its reason as the last line of its log otherwise. 0, or -errno with the line
 * in err. */
static int wait_ready(pid_t p, const char *pidfile, const char *logfile, char *err, size_t size)
{
	int status;

	for (int i = 0; i < 3000; i++) {
		struct stat st;
		pid_t w = waitpid(p, &status, WNOHANG);

		if (w == p) {
			read_last_line(logfile, err, size);
			return WIFEXITED(status) && WEXITSTATUS(status) == 127 ? -ENOENT : -EIO;
		}
		if (stat(pidfile, &st) == 0 && st.st_size > 0)
			return 0;
		(void)usleep(10000);
	}
	(void)kill(p, SIGKILL);
	(void)waitpid(p, &status, 0);
	(void)snprintf(err, size, "not ready after 30 s");
	return -ETIMEDOUT;
}

static int run_pasta(const struct container *c, pid_t pid, const char *tcp, const char *udp,
		     char *err, size_t size)
{
	char pidfile[PATH_MAX], logfile[PATH_MAX], runas[32], path[64];
	_cleanup_close_ int userns = -EBADF, netns = -EBADF, log = -EBADF;
	pid_t p, monitor = getpid();

	/* Opened here and inherited: pasta, which drops its capabilities first, may not open
	 * the namespaces of a process of the container's range itself. It holds them open, so
	 * it is ended at stop (network_pasta_stop). */
	(void)snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
	userns = open(path, O_RDONLY | O_CLOEXEC);
	(void)snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	netns = open(path, O_RDONLY | O_CLOEXEC);
	if (userns < 0 || netns < 0)
		return -errno;
	(void)snprintf(pidfile, sizeof(pidfile), "%s/" PASTA_PID_FILE, c->rundir);
	(void)snprintf(logfile, sizeof(logfile), "%s/" PASTA_LOG_FILE, c->rundir);
	(void)unlink(pidfile);
	log = open(logfile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (log < 0)
		return -errno;
	/* As root (also of a user's own namespace) pasta would switch to nobody, whom a user's
	 * namespace does not map: it stays whoever runs the monitor. */
	(void)snprintf(runas, sizeof(runas), "%u:%u", (unsigned)geteuid(), (unsigned)getegid());
	p = fork();
	if (p < 0)
		return -errno;
	if (p == 0)
		pasta_watcher(monitor, log, userns, netns, runas, pidfile, tcp, udp);
	return wait_ready(p, pidfile, logfile, err, size);
}

uint32_t network_pasta_dns(void)
{
	uint32_t a = 0;

	(void)net_addr_parse(PASTA_DNS_ADDR, &a);
	return a;
}

int network_pasta_start(const struct lxmgr_ctx *ctx, const struct container *c, pid_t pid)
{
	struct net_forward f[NET_FORWARD_MAX];
	char tcp[256], udp[256], err[256] = "";
	int n, r;

	n = net_forward_parse(c->cfg.net_forward, f, NET_FORWARD_MAX);
	if (n < 0)
		return lx_fail(ctx, LX_SYNTHETIC(n), "net.forward '%s' is not valid",
			       c->cfg.net_forward);
	/* Debian's udev makes it 0666; a host without udev may leave the kernel's 0600. */
	if (access("/dev/net/tun", R_OK | W_OK) < 0)
		return lx_fail(
			ctx, LX_SYNTHETIC(-EACCES),
			"net.mode pasta: /dev/net/tun is not open to users: an administrator "
			"sets it 0666 (as Debian's udev does), or use net.mode none");
	port_spec(f, n, false, tcp, sizeof(tcp));
	port_spec(f, n, true, udp, sizeof(udp));
	r = run_pasta(c, pid, tcp, udp, err, sizeof(err));
	if (r == -ENOENT)
		return lx_fail(ctx, LX_SYNTHETIC(r),
			       "net.mode pasta: pasta is not installed (Debian package passt)");
	if (r < 0)
		return lx_fail(ctx, LX_SYNTHETIC(r), "net.mode pasta: pasta failed: %s",
			       err[0] ? err : "no message");
	lx_debug(ctx, "pasta connects the container (tcp %s, udp %s)", tcp, udp);
	return 0;
}

/* Whether pid is a pasta of this user: a stale pid file's number may name anyone now. */
static bool is_our_pasta(pid_t pid)
{
	_cleanup_free_ char *comm = NULL;
	char path[64];
	struct stat st;

	(void)snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	if (stat(path, &st) < 0 || st.st_uid != geteuid())
		return false;
	(void)snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	if (read_file_at(AT_FDCWD, path, 64, &comm, NULL) < 0)
		return false;
	/* Debian's pasta re-executes itself as passt.avx2 where the CPU has AVX2. */
	return strncmp(comm, "pasta", 5) == 0 || strncmp(comm, "passt", 5) == 0;
}

int network_pasta_stop(const char *rundir)
{
	_cleanup_free_ char *path = NULL, *text = NULL, *log = NULL;
	pid_t pid;
	int ended = 0;

	if (xasprintf(&path, "%s/" PASTA_PID_FILE, rundir) < 0 ||
	    xasprintf(&log, "%s/" PASTA_LOG_FILE, rundir) < 0)
		return -ENOMEM;
	(void)unlink(log);
	if (read_file_at(AT_FDCWD, path, 64, &text, NULL) < 0)
		return 0;
	pid = (pid_t)strtol(text, NULL, 10);
	/* It dies with the monitor (exec_pasta); this is for a stop, a start that failed later,
	 * and gc after a monitor killed before pasta had its death signal. */
	if (pid > 1 && is_our_pasta(pid) && kill(pid, SIGTERM) == 0)
		ended = 1;
	/* Gone when stop returns: its watcher reaps it at once, pasta itself takes a moment. */
	for (int i = 0; ended && i < 200 && kill(pid, 0) == 0; i++)
		(void)usleep(10000);
	(void)unlink(path);
	return ended;
}
