/* dnsmasq.c: one dnsmasq per bridge for DHCP (fixed addresses) and DNS (NAME.lxmgr). */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "base/util.h"
#include "net/sockowner.h"
#include "network/dnsmasq.h"
#include "network/netdir.h"

#define LOG_STEP "dnsmasq"
#define DNSMASQ_DIR LXMGR_NET_DIR

static int path_of(const char *bridge, const char *suffix, char **ret)
{
	return xasprintf(ret, DNSMASQ_DIR "/dnsmasq-%s.%s", bridge, suffix);
}

/* The pid in the bridge's pid file, if that process is a dnsmasq serving this bridge. */
static pid_t running_pid(const char *bridge)
{
	_cleanup_free_ char *pidfile = NULL, *text = NULL, *cmd = NULL, *proc = NULL;
	size_t len = 0;
	uint32_t pid;

	if (path_of(bridge, "pid", &pidfile) < 0 ||
	    read_file_at(AT_FDCWD, pidfile, 64, &text, NULL) < 0)
		return 0;
	text[strcspn(text, "\n")] = '\0';
	if (parse_u32(text, &pid) < 0 || pid == 0 || pid > INT32_MAX ||
	    xasprintf(&proc, "/proc/%u/cmdline", pid) < 0 ||
	    read_file_at(AT_FDCWD, proc, 65536, &cmd, &len) < 0)
		return 0;
	/* cmdline is NUL-separated: look for our pid file among the arguments. */
	for (size_t i = 0; i < len; i += strlen(cmd + i) + 1)
		if (!strncmp(cmd + i, "--pid-file=", 11) && !strcmp(cmd + i + 11, pidfile))
			return (pid_t)pid;
	return 0;
}

static int build_argv(const struct dnsmasq_conf *c, char ***ret)
{
	char net[NET_ADDR_STRLEN], gw[NET_ADDR_STRLEN], mask[NET_ADDR_STRLEN];
	_cleanup_strv_ char **v = calloc(24, sizeof(char *));
	int n = 0, r = 0;

	if (!v)
		return -ENOMEM;
	net_addr_format(c->pool.net, net);
	net_addr_format(net_pool_gateway(&c->pool), gw);
	net_addr_format(net_pool_mask(c->pool.prefix), mask);
	r |= xasprintf(&v[n++], "%s", "dnsmasq");
	r |= xasprintf(&v[n++], "%s", "--conf-file=/dev/null");
	r |= xasprintf(&v[n++], "--pid-file=" DNSMASQ_DIR "/dnsmasq-%s.pid", c->bridge);
	r |= xasprintf(&v[n++], "--interface=%s", c->bridge);
	r |= xasprintf(&v[n++], "--listen-address=%s", gw);
	r |= xasprintf(&v[n++], "%s", "--bind-interfaces");
	r |= xasprintf(&v[n++], "%s", "--except-interface=lo");
	r |= xasprintf(&v[n++], "%s", "--no-hosts");
	/* No --domain: a DHCP lease keeps its name (dnsmasq takes it from the hosts file) after
	 * the container stops; unqualified, it never answers for NAME.lxmgr. */
	r |= xasprintf(&v[n++], "%s", "--local=/lxmgr/");
	r |= xasprintf(&v[n++], "--addn-hosts=" DNSMASQ_DIR "/dnsmasq-%s.hosts", c->bridge);
	r |= xasprintf(&v[n++], "--dhcp-hostsfile=" DNSMASQ_DIR "/dnsmasq-%s.dhcp", c->bridge);
	r |= xasprintf(&v[n++], "--dhcp-leasefile=" DNSMASQ_DIR "/dnsmasq-%s.leases", c->bridge);
	r |= xasprintf(&v[n++], "--dhcp-range=%s,static,%s,1h", net, mask);
	r |= xasprintf(&v[n++], "--dhcp-option=option:router,%s", gw);
	r |= xasprintf(&v[n++], "--dhcp-option=option:dns-server,%s", gw);
	r |= xasprintf(&v[n++], "%s", "--dhcp-authoritative");
	/* Names come from lxmgr's hosts file only: a lease must not keep a stopped container's
	 * name alive, nor may a client name itself after another container. */
	r |= xasprintf(&v[n++], "%s", "--dhcp-ignore-names");
	/* No upstream: only NAME.lxmgr is answered, nothing leaves the host. */
	r |= xasprintf(&v[n++], "%s",
		       c->forward ? "--resolv-file=/etc/resolv.conf" : "--no-resolv");
	if (r < 0)
		return -ENOMEM;
	*ret = TAKE_PTR(v);
	return 0;
}

static int touch(const char *bridge, const char *suffix)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_close_ int fd = -EBADF;

	if (path_of(bridge, suffix, &path) < 0)
		return -ENOMEM;
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	/* 0644 whatever the umask: the hosts file is read by the NSS module for every user. */
	return NEG_ERRNO(fchmod(fd, 0644));
}

/* Names the process holding udp 53, tcp 53 or udp 67 of the gateway, if any. */
static void port_holder(const struct dnsmasq_conf *c, char *buf, size_t size)
{
	static const struct {
		bool udp;
		uint16_t port;
	} ports[] = {{true, 53}, {false, 53}, {true, 67}};
	uint32_t gw = net_pool_gateway(&c->pool);

	for (size_t i = 0; i < ELEMENTSOF(ports); i++) {
		char comm[32];
		int pid = net_sockowner_find("/proc", ports[i].udp, gw, ports[i].port, comm,
					     sizeof(comm));

		if (pid > 0) {
			(void)snprintf(buf, size, "%s port %u of %s is held by pid %d (%s)",
				       ports[i].udp ? "udp" : "tcp", ports[i].port, c->bridge, pid,
				       comm);
			return;
		}
	}
	(void)snprintf(buf, size, "is port 53 or 67 of %s held by another process?", c->bridge);
}

int dnsmasq_ensure(const struct lxmgr_ctx *ctx, const struct dnsmasq_conf *c)
{
	_cleanup_strv_ char **argv = NULL;
	int r, status;
	pid_t pid;

	if (running_pid(c->bridge) > 0)
		return 0;
	r = build_argv(c, &argv);
	if (r >= 0)
		r = touch(c->bridge, "hosts");
	if (r >= 0)
		r = touch(c->bridge, "dhcp");
	if (r < 0)
		return lx_fail(ctx, r, "prepare dnsmasq for %s", c->bridge);
	pid = fork();
	if (pid < 0)
		return lx_fail(ctx, -errno, "fork dnsmasq");
	if (pid == 0) {
		/* dnsmasq daemonizes; its first process exits once the daemon serves or failed.
		 * The monitor blocks signals for its signalfd: the daemon must get SIGHUP. */
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		sigset_t none;

		(void)sigemptyset(&none);
		(void)sigprocmask(SIG_SETMASK, &none, NULL);
		for (int sig = 1; sig < NSIG; sig++)
			if (sig != SIGKILL && sig != SIGSTOP)
				(void)signal(sig, SIG_DFL);

		if (null >= 0)
			(void)dup2(null, STDIN_FILENO);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return lx_fail(ctx, -errno, "wait for dnsmasq");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		char why[160];

		port_holder(c, why, sizeof(why));
		return lx_fail(
			ctx, LX_SYNTHETIC(-EIO), "dnsmasq for %s failed to start (status %d%s): %s",
			c->bridge, WIFEXITED(status) ? WEXITSTATUS(status) : -1,
			WIFEXITED(status) && WEXITSTATUS(status) == 127 ? ", not installed" : "",
			why);
	}
	lx_info(ctx, "started dnsmasq for %s", c->bridge);
	return 0;
}

/* Whether line belongs to tag: dhcp lines start with "MAC,", hosts lines hold " NAME.lxmgr ". */
static bool line_is_of(const char *l, const char *tag)
{
	if (tag[0] != ' ')
		return !strncmp(l, tag, strlen(tag));
	return strstr(l, tag) != NULL;
}

/* Rewrites one of the bridge's host files without the lines of tag, plus line if given. */
static int rewrite(const char *bridge, const char *suffix, const char *tag, const char *line)
{
	_cleanup_free_ char *path = NULL, *text = NULL, *out = NULL;
	size_t len = 0;
	FILE *f;
	int r;

	if (path_of(bridge, suffix, &path) < 0)
		return -ENOMEM;
	r = read_file_at(AT_FDCWD, path, 1 << 20, &text, NULL);
	if (r < 0 && r != -ENOENT)
		return r;
	f = open_memstream(&out, &len);
	if (!f)
		return -ENOMEM;
	for (char *save = NULL, *l = text ? strtok_r(text, "\n", &save) : NULL; l;
	     l = strtok_r(NULL, "\n", &save))
		if (!line_is_of(l, tag))
			fprintf(f, "%s\n", l);
	if (line)
		fprintf(f, "%s\n", line);
	if (fclose(f) != 0)
		return -ENOMEM;
	return write_file_atomic_at(AT_FDCWD, path, out ? out : "", len, 0644);
}

static void reload(const char *bridge)
{
	pid_t pid = running_pid(bridge);

	/* SIGHUP: dnsmasq reads --dhcp-hostsfile and --addn-hosts again. */
	if (pid > 0)
		(void)kill(pid, SIGHUP);
}

/* A DNS label: dnsmasq refuses other names, and NAME.lxmgr must resolve. */
static bool label_is_valid(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n <= 63 && s[0] != '-' && s[n - 1] != '-' &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") == n;
}

/* Replaces the container's line in the dhcp file (found by its MAC) and in the hosts file
 * (found by its name) with dhcp and hosts, or removes them where NULL, then has dnsmasq
 * read both again. */
static int replace_lines(const char *bridge, const char *name, const char *mac, const char *dhcp,
			 const char *hosts)
{
	_cleanup_free_ char *dtag = NULL, *htag = NULL;
	int r;

	if (xasprintf(&dtag, "%s,", mac) < 0 || xasprintf(&htag, " %s.lxmgr ", name) < 0)
		return -ENOMEM;
	r = rewrite(bridge, "dhcp", dtag, dhcp);
	if (r >= 0)
		r = rewrite(bridge, "hosts", htag, hosts);
	reload(bridge);
	return r;
}

int dnsmasq_set_host(const char *bridge, const char *name, const char *mac, const char *ip,
		     const char *ip6)
{
	_cleanup_free_ char *dhcp = NULL, *hosts = NULL;

	if (!label_is_valid(name))
		return -EINVAL;
	/* "MAC,IP" and no name: a lease must not give a stopped container's name an address. */
	if (xasprintf(&dhcp, "%s,%s", mac, ip) < 0 ||
	    (ip6 ? xasprintf(&hosts, "%1$s %3$s.lxmgr %3$s\n%2$s %3$s.lxmgr %3$s", ip, ip6, name)
		 : xasprintf(&hosts, "%s %s.lxmgr %s", ip, name, name)) < 0)
		return -ENOMEM;
	return replace_lines(bridge, name, mac, dhcp, hosts);
}

int dnsmasq_remove_host(const char *bridge, const char *name, const char *mac)
{
	if (!label_is_valid(name))
		return 0;
	return replace_lines(bridge, name, mac, /* dhcp= */ NULL, /* hosts= */ NULL);
}

int dnsmasq_stop(const char *bridge)
{
	static const char *const suffixes[] = {"pid", "hosts", "dhcp", "leases"};
	pid_t pid = running_pid(bridge);

	if (pid > 0) {
		/* Not our child (it daemonized), and a host init may be slow to reap it: wait
		 * on a pidfd, which is readable as soon as it has exited, zombie or not. */
		_cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
		struct pollfd pfd = {.fd = pidfd, .events = POLLIN};

		if (pidfd >= 0 && syscall(SYS_pidfd_send_signal, pidfd, SIGTERM, NULL, 0) == 0 &&
		    poll(&pfd, 1, 1000) == 0)
			(void)syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
	}
	for (size_t i = 0; i < ELEMENTSOF(suffixes); i++) {
		_cleanup_free_ char *path = NULL;

		if (path_of(bridge, suffixes[i], &path) >= 0)
			(void)unlink(path);
	}
	return pid > 0 ? 1 : 0;
}
