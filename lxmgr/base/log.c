/* log.c: the one error reporter and the levelled log lines. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "base/log.h"
#include "base/lxmgr.h"
#include "base/sd.h"

static struct {
	enum log_level threshold;
	bool level_prefix;
	/* A monitor whose stderr is the journal sends structured entries instead. */
	bool journal;
	const char *uuid;
} log_settings = {LOG_LEVEL_WARNING, false, false, NULL};

void log_setup(enum log_level threshold, bool level_prefix)
{
	log_settings.threshold = threshold;
	log_settings.level_prefix = level_prefix;
}

/* systemd sets JOURNAL_STREAM to "DEV:INODE" of the stream it connected to stderr. */
static bool stderr_is_journal(void)
{
	const char *e = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (!e || sscanf(e, "%llu:%llu", &dev, &ino) != 2 || fstat(STDERR_FILENO, &st) < 0)
		return false;
	return st.st_dev == (dev_t)dev && st.st_ino == (ino_t)ino;
}

bool log_setup_journal(const char *uuid)
{
	if (!stderr_is_journal())
		return false;
	log_settings.journal = true;
	log_settings.uuid = uuid;
	/* The monitor's state changes are info lines: the journal is where they belong. */
	if (log_settings.threshold < LOG_LEVEL_INFO)
		log_settings.threshold = LOG_LEVEL_INFO;
	return true;
}

int log_journal_stream(const char *identifier)
{
	struct sd_lib sd;
	int fd, flags;

	if (!log_settings.journal)
		return -ENOTCONN;
	if (sd_lib_open(&sd) < 0)
		return -ENOTCONN;
	fd = sd.journal_stream_fd(identifier, LOG_INFO, /* level_prefix= */ 0);
	sd_lib_close(&sd);
	if (fd < 0)
		return fd;
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
		(void)close(fd);
		return -errno;
	}
	return fd;
}

enum log_level log_threshold(void)
{
	return log_settings.threshold;
}

/* sd-daemon's <N> prefixes, so that the journal keeps the level of a line. */
static const char *const level_prefix[_LOG_LEVEL_MAX] = {
	[LOG_LEVEL_ERROR] = "<3>",
	[LOG_LEVEL_WARNING] = "<4>",
	[LOG_LEVEL_INFO] = "<6>",
	[LOG_LEVEL_DEBUG] = "<7>",
};
static const int level_priority[_LOG_LEVEL_MAX] = {
	[LOG_LEVEL_ERROR] = LOG_ERR,
	[LOG_LEVEL_WARNING] = LOG_WARNING,
	[LOG_LEVEL_INFO] = LOG_INFO,
	[LOG_LEVEL_DEBUG] = LOG_DEBUG,
};

/* One entry with the container's name and uuid as fields (and the event, if one); 0, or < 0
 * to fall back to stderr. */
static int journal_emit(const struct lxmgr_ctx *ctx, enum log_level level, const char *step,
			const char *msg, int err, const char *event)
{
	const char *name = ctx && ctx->name ? ctx->name : "";
	char *message = NULL, prio[16], cname[96], cuuid[64], cstep[64], lname[96], levent[48];
	struct iovec iov[8];
	int n = 7;
	struct sd_lib sd;
	int r;

	if (asprintf(&message, "MESSAGE=%s%s%s%s%s", step && *step ? step : "",
		     step && *step ? ": " : "", msg, err ? ": " : "", err ? strerror(err) : "") < 0)
		return -ENOMEM;
	(void)snprintf(prio, sizeof(prio), "PRIORITY=%d", level_priority[level]);
	(void)snprintf(cname, sizeof(cname), "CONTAINER_NAME=%s", name);
	(void)snprintf(cuuid, sizeof(cuuid), "CONTAINER_UUID=%s",
		       log_settings.uuid ? log_settings.uuid : "");
	(void)snprintf(cstep, sizeof(cstep), "LXMGR_STEP=%s", step ? step : "");
	iov[0] = (struct iovec){message, strlen(message)};
	iov[1] = (struct iovec){prio, strlen(prio)};
	iov[2] = (struct iovec){(char *)"SYSLOG_IDENTIFIER=lxmgr",
				strlen("SYSLOG_IDENTIFIER=lxmgr")};
	iov[3] = (struct iovec){cname, strlen(cname)};
	iov[4] = (struct iovec){cuuid, strlen(cuuid)};
	iov[5] = (struct iovec){cstep, strlen(cstep)};
	/* lxmgr's own fields: `journalctl LXMGR_CONTAINER=NAME` is one machine's life. */
	(void)snprintf(lname, sizeof(lname), "LXMGR_CONTAINER=%s", name);
	iov[6] = (struct iovec){lname, strlen(lname)};
	if (event) {
		(void)snprintf(levent, sizeof(levent), "LXMGR_EVENT=%s", event);
		iov[n++] = (struct iovec){levent, strlen(levent)};
	}
	r = sd_lib_open(&sd);
	if (r >= 0) {
		r = sd.journal_sendv(iov, n);
		sd_lib_close(&sd);
	}
	free(message);
	return r;
}

static void log_emit(const struct lxmgr_ctx *ctx, enum log_level level, const char *step, int r,
		     const char *event, const char *fmt, va_list ap)
	__attribute__((format(printf, 6, 0)));

static void log_emit(const struct lxmgr_ctx *ctx, enum log_level level, const char *step, int r,
		     const char *event, const char *fmt, va_list ap)
{
	char msg[2048];
	int err = r < 0 ? -r : r;

	if (level > log_settings.threshold)
		return;
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log_settings.journal &&
	    journal_emit(ctx, level, step, msg, err & LX_SYNTHETIC_BIT ? 0 : err, event) >= 0)
		return;
	fprintf(stderr, "%slxmgr: ", log_settings.level_prefix ? level_prefix[level] : "");
	if (ctx && ctx->verb)
		fprintf(stderr, "%s%s%s: ", ctx->verb, ctx->name ? " " : "",
			ctx->name ? ctx->name : "");
	if (step && *step)
		fprintf(stderr, "%s: ", step);
	fputs(msg, stderr);
	if (err && !(err & LX_SYNTHETIC_BIT))
		fprintf(stderr, ": %s", strerror(err));
	fputc('\n', stderr);
}

int log_fail_full(const struct lxmgr_ctx *ctx, const char *step, int r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(ctx, LOG_LEVEL_ERROR, step, r, NULL, fmt, ap);
	va_end(ap);
	return LX_ERRNO(r);
}

void log_line(const struct lxmgr_ctx *ctx, enum log_level level, const char *step, int r,
	      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(ctx, level, step, r, NULL, fmt, ap);
	va_end(ap);
}

void log_event(const struct lxmgr_ctx *ctx, const char *step, const char *event, const char *fmt,
	       ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(ctx, LOG_LEVEL_INFO, step, 0, event, fmt, ap);
	va_end(ap);
}
