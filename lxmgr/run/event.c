/* event.c: a monitor's events, the last one kept for info, and the OOM watch. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "cgroup/internal.h"
#include "base/cleanup.h"
#include "run/event.h"
#include "base/log.h"
#include "run/stats.h"
#include "store/store.h"
#include "base/util.h"

#define LOG_STEP "monitor"
/* At most 0.5 s, and only after an OOM: the monitor has nothing more urgent then. */
#define OOM_SETTLE_TRIES 50
#define OOM_SETTLE_US 10000

static const char *const event_table[_EVENT_MAX] = {
	[EVENT_START] = "start", [EVENT_STOP] = "stop",     [EVENT_CRASH] = "crash",
	[EVENT_OOM] = "oom",     [EVENT_REBOOT] = "reboot",
};

const char *event_to_string(enum event_kind e)
{
	return (unsigned)e < _EVENT_MAX ? event_table[e] : NULL;
}

void event_record(const struct lxmgr_ctx *ctx, const struct container *c, enum event_kind e,
		  const char *fmt, ...)
{
	_cleanup_free_ char *path = NULL, *line = NULL;
	char msg[256];
	va_list ap;
	int r;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* One line in the file: a newline of the message must not start another. */
	msg[strcspn(msg, "\n")] = '\0';
	log_event(ctx, LOG_STEP, event_to_string(e), "%s", msg);
	r = xasprintf(&path, "%s/" EVENT_FILE, c->logdir);
	if (r >= 0)
		r = xasprintf(&line, "%s %llu %s\n", event_to_string(e),
			      (unsigned long long)now_realtime_s(), msg);
	if (r >= 0)
		r = write_file_atomic_at(AT_FDCWD, path, line, strlen(line), 0644);
	if (r < 0)
		lx_warn(ctx, r, "record the %s event in %s, ignoring", event_to_string(e),
			c->logdir);
}

int event_parse(const char *text, struct event_last *ret)
{
	struct event_last ev = {0};
	unsigned long long at;
	int n = 0;

	if (sscanf(text, "%15s %llu %n", ev.event, &at, &n) != 2 || n == 0)
		return -EINVAL;
	ev.at = at;
	(void)snprintf(ev.message, sizeof(ev.message), "%.*s", (int)strcspn(text + n, "\n"),
		       text + n);
	*ret = ev;
	return 0;
}

int event_read_last(const struct container *c, struct event_last *ret)
{
	_cleanup_free_ char *path = NULL, *text = NULL;
	int r;

	r = xasprintf(&path, "%s/" EVENT_FILE, c->logdir);
	if (r >= 0)
		r = read_file_at(AT_FDCWD, path, 4096, &text, NULL);
	if (r < 0)
		return r;
	return event_parse(text, ret);
}

static uint64_t oom_kills(const struct cgroup *cg)
{
	_cleanup_free_ char *text = NULL;
	uint64_t v = 0;
	int r = -ENOENT;

	if (cg->unified)
		r = cg_read(cg->unified, "memory.events", &text);
	if (r == -ENOENT && cg->v1[CGROUP_V1_MEMORY])
		r = cg_read(cg->v1[CGROUP_V1_MEMORY], "memory.oom_control", &text);
	if (r < 0 || stats_parse_keyed(text, "oom_kill", &v) < 0)
		return 0;
	return v;
}

/* cgroup-v1 memory.txt, "Memory thresholds"/"OOM control": an eventfd is registered by
 * writing "<event_fd> <fd of memory.oom_control>" to cgroup.event_control. */
static int watch_v1(const char *dir)
{
	_cleanup_close_ int efd = -EBADF, ofd = -EBADF;
	_cleanup_free_ char *path = NULL;
	char buf[64];
	int r;

	r = xasprintf(&path, "%s/memory.oom_control", dir);
	if (r < 0)
		return r;
	ofd = NEG_ERRNO(open(path, O_RDONLY | O_CLOEXEC));
	if (ofd < 0)
		return ofd;
	efd = NEG_ERRNO(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
	if (efd < 0)
		return efd;
	(void)snprintf(buf, sizeof(buf), "%d %d", efd, ofd);
	r = cg_write(dir, "cgroup.event_control", buf);
	if (r < 0)
		return r;
	return TAKE_FD(efd);
}

/* cgroup2 "memory.events": a value change generates a file modified event. */
static int watch_v2(const char *dir)
{
	_cleanup_close_ int fd = -EBADF;
	_cleanup_free_ char *path = NULL;
	int r;

	r = xasprintf(&path, "%s/memory.events", dir);
	if (r < 0)
		return r;
	if (access(path, F_OK) < 0)
		return -errno;
	fd = NEG_ERRNO(inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
	if (fd < 0)
		return fd;
	r = NEG_ERRNO(inotify_add_watch(fd, path, IN_MODIFY));
	if (r < 0)
		return r;
	return TAKE_FD(fd);
}

int event_oom_watch(const struct cgroup *cg, uint64_t *ret_kills)
{
	int fd = -ENOENT;

	if (cg->unified)
		fd = watch_v2(cg->unified);
	if (fd == -ENOENT && cg->v1[CGROUP_V1_MEMORY])
		fd = watch_v1(cg->v1[CGROUP_V1_MEMORY]);
	if (fd >= 0)
		*ret_kills = oom_kills(cg);
	return fd;
}

uint64_t event_oom_check(int fd, const struct cgroup *cg, uint64_t *kills)
{
	char buf[4096];
	uint64_t now;

	while (read(fd, buf, sizeof(buf)) > 0)
		;
	/* The kernel tells at the start of an OOM (v1 notifies, cgroup2's "oom" line), before
	 * its victim is chosen and oom_kill counted: wait a little for the count. */
	for (int i = 0; (now = oom_kills(cg)) <= *kills && i < OOM_SETTLE_TRIES; i++)
		(void)usleep(OOM_SETTLE_US);
	if (now <= *kills)
		return 0;
	now -= *kills;
	*kills += now;
	return now;
}
