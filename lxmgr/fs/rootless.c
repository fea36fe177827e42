/* rootless.c: lxmgr as an ordinary user: XDG store paths, the checks that a host allows it,
 * id maps through the setuid helpers newuidmap/newgidmap (the kernel lets an unprivileged
 * process write only its own id into a child's map), and a user namespace that maps a
 * container's range for the steps that must own its files. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "store/config.h"
#include "fs/idmap.h"
#include "base/log.h"
#include "base/lxmgr.h"
#include "fs/rootless.h"
#include "base/util.h"

#define LOG_STEP "rootless"

#define ENV_USER "LXMGR_ROOTLESS_USER" /* NAME:UID, set by rootless_reexec */

bool rootless_active(void)
{
	return geteuid() != 0 || getenv(ENV_USER);
}

bool rootless_outside(void)
{
	return geteuid() != 0;
}

uid_t rootless_uid(void)
{
	const char *v = getenv(ENV_USER), *colon = v ? strrchr(v, ':') : NULL;

	return colon ? (uid_t)strtoul(colon + 1, NULL, 10) : getuid();
}

/* $VAR, else HOME/dflt; *ret malloc'd. */
static int xdg_dir(const char *var, const char *dflt, char **ret)
{
	const char *v = getenv(var), *home = getenv("HOME");

	/* The spec: a relative path in the variable is invalid and ignored. */
	if (v && v[0] == '/')
		return xasprintf(ret, "%s", v);
	if (!home || home[0] != '/')
		return -ENOENT;
	return xasprintf(ret, "%s/%s", home, dflt);
}

const char *rootless_runtime_fallback(void)
{
	static char buf[256];
	const char *tmp = getenv("TMPDIR");
	struct stat st;

	(void)snprintf(buf, sizeof(buf), "/run/user/%u", (unsigned)getuid());
	if (stat(buf, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == getuid() &&
	    access(buf, W_OK) == 0)
		return buf;
	(void)snprintf(buf, sizeof(buf), "%s/lxmgr-run-%u", tmp && tmp[0] == '/' ? tmp : "/tmp",
		       (unsigned)getuid());
	return buf;
}

/* The fallback in a world-writable directory: ours, 0700, or someone planted it. */
static int runtime_dir_fallback(char **ret)
{
	const char *dir = rootless_runtime_fallback();
	struct stat st;

	if (strncmp(dir, "/run/user/", 10) != 0) {
		if (mkdir(dir, 0700) < 0 && errno != EEXIST)
			return -errno;
		if (lstat(dir, &st) < 0)
			return -errno;
		if (!S_ISDIR(st.st_mode) || st.st_uid != getuid() || (st.st_mode & 077))
			return -EPERM;
		fprintf(stderr,
			"lxmgr: XDG_RUNTIME_DIR is unset and /run/user/%u is not yours: runtime "
			"files go to %s/lxmgr\n",
			(unsigned)getuid(), dir);
	}
	return xasprintf(ret, "%s", dir);
}

int rootless_paths_init(struct lxmgr_paths *p)
{
	_cleanup_free_ char *data = NULL, *state = NULL, *cache = NULL, *config = NULL, *run = NULL;
	const char *xrd = getenv("XDG_RUNTIME_DIR");
	int r = 0;

	if (xdg_dir("XDG_DATA_HOME", ".local/share", &data) < 0 ||
	    xdg_dir("XDG_STATE_HOME", ".local/state", &state) < 0 ||
	    xdg_dir("XDG_CACHE_HOME", ".cache", &cache) < 0 ||
	    xdg_dir("XDG_CONFIG_HOME", ".config", &config) < 0)
		return -ENOENT;
	if (xrd && xrd[0] == '/')
		r = xasprintf(&run, "%s", xrd);
	else
		r = runtime_dir_fallback(&run);
	if (r < 0)
		return r;
	r |= xasprintf(&p->lib, "%s/lxmgr", data);
	r |= xasprintf(&p->run, "%s/lxmgr", run);
	r |= xasprintf(&p->log, "%s/lxmgr/log", state);
	r |= xasprintf(&p->cache, "%s/lxmgr", cache);
	r |= xasprintf(&p->conf, "%s/lxmgr/lxmgr.conf", config);
	r |= xasprintf(&p->hooks, "%s/lxmgr/hooks", config);
	return r < 0 ? -ENOMEM : 0;
}

const char *rootless_user_name(void)
{
	static char buf[256];
	const char *v = getenv(ENV_USER);
	struct passwd *pw = v ? NULL : getpwuid(getuid());

	if (v && strchr(v, ':'))
		(void)snprintf(buf, sizeof(buf), "%.*s", (int)(strchr(v, ':') - v), v);
	else if (pw && pw->pw_name)
		(void)snprintf(buf, sizeof(buf), "%s", pw->pw_name);
	else
		(void)snprintf(buf, sizeof(buf), "%u", (unsigned)getuid());
	return buf;
}

/* Where the helpers and the sysctls are; tests point these at copies (a helper without its
 * setuid bit, a sysctl set to 0) that they cannot make on a shared host. */
static const char *env_or(const char *var, const char *dflt)
{
	const char *v = getenv(var);

	return v && v[0] == '/' ? v : dflt;
}

static void helper_path(const char *name, char *buf, size_t size)
{
	(void)snprintf(buf, size, "%s/%s", env_or("LXMGR_UIDMAP_DIR", "/usr/bin"), name);
}

static int read_sysctl(const char *name)
{
	char buf[32] = "", path[256];
	_cleanup_close_ int fd = -EBADF;
	ssize_t n;

	(void)snprintf(path, sizeof(path), "%s/%s", env_or("LXMGR_SYSCTL_DIR", "/proc/sys"), name);
	fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return -EIO;
	return atoi(buf);
}

static bool helper_ok(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && st.st_uid == 0 && (st.st_mode & S_ISUID) &&
	       (st.st_mode & S_IXOTH);
}

int rootless_host_problem(char *why, size_t size)
{
	if (read_sysctl("kernel/unprivileged_userns_clone") == 0) {
		(void)snprintf(why, size,
			       "unprivileged user namespaces are disabled: an administrator sets "
			       "the sysctl kernel.unprivileged_userns_clone = 1");
		return 1;
	}
	if (read_sysctl("user/max_user_namespaces") == 0) {
		(void)snprintf(why, size,
			       "user namespaces are disabled: an administrator sets the sysctl "
			       "user.max_user_namespaces above 0");
		return 1;
	}
	for (const char *const *h = (const char *const[]){"newuidmap", "newgidmap", NULL}; *h;
	     h++) {
		char path[256];

		helper_path(*h, path, sizeof(path));
		if (!helper_ok(path)) {
			(void)snprintf(why, size,
				       "%s is %s: an administrator installs the Debian package "
				       "uidmap (it must be setuid root)",
				       path,
				       access(path, F_OK) == 0 ? "not setuid root" : "missing");
			return 1;
		}
	}
	return 0;
}

/* Runs helper PID LINES..., its stderr's first line into msg. */
static int run_helper(const char *helper, pid_t pid, char *const *lines, int n_lines, char *msg,
		      size_t size)
{
	char pidbuf[16], *argv[16];
	int errpipe[2], status, a = 0;
	ssize_t n;
	pid_t h;

	(void)snprintf(pidbuf, sizeof(pidbuf), "%d", (int)pid);
	argv[a++] = (char *)helper;
	argv[a++] = pidbuf;
	for (int i = 0; i < n_lines && a < 14; i++)
		argv[a++] = lines[i];
	argv[a] = NULL;
	if (pipe2(errpipe, O_CLOEXEC) < 0)
		return -errno;
	h = fork();
	if (h < 0)
		return -errno;
	if (h == 0) {
		if (dup2(errpipe[1], STDERR_FILENO) < 0)
			_exit(127);
		execv(helper, argv);
		_exit(127);
	}
	(void)close(errpipe[1]);
	n = read(errpipe[0], msg, size - 1);
	msg[n > 0 ? n : 0] = '\0';
	msg[strcspn(msg, "\n")] = '\0';
	(void)close(errpipe[0]);
	if (waitpid(h, &status, 0) < 0)
		return -errno;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		return -ENOENT;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EPERM;
}

static int write_one(const char *helper, pid_t pid, uint32_t base, uint32_t count, bool map_self,
		     unsigned self, char *msg, size_t size)
{
	char b[6][16];
	char *lines[6] = {b[0], b[1], b[2], b[3], b[4], b[5]};

	(void)snprintf(b[0], sizeof(b[0]), "0");
	(void)snprintf(b[1], sizeof(b[1]), "%u", base);
	(void)snprintf(b[2], sizeof(b[2]), "%u", count);
	(void)snprintf(b[3], sizeof(b[3]), "%u", count);
	(void)snprintf(b[4], sizeof(b[4]), "%u", self);
	(void)snprintf(b[5], sizeof(b[5]), "1");
	return run_helper(helper, pid, lines, map_self ? 6 : 3, msg, size);
}

int rootless_write_maps(pid_t pid, uint32_t uid_base, uint32_t gid_base, uint32_t count,
			bool map_self, char *msg, size_t size)
{
	char uidmap[256], gidmap[256];
	int r;

	msg[0] = '\0';
	helper_path("newuidmap", uidmap, sizeof(uidmap));
	helper_path("newgidmap", gidmap, sizeof(gidmap));
	r = write_one(uidmap, pid, uid_base, count, map_self, (unsigned)getuid(), msg, size);
	if (r < 0)
		return r;
	return write_one(gidmap, pid, gid_base, count, map_self, (unsigned)getgid(), msg, size);
}

/* The child: waits for its maps, becomes the namespace's root, runs fn. */
static _Noreturn void userns_child(int ready, int (*fn)(void *), void *userdata)
{
	char c;
	int r;

	if (read(ready, &c, 1) != 1)
		_exit(254);
	if (setresgid(0, 0, 0) < 0 || setgroups(0, NULL) < 0 || setresuid(0, 0, 0) < 0)
		_exit(253);
	(void)umask(022);
	r = fn(userdata);
	_exit(r < 0 && -r < 250 ? -r : r < 0 ? EIO : 0);
}

int rootless_run_in_userns(uint32_t uid_base, uint32_t gid_base, uint32_t count,
			   int (*fn)(void *userdata), void *userdata, char *msg, size_t size)
{
	int ready[2], status, r;
	pid_t pid;

	msg[0] = '\0';
	if (rootless_host_problem(msg, size))
		return LX_SYNTHETIC(-EPERM);
	if (pipe2(ready, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		r = -errno;
		(void)close(ready[0]);
		(void)close(ready[1]);
		return r;
	}
	if (pid == 0) {
		(void)close(ready[1]);
		if (unshare(CLONE_NEWUSER) < 0)
			_exit(252);
		userns_child(ready[0], fn, userdata);
	}
	(void)close(ready[0]);
	/* The child's unshare must come first: newuidmap checks the namespace it is in. */
	for (int i = 0; i < 2000; i++) {
		char path[64], link[64] = "", self[64] = "";

		(void)snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
		if (readlink(path, link, sizeof(link) - 1) > 0 &&
		    readlink("/proc/self/ns/user", self, sizeof(self) - 1) > 0 &&
		    strncmp(link, self, sizeof(link)) != 0)
			break;
		(void)usleep(1000);
	}
	r = rootless_write_maps(pid, uid_base, gid_base, count, /* map_self= */ true, msg, size);
	if (r >= 0 && write(ready[1], "x", 1) != 1)
		r = -EPIPE;
	(void)close(ready[1]);
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	if (r < 0)
		return r;
	if (!WIFEXITED(status))
		return -EINTR;
	if (WEXITSTATUS(status) >= 252) {
		(void)snprintf(msg, size, "could not become root of a new user namespace (%s)",
			       WEXITSTATUS(status) == 252 ? "unshare" : "setresuid");
		return -EPERM;
	}
	return -WEXITSTATUS(status);
}

int rootless_run_as_block_root(uint32_t uid_base, uint32_t gid_base, uint32_t count,
			       int (*fn)(void *userdata), void *userdata)
{
	char msg[256];

	if (!rootless_outside())
		return fn(userdata);
	return rootless_run_in_userns(uid_base, gid_base, count, fn, userdata, msg, sizeof(msg));
}

static int remove_in_userns(void *userdata)
{
	return rm_rf_at(AT_FDCWD, userdata);
}

int rootless_remove_tree(const char *path, uint32_t uid_base, uint32_t gid_base, uint32_t count)
{
	char msg[256];
	int r;

	if (!rootless_active() || uid_base == 0 || count == 0)
		return rm_rf_at(AT_FDCWD, path);
	/* A create that failed before its rootfs was filled left only the user's own files. */
	r = rm_rf_at(AT_FDCWD, path);
	if (r != -EACCES && r != -EPERM)
		return r;
	return rootless_run_in_userns(uid_base, gid_base, count, remove_in_userns, (void *)path,
				      msg, sizeof(msg));
}

int rootless_remove_container_dir(const char *path)
{
	_cleanup_free_ char *cfgpath = NULL;
	struct container_config cfg;
	struct config_error e;
	int r;

	if (!rootless_active())
		return rm_rf_at(AT_FDCWD, path);
	if (xasprintf(&cfgpath, "%s/config", path) < 0)
		return -ENOMEM;
	config_init_defaults(&cfg);
	r = config_parse_file(cfgpath, /* global= */ false, &cfg, &e);
	if (r >= 0)
		r = rootless_remove_tree(path, cfg.uid_base, cfg.gid_base, cfg.id_count);
	else
		r = rm_rf_at(AT_FDCWD, path);
	config_done(&cfg);
	return r;
}

/* The lines of one helper's map: 0 is the user, each subordinate range maps to itself. */
static int reexec_map_lines(bool gid, char (*buf)[16], size_t max_lines)
{
	const char *path = getenv(gid ? "LXMGR_SUBGID" : "LXMGR_SUBUID");
	struct idmap_range owned[16];
	_cleanup_fclose_ FILE *f = NULL;
	size_t n = 0;
	int k;

	(void)snprintf(buf[n++], 16, "0");
	(void)snprintf(buf[n++], 16, "%u", gid ? (unsigned)getgid() : (unsigned)getuid());
	(void)snprintf(buf[n++], 16, "1");
	f = fopen(path && *path ? path : gid ? "/etc/subgid" : "/etc/subuid", "re");
	k = f ? idmap_parse_subid(f, rootless_user_name(), getuid(), owned, ELEMENTSOF(owned)) : 0;
	for (int i = 0; i < k && i < (int)ELEMENTSOF(owned) && n + 3 <= max_lines; i++) {
		(void)snprintf(buf[n++], 16, "%u", owned[i].start);
		(void)snprintf(buf[n++], 16, "%u", owned[i].start);
		(void)snprintf(buf[n++], 16, "%u", owned[i].count);
	}
	return (int)n;
}

static int reexec_maps(pid_t pid, char *msg, size_t size)
{
	char buf[12][16], *lines[12], helper[256];
	int n, r;

	for (int i = 0; i < 12; i++)
		lines[i] = buf[i];
	n = reexec_map_lines(false, buf, 12);
	helper_path("newuidmap", helper, sizeof(helper));
	r = run_helper(helper, pid, lines, n, msg, size);
	if (r < 0)
		return r;
	n = reexec_map_lines(true, buf, 12);
	helper_path("newgidmap", helper, sizeof(helper));
	return run_helper(helper, pid, lines, n, msg, size);
}

static _Noreturn void reexec_child(int ready, char **argv, const char *env, const char *self_exe)
{
	char c;

	if (read(ready, &c, 1) != 1)
		_exit(254);
	if (setresgid(0, 0, 0) < 0 || setgroups(0, NULL) < 0 || setresuid(0, 0, 0) < 0)
		_exit(253);
	/* Nothing this namespace mounts reaches the host's mount table. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		_exit(253);
	if (setenv(ENV_USER, env, 1) < 0)
		_exit(253);
	/* The binary itself, not /proc/self/exe: ps names the monitor lxmgr. */
	execv(self_exe, argv);
	_exit(127);
}

static void wait_for_unshare(pid_t pid)
{
	for (int i = 0; i < 2000; i++) {
		char path[64], link[64] = "", self[64] = "";

		(void)snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
		if (readlink(path, link, sizeof(link) - 1) > 0 &&
		    readlink("/proc/self/ns/user", self, sizeof(self) - 1) > 0 &&
		    strcmp(link, self) != 0)
			return;
		(void)usleep(1000);
	}
}

int rootless_reexec(char **argv, char *msg, size_t size)
{
	int ready[2], status, r;
	char env[300], self_exe[PATH_MAX] = "/proc/self/exe";
	ssize_t n;
	pid_t pid;

	msg[0] = '\0';
	if (rootless_host_problem(msg, size))
		return LX_SYNTHETIC(-EPERM);
	/* Now: inside, getuid() is 0 and the password database names root. */
	(void)snprintf(env, sizeof(env), "%s:%u", rootless_user_name(), (unsigned)rootless_uid());
	n = readlink("/proc/self/exe", self_exe, sizeof(self_exe) - 1);
	if (n > 0)
		self_exe[n] = '\0';
	if (pipe2(ready, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		(void)close(ready[1]);
		if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
			_exit(252);
		reexec_child(ready[0], argv, env, self_exe);
	}
	(void)close(ready[0]);
	/* Ctrl-C reaches the child too (same process group): it decides, we wait. */
	(void)signal(SIGINT, SIG_IGN);
	wait_for_unshare(pid);
	r = reexec_maps(pid, msg, size);
	if (r >= 0 && write(ready[1], "x", 1) != 1)
		r = -EPIPE;
	(void)close(ready[1]);
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	if (r < 0)
		return r;
	if (WIFEXITED(status) && WEXITSTATUS(status) >= 252) {
		(void)snprintf(msg, size, "could not become root of a new user namespace (%s)",
			       WEXITSTATUS(status) == 252 ? "unshare" : "setresuid");
		return -EPERM;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int rootless_join(pid_t monitor)
{
	static const char *const kinds[] = {"user", "mnt"};
	static const int flags[] = {CLONE_NEWUSER, CLONE_NEWNS};
	int fds[2] = {-EBADF, -EBADF}, r = 0;
	char env[300], path[64];

	if (!rootless_outside() || monitor <= 0)
		return 0;
	(void)snprintf(env, sizeof(env), "%s:%u", rootless_user_name(), (unsigned)rootless_uid());
	/* All opened first: the monitor's /proc entry stays reachable whatever we enter. */
	for (int i = 0; i < 2 && r >= 0; i++) {
		(void)snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)monitor, kinds[i]);
		fds[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0)
			r = -errno;
	}
	for (int i = 0; i < 2 && r >= 0; i++)
		if (setns(fds[i], flags[i]) < 0)
			r = -errno;
	for (int i = 0; i < 2; i++)
		if (fds[i] >= 0)
			(void)close(fds[i]);
	if (r >= 0 && (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0))
		r = -errno;
	if (r >= 0 && setenv(ENV_USER, env, 1) < 0)
		r = -errno;
	return r;
}
