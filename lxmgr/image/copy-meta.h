/* copy-meta.h: the metadata of one entry of a tree being copied or shifted: owners, modes,
 * times and extended attributes, with ids shifted where file capabilities and ACLs hold them
 * (internal to copy.c). */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#define XATTR_CAPS "security.capability"
#define XATTR_ACL_ACCESS "system.posix_acl_access"
#define XATTR_ACL_DEFAULT "system.posix_acl_default"

/* One entry to change: through fd if open (directories, regular files), else dirfd/name. */
struct node {
	int fd;
	int dirfd;
	const char *name;
};

/* The value of xattr key of n, malloc'd in *ret (*ret_len bytes); -ENODATA when unset. */
int node_getxattr_alloc(const struct node *n, const char *key, char **ret, size_t *ret_len);
/* Sets key of n to value with the ids it holds (capability rootid, ACL entries) shifted. */
int node_set_shifted(const struct node *n, const char *key, char *value, size_t len,
		     uint32_t uid_shift, uint32_t gid_shift);
/* Copies every xattr of src to dst, shifting the ids in capabilities and ACLs. */
int copy_xattrs(const struct node *src, const struct node *dst, uint32_t uid_shift,
		uint32_t gid_shift);
/* Owner of st, shifted; mode of st (after chown, which clears setuid bits); times of st. */
int node_chown(const struct node *n, const struct stat *st, uint32_t uid_shift, uint32_t gid_shift);
int node_chmod(const struct node *n, const struct stat *st);
int node_utimens(const struct node *n, const struct stat *st);
