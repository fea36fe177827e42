/* mounts-source.h: a share's host source, opened without following symlinks, and never in
 * the container store. */
#pragma once

#include <stddef.h>

struct lxmgr_paths;

/* The store's directories (its LIB and RUN, and the default store's) plus the NULL ending. */
#define MOUNTS_STORE_DIRS_MAX 5

/* Fills ret with the directories a share's source may neither be nor lie below: p's LIB and
 * RUN, and those of the default store; NULL-terminated. The strings are p's or static. */
void mounts_source_store(const struct lxmgr_paths *p, const char *ret[MOUNTS_STORE_DIRS_MAX]);

/* Opens src (absolute, no '.' or '..' component, as mounts_parse checks) as an O_PATH fd
 * resolved with openat2(RESOLVE_NO_SYMLINKS): no component of it, the last included, may be
 * a symlink, because whoever can write a directory on the way (the container, through a
 * share or its own rootfs) could swap one in. Attach from the fd, never from src again.
 * The source is a directory or a regular file. With store (NULL-terminated, may be NULL): it
 * must not be, nor lie below, one of those directories, compared by device and inode of
 * every ancestor of what was opened ('..' from the fd), so no spelling of the path dodges
 * it. Returns the fd, or -errno with a one-line reason in why naming src: -ELOOP (a
 * symlink), LX_SYNTHETIC(-EXDEV) (inside the store), LX_SYNTHETIC(-EINVAL) (neither a
 * directory nor a regular file), or the error of the lookup. */
int mounts_source_open(const char *src, const char *const *store, char *why, size_t n);
