/* cmd-doctor.c: lxmgr doctor [NAME]: explains what stops this host, or one guest, from
 * working, one line per finding (DESIGN §12). Reads only; changes nothing. */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "base/util.h"
#include "cgroup/cgroup.h"
#include "cmd/cmd.h"
#include "cmd/doctor-limits.h"
#include "fs/idmap-alloc.h"
#include "fs/idmap.h"
#include "fs/rootfs.h"
#include "guest/guest.h"
#include "image/clone.h"
#include "net/legacy.h"
#include "net/nat.h"
#include "store/store.h"

#define LOG_STEP "doctor"
#define SUBID_MAX 64

enum verdict {
	VERDICT_OK,
	VERDICT_WARN,
	VERDICT_FAIL,
};

struct doctor {
	const struct lxmgr_ctx *ctx;
	unsigned failed;
};

static __attribute__((format(printf, 3, 4))) void report(struct doctor *d, enum verdict v,
							 const char *fmt, ...)
{
	static const char *const words[] = {"ok", "warn", "FAIL"};
	va_list ap;

	if (v == VERDICT_FAIL)
		d->failed++;
	printf("%-5s", words[v]);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* ---- the host ---- */

static void check_kernel(struct doctor *d)
{
	_cleanup_free_ char *text = NULL;
	struct utsname u;
	long max = 0;

	if (read_file_at(AT_FDCWD, "/proc/sys/user/max_user_namespaces", 64, &text, NULL) >= 0)
		max = strtol(text, NULL, 10);
	(void)uname(&u);
	if (max <= 0)
		report(d, VERDICT_FAIL,
		       "kernel %s: user namespaces are disabled (user.max_user_namespaces = %ld): "
		       "set it to a positive number with sysctl",
		       u.release, max);
	else
		report(d, VERDICT_OK, "kernel %s: user namespaces (up to %ld)", u.release, max);
}

/* NoNewPrivs is inherited by everything lxmgr starts: setuid programs inside (sudo, su)
 * could no longer gain privileges. */
static void check_no_new_privs(struct doctor *d)
{
	_cleanup_free_ char *status = NULL;
	const char *p;

	if (read_file_at(AT_FDCWD, "/proc/self/status", 1 << 16, &status, NULL) < 0)
		return;
	p = strstr(status, "\nNoNewPrivs:");
	if (p && strtol(p + strlen("\nNoNewPrivs:"), NULL, 10) == 1)
		report(d, VERDICT_FAIL,
		       "lxmgr runs with no_new_privs set: sudo and su inside its containers would "
		       "fail; run it from a shell or unit without NoNewPrivileges=");
	else
		report(d, VERDICT_OK, "no_new_privs is not set: setuid programs work inside");
}

/* dev.tty.legacy_tiocsti = 1 lets any process push input into a terminal it holds. lxmgr
 * gives no container a terminal of the host and its filter refuses TIOCSTI; other programs
 * that run commands for less trusted users (su without --pty, old sudo) may not. */
static void check_tiocsti(struct doctor *d)
{
	_cleanup_free_ char *text = NULL;

	if (read_file_at(AT_FDCWD, "/proc/sys/dev/tty/legacy_tiocsti", 64, &text, NULL) < 0)
		report(d, VERDICT_OK, "the kernel has no legacy TIOCSTI switch (before 6.2)");
	else if (strtol(text, NULL, 10) != 0)
		report(d, VERDICT_WARN,
		       "dev.tty.legacy_tiocsti = 1: a process may type into a terminal it holds; "
		       "lxmgr never hands one to a container and refuses TIOCSTI inside, but "
		       "consider sysctl dev.tty.legacy_tiocsti=0 for the rest of the host");
	else
		report(d, VERDICT_OK,
		       "dev.tty.legacy_tiocsti = 0: no process may type into a terminal");
}

/* The nearest existing directory at or above path (the store may not exist yet). */
static void existing_dir(const char *path, char buf[static PATH_MAX])
{
	struct stat st;

	(void)snprintf(buf, PATH_MAX, "%s", path);
	while (stat(buf, &st) < 0 || !S_ISDIR(st.st_mode)) {
		char *slash = strrchr(buf, '/');

		if (!slash || slash == buf) {
			strcpy(buf, "/");
			return;
		}
		*slash = '\0';
	}
}

static void check_store(struct doctor *d)
{
	char dir[PATH_MAX];
	struct statvfs sv;
	uint64_t free_mib;

	existing_dir(d->ctx->paths.lib, dir);
	if (statvfs(dir, &sv) < 0) {
		report(d, VERDICT_FAIL, "store %s: %s", dir, strerror(errno));
		return;
	}
	free_mib = (uint64_t)sv.f_bavail * sv.f_frsize >> 20;
	if (sv.f_flag & ST_RDONLY)
		report(d, VERDICT_FAIL, "store %s is on a read-only mount", dir);
	else if (sv.f_flag & ST_NOSUID)
		report(d, VERDICT_FAIL,
		       "store %s is on a nosuid mount: sudo and su inside cannot gain root; "
		       "remount it without nosuid or move the store (--root)",
		       dir);
	else if (free_mib < 1024)
		report(d, VERDICT_WARN, "store %s: only %llu MiB free", dir,
		       (unsigned long long)free_mib);
	else
		report(d, VERDICT_OK, "store %s: %llu MiB free, setuid allowed", dir,
		       (unsigned long long)free_mib);
	if (rootfs_supports_idmap(dir))
		report(d, VERDICT_OK, "store %s: idmapped mounts work", dir);
	else
		report(d, VERDICT_WARN,
		       "store %s: the filesystem cannot be idmapped: create shifts ownership "
		       "instead (slower, and the rootfs is then owned by one container's range)",
		       dir);
}

static void check_subid(struct doctor *d, const char *path)
{
	struct idmap_range r[SUBID_MAX];
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	uint64_t ids = 0;
	int n;

	if (!f) {
		report(d, errno == ENOENT ? VERDICT_OK : VERDICT_FAIL, "%s: %s%s", path,
		       strerror(errno),
		       errno == ENOENT ? " (the first create adds root:1048576:65536000)" : "");
		return;
	}
	n = idmap_parse_subid(f, "root", 0, r, SUBID_MAX);
	if (n < 0) {
		report(d, VERDICT_FAIL, "%s: a malformed line; fix it so that ranges can be read",
		       path);
		return;
	}
	for (int i = 0; i < n && i < SUBID_MAX; i++)
		ids += r[i].count;
	if (n == 0)
		report(d, VERDICT_OK, "%s: no range for root yet (the first create adds one)",
		       path);
	else if (ids < IDMAP_DEFAULT_SIZE)
		report(d, VERDICT_FAIL,
		       "%s: root owns %llu ids, fewer than one container needs (%u)", path,
		       (unsigned long long)ids, IDMAP_DEFAULT_SIZE);
	else
		report(d, VERDICT_OK, "%s: root owns %llu ids (room for %llu containers)", path,
		       (unsigned long long)ids, (unsigned long long)(ids / IDMAP_DEFAULT_SIZE));
}

static void check_cgroups(struct doctor *d)
{
	static const char *const v2_names[] = {"memory", "pids", "cpu", "io"};
	static const enum cgroup_v1 v1_of[] = {CGROUP_V1_MEMORY, CGROUP_V1_PIDS, CGROUP_V1_CPU};
	_cleanup_(cgroup_host_done) struct cgroup_host h = {0};
	char missing[64] = "";

	if (cgroup_host_detect(&h) < 0 || !h.unified_mount) {
		report(d, VERDICT_FAIL,
		       "cgroups: no cgroup2 hierarchy is mounted (mount one at /sys/fs/cgroup)");
		return;
	}
	for (size_t i = 0; i < ELEMENTSOF(v1_of); i++)
		if (!h.v2_controllers[i] && !h.v1_mount[v1_of[i]])
			(void)snprintf(missing + strlen(missing), sizeof(missing) - strlen(missing),
				       "%s%s", *missing ? ", " : "", v2_names[i]);
	report(d, VERDICT_OK, "cgroups: cgroup2 at %s%s", h.unified_mount,
	       h.v1_mount[CGROUP_V1_MEMORY] ? " with v1 controllers beside it (hybrid)" : "");
	if (*missing)
		report(d, VERDICT_WARN, "cgroups: no %s controller: limits on it cannot apply",
		       missing);
}

/* iptables-legacy's FORWARD policy, which nft does not list: 1 if it drops, 0, or -errno. */
static int legacy_drops(struct doctor *d)
{
	int n = 0;

	for (size_t i = 0; i < ELEMENTSOF(net_legacy_families); i++) {
		const struct net_legacy_family *f = &net_legacy_families[i];
		int r = net_legacy_forward_drops(f->family);

		if (r < 0) {
			report(d, VERDICT_WARN, "firewall: cannot read %s's FORWARD policy: %s",
			       f->tool, strerror(-r));
			continue;
		}
		if (r == 0)
			continue;
		report(d, VERDICT_FAIL,
		       "firewall: %s's FORWARD policy drops forwarded traffic: bridged containers "
		       "are offline (`lxmgr net check` prints the rules that fix it)",
		       f->tool);
		n++;
	}
	return n;
}

static void check_firewall(struct doctor *d)
{
	_cleanup_free_ char *drops = NULL;
	char *save = NULL;
	int r = net_forward_policy_drops(&drops), legacy = legacy_drops(d);

	if (r < 0) {
		report(d, VERDICT_WARN, "firewall: cannot read the nft ruleset: %s", strerror(-r));
		return;
	}
	if ((!drops || !*drops) && legacy == 0) {
		report(d, VERDICT_OK, "firewall: no other table drops forwarded traffic");
		return;
	}
	for (char *l = strtok_r(drops, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		report(d, VERDICT_FAIL,
		       "firewall: chain %s drops forwarded traffic by policy: bridged containers "
		       "are offline (`lxmgr net check` prints the rules that fix it)",
		       l);
}

static void check_tool(struct doctor *d, const char *tool, const char *why)
{
	_cleanup_free_ char *path = NULL;
	const char *env = getenv("PATH");
	_cleanup_free_ char *dirs = strdup(env && *env ? env : "/usr/sbin:/usr/bin:/sbin:/bin");
	char *save = NULL;

	for (char *dir = dirs ? strtok_r(dirs, ":", &save) : NULL; dir;
	     dir = strtok_r(NULL, ":", &save)) {
		free(path);
		path = NULL;
		if (xasprintf(&path, "%s/%s", dir, tool) >= 0 && access(path, X_OK) == 0) {
			report(d, VERDICT_OK, "%s: %s", tool, path);
			return;
		}
	}
	report(d, VERDICT_WARN, "%s is not installed: %s", tool, why);
}

/* The tightest host limit for many guests: the first that density meets (DESIGN §12). */
static void check_limits(struct doctor *d)
{
	struct host_limit l[8];
	int n = doctor_limits_read(l, 8), low = -1;

	for (int i = 0; i < n; i++)
		if (low < 0 || doctor_limit_room(&l[i]) < doctor_limit_room(&l[low]))
			low = i;
	if (low < 0)
		return;
	report(d, doctor_limit_room(&l[low]) < 100 ? VERDICT_WARN : VERDICT_OK,
	       "host limits: room for about %llu more idle guests; the first limit met is %s "
	       "(%llu, %llu in use, about %llu per guest): %s lifts it",
	       (unsigned long long)doctor_limit_room(&l[low]), l[low].setting,
	       (unsigned long long)l[low].limit, (unsigned long long)l[low].used,
	       (unsigned long long)l[low].per_guest, l[low].lift);
}

static void doctor_host(struct doctor *d)
{
	check_kernel(d);
	check_no_new_privs(d);
	check_tiocsti(d);
	check_store(d);
	check_subid(d, "/etc/subuid");
	check_subid(d, "/etc/subgid");
	check_cgroups(d);
	check_limits(d);
	check_firewall(d);
	check_tool(d, "dnsmasq", "bridged containers get no DHCP and no NAME.lxmgr names");
}

/* ---- one guest ---- */

struct overlap {
	const struct container *self;
	struct doctor *d;
};

static int find_overlap(void *userdata, const char *name, const struct container_config *c)
{
	struct overlap *o = userdata;
	const struct container_config *me = &o->self->cfg;

	if (!strcmp(name, o->self->name) || !c->id_count)
		return 0;
	if (me->uid_base < c->uid_base + c->id_count && c->uid_base < me->uid_base + me->id_count)
		report(o->d, VERDICT_FAIL, "%s: its uid range overlaps container %s's",
		       o->self->name, name);
	return 0;
}

/* A setuid-root sudo, as the guest ships it: an import that lost the bit breaks sudo. */
static void check_sudo(struct doctor *d, const struct container *c, int rootfd)
{
	_cleanup_close_ int fd = open_in_root(rootfd, "/usr/bin/sudo", O_PATH, 0);
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0)
		return;
	if (!(st.st_mode & S_ISUID))
		report(d, VERDICT_FAIL, "%s: /usr/bin/sudo has lost its setuid bit (mode %04o)",
		       c->name, st.st_mode & 07777);
	else
		report(d, VERDICT_OK, "%s: sudo is setuid", c->name);
}

static void check_rootfs(struct doctor *d, const struct container *c)
{
	_cleanup_close_ int rootfd = open(c->rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char why[256];
	int r;

	if (rootfd < 0) {
		report(d, VERDICT_FAIL, "%s: rootfs %s: %s", c->name, c->rootfs, strerror(errno));
		return;
	}
	r = guest_check_init(rootfd, c->cfg.init);
	if (r < 0)
		report(d, VERDICT_FAIL, "%s: container.init %s: %s", c->name, c->cfg.init,
		       r == -ENOEXEC ? "not an executable file" : strerror(-r));
	else
		report(d, VERDICT_OK, "%s: init %s (%s)", c->name, c->cfg.init,
		       init_kind_to_string(c->cfg.init_kind));
	if (guest_check_layout(&c->cfg, why, sizeof(why)) < 0)
		report(d, VERDICT_FAIL, "%s: %s", c->name, why);
	if (!c->cfg.rootfs_shifted && !rootfs_supports_idmap(c->rootfs))
		report(d, VERDICT_FAIL,
		       "%s: the rootfs cannot be idmapped here and was not shifted: recreate it "
		       "with create --shift",
		       c->name);
	check_sudo(d, c, rootfd);
}

/* The rules start and config set apply to the id range (idmap-alloc.h); the overlap with
 * another container of the store is find_overlap's. */
static void check_ids(struct doctor *d, const struct container *c)
{
	const struct container_config *cfg = &c->cfg;
	char why[800];
	int r;

	r = idmap_range_problem(d->ctx, /* self= */ NULL, cfg->uid_base, cfg->gid_base,
				cfg->id_count, why, sizeof(why));
	if (r > 0)
		report(d, VERDICT_FAIL, "%s: %s: start refuses it", c->name, why);
	else if (r == 0)
		report(d, VERDICT_OK, "%s: ids %u-%u and %u-%u lie in root's subordinate ranges",
		       c->name, cfg->uid_base, cfg->uid_base + cfg->id_count - 1, cfg->gid_base,
		       cfg->gid_base + cfg->id_count - 1);
	else
		report(d, VERDICT_FAIL, "%s: its ids could not be checked (see above)", c->name);
}

static int doctor_guest(struct doctor *d, const char *name)
{
	_cleanup_container_ struct container *c = NULL;
	struct overlap o = {.d = d};

	if (store_container_open(d->ctx, name, &c) < 0) {
		report(d, VERDICT_FAIL, "%s: cannot be opened (the line above says why)", name);
		return 0;
	}
	report(d, VERDICT_OK, "%s: config %s parses", name, c->config_path);
	if (!clone_is_snapshot(&c->cfg))
		check_rootfs(d, c);
	else if (store_lock_running(c) < 0)
		report(d, VERDICT_WARN,
		       "%s: a running snapshot clone: its rootfs is checked only "
		       "while it is stopped",
		       name);
	else if (clone_view_open(d->ctx, c) >= 0) {
		/* The merged tree of source and upper layer, as the guest sees it. */
		check_rootfs(d, c);
		clone_view_close(c);
	}
	check_ids(d, c);
	o.self = c;
	(void)store_foreach_config(d->ctx, find_overlap, &o);
	return 0;
}

int cmd_doctor(struct lxmgr_ctx *ctx, int argc, char **argv)
{
	struct doctor d = {.ctx = ctx};

	if (argc > 2)
		return cmd_usage_error(ctx, "doctor takes at most one container name");
	doctor_host(&d);
	if (argc == 2) {
		ctx->name = argv[1];
		(void)doctor_guest(&d, argv[1]);
	}
	(void)fflush(stdout);
	if (d.failed)
		log_line(ctx, LOG_LEVEL_ERROR, NULL, 0, "%u problem%s found", d.failed,
			 d.failed == 1 ? "" : "s");
	return d.failed ? EXIT_FAILED : 0;
}
