/* import.c: unpacking a root filesystem tarball with tar(1), with progress. */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/util.h"
#include "image/export.h"
#include "image/import.h"

/* tar cannot tell the compression of a pipe: we do, from the first bytes. */
static const char *compression_flag(const unsigned char *b, size_t n)
{
	if (n >= 6 && !memcmp(b,
			      "\xfd"
			      "7zXZ\0",
			      6))
		return "--xz";
	if (n >= 2 && b[0] == 0x1f && b[1] == 0x8b)
		return "--gzip";
	if (n >= 4 && !memcmp(b, "\x28\xb5\x2f\xfd", 4))
		return "--zstd";
	if (n >= 3 && !memcmp(b, "BZh", 3))
		return "--bzip2";
	if (n >= 262 && !memcmp(b + 257, "ustar", 5))
		return "";
	return NULL;
}

/* tar runs as host root over a tree it does not trust: without CAP_MKNOD a device node of the
 * archive (a disk, /dev/mem) fails the unpack instead of landing in the rootfs. GNU tar itself
 * refuses members with '..', strips leading '/' from names and link targets, and defers
 * symlinks that point out until every member is written, so nothing is written through them
 * (tests/integration/import-hostile-archive.sh). */
static void drop_mknod(void)
{
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct d[2];

	(void)prctl(PR_CAPBSET_DROP, CAP_MKNOD, 0, 0, 0);
	(void)prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	if (syscall(SYS_capget, &h, d) < 0)
		return;
	d[0].inheritable &= ~(1U << CAP_MKNOD);
	d[0].effective &= ~(1U << CAP_MKNOD);
	d[0].permitted &= ~(1U << CAP_MKNOD);
	(void)syscall(SYS_capset, &h, d);
}

static _Noreturn void exec_tar(const char *dst, const char *zflag, char *const *extra, int in,
			       int err)
{
	static const char *const head[] = {"tar",
					   "--extract",
					   "--file=-",
					   "--numeric-owner",
					   "--same-permissions",
					   "--same-owner",
					   "--xattrs",
					   "--xattrs-include=*",
					   "--acls",
					   "--no-overwrite-dir",
					   "--anchored",
					   "--exclude=./dev/?*",
					   "--exclude=dev/?*",
					   "--exclude=./" EXPORT_ROOTFS "/dev/?*",
					   "--exclude=" EXPORT_ROOTFS "/dev/?*",
					   "--exclude=./" EXPORT_LAYERS "/*/dev/?*",
					   "--exclude=" EXPORT_LAYERS "/*/dev/?*",
					   "-C"};
	const char *argv[ELEMENTSOF(head) + 3 + IMPORT_EXTRA_MAX + 1];
	size_t n = 0;
	sigset_t none;

	if (dup2(in, STDIN_FILENO) < 0 || dup2(err, STDERR_FILENO) < 0)
		_exit(127);
	/* The caller may hold SIGTERM (create, import): tar must die of the one we send. */
	(void)sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
	(void)signal(SIGPIPE, SIG_DFL);
	/* A killed lxmgr takes tar along: nothing unpacks on after gc has cleaned up. */
	(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
	drop_mknod();
	/* A container's /dev is a tmpfs that lxmgr fills at start: the nodes of the archive's
	 * dev/ (a rootfs tarball's, an export's rootfs/dev/ and layers/ID/dev/) are never used,
	 * and could not be made without CAP_MKNOD (nor inside a container, nesting): leave them
	 * out. Overlay whiteouts (0/0) elsewhere in layers need no CAP_MKNOD (Linux 5.8). */
	for (size_t i = 0; i < ELEMENTSOF(head); i++)
		argv[n++] = head[i];
	argv[n++] = dst;
	argv[n++] = *zflag ? zflag : "--anchored";
	for (size_t i = 0; extra && extra[i] && i < IMPORT_EXTRA_MAX; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	execvp("tar", (char *const *)argv);
	_exit(127);
}

static int wait_readable(int fd, const struct copy_progress *p)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};

	while (poll(&pfd, 1, /* timeout_ms= */ 250) == 0)
		if (p->cancelled(p->userdata))
			return -EINTR;
	return 0;
}

static int feed(int src, int pipe_w, const unsigned char *head, size_t n_head, uint64_t total,
		const struct copy_progress *p)
{
	unsigned char buf[1 << 16];
	uint64_t done = n_head, last = 0;
	int r = write_all(pipe_w, head, n_head);

	if (r < 0)
		return r;
	for (;;) {
		ssize_t n;

		/* A pipe that stays open and idle (import - through ssh) must not hide an
		 * interrupt held by the caller. */
		if (p && p->cancelled && wait_readable(src, p) < 0)
			return -EINTR;
		n = read(src, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		r = write_all(pipe_w, buf, (size_t)n);
		if (r < 0)
			return r;
		done += (uint64_t)n;
		if (p && p->cancelled && p->cancelled(p->userdata))
			return -EINTR;
		if (p && p->report && done - last > (8 << 20)) {
			p->report(p->userdata, done, total);
			last = done;
		}
	}
}

int import_copy_stream(int src, int dst, const struct copy_progress *progress)
{
	return feed(src, dst, NULL, 0, 0, progress);
}

/* tar's first error: its warnings about names it made relative come first and say less. */
static int first_line(int fd, char **ret)
{
	char buf[2048];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	char *l = buf;

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	while (strstr(l, ": Removing leading") == strchr(l, ':') && strchr(l, '\n') &&
	       strchr(l, '\n')[1])
		l = strchr(l, '\n') + 1;
	l[strcspn(l, "\n")] = '\0';
	*ret = strdup(l);
	return 0;
}

int import_tarball(const char *path, const char *dst, const struct copy_progress *progress,
		   char **ret_message)
{
	return import_tarball_with(path, dst, NULL, progress, ret_message);
}

int import_tarball_with(const char *path, const char *dst, char *const *extra,
			const struct copy_progress *progress, char **ret_message)
{
	_cleanup_close_ int src = -EBADF, errfd = -EBADF;
	unsigned char head[512];
	const char *zflag;
	struct stat st;
	int pipefd[2], status, r;
	ssize_t n;
	pid_t pid;

	*ret_message = NULL;
	src = open(path, O_RDONLY | O_CLOEXEC);
	if (src < 0 || fstat(src, &st) < 0)
		return -errno;
	/* A pipe too: lxmgr import - (export.h); its size is unknown. */
	if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode))
		return -EMEDIUMTYPE;
	n = read(src, head, sizeof(head));
	if (n < 0)
		return -errno;
	zflag = compression_flag(head, (size_t)n);
	if (!zflag)
		return -EMEDIUMTYPE;
	errfd = open("/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (errfd < 0 || pipe2(pipefd, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0)
		exec_tar(dst, zflag, extra, pipefd[0], errfd);
	(void)close(pipefd[0]);
	r = feed(src, pipefd[1], head, (size_t)n, (uint64_t)st.st_size, progress);
	(void)close(pipefd[1]);
	if (r == -EINTR)
		(void)kill(pid, SIGTERM);
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	if (r == -EINTR)
		return r;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		(void)first_line(errfd, ret_message);
		return WIFEXITED(status) && WEXITSTATUS(status) == 127 ? -ENOENT : -EMEDIUMTYPE;
	}
	if (progress && progress->report)
		progress->report(progress->userdata, (uint64_t)st.st_size, (uint64_t)st.st_size);
	return r;
}
