/* test-copy.c: copy_tree and shift_tree on real trees in /tmp (root only: chown, mknod). */
#include <endian.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/util.h"
#include "image/copy.h"
#include "unit.h"

#define CAP_NET_RAW_BIT (1U << 13)
#define SPARSE_SIZE (8U << 20)
#define SHIFT_UID 100000U
#define SHIFT_GID 200000U

struct tree {
	char *dir, *src, *dst;
};

static void require_root(void)
{
	if (geteuid() == 0)
		return;
	if (getenv("LXMGR_TEST_MUST_RUN"))
		fail_msg("copy tests need root (chown, mknod, security.capability)");
	skip();
}

static char *at(const char *dir, const char *name)
{
	char *p = NULL;

	assert_int_equal(xasprintf(&p, "%s/%s", dir, name), 0);
	return p;
}

static void put_file(const char *dir, const char *name, const char *text, uid_t uid, gid_t gid,
		     mode_t mode)
{
	_cleanup_free_ char *p = at(dir, name);
	_cleanup_close_ int fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchown(fd, uid, gid), 0);
	assert_int_equal(fchmod(fd, mode), 0);
}

/* The bytes setcap(8) writes for cap_net_raw+ep: a v2 vfs_cap_data, little endian. */
static void put_caps_v2(const char *path)
{
	struct vfs_cap_data caps = {0};

	caps.magic_etc = htole32(VFS_CAP_REVISION_2 | VFS_CAP_FLAGS_EFFECTIVE);
	caps.data[0].permitted = htole32(CAP_NET_RAW_BIT);
	assert_int_equal(setxattr(path, "security.capability", &caps, XATTR_CAPS_SZ_2, 0), 0);
}

/* An access ACL naming user 1005 and group 1006, in the raw xattr format. */
static void put_acl(const char *path)
{
	static const struct {
		uint16_t tag, perm;
		uint32_t id;
	} e[] = {
		{0x01, 6, UINT32_MAX}, {0x02, 4, 1005},       {0x04, 4, UINT32_MAX},
		{0x08, 4, 1006},       {0x10, 4, UINT32_MAX}, {0x20, 4, UINT32_MAX},
	};
	uint8_t buf[4 + sizeof(e)];
	uint32_t version = htole32(2);

	memcpy(buf, &version, 4);
	for (size_t i = 0; i < ELEMENTSOF(e); i++) {
		uint16_t tag = htole16(e[i].tag), perm = htole16(e[i].perm);
		uint32_t id = htole32(e[i].id);

		memcpy(buf + 4 + 8 * i, &tag, 2);
		memcpy(buf + 4 + 8 * i + 2, &perm, 2);
		memcpy(buf + 4 + 8 * i + 4, &id, 4);
	}
	assert_int_equal(setxattr(path, "system.posix_acl_access", buf, sizeof(buf), 0), 0);
}

static void put_sparse(const char *dir)
{
	_cleanup_free_ char *p = at(dir, "sparse");
	_cleanup_close_ int fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, "middle", 6, SPARSE_SIZE / 2), 6);
	assert_int_equal(ftruncate(fd, SPARSE_SIZE), 0);
}

static void put_tree(struct tree *t)
{
	const struct timespec old[2] = {{1000000000, 0}, {1200000000, 500}};
	_cleanup_free_ char *sub = NULL, *a = NULL, *b = NULL, *p = NULL, *q = NULL;

	t->dir = strdup("/tmp/test-copy-XXXXXX");
	assert_non_null(t->dir);
	assert_non_null(mkdtemp(t->dir));
	t->src = at(t->dir, "src");
	t->dst = at(t->dir, "dst");
	assert_int_equal(mkdir(t->src, 0751), 0);
	put_file(t->src, "suid", "#!/bin/true\n", 0, 0, 04755);
	put_file(t->src, "sgid", "#!/bin/true\n", 0, 50, 02755);
	put_file(t->src, "owned", "mine\n", 1000, 1000, 0640);
	put_file(t->src, "ping", "\177ELF", 0, 0, 0755);
	p = at(t->src, "ping");
	put_caps_v2(p);
	assert_int_equal(setxattr(p, "user.test", "value", 5, 0), 0);
	put_acl(p);
	sub = at(t->src, "sub");
	assert_int_equal(mkdir(sub, 01777), 0);
	assert_int_equal(chmod(sub, 01777), 0);
	put_file(sub, "a", "linked\n", 1000, 1000, 0644);
	a = at(sub, "a");
	b = at(t->src, "b");
	assert_int_equal(link(a, b), 0);
	q = at(t->src, "link");
	assert_int_equal(symlink("sub/a", q), 0);
	assert_int_equal(lchown(q, 1001, 1002), 0);
	free(q);
	q = at(t->src, "fifo");
	assert_int_equal(mkfifo(q, 0620), 0);
	assert_int_equal(chmod(q, 0620), 0);
	put_sparse(t->src);
	assert_int_equal(utimensat(AT_FDCWD, sub, old, 0), 0);
	assert_int_equal(utimensat(AT_FDCWD, q, old, 0), 0);
}

static void drop_tree(struct tree *t)
{
	assert_int_equal(rm_rf_at(AT_FDCWD, t->dir), 0);
	free(t->dir);
	free(t->src);
	free(t->dst);
}

static void check_stat(const char *dir, const char *name, mode_t mode, uid_t uid, gid_t gid,
		       struct stat *ret)
{
	_cleanup_free_ char *p = at(dir, name);
	struct stat st;

	if (lstat(p, &st) < 0)
		fail_msg("%s: %m", p);
	if (st.st_mode != mode || st.st_uid != uid || st.st_gid != gid)
		fail_msg("%s: mode %o owner %u:%u, want %o %u:%u", p, (unsigned)st.st_mode,
			 (unsigned)st.st_uid, (unsigned)st.st_gid, (unsigned)mode, (unsigned)uid,
			 (unsigned)gid);
	if (ret)
		*ret = st;
}

static void check_caps(const char *dir, const char *name, uint32_t want_rev, uint32_t rootid)
{
	_cleanup_free_ char *p = at(dir, name);
	struct vfs_ns_cap_data caps = {0};
	ssize_t n = getxattr(p, "security.capability", &caps, sizeof(caps));

	assert_int_equal(n, want_rev == VFS_CAP_REVISION_3 ? XATTR_CAPS_SZ_3 : XATTR_CAPS_SZ_2);
	assert_int_equal(le32toh(caps.magic_etc), want_rev | VFS_CAP_FLAGS_EFFECTIVE);
	assert_int_equal(le32toh(caps.data[0].permitted), CAP_NET_RAW_BIT);
	assert_int_equal(le32toh(caps.data[0].inheritable), 0);
	if (want_rev == VFS_CAP_REVISION_3)
		assert_int_equal(le32toh(caps.rootid), rootid);
}

static void check_acl_ids(const char *dir, const char *name, uint32_t uid, uint32_t gid)
{
	_cleanup_free_ char *p = at(dir, name);
	uint8_t buf[4 + 6 * 8];
	uint32_t u, g;

	assert_int_equal(getxattr(p, "system.posix_acl_access", buf, sizeof(buf)), sizeof(buf));
	memcpy(&u, buf + 4 + 8 + 4, 4);
	memcpy(&g, buf + 4 + 3 * 8 + 4, 4);
	assert_int_equal(le32toh(u), uid);
	assert_int_equal(le32toh(g), gid);
}

static void check_content(const char *dir, const char *name, const char *want)
{
	_cleanup_free_ char *p = at(dir, name), *text = NULL;

	assert_int_equal(read_file_at(AT_FDCWD, p, 4096, &text, NULL), 0);
	assert_string_equal(text, want);
}

struct progress_log {
	uint64_t done, total;
	unsigned reports, polls, cancel_after;
};

static void log_report(void *userdata, uint64_t done, uint64_t total)
{
	struct progress_log *l = userdata;

	l->done = done;
	l->total = total;
	l->reports++;
}

static bool log_cancelled(void *userdata)
{
	struct progress_log *l = userdata;

	return ++l->polls > l->cancel_after;
}

/* Everything but ownership, which the two copy tests check with and without a shift. */
static void check_common(const struct tree *t, struct stat *ret_sub)
{
	struct stat a, b, st;
	char target[64];
	_cleanup_free_ char *p = at(t->dst, "link"), *s = at(t->dst, "sparse");
	char value[16] = "";

	check_content(t->dst, "sub/a", "linked\n");
	check_content(t->dst, "owned", "mine\n");
	assert_int_equal(readlink(p, target, sizeof(target)), 5);
	assert_memory_equal(target, "sub/a", 5);
	free(p);
	p = at(t->dst, "ping");
	assert_int_equal(getxattr(p, "user.test", value, sizeof(value)), 5);
	assert_string_equal(value, "value");
	/* Holes stay holes. */
	assert_int_equal(lstat(s, &st), 0);
	assert_int_equal(st.st_size, SPARSE_SIZE);
	assert_true(st.st_blocks * 512 < SPARSE_SIZE / 4);
	free(s);
	s = at(t->dst, "sub/a");
	assert_int_equal(lstat(s, &a), 0);
	free(s);
	s = at(t->dst, "b");
	assert_int_equal(lstat(s, &b), 0);
	/* The hard link pair is one new inode with two names. */
	assert_int_equal(a.st_ino, b.st_ino);
	assert_int_equal(a.st_nlink, 2);
	free(s);
	s = at(t->dst, "sub");
	assert_int_equal(lstat(s, ret_sub), 0);
	/* Set after the directory's contents were made. */
	assert_int_equal(ret_sub->st_mtim.tv_sec, 1200000000);
	assert_int_equal(ret_sub->st_mtim.tv_nsec, 500);
}

static void test_copy_tree_keeps_owner_mode_hardlink_symlink_xattr(void **state)
{
	struct progress_log log = {.cancel_after = UINT32_MAX};
	const struct copy_progress progress = {log_report, log_cancelled, &log};
	struct tree t = {0};
	char *failed = (char *)"unset";
	struct stat st, src_a;
	_cleanup_free_ char *a = NULL;

	(void)state;
	require_root();
	put_tree(&t);
	assert_int_equal(copy_tree(t.src, t.dst, 0, 0, &progress, &failed), 0);
	assert_null(failed);
	check_stat(t.dst, ".", S_IFDIR | 0751, 0, 0, NULL);
	check_stat(t.dst, "suid", S_IFREG | 04755, 0, 0, NULL);
	check_stat(t.dst, "sgid", S_IFREG | 02755, 0, 50, NULL);
	check_stat(t.dst, "owned", S_IFREG | 0640, 1000, 1000, NULL);
	check_stat(t.dst, "link", S_IFLNK | 0777, 1001, 1002, NULL);
	check_stat(t.dst, "fifo", S_IFIFO | 0620, 0, 0, &st);
	assert_int_equal(st.st_mtim.tv_sec, 1200000000);
	check_stat(t.dst, "sub", S_IFDIR | 01777, 0, 0, NULL);
	check_stat(t.dst, "sub/a", S_IFREG | 0644, 1000, 1000, &st);
	a = at(t.src, "sub/a");
	assert_int_equal(lstat(a, &src_a), 0);
	assert_int_not_equal(st.st_ino, src_a.st_ino);
	check_caps(t.dst, "ping", VFS_CAP_REVISION_2, 0);
	check_acl_ids(t.dst, "ping", 1005, 1006);
	check_common(&t, &st);
	/* The last report is the whole: both links of the pair count, as in the first pass. */
	assert_true(log.reports >= 1);
	assert_int_equal(log.done, log.total);
	assert_int_equal(log.total, 12 + 12 + 5 + 4 + 7 + 7 + SPARSE_SIZE);
	drop_tree(&t);
}

static void test_copy_tree_with_shift_adds_base_and_rewrites_caps_v3(void **state)
{
	struct tree t = {0};
	struct stat st;

	(void)state;
	require_root();
	put_tree(&t);
	assert_int_equal(copy_tree(t.src, t.dst, SHIFT_UID, SHIFT_GID, NULL, NULL), 0);
	check_stat(t.dst, ".", S_IFDIR | 0751, SHIFT_UID, SHIFT_GID, NULL);
	check_stat(t.dst, "suid", S_IFREG | 04755, SHIFT_UID, SHIFT_GID, NULL);
	check_stat(t.dst, "sgid", S_IFREG | 02755, SHIFT_UID, SHIFT_GID + 50, NULL);
	check_stat(t.dst, "owned", S_IFREG | 0640, SHIFT_UID + 1000, SHIFT_GID + 1000, NULL);
	check_stat(t.dst, "link", S_IFLNK | 0777, SHIFT_UID + 1001, SHIFT_GID + 1002, NULL);
	check_stat(t.dst, "sub/a", S_IFREG | 0644, SHIFT_UID + 1000, SHIFT_GID + 1000, NULL);
	check_caps(t.dst, "ping", VFS_CAP_REVISION_3, SHIFT_UID);
	check_acl_ids(t.dst, "ping", SHIFT_UID + 1005, SHIFT_GID + 1006);
	check_common(&t, &st);
	/* The source is left alone. */
	check_stat(t.src, "owned", S_IFREG | 0640, 1000, 1000, NULL);
	check_caps(t.src, "ping", VFS_CAP_REVISION_2, 0);
	drop_tree(&t);
}

static void test_shift_tree_restores_setuid_bit(void **state)
{
	struct tree t = {0};
	char *failed = NULL;

	(void)state;
	require_root();
	put_tree(&t);
	assert_int_equal(shift_tree(t.src, SHIFT_UID, SHIFT_GID, &failed), 0);
	assert_null(failed);
	check_stat(t.src, ".", S_IFDIR | 0751, SHIFT_UID, SHIFT_GID, NULL);
	check_stat(t.src, "suid", S_IFREG | 04755, SHIFT_UID, SHIFT_GID, NULL);
	check_stat(t.src, "sgid", S_IFREG | 02755, SHIFT_UID, SHIFT_GID + 50, NULL);
	check_stat(t.src, "sub", S_IFDIR | 01777, SHIFT_UID, SHIFT_GID, NULL);
	/* Two names, one inode: shifted once, not twice. */
	check_stat(t.src, "sub/a", S_IFREG | 0644, SHIFT_UID + 1000, SHIFT_GID + 1000, NULL);
	check_stat(t.src, "link", S_IFLNK | 0777, SHIFT_UID + 1001, SHIFT_GID + 1002, NULL);
	check_stat(t.src, "fifo", S_IFIFO | 0620, SHIFT_UID, SHIFT_GID, NULL);
	check_caps(t.src, "ping", VFS_CAP_REVISION_3, SHIFT_UID);
	check_acl_ids(t.src, "ping", SHIFT_UID + 1005, SHIFT_GID + 1006);
	check_content(t.src, "sub/a", "linked\n");

	/* Past 2^32 - 1: refused, naming the entry. */
	assert_int_equal(shift_tree(t.src, UINT32_MAX - SHIFT_UID, 0, &failed), -EOVERFLOW);
	assert_non_null(failed);
	assert_string_equal(failed, t.src);
	free(failed);
	drop_tree(&t);
}

static void test_copy_tree_cancel_returns_eintr(void **state)
{
	struct progress_log log = {.cancel_after = 3};
	const struct copy_progress progress = {log_report, log_cancelled, &log};
	struct tree t = {0};
	char *failed = (char *)"unset";
	struct stat st;

	(void)state;
	require_root();
	put_tree(&t);
	assert_int_equal(copy_tree(t.src, t.dst, 0, 0, &progress, &failed), -EINTR);
	assert_null(failed);
	assert_int_equal(log.polls, 4);
	/* Partial: the caller removes it. */
	assert_int_equal(lstat(t.dst, &st), 0);
	/* dst must not exist beforehand. */
	log = (struct progress_log){.cancel_after = UINT32_MAX};
	assert_int_equal(copy_tree(t.src, t.dst, 0, 0, &progress, &failed), -EEXIST);
	assert_string_equal(failed, t.dst);
	free(failed);
	drop_tree(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_copy_tree_keeps_owner_mode_hardlink_symlink_xattr),
		cmocka_unit_test(test_copy_tree_with_shift_adds_base_and_rewrites_caps_v3),
		cmocka_unit_test(test_shift_tree_restores_setuid_bit),
		cmocka_unit_test(test_copy_tree_cancel_returns_eintr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
