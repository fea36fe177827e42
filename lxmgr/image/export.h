/* export.h: a container as one portable archive (tar + zstd) and back (docs/snapshots.md). */
#pragma once

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

/* Unpacks the archive at path ("/dev/stdin" for a pipe) into the new directory dir (which
 * then holds EXPORT_CONFIG and EXPORT_ROOTFS). A truncated or damaged archive is one line:
 * tar's first error. Reports failures itself; 0 or -errno. */
int export_unpack(const struct lxmgr_ctx *ctx, const char *path, const char *dir);
