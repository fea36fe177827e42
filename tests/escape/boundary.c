/* boundary.c: the attacks of issue 15 on the host boundary, run from root inside a container
 * (and one host-side helper). Static, so it needs nothing of the guest. Each mode prints one
 * line per finding; the shell test decides what is an escape.
 *
 *   boundary tiocsti TEXT       type TEXT and a newline into each of 0, 1, 2 that is a terminal
 *   boundary tiocsti-own        TIOCSTI into our own controlling terminal, plain and with the
 *                               request's high bits set (only the seccomp filter refuses it)
 *   boundary ctty               whether we have a controlling terminal, and what 0-2 are
 *   boundary fds                every descriptor above 2 and where it leads; writes a file
 *                               through each directory among them
 *   boundary keyring NAME NEW   looks NAME up in our session keyring, reads it, rewrites it
 *   boundary denied             the calls the filter refuses, with the errno each gets
 *   boundary host-keyring NAME SECRET CMD...   (on the host) a new session keyring holding
 *                               NAME=SECRET, CMD run in it, then what NAME holds afterwards */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/keyctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static long keyctl(int op, long a, long b, long c, long d)
{
	return syscall(SYS_keyctl, op, a, b, c, d);
}

static int tiocsti(const char *text)
{
	for (int fd = 0; fd < 3; fd++) {
		int failed = 0;

		if (!isatty(fd)) {
			printf("fd %d: not a terminal\n", fd);
			continue;
		}
		for (const char *c = text; *c && !failed; c++)
			failed = ioctl(fd, TIOCSTI, c) < 0;
		if (!failed)
			failed = ioctl(fd, TIOCSTI, "\n") < 0;
		if (failed)
			printf("fd %d: TIOCSTI refused: %s\n", fd, strerror(errno));
		else
			printf("fd %d: TIOCSTI INJECTED\n", fd);
	}
	return 0;
}

static int tiocsti_own(void)
{
	char c = ' ';
	unsigned long high = (unsigned long)TIOCSTI | (1UL << 32);

	printf("own terminal: %s\n", ioctl(0, TIOCSTI, &c) < 0 ? strerror(errno) : "INJECTED");
	printf("own terminal, high bits: %s\n",
	       ioctl(0, high, &c) < 0 ? strerror(errno) : "INJECTED");
	return 0;
}

static int ctty(void)
{
	int fd = open("/dev/tty", O_RDWR | O_NOCTTY);

	printf("controlling terminal: %s\n", fd >= 0 ? "YES" : strerror(errno));
	for (int i = 0; i < 3; i++) {
		char link[64], target[256] = "";
		ssize_t n;

		snprintf(link, sizeof(link), "/proc/self/fd/%d", i);
		n = readlink(link, target, sizeof(target) - 1);
		target[n > 0 ? n : 0] = '\0';
		printf("fd %d: %s%s\n", i, target, isatty(i) ? " (terminal)" : "");
	}
	return 0;
}

static int fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int found = 0;

	if (!d)
		return perror("opendir /proc/self/fd"), 2;
	while ((de = readdir(d))) {
		int fd = atoi(de->d_name), w;
		char link[64], target[512] = "";
		ssize_t n;

		if (de->d_name[0] == '.' || fd <= 2 || fd == dirfd(d))
			continue;
		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		n = readlink(link, target, sizeof(target) - 1);
		target[n > 0 ? n : 0] = '\0';
		found++;
		w = openat(fd, "lxmgr-boundary-fd-escape", O_WRONLY | O_CREAT, 0644);
		printf("LEAKED fd %d -> %s%s\n", fd, target,
		       w >= 0 ? " (wrote a file through it)" : "");
	}
	closedir(d);
	if (!found)
		printf("no descriptor above 2\n");
	return 0;
}

static int keyring(const char *name, const char *new_value)
{
	long id = keyctl(KEYCTL_SEARCH, KEY_SPEC_SESSION_KEYRING, (long)"user", (long)name, 0);
	char buf[256] = "";
	long n;

	if (id < 0) {
		printf("keyring: %s not found: %s\n", name, strerror(errno));
		return 0;
	}
	n = keyctl(KEYCTL_READ, id, (long)buf, sizeof(buf) - 1, 0);
	buf[n > 0 && n < (long)sizeof(buf) ? n : 0] = '\0';
	printf("keyring: READ %s = %s\n", name, n >= 0 ? buf : strerror(errno));
	if (keyctl(KEYCTL_UPDATE, id, (long)new_value, (long)strlen(new_value), 0) == 0)
		printf("keyring: REWROTE %s\n", name);
	return 0;
}

static int denied(void)
{
	static const struct {
		const char *name;
		long nr;
	} calls[] = {
		{"keyctl", SYS_keyctl},
		{"add_key", SYS_add_key},
		{"request_key", SYS_request_key},
		{"bpf", SYS_bpf},
		{"perf_event_open", SYS_perf_event_open},
		{"userfaultfd", SYS_userfaultfd},
		{"fanotify_init", SYS_fanotify_init},
		{"quotactl", SYS_quotactl},
		{"syslog", SYS_syslog},
		{"kexec_load", SYS_kexec_load},
		{"open_by_handle_at", SYS_open_by_handle_at},
	};

	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		/* Harmless arguments: only the filter's verdict matters (EFAULT, EINVAL or EBADF
		 * mean the call reached the kernel). */
		long r = syscall(calls[i].nr, -1L, 0L, 0L, 0L, 0L);

		printf("%s: %s\n", calls[i].name, r < 0 ? strerror(errno) : "ALLOWED");
	}
	return 0;
}

static int host_keyring(const char *name, const char *secret, char **cmd)
{
	char buf[256] = "";
	long id, n;
	int status;
	pid_t pid;

	if (keyctl(KEYCTL_JOIN_SESSION_KEYRING, 0, 0, 0, 0) < 0)
		return perror("join a session keyring"), 2;
	id = syscall(SYS_add_key, "user", name, secret, strlen(secret), KEY_SPEC_SESSION_KEYRING);
	if (id < 0)
		return perror("add_key"), 2;
	pid = fork();
	if (pid == 0) {
		execvp(cmd[0], cmd);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return 2;
	n = keyctl(KEYCTL_READ, id, (long)buf, sizeof(buf) - 1, 0);
	buf[n > 0 && n < (long)sizeof(buf) ? n : 0] = '\0';
	printf("host key %s now: %s\n", name, buf);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc >= 3 && !strcmp(argv[1], "tiocsti"))
		return tiocsti(argv[2]);
	if (argc >= 2 && !strcmp(argv[1], "tiocsti-own"))
		return tiocsti_own();
	if (argc >= 2 && !strcmp(argv[1], "ctty"))
		return ctty();
	if (argc >= 2 && !strcmp(argv[1], "fds"))
		return fds();
	if (argc >= 4 && !strcmp(argv[1], "keyring"))
		return keyring(argv[2], argv[3]);
	if (argc >= 2 && !strcmp(argv[1], "denied"))
		return denied();
	if (argc >= 5 && !strcmp(argv[1], "host-keyring"))
		return host_keyring(argv[2], argv[3], argv + 4);
	fprintf(stderr, "usage: see the comment at the top of boundary.c\n");
	return 2;
}
