/* log.h: the one error reporter and the levelled log lines. */
#pragma once

#include <stdbool.h>

struct lxmgr_ctx;

enum log_level {
	LOG_LEVEL_ERROR,
	LOG_LEVEL_WARNING,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
	_LOG_LEVEL_MAX,
};

/* A cause that is not a system error: the message gets no strerror suffix, the code is kept. */
#define LX_SYNTHETIC_BIT 0x20000000
#define LX_SYNTHETIC(r) (-((-(r)) | LX_SYNTHETIC_BIT))
#define LX_ERRNO(r) (-((-(r)) & ~LX_SYNTHETIC_BIT))

/* Set once by main() (and by the monitor when systemd runs it): the only process-wide setting. */
void log_setup(enum log_level threshold, bool level_prefix);
enum log_level log_threshold(void);
/* The monitor under systemd: when stderr is the journal ($JOURNAL_STREAM), lines become journal
 * entries with CONTAINER_NAME= (the context's name), CONTAINER_UUID=uuid and LXMGR_STEP=, and
 * info lines are kept. uuid must outlive the process's logging. Returns whether it did. */
bool log_setup_journal(const char *uuid);
/* After log_setup_journal(): a non-blocking stream into the journal under identifier (each
 * line an entry at info level), or -errno; -ENOTCONN when not logging to the journal. */
int log_journal_stream(const char *identifier);

/* Prints "lxmgr: VERB NAME: STEP: message[: strerror]" and returns LX_ERRNO(r). */
int log_fail_full(const struct lxmgr_ctx *ctx, const char *step, int r, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void log_line(const struct lxmgr_ctx *ctx, enum log_level level, const char *step, int r,
	      const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* An info line of a monitor's event ("start", "stop", "crash", "oom", "reboot"): in the journal
 * it carries LXMGR_EVENT=event beside LXMGR_CONTAINER=, which every line there has. */
void log_event(const struct lxmgr_ctx *ctx, const char *step, const char *event, const char *fmt,
	       ...) __attribute__((format(printf, 4, 5)));

#define lx_fail(ctx, r, ...) log_fail_full((ctx), LOG_STEP, (r), __VA_ARGS__)
#define lx_warn(ctx, r, ...) log_line((ctx), LOG_LEVEL_WARNING, LOG_STEP, (r), __VA_ARGS__)
#define lx_info(ctx, ...) log_line((ctx), LOG_LEVEL_INFO, LOG_STEP, 0, __VA_ARGS__)
#define lx_debug(ctx, ...) log_line((ctx), LOG_LEVEL_DEBUG, LOG_STEP, 0, __VA_ARGS__)
