/* copy.c: copying a root filesystem tree, and shifting its ownership for the fallback. */
#include <dirent.h>
#include <endian.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/posix_acl.h>
#include <linux/posix_acl_xattr.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/util.h"
#include "fs/idmap.h"
#include "image/copy-meta.h"
#include "image/copy.h"

#define REPORT_BYTES (64ULL * 1024 * 1024)
#define REPORT_FILES 2000U
#define COPY_CHUNK (1ULL << 30)

/* A path kept for error messages and hard link targets; syscalls go through dir fds. A
 * longer path could not be a linkat(2) target anyway. */
struct pathbuf {
	char s[PATH_MAX];
	size_t len, root_len;
};

/* A tsearch(3) tree of these: a rootfs may hold many thousands of hard links. */
struct link_entry {
	dev_t dev;
	ino_t ino;
	char path[]; /* relative to the destination root; empty in shift_tree */
};

struct copy_state {
	uint32_t uid_shift, gid_shift;
	dev_t dev;
	int dst_rootfd;
	const struct copy_progress *progress;
	uint64_t total, done, reported_bytes;
	unsigned files, reported_files;
	void *links;
	struct pathbuf path;
	char *failed;
};

static int path_push(struct pathbuf *p, const char *name, size_t *ret_old)
{
	size_t n = strlen(name);

	if (p->len + 1 + n >= sizeof(p->s))
		return -ENAMETOOLONG;
	*ret_old = p->len;
	p->s[p->len++] = '/';
	memcpy(p->s + p->len, name, n + 1);
	p->len += n;
	return 0;
}

static void path_pop(struct pathbuf *p, size_t old)
{
	p->len = old;
	p->s[old] = '\0';
}

static int path_init(struct pathbuf *p, const char *root)
{
	p->len = p->root_len = strlen(root);
	if (p->len >= sizeof(p->s))
		return -ENAMETOOLONG;
	memcpy(p->s, root, p->len + 1);
	return 0;
}

static int link_cmp(const void *a, const void *b)
{
	const struct link_entry *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

static const struct link_entry *link_find(void *const *root, dev_t dev, ino_t ino)
{
	const struct link_entry key = {.dev = dev, .ino = ino};
	void *const *e = tfind(&key, root, link_cmp);

	return e ? *e : NULL;
}

static int link_add(void **root, dev_t dev, ino_t ino, const char *path)
{
	size_t n = strlen(path) + 1;
	struct link_entry *e = malloc(sizeof(*e) + n);

	if (!e)
		return -ENOMEM;
	*e = (struct link_entry){.dev = dev, .ino = ino};
	memcpy(e->path, path, n);
	if (!tsearch(e, root, link_cmp)) {
		free(e);
		return -ENOMEM;
	}
	return 0;
}

static int copy_meta(const struct copy_state *s, const struct node *src, const struct node *dst,
		     const struct stat *st)
{
	int r;

	r = node_chown(dst, st, s->uid_shift, s->gid_shift);
	if (r >= 0)
		r = copy_xattrs(src, dst, s->uid_shift, s->gid_shift);
	if (r >= 0)
		r = node_chmod(dst, st);
	if (r >= 0)
		r = node_utimens(dst, st);
	return r;
}

/* aux is passed through: the destination directory of a copy. */
typedef int (*entry_fn)(void *userdata, int dirfd, int aux, const char *name);

static int for_each_entry(int fd, int aux, entry_fn fn, void *userdata)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	int dfd;

	dfd = NEG_ERRNO(fcntl(fd, F_DUPFD_CLOEXEC, 3));
	if (dfd < 0)
		return dfd;
	d = fdopendir(dfd);
	if (!d) {
		int r = -errno;

		(void)close(dfd);
		return r;
	}
	while ((errno = 0, de = readdir(d))) {
		int r;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		r = fn(userdata, fd, aux, de->d_name);
		if (r < 0)
			return r;
	}
	return errno != 0 ? -errno : 0;
}

static int open_dir_at(int dirfd, const char *name)
{
	return NEG_ERRNO(openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
}

/* A walk in place, for counting and for shift_tree: visit, then recurse on the same device. */
struct walk {
	dev_t dev;
	struct pathbuf path;
	int (*visit)(struct walk *w, int dirfd, const char *name, const struct stat *st);
	void *userdata;
	char *failed;
};

static int walk_entry(void *userdata, int dirfd, int aux, const char *name);

static int walk_inode(struct walk *w, int dirfd, const char *name)
{
	_cleanup_close_ int fd = -EBADF;
	struct stat st;
	int r;

	r = NEG_ERRNO(fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW));
	if (r < 0)
		return r;
	/* The root must be a directory itself, not a symlink to one: its owner changes too. */
	if (dirfd == AT_FDCWD && !S_ISDIR(st.st_mode))
		return -ENOTDIR;
	if (dirfd == AT_FDCWD)
		w->dev = st.st_dev;
	r = w->visit(w, dirfd, name, &st);
	if (r < 0 || !S_ISDIR(st.st_mode) || st.st_dev != w->dev)
		return r;
	fd = open_dir_at(dirfd, name);
	if (fd < 0)
		return fd;
	return for_each_entry(fd, -EBADF, walk_entry, w);
}

static int walk_entry(void *userdata, int dirfd, _unused_ int aux, const char *name)
{
	struct walk *w = userdata;
	size_t old;
	int r;

	r = path_push(&w->path, name, &old);
	if (r < 0)
		return r;
	r = walk_inode(w, dirfd, name);
	if (r < 0 && !w->failed)
		w->failed = strdup(w->path.s);
	path_pop(&w->path, old);
	return r;
}

static int walk_tree(struct walk *w, const char *root)
{
	int r = path_init(&w->path, root);

	if (r >= 0)
		r = walk_inode(w, AT_FDCWD, root);
	if (r < 0 && !w->failed)
		w->failed = strdup(root);
	return r;
}

static int count_visit(struct walk *w, _unused_ int dirfd, _unused_ const char *name,
		       const struct stat *st)
{
	if (S_ISREG(st->st_mode))
		*(uint64_t *)w->userdata += (uint64_t)st->st_size;
	return 0;
}

struct shift_state {
	uint32_t uid_shift, gid_shift;
	void *seen;
};

static int shift_acl_xattr(const struct node *n, const char *key, uint32_t uid_shift,
			   uint32_t gid_shift)
{
	_cleanup_free_ char *value = NULL;
	size_t len;
	int r;

	r = node_getxattr_alloc(n, key, &value, &len);
	if (r == -ENODATA || r == -EOPNOTSUPP)
		return 0;
	if (r < 0)
		return r;
	return node_set_shifted(n, key, value, len, uid_shift, gid_shift);
}

static int shift_node(const struct node *n, const struct stat *st, uint32_t uid_shift,
		      uint32_t gid_shift)
{
	_cleanup_free_ char *caps = NULL;
	size_t caps_len = 0;
	int r;

	/* Saved before chown(2), which removes it. */
	r = node_getxattr_alloc(n, XATTR_CAPS, &caps, &caps_len);
	if (r < 0 && r != -ENODATA && r != -EOPNOTSUPP)
		return r;
	r = node_chown(n, st, uid_shift, gid_shift);
	if (r >= 0 && caps)
		r = node_set_shifted(n, XATTR_CAPS, caps, caps_len, uid_shift, gid_shift);
	if (r >= 0 && !S_ISLNK(st->st_mode) && (uid_shift != 0 || gid_shift != 0))
		r = shift_acl_xattr(n, XATTR_ACL_ACCESS, uid_shift, gid_shift);
	if (r >= 0 && S_ISDIR(st->st_mode) && (uid_shift != 0 || gid_shift != 0))
		r = shift_acl_xattr(n, XATTR_ACL_DEFAULT, uid_shift, gid_shift);
	if (r >= 0)
		r = node_chmod(n, st);
	return r;
}

static int shift_visit(struct walk *w, int dirfd, const char *name, const struct stat *st)
{
	struct shift_state *t = w->userdata;
	const struct node n = {.fd = -EBADF, .dirfd = dirfd, .name = name};
	int r = 0;

	/* Each inode once: a second link to it would add the shift twice. */
	if (!S_ISDIR(st->st_mode) && st->st_nlink > 1) {
		if (link_find(&t->seen, st->st_dev, st->st_ino))
			return 0;
		r = link_add(&t->seen, st->st_dev, st->st_ino, "");
	}
	return r < 0 ? r : shift_node(&n, st, t->uid_shift, t->gid_shift);
}

int shift_tree(const char *path, uint32_t uid_shift, uint32_t gid_shift, char **ret_failed_path)
{
	struct shift_state t = {.uid_shift = uid_shift, .gid_shift = gid_shift};
	struct walk w = {.visit = shift_visit, .userdata = &t};
	int r;

	if (ret_failed_path)
		*ret_failed_path = NULL;
	r = walk_tree(&w, path);
	if (r < 0 && ret_failed_path)
		*ret_failed_path = TAKE_PTR(w.failed);
	tdestroy(t.seen, free);
	free(w.failed);
	return r;
}

static void copy_report(struct copy_state *s, bool force)
{
	const struct copy_progress *p = s->progress;

	if (!p || !p->report)
		return;
	if (!force && s->done - s->reported_bytes < REPORT_BYTES &&
	    s->files - s->reported_files < REPORT_FILES)
		return;
	p->report(p->userdata, s->done, s->total);
	s->reported_bytes = s->done;
	s->reported_files = s->files;
}

/* copy_file_range(2) refuses to copy between two file systems (EXDEV); sendfile(2) does
 * not, and writes at the file offset of dfd. */
static int copy_range(int sfd, int dfd, uint64_t off, uint64_t end)
{
	bool splice = false;

	while (off < end) {
		loff_t in = (loff_t)off, out = (loff_t)off;
		size_t want = end - off < COPY_CHUNK ? (size_t)(end - off) : COPY_CHUNK;
		ssize_t n;

		if (!splice)
			n = copy_file_range(sfd, &in, dfd, &out, want, 0);
		else
			n = lseek(dfd, out, SEEK_SET) < 0 ? -1 : sendfile(dfd, sfd, &in, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && !splice &&
		    (errno == EXDEV || errno == ENOSYS || errno == EOPNOTSUPP || errno == EINVAL)) {
			splice = true;
			continue;
		}
		if (n <= 0) /* 0: the source shrank under us */
			return n < 0 ? -errno : 0;
		off += (uint64_t)n;
	}
	return 0;
}

/* A reflink where the file system shares extents; else the data extents one by one, so
 * that holes stay holes, and a final ftruncate for a trailing hole. */
static int copy_data(int sfd, int dfd, uint64_t size)
{
	uint64_t off = 0;

	if (ioctl(dfd, FICLONE, sfd) >= 0)
		return 0;
	while (off < size) {
		off_t data = lseek(sfd, (off_t)off, SEEK_DATA), hole = (off_t)size;
		int r;

		if (data < 0 && errno == ENXIO)
			break;
		if (data < 0 && errno != EINVAL && errno != EOPNOTSUPP)
			return -errno;
		if (data < 0)
			data = (off_t)off;
		else
			hole = lseek(sfd, data, SEEK_HOLE);
		if (hole < 0)
			return -errno;
		if ((uint64_t)hole > size)
			hole = (off_t)size;
		r = copy_range(sfd, dfd, (uint64_t)data, (uint64_t)hole);
		if (r < 0)
			return r;
		off = (uint64_t)hole;
	}
	return NEG_ERRNO(ftruncate(dfd, (off_t)size));
}

static int copy_reg(struct copy_state *s, int sdirfd, int ddirfd, const char *name,
		    const struct stat *st)
{
	_cleanup_close_ int sfd = -EBADF, dfd = -EBADF;
	int r = 0;

	sfd = NEG_ERRNO(openat(sdirfd, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC));
	if (sfd < 0)
		return sfd;
	dfd = NEG_ERRNO(
		openat(ddirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
	if (dfd < 0)
		return dfd;
	/* A file bind-mounted over this one belongs to another mount: keep it empty. */
	if (st->st_dev == s->dev)
		r = copy_data(sfd, dfd, (uint64_t)st->st_size);
	if (r < 0)
		return r;
	return copy_meta(s, &(struct node){.fd = sfd, .dirfd = sdirfd, .name = name},
			 &(struct node){.fd = dfd, .dirfd = ddirfd, .name = name}, st);
}

static int copy_symlink(int sdirfd, int ddirfd, const char *name)
{
	char target[PATH_MAX];
	ssize_t n = readlinkat(sdirfd, name, target, sizeof(target));

	if (n < 0)
		return -errno;
	if ((size_t)n >= sizeof(target))
		return -ENAMETOOLONG;
	target[n] = '\0';
	return NEG_ERRNO(symlinkat(target, ddirfd, name));
}

static int copy_special(const struct copy_state *s, int sdirfd, int ddirfd, const char *name,
			const struct stat *st)
{
	const struct node src = {.fd = -EBADF, .dirfd = sdirfd, .name = name};
	const struct node dst = {.fd = -EBADF, .dirfd = ddirfd, .name = name};
	int r;

	if (S_ISLNK(st->st_mode))
		r = copy_symlink(sdirfd, ddirfd, name);
	else
		r = NEG_ERRNO(mknodat(ddirfd, name, (st->st_mode & S_IFMT) | 0600, st->st_rdev));
	/* Inside a container (nesting) no device node can be made; a container's /dev is a
	 * tmpfs that lxmgr fills at start, so the rootfs's own nodes are never used. */
	if (r == -EPERM && (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode)) &&
	    !idmap_in_initial_userns())
		return 0;
	if (r < 0)
		return r;
	return copy_meta(s, &src, &dst, st);
}

static int copy_entry(void *userdata, int sdirfd, int ddirfd, const char *name);

static int copy_dir(struct copy_state *s, int sfd, int dfd, const struct stat *st)
{
	int r = 0;

	if (st->st_dev == s->dev)
		r = for_each_entry(sfd, dfd, copy_entry, s);
	if (r < 0)
		return r;
	/* Only now: creating the children changed the directory's mtime. */
	return copy_meta(s, &(struct node){.fd = sfd}, &(struct node){.fd = dfd}, st);
}

static int copy_subdir(struct copy_state *s, int sdirfd, int ddirfd, const char *name,
		       const struct stat *st)
{
	_cleanup_close_ int sfd = -EBADF, dfd = -EBADF;
	int r;

	/* 0700 until copy_meta sets the real mode, after the contents. */
	r = NEG_ERRNO(mkdirat(ddirfd, name, 0700));
	if (r < 0)
		return r;
	sfd = open_dir_at(sdirfd, name);
	if (sfd < 0)
		return sfd;
	dfd = open_dir_at(ddirfd, name);
	if (dfd < 0)
		return dfd;
	return copy_dir(s, sfd, dfd, st);
}

/* Returns 1 if name became another link to an inode copied before. */
static int copy_hardlink(struct copy_state *s, int ddirfd, const char *name, const struct stat *st)
{
	const struct link_entry *e = link_find(&s->links, st->st_dev, st->st_ino);

	if (!e)
		return 0;
	return NEG_ERRNO(linkat(s->dst_rootfd, e->path, ddirfd, name, 0)) < 0 ? -errno : 1;
}

static int copy_inode(struct copy_state *s, int sdirfd, int ddirfd, const char *name,
		      const struct stat *st)
{
	bool linked = !S_ISDIR(st->st_mode) && st->st_nlink > 1;
	int r = 0;

	if (S_ISDIR(st->st_mode))
		return copy_subdir(s, sdirfd, ddirfd, name, st);
	if (linked)
		r = copy_hardlink(s, ddirfd, name, st);
	if (r == 0 && S_ISREG(st->st_mode))
		r = copy_reg(s, sdirfd, ddirfd, name, st);
	else if (r == 0)
		r = copy_special(s, sdirfd, ddirfd, name, st);
	else if (r > 0)
		linked = false;
	if (r >= 0 && linked)
		r = link_add(&s->links, st->st_dev, st->st_ino, s->path.s + s->path.root_len + 1);
	if (r < 0)
		return r;
	s->done += S_ISREG(st->st_mode) ? (uint64_t)st->st_size : 0;
	s->files++;
	copy_report(s, false);
	return 0;
}

static int copy_entry(void *userdata, int sdirfd, int ddirfd, const char *name)
{
	struct copy_state *s = userdata;
	const struct copy_progress *p = s->progress;
	struct stat st;
	size_t old;
	int r;

	if (p && p->cancelled && p->cancelled(p->userdata))
		return -EINTR;
	r = path_push(&s->path, name, &old);
	if (r < 0)
		return r;
	r = NEG_ERRNO(fstatat(sdirfd, name, &st, AT_SYMLINK_NOFOLLOW));
	if (r >= 0)
		r = copy_inode(s, sdirfd, ddirfd, name, &st);
	if (r < 0 && r != -EINTR && !s->failed)
		s->failed = strdup(s->path.s);
	path_pop(&s->path, old);
	return r;
}

static void copy_state_done(struct copy_state *s)
{
	tdestroy(s->links, free);
	free(s->failed);
}

static int copy_root(struct copy_state *s, const char *src, const char *dst)
{
	_cleanup_close_ int sfd = -EBADF, dfd = -EBADF;
	struct walk w = {.visit = count_visit, .userdata = &s->total};
	struct stat st;
	int r;

	r = walk_tree(&w, src);
	s->failed = TAKE_PTR(w.failed);
	if (r < 0)
		return r;
	sfd = open_dir_at(AT_FDCWD, src);
	if (sfd < 0)
		return sfd;
	if (fstat(sfd, &st) < 0)
		return -errno;
	s->dev = st.st_dev;
	r = NEG_ERRNO(mkdir(dst, 0700));
	if (r < 0) {
		s->failed = strdup(dst);
		return r;
	}
	dfd = open_dir_at(AT_FDCWD, dst);
	if (dfd < 0)
		return dfd;
	s->dst_rootfd = dfd;
	r = copy_dir(s, sfd, dfd, &st);
	if (r >= 0)
		copy_report(s, true);
	return r;
}

int copy_tree(const char *src, const char *dst, uint32_t uid_shift, uint32_t gid_shift,
	      const struct copy_progress *progress, char **ret_failed_path)
{
	_cleanup_(copy_state_done) struct copy_state s = {
		.uid_shift = uid_shift,
		.gid_shift = gid_shift,
		.dst_rootfd = -EBADF,
		.progress = progress,
	};
	int r;

	if (ret_failed_path)
		*ret_failed_path = NULL;
	r = path_init(&s.path, src);
	if (r < 0)
		return r;
	r = copy_root(&s, src, dst);
	if (r < 0 && r != -EINTR && !s.failed)
		s.failed = strdup(src);
	if (r < 0 && ret_failed_path)
		*ret_failed_path = TAKE_PTR(s.failed);
	return r;
}
