/* test-identity.c: identity_reset on a fixture tree: what goes, what stays, what is made. */
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"

#include "base/cleanup.h"
#include "base/util.h"
#include "guest/identity.h"

struct tree {
	char dir[64];
	int fd;
};

static void put(int rootfd, const char *path, const char *text)
{
	char dir[256];
	char *slash;
	int fd;

	(void)snprintf(dir, sizeof(dir), "%s", path + 1);
	slash = strrchr(dir, '/');
	*slash = '\0';
	{
		char full[512];

		(void)snprintf(full, sizeof(full), "/proc/self/fd/%d/%s", rootfd, dir);
		assert_int_equal(mkdir_p(full, 0755), 0);
	}
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

static int setup(void **state)
{
	struct tree *t = calloc(1, sizeof(*t));

	(void)snprintf(t->dir, sizeof(t->dir), "/tmp/test-identity-XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	t->fd = open(t->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(t->fd >= 0);
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

static void test_identity_reset_removes_keys_leases_and_empties_machine_id(void **state)
{
	struct tree *t = *state;
	_cleanup_free_ char *mid = NULL;
	size_t len = 1;

	put(t->fd, "/etc/machine-id", "0123456789abcdef0123456789abcdef\n");
	put(t->fd, "/etc/ssh/ssh_host_ed25519_key", "secret");
	put(t->fd, "/etc/ssh/ssh_host_ed25519_key.pub", "public");
	put(t->fd, "/etc/ssh/sshd_config", "Port 22\n");
	put(t->fd, "/var/lib/dbus/machine-id", "0123456789abcdef0123456789abcdef\n");
	put(t->fd, "/var/lib/dhcp/dhclient.eth0.leases", "lease {}\n");
	put(t->fd, "/var/lib/systemd/random-seed", "seed");
	put(t->fd, "/var/lib/systemd/keep-me", "x");
	assert_int_equal(identity_reset(t->fd, 0, 0), 0);
	assert_int_equal(read_file_at(t->fd, "etc/machine-id", 4096, &mid, &len), 0);
	assert_int_equal(len, 0);
	assert_false(exists(t->fd, "/etc/ssh/ssh_host_ed25519_key"));
	assert_false(exists(t->fd, "/etc/ssh/ssh_host_ed25519_key.pub"));
	assert_true(exists(t->fd, "/etc/ssh/sshd_config"));
	assert_false(exists(t->fd, "/var/lib/dbus/machine-id"));
	assert_false(exists(t->fd, "/var/lib/dhcp/dhclient.eth0.leases"));
	assert_false(exists(t->fd, "/var/lib/systemd/random-seed"));
	assert_true(exists(t->fd, "/var/lib/systemd/keep-me"));
	/* No sshd: no keygen unit. */
	assert_false(exists(t->fd, "/etc/systemd/system/" IDENTITY_KEYGEN_UNIT));
}

static void test_identity_reset_keeps_dbus_symlink_and_never_leaves_the_tree(void **state)
{
	struct tree *t = *state;
	char outside[128], target[256];
	ssize_t n;

	(void)snprintf(outside, sizeof(outside), "%s-outside", t->dir);
	assert_int_equal(mkdir(outside, 0755), 0);
	{
		char key[256];
		int fd;

		(void)snprintf(key, sizeof(key), "%s/ssh_host_rsa_key", outside);
		fd = open(key, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
		assert_true(fd >= 0);
		(void)close(fd);
	}
	put(t->fd, "/var/lib/dbus/.keep", "");
	assert_int_equal(symlinkat("/etc/machine-id", t->fd, "var/lib/dbus/machine-id"), 0);
	assert_int_equal(mkdirat(t->fd, "etc", 0755), 0);
	/* A planted /etc/ssh symlink to a host directory: nothing there is touched. */
	assert_int_equal(symlinkat(outside, t->fd, "etc/ssh"), 0);
	assert_int_equal(identity_reset(t->fd, 0, 0), 0);
	n = readlinkat(t->fd, "var/lib/dbus/machine-id", target, sizeof(target) - 1);
	assert_true(n > 0);
	target[n] = '\0';
	assert_string_equal(target, "/etc/machine-id");
	{
		char key[256];

		(void)snprintf(key, sizeof(key), "%s/ssh_host_rsa_key", outside);
		assert_int_equal(access(key, F_OK), 0);
	}
	(void)rm_rf_at(AT_FDCWD, outside);
}

static void test_identity_reset_enables_keygen_for_systemd_sshd(void **state)
{
	struct tree *t = *state;
	_cleanup_free_ char *unit = NULL;
	char target[256];
	size_t len;
	ssize_t n;

	put(t->fd, "/usr/sbin/sshd", "#!/bin/sh\n");
	put(t->fd, "/etc/systemd/system/.keep", "");
	assert_int_equal(identity_reset(t->fd, 0, 0), 0);
	assert_int_equal(
		read_file_at(t->fd, "etc/systemd/system/" IDENTITY_KEYGEN_UNIT, 65536, &unit, &len),
		0);
	/* Only RSA, ECDSA and Ed25519 (no DSA, no RSA1 from an old `ssh-keygen -A`). */
	assert_null(strstr(unit, "ssh-keygen -A"));
	assert_non_null(strstr(unit, "for t in rsa ecdsa ed25519;"));
	assert_non_null(strstr(unit, "chgrp ssh_keys $$k && chmod 0640 $$k"));
	assert_non_null(strstr(unit, "Before=ssh.service sshd.service"));
	n = readlinkat(t->fd, "etc/systemd/system/multi-user.target.wants/" IDENTITY_KEYGEN_UNIT,
		       target, sizeof(target) - 1);
	assert_true(n > 0);
	target[n] = '\0';
	assert_string_equal(target, "/etc/systemd/system/" IDENTITY_KEYGEN_UNIT);
	/* Twice is the same as once. */
	assert_int_equal(identity_reset(t->fd, 0, 0), 0);
}

static void test_identity_reset_leaves_the_guests_own_sshd_keygen(void **state)
{
	struct tree *t = *state;

	put(t->fd, "/usr/sbin/sshd", "#!/bin/sh\n");
	put(t->fd, "/etc/systemd/system/.keep", "");
	put(t->fd, "/usr/lib/systemd/system/sshd-keygen@.service", "[Unit]\n");
	assert_int_equal(identity_reset(t->fd, 0, 0), 0);
	assert_false(exists(t->fd, "/etc/systemd/system/" IDENTITY_KEYGEN_UNIT));
	assert_false(
		exists(t->fd, "/etc/systemd/system/multi-user.target.wants/" IDENTITY_KEYGEN_UNIT));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_identity_reset_removes_keys_leases_and_empties_machine_id, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_identity_reset_keeps_dbus_symlink_and_never_leaves_the_tree, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_identity_reset_enables_keygen_for_systemd_sshd,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_identity_reset_leaves_the_guests_own_sshd_keygen, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
