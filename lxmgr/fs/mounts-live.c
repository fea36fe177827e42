/* mounts-live.c: lxmgr mount/umount: shares attached to and detached from a running container. */
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <linux/magic.h>
#include <linux/mount.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "base/lxmgr.h"
#include "base/util.h"
#include "fs/mounts-live.h"
#include "fs/mounts-source.h"
#include "store/runtime.h"
#include "store/store.h"

#define LOG_STEP "mounts"

/* What the helper process reports: r < 0 with a text, or the new mount's id. */
struct live_reply {
	int r;
	uint64_t mnt_id;
	char text[224];
};

/* The work a helper does; it runs in a forked child (setns needs a single thread). */
struct live_job {
	int pidfd;         /* the container's init */
	int tree;          /* attach: the idmapped detached tree; -EBADF for detach */
	const char *stage; /* attach: where the tree is staged in a private namespace */
	const char *dst;
	uint64_t mnt_id; /* detach: the mount that must be at dst */
};

static __attribute__((format(printf, 3, 4))) int reply_fail(struct live_reply *rep, int r,
							    const char *fmt, ...)
{
	va_list ap;

	rep->r = r;
	va_start(ap, fmt);
	(void)vsnprintf(rep->text, sizeof(rep->text), fmt, ap);
	va_end(ap);
	return r;
}

static int mount_id_of(int fd, uint64_t *ret)
{
	struct statx stx;

	if (statx(fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC, STATX_MNT_ID, &stx) < 0)
		return -errno;
	if (!(stx.stx_mask & STATX_MNT_ID))
		return -EOPNOTSUPP;
	*ret = stx.stx_mnt_id;
	return 0;
}

/* Host namespaces, forked: a private mount namespace of our own with the tree attached at
 * stage/t, on a tmpfs nobody else sees. */
static int stage_tree(const struct live_job *j, bool dir, struct live_reply *rep)
{
	char path[PATH_MAX];

	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return reply_fail(rep, -errno, "make a private mount namespace");
	/* 0711: the container's root, which owns nothing here, looks "t" up below. */
	if (mount("tmpfs", j->stage, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "mode=0711,size=64k") < 0)
		return reply_fail(rep, -errno, "mount a staging tmpfs on %s", j->stage);
	(void)snprintf(path, sizeof(path), "%s/t", j->stage);
	if (dir ? mkdir(path, 0700) < 0 : mknod(path, S_IFREG | 0600, 0) < 0)
		return reply_fail(rep, -errno, "make %s", path);
	if (syscall(SYS_move_mount, j->tree, "", AT_FDCWD, path, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return reply_fail(rep, -errno, "stage the tree at %s", path);
	/* The path above it may be closed to the container's root: the copy of our working
	 * directory in the next namespace is where we look "t" up. */
	if (chdir(j->stage) < 0)
		return reply_fail(rep, -errno, "enter %s", j->stage);
	return 0;
}

/* Into the container's user namespace as its root (files we create are its root's). */
static int enter_userns(const struct live_job *j, struct live_reply *rep)
{
	if (setns(j->pidfd, CLONE_NEWUSER) < 0)
		return reply_fail(rep, -errno, "enter the container's user namespace");
	if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
		return reply_fail(rep, -errno, "become root of the container");
	(void)setgroups(0, NULL); /* denied when the container's setgroups is "deny": harmless */
	return 0;
}

/* The kernel locks the flags of every mount it copies into a mount namespace owned by a
 * less privileged user namespace (MNT_LOCK_READONLY and friends, see mount_namespaces(7)):
 * copying our staging namespace from inside the container's user namespace does that, and a
 * clone of the copy keeps the locks. */
static int clone_locked(struct live_reply *rep)
{
	int fd;

	if (unshare(CLONE_NEWNS) < 0)
		return reply_fail(rep, -errno, "copy the staging namespace");
	fd = (int)syscall(SYS_open_tree, AT_FDCWD, "t",
			  OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
	if (fd < 0)
		return reply_fail(rep, -errno, "clone the staged tree");
	return fd;
}

/* A target on a kernel file system the container mounted itself (a bind of /proc
 * somewhere) is refused as /proc and /sys are. */
static bool on_kernel_fs(int fd)
{
	struct statfs sfs;

	if (fstatfs(fd, &sfs) < 0)
		return true;
	return sfs.f_type == PROC_SUPER_MAGIC || sfs.f_type == SYSFS_MAGIC ||
	       sfs.f_type == CGROUP2_SUPER_MAGIC || sfs.f_type == CGROUP_SUPER_MAGIC ||
	       sfs.f_type == DEVPTS_SUPER_MAGIC;
}

static int open_dst(const struct live_job *j, bool dir, bool create, struct live_reply *rep)
{
	_cleanup_close_ int rootfd = -EBADF;
	int fd;

	rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return reply_fail(rep, -errno, "open the container's root");
	fd = mounts_open_target(rootfd, j->dst, !dir, create);
	if (fd == -ELOOP)
		return reply_fail(rep, LX_SYNTHETIC(-ELOOP), "target %s holds a symlink, refused",
				  j->dst);
	if (fd == -ENOENT && !create)
		return reply_fail(rep, LX_SYNTHETIC(fd), "%s does not exist in the container",
				  j->dst);
	if (fd < 0)
		return reply_fail(rep, fd, "target %s", j->dst);
	return fd;
}

static int attach_in_child(const struct live_job *j, struct live_reply *rep)
{
	_cleanup_close_ int tree = -EBADF, target = -EBADF, after = -EBADF;
	struct stat st;
	bool dir;
	int r;

	if (fstat(j->tree, &st) < 0)
		return reply_fail(rep, -errno, "stat the tree");
	dir = S_ISDIR(st.st_mode);
	r = stage_tree(j, dir, rep);
	if (r >= 0)
		r = enter_userns(j, rep);
	if (r < 0)
		return r;
	tree = clone_locked(rep);
	if (tree < 0)
		return tree;
	if (setns(j->pidfd, CLONE_NEWNS) < 0)
		return reply_fail(rep, -errno, "enter the container's mount namespace");
	/* The container's mount namespace, its root as ours, root of its user namespace. */
	target = open_dst(j, dir, /* create= */ true, rep);
	if (target < 0)
		return target;
	if (on_kernel_fs(target))
		return reply_fail(rep, LX_SYNTHETIC(-EPERM),
				  "target %s is on a kernel file system, refused", j->dst);
	if (syscall(SYS_move_mount, tree, "", target, "",
		    MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return reply_fail(rep, -errno, "attach at %s", j->dst);
	after = open_dst(j, dir, /* create= */ false, rep);
	if (after < 0)
		return after;
	r = mount_id_of(after, &rep->mnt_id);
	if (r < 0)
		return reply_fail(rep, r, "read the id of the new mount");
	return 0;
}

static int detach_in_child(const struct live_job *j, struct live_reply *rep)
{
	_cleanup_close_ int target = -EBADF;
	uint64_t id;
	int r;

	r = enter_userns(j, rep);
	if (r < 0)
		return r;
	if (setns(j->pidfd, CLONE_NEWNS) < 0)
		return reply_fail(rep, -errno, "enter the container's mount namespace");
	target = open_dst(j, /* dir= */ true, /* create= */ false, rep);
	if (target < 0)
		return target;
	r = mount_id_of(target, &id);
	if (r < 0)
		return reply_fail(rep, r, "read the mount id of %s", j->dst);
	if (id != j->mnt_id)
		return reply_fail(rep, LX_SYNTHETIC(-ESTALE),
				  "%s is no longer the mount lxmgr made (unmounted or covered "
				  "inside): left as it is, record dropped",
				  j->dst);
	/* "." is the root of that very mount: no path is looked up again. */
	if (fchdir(target) < 0)
		return reply_fail(rep, -errno, "enter %s", j->dst);
	if (umount2(".", MNT_DETACH) < 0)
		return reply_fail(rep, -errno, "detach %s", j->dst);
	(void)!chdir("/");
	return 0;
}

/* Runs the job in a forked child and returns its reply (rep->r). */
static int run_job(const struct live_job *j, struct live_reply *rep)
{
	_cleanup_close_ int rd = -EBADF, wr = -EBADF;
	int p[2], status;
	pid_t pid;

	*rep = (struct live_reply){0};
	if (pipe2(p, O_CLOEXEC) < 0)
		return reply_fail(rep, -errno, "pipe");
	rd = p[0];
	wr = p[1];
	pid = fork();
	if (pid < 0)
		return reply_fail(rep, -errno, "fork");
	if (pid == 0) {
		struct live_reply mine = {0};

		(void)(j->tree >= 0 ? attach_in_child(j, &mine) : detach_in_child(j, &mine));
		_exit(write(wr, &mine, sizeof(mine)) == (ssize_t)sizeof(mine) ? 0 : 1);
	}
	(void)close(TAKE_FD(wr));
	if (read(rd, rep, sizeof(*rep)) != (ssize_t)sizeof(*rep))
		(void)reply_fail(rep, -EIO, "the helper died");
	(void)waitpid(pid, &status, 0);
	return rep->r;
}

int mounts_live_parse_line(const char *line, uint64_t *ret_init_start, uint64_t *ret_mnt_id,
			   char *ret_dst, char *ret_src)
{
	/* Paths hold no blanks (mounts_parse refuses them); PATH_MAX is 4096. */
	_Static_assert(PATH_MAX == 4096, "the field widths below");
	if (sscanf(line, "%" SCNu64 " %" SCNu64 " %4095s %4095s", ret_init_start, ret_mnt_id,
		   ret_dst, ret_src) != 4)
		return -EINVAL;
	return 0;
}

int mounts_live_list(const char *rundir, uint64_t init_start, char ***ret)
{
	_cleanup_free_ char *path = NULL, *text = NULL;
	_cleanup_strv_ char **v = NULL;
	size_t n = 0;
	int r;

	*ret = NULL;
	r = xasprintf(&path, "%s/" MOUNTS_LIVE_RECORD, rundir);
	if (r >= 0)
		r = read_file_at(AT_FDCWD, path, 1 << 20, &text, NULL);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	for (char *l = text, *nl; l && *l; l = nl ? nl + 1 : NULL) {
		char d[PATH_MAX], src[PATH_MAX], mode[3] = "", owner[33] = "", **nv;
		uint64_t start, id;

		nl = strchr(l, '\n');
		if (nl)
			*nl = '\0';
		if (sscanf(l, "%" SCNu64 " %" SCNu64 " %4095s %4095s %2s %32s", &start, &id, d, src,
			   mode, owner) < 5 ||
		    start != init_start)
			continue;
		nv = realloc(v, (n + 2) * sizeof(char *));
		if (!nv)
			return -ENOMEM;
		v = nv;
		r = xasprintf(&v[n], "%s:%s%s%s%s", src, d, strcmp(mode, "ro") ? "" : ":ro",
			      owner[0] ? ":owner=" : "", owner);
		if (r < 0)
			return r;
		v[++n] = NULL;
	}
	*ret = TAKE_PTR(v);
	return 0;
}

/* The record, locked while we read and rewrite it. */
struct record {
	int fd;
	char *text;
};

static void record_done(struct record *rec)
{
	if (rec->fd >= 0)
		(void)close(rec->fd);
	free(rec->text);
}

static int record_open(const char *rundir, struct record *rec)
{
	char path[PATH_MAX];

	(void)snprintf(path, sizeof(path), "%s/" MOUNTS_LIVE_RECORD, rundir);
	rec->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (rec->fd < 0)
		return -errno;
	if (flock(rec->fd, LOCK_EX) < 0)
		return -errno;
	return read_fd_all(rec->fd, 1 << 20, &rec->text, NULL);
}

/* The current boot's line for dst, or NULL; *ret_id its mount id. */
static const char *record_find(const struct record *rec, uint64_t init_start, const char *dst,
			       uint64_t *ret_id)
{
	for (const char *l = rec->text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		char d[PATH_MAX], s[PATH_MAX];
		uint64_t start, id;

		if (mounts_live_parse_line(l, &start, &id, d, s) >= 0 && start == init_start &&
		    !strcmp(d, dst)) {
			*ret_id = id;
			return l;
		}
	}
	return NULL;
}

/* Rewrites the record with the current boot's lines except the one for drop_dst (NULL: none)
 * and with add appended (NULL: none). */
static int record_rewrite(struct record *rec, uint64_t init_start, const char *drop_dst,
			  const char *add)
{
	_cleanup_free_ char *out = NULL;
	size_t n = 0, cap = (rec->text ? strlen(rec->text) : 0) + (add ? strlen(add) : 0) + 1;

	out = calloc(1, cap);
	if (!out)
		return -ENOMEM;
	for (const char *l = rec->text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		size_t len = strcspn(l, "\n");
		char d[PATH_MAX], s[PATH_MAX];
		uint64_t start, id;

		if (mounts_live_parse_line(l, &start, &id, d, s) < 0 || start != init_start ||
		    (drop_dst && !strcmp(d, drop_dst)))
			continue;
		memcpy(out + n, l, len);
		n += len;
		out[n++] = '\n';
	}
	if (add) {
		memcpy(out + n, add, strlen(add));
		n += strlen(add);
	}
	if (ftruncate(rec->fd, 0) < 0 || pwrite(rec->fd, out, n, 0) != (ssize_t)n)
		return -errno;
	return 0;
}

/* A pidfd for the container's init, checked to be the process the record names. */
static int open_init(const struct lxmgr_ctx *ctx, const struct runtime_state *rs)
{
	int fd = (int)syscall(SYS_pidfd_open, rs->init_pid, 0);

	if (fd < 0 || !runtime_pid_is(rs->init_pid, rs->init_start)) {
		if (fd >= 0)
			(void)close(fd);
		return lx_fail(ctx, LX_SYNTHETIC(-ESRCH), "container is not running");
	}
	return fd;
}

/* What attach and detach start with: init's pidfd in *ret_pidfd and the record in *rec,
 * then whether the record holds dst: 1 (its mount id in *ret_id) or 0. -errno, reported. */
static int live_begin(const struct lxmgr_ctx *ctx, const struct container *c,
		      const struct runtime_state *rs, const char *dst, int *ret_pidfd,
		      struct record *rec, uint64_t *ret_id)
{
	int r;

	*ret_pidfd = open_init(ctx, rs);
	if (*ret_pidfd < 0)
		return *ret_pidfd;
	r = record_open(c->rundir, rec);
	if (r < 0)
		return lx_fail(ctx, r, "open %s/" MOUNTS_LIVE_RECORD, c->rundir);
	return record_find(rec, rs->init_start, dst, ret_id) ? 1 : 0;
}

int mounts_live_attach(const struct lxmgr_ctx *ctx, const struct container *c,
		       const struct runtime_state *rs, const struct mount_entry *m)
{
	_cleanup_(record_done) struct record rec = {.fd = -EBADF};
	_cleanup_close_ int pidfd = -EBADF, tree = -EBADF;
	_cleanup_free_ char *line = NULL;
	const char *store[MOUNTS_STORE_DIRS_MAX];
	char root[64], why[PATH_MAX + 128];
	struct live_reply rep;
	uint64_t id;
	int r;

	r = live_begin(ctx, c, rs, m->dst, &pidfd, &rec, &id);
	if (r < 0)
		return r;
	if (r > 0)
		return lx_fail(ctx, LX_SYNTHETIC(-EEXIST),
			       "%s is a live mount already (lxmgr umount %s %s first)", m->dst,
			       c->name, m->dst);
	/* owner=USER is looked up in the running container's own /etc/passwd. */
	(void)snprintf(root, sizeof(root), "/proc/%d/root", (int)rs->init_pid);
	mounts_source_store(&ctx->paths, store);
	tree = mounts_open_tree(&c->cfg, root, store, m, why, sizeof(why));
	if (tree < 0 && why[0])
		return lx_fail(ctx, LX_SYNTHETIC(tree), "%s", why);
	if (tree == -ESRCH)
		return lx_fail(ctx, LX_SYNTHETIC(tree),
			       "no user '%s' in the container's /etc/passwd", m->owner);
	if (tree < 0)
		return lx_fail(ctx, tree, "make an idmapped tree of %s", m->src);
	r = run_job(
		&(struct live_job){.pidfd = pidfd, .tree = tree, .stage = c->rundir, .dst = m->dst},
		&rep);
	if (r < 0)
		return lx_fail(ctx, r, "%s", rep.text);
	r = xasprintf(&line, "%" PRIu64 " %" PRIu64 " %s %s %s%s%s\n", rs->init_start, rep.mnt_id,
		      m->dst, m->src, m->ro ? "ro" : "rw", m->owner[0] ? " " : "", m->owner);
	if (r >= 0)
		r = record_rewrite(&rec, rs->init_start, NULL, line);
	if (r < 0)
		return lx_fail(ctx, r, "record the mount in %s/" MOUNTS_LIVE_RECORD, c->rundir);
	lx_info(ctx, "%s mounted at %s", m->src, m->dst);
	return 0;
}

int mounts_live_detach(const struct lxmgr_ctx *ctx, const struct container *c,
		       const struct runtime_state *rs, const char *dst)
{
	_cleanup_(record_done) struct record rec = {.fd = -EBADF};
	_cleanup_close_ int pidfd = -EBADF;
	struct live_reply rep;
	uint64_t id;
	int r;

	r = live_begin(ctx, c, rs, dst, &pidfd, &rec, &id);
	if (r < 0)
		return r;
	if (r == 0)
		return lx_fail(ctx, LX_SYNTHETIC(-ENOENT),
			       "%s is not a live mount made by lxmgr mount (shares of mount.* "
			       "keys go with `config unset` and a restart)",
			       dst);
	r = run_job(&(struct live_job){.pidfd = pidfd, .tree = -EBADF, .dst = dst, .mnt_id = id},
		    &rep);
	if (r == LX_SYNTHETIC(-ESTALE))
		(void)record_rewrite(&rec, rs->init_start, dst, NULL);
	if (r < 0)
		return lx_fail(ctx, r, "%s", rep.text);
	r = record_rewrite(&rec, rs->init_start, dst, NULL);
	if (r < 0)
		return lx_fail(ctx, r, "update %s/" MOUNTS_LIVE_RECORD, c->rundir);
	lx_info(ctx, "%s unmounted", dst);
	return 0;
}
