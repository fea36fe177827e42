/* test-config-peek.c: unit tests of config_peek and config_peek_ids, the quick look at a
 * config's raw text that passes over the store use to skip parsing (store.h): whatever they
 * answer must be what the full parse reads, and anything unusual must send the caller to it. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/util.h"
#include "store/config.h"
#include "unit.h"

#define UUID1 "5b8b2d7e-6c1f-4a7d-9a63-0c4f8e2b1d90"
#define HEAD "[container]\nname = c1\nuuid = " UUID1 "\n"

struct fixture {
	char dir[PATH_MAX];
	char path[PATH_MAX + 16];
};

static int setup(void **state)
{
	struct fixture *fx = unit_dir_fixture_new(sizeof(*fx), "lxpeek");

	if (!fx)
		return -1;
	(void)snprintf(fx->path, sizeof(fx->path), "%s/config", fx->dir);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	return unit_dir_fixture_teardown(state);
}

/* The full parse of text (iniparser reads the file), as a pass over the store does it. */
static int full_parse(struct fixture *fx, const char *text, struct container_config *c)
{
	assert_int_equal(write_file_atomic_at(AT_FDCWD, fx->path, text, strlen(text), 0600), 0);
	config_init_defaults(c);
	return config_parse_text(fx->path, text, strlen(text), false, c, NULL);
}

static void test_config_peek_reads_what_lxmgr_writes(void **state _unused_)
{
	static const char text[] = HEAD "[idmap]\nuid_base = 1376256\ngid_base = 1441792\n"
					"size = 65536\n[rootfs]\nsnapshot_of = base@s1\n";
	char of[130];
	uint32_t u, g, n;

	assert_int_equal(config_peek(text, "rootfs", "snapshot_of", of, sizeof(of)), 1);
	assert_string_equal(of, "base@s1");
	assert_int_equal(config_peek_ids(text, &u, &g, &n), 0);
	assert_int_equal(u, 1376256);
	assert_int_equal(g, 1441792);
	assert_int_equal(n, 65536);
}

static void test_config_peek_absent_key_is_zero(void **state _unused_)
{
	char of[130];
	uint32_t u, g, n;

	assert_int_equal(config_peek(HEAD "[rootfs]\nshifted = no\n", "rootfs", "snapshot_of", of,
				     sizeof(of)),
			 0);
	/* The same key in another section is not it. */
	assert_int_equal(config_peek(HEAD "[net]\nsnapshot_of = x\n", "rootfs", "snapshot_of", of,
				     sizeof(of)),
			 0);
	assert_int_equal(config_peek_ids(HEAD "[idmap]\nuid_base = 1\ngid_base = 1\n", &u, &g, &n),
			 -ENODATA);
}

/* Whatever iniparser would read differently, or the parse would refuse, is left to it. */
static void test_config_peek_sends_anything_unusual_to_the_parse(void **state _unused_)
{
	static const char *const odd[] = {
		"[rootfs]\nsnapshot_of = \"base\"\n",              /* quoted */
		"[rootfs]\nsnapshot_of = base ; note\n",           /* an inline comment */
		"[rootfs]\nsnapshot_of = base\nsnapshot_of = b\n", /* repeated */
		"[rootfs]\nsnapshot_of = base\nstray line\n",      /* a bad line */
		"[rootfs]\nsnapshot_of = base\\\n",                /* a continued line */
		"[rootfs]\nsnapshot_of =\n",                       /* empty */
		"[ROOTFS]\nSnapshot_Of = a b\n",                   /* case folded, spaces */
	};
	char of[130], small[4];

	for (size_t i = 0; i < ELEMENTSOF(odd); i++)
		assert_int_equal(config_peek(odd[i], "rootfs", "snapshot_of", of, sizeof(of)),
				 -ENODATA);
	assert_int_equal(config_peek("[rootfs]\nsnapshot_of = base\n", "rootfs", "snapshot_of",
				     small, sizeof(small)),
			 -ENODATA);
}

static void test_config_peek_ids_refuses_what_is_no_32_bit_number(void **state _unused_)
{
	static const char *const odd[] = {
		"[idmap]\nuid_base = 4294967296\ngid_base = 1\nsize = 1\n",
		"[idmap]\nuid_base = 0x100\ngid_base = 1\nsize = 1\n",
		"[idmap]\nuid_base = -1\ngid_base = 1\nsize = 1\n",
		"[idmap]\nuid_base = 1.5\ngid_base = 1\nsize = 1\n",
	};
	uint32_t u, g, n;

	for (size_t i = 0; i < ELEMENTSOF(odd); i++)
		assert_int_equal(config_peek_ids(odd[i], &u, &g, &n), -ENODATA);
}

/* Where the peek answers, the full parse agrees with it. */
static void test_config_peek_agrees_with_the_full_parse(void **state)
{
	static const char *const texts[] = {
		HEAD "[idmap]\nuid_base = 100000\ngid_base = 200000\nsize = 65536\n",
		HEAD "[idmap]\n  uid_base=100000  \n\tgid_base =200000\nSIZE = 65536\n"
		     "[rootfs]\nsnapshot_of = b@\n",
		HEAD "; a comment\n[ idmap ]\nuid_base = 1065536\n# another\ngid_base = 1065536\n"
		     "size = 131072\n[rootfs]\nsnapshot_of = src-1.a_b\n",
	};

	for (size_t i = 0; i < ELEMENTSOF(texts); i++) {
		struct container_config c;
		char of[130] = "";
		uint32_t u, g, n;
		int r;

		assert_int_equal(full_parse(*state, texts[i], &c), 0);
		assert_int_equal(config_peek_ids(texts[i], &u, &g, &n), 0);
		assert_int_equal(u, c.uid_base);
		assert_int_equal(g, c.gid_base);
		assert_int_equal(n, c.id_count);
		r = config_peek(texts[i], "rootfs", "snapshot_of", of, sizeof(of));
		assert_true(r >= 0);
		assert_string_equal(of, c.snapshot_of);
		config_done(&c);
	}
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_config_peek_reads_what_lxmgr_writes),
		T(test_config_peek_absent_key_is_zero),
		T(test_config_peek_sends_anything_unusual_to_the_parse),
		T(test_config_peek_ids_refuses_what_is_no_32_bit_number),
		T(test_config_peek_agrees_with_the_full_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
