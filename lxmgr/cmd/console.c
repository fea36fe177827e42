/* cmd-console.c: lxmgr console: the container's /dev/console through its monitor, or the
 * console log. */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "base/util.h"
#include "cmd/cmd.h"
#include "cmd/parse.h"
#include "run/console-client.h"
#include "run/control.h"
#include "run/pty.h"
#include "store/store.h"

#define LOG_STEP "console"

static int cat_file(const char *path, bool *found)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	char buf[65536];
	ssize_t n;

	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	*found = true;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n)
			return -EIO;
	return n < 0 ? -errno : 0;
}

static int print_log(const struct lxmgr_ctx *ctx, const struct container *c)
{
	static const char *const files[] = {"console.log.1", "console.log"};
	bool found = false;

	for (size_t i = 0; i < ELEMENTSOF(files); i++) {
		_cleanup_free_ char *path = NULL;
		int r = xasprintf(&path, "%s/%s", c->logdir, files[i]);

		if (r >= 0)
			r = cat_file(path, &found);
		if (r < 0)
			return lx_fail(ctx, r, "read %s/%s", c->logdir, files[i]);
	}
	if (fflush(stdout) != 0)
		return lx_fail(ctx, -errno, "write the log");
	if (!found)
		return lx_fail(ctx, LX_SYNTHETIC(-ENOENT),
			       "no console log yet in %s (the container never ran)", c->logdir);
	return 0;
}

struct console_flags {
	bool log, readonly;
};

static int on_flag(struct lxmgr_ctx *ctx _unused_, int opt, const char *arg _unused_,
		   void *userdata)
{
	struct console_flags *f = userdata;

	if (opt == 'l')
		f->log = true;
	else
		f->readonly = true;
	return 0;
}

int cmd_console(struct lxmgr_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"log", no_argument, NULL, 'l'},
		{"readonly", no_argument, NULL, 'r'},
		{},
	};
	_cleanup_container_ struct container *c = NULL;
	struct console_flags f = {0};
	struct verb_args a = {.longopts = longopts,
			      .on_option = on_flag,
			      .userdata = &f,
			      .min_args = 1,
			      .max_args = 1};
	bool log, readonly;
	int r = cmd_parse(ctx, argc, argv, &a);

	if (r != 0)
		return r;
	log = f.log;
	readonly = f.readonly;
	r = store_container_open(ctx, ctx->name, &c);
	if (r < 0)
		return EXIT_FAILED;
	r = log ? print_log(ctx, c) : console_client_attach(ctx, c, readonly);
	return r < 0 ? EXIT_FAILED : 0;
}
