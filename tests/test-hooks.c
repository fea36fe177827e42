/* test-hooks.c: unit tests of the parts of run/hooks.c that run no hook: the kind names,
 * which config key serves which kind, the order and choice of a HOOK.d directory's entries,
 * the safety rules a hook file must pass (owner, mode, directory, not in the store), and how
 * a failing hook's stderr is cut down to one line. Those helpers are static: the test
 * includes the source (liblxmgr.a's hooks.o is then never linked: every symbol it would
 * give is defined here). Running hooks (fork, environment, timeout) is for
 * tests/integration/hooks-order-env-timeout.sh. */
#include "../lxmgr/run/hooks.c"

#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"

struct fixture {
	char dir[PATH_MAX]; /* first: unit_dir_fixture_new() makes it */
	char lib[PATH_MAX];
	struct lxmgr_ctx ctx;
};

static void path_at(const char *dir, const char *rel, char buf[static PATH_MAX])
{
	int n = snprintf(buf, PATH_MAX, "%s/%s", dir, rel);

	assert_true(n > 0 && n < PATH_MAX);
}

/* DIR/NAME with mode (a file; a directory when NAME ends in '/'). */
static void make(const char *dir, const char *name, mode_t mode)
{
	char p[PATH_MAX];
	size_t n = strlen(name);

	path_at(dir, name, p);
	if (name[n - 1] == '/') {
		assert_int_equal(mkdir_p(p, 0755), 0);
	} else {
		unit_write_text(p, "#!/bin/sh\nexit 0\n");
	}
	assert_int_equal(chmod(p, mode), 0);
}

static int setup(void **state)
{
	struct fixture *fx = unit_dir_fixture_new(sizeof(*fx), "test-hooks");

	if (!fx)
		return -1;
	path_at(fx->dir, "store/lib", fx->lib);
	if (mkdir_p(fx->lib, 0700) < 0)
		return -1;
	fx->ctx.paths.lib = fx->lib;
	*state = fx;
	return 0;
}

static void test_kind_names_are_the_directory_names(void **state _unused_)
{
	static const char *const want[_HOOK_MAX] = {"pre-start", "start-host", "post-stop",
						    "post-create", "pre-destroy"};

	for (int k = 0; k < _HOOK_MAX; k++)
		assert_string_equal(hook_kind_to_string((enum hook_kind)k), want[k]);
	assert_null(hook_kind_to_string(_HOOK_MAX));
	assert_null(hook_kind_to_string((enum hook_kind) - 1));
}

static void test_each_kind_reads_its_own_config_key(void **state _unused_)
{
	struct container_config cfg = {0};

	(void)snprintf(cfg.hook_pre_start, sizeof(cfg.hook_pre_start), "/h/pre-start");
	(void)snprintf(cfg.hook_start_host, sizeof(cfg.hook_start_host), "/h/start-host");
	(void)snprintf(cfg.hook_post_stop, sizeof(cfg.hook_post_stop), "/h/post-stop");
	(void)snprintf(cfg.hook_post_create, sizeof(cfg.hook_post_create), "/h/post-create");
	(void)snprintf(cfg.hook_pre_destroy, sizeof(cfg.hook_pre_destroy), "/h/pre-destroy");
	for (int k = 0; k < _HOOK_MAX; k++) {
		char want[64];

		(void)snprintf(want, sizeof(want), "/h/%s", hook_kind_to_string((enum hook_kind)k));
		assert_string_equal(config_hook(&cfg, (enum hook_kind)k), want);
	}
	assert_string_equal(config_hook(&cfg, _HOOK_MAX), "");
}

static void test_list_dir_gives_executable_files_in_name_order(void **state)
{
	struct fixture *fx = *state;
	char d[PATH_MAX], *names[HOOKS_PER_DIR];
	size_t n = 99;

	path_at(fx->dir, "pre-start.d", d);
	assert_int_equal(mkdir_p(d, 0755), 0);
	make(d, "20-net", 0755);
	make(d, "10-log", 0700);
	make(d, "10-Log", 0755); /* strcmp order: upper case first */
	make(d, "030-old", 0755);
	make(d, "15-notexec", 0644);
	make(d, ".05-hidden", 0755);
	make(d, "12-dir/", 0755);
	assert_int_equal(list_dir(d, names, &n), 0);
	assert_int_equal(n, 4);
	{
		static const char *const want[] = {"030-old", "10-Log", "10-log", "20-net"};

		for (size_t i = 0; i < n; i++) {
			char p[PATH_MAX];

			path_at(d, want[i], p);
			assert_string_equal(names[i], p);
			free(names[i]);
		}
	}
	/* A missing directory holds no hooks. */
	path_at(fx->dir, "post-stop.d", d);
	n = 99;
	assert_int_equal(list_dir(d, names, &n), 0);
	assert_int_equal(n, 0);
}

static void test_list_dir_stops_at_hooks_per_dir(void **state)
{
	struct fixture *fx = *state;
	char d[PATH_MAX], name[16], *names[HOOKS_PER_DIR];
	size_t n = 0;

	path_at(fx->dir, "many.d", d);
	assert_int_equal(mkdir_p(d, 0755), 0);
	for (int i = 0; i < HOOKS_PER_DIR + 5; i++) {
		(void)snprintf(name, sizeof(name), "%03d", i);
		make(d, name, 0755);
	}
	assert_int_equal(list_dir(d, names, &n), 0);
	assert_int_equal(n, HOOKS_PER_DIR);
	for (size_t i = 1; i < n; i++)
		assert_true(strcmp(names[i - 1], names[i]) < 0);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
}

static void test_unsafe_reason_names_what_is_wrong(void **state)
{
	struct fixture *fx = *state;
	char p[PATH_MAX];

	if (geteuid() != 0)
		skip(); /* the rules are about root's ownership */
	path_at(fx->dir, "ok", p);
	make(fx->dir, "ok", 0755);
	assert_null(unsafe_reason(&fx->ctx, p, NULL));
	make(fx->dir, "ok", 0750);
	assert_null(unsafe_reason(&fx->ctx, p, NULL));

	path_at(fx->dir, "missing", p);
	assert_string_equal(unsafe_reason(&fx->ctx, p, NULL), "cannot be resolved");
	path_at(fx->dir, "adir", p);
	make(fx->dir, "adir/", 0755);
	assert_string_equal(unsafe_reason(&fx->ctx, p, NULL), "is not a regular file");

	path_at(fx->dir, "groupw", p);
	make(fx->dir, "groupw", 0775);
	assert_string_equal(unsafe_reason(&fx->ctx, p, NULL),
			    "is not owned by root or is writable by others than root");
	path_at(fx->dir, "otherw", p);
	make(fx->dir, "otherw", 0757);
	assert_non_null(strstr(unsafe_reason(&fx->ctx, p, NULL), "writable by others"));
	path_at(fx->dir, "notroot", p);
	make(fx->dir, "notroot", 0755);
	assert_int_equal(chown(p, 1000, 0), 0);
	assert_non_null(strstr(unsafe_reason(&fx->ctx, p, NULL), "not owned by root"));

	/* A safe file in a directory anyone may write to (and so replace it). */
	make(fx->dir, "open/", 01777);
	path_at(fx->dir, "open/hook", p);
	make(fx->dir, "open/hook", 0755);
	assert_string_equal(
		unsafe_reason(&fx->ctx, p, NULL),
		"lies in a directory not owned by root or writable by others than root");
}

static void test_unsafe_reason_refuses_the_store_but_the_containers_hooks(void **state)
{
	struct fixture *fx = *state;
	char p[PATH_MAX], own[PATH_MAX], link[PATH_MAX];

	if (geteuid() != 0)
		skip();
	make(fx->lib, "c1/rootfs/usr/bin/", 0755);
	make(fx->lib, "c1/rootfs/usr/bin/hook", 0755);
	path_at(fx->lib, "c1/rootfs/usr/bin/hook", p);
	path_at(fx->lib, "c1/hooks", own);
	assert_string_equal(unsafe_reason(&fx->ctx, p, own),
			    "lies in the store (a container's files are not the host's)");
	assert_non_null(unsafe_reason(&fx->ctx, p, NULL));

	/* Through a symlink from outside: the real path counts. */
	path_at(fx->dir, "link", link);
	assert_int_equal(symlink(p, link), 0);
	assert_non_null(unsafe_reason(&fx->ctx, link, own));

	/* The container's own hooks directory is the one place allowed... */
	make(fx->lib, "c1/hooks/pre-start.d/", 0755);
	make(fx->lib, "c1/hooks/pre-start.d/10-x", 0755);
	path_at(fx->lib, "c1/hooks/pre-start.d/10-x", p);
	assert_null(unsafe_reason(&fx->ctx, p, own));
	/* ...for that container only, and a name that merely begins the same is not it. */
	assert_non_null(unsafe_reason(&fx->ctx, p, NULL));
	path_at(fx->lib, "c1/hooks", own);
	make(fx->lib, "c1/hooksx/", 0755);
	make(fx->lib, "c1/hooksx/10-x", 0755);
	path_at(fx->lib, "c1/hooksx/10-x", p);
	assert_non_null(unsafe_reason(&fx->ctx, p, own));
}

static void test_failure_output_keeps_the_tail_on_one_line(void **state _unused_)
{
	char buf[HOOK_STDERR_MAX + 1], big[HOOK_STDERR_MAX + 100];
	size_t len = 0;

	keep_tail(buf, &len, "first\n", 6);
	keep_tail(buf, &len, "second\n\n ", 9);
	assert_int_equal(len, 15);
	flatten(buf, len);
	assert_string_equal(buf, "first/second");

	/* More than HOOK_STDERR_MAX bytes: the last ones are kept, in order. */
	len = 0;
	memset(big, 'a', sizeof(big));
	big[sizeof(big) - 1] = 'z';
	keep_tail(buf, &len, "head", 4);
	keep_tail(buf, &len, big, sizeof(big));
	assert_int_equal(len, HOOK_STDERR_MAX);
	assert_int_equal(buf[0], 'a');
	assert_int_equal(buf[HOOK_STDERR_MAX - 1], 'z');
	len = HOOK_STDERR_MAX - 2;
	memset(buf, 'b', len);
	keep_tail(buf, &len, "xyz", 3);
	assert_int_equal(len, HOOK_STDERR_MAX);
	assert_memory_equal(buf + HOOK_STDERR_MAX - 4, "bxyz", 4);
	assert_int_equal(buf[0], 'b');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kind_names_are_the_directory_names),
		cmocka_unit_test(test_each_kind_reads_its_own_config_key),
		cmocka_unit_test_setup_teardown(test_list_dir_gives_executable_files_in_name_order,
						setup, unit_dir_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_list_dir_stops_at_hooks_per_dir, setup,
						unit_dir_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_unsafe_reason_names_what_is_wrong, setup,
						unit_dir_fixture_teardown),
		cmocka_unit_test_setup_teardown(
			test_unsafe_reason_refuses_the_store_but_the_containers_hooks, setup,
			unit_dir_fixture_teardown),
		cmocka_unit_test(test_failure_output_keeps_the_tail_on_one_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
