/* test-storage.c: unit tests of the storage pools' choices and names (storage.h): no root,
 * no btrfs; the pool itself is proven by tests/integration/storage-btrfs.sh. */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/lxmgr.h"
#include "base/util.h"
#include "fs/storage.h"
#include "store/config.h"
#include "store/store.h"
#include "unit.h"

struct fixture {
	char dir[PATH_MAX]; /* first: unit_dir_fixture_new() makes it */
	struct lxmgr_ctx ctx;
};

static int setup(void **state)
{
	struct fixture *fx = unit_dir_fixture_new(sizeof(*fx), "test-storage");

	if (!fx)
		return -1;
	fx->ctx = (struct lxmgr_ctx){.verb = "test", .custom_root = true};
	if (lxmgr_paths_init(&fx->ctx.paths, fx->dir) < 0 || mkdir(fx->ctx.paths.lib, 0755) < 0)
		return -1;
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	int r = unit_remove_tmpdir(fx->dir);

	lxmgr_paths_done(&fx->ctx.paths);
	free(fx);
	return r;
}

static void set_pool(struct container_config *c, const char *s)
{
	(void)snprintf(c->rootfs_storage, sizeof(c->rootfs_storage), "%s", s);
}

static void test_storage_pool_names_round_trip_and_others_are_refused(void **state _unused_)
{
	for (int p = 0; p < _STORAGE_POOL_MAX; p++)
		assert_int_equal(storage_pool_from_string(storage_pool_to_string(p)), p);
	assert_int_equal(storage_pool_from_string("zfs"), -EINVAL);
	assert_int_equal(storage_pool_from_string(""), -EINVAL);
	assert_int_equal(storage_pool_from_string("BTRFS"), -EINVAL);
}

/* Validate that a container made before pools (rootfs.storage unset) is a dir container. */
static void test_storage_of_unset_is_dir(void **state _unused_)
{
	struct container_config c = {0};

	assert_int_equal(storage_of(&c), STORAGE_DIR);
	set_pool(&c, "btrfs");
	assert_int_equal(storage_of(&c), STORAGE_BTRFS);
}

/* Validate the order: --storage, then a clone's source's pool, then storage.default. */
static void test_storage_choose_takes_option_then_source_then_default(void **state _unused_)
{
	struct container_config defaults = {0}, src = {0};

	assert_int_equal(storage_choose(&defaults, NULL, NULL), STORAGE_DIR);
	(void)snprintf(defaults.storage_default, sizeof(defaults.storage_default), "btrfs");
	assert_int_equal(storage_choose(&defaults, NULL, NULL), STORAGE_BTRFS);
	assert_int_equal(storage_choose(&defaults, "dir", NULL), STORAGE_DIR);
	set_pool(&src, "dir");
	assert_int_equal(storage_choose(&defaults, NULL, &src), STORAGE_DIR);
	set_pool(&src, "btrfs");
	(void)snprintf(defaults.storage_default, sizeof(defaults.storage_default), "dir");
	assert_int_equal(storage_choose(&defaults, NULL, &src), STORAGE_BTRFS);
	assert_int_equal(storage_choose(&defaults, "dir", &src), STORAGE_DIR);
}

/* Validate that export's tar -C is the subvolume holding rootfs/ for btrfs, LIB/NAME else. */
static void test_storage_rootfs_parent_is_the_subvolume_on_btrfs(void **state _unused_)
{
	struct container c = {.dir = (char *)"/s/lib/dev1",
			      .rootfs = (char *)"/s/lib/.storage/btrfs/containers/0a1b/rootfs"};
	_cleanup_free_ char *a = NULL, *b = NULL;

	assert_int_equal(storage_rootfs_parent(&c, &a), 0);
	assert_string_equal(a, "/s/lib/dev1");
	set_pool(&c.cfg, "btrfs");
	assert_int_equal(storage_rootfs_parent(&c, &b), 0);
	assert_string_equal(b, "/s/lib/.storage/btrfs/containers/0a1b");
}

/* Validate that only a record with a rootfs link is a pool snapshot (the layers' records have
 * a stack file), so that gc's check for incomplete layer records leaves it alone. */
static void test_storage_snapshot_is_pool_only_with_a_link(void **state)
{
	struct fixture *fx = *state;
	char path[PATH_MAX * 2];
	_cleanup_close_ int fd = -EBADF;

	(void)snprintf(path, sizeof(path), "%s/dev1/snapshots/a", fx->ctx.paths.lib);
	assert_int_equal(mkdir_p(path, 0755), 0);
	(void)snprintf(path, sizeof(path), "%s/dev1/snapshots/b", fx->ctx.paths.lib);
	assert_int_equal(mkdir_p(path, 0755), 0);
	(void)snprintf(path, sizeof(path), "%s/dev1/snapshots/a/rootfs", fx->ctx.paths.lib);
	assert_int_equal(symlink("../../../.storage/btrfs/snapshots/0a1b/rootfs", path), 0);
	(void)snprintf(path, sizeof(path), "%s/dev1/snapshots/b/stack", fx->ctx.paths.lib);
	unit_write_text(path, "0123\n");
	(void)snprintf(path, sizeof(path), "%s/dev1", fx->ctx.paths.lib);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_true(storage_snapshot_is_pool(fd, "a"));
	assert_false(storage_snapshot_is_pool(fd, "b"));
	assert_false(storage_snapshot_is_pool(fd, "c"));
}

/* Validate that gc of a store that never had a pool does nothing (and mounts nothing). */
static void test_storage_gc_without_a_pool_is_a_no_op(void **state)
{
	struct fixture *fx = *state;
	char path[PATH_MAX * 2];
	struct stat st;

	assert_int_equal(storage_gc(&fx->ctx), 0);
	(void)snprintf(path, sizeof(path), "%s/" STORAGE_DIR_NAME, fx->ctx.paths.lib);
	assert_int_equal(stat(path, &st), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_storage_pool_names_round_trip_and_others_are_refused),
		cmocka_unit_test(test_storage_of_unset_is_dir),
		cmocka_unit_test(test_storage_choose_takes_option_then_source_then_default),
		cmocka_unit_test(test_storage_rootfs_parent_is_the_subvolume_on_btrfs),
		cmocka_unit_test_setup_teardown(test_storage_snapshot_is_pool_only_with_a_link,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_storage_gc_without_a_pool_is_a_no_op, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
