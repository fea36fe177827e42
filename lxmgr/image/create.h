/* create.h: making a container in the store, atomically (DESIGN §8). */
#pragma once

#include <stdbool.h>

#include "network/network.h"

struct lxmgr_ctx;
struct template_request;

struct create_request {
	const char *name;
	const char *source_dir; /* a rootfs tree to copy, or NULL */
	const char *tarball;    /* a rootfs tarball to import, or NULL */
	/* tar's extra arguments for tarball (import_tarball_with): a rootless import takes the
	 * rootfs member of an export this way; NULL: the whole tarball is the rootfs */
	char *const *tarball_args;
	const struct template_request *tmpl; /* -t TEMPLATE and its options, or NULL */
	const char *hostname;                /* NULL: the name */
	bool force_shift;          /* shift ownership even where an idmapped mount would work */
	uint32_t id_count;         /* --ids: a multiple of 65536; 0: the default 65536 */
	bool nesting;              /* --nesting: container.nesting = yes */
	const char *root_password; /* set as root's password in /etc/shadow, or NULL */
	/* --net, --ip, --uplink */
	struct network_request net;
	/* clone: the source, stopped and locked by the caller; its config is the base of the
	 * new one and its rootfs is copied (or, snapshot, the lower layer of an overlayfs) */
	const struct container *clone_of;
	/* clone NAME@SNAP: "NAME@SNAP", that snapshot of clone_of (its config and its sealed
	 * layers, snapshot.h); clone_of may then run. NULL: clone_of as it is now. */
	const char *clone_ref;
	/* import: source_dir is an unpacked archive's rootfs, renamed into place (not copied),
	 * and base_config its config, the new one's base as a clone's is */
	bool adopt_source_dir;
	const char *base_config;
	const char *source_label; /* rootfs.source of an import ("import FILE"), or NULL */
	/* import --keep-identity: this uuid (hence machine-id), hostname and net.mac (may be
	 * ""), and no identity reset (SSH host keys kept); NULL: a fresh identity */
	const char *keep_uuid, *keep_hostname, *keep_mac;
	bool snapshot;
	/* --storage: "dir" or "btrfs" (checked by the caller); NULL: a clone's source's pool,
	 * else lxmgr.conf's storage.default (storage.h) */
	const char *storage;
};

/* Builds LIB/.NAME.create-XXXXXX (rootfs, config), then renames it to LIB/NAME (create and
 * clone). SIGINT,
 * SIGTERM and SIGHUP are held while it works and end it cleanly, leaving nothing. Reports
 * failures itself; returns 0 or -errno. */
int create_container(const struct lxmgr_ctx *ctx, const struct create_request *req);
