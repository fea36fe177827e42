/* network-pasta.c: pasta(1) gives a container's network namespace a tap of user-mode
 * networking: it translates the namespace's packets into socket calls of the host, so an
 * unprivileged user needs neither a bridge nor nft. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "base/lxmgr.h"
#include "net/nat.h"
#include "network/pasta.h"
#include "store/store.h"
#include "base/util.h"

#define LOG_STEP "pasta"
#define PASTA_PID_FILE "pasta.pid"

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

/* The last line of fd that is not pasta's complaint about a missing syslog. */
static ssize_t read_last_line(int fd, char *line, size_t size)
{
	char buf[8192];
	size_t len = 0;
	ssize_t n;

	line[0] = '\0';
	while ((n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0 &&
	       len + (size_t)n < sizeof(buf) - 1)
		len += (size_t)n;
	buf[len] = '\0';
	for (char *l = strtok(buf, "\n"); l; l = strtok(NULL, "\n"))
		if (!strstr(l, "to syslog"))
			(void)snprintf(line, size, "%s", l);
	return (ssize_t)strlen(line);
}

static int run_pasta(const struct container *c, pid_t pid, const char *tcp, const char *udp,
		     char *err, size_t size)
{
	char pidfile[PATH_MAX], runas[32], path[64];
	_cleanup_close_ int userns = -EBADF, netns = -EBADF;
	int errpipe[2], status;
	pid_t p;

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
	/* As root (also of a user's own namespace) pasta would switch to nobody, whom a user's
	 * namespace does not map: it stays whoever runs the monitor. */
	(void)snprintf(runas, sizeof(runas), "%u:%u", (unsigned)geteuid(), (unsigned)getegid());
	if (pipe2(errpipe, O_CLOEXEC) < 0)
		return -errno;
	p = fork();
	if (p < 0)
		return -errno;
	if (p == 0) {
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);

		if (null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(null, STDOUT_FILENO) < 0 ||
		    dup2(errpipe[1], STDERR_FILENO) < 0 || dup2(userns, 3) < 0 ||
		    dup2(netns, 4) < 0)
			_exit(126);
		execlp("pasta", "pasta", "--quiet", "--config-net", "--ns-ifname", "eth0",
		       "--runas", runas, "--pid", pidfile, "-t", tcp, "-u", udp, "-T", "none", "-U",
		       "none", "--userns", "/proc/self/fd/3", "--netns", "/proc/self/fd/4",
		       (char *)NULL);
		_exit(127);
	}
	(void)close(errpipe[1]);
	/* pasta forks into the background once the namespace is set up: its first process
	 * exits then, closing our pipe, or fails with its reason as the last line on stderr. */
	(void)read_last_line(errpipe[0], err, size);
	(void)close(errpipe[0]);
	if (waitpid(p, &status, 0) < 0)
		return -errno;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		return -ENOENT;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
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

void network_pasta_stop(const char *rundir)
{
	_cleanup_free_ char *path = NULL, *text = NULL;
	pid_t pid;

	if (xasprintf(&path, "%s/" PASTA_PID_FILE, rundir) < 0)
		return;
	if (read_file_at(AT_FDCWD, path, 64, &text, NULL) < 0)
		return;
	pid = (pid_t)strtol(text, NULL, 10);
	/* It quits by itself when the namespace goes; this is for a start that failed later. */
	if (pid > 1)
		(void)kill(pid, SIGTERM);
	(void)unlink(path);
}
