/* rootless-ids.c: a rootless lxmgr's ids come from the user's own /etc/subuid and /etc/subgid
 * ranges, never added by lxmgr (only an administrator may give a user ids). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "fs/idmap.h"
#include "base/log.h"
#include "base/lxmgr.h"
#include "fs/rootless.h"
#include "base/util.h"

#define LOG_STEP "idmap"

const char *idmap_owner_name(void)
{
	return rootless_active() ? rootless_user_name() : "root";
}

static int no_range(const struct lxmgr_ctx *ctx, const char *path, bool gid, uint32_t size)
{
	const char *user = rootless_user_name();

	return lx_fail(ctx, LX_SYNTHETIC(-ENOENT),
		       "%s has no range for %s: an administrator adds one with 'usermod "
		       "--add-sub%cids 100000-%u --add-sub%cids 100000-%u %s' (pick a free start)",
		       path, user, gid ? 'g' : 'u', 100000 + size * 16 - 1, gid ? 'u' : 'g',
		       100000 + size * 16 - 1, user);
}

int rootless_owned_ranges(const struct lxmgr_ctx *ctx, const char *path, bool gid, uint32_t size,
			  struct idmap_range *ret, size_t max)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	uint32_t largest = 0;
	int n;

	if (!f && errno == ENOENT)
		return no_range(ctx, path, gid, size);
	if (!f)
		return log_fail_full(ctx, "idmap", -errno, "open %s", path);
	n = idmap_parse_subid(f, rootless_user_name(), rootless_uid(), ret, max);
	if (n < 0)
		return log_fail_full(ctx, "idmap", LX_SYNTHETIC(n), "%s: malformed line", path);
	if (n == 0)
		return no_range(ctx, path, gid, size);
	for (int i = 0; i < n && i < (int)max; i++)
		if (ret[i].count > largest)
			largest = ret[i].count;
	if (largest < size)
		return lx_fail(ctx, LX_SYNTHETIC(-ERANGE),
			       "%s gives %s only %" PRIu32 " ids in one range: one container "
			       "needs %" PRIu32 " (an administrator adds a larger range with "
			       "'usermod --add-sub%cids')",
			       path, rootless_user_name(), largest, size, gid ? 'g' : 'u');
	return n;
}
