/* create-args.c: create's command line (shared by create and launch): its options parsed,
 * the container made (create.c), its [provision] keys recorded and applied. */
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

#include "args.h"
#include "base/cleanup.h"
#include "base/lazy-libs.h"
#include "base/log.h"
#include "base/util.h"
#include "cmd/cmd.h"
#include "cmd/create-args.h"
#include "fs/storage.h"
#include "fs/idmap.h"
#include "fs/rootfs.h"
#include "guest/access.h"
#include "guest/guest.h"
#include "guest/login.h"
#include "guest/provision-check.h"
#include "guest/provision.h"
#include "image/copy.h"
#include "image/create.h"
#include "image/publish.h"
#include "image/template.h"
#include "network/network.h"
#include "run/destroy.h"
#include "store/store.h"

#define LOG_STEP "create"

/* --user, --ssh-key, --sudo, --packages, --timezone, --run, --cloud-init: the [provision] keys. */
struct provision_opts {
	const char *user, *ssh_key_file, *packages, *timezone, *run, *cloud_init;
	bool sudo;
};

struct create_opts {
	const char *name;
	const char *rootfs;
	const char *tarball;
	const char *hostname;
	bool shift, nesting;
	const char *storage;
	uint32_t ids;
	struct network_request net;
	const char *password_file;
	char forward[256]; /* every --forward, space-separated */
	struct provision_opts prov;
	struct template_request tmpl; /* -t and its options */
};

/* The option parsers below return 1 when c was theirs, 0 when not, or -EXIT_USAGE after
 * reporting a bad value. */

/* -t TEMPLATE and the options it passes on. */
static int template_option(int c, const char *arg, struct template_request *t)
{
	switch (c) {
	case 't':
		t->name = arg;
		break;
	case 'r':
		t->release = arg;
		break;
	case 'A':
		t->arch = arg;
		break;
	case 'M':
		t->mirror = arg;
		break;
	case 'f':
		t->file = arg;
		break;
	case 'L':
		t->url = arg;
		break;
	case 'G':
		t->image = arg;
		break;
	case 'E':
		t->refresh = true;
		break;
	case 'v':
		t->verbose = true;
		break;
	default:
		return 0;
	}
	return 1;
}

/* The [provision] keys. */
static int provision_option(int c, const char *arg, struct provision_opts *p)
{
	switch (c) {
	case 'u':
		p->user = arg;
		break;
	case 'k':
		p->ssh_key_file = arg;
		break;
	case 's':
		p->sudo = true;
		break;
	case 'p':
		p->packages = arg;
		break;
	case 'z':
		p->timezone = arg;
		break;
	case 'x':
		p->run = arg;
		break;
	case 'C':
		p->cloud_init = arg;
		break;
	default:
		return 0;
	}
	return 1;
}

static int net_option(const struct lxmgr_ctx *ctx, int c, const char *arg, struct create_opts *o)
{
	size_t len = strlen(o->forward);

	switch (c) {
	case 'N':
		o->net.mode = arg;
		break;
	case 'I':
		o->net.ip = arg;
		break;
	case '6':
		o->net.ip6 = arg;
		break;
	case 'U':
		o->net.uplink = arg;
		break;
	case 'F':
		/* Repeatable: the checks of net.forward apply to the joined list. */
		if ((size_t)snprintf(o->forward + len, sizeof(o->forward) - len, "%s%s",
				     len ? " " : "", arg) >= sizeof(o->forward) - len)
			return -cmd_usage_error(ctx, "too many --forward");
		o->net.forward = o->forward;
		break;
	default:
		return 0;
	}
	return 1;
}

/* Where the rootfs comes from (besides -t) and how it is kept. */
static int source_option(const struct lxmgr_ctx *ctx, int c, const char *arg, struct create_opts *o)
{
	switch (c) {
	case 'R':
		o->rootfs = arg;
		break;
	case 'T':
		o->tarball = arg;
		break;
	case 'H':
		o->hostname = arg;
		break;
	case 'S':
		o->shift = true;
		break;
	case 'P':
		o->password_file = arg;
		break;
	case 'i':
		/* Whole blocks: an lxmgr inside hands them out 65536 at a time. */
		if (parse_u32(arg, &o->ids) < 0 || o->ids < IDMAP_DEFAULT_SIZE ||
		    o->ids % IDMAP_DEFAULT_SIZE || o->ids > IDMAP_DEFAULT_SIZE * 1024U)
			return -cmd_usage_error(ctx,
						"--ids '%s': a multiple of 65536 from 65536 "
						"to 67108864",
						arg);
		break;
	case 'n':
		o->nesting = true;
		break;
	case 'B':
		if (storage_pool_from_string(arg) < 0)
			return -cmd_usage_error(ctx, "--storage '%s': expected " STORAGE_CHOICES,
						arg);
		o->storage = arg;
		break;
	default:
		return 0;
	}
	return 1;
}

static int check_combinations(const struct lxmgr_ctx *ctx, const struct create_opts *o)
{
	if (!!o->rootfs + !!o->tarball + !!o->tmpl.name != 1)
		return cmd_usage_error(ctx,
				       "give one of -t TEMPLATE, --rootfs DIR or --tarball FILE");
	if (!o->tmpl.name && (o->tmpl.release || o->tmpl.arch || o->tmpl.mirror || o->tmpl.file ||
			      o->tmpl.url || o->tmpl.image || o->tmpl.refresh))
		return cmd_usage_error(ctx, "-r, --arch, --mirror, --file, --url, --image and "
					    "--refresh go with -t TEMPLATE");
	if ((o->prov.sudo || o->prov.ssh_key_file) && !o->prov.user)
		return cmd_usage_error(ctx, "--sudo and --ssh-key need --user");
	return 0;
}

static int parse_opts(struct lxmgr_ctx *ctx, int argc, char **argv, struct create_opts *o)
{
	static const struct option longopts[] = {
		{"rootfs", required_argument, NULL, 'R'},
		{"tarball", required_argument, NULL, 'T'},
		{"hostname", required_argument, NULL, 'H'},
		{"shift", no_argument, NULL, 'S'},
		{"net", required_argument, NULL, 'N'},
		{"ip", required_argument, NULL, 'I'},
		{"ip6", required_argument, NULL, '6'},
		{"uplink", required_argument, NULL, 'U'},
		{"password-file", required_argument, NULL, 'P'},
		{"forward", required_argument, NULL, 'F'},
		{"user", required_argument, NULL, 'u'},
		{"ssh-key", required_argument, NULL, 'k'},
		{"sudo", no_argument, NULL, 's'},
		{"packages", required_argument, NULL, 'p'},
		{"timezone", required_argument, NULL, 'z'},
		{"run", required_argument, NULL, 'x'},
		{"cloud-init", required_argument, NULL, 'C'},
		{"ids", required_argument, NULL, 'i'},
		{"nesting", no_argument, NULL, 'n'},
		{"storage", required_argument, NULL, 'B'},
		{"template", required_argument, NULL, 't'},
		{"release", required_argument, NULL, 'r'},
		{"arch", required_argument, NULL, 'A'},
		{"mirror", required_argument, NULL, 'M'},
		{"file", required_argument, NULL, 'f'},
		{"url", required_argument, NULL, 'L'},
		{"image", required_argument, NULL, 'G'},
		{"refresh", no_argument, NULL, 'E'},
		{"verbose", no_argument, NULL, 'v'},
		{},
	};
	char bad[3];
	int c, r;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":t:r:v", longopts, NULL)) >= 0) {
		if (c == ':')
			return cmd_usage_error(ctx, "option '%s' needs a value", argv[optind - 1]);
		r = template_option(c, optarg, &o->tmpl);
		if (!r)
			r = provision_option(c, optarg, &o->prov);
		if (!r)
			r = net_option(ctx, c, optarg, o);
		if (!r)
			r = source_option(ctx, c, optarg, o);
		if (r < 0)
			return -r;
		if (!r)
			return cmd_usage_error(ctx, "unknown option '%s'",
					       args_bad_option(argv, optind, optopt, bad));
	}
	if (optind + 1 != argc)
		return cmd_usage_error(ctx, "expected exactly one NAME");
	o->name = argv[optind];
	return check_combinations(ctx, o);
}

/* The [provision] keys create records, checked before anything is made. */
struct provision_keys {
	const char *key[10];
	char *value[10];
	size_t n;
};

static void provision_keys_done(struct provision_keys *k)
{
	for (size_t i = 0; i < k->n; i++)
		free(k->value[i]);
}

static int add_key(struct provision_keys *k, const char *key, const char *value)
{
	if (k->n >= ELEMENTSOF(k->key))
		return -E2BIG;
	k->key[k->n] = key;
	k->value[k->n] = strdup(value);
	return k->value[k->n++] ? 0 : -ENOMEM;
}

/* A host file given on the command line, recorded as an absolute path. */
static int add_path_key(const struct lxmgr_ctx *ctx, struct provision_keys *k, const char *key,
			const char *option, const char *path)
{
	_cleanup_free_ char *abs = realpath(path, NULL);

	if (!abs || access(abs, R_OK) < 0)
		return log_fail_full(ctx, "provision", -errno, "%s %s", option, path);
	if (!provision_path_is_valid(abs))
		return log_fail_full(ctx, "provision", LX_SYNTHETIC(-EINVAL),
				     "%s %s: the path must not hold spaces, quotes, '#' or ';'",
				     option, abs);
	return add_key(k, key, abs);
}

static int provision_prepare(const struct lxmgr_ctx *ctx, const struct provision_opts *p,
			     struct provision_keys *k)
{
	char buf[800];
	int r = 0;

	if (p->user && !provision_user_is_valid(p->user))
		return log_fail_full(ctx, "provision", LX_SYNTHETIC(-EINVAL),
				     "invalid --user '%s' (1-32 of a-z 0-9 _ -, starting with a "
				     "letter or _)",
				     p->user);
	if (p->user)
		r = add_key(k, "provision.user", p->user);
	if (r >= 0 && p->sudo)
		r = add_key(k, "provision.sudo", "yes");
	if (r >= 0 && p->ssh_key_file) {
		r = provision_read_ssh_key(p->ssh_key_file, buf, sizeof(buf));
		if (r < 0)
			return log_fail_full(ctx, "provision", r == -EINVAL ? LX_SYNTHETIC(r) : r,
					     "--ssh-key %s: %s", p->ssh_key_file,
					     r == -EINVAL ? "not one OpenSSH public key line"
							  : "cannot read it");
		r = add_key(k, "provision.ssh_key", buf);
	}
	if (r >= 0 && p->packages) {
		if (provision_packages_normalize(p->packages, buf, 512) < 0)
			return log_fail_full(
				ctx, "provision", LX_SYNTHETIC(-EINVAL),
				"invalid --packages '%s' (names of a-z A-Z 0-9 . + _ : "
				"-, separated by commas)",
				p->packages);
		r = add_key(k, "provision.packages", buf);
	}
	if (r >= 0 && p->timezone) {
		if (!provision_timezone_is_valid(p->timezone))
			return log_fail_full(ctx, "provision", LX_SYNTHETIC(-EINVAL),
					     "invalid --timezone '%s' (a zoneinfo name such as "
					     "Europe/Berlin)",
					     p->timezone);
		r = add_key(k, "provision.timezone", p->timezone);
	}
	if (r >= 0 && p->run)
		r = add_path_key(ctx, k, "provision.run", "--run", p->run);
	if (r >= 0 && p->cloud_init)
		r = add_path_key(ctx, k, "provision.cloud_init", "--cloud-init", p->cloud_init);
	return r == -ENOMEM ? log_fail_full(ctx, "provision", r, "out of memory") : r;
}

/* provision.root_password: the hash create wrote into the new rootfs, read back, so that
 * `lxmgr provision` can put it back without the password itself being kept anywhere. */
static int record_root_hash(struct lxmgr_ctx *ctx, const char *name, struct provision_keys *k)
{
	_cleanup_free_ char *path = NULL, *hash = NULL;
	_cleanup_close_ int rootfd = -EBADF;
	int r;

	if (xasprintf(&path, "%s/%s/rootfs", ctx->paths.lib, name) < 0)
		return log_fail_full(ctx, "provision", -ENOMEM, "out of memory");
	rootfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	r = rootfd < 0 ? -errno : provision_read_root_hash(rootfd, &hash);
	if (r >= 0 && !provision_hash_is_valid(hash))
		r = LX_SYNTHETIC(-EINVAL);
	if (r >= 0)
		r = add_key(k, "provision.root_password", hash);
	if (r < 0) {
		(void)log_fail_full(ctx, "provision", r, "read back root's password hash");
		(void)destroy_container(ctx, name, /* force= */ true);
	}
	return r;
}

/* Records the keys in the new container's config and applies them; on failure the container
 * is destroyed again, so that a create either provisions fully or leaves nothing. */
static int provision_new(struct lxmgr_ctx *ctx, const char *name, const struct provision_keys *k)
{
	_cleanup_free_ char *path = NULL;
	struct config_error e;
	int r = 0;

	if (xasprintf(&path, "%s/%s/config", ctx->paths.lib, name) < 0)
		r = log_fail_full(ctx, "provision", -ENOMEM, "out of memory");
	for (size_t i = 0; r >= 0 && i < k->n; i++) {
		r = config_edit_file(path, k->key[i], k->value[i], &e);
		if (r < 0)
			(void)log_fail_full(ctx, "provision", r, "record %s in %s: %s", k->key[i],
					    path, e.message);
	}
	if (r >= 0)
		r = provision_apply(ctx, name);
	if (r < 0)
		(void)destroy_container(ctx, name, /* force= */ true);
	return r;
}

/* create --ssh-key ends with how to connect. */
static void print_access(struct lxmgr_ctx *ctx, const char *name)
{
	_cleanup_container_ struct container *c = NULL;

	if (store_container_open(ctx, name, &c) >= 0)
		access_print_hint(ctx, c, /* shell_too= */ false);
}

int create_args_run(struct lxmgr_ctx *ctx, int argc, char **argv, bool hint)
{
	struct create_opts o = {0};
	_cleanup_(image_use_done) struct image_use img = IMAGE_USE_INIT;
	_cleanup_free_ char *password = NULL;
	_cleanup_(provision_keys_done) struct provision_keys keys = {0};
	struct create_request req;
	int r;

	r = parse_opts(ctx, argc, argv, &o);
	if (r != 0)
		return r;
	o.tmpl.verbose = o.tmpl.verbose || log_threshold() >= LOG_LEVEL_INFO;
	ctx->name = o.name;
	req = (struct create_request){
		.name = o.name,
		.source_dir = o.rootfs,
		.tarball = o.tarball,
		.tmpl = o.tmpl.name ? &o.tmpl : NULL,
		.hostname = o.hostname,
		.force_shift = o.shift,
		.id_count = o.ids,
		.nesting = o.nesting,
		.net = o.net,
		.storage = o.storage,
	};
	/* -t image -r ALIAS: a published container (publish.h), copied as a clone is. */
	if (o.tmpl.name && !strcmp(o.tmpl.name, IMAGE_TEMPLATE) &&
	    image_use(ctx, &o.tmpl, &img, &req) < 0)
		return EXIT_FAILED;
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
	r = provision_prepare(ctx, &o.prov, &keys);
	if (r < 0)
		return EXIT_FAILED;
	r = create_container(ctx, &req);
	if (password)
		explicit_bzero(password, strlen(password));
	if (r >= 0 && password)
		r = record_root_hash(ctx, o.name, &keys);
	if (r >= 0 && keys.n)
		r = provision_new(ctx, o.name, &keys);
	if (r >= 0 && hint && o.prov.ssh_key_file)
		print_access(ctx, o.name);
	return r < 0 ? EXIT_FAILED : 0;
}
