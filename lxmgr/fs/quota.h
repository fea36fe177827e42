/* quota.h: limits.disk, a project quota on a container's directory in the store. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct lxmgr_ctx;
struct container;

struct quota_usage {
	uint64_t used;   /* bytes */
	uint64_t limit;  /* bytes, 0 when none */
	bool from_quota; /* read from the project quota, else counted by a walk */
};

/* 0 when the file system holding dir keeps project quotas, else -EOPNOTSUPP with why set to
 * "STORE is ext4 without the 'project' and 'quota' features (...)" (STORE: dir's parent). */
int quota_check_fs(const char *dir, char *why, size_t size);

/* quota_check_fs for dir, reported in one line ("quota: limits.disk needs project quotas: ...");
 * 0 or -errno. */
int quota_refuse_unsupported(const struct lxmgr_ctx *ctx, const char *dir);
/* The same for c: also refuses a container of the btrfs pool (storage.h). */
int quota_refuse_for(const struct lxmgr_ctx *ctx, const struct container *c);

/* The project id of container c: its uid_base, which the store allocates to it alone. */
uint32_t quota_project_id(const struct container *c);

/* Gives c's directory tree its project id (new files inherit it) and sets the hard limit to
 * c->cfg.limits.disk, or removes the limit when the key is unset. Reports failures itself;
 * "lxmgr: VERB NAME: quota: limits.disk needs project quotas: ..." when unsupported. A
 * container without limits.disk and without a project id costs nothing. */
int quota_apply(const struct lxmgr_ctx *ctx, const struct container *c);

/* Removes the limit of c's project (at destroy); silent, best effort. */
void quota_release(const struct container *c);

/* What c's directory uses: from its quota when it has one, else by walking it. */
int quota_usage(const struct container *c, struct quota_usage *ret);
