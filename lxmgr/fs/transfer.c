/* transfer.c: lxmgr file push/pull: copies through the container's root fd, never out of it. */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "fs/transfer.h"
#include "base/util.h"

#define LOG_STEP "file"

/* One copy in progress: what it copies and how far the walk is. */
struct walk {
	const struct lxmgr_ctx *ctx;
	const struct transfer_root *root;
	const struct transfer_opts *opts;
	struct transfer_error *e;
	unsigned tmp_counter;
	uint64_t top_mnt;    /* pull: the mount of the top directory inside */
	char path[PATH_MAX]; /* the path being copied, for messages */
};

static __attribute__((format(printf, 3, 4))) int fail(struct walk *w, int r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(w->e->text, sizeof(w->e->text), fmt, ap);
	va_end(ap);
	return r;
}

/* Appends /name to w->path; returns the old length to restore it with path_pop. */
static size_t path_push(struct walk *w, const char *name)
{
	size_t len = strlen(w->path);

	(void)snprintf(w->path + len, sizeof(w->path) - len, "%s%s",
		       len && w->path[len - 1] == '/' ? "" : "/", name);
	return len;
}

static void path_pop(struct walk *w, size_t len)
{
	w->path[len] = '\0';
}

static int copy_data(int in, int out)
{
	char buf[65536];

	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));
		int r;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		r = write_all(out, buf, (size_t)n);
		if (r < 0)
			return r;
	}
}

/* The last component of path, trailing slashes ignored, copied into buf ("" for "/"). */
static const char *last_name(const char *path, char buf[static NAME_MAX + 1])
{
	size_t len = strlen(path), start;

	while (len > 1 && path[len - 1] == '/')
		len--;
	start = len;
	while (start > 0 && path[start - 1] != '/')
		start--;
	if (len - start > NAME_MAX)
		len = start + NAME_MAX;
	memcpy(buf, path + start, len - start);
	buf[len - start] = '\0';
	return buf;
}

static bool name_is_dots(const char *name)
{
	return !*name || !strcmp(name, ".") || !strcmp(name, "..");
}

static uid_t own_uid(const struct walk *w)
{
	return w->opts->uid + w->root->uid_add;
}

static gid_t own_gid(const struct walk *w)
{
	return w->opts->gid + w->root->gid_add;
}

/* ---- push: host -> container ---- */

/* Writes in to dirfd/leaf inside: a new file made beside it (O_EXCL|O_NOFOLLOW), then renamed
 * over leaf, so that whatever leaf was (a symlink too) is replaced and never written through. */
static int push_file(struct walk *w, int in, const struct stat *st, int dirfd, const char *leaf)
{
	_cleanup_close_ int fd = -EBADF;
	mode_t mode = w->opts->mode >= 0 ? (mode_t)w->opts->mode : st->st_mode & 0777;
	struct stat old;
	char tmp[64];
	int r;

	if (fstatat(dirfd, leaf, &old, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(old.st_mode))
		return fail(w, LX_SYNTHETIC(-EISDIR), "%s is a directory in the container",
			    w->path);
	(void)snprintf(tmp, sizeof(tmp), ".lxmgr-push-%d-%u", (int)getpid(), w->tmp_counter++);
	fd = NEG_ERRNO(
		openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
	if (fd < 0)
		return fail(w, fd, "create %s in the container", w->path);
	r = copy_data(in, fd);
	/* chown before chmod: a chown clears the set-id bits. */
	if (r >= 0)
		r = NEG_ERRNO(fchown(fd, own_uid(w), own_gid(w)));
	if (r >= 0)
		r = NEG_ERRNO(fchmod(fd, mode));
	if (r >= 0)
		r = NEG_ERRNO(renameat(dirfd, tmp, dirfd, leaf));
	if (r < 0) {
		(void)unlinkat(dirfd, tmp, 0);
		return fail(w, r, "write %s in the container", w->path);
	}
	return 0;
}

static int push_symlink(struct walk *w, int srcdir, const char *name, int dirfd, const char *leaf)
{
	char target[PATH_MAX], tmp[64];
	struct stat old;
	ssize_t n;
	int r;

	n = readlinkat(srcdir, name, target, sizeof(target) - 1);
	if (n < 0)
		return fail(w, -errno, "read the symlink %s", w->path);
	target[n] = '\0';
	if (fstatat(dirfd, leaf, &old, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(old.st_mode))
		return fail(w, LX_SYNTHETIC(-EISDIR), "%s is a directory in the container",
			    w->path);
	(void)snprintf(tmp, sizeof(tmp), ".lxmgr-push-%d-%u", (int)getpid(), w->tmp_counter++);
	r = NEG_ERRNO(symlinkat(target, dirfd, tmp));
	if (r >= 0)
		r = NEG_ERRNO(fchownat(dirfd, tmp, own_uid(w), own_gid(w), AT_SYMLINK_NOFOLLOW));
	if (r >= 0)
		r = NEG_ERRNO(renameat(dirfd, tmp, dirfd, leaf));
	if (r < 0) {
		(void)unlinkat(dirfd, tmp, 0);
		return fail(w, r, "make the symlink %s in the container", w->path);
	}
	return 0;
}

static int push_entry(struct walk *w, int srcdir, const char *name, int dirfd, const char *leaf,
		      bool top);

/* The entries of the host directory in, into the container's directory out. */
static int push_children(struct walk *w, int in, int out)
{
	_cleanup_closedir_ DIR *d = NULL;
	int fd = fcntl(in, F_DUPFD_CLOEXEC, 3), r = 0;
	struct dirent *de;

	if (fd < 0 || !(d = fdopendir(fd))) {
		r = -errno;
		if (fd >= 0)
			(void)close(fd);
		return fail(w, r, "read the directory %s", w->path);
	}
	while (r >= 0 && (errno = 0, de = readdir(d))) {
		size_t len;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		len = path_push(w, de->d_name);
		r = push_entry(w, in, de->d_name, out, de->d_name, /* top= */ false);
		path_pop(w, len);
	}
	if (r >= 0 && errno)
		return fail(w, -errno, "read the directory %s", w->path);
	return r;
}

static int push_dir(struct walk *w, int in, const struct stat *st, int dirfd, const char *leaf)
{
	_cleanup_close_ int out = -EBADF;
	bool made = mkdirat(dirfd, leaf, 0700) == 0;
	int r;

	if (!made && errno != EEXIST)
		return fail(w, -errno, "make the directory %s in the container", w->path);
	/* An existing leaf must be a directory itself, not a symlink to one. */
	out = NEG_ERRNO(openat(dirfd, leaf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
	if (out == -ENOTDIR || out == -ELOOP)
		return fail(w, LX_SYNTHETIC(-ENOTDIR),
			    "%s exists in the container and is not a directory", w->path);
	if (out < 0)
		return fail(w, out, "open the directory %s in the container", w->path);
	if (made && fchown(out, own_uid(w), own_gid(w)) < 0)
		return fail(w, -errno, "chown the directory %s in the container", w->path);
	r = push_children(w, in, out);
	if (r >= 0 && made && fchmod(out, st->st_mode & 0777) < 0)
		return fail(w, -errno, "chmod the directory %s in the container", w->path);
	return r;
}

/* srcdir/name of the host (followed when top: the user named it) to dirfd/leaf inside. */
static int push_entry(struct walk *w, int srcdir, const char *name, int dirfd, const char *leaf,
		      bool top)
{
	int nofollow = top ? 0 : O_NOFOLLOW;
	_cleanup_close_ int in = -EBADF;
	struct stat st;

	if (fstatat(srcdir, name, &st, top ? 0 : AT_SYMLINK_NOFOLLOW) < 0)
		return fail(w, -errno, "%s", name);
	if (S_ISLNK(st.st_mode))
		return push_symlink(w, srcdir, name, dirfd, leaf);
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
		if (top)
			return fail(w, LX_SYNTHETIC(-EINVAL),
				    "%s is not a regular file or a directory", name);
		lx_warn(w->ctx, 0, "skip %s: not a regular file, directory or symlink", w->path);
		return 0;
	}
	if (S_ISDIR(st.st_mode) && !w->opts->recursive)
		return fail(w, LX_SYNTHETIC(-EISDIR), "%s is a directory (use -r)", name);
	in = NEG_ERRNO(openat(srcdir, name,
			      (S_ISDIR(st.st_mode) ? O_DIRECTORY : O_NOCTTY) | O_RDONLY |
				      O_CLOEXEC | nofollow));
	if (in < 0)
		return fail(w, in, "open %s", name);
	if (fstat(in, &st) < 0)
		return fail(w, -errno, "stat %s", name);
	return S_ISDIR(st.st_mode) ? push_dir(w, in, &st, dirfd, leaf)
				   : push_file(w, in, &st, dirfd, leaf);
}

/* Every source exists and is of a kind push copies, before anything is written. */
static int push_check_sources(struct walk *w, char *const *srcs, int n)
{
	for (int i = 0; i < n; i++) {
		char name[NAME_MAX + 1];
		struct stat st;

		if (stat(srcs[i], &st) < 0)
			return fail(w, -errno, "%s", srcs[i]);
		if (S_ISDIR(st.st_mode) && !w->opts->recursive)
			return fail(w, LX_SYNTHETIC(-EISDIR), "%s is a directory (use -r)",
				    srcs[i]);
		if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))
			return fail(w, LX_SYNTHETIC(-EINVAL),
				    "%s is not a regular file or a directory", srcs[i]);
		if (name_is_dots(last_name(srcs[i], name)))
			return fail(w, LX_SYNTHETIC(-EINVAL),
				    "%s: name the source by its own name, not '.', '..' or '/'",
				    srcs[i]);
	}
	return 0;
}

/* Where dest lands: an existing directory inside (*ret_leaf NULL), or its parent and the last
 * name (a file to make or replace). */
static int push_target(struct walk *w, const char *dest, int n, int *ret_dir, char *leaf)
{
	size_t len = strlen(dest);
	bool slash = len > 0 && dest[len - 1] == '/';
	_cleanup_free_ char *parent = NULL;
	int fd;

	fd = open_in_root(w->root->rootfd, dest, O_PATH | O_DIRECTORY, 0);
	if (fd >= 0) {
		*ret_dir = fd;
		leaf[0] = '\0';
		return 0;
	}
	if (slash || (fd != -ENOENT && fd != -ENOTDIR))
		return fail(w, fd, "%s in the container", dest);
	if (n > 1)
		return fail(w, LX_SYNTHETIC(-ENOTDIR),
			    "%s is not a directory in the container (several sources)", dest);
	(void)last_name(dest, leaf);
	if (name_is_dots(leaf))
		return fail(w, LX_SYNTHETIC(-EINVAL), "%s: not a file name", dest);
	parent = strndup(dest, (size_t)(strrchr(dest, '/') - dest) + 1);
	if (!parent)
		return fail(w, -ENOMEM, "out of memory");
	fd = open_in_root(w->root->rootfd, parent, O_PATH | O_DIRECTORY, 0);
	if (fd == -ENOENT)
		return fail(w, LX_SYNTHETIC(fd),
			    "the target directory %s does not exist in the "
			    "container",
			    parent);
	if (fd < 0)
		return fail(w, fd, "%s in the container", parent);
	*ret_dir = fd;
	return 0;
}

int transfer_push(const struct lxmgr_ctx *ctx, const struct transfer_root *root, char *const *srcs,
		  int n, const char *dest, const struct transfer_opts *opts,
		  struct transfer_error *e)
{
	struct walk w = {.ctx = ctx, .root = root, .opts = opts, .e = e};
	_cleanup_close_ int dir = -EBADF;
	char leaf[NAME_MAX + 1];
	int r;

	if (dest[0] != '/')
		return fail(&w, LX_SYNTHETIC(-EINVAL), "%s: the path inside must be absolute",
			    dest);
	r = push_check_sources(&w, srcs, n);
	if (r >= 0)
		r = push_target(&w, dest, n, &dir, leaf);
	for (int i = 0; r >= 0 && i < n; i++) {
		char name[NAME_MAX + 1];
		const char *to = leaf[0] ? leaf : last_name(srcs[i], name);

		(void)snprintf(w.path, sizeof(w.path), "%s", dest);
		if (!leaf[0])
			(void)path_push(&w, to);
		r = push_entry(&w, AT_FDCWD, srcs[i], dir, to, /* top= */ true);
	}
	return r;
}

/* ---- pull: container -> host ---- */

static int reopen(int pathfd, int flags)
{
	char p[64];

	(void)snprintf(p, sizeof(p), "/proc/self/fd/%d", pathfd);
	return NEG_ERRNO(open(p, flags | O_CLOEXEC));
}

static int mount_id(int fd, uint64_t *ret)
{
	struct statx stx;

	if (statx(fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC, STATX_MNT_ID, &stx) < 0)
		return -errno;
	*ret = stx.stx_mnt_id;
	return 0;
}

static int pull_entry(struct walk *w, int fd, const struct stat *st, int dirfd, const char *leaf,
		      bool top);

static int pull_children(struct walk *w, int in, int out)
{
	_cleanup_closedir_ DIR *d = NULL;
	int fd = reopen(in, O_RDONLY | O_DIRECTORY), r = 0;
	struct dirent *de;

	if (fd < 0 || !(d = fdopendir(fd))) {
		r = fd < 0 ? fd : -errno;
		if (fd >= 0)
			(void)close(fd);
		return fail(w, r, "read the directory %s in the container", w->path);
	}
	while (r >= 0 && (errno = 0, de = readdir(d))) {
		_cleanup_close_ int child = -EBADF;
		struct stat st;
		size_t len;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		len = path_push(w, de->d_name);
		/* One component, not followed: nothing leads out of the directory. */
		child = NEG_ERRNO(openat(in, de->d_name, O_PATH | O_NOFOLLOW | O_CLOEXEC));
		if (child < 0 || fstat(child, &st) < 0)
			r = fail(w, child < 0 ? child : -errno, "open %s in the container",
				 w->path);
		else
			r = pull_entry(w, child, &st, out, de->d_name, /* top= */ false);
		path_pop(w, len);
	}
	if (r >= 0 && errno)
		return fail(w, -errno, "read the directory %s in the container", w->path);
	return r;
}

static int pull_dir(struct walk *w, int fd, const struct stat *st, int dirfd, const char *leaf,
		    bool top)
{
	_cleanup_close_ int out = -EBADF;
	uint64_t mnt = 0;
	int r = 0;

	if (mkdirat(dirfd, leaf, 0700) < 0 && errno != EEXIST)
		return fail(w, -errno, "make the directory %s", leaf);
	out = NEG_ERRNO(
		openat(dirfd, leaf, O_RDONLY | O_DIRECTORY | O_CLOEXEC | (top ? 0 : O_NOFOLLOW)));
	if (out < 0)
		return fail(w, out, "open the directory %s", leaf);
	(void)mount_id(fd, &mnt);
	if (top)
		w->top_mnt = mnt;
	/* As cp -x: /proc, /sys and the shares of a running container are not copied. */
	if (mnt != w->top_mnt)
		lx_warn(w->ctx, 0, "%s is another mount in the container: made empty", w->path);
	else
		r = pull_children(w, fd, out);
	if (r >= 0 && fchmod(out, (st->st_mode & 0777) | 0700) < 0)
		return fail(w, -errno, "chmod the directory %s", leaf);
	return r;
}

static int pull_file(struct walk *w, int fd, const struct stat *st, int dirfd, const char *leaf,
		     bool top)
{
	_cleanup_close_ int in = reopen(fd, O_RDONLY | O_NOCTTY), out = -EBADF;
	int r;

	if (in < 0)
		return fail(w, in, "open %s in the container", w->path);
	if (!leaf) {
		r = copy_data(in, STDOUT_FILENO);
		return r < 0 ? fail(w, r, "copy %s to stdout", w->path) : 0;
	}
	out = NEG_ERRNO(openat(dirfd, leaf,
			       O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | (top ? 0 : O_NOFOLLOW),
			       st->st_mode & 0777));
	if (out < 0)
		return fail(w, out, "create %s", leaf);
	r = copy_data(in, out);
	if (r >= 0)
		r = NEG_ERRNO(fchmod(out, st->st_mode & 0777));
	return r < 0 ? fail(w, r, "copy %s from the container", w->path) : 0;
}

static int pull_symlink(struct walk *w, int fd, int dirfd, const char *leaf)
{
	char target[PATH_MAX];
	ssize_t n = readlinkat(fd, "", target, sizeof(target) - 1);
	struct stat old;

	if (n < 0)
		return fail(w, -errno, "read the symlink %s in the container", w->path);
	target[n] = '\0';
	if (fstatat(dirfd, leaf, &old, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(old.st_mode))
		(void)unlinkat(dirfd, leaf, 0);
	if (symlinkat(target, dirfd, leaf) < 0)
		return fail(w, -errno, "make the symlink %s", leaf);
	return 0;
}

/* fd (O_PATH) inside, of type st, to dirfd/leaf of the host (leaf NULL: stdout). */
static int pull_entry(struct walk *w, int fd, const struct stat *st, int dirfd, const char *leaf,
		      bool top)
{
	if (S_ISREG(st->st_mode))
		return pull_file(w, fd, st, dirfd, leaf, top);
	if (S_ISDIR(st->st_mode) && !w->opts->recursive)
		return fail(w, LX_SYNTHETIC(-EISDIR), "%s is a directory in the container (use -r)",
			    w->path);
	if (S_ISDIR(st->st_mode) && !leaf)
		return fail(w, LX_SYNTHETIC(-EISDIR), "%s is a directory: not to stdout", w->path);
	if (S_ISDIR(st->st_mode))
		return pull_dir(w, fd, st, dirfd, leaf, top);
	if (S_ISLNK(st->st_mode) && !top)
		return pull_symlink(w, fd, dirfd, leaf);
	if (top)
		return fail(w, LX_SYNTHETIC(-EINVAL),
			    "%s is not a regular file or a directory in the container", w->path);
	lx_warn(w->ctx, 0, "skip %s: not a regular file, directory or symlink", w->path);
	return 0;
}

/* Where dest lands on the host: an existing directory (leaf: src's last name), else its parent
 * and its last name. */
static int pull_target(struct walk *w, const char *src, const char *dest, int *ret_dir, char *leaf)
{
	_cleanup_free_ char *parent = NULL;
	const char *slash;
	int fd;

	fd = NEG_ERRNO(open(dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	if (fd >= 0) {
		*ret_dir = fd;
		if (name_is_dots(last_name(src, leaf)))
			return fail(w, LX_SYNTHETIC(-EINVAL),
				    "%s: name the local target, the source has no name of its own",
				    src);
		return 0;
	}
	if (fd != -ENOENT && fd != -ENOTDIR)
		return fail(w, fd, "%s", dest);
	if (name_is_dots(last_name(dest, leaf)))
		return fail(w, LX_SYNTHETIC(-EINVAL), "%s: not a file name", dest);
	slash = strrchr(dest, '/');
	parent = slash ? strndup(dest, (size_t)(slash - dest) + 1) : strdup(".");
	if (!parent)
		return fail(w, -ENOMEM, "out of memory");
	fd = NEG_ERRNO(open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	if (fd == -ENOENT)
		return fail(w, LX_SYNTHETIC(fd), "the local directory %s does not exist", parent);
	if (fd < 0)
		return fail(w, fd, "%s", parent);
	*ret_dir = fd;
	return 0;
}

int transfer_pull(const struct lxmgr_ctx *ctx, const struct transfer_root *root, const char *src,
		  const char *dest, const struct transfer_opts *opts, struct transfer_error *e)
{
	struct walk w = {.ctx = ctx, .root = root, .opts = opts, .e = e};
	_cleanup_close_ int fd = -EBADF, dir = -EBADF;
	char leaf[NAME_MAX + 1];
	struct stat st;
	int r;

	if (src[0] != '/')
		return fail(&w, LX_SYNTHETIC(-EINVAL), "%s: the path inside must be absolute", src);
	(void)snprintf(w.path, sizeof(w.path), "%s", src);
	fd = open_in_root(root->rootfd, src, O_PATH, 0);
	if (fd == -ENOENT)
		return fail(&w, LX_SYNTHETIC(fd), "%s does not exist in the container", src);
	if (fd < 0 || fstat(fd, &st) < 0)
		return fail(&w, fd < 0 ? fd : -errno, "%s in the container", src);
	if (!strcmp(dest, "-"))
		return pull_entry(&w, fd, &st, -EBADF, NULL, /* top= */ true);
	r = pull_target(&w, src, dest, &dir, leaf);
	return r < 0 ? r : pull_entry(&w, fd, &st, dir, leaf, /* top= */ true);
}
