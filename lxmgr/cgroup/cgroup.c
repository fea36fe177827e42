/* cgroup.c: the container's cgroups on a pure cgroup2 host and on a v1+v2 hybrid host. */
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/util.h"
#include "cgroup/cgroup.h"
#include "cgroup/internal.h"
#include "store/config.h"

#define CPU_PERIOD_US 100000
#define WAIT_TIMEOUT_MS 5000
#define KILL_TRIES 50
/* cgroup2 allows deeper trees, but a container nesting 64 levels is broken anyway. */
#define MAX_DEPTH 64
#define SLICE "lxmgr.slice"

/* The order of struct cgroup_host.v2_controllers. */
enum v2_controller {
	V2_MEMORY,
	V2_PIDS,
	V2_CPU,
	V2_IO,
	_V2_MAX,
};

static const char *const v2_names[_V2_MAX] = {"memory", "pids", "cpu", "io"};

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape_octal(char *s)
{
	char *w = s;

	for (char *r = s; *r; r++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
		    r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
			r += 3;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
}

/* "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER" */
static int parse_mountinfo_line(struct cgroup_host *h, char *line)
{
	_cleanup_free_ char *where = NULL, *fstype = NULL, *super = NULL;
	const char *sep = strstr(line, " - ");

	if (!sep || sscanf(line, "%*s %*s %*s %*s %ms", &where) != 1 ||
	    sscanf(sep + 3, "%ms %*s %ms", &fstype, &super) != 2)
		return -EINVAL;
	unescape_octal(where);
	if (!strcmp(fstype, "cgroup2"))
		return h->unified_mount ? 0 : cg_set_str(&h->unified_mount, where);
	if (!strcmp(fstype, "cgroup"))
		return cgroup_v1_note_mount(h, where, super);
	return 0;
}

/* "N:CONTROLLERS:PATH"; hierarchy 0 with no controllers is cgroup2. */
static int parse_self_cgroup_line(struct cgroup_host *h, char *line)
{
	char *path = line, *save = NULL;
	const char *id = strsep(&path, ":");
	char *ctl = strsep(&path, ":");

	if (!ctl || !path)
		return -EINVAL;
	path[strcspn(path, "\n")] = '\0';
	if (!strcmp(id, "0") && !*ctl)
		return cg_set_str(&h->unified_own, path);
	for (char *o = strtok_r(ctl, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
		int i = cgroup_v1_from_option(o);

		if (i >= 0) {
			int r = cg_set_str(&h->v1_own[i], path);

			if (r < 0)
				return r;
		}
	}
	return 0;
}

static int parse_lines(FILE *f, struct cgroup_host *h, int (*fn)(struct cgroup_host *, char *))
{
	_cleanup_free_ char *line = NULL;
	size_t n = 0;

	while (getline(&line, &n, f) >= 0) {
		int r = fn(h, line);

		if (r < 0)
			return r;
	}
	return ferror(f) ? -EIO : 0;
}

int cgroup_host_parse(FILE *mountinfo, FILE *self_cgroup, struct cgroup_host *ret)
{
	struct cgroup_host h = {};
	int r;

	r = parse_lines(mountinfo, &h, parse_mountinfo_line);
	if (r >= 0)
		r = parse_lines(self_cgroup, &h, parse_self_cgroup_line);
	if (r < 0) {
		cgroup_host_done(&h);
		return r;
	}
	*ret = h;
	return 0;
}

/* cgroup.controllers of the cgroup2 root: "cpuset cpu io memory hugetlb pids rdma misc". */
static void parse_controllers(const char *text, bool ret[_V2_MAX])
{
	_cleanup_free_ char *copy = strdup(text);
	char *save = NULL;

	memset(ret, 0, sizeof(bool) * _V2_MAX);
	if (!copy)
		return;
	for (char *w = strtok_r(copy, " \n", &save); w; w = strtok_r(NULL, " \n", &save))
		for (int i = 0; i < _V2_MAX; i++)
			if (!strcmp(w, v2_names[i]))
				ret[i] = true;
}

int cgroup_host_detect(struct cgroup_host *ret)
{
	_cleanup_fclose_ FILE *mi = NULL, *sc = NULL;
	_cleanup_free_ char *text = NULL;
	struct cgroup_host h = {};
	int r;

	mi = fopen("/proc/self/mountinfo", "re");
	if (!mi)
		return -errno;
	sc = fopen("/proc/self/cgroup", "re");
	if (!sc)
		/* cppcheck-suppress resourceLeak ; mi is _cleanup_fclose_ */
		return -errno;
	r = cgroup_host_parse(mi, sc, &h);
	if (r < 0)
		return r;
	if (h.unified_mount) {
		r = cg_read(h.unified_mount, "cgroup.controllers", &text);
		if (r < 0) {
			cgroup_host_done(&h);
			return r;
		}
		parse_controllers(text, h.v2_controllers);
	}
	*ret = h;
	return 0;
}

int cgroup_host_controllers_of(struct cgroup_host *h, const char *dir)
{
	_cleanup_free_ char *text = NULL;
	int r = cg_read(dir, "cgroup.controllers", &text);

	if (r >= 0)
		parse_controllers(text, h->v2_controllers);
	return r;
}

void cgroup_host_done(struct cgroup_host *h)
{
	if (!h)
		return;
	free(h->unified_mount);
	free(h->unified_own);
	for (int i = 0; i < _CGROUP_V1_MAX; i++) {
		free(h->v1_mount[i]);
		free(h->v1_own[i]);
	}
	*h = (struct cgroup_host){};
}

static int delegated_path(const struct cgroup_host *h, char **ret)
{
	if (!h->unified_own || h->unified_own[0] != '/')
		return -ENOENT;
	/* Our own cgroup holds the monitor; a process-free child is the container's root. */
	return xasprintf(ret, "%s%s/payload", h->unified_mount,
			 strcmp(h->unified_own, "/") ? h->unified_own : "");
}

/* A delegated unit owns only its cgroup2 subtree, so v1 hierarchies stay systemd's, except a
 * name=systemd one on a pure cgroup2 host: systemd does not use it (lxmgr mounted it for an
 * old guest, fixup.c), and the guest needs its own directory there. */
static bool only_named_systemd(const struct cgroup_host *h, int which)
{
	if (which != CGROUP_V1_SYSTEMD)
		return false;
	for (int i = 0; i < _CGROUP_V1_MAX; i++)
		if (i != CGROUP_V1_SYSTEMD && h->v1_mount[i])
			return false;
	return true;
}

int cgroup_paths(const struct cgroup_host *h, const char *tag, bool delegated, struct cgroup *ret)
{
	struct cgroup cg = {};
	int r;

	if (!tag || !*tag || strchr(tag, '/') || !strcmp(tag, ".") || !strcmp(tag, ".."))
		return -EINVAL;
	if (!h->unified_mount)
		return -EOPNOTSUPP;
	if (delegated) {
		r = delegated_path(h, &cg.unified);
		if (r >= 0)
			r = xasprintf(&cg.supervisor, "%.*s/supervisor",
				      (int)(strrchr(cg.unified, '/') - cg.unified), cg.unified);
	} else
		r = xasprintf(&cg.unified, "%s/" SLICE "/lxmgr-%s.scope", h->unified_mount, tag);
	for (int i = 0; r >= 0 && i < _CGROUP_V1_MAX; i++)
		if (h->v1_mount[i] && (!delegated || only_named_systemd(h, i)))
			r = xasprintf(&cg.v1[i], "%s/" SLICE "/lxmgr-%s.scope", h->v1_mount[i],
				      tag);
	if (r < 0) {
		cgroup_done(&cg);
		return r;
	}
	cg.limits_v2 = h->v2_controllers[V2_MEMORY];
	*ret = cg;
	return 0;
}

void cgroup_done(struct cgroup *cg)
{
	if (!cg)
		return;
	free(cg->unified);
	free(cg->supervisor);
	for (int i = 0; i < _CGROUP_V1_MAX; i++)
		free(cg->v1[i]);
	*cg = (struct cgroup){};
}

/* One limit as cgroup2 and v1 spell it; a NULL file has no counterpart there. */
struct knob {
	enum v2_controller v2;
	enum cgroup_v1 v1;
	const char *v2_file, *v1_file;
	uint64_t v2_value, v1_value; /* LIMIT_UNSET: no limit */
	bool set;
};

/* systemd's conversion (cgroup_cpu_weight_to_shares()): the default weight 100 is the
 * default 1024 shares, clamped to the kernel's 2..262144. */
static uint64_t weight_to_shares(uint32_t w)
{
	uint64_t s = w ? (uint64_t)w * 1024 / 100 : 1024;

	return s < 2 ? 2 : s > 262144 ? 262144 : s;
}

/* An unset limit is written too ("max", or -1 in v1 except pids.max): `config unset` then a
 * restart or a re-apply lifts the limit set before. cpu.max is "QUOTA PERIOD". */
static void knob_format(const struct knob *k, bool v2, char *buf, size_t size)
{
	uint64_t v = v2 ? k->v2_value : k->v1_value;
	const char *unset = v2 || !strcmp(k->v1_file, "pids.max") ? "max" : "-1";
	int n;

	if (v == LIMIT_UNSET)
		n = snprintf(buf, size, "%s", unset);
	else
		n = snprintf(buf, size, "%llu", (unsigned long long)v);
	if (v2 && !strcmp(k->v2_file, "cpu.max") && n > 0 && (size_t)n < size)
		(void)snprintf(buf + n, size - (size_t)n, " %d", CPU_PERIOD_US);
}

/* A limit file missing from the cgroup2 dir means the controller was not delegated to it:
 * harmless when the limit is unset, an error when it is set. So is no hierarchy at all. */
static int knob_apply(const struct cgroup_host *h, const struct cgroup *cg, const struct knob *k)
{
	bool v2 = h->v2_controllers[k->v2] && cg->unified;
	char buf[64];
	int r;

	if (!v2 && !cg->v1[k->v1])
		return k->set ? -EOPNOTSUPP : 0;
	if (v2 && !k->v2_file)
		return 0;
	knob_format(k, v2, buf, sizeof(buf));
	if (!v2)
		return cg_write(cg->v1[k->v1], k->v1_file, buf);
	r = cg_write(cg->unified, k->v2_file, buf);
	return r != -ENOENT ? r : k->set ? -EOPNOTSUPP : 0;
}

int cgroup_apply_limits(const struct cgroup_host *h, const struct cgroup *cg,
			const struct container_config *c)
{
	uint64_t quota = c->cpu_millis ? (uint64_t)c->cpu_millis * 100 : LIMIT_UNSET;
	bool mem = c->memory_max != LIMIT_UNSET || c->memory_high != LIMIT_UNSET;
	bool cpu = c->cpu_millis != CPU_QUOTA_UNSET || c->cpu_weight != 0;
	const struct knob knobs[] = {
		{V2_MEMORY, CGROUP_V1_MEMORY, "memory.max", "memory.limit_in_bytes", c->memory_max,
		 c->memory_max, mem},
		{V2_MEMORY, CGROUP_V1_MEMORY, "memory.high", "memory.soft_limit_in_bytes",
		 c->memory_high, c->memory_high, mem},
		{V2_PIDS, CGROUP_V1_PIDS, "pids.max", "pids.max", c->pids_max, c->pids_max,
		 c->pids_max != LIMIT_UNSET},
		{V2_CPU, CGROUP_V1_CPU, "cpu.max", "cpu.cfs_period_us", quota, CPU_PERIOD_US, cpu},
		{V2_CPU, CGROUP_V1_CPU, NULL, "cpu.cfs_quota_us", 0, quota, cpu},
		{V2_CPU, CGROUP_V1_CPU, "cpu.weight", "cpu.shares",
		 c->cpu_weight ? c->cpu_weight : 100, weight_to_shares(c->cpu_weight), cpu},
	};

	for (size_t i = 0; i < ELEMENTSOF(knobs); i++) {
		int r = knob_apply(h, cg, &knobs[i]);

		if (r < 0)
			return r;
	}
	return 0;
}

/* A controller reaches the container's dir only if every ancestor from the mount root down
 * enables it for its children. One write per ancestor: the kernel skips controllers that are
 * already on, so an ancestor already set up (by systemd, when delegated) is left as it is. */
static void controllers_wanted(const struct cgroup_host *h, char want[static 64])
{
	want[0] = '\0';
	for (int i = 0; i < _V2_MAX; i++)
		if (h->v2_controllers[i])
			(void)snprintf(want + strlen(want), 64 - strlen(want), "%s+%s",
				       want[0] ? " " : "", v2_names[i]);
}

/* Delegated: systemd owns everything above the unit's cgroup. The monitor leaves the unit's
 * cgroup for supervisor/, then the unit's cgroup enables what it was given for payload/. */
static int enter_supervisor(const struct cgroup_host *h, const struct cgroup *cg)
{
	_cleanup_free_ char *unit =
		strndup(cg->supervisor, strrchr(cg->supervisor, '/') - cg->supervisor);
	char want[64];
	int r;

	if (!unit)
		return -ENOMEM;
	r = mkdir_p(cg->supervisor, 0755);
	if (r >= 0)
		r = cg_write(cg->supervisor, "cgroup.procs", "0");
	if (r < 0)
		return r;
	controllers_wanted(h, want);
	/* Best effort, as below: a limit that needs a missing controller fails on its own. */
	if (want[0])
		(void)cg_write(unit, "cgroup.subtree_control", want);
	return 0;
}

static int enable_controllers(const struct cgroup_host *h, const char *dir)
{
	_cleanup_free_ char *p = strdup(dir);
	size_t root = strlen(h->unified_mount);
	char want[64], *last;
	int r;

	controllers_wanted(h, want);
	if (!want[0])
		return 0;
	if (!p)
		return -ENOMEM;
	if (strncmp(p, h->unified_mount, root) || p[root] != '/')
		return -EINVAL;
	last = strrchr(p, '/');
	r = cg_write(h->unified_mount, "cgroup.subtree_control", want);
	for (char *s = strchr(p + root + 1, '/'); r >= 0 && s && s <= last;
	     s = strchr(s + 1, '/')) {
		*s = '\0';
		r = cg_write(p, "cgroup.subtree_control", want);
		*s = '/';
	}
	return r;
}

static int chown_unified(const char *dir, uid_t uid, gid_t gid)
{
	static const char *const files[] = {".", "cgroup.procs", "cgroup.threads",
					    "cgroup.subtree_control"};
	_cleanup_close_ int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	for (size_t i = 0; i < ELEMENTSOF(files); i++)
		if (fchownat(fd, files[i], uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
			return -errno;
	return 0;
}

int cgroup_create(const struct cgroup_host *h, const struct cgroup *cg,
		  const struct container_config *c, uid_t owner, gid_t owner_gid)
{
	int r;

	if (!cg->unified)
		return -EINVAL;
	if (cg->supervisor) {
		r = enter_supervisor(h, cg);
		if (r < 0)
			return r;
	}
	r = mkdir_p(cg->unified, 0755);
	for (int i = 0; r >= 0 && i < _CGROUP_V1_MAX; i++)
		if (cg->v1[i])
			r = mkdir_p(cg->v1[i], 0755);
	if (r < 0)
		return r;
	if (h->unified_mount && !cg->supervisor) {
		/* Best effort: when delegated, our own cgroup holds the monitor and cannot enable
		 * controllers (EBUSY); cgroup_apply_limits() then fails only for a set limit. */
		(void)enable_controllers(h, cg->unified);
	}
	/* systemd inside creates sub-cgroups and moves processes: that needs the directory and
	 * the files a delegate owns (cgroup2 "Delegation Containment"). */
	r = chown_unified(cg->unified, owner, owner_gid);
	if (r >= 0)
		r = cgroup_v1_delegate_systemd(cg, owner, owner_gid);
	if (r < 0)
		return r;
	return cgroup_apply_limits(h, cg, c);
}

int cgroup_open_unified(const struct cgroup *cg)
{
	if (!cg->unified)
		return -ENOENT;
	return NEG_ERRNO(open(cg->unified, O_PATH | O_DIRECTORY | O_CLOEXEC));
}

/* The directory parentfd/name as a DIR whose dirfd() the walk below uses; NULL with errno. */
static DIR *opendir_at(int parentfd, const char *name)
{
	int fd = openat(parentfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	DIR *d;

	if (fd < 0)
		return NULL;
	d = fdopendir(fd);
	if (!d)
		(void)close(fd);
	return d;
}

static bool is_child_cgroup(const struct dirent *de)
{
	return de->d_type == DT_DIR && strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
}

/* Sends sig to every pid in cgroup.procs at fd (0 only counts); returns how many. */
static int signal_procs(int fd, int sig)
{
	_cleanup_free_ char *procs = NULL;
	char *save = NULL;
	int r, count = 0;

	r = read_file_at(fd, "cgroup.procs", 1 << 22, &procs, NULL);
	if (r < 0)
		return r;
	for (char *w = strtok_r(procs, "\n", &save); w; w = strtok_r(NULL, "\n", &save)) {
		uint32_t pid;

		if (parse_u32(w, &pid) < 0 || pid == 0 || (pid_t)pid == getpid())
			continue;
		count++;
		if (sig && kill((pid_t)pid, sig) < 0 && errno != ESRCH)
			return -errno;
	}
	return count;
}

/* The same for the whole tree at parentfd/name; a missing directory holds none. */
static int signal_tree(int parentfd, const char *name, int sig, unsigned depth)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	int r, count;

	if (depth > MAX_DEPTH)
		return -ELOOP;
	d = opendir_at(parentfd, name);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	count = signal_procs(dirfd(d), sig);
	while (count >= 0 && (de = readdir(d))) {
		if (!is_child_cgroup(de))
			continue;
		r = signal_tree(dirfd(d), de->d_name, sig, depth + 1);
		if (r < 0)
			return r;
		count += r;
	}
	return count;
}

/* "populated 1\nfrozen 0\n": the value of key, or -ENOENT. */
static int events_get(const char *text, const char *key)
{
	size_t klen = strlen(key);

	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (!strncmp(l, key, klen) && l[klen] == ' ')
			return l[klen + 1] == '1';
	return -ENOENT;
}

/* Waits until cgroup.events shows "key value". The kernel flags a change with POLLPRI; the
 * short poll timeout also covers a missed notification. */
static int wait_events(const char *dir, const char *key, bool value, int timeout_ms)
{
	_cleanup_free_ char *p = NULL;
	_cleanup_close_ int fd = -EBADF;
	uint64_t deadline = now_ns() + (uint64_t)timeout_ms * 1000000ULL;
	int r;

	r = xasprintf(&p, "%s/cgroup.events", dir);
	if (r < 0)
		return r;
	fd = NEG_ERRNO(open(p, O_RDONLY | O_CLOEXEC));
	if (fd < 0)
		return fd;
	for (;;) {
		char buf[256];
		ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
		struct pollfd pfd = {.fd = fd, .events = POLLPRI};

		if (n < 0)
			return -errno;
		buf[n] = '\0';
		r = events_get(buf, key);
		if (r < 0)
			return r;
		if (r == value)
			return 0;
		if (now_ns() >= deadline)
			return -ETIMEDOUT;
		if (poll(&pfd, 1, 20) < 0 && errno != EINTR)
			return -errno;
	}
}

static int freeze_timeout(const struct cgroup *cg, bool frozen, int timeout_ms)
{
	int r = cg->unified ? cg_write(cg->unified, "cgroup.freeze", frozen ? "1" : "0") : -ENOENT;

	if (r >= 0)
		return wait_events(cg->unified, "frozen", frozen, timeout_ms);
	/* No cgroup.freeze before Linux 5.2: the v1 freezer, where there is one. */
	if (r != -ENOENT)
		return r;
	if (!cg->v1[CGROUP_V1_FREEZER])
		return -EOPNOTSUPP;
	return cgroup_v1_freeze(cg->v1[CGROUP_V1_FREEZER], frozen, timeout_ms);
}

int cgroup_freeze(const struct cgroup *cg, bool frozen)
{
	return freeze_timeout(cg, frozen, WAIT_TIMEOUT_MS);
}

/* The container's directories, cgroup2 first; returns how many. */
static size_t cg_dirs(const struct cgroup *cg, const char *ret[static 1 + _CGROUP_V1_MAX])
{
	size_t n = 0;

	if (cg->unified)
		ret[n++] = cg->unified;
	for (int i = 0; i < _CGROUP_V1_MAX; i++)
		if (cg->v1[i])
			ret[n++] = cg->v1[i];
	return n;
}

/* One pass over every hierarchy: returns the number of pids found (and signalled). */
static int signal_all(const struct cgroup *cg, int sig)
{
	const char *dirs[1 + _CGROUP_V1_MAX];
	size_t n = cg_dirs(cg, dirs);
	int count = 0;

	for (size_t i = 0; i < n; i++) {
		int r = signal_tree(AT_FDCWD, dirs[i], sig, 0);

		if (r < 0)
			return r;
		count += r;
	}
	return count;
}

/* Without cgroup.kill: freezing stops fork() racing the scan. A frozen cgroup2 task dies of
 * SIGKILL at once; a v1-frozen one once thawed. */
static int kill_by_scan(const struct cgroup *cg)
{
	for (int i = 0; i < KILL_TRIES; i++) {
		bool frozen = freeze_timeout(cg, true, 1000) >= 0;
		int r = signal_all(cg, SIGKILL);

		if (frozen)
			(void)freeze_timeout(cg, false, 1000);
		/* Left frozen by someone else, a v1 task would never act on its SIGKILL. */
		if (cg->v1[CGROUP_V1_FREEZER])
			(void)cgroup_v1_freeze(cg->v1[CGROUP_V1_FREEZER], false, 1000);
		if (r < 0)
			return r;
		if (r == 0)
			return 0;
		(void)poll(NULL, 0, 20);
	}
	return -ETIMEDOUT;
}

int cgroup_kill_all(const struct cgroup *cg)
{
	const char *dirs[1 + _CGROUP_V1_MAX];
	int r = cg->unified ? cg_write(cg->unified, "cgroup.kill", "1") : -ENOENT;

	/* No cgroup.kill before Linux 5.14: freeze and scan. */
	if (r < 0 && r != -ENOENT)
		return r;
	if (r >= 0) {
		r = wait_events(cg->unified, "populated", false, WAIT_TIMEOUT_MS);
		/* Processes that are only in a v1 hierarchy are left for the scan. */
		if (r < 0 || cg_dirs(cg, dirs) == 1)
			return r;
	}
	return kill_by_scan(cg);
}

bool cgroup_is_populated(const struct cgroup *cg)
{
	_cleanup_free_ char *events = NULL;
	int r = -ENOENT;

	if (cg->unified && cg_read(cg->unified, "cgroup.events", &events) >= 0)
		r = events_get(events, "populated");
	/* Without cgroup.events (the dir is gone, or v1 only) count pids; an error counts as
	 * populated, so that nobody removes what may still be in use. */
	return r >= 0 ? r : signal_all(cg, 0) != 0;
}

/* Depth-first: systemd inside made init.scope, system.slice/... below the container's root. */
static int rmdir_tree(int parentfd, const char *name, unsigned depth)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;

	if (depth > MAX_DEPTH)
		return -ELOOP;
	d = opendir_at(parentfd, name);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		int r;

		if (!is_child_cgroup(de))
			continue;
		r = rmdir_tree(dirfd(d), de->d_name, depth + 1);
		if (r < 0)
			return r;
	}
	if (unlinkat(parentfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

static int remove_one(const char *dir)
{
	const char *slash = strrchr(dir, '/');
	_cleanup_free_ char *parent = NULL;
	int r;

	r = rmdir_tree(AT_FDCWD, dir, 0);
	if (r < 0 || !slash)
		return r;
	r = xasprintf(&parent, "%.*s", (int)(slash - dir), dir);
	if (r < 0)
		return r;
	/* Another container may still be in lxmgr.slice: EBUSY/ENOTEMPTY mean just that. */
	slash = strrchr(parent, '/');
	if (slash && !strcmp(slash + 1, SLICE))
		(void)rmdir(parent);
	return 0;
}

int cgroup_remove(const struct cgroup *cg)
{
	const char *dirs[1 + _CGROUP_V1_MAX];
	size_t n = cg_dirs(cg, dirs);
	int r = 0;

	for (size_t i = 0; i < n; i++) {
		int k = remove_one(dirs[i]);

		if (k < 0 && r >= 0)
			r = k;
	}
	return r;
}

static int read_u64_file(const char *dir, const char *file, uint64_t *ret)
{
	_cleanup_free_ char *text = NULL;
	int r;

	r = cg_read(dir, file, &text);
	if (r < 0)
		return r;
	text[strcspn(text, "\n")] = '\0';
	return parse_u64(text, ret) < 0 ? -EIO : 0;
}

int cgroup_memory_current(const struct cgroup *cg, uint64_t *ret)
{
	int r = -ENOENT;

	if (cg->unified)
		r = read_u64_file(cg->unified, "memory.current", ret);
	if (r != -ENOENT || !cg->v1[CGROUP_V1_MEMORY])
		return r;
	return read_u64_file(cg->v1[CGROUP_V1_MEMORY], "memory.usage_in_bytes", ret);
}
