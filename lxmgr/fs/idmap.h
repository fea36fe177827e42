/* idmap.h: subordinate id ranges (/etc/subuid, /etc/subgid), allocation, uid_map/gid_map. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#define IDMAP_DEFAULT_SIZE 65536U

struct idmap_range {
	uint32_t start;
	uint32_t count;
};

/* Parses subuid/subgid text ("user:start:count" lines; comments and blank lines skipped;
 * a user given by name or by numeric uid both match when uid is not (uid_t)-1). Returns the
 * number of ranges found for user (up to max stored in ret), or -EINVAL on a malformed line. */
int idmap_parse_subid(FILE *f, const char *user, uid_t uid, struct idmap_range *ret, size_t max);

/* Picks the lowest base, aligned to size, of a block of `size` ids lying wholly inside one of
 * the owned ranges and overlapping none of the used ranges. -ENOSPC when there is none. */
int idmap_alloc_range(const struct idmap_range *owned, size_t n_owned,
		      const struct idmap_range *used, size_t n_used, uint32_t size,
		      uint32_t *ret_base);

/* The same with blocks counted from each owned range's start, not aligned to size: a user's
 * /etc/subuid range (100000:65536) holds one container. */
int idmap_alloc_block(const struct idmap_range *owned, size_t n_owned,
		      const struct idmap_range *used, size_t n_used, uint32_t size,
		      uint32_t *ret_base);

/* Adds "root:START:COUNT" to the subid file at path when root has no range there, choosing
 * START above every range the file already lists (at least 1000000) and COUNT for `blocks`
 * containers of IDMAP_DEFAULT_SIZE. Atomic rewrite that keeps the other lines. Returns 1 if
 * it added an entry, 0 if root already had one. */
int idmap_ensure_root_entry(const char *path, uint32_t blocks);

/* The ids this process's user namespace maps, as seen inside it: the first and third columns
 * of /proc/self/uid_map or gid_map text. The initial namespace gives one range of every id.
 * Returns the number of ranges (up to max stored), or -EIO on malformed text. */
int idmap_parse_own_map(FILE *f, struct idmap_range *ret, size_t max);

/* Whether map (from idmap_parse_own_map) is the initial namespace's: every id mapped. */
bool idmap_map_is_initial(const struct idmap_range *map, size_t n_map);

/* Whether this process runs in the initial user namespace (false inside a container). */
bool idmap_in_initial_userns(void);

/* The parts of the owned ranges that lie inside the mapped ranges; a nested lxmgr can only
 * hand out ids its own namespace maps. Returns how many ranges it stored in ret (up to max). */
size_t idmap_clip_ranges(const struct idmap_range *owned, size_t n_owned,
			 const struct idmap_range *map, size_t n_map, struct idmap_range *ret,
			 size_t max);

/* Whether [a, a+a_count) and [b, b+b_count) share an id (64-bit sums: no wrap). */
bool idmap_ranges_overlap(uint32_t a, uint32_t a_count, uint32_t b, uint32_t b_count);

/* Whether every id of [base, base+count) lies in one of ranges; adjacent or overlapping
 * entries join (as newuidmap(1) accepts a map line spread over two /etc/subuid lines).
 * false for count 0. */
bool idmap_range_is_covered(const struct idmap_range *ranges, size_t n, uint32_t base,
			    uint32_t count);

/* The first account of /etc/passwd or /etc/group text ("name:x:ID:...") whose id lies in
 * [base, base+count): 1 with its name (cut to size) and id, 0 if none, -EIO on a read error.
 * Lines without a numeric third field are skipped. */
int idmap_find_account(FILE *f, uint32_t base, uint32_t count, char *ret_name, size_t size,
		       uint32_t *ret_id);

/* "START-END, START-END" (inclusive ends) of ranges, or "none"; cut to size. */
void idmap_format_ranges(const struct idmap_range *v, size_t n, char *buf, size_t size);

/* idmap_ensure_root_entry for an lxmgr inside a user namespace (a nesting container): when
 * root has no range, adds one from IDMAP_DEFAULT_SIZE (the container's own system ids stay
 * below it) up to the end of the largest mapped range, in whole blocks of
 * IDMAP_DEFAULT_SIZE. 1 if added, 0 if root had a range, -ENOSPC when the map holds no
 * block above the first. */
int idmap_ensure_root_entry_in(const char *path, const struct idmap_range *map, size_t n_map);

/* Host id ranges that running user namespaces map right now (from /proc/PID/uid_map or
 * gid_map of every process, identity maps of the initial namespace and processes of our own
 * user namespace skipped). *ret is
 * malloc'd; *ret_n entries. procfd is an fd of /proc (tests pass a fake tree). */
int idmap_live_ranges(int procfd, bool gid, struct idmap_range **ret, size_t *ret_n);
/* Both in one pass over /proc: uid_map ranges and gid_map ranges. */
int idmap_live_ranges_both(int procfd, struct idmap_range **ret_uids, size_t *ret_n_uids,
			   struct idmap_range **ret_gids, size_t *ret_n_gids);

/* Writes /proc/PID/uid_map and gid_map ("0 BASE COUNT") of a child in a new user namespace.
 * setgroups stays "allow": the container's own root may call setgroups(2). */
int idmap_write_maps(pid_t pid, uint32_t uid_base, uint32_t gid_base, uint32_t count);
