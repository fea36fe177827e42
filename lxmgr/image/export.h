/* export.h: a container as one portable archive (tar + zstd) and back (docs/snapshots.md). */
#pragma once

#include <stdbool.h>

struct lxmgr_ctx;
struct container;

/* The archive's members: the config without host-specific values, and the rootfs tree. */
#define EXPORT_CONFIG "lxmgr-export.conf"
#define EXPORT_ROOTFS "rootfs"
/* The machine's identity (container.uuid, container.hostname, net.mac), read only by
 * import --keep-identity (a move). */
#define EXPORT_IDENTITY "lxmgr-identity.conf"

/* Writes the archive of c (stopped, its running lock held by the caller) to outfd: its
 * merged rootfs (numeric owners as stored, xattrs, ACLs, file capabilities) and its config
 * without name, uuid, hostname, id range, addresses, MAC, forwards and snapshot source.
 * Reports failures itself; 0 or -errno. */
int export_write(const struct lxmgr_ctx *ctx, struct container *c, int outfd);

/* A snapshot clone's or a layered container's merged tree, mounted on its empty rootfs
 * directory in a mount namespace of this process only (tar walks a path). Reports failures
 * itself; 0 or -errno. */
int export_attach_view(const struct lxmgr_ctx *ctx, struct container *c);

/* Whether c's files carry its block's ids and lxmgr runs rootless: tar then reads them as
 * root of a user namespace of that block, where they are c's own ids. */
bool export_in_range(const struct container *c);

/* A rootfs stored shifted (rootfs.shifted) is refused by export and publish (verb) in one
 * line, its files carrying host ids; a rootless one (export_in_range) only where in_range is
 * false. 0 or -errno (reported). */
int export_check_ids(const struct lxmgr_ctx *ctx, const struct container *c, const char *verb,
		     bool in_range);

/* What export_write_opts adds to export_write. */
struct export_opts {
	/* The snapshots too: EXPORT_SNAPSHOTS/SNAP/{stack,config,created} (the config cleaned
	 * as the container's) and the EXPORT_LAYERS/ID they stand on, as they are. The caller
	 * holds c's snapshot lock. */
	bool snapshots;
	/* A directory whose "rootfs" is the tree to archive (a running container's temporary
	 * snapshot, export-live.c); NULL: c's own rootfs. */
	const char *tree;
	/* export_in_range: the layers the tree stands on, shown on TREE/rootfs by the reader in
	 * the block's namespace (live_tree_open); NULL: the tree is a plain directory. */
	const char *lower;
};
int export_write_opts(const struct lxmgr_ctx *ctx, struct container *c, int outfd,
		      const struct export_opts *o);

/* The members an archive may hold besides the three above (export --snapshots). */
#define EXPORT_SNAPSHOTS "snapshots"
#define EXPORT_LAYERS "layers"

/* LIB/.NAME.export.create-XXXXXX, made and locked (*ret_fd): gc removes it after a kill.
 * Reports failures itself. */
int export_make_stage(const struct lxmgr_ctx *ctx, const char *name, char **ret, int *ret_fd);

/* Writes the config file from (relative to dirfd) to path less its host-specific keys (the
 * exported config's). 0 or -errno. */
int export_clean_config(int dirfd, const char *from, const char *path);

/* export-snapshots.c. Writes stage/EXPORT_SNAPSHOTS/SNAP for each snapshot of c, and sets
 * *ret_extra to tar's words for them and their layers ("-C", STAGE, "snapshots", "-C", DIR,
 * "layers/ID"...). 0 or -errno. */
int export_stage_snapshots(const struct container *c, const char *stage, char ***ret_extra);
/* import: moves the unpacked snapshots of stage (if any) into container name (made from
 * stage, stopped), their configs given its identity (uuid, name, hostname, ids, addresses,
 * MAC) and, unless keep_identity, their layers' /etc reset as create resets a copied tree
 * (machine-id, SSH host keys, leases, hostname). Reports failures itself; returns how many,
 * or -errno. */
int export_adopt_snapshots(const struct lxmgr_ctx *ctx, const char *stage, const char *name,
			   bool keep_identity);

/* Unpacks the archive at path ("/dev/stdin" for a pipe) into the new directory dir (which
 * then holds EXPORT_CONFIG and EXPORT_ROOTFS); records_only: all but the rootfs and the
 * layers, with the caller's ownership (a rootless import, whose create then unpacks the
 * rootfs in the new container's id range). A truncated or damaged archive is one line:
 * tar's first error. Reports failures itself; 0 or -errno. */
int export_unpack(const struct lxmgr_ctx *ctx, const char *path, const char *dir,
		  bool records_only);

/* Copies the stream in (an archive on stdin) into the new file path, for a rootless import,
 * which reads the archive twice; SIGINT, SIGTERM and SIGHUP held by the caller end it.
 * Reports failures itself; 0 or -errno. */
int export_save_stream(const struct lxmgr_ctx *ctx, int in, const char *path);

/* The tar arguments that take an export's rootfs alone, into the directory it unpacks to. */
extern char *const export_rootfs_member[];
