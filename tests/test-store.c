/* test-store.c: unit tests of the store's paths, listing, container open (config layering and
 * its error lines) and the running lock. */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/lxmgr.h"
#include "base/util.h"
#include "store/store.h"
#include "unit.h"

#define UUID1 "5b8b2d7e-6c1f-4a7d-9a63-0c4f8e2b1d90"

/* A minimal valid container config; line 5 is stop_timeout. */
#define CONFIG_DEV1                                                                                \
	"[container]\n"                                                                            \
	"name = dev1\n"                                                                            \
	"uuid = " UUID1 "\n"                                                                       \
	"init = /sbin/init\n"                                                                      \
	"stop_timeout = 45\n"                                                                      \
	"[idmap]\n"                                                                                \
	"uid_base = 100000\n"                                                                      \
	"gid_base = 200000\n"                                                                      \
	"size = 65536\n"

struct fixture {
	char dir[PATH_MAX]; /* first: unit_dir_fixture_new() makes it */
	struct lxmgr_ctx ctx;
};

static int setup_store(void **state)
{
	struct fixture *fx = unit_dir_fixture_new(sizeof(*fx), "test-store");

	if (!fx)
		return -1;
	fx->ctx = (struct lxmgr_ctx){.verb = "test", .custom_root = true};
	if (lxmgr_paths_init(&fx->ctx.paths, fx->dir) < 0 || mkdir(fx->ctx.paths.lib, 0755) < 0)
		return -1;
	*state = fx;
	return 0;
}

static int teardown_store(void **state)
{
	struct fixture *fx = *state;
	int r = unit_remove_tmpdir(fx->dir);

	lxmgr_paths_done(&fx->ctx.paths);
	free(fx);
	return r;
}

/* buf = LIB/rel */
static void lib_path(const struct fixture *fx, const char *rel, char buf[static PATH_MAX])
{
	int n = snprintf(buf, PATH_MAX, "%s/%s", fx->ctx.paths.lib, rel);

	assert_true(n > 0 && n < PATH_MAX);
}

/* LIB/NAME/config with text. */
static void make_container(const struct fixture *fx, const char *name, const char *config)
{
	char p[PATH_MAX], cfg[PATH_MAX + 16];

	lib_path(fx, name, p);
	assert_int_equal(mkdir(p, 0755), 0);
	(void)snprintf(cfg, sizeof(cfg), "%s/config", p);
	unit_write_text(cfg, config);
}

/* Runs store_container_open with stderr going to a file; returns what it printed. */
static char *open_capturing(const struct fixture *fx, const char *name, int *ret_r,
			    struct container **ret)
{
	char path[PATH_MAX + 16];
	char *text = NULL;
	int saved, fd;

	(void)snprintf(path, sizeof(path), "%s/stderr", fx->dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	(void)fflush(stderr);
	saved = dup(STDERR_FILENO);
	assert_true(saved >= 0);
	assert_int_equal(dup2(fd, STDERR_FILENO), STDERR_FILENO);
	(void)close(fd);
	*ret_r = store_container_open(&fx->ctx, name, ret);
	(void)fflush(stderr);
	assert_int_equal(dup2(saved, STDERR_FILENO), STDERR_FILENO);
	(void)close(saved);
	assert_int_equal(read_file_at(AT_FDCWD, path, 65536, &text, NULL), 0);
	assert_int_equal(unlink(path), 0);
	return text;
}

/* Opening name fails with -EINVAL and no container, and stderr holds one line containing
 * what. */
static void assert_open_refused(const struct fixture *fx, const char *name, const char *what)
{
	struct container *c = NULL;
	_cleanup_free_ char *err = NULL;
	int r = 0;

	err = open_capturing(fx, name, &r, &c);
	assert_int_equal(r, -EINVAL);
	assert_null(c);
	assert_non_null(strstr(err, what));
	assert_int_equal(err[strlen(err) - 1], '\n');
	assert_ptr_equal(strchr(err, '\n'), err + strlen(err) - 1); /* one line */
}

/* ---- paths ---- */

static void test_paths_init_puts_everything_under_root(void **state _unused_)
{
	struct lxmgr_paths p = {0};

	assert_int_equal(lxmgr_paths_init(&p, "/r"), 0);
	assert_string_equal(p.lib, "/r/lib");
	assert_string_equal(p.run, "/r/run");
	assert_string_equal(p.log, "/r/log");
	assert_string_equal(p.cache, "/r/cache");
	assert_string_equal(p.conf, "/r/etc/lxmgr.conf");
	assert_string_equal(p.hooks, "/r/etc/hooks");
	/* 8 hex digits and a '-'. Pinned: the cgroups of running containers are named after it,
	 * so a new hash would lose them across an upgrade. */
	assert_string_equal(p.cgroup_tag, "005970c6-");
	lxmgr_paths_done(&p);
	assert_null(p.lib);
	assert_null(p.cgroup_tag);
}

static void test_paths_init_tag_is_stable_and_differs_per_root(void **state _unused_)
{
	struct lxmgr_paths a = {0}, b = {0}, a2 = {0};

	assert_int_equal(lxmgr_paths_init(&a, "/srv/one"), 0);
	assert_int_equal(lxmgr_paths_init(&b, "/srv/two"), 0);
	assert_int_equal(lxmgr_paths_init(&a2, "/srv/one"), 0);
	assert_int_equal(strlen(a.cgroup_tag), 9);
	assert_int_equal(strspn(a.cgroup_tag, "0123456789abcdef"), 8);
	assert_int_equal(a.cgroup_tag[8], '-');
	assert_int_equal(strlen(b.cgroup_tag), 9);
	assert_int_equal(b.cgroup_tag[8], '-');
	assert_string_not_equal(a.cgroup_tag, b.cgroup_tag);
	assert_string_equal(a.cgroup_tag, a2.cgroup_tag);
	lxmgr_paths_done(&a);
	lxmgr_paths_done(&b);
	lxmgr_paths_done(&a2);
}

static void test_paths_init_without_root_uses_configured_dirs_and_empty_tag(void **state _unused_)
{
	struct lxmgr_paths p = {0};

	assert_int_equal(lxmgr_paths_init(&p, NULL), 0);
	assert_string_equal(p.lib, LXMGR_LOCALSTATEDIR "/lib/lxmgr");
	assert_string_equal(p.run, LXMGR_RUNSTATEDIR "/lxmgr");
	assert_string_equal(p.log, LXMGR_LOCALSTATEDIR "/log/lxmgr");
	assert_string_equal(p.cache, LXMGR_LOCALSTATEDIR "/cache/lxmgr");
	assert_string_equal(p.conf, LXMGR_SYSCONFDIR "/lxmgr/lxmgr.conf");
	assert_string_equal(p.hooks, LXMGR_SYSCONFDIR "/lxmgr/hooks");
	assert_string_equal(p.cgroup_tag, "");
	lxmgr_paths_done(&p);
}

static void test_container_paths_are_under_lib_run_and_log(void **state)
{
	struct fixture *fx = *state;
	_cleanup_container_ struct container *c = NULL;
	char want[PATH_MAX + 32];

	assert_int_equal(store_container_paths(&fx->ctx, "dev1", &c), 0);
	assert_string_equal(c->name, "dev1");
	(void)snprintf(want, sizeof(want), "%s/lib/dev1", fx->dir);
	assert_string_equal(c->dir, want);
	(void)snprintf(want, sizeof(want), "%s/lib/dev1/config", fx->dir);
	assert_string_equal(c->config_path, want);
	(void)snprintf(want, sizeof(want), "%s/lib/dev1/rootfs", fx->dir);
	assert_string_equal(c->rootfs, want);
	(void)snprintf(want, sizeof(want), "%s/run/dev1", fx->dir);
	assert_string_equal(c->rundir, want);
	(void)snprintf(want, sizeof(want), "%s/log/dev1", fx->dir);
	assert_string_equal(c->logdir, want);
	assert_true(c->dirfd < 0);
}

/* ---- listing ---- */

static void test_store_list_names_is_sorted_and_skips_temp_files_and_bad_names(void **state)
{
	struct fixture *fx = *state;
	static const char *const dirs[] = {
		"web", "dev1", ".hidden.create-xyz", "alpha", "-bad", "caf\xc3\xa9", "Zeta"};
	_cleanup_strv_ char **v = NULL;
	char p[PATH_MAX];

	for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
		lib_path(fx, dirs[i], p);
		assert_int_equal(mkdir(p, 0755), 0);
	}
	lib_path(fx, "file1", p);
	unit_write_text(p, "not a container\n");
	lib_path(fx, "link1", p);
	assert_int_equal(symlink("web", p), 0);

	assert_int_equal(store_list_names(&fx->ctx, &v), 0);
	assert_non_null(v);
	assert_string_equal(v[0], "Zeta");
	assert_string_equal(v[1], "alpha");
	assert_string_equal(v[2], "dev1");
	assert_string_equal(v[3], "web");
	assert_null(v[4]);
}

static void test_store_list_names_of_missing_or_empty_lib_is_empty(void **state)
{
	struct fixture *fx = *state;
	_cleanup_strv_ char **v = NULL, **w = NULL;

	assert_int_equal(store_list_names(&fx->ctx, &v), 0);
	assert_non_null(v);
	assert_null(v[0]);
	assert_int_equal(rmdir(fx->ctx.paths.lib), 0);
	assert_int_equal(store_list_names(&fx->ctx, &w), 0);
	assert_non_null(w);
	assert_null(w[0]);
}

/* ---- open ---- */

static void test_store_container_open_loads_a_valid_config(void **state)
{
	struct fixture *fx = *state;
	_cleanup_container_ struct container *c = NULL;
	_cleanup_free_ char *err = NULL;
	char want[PATH_MAX + 32];
	int r = -1;

	make_container(fx, "dev1", CONFIG_DEV1);
	err = open_capturing(fx, "dev1", &r, &c);
	assert_int_equal(r, 0);
	assert_string_equal(err, "");
	assert_non_null(c);
	assert_string_equal(c->name, "dev1");
	(void)snprintf(want, sizeof(want), "%s/lib/dev1/config", fx->dir);
	assert_string_equal(c->config_path, want);
	assert_true(c->dirfd >= 0);
	assert_string_equal(c->cfg.name, "dev1");
	assert_string_equal(c->cfg.uuid, UUID1);
	assert_string_equal(c->cfg.init, "/sbin/init");
	assert_int_equal(c->cfg.stop_timeout, 45);
	assert_int_equal(c->cfg.uid_base, 100000);
	assert_int_equal(c->cfg.gid_base, 200000);
	assert_int_equal(c->cfg.id_count, 65536);
}

static void test_store_container_open_layers_the_global_file_under_the_container(void **state)
{
	struct fixture *fx = *state;
	_cleanup_container_ struct container *c = NULL;
	_cleanup_free_ char *err = NULL;
	char etc[PATH_MAX + 16];
	int r = -1;

	(void)snprintf(etc, sizeof(etc), "%s/etc", fx->dir);
	assert_int_equal(mkdir(etc, 0755), 0);
	unit_write_text(fx->ctx.paths.conf,
			"[container]\nstop_timeout = 77\n[limits]\npids = 100\n");
	make_container(fx, "dev1", CONFIG_DEV1);
	err = open_capturing(fx, "dev1", &r, &c);
	assert_int_equal(r, 0);
	assert_string_equal(err, "");
	assert_true(c->cfg.pids_max == 100);       /* from the global file */
	assert_int_equal(c->cfg.stop_timeout, 45); /* the container's own wins */
}

static void test_store_container_open_unknown_name_is_enoent(void **state)
{
	struct fixture *fx = *state;
	struct container *c = NULL;
	_cleanup_free_ char *err = NULL;
	char want[PATH_MAX + 64];
	int r = 0;

	err = open_capturing(fx, "nope", &r, &c);
	assert_int_equal(r, -ENOENT);
	assert_null(c);
	(void)snprintf(want, sizeof(want), "lxmgr: test: store: no container named 'nope' in %s\n",
		       fx->ctx.paths.lib);
	assert_string_equal(err, want);
}

static void test_store_container_open_invalid_name_is_einval(void **state)
{
	struct fixture *fx = *state;
	static const char *const bad[] = {"a/b", "..", ".hidden", ""};

	make_container(fx, "dev1", CONFIG_DEV1);
	for (size_t i = 0; i < ELEMENTSOF(bad); i++)
		assert_open_refused(fx, bad[i], "invalid container name");
}

static void test_store_container_open_typo_key_names_file_and_line(void **state)
{
	struct fixture *fx = *state;
	struct container *c = NULL;
	_cleanup_free_ char *err = NULL;
	char want[PATH_MAX + 128];
	int r = 0;

	make_container(fx, "dev1",
		       "[container]\n"
		       "name = dev1\n"
		       "uuid = " UUID1 "\n"
		       "init = /sbin/init\n"
		       "stop_timeot = 45\n"
		       "[idmap]\n"
		       "uid_base = 100000\n"
		       "gid_base = 200000\n"
		       "size = 65536\n");
	err = open_capturing(fx, "dev1", &r, &c);
	assert_int_equal(r, -EINVAL);
	assert_null(c);
	(void)snprintf(want, sizeof(want),
		       "lxmgr: test: config: %s/lib/dev1/config:5: container.stop_timeot: "
		       "unknown key\n",
		       fx->dir);
	assert_string_equal(err, want);
}

static void test_store_container_open_runs_the_validator(void **state)
{
	struct fixture *fx = *state;

	/* Every line parses; the required uuid is missing. */
	make_container(fx, "dev1",
		       "[container]\n"
		       "name = dev1\n"
		       "init = /sbin/init\n"
		       "[idmap]\n"
		       "uid_base = 100000\n"
		       "gid_base = 200000\n"
		       "size = 65536\n");
	assert_open_refused(fx, "dev1", "/lib/dev1/config: container.uuid: not set");
}

static void test_store_container_open_refuses_config_of_another_name(void **state)
{
	struct fixture *fx = *state;

	make_container(fx, "dev2", CONFIG_DEV1);
	assert_open_refused(fx, "dev2", "container.name is 'dev1', not 'dev2'");
}

/* ---- running lock ---- */

static void test_store_lock_running_is_seen_by_a_second_handle_and_is_exclusive(void **state)
{
	struct fixture *fx = *state;
	_cleanup_container_ struct container *c2 = NULL;
	struct container *c1 = NULL;
	_cleanup_free_ char *e1 = NULL, *e2 = NULL;
	int r = -1;

	make_container(fx, "dev1", CONFIG_DEV1);
	e1 = open_capturing(fx, "dev1", &r, &c1);
	assert_int_equal(r, 0);
	assert_false(store_is_running(c1));

	assert_int_equal(store_lock_running(c1), 0);
	/* flock locks belong to the open file description: store_is_running opens a fresh one,
	 * so it sees c1's lock even in the same process, through either handle. */
	assert_true(store_is_running(c1));
	e2 = open_capturing(fx, "dev1", &r, &c2);
	assert_int_equal(r, 0);
	assert_true(store_is_running(c2));
	assert_int_equal(store_lock_running(c2), -EBUSY);
	/* Taking it again on the same description is allowed (flock converts in place). */
	assert_int_equal(store_lock_running(c1), 0);

	/* Closing c1's directory fd releases the lock. */
	c1 = container_free(c1);
	assert_null(c1);
	assert_false(store_is_running(c2));
	assert_int_equal(store_lock_running(c2), 0);
	assert_true(store_is_running(c2));
}

static void test_store_is_running_false_when_directory_is_gone(void **state)
{
	struct fixture *fx = *state;
	_cleanup_container_ struct container *c = NULL;

	assert_int_equal(store_container_paths(&fx->ctx, "ghost", &c), 0);
	assert_false(store_is_running(c));
}

#define T(f) cmocka_unit_test(f)
#define TS(f) cmocka_unit_test_setup_teardown(f, setup_store, teardown_store)

struct seen {
	char names[8][64];
	uint32_t uid_base[8];
	size_t n;
};

static int remember(void *userdata, const char *name, const struct container_config *c)
{
	struct seen *s = userdata;

	assert_true(s->n < 8);
	(void)snprintf(s->names[s->n], sizeof(s->names[0]), "%s", name);
	s->uid_base[s->n++] = c->uid_base;
	return 0;
}

/* Validate that the reservation of a create in progress (its locked LIB/.NAME.create-X
 * directory) is visited under NAME, and that of a create that died (unlocked) is not: a
 * parallel create must see the ids another took before it renames its directory. */
static void test_store_foreach_config_visits_reservations_of_live_creates_only(void **state)
{
	struct fixture *fx = *state;
	_cleanup_close_ int live = -EBADF;
	struct seen s = {0};
	char p[PATH_MAX];

	make_container(fx, "dev1", CONFIG_DEV1);
	make_container(fx, ".web.create-abc123", "[idmap]\nuid_base = 300000\n");
	make_container(fx, ".dead.create-xyz789", "[idmap]\nuid_base = 400000\n");
	make_container(fx, ".noname.destroy-42", "[idmap]\nuid_base = 500000\n");
	lib_path(fx, ".web.create-abc123", p);
	live = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(live >= 0);
	assert_int_equal(flock(live, LOCK_EX), 0);

	assert_int_equal(store_foreach_config(&fx->ctx, remember, &s), 0);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.names[0], "dev1");
	assert_int_equal(s.uid_base[0], 100000);
	assert_string_equal(s.names[1], "web");
	assert_int_equal(s.uid_base[1], 300000);
}

/* Validate that the allocation lock lives in RUN (LIB holds containers only) and excludes a
 * second holder until the first closes it. */
static void test_store_lock_alloc_is_exclusive_and_outside_lib(void **state)
{
	struct fixture *fx = *state;
	_cleanup_close_ int a = -EBADF, b = -EBADF;
	char p[PATH_MAX];

	a = store_lock_alloc(&fx->ctx);
	assert_true(a >= 0);
	(void)snprintf(p, sizeof(p), "%s/" STORE_ALLOC_LOCK, fx->ctx.paths.run);
	b = open(p, O_RDWR | O_CLOEXEC);
	assert_true(b >= 0);
	assert_int_equal(flock(b, LOCK_EX | LOCK_NB), -1);
	assert_int_equal(errno, EWOULDBLOCK);
	(void)close(TAKE_FD(a));
	assert_int_equal(flock(b, LOCK_EX | LOCK_NB), 0);
	lib_path(fx, STORE_ALLOC_LOCK, p);
	assert_int_equal(access(p, F_OK), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_paths_init_puts_everything_under_root),
		T(test_paths_init_tag_is_stable_and_differs_per_root),
		T(test_paths_init_without_root_uses_configured_dirs_and_empty_tag),
		TS(test_container_paths_are_under_lib_run_and_log),
		TS(test_store_list_names_is_sorted_and_skips_temp_files_and_bad_names),
		TS(test_store_list_names_of_missing_or_empty_lib_is_empty),
		TS(test_store_container_open_loads_a_valid_config),
		TS(test_store_container_open_layers_the_global_file_under_the_container),
		TS(test_store_container_open_unknown_name_is_enoent),
		TS(test_store_container_open_invalid_name_is_einval),
		TS(test_store_container_open_typo_key_names_file_and_line),
		TS(test_store_container_open_runs_the_validator),
		TS(test_store_container_open_refuses_config_of_another_name),
		TS(test_store_lock_running_is_seen_by_a_second_handle_and_is_exclusive),
		TS(test_store_is_running_false_when_directory_is_gone),
		TS(test_store_foreach_config_visits_reservations_of_live_creates_only),
		TS(test_store_lock_alloc_is_exclusive_and_outside_lib),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
