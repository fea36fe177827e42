/* progress.c: the progress of long work (a templated create, provisioning) on stderr: each
 * step with the time since the command started; on a terminal one line that updates, else
 * plain lines; -q shows nothing. The start time is the process's own, so nothing is kept. */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "base/lxmgr.h"
#include "base/progress.h"
#include "base/util.h"

unsigned progress_elapsed_s(void)
{
	_cleanup_free_ char *stat = NULL;
	unsigned long long start = 0;
	struct timespec now;
	const char *p;
	long hz = sysconf(_SC_CLK_TCK);

	if (read_file_at(AT_FDCWD, "/proc/self/stat", 4096, &stat, NULL) < 0 || hz <= 0 ||
	    clock_gettime(CLOCK_BOOTTIME, &now) < 0)
		return 0;
	/* Field 22, counted after the command name, which may hold spaces and ')'. */
	p = strrchr(stat, ')');
	for (int field = 2; p && field < 22; field++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p + 1, "%llu", &start) != 1 ||
	    start / (unsigned long long)hz > (unsigned long long)now.tv_sec)
		return 0;
	return (unsigned)((unsigned long long)now.tv_sec - start / (unsigned long long)hz);
}

void progress_init(struct progress *p)
{
	*p = (struct progress){.tty = isatty(STDERR_FILENO) == 1};
}

static void show(const struct lxmgr_ctx *ctx, struct progress *p, const char *step,
		 const char *text)
{
	char line[512];
	struct winsize ws;
	size_t width = sizeof(line) - 1;

	size_t n = strlen(text);

	while (n && text[n - 1] == ' ')
		n--;
	(void)snprintf(line, sizeof(line), "lxmgr: %s%s%s: %s: %.*s (%u s)", ctx->verb,
		       ctx->name ? " " : "", ctx->name ? ctx->name : "", step, (int)n, text,
		       progress_elapsed_s());
	if (!p->tty) {
		fprintf(stderr, "%s\n", line);
		return;
	}
	/* A wrapped line could not be replaced: cut it to the terminal's width. */
	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1 &&
	    (size_t)ws.ws_col - 1 < width)
		width = (size_t)ws.ws_col - 1;
	line[width] = '\0';
	fprintf(stderr, "\r\033[K%s", line);
	fflush(stderr);
	p->open = true;
}

void progress_step(const struct lxmgr_ctx *ctx, struct progress *p, const char *step,
		   const char *fmt, ...)
{
	char text[400];
	va_list ap;

	if (log_threshold() < LOG_LEVEL_WARNING)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	show(ctx, p, step, text);
}

void progress_detail(const struct lxmgr_ctx *ctx, struct progress *p, const char *step,
		     const char *text)
{
	size_t n = strcspn(text, " "), len = strlen(p->stages);
	char word[40];

	if (log_threshold() < LOG_LEVEL_WARNING)
		return;
	if (!p->tty) {
		/* debootstrap alternates "Retrieving X" and "Validating X" for every package:
		 * a plain line for each would be hundreds. */
		if (n == 0 || n + 2 >= sizeof(word))
			return;
		(void)snprintf(word, sizeof(word), "|%.*s|", (int)n, text);
		if (strstr(p->stages, word) || len + n + 2 >= sizeof(p->stages))
			return;
		(void)snprintf(p->stages + len, sizeof(p->stages) - len, "%s",
			       len ? word + 1 : word);
	}
	show(ctx, p, step, text);
}

void progress_end(struct progress *p)
{
	if (p->open)
		fprintf(stderr, "\r\033[K");
	p->open = false;
}
