/* snapshot-freeze.h: a running container frozen for the instant of its snapshot, and thawed
 * by a gc if the snapshot was killed meanwhile. */
#pragma once

#include <stdbool.h>

#include "base/lxmgr.h"
#include "store/store.h"

/* Freezes c through its monitor (on) unless it is frozen already, or thaws it (off) if this
 * froze it: a mark in c's directory says so until then. Reports a failure, with the
 * monitor's reason if it gave one. For the copy of a running snapshot, and for the instant
 * of the btrfs pool's (storage.h). */
int snapshot_freeze_for_copy(const struct lxmgr_ctx *ctx, const struct container *c, bool on);

/* Whether a snapshot killed while c was frozen left the mark. */
bool snapshot_left_frozen(const struct container *c);

/* Thaws c, which a killed snapshot left frozen (unless it is stopped: the caller holds its
 * running lock), and drops the mark. */
void snapshot_thaw_left_frozen(const struct lxmgr_ctx *ctx, const struct container *c,
			       bool stopped);

/* Copies src (c's writable layer) to dst while c is frozen (snapshot_freeze_for_copy);
 * outside the user's namespace, as root of a user namespace of c's block (rootless). Reports
 * failures itself; 0 or -errno. */
int snapshot_copy_frozen(const struct lxmgr_ctx *ctx, const struct container *c, const char *src,
			 const char *dst);
