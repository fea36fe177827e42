/* test-usermgr.c: the rootless user manager source without a bus: when it is usable, the
 * scope's unit name, the source info reads back from a recorded path, and the limits a
 * scope without their controllers refuses. */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "unit.h"

#include "base/cleanup.h"
#include "cgroup/cgroup.h"
#include "cgroup/usermgr.h"
#include "store/config.h"

static const char pure_mountinfo[] =
	"23 1 0:21 / / rw,relatime - overlay overlay rw,lowerdir=/l,upperdir=/u,workdir=/w\n"
	"31 23 0:28 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n";
static const char pure_self[] = "0::/user.slice/user-1000.slice/session-3.scope\n";
static const char hybrid_mountinfo[] =
	"31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
	"35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
	"41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";
static const char hybrid_self[] = "4:memory:/\n0::/\n";

static void parse(const char *mi, const char *self, struct cgroup_host *h)
{
	_cleanup_fclose_ FILE *f = fmemopen((void *)mi, strlen(mi), "r");
	_cleanup_fclose_ FILE *g = fmemopen((void *)self, strlen(self), "r");

	assert_non_null(f);
	assert_non_null(g);
	assert_int_equal(cgroup_host_parse(f, g, h), 0);
}

/* Validate that the user manager is asked only on a pure cgroup2 host with a bus socket. */
static void test_usable(void **state)
{
	const char *dir = *state;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct cgroup_host h = {0};
	char why[256] = "";
	int fd;

	(void)unsetenv("DBUS_SESSION_BUS_ADDRESS");
	parse(hybrid_mountinfo, hybrid_self, &h);
	assert_false(cgroup_usermgr_usable(&h, why, sizeof(why)));
	assert_string_equal(why, "not a pure cgroup2 host (v1 memory at /sys/fs/cgroup/memory)");
	cgroup_host_done(&h);

	parse(pure_mountinfo, pure_self, &h);
	(void)unsetenv("XDG_RUNTIME_DIR");
	assert_false(cgroup_usermgr_usable(&h, why, sizeof(why)));
	assert_string_equal(why, "no user bus (XDG_RUNTIME_DIR is unset)");
	assert_int_equal(setenv("XDG_RUNTIME_DIR", dir, 1), 0);
	assert_false(cgroup_usermgr_usable(&h, why, sizeof(why)));
	assert_non_null(strstr(why, "/bus (no user@UID.service)"));

	(void)snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/bus", dir);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_true(cgroup_usermgr_usable(&h, why, sizeof(why)));
	/* DBUS_SESSION_BUS_ADDRESS wins over XDG_RUNTIME_DIR, as in sd_bus_open_user. */
	assert_int_equal(setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus", 1), 0);
	assert_false(cgroup_usermgr_usable(&h, why, sizeof(why)));
	assert_string_equal(why, "no user bus at /nonexistent/bus (no user@UID.service)");
	(void)unsetenv("DBUS_SESSION_BUS_ADDRESS");
	(void)close(fd);
	cgroup_host_done(&h);
}

/* Validate that unit names are the store's tag and the name, escaped as systemd does. */
static void test_unit_name(void **state)
{
	char buf[300], tag[300];

	(void)state;
	assert_int_equal(cgroup_usermgr_unit_name("0a1b2c3d-dev", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "lxmgr-0a1b2c3d-dev.scope");
	assert_int_equal(cgroup_usermgr_unit_name("0a1b2c3d-a b/\\c", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "lxmgr-0a1b2c3d-a\\x20b\\x2f\\x5cc.scope");
	memset(tag, 'x', 250);
	tag[250] = '\0';
	assert_int_equal(cgroup_usermgr_unit_name(tag, buf, sizeof(buf)), -ENAMETOOLONG);
	assert_int_equal(cgroup_usermgr_unit_name("dev", buf, 10), -ENAMETOOLONG);
}

/* Validate that info tells the two sources apart from the recorded cgroup2 path. */
static void test_source(void **state)
{
	char unit[256];

	(void)state;
	assert_string_equal(cgroup_rootless_source(
				    "/sys/fs/cgroup/user.slice/user-1000.slice/"
				    "user@1000.service/app.slice/lxmgr-0a1b2c3d-dev.scope/payload",
				    unit, sizeof(unit)),
			    "user manager");
	assert_string_equal(unit, "lxmgr-0a1b2c3d-dev.scope");
	assert_string_equal(cgroup_rootless_source("/sys/fs/cgroup/unified/user/lxu/0/"
						   "lxmgr-0a1b2c3d-dev.scope",
						   unit, sizeof(unit)),
			    "session");
	assert_string_equal(unit, "");
	assert_string_equal(cgroup_rootless_source("/x/payload", unit, sizeof(unit)), "session");
	assert_null(cgroup_rootless_source(NULL, unit, sizeof(unit)));
}

/* Validate that a limit is refused by the name of the controller the scope lacks. */
static void test_unusable_limit(void **state)
{
	const char *dir = *state, *ctl = NULL;
	struct container_config c;
	char path[PATH_MAX + 32];

	config_init_defaults(&c);
	(void)snprintf(path, sizeof(path), "%s/cgroup.controllers", dir);
	unit_write_text(path, "cpuset cpu io pids\n");
	assert_null(cgroup_usermgr_unusable_limit(dir, &c, &ctl));
	c.pids_max = 64;
	assert_null(cgroup_usermgr_unusable_limit(dir, &c, &ctl));
	c.memory_max = 256 << 20;
	assert_string_equal(cgroup_usermgr_unusable_limit(dir, &c, &ctl), "limits.memory");
	assert_string_equal(ctl, "memory");
	unit_write_text(path, "\n");
	c.memory_max = LIMIT_UNSET;
	assert_string_equal(cgroup_usermgr_unusable_limit(dir, &c, &ctl), "limits.pids");
	assert_string_equal(ctl, "pids");
	unit_write_text(path, "memory hugetlb pids cpu\n");
	c.memory_max = 1 << 30;
	c.cpu_weight = 200;
	assert_null(cgroup_usermgr_unusable_limit(dir, &c, &ctl));
	config_done(&c);
}

static int setup(void **state)
{
	*state = unit_dir_fixture_new(PATH_MAX, "lxum");
	return *state ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_usable, setup, unit_dir_fixture_teardown),
		cmocka_unit_test(test_unit_name),
		cmocka_unit_test(test_source),
		cmocka_unit_test_setup_teardown(test_unusable_limit, setup,
						unit_dir_fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
