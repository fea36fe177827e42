/* rootless-template.c: a rootless -t debian: mmdebstrap --mode=unshare builds the rootfs as a
 * tar archive in a user namespace of the user's own, cached in the user's XDG cache, then
 * unpacked into the container's range as --tarball is (debootstrap needs root). */
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
#include "base/util.h"
#include "image/rootless-template.h"
#include "image/template.h"

#define LOG_STEP "template"
#define DEFAULT_MIRROR "http://deb.debian.org/debian"
#define SECURITY_MIRROR "http://security.debian.org/debian-security"
/* The debian template's package set (templates/debian). */
#define PACKAGES "systemd,systemd-sysv,dbus,sudo,iproute2,procps,ca-certificates"

static const char *deb_arch(const char *arch)
{
	static const char *const names[][2] = {
		{"x86_64", "amd64"},    {"aarch64", "arm64"},   {"i686", "i386"},
		{"armv7l", "armhf"},    {"ppc64le", "ppc64el"}, {"s390x", "s390x"},
		{"riscv64", "riscv64"},
	};

	for (size_t i = 0; i < ELEMENTSOF(names); i++)
		if (!strcmp(arch, names[i][0]))
			return names[i][1];
	return NULL;
}

/* sources.list as the debian template writes it: the release, -updates and -security (none
 * for sid), which mmdebstrap also installs from. */
static int mirror_lines(const char *mirror, const char *release, char *lines[3])
{
	bool sid = !strcmp(release, "sid") || !strcmp(release, "unstable");

	if (xasprintf(&lines[0], "deb %s %s main", mirror, release) < 0)
		return -ENOMEM;
	if (sid)
		return 1;
	if (xasprintf(&lines[1], "deb %s %s-updates main", mirror, release) < 0 ||
	    xasprintf(&lines[2], "deb " SECURITY_MIRROR " %s-security main", release) < 0)
		return -ENOMEM;
	return 3;
}

static _Noreturn void exec_mmdebstrap(int log, const char *arch, const char *release,
				      const char *out, char *const *lines, int n)
{
	char include[] = "--include=" PACKAGES, archs[64];
	const char *argv[16] = {"mmdebstrap", "--mode=unshare",    "--variant=minbase",
				include,      "--components=main", "--format=tar"};
	int a = 6, null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	sigset_t none;

	(void)snprintf(archs, sizeof(archs), "--architectures=%s", arch);
	argv[a++] = archs;
	argv[a++] = release;
	argv[a++] = out;
	for (int i = 0; i < n; i++)
		argv[a++] = lines[i];
	argv[a] = NULL;
	(void)sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
	(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* Its build directory must be reachable by the root of its namespace (a subordinate id,
	 * "others" to the user's files): not a TMPDIR of the user's own, 0700. */
	(void)setenv("TMPDIR", "/tmp", 1);
	if (null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(log, STDOUT_FILENO) < 0 ||
	    dup2(log, STDERR_FILENO) < 0)
		_exit(126);
	execvp("mmdebstrap", (char *const *)argv);
	_exit(127);
}

/* The last line of the build's log, for the one-line failure. */
static void last_line(const char *path, char *buf, size_t size)
{
	_cleanup_free_ char *text = NULL;

	buf[0] = '\0';
	if (read_file_at(AT_FDCWD, path, 1 << 20, &text, NULL) < 0)
		return;
	for (char *l = strtok(text, "\n"); l; l = strtok(NULL, "\n"))
		(void)snprintf(buf, size, "%s", l);
}

static int build(const struct lxmgr_ctx *ctx, const char *dir, const char *arch,
		 const char *release, const char *mirror, const char *path)
{
	_cleanup_free_ char *tmp = NULL, *logpath = NULL;
	_cleanup_close_ int log = -EBADF;
	char *lines[3] = {NULL, NULL, NULL}, why[512];
	int n, status = 0;
	pid_t pid;

	n = mirror_lines(mirror, release, lines);
	if (n < 0 || xasprintf(&tmp, "%s/.rootfs.tar.%d", dir, (int)getpid()) < 0 ||
	    xasprintf(&logpath, "%s/build.log", dir) < 0) {
		for (int i = 0; i < 3; i++)
			free(lines[i]);
		return lx_fail(ctx, -ENOMEM, "out of memory");
	}
	log = open(logpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (log < 0)
		return lx_fail(ctx, -errno, "open %s", logpath);
	template_step(ctx, "mmdebstrap --mode=unshare %s (%s) from %s", release, arch, mirror);
	pid = fork();
	if (pid == 0)
		exec_mmdebstrap(log, arch, release, tmp, lines, n);
	for (int i = 0; i < 3; i++)
		free(lines[i]);
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return lx_fail(ctx, -errno, "run mmdebstrap");
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		return lx_fail(ctx, LX_SYNTHETIC(-ENOENT),
			       "a rootless -t debian needs mmdebstrap (Debian package mmdebstrap)");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		(void)unlink(tmp);
		last_line(logpath, why, sizeof(why));
		return lx_fail(ctx, LX_SYNTHETIC(-EIO), "mmdebstrap failed (%s): %s", logpath,
			       why[0] ? why : "no message");
	}
	if (rename(tmp, path) < 0)
		return lx_fail(ctx, -errno, "rename %s to %s", tmp, path);
	return 0;
}

int rootless_template_tarball(const struct lxmgr_ctx *ctx, const struct template_choice *t,
			      char **ret_path)
{
	_cleanup_free_ char *dir = NULL, *path = NULL;
	const char *arch = deb_arch(t->arch), *release = t->release ? t->release : "bookworm";
	const char *mirror = t->req->mirror ? t->req->mirror : DEFAULT_MIRROR;
	int r;

	if (strcmp(t->info.name, "debian") != 0)
		return lx_fail(ctx, LX_SYNTHETIC(-EOPNOTSUPP),
			       "a rootless create takes the template debian (through mmdebstrap), "
			       "or --tarball FILE: '%s' is not done yet",
			       t->info.name);
	if (!arch)
		return lx_fail(ctx, LX_SYNTHETIC(-EINVAL), "no Debian architecture for '%s'",
			       t->arch);
	if (xasprintf(&dir, "%s/debian/%s/%s", ctx->paths.cache, release, t->arch) < 0 ||
	    xasprintf(&path, "%s/rootfs.tar", dir) < 0)
		return lx_fail(ctx, -ENOMEM, "out of memory");
	r = mkdir_p(dir, 0700);
	if (r < 0)
		return lx_fail(ctx, r, "create %s", dir);
	if (!t->req->refresh && access(path, R_OK) == 0)
		template_step(ctx, "debian %s %s from the cache (%s)", release, t->arch, path);
	else {
		r = build(ctx, dir, arch, release, mirror, path);
		if (r < 0)
			return r;
	}
	*ret_path = TAKE_PTR(path);
	return 0;
}
