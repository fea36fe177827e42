/* copy-meta.c: owners, modes, times and extended attributes of one entry, for copy_tree and
 * shift_tree: ids in file capabilities (v3 rootid) and POSIX ACLs shifted with the owners. */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/posix_acl.h>
#include <linux/posix_acl_xattr.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/util.h"
#include "image/copy-meta.h"

static int shift_id(uint32_t id, uint32_t shift, uint32_t *ret)
{
	/* (uid_t)-1 means "unchanged" to chown(2) and is no valid owner. */
	if ((uint64_t)id + shift >= UINT32_MAX)
		return -EOVERFLOW;
	*ret = id + shift;
	return 0;
}

/* Rewrites security.capability as v3 with rootid + shift, so that the capability applies to
 * the container's root (see cap_convert_nscap() in security/commoncap.c). */
static int shift_caps(const void *value, size_t len, uint32_t uid_shift,
		      struct vfs_ns_cap_data *ret)
{
	struct vfs_ns_cap_data in = {0};
	uint32_t magic, rev, rootid = 0;
	int r;

	if (len < XATTR_CAPS_SZ_1 || len > sizeof(in))
		return -EINVAL;
	memcpy(&in, value, len);
	magic = le32toh(in.magic_etc);
	rev = magic & VFS_CAP_REVISION_MASK;
	if (!(rev == VFS_CAP_REVISION_1 && len == XATTR_CAPS_SZ_1) &&
	    !(rev == VFS_CAP_REVISION_2 && len == XATTR_CAPS_SZ_2) &&
	    !(rev == VFS_CAP_REVISION_3 && len == XATTR_CAPS_SZ_3))
		return -EINVAL;
	if (rev == VFS_CAP_REVISION_3)
		rootid = le32toh(in.rootid);
	r = shift_id(rootid, uid_shift, &rootid);
	if (r < 0)
		return r;
	*ret = in;
	ret->magic_etc = htole32(VFS_CAP_REVISION_3 | (magic & VFS_CAP_FLAGS_EFFECTIVE));
	ret->rootid = htole32(rootid);
	return 0;
}

static int shift_acl(void *value, size_t len, uint32_t uid_shift, uint32_t gid_shift)
{
	struct posix_acl_xattr_header *h = value;
	struct posix_acl_xattr_entry *e = (struct posix_acl_xattr_entry *)(h + 1);

	if (len < sizeof(*h) || (len - sizeof(*h)) % sizeof(*e) != 0 ||
	    le32toh(h->a_version) != POSIX_ACL_XATTR_VERSION)
		return -EINVAL;
	for (size_t i = 0; i < (len - sizeof(*h)) / sizeof(*e); i++) {
		uint16_t tag = le16toh(e[i].e_tag);
		uint32_t id;

		if (tag != ACL_USER && tag != ACL_GROUP)
			continue;
		if (shift_id(le32toh(e[i].e_id), tag == ACL_USER ? uid_shift : gid_shift, &id) < 0)
			return -EOVERFLOW;
		e[i].e_id = htole32(id);
	}
	return 0;
}

/* "/proc/self/fd/DIRFD/NAME": the l*xattr calls have no *at() form. */
static int node_path(const struct node *n, char *buf, size_t size)
{
	int k;

	if (n->dirfd == AT_FDCWD)
		k = snprintf(buf, size, "%s", n->name);
	else
		k = snprintf(buf, size, "/proc/self/fd/%d/%s", n->dirfd, n->name);
	return k < 0 || (size_t)k >= size ? -ENAMETOOLONG : 0;
}

/* listxattr when key is NULL, else getxattr of key. */
static ssize_t node_getxattr(const struct node *n, const char *key, char *buf, size_t size)
{
	char path[PATH_MAX];
	int r;

	if (n->fd >= 0)
		return NEG_ERRNO(key ? fgetxattr(n->fd, key, buf, size)
				     : flistxattr(n->fd, buf, size));
	r = node_path(n, path, sizeof(path));
	if (r < 0)
		return r;
	return NEG_ERRNO(key ? lgetxattr(path, key, buf, size) : llistxattr(path, buf, size));
}

static int node_setxattr(const struct node *n, const char *key, const void *value, size_t len)
{
	char path[PATH_MAX];
	int r;

	if (n->fd >= 0)
		return NEG_ERRNO(fsetxattr(n->fd, key, value, len, 0));
	r = node_path(n, path, sizeof(path));
	if (r < 0)
		return r;
	return NEG_ERRNO(lsetxattr(path, key, value, len, 0));
}

/* The whole xattr list (key NULL) or value, sized by asking first; retried when it grows
 * between the two calls. */
int node_getxattr_alloc(const struct node *n, const char *key, char **ret, size_t *ret_len)
{
	for (;;) {
		_cleanup_free_ char *buf = NULL;
		ssize_t k, size = node_getxattr(n, key, NULL, 0);

		if (size < 0)
			return (int)size;
		buf = malloc((size_t)size + 1);
		if (!buf)
			return -ENOMEM;
		k = node_getxattr(n, key, buf, (size_t)size);
		if (k == -ERANGE)
			continue;
		if (k < 0)
			return (int)k;
		buf[k] = '\0';
		*ret = TAKE_PTR(buf);
		*ret_len = (size_t)k;
		return 0;
	}
}

/* Stores xattr key on n, rewritten for the shift: ACLs in place, capabilities as v3. */
int node_set_shifted(const struct node *n, const char *key, char *value, size_t len,
		     uint32_t uid_shift, uint32_t gid_shift)
{
	struct vfs_ns_cap_data caps;
	int r = 0;

	if (!strcmp(key, XATTR_CAPS) && uid_shift != 0) {
		r = shift_caps(value, len, uid_shift, &caps);
		return r < 0 ? r : node_setxattr(n, key, &caps, sizeof(caps));
	}
	if ((!strcmp(key, XATTR_ACL_ACCESS) || !strcmp(key, XATTR_ACL_DEFAULT)) &&
	    (uid_shift != 0 || gid_shift != 0))
		r = shift_acl(value, len, uid_shift, gid_shift);
	return r < 0 ? r : node_setxattr(n, key, value, len);
}

int copy_xattrs(const struct node *src, const struct node *dst, uint32_t uid_shift,
		uint32_t gid_shift)
{
	_cleanup_free_ char *list = NULL;
	size_t len;
	int r;

	r = node_getxattr_alloc(src, NULL, &list, &len);
	if (r == -EOPNOTSUPP)
		return 0;
	if (r < 0)
		return r;
	for (size_t i = 0; i < len; i += strlen(list + i) + 1) {
		_cleanup_free_ char *value = NULL;
		size_t vlen;

		r = node_getxattr_alloc(src, list + i, &value, &vlen);
		if (r == -ENODATA)
			continue;
		if (r < 0)
			return r;
		r = node_set_shifted(dst, list + i, value, vlen, uid_shift, gid_shift);
		if (r < 0)
			return r;
	}
	return 0;
}

int node_chown(const struct node *n, const struct stat *st, uint32_t uid_shift, uint32_t gid_shift)
{
	uint32_t uid, gid;

	if (shift_id(st->st_uid, uid_shift, &uid) < 0 || shift_id(st->st_gid, gid_shift, &gid) < 0)
		return -EOVERFLOW;
	if (n->fd >= 0)
		return NEG_ERRNO(fchown(n->fd, uid, gid));
	return NEG_ERRNO(fchownat(n->dirfd, n->name, uid, gid, AT_SYMLINK_NOFOLLOW));
}

/* After chown(2), which clears setuid/setgid; symlinks have no mode of their own. */
int node_chmod(const struct node *n, const struct stat *st)
{
	if (S_ISLNK(st->st_mode))
		return 0;
	if (n->fd >= 0)
		return NEG_ERRNO(fchmod(n->fd, st->st_mode & 07777));
	return NEG_ERRNO(fchmodat(n->dirfd, n->name, st->st_mode & 07777, 0));
}

int node_utimens(const struct node *n, const struct stat *st)
{
	const struct timespec ts[2] = {st->st_atim, st->st_mtim};

	if (n->fd >= 0)
		return NEG_ERRNO(futimens(n->fd, ts));
	return NEG_ERRNO(utimensat(n->dirfd, n->name, ts, AT_SYMLINK_NOFOLLOW));
}

/* Owner, then xattrs (chown drops security.capability), then mode (chown drops setuid and
 * setgid), then times (every earlier step may touch them). */
