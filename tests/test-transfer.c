/* test-transfer.c: unit tests of file push/pull: a symlink planted in the container's tree
 * never leads out of it, a symlink at the target is replaced, the refusals. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"
#include "base/log.h"
#include "fs/transfer.h"

/* dir/{root: the container's tree, with etc/, tmp/evil -> /etc, tmp/evil2 -> ../../../../etc,
 * root/trap -> /etc/outside-file}, dir/outside-file, dir/src.txt (the host's file) */
struct fixture {
	char dir[PATH_MAX]; /* first: unit_dir_fixture_new() makes it */
	char root[PATH_MAX];
	char src[PATH_MAX];
	int rootfd;
	struct transfer_root tr;
	struct transfer_opts opts;
};

static void at(const char *dir, const char *rel, char buf[static PATH_MAX])
{
	int n = snprintf(buf, PATH_MAX, "%s/%s", dir, rel);

	assert_true(n > 0 && n < PATH_MAX);
}

static int setup(void **state)
{
	struct fixture *fx = unit_dir_fixture_new(sizeof(*fx), "test-xfer");
	char p[PATH_MAX];

	if (!fx)
		return -1;
	at(fx->dir, "root", fx->root);
	at(fx->root, "etc", p);
	if (mkdir_p(p, 0755) < 0)
		return -1;
	at(fx->root, "tmp", p);
	if (mkdir_p(p, 0755) < 0)
		return -1;
	at(fx->root, "root", p);
	if (mkdir_p(p, 0755) < 0)
		return -1;
	at(fx->root, "etc/shadow", p);
	unit_write_text(p, "inside-shadow\n");
	at(fx->root, "tmp/evil", p);
	if (symlink("/etc", p) < 0)
		return -1;
	at(fx->root, "tmp/evil2", p);
	if (symlink("../../../../../../../etc", p) < 0)
		return -1;
	at(fx->root, "root/trap", p);
	if (symlink("/etc/shadow", p) < 0)
		return -1;
	at(fx->dir, "src.txt", fx->src);
	unit_write_text(fx->src, "pushed\n");
	fx->rootfd = open(fx->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fx->rootfd < 0)
		return -1;
	fx->tr = (struct transfer_root){.rootfd = fx->rootfd};
	/* Our own ids: a chown to them needs no privilege. */
	fx->opts = (struct transfer_opts){.uid = getuid(), .gid = getgid(), .mode = -1};
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	(void)close(fx->rootfd);
	return unit_dir_fixture_teardown(state);
}

static void read_text(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "re");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
	(void)fclose(f);
}

static void test_transfer_push_through_absolute_and_relative_symlink_stays_inside(void **state)
{
	struct fixture *fx = *state;
	struct transfer_error e = {{0}};
	char *srcs[] = {fx->src};
	char p[PATH_MAX], text[64];

	assert_int_equal(transfer_push(NULL, &fx->tr, srcs, 1, "/tmp/evil/probe", &fx->opts, &e),
			 0);
	assert_int_equal(transfer_push(NULL, &fx->tr, srcs, 1, "/tmp/evil2/probe2", &fx->opts, &e),
			 0);
	at(fx->root, "etc/probe", p);
	read_text(p, text, sizeof(text));
	assert_string_equal(text, "pushed\n");
	at(fx->root, "etc/probe2", p);
	read_text(p, text, sizeof(text));
	assert_string_equal(text, "pushed\n");
	assert_int_equal(access("/etc/probe", F_OK), -1);
	assert_int_equal(access("/etc/probe2", F_OK), -1);
}

static void test_transfer_push_replaces_a_symlink_target_never_writes_through(void **state)
{
	struct fixture *fx = *state;
	struct transfer_error e = {{0}};
	char *srcs[] = {fx->src};
	char p[PATH_MAX], text[64];
	struct stat st;

	assert_int_equal(transfer_push(NULL, &fx->tr, srcs, 1, "/root/trap", &fx->opts, &e), 0);
	at(fx->root, "root/trap", p);
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	at(fx->root, "etc/shadow", p);
	read_text(p, text, sizeof(text));
	assert_string_equal(text, "inside-shadow\n");
}

static void test_transfer_pull_through_symlink_reads_the_containers_file(void **state)
{
	struct fixture *fx = *state;
	struct transfer_error e = {{0}};
	char out[PATH_MAX], text[64];

	at(fx->dir, "pulled", out);
	assert_int_equal(transfer_pull(NULL, &fx->tr, "/tmp/evil/shadow", out, &fx->opts, &e), 0);
	read_text(out, text, sizeof(text));
	assert_string_equal(text, "inside-shadow\n");
}

static void test_transfer_refuses_missing_parent_dir_without_r_and_missing_source(void **state)
{
	struct fixture *fx = *state;
	struct transfer_error e = {{0}};
	char *srcs[] = {fx->src};
	char *dirs[] = {fx->dir};
	char missing[PATH_MAX];
	char *gone[] = {missing};

	at(fx->dir, "nonexistent", missing);
	assert_true(transfer_push(NULL, &fx->tr, srcs, 1, "/nope/x", &fx->opts, &e) < 0);
	assert_non_null(strstr(e.text, "the target directory /nope/ does not exist"));
	assert_true(transfer_push(NULL, &fx->tr, dirs, 1, "/root/", &fx->opts, &e) < 0);
	assert_non_null(strstr(e.text, "is a directory (use -r)"));
	assert_int_equal(LX_ERRNO(transfer_push(NULL, &fx->tr, gone, 1, "/root/", &fx->opts, &e)),
			 -ENOENT);
	assert_true(transfer_pull(NULL, &fx->tr, "/etc", fx->dir, &fx->opts, &e) < 0);
	assert_non_null(strstr(e.text, "/etc is a directory in the container (use -r)"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_transfer_push_through_absolute_and_relative_symlink_stays_inside),
		cmocka_unit_test(test_transfer_push_replaces_a_symlink_target_never_writes_through),
		cmocka_unit_test(test_transfer_pull_through_symlink_reads_the_containers_file),
		cmocka_unit_test(
			test_transfer_refuses_missing_parent_dir_without_r_and_missing_source),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
