/* cmd-file.c: lxmgr file push|pull: copies between the host and a container, running or not. */
#include <fcntl.h>
#include <linux/securebits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "image/clone.h"
#include "cmd/cmd.h"
#include "cmd/parse.h"
#include "base/log.h"
#include "store/runtime.h"
#include "store/store.h"
#include "fs/transfer.h"
#include "base/util.h"

#define LOG_STEP "file"

struct file_args {
	bool push;
	struct transfer_opts t;
	char *const *locals; /* push: the sources; pull: the one target */
	int n_locals;
	const char *name; /* NAME of NAME:PATH */
	const char *path; /* PATH of NAME:PATH */
	bool owner;       /* --uid, --gid or --mode given */
};

static int parse_id(struct lxmgr_ctx *ctx, const char *opt, const char *s, uint32_t *ret)
{
	if (parse_u32(s, ret) < 0)
		return cmd_usage_error(ctx, "%s '%s': expected a number (an id inside)", opt, s);
	return 0;
}

static int on_option(struct lxmgr_ctx *ctx, int opt, const char *arg, void *userdata)
{
	struct file_args *a = userdata;
	char *end = NULL;
	uint32_t v;
	long m;

	switch (opt) {
	case 'r':
		a->t.recursive = true;
		return 0;
	case 'u':
	case 'g':
		if (parse_id(ctx, opt == 'u' ? "--uid" : "--gid", arg, &v))
			return EXIT_USAGE;
		if (opt == 'u')
			a->t.uid = v;
		else
			a->t.gid = v;
		a->owner = true;
		return 0;
	default: /* 'm' */
		errno = 0;
		m = strtol(arg, &end, 8);
		if (errno || !*arg || *end || m < 0 || m > 07777)
			return cmd_usage_error(ctx, "--mode '%s': expected an octal mode", arg);
		a->t.mode = (int)m;
		a->owner = true;
		return 0;
	}
}

/* "NAME:PATH" into a->name and a->path. */
static int split_remote(struct lxmgr_ctx *ctx, char *s, struct file_args *a)
{
	char *colon = strchr(s, ':');

	if (!colon || colon == s || colon[1] != '/')
		return cmd_usage_error(ctx, "'%s': expected NAME:/PATH inside the container", s);
	*colon = '\0';
	a->name = s;
	a->path = colon + 1;
	return 0;
}

static int parse_args(struct lxmgr_ctx *ctx, int argc, char **argv, struct file_args *a)
{
	static const struct option longopts[] = {
		{"recursive", no_argument, NULL, 'r'},
		{"uid", required_argument, NULL, 'u'},
		{"gid", required_argument, NULL, 'g'},
		{"mode", required_argument, NULL, 'm'},
		{},
	};
	struct verb_args va = {
		.longopts = longopts,
		.shortopts = "r",
		.on_option = on_option,
		.userdata = a,
		.max_args = -1,
	};
	int r, n;

	if (argc < 2 || (strcmp(argv[1], "push") && strcmp(argv[1], "pull")))
		return cmd_usage_error(ctx, "expected push or pull");
	a->push = !strcmp(argv[1], "push");
	a->t.mode = -1;
	/* push|pull stands where the verb stood: its options and arguments follow */
	r = cmd_parse(ctx, argc - 1, argv + 1, &va);
	ctx->name = NULL; /* the first argument may be a LOCAL path: NAME comes from NAME:PATH */
	if (r != 0)
		return r;
	n = va.n_args;
	if (!a->push && a->owner)
		return cmd_usage_error(ctx, "--uid, --gid and --mode are options of push");
	if (a->push ? n < 2 : n != 2)
		return cmd_usage_error(ctx, a->push ? "expected LOCAL... NAME:PATH"
						    : "expected NAME:PATH LOCAL");
	a->locals = a->push ? va.args : va.args + 1;
	a->n_locals = a->push ? n - 1 : 1;
	return split_remote(ctx, a->push ? va.args[n - 1] : va.args[0], a);
}

/* The root of a running container: /proc/INIT/root, checked to be init's (the pidfd is alive
 * after the open, so the pid was not reused) and not the host's own root (init before its
 * pivot_root). Only a running or frozen container: otherwise init may not be in place. */
static int open_running_root(const struct lxmgr_ctx *ctx, const struct container *c)
{
	_cleanup_close_ int pidfd = -EBADF, fd = -EBADF;
	struct runtime_state rs = {0};
	struct stat a, b;
	char path[64];
	int r;

	r = runtime_state_read(c->rundir, &rs);
	if (r >= 0 && rs.state != RUN_STATE_RUNNING && rs.state != RUN_STATE_FROZEN)
		r = LX_SYNTHETIC(-EBUSY);
	if (r >= 0)
		pidfd = NEG_ERRNO((int)syscall(SYS_pidfd_open, rs.init_pid, 0));
	if (r >= 0 && (pidfd < 0 || !runtime_pid_is(rs.init_pid, rs.init_start)))
		r = LX_SYNTHETIC(-ESRCH);
	(void)snprintf(path, sizeof(path), "/proc/%d/root", (int)rs.init_pid);
	runtime_state_done(&rs);
	if (r < 0)
		return lx_fail(ctx, r, "the container is starting or stopping: try again");
	fd = NEG_ERRNO(open(path, O_PATH | O_DIRECTORY | O_CLOEXEC));
	if (fd < 0)
		return lx_fail(ctx, fd, "open %s", path);
	if (syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) < 0)
		return lx_fail(ctx, LX_SYNTHETIC(-ESRCH), "the container stopped meanwhile");
	if (fstat(fd, &a) < 0 || stat("/", &b) < 0 ||
	    (a.st_dev == b.st_dev && a.st_ino == b.st_ino))
		return lx_fail(ctx, LX_SYNTHETIC(-EBUSY),
			       "the container's root is not in place yet");
	return TAKE_FD(fd);
}

/* Writes through the running container's idmapped root need an fsuid it maps (host root maps
 * to no one there: EOVERFLOW): the container root's, keeping our capabilities
 * (SECBIT_NO_SETUID_FIXUP), for the rest of this short-lived process. What is made is then
 * chowned to host ids, which the mounts inside map back. */
static int become_container_root(const struct lxmgr_ctx *ctx, const struct container_config *cfg)
{
	int bits = prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);

	if (bits < 0 || prctl(PR_SET_SECUREBITS, bits | SECBIT_NO_SETUID_FIXUP, 0, 0, 0) < 0)
		return lx_fail(ctx, -errno, "keep capabilities with another fsuid");
	(void)setfsgid(cfg->gid_base);
	(void)setfsuid(cfg->uid_base);
	if ((uid_t)setfsuid((uid_t)-1) != cfg->uid_base)
		return lx_fail(ctx, LX_SYNTHETIC(-EPERM), "take the container root's fsuid");
	return 0;
}

/* A stopped container's tree on disk: its lock taken for the copy (no start meanwhile), its
 * overlay view when it is a snapshot clone; refused for push when it is the lower layer of
 * snapshot clones. */
static int open_stopped_root(const struct lxmgr_ctx *ctx, struct container *c, bool push)
{
	char clones[512];
	int r, fd;

	if (push && clone_snapshots_of(ctx, c->name, clones, sizeof(clones)) > 0)
		return lx_fail(ctx, LX_SYNTHETIC(-EROFS),
			       "its rootfs is the read-only lower layer of the snapshot clones %s",
			       clones);
	r = clone_view_open(ctx, c);
	if (r < 0)
		return r;
	fd = NEG_ERRNO(open(c->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC));
	return fd < 0 ? lx_fail(ctx, fd, "open %s", c->rootfs) : fd;
}

static int run(struct lxmgr_ctx *ctx, const struct file_args *a)
{
	_cleanup_container_ struct container *c = NULL;
	struct transfer_root root = {.rootfd = -EBADF};
	struct transfer_error e = {{0}};
	bool running;
	int r;

	if (store_container_open(ctx, a->name, &c) < 0)
		return EXIT_FAILED;
	if (a->t.uid >= c->cfg.id_count || a->t.gid >= c->cfg.id_count)
		return lx_fail(ctx, LX_SYNTHETIC(-EINVAL), "--uid and --gid must be below %u",
			       c->cfg.id_count),
		       EXIT_FAILED;
	r = store_lock_running(c);
	if (r < 0 && r != -EBUSY)
		return lx_fail(ctx, r, "lock %s", c->dir), EXIT_FAILED;
	running = r == -EBUSY;
	r = 0;
	root.rootfd = running ? open_running_root(ctx, c) : open_stopped_root(ctx, c, a->push);
	if (root.rootfd < 0)
		return EXIT_FAILED;
	if (running && a->push)
		r = become_container_root(ctx, &c->cfg);
	if (running || c->cfg.rootfs_shifted) {
		root.uid_add = c->cfg.uid_base;
		root.gid_add = c->cfg.gid_base;
	}
	if (r >= 0)
		r = a->push ? transfer_push(ctx, &root, a->locals, a->n_locals, a->path, &a->t, &e)
			    : transfer_pull(ctx, &root, a->path, a->locals[0], &a->t, &e);
	if (r < 0 && e.text[0])
		(void)lx_fail(ctx, r, "%s", e.text);
	(void)close(root.rootfd);
	clone_view_close(c);
	return r < 0 ? EXIT_FAILED : 0;
}

int cmd_file(struct lxmgr_ctx *ctx, int argc, char **argv)
{
	struct file_args a = {0};
	int r = parse_args(ctx, argc, argv, &a);

	if (r)
		return r;
	ctx->name = a.name;
	if (!name_is_valid(a.name)) {
		_cleanup_container_ struct container *c = NULL;

		(void)store_container_open(ctx, a.name, &c);
		return EXIT_FAILED;
	}
	return run(ctx, &a);
}
