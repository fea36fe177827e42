/* mounts-check.c: checks across the mount.NAME keys of one container, made at config set so
 * that a clash is refused before the next start would hide one share under another. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fs/mounts-check.h"
#include "fs/mounts.h"
#include "store/config.h"

/* DST without trailing slashes: /srv/code and /srv/code/ are one target. */
static size_t target_len(const char *dst)
{
	size_t n = strlen(dst);

	while (n > 1 && dst[n - 1] == '/')
		n--;
	return n;
}

int mounts_check_target_unique(const struct config_entry *entries, const char *leaf,
			       const char *value, char *why, size_t n)
{
	struct mount_entry new, old;
	size_t len;

	if (mounts_parse(value, &new) < 0)
		return 0; /* the syntax check reports it */
	len = target_len(new.dst);
	for (size_t i = 0; i < CONFIG_ENTRIES_MAX; i++) {
		const struct config_entry *e = &entries[i];

		if (!e->name || !e->value || !strcmp(e->name, leaf) ||
		    mounts_parse(e->value, &old) < 0)
			continue;
		if (target_len(old.dst) == len && !strncmp(old.dst, new.dst, len)) {
			(void)snprintf(why, n, "%.*s is the target of mount.%s already", (int)len,
				       new.dst, e->name);
			return -EEXIST;
		}
	}
	return 0;
}
