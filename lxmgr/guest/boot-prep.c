/* boot-prep.c: the check that a guest can boot here, and the drop-ins lxmgr owns in its rootfs
 * (console getty, inittab, name=systemd); the vendor-image fix-ups are guest/fixups.c. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "base/lxmgr.h"
#include "base/util.h"
#include "cgroup/cgroup.h"
#include "guest/boot-prep.h"
#include "guest/fixups.h"
#include "guest/guest.h"
#include "store/store.h"

#define LOG_STEP "fixup"
#define MAX_FILE (1 << 20)

/* The rootfs, and the owner a file lxmgr writes there gets (root inside). */
struct fixup_env {
	int rootfd;
	uid_t uid;
	gid_t gid;
};

static bool program_exists(const char *path, void *userdata)
{
	const struct fixup_env *f = userdata;

	return guest_check_init(f->rootfd, path) == 0;
}

/* Reads path inside the tree; -ENOENT when absent. A symlink as the last component is
 * refused (ELOOP): lxmgr only rewrites regular files. */
static int read_in_root(int rootfd, const char *path, char **ret)
{
	return read_file_in_root(rootfd, path, O_NOFOLLOW, MAX_FILE, ret, NULL);
}

/* "tty1", "ttyS0", "ttyAMA0": a terminal device a container does not have. */
static bool names_tty_device(const char *s)
{
	for (const char *p = strstr(s, "tty"); p; p = strstr(p + 1, "tty"))
		if ((p == s || strchr(" \t:/", p[-1])) && p[3] && !strchr(" \t\n", p[3]))
			return true;
	return false;
}

static bool is_power_action(const char *action, size_t n)
{
	static const char *const power[] = {"powerwait", "powerfail", "powerfailnow",
					    "powerokwait"};

	for (size_t i = 0; i < ELEMENTSOF(power); i++)
		if (strlen(power[i]) == n && !strncmp(action, power[i], n))
			return true;
	return false;
}

/* The program of an inittab process field ("-/bin/sh" runs /bin/sh as a login shell). */
static void first_word(const char *process, char *buf, size_t size)
{
	size_t n;

	process += strspn(process, " \t-");
	n = strcspn(process, " \t");
	(void)snprintf(buf, size, "%.*s", (int)(n < size ? n : size - 1), process);
}

struct inittab_opts {
	bool sysvinit;
	bool (*exists)(const char *path, void *userdata);
	void *userdata;
};

/* Why line must go, or NULL to keep it. "id:runlevels:action:process". */
static const char *drop_reason(const char *line, const struct inittab_opts *o)
{
	const char *c1 = strchr(line, ':'), *c2, *c3;
	char prog[256];

	if (line[strspn(line, " \t")] == '#' || !c1 || !(c2 = strchr(c1 + 1, ':')) ||
	    !(c3 = strchr(c2 + 1, ':')))
		return NULL;
	if (strstr(c3 + 1, "getty") && names_tty_device(line))
		return "no such terminal in a container";
	if (o->sysvinit && is_power_action(c2 + 1, (size_t)(c3 - c2 - 1)))
		return "replaced: SIGPWR powers the container off";
	first_word(c3 + 1, prog, sizeof(prog));
	if (prog[0] == '/' && o->exists && !o->exists(prog, o->userdata))
		return "the program is not installed";
	return NULL;
}

static bool has_console_getty(const char *line)
{
	return line[0] != '#' && strstr(line, "getty") && strstr(line, "console");
}

int boot_prep_inittab_text(const char *orig, const char *orig_name, bool sysvinit,
			   const char *getty,
			   bool (*program_exists_fn)(const char *path, void *userdata),
			   void *userdata, char **ret)
{
	const struct inittab_opts o = {sysvinit, program_exists_fn, userdata};
	_cleanup_free_ char *copy = strdup(orig), *out = NULL;
	bool console = false;
	size_t len = 0;
	FILE *f;

	if (!copy)
		return -ENOMEM;
	f = open_memstream(&out, &len);
	if (!f)
		/* cppcheck-suppress memleak ; copy is _cleanup_free_ */
		return -ENOMEM;
	fprintf(f, BOOT_PREP_MARKER "%s: edit that file, not this one.\n", orig_name);
	for (char *next = copy, *l; (l = strsep(&next, "\n"));) {
		if (!next && !*l)
			break; /* after the last newline */
		const char *why = drop_reason(l, &o);

		if (why) {
			fprintf(f, "#lxmgr (%s): %s\n", why, l);
			continue;
		}
		console = console || has_console_getty(l);
		fprintf(f, "%s\n", l);
	}
	fprintf(f, "# lxmgr: added for the container\n");
	if (sysvinit)
		fprintf(f, "lxpf::powerfail:/sbin/init 0\n");
	if (getty && !console)
		fprintf(f, "%s:%s:respawn:%s\n", sysvinit ? "lxco" : "console",
			sysvinit ? "2345" : "", getty);
	if (fclose(f) != 0)
		return -ENOMEM;
	*ret = TAKE_PTR(out);
	return 0;
}

static const char *console_getty(const struct fixup_env *f, bool sysvinit)
{
	if (sysvinit && program_exists("/sbin/agetty", (void *)f))
		return "/sbin/agetty --noclear --keep-baud console 115200,38400,9600 vt220";
	if (program_exists("/sbin/getty", (void *)f))
		return sysvinit ? "/sbin/getty 38400 console" : "/sbin/getty -L 0 console vt100";
	return NULL;
}

/* /etc/inittab is generated from /etc/inittab.lxmgr-orig, the guest's own file. A file
 * without the marker is new (a package upgrade, the user): it becomes the kept original. */
static int fix_inittab(const struct fixup_env *f, bool sysvinit)
{
	static const char path[] = "/etc/inittab", orig_path[] = "/etc/inittab.lxmgr-orig";
	_cleanup_free_ char *cur = NULL, *orig = NULL, *text = NULL;
	int r;

	r = read_in_root(f->rootfd, path, &cur);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	if (!strncmp(cur, BOOT_PREP_MARKER, strlen(BOOT_PREP_MARKER))) {
		r = read_in_root(f->rootfd, orig_path, &orig);
		if (r == -ENOENT)
			return 0; /* the kept file is gone: leave ours as it is */
		if (r < 0)
			return r;
	} else {
		r = guest_write_file(f->rootfd, orig_path, cur, f->uid, f->gid);
		if (r < 0)
			return r;
		orig = TAKE_PTR(cur);
	}
	r = boot_prep_inittab_text(orig, orig_path, sysvinit, console_getty(f, sysvinit),
				   program_exists, (void *)f, &text);
	if (r < 0)
		return r;
	if (cur && !strcmp(cur, text))
		return 0;
	return guest_write_file(f->rootfd, path, text, f->uid, f->gid);
}

/* OpenRC reads /etc/rc.conf.d/NAME.conf after /etc/rc.conf: rc_sys there skips the services
 * marked "keyword -lxc" (hwclock, devfs, net-online...) without touching rc.conf. OpenRC
 * detects LXC from container=lxc only, and lxmgr passes container=lxmgr. */
static int fix_openrc(const struct fixup_env *f)
{
	_cleanup_close_ int etc = -EBADF;

	if (!program_exists("/sbin/openrc", (void *)f) &&
	    !program_exists("/usr/sbin/openrc", (void *)f))
		return 0;
	etc = open_in_root(f->rootfd, "/etc", O_PATH | O_DIRECTORY, 0);
	if (etc < 0)
		return etc;
	if (mkdirat(etc, "rc.conf.d", 0755) < 0) {
		if (errno != EEXIST)
			return -errno;
	} else if (fchownat(etc, "rc.conf.d", f->uid, f->gid, AT_SYMLINK_NOFOLLOW) < 0) {
		return -errno;
	}
	return guest_write_file(f->rootfd, "/etc/rc.conf.d/lxmgr.conf",
				"# Written by lxmgr at every start: the container's OpenRC "
				"skips what needs real hardware.\nrc_sys=\"lxc\"\n",
				f->uid, f->gid);
}

static int apply_dropins(const struct lxmgr_ctx *ctx, const struct container_config *cfg,
			 int rootfd)
{
	const struct fixup_env f = {
		.rootfd = rootfd,
		.uid = cfg->rootfs_shifted ? cfg->uid_base : 0,
		.gid = cfg->rootfs_shifted ? cfg->gid_base : 0,
	};
	int r = 0;

	if (cfg->init_kind == INIT_KIND_BUSYBOX || cfg->init_kind == INIT_KIND_OPENRC ||
	    cfg->init_kind == INIT_KIND_SYSVINIT) {
		r = fix_inittab(&f, cfg->init_kind == INIT_KIND_SYSVINIT);
		if (r < 0)
			return lx_fail(ctx, r, "rewrite /etc/inittab for a container");
	}
	r = fix_openrc(&f);
	if (r < 0)
		return lx_fail(ctx, r, "write /etc/rc.conf.d/lxmgr.conf");
	r = guest_fixups_apply(rootfd, cfg, f.uid, f.gid);
	if (r < 0)
		return lx_fail(ctx, r, "%s the guest fix-ups",
			       cfg->guest_fixups ? "apply" : "remove");
	return 0;
}

static int check_bootable(const struct lxmgr_ctx *ctx, const struct container_config *cfg,
			  int rootfd, struct cgroup_host *h)
{
	char why[256];
	int r;

	r = guest_check_init(rootfd, cfg->init);
	if (r < 0)
		return lx_fail(ctx, LX_SYNTHETIC(r),
			       "the rootfs has no executable %s: set container.init to the "
			       "guest's init",
			       cfg->init);
	r = guest_check_layout(cfg, why, sizeof(why));
	if (r < 0)
		return lx_fail(ctx, LX_SYNTHETIC(r), "%s", why);
	if (cfg->cgroup_layout == CGROUP_LAYOUT_UNIFIED)
		return 0;
	r = cgroup_host_ensure_systemd_v1(h, BOOT_PREP_SYSTEMD_V1_MOUNT);
	if (r < 0)
		return log_fail_full(
			ctx, "cgroup", r,
			"container.cgroup_layout %s needs a cgroup v1 name=systemd "
			"hierarchy and this kernel makes none (cgroup v1 disabled?): "
			"boot the host with cgroup v1, or use a guest with systemd >= %u",
			cgroup_layout_to_string(cfg->cgroup_layout), GUEST_SYSTEMD_UNIFIED_MIN);
	return 0;
}

int boot_prep_start(const struct lxmgr_ctx *ctx, const struct container *c, struct cgroup_host *h)
{
	_cleanup_close_ int rootfd = -EBADF;
	int r;

	rootfd = open(c->rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return lx_fail(ctx, -errno, "open %s", c->rootfs);
	r = check_bootable(ctx, &c->cfg, rootfd, h);
	if (r < 0)
		return r;
	return apply_dropins(ctx, &c->cfg, rootfd);
}
