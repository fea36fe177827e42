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
#include "cgroup/session.h"
#include "cgroup/usermgr.h"
#include "cmd/cmd.h"
#include "cmd/doctor-limits.h"
#include "cmd/parse.h"
#include "fs/idmap-alloc.h"
#include "fs/idmap.h"
#include "fs/rootfs.h"
#include "fs/rootless.h"
#include "guest/fixups.h"
#include "guest/guest.h"
#include "guest/readiness.h"
#include "image/clone.h"
#include "net/legacy.h"
#include "net/nat.h"
#include "store/runtime.h"
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
	/* exec joins each v1 hierarchy by a write to its cgroup.procs, which waits for an RCU
	 * grace period unless the kernel favours dynamic changes (docs/scale.md#exec). */
	if (h.v1_mount[CGROUP_V1_MEMORY] && !doctor_cgroup2_favors_dynmods(h.unified_mount))
		report(d, VERDICT_OK,
		       "cgroups: each exec waits for an RCU grace period (2 ms or more) to join "
		       "the v1 hierarchies; 'mount -o remount,favordynmods %s' lifts that wait",
		       h.unified_mount);
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

/* NAME.lxmgr resolves on the host only through the NSS module on the hosts: line of
 * nsswitch.conf; the line to write is the one there with lxmgr after "files". */
static void check_nss(struct doctor *d)
{
	_cleanup_fclose_ FILE *f = fopen("/etc/nsswitch.conf", "re");
	char line[512], want[600];

	while (f && fgets(line, sizeof(line), f)) {
		char *p = line + strspn(line, " \t"), *files;

		if (strncmp(p, "hosts:", 6))
			continue;
		p[strcspn(p, "#\n")] = '\0';
		if (strstr(p, " lxmgr") || strstr(p, "\tlxmgr")) {
			report(d, VERDICT_OK,
			       "names: NAME.lxmgr resolves on this host (nsswitch.conf: %s)", p);
			return;
		}
		files = strstr(p, "files");
		if (files)
			(void)snprintf(want, sizeof(want), "%.*slxmgr %s", (int)(files - p + 6), p,
				       files + 5 + strspn(files + 5, " \t"));
		else
			(void)snprintf(want, sizeof(want), "hosts: lxmgr %s",
				       p + 6 + strspn(p + 6, " \t"));
		report(d, VERDICT_WARN,
		       "names: the NSS module is not enabled: NAME.lxmgr does not resolve on this "
		       "host; make the hosts line of /etc/nsswitch.conf read: %s",
		       want);
		return;
	}
	report(d, VERDICT_WARN,
	       "names: /etc/nsswitch.conf has no hosts line: add 'hosts: files lxmgr dns' for "
	       "NAME.lxmgr");
}

/* Rootless cgroups, in start's order: the user manager's scope, else the session's own. */
static void check_rootless_cgroups(struct doctor *d, struct cgroup_host *h)
{
	char why[512] = "";
	bool usermgr = false;

	if (cgroup_host_detect(h) < 0)
		(void)snprintf(why, sizeof(why), "cannot read /proc/self/cgroup");
	else if (cgroup_usermgr_usable(h, why, sizeof(why)))
		usermgr = cgroup_usermgr_probe(why, sizeof(why)) >= 0;
	if (usermgr)
		report(d, VERDICT_OK,
		       "cgroups: the systemd user manager gives each container a scope "
		       "(Delegate=yes)");
	else if (h->unified_mount && cgroup_session_usable(h))
		report(d, VERDICT_OK,
		       "cgroups: the login session's cgroup is the user's own (pam_cgfs); the "
		       "systemd user manager cannot give a scope: %s",
		       why);
	else
		report(d, VERDICT_FAIL,
		       "cgroups: the login session's cgroup is not the user's own: pam_cgfs "
		       "(libpam-cgfs) or the systemd user manager (Delegate=yes) gives one; the "
		       "user manager cannot here: %s",
		       why);
}

/* Rootless: the helpers, the user's ranges, a cgroup of its own, pasta's tun. */
static void check_rootless(struct doctor *d)
{
	struct cgroup_host h = {0};
	struct idmap_range r[SUBID_MAX];
	char why[256];
	int n = 0;

	if (rootless_host_problem(why, sizeof(why)))
		report(d, VERDICT_FAIL, "rootless: %s", why);
	for (int gid = 0; gid < 2; gid++) {
		const char *path = gid ? "/etc/subgid" : "/etc/subuid";
		_cleanup_fclose_ FILE *f = fopen(path, "re");

		n = f ? idmap_parse_subid(f, rootless_user_name(), rootless_uid(), r, SUBID_MAX)
		      : 0;
		if (n <= 0)
			report(d, VERDICT_FAIL,
			       "%s: no range for %s: an administrator adds one with 'usermod "
			       "--add-sub%cids 100000-165535 %s'",
			       path, rootless_user_name(), gid ? 'g' : 'u', rootless_user_name());
		else
			report(d, VERDICT_OK, "%s: %s has %d range(s)", path, rootless_user_name(),
			       n);
	}
	check_rootless_cgroups(d, &h);
	cgroup_host_done(&h);
	report(d, access("/dev/net/tun", R_OK | W_OK) == 0 ? VERDICT_OK : VERDICT_WARN,
	       "/dev/net/tun %s users (net.mode pasta needs it)",
	       access("/dev/net/tun", R_OK | W_OK) == 0 ? "is open to" : "is not open to");
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
	if (rootless_active()) {
		check_rootless(d);
		return;
	}
	check_subid(d, "/etc/subuid");
	check_subid(d, "/etc/subgid");
	check_cgroups(d);
	check_limits(d);
	check_firewall(d);
	check_tool(d, "dnsmasq", "bridged containers get no DHCP and no NAME.lxmgr names");
	check_nss(d);
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

/* container.nesting: containers inside (podman, docker, crun, lxmgr) need cgroup2 controllers,
 * which a hybrid host keeps in its v1 hierarchies. */
static void check_nesting(struct doctor *d, const struct container *c)
{
	_cleanup_(cgroup_host_done) struct cgroup_host h = {0};

	if (!c->cfg.nesting || cgroup_host_detect(&h) < 0)
		return;
	if (h.v2_controllers[0] && h.v2_controllers[1] && h.v2_controllers[2])
		report(d, VERDICT_OK,
		       "%s: nesting: the cgroup2 controllers memory, pids and cpu are delegated",
		       c->name);
	else
		report(d, VERDICT_WARN,
		       "%s: nesting %s: containers inside get no pids, memory or cpu controller "
		       "(crun: \"the requested cgroup controller 'pids' is not available\"); "
		       "inside, "
		       "run podman with --cgroups=disabled (no limits), or boot the host with "
		       "systemd.unified_cgroup_hierarchy=1",
		       c->name,
		       h.v1_mount[CGROUP_V1_MEMORY] ? "on a hybrid cgroup host"
						    : "on a host whose cgroup2 root enables none");
}

/* A provisioned user without a password (useradd's "!") cannot log in on the console. */
static void check_console_login(struct doctor *d, const struct container *c, int rootfd)
{
	const char *user = c->cfg.provision_user;
	_cleanup_free_ char *shadow = NULL;
	size_t len = strlen(user);
	const char *p;

	if (!*user || !strcmp(c->cfg.console_autologin, user) ||
	    read_file_in_root(rootfd, "/etc/shadow", O_NOFOLLOW, 1 << 20, &shadow, NULL) < 0)
		return;
	for (p = shadow; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, user, len) && p[len] == ':')
			break;
	if (!p || (p[len + 1] != '!' && p[len + 1] != '*' && p[len + 1] != ':'))
		return;
	report(d, VERDICT_WARN,
	       "%s: user %s has no password: it cannot log in on the console (ssh with its key "
	       "works); give it one: lxmgr exec %s -- passwd %s, or log it in there without: lxmgr "
	       "config %s set console.autologin %s",
	       c->name, user, c->name, user, c->name, user);
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
	check_console_login(d, c, rootfd);
}

/* The rules start and config set apply to the id range (idmap-alloc.h); the overlap with
 * another container of the store is find_overlap's. */
static void check_ids(struct doctor *d, const struct container *c)
{
	const struct container_config *cfg = &c->cfg;
	char why[800];
	int r;

	r = idmap_range_problem(d->ctx, /* self= */ NULL, /* owner= */ NULL, cfg->uid_base,
				cfg->gid_base, cfg->id_count, why, sizeof(why));
	if (r > 0)
		report(d, VERDICT_FAIL, "%s: %s: start refuses it", c->name, why);
	else if (r == 0)
		report(d, VERDICT_OK, "%s: ids %u-%u and %u-%u lie in root's subordinate ranges",
		       c->name, cfg->uid_base, cfg->uid_base + cfg->id_count - 1, cfg->gid_base,
		       cfg->gid_base + cfg->id_count - 1);
	else
		report(d, VERDICT_FAIL, "%s: its ids could not be checked (see above)", c->name);
}

/* One line per failed unit of a running systemd guest: the unit, systemd's Result, and the
 * fix-up lxmgr has for it (guest-fixups.c), in place or turned off by guest.fixups no. */
static void check_units(struct doctor *d, const struct container *c)
{
	_cleanup_(runtime_state_done) struct runtime_state rs = {0};
	char list[4096], *save = NULL;
	int n;

	if (c->cfg.init_kind != INIT_KIND_SYSTEMD || !store_is_running(c) ||
	    runtime_state_read(c->rundir, &rs) < 0 || rs.init_pid <= 0)
		return;
	n = readiness_failed_units(d->ctx, c, &rs, list, sizeof(list));
	if (n < 0) {
		report(d, VERDICT_WARN, "%s: systemd inside did not answer: %s", c->name,
		       strerror(-n));
		return;
	}
	if (n == 0)
		report(d, VERDICT_OK, "%s: no failed unit", c->name);
	for (char *l = strtok_r(list, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *result = strchr(l, ' ');
		const char *why;

		*result++ = '\0';
		why = guest_fixup_reason(l);
		if (!why)
			report(d, VERDICT_FAIL,
			       "%s: unit %s failed (%s): no lxmgr fix-up for it; see lxmgr exec %s "
			       "-- journalctl -u %s",
			       c->name, l, result, c->name, l);
		else
			report(d, VERDICT_FAIL,
			       "%s: unit %s failed (%s): %s; lxmgr has a fix-up: %s", c->name, l,
			       result, why,
			       c->cfg.guest_fixups ? "in place, restart the container to apply it"
						   : "off, set guest.fixups yes and restart");
	}
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
	check_nesting(d, c);
	check_units(d, c);
	o.self = c;
	(void)store_foreach_config(d->ctx, find_overlap, &o);
	return 0;
}

int cmd_doctor(struct lxmgr_ctx *ctx, int argc, char **argv)
{
	struct doctor d = {.ctx = ctx};
	struct verb_args a = {.min_args = 0, .max_args = 1};
	int r = cmd_parse(ctx, argc, argv, &a);

	if (r != 0)
		return r;
	doctor_host(&d);
	if (a.n_args == 1)
		(void)doctor_guest(&d, a.args[0]);
	(void)fflush(stdout);
	if (d.failed)
		log_line(ctx, LOG_LEVEL_ERROR, NULL, 0, "%u problem%s found", d.failed,
			 d.failed == 1 ? "" : "s");
	return d.failed ? EXIT_FAILED : 0;
}
