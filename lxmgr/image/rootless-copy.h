/* rootless-copy.h: a rootless create's rootfs from a tree (create --rootfs DIR, clone) as a tar
 * stream: read where the tree's owners can be read, unpacked by import_tarball() inside the
 * user namespace of the new container's range, so its files belong to that range on the host
 * (docs/rootless.md). */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct create_request;
struct lxmgr_ctx;

struct rootless_copy {
	int fd;        /* the stream's read end, or -EBADF */
	int errfd;     /* the reader's stderr (an unlinked file) */
	int status_fd; /* the reader's exit status, one byte, once it is done */
	pid_t pid;     /* the reader */
	char *map;     /* the owner map file in the work directory, removed by _finish */
};

/* Whether a rootless create of req takes its rootfs from rootless_copy_start: --rootfs DIR
 * (copied, not an import's adopted tree) and a full clone (of a snapshot, or of a container on
 * layers: their merged tree, read through overlayfs in the source's range). */
bool rootless_copy_wanted(const struct create_request *req);

/* Starts the reader of req's tree. --rootfs DIR: tar(1) as the user, the numeric owners kept
 * except the user's own uid and gid, which become 0 (the tree's owner is the container's
 * root), through a map file written into workdir. A clone: tar(1) as root of a user namespace
 * of the source's range (the user cannot read all of a shifted tree from outside), owners as
 * the source's container sees them. 0 or -errno; rootless_copy_finish() waits for it. */
int rootless_copy_start(const struct lxmgr_ctx *ctx, const struct create_request *req,
			const char *workdir, struct rootless_copy *rc);

/* In the unpacking process, once the stream ended: waits for the reader's status; 0, or -EIO
 * with its first line of stderr in *ret_message (malloc'd, may stay NULL): a reader that
 * failed (a file the user cannot read) left a stream that unpacks without complaint. */
int rootless_copy_check(struct rootless_copy *rc, char **ret_message);

/* Closes the stream, waits for the reader, removes the map file: 0, or -EIO with its first line of
 * stderr in *ret_message (malloc'd, may stay NULL). Safe on a copy never started. */
int rootless_copy_finish(struct rootless_copy *rc, char **ret_message);

/* Writes DIR/owner-map, a map file for tar's --owner-map and --group-map that gives the
 * owner uid and the group gid to root (the user's own ids, as seen where tar runs); its
 * path into *ret_path (malloc'd). 0 or -errno. */
int rootless_copy_owner_map(const char *dir, uint32_t uid, uint32_t gid, char **ret_path);
