/* mounts-check.h: checks across the mount.NAME keys of one container. */
#pragma once

#include <stddef.h>

struct config_entry;

/* Whether value (mount.leaf's new SRC:DST) binds at a DST that another of the entries
 * (CONFIG_ENTRIES_MAX of them, mount.leaf itself excepted) binds at too: the second mount
 * would hide the first. 0, or -EEXIST with a one-line reason in why. */
int mounts_check_target_unique(const struct config_entry *entries, const char *leaf,
			       const char *value, char *why, size_t n);
