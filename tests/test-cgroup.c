/* test-cgroup.c: host parsing, paths, limits on a fake tree, and real cgroups as root. */
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unit.h"

#include "base/cleanup.h"
#include "base/util.h"
#include "cgroup/cgroup.h"
#include "store/config.h"
#include "store/config.h"

/* This host, from /proc/self/mountinfo and /proc/self/cgroup. */
static const char hybrid_mountinfo[] =
	"23 1 0:21 / / rw,relatime - overlay overlay rw,lowerdir=/l,upperdir=/u,workdir=/w\n"
	"31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
	"32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
	"33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
	"34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset\n"
	"35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
	"36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices\n"
	"37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer\n"
	"38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio\n"
	"39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
	"40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
	"41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";
static const char hybrid_self[] = "9:name=systemd:/\n"
				  "8:pids:/\n"
				  "7:blkio:/\n"
				  "6:freezer:/\n"
				  "5:devices:/\n"
				  "4:memory:/process_api/b56ce17b0e8403f6a3942b2e8aeb3941\n"
				  "3:cpuset:/\n"
				  "2:cpuacct:/\n"
				  "1:cpu:/\n"
				  "0::/\n";

/* A systemd host in unified mode, the monitor run as a unit. */
static const char v2_mountinfo[] =
	"24 1 259:2 / / rw,relatime shared:1 - ext4 /dev/root rw\n"
	"30 24 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 "
	"cgroup2 rw,nsdelegate,memory_recursiveprot\n"
	"45 24 0:40 / /mnt/my\\040disk rw,relatime shared:20 - ext4 /dev/sdb1 rw\n";
static const char v2_self[] = "0::/system.slice/lxmgr@web.service\n";

static int parse_samples(const char *mi, const char *self, struct cgroup_host *h)
{
	_cleanup_fclose_ FILE *f = fmemopen((void *)mi, strlen(mi), "r");
	_cleanup_fclose_ FILE *g = fmemopen((void *)self, strlen(self), "r");

	assert_non_null(f);
	assert_non_null(g);
	return cgroup_host_parse(f, g, h);
}

static void test_cgroup_host_parse_hybrid_finds_unified_and_v1_controllers(void **state)
{
	struct cgroup_host h;

	(void)state;
	assert_int_equal(parse_samples(hybrid_mountinfo, hybrid_self, &h), 0);
	assert_string_equal(h.unified_mount, "/sys/fs/cgroup/unified");
	assert_string_equal(h.unified_own, "/");
	assert_string_equal(h.v1_mount[CGROUP_V1_MEMORY], "/sys/fs/cgroup/memory");
	assert_string_equal(h.v1_mount[CGROUP_V1_PIDS], "/sys/fs/cgroup/pids");
	/* "cpu", not "cpuacct" or "cpuset", which come next to it. */
	assert_string_equal(h.v1_mount[CGROUP_V1_CPU], "/sys/fs/cgroup/cpu");
	assert_string_equal(h.v1_mount[CGROUP_V1_FREEZER], "/sys/fs/cgroup/freezer");
	assert_string_equal(h.v1_mount[CGROUP_V1_SYSTEMD], "/sys/fs/cgroup/systemd");
	assert_string_equal(h.v1_own[CGROUP_V1_SYSTEMD], "/");
	assert_string_equal(h.v1_own[CGROUP_V1_MEMORY],
			    "/process_api/b56ce17b0e8403f6a3942b2e8aeb3941");
	assert_string_equal(h.v1_own[CGROUP_V1_CPU], "/");
	for (int i = 0; i < 4; i++)
		assert_false(h.v2_controllers[i]);
	cgroup_host_done(&h);
	assert_null(h.unified_mount);
}

static void test_cgroup_host_parse_comounted_cpu_cpuacct(void **state)
{
	static const char mi[] = "25 24 0:23 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup "
				 "rw,cpu,cpuacct\n";
	static const char self[] = "3:cpu,cpuacct:/user.slice\n";
	struct cgroup_host h;

	(void)state;
	assert_int_equal(parse_samples(mi, self, &h), 0);
	assert_string_equal(h.v1_mount[CGROUP_V1_CPU], "/sys/fs/cgroup/cpu,cpuacct");
	assert_string_equal(h.v1_own[CGROUP_V1_CPU], "/user.slice");
	assert_null(h.v1_mount[CGROUP_V1_MEMORY]);
	assert_null(h.unified_mount);
	cgroup_host_done(&h);
}

static void test_cgroup_host_parse_pure_v2(void **state)
{
	struct cgroup_host h;

	(void)state;
	assert_int_equal(parse_samples(v2_mountinfo, v2_self, &h), 0);
	assert_string_equal(h.unified_mount, "/sys/fs/cgroup");
	assert_string_equal(h.unified_own, "/system.slice/lxmgr@web.service");
	for (int i = 0; i < _CGROUP_V1_MAX; i++) {
		assert_null(h.v1_mount[i]);
		assert_null(h.v1_own[i]);
	}
	cgroup_host_done(&h);
}

static void test_cgroup_host_parse_rejects_line_without_separator(void **state)
{
	struct cgroup_host h;

	(void)state;
	assert_int_equal(parse_samples("31 23 0:28 / /sys/fs/cgroup rw\n", "0::/\n", &h), -EINVAL);
	assert_int_equal(parse_samples(v2_mountinfo, "garbage\n", &h), -EINVAL);
}

static void test_cgroup_paths_hybrid_places_container_under_lxmgr_slice(void **state)
{
	struct cgroup_host h;
	struct cgroup cg;

	(void)state;
	assert_int_equal(parse_samples(hybrid_mountinfo, hybrid_self, &h), 0);
	assert_int_equal(cgroup_paths(&h, "dev1", false, &cg), 0);
	assert_string_equal(cg.unified, "/sys/fs/cgroup/unified/lxmgr.slice/lxmgr-dev1.scope");
	/* From the hierarchy root, not from our own /process_api/... memory cgroup. */
	assert_string_equal(cg.v1[CGROUP_V1_MEMORY],
			    "/sys/fs/cgroup/memory/lxmgr.slice/lxmgr-dev1.scope");
	assert_string_equal(cg.v1[CGROUP_V1_PIDS],
			    "/sys/fs/cgroup/pids/lxmgr.slice/lxmgr-dev1.scope");
	assert_string_equal(cg.v1[CGROUP_V1_CPU],
			    "/sys/fs/cgroup/cpu/lxmgr.slice/lxmgr-dev1.scope");
	assert_string_equal(cg.v1[CGROUP_V1_FREEZER],
			    "/sys/fs/cgroup/freezer/lxmgr.slice/lxmgr-dev1.scope");
	/* The named hierarchy too: a guest with systemd < 230 is rooted there. */
	assert_string_equal(cg.v1[CGROUP_V1_SYSTEMD],
			    "/sys/fs/cgroup/systemd/lxmgr.slice/lxmgr-dev1.scope");
	assert_false(cg.limits_v2);
	cgroup_done(&cg);
	assert_int_equal(cgroup_paths(&h, "../x", false, &cg), -EINVAL);
	assert_int_equal(cgroup_paths(&h, "", false, &cg), -EINVAL);
	cgroup_host_done(&h);
}

static void test_cgroup_paths_delegated_uses_own_payload_child(void **state)
{
	struct cgroup_host h;
	struct cgroup cg;

	(void)state;
	assert_int_equal(parse_samples(v2_mountinfo, v2_self, &h), 0);
	h.v2_controllers[0] = true;
	assert_int_equal(cgroup_paths(&h, "web", true, &cg), 0);
	assert_string_equal(cg.unified, "/sys/fs/cgroup/system.slice/lxmgr@web.service/payload");
	/* The monitor leaves the unit's cgroup for a sibling of the payload. */
	assert_string_equal(cg.supervisor,
			    "/sys/fs/cgroup/system.slice/lxmgr@web.service/supervisor");
	for (int i = 0; i < _CGROUP_V1_MAX; i++)
		assert_null(cg.v1[i]);
	assert_true(cg.limits_v2);
	cgroup_done(&cg);
	cgroup_host_done(&h);

	/* Delegated on the hybrid host: v1 is not ours to use, and "/" gives no "//". */
	assert_int_equal(parse_samples(hybrid_mountinfo, hybrid_self, &h), 0);
	assert_int_equal(cgroup_paths(&h, "web", true, &cg), 0);
	assert_string_equal(cg.unified, "/sys/fs/cgroup/unified/payload");
	assert_string_equal(cg.supervisor, "/sys/fs/cgroup/unified/supervisor");
	assert_null(cg.v1[CGROUP_V1_MEMORY]);
	cgroup_done(&cg);
	/* Not delegated: the monitor stays where it is. */
	assert_int_equal(cgroup_paths(&h, "web", false, &cg), 0);
	assert_null(cg.supervisor);
	cgroup_done(&cg);
	cgroup_host_done(&h);

	/* Delegated on a pure cgroup2 host where lxmgr mounted name=systemd for an old guest:
	 * that hierarchy is nobody else's, and the guest gets its own directory in it. */
	assert_int_equal(parse_samples(v2_mountinfo, v2_self, &h), 0);
	h.v1_mount[CGROUP_V1_SYSTEMD] = strdup("/run/lxmgr-cgroup/systemd");
	assert_int_equal(cgroup_paths(&h, "web", true, &cg), 0);
	assert_string_equal(cg.v1[CGROUP_V1_SYSTEMD],
			    "/run/lxmgr-cgroup/systemd/lxmgr.slice/lxmgr-web.scope");
	cgroup_done(&cg);
	cgroup_host_done(&h);
}

static void test_cgroup_v1_to_string_names_every_controller(void **state)
{
	(void)state;
	for (int i = 0; i < _CGROUP_V1_MAX; i++)
		assert_non_null(cgroup_v1_to_string((enum cgroup_v1)i));
	assert_string_equal(cgroup_v1_to_string(CGROUP_V1_CPU), "cpu");
	/* A key of the runtime record ("cgroup_NAME=PATH"): no '=' in it. */
	assert_string_equal(cgroup_v1_to_string(CGROUP_V1_SYSTEMD), "systemd");
	assert_null(cgroup_v1_to_string(_CGROUP_V1_MAX));
}

/* A fake hierarchy in a temporary directory: regular files stand for the knobs. */
struct fake {
	char root[64];
};

static void fake_touch(const char *dir, const char *file)
{
	_cleanup_free_ char *p = NULL;
	int fd;

	assert_int_equal(xasprintf(&p, "%s/%s", dir, file), 0);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	close(fd);
}

static void assert_file(const char *dir, const char *file, const char *want)
{
	_cleanup_free_ char *p = NULL, *text = NULL;

	assert_int_equal(xasprintf(&p, "%s/%s", dir, file), 0);
	assert_int_equal(read_file_at(AT_FDCWD, p, 4096, &text, NULL), 0);
	assert_string_equal(text, want);
}

static int fake_setup(void **state)
{
	struct fake *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	strcpy(f->root, "/tmp/test-cgroup.XXXXXX");
	if (!mkdtemp(f->root)) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int fake_teardown(void **state)
{
	struct fake *f = *state;

	(void)rm_rf_at(AT_FDCWD, f->root);
	free(f);
	return 0;
}

static void config_unset(struct container_config *c)
{
	memset(c, 0, sizeof(*c));
	c->memory_max = LIMIT_UNSET;
	c->memory_high = LIMIT_UNSET;
	c->cpu_millis = CPU_QUOTA_UNSET;
	c->cpu_weight = 0;
	c->pids_max = LIMIT_UNSET;
}

static void fake_host(struct fake *f, struct cgroup_host *h, bool v2)
{
	static const char *const v2_files[] = {"memory.max", "memory.high", "cpu.max", "cpu.weight",
					       "pids.max"};
	static const char *const v1_files[_CGROUP_V1_MAX][3] = {
		[CGROUP_V1_MEMORY] = {"memory.limit_in_bytes", "memory.soft_limit_in_bytes"},
		[CGROUP_V1_PIDS] = {"pids.max"},
		[CGROUP_V1_CPU] = {"cpu.cfs_period_us", "cpu.cfs_quota_us", "cpu.shares"},
		[CGROUP_V1_FREEZER] = {"freezer.state"},
	};
	_cleanup_free_ char *dir = NULL;

	memset(h, 0, sizeof(*h));
	assert_int_equal(xasprintf(&h->unified_mount, "%s/unified", f->root), 0);
	assert_int_equal(xasprintf(&dir, "%s/lxmgr.slice/lxmgr-t.scope", h->unified_mount), 0);
	assert_int_equal(mkdir_p(dir, 0755), 0);
	for (size_t i = 0; v2 && i < ELEMENTSOF(v2_files); i++)
		fake_touch(dir, v2_files[i]);
	for (int i = 0; i < 4; i++)
		h->v2_controllers[i] = v2;
	for (int i = 0; !v2 && i < _CGROUP_V1_MAX; i++) {
		free(dir);
		assert_int_equal(xasprintf(&h->v1_mount[i], "%s/%s", f->root,
					   cgroup_v1_to_string((enum cgroup_v1)i)),
				 0);
		assert_int_equal(xasprintf(&dir, "%s/lxmgr.slice/lxmgr-t.scope", h->v1_mount[i]),
				 0);
		assert_int_equal(mkdir_p(dir, 0755), 0);
		for (int k = 0; k < 3 && v1_files[i][k]; k++)
			fake_touch(dir, v1_files[i][k]);
	}
}

/* The limits both apply tests set: 512 MiB max, 256 MiB high, 1.5 CPUs, weight 200, 300
 * pids. */
static void set_sample_limits(struct container_config *c)
{
	config_unset(c);
	c->memory_max = 512ULL << 20;
	c->memory_high = 256ULL << 20;
	c->cpu_millis = 1500;
	c->cpu_weight = 200;
	c->pids_max = 300;
}

static void test_cgroup_apply_limits_writes_v2_files(void **state)
{
	struct container_config c;
	struct cgroup_host h;
	struct cgroup cg;

	fake_host(*state, &h, true);
	assert_int_equal(cgroup_paths(&h, "t", false, &cg), 0);
	set_sample_limits(&c);
	assert_int_equal(cgroup_apply_limits(&h, &cg, &c), 0);
	assert_file(cg.unified, "memory.max", "536870912");
	assert_file(cg.unified, "memory.high", "268435456");
	assert_file(cg.unified, "cpu.max", "150000 100000");
	assert_file(cg.unified, "cpu.weight", "200");
	assert_file(cg.unified, "pids.max", "300");

	/* `config unset` then restart: every knob goes back to no limit. */
	config_unset(&c);
	assert_int_equal(cgroup_apply_limits(&h, &cg, &c), 0);
	assert_file(cg.unified, "memory.max", "max");
	assert_file(cg.unified, "memory.high", "max");
	assert_file(cg.unified, "cpu.max", "max 100000");
	assert_file(cg.unified, "cpu.weight", "100");
	assert_file(cg.unified, "pids.max", "max");
	cgroup_done(&cg);
	cgroup_host_done(&h);
}

static void test_cgroup_apply_limits_falls_back_to_v1_without_v2_controllers(void **state)
{
	struct container_config c;
	struct cgroup_host h;
	struct cgroup cg;

	fake_host(*state, &h, false);
	assert_int_equal(cgroup_paths(&h, "t", false, &cg), 0);
	set_sample_limits(&c);
	assert_int_equal(cgroup_apply_limits(&h, &cg, &c), 0);
	assert_file(cg.v1[CGROUP_V1_MEMORY], "memory.limit_in_bytes", "536870912");
	assert_file(cg.v1[CGROUP_V1_MEMORY], "memory.soft_limit_in_bytes", "268435456");
	assert_file(cg.v1[CGROUP_V1_CPU], "cpu.cfs_period_us", "100000");
	assert_file(cg.v1[CGROUP_V1_CPU], "cpu.cfs_quota_us", "150000");
	assert_file(cg.v1[CGROUP_V1_CPU], "cpu.shares", "2048");
	assert_file(cg.v1[CGROUP_V1_PIDS], "pids.max", "300");

	config_unset(&c);
	assert_int_equal(cgroup_apply_limits(&h, &cg, &c), 0);
	assert_file(cg.v1[CGROUP_V1_MEMORY], "memory.limit_in_bytes", "-1");
	assert_file(cg.v1[CGROUP_V1_MEMORY], "memory.soft_limit_in_bytes", "-1");
	assert_file(cg.v1[CGROUP_V1_CPU], "cpu.cfs_quota_us", "-1");
	assert_file(cg.v1[CGROUP_V1_CPU], "cpu.shares", "1024");
	assert_file(cg.v1[CGROUP_V1_PIDS], "pids.max", "max");
	cgroup_done(&cg);
	cgroup_host_done(&h);
}

static void test_cgroup_apply_limits_refuses_set_limit_without_controller(void **state)
{
	struct container_config c;
	struct cgroup_host h;
	struct cgroup cg;

	/* Delegated on the hybrid host: no v2 controllers, v1 not used. */
	fake_host(*state, &h, false);
	h.unified_own = strdup("/");
	assert_int_equal(cgroup_paths(&h, "t", true, &cg), 0);
	config_unset(&c);
	assert_int_equal(cgroup_apply_limits(&h, &cg, &c), 0);
	c.pids_max = 10;
	assert_int_equal(cgroup_apply_limits(&h, &cg, &c), -EOPNOTSUPP);
	cgroup_done(&cg);
	cgroup_host_done(&h);
}

static void test_cgroup_create_enables_controllers_and_hands_dir_to_owner(void **state)
{
	struct fake *f = *state;
	_cleanup_free_ char *slice = NULL;
	struct container_config c;
	struct cgroup_host h;
	struct cgroup cg;
	struct stat st;

	if (geteuid() != 0)
		skip();
	fake_host(f, &h, true);
	h.v2_controllers[3] = false; /* no io at the root */
	assert_int_equal(cgroup_paths(&h, "t", false, &cg), 0);
	assert_int_equal(xasprintf(&slice, "%s/lxmgr.slice", h.unified_mount), 0);
	fake_touch(h.unified_mount, "cgroup.subtree_control");
	fake_touch(slice, "cgroup.subtree_control");
	fake_touch(cg.unified, "cgroup.subtree_control");
	fake_touch(cg.unified, "cgroup.procs");
	fake_touch(cg.unified, "cgroup.threads");
	config_unset(&c);
	c.pids_max = 42;
	assert_int_equal(cgroup_create(&h, &cg, &c, 4242, 4343), 0);
	assert_file(h.unified_mount, "cgroup.subtree_control", "+memory +pids +cpu");
	assert_file(slice, "cgroup.subtree_control", "+memory +pids +cpu");
	/* The container's own root is left to its init. */
	assert_file(cg.unified, "cgroup.subtree_control", "");
	assert_file(cg.unified, "pids.max", "42");
	assert_int_equal(stat(cg.unified, &st), 0);
	assert_int_equal(st.st_uid, 4242);
	assert_int_equal(st.st_gid, 4343);
	assert_int_equal(stat(slice, &st), 0);
	assert_int_equal(st.st_uid, 0);
	cgroup_done(&cg);
	cgroup_host_done(&h);
}

/* Real cgroups: root on a host with cgroup2 (and v1 beside it on a hybrid host). The fixture
 * records what a test made so that teardown removes it, also after a failed assertion. */
struct real {
	struct cgroup_host h;
	struct cgroup cg;
	bool made;
	pid_t pid;
};

static int real_setup(void **state)
{
	struct real *r = calloc(1, sizeof(*r));

	if (!r)
		return -1;
	*state = r;
	return 0;
}

static int real_teardown(void **state)
{
	struct real *r = *state;

	/* A task frozen by the v1 freezer keeps a pending SIGKILL until thawed. */
	if (r->made && r->cg.v1[CGROUP_V1_FREEZER]) {
		_cleanup_free_ char *p = NULL;

		if (xasprintf(&p, "%s/freezer.state", r->cg.v1[CGROUP_V1_FREEZER]) >= 0)
			(void)write_string_at(AT_FDCWD, p, "THAWED");
	}
	if (r->made)
		(void)cgroup_kill_all(&r->cg);
	if (r->pid > 0) {
		(void)kill(r->pid, SIGKILL);
		(void)waitpid(r->pid, NULL, 0);
	}
	if (r->made)
		(void)cgroup_remove(&r->cg);
	cgroup_done(&r->cg);
	cgroup_host_done(&r->h);
	free(r);
	return 0;
}

static void real_create(struct real *r, uid_t owner, const struct container_config *c)
{
	char tag[64];

	if (geteuid() != 0)
		skip();
	if (access("/sys/fs/cgroup/unified", F_OK) < 0 &&
	    access("/sys/fs/cgroup/cgroup.kill", F_OK) < 0)
		skip();
	assert_int_equal(cgroup_host_detect(&r->h), 0);
	assert_non_null(r->h.unified_mount);
	(void)snprintf(tag, sizeof(tag), "unittest-%d", (int)getpid());
	assert_int_equal(cgroup_paths(&r->h, tag, false, &r->cg), 0);
	r->made = true;
	assert_int_equal(cgroup_create(&r->h, &r->cg, c, owner, owner), 0);
}

/* A child that waits for a byte on go, touches 4 MiB (charged to the memory cgroup it is in
 * by then), writes a byte to ready, then sleeps or spins. */
static pid_t spawn_child(struct real *r, bool busy, int *ret_go, int *ret_ready)
{
	int go[2], ready[2];
	pid_t pid;

	assert_int_equal(pipe2(go, O_CLOEXEC), 0);
	assert_int_equal(pipe2(ready, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		volatile char *mem;
		char b;

		if (read(go[0], &b, 1) != 1)
			_exit(1);
		/* volatile: the compiler must not drop the stores to memory nobody reads. */
		mem = malloc(4 << 20);
		if (!mem)
			_exit(1);
		for (size_t i = 0; i < 4 << 20; i += 4096)
			mem[i] = 1;
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		for (;;)
			if (!busy)
				pause();
	}
	r->pid = pid;
	close(go[0]);
	close(ready[1]);
	*ret_go = go[1];
	*ret_ready = ready[0];
	return pid;
}

static void child_go(int go, int ready)
{
	char b;

	assert_int_equal(write(go, "g", 1), 1);
	assert_int_equal(read(ready, &b, 1), 1);
	close(go);
	close(ready);
}

/* Makes DIR/SUB (nested, as systemd inside would) and moves pid there. */
static void move_to(const char *dir, const char *sub, pid_t pid)
{
	_cleanup_free_ char *d = NULL, *p = NULL;
	char buf[32];

	(void)snprintf(buf, sizeof(buf), "%d", (int)pid);
	assert_int_equal(xasprintf(&d, "%s%s%s", dir, sub ? "/" : "", sub ? sub : ""), 0);
	assert_int_equal(mkdir_p(d, 0755), 0);
	assert_int_equal(xasprintf(&p, "%s/cgroup.procs", d), 0);
	assert_int_equal(write_string_at(AT_FDCWD, p, buf), 0);
}

static void assert_killed(struct real *r)
{
	int status;

	assert_int_equal(waitpid(r->pid, &status, 0), r->pid);
	r->pid = 0;
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGKILL);
}

static void assert_gone(const char *dir)
{
	struct stat st;

	if (!dir)
		return;
	assert_int_equal(stat(dir, &st), -1);
	assert_int_equal(errno, ENOENT);
}

static void test_cgroup_create_kill_remove_real(void **state)
{
	struct real *r = *state;
	struct container_config c;
	uint64_t mem = 0;
	struct stat st;
	int go, ready;

	config_unset(&c);
	c.memory_max = 512ULL << 20;
	c.pids_max = 100;
	real_create(r, 100000, &c);
	assert_int_equal(stat(r->cg.unified, &st), 0);
	assert_int_equal(st.st_uid, 100000);
	if (r->cg.v1[CGROUP_V1_MEMORY] && !r->h.v2_controllers[0])
		assert_file(r->cg.v1[CGROUP_V1_MEMORY], "memory.limit_in_bytes", "536870912\n");
	spawn_child(r, false, &go, &ready);
	assert_int_equal(cgroup_attach_v1(&r->cg, r->pid), 0);
	/* Where systemd inside puts a service: the kill and the removal must reach it. */
	move_to(r->cg.unified, "system.slice/getty.service", r->pid);
	child_go(go, ready);

	assert_true(cgroup_is_populated(&r->cg));
	assert_int_equal(cgroup_memory_current(&r->cg, &mem), 0);
	assert_true(mem >= 1 << 20);
	assert_int_equal(cgroup_kill_all(&r->cg), 0);
	assert_killed(r);
	assert_false(cgroup_is_populated(&r->cg));

	assert_int_equal(cgroup_remove(&r->cg), 0);
	r->made = false;
	assert_gone(r->cg.unified);
	for (int i = 0; i < _CGROUP_V1_MAX; i++)
		assert_gone(r->cg.v1[i]);
}

static void test_cgroup_freeze_real(void **state)
{
	struct real *r = *state;
	struct container_config c;
	int go, ready;

	config_unset(&c);
	real_create(r, 0, &c);
	spawn_child(r, true, &go, &ready);
	move_to(r->cg.unified, NULL, r->pid);
	child_go(go, ready);

	assert_int_equal(cgroup_freeze(&r->cg, true), 0);
	assert_file(r->cg.unified, "cgroup.events", "populated 1\nfrozen 1\n");
	assert_int_equal(cgroup_freeze(&r->cg, false), 0);
	assert_file(r->cg.unified, "cgroup.events", "populated 1\nfrozen 0\n");
}

/* Forces the fallbacks: without the cgroup2 dir, freezing goes through the v1 freezer and
 * killing through freeze + scan + SIGKILL of the whole tree. The copies borrow r->cg's
 * strings: no cgroup_done() on them. */
static void test_cgroup_freeze_and_kill_v1_fallback_real(void **state)
{
	struct real *r = *state;
	struct container_config c;
	struct cgroup v1only, pids_only = {};
	int go, ready;

	config_unset(&c);
	real_create(r, 0, &c);
	if (!r->cg.v1[CGROUP_V1_FREEZER])
		skip();
	v1only = r->cg;
	v1only.unified = NULL;
	spawn_child(r, true, &go, &ready);
	assert_int_equal(cgroup_attach_v1(&v1only, r->pid), 0);
	child_go(go, ready);

	assert_true(cgroup_is_populated(&v1only));
	assert_int_equal(cgroup_freeze(&v1only, true), 0);
	assert_file(r->cg.v1[CGROUP_V1_FREEZER], "freezer.state", "FROZEN\n");
	assert_int_equal(cgroup_freeze(&v1only, false), 0);
	assert_file(r->cg.v1[CGROUP_V1_FREEZER], "freezer.state", "THAWED\n");

	/* Only in a nested pids cgroup: the scan has to walk down to find it. */
	pids_only.v1[CGROUP_V1_PIDS] = r->cg.v1[CGROUP_V1_PIDS];
	move_to(pids_only.v1[CGROUP_V1_PIDS], "a/b", r->pid);
	assert_true(cgroup_is_populated(&pids_only));
	assert_int_equal(cgroup_kill_all(&pids_only), 0);
	assert_killed(r);
	assert_false(cgroup_is_populated(&pids_only));
	assert_false(cgroup_is_populated(&v1only));
}

/* What systemd inside does: as the container's root (host uid 100000, root of its own user
 * namespace) make a sub-cgroup and move itself into it. */
static int delegate_child(const char *dir)
{
	_cleanup_free_ char *sub = NULL, *procs = NULL;
	char buf[32];

	if (setgroups(0, NULL) < 0 || setresgid(100000, 100000, 100000) < 0 ||
	    setresuid(100000, 100000, 100000) < 0)
		return 10;
	/* The uid change made us non-dumpable: /proc/self/uid_map would be root's. */
	if (prctl(PR_SET_DUMPABLE, 1) < 0)
		return 10;
	if (unshare(CLONE_NEWUSER) < 0)
		return 11;
	if (write_string_at(AT_FDCWD, "/proc/self/setgroups", "deny") < 0 ||
	    write_string_at(AT_FDCWD, "/proc/self/uid_map", "0 100000 1") < 0 ||
	    write_string_at(AT_FDCWD, "/proc/self/gid_map", "0 100000 1") < 0)
		return 12;
	if (xasprintf(&sub, "%s/init.scope", dir) < 0 ||
	    xasprintf(&procs, "%s/cgroup.procs", sub) < 0)
		return 13;
	if (mkdir(sub, 0755) < 0)
		return 14;
	(void)snprintf(buf, sizeof(buf), "%d", (int)getpid());
	if (write_string_at(AT_FDCWD, procs, buf) < 0)
		return 15;
	return 0;
}

static void test_cgroup_create_delegates_to_owner_real(void **state)
{
	struct real *r = *state;
	struct container_config c;
	int gp[2], status;
	pid_t pid;

	config_unset(&c);
	real_create(r, 100000, &c);
	/* Refused case first: a cgroup handed to another uid is not this one's. */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		_cleanup_free_ char *sub = NULL;

		if (xasprintf(&sub, "%s/intruder", r->cg.unified) < 0 ||
		    setresuid(100001, 100001, 100001) < 0)
			_exit(2);
		_exit(mkdir(sub, 0755) < 0 && errno == EACCES ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);

	assert_int_equal(pipe2(gp, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char b;

		close(gp[1]);
		if (read(gp[0], &b, 1) != 1)
			_exit(2);
		_exit(delegate_child(r->cg.unified));
	}
	close(gp[0]);
	r->pid = pid;
	move_to(r->cg.unified, NULL, pid);
	assert_int_equal(write(gp[1], "g", 1), 1);
	close(gp[1]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	r->pid = 0;
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	/* cgroup_remove() takes the sub-cgroup systemd would have made along. */
	assert_int_equal(cgroup_remove(&r->cg), 0);
	r->made = false;
	assert_gone(r->cg.unified);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cgroup_host_parse_hybrid_finds_unified_and_v1_controllers),
		cmocka_unit_test(test_cgroup_host_parse_comounted_cpu_cpuacct),
		cmocka_unit_test(test_cgroup_host_parse_pure_v2),
		cmocka_unit_test(test_cgroup_host_parse_rejects_line_without_separator),
		cmocka_unit_test(test_cgroup_paths_hybrid_places_container_under_lxmgr_slice),
		cmocka_unit_test(test_cgroup_paths_delegated_uses_own_payload_child),
		cmocka_unit_test(test_cgroup_v1_to_string_names_every_controller),
		cmocka_unit_test_setup_teardown(test_cgroup_apply_limits_writes_v2_files,
						fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(
			test_cgroup_apply_limits_falls_back_to_v1_without_v2_controllers,
			fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(
			test_cgroup_apply_limits_refuses_set_limit_without_controller, fake_setup,
			fake_teardown),
		cmocka_unit_test_setup_teardown(
			test_cgroup_create_enables_controllers_and_hands_dir_to_owner, fake_setup,
			fake_teardown),
		cmocka_unit_test_setup_teardown(test_cgroup_create_kill_remove_real, real_setup,
						real_teardown),
		cmocka_unit_test_setup_teardown(test_cgroup_freeze_real, real_setup, real_teardown),
		cmocka_unit_test_setup_teardown(test_cgroup_freeze_and_kill_v1_fallback_real,
						real_setup, real_teardown),
		cmocka_unit_test_setup_teardown(test_cgroup_create_delegates_to_owner_real,
						real_setup, real_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
