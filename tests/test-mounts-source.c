/* test-mounts-source.c: unit tests of a share's source lookup: no symlink on its way, a
 * directory or a regular file, never inside the store (by inode, however it is spelt). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "fs/mounts-source.h"
#include "unit.h"

struct fixture {
	char dir[PATH_MAX]; /* first: unit_dir_fixture_new() makes it */
	char store[PATH_MAX];
	const char *stores[2];
};

/* buf = dir/rel */
static void at(const char *dir, const char *rel, char buf[static PATH_MAX])
{
	int n = snprintf(buf, PATH_MAX, "%s/%s", dir, rel);

	assert_true(n > 0 && n < PATH_MAX);
}

/* dir/{host/sub/file, store/c1/rootfs/srv, link -> host, up -> /, fifo} */
static int setup(void **state)
{
	struct fixture *fx = unit_dir_fixture_new(sizeof(*fx), "test-msrc");
	char p[PATH_MAX];

	if (!fx)
		return -1;
	at(fx->dir, "host/sub", p);
	if (mkdir_p(p, 0755) < 0)
		return -1;
	at(fx->dir, "host/sub/file", p);
	unit_write_text(p, "x\n");
	at(fx->dir, "store", fx->store);
	at(fx->store, "c1/rootfs/srv", p);
	if (mkdir_p(p, 0755) < 0)
		return -1;
	at(fx->dir, "link", p);
	if (symlink("host", p) < 0)
		return -1;
	at(fx->dir, "up", p);
	if (symlink("/", p) < 0)
		return -1;
	at(fx->dir, "fifo", p);
	if (mkfifo(p, 0600) < 0)
		return -1;
	fx->stores[0] = fx->store;
	fx->stores[1] = NULL;
	*state = fx;
	return 0;
}

/* mounts_source_open of dir/rel: the fd (closed here) or -errno; why filled. */
static int open_rel(const struct fixture *fx, const char *rel, char *why, size_t n)
{
	char p[PATH_MAX];
	int fd;

	at(fx->dir, rel, p);
	fd = mounts_source_open(p, fx->stores, why, n);
	if (fd >= 0)
		(void)close(fd);
	return fd >= 0 ? 0 : fd;
}

static void test_source_open_accepts_a_directory_and_a_file(void **state)
{
	struct fixture *fx = *state;
	char why[PATH_MAX + 128] = "stale";

	assert_int_equal(open_rel(fx, "host/sub", why, sizeof(why)), 0);
	assert_string_equal(why, "");
	assert_int_equal(open_rel(fx, "host/sub/file", why, sizeof(why)), 0);
	assert_int_equal(open_rel(fx, "host/sub/", why, sizeof(why)), 0);
	/* Beside the store, with its name as a prefix: not inside it. */
	assert_int_equal(open_rel(fx, "host", why, sizeof(why)), 0);
}

static void test_source_open_refuses_a_symlinked_last_component(void **state)
{
	struct fixture *fx = *state;
	char why[PATH_MAX + 128], want[PATH_MAX * 2 + 64];

	assert_int_equal(open_rel(fx, "link", why, sizeof(why)), -ELOOP);
	(void)snprintf(want, sizeof(want), "source %s/link: %s/link is a symlink, refused", fx->dir,
		       fx->dir);
	assert_string_equal(why, want);
}

static void test_source_open_refuses_a_symlinked_parent(void **state)
{
	struct fixture *fx = *state;
	char why[PATH_MAX + 128], want[PATH_MAX * 2 + 64];

	assert_int_equal(open_rel(fx, "link/sub", why, sizeof(why)), -ELOOP);
	(void)snprintf(want, sizeof(want), "source %s/link/sub: %s/link is a symlink, refused",
		       fx->dir, fx->dir);
	assert_string_equal(why, want);
	assert_int_equal(open_rel(fx, "up/etc", why, sizeof(why)), -ELOOP);
	assert_int_equal(open_rel(fx, "link/sub/file", why, sizeof(why)), -ELOOP);
}

static void test_source_open_refuses_other_file_types(void **state)
{
	struct fixture *fx = *state;
	char why[PATH_MAX + 128];

	assert_int_equal(open_rel(fx, "fifo", why, sizeof(why)), LX_SYNTHETIC(-EINVAL));
	assert_non_null(strstr(why, "is not a directory or a regular file"));
	assert_int_equal(open_rel(fx, "missing", why, sizeof(why)), -ENOENT);
	assert_non_null(strstr(why, "No such file or directory"));
}

static void test_source_open_refuses_the_store_and_below(void **state)
{
	struct fixture *fx = *state;
	char why[PATH_MAX + 128], want[PATH_MAX + 64];

	assert_int_equal(open_rel(fx, "store", why, sizeof(why)), LX_SYNTHETIC(-EXDEV));
	assert_int_equal(open_rel(fx, "store/c1/rootfs/srv", why, sizeof(why)),
			 LX_SYNTHETIC(-EXDEV));
	(void)snprintf(want, sizeof(want),
		       "source %s/store/c1/rootfs/srv lies inside the container store", fx->dir);
	assert_string_equal(why, want);
}

/* The store named through a symlink: the source's real path shares no prefix with it. */
static void test_source_open_compares_the_store_by_inode(void **state)
{
	struct fixture *fx = *state;
	char why[PATH_MAX + 128], alias[PATH_MAX];

	at(fx->dir, "alias", alias);
	assert_int_equal(symlink("store", alias), 0);
	fx->stores[0] = alias;
	assert_int_equal(open_rel(fx, "store/c1/rootfs", why, sizeof(why)), LX_SYNTHETIC(-EXDEV));
	assert_int_equal(open_rel(fx, "host/sub", why, sizeof(why)), 0);
	fx->stores[0] = fx->store;
}

static void test_source_open_without_store_checks_symlinks_only(void **state)
{
	struct fixture *fx = *state;
	char p[PATH_MAX], why[PATH_MAX + 128];
	int fd;

	at(fx->dir, "store/c1/rootfs/srv", p);
	fd = mounts_source_open(p, NULL, why, sizeof(why));
	assert_true(fd >= 0);
	(void)close(fd);
	at(fx->dir, "link/sub", p);
	assert_int_equal(mounts_source_open(p, NULL, why, sizeof(why)), -ELOOP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_source_open_accepts_a_directory_and_a_file),
		cmocka_unit_test(test_source_open_refuses_a_symlinked_last_component),
		cmocka_unit_test(test_source_open_refuses_a_symlinked_parent),
		cmocka_unit_test(test_source_open_refuses_other_file_types),
		cmocka_unit_test(test_source_open_refuses_the_store_and_below),
		cmocka_unit_test(test_source_open_compares_the_store_by_inode),
		cmocka_unit_test(test_source_open_without_store_checks_symlinks_only),
	};

	return cmocka_run_group_tests(tests, setup, unit_dir_fixture_teardown);
}
