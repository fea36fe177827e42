/* test-clone.c: what a clone keeps of its source's config, and who is a snapshot of whom. */
#include <stdbool.h>
#include <sys/stat.h>

#include "unit.h"

#include "base/cleanup.h"
#include "base/lxmgr.h"
#include "image/clone.h"
#include "store/config.h"

static void test_clone_reset_config_clears_identity_keeps_settings(void **state _unused_)
{
	struct container_config c;

	config_init_defaults(&c);
	c.name = strdup("src");
	c.uuid = strdup("5b8b2d7e-6c1f-4a7d-9a63-0c4f8e2b1d90");
	c.hostname = strdup("srchost");
	c.uid_base = c.gid_base = 1048576;
	c.memory_max = 512 << 20;
	(void)snprintf(c.net_ip, sizeof(c.net_ip), "10.77.0.2");
	(void)snprintf(c.net_mac, sizeof(c.net_mac), "02:12:34:56:78:9a");
	(void)snprintf(c.net_forward, sizeof(c.net_forward), "tcp:8080:80");
	(void)snprintf(c.net_pool, sizeof(c.net_pool), "10.77.0.0/24");
	assert_int_equal(clone_reset_config(&c, "src"), 0);
	assert_null(c.name);
	assert_null(c.uuid);
	assert_null(c.hostname);
	assert_int_equal(c.uid_base, 0);
	assert_int_equal(c.gid_base, 0);
	assert_string_equal(c.net_ip, "");
	assert_string_equal(c.net_mac, "");
	assert_string_equal(c.net_forward, "");
	/* What is not identity stays: limits, the pool, the init. */
	assert_int_equal(c.memory_max, 512 << 20);
	assert_string_equal(c.net_pool, "10.77.0.0/24");
	assert_string_equal(c.init, "/sbin/init");
	assert_true(clone_is_snapshot(&c));
	assert_string_equal(c.snapshot_of, "src");
	assert_int_equal(clone_reset_config(&c, NULL), 0);
	assert_false(clone_is_snapshot(&c));
	config_done(&c);
}

static void put_config(const char *lib, const char *name, const char *snapshot_of)
{
	char dir[PATH_MAX + 64], path[PATH_MAX + 80], text[512];

	(void)snprintf(dir, sizeof(dir), "%s/%s", lib, name);
	assert_int_equal(mkdir(dir, 0755), 0);
	(void)snprintf(path, sizeof(path), "%s/config", dir);
	(void)snprintf(text, sizeof(text),
		       "[container]\nname = %s\nuuid = 5b8b2d7e-6c1f-4a7d-9a63-0c4f8e2b1d90\n"
		       "[idmap]\nuid_base = 1048576\ngid_base = 1048576\n%s%s%s",
		       name, snapshot_of ? "[rootfs]\nsnapshot_of = " : "",
		       snapshot_of ? snapshot_of : "", snapshot_of ? "\n" : "");
	unit_write_text(path, text);
}

static void test_clone_snapshots_of_names_every_snapshot_and_only_them(void **state _unused_)
{
	char root[PATH_MAX], names[256];
	struct lxmgr_ctx ctx = {.verb = "test"};

	assert_int_equal(unit_make_tmpdir(root, "test-clone"), 0);
	assert_int_equal(lxmgr_paths_init(&ctx.paths, root), 0);
	assert_int_equal(mkdir_p(ctx.paths.lib, 0700), 0);
	put_config(ctx.paths.lib, "base", NULL);
	put_config(ctx.paths.lib, "s1", "base");
	put_config(ctx.paths.lib, "s2", "base");
	put_config(ctx.paths.lib, "other", "elsewhere");
	assert_int_equal(clone_snapshots_of(&ctx, "base", names, sizeof(names)), 2);
	assert_string_equal(names, "s1 s2");
	assert_int_equal(clone_snapshots_of(&ctx, "s1", names, sizeof(names)), 0);
	assert_string_equal(names, "");
	/* A buffer too small for every name still counts them all. */
	assert_int_equal(clone_snapshots_of(&ctx, "base", names, 3), 2);
	assert_int_equal(clone_refuse_if_source(&ctx, "base", "starting it"), -EBUSY);
	assert_int_equal(clone_refuse_if_source(&ctx, "other", "starting it"), 0);
	lxmgr_paths_done(&ctx.paths);
	assert_int_equal(unit_remove_tmpdir(root), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clone_reset_config_clears_identity_keeps_settings),
		cmocka_unit_test(test_clone_snapshots_of_names_every_snapshot_and_only_them),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
