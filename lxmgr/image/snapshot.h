/* snapshot.h: restore points of a container: sealed overlayfs layers and the records that
 * name them (docs/snapshots.md). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct lxmgr_ctx;
struct container;

/* Under LIB/NAME: layers/ID are sealed trees (never written again), snapshots/SNAP/{layers,
 * config,created} the records, overlay/{upper,work,stack} the container's own writable layer
 * over the stack of layers it runs on (rootfs.snapshot_of = "NAME@"). */
#define SNAPSHOT_LAYERS_DIR "layers"
#define SNAPSHOT_DIR "snapshots"

struct snapshot_info {
	char name[65];
	uint64_t created; /* seconds since the epoch */
	int layers;       /* how many sealed layers it stands on */
};

/* The ':'-separated list (top first) of the lower layers named by a rootfs.snapshot_of value:
 * "SRC" (LIB/SRC/rootfs), "SRC@SNAP" (the layers of SRC's snapshot SNAP) or "SRC@" (SRC's
 * own stack). 0, -ENOENT for a missing snapshot, or -errno. *ret is malloc'd. */
int snapshot_lower_of(const struct lxmgr_ctx *ctx, const char *ref, char **ret);

/* Creates snapshot snap of c (opened, its running lock not held by the caller). A stopped c
 * has its writable layer sealed by renames (O(1)); a running one is frozen while its
 * writable layer is copied. Reports failures itself; 0 or -errno. */
int snapshot_create(const struct lxmgr_ctx *ctx, struct container *c, const char *snap);

/* For a consistent read of running c (export, publish): a snapshot named ".tmp-WHAT-PID"
 * into ret_name, taken as snapshot_create takes one of a running container (frozen for its
 * copy). snapshot_list shows no dot-name, and gc removes it and its layer once nobody holds
 * c's snapshot lock: *ret_lock is that lock, held until snapshot_drop_temporary. Reports
 * failures itself; 0 or -errno. */
int snapshot_create_temporary(const struct lxmgr_ctx *ctx, struct container *c, const char *what,
			      char ret_name[static 65], int *ret_lock);
/* Removes the temporary snapshot snap and its layers, then closes lock. 0 or -errno. */
int snapshot_drop_temporary(struct container *c, const char *snap, int lock);

/* Puts c (stopped, its running lock held by the caller) back to snapshot snap: rootfs and
 * config. Reports failures itself. */
int snapshot_restore(const struct lxmgr_ctx *ctx, struct container *c, const char *snap);

/* Deletes snapshot snap of c and the layers nothing refers to any more. Refused while a
 * snapshot clone stands on it. Reports failures itself. */
int snapshot_delete(const struct lxmgr_ctx *ctx, struct container *c, const char *snap);

/* c's snapshots, oldest first, into a malloc'd array. Returns how many, or -errno. */
int snapshot_list(const struct container *c, struct snapshot_info **ret);

/* Takes the lock every snapshot operation on c holds (flock on LIB/NAME/snapshots, made if
 * missing); wait=false: -EBUSY when held. Returns the fd. */
int snapshot_lock(const struct container *c, bool wait);

/* Whether snap names an existing snapshot of c. */
bool snapshot_exists(const struct container *c, const char *snap);

/* gc: finishes or undoes what a killed snapshot, restore or delete left in c's directory,
 * and thaws a container a killed snapshot left frozen. locked: the caller holds c's running
 * lock (c is stopped). Returns how many leftovers were removed, or -errno. */
int snapshot_gc(const struct lxmgr_ctx *ctx, struct container *c, bool locked);

/* snapshot-use.c. The snapshot clones standing on ref ("NAME@SNAP") or on any snapshot of
 * ref ("NAME"), space-separated into buf. Returns how many, or -errno. */
int snapshot_clones_of(const struct lxmgr_ctx *ctx, const char *ref, char *buf, size_t size);
/* destroy: refuses while a snapshot clone stands on one of c's snapshots,
 * and without force while c has snapshots. Reports the refusal itself. */
int snapshot_refuse_destroy(const struct lxmgr_ctx *ctx, const struct container *c, bool force);
/* info --json and list --json: `, "snapshots": [{"name", "created", "layers"}...]`. */
void snapshot_print_json(FILE *f, const struct container *c);
/* info: a "Snapshots:" line when there are some. */
void snapshot_print_info(const struct container *c);
