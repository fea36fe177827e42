/* mounts-live.h: lxmgr mount/umount: shares attached to and detached from a running container. */
#pragma once

#include <stdint.h>

#include "fs/mounts.h"

struct lxmgr_ctx;
struct container;
struct runtime_state;

/* The record of live mounts, RUNDIR/mounts: one "INIT_START MNT_ID DST SRC ro|rw [OWNER]"
 * line each. Lines of an earlier boot (another INIT_START) are stale and ignored. */
#define MOUNTS_LIVE_RECORD "mounts"

/* Attaches m (m->src from the host, idmapped as mount.NAME would be) at m->dst inside the
 * running container rs names: the detached tree is made here, attached in a private mount
 * namespace, copied into a mount namespace owned by the container's user namespace (which
 * locks its flags: a read-only share stays read-only), cloned from there and moved in
 * through the container's mount namespace at m->dst, resolved from the container's root
 * without following any symlink. Recorded in RUNDIR/mounts. Reports failures itself. */
int mounts_live_attach(const struct lxmgr_ctx *ctx, const struct container *c,
		       const struct runtime_state *rs, const struct mount_entry *m);

/* Detaches the live mount at dst: refused unless the record names one there made by
 * mounts_live_attach during this boot and dst still resolves to that very mount. */
int mounts_live_detach(const struct lxmgr_ctx *ctx, const struct container *c,
		       const struct runtime_state *rs, const char *dst);

/* The live mounts of the boot whose init started at init_start, as mount.NAME values
 * ("SRC:DST[:ro][:owner=USER]"): a NULL-terminated vector, NULL when there are none. Reads
 * without the lock: a line being rewritten may be missed. */
int mounts_live_list(const char *rundir, uint64_t init_start, char ***ret);

/* Parses one record line; 0, or -EINVAL. dst and src are at least PATH_MAX bytes. */
int mounts_live_parse_line(const char *line, uint64_t *ret_init_start, uint64_t *ret_mnt_id,
			   char *ret_dst, char *ret_src);
