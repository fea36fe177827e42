/* usage.c: the one message of a usage error, shared by every verb. */
#include <stdarg.h>
#include <stdio.h>

#include "base/lxmgr.h"
#include "cmd/cmd.h"

int cmd_usage_error(const struct lxmgr_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "lxmgr: %s: ", ctx->verb ? ctx->verb : "usage");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see 'lxmgr %s%s--help')\n", ctx->verb ? ctx->verb : "",
		ctx->verb ? " " : "");
	return EXIT_USAGE;
}
