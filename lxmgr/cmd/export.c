/* cmd-export.c: lxmgr export NAME FILE|- and lxmgr import FILE|- [NAME]: a container as one
 * portable archive (export.h), imported with a fresh identity. */
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs/storage.h"
#include "base/cleanup.h"
#include "cmd/cmd.h"
#include "store/config.h"
#include "image/create.h"
#include "fs/rootless.h"
#include "image/export.h"
#include "image/export-live.h"
#include "cmd/parse.h"
#include "run/destroy.h"
#include "base/log.h"
#include "base/lxmgr.h"
#include "store/store.h"
#include "base/util.h"

#define LOG_STEP "export"

/* FILE is written as FILE.tmp-PID and renamed when complete: an interrupted export leaves no
 * archive that looks whole. */
static int export_to_file(const struct lxmgr_ctx *ctx, struct container *c, const char *file,
			  bool snapshots)
{
	_cleanup_free_ char *tmp = NULL;
	_cleanup_close_ int fd = -EBADF;
	int r;

	if (xasprintf(&tmp, "%s.tmp-%d", file, (int)getpid()) < 0)
		return lx_fail(ctx, -ENOMEM, "out of memory");
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return lx_fail(ctx, -errno, "create %s", tmp);
	r = export_write_live(ctx, c, fd, snapshots);
	if (r >= 0 && fsync(fd) < 0)
		r = lx_fail(ctx, -errno, "write %s", tmp);
	if (r >= 0 && rename(tmp, file) < 0)
		r = lx_fail(ctx, -errno, "rename %s", tmp);
	if (r < 0)
		(void)unlink(tmp);
	return r;
}

static int export_option(struct lxmgr_ctx *ctx, int opt, const char *arg, void *userdata)
{
	(void)ctx;
	(void)arg;
	if (opt == 's')
		*(bool *)userdata = true;
	return 0;
}

int cmd_export(struct lxmgr_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"snapshots", no_argument, NULL, 's'},
		{},
	};
	_cleanup_container_ struct container *c = NULL;
	bool snapshots = false;
	struct verb_args a = {.longopts = longopts,
			      .on_option = export_option,
			      .userdata = &snapshots,
			      .min_args = 2,
			      .max_args = 2,
			      .args_name = "NAME and FILE (or - for stdout)"};
	int r;

	r = cmd_parse(ctx, argc, argv, &a);
	if (r != 0)
		return r;
	if (!strcmp(a.args[1], "-") && isatty(STDOUT_FILENO))
		return cmd_usage_error(ctx, "stdout is a terminal: give a FILE or redirect it");
	if (store_container_open(ctx, a.args[0], &c) < 0)
		return EXIT_FAILED;
	/* Stopped: held until the archive is written, the container cannot start meanwhile.
	 * Running: a temporary snapshot of it is written (export-live.h). */
	if (!strcmp(a.args[1], "-"))
		r = export_write_live(ctx, c, STDOUT_FILENO, snapshots);
	else
		r = export_to_file(ctx, c, a.args[1], snapshots);
	return r < 0 ? EXIT_FAILED : 0;
}

struct import_opts {
	const char *file, *name, *net, *storage;
	bool keep_identity;
};

static int parse_import(struct lxmgr_ctx *ctx, int argc, char **argv, struct import_opts *o)
{
	static const struct option longopts[] = {
		{"net", required_argument, NULL, 'n'},
		{"keep-identity", no_argument, NULL, 'k'},
		{"storage", required_argument, NULL, 'B'},
		{},
	};
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) >= 0)
		switch (c) {
		case 'n':
			o->net = optarg;
			break;
		case 'k':
			o->keep_identity = true;
			break;
		case 'B':
			if (storage_pool_from_string(optarg) < 0)
				return cmd_usage_error(
					ctx, "--storage '%s': expected " STORAGE_CHOICES, optarg);
			o->storage = optarg;
			break;
		case ':':
			return cmd_usage_error(ctx, "option '%s' needs a value", argv[optind - 1]);
		default:
			return cmd_usage_error(ctx, "unknown option '%s'", argv[optind - 1]);
		}
	if (optind >= argc || argc - optind > 2)
		return cmd_usage_error(ctx, "expected FILE (or - for stdin) and NAME");
	o->file = argv[optind];
	o->name = optind + 1 < argc ? argv[optind + 1] : NULL;
	if (!o->name && !strcmp(o->file, "-"))
		return cmd_usage_error(ctx, "import from stdin needs a NAME");
	return 0;
}

/* NAME defaults to FILE's name up to its first dot: dev1.tar.zst imports as dev1. */
static int default_name(const char *file, char **ret)
{
	const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;

	*ret = strndup(base, strcspn(base, "."));
	return *ret ? 0 : -ENOMEM;
}

/* LIB/.NAME.import.create-XXXXXX, locked: gc removes it if we are killed (as a create's). */
static int make_stage(const struct lxmgr_ctx *ctx, const char *name, char **ret, int *ret_fd)
{
	if (xasprintf(ret, "%s/.%s.import.create-XXXXXX", ctx->paths.lib, name) < 0)
		return lx_fail(ctx, -ENOMEM, "out of memory");
	if (mkdir_p(ctx->paths.lib, 0755) < 0 || !mkdtemp(*ret))
		return lx_fail(ctx, -errno, "create a directory in %s", ctx->paths.lib);
	*ret_fd = open(*ret, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*ret_fd < 0 || flock(*ret_fd, LOCK_EX) < 0)
		return lx_fail(ctx, -errno, "lock %s", *ret);
	return 0;
}

static int target_free(const struct lxmgr_ctx *ctx, const char *name)
{
	_cleanup_free_ char *path = NULL;
	struct stat st;

	if (xasprintf(&path, "%s/%s", ctx->paths.lib, name) < 0)
		return lx_fail(ctx, -ENOMEM, "out of memory");
	if (lstat(path, &st) == 0)
		return log_fail_full(ctx, "create", LX_SYNTHETIC(-EEXIST),
				     "a container named '%s' exists already", name);
	return 0;
}

static int same_uuid(void *userdata, const char *name, const struct container_config *c)
{
	(void)name;
	return c->uuid && !strcmp(c->uuid, userdata) ? -EEXIST : 0;
}

/* --keep-identity: the exported machine's uuid, hostname and MAC into *id (a move). Two
 * containers of one store with one uuid would share a MAC and a machine-id: refused. */
static int read_identity(const struct lxmgr_ctx *ctx, const char *stage,
			 struct container_config *id)
{
	_cleanup_free_ char *path = NULL;
	struct config_error e = {0};
	int r;

	if (xasprintf(&path, "%s/" EXPORT_IDENTITY, stage) < 0)
		return lx_fail(ctx, -ENOMEM, "out of memory");
	r = config_parse_file(path, false, id, &e);
	if (r == -ENOENT)
		return lx_fail(ctx, LX_SYNTHETIC(r), "the archive holds no identity to keep");
	if (r < 0)
		return store_report_config_error(ctx, r, &e);
	if (!id->uuid)
		return lx_fail(ctx, LX_SYNTHETIC(-EINVAL), "the archive's identity has no uuid");
	r = store_foreach_config(ctx, same_uuid, id->uuid);
	if (r == -EEXIST)
		return lx_fail(ctx, LX_SYNTHETIC(r),
			       "a container of this store has uuid %s already: --keep-identity "
			       "is for a move to another store",
			       id->uuid);
	return r < 0 ? lx_fail(ctx, r, "list the store") : 0;
}

/* Rootless, the rootfs must get the ids of the new container's range: create unpacks the
 * archive's rootfs member itself, in a user namespace of that range, as it does a
 * --tarball. The records are read first, as the user: a stream is saved into the stage to
 * be read twice. An archive's snapshots would need the same for each layer: not done. */
static int unpack_records(struct lxmgr_ctx *ctx, const struct import_opts *o, const char *stage,
			  char **ret_archive)
{
	_cleanup_free_ char *snaps = NULL;
	int r;

	if (strcmp(o->file, "-") ? !(*ret_archive = strdup(o->file))
				 : xasprintf(ret_archive, "%s/archive", stage) < 0)
		return lx_fail(ctx, -ENOMEM, "out of memory");
	r = strcmp(o->file, "-") ? 0 : export_save_stream(ctx, STDIN_FILENO, *ret_archive);
	if (r >= 0)
		r = export_unpack(ctx, *ret_archive, stage, /* records_only= */ true);
	if (r < 0)
		return r;
	if (xasprintf(&snaps, "%s/" EXPORT_SNAPSHOTS, stage) < 0)
		return lx_fail(ctx, -ENOMEM, "out of memory");
	if (access(snaps, F_OK) == 0)
		return lx_fail(ctx, LX_SYNTHETIC(-EOPNOTSUPP),
			       "a rootless import of an archive with snapshots is not done yet "
			       "(export it without --snapshots, or import it as root)");
	return 0;
}

/* The archive's net.mode, unless it needs root (a rootless import's default is pasta). */
static const char *import_net(struct lxmgr_ctx *ctx, const struct import_opts *o,
			      const struct container_config *cfg)
{
	if (o->net)
		return o->net;
	if (rootless_active() && cfg->net_mode != NET_MODE_NONE &&
	    cfg->net_mode != NET_MODE_PASTA) {
		lx_info(ctx, "the archive's net.mode %s needs root: %s gets pasta (--net chooses)",
			net_mode_to_string(cfg->net_mode), o->name);
		return "pasta";
	}
	return net_mode_to_string(cfg->net_mode);
}

static int import_from(struct lxmgr_ctx *ctx, const struct import_opts *o, const char *stage)
{
	_cleanup_free_ char *rootfs = NULL, *config = NULL, *label = NULL, *archive = NULL;
	struct container_config cfg, id;
	struct config_error e = {0};
	struct create_request req;
	bool rootless = rootless_active();
	int r;

	r = rootless ? unpack_records(ctx, o, stage, &archive)
		     : export_unpack(ctx, strcmp(o->file, "-") ? o->file : "/dev/stdin", stage,
				     /* records_only= */ false);
	if (r < 0)
		return r;
	config_init_defaults(&id);
	if (o->keep_identity) {
		r = read_identity(ctx, stage, &id);
		if (r < 0) {
			config_done(&id);
			return r;
		}
	}
	if (xasprintf(&rootfs, "%s/" EXPORT_ROOTFS, stage) < 0 ||
	    xasprintf(&config, "%s/" EXPORT_CONFIG, stage) < 0 ||
	    xasprintf(&label, "import %s", strcmp(o->file, "-") ? o->file : "(stdin)") < 0)
		return lx_fail(ctx, -ENOMEM, "out of memory");
	config_init_defaults(&cfg);
	r = config_parse_file(config, false, &cfg, &e);
	if (r < 0) {
		config_done(&cfg);
		config_done(&id);
		return store_report_config_error(ctx, r, &e);
	}
	req = (struct create_request){
		.name = o->name,
		.source_dir = rootless ? NULL : rootfs,
		.adopt_source_dir = !rootless,
		.tarball = archive,
		.tarball_args = rootless ? export_rootfs_member : NULL,
		.base_config = config,
		.source_label = label,
		.keep_uuid = o->keep_identity ? id.uuid : NULL,
		.keep_hostname = o->keep_identity ? id.hostname : NULL,
		.keep_mac = o->keep_identity ? id.net_mac : NULL,
		.net = {.mode = import_net(ctx, o, &cfg)},
		.storage = o->storage,
	};
	r = create_container(ctx, &req);
	/* export --snapshots: made stopped, the container takes its snapshots over. */
	if (r >= 0 && export_adopt_snapshots(ctx, stage, o->name, o->keep_identity) < 0) {
		(void)destroy_container(ctx, o->name, /* force= */ true);
		r = -EIO;
	}
	config_done(&cfg);
	config_done(&id);
	return r;
}

int cmd_import(struct lxmgr_ctx *ctx, int argc, char **argv)
{
	_cleanup_free_ char *name = NULL, *stage = NULL;
	_cleanup_close_ int stagefd = -EBADF;
	struct sigaction ign = {.sa_handler = SIG_IGN}, old_pipe;
	struct import_opts o = {0};
	sigset_t mask, old;
	int r;

	r = parse_import(ctx, argc, argv, &o);
	if (r != 0)
		return r;
	if (!o.name) {
		if (default_name(o.file, &name) < 0)
			return EXIT_FAILED;
		o.name = name;
	}
	ctx->name = o.name;
	if (!name_is_valid(o.name))
		return lx_fail(ctx, LX_SYNTHETIC(-EINVAL), "invalid container name '%s'", o.name),
		       EXIT_FAILED;
	/* Before a stream of gigabytes: a name taken is refused at once (copy's far side). */
	r = target_free(ctx, o.name);
	if (r < 0)
		return EXIT_FAILED;
	/* Held, not handled, until the stage is removed: a Ctrl-C, or the SIGHUP of a dropped
	 * ssh session, undoes the import; SIGPIPE (stderr of a dead ssh) must not kill us
	 * before that. create_container() holds them the same way. */
	hold_stop_signals(&mask, &old);
	(void)sigaction(SIGPIPE, &ign, &old_pipe);
	r = make_stage(ctx, o.name, &stage, &stagefd);
	if (r >= 0)
		r = import_from(ctx, &o, stage);
	if (stage)
		(void)rm_rf_at(AT_FDCWD, stage);
	(void)sigaction(SIGPIPE, &old_pipe, NULL);
	(void)sigprocmask(SIG_SETMASK, &old, NULL);
	return r < 0 ? EXIT_FAILED : 0;
}
