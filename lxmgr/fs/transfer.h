/* transfer.h: copying files into and out of a container's tree (lxmgr file push/pull), every
 * path inside resolved from the container's root without a symlink leading out of it. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct lxmgr_ctx;

/* The container's tree as the copy sees it. */
struct transfer_root {
	int rootfd;       /* its "/", O_PATH|O_DIRECTORY: the rootfs on disk or /proc/PID/root */
	uint32_t uid_add; /* added to an id inside to get the id stored (a shifted rootfs) */
	uint32_t gid_add;
};

struct transfer_opts {
	bool recursive;
	uid_t uid; /* owner inside of what push makes (default 0) */
	gid_t gid;
	int mode; /* push: mode of the files it makes; -1: the source's (& 0777) */
};

/* Why a copy failed, in one line for the user. */
struct transfer_error {
	char text[512];
};

/* Copies the host files srcs[0..n) into the container at dest: into dest when it is a directory
 * inside (or ends in '/'), else as the file dest (n must be 1, its parent must exist). Every
 * file is written to a new name made with O_EXCL|O_NOFOLLOW in its target directory, then
 * renamed over the target: a symlink there is replaced, never followed. What is made belongs to
 * opts->uid:gid inside. A source that is missing, a directory without opts->recursive or a
 * special file is refused before anything is copied. Warnings (a special file skipped inside a
 * directory) go through ctx. Returns 0, or -errno with e->text set. */
int transfer_push(const struct lxmgr_ctx *ctx, const struct transfer_root *root, char *const *srcs,
		  int n, const char *dest, const struct transfer_opts *opts,
		  struct transfer_error *e);

/* Copies src inside the container to the host path dest (into it when it is a directory; "-"
 * is stdout, a regular file only). Only regular files, directories (opts->recursive) and
 * symlinks (as symlinks, inside a directory) are copied; other files inside a directory are
 * skipped with a warning on stderr, and a directory on another mount inside is made empty.
 * Returns 0, or -errno with e->text set. */
int transfer_pull(const struct lxmgr_ctx *ctx, const struct transfer_root *root, const char *src,
		  const char *dest, const struct transfer_opts *opts, struct transfer_error *e);
