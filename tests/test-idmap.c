/* test-idmap.c: subid parsing, range allocation, the root entry, live ranges, map writing. */
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/util.h"
#include "fs/idmap-alloc.h"
#include "fs/idmap.h"
#include "store/config.h"
#include "unit.h"

static int parse_text(const char *text, const char *user, uid_t uid, struct idmap_range *ret,
		      size_t max)
{
	_cleanup_fclose_ FILE *f = fmemopen((void *)text, strlen(text), "r");

	assert_non_null(f);
	return idmap_parse_subid(f, user, uid, ret, max);
}

static void test_idmap_parse_subid_finds_root_ranges_by_name_and_uid(void **state)
{
	static const char text[] = "# lxmgr ranges\n"
				   "\n"
				   "alice:100000:65536\n"
				   "root:1048576:65536\n"
				   "  \t\n"
				   "0:2097152:131072\n"
				   "rootless:3000000:65536\n"
				   "bob:4000000:65536";
	struct idmap_range r[3] = {{7, 7}, {7, 7}, {7, 7}};

	(void)state;
	assert_int_equal(parse_text(text, "root", 0, r, 3), 2);
	assert_int_equal(r[0].start, 1048576);
	assert_int_equal(r[0].count, 65536);
	assert_int_equal(r[1].start, 2097152);
	assert_int_equal(r[1].count, 131072);
	assert_int_equal(r[2].start, 7);

	/* Without a uid, the numeric line is somebody else's. */
	assert_int_equal(parse_text(text, "root", (uid_t)-1, r, 3), 1);
	assert_int_equal(r[0].start, 1048576);

	/* The count is of all matches; only max are stored. */
	r[1] = (struct idmap_range){7, 7};
	assert_int_equal(parse_text(text, "root", 0, r, 1), 2);
	assert_int_equal(r[1].start, 7);

	assert_int_equal(parse_text(text, "bob", 1001, r, 3), 1);
	assert_int_equal(r[0].start, 4000000);
	assert_int_equal(parse_text(text, "carol", 1002, r, 3), 0);
}

static void test_idmap_parse_subid_refuses_malformed_line(void **state)
{
	static const char *const bad[] = {
		"root:100000\n",        "root:abc:65536\n",
		"root:100000:65536x\n", "root:-1:65536\n",
		"root::65536\n",        ":100000:65536\n",
		"root:1:2:3\n",         "root:99999999999:1\n",
		"root:100000:0\n",      "root:4294901760:65537\n",
		"root: 100000:65536\n", "justaname\n",
	};
	struct idmap_range r[1];

	(void)state;
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		_cleanup_free_ char *text = NULL;

		/* A bad line anywhere fails the parse, even for another user. */
		assert_int_equal(xasprintf(&text, "root:1048576:65536\n%s", bad[i]), 0);
		if (parse_text(text, "alice", 1000, r, 1) != -EINVAL)
			fail_msg("accepted malformed line: %s", bad[i]);
	}
	/* The highest range that still fits: it ends exactly at 2^32. */
	assert_int_equal(parse_text("root:4294901760:65536\n", "root", 0, r, 1), 1);
	assert_int_equal(r[0].start, 4294901760U);
}

static void test_idmap_alloc_range_skips_range_of_live_container(void **state)
{
	const struct idmap_range owned[] = {{1048576, 4 * 65536}};
	const struct idmap_range used[] = {{1048576, 65536}, {1114112 + 100, 10}};
	uint32_t base = 0;

	(void)state;
	assert_int_equal(idmap_alloc_range(owned, 1, used, 1, 65536, &base), 0);
	assert_int_equal(base, 1114112);
	/* Even a few ids of a block in use make the whole block taken. */
	assert_int_equal(idmap_alloc_range(owned, 1, used, 2, 65536, &base), 0);
	assert_int_equal(base, 1179648);
	assert_int_equal(idmap_alloc_range(owned, 1, NULL, 0, 65536, &base), 0);
	assert_int_equal(base, 1048576);
}

static void test_idmap_alloc_range_aligns_base(void **state)
{
	/* 1000000 is not a multiple of 65536: the first aligned base inside is 1048576. */
	const struct idmap_range owned[] = {{5000000, 1000000}, {1000000, 200000}};
	const struct idmap_range small[] = {{100000, 65536}};
	const struct idmap_range used[] = {{1100000, 10}};
	uint32_t base = 0;

	(void)state;
	assert_int_equal(idmap_alloc_range(owned, 2, NULL, 0, 65536, &base), 0);
	assert_int_equal(base, 1048576);
	/* The next aligned block, 1114112..1179647, still ends inside 1000000..1199999. */
	assert_int_equal(idmap_alloc_range(owned, 2, used, 1, 65536, &base), 0);
	assert_int_equal(base, 1114112);
	/* 100000..165535 holds 65536 ids but no aligned block of them. */
	assert_int_equal(idmap_alloc_range(small, 1, NULL, 0, 65536, &base), -ENOSPC);
	assert_int_equal(idmap_alloc_range(small, 1, NULL, 0, 0, &base), -EINVAL);
}

static void test_idmap_alloc_range_returns_enospc_when_full(void **state)
{
	const struct idmap_range owned[] = {{1048576, 2 * 65536}};
	/* Unaligned and overlapping each other, together covering both blocks. */
	const struct idmap_range used[] = {{1048000, 70000}, {1100000, 90000}};
	const struct idmap_range top[] = {{4294901760U, 65536}};
	uint32_t base = 42;

	(void)state;
	assert_int_equal(idmap_alloc_range(owned, 1, used, 2, 65536, &base), -ENOSPC);
	assert_int_equal(base, 42);
	assert_int_equal(idmap_alloc_range(owned, 1, used, 1, 65536, &base), -ENOSPC);
	assert_int_equal(idmap_alloc_range(NULL, 0, NULL, 0, 65536, &base), -ENOSPC);
	/* The last block below 2^32 is usable, and the arithmetic does not wrap. */
	assert_int_equal(idmap_alloc_range(top, 1, NULL, 0, 65536, &base), 0);
	assert_int_equal(base, 4294901760U);
	assert_int_equal(idmap_alloc_range(top, 1, top, 1, 65536, &base), -ENOSPC);
}

static char *make_tmpdir(void)
{
	char *d = strdup("/tmp/test-idmap-XXXXXX");

	assert_non_null(d);
	assert_non_null(mkdtemp(d));
	return d;
}

static void write_text(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	assert_int_equal(close(fd), 0);
}

static char *read_text(const char *path)
{
	char *buf = NULL;

	assert_int_equal(read_file_at(AT_FDCWD, path, 1 << 20, &buf, NULL), 0);
	return buf;
}

static void check_append(const char *dir, const char *before, uint32_t blocks, const char *after)
{
	_cleanup_free_ char *path = NULL, *text = NULL;
	struct stat st;

	assert_int_equal(xasprintf(&path, "%s/subuid", dir), 0);
	if (before)
		write_text(path, before, 0600);
	else
		(void)unlink(path);
	assert_int_equal(idmap_ensure_root_entry(path, blocks), 1);
	text = read_text(path);
	assert_string_equal(text, after);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, before ? 0600 : 0644);
}

static void test_idmap_ensure_root_entry_appends_above_existing_ranges(void **state)
{
	_cleanup_free_ char *dir = make_tmpdir(), *path = NULL;
	/* bob's range ends at 1270000; the next multiple of 65536 is 1310720. Odd spacing
	 * and the comment must survive byte for byte. */
	static const char before[] = "# subordinate ids\n"
				     "alice:100000:65536\n"
				     "\n"
				     "bob:1200000:70000   \n"
				     "carol:500000:65536\n";

	(void)state;
	check_append(dir, before, 10,
		     "# subordinate ids\nalice:100000:65536\n\nbob:1200000:70000   \n"
		     "carol:500000:65536\nroot:1310720:655360\n");
	/* Low ranges only: root starts at the floor, 1048576. A missing newline is added. */
	check_append(dir, "alice:100000:65536", 1, "alice:100000:65536\nroot:1048576:65536\n");
	check_append(dir, NULL, 2, "root:1048576:131072\n");

	/* No room below 2^32 for 100 blocks above 4294010000. */
	assert_int_equal(xasprintf(&path, "%s/subuid", dir), 0);
	write_text(path, "x:4294000000:10000\n", 0644);
	assert_int_equal(idmap_ensure_root_entry(path, 100), -ERANGE);
	assert_int_equal(idmap_ensure_root_entry(path, 0), -EINVAL);
	write_text(path, "x:notanumber:10000\n", 0644);
	assert_int_equal(idmap_ensure_root_entry(path, 1), -EINVAL);
	assert_int_equal(rm_rf_at(AT_FDCWD, dir), 0);
}

static void test_idmap_ensure_root_entry_keeps_existing_root_entry(void **state)
{
	static const char *const texts[] = {
		"alice:100000:65536\nroot:200000:65536\n",
		"alice:100000:65536\n0:200000:65536",
	};
	_cleanup_free_ char *dir = make_tmpdir(), *path = NULL;

	(void)state;
	assert_int_equal(xasprintf(&path, "%s/subuid", dir), 0);
	for (size_t i = 0; i < ELEMENTSOF(texts); i++) {
		_cleanup_free_ char *text = NULL;
		struct stat a, b;

		write_text(path, texts[i], 0644);
		assert_int_equal(stat(path, &a), 0);
		assert_int_equal(idmap_ensure_root_entry(path, 10), 0);
		assert_int_equal(stat(path, &b), 0);
		/* Not rewritten at all: the same inode. */
		assert_int_equal(a.st_ino, b.st_ino);
		text = read_text(path);
		assert_string_equal(text, texts[i]);
	}
	assert_int_equal(rm_rf_at(AT_FDCWD, dir), 0);
}

static void put_map(const char *dir, const char *pid, const char *file, const char *text)
{
	_cleanup_free_ char *d = NULL, *p = NULL;

	assert_int_equal(xasprintf(&d, "%s/%s", dir, pid), 0);
	(void)mkdir(d, 0755);
	if (!file)
		return;
	assert_int_equal(xasprintf(&p, "%s/%s", d, file), 0);
	write_text(p, text, 0644);
}

static void test_idmap_parse_own_map_reads_inside_ranges(void **state)
{
	static char initial[] = "         0          0 4294967295\n";
	static char nested[] = "0 1179648 65536\n65536 2000000 131072\n";
	static char bad[] = "0 1179648\n";
	struct idmap_range map[4];
	FILE *f;

	(void)state;
	f = fmemopen(initial, strlen(initial), "r");
	assert_int_equal(idmap_parse_own_map(f, map, 4), 1);
	assert_true(idmap_map_is_initial(map, 1));
	(void)fclose(f);
	f = fmemopen(nested, strlen(nested), "r");
	assert_int_equal(idmap_parse_own_map(f, map, 4), 2);
	assert_false(idmap_map_is_initial(map, 2));
	/* The inside column, not the outside one: these are the ids we can hand out. */
	assert_int_equal(map[1].start, 65536);
	assert_int_equal(map[1].count, 131072);
	(void)fclose(f);
	f = fmemopen(bad, strlen(bad), "r");
	assert_int_equal(idmap_parse_own_map(f, map, 4), -EIO);
	(void)fclose(f);
}

static void test_idmap_clip_ranges_keeps_only_mapped_ids(void **state)
{
	/* Root's /etc/subuid range inside a nesting container lies partly outside its map. */
	const struct idmap_range owned[] = {{65536, 1048576}, {5000000, 65536}};
	const struct idmap_range map[] = {{0, 196608}};
	struct idmap_range out[4];

	(void)state;
	assert_int_equal(idmap_clip_ranges(owned, 2, map, 1, out, 4), 1);
	assert_int_equal(out[0].start, 65536);
	assert_int_equal(out[0].count, 131072);
	/* The whole id space clips nothing. */
	assert_int_equal(
		idmap_clip_ranges(owned, 2, &(struct idmap_range){0, UINT32_MAX}, 1, out, 4), 2);
	assert_int_equal(out[1].start, 5000000);
}

static void test_idmap_ensure_root_entry_in_uses_the_mapped_blocks(void **state)
{
	_cleanup_free_ char *dir = make_tmpdir(), *path = NULL, *text = NULL;
	const struct idmap_range map[] = {{0, 196608 + 100}};
	const struct idmap_range small[] = {{0, 65536}};

	(void)state;
	assert_int_equal(xasprintf(&path, "%s/subuid", dir), 0);
	write_text(path, "alice:100000:65536\n", 0644);
	/* Block 0 is the container's own; whole blocks above it, up to the end of the map. */
	assert_int_equal(idmap_ensure_root_entry_in(path, map, 1), 1);
	text = read_text(path);
	assert_string_equal(text, "alice:100000:65536\nroot:65536:131072\n");
	assert_int_equal(idmap_ensure_root_entry_in(path, map, 1), 0);
	(void)unlink(path);
	assert_int_equal(idmap_ensure_root_entry_in(path, small, 1), -ENOSPC);
	assert_int_equal(rm_rf_at(AT_FDCWD, dir), 0);
}

static void test_idmap_live_ranges_reads_fake_proc(void **state)
{
	_cleanup_free_ char *dir = make_tmpdir();
	_cleanup_free_ struct idmap_range *r = NULL;
	_cleanup_close_ int procfd = -EBADF;
	size_t n = 99;

	(void)state;
	/* The kernel's own layout: padded columns. */
	put_map(dir, "1", "uid_map", "         0          0 4294967295\n");
	put_map(dir, "42", "uid_map", "         0    1065536      65536\n");
	put_map(dir, "42", "gid_map", "         0    2000000      65536\n");
	put_map(dir, "43", "uid_map", "0 1065536 65536\n");
	put_map(dir, "44", "uid_map", "0 3000000 1000\n1000 1000 1\n1001 3001001 64535\n");
	/* Not a process: a number-named entry must be all digits. */
	put_map(dir, "self", "uid_map", "0 5 5\n");
	put_map(dir, "4x", "uid_map", "0 6 6\n");
	/* A process that exited between readdir and open. */
	put_map(dir, "45", NULL, NULL);

	procfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(procfd >= 0);
	assert_int_equal(idmap_live_ranges(procfd, false, &r, &n), 0);
	assert_int_equal(n, 4);
	/* Order follows readdir: look each up. */
	for (size_t i = 0; i < n; i++)
		assert_true((r[i].start == 1065536 && r[i].count == 65536) ||
			    (r[i].start == 3000000 && r[i].count == 1000) ||
			    (r[i].start == 1000 && r[i].count == 1) ||
			    (r[i].start == 3001001 && r[i].count == 64535));
	free(r);
	r = NULL;
	assert_int_equal(idmap_live_ranges(procfd, true, &r, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].start, 2000000);
	assert_int_equal(r[0].count, 65536);

	put_map(dir, "46", "uid_map", "0 garbage\n");
	free(r);
	r = NULL;
	assert_int_equal(idmap_live_ranges(procfd, false, &r, &n), -EIO);
	assert_int_equal(rm_rf_at(AT_FDCWD, dir), 0);
}

/* Validate that a rootless start's own namespace (the user as 0, its ranges onto themselves)
 * is not taken for a container, while the container inside it still counts. */
static void test_idmap_live_ranges_skips_rootless_own_namespace(void **state)
{
	_cleanup_free_ char *dir = make_tmpdir();
	_cleanup_free_ struct idmap_range *r = NULL;
	_cleanup_close_ int procfd = -EBADF;
	size_t n = 99;

	(void)state;
	put_map(dir, "50", "uid_map", "0 1001 1\n100000 100000 131072\n");
	put_map(dir, "51", "uid_map", "0 165536 65536\n");
	procfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(procfd >= 0);
	assert_int_equal(idmap_live_ranges(procfd, false, &r, &n), 0);
	assert_int_equal(n, 2);
	for (size_t i = 0; i < n; i++)
		assert_true((r[i].start == 1001 && r[i].count == 1) ||
			    (r[i].start == 165536 && r[i].count == 65536));
	assert_int_equal(rm_rf_at(AT_FDCWD, dir), 0);
}

/* Validate that a user's range not aligned to 65536 still holds its blocks, counted from its
 * start, and that a used block is skipped. */
static void test_idmap_alloc_block_counts_from_range_start(void **state)
{
	const struct idmap_range owned[] = {{100000, 131072}};
	const struct idmap_range used[] = {{100000, 65536}};
	const struct idmap_range busy[] = {{150000, 1}, {200000, 1}};
	uint32_t base = 0;

	(void)state;
	assert_int_equal(idmap_alloc_range(owned, 1, NULL, 0, 65536, &base), 0);
	assert_int_equal(base, 131072);
	assert_int_equal(idmap_alloc_block(owned, 1, NULL, 0, 65536, &base), 0);
	assert_int_equal(base, 100000);
	assert_int_equal(idmap_alloc_block(owned, 1, used, 1, 65536, &base), 0);
	assert_int_equal(base, 165536);
	assert_int_equal(idmap_alloc_block(owned, 1, busy, 2, 65536, &base), -ENOSPC);
}

/* Needs root and user namespaces; the only test here that does. */
static void test_idmap_write_maps_sets_maps_of_child(void **state)
{
	_cleanup_free_ char *uid_map = NULL, *gid_map = NULL, *path = NULL;
	int ready[2], go[2], status;
	unsigned a, b, c;
	char byte = 0;
	pid_t pid;

	(void)state;
	if (geteuid() != 0) {
		if (getenv("LXMGR_TEST_MUST_RUN"))
			fail_msg("not root");
		skip();
	}
	assert_int_equal(pipe2(ready, O_CLOEXEC), 0);
	assert_int_equal(pipe2(go, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(go[1]);
		byte = unshare(CLONE_NEWUSER) == 0 ? 'y' : 'n';
		if (write(ready[1], &byte, 1) != 1 || read(go[0], &byte, 1) < 0)
			_exit(2);
		_exit(0);
	}
	close(ready[1]);
	close(go[0]);
	assert_int_equal(read(ready[0], &byte, 1), 1);
	if (byte != 'y') {
		close(go[1]);
		(void)waitpid(pid, &status, 0);
		skip();
	}
	assert_int_equal(idmap_write_maps(pid, 1065536, 2131072, 65536), 0);
	assert_int_equal(xasprintf(&path, "/proc/%d/uid_map", (int)pid), 0);
	uid_map = read_text(path);
	free(path);
	assert_int_equal(xasprintf(&path, "/proc/%d/gid_map", (int)pid), 0);
	gid_map = read_text(path);
	/* A second write is refused by the kernel: the maps are set once. */
	assert_int_equal(idmap_write_maps(pid, 1065536, 2131072, 65536), -EPERM);
	close(go[1]);
	close(ready[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(sscanf(uid_map, "%u %u %u", &a, &b, &c), 3);
	assert_true(a == 0 && b == 1065536 && c == 65536);
	assert_int_equal(sscanf(gid_map, "%u %u %u", &a, &b, &c), 3);
	assert_true(a == 0 && b == 2131072 && c == 65536);
	assert_int_equal(idmap_write_maps(pid, 4294967295U, 0, 2), -ERANGE);
}

/* Validate that a range is accepted only when every id lies in root's ranges, adjacent
 * entries joining, and that the sums do not wrap at 2^32. */
static void test_idmap_range_is_covered_needs_every_id_inside(void **state)
{
	static const struct idmap_range owned[] = {
		{1048576, 65536}, {1114112, 65536}, {2000000, 100}, {4294901760U, 65536}};

	(void)state;
	/* A host user's uid 1000 as root's base: outside every entry. */
	assert_false(idmap_range_is_covered(owned, 4, 1000, 65536));
	assert_true(idmap_range_is_covered(owned, 4, 1048576, 65536));
	/* Spread over two adjacent lines, as newuidmap accepts it. */
	assert_true(idmap_range_is_covered(owned, 4, 1080000, 65536));
	/* One id past the end, and one id before the start. */
	assert_false(idmap_range_is_covered(owned, 4, 1114113, 65536));
	assert_false(idmap_range_is_covered(owned, 4, 1048575, 2));
	assert_true(idmap_range_is_covered(owned, 4, 2000000, 100));
	assert_false(idmap_range_is_covered(owned, 4, 2000000, 101));
	/* The last block ends at 2^32: no wrap to 0. */
	assert_true(idmap_range_is_covered(owned, 4, 4294901760U, 65536));
	assert_false(idmap_range_is_covered(owned, 4, 4294967295U, 65536));
	assert_false(idmap_range_is_covered(owned, 4, 1048576, 0));
	assert_false(idmap_range_is_covered(NULL, 0, 1048576, 1));
}

static void test_idmap_ranges_overlap_at_the_edges(void **state)
{
	(void)state;
	assert_true(idmap_ranges_overlap(1000, 65536, 66535, 10));
	assert_false(idmap_ranges_overlap(1000, 65536, 66536, 10));
	assert_false(idmap_ranges_overlap(66536, 10, 1000, 65536));
	assert_true(idmap_ranges_overlap(4294967000U, 1000, 4294967295U, 1));
	assert_false(idmap_ranges_overlap(0, 0, 0, 10));
}

static int find_account(const char *text, uint32_t base, uint32_t count, char *name, uint32_t *id)
{
	_cleanup_fclose_ FILE *f = fmemopen((void *)text, strlen(text), "r");

	assert_non_null(f);
	return idmap_find_account(f, base, count, name, 64, id);
}

/* Validate that a range holding a host user is found, by name and uid, and that comments,
 * NIS lines and lines without a numeric id are skipped. */
static void test_idmap_find_account_names_a_host_user_in_the_range(void **state)
{
	static const char passwd[] = "root:x:0:0:root:/root:/bin/bash\n"
				     "# alice:x:1500:1500::/home/alice:/bin/sh\n"
				     "+nis:x:1600:::\n"
				     "odd:x:abc:0::/:/bin/sh\n"
				     "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
				     "bob:x:1000:1000::/home/bob:/bin/bash\n";
	char name[64];
	uint32_t id = 0;

	(void)state;
	assert_int_equal(find_account(passwd, 1000, 65536, name, &id), 1);
	assert_string_equal(name, "nobody");
	assert_int_equal(id, 65534);
	assert_int_equal(find_account(passwd, 1000, 1, name, &id), 1);
	assert_string_equal(name, "bob");
	assert_int_equal(find_account(passwd, 1001, 64533, name, &id), 0);
	assert_int_equal(find_account(passwd, 1400, 300, name, &id), 0);
	assert_int_equal(find_account(passwd, 1048576, 65536, name, &id), 0);
	assert_int_equal(find_account("", 0, 10, name, &id), 0);
}

static void test_idmap_format_ranges_gives_inclusive_ends(void **state)
{
	static const struct idmap_range v[] = {{1048576, 65536000}, {4294901760U, 65536}};
	char buf[128];

	(void)state;
	idmap_format_ranges(v, 2, buf, sizeof(buf));
	assert_string_equal(buf, "1048576-66584575, 4294901760-4294967295");
	idmap_format_ranges(v, 0, buf, sizeof(buf));
	assert_string_equal(buf, "none");
	idmap_format_ranges(v, 2, buf, 10);
	assert_string_equal(buf, "1048576-6");
}

static void test_idmap_block_owner_is_the_source_of_a_rootless_snapshot_clone(void **state)
{
	struct container_config cfg = {0};
	char buf[64];

	(void)state;
	assert_string_equal(idmap_block_owner("g4", &cfg, buf, sizeof(buf)), "g4");
	cfg.rootfs_shifted = true;
	assert_string_equal(idmap_block_owner("g4", &cfg, buf, sizeof(buf)), "g4");
	strcpy(cfg.snapshot_of, "g@s1");
	assert_string_equal(idmap_block_owner("g4", &cfg, buf, sizeof(buf)), "g");
	strcpy(cfg.snapshot_of, "g");
	assert_string_equal(idmap_block_owner("g4", &cfg, buf, sizeof(buf)), "g");
	/* On the layers of its own snapshots: its own block. */
	strcpy(cfg.snapshot_of, "g4@");
	assert_string_equal(idmap_block_owner("g4", &cfg, buf, sizeof(buf)), "g4");
	/* Root's snapshot clone: its layers are idmapped into a block of its own. */
	cfg.rootfs_shifted = false;
	strcpy(cfg.snapshot_of, "g@s1");
	assert_string_equal(idmap_block_owner("g4", &cfg, buf, sizeof(buf)), "g4");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_idmap_parse_subid_finds_root_ranges_by_name_and_uid),
		cmocka_unit_test(test_idmap_parse_subid_refuses_malformed_line),
		cmocka_unit_test(test_idmap_alloc_range_skips_range_of_live_container),
		cmocka_unit_test(test_idmap_alloc_range_aligns_base),
		cmocka_unit_test(test_idmap_alloc_range_returns_enospc_when_full),
		cmocka_unit_test(test_idmap_ensure_root_entry_appends_above_existing_ranges),
		cmocka_unit_test(test_idmap_ensure_root_entry_keeps_existing_root_entry),
		cmocka_unit_test(test_idmap_parse_own_map_reads_inside_ranges),
		cmocka_unit_test(test_idmap_clip_ranges_keeps_only_mapped_ids),
		cmocka_unit_test(test_idmap_ensure_root_entry_in_uses_the_mapped_blocks),
		cmocka_unit_test(test_idmap_live_ranges_reads_fake_proc),
		cmocka_unit_test(test_idmap_live_ranges_skips_rootless_own_namespace),
		cmocka_unit_test(test_idmap_alloc_block_counts_from_range_start),
		cmocka_unit_test(test_idmap_write_maps_sets_maps_of_child),
		cmocka_unit_test(test_idmap_range_is_covered_needs_every_id_inside),
		cmocka_unit_test(test_idmap_ranges_overlap_at_the_edges),
		cmocka_unit_test(test_idmap_find_account_names_a_host_user_in_the_range),
		cmocka_unit_test(test_idmap_format_ranges_gives_inclusive_ends),
		cmocka_unit_test(test_idmap_block_owner_is_the_source_of_a_rootless_snapshot_clone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
