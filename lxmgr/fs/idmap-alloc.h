/* idmap-alloc.h: choosing a container's id range (create) and claiming it at start, so that
 * no two running containers on the host ever share a host uid or gid. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

struct lxmgr_ctx;
struct container;
struct container_config;

/* The lowest free bases of size uids and gids in root's subordinate ranges (added to
 * /etc/subuid and /etc/subgid when root has none), skipping every range the store's
 * containers hold and every range a running user namespace maps, uids and gids alike, so that
 * both bases are the same where the files allow it. Reports failures itself. */
int idmap_alloc_ids(const struct lxmgr_ctx *ctx, uint32_t size, uint32_t *ret_uid_base,
		    uint32_t *ret_gid_base);

/* Checks a container's id ranges, [uid_base, +count) and [gid_base, +count), against the
 * rules: each lies wholly inside root's subordinate ranges (/etc/subuid, /etc/subgid, as this
 * user namespace maps them), holds no user of /etc/passwd nor group of /etc/group, and
 * overlaps no other container of the store (self is the container's own name; NULL skips
 * this rule; owner is idmap_block_owner()'s, or NULL). Returns 1 with
 * the first broken rule in why ("idmap.uid_base 1000: 1000-66535 is not inside root's ranges
 * in /etc/subuid (1048576-66584575)"), 0 when all hold, -errno on failure (reported). */
int idmap_range_problem(const struct lxmgr_ctx *ctx, const char *self, const char *owner,
			uint32_t uid_base, uint32_t gid_base, uint32_t count, char *why,
			size_t size);
/* The same, reporting a broken rule in one line (LX_SYNTHETIC(-ERANGE)); 0 or -errno. */
int idmap_check_range(const struct lxmgr_ctx *ctx, const char *self, const char *owner,
		      uint32_t uid_base, uint32_t gid_base, uint32_t count);

/* Whose id block a container holds: a rootless snapshot clone stands on layers that carry its
 * source's ids, which an unprivileged user cannot idmap, so it shares its source's block
 * (docs/rootless.md); that source's name (written into buf), else the container's own name.
 * Containers of one owner with the very same block are not overlaps (owner, above), and a
 * start does not count the running ones' maps as another's. */
const char *idmap_block_owner(const char *name, const struct container_config *cfg, char *buf,
			      size_t size);

/* Start: checks the range (idmap_check_range), takes the host-wide claim lock and makes sure
 * no running user namespace maps any id of c's range (another store's container, LXC,
 * nspawn). A range in use moves to a free one, recorded in c's config, unless the rootfs was
 * shifted to it (then it fails: one line). *ret_lock holds the lock until the caller closes
 * it, once the new namespace's maps are written and so visible to the next claim. Reports
 * failures itself. */
int idmap_claim(const struct lxmgr_ctx *ctx, struct container *c, int *ret_lock);
