/* test-workflow.c: unit tests of the workflow helpers: "did you mean" (suggest.c), whether
 * /etc/nsswitch.conf enables the NSS module (access.c), one target per mount
 * (mounts-check.c). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "unit.h"
#include "base/cleanup.h"
#include "guest/access.h"
#include "store/config.h"
#include "fs/mounts-check.h"
#include "store/suggest.h"

static const char *closest(const char *word)
{
	static const char *const verbs[] = {"create", "launch", "start",  "stop",    "list",
					    "info",   "exec",   "config", "destroy", "restart"};
	struct suggest s;

	suggest_init(&s, word);
	for (size_t i = 0; i < sizeof(verbs) / sizeof(*verbs); i++)
		suggest_offer(&s, verbs[i]);
	return suggest_result(&s);
}

static void test_suggest_swap_and_typo_find_the_verb(void **state _unused_)
{
	assert_string_equal(closest("lsit"), "list");
	assert_string_equal(closest("strat"), "start");
	assert_string_equal(closest("lanuch"), "launch");
	assert_string_equal(closest("destory"), "destroy");
	assert_string_equal(closest("exe"), "exec");
}

static void test_suggest_nothing_for_far_or_exact_words(void **state _unused_)
{
	assert_null(closest("frobnicate"));
	assert_null(closest("xy"));
	assert_null(closest("list")); /* a known word needs no suggestion */
}

static void test_suggest_config_key_names_the_key(void **state _unused_)
{
	char buf[96];

	suggest_config_key("limits.memroy", buf, sizeof(buf));
	assert_string_equal(buf, " (did you mean 'limits.memory'?)");
	suggest_config_key("nothing.like.it", buf, sizeof(buf));
	assert_string_equal(buf, "");
}

static bool nss(const char *text)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	bool r;

	assert_non_null(f);
	r = access_nss_enabled(f);
	fclose(f);
	return r;
}

static void test_access_nss_enabled_reads_the_hosts_line_only(void **state _unused_)
{
	assert_true(nss("passwd: files\nhosts:          files lxmgr dns\n"));
	assert_true(nss("hosts: files mymachines lxmgr [NOTFOUND=return] dns\n"));
	assert_false(nss("hosts:          files dns\n"));
	assert_false(nss("hosts: files dns # lxmgr\n"));
	assert_false(nss("networks: files lxmgr\nhosts: files dns\n"));
	assert_false(nss("hosts: files lxmgrx dns\n"));
	assert_false(nss(""));
}

static void test_mounts_check_refuses_a_second_mount_to_one_target(void **state _unused_)
{
	struct config_entry e[CONFIG_ENTRIES_MAX] = {
		{.name = (char *)"code", .value = (char *)"/srv/a:/srv/code"},
		{.name = (char *)"data", .value = (char *)"/srv/d:/data:ro"},
	};
	char why[256];

	assert_int_equal(
		mounts_check_target_unique(e, "other", "/srv/b:/srv/code/", why, sizeof(why)),
		-EEXIST);
	assert_string_equal(why, "/srv/code is the target of mount.code already");
	assert_int_equal(
		mounts_check_target_unique(e, "other", "/srv/b:/data:ro", why, sizeof(why)),
		-EEXIST);
	/* The key's own old value, another target, or a target below one: fine. */
	assert_int_equal(
		mounts_check_target_unique(e, "code", "/srv/b:/srv/code", why, sizeof(why)), 0);
	assert_int_equal(
		mounts_check_target_unique(e, "other", "/srv/b:/srv/other", why, sizeof(why)), 0);
	assert_int_equal(
		mounts_check_target_unique(e, "other", "/srv/b:/srv/code/sub", why, sizeof(why)),
		0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_suggest_swap_and_typo_find_the_verb),
		cmocka_unit_test(test_suggest_nothing_for_far_or_exact_words),
		cmocka_unit_test(test_suggest_config_key_names_the_key),
		cmocka_unit_test(test_access_nss_enabled_reads_the_hosts_line_only),
		cmocka_unit_test(test_mounts_check_refuses_a_second_mount_to_one_target),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
