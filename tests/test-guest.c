/* test-guest.c: the cgroup layout a guest needs, and the inittab lxmgr boots it with. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

#include "base/cleanup.h"
#include "guest/boot-prep.h"
#include "guest/guest.h"
#include "store/config.h"

static void test_guest_cgroup_layout_boundary_is_systemd_230(void **state)
{
	(void)state;
	assert_int_equal(guest_cgroup_layout(INIT_KIND_SYSTEMD, 219), CGROUP_LAYOUT_HYBRID);
	assert_int_equal(guest_cgroup_layout(INIT_KIND_SYSTEMD, 229), CGROUP_LAYOUT_HYBRID);
	assert_int_equal(guest_cgroup_layout(INIT_KIND_SYSTEMD, 230), CGROUP_LAYOUT_UNIFIED);
	assert_int_equal(guest_cgroup_layout(INIT_KIND_SYSTEMD, 257), CGROUP_LAYOUT_UNIFIED);
	/* An unreadable version: assume a current systemd. */
	assert_int_equal(guest_cgroup_layout(INIT_KIND_SYSTEMD, 0), CGROUP_LAYOUT_UNIFIED);
	assert_int_equal(guest_cgroup_layout(INIT_KIND_OPENRC, 0), CGROUP_LAYOUT_UNIFIED);
}

static void test_guest_check_layout_refuses_mismatches_with_a_fix(void **state)
{
	struct container_config c = {.init_kind = INIT_KIND_SYSTEMD, .systemd_version = 219};
	char why[256] = "";

	(void)state;
	c.cgroup_layout = CGROUP_LAYOUT_UNIFIED;
	assert_int_equal(guest_check_layout(&c, why, sizeof(why)), -EOPNOTSUPP);
	assert_non_null(strstr(why, "systemd 219 cannot run on cgroup2 alone"));
	assert_non_null(strstr(why, "set container.cgroup_layout to hybrid"));
	c.cgroup_layout = CGROUP_LAYOUT_HYBRID;
	assert_int_equal(guest_check_layout(&c, why, sizeof(why)), 0);
	c.systemd_version = 257;
	assert_int_equal(guest_check_layout(&c, why, sizeof(why)), -EOPNOTSUPP);
	assert_non_null(strstr(why, "refuses cgroup v1"));
	c.cgroup_layout = CGROUP_LAYOUT_UNIFIED;
	assert_int_equal(guest_check_layout(&c, why, sizeof(why)), 0);
	c.init_kind = INIT_KIND_BUSYBOX;
	c.cgroup_layout = CGROUP_LAYOUT_LEGACY;
	assert_int_equal(guest_check_layout(&c, why, sizeof(why)), 0);
}

static bool only_busybox_exists(const char *path, void *userdata)
{
	(void)userdata;
	return !strcmp(path, "/sbin/getty") || !strcmp(path, "/bin/sh");
}

static const char alpine[] = "# /etc/inittab\n"
			     "\n"
			     "::sysinit:/sbin/openrc sysinit\n"
			     "tty1::respawn:/sbin/getty 38400 tty1\n"
			     "ttyS0::respawn:/sbin/getty -L 0 ttyS0 vt100\n"
			     "::ctrlaltdel:/sbin/reboot\n"
			     "::askfirst:-/bin/sh\n";

static void test_fixup_inittab_busybox_comments_ttys_and_absent_programs(void **state)
{
	_cleanup_free_ char *out = NULL;

	(void)state;
	assert_int_equal(boot_prep_inittab_text(alpine, "/etc/inittab.lxmgr-orig", false,
						"/sbin/getty -L 0 console vt100",
						only_busybox_exists, NULL, &out),
			 0);
	assert_true(!strncmp(out, BOOT_PREP_MARKER "/etc/inittab.lxmgr-orig",
			     strlen(BOOT_PREP_MARKER)));
	assert_non_null(strstr(out, "\n\n")); /* blank lines kept */
	assert_non_null(
		strstr(out, "#lxmgr (the program is not installed): ::sysinit:/sbin/openrc"));
	assert_non_null(strstr(out, "#lxmgr (no such terminal in a container): tty1::respawn"));
	assert_non_null(strstr(out, "#lxmgr (no such terminal in a container): ttyS0::respawn"));
	/* Kept: /sbin/reboot is not checked by the fake (absent), but "-/bin/sh" is /bin/sh. */
	assert_non_null(strstr(out, "\n::askfirst:-/bin/sh\n"));
	assert_non_null(strstr(out, "\nconsole::respawn:/sbin/getty -L 0 console vt100\n"));
	assert_null(strstr(out, "powerfail"));
}

static void test_fixup_inittab_sysvinit_powers_off_on_sigpwr(void **state)
{
	static const char debian[] = "id:2:initdefault:\n"
				     "1:2345:respawn:/sbin/getty --noclear 38400 tty1\n"
				     "pf::powerwait:/etc/init.d/powerfail start\n"
				     "co:2345:respawn:/sbin/getty 38400 console\n";
	_cleanup_free_ char *out = NULL;

	(void)state;
	assert_int_equal(
		boot_prep_inittab_text(debian, "x", true, "/sbin/agetty console", NULL, NULL, &out),
		0);
	assert_non_null(strstr(out, "\nid:2:initdefault:\n"));
	assert_non_null(strstr(out, "#lxmgr (no such terminal in a container): 1:2345"));
	assert_non_null(strstr(out, "#lxmgr (replaced: SIGPWR powers the container off): pf::"));
	assert_non_null(strstr(out, "\nlxpf::powerfail:/sbin/init 0\n"));
	/* The guest has a console getty already: no second one. */
	assert_null(strstr(out, "lxco:"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_guest_cgroup_layout_boundary_is_systemd_230),
		cmocka_unit_test(test_guest_check_layout_refuses_mismatches_with_a_fix),
		cmocka_unit_test(test_fixup_inittab_busybox_comments_ttys_and_absent_programs),
		cmocka_unit_test(test_fixup_inittab_sysvinit_powers_off_on_sigpwr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
