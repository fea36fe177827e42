/* copy.h: copying a root filesystem tree, and shifting its ownership for the fallback. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

struct copy_progress {
	/* Called now and then with bytes copied so far and the total (from a first pass). */
	void (*report)(void *userdata, uint64_t done, uint64_t total);
	/* Polled between files: returning true stops the copy with -EINTR (Ctrl-C in create). */
	bool (*cancelled)(void *userdata);
	void *userdata;
};

/* Copies the tree at src into dst (which must not exist; created with src's mode) without
 * crossing mount points of src. Keeps types (regular, dir, symlink, fifo, socket, char and
 * block devices), owners, modes including setuid/setgid/sticky, timestamps, hard links, and
 * every extended attribute (ACLs, security.capability). Regular files are reflinked where the
 * filesystem can (FICLONE), else copied with copy_file_range; sparse holes stay holes.
 * uid_shift/gid_shift are added to every owner (0 for a plain copy). progress may be NULL.
 * Returns 0, or -errno with ret_failed_path (malloc'd, may be NULL) naming the entry. */
int copy_tree(const char *src, const char *dst, uint32_t uid_shift, uint32_t gid_shift,
	      const struct copy_progress *progress, char **ret_failed_path);

/* Shifts owners of the tree at path in place by +uid_shift/+gid_shift (the create-time
 * fallback when the filesystem cannot be idmapped). Restores the setuid/setgid bits that
 * chown(2) clears, and rewrites security.capability as a v3 capability whose rootid is the
 * shifted root, so file capabilities keep working inside the user namespace. ACL entries
 * naming users or groups are shifted too. Does not cross mount points. */
int shift_tree(const char *path, uint32_t uid_shift, uint32_t gid_shift, char **ret_failed_path);
