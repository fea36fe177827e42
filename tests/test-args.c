/* test-args.c: unit tests of the global options (read only before the verb, --root and
 * $LXMGR_ROOT, verbosity, --help/--version) and of the verb table lookup. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "base/cleanup.h"
#include "base/util.h"
#include "unit.h"

static const struct option longopts_for_test[] = {
	{"shift", no_argument, NULL, 'S'},
	{},
};

#define ARGV(...) ((char *[]){__VA_ARGS__, NULL})
#define ARGC(...) ((int)ELEMENTSOF(((char *[]){__VA_ARGS__})))
/* Parses the given words; *o and *bad are left for the test to check. */
#define PARSE(o, bad, ...) args_parse_global(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), (o), (bad))

static int clear_env(void **state _unused_)
{
	return unsetenv("LXMGR_ROOT");
}

static void test_args_root_and_repeated_v_before_the_verb(void **state _unused_)
{
	char *argv[] = {"lxmgr", "--root", "/x", "-v", "-v", "start", "dev1", NULL};
	struct global_opts o;
	const char *bad = NULL;

	assert_int_equal(args_parse_global(7, argv, &o, &bad), 0);
	assert_string_equal(o.root, "/x");
	assert_ptr_equal(o.root, argv[2]);
	assert_int_equal(o.verbosity, 2);
	assert_int_equal(o.verb_index, 5);
	assert_string_equal(argv[o.verb_index], "start");
	assert_false(o.help);
	assert_false(o.version);
	assert_null(bad);
}

static void test_args_long_forms_and_vv(void **state _unused_)
{
	struct global_opts o;
	const char *bad = NULL;

	assert_int_equal(PARSE(&o, &bad, "lxmgr", "--root=/srv/lx", "-vv", "--verbose", "list"), 0);
	assert_string_equal(o.root, "/srv/lx");
	assert_int_equal(o.verbosity, 3);
	assert_int_equal(o.verb_index, 4);
	/* The last --root wins. */
	assert_int_equal(PARSE(&o, &bad, "lxmgr", "--root", "/a", "--root=/b", "list"), 0);
	assert_string_equal(o.root, "/b");
	assert_null(bad);
}

static void test_args_quiet_is_minus_one(void **state _unused_)
{
	struct global_opts o;
	const char *bad = NULL;

	assert_int_equal(PARSE(&o, &bad, "lxmgr", "-q", "list"), 0);
	assert_int_equal(o.verbosity, -1);
	assert_int_equal(o.verb_index, 2);
	assert_int_equal(PARSE(&o, &bad, "lxmgr", "--quiet", "list"), 0);
	assert_int_equal(o.verbosity, -1);
	/* -q after -v still means quiet. */
	assert_int_equal(PARSE(&o, &bad, "lxmgr", "-v", "-v", "-q", "list"), 0);
	assert_int_equal(o.verbosity, -1);
	assert_int_equal(PARSE(&o, &bad, "lxmgr", "list"), 0);
	assert_int_equal(o.verbosity, 0);
	assert_null(o.root);
}

static void test_args_relative_root_is_einval_naming_it(void **state _unused_)
{
	struct global_opts o;
	const char *bad = NULL;

	assert_int_equal(PARSE(&o, &bad, "lxmgr", "--root=relative", "list"), -EINVAL);
	assert_non_null(bad);
	assert_string_equal(bad, "relative");
	bad = NULL;
	assert_int_equal(PARSE(&o, &bad, "lxmgr", "--root", "./r", "list"), -EINVAL);
	assert_string_equal(bad, "./r");
}

static void test_args_root_without_value_is_einval(void **state _unused_)
{
	struct global_opts o;
	const char *bad = NULL;

	assert_int_equal(PARSE(&o, &bad, "lxmgr", "--root"), -EINVAL);
	assert_string_equal(bad, "--root");
	bad = NULL;
	assert_int_equal(PARSE(&o, &bad, "lxmgr", "--root", "", "list"), -EINVAL);
	assert_string_equal(bad, "--root");
	bad = NULL;
	assert_int_equal(PARSE(&o, &bad, "lxmgr", "--root=", "list"), -EINVAL);
	assert_string_equal(bad, "--root=");
}

static void test_args_unknown_option_is_einval_naming_it(void **state _unused_)
{
	char *argv[] = {"lxmgr", "-v", "--bogus", "start", NULL};
	struct global_opts o;
	const char *bad = NULL;

	assert_int_equal(args_parse_global(4, argv, &o, &bad), -EINVAL);
	assert_ptr_equal(bad, argv[2]);
	assert_string_equal(bad, "--bogus");
	bad = NULL;
	assert_int_equal(PARSE(&o, &bad, "lxmgr", "-vvv", "list"), -EINVAL);
	assert_string_equal(bad, "-vvv");
	bad = NULL;
	assert_int_equal(PARSE(&o, &bad, "lxmgr", "-", "list"), -EINVAL);
	assert_string_equal(bad, "-");
}

static void test_args_options_after_the_verb_are_not_global(void **state _unused_)
{
	struct global_opts o;
	const char *bad = NULL;

	assert_int_equal(PARSE(&o, &bad, "lxmgr", "list", "--json"), 0);
	assert_int_equal(o.verb_index, 1);
	assert_null(bad);
	assert_int_equal(PARSE(&o, &bad, "lxmgr", "-v", "stop", "dev1", "-q", "--root", "rel",
			       "--help", "--version"),
			 0);
	assert_int_equal(o.verb_index, 2);
	assert_int_equal(o.verbosity, 1);
	assert_null(o.root);
	assert_false(o.help);
	assert_false(o.version);
	assert_null(bad);
}

static void test_args_without_verb_points_past_the_end(void **state _unused_)
{
	struct global_opts o;
	const char *bad = NULL;

	assert_int_equal(PARSE(&o, &bad, "lxmgr"), 0);
	assert_int_equal(o.verb_index, 1);
	assert_int_equal(PARSE(&o, &bad, "lxmgr", "-v", "--root", "/r"), 0);
	assert_int_equal(o.verb_index, 4);
	assert_string_equal(o.root, "/r");
}

static void test_args_help_and_version_flags(void **state _unused_)
{
	struct global_opts o;
	const char *bad = NULL;

	assert_int_equal(PARSE(&o, &bad, "lxmgr", "--help"), 0);
	assert_true(o.help);
	assert_false(o.version);
	assert_int_equal(PARSE(&o, &bad, "lxmgr", "-h", "start"), 0);
	assert_true(o.help);
	assert_int_equal(o.verb_index, 2);
	assert_int_equal(PARSE(&o, &bad, "lxmgr", "--version"), 0);
	assert_true(o.version);
	assert_false(o.help);
	assert_int_equal(o.verb_index, 2);
}

static void test_args_lxmgr_root_env_is_used_without_root_option(void **state _unused_)
{
	struct global_opts o;
	const char *bad = NULL;

	assert_int_equal(setenv("LXMGR_ROOT", "/from-env", 1), 0);
	assert_int_equal(PARSE(&o, &bad, "lxmgr", "list"), 0);
	assert_string_equal(o.root, "/from-env");
	/* --root wins over the environment. */
	assert_int_equal(PARSE(&o, &bad, "lxmgr", "--root", "/cli", "list"), 0);
	assert_string_equal(o.root, "/cli");
	/* Empty means unset. */
	assert_int_equal(setenv("LXMGR_ROOT", "", 1), 0);
	assert_int_equal(PARSE(&o, &bad, "lxmgr", "list"), 0);
	assert_null(o.root);
	/* A relative one is refused like --root's. */
	assert_int_equal(setenv("LXMGR_ROOT", "rel/dir", 1), 0);
	assert_int_equal(PARSE(&o, &bad, "lxmgr", "list"), -EINVAL);
	assert_string_equal(bad, "rel/dir");
	assert_int_equal(unsetenv("LXMGR_ROOT"), 0);
	assert_int_equal(PARSE(&o, &bad, "lxmgr", "list"), 0);
	assert_null(o.root);
}

static int run_nothing(struct lxmgr_ctx *ctx _unused_, int argc _unused_, char **argv _unused_)
{
	return 0;
}

static void test_args_find_verb_matches_whole_names_only(void **state _unused_)
{
	static const struct verb table[] = {
		{"start", run_nothing, "NAME", "Start a container.", NULL},
		{"stop", run_nothing, "NAME [--timeout S] [--kill]", "Stop it.", NULL},
		{"list", run_nothing, "[--json]", "List containers.", NULL},
		{NULL, NULL, NULL, NULL, NULL},
	};

	assert_ptr_equal(args_find_verb(table, "start"), &table[0]);
	assert_ptr_equal(args_find_verb(table, "stop"), &table[1]);
	assert_ptr_equal(args_find_verb(table, "list"), &table[2]);
	assert_null(args_find_verb(table, "sto"));
	assert_null(args_find_verb(table, "stopp"));
	assert_null(args_find_verb(table, "STOP"));
	assert_null(args_find_verb(table, ""));
	assert_null(args_find_verb(table + 3, "start"));
}

/* getopt walks "-secdash" letter by letter with optind still on it, so the element before it
 * ("create") is not what was refused; a long option is named whole. */
static int refuse_first(int argc, char **argv, char buf[static 3], const char **ret)
{
	int c;

	/* 0, not 1: glibc then also forgets the rest of the cluster the last case stopped in. */
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":t:v", longopts_for_test, NULL)) >= 0)
		if (c == '?') {
			*ret = args_bad_option(argv, optind, optopt, buf);
			return 0;
		}
	return -ENOENT;
}

static void test_args_bad_option_names_the_refused_letter_or_element(void **state _unused_)
{
	char *cluster[] = {"create", "-secdash", NULL};
	char *last[] = {"create", "foo", "-vx", NULL};
	char *lng[] = {"create", "--bogus", "foo", NULL};
	char *arg[] = {"create", "--shift=3", NULL};
	const char *bad = NULL;
	char buf[3];

	assert_int_equal(refuse_first(2, cluster, buf, &bad), 0);
	assert_string_equal(bad, "-s");
	assert_int_equal(refuse_first(3, last, buf, &bad), 0);
	assert_string_equal(bad, "-x");
	assert_int_equal(refuse_first(3, lng, buf, &bad), 0);
	assert_string_equal(bad, "--bogus");
	assert_int_equal(refuse_first(2, arg, buf, &bad), 0);
	assert_string_equal(bad, "--shift=3");
}

#define T(f) cmocka_unit_test_setup(f, clear_env)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_args_root_and_repeated_v_before_the_verb),
		T(test_args_long_forms_and_vv),
		T(test_args_quiet_is_minus_one),
		T(test_args_relative_root_is_einval_naming_it),
		T(test_args_root_without_value_is_einval),
		T(test_args_unknown_option_is_einval_naming_it),
		T(test_args_options_after_the_verb_are_not_global),
		T(test_args_without_verb_points_past_the_end),
		T(test_args_help_and_version_flags),
		T(test_args_lxmgr_root_env_is_used_without_root_option),
		T(test_args_find_verb_matches_whole_names_only),
		T(test_args_bad_option_names_the_refused_letter_or_element),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
