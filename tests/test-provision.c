/* test-provision.c: what the [provision] keys accept, the key file reader, the package list
 * normalisation, and the keys' round trip through a config file. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"

#include "base/cleanup.h"
#include "guest/provision-check.h"
#include "store/config.h"

#define KEY "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJtIsCdvp03OqEo0ASfPqPqqCpB/6jYVue0Rp8ETfQHG a@b"

static void test_provision_user_names_useradd_and_adduser_accept(void **state)
{
	(void)state;
	assert_true(provision_user_is_valid("alice"));
	assert_true(provision_user_is_valid("_svc-1"));
	assert_false(provision_user_is_valid(""));
	assert_false(provision_user_is_valid("Alice"));
	assert_false(provision_user_is_valid("1abc"));
	assert_false(provision_user_is_valid("-rf"));
	assert_false(provision_user_is_valid("a b"));
	assert_false(provision_user_is_valid("a:b"));
	assert_false(provision_user_is_valid("abcdefghijabcdefghijabcdefghijabc")); /* 33 */
}

static void test_provision_ssh_key_needs_type_and_base64_and_ini_safe_text(void **state)
{
	(void)state;
	assert_true(provision_ssh_key_is_valid(KEY));
	assert_true(provision_ssh_key_is_valid("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAB"));
	assert_false(provision_ssh_key_is_valid("ssh-ed25519"));
	assert_false(provision_ssh_key_is_valid("ssh-ed25519 short"));
	assert_false(provision_ssh_key_is_valid("foo AAAAC3NzaC1lZDI1NTE5AAAAIJtIsCdvp03Oq"));
	assert_false(provision_ssh_key_is_valid("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA!JtI"));
	/* iniparser would cut the comment at '#' and the key would read back changed. */
	assert_false(provision_ssh_key_is_valid(KEY " #x"));
	assert_false(provision_ssh_key_is_valid(KEY "\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ"));
}

static void test_provision_packages_refuse_options_and_shell_text(void **state)
{
	char buf[64];

	(void)state;
	assert_true(provision_packages_is_valid("git,vim"));
	assert_true(provision_packages_is_valid("build-essential, g++ libc6:amd64"));
	assert_false(provision_packages_is_valid(""));
	assert_false(provision_packages_is_valid(" , "));
	assert_false(provision_packages_is_valid("-y"));
	assert_false(provision_packages_is_valid("git;rm"));
	assert_false(provision_packages_is_valid("$(id)"));
	assert_int_equal(provision_packages_normalize(" git,,vim  less ", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "git vim less");
	assert_int_equal(provision_packages_normalize("aaaa,bbbb", buf, 6), -E2BIG);
	assert_int_equal(provision_packages_normalize("a;b", buf, sizeof(buf)), -EINVAL);
}

static void test_provision_timezone_stays_inside_zoneinfo(void **state)
{
	(void)state;
	assert_true(provision_timezone_is_valid("Europe/Berlin"));
	assert_true(provision_timezone_is_valid("UTC"));
	assert_true(provision_timezone_is_valid("Etc/GMT+5"));
	assert_false(provision_timezone_is_valid("../../etc/shadow"));
	assert_false(provision_timezone_is_valid("/etc/shadow"));
	assert_false(provision_timezone_is_valid("Europe/"));
	assert_false(provision_timezone_is_valid("Europe Berlin"));
	assert_false(provision_timezone_is_valid(""));
}

static void test_provision_hash_is_a_crypt_string(void **state)
{
	(void)state;
	assert_true(
		provision_hash_is_valid("$y$j9T$abcdefghijklmnop$ABCDEFGHIJKLMNOPQRSTUVWXYZ012"));
	assert_true(provision_hash_is_valid("$6$salt$abcdefghij./0123"));
	assert_false(provision_hash_is_valid("plaintext-password"));
	assert_false(provision_hash_is_valid("!"));
	assert_false(provision_hash_is_valid("$6$salt$abc:def0123456"));
	assert_false(provision_hash_is_valid("$6$salt$abc def0123456"));
}

static int write_tmp(char *path, const char *text)
{
	int fd = mkstemp(path);

	if (fd < 0)
		return -1;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		close(fd);
		return -1;
	}
	return close(fd);
}

static void test_provision_read_ssh_key_takes_one_key_line(void **state)
{
	char path[] = "/tmp/test-provision-XXXXXX", buf[800];

	(void)state;
	assert_int_equal(write_tmp(path, "# a comment\n" KEY "\r\n\n"), 0);
	assert_int_equal(provision_read_ssh_key(path, buf, sizeof(buf)), 0);
	assert_string_equal(buf, KEY);
	(void)unlink(path);
	strcpy(path, "/tmp/test-provision-XXXXXX");
	assert_int_equal(write_tmp(path, KEY "\n" KEY "\n"), 0);
	assert_int_equal(provision_read_ssh_key(path, buf, sizeof(buf)), -EINVAL);
	(void)unlink(path);
	strcpy(path, "/tmp/test-provision-XXXXXX");
	assert_int_equal(write_tmp(path, "-----BEGIN OPENSSH PRIVATE KEY-----\n"), 0);
	assert_int_equal(provision_read_ssh_key(path, buf, sizeof(buf)), -EINVAL);
	(void)unlink(path);
	assert_int_equal(provision_read_ssh_key("/nonexistent/key.pub", buf, sizeof(buf)), -ENOENT);
}

static void test_provision_keys_round_trip_through_the_config_file(void **state)
{
	char path[] = "/tmp/test-provision-XXXXXX";
	_cleanup_free_ char *v = NULL;
	struct container_config c;
	struct config_error e;

	(void)state;
	assert_int_equal(write_tmp(path, "[container]\nname = x\n"), 0);
	assert_int_equal(config_edit_file(path, "provision.user", "alice", &e), 0);
	assert_int_equal(config_edit_file(path, "provision.ssh_key", KEY, &e), 0);
	assert_int_equal(config_edit_file(path, "provision.sudo", "yes", &e), 0);
	assert_int_equal(config_edit_file(path, "provision.packages", "git vim", &e), 0);
	assert_int_equal(config_edit_file(path, "provision.timezone", "Europe/Berlin", &e), 0);
	/* Refused, and the file keeps its value. */
	assert_int_equal(config_edit_file(path, "provision.user", "Bad User", &e), -EINVAL);
	assert_int_equal(config_edit_file(path, "provision.run", "relative/path", &e), -EINVAL);
	config_init_defaults(&c);
	assert_int_equal(config_parse_file(path, false, &c, &e), 0);
	assert_string_equal(c.provision_user, "alice");
	assert_string_equal(c.provision_ssh_key, KEY);
	assert_true(c.provision_sudo);
	assert_string_equal(c.provision_packages, "git vim");
	assert_int_equal(config_get(&c, "provision.timezone", &v), 0);
	assert_string_equal(v, "Europe/Berlin");
	config_done(&c);
	(void)unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_provision_user_names_useradd_and_adduser_accept),
		cmocka_unit_test(test_provision_ssh_key_needs_type_and_base64_and_ini_safe_text),
		cmocka_unit_test(test_provision_packages_refuse_options_and_shell_text),
		cmocka_unit_test(test_provision_timezone_stays_inside_zoneinfo),
		cmocka_unit_test(test_provision_hash_is_a_crypt_string),
		cmocka_unit_test(test_provision_read_ssh_key_takes_one_key_line),
		cmocka_unit_test(test_provision_keys_round_trip_through_the_config_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
