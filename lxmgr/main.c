/* main.c: the verb table, the global options, and dispatch. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "base/log.h"
#include "base/lxmgr.h"
#include "cmd/cmd.h"
#include "fs/rootless.h"
#include "store/suggest.h"

#define CREATE_USAGE                                                                               \
	"NAME (-t TEMPLATE [-r RELEASE] [--arch A] [--mirror URL] [--file F | --url U]"            \
	" [--image REF] [--refresh] [-v] | --rootfs DIR | --tarball FILE) [--hostname H]"          \
	" [--shift] [--password-file FILE] [--net MODE] [--ip ADDR] [--ip6 ADDR6] [--uplink IF]"   \
	" [--forward P:H:C]... [--user U [--ssh-key FILE] [--sudo]] [--packages LIST]"             \
	" [--timezone TZ] [--run FILE] [--cloud-init FILE] [--ids N] [--nesting]"                  \
	" [--storage dir|btrfs]"

#define CREATE_OPTIONS                                                                             \
	"  -t, --template T build the rootfs with template T (lxmgr templates lists them)\n"       \
	"  -r, --release R  the template's release (default: the template's own)\n"                \
	"  --arch A         the architecture (default: the host's)\n"                              \
	"  --mirror URL     the template's package archive\n"                                      \
	"  --file F, --url U  tarball template: the archive, local or downloaded\n"                \
	"  --image REF      oci template: the image (skopeo transport:reference)\n"                \
	"  --refresh        rebuild the template's cache entry instead of using it\n"              \
	"  -v, --verbose    show the template's own output (else kept in a log)\n"                 \
	"  --rootfs DIR     copy this root filesystem tree into the store\n"                       \
	"  --tarball FILE   import a (gzip, xz, zstd or bzip2) tar archive of a rootfs\n"          \
	"  --hostname H     the container's hostname (default: NAME)\n"                            \
	"  --shift          shift file ownership at create instead of an idmapped mount\n"         \
	"  --password-file FILE  root's password inside: the first line of FILE\n"                 \
	"  --net MODE       bridge (default), routed, none (loopback only) or host\n"              \
	"  --ip ADDR        the container's IPv4 address (default: the next free in the pool)\n"   \
	"  --ip6 ADDR6      its IPv6 address (bridge: in net.pool6, default the next free when\n"  \
	"                   net.ipv6 = yes; routed: routed as a /128, proxied on the uplink)\n"    \
	"  --uplink IF      routed: the host interface the address is reachable on\n"              \
	"  --forward tcp:HOST:CONT  publish a container port on the host (repeatable; udp too)\n"  \
	"  --ids N          own N uids and gids (a multiple of 65536; default 65536), so that\n"   \
	"                   an lxmgr inside can give 65536 of them to each of its containers\n"    \
	"  --nesting        let containers run inside (container.nesting = yes)\n"                 \
	"  --storage POOL   dir (a directory) or btrfs (a subvolume: O(1) snapshots, running\n"    \
	"                   too); default: lxmgr.conf's storage.default, else dir\n"               \
	"Provisioning (recorded in [provision], applied inside the booted guest, see "             \
	"provision):\n"                                                                            \
	"  --user U         make user U with a home and shell (useradd, or busybox adduser)\n"     \
	"  --ssh-key FILE   put the public key of FILE into U's ~/.ssh/authorized_keys\n"          \
	"  --sudo           U may sudo without a password (sudo/wheel group, sudoers drop-in)\n"   \
	"  --packages LIST  install packages (commas or spaces) with apt, dnf, yum or apk\n"       \
	"  --timezone TZ    set /etc/localtime to a zoneinfo name, e.g. Europe/Berlin\n"           \
	"  --run FILE       run the host script FILE once inside as root (/bin/sh)\n"              \
	"  --cloud-init FILE  seed FILE as NoCloud user-data (images with cloud-init only)\n"

#define COPY_OPTIONS                                                                               \
	"  -e, --ssh CMD    the ssh command, split on blanks (default ssh)\n"                      \
	"  -o, --ssh-option OPT  passed to ssh as -o OPT (repeatable)\n"                           \
	"  --remote-lxmgr CMD  lxmgr on the far side (default lxmgr; \"sudo lxmgr\" works)\n"      \
	"  --remote-root DIR   the far side's --root\n"                                            \
	"  --progress       bytes sent and rate on stderr (default: when it is a terminal)\n"      \
	"  The stream is export's archive into `ssh HOST lxmgr import - NEWNAME`; an\n"            \
	"  interrupted transfer leaves nothing on either side.\n"

static const struct verb verbs[] = {
	{"create", cmd_create, CREATE_USAGE,
	 "make a container from a template, a root filesystem tree or a tarball", CREATE_OPTIONS},
	{"launch", cmd_launch, CREATE_USAGE,
	 "create a container, start it, wait until it is up, and say how to get in",
	 "  create's options; then it boots and waits until systemd inside is up (exit 1\n"
	 "  if it is degraded) and prints the ssh command (with --user and --ssh-key) and\n"
	 "  the lxmgr shell command.\n" CREATE_OPTIONS},
	{"provision", cmd_provision, "NAME",
	 "re-apply the container's [provision] keys inside it (booting it if stopped)",
	 "  Converges: steps whose result is in place change nothing; the output names\n"
	 "  what changed or says \"no change\". Log: LOG/NAME/provision.log.\n"},
	{"clone", cmd_clone,
	 "SRC[@SNAP] DST [--snapshot] [--hostname H] [--ip ADDR] [--storage dir|btrfs]",
	 "make a new container from a stopped one, or from a snapshot of any, with its own "
	 "identity",
	 "  --snapshot       an overlayfs over SRC's rootfs instead of a copy (SRC then stays\n"
	 "                   stopped and cannot be destroyed while DST exists); over SRC@SNAP's\n"
	 "                   sealed layers, SRC runs and changes freely, SNAP stays meanwhile;\n"
	 "                   rootless, DST keeps SRC's id range (its layers carry those ids)\n"
	 "  --hostname H     DST's hostname (default: DST)\n"
	 "  --ip ADDR        DST's IPv4 address (default: the next free in the pool)\n"
	 "  --storage POOL   DST's pool (default: SRC's); on btrfs --snapshot is a subvolume\n"
	 "                   snapshot, which leaves SRC free, and a copy is one too\n"},
	{"snapshot", cmd_snapshot, "create|list|delete NAME [SNAP]",
	 "restore points of a container, stopped or running (frozen for the copy)",
	 "  create NAME SNAP a named, timestamped snapshot of the rootfs and the config: a\n"
	 "                   stopped container's writable layer is sealed by a rename, a\n"
	 "                   running one's copied while it is frozen\n"
	 "  list NAME        the snapshots, oldest first\n"
	 "  delete NAME SNAP forget SNAP and free the layers nothing else uses\n"},
	{"restore", cmd_restore, "NAME SNAP",
	 "put a stopped container's rootfs and config back to snapshot SNAP", NULL},
	{"export", cmd_export, "NAME FILE|- [--snapshots]",
	 "write a container into one portable archive (tar + zstd), or to stdout",
	 "  The rootfs with numeric owners as stored (the distribution's), xattrs, ACLs and\n"
	 "  file capabilities; the config without name, uuid, hostname, ids, addresses, MAC\n"
	 "  and forwards. A running container: a temporary snapshot of it (frozen for its\n"
	 "  copy) is written. As a user (rootless): read in the container's id range, so\n"
	 "  the owners are the guest's own, as in root's export.\n"
	 "  --snapshots      its snapshots too (records and layers): import recreates them\n"},
	{"publish", cmd_publish, "NAME ALIAS [--force] | --delete ALIAS",
	 "make a container (stopped or running) into a local image for create -t image -r ALIAS",
	 "  The rootfs without machine-id, SSH host keys and leases, and the config without\n"
	 "  name, uuid, hostname, ids, addresses, MAC and forwards, kept in the template\n"
	 "  cache (lxmgr templates lists the images).\n"
	 "  --force          replace an existing image ALIAS\n"
	 "  --delete ALIAS   remove the image\n"},
	{"import", cmd_import, "FILE|- [NAME] [--net MODE] [--keep-identity] [--storage dir|btrfs]",
	 "make a container from an export archive (or stdin), with an identity of its own",
	 "  As a user (rootless): the rootfs is unpacked in the new container's id range;\n"
	 "  an archive with snapshots is refused.\n"
	 "  NAME             default: FILE's name up to its first dot (needed with -)\n"
	 "  --net MODE       bridge, routed, pasta, none or host (default: the exported\n"
	 "                   config's; rootless: pasta where that mode needs root)\n"
	 "  --keep-identity  keep the machine's uuid, machine-id, hostname, MAC and SSH host\n"
	 "                   keys: a move (refused where a container has that uuid)\n"
	 "  --storage POOL   dir or btrfs (default: lxmgr.conf's storage.default, else dir)\n"},
	{"copy", cmd_copy,
	 "NAME [USER@]HOST[:NEWNAME] [--snapshots] [--ssh CMD] [--ssh-option OPT]...",
	 "send a container to another host through ssh, with a fresh identity there",
	 "  --snapshots      its snapshots too\n" COPY_OPTIONS},
	{"move", cmd_move, "NAME [USER@]HOST[:NEWNAME] [--stop] [--ssh CMD] [--ssh-option OPT]...",
	 "send a container to another host through ssh, with its identity, and remove it here",
	 "  --stop           stop it first if it runs (else refused)\n" COPY_OPTIONS},
	{"start", cmd_start, "(NAME... | --all | --autostart) [--foreground] [--wait] [--console]",
	 "boot the containers; returns once their init runs",
	 "  --all            every stopped container of the store (not the lower layer of snapshot "
	 "clones)\n"
	 "  --autostart      every stopped container with container.autostart = yes (a boot "
	 "script's\n"
	 "                   job on a host without systemd; lxmgr.target does it under systemd)\n"
	 "  --foreground     run the monitor in this process (one NAME; what the systemd unit "
	 "does)\n"
	 "  --wait           return when systemd inside each reports running; exit 1 if degraded\n"
	 "  --console        then attach to its console (one NAME; Ctrl-a q detaches)\n"},
	{"stop", cmd_stop, "(NAME... | --all) [--timeout S] [--kill]",
	 "shut containers down with their init's stop signal, all at once",
	 "  --all            every running container of the store\n"
	 "  --timeout S      seconds before every process is killed (default: stop_timeout)\n"
	 "  --kill           kill every process now\n"},
	{"restart", cmd_restart, "NAME [--timeout S]", "stop, then start again", NULL},
	{"kill", cmd_kill, "NAME [SIGNAL]", "send SIGNAL (default SIGKILL) to the container's init",
	 NULL},
	{"freeze", cmd_freeze, "NAME", "freeze every process of the container", NULL},
	{"unfreeze", cmd_unfreeze, "NAME", "thaw a frozen container", NULL},
	{"exec", cmd_exec, "NAME [--user U] [--env K=V]... [-t|-T] -- CMD [ARGS...]",
	 "run a command inside; its exit status is ours",
	 "  --user U, -u U   run as user U of the container (name or uid; default root)\n"
	 "  --env K=V, -e    add a variable to the clean environment (repeatable)\n"
	 "  --tty, -t        run it on a new pty of the container (the default when stdin\n"
	 "                   and stdout are both terminals)\n"
	 "  --no-tty, -T     never a pty: each terminal of ours reaches it through a pipe\n"
	 "                   (no host terminal is ever handed to a container)\n"},
	{"console", cmd_console, "NAME [--log] [--readonly]",
	 "attach to the container's /dev/console (Ctrl-a q detaches)",
	 "  --log            print the console log (console.log.1, then console.log)\n"
	 "  --readonly       watch only, even when no other console types\n"},
	{"shell", cmd_shell, "NAME [--user U]", "a login shell on a new pty inside",
	 "  --user U, -u U   log in as user U of the container (default root)\n"},
	{"mount", cmd_mount, "NAME HOSTDIR GUESTDIR [--ro] [--owner USER]",
	 "share a host directory into a running container, live (until umount or stop)",
	 "  --ro             read-only, locked: a remount inside cannot make it writable\n"
	 "  --owner USER     HOSTDIR's host owner appears as USER of the container\n"
	 "  Not recorded in the config: `lxmgr config NAME set mount.KEY ...` makes a share\n"
	 "  that every start applies.\n"},
	{"file", cmd_file,
	 "push [-r] [--uid N] [--gid N] [--mode M] LOCAL... NAME:PATH | pull [-r] NAME:PATH LOCAL",
	 "copy files into or out of a container, running or stopped",
	 "  -r, --recursive  copy directories with what they hold (symlinks as symlinks)\n"
	 "  --uid N, --gid N push: the owner inside of what is made (default 0, root)\n"
	 "  --mode M         push: the files' mode, octal (default: the source's)\n"
	 "  PATH is resolved inside the container's root: no symlink there leads out of it.\n"
	 "  A file is written beside its target and renamed over it. pull ... -: to stdout.\n"},
	{"umount", cmd_umount, "NAME GUESTDIR",
	 "detach a share that `lxmgr mount` attached to a running container", NULL},
	{"list", cmd_list, "[--json] [--max-age SECONDS]", "list containers with their state",
	 NULL},
	{"info", cmd_info, "NAME [--json]", "show a container's state and settings", NULL},
	{"top", cmd_top, "[--once] [--sort COLUMN]",
	 "a live table of the running containers: cpu, memory, pids, disk and network rates",
	 "  --once           print one table (rates over one second) and exit, for scripts\n"
	 "  --sort COLUMN    cpu (default), memory, pids, disk, net or name\n"
	 "  Keys: c cpu, m memory, p pids, d disk, n net, a name; q quits.\n"},
	{"metrics", cmd_metrics, "[--listen ADDR:PORT]",
	 "the running containers' figures in the Prometheus text format",
	 "  --listen ADDR:PORT  serve them over HTTP at /metrics (one client at a time;\n"
	 "                   [ADDR6]:PORT for IPv6) instead of printing them once\n"},
	{"config", cmd_config, "NAME [get KEY | set KEY VALUE | unset KEY]",
	 "show or change the persistent configuration (every key: lxmgr.conf(5))", NULL},
	{"destroy", cmd_destroy, "NAME [--force]",
	 "delete a stopped container and its root filesystem",
	 "  --force          stop a running container first (killing it), and remove its\n"
	 "                   snapshots (refused without it when there are some)\n"},
	{"net", cmd_net, "show|check",
	 "show the bridges, their address pools and who holds which address; check another "
	 "firewall dropping their forwarded traffic",
	 NULL},
	{"forward", cmd_forward, "NAME [add|remove PROTO:HOSTPORT:PORT]",
	 "list, add or remove a container's port forwards (net.forward), live while it runs",
	 "  add tcp:8080:80  publish port 80 of the container on the host's port 8080 (udp too)\n"
	 "  remove tcp:8080:80  withdraw it; without add or remove: list them\n"
	 "  Recorded in net.forward; a running container's nft rules change at once.\n"},
	{"doctor", cmd_doctor, "[NAME]",
	 "explain what stops this host (or container NAME) from working; changes nothing", NULL},
	{"templates", cmd_templates, "",
	 "list the templates, their releases and options, and the cached root filesystems", NULL},
	{"gc", cmd_gc, "", "remove what killed monitors and interrupted creates left", NULL},
	{"enable", cmd_enable, "NAME",
	 "start the container now and at every boot: systemctl enable --now lxmgr@NAME "
	 "(container.autostart = yes; needs systemd as PID 1)",
	 NULL},
	{"disable", cmd_disable, "NAME",
	 "stop it and no longer start it at boot: systemctl disable --now lxmgr@NAME "
	 "(container.autostart = no)",
	 NULL},
	{NULL, NULL, NULL, NULL, NULL},
};

static void print_help(void)
{
	printf("Usage: lxmgr [--root DIR] [-q] [-v] VERB [ARGS...]\n\n"
	       "Boot full distribution root filesystems as system containers.\n\nVerbs:\n");
	for (const struct verb *v = verbs; v->name; v++)
		printf("  %-9s %s\n", v->name, v->summary);
	printf("\nGlobal options:\n"
	       "  --root DIR   keep every file of lxmgr under DIR (also $LXMGR_ROOT)\n"
	       "  -q           print errors only;  -v  also info;  -vv  also debug\n"
	       "  --version    print the version\n"
	       "  --help       this text; `lxmgr VERB --help` for a verb's arguments and "
	       "options\n\n"
	       "Exit status: 0 success, 1 failure, 2 usage error; exec: the command's own.\n");
}

static int unknown_verb(const struct lxmgr_ctx *ctx, const char *name)
{
	struct suggest s;

	suggest_init(&s, name);
	for (const struct verb *v = verbs; v->name; v++)
		suggest_offer(&s, v->name);
	if (suggest_result(&s))
		return cmd_usage_error(ctx, "unknown verb '%s' (did you mean '%s'?)", name,
				       suggest_result(&s));
	return cmd_usage_error(ctx, "unknown verb '%s'", name);
}

static void print_verb_help(const struct verb *v)
{
	printf("Usage: lxmgr %s %s\n\n%s.\n", v->name, v->usage, v->summary);
	if (v->options)
		printf("\nOptions:\n%s", v->options);
}

static bool wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			return false;
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return true;
	}
	return false;
}

int main(int argc, char **argv)
{
	struct lxmgr_ctx ctx = {.argv0 = argv[0]};
	struct global_opts g;
	const struct verb *v;
	const char *bad = NULL;
	int r;

	if (args_parse_global(argc, argv, &g, &bad) < 0)
		return cmd_usage_error(&ctx, "bad option '%s'", bad);
	log_setup(g.verbosity < 0    ? LOG_LEVEL_ERROR
		  : g.verbosity == 0 ? LOG_LEVEL_WARNING
		  : g.verbosity == 1 ? LOG_LEVEL_INFO
				     : LOG_LEVEL_DEBUG,
		  /* level_prefix= */ false);
	if (g.version) {
		printf("lxmgr %s\n", PACKAGE_VERSION);
		return 0;
	}
	if (g.help || g.verb_index >= argc) {
		print_help();
		return g.help ? 0 : EXIT_USAGE;
	}
	v = args_find_verb(verbs, argv[g.verb_index]);
	if (!v)
		return unknown_verb(&ctx, argv[g.verb_index]);
	ctx.verb = v->name;
	if (wants_help(argc - g.verb_index, argv + g.verb_index)) {
		print_verb_help(v);
		return 0;
	}
	ctx.custom_root = g.root != NULL;
	ctx.root = g.root;
	r = lxmgr_paths_init(&ctx.paths, g.root);
	if (r < 0) {
		fprintf(stderr, "lxmgr: %s\n",
			r == -ENOENT  ? "HOME is unset: no place for the user's store (set HOME "
					"or give --root DIR)"
			: r == -EPERM ? "the runtime directory is not the user's own (set "
					"XDG_RUNTIME_DIR)"
				      : strerror(-r));
		return EXIT_FAILED;
	}
	/* Rootless: the start sequence runs as root of the user's own namespace (rootless.h);
	 * gc too, which removes a dead monitor's cgroups, where the container's root made
	 * directories the user cannot remove from outside; snapshot and restore too, which rename,
	 * copy and remove the shifted layers (docs/snapshots.md). */
	if (rootless_outside() &&
	    (!strcmp(v->name, "start") || !strcmp(v->name, "restart") || !strcmp(v->name, "gc") ||
	     !strcmp(v->name, "snapshot") || !strcmp(v->name, "restore"))) {
		char msg[256];

		r = rootless_reexec(argv, msg, sizeof(msg));
		if (r < 0 && r != LX_ERRNO(r))
			fprintf(stderr, "lxmgr: %s: rootless: %s\n", v->name, msg);
		else if (r < 0)
			fprintf(stderr, "lxmgr: %s: rootless: %s: %s\n", v->name,
				msg[0] ? msg : "enter the user's namespace", strerror(-r));
		lxmgr_paths_done(&ctx.paths);
		return r < 0 ? EXIT_FAILED : r;
	}
	r = v->run(&ctx, argc - g.verb_index, argv + g.verb_index);
	lxmgr_paths_done(&ctx.paths);
	return r;
}
