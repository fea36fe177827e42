/* idmap-alloc.c: choosing a container's id range and claiming it at start. Ranges are unique
 * within a store by its configs; across stores and other managers only what runs is known, so
 * the claim at start is what keeps two running containers from ever sharing a host id. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "base/lxmgr.h"
#include "base/util.h"
#include "fs/idmap-alloc.h"
#include "fs/idmap.h"
#include "fs/rootless.h"
#include "store/config.h"
#include "store/runtime.h"
#include "store/store.h"

#define LOG_STEP "idmap"
/* The claim is a flock on a file only its owner can open: root's in /run for the whole host,
 * a rootless user's in their own runtime directory (their ids are their own subordinate
 * ranges, disjoint from root's and other users'). It was an abstract unix socket name, which
 * any local user could bind first and so stall every start on the host. */
#define CLAIM_LOCK_ROOT "/run/lxmgr-idmap-claim.lock"
#define CLAIM_LOCK_FILE "lxmgr-idmap-claim.lock"
/* Of 5 ms: 90 s, longer than another start's pre-start hooks may hold it. */
#define CLAIM_LOCK_TRIES 18000

static void push_range(struct idmap_range **v, size_t *n, uint32_t start, uint32_t count)
{
	struct idmap_range *nv = realloc(*v, (*n + 1) * sizeof(**v));

	if (!nv)
		return;
	nv[(*n)++] = (struct idmap_range){.start = start, .count = count};
	*v = nv;
}

struct used_ranges {
	struct idmap_range *v;
	size_t n;
};

static int push_config_range(void *userdata, const char *name _unused_,
			     const struct container_config *c)
{
	struct used_ranges *u = userdata;

	if (c->uid_base) {
		push_range(&u->v, &u->n, c->uid_base, c->id_count);
		push_range(&u->v, &u->n, c->gid_base, c->id_count);
	}
	return 0;
}

static void push_live_ranges(int procfd, struct used_ranges *u)
{
	_cleanup_free_ struct idmap_range *uids = NULL, *gids = NULL;
	size_t n_uids = 0, n_gids = 0;

	if (idmap_live_ranges_both(procfd, &uids, &n_uids, &gids, &n_gids) < 0)
		return;
	for (size_t i = 0; i < n_uids; i++)
		push_range(&u->v, &u->n, uids[i].start, uids[i].count);
	for (size_t i = 0; i < n_gids; i++)
		push_range(&u->v, &u->n, gids[i].start, gids[i].count);
}

/* The range read at a glance is taken from the text: only a config written otherwise is
 * parsed for push_config_range. */
static bool push_peeked_range(void *userdata, const char *text)
{
	struct used_ranges *u = userdata;
	uint32_t uid_base, gid_base, count;

	if (config_peek_ids(text, &uid_base, &gid_base, &count) < 0)
		return true;
	if (uid_base) {
		push_range(&u->v, &u->n, uid_base, count);
		push_range(&u->v, &u->n, gid_base, count);
	}
	return false;
}

/* Uids and gids together, so that a container gets the same base for both: the store's
 * containers, and (other stores, LXC and nspawn containers) whatever runs now. */
static int collect_used_ranges(const struct lxmgr_ctx *ctx, struct idmap_range **ret, size_t *ret_n)
{
	_cleanup_close_ int procfd = -EBADF;
	struct used_ranges u = {0};
	int r;

	r = store_foreach_config_where(ctx, push_peeked_range, push_config_range, &u);
	if (r < 0) {
		free(u.v);
		return r;
	}
	procfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (procfd >= 0)
		push_live_ranges(procfd, &u);
	*ret = u.v;
	*ret_n = u.n;
	return 0;
}

static const char *subid_path(bool gid)
{
	const char *p = getenv(gid ? "LXMGR_SUBGID" : "LXMGR_SUBUID");

	return p && *p ? p : gid ? "/etc/subgid" : "/etc/subuid";
}

/* The ids our own user namespace maps: all of them on a host, a container's range inside a
 * nesting container. */
static int own_map(bool gid, struct idmap_range *ret, size_t max)
{
	_cleanup_fclose_ FILE *f = fopen(gid ? "/proc/self/gid_map" : "/proc/self/uid_map", "re");

	if (!f)
		return -errno;
	return idmap_parse_own_map(f, ret, max);
}

/* Root's subordinate ranges from path, added first if missing, cut to what we map. A
 * rootless lxmgr's are the user's own, never added (rootless.h). */
static int owned_ranges(const struct lxmgr_ctx *ctx, bool gid, uint32_t size,
			struct idmap_range *ret, size_t max)
{
	const char *path = subid_path(gid);
	struct idmap_range map[64], owned[64];
	_cleanup_fclose_ FILE *f = NULL;
	int n_map, n, r;

	if (rootless_active())
		return rootless_owned_ranges(ctx, path, gid, size, ret, max);
	n_map = own_map(gid, map, ELEMENTSOF(map));
	if (n_map < 0)
		return log_fail_full(ctx, "idmap", n_map, "read our own %s map",
				     gid ? "gid" : "uid");
	if (idmap_map_is_initial(map, (size_t)n_map))
		r = idmap_ensure_root_entry(path, /* blocks= */ 1000);
	else
		r = idmap_ensure_root_entry_in(path, map, (size_t)n_map);
	if (r == -ENOSPC)
		return log_fail_full(ctx, "idmap", LX_SYNTHETIC(r),
				     "this user namespace maps no ids above %u to give a container "
				     "(create the outer container with --ids)",
				     IDMAP_DEFAULT_SIZE);
	if (r < 0)
		return log_fail_full(ctx, "idmap", r, "add a range for root to %s", path);
	if (r > 0)
		lx_info(ctx, "added a subordinate id range for root to %s", path);
	f = fopen(path, "re");
	if (!f)
		return log_fail_full(ctx, "idmap", -errno, "open %s", path);
	n = idmap_parse_subid(f, "root", 0, owned, ELEMENTSOF(owned));
	if (n < 0)
		return log_fail_full(ctx, "idmap", LX_SYNTHETIC(n), "%s: malformed line", path);
	return (int)idmap_clip_ranges(owned, (size_t)n, map, (size_t)n_map, ret, max);
}

static int alloc_one(const struct lxmgr_ctx *ctx, bool gid, const struct idmap_range *used,
		     size_t n_used, uint32_t size, uint32_t *ret)
{
	struct idmap_range owned[64];
	int n, r;

	n = owned_ranges(ctx, gid, size, owned, ELEMENTSOF(owned));
	if (n < 0)
		return n;
	r = rootless_active() ? idmap_alloc_block(owned, (size_t)n, used, n_used, size, ret)
			      : idmap_alloc_range(owned, (size_t)n, used, n_used, size, ret);
	if (r == -ENOSPC)
		return log_fail_full(ctx, "idmap", LX_SYNTHETIC(r),
				     "%s has no free range of %u ids for %s%s: containers use "
				     "them all (add a range for %s)",
				     subid_path(gid), size, idmap_owner_name(),
				     n == 0 ? " that this user namespace maps" : "",
				     idmap_owner_name());
	return r < 0 ? log_fail_full(ctx, "idmap", r, "allocate ids") : 0;
}

int idmap_alloc_ids(const struct lxmgr_ctx *ctx, uint32_t size, uint32_t *ret_uid_base,
		    uint32_t *ret_gid_base)
{
	_cleanup_free_ struct idmap_range *used = NULL;
	size_t n_used = 0;
	int r;

	r = collect_used_ranges(ctx, &used, &n_used);
	if (r < 0)
		return log_fail_full(ctx, "idmap", r, "list the ranges in use");
	r = alloc_one(ctx, false, used, n_used, size, ret_uid_base);
	if (r >= 0)
		r = alloc_one(ctx, true, used, n_used, size, ret_gid_base);
	return r;
}

static int claim_lock_path(char *buf, size_t size)
{
	const char *xrd = getenv("XDG_RUNTIME_DIR");

	if (!rootless_active())
		return snprintf(buf, size, "%s", CLAIM_LOCK_ROOT) < (int)size ? 0 : -ENAMETOOLONG;
	if (!xrd || xrd[0] != '/')
		xrd = rootless_runtime_fallback();
	return snprintf(buf, size, "%s/%s", xrd, CLAIM_LOCK_FILE) < (int)size ? 0 : -ENAMETOOLONG;
}

static int claim_lock(void)
{
	_cleanup_close_ int fd = -EBADF;
	char path[PATH_MAX];
	int r = claim_lock_path(path, sizeof(path));

	if (r < 0)
		return r;
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	for (int i = 0; i < CLAIM_LOCK_TRIES; i++) {
		struct timespec ts = {.tv_nsec = 5 * 1000 * 1000};

		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return TAKE_FD(fd);
		if (errno != EWOULDBLOCK)
			return -errno;
		(void)nanosleep(&ts, NULL);
	}
	return -ETIMEDOUT;
}

static bool overlaps_any(const struct idmap_range *v, size_t n, uint32_t base, uint32_t count)
{
	for (size_t i = 0; i < n; i++)
		if (base < v[i].start + v[i].count && v[i].start < base + count)
			return true;
	return false;
}

const char *idmap_block_owner(const char *name, const struct container_config *cfg, char *buf,
			      size_t size)
{
	size_t len;

	if (!cfg->rootfs_shifted || !cfg->snapshot_of[0])
		return name;
	len = strcspn(cfg->snapshot_of, "@");
	(void)snprintf(buf, size, "%.*s", (int)len, cfg->snapshot_of);
	return buf;
}

/* Whether container name (config c) holds the very block of owner's family, not an overlap. */
static bool shares_block(const char *owner, const uint32_t base[2], uint32_t count,
			 const char *name, const struct container_config *c)
{
	char buf[NAME_MAX + 1];

	return owner && c->uid_base == base[0] && c->gid_base == base[1] && c->id_count == count &&
	       !strcmp(idmap_block_owner(name, c, buf, sizeof(buf)), owner);
}

/* Whether one of v's ranges overlaps [base, +count), leaving out (when within) the ranges
 * wholly inside it. */
static bool overlaps_outside(const struct idmap_range *v, size_t n, uint32_t base, uint32_t count,
			     bool within)
{
	for (size_t i = 0; i < n; i++) {
		bool inside = v[i].start >= base &&
			      (uint64_t)v[i].start + v[i].count <= (uint64_t)base + count;

		if (!(within && inside) && overlaps_any(&v[i], 1, base, count))
			return true;
	}
	return false;
}

/* Whether the container's uids or gids overlap a range a running user namespace maps. While
 * another container of its block runs (family_runs: a rootless snapshot clone and its
 * source), the maps inside the block are that one's, or its guest's own namespaces': the
 * block is in use by the family, which the start joins. (Their namespaces cannot be told
 * apart from here: a rootless start's own namespace may not open a sibling's ns files.) */
static int ranges_are_live(int procfd, const struct container_config *cfg, bool family_runs)
{
	_cleanup_free_ struct idmap_range *uids = NULL, *gids = NULL;
	size_t n_uids = 0, n_gids = 0;
	int r = idmap_live_ranges_both(procfd, &uids, &n_uids, &gids, &n_gids);

	if (r < 0)
		return r;
	return overlaps_outside(uids, n_uids, cfg->uid_base, cfg->id_count, family_runs) ||
	       overlaps_outside(gids, n_gids, cfg->gid_base, cfg->id_count, family_runs);
}

static int record_range(const struct lxmgr_ctx *ctx, struct container *c, uint32_t uid_base,
			uint32_t gid_base)
{
	struct config_error err;
	char text[16];
	int r;

	(void)snprintf(text, sizeof(text), "%u", uid_base);
	r = config_edit_file(c->config_path, "idmap.uid_base", text, &err);
	if (r >= 0) {
		(void)snprintf(text, sizeof(text), "%u", gid_base);
		r = config_edit_file(c->config_path, "idmap.gid_base", text, &err);
	}
	if (r < 0)
		return store_report_config_error(ctx, r, &err);
	c->cfg.uid_base = uid_base;
	c->cfg.gid_base = gid_base;
	return 0;
}

static int move_range(const struct lxmgr_ctx *ctx, struct container *c)
{
	_cleanup_close_ int lock = -EBADF;
	uint32_t uid_base, gid_base;
	int r;

	if (c->cfg.rootfs_shifted)
		return lx_fail(
			ctx, LX_SYNTHETIC(-EBUSY),
			"ids %u-%u are mapped by a running user namespace (another store's "
			"container, LXC or nspawn) and this rootfs was shifted to them: stop "
			"that one first",
			c->cfg.uid_base, c->cfg.uid_base + c->cfg.id_count - 1);
	/* Chosen and recorded under the store's allocation lock, as create does. */
	lock = store_lock_alloc(ctx);
	if (lock < 0)
		return lx_fail(ctx, lock, "lock %s/" STORE_ALLOC_LOCK, ctx->paths.run);
	r = idmap_alloc_ids(ctx, c->cfg.id_count, &uid_base, &gid_base);
	if (r < 0)
		return r;
	lx_info(ctx, "ids %u-%u are mapped by a running user namespace: moved to %u-%u",
		c->cfg.uid_base, c->cfg.uid_base + c->cfg.id_count - 1, uid_base,
		uid_base + c->cfg.id_count - 1);
	return record_range(ctx, c, uid_base, gid_base);
}

struct overlap_query {
	const struct lxmgr_ctx *ctx;
	const char *self, *owner;
	uint32_t base[2], count; /* uids, gids */
	bool find_family;        /* look for a running container of the same block */
	bool family_runs;        /* (found) */
	char why[2][400];        /* the first container each overlaps, or "" */
};

/* Whether container name (which shares the block) runs: its init alive. */
static int family_member_runs(const struct lxmgr_ctx *ctx, const char *name)
{
	_cleanup_(runtime_state_done) struct runtime_state rs = {0};
	_cleanup_free_ char *rundir = NULL;

	if (xasprintf(&rundir, "%s/%s", ctx->paths.run, name) < 0)
		return -ENOMEM;
	return runtime_state_read(rundir, &rs) >= 0 && runtime_pid_is(rs.init_pid, rs.init_start);
}

/* Only a config whose range overlaps one of q's (or whose range cannot be read at a glance)
 * can hold an overlap or a member of the block's family: the others are not parsed. */
static bool may_overlap(void *userdata, const char *text)
{
	const struct overlap_query *q = userdata;
	uint32_t base[2], count;

	if (config_peek_ids(text, &base[0], &base[1], &count) < 0)
		return true;
	return idmap_ranges_overlap(q->base[0], q->count, base[0], count) ||
	       idmap_ranges_overlap(q->base[1], q->count, base[1], count);
}

/* Both ranges at once: a start checks its uids and gids against the store's containers in
 * one pass over their configs, which also finds whether its block's family runs. */
static int find_overlap(void *userdata, const char *name, const struct container_config *c)
{
	struct overlap_query *q = userdata;
	int r;

	if (!strcmp(name, q->self))
		return 0;
	if (shares_block(q->owner, q->base, q->count, name, c)) {
		if (!q->find_family || q->family_runs)
			return 0;
		r = family_member_runs(q->ctx, name);
		q->family_runs = r > 0;
		return r < 0 ? r : 0;
	}
	for (int k = 0; k < 2; k++) {
		uint32_t base = k ? c->gid_base : c->uid_base;

		if (q->why[k][0] || !base ||
		    !idmap_ranges_overlap(q->base[k], q->count, base, c->id_count))
			continue;
		(void)snprintf(q->why[k], sizeof(q->why[k]),
			       "overlaps the %ss %u-%u of container %s", k ? "gid" : "uid", base,
			       base + c->id_count - 1, name);
	}
	return 0;
}

/* A host user or group (its file's name) with an id in the range. */
static int find_host_account(bool gid, uint32_t base, uint32_t count, char *why, size_t size)
{
	const char *path = gid ? "/etc/group" : "/etc/passwd";
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	char name[64];
	uint32_t id;
	int r;

	if (!f)
		return errno == ENOENT ? 0 : -errno;
	r = idmap_find_account(f, base, count, name, sizeof(name), &id);
	if (r > 0)
		(void)snprintf(why, size, "holds the host %s %s (%s %u in %s)",
			       gid ? "group" : "user", name, gid ? "gid" : "uid", id, path);
	return r;
}

/* The rules for one of the two ranges that need no other container: inside what root was
 * given, no host account. 1 and rule, 0, or -errno (reported). */
static int range_rule(const struct lxmgr_ctx *ctx, bool gid, uint32_t base, uint32_t count,
		      char *rule, size_t size)
{
	struct idmap_range owned[64];
	char list[256];
	int n, r;

	n = owned_ranges(ctx, gid, count, owned, ELEMENTSOF(owned));
	if (n < 0)
		return n;
	if (!idmap_range_is_covered(owned, (size_t)n, base, count)) {
		idmap_format_ranges(owned, (size_t)n, list, sizeof(list));
		(void)snprintf(rule, size, "is not inside %s's ranges in %s (%s)",
			       idmap_owner_name(), subid_path(gid), list);
		return 1;
	}
	r = find_host_account(gid, base, count, rule, size);
	if (r < 0)
		return lx_fail(ctx, r, "read %s", gid ? "/etc/group" : "/etc/passwd");
	return r > 0;
}

static int range_why(bool gid, uint32_t base, uint32_t count, const char *rule, char *why,
		     size_t size)
{
	(void)snprintf(why, size, "idmap.%s_base %u: %u-%" PRIu64 " %s", gid ? "gid" : "uid", base,
		       base, (uint64_t)base + count - 1, rule);
	return 1;
}

/* The rules in the order LXC would trip on them: the uids' (root's ranges, host accounts,
 * the store's other containers: q's pass, when q->self), then the gids'. 1 and why, 0, or
 * -errno (reported). */
static int range_problem(struct overlap_query *q, char *why, size_t size)
{
	const struct lxmgr_ctx *ctx = q->ctx;
	uint32_t uid_base = q->base[0], gid_base = q->base[1], count = q->count;
	char rule[400] = "";
	int r;

	r = range_rule(ctx, false, uid_base, count, rule, sizeof(rule));
	if (r != 0)
		return r < 0 ? r : range_why(false, uid_base, count, rule, why, size);
	r = range_rule(ctx, true, gid_base, count, rule, sizeof(rule));
	if (r < 0)
		return r;
	if (q->self) {
		int rs = store_foreach_config_where(ctx, may_overlap, find_overlap, q);

		if (rs < 0)
			return lx_fail(ctx, rs, "list the ranges of the store's containers");
	}
	if (q->why[0][0])
		return range_why(false, uid_base, count, q->why[0], why, size);
	if (rule[0])
		return range_why(true, gid_base, count, rule, why, size);
	if (q->why[1][0])
		return range_why(true, gid_base, count, q->why[1], why, size);
	return 0;
}

int idmap_range_problem(const struct lxmgr_ctx *ctx, const char *self, const char *owner,
			uint32_t uid_base, uint32_t gid_base, uint32_t count, char *why,
			size_t size)
{
	struct overlap_query q = {.ctx = ctx,
				  .self = self,
				  .owner = owner,
				  .base = {uid_base, gid_base},
				  .count = count};

	return range_problem(&q, why, size);
}

static int check_range(struct overlap_query *q)
{
	char why[800];
	int r = range_problem(q, why, sizeof(why));

	return r > 0 ? lx_fail(q->ctx, LX_SYNTHETIC(-ERANGE), "%s", why) : r;
}

int idmap_check_range(const struct lxmgr_ctx *ctx, const char *self, const char *owner,
		      uint32_t uid_base, uint32_t gid_base, uint32_t count)
{
	struct overlap_query q = {.ctx = ctx,
				  .self = self,
				  .owner = owner,
				  .base = {uid_base, gid_base},
				  .count = count};

	return check_range(&q);
}

int idmap_claim(const struct lxmgr_ctx *ctx, struct container *c, int *ret_lock)
{
	_cleanup_close_ int lock = -EBADF, procfd = -EBADF;
	char owner[NAME_MAX + 1];
	/* A shifted rootfs may share its block with a snapshot family (rootless clones). */
	struct overlap_query q = {
		.ctx = ctx,
		.self = c->name,
		.owner = idmap_block_owner(c->name, &c->cfg, owner, sizeof(owner)),
		.base = {c->cfg.uid_base, c->cfg.gid_base},
		.count = c->cfg.id_count,
		.find_family = c->cfg.rootfs_shifted,
	};
	int live, r;

	/* A config edited by hand is checked here as config set checks it: never a host user's
	 * ids, nor ids outside what root was given, nor another container's. Whether the family
	 * runs is only known under the claim, which a member's start holds until its maps are
	 * live; any other start checks first, so as not to hold the claim over the pass. */
	r = q.find_family ? 0 : check_range(&q);
	if (r < 0)
		return r;
	lock = claim_lock();
	if (lock < 0)
		return lx_fail(ctx, lock, "wait for another start to claim its ids");
	r = q.find_family ? check_range(&q) : 0;
	if (r < 0)
		return r;
	procfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (procfd < 0)
		return lx_fail(ctx, -errno, "open /proc");
	live = ranges_are_live(procfd, &c->cfg, q.family_runs);
	if (live < 0)
		return lx_fail(ctx, live, "list the ranges in use");
	if (live) {
		r = move_range(ctx, c);
		if (r < 0)
			return r;
	}
	*ret_lock = TAKE_FD(lock);
	return 0;
}
