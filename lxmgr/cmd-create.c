/* cmd-create.c: lxmgr create: a container from a rootfs tree or tarball, built aside and
 * renamed into place so that nothing half-made is ever visible. */
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uuid/uuid.h>

#include "cleanup.h"
#include "cmd.h"
#include "copy.h"
#include "create.h"
#include "guest.h"
#include "idmap.h"
#include "log.h"
#include "network.h"
#include "login.h"
#include "rootfs.h"
#include "store.h"
#include "util.h"

#define LOG_STEP "create"

struct create_opts {
	const char *name;
	const char *rootfs;
	const char *tarball;
	const char *hostname;
	bool shift;
	struct network_request net;
	const char *password_file;
	char forward[256]; /* every --forward, space-separated */
};

static int parse_opts(struct lxmgr_ctx *ctx, int argc, char **argv, struct create_opts *o)
{
	static const struct option longopts[] = {
		{"rootfs", required_argument, NULL, 'r'},
		{"tarball", required_argument, NULL, 'T'},
		{"hostname", required_argument, NULL, 'H'},
		{"shift", no_argument, NULL, 'S'},
		{"net", required_argument, NULL, 'N'},
		{"ip", required_argument, NULL, 'I'},
		{"uplink", required_argument, NULL, 'U'},
		{"password-file", required_argument, NULL, 'P'},
		{"forward", required_argument, NULL, 'F'},
		{},
	};
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) >= 0)
		switch (c) {
		case 'r':
			o->rootfs = optarg;
			break;
		case 'T':
			o->tarball = optarg;
			break;
		case 'H':
			o->hostname = optarg;
			break;
		case 'S':
			o->shift = true;
			break;
		case 'N':
			o->net.mode = optarg;
			break;
		case 'I':
			o->net.ip = optarg;
			break;
		case 'U':
			o->net.uplink = optarg;
			break;
		case 'P':
			o->password_file = optarg;
			break;
		case 'F': {
			size_t len = strlen(o->forward);

			/* Repeatable: the checks of net.forward apply to the joined list. */
			if ((size_t)snprintf(o->forward + len, sizeof(o->forward) - len, "%s%s",
					     len ? " " : "", optarg) >= sizeof(o->forward) - len)
				return cmd_usage_error(ctx, "too many --forward");
			o->net.forward = o->forward;
			break;
		}
		case ':':
			return cmd_usage_error(ctx, "option '%s' needs a value", argv[optind - 1]);
		default:
			return cmd_usage_error(ctx, "unknown option '%s'", argv[optind - 1]);
		}
	if (optind + 1 != argc)
		return cmd_usage_error(ctx, "expected exactly one NAME");
	o->name = argv[optind];
	if (!!o->rootfs == !!o->tarball)
		return cmd_usage_error(ctx, "give one of --rootfs DIR or --tarball FILE");
	return 0;
}

int cmd_create(struct lxmgr_ctx *ctx, int argc, char **argv)
{
	struct create_opts o = {0};
	_cleanup_free_ char *password = NULL;
	struct create_request req;
	int r;

	r = parse_opts(ctx, argc, argv, &o);
	if (r != 0)
		return r;
	ctx->name = o.name;
	req = (struct create_request){
		.name = o.name,
		.source_dir = o.rootfs,
		.tarball = o.tarball,
		.hostname = o.hostname,
		.force_shift = o.shift,
		.net = o.net,
	};
	if (o.password_file) {
		r = login_read_password_file(o.password_file, &password);
		if (r < 0) {
			(void)log_fail_full(ctx, "login", r == -EINVAL ? LX_SYNTHETIC(r) : r,
					    "%s: %s", o.password_file,
					    r == -EINVAL ? "no password on its first line"
							 : "cannot read the password file");
			return EXIT_FAILED;
		}
		req.root_password = password;
	}
	r = create_container(ctx, &req);
	if (password)
		explicit_bzero(password, strlen(password));
	return r < 0 ? EXIT_FAILED : 0;
}
