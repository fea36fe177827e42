/* util.c: small helpers shared by lxmgr/ and net/; none of them prints. */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/util.h"

int xasprintf(char **ret, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(ret, fmt, ap);
	va_end(ap);
	if (r < 0) {
		*ret = NULL;
		return -ENOMEM;
	}
	return 0;
}

int read_fd_all(int fd, size_t max, char **ret, size_t *ret_len)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, cap = 4096;

	buf = malloc(cap + 1);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n;

		if (len == cap) {
			char *nb;

			/* One byte past max tells "exactly max" from "too large". */
			if (cap > max)
				return -EFBIG;
			cap = cap * 2 > max ? max + 1 : cap * 2;
			nb = realloc(buf, cap + 1);
			if (!nb)
				return -ENOMEM;
			buf = nb;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > max)
		return -EFBIG;
	buf[len] = '\0';
	if (ret_len)
		*ret_len = len;
	*ret = TAKE_PTR(buf);
	return 0;
}

int read_file_at(int dirfd, const char *path, size_t max, char **ret, size_t *ret_len)
{
	_cleanup_close_ int fd = -EBADF;

	fd = NEG_ERRNO(openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY));
	if (fd < 0)
		return fd;
	return read_fd_all(fd, max, ret, ret_len);
}

int read_file_in_root(int rootfd, const char *path, int flags, size_t max, char **ret,
		      size_t *ret_len)
{
	_cleanup_close_ int fd = open_in_root(rootfd, path, O_RDONLY | flags, 0);

	if (fd < 0)
		return fd;
	return read_fd_all(fd, max, ret, ret_len);
}

int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int write_file_renamed(int dirfd, const char *path, const void *data, size_t len,
			      mode_t mode, bool sync)
{
	_cleanup_free_ char *tmp = NULL;
	_cleanup_close_ int fd = -EBADF;
	int r;

	r = xasprintf(&tmp, "%s.tmp-%d", path, (int)getpid());
	if (r < 0)
		return r;
	fd = NEG_ERRNO(
		openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode));
	if (fd < 0)
		return fd;
	r = write_all(fd, data, len);
	if (r >= 0)
		r = NEG_ERRNO(fchmod(fd, mode));
	if (r >= 0 && sync)
		r = NEG_ERRNO(fsync(fd));
	if (r >= 0)
		r = NEG_ERRNO(renameat(dirfd, tmp, dirfd, path));
	if (r < 0)
		(void)unlinkat(dirfd, tmp, 0);
	return r < 0 ? r : 0;
}

int write_file_atomic_at(int dirfd, const char *path, const void *data, size_t len, mode_t mode)
{
	return write_file_renamed(dirfd, path, data, len, mode, true);
}

int write_file_replace_at(int dirfd, const char *path, const void *data, size_t len, mode_t mode)
{
	return write_file_renamed(dirfd, path, data, len, mode, false);
}

/* The PID of NAME.tmp-PID, or 0 when name is not one. */
static pid_t atomic_tmp_pid(const char *name)
{
	const char *p = strstr(name, ".tmp-");
	uint32_t pid;

	if (!p || name[0] == '.' || parse_u32(p + 5, &pid) < 0 || pid == 0 || pid > INT32_MAX)
		return 0;
	return (pid_t)pid;
}

int remove_stale_atomic_tmp(int dirfd, bool any_pid)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	int fd, removed = 0;

	/* A descriptor of its own: a dup would share (and move) dirfd's directory offset. */
	fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	d = fdopendir(fd);
	if (!d) {
		(void)close(fd);
		return 0;
	}
	while ((de = readdir(d))) {
		pid_t pid = atomic_tmp_pid(de->d_name);

		if (pid > 0 && (any_pid || (kill(pid, 0) < 0 && errno == ESRCH)) &&
		    unlinkat(dirfd, de->d_name, 0) == 0)
			removed++;
	}
	return removed;
}

int write_string_at(int dirfd, const char *path, const char *s)
{
	_cleanup_close_ int fd = -EBADF;

	fd = NEG_ERRNO(openat(dirfd, path, O_WRONLY | O_CLOEXEC | O_NOCTTY));
	if (fd < 0)
		return fd;
	return write_all(fd, s, strlen(s));
}

int mkdir_p(const char *path, mode_t mode)
{
	_cleanup_free_ char *p = strdup(path);

	if (!p)
		return -ENOMEM;
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	if (mkdir(p, mode) < 0) {
		struct stat st;

		if (errno != EEXIST)
			return -errno;
		if (stat(p, &st) < 0)
			return -errno;
		if (!S_ISDIR(st.st_mode))
			return -ENOTDIR;
	}
	return 0;
}

static int rm_rf_children(int fd, dev_t dev);

static int rm_rf_entry(int dirfd, const char *name, dev_t dev)
{
	struct stat st;
	int r;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (S_ISDIR(st.st_mode)) {
		_cleanup_close_ int fd = -EBADF;

		if (st.st_dev != dev)
			return -EXDEV;
		fd = NEG_ERRNO(
			openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
		if (fd < 0)
			return fd;
		r = rm_rf_children(fd, dev);
		if (r < 0)
			return r;
		return NEG_ERRNO(unlinkat(dirfd, name, AT_REMOVEDIR));
	}
	if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

static int rm_rf_children(int fd, dev_t dev)
{
	_cleanup_closedir_ DIR *d = NULL;
	int dfd, r = 0;
	struct dirent *de;

	dfd = NEG_ERRNO(fcntl(fd, F_DUPFD_CLOEXEC, 3));
	if (dfd < 0)
		return dfd;
	d = fdopendir(dfd);
	if (!d) {
		(void)close(dfd);
		return -errno;
	}
	while ((de = readdir(d))) {
		int k;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		k = rm_rf_entry(fd, de->d_name, dev);
		if (k < 0 && r == 0)
			r = k;
	}
	return r;
}

int rm_rf_at(int dirfd, const char *path)
{
	struct stat st;

	if (fstatat(dirfd, path, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -errno;
	return rm_rf_entry(dirfd, path, st.st_dev);
}

int parse_u64(const char *s, uint64_t *ret)
{
	char *end;
	unsigned long long v;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	if (*end)
		return -EINVAL;
	*ret = v;
	return 0;
}

int parse_u32(const char *s, uint32_t *ret)
{
	uint64_t v;
	int r = parse_u64(s, &v);

	if (r < 0)
		return r;
	if (v > UINT32_MAX)
		return -ERANGE;
	*ret = (uint32_t)v;
	return 0;
}

int parse_size(const char *s, uint64_t *ret)
{
	static const char units[] = "KMGT";
	_cleanup_free_ char *num = NULL;
	uint64_t v, mult = 1;
	size_t len;
	const char *u;
	int r;

	if (!s || !*s)
		return -EINVAL;
	if (!strcmp(s, "max")) {
		*ret = UINT64_MAX;
		return 0;
	}
	len = strlen(s);
	num = strdup(s);
	if (!num)
		return -ENOMEM;
	if (len > 1 && (num[len - 1] == 'B' || num[len - 1] == 'b') &&
	    !isdigit((unsigned char)num[len - 2]))
		num[--len] = '\0';
	u = strchr(units, toupper((unsigned char)num[len - 1]));
	if (u && num[len - 1] != '\0') {
		for (const char *k = units; k <= u; k++)
			mult *= 1024;
		num[len - 1] = '\0';
	}
	r = parse_u64(num, &v);
	if (r < 0)
		return r;
	if (v > UINT64_MAX / mult)
		return -ERANGE;
	*ret = v * mult;
	return 0;
}

int parse_bool(const char *s, bool *ret)
{
	static const char *const yes[] = {"yes", "true", "1", "on"};
	static const char *const no[] = {"no", "false", "0", "off"};

	for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
		if (s && !strcasecmp(s, yes[i])) {
			*ret = true;
			return 0;
		}
		if (s && !strcasecmp(s, no[i])) {
			*ret = false;
			return 0;
		}
	}
	return -EINVAL;
}

static const struct {
	const char *name;
	int sig;
} signal_names[] = {
	{"HUP", SIGHUP},   {"INT", SIGINT},   {"QUIT", SIGQUIT},   {"KILL", SIGKILL},
	{"USR1", SIGUSR1}, {"USR2", SIGUSR2}, {"TERM", SIGTERM},   {"CONT", SIGCONT},
	{"STOP", SIGSTOP}, {"PWR", SIGPWR},   {"WINCH", SIGWINCH},
};

int parse_signal(const char *s, int *ret)
{
	uint32_t n;

	if (!s)
		return -EINVAL;
	if (!strncasecmp(s, "SIG", 3))
		s += 3;
	if (parse_u32(s, &n) >= 0) {
		if (n < 1 || n > (uint32_t)SIGRTMAX)
			return -ERANGE;
		*ret = (int)n;
		return 0;
	}
	for (size_t i = 0; i < ELEMENTSOF(signal_names); i++)
		if (!strcasecmp(s, signal_names[i].name)) {
			*ret = signal_names[i].sig;
			return 0;
		}
	if (!strncasecmp(s, "RTMIN", 5)) {
		if (!s[5]) {
			*ret = SIGRTMIN;
			return 0;
		}
		if (s[5] == '+' && parse_u32(s + 6, &n) >= 0 && (int)n <= SIGRTMAX - SIGRTMIN) {
			*ret = SIGRTMIN + (int)n;
			return 0;
		}
	}
	return -EINVAL;
}

const char *signal_to_string(int sig, char buf[static 16])
{
	for (size_t i = 0; i < ELEMENTSOF(signal_names); i++)
		if (signal_names[i].sig == sig) {
			(void)snprintf(buf, 16, "SIG%s", signal_names[i].name);
			return buf;
		}
	if (sig >= SIGRTMIN && sig <= SIGRTMAX)
		(void)snprintf(buf, 16, "SIGRTMIN+%d", sig - SIGRTMIN);
	else
		(void)snprintf(buf, 16, "%d", sig);
	return buf;
}

int pid_start_time(pid_t pid, uint64_t *ret)
{
	_cleanup_free_ char *buf = NULL;
	char path[64];
	char *p, *tok, *save = NULL;
	int r;

	(void)snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	r = read_file_at(AT_FDCWD, path, 4096, &buf, NULL);
	if (r < 0)
		return r;
	/* The command name may hold spaces and parentheses: start after the last ')'. */
	p = strrchr(buf, ')');
	if (!p)
		return -EIO;
	/* Field 3 (state) is the first token after it; starttime is field 22. */
	tok = strtok_r(p + 1, " ", &save);
	for (int field = 3; tok && field < 22; field++)
		tok = strtok_r(NULL, " ", &save);
	if (!tok)
		return -EIO;
	return parse_u64(tok, ret) < 0 ? -EIO : 0;
}

int open_in_root(int rootfd, const char *path, int flags, mode_t mode)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC),
		.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	int fd;

	/* A ".." step fails with EAGAIN when a rename anywhere on the host raced the lookup
	 * (openat2(2): "the caller may choose to retry"); ../lib/systemd/systemd is Fedora's
	 * /sbin/init. */
	for (int i = 0;; i++) {
		fd = (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
		if (fd >= 0 || errno != EAGAIN || i >= 64)
			return fd >= 0 ? fd : -errno;
	}
}

uint64_t now_ns(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

uint64_t now_realtime_s(void)
{
	return (uint64_t)time(NULL);
}

bool name_is_valid(const char *s)
{
	size_t len;

	if (!s)
		return false;
	len = strlen(s);
	if (len == 0 || len > 64 || s[0] == '.' || s[0] == '-')
		return false;
	for (const char *p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (!(isascii(c) && (isalnum(c) || c == '-' || c == '_' || c == '.')))
			return false;
	}
	return true;
}

bool name_is_valid_new(const char *s)
{
	size_t len;

	if (!s)
		return false;
	len = strlen(s);
	if (len == 0 || len > 63 || s[0] == '-' || s[len - 1] == '-')
		return false;
	for (const char *p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (!(isascii(c) && (isalnum(c) || c == '-')))
			return false;
	}
	return true;
}

int fd_send(int sock, const void *data, size_t len, int fd)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} control = {0};
	struct iovec iov = {.iov_base = (void *)data, .iov_len = len};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	ssize_t n;

	if (fd >= 0) {
		struct cmsghdr *c;

		mh.msg_control = control.buf;
		mh.msg_controllen = sizeof(control.buf);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	do
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return n == (ssize_t)len ? 0 : -EIO;
}

ssize_t fd_recv(int sock, void *data, size_t len, int *ret_fd)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} control;
	struct iovec iov = {.iov_base = data, .iov_len = len};
	struct msghdr mh = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.buf,
		.msg_controllen = sizeof(control.buf),
	};
	ssize_t n;

	*ret_fd = -EBADF;
	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
		    c->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(ret_fd, CMSG_DATA(c), sizeof(int));
	return n;
}

void unique_time_id(char id[static 24])
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_REALTIME, &ts);
	(void)snprintf(id, 24, "%016llx",
		       (unsigned long long)ts.tv_sec * 1000000000ULL +
			       (unsigned long long)ts.tv_nsec);
}

void hold_stop_signals(sigset_t *ret_mask, sigset_t *ret_old)
{
	(void)sigemptyset(ret_mask);
	(void)sigaddset(ret_mask, SIGINT);
	(void)sigaddset(ret_mask, SIGTERM);
	(void)sigaddset(ret_mask, SIGHUP);
	(void)sigprocmask(SIG_BLOCK, ret_mask, ret_old);
}

bool stop_signal_pending(void)
{
	sigset_t pending;

	if (sigpending(&pending) < 0)
		return false;
	return sigismember(&pending, SIGINT) || sigismember(&pending, SIGTERM) ||
	       sigismember(&pending, SIGHUP);
}
