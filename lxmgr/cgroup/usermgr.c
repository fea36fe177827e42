/* usermgr.c: a rootless container's cgroups from the systemd user manager. An unprivileged
 * process cannot leave a root-owned cgroup (cgroup2's delegation rule), but the user's own
 * manager can put it into a unit of its tree (asking the system manager when it cannot move
 * it itself): StartTransientUnit of a scope with Delegate=yes hands the user its cgroup, as
 * `systemd-run --user --scope -p Delegate=yes` does. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/sd.h"
#include "base/util.h"
#include "cgroup/internal.h"
#include "cgroup/usermgr.h"
#include "store/config.h"

static const char sd_dest[] = "org.freedesktop.systemd1";
static const char sd_path[] = "/org/freedesktop/systemd1";
static const char sd_iface[] = "org.freedesktop.systemd1.Manager";

#define JOB_TIMEOUT_USEC (30ULL * 1000 * 1000)

/* The user bus's socket path, or NULL: sd_bus_open_user's own rule. */
static const char *bus_socket(char *buf, size_t size)
{
	const char *addr = getenv("DBUS_SESSION_BUS_ADDRESS");
	const char *run = getenv("XDG_RUNTIME_DIR");

	if (addr && !strncmp(addr, "unix:path=", 10)) {
		(void)snprintf(buf, size, "%.*s", (int)strcspn(addr + 10, ",;"), addr + 10);
		return buf;
	}
	if (addr || !run || run[0] != '/')
		return NULL;
	(void)snprintf(buf, size, "%s/bus", run);
	return buf;
}

bool cgroup_usermgr_usable(const struct cgroup_host *h, char *why, size_t size)
{
	char path[256];
	struct stat st;

	if (!h->unified_mount) {
		(void)snprintf(why, size, "no cgroup2 hierarchy");
		return false;
	}
	/* A named name=systemd hierarchy (mounted for an old guest) controls nothing. */
	for (int i = 0; i < _CGROUP_V1_MAX; i++)
		if (i != CGROUP_V1_SYSTEMD && h->v1_mount[i]) {
			(void)snprintf(why, size, "not a pure cgroup2 host (v1 %s at %s)",
				       cgroup_v1_to_string(i), h->v1_mount[i]);
			return false;
		}
	if (!bus_socket(path, sizeof(path))) {
		(void)snprintf(why, size, "no user bus (XDG_RUNTIME_DIR is unset)");
		return false;
	}
	if (stat(path, &st) < 0 || !S_ISSOCK(st.st_mode)) {
		(void)snprintf(why, size, "no user bus at %s (no user@UID.service)", path);
		return false;
	}
	return true;
}

/* libsystemd and the user bus. */
struct ubus {
	struct sd_lib sd;
	sd_bus *bus;
};

static void ubus_close(struct ubus *b)
{
	if (b->bus)
		(void)b->sd.bus_flush_close_unref(b->bus);
	sd_lib_close(&b->sd);
}

static int ubus_open(struct ubus *b, char *why, size_t size)
{
	int r;

	*b = (struct ubus){0};
	r = sd_lib_open(&b->sd);
	if (r < 0) {
		(void)snprintf(why, size, "libsystemd.so.0 is missing");
		return r;
	}
	r = b->sd.bus_open_user(&b->bus);
	if (r < 0) {
		(void)snprintf(why, size, "connect to the user bus: %s", strerror(-r));
		b->bus = NULL;
		ubus_close(b);
	}
	return r;
}

static int call(struct ubus *b, const char *member, sd_bus_error *e, sd_bus_message **reply,
		const char *types, ...)
{
	va_list ap;
	int r;

	va_start(ap, types);
	r = b->sd.bus_call_methodv(b->bus, sd_dest, sd_path, sd_iface, member, e, reply, types, ap);
	va_end(ap);
	return r;
}

static int read_msg(const struct ubus *b, sd_bus_message *m, const char *types, ...)
{
	va_list ap;
	int r;

	va_start(ap, types);
	r = b->sd.bus_message_readv(m, types, ap);
	va_end(ap);
	return r;
}

static void bus_why(const sd_bus_error *e, int r, const char *what, char *why, size_t size)
{
	if (e->message)
		(void)snprintf(why, size, "%s: %s", what, e->message);
	else
		(void)snprintf(why, size, "%s: %s", what, strerror(-r));
}

int cgroup_usermgr_probe(char *why, size_t size)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	struct ubus b;
	int r;

	r = ubus_open(&b, why, size);
	if (r < 0)
		return r;
	r = call(&b, "GetUnit", &e, NULL, "s", "init.scope");
	/* NoSuchUnit is an answer too: the manager is there. */
	if (r < 0 && b.sd.bus_error_has_name(&e, "org.freedesktop.systemd1.NoSuchUnit") > 0)
		r = 0;
	if (r < 0)
		bus_why(&e, r, "ask the user manager", why, size);
	b.sd.bus_error_free(&e);
	ubus_close(&b);
	return r;
}

int cgroup_usermgr_unit_name(const char *tag, char *buf, size_t size)
{
	size_t n = 0;
	int w;

	w = snprintf(buf, size, "lxmgr-");
	for (const unsigned char *p = (const unsigned char *)tag; w > 0 && *p; p++) {
		n = strlen(buf);
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:_.-",
			   *p))
			w = snprintf(buf + n, size - n, "%c", *p);
		else
			w = snprintf(buf + n, size - n, "\\x%02x", *p);
		if (w < 0 || (size_t)w >= size - n)
			return -ENAMETOOLONG;
	}
	n = strlen(buf);
	w = snprintf(buf + n, size - n, ".scope");
	/* systemd's UNIT_NAME_MAX */
	if (w < 0 || (size_t)w >= size - n || strlen(buf) > 255)
		return -ENAMETOOLONG;
	return 0;
}

/* The job we wait for and its result, filled in by on_job_removed. */
struct job_wait {
	struct ubus *b;
	const char *path;
	char result[32];
};

static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *e)
{
	struct job_wait *w = userdata;
	const char *path = NULL, *unit = NULL, *result = NULL;
	uint32_t id;

	(void)e;
	if (read_msg(w->b, m, "uoss", &id, &path, &unit, &result) < 0)
		return 0;
	if (w->path && path && !strcmp(path, w->path))
		(void)snprintf(w->result, sizeof(w->result), "%s", result ? result : "?");
	return 0;
}

static int start_unit(struct ubus *b, const char *unit, pid_t pid, char **ret_job, char *why,
		      size_t size)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	const char *job = NULL;
	int r;

	r = call(b, "StartTransientUnit", &e, &reply, "ssa(sv)a(sa(sv))", unit, "fail", 4,
		 "Description", "s", "lxmgr container (delegated cgroup)", "PIDs", "au", 1,
		 (uint32_t)pid, "Delegate", "b", 1, "CollectMode", "s", "inactive-or-failed", 0);
	if (r < 0)
		bus_why(&e, r, "StartTransientUnit", why, size);
	if (r >= 0)
		r = read_msg(b, reply, "o", &job);
	if (r >= 0) {
		*ret_job = strdup(job);
		r = *ret_job ? 0 : -ENOMEM;
	}
	b->sd.bus_error_free(&e);
	if (reply)
		(void)b->sd.bus_message_unref(reply);
	return r;
}

static uint64_t now_usec(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000;
}

/* Runs the bus until the job's JobRemoved came, or the timeout. */
static int wait_job(struct ubus *b, struct job_wait *w, char *why, size_t size)
{
	uint64_t end = now_usec() + JOB_TIMEOUT_USEC;
	int r;

	while (!w->result[0]) {
		uint64_t now = now_usec();

		r = b->sd.bus_process(b->bus, NULL);
		if (r < 0) {
			(void)snprintf(why, size, "the user bus: %s", strerror(-r));
			return r;
		}
		if (r > 0)
			continue;
		if (now >= end) {
			(void)snprintf(why, size, "the scope's job %s did not end in 30 s",
				       w->path);
			return -ETIMEDOUT;
		}
		r = b->sd.bus_wait(b->bus, end - now);
		if (r < 0 && r != -EINTR) {
			(void)snprintf(why, size, "the user bus: %s", strerror(-r));
			return r;
		}
	}
	if (strcmp(w->result, "done")) {
		(void)snprintf(why, size, "the scope's start job ended '%s'", w->result);
		return -EIO;
	}
	return 0;
}

int cgroup_usermgr_start_scope(const char *unit, pid_t pid, char *why, size_t size)
{
	_cleanup_free_ char *job = NULL;
	struct job_wait w = {0};
	struct ubus b;
	int r;

	r = ubus_open(&b, why, size);
	if (r < 0)
		return r;
	w.b = &b;
	/* Before the call: the signal may come before its reply is read. */
	r = b.sd.bus_match_signal(b.bus, NULL, sd_dest, sd_path, sd_iface, "JobRemoved",
				  on_job_removed, &w);
	if (r < 0)
		(void)snprintf(why, size, "listen for JobRemoved: %s", strerror(-r));
	/* Job signals go to subscribers and the job's own client; subscribing costs nothing. */
	if (r >= 0)
		(void)call(&b, "Subscribe", NULL, NULL, "");
	if (r >= 0)
		r = start_unit(&b, unit, pid, &job, why, size);
	if (r >= 0) {
		w.path = job;
		r = wait_job(&b, &w, why, size);
	}
	ubus_close(&b);
	return r;
}

static bool offers(const char *controllers, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = controllers; (p = strstr(p, name)); p += n)
		if ((p == controllers || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\n' || !p[n]))
			return true;
	return false;
}

const char *cgroup_usermgr_unusable_limit(const char *dir, const struct container_config *c,
					  const char **ret_controller)
{
	struct {
		bool set;
		const char *key, *controller;
	} want[] = {
		{c->memory_max != LIMIT_UNSET, "limits.memory", "memory"},
		{c->memory_high != LIMIT_UNSET, "limits.memory_high", "memory"},
		{c->pids_max != LIMIT_UNSET && c->pids_max, "limits.pids", "pids"},
		{c->cpu_millis != CPU_QUOTA_UNSET, "limits.cpu", "cpu"},
		{c->cpu_weight != 0, "limits.cpu_weight", "cpu"},
	};
	_cleanup_free_ char *text = NULL;

	if (cg_read(dir, "cgroup.controllers", &text) < 0)
		text = NULL;
	for (size_t i = 0; i < ELEMENTSOF(want); i++)
		if (want[i].set && !(text && offers(text, want[i].controller))) {
			*ret_controller = want[i].controller;
			return want[i].key;
		}
	return NULL;
}

const char *cgroup_rootless_source(const char *unified, char *unit, size_t size)
{
	const char *end, *start;

	unit[0] = '\0';
	if (!unified)
		return NULL;
	end = strrchr(unified, '/');
	if (!end || strcmp(end, "/payload"))
		return "session";
	for (start = end; start > unified && start[-1] != '/'; start--)
		;
	if (end - start < 12 || strncmp(start, "lxmgr-", 6) || strncmp(end - 6, ".scope", 6))
		return "session";
	(void)snprintf(unit, size, "%.*s", (int)(end - start), start);
	return "user manager";
}

void cgroup_usermgr_remove_scope_dir(const char *unified)
{
	_cleanup_free_ char *scope = NULL, *sup = NULL;
	char unit[256];

	if (!cgroup_rootless_source(unified, unit, sizeof(unit)) || !unit[0])
		return;
	scope = strndup(unified, strrchr(unified, '/') - unified);
	if (!scope || xasprintf(&sup, "%s/supervisor", scope) < 0)
		return;
	(void)rmdir(sup);
	(void)rmdir(scope);
}

/* Whether this process's cgroup2 dir lies in dir already. */
static bool inside(const char *dir)
{
	struct cgroup_host h = {0};
	_cleanup_free_ char *own = NULL;
	size_t n = strlen(dir);
	bool in = false;

	if (cgroup_host_detect(&h) < 0)
		return false;
	if (h.unified_mount && h.unified_own &&
	    xasprintf(&own, "%s%s", h.unified_mount, h.unified_own) >= 0)
		in = !strncmp(own, dir, n) && (own[n] == '/' || !own[n]);
	cgroup_host_done(&h);
	return in;
}

int cgroup_usermgr_join(const char *unified, char *why, size_t size)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	_cleanup_free_ char *scope = NULL;
	char unit[256];
	struct ubus b;
	int r;

	if (!cgroup_rootless_source(unified, unit, sizeof(unit)) || !unit[0])
		return 0;
	scope = strndup(unified, strrchr(unified, '/') - unified);
	if (!scope)
		return -ENOMEM;
	if (inside(scope))
		return 0;
	r = ubus_open(&b, why, size);
	if (r < 0)
		return r;
	r = call(&b, "AttachProcessesToUnit", &e, NULL, "ssau", unit, "/supervisor", 1,
		 (uint32_t)getpid());
	if (r < 0)
		bus_why(&e, r, "AttachProcessesToUnit", why, size);
	b.sd.bus_error_free(&e);
	ubus_close(&b);
	return r;
}
