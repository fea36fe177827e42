/* log.c: the one error reporter and the levelled log lines. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lxmgr.h"
#include "log.h"

static struct {
	enum log_level threshold;
	bool level_prefix;
} log_settings = {LOG_LEVEL_WARNING, false};

void log_setup(enum log_level threshold, bool level_prefix)
{
	log_settings.threshold = threshold;
	log_settings.level_prefix = level_prefix;
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

static void log_emit(const struct lxmgr_ctx *ctx, enum log_level level, const char *step, int r,
		     const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));

static void log_emit(const struct lxmgr_ctx *ctx, enum log_level level, const char *step, int r,
		     const char *fmt, va_list ap)
{
	char msg[2048];
	int err = r < 0 ? -r : r;

	if (level > log_settings.threshold)
		return;
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
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
	log_emit(ctx, LOG_LEVEL_ERROR, step, r, fmt, ap);
	va_end(ap);
	return LX_ERRNO(r);
}

void log_line(const struct lxmgr_ctx *ctx, enum log_level level, const char *step, int r,
	      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(ctx, level, step, r, fmt, ap);
	va_end(ap);
}
