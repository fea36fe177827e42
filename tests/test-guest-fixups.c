/* test-guest-fixups.c: guest_fixups_apply on a fixture tree: what is written for the units a
 * cloud image has, what is left alone, and that guest.fixups no restores the tree. */
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"

#include "base/cleanup.h"
#include "store/config.h"
#include "guest/fixups.h"
#include "base/util.h"

#define FSTAB                                                                                      \
	"# /etc/fstab\n"                                                                           \
	"UUID=6cd50e51-cfc6-40b9-9ec5-f32fa2e4ff02 / xfs defaults 0 0\n"                           \
	"LABEL=boot /boot xfs defaults 0 0\n"                                                      \
	"tmpfs /tmp tmpfs defaults 0 0\n"

struct tree {
	char dir[64];
	int fd;
};

static void put(int rootfd, const char *path, const char *text)
{
	char dir[256], full[512];
	int fd;

	(void)snprintf(dir, sizeof(dir), "%s", path + 1);
	*strrchr(dir, '/') = '\0';
	(void)snprintf(full, sizeof(full), "/proc/self/fd/%d/%s", rootfd, dir);
	assert_int_equal(mkdir_p(full, 0755), 0);
	fd = openat(rootfd, path + 1, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	(void)close(fd);
}

static bool exists(int rootfd, const char *path)
{
	struct stat st;

	return fstatat(rootfd, path + 1, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

static char *slurp(int rootfd, const char *path)
{
	char *text = NULL;

	assert_int_equal(read_file_at(rootfd, path + 1, 1 << 20, &text, NULL), 0);
	return text;
}

static int setup(void **state)
{
	struct tree *t = calloc(1, sizeof(*t));

	(void)snprintf(t->dir, sizeof(t->dir), "/tmp/test-guest-fixups-XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	t->fd = open(t->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(t->fd >= 0);
	put(t->fd, "/etc/systemd/system/.keep", "");
	put(t->fd, "/usr/lib/systemd/system/auditd.service", "[Service]\n");
	put(t->fd, "/usr/lib/systemd/system/rngd.service", "[Service]\n");
	put(t->fd, "/etc/rc.d/init.d/network", "#!/bin/sh\n");
	put(t->fd, "/etc/sysconfig/network-scripts/ifcfg-eth0", "DEVICE=\"eth0\"\nONBOOT=yes\n");
	put(t->fd, "/etc/sysconfig/network-scripts/ifcfg-lo", "DEVICE=lo\n");
	put(t->fd, "/etc/sysconfig/network-scripts/ifcfg-ens3", "ONBOOT=yes\n");
	put(t->fd, "/etc/cloud/cloud.cfg", "datasource_list: [ Ec2, None ]\n");
	put(t->fd, "/etc/fstab", FSTAB);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct tree *t = *state;

	(void)close(t->fd);
	(void)rm_rf_at(AT_FDCWD, t->dir);
	free(t);
	return 0;
}

static void config_for(struct container_config *cfg, bool fixups)
{
	config_init_defaults(cfg);
	cfg->init_kind = INIT_KIND_SYSTEMD;
	cfg->guest_fixups = fixups;
}

/* Validate that the units the guest has get a drop-in, the others none, and info's list. */
static void test_apply_writes_what_the_guest_needs(void **state)
{
	struct tree *t = *state;
	struct container_config cfg;
	_cleanup_free_ char *audit = NULL, *net = NULL, *fstab = NULL, *cloud = NULL;
	char list[512];

	config_for(&cfg, true);
	assert_true(cfg.guest_fixups); /* the default */
	assert_int_equal(guest_fixups_apply(t->fd, &cfg, 0, 0), 0);
	audit = slurp(t->fd, "/etc/systemd/system/auditd.service.d/lxmgr-container.conf");
	assert_non_null(strstr(audit, "[Unit]\nConditionVirtualization=!container\n"));
	assert_true(exists(t->fd, "/etc/systemd/system/rngd.service.d/lxmgr-container.conf"));
	assert_false(exists(t->fd, "/etc/systemd/system/kdump.service.d"));
	net = slurp(t->fd, "/etc/systemd/system/network.service.d/lxmgr-container.conf");
	assert_non_null(strstr(net, "ConditionPathExists=/sys/class/net/eth0\n"));
	assert_non_null(strstr(net, "ConditionPathExists=/sys/class/net/ens3\n"));
	assert_null(strstr(net, "/sys/class/net/lo"));
	fstab = slurp(t->fd, "/etc/fstab");
	assert_string_equal(fstab, "# /etc/fstab\n"
				   "#lxmgr (no such disk in a container): UUID=6cd50e51-cfc6-40b9-"
				   "9ec5-f32fa2e4ff02 / xfs defaults 0 0\n"
				   "#lxmgr (no such disk in a container): LABEL=boot /boot xfs "
				   "defaults 0 0\n"
				   "tmpfs /tmp tmpfs defaults 0 0\n");
	cloud = slurp(t->fd, GUEST_FIXUP_CLOUD_CFG);
	assert_non_null(strstr(cloud, "\ndatasource_list: [ NoCloud, None ]\n"));
	guest_fixups_list(t->fd, list, sizeof(list));
	assert_string_equal(list, "auditd.service (off), rngd.service (off), network.service (only "
				  "with its ifcfg devices), fstab (2 disk lines commented out), "
				  "cloud-init (NoCloud first)");
	/* Twice is the same as once: no line is commented twice. */
	assert_int_equal(guest_fixups_apply(t->fd, &cfg, 0, 0), 0);
	free(fstab);
	fstab = slurp(t->fd, "/etc/fstab");
	assert_null(strstr(fstab, "#lxmgr (no such disk in a container): #lxmgr"));
	config_done(&cfg);
}

/* Validate that guest.fixups no leaves the tree as the image had it. */
static void test_undo_restores_the_tree(void **state)
{
	struct tree *t = *state;
	struct container_config cfg;
	_cleanup_free_ char *fstab = NULL;
	char list[512];

	config_for(&cfg, true);
	assert_int_equal(guest_fixups_apply(t->fd, &cfg, 0, 0), 0);
	cfg.guest_fixups = false;
	assert_int_equal(guest_fixups_apply(t->fd, &cfg, 0, 0), 0);
	fstab = slurp(t->fd, "/etc/fstab");
	assert_string_equal(fstab, FSTAB);
	assert_false(exists(t->fd, "/etc/systemd/system/auditd.service.d"));
	assert_false(exists(t->fd, "/etc/systemd/system/network.service.d"));
	assert_false(exists(t->fd, GUEST_FIXUP_CLOUD_CFG));
	guest_fixups_list(t->fd, list, sizeof(list));
	assert_string_equal(list, "none");
	/* A NoCloud seed keeps the cloud-init file: without it the seed is ignored. */
	(void)snprintf(cfg.provision_cloud_init, sizeof(cfg.provision_cloud_init), "/tmp/ud");
	assert_int_equal(guest_fixups_apply(t->fd, &cfg, 0, 0), 0);
	assert_true(exists(t->fd, GUEST_FIXUP_CLOUD_CFG));
	config_done(&cfg);
}

/* Validate that a drop-in directory holding the user's own files is kept. */
static void test_undo_keeps_the_users_dropins(void **state)
{
	struct tree *t = *state;
	struct container_config cfg;

	config_for(&cfg, true);
	assert_int_equal(guest_fixups_apply(t->fd, &cfg, 0, 0), 0);
	put(t->fd, "/etc/systemd/system/auditd.service.d/mine.conf", "[Unit]\n");
	cfg.guest_fixups = false;
	assert_int_equal(guest_fixups_apply(t->fd, &cfg, 0, 0), 0);
	assert_false(exists(t->fd, "/etc/systemd/system/auditd.service.d/lxmgr-container.conf"));
	assert_true(exists(t->fd, "/etc/systemd/system/auditd.service.d/mine.conf"));
	config_done(&cfg);
}

static void test_reasons(void **state)
{
	(void)state;
	assert_non_null(guest_fixup_reason("kdump.service"));
	assert_non_null(guest_fixup_reason("systemd-remount-fs.service"));
	assert_non_null(guest_fixup_reason("cloud-init.service"));
	assert_null(guest_fixup_reason("ssh.service"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_apply_writes_what_the_guest_needs, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_undo_restores_the_tree, setup, teardown),
		cmocka_unit_test_setup_teardown(test_undo_keeps_the_users_dropins, setup, teardown),
		cmocka_unit_test(test_reasons),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
