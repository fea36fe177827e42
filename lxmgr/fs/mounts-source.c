/* mounts-source.c: a share's host source, opened without following symlinks, and never in
 * the container store. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "base/lxmgr.h"
#include "base/util.h"
#include "fs/mounts-source.h"

void mounts_source_store(const struct lxmgr_paths *p, const char *ret[MOUNTS_STORE_DIRS_MAX])
{
	ret[0] = p->lib;
	ret[1] = p->run;
	/* A store given with --root does not make the default one any less a container's. */
	ret[2] = LXMGR_LOCALSTATEDIR "/lib/lxmgr";
	ret[3] = LXMGR_RUNSTATEDIR "/lxmgr";
	ret[4] = NULL;
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

/* No symlink anywhere, the last component included (openat2(2): without O_NOFOLLOW a
 * trailing one fails with ELOOP too), and no magic link either. */
static int open_no_symlinks(int dirfd, const char *path, int flags)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC | flags,
		.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};

	return NEG_ERRNO((int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how)));
}

/* For the message only (it decides nothing): the first prefix of src that is a symlink. */
static bool first_symlink(const char *src, char *ret, size_t n)
{
	struct stat st;

	for (const char *p = strchr(src + 1, '/');; p = strchr(p + 1, '/')) {
		size_t len = p ? (size_t)(p - src) : strlen(src);

		if (len >= n)
			return false;
		memcpy(ret, src, len);
		ret[len] = '\0';
		if (lstat(ret, &st) == 0 && S_ISLNK(st.st_mode))
			return true;
		if (!p)
			return false;
	}
}

static bool stat_is_one_of(const struct stat *st, const struct stat *dirs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (st->st_dev == dirs[i].st_dev && st->st_ino == dirs[i].st_ino)
			return true;
	return false;
}

/* 1 when dirfd or one of its ancestors is one of dirs, else 0. Walks '..' from the fd: the
 * kernel's own parent of what was opened, across mount points, whatever path named it. */
static int ancestry_meets(int dirfd, const struct stat *dirs, size_t n)
{
	_cleanup_close_ int cur = -EBADF;
	struct stat st, up;

	cur = NEG_ERRNO(fcntl(dirfd, F_DUPFD_CLOEXEC, 3));
	if (cur < 0)
		return cur;
	if (fstat(cur, &st) < 0)
		return -errno;
	for (size_t depth = 0; depth < PATH_MAX / 2; depth++) {
		int fd;

		if (stat_is_one_of(&st, dirs, n))
			return 1;
		fd = NEG_ERRNO(openat(cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC));
		if (fd < 0)
			return fd;
		(void)close(cur);
		cur = fd;
		if (fstat(cur, &up) < 0)
			return -errno;
		/* Our root is its own parent. */
		if (up.st_dev == st.st_dev && up.st_ino == st.st_ino)
			return 0;
		st = up;
	}
	return -ELOOP;
}

/* 1 when the opened source (st, below parent) is or lies below a store directory. */
static int in_store(int parent, const struct stat *st, const char *const *store)
{
	struct stat dirs[MOUNTS_STORE_DIRS_MAX];
	size_t n = 0;

	/* The store's own paths are ours to follow; one that does not exist holds nothing. */
	for (size_t i = 0; store && store[i] && n < MOUNTS_STORE_DIRS_MAX; i++)
		if (stat(store[i], &dirs[n]) == 0)
			n++;
	if (n == 0)
		return 0;
	if (stat_is_one_of(st, dirs, n))
		return 1;
	return ancestry_meets(parent, dirs, n);
}

/* src without trailing slashes, split in buf into its directory (*ret_dir) and last name
 * (*ret_leaf, "" for "/"). */
static int split(const char *src, char buf[PATH_MAX], const char **ret_dir, const char **ret_leaf)
{
	size_t len = strlen(src);
	char *slash;

	if (src[0] != '/' || len >= PATH_MAX)
		return -EINVAL;
	memcpy(buf, src, len + 1);
	while (len > 1 && buf[len - 1] == '/')
		buf[--len] = '\0';
	slash = strrchr(buf, '/');
	*slash = '\0';
	*ret_leaf = slash + 1;
	*ret_dir = slash == buf ? "/" : buf;
	return 0;
}

static int open_failed(const char *src, int r, char *why, size_t n)
{
	char link[PATH_MAX];

	if (r == -ELOOP && first_symlink(src, link, sizeof(link)))
		return why_fail(why, n, r, "source %s: %s is a symlink, refused", src, link);
	if (r == -ELOOP)
		return why_fail(why, n, r, "source %s: a component is a symlink, refused", src);
	return why_fail(why, n, r, "source %s: %s", src, strerror(-r));
}

int mounts_source_open(const char *src, const char *const *store, char *why, size_t n)
{
	_cleanup_close_ int parent = -EBADF, fd = -EBADF;
	const char *dir, *leaf;
	char buf[PATH_MAX];
	struct stat st;
	int r;

	if (n > 0)
		why[0] = '\0';
	if (split(src, buf, &dir, &leaf) < 0)
		return why_fail(why, n, LX_SYNTHETIC(-EINVAL), "invalid source '%s'", src);
	parent = open_no_symlinks(AT_FDCWD, dir, O_DIRECTORY);
	if (parent < 0)
		return open_failed(src, parent, why, n);
	/* One name below the directory just opened: nothing of the path is looked up twice. */
	fd = leaf[0] ? open_no_symlinks(parent, leaf, 0)
		     : NEG_ERRNO(fcntl(parent, F_DUPFD_CLOEXEC, 3));
	if (fd < 0)
		return open_failed(src, fd, why, n);
	if (fstat(fd, &st) < 0)
		return why_fail(why, n, -errno, "source %s: %s", src, strerror(errno));
	if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))
		return why_fail(why, n, LX_SYNTHETIC(-EINVAL),
				"source %s is not a directory or a regular file", src);
	r = in_store(parent, &st, store);
	if (r < 0)
		return why_fail(why, n, r, "source %s: look up its parents: %s", src, strerror(-r));
	if (r > 0)
		return why_fail(why, n, LX_SYNTHETIC(-EXDEV),
				"source %s lies inside the container store", src);
	return TAKE_FD(fd);
}
