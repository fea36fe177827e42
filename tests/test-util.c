/* test-util.c: unit tests of the shared helpers: strict number, size, boolean and signal
 * parsers, container names, atomic file I/O, mkdir_p/rm_rf_at, open_in_root, pid start times. */
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/util.h"
#include "unit.h"

struct fixture {
	char dir[PATH_MAX]; /* first: unit_dir_fixture_new() makes it */
};

static int setup_dir(void **state)
{
	*state = unit_dir_fixture_new(sizeof(struct fixture), "test-util");
	return *state ? 0 : -1;
}

/* buf = fx->dir/rel. */
static void path_in(const struct fixture *fx, const char *rel, char buf[static PATH_MAX])
{
	int n = snprintf(buf, PATH_MAX, "%s/%s", fx->dir, rel);

	assert_true(n > 0 && n < PATH_MAX);
}

/* ---- numbers ---- */

static void test_parse_u64_accepts_whole_decimal_numbers(void **state _unused_)
{
	uint64_t v = 1;

	assert_int_equal(parse_u64("0", &v), 0);
	assert_true(v == 0);
	assert_int_equal(parse_u64("42", &v), 0);
	assert_true(v == 42);
	assert_int_equal(parse_u64("007", &v), 0);
	assert_true(v == 7);
	assert_int_equal(parse_u64("18446744073709551615", &v), 0);
	assert_true(v == UINT64_MAX);
}

static void test_parse_u64_rejects_empty_sign_junk_and_spaces(void **state _unused_)
{
	static const char *const bad[] = {"", "-1", "+1", "12a", " 1", "1 ", "0x10", "1.0", "a"};
	uint64_t v = 77;

	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		assert_int_equal(parse_u64(bad[i], &v), -EINVAL);
		assert_true(v == 77); /* untouched on error */
	}
	assert_int_equal(parse_u64(NULL, &v), -EINVAL);
}

static void test_parse_u64_overflow_is_erange(void **state _unused_)
{
	uint64_t v = 77;

	assert_int_equal(parse_u64("18446744073709551616", &v), -ERANGE);
	assert_int_equal(parse_u64("99999999999999999999999", &v), -ERANGE);
	assert_true(v == 77);
}

static void test_parse_u32_accepts_full_range_and_refuses_past_it(void **state _unused_)
{
	uint32_t v = 5;

	assert_int_equal(parse_u32("4294967295", &v), 0);
	assert_true(v == UINT32_MAX);
	assert_int_equal(parse_u32("0", &v), 0);
	assert_true(v == 0);
	v = 5;
	assert_int_equal(parse_u32("4294967296", &v), -ERANGE);
	assert_int_equal(parse_u32("18446744073709551616", &v), -ERANGE);
	assert_int_equal(parse_u32("-1", &v), -EINVAL);
	assert_int_equal(parse_u32("", &v), -EINVAL);
	assert_int_equal(parse_u32("12a", &v), -EINVAL);
	assert_int_equal(parse_u32(" 1", &v), -EINVAL);
	assert_true(v == 5);
}

static void test_parse_size_accepts_binary_suffixes(void **state _unused_)
{
	static const struct {
		const char *s;
		uint64_t v;
	} ok[] = {
		{"512M", 536870912ULL},
		{"2G", 2147483648ULL},
		{"1024", 1024},
		{"4k", 4096},
		{"4K", 4096},
		{"3m", 3145728ULL},
		{"1T", 1099511627776ULL},
		{"0", 0},
		{"16777215T", UINT64_MAX - 1099511627775ULL},
		{"max", UINT64_MAX},
	};

	for (size_t i = 0; i < ELEMENTSOF(ok); i++) {
		uint64_t v = 1;

		assert_int_equal(parse_size(ok[i].s, &v), 0);
		assert_true(v == ok[i].v);
	}
}

static void test_parse_size_rejects_fractions_bare_units_and_empty(void **state _unused_)
{
	static const char *const bad[] = {"1.5G", "M", "", "-1M", "G1", "12X", "1 G", "MAX", " 4k"};
	uint64_t v = 9;

	for (size_t i = 0; i < ELEMENTSOF(bad); i++)
		assert_int_equal(parse_size(bad[i], &v), -EINVAL);
	assert_int_equal(parse_size(NULL, &v), -EINVAL);
	/* 2^24 T = 2^64 bytes: one past the top. */
	assert_int_equal(parse_size("16777216T", &v), -ERANGE);
	assert_true(v == 9);
}

static void test_parse_bool_accepts_documented_words_in_any_case(void **state _unused_)
{
	static const char *const yes[] = {"yes", "true", "1", "on", "YES", "True", "ON"};
	static const char *const no[] = {"no", "false", "0", "off", "NO", "False", "Off"};

	for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
		bool b = false;

		assert_int_equal(parse_bool(yes[i], &b), 0);
		assert_true(b);
	}
	for (size_t i = 0; i < ELEMENTSOF(no); i++) {
		bool b = true;

		assert_int_equal(parse_bool(no[i], &b), 0);
		assert_false(b);
	}
}

static void test_parse_bool_rejects_other_words(void **state _unused_)
{
	static const char *const bad[] = {"", "2", "y", "n", "yess", " yes", "enable", "-1"};
	bool b = true;

	for (size_t i = 0; i < ELEMENTSOF(bad); i++)
		assert_int_equal(parse_bool(bad[i], &b), -EINVAL);
	assert_int_equal(parse_bool(NULL, &b), -EINVAL);
	assert_true(b);
}

/* ---- signals ---- */

static void test_parse_signal_accepts_names_prefixes_and_numbers(void **state _unused_)
{
	struct {
		const char *s;
		int sig;
	} ok[] = {
		{"SIGRTMIN+3", SIGRTMIN + 3},
		{"RTMIN+3", SIGRTMIN + 3},
		{"rtmin+0", SIGRTMIN},
		{"SIGRTMIN", SIGRTMIN},
		{"TERM", SIGTERM},
		{"SIGTERM", SIGTERM},
		{"sigpwr", SIGPWR},
		{"SIGKILL", SIGKILL},
		{"hup", SIGHUP},
		{"9", 9},
		{"1", 1},
	};
	char top[32];

	for (size_t i = 0; i < ELEMENTSOF(ok); i++) {
		int sig = 0;

		assert_int_equal(parse_signal(ok[i].s, &sig), 0);
		assert_int_equal(sig, ok[i].sig);
	}
	(void)snprintf(top, sizeof(top), "RTMIN+%d", SIGRTMAX - SIGRTMIN);
	{
		int sig = 0;

		assert_int_equal(parse_signal(top, &sig), 0);
		assert_int_equal(sig, SIGRTMAX);
	}
}

static void test_parse_signal_rejects_zero_unknown_and_out_of_range(void **state _unused_)
{
	char past_num[32], past_rt[32];
	int sig = 12345;

	(void)snprintf(past_num, sizeof(past_num), "%d", SIGRTMAX + 1);
	(void)snprintf(past_rt, sizeof(past_rt), "RTMIN+%d", SIGRTMAX - SIGRTMIN + 1);
	assert_int_equal(parse_signal("0", &sig), -ERANGE);
	assert_int_equal(parse_signal(past_num, &sig), -ERANGE);
	assert_int_equal(parse_signal("SIGFOO", &sig), -EINVAL);
	assert_int_equal(parse_signal("", &sig), -EINVAL);
	assert_int_equal(parse_signal("SIG", &sig), -EINVAL);
	assert_int_equal(parse_signal("RTMIN+", &sig), -EINVAL);
	assert_int_equal(parse_signal("RTMIN-1", &sig), -EINVAL);
	assert_int_equal(parse_signal(past_rt, &sig), -EINVAL);
	assert_int_equal(parse_signal("TERM ", &sig), -EINVAL);
	assert_int_equal(parse_signal(NULL, &sig), -EINVAL);
	assert_int_equal(sig, 12345);
}

static void test_signal_to_string_names_signals_in_sig_style(void **state _unused_)
{
	char buf[16];

	assert_string_equal(signal_to_string(SIGTERM, buf), "SIGTERM");
	assert_string_equal(signal_to_string(SIGPWR, buf), "SIGPWR");
	assert_string_equal(signal_to_string(SIGRTMIN + 3, buf), "SIGRTMIN+3");
	assert_string_equal(signal_to_string(SIGRTMIN, buf), "SIGRTMIN+0");
	/* The result lives in the caller's buffer. */
	assert_ptr_equal(signal_to_string(SIGKILL, buf), buf);
}

static void test_signal_to_string_round_trips_every_signal(void **state _unused_)
{
	for (int sig = 1; sig <= SIGRTMAX; sig++) {
		char buf[16];
		int back = 0;

		assert_int_equal(parse_signal(signal_to_string(sig, buf), &back), 0);
		assert_int_equal(back, sig);
	}
}

/* ---- names ---- */

static void test_name_is_valid_accepts_allowed_names(void **state _unused_)
{
	char max[65];

	assert_true(name_is_valid("dev1"));
	assert_true(name_is_valid("a.b_c-d"));
	assert_true(name_is_valid("A"));
	assert_true(name_is_valid("0x"));
	assert_true(name_is_valid("_x"));
	memset(max, 'a', 64);
	max[64] = '\0';
	assert_true(name_is_valid(max));
}

static void test_name_is_valid_refuses_paths_dots_and_non_ascii(void **state _unused_)
{
	static const char *const bad[] = {"",    "a/b",  "..",  ".",    ".x", "-x", "caf\xc3\xa9",
					  "a b", "a\tb", "a:b", "a\nb", "/"};
	char over[66];

	for (size_t i = 0; i < ELEMENTSOF(bad); i++)
		assert_false(name_is_valid(bad[i]));
	assert_false(name_is_valid(NULL));
	memset(over, 'a', 65);
	over[65] = '\0';
	assert_false(name_is_valid(over));
}

/* A new name is the default hostname and NAME.lxmgr: one RFC 1123 label. */
static void test_name_is_valid_new_accepts_hostname_labels_only(void **state _unused_)
{
	static const char *const good[] = {"dev1", "A", "0x", "a-b", "web-01"};
	static const char *const bad[] = {"",   "a..b", "a.b", "a_b", "_x",         "-x",
					  "x-", "..",   "a/b", "a b", "caf\xc3\xa9"};
	char max[64], over[65];

	for (size_t i = 0; i < ELEMENTSOF(good); i++)
		assert_true(name_is_valid_new(good[i]));
	for (size_t i = 0; i < ELEMENTSOF(bad); i++)
		assert_false(name_is_valid_new(bad[i]));
	assert_false(name_is_valid_new(NULL));
	memset(max, 'a', 63);
	max[63] = '\0';
	assert_true(name_is_valid_new(max));
	memset(over, 'a', 64);
	over[64] = '\0';
	assert_false(name_is_valid_new(over));
	/* An existing container named before the rule keeps opening. */
	assert_true(name_is_valid("a_b") && name_is_valid("a.b"));
}

/* ---- files ---- */

static size_t count_entries(const char *dir)
{
	_cleanup_closedir_ DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	return n;
}

static void test_write_file_atomic_at_round_trips_and_leaves_no_temp_file(void **state)
{
	static const char data[] = "line1\n\0binary\xff";
	struct fixture *fx = *state;
	_cleanup_close_ int dfd = -EBADF;
	_cleanup_free_ char *got = NULL, *again = NULL;
	size_t len = 0;
	struct stat st;

	dfd = open(fx->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(dfd >= 0);
	assert_int_equal(write_file_atomic_at(dfd, "f", data, sizeof(data), 0640), 0);
	assert_int_equal(read_file_at(dfd, "f", 4096, &got, &len), 0);
	assert_int_equal(len, sizeof(data));
	assert_memory_equal(got, data, sizeof(data));
	assert_int_equal(got[len], '\0');
	assert_int_equal(fstatat(dfd, "f", &st, 0), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	/* A shorter rewrite replaces the whole file. */
	assert_int_equal(write_file_atomic_at(dfd, "f", "x", 1, 0600), 0);
	assert_int_equal(read_file_at(dfd, "f", 4096, &again, &len), 0);
	assert_int_equal(len, 1);
	assert_string_equal(again, "x");
	assert_int_equal(fstatat(dfd, "f", &st, 0), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(count_entries(fx->dir), 1);
}

static void test_remove_stale_atomic_tmp_keeps_live_writers_and_other_files(void **state)
{
	struct fixture *fx = *state;
	_cleanup_close_ int dfd = -EBADF;
	char live[64];
	/* Above PID_MAX_LIMIT (4194304): never a live process. */
	static const char *const kept_names[] = {"config", "x.tmp-abc", ".hidden.tmp-4194305",
						 "y.tmp-0"};

	dfd = open(fx->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(dfd >= 0);
	(void)snprintf(live, sizeof(live), "live.tmp-%d", (int)getpid());
	assert_int_equal(write_file_atomic_at(dfd, "config.tmp-4194305", "a", 1, 0600), 0);
	assert_int_equal(write_file_atomic_at(dfd, "state.tmp-4194306", "b", 1, 0600), 0);
	assert_int_equal(write_file_atomic_at(dfd, live, "c", 1, 0600), 0);
	for (size_t i = 0; i < sizeof(kept_names) / sizeof(kept_names[0]); i++)
		assert_int_equal(write_file_atomic_at(dfd, kept_names[i], "d", 1, 0600), 0);
	assert_int_equal(remove_stale_atomic_tmp(dfd, false), 2);
	assert_int_equal(faccessat(dfd, "config.tmp-4194305", F_OK, 0), -1);
	assert_int_equal(faccessat(dfd, "state.tmp-4194306", F_OK, 0), -1);
	assert_int_equal(faccessat(dfd, live, F_OK, 0), 0);
	for (size_t i = 0; i < sizeof(kept_names) / sizeof(kept_names[0]); i++)
		assert_int_equal(faccessat(dfd, kept_names[i], F_OK, 0), 0);
	assert_int_equal(remove_stale_atomic_tmp(dfd, false), 0);
	/* Under a lock every writer takes, a live pid's file is stale too. */
	assert_int_equal(remove_stale_atomic_tmp(dfd, true), 1);
	assert_int_equal(faccessat(dfd, live, F_OK, 0), -1);
}

static void test_write_file_atomic_at_sets_mode_despite_umask(void **state)
{
	struct fixture *fx = *state;
	char p[PATH_MAX];
	mode_t old_umask;
	struct stat st;
	int r;

	path_in(fx, "m", p);
	old_umask = umask(077);
	r = write_file_atomic_at(AT_FDCWD, p, "x", 1, 0644);
	(void)umask(old_umask);
	assert_int_equal(r, 0);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
}

static void test_write_file_atomic_at_truncates_a_stale_temp_file(void **state)
{
	struct fixture *fx = *state;
	_cleanup_free_ char *got = NULL;
	char stale[PATH_MAX], rel[64], p[PATH_MAX];

	/* A temp file left by an earlier writer that had our pid. */
	(void)snprintf(rel, sizeof(rel), "f.tmp-%d", (int)getpid());
	path_in(fx, rel, stale);
	unit_write_text(stale, "a much longer stale content\n");
	path_in(fx, "f", p);
	assert_int_equal(write_file_atomic_at(AT_FDCWD, p, "new\n", 4, 0644), 0);
	got = unit_read_text(p);
	assert_string_equal(got, "new\n");
	assert_int_equal(count_entries(fx->dir), 1);
}

static void test_write_file_atomic_at_failed_rename_removes_temp_file(void **state)
{
	struct fixture *fx = *state;
	char p[PATH_MAX];

	/* A directory where the file should go: the rename fails after the temp file exists. */
	path_in(fx, "d", p);
	assert_int_equal(mkdir(p, 0755), 0);
	assert_int_equal(write_file_atomic_at(AT_FDCWD, p, "x", 1, 0644), -EISDIR);
	assert_int_equal(count_entries(fx->dir), 1);
}

static void test_write_file_atomic_at_missing_directory_fails_cleanly(void **state)
{
	struct fixture *fx = *state;
	char p[PATH_MAX];

	path_in(fx, "nodir/f", p);
	assert_int_equal(write_file_atomic_at(AT_FDCWD, p, "x", 1, 0644), -ENOENT);
	assert_int_equal(count_entries(fx->dir), 0);
}

static void test_read_file_at_refuses_file_larger_than_max(void **state)
{
	struct fixture *fx = *state;
	char p[PATH_MAX], big[101];
	char *buf = NULL;
	size_t len = 0;

	path_in(fx, "big", p);
	memset(big, 'b', 100);
	big[100] = '\0';
	unit_write_text(p, big);
	assert_int_equal(read_file_at(AT_FDCWD, p, 99, &buf, &len), -EFBIG);
	assert_null(buf);
	assert_int_equal(read_file_at(AT_FDCWD, p, 100, &buf, &len), 0);
	assert_int_equal(len, 100);
	assert_string_equal(buf, big);
	free(buf);
	buf = NULL;
	path_in(fx, "missing", p);
	assert_int_equal(read_file_at(AT_FDCWD, p, 100, &buf, &len), -ENOENT);
	assert_null(buf);
}

static void test_mkdir_p_creates_every_component_and_accepts_existing(void **state)
{
	struct fixture *fx = *state;
	char p[PATH_MAX], f[PATH_MAX];
	struct stat st;

	path_in(fx, "a/b/c", p);
	assert_int_equal(mkdir_p(p, 0755), 0);
	assert_int_equal(stat(p, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(mkdir_p(p, 0755), 0);
	/* A regular file in the way of a component. */
	path_in(fx, "file", f);
	unit_write_text(f, "x");
	path_in(fx, "file/sub", p);
	assert_int_equal(mkdir_p(p, 0755), -ENOTDIR);
}

static void test_rm_rf_at_removes_tree_without_following_symlinks(void **state)
{
	struct fixture *fx = *state;
	char tree[PATH_MAX], p[PATH_MAX], out[PATH_MAX], outdir[PATH_MAX], keep[PATH_MAX];
	_cleanup_free_ char *left = NULL, *kept = NULL;
	struct stat st;

	path_in(fx, "outside", out);
	unit_write_text(out, "survives\n");
	path_in(fx, "outdir", outdir);
	assert_int_equal(mkdir(outdir, 0755), 0);
	path_in(fx, "outdir/keep", keep);
	unit_write_text(keep, "kept\n");

	path_in(fx, "tree/a/b/c", p);
	assert_int_equal(mkdir_p(p, 0755), 0);
	path_in(fx, "tree/a/b/c/file", p);
	unit_write_text(p, "deep");
	path_in(fx, "tree/a/top", p);
	unit_write_text(p, "top");
	path_in(fx, "tree/a/b/link", p);
	assert_int_equal(symlink(out, p), 0);
	path_in(fx, "tree/dirlink", p);
	assert_int_equal(symlink(outdir, p), 0);
	path_in(fx, "tree/dangling", p);
	assert_int_equal(symlink("/nonexistent/x", p), 0);

	path_in(fx, "tree", tree);
	assert_int_equal(rm_rf_at(AT_FDCWD, tree), 0);
	assert_int_equal(lstat(tree, &st), -1);
	assert_int_equal(errno, ENOENT);
	left = unit_read_text(out);
	assert_string_equal(left, "survives\n");
	kept = unit_read_text(keep);
	assert_string_equal(kept, "kept\n");
	/* Gone is fine. */
	assert_int_equal(rm_rf_at(AT_FDCWD, tree), 0);
}

static void test_rm_rf_at_on_top_level_symlink_removes_only_the_link(void **state)
{
	struct fixture *fx = *state;
	char link[PATH_MAX], target[PATH_MAX], inner[PATH_MAX];
	struct stat st;

	path_in(fx, "target", target);
	assert_int_equal(mkdir(target, 0755), 0);
	path_in(fx, "target/inner", inner);
	unit_write_text(inner, "x");
	path_in(fx, "link", link);
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(rm_rf_at(AT_FDCWD, link), 0);
	assert_int_equal(lstat(link, &st), -1);
	assert_int_equal(stat(inner, &st), 0);
}

/* ---- open_in_root ---- */

static int open_root(const struct fixture *fx)
{
	char p[PATH_MAX];
	int fd;

	path_in(fx, "root", p);
	assert_int_equal(mkdir(p, 0755), 0);
	fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	return fd;
}

static void assert_fd_reads(int fd, const char *want)
{
	char buf[256];
	ssize_t n;

	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf) - 1);
	assert_true(n >= 0);
	buf[n] = '\0';
	assert_string_equal(buf, want);
	(void)close(fd);
}

static void test_open_in_root_resolves_absolute_symlink_inside_root(void **state)
{
	struct fixture *fx = *state;
	_cleanup_close_ int rootfd = open_root(fx);
	char p[PATH_MAX];

	path_in(fx, "root/esc", p);
	assert_int_equal(symlink("/etc/passwd", p), 0);
	/* The host's /etc/passwd exists; the root's does not. */
	assert_int_equal(open_in_root(rootfd, "esc", O_RDONLY, 0), -ENOENT);
	assert_int_equal(open_in_root(rootfd, "/etc/passwd", O_RDONLY, 0), -ENOENT);
	assert_int_equal(open_in_root(rootfd, "../../etc/passwd", O_RDONLY, 0), -ENOENT);

	path_in(fx, "root/etc", p);
	assert_int_equal(mkdir(p, 0755), 0);
	path_in(fx, "root/etc/passwd", p);
	unit_write_text(p, "inside:x:0:0::/:/bin/sh\n");
	assert_fd_reads(open_in_root(rootfd, "esc", O_RDONLY, 0), "inside:x:0:0::/:/bin/sh\n");
	assert_fd_reads(open_in_root(rootfd, "../../etc/passwd", O_RDONLY, 0),
			"inside:x:0:0::/:/bin/sh\n");
	assert_fd_reads(open_in_root(rootfd, "/etc/passwd", O_RDONLY, 0),
			"inside:x:0:0::/:/bin/sh\n");
}

static void test_open_in_root_relative_dotdot_symlink_stays_inside(void **state)
{
	struct fixture *fx = *state;
	_cleanup_close_ int rootfd = open_root(fx);
	char p[PATH_MAX];

	/* fx->dir/secret is next to the root, one ".." above it. */
	path_in(fx, "secret", p);
	unit_write_text(p, "host secret\n");
	path_in(fx, "root/up", p);
	assert_int_equal(symlink("../secret", p), 0);
	assert_int_equal(open_in_root(rootfd, "up", O_RDONLY, 0), -ENOENT);
	path_in(fx, "root/secret", p);
	unit_write_text(p, "root's own\n");
	assert_fd_reads(open_in_root(rootfd, "up", O_RDONLY, 0), "root's own\n");
}

/* openat2 fails a ".." lookup under RESOLVE_IN_ROOT with EAGAIN when any rename happens on
 * the host meanwhile (openat2(2)); Fedora's /sbin/init is ../lib/systemd/systemd, and a
 * busy host renames all the time. open_in_root retries. */
static void test_open_in_root_dotdot_symlink_survives_renames_elsewhere(void **state)
{
	struct fixture *fx = *state;
	_cleanup_close_ int rootfd = open_root(fx);
	char p[PATH_MAX], a[PATH_MAX], b[PATH_MAX];
	int failed = 0, status;
	pid_t pid;

	path_in(fx, "root/usr", p);
	assert_int_equal(mkdir(p, 0755), 0);
	path_in(fx, "root/usr/init", p);
	unit_write_text(p, "init\n");
	path_in(fx, "root/sbin", p);
	assert_int_equal(mkdir(p, 0755), 0);
	path_in(fx, "root/sbin/init", p);
	assert_int_equal(symlink("../usr/init", p), 0);
	path_in(fx, "a", a);
	path_in(fx, "b", b);
	unit_write_text(a, "x");
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (;;)
			if (rename(a, b) < 0 || rename(b, a) < 0)
				_exit(1);
	}
	for (int i = 0; i < 50000; i++) {
		int fd = open_in_root(rootfd, "/sbin/init", O_PATH, 0);

		if (fd < 0)
			failed++;
		else
			(void)close(fd);
	}
	(void)kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(failed, 0);
}

static void test_open_in_root_refuses_magic_links(void **state _unused_)
{
	_cleanup_close_ int slash = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int fd;

	assert_true(slash >= 0);
	/* The same file without a magic link on the way opens... */
	fd = open_in_root(slash, "proc/self/stat", O_RDONLY, 0);
	assert_true(fd >= 0);
	(void)close(fd);
	/* ...but /proc/self/root would jump to another root: RESOLVE_NO_MAGICLINKS refuses it. */
	assert_int_equal(open_in_root(slash, "proc/self/root/proc/self/stat", O_RDONLY, 0), -ELOOP);
}

static void test_open_in_root_creates_with_mode_and_cloexec(void **state)
{
	struct fixture *fx = *state;
	_cleanup_close_ int rootfd = open_root(fx);
	mode_t old_umask;
	int fd;
	struct stat st;

	old_umask = umask(0);
	fd = open_in_root(rootfd, "/new", O_WRONLY | O_CREAT | O_EXCL, 0604);
	(void)umask(old_umask);
	assert_true(fd >= 0);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0604);
	(void)close(fd);
	assert_int_equal(fstatat(rootfd, "new", &st, 0), 0);
}

/* ---- pid start time ---- */

/* Field 22 of /proc/PID/stat, parsed here independently of util.c. */
static uint64_t stat_field_22(pid_t pid)
{
	char path[64], buf[4096];
	FILE *f;
	size_t n;
	char *p;

	(void)snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	(void)fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	assert_non_null(p);
	p += 2; /* ") " then field 3 */
	for (int field = 3; field < 22; field++) {
		p = strchr(p, ' ');
		assert_non_null(p);
		p++;
	}
	return strtoull(p, NULL, 10);
}

static void test_pid_start_time_matches_field_22_of_proc_stat(void **state _unused_)
{
	uint64_t t = 0;

	assert_int_equal(pid_start_time(getpid(), &t), 0);
	assert_true(t == stat_field_22(getpid()));
	assert_true(t > 0);
	/* pid 1 started before us. */
	{
		uint64_t t1 = 0;

		assert_int_equal(pid_start_time(1, &t1), 0);
		assert_true(t1 == stat_field_22(1));
		assert_true(t1 <= t);
	}
}

static void test_pid_start_time_survives_spaces_and_parens_in_comm(void **state _unused_)
{
	uint64_t t = 0, want, ours;
	int p[2], r;
	pid_t pid;
	char c;

	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		(void)prctl(PR_SET_NAME, "x) 1 2 3) y", 0, 0, 0);
		(void)alarm(30); /* never outlives a failed test by much */
		if (write(p[1], "r", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	(void)close(p[1]);
	assert_int_equal(read(p[0], &c, 1), 1);
	(void)close(p[0]);
	r = pid_start_time(pid, &t);
	want = stat_field_22(pid);
	ours = stat_field_22(getpid());
	(void)kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	assert_int_equal(r, 0);
	assert_true(t == want);
	assert_true(t >= ours);
}

static void test_pid_start_time_fails_for_missing_pid(void **state _unused_)
{
	_cleanup_free_ char *text = NULL;
	uint32_t pid_max = 0;
	uint64_t t = 99;

	/* Every pid is below pid_max, so /proc/PID_MAX never exists. */
	assert_int_equal(read_file_at(AT_FDCWD, "/proc/sys/kernel/pid_max", 64, &text, NULL), 0);
	text[strcspn(text, "\n")] = '\0';
	assert_int_equal(parse_u32(text, &pid_max), 0);
	assert_int_equal(pid_start_time((pid_t)pid_max, &t), -ENOENT);
	assert_true(t == 99);
}

#define T(f) cmocka_unit_test(f)
#define TD(f) cmocka_unit_test_setup_teardown(f, setup_dir, unit_dir_fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_parse_u64_accepts_whole_decimal_numbers),
		T(test_parse_u64_rejects_empty_sign_junk_and_spaces),
		T(test_parse_u64_overflow_is_erange),
		T(test_parse_u32_accepts_full_range_and_refuses_past_it),
		T(test_parse_size_accepts_binary_suffixes),
		T(test_parse_size_rejects_fractions_bare_units_and_empty),
		T(test_parse_bool_accepts_documented_words_in_any_case),
		T(test_parse_bool_rejects_other_words),
		T(test_parse_signal_accepts_names_prefixes_and_numbers),
		T(test_parse_signal_rejects_zero_unknown_and_out_of_range),
		T(test_signal_to_string_names_signals_in_sig_style),
		T(test_signal_to_string_round_trips_every_signal),
		T(test_name_is_valid_accepts_allowed_names),
		T(test_name_is_valid_refuses_paths_dots_and_non_ascii),
		T(test_name_is_valid_new_accepts_hostname_labels_only),
		TD(test_write_file_atomic_at_round_trips_and_leaves_no_temp_file),
		TD(test_write_file_atomic_at_sets_mode_despite_umask),
		TD(test_remove_stale_atomic_tmp_keeps_live_writers_and_other_files),
		TD(test_write_file_atomic_at_truncates_a_stale_temp_file),
		TD(test_write_file_atomic_at_failed_rename_removes_temp_file),
		TD(test_write_file_atomic_at_missing_directory_fails_cleanly),
		TD(test_read_file_at_refuses_file_larger_than_max),
		TD(test_mkdir_p_creates_every_component_and_accepts_existing),
		TD(test_rm_rf_at_removes_tree_without_following_symlinks),
		TD(test_rm_rf_at_on_top_level_symlink_removes_only_the_link),
		TD(test_open_in_root_resolves_absolute_symlink_inside_root),
		TD(test_open_in_root_relative_dotdot_symlink_stays_inside),
		TD(test_open_in_root_dotdot_symlink_survives_renames_elsewhere),
		T(test_open_in_root_refuses_magic_links),
		TD(test_open_in_root_creates_with_mode_and_cloexec),
		T(test_pid_start_time_matches_field_22_of_proc_stat),
		T(test_pid_start_time_survives_spaces_and_parens_in_comm),
		T(test_pid_start_time_fails_for_missing_pid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
