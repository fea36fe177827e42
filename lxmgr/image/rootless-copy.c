/* rootless-copy.c: the reader of a rootless create's tree (--rootfs DIR, clone): tar(1) on a
 * pipe, outside (the user reads what it may) or inside the source's range (rootless.h). A
 * copy made inside the new range alone would see root's files as nobody and the user's as
 * 65536: the owners must be read where they mean something. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/util.h"
#include "fs/rootless.h"
#include "image/clone.h"
#include "image/create.h"
#include "image/rootless-copy.h"
#include "image/rootless-snapshot.h"
#include "store/store.h"

#define OWNER_MAP "owner-map"

bool rootless_copy_wanted(const struct create_request *req)
{
	if (req->source_dir && !req->adopt_source_dir && !req->tmpl && !req->tarball)
		return true;
	/* A snapshot, or a source on layers: their merged tree (rootless-snapshot.h). */
	return req->clone_of && !req->snapshot;
}

struct reader {
	const char *dir;
	const char *map; /* owner/group map file, or NULL */
	char *lower;     /* layers to show on dir first (rootless-snapshot.h), or NULL */
};

/* Runs as the reader (outside, or root of the source's range): never returns. */
static int exec_reader(void *userdata)
{
	const struct reader *r = userdata;
	_cleanup_free_ char *owner = NULL, *group = NULL;

	(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (r->lower && rootless_snapshot_mount_source(r->lower, r->dir) < 0) {
		fprintf(stderr, "mount the layers %s on %s: %m\n", r->lower, r->dir);
		_exit(EIO);
	}
	if (r->map && (xasprintf(&owner, "--owner-map=%s", r->map) < 0 ||
		       xasprintf(&group, "--group-map=%s", r->map) < 0))
		_exit(ENOMEM);
	/* The same options import_tarball() unpacks with; one file system: a mount below the
	 * tree is not the tree. */
	if (r->map)
		execlp("tar", "tar", "--create", "--file=-", "--numeric-owner", "--xattrs",
		       "--xattrs-include=*", "--acls", "--one-file-system", owner, group, "-C",
		       r->dir, ".", (char *)NULL);
	else
		execlp("tar", "tar", "--create", "--file=-", "--numeric-owner", "--xattrs",
		       "--xattrs-include=*", "--acls", "--one-file-system", "-C", r->dir, ".",
		       (char *)NULL);
	_exit(127);
}

/* The reader's process: stdout the pipe, stderr errfd; tar runs in a child of it (inside the
 * source's range for a clone, where rootless_run_in_userns waits for it), and its status goes
 * to status (rootless_copy_check). */
static _Noreturn void reader_child(const struct create_request *req, struct reader *rd, int out,
				   int errfd, int status)
{
	const struct container_config *src = req->clone_of ? &req->clone_of->cfg : NULL;
	char msg[256], byte;
	int r = 0, st;
	pid_t tar;

	(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
	(void)signal(SIGPIPE, SIG_DFL);
	if (dup2(out, STDOUT_FILENO) < 0 || dup2(errfd, STDERR_FILENO) < 0)
		_exit(126);
	if (src) {
		r = rootless_run_in_userns(src->uid_base, src->gid_base, src->id_count, exec_reader,
					   rd, msg, sizeof(msg));
		if (r < 0 && msg[0])
			fprintf(stderr, "%s\n", msg);
	} else {
		tar = fork();
		if (tar == 0)
			exec_reader(rd);
		if (tar < 0 || waitpid(tar, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
			r = -EIO;
	}
	byte = r < 0 ? 1 : 0;
	(void)!write(status, &byte, 1);
	_exit(r < 0 ? 1 : 0);
}

int rootless_copy_owner_map(const char *dir, uint32_t uid, uint32_t gid, char **ret_path)
{
	_cleanup_free_ char *path = NULL, *text = NULL;
	int r;

	if (xasprintf(&path, "%s/" OWNER_MAP, dir) < 0)
		return -ENOMEM;
	/* One file for both maps: tar reads each line's first id as a uid in one and a gid in
	 * the other. Both lines, for ids that differ. */
	if (xasprintf(&text, "+%u +0\n+%u +0\n", (unsigned)uid, (unsigned)gid) < 0)
		return -ENOMEM;
	r = write_file_atomic_at(AT_FDCWD, path, text, strlen(text), 0600);
	if (r < 0)
		return r;
	*ret_path = TAKE_PTR(path);
	return 0;
}

int rootless_copy_start(const struct lxmgr_ctx *ctx, const struct create_request *req,
			const char *workdir, struct rootless_copy *rc)
{
	struct reader rd = {.dir = req->clone_of ? req->clone_of->rootfs : req->source_dir};
	_cleanup_free_ char *lower = NULL;
	int pipefd[2], statusfd[2], r;

	if (req->clone_of) {
		r = rootless_snapshot_source(ctx, req->clone_of, req->clone_ref, &lower);
		if (r < 0)
			return r;
		rd.lower = lower;
	}
	if (!req->clone_of) {
		r = rootless_copy_owner_map(workdir, rootless_uid(), getgid(), &rc->map);
		if (r < 0)
			return r;
		rd.map = rc->map;
	}
	rc->errfd = open("/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (rc->errfd < 0)
		return -errno;
	if (pipe2(statusfd, O_CLOEXEC) < 0)
		return -errno;
	rc->status_fd = statusfd[0];
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		(void)close(statusfd[1]);
		return -errno;
	}
	rc->pid = fork();
	if (rc->pid < 0) {
		r = -errno;
		(void)close(pipefd[0]);
		(void)close(pipefd[1]);
		(void)close(statusfd[1]);
		return r;
	}
	if (rc->pid == 0)
		reader_child(req, &rd, pipefd[1], rc->errfd, statusfd[1]);
	/* Closed here before the unpacking child forks: it must see the end of the stream. */
	(void)close(pipefd[1]);
	(void)close(statusfd[1]);
	rc->fd = pipefd[0];
	return 0;
}

static char *first_line(int fd)
{
	char buf[512];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return strdup(buf);
}

int rootless_copy_check(struct rootless_copy *rc, char **ret_message)
{
	char byte = 1;

	*ret_message = NULL;
	if (rc->status_fd < 0 || read(rc->status_fd, &byte, 1) != 1 || byte != 0) {
		*ret_message = first_line(rc->errfd);
		return -EIO;
	}
	return 0;
}

int rootless_copy_finish(struct rootless_copy *rc, char **ret_message)
{
	int status = 0;

	*ret_message = NULL;
	if (rc->map)
		(void)unlink(rc->map);
	free(rc->map);
	rc->map = NULL;
	if (rc->fd >= 0)
		(void)close(rc->fd);
	rc->fd = -EBADF;
	if (rc->pid > 0 && waitpid(rc->pid, &status, 0) < 0)
		status = 1;
	rc->pid = 0;
	if (rc->status_fd >= 0)
		(void)close(rc->status_fd);
	rc->status_fd = -EBADF;
	if (rc->errfd < 0)
		return 0;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		*ret_message = first_line(rc->errfd);
	(void)close(rc->errfd);
	rc->errfd = -EBADF;
	return *ret_message || !WIFEXITED(status) || WEXITSTATUS(status) != 0 ? -EIO : 0;
}
