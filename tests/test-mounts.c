/* test-mounts.c: unit tests of the validators of mount.NAME and device.NAME (fs/mounts.c):
 * SRC:DST[:ro][:owner=USER] syntax, the paths iniparser or the kernel would read otherwise,
 * the targets a share may not cover, and the device paths a container may be given. Syntax
 * only: no file system access. */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "fs/mounts.h"
#include "unit.h"

static void test_parse_splits_source_target_and_options(void **state _unused_)
{
	struct mount_entry m;

	assert_int_equal(mounts_parse("/srv/data:/data", &m), 0);
	assert_string_equal(m.src, "/srv/data");
	assert_string_equal(m.dst, "/data");
	assert_false(m.ro);
	assert_string_equal(m.owner, "");

	assert_int_equal(mounts_parse("/srv/data:/mnt/d:ro", &m), 0);
	assert_string_equal(m.dst, "/mnt/d");
	assert_true(m.ro);

	assert_int_equal(mounts_parse("/home/me/src:/home/dev/src:owner=dev", &m), 0);
	assert_false(m.ro);
	assert_string_equal(m.owner, "dev");

	/* Both options, in either order. */
	assert_int_equal(mounts_parse("/a:/b:owner=u_1.x-y:ro", &m), 0);
	assert_true(m.ro);
	assert_string_equal(m.owner, "u_1.x-y");
	assert_int_equal(mounts_parse("/a:/b:ro:owner=dev", &m), 0);
	assert_true(m.ro);
	assert_string_equal(m.owner, "dev");
}

static void test_parse_refuses_bad_options(void **state _unused_)
{
	static const char *const bad[] = {
		"/a:/b:rw",                                      /* unknown option */
		"/a:/b:",                                        /* empty option */
		"/a:/b:ro:ro",                                   /* twice */
		"/a:/b:owner=x:owner=y",                         /* twice */
		"/a:/b:owner=",                                  /* no user */
		"/a:/b:owner=-x",                                /* useradd refuses it */
		"/a:/b:owner=a b",                               /* a blank */
		"/a:/b:owner=a/b",                               /* not a user name */
		"/a:/b:owner=abcdefghijklmnopqrstuvwxyz0123456", /* 33 characters */
		"/a:/b:RO",
	};
	struct mount_entry m;

	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		if (mounts_parse(bad[i], &m) != -EINVAL)
			fail_msg("accepted '%s'", bad[i]);
		assert_false(mounts_value_is_valid(bad[i]));
	}
	/* 32 characters are still a user name. */
	assert_true(mounts_value_is_valid("/a:/b:owner=abcdefghijklmnopqrstuvwxyz012345"));
}

static void test_parse_refuses_paths_that_are_not_plain_absolute(void **state _unused_)
{
	static const char *const bad[] = {
		"",          "/a",
		":/b",       "/a:",
		"a:/b",      "/a:b",
		"/a/./x:/b", "/a/../x:/b",
		"/a/..:/b",  "/a/.:/b",
		"/a:/b/..",  "/a:/b/../c",
		"/a//x:/b",  "/a:/b//c",
		"/a b:/b",   "/a\tb:/b",
		"/a:/b#c",   "/a;b:/b",
		"/a:/\"b\"", "/a'b:/b",
		"/a\\b:/b",  "/caf\xc3\xa9:/b",
		"/a:/b\x7f",
	};
	struct mount_entry m;

	for (size_t i = 0; i < ELEMENTSOF(bad); i++)
		if (mounts_parse(bad[i], &m) != -EINVAL)
			fail_msg("accepted '%s'", bad[i]);
	/* A dot inside a name is no '.' component. */
	assert_int_equal(mounts_parse("/srv/.hidden/a.b:/home/x/..data", &m), 0);
	assert_string_equal(m.src, "/srv/.hidden/a.b");
	assert_string_equal(m.dst, "/home/x/..data");
}

static void test_parse_refuses_a_path_of_path_max(void **state _unused_)
{
	char value[PATH_MAX + 8];
	struct mount_entry m;

	value[0] = '/';
	memset(value + 1, 'a', PATH_MAX - 1);
	(void)snprintf(value + PATH_MAX, sizeof(value) - PATH_MAX, ":/b");
	assert_int_equal(mounts_parse(value, &m), -EINVAL);
	/* One shorter fits SRC's buffer with its NUL, as the kernel's limit allows. */
	(void)snprintf(value + PATH_MAX - 1, sizeof(value) - PATH_MAX + 1, ":/b");
	assert_int_equal(mounts_parse(value, &m), 0);
	assert_int_equal(strlen(m.src), PATH_MAX - 1);
	/* The same for DST. */
	(void)snprintf(value, sizeof(value), "/a:/");
	memset(value + 4, 'b', PATH_MAX - 1);
	value[PATH_MAX + 3] = '\0';
	assert_int_equal(mounts_parse(value, &m), -EINVAL);
	value[PATH_MAX + 2] = '\0';
	assert_int_equal(mounts_parse(value, &m), 0);
	assert_int_equal(strlen(m.dst), PATH_MAX - 1);
}

static void test_targets_root_proc_sys_dev_are_refused(void **state _unused_)
{
	static const char *const bad[] = {
		"/",        "/proc",      "/proc/1", "/sys", "/sys/fs/cgroup", "/dev", "/dev/shm",
		"relative", "/x/../proc", "/x:y",    ""};
	static const char *const good[] = {"/data",     "/procs",    "/system",   "/devel",
					   "/home/dev", "/srv/proc", "/mnt/sys/x"};

	for (size_t i = 0; i < ELEMENTSOF(bad); i++)
		if (mounts_target_is_valid(bad[i]))
			fail_msg("target '%s' accepted", bad[i]);
	for (size_t i = 0; i < ELEMENTSOF(good); i++)
		if (!mounts_target_is_valid(good[i]))
			fail_msg("target '%s' refused", good[i]);
	/* mount.NAME checks its DST the same way. */
	assert_false(mounts_value_is_valid("/srv:/proc/self"));
	assert_false(mounts_value_is_valid("/srv:/"));
	assert_true(mounts_value_is_valid("/srv:/procs"));
	/* SRC may be anything absolute on the host, /dev or / among them (the host's choice). */
	assert_true(mounts_value_is_valid("/:/host"));
	assert_true(mounts_value_is_valid("/dev:/hostdev"));
}

static void test_devices_lie_under_dev_outside_pts_and_shm(void **state _unused_)
{
	static const char *const bad[] = {"/dev",
					  "/dev/pts",
					  "/dev/pts/0",
					  "/dev/shm",
					  "/dev/shm/x",
					  "/devx",
					  "/tmp/fuse",
					  "dev/fuse",
					  "/dev/../etc/shadow",
					  "/dev/./null",
					  "/dev//null",
					  "/dev/fu se",
					  ""};
	static const char *const good[] = {"/dev/fuse", "/dev/net/tun", "/dev/kvm", "/dev/ptsx",
					   "/dev/shmem"};

	for (size_t i = 0; i < ELEMENTSOF(bad); i++)
		if (mounts_device_is_valid(bad[i]))
			fail_msg("device '%s' accepted", bad[i]);
	for (size_t i = 0; i < ELEMENTSOF(good); i++)
		if (!mounts_device_is_valid(good[i]))
			fail_msg("device '%s' refused", good[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_splits_source_target_and_options),
		cmocka_unit_test(test_parse_refuses_bad_options),
		cmocka_unit_test(test_parse_refuses_paths_that_are_not_plain_absolute),
		cmocka_unit_test(test_parse_refuses_a_path_of_path_max),
		cmocka_unit_test(test_targets_root_proc_sys_dev_are_refused),
		cmocka_unit_test(test_devices_lie_under_dev_outside_pts_and_shm),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
