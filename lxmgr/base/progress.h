/* progress.h: the progress of long work (a templated create, provisioning) on stderr. */
#pragma once

#include <stdbool.h>

struct lxmgr_ctx;

/* One run of long work. On a terminal its lines replace each other on one line; otherwise
 * each is a plain line. -q shows nothing. */
struct progress {
	bool tty;         /* stderr is a terminal */
	bool open;        /* a line is on the terminal, not ended by a newline */
	char stages[256]; /* "|Retrieving|Validating|": first words of the details shown as
			   * plain lines */
};

void progress_init(struct progress *p);

/* "lxmgr: VERB NAME: STEP: TEXT (N s)": N is the time since the command started. */
void progress_step(const struct lxmgr_ctx *ctx, struct progress *p, const char *step,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* A detail of a step (debootstrap's "Retrieving libc6", "Unpacking ..."): on a terminal like
 * a step; as a plain line only the first detail of each first word (its stage). */
void progress_detail(const struct lxmgr_ctx *ctx, struct progress *p, const char *step,
		     const char *text);

/* Clears the terminal's line, before other output or at the end of the work. */
void progress_end(struct progress *p);

/* Seconds since this process started (its start time in /proc/self/stat). */
unsigned progress_elapsed_s(void);
