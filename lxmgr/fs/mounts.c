/* mounts.c: shared folders (mount.NAME) and devices (device.NAME): parse, open, attach. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "base/util.h"
#include "fs/mounts-source.h"
#include "fs/mounts.h"

/* iniparser cuts a value at '#' or ';' and strips quotes and spaces; ':' separates fields. */
static bool path_is_valid(const char *s)
{
	if (s[0] != '/' || strlen(s) >= PATH_MAX)
		return false;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 127 || strchr("#;\"'\\:", *p))
			return false;
	/* No "." or ".." component: what we check is what the kernel resolves. */
	for (const char *p = s; (p = strchr(p, '/')); p++)
		if (!strncmp(p, "/./", 3) || !strcmp(p, "/.") || !strncmp(p, "/../", 4) ||
		    !strcmp(p, "/..") || !strncmp(p, "//", 2))
			return false;
	return true;
}

static bool path_is_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return !strncmp(path, dir, n) && (path[n] == '\0' || path[n] == '/');
}

static bool target_is_allowed(const char *dst)
{
	static const char *const refused[] = {"/proc", "/sys", "/dev"};

	if (!strcmp(dst, "/"))
		return false;
	for (size_t i = 0; i < ELEMENTSOF(refused); i++)
		if (path_is_under(dst, refused[i]))
			return false;
	return true;
}

/* A user name as useradd takes it: no ':' and nothing iniparser would mangle. */
static bool user_name_is_valid(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= 32 && s[0] != '-' &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n;
}

static int copy_field(char *dst, size_t n, const char *s, size_t len)
{
	if (len >= n)
		return -EINVAL;
	memcpy(dst, s, len);
	dst[len] = '\0';
	return 0;
}

int mounts_parse(const char *value, struct mount_entry *ret)
{
	const char *colon = strchr(value, ':'), *dst, *opt;

	*ret = (struct mount_entry){0};
	if (!colon || copy_field(ret->src, sizeof(ret->src), value, (size_t)(colon - value)) < 0)
		return -EINVAL;
	dst = colon + 1;
	opt = strchr(dst, ':');
	if (copy_field(ret->dst, sizeof(ret->dst), dst, opt ? (size_t)(opt - dst) : strlen(dst)) <
	    0)
		return -EINVAL;
	while (opt) {
		const char *next = strchr(opt + 1, ':');
		size_t n = next ? (size_t)(next - opt - 1) : strlen(opt + 1);

		if (n == 2 && !strncmp(opt + 1, "ro", 2) && !ret->ro)
			ret->ro = true;
		else if (n > 6 && !strncmp(opt + 1, "owner=", 6) && !ret->owner[0] &&
			 copy_field(ret->owner, sizeof(ret->owner), opt + 7, n - 6) >= 0 &&
			 user_name_is_valid(ret->owner))
			;
		else
			return -EINVAL;
		opt = next;
	}
	if (!path_is_valid(ret->src) || !path_is_valid(ret->dst) || !target_is_allowed(ret->dst))
		return -EINVAL;
	return 0;
}

bool mounts_target_is_valid(const char *dst)
{
	return path_is_valid(dst) && target_is_allowed(dst);
}

bool mounts_value_is_valid(const char *value)
{
	struct mount_entry m;

	return mounts_parse(value, &m) >= 0;
}

bool mounts_device_is_valid(const char *value)
{
	return path_is_valid(value) && path_is_under(value, "/dev") && strcmp(value, "/dev") != 0 &&
	       !path_is_under(value, "/dev/pts") && !path_is_under(value, "/dev/shm");
}

static __attribute__((format(printf, 4, 5))) int why_fail(char *why, size_t n, int r,
							  const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(why, n, fmt, ap);
	va_end(ap);
	return r;
}

/* owner=USER maps the source's host owner and group onto USER: when that is the host's root,
 * USER would create files owned by host uid (or gid) 0 there, set-uid root binaries too. */
static int check_owner_source(const struct mount_entry *m, int srcfd, char *why, size_t n)
{
	struct stat st;

	if (!m->owner[0])
		return 0;
	if (fstat(srcfd, &st) < 0)
		return why_fail(why, n, -errno, "source %s: %s", m->src, strerror(errno));
	if (st.st_uid == 0 || st.st_gid == 0)
		return why_fail(why, n, LX_SYNTHETIC(-EPERM),
				"owner=%s: source %s belongs to the host's root (uid or gid 0): "
				"files made there would be root's on the host, refused",
				m->owner, m->src);
	return 0;
}

int mounts_check_host_mount(const char *value, char *why, size_t n)
{
	struct mount_entry m;
	int fd, r;

	if (mounts_parse(value, &m) < 0)
		return why_fail(why, n, -EINVAL, "invalid mount '%s'", value);
	/* The store is checked where it is known, at start and by lxmgr mount. */
	fd = mounts_source_open(m.src, /* store= */ NULL, why, n);
	if (fd < 0)
		return LX_ERRNO(fd);
	r = check_owner_source(&m, fd, why, n);
	(void)close(fd);
	return LX_ERRNO(r);
}

int mounts_check_host_device(const char *value, char *why, size_t n)
{
	struct stat st;
	int r;

	if (!mounts_device_is_valid(value))
		return why_fail(why, n, -EINVAL, "invalid device '%s'", value);
	r = mounts_device_stat(value, &st);
	if (r == -ENODEV)
		return why_fail(why, n, -EINVAL, "%s is not a character device", value);
	if (r < 0)
		return why_fail(why, n, r, "device %s: %s", value, strerror(-r));
	return 0;
}

int mounts_device_stat(const char *path, struct stat *ret)
{
	if (stat(path, ret) < 0)
		return -errno;
	return S_ISCHR(ret->st_mode) ? 0 : -ENODEV;
}

static int open_tree_for(const struct mount_entry *m, int srcfd, int userns_fd)
{
	return rootfs_open_idmapped_fd(srcfd, userns_fd,
				       MOUNT_ATTR_NODEV | (m->ro ? MOUNT_ATTR_RDONLY : 0));
}

struct share_map {
	uint32_t uid_inside, uid_outside, gid_inside, gid_outside, count;
};

static int make_userns(const struct share_map *map);

/* uid and primary gid of user in the rootfs's /etc/passwd; -ESRCH when absent. */
static int guest_user(const char *rootfs, const char *user, uint32_t *ret_uid, uint32_t *ret_gid)
{
	_cleanup_close_ int rootfd = -EBADF;
	_cleanup_free_ char *text = NULL;
	size_t len, n = strlen(user);
	int r;

	rootfd = NEG_ERRNO(open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC));
	if (rootfd < 0)
		return rootfd;
	r = read_file_in_root(rootfd, "/etc/passwd", O_NOFOLLOW, 1 << 20, &text, &len);
	if (r < 0)
		return r;
	for (char *line = text, *nl; line && *line; line = nl ? nl + 1 : NULL) {
		unsigned long uid, gid;
		char *pw, *end;

		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (strncmp(line, user, n) != 0 || line[n] != ':' ||
		    !(pw = strchr(line + n + 1, ':')))
			continue;
		uid = strtoul(pw + 1, &end, 10);
		if (*end != ':')
			continue;
		gid = strtoul(end + 1, &end, 10);
		if (*end != ':' || uid > UINT32_MAX || gid > UINT32_MAX)
			continue;
		*ret_uid = (uint32_t)uid;
		*ret_gid = (uint32_t)gid;
		return 0;
	}
	return -ESRCH;
}

/* owner=USER: the host owner of the source (srcfd) and its group are USER and USER's group
 * inside, and nothing else is mapped; else the container's map without its root. */
static int share_userns(const struct container_config *c, const char *rootfs,
			const struct mount_entry *m, int srcfd)
{
	struct share_map map = {1, c->uid_base + 1, 1, c->gid_base + 1, c->id_count - 1};
	uint32_t uid, gid;
	struct stat st;
	int r;

	if (c->id_count < 2)
		return -EINVAL;
	if (m->owner[0]) {
		r = guest_user(rootfs, m->owner, &uid, &gid);
		if (r < 0)
			return r;
		if (fstat(srcfd, &st) < 0)
			return -errno;
		if (uid == 0 || gid == 0 || uid >= c->id_count || gid >= c->id_count)
			return -ERANGE;
		map = (struct share_map){st.st_uid, c->uid_base + uid, st.st_gid, c->gid_base + gid,
					 1};
	}
	return make_userns(&map);
}

int mounts_open_tree(const struct container_config *c, const char *rootfs, const char *const *store,
		     const struct mount_entry *m, char *why, size_t n)
{
	_cleanup_close_ int srcfd = -EBADF, userns = -EBADF;
	int r;

	/* Resolved once; from here on only the fd, never m->src, names the source. */
	srcfd = mounts_source_open(m->src, store, why, n);
	if (srcfd < 0)
		return srcfd;
	r = check_owner_source(m, srcfd, why, n);
	if (r < 0)
		return r;
	userns = share_userns(c, rootfs, m, srcfd);
	if (userns < 0)
		return userns;
	return open_tree_for(m, srcfd, userns);
}

int mounts_open_trees(const struct container_config *c, const char *rootfs,
		      const char *const *store, int ret_fds[CONFIG_ENTRIES_MAX],
		      struct mounts_failure *ret_failed)
{
	for (size_t i = 0; i < CONFIG_ENTRIES_MAX; i++)
		ret_fds[i] = -EBADF;
	for (size_t i = 0; i < CONFIG_ENTRIES_MAX; i++) {
		struct mount_entry m;
		int r;

		if (!c->mounts[i].name)
			continue;
		ret_failed->slot = i;
		r = mounts_parse(c->mounts[i].value, &m);
		if (r >= 0)
			r = mounts_open_tree(c, rootfs, store, &m, ret_failed->why,
					     sizeof(ret_failed->why));
		if (r < 0)
			return r;
		ret_fds[i] = r;
	}
	return 0;
}

static int set_error(struct child_error *e, int r, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The container's map without its root: 1..count-1 inside, base+1.. outside. Root inside then
 * owns nothing on a share and cannot create files there: a share in a host user's home must
 * not receive files owned by the host's root (a set-uid root binary). */
static int write_maps(pid_t pid, const struct share_map *m)
{
	char path[64], line[64];
	int r;

	(void)snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)pid);
	(void)snprintf(line, sizeof(line), "%" PRIu32 " %" PRIu32 " %" PRIu32 "\n", m->uid_inside,
		       m->uid_outside, m->count);
	r = write_string_at(AT_FDCWD, path, line);
	if (r < 0)
		return r;
	(void)snprintf(path, sizeof(path), "/proc/%d/gid_map", (int)pid);
	(void)snprintf(line, sizeof(line), "%" PRIu32 " %" PRIu32 " %" PRIu32 "\n", m->gid_inside,
		       m->gid_outside, m->count);
	return write_string_at(AT_FDCWD, path, line);
}

/* A user namespace with the container's maps, before the container's own exists: a helper
 * unshares one and waits; we write its maps, keep a reference and kill it. */
static int make_userns(const struct share_map *map)
{
	_cleanup_close_ int ready_r = -EBADF, ready_w = -EBADF, userns = -EBADF;
	int p[2], r = 0;
	char path[64];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	ready_r = p[0];
	ready_w = p[1];
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		char ok = unshare(CLONE_NEWUSER) < 0 ? 'E' : 'K';

		(void)!write(ready_w, &ok, 1);
		for (;;)
			(void)pause();
	}
	{
		char ok = 0;

		if (read(ready_r, &ok, 1) != 1 || ok != 'K')
			r = -EPERM;
	}
	if (r >= 0)
		r = write_maps(pid, map);
	if (r >= 0) {
		(void)snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
		userns = open(path, O_RDONLY | O_CLOEXEC);
		r = userns < 0 ? -errno : 0;
	}
	(void)kill(pid, SIGKILL);
	(void)waitpid(pid, NULL, 0);
	return r < 0 ? r : TAKE_FD(userns);
}

static bool has_staged(const struct container_config *c)
{
	for (size_t i = 0; i < CONFIG_ENTRIES_MAX; i++)
		if (c->mounts[i].name || c->devices[i].name)
			return true;
	return false;
}

/* A nested lxmgr (in a user namespace) cannot mknod: the node it was given, bound. */
static int bind_node(const char *node, const char *path)
{
	_cleanup_close_ int fd = -EBADF;

	fd = NEG_ERRNO(open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
	if (fd < 0)
		return fd;
	return NEG_ERRNO(mount(node, path, NULL, MS_BIND, NULL));
}

/* device.NAME: a node of our own with the host node's type, number and mode, owned by the
 * container's root. Not the host's inode: that one is owned by the host's root, which a
 * user namespace shows as nobody, and devtmpfs cannot be idmapped (EINVAL), so root inside
 * could not open a 0600 node such as /dev/fuse. What it reaches is bounded by the devices
 * cgroup (cgroup-devices.c), which allows exactly these numbers. */
static int stage_devices(const struct container_config *c, struct mounts_failure *ret_failed)
{
	char path[64];
	struct stat st;
	int r;

	for (size_t i = 0; i < CONFIG_ENTRIES_MAX; i++) {
		if (!c->devices[i].name)
			continue;
		ret_failed->slot = CONFIG_ENTRIES_MAX + i;
		r = mounts_device_stat(c->devices[i].value, &st);
		if (r < 0)
			return r;
		(void)snprintf(path, sizeof(path), "%s/dev-%zu", MOUNTS_STAGE_DIR, i);
		r = NEG_ERRNO(mknod(path, S_IFCHR | (st.st_mode & 0777), st.st_rdev));
		if (r == -EPERM)
			r = bind_node(c->devices[i].value, path);
		else if (r >= 0 && (chmod(path, st.st_mode & 0777) < 0 ||
				    chown(path, c->uid_base, c->gid_base) < 0))
			r = -errno;
		if (r < 0)
			return r;
	}
	ret_failed->slot = SIZE_MAX;
	return 0;
}

/* In our private mount namespace: a tmpfs at MOUNTS_STAGE_DIR, tree i at its entry i. */
static int stage_trees(const int fds[CONFIG_ENTRIES_MAX])
{
	char path[64];
	struct stat st;

	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
		return -errno;
	/* Not nodev: the device.* nodes are made here (stage_devices). */
	if (mount("tmpfs", MOUNTS_STAGE_DIR, "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755,size=64k") <
	    0)
		return -errno;
	for (size_t i = 0; i < CONFIG_ENTRIES_MAX; i++) {
		if (fds[i] < 0)
			continue;
		(void)snprintf(path, sizeof(path), "%s/%zu", MOUNTS_STAGE_DIR, i);
		if (fstat(fds[i], &st) < 0)
			return -errno;
		if (S_ISDIR(st.st_mode) ? mkdir(path, 0755) < 0
					: mknod(path, S_IFREG | 0644, 0) < 0)
			return -errno;
		if (syscall(SYS_move_mount, fds[i], "", AT_FDCWD, path, MOVE_MOUNT_F_EMPTY_PATH) <
		    0)
			return -errno;
	}
	return 0;
}

int mounts_stage(const struct container_config *c, const char *rootfs, const char *const *store,
		 int *ret_hostns, struct mounts_failure *ret_failed)
{
	_cleanup_(mounts_close_fds) int fds[CONFIG_ENTRIES_MAX];
	_cleanup_close_ int hostns = -EBADF;
	int r;

	*ret_hostns = -EBADF;
	for (size_t i = 0; i < CONFIG_ENTRIES_MAX; i++)
		fds[i] = -EBADF;
	*ret_failed = (struct mounts_failure){.slot = SIZE_MAX};
	if (!has_staged(c))
		return 0;
	r = mounts_open_trees(c, rootfs, store, fds, ret_failed);
	if (r < 0)
		return r;
	ret_failed->slot = SIZE_MAX;
	hostns = NEG_ERRNO(open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC));
	if (hostns < 0)
		return hostns;
	if (mkdir(MOUNTS_STAGE_DIR, 0755) < 0 && errno != EEXIST)
		return -errno;
	if (unshare(CLONE_NEWNS) < 0)
		return -errno;
	*ret_hostns = TAKE_FD(hostns);
	r = stage_trees(fds);
	return r < 0 ? r : stage_devices(c, ret_failed);
}

void mounts_unstage(int hostns)
{
	if (hostns < 0)
		return;
	/* Our private namespace goes with us: the staged trees live on in the child's copy. */
	if (setns(hostns, CLONE_NEWNS) < 0)
		abort(); /* a monitor left in a private mount namespace would be a bug */
	(void)close(hostns);
}

void mounts_stage_remove(int dirfd)
{
	(void)unlinkat(dirfd, MOUNTS_STAGE_DIR, AT_REMOVEDIR);
}

static int open_staged(bool dev, size_t i, int *ret_fd)
{
	char path[64];

	(void)snprintf(path, sizeof(path), "%s/%s%zu", MOUNTS_STAGE_DIR, dev ? "dev-" : "", i);
	*ret_fd = (int)syscall(SYS_open_tree, AT_FDCWD, path,
			       OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
	return *ret_fd < 0 ? -errno : 0;
}

int mounts_open_staged(const struct container_config *c, int ret_fds[CONFIG_ENTRIES_MAX],
		       int ret_dev_fds[CONFIG_ENTRIES_MAX], struct child_error *e)
{
	for (size_t i = 0; i < CONFIG_ENTRIES_MAX; i++)
		ret_fds[i] = ret_dev_fds[i] = -EBADF;
	for (size_t i = 0; i < CONFIG_ENTRIES_MAX; i++) {
		if (c->mounts[i].name && open_staged(false, i, &ret_fds[i]) < 0)
			return set_error(e, -errno, "mount.%s: clone the staged tree",
					 c->mounts[i].name);
		if (c->devices[i].name && open_staged(true, i, &ret_dev_fds[i]) < 0)
			return set_error(e, -errno, "device.%s: clone the staged node",
					 c->devices[i].name);
	}
	return 0;
}

void mounts_close_fds(int (*fds)[CONFIG_ENTRIES_MAX])
{
	for (size_t i = 0; i < CONFIG_ENTRIES_MAX; i++)
		if ((*fds)[i] >= 0) {
			(void)close((*fds)[i]);
			(*fds)[i] = -EBADF;
		}
}

static int set_error(struct child_error *e, int r, const char *fmt, ...)
{
	va_list ap;

	(void)snprintf(e->where, sizeof(e->where), "mounts");
	va_start(ap, fmt);
	(void)vsnprintf(e->text, sizeof(e->text), fmt, ap);
	va_end(ap);
	return r;
}

/* One component below dirfd, never through a symlink; created (a directory, or an empty file
 * for the last component when the source is one) when missing. */
static int open_component(int dirfd, const char *name, bool last, bool file, bool create)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC | O_NOFOLLOW,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	int fd;

	fd = NEG_ERRNO((int)syscall(SYS_openat2, dirfd, name, &how, sizeof(how)));
	if (fd != -ENOENT || !create)
		return fd;
	if (last && file) {
		fd = NEG_ERRNO(openat(dirfd, name,
				      O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
		if (fd < 0)
			return fd;
		(void)close(fd);
	} else if (mkdirat(dirfd, name, 0755) < 0 && errno != EEXIST) {
		return -errno;
	}
	return NEG_ERRNO((int)syscall(SYS_openat2, dirfd, name, &how, sizeof(how)));
}

int mounts_open_target(int rootfd, const char *dst, bool file, bool create)
{
	_cleanup_free_ char *copy = NULL;
	_cleanup_close_ int dirfd = -EBADF;
	char *save = NULL, *name, *next;
	int fd;

	copy = strdup(dst);
	if (!copy)
		return -ENOMEM;
	dirfd = NEG_ERRNO(fcntl(rootfd, F_DUPFD_CLOEXEC, 3));
	if (dirfd < 0)
		/* cppcheck-suppress memleak ; copy is _cleanup_free_ */
		return dirfd;
	for (name = strtok_r(copy, "/", &save); name; name = next) {
		struct stat st;

		next = strtok_r(NULL, "/", &save);
		fd = open_component(dirfd, name, !next, file, create);
		if (fd < 0)
			return fd;
		if (fstat(fd, &st) < 0 || S_ISLNK(st.st_mode)) {
			(void)close(fd);
			return -ELOOP;
		}
		(void)close(dirfd);
		dirfd = fd;
	}
	return TAKE_FD(dirfd);
}

int mounts_attach(const char *root, const struct container_config *c,
		  const int fds[CONFIG_ENTRIES_MAX], struct child_error *e)
{
	_cleanup_close_ int rootfd = -EBADF;

	rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return set_error(e, -errno, "open the rootfs");
	for (size_t i = 0; i < CONFIG_ENTRIES_MAX; i++) {
		_cleanup_close_ int target = -EBADF;
		struct mount_entry m;
		struct stat st;

		if (!c->mounts[i].name || fds[i] < 0)
			continue;
		if (mounts_parse(c->mounts[i].value, &m) < 0 || fstat(fds[i], &st) < 0)
			return set_error(e, -EINVAL, "mount.%s: bad entry", c->mounts[i].name);
		target =
			mounts_open_target(rootfd, m.dst, !S_ISDIR(st.st_mode), /* create= */ true);
		if (target == -ELOOP)
			return set_error(e, LX_SYNTHETIC(-ELOOP),
					 "mount.%s: target %s holds a symlink, refused",
					 c->mounts[i].name, m.dst);
		if (target < 0)
			return set_error(e, target, "mount.%s: target %s", c->mounts[i].name,
					 m.dst);
		if (syscall(SYS_move_mount, fds[i], "", target, "",
			    MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
			return set_error(e, -errno, "mount.%s: attach %s at %s", c->mounts[i].name,
					 m.src, m.dst);
	}
	return 0;
}
