/* config-keys.c: the table of configuration keys: how each is parsed, printed, documented. */
#include <ctype.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <uuid/uuid.h>

#include "base/cleanup.h"
#include "base/lazy-libs.h"
#include "base/util.h"
#include "fs/mounts.h"
#include "fs/storage.h"
#include "guest/provision-check.h"
#include "net/link.h"
#include "net/nat.h"
#include "net/pool.h"
#include "net/pool6.h"
#include "net/veth.h"
#include "store/config.h"

#include "store/config-keys.h"

#define SIZE_M (UINT64_C(1) << 20)
#define SIZE_G (UINT64_C(1) << 30)

/* Enum fields are read and written as int by the table's generic enum functions. */
_Static_assert(sizeof(enum init_kind) == sizeof(int), "enum init_kind is not int-sized");
_Static_assert(sizeof(enum net_mode) == sizeof(int), "enum net_mode is not int-sized");
_Static_assert(sizeof(enum cgroup_layout) == sizeof(int), "enum cgroup_layout is not int-sized");

static int enum_from_string(const char *const *names, size_t n, const char *s, int *ret)
{
	for (size_t i = 0; s && i < n; i++)
		if (names[i] && !strcmp(names[i], s)) {
			*ret = (int)i;
			return 0;
		}
	return -EINVAL;
}

/* systemd's DEFINE_STRING_TABLE_LOOKUP: the name table and both lookups of an enum. */
#define DEFINE_ENUM_STRINGS(type, max, ...)                                                        \
	static const char *const type##_names[max] = {__VA_ARGS__};                                \
	const char *type##_to_string(enum type v)                                                  \
	{                                                                                          \
		return (unsigned)v < (max) ? type##_names[v] : NULL;                               \
	}                                                                                          \
	int type##_from_string(const char *s, enum type *ret)                                      \
	{                                                                                          \
		return enum_from_string(type##_names, (max), s, (int *)ret);                       \
	}

DEFINE_ENUM_STRINGS(init_kind, _INIT_KIND_MAX, [INIT_KIND_UNKNOWN] = "unknown",
		    [INIT_KIND_SYSTEMD] = "systemd", [INIT_KIND_OPENRC] = "openrc",
		    [INIT_KIND_SYSVINIT] = "sysvinit", [INIT_KIND_BUSYBOX] = "busybox")
DEFINE_ENUM_STRINGS(cgroup_layout, _CGROUP_LAYOUT_MAX, [CGROUP_LAYOUT_UNIFIED] = "unified",
		    [CGROUP_LAYOUT_HYBRID] = "hybrid", [CGROUP_LAYOUT_LEGACY] = "legacy")
DEFINE_ENUM_STRINGS(
	net_mode, _NET_MODE_MAX, [NET_MODE_NONE] = "none", [NET_MODE_HOST] = "host",
	[NET_MODE_BRIDGE] = "bridge", [NET_MODE_ROUTED] = "routed", [NET_MODE_PASTA] = "pasta")

/* Lower-case RFC 4122 text, as uuid_unparse_lower() writes it; the nil UUID names nothing. */
static bool uuid_text_is_valid(const char *s)
{
	uuid_t u;

	return strlen(s) == 36 && strspn(s, "0123456789abcdef-") == 36 && uuid_parse(s, u) == 0 &&
	       !uuid_is_null(u);
}

/* RFC 1123 labels separated by dots; the kernel's UTS name holds 64 characters. */
static bool hostname_is_valid(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n > 64 || strchr(".-", s[0]) || strchr(".-", s[n - 1]) || strstr(s, "..") ||
	    strstr(s, ".-") || strstr(s, "-."))
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") == n;
}

/* iniparser cuts a value at '#' or ';' and strips quotes and spaces: refuse what it mangles. */
static bool init_path_is_valid(const char *s)
{
	if (s[0] != '/' || strlen(s) >= PATH_MAX)
		return false;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 127 || strchr("#;\"'\\", *p))
			return false;
	return true;
}

/* A value iniparser keeps as written: printable, no quotes, '#', ';' or '\\'. */
bool config_text_char_is_kept(char c)
{
	return (unsigned char)c >= ' ' && (unsigned char)c < 127 && !strchr("#;\"'\\", c);
}

static bool source_text_is_valid(const char *s)
{
	for (const char *p = s; *p; p++)
		if (!config_text_char_is_kept(*p))
			return false;
	return true;
}

int print_text(char **ret, const char *s)
{
	*ret = strdup(s);
	return *ret ? 0 : -ENOMEM;
}

static int parse_string(const struct config_key *k, const char *s, struct container_config *c)
{
	char **field = FIELD(c, k, char *), *copy = NULL;

	if (*s ? !k->valid(s) : !(k->flags & KEY_OPTIONAL))
		return -EINVAL;
	if (*s && !(copy = strdup(s)))
		return -ENOMEM;
	free(*field);
	*field = copy;
	return 0;
}

static int print_string(const struct config_key *k, const struct container_config *c, char **ret)
{
	const char *s = *CFIELD(c, k, char *);

	return print_text(ret, s ? s : "");
}

/* A string held in a char array of the config (k->max bytes); "" unsets. */
static int parse_chars(const struct config_key *k, const char *s, struct container_config *c)
{
	char *field = FIELD(c, k, char);

	if (strlen(s) >= k->max || (*s && !k->valid(s)))
		return -EINVAL;
	memcpy(field, s, strlen(s) + 1);
	return 0;
}

static int print_chars(const struct config_key *k, const struct container_config *c, char **ret)
{
	return print_text(ret, CFIELD(c, k, char));
}

static bool ifname_is_valid(const char *s)
{
	char table[64];

	/* The bridge's nft table is named after it: its name must be an nft identifier. */
	return net_link_name_is_valid(s) && net_nat_table_name(s, table, sizeof(table)) >= 0;
}

static bool ipv4_is_valid(const char *s)
{
	uint32_t a;

	return net_addr_parse(s, &a) >= 0;
}

/* A bool that can stay unset, so that lxmgr.conf's value applies to a container. */
static bool yes_no_is_valid(const char *s)
{
	return !strcmp(s, "yes") || !strcmp(s, "no");
}

static bool ipv6_is_valid(const char *s)
{
	struct in6_addr a;

	return net_addr6_parse(s, &a) >= 0;
}

static bool pool6_is_valid(const char *s)
{
	struct net_pool6 p;

	return net_pool6_parse(s, &p) >= 0;
}

static bool mac_is_valid(const char *s)
{
	uint8_t m[6];

	return net_mac_parse(s, m) >= 0;
}

static bool dns_is_valid(const char *s)
{
	return !strcmp(s, "host") || !strcmp(s, "local") || !strcmp(s, "off");
}

static bool forward_is_valid(const char *s)
{
	struct net_forward f[NET_FORWARD_MAX];

	return net_forward_parse(s, f, NET_FORWARD_MAX) >= 0;
}

static bool pool_is_valid(const char *s)
{
	struct net_pool p;

	return net_pool_parse(s, &p) >= 0;
}

static int parse_u32_field(const struct config_key *k, const char *s, struct container_config *c)
{
	uint32_t v = 0;
	int r;

	if (*s || !(k->flags & KEY_OPTIONAL)) {
		r = parse_u32(s, &v);
		if (r < 0)
			return r;
		if (v < k->min || v > k->max)
			return -ERANGE;
	}
	*FIELD(c, k, uint32_t) = v;
	return 0;
}

/* 0 lies outside the range of every key whose minimum is 1: there it means unset. */
static int print_u32_field(const struct config_key *k, const struct container_config *c, char **ret)
{
	uint32_t v = *CFIELD(c, k, uint32_t);

	if (v == 0 && k->min > 0)
		return print_text(ret, "");
	return xasprintf(ret, "%" PRIu32, v);
}

static int parse_bool_field(const struct config_key *k, const char *s, struct container_config *c)
{
	return parse_bool(s, FIELD(c, k, bool));
}

static int print_bool_field(const struct config_key *k, const struct container_config *c,
			    char **ret)
{
	return print_text(ret, *CFIELD(c, k, bool) ? "yes" : "no");
}

/* cgroup limits: "" and "max" mean no limit (LIMIT_UNSET). */
static int parse_limit(const struct config_key *k, const char *s, struct container_config *c)
{
	uint64_t v = LIMIT_UNSET;
	int r;

	if (*s && strcmp(s, "max")) {
		r = (k->flags & KEY_SIZE) ? parse_size(s, &v) : parse_u64(s, &v);
		if (r < 0)
			return r;
		if (v < k->min)
			return -ERANGE;
	}
	*FIELD(c, k, uint64_t) = v;
	return 0;
}

static int print_limit(const struct config_key *k, const struct container_config *c, char **ret)
{
	uint64_t v = *CFIELD(c, k, uint64_t);

	if (v == LIMIT_UNSET)
		return print_text(ret, "");
	if ((k->flags & KEY_SIZE) && v % SIZE_G == 0)
		return xasprintf(ret, "%" PRIu64 "G", v / SIZE_G);
	if ((k->flags & KEY_SIZE) && v % SIZE_M == 0)
		return xasprintf(ret, "%" PRIu64 "M", v / SIZE_M);
	return xasprintf(ret, "%" PRIu64, v);
}

/* "1.5" -> 1500: cores as a decimal with at most three places, stored in milli-CPUs. */
static int parse_cpu(const struct config_key *k, const char *s, struct container_config *c)
{
	uint32_t v = 0, mult;

	if (*s && strcmp(s, "max")) {
		if (!isdigit((unsigned char)*s))
			return -EINVAL;
		/* Stop past the maximum: the digits left over make it -EINVAL, never a wrap. */
		for (; isdigit((unsigned char)*s) && v <= k->max; s++)
			v = v * 10 + (uint32_t)(*s - '0') * 1000;
		if (*s == '.' && isdigit((unsigned char)s[1]))
			for (s++, mult = 100; isdigit((unsigned char)*s) && mult > 0;
			     s++, mult /= 10)
				v += (uint32_t)(*s - '0') * mult;
		if (*s)
			return -EINVAL;
		if (v < k->min || v > k->max)
			return -ERANGE;
	}
	*FIELD(c, k, uint32_t) = v;
	return 0;
}

static int print_cpu(const struct config_key *k, const struct container_config *c, char **ret)
{
	uint32_t v = *CFIELD(c, k, uint32_t);
	char frac[8];
	size_t n;

	if (v == CPU_QUOTA_UNSET)
		return print_text(ret, "");
	if (v % 1000 == 0)
		return xasprintf(ret, "%" PRIu32, v / 1000);
	(void)snprintf(frac, sizeof(frac), "%03" PRIu32, v % 1000);
	for (n = strlen(frac); frac[n - 1] == '0'; n--)
		frac[n - 1] = '\0';
	return xasprintf(ret, "%" PRIu32 ".%s", v / 1000, frac);
}

static int parse_enum(const struct config_key *k, const char *s, struct container_config *c)
{
	return enum_from_string(k->names, k->max, s, FIELD(c, k, int));
}

/* An out-of-range value prints as a number, which the parser then refuses. */
static int print_enum(const struct config_key *k, const struct container_config *c, char **ret)
{
	int v = *CFIELD(c, k, int);

	if (v < 0 || (uint32_t)v >= k->max)
		return xasprintf(ret, "%d", v);
	return print_text(ret, k->names[v]);
}

static int parse_signal_field(const struct config_key *k, const char *s, struct container_config *c)
{
	return parse_signal(s, FIELD(c, k, int));
}

static int print_signal_field(const struct config_key *k, const struct container_config *c,
			      char **ret)
{
	char buf[16];

	return print_text(ret, signal_to_string(*CFIELD(c, k, int), buf));
}

#define OFF(field) offsetof(struct container_config, field)
#define STRING(field) parse_string, print_string, OFF(field), 0, 0
#define U32(field, min, max) parse_u32_field, print_u32_field, OFF(field), min, max
#define LIMIT(field, min) parse_limit, print_limit, OFF(field), min, 0
#define BOOL(field) parse_bool_field, print_bool_field, OFF(field), 0, 0
/* rootfs.snapshot_of: NAME, NAME@SNAP or NAME@ (snapshot.h). */
static bool snapshot_ref_valid(const char *text)
{
	const char *at = strchr(text, '@');
	char name[65];

	if (!at)
		return name_is_valid(text);
	if ((size_t)(at - text) >= sizeof(name))
		return false;
	memcpy(name, text, (size_t)(at - text));
	name[at - text] = '\0';
	return name_is_valid(name) && (!at[1] || name_is_valid(at + 1));
}

/* rootfs.storage, storage.default: the pools of storage.h. */
static bool pool_name_valid(const char *text)
{
	return !strcmp(text, "dir") || !strcmp(text, "btrfs");
}

#define CHARS(field)                                                                               \
	parse_chars, print_chars, OFF(field), 0, sizeof(((struct container_config *)0)->field)
#define ENUM(field, names) parse_enum, print_enum, OFF(field), 0, ELEMENTSOF(names)

const struct config_key config_keys[] = {
	{"container.name", STRING(name), KEY_CONTAINER_ONLY | KEY_REQUIRED | KEY_RECORDED, "name",
	 "1-64 letters, digits, '-', '_' or '.', not starting with '.' or '-'",
	 "The container's name; equals its directory name.", .valid = name_is_valid},
	{"container.uuid", STRING(uuid), KEY_CONTAINER_ONLY | KEY_REQUIRED, "UUID",
	 "36 lower-case characters, e.g. 5b8b2d7e-6c1f-4a7d-9a63-0c4f8e2b1d90",
	 "The container's UUID, passed to init as container_uuid=.", .valid = uuid_text_is_valid},
	{"container.hostname", STRING(hostname), KEY_OPTIONAL, "hostname",
	 "letters, digits, '-' and dots, at most 64 characters",
	 "The hostname inside; the name when unset.", .valid = hostname_is_valid},
	{"container.init", STRING(init), KEY_REQUIRED, "path",
	 "an absolute path without spaces, quotes, '#' or ';'",
	 "The program run as PID 1 inside the container.", .valid = init_path_is_valid},
	{"container.init_kind", ENUM(init_kind, init_kind_names), 0, "init kind",
	 "unknown, systemd, openrc, sysvinit or busybox",
	 "Which init the guest runs, as detected at create.", .names = init_kind_names},
	{"container.systemd_version", U32(systemd_version, 1, UINT32_MAX), KEY_OPTIONAL, "version",
	 "a number such as 252",
	 .doc = "The guest's systemd version; unset unless it runs systemd."},
	{"container.stop_signal", parse_signal_field, print_signal_field, OFF(stop_signal), 0, 0, 0,
	 "signal", "e.g. SIGTERM, SIGPWR or SIGRTMIN+3",
	 .doc = "The signal that asks init to shut down."},
	{"container.stop_timeout", U32(stop_timeout, 1, 86400), KEY_REQUIRED, "timeout",
	 "seconds from 1 to 86400", .doc = "Seconds to wait after the stop signal before SIGKILL."},
	{"container.cgroup_layout", ENUM(cgroup_layout, cgroup_layout_names), 0, "cgroup layout",
	 "unified, hybrid or legacy",
	 "/sys/fs/cgroup inside: unified (cgroup2), hybrid (v1 name=systemd plus cgroup2 at "
	 "unified/) or legacy (v1 name=systemd only); set at create from systemd_version.",
	 .names = cgroup_layout_names},
	{"container.autostart", BOOL(autostart), 0, "boolean", "yes or no",
	 .doc = "Start the container when the host boots."},
	{"container.nesting", BOOL(nesting), 0, "boolean", "yes or no",
	 .doc = "Let containers run inside this one: an unmasked proc and sysfs at /dev/.lxmgr "
		"for the kernel's mount check (give it more ids with create --ids)."},
	{"container.notify_ready", BOOL(notify_ready), 0, "boolean", "yes or no",
	 .doc = "Under the systemd unit: report READY=1 when the guest's own systemd does "
		"(through a NOTIFY_SOCKET at /run/host/notify inside), not when its init starts."},
	{"guest.fixups", BOOL(guest_fixups), 0, "boolean", "yes or no",
	 .doc = "Turn off, at every start, the guest's units that cannot work in a container "
		"(auditd, kdump, rngd, plymouth, rpc_pipefs, ifcfg network scripts without their "
		"device, fstab disk lines, cloud-init's metadata wait); no removes them."},
	{"idmap.uid_base", U32(uid_base, 1, UINT32_MAX), KEY_CONTAINER_ONLY | KEY_REQUIRED, "uid",
	 "a number >= 1", .doc = "The host uid that root inside maps to."},
	{"idmap.gid_base", U32(gid_base, 1, UINT32_MAX), KEY_CONTAINER_ONLY | KEY_REQUIRED, "gid",
	 "a number >= 1", .doc = "The host gid that root inside maps to."},
	{"idmap.size", U32(id_count, 1, UINT32_MAX), KEY_CONTAINER_ONLY | KEY_REQUIRED, "count",
	 "a number >= 1", .doc = "How many uids and gids the container owns."},
	{"rootfs.shifted", BOOL(rootfs_shifted), KEY_RECORDED, "boolean", "yes or no",
	 .doc = "The rootfs ownership was shifted at create (no idmapped mount)."},
	{"rootfs.snapshot_of", CHARS(snapshot_of), KEY_CONTAINER_ONLY | KEY_OPTIONAL | KEY_RECORDED,
	 "container", "NAME, NAME@SNAP or NAME@ (NAME a container of the store)",
	 "Set by clone --snapshot: the container whose rootfs is the read-only lower layer of this "
	 "one's overlayfs (its own changes are in overlay/upper); that container cannot start or "
	 "be destroyed while this one exists. NAME@SNAP: the sealed layers of NAME's snapshot SNAP "
	 "(clone NAME@SNAP --snapshot); NAME@: its own layers (after snapshot create or restore).",
	 .valid = snapshot_ref_valid},
	{"rootfs.source", STRING(rootfs_source), KEY_CONTAINER_ONLY | KEY_OPTIONAL, "text",
	 "printable characters without quotes, '#', ';' or '\\'",
	 "Set by create and clone: where the rootfs came from (template NAME RELEASE ARCH, "
	 "template NAME FILE|URL|IMAGE, tarball PATH, directory PATH, clone of NAME, snapshot "
	 "of NAME). Informational: lxmgr never reads it back.",
	 .valid = source_text_is_valid},
	{"rootfs.storage", CHARS(rootfs_storage), KEY_CONTAINER_ONLY | KEY_OPTIONAL | KEY_RECORDED,
	 "storage pool", STORAGE_CHOICES,
	 "Set by create: the storage pool of the rootfs and its snapshots: dir (a directory, "
	 "snapshots as sealed overlayfs layers) or btrfs (a subvolume of the store's btrfs, or of "
	 "a loop-mounted image LIB/.storage/btrfs.img); unset is dir. Never change it by hand.",
	 .valid = pool_name_valid},
	{"storage.default", CHARS(storage_default), KEY_GLOBAL_ONLY | KEY_OPTIONAL, "storage pool",
	 STORAGE_CHOICES,
	 "lxmgr.conf only: the pool of a new container when create, import or launch has no "
	 "--storage (a clone goes to its source's pool); unset is dir.",
	 .valid = pool_name_valid},
	{"storage.btrfs_size", LIMIT(storage_btrfs_size, 1 << 30),
	 KEY_GLOBAL_ONLY | KEY_OPTIONAL | KEY_SIZE, "size", "e.g. 20G or 1T, at least 1G",
	 .doc = "lxmgr.conf only: the size of the btrfs pool's sparse image file, made when the "
		"first btrfs container is created on a store that is not on btrfs itself (default "
		"20G; a later change does not resize it)."},
	{"limits.memory", LIMIT(memory_max, 4 << 20), KEY_OPTIONAL | KEY_SIZE, "size",
	 "e.g. 512M, 2G or max, at least 4M", .doc = "Hard memory limit (memory.max)."},
	{"limits.memory_high", LIMIT(memory_high, 4 << 20), KEY_OPTIONAL | KEY_SIZE, "size",
	 "e.g. 512M, 2G or max, at least 4M", .doc = "Memory throttling threshold (memory.high)."},
	{"limits.cpu", parse_cpu, print_cpu, OFF(cpu_millis), 10, 1024000, KEY_OPTIONAL,
	 "CPU count", "e.g. 0.5, 1.5 or 2, from 0.01 to 1024, or max",
	 .doc = "CPU quota in cores (cpu.max)."},
	{"limits.cpu_weight", U32(cpu_weight, 1, 10000), KEY_OPTIONAL, "weight",
	 "a number from 1 to 10000", .doc = "Relative CPU share (cpu.weight)."},
	{"limits.pids", LIMIT(pids_max, 1), KEY_OPTIONAL, "count", "a number >= 1 or max",
	 .doc = "Maximum number of tasks (pids.max)."},
	{"limits.disk", LIMIT(disk_max, 1 << 20), KEY_OPTIONAL | KEY_SIZE, "size",
	 "e.g. 500M, 10G or max, at least 1M",
	 .doc = "Disk space of the container's directory (a project quota); needs a store on ext4 "
		"or xfs with project quotas. On the btrfs pool: a qgroup limit of its subvolume."},
	{"net.mode", ENUM(net_mode, net_mode_names), 0, "network mode",
	 "none, host, bridge, routed or pasta",
	 "none: loopback only; host: the host's network; bridge: a veth on the bridge, NAT; "
	 "routed: a veth with a host route and proxy ARP; pasta: user-mode networking through "
	 "pasta(1), the rootless default.",
	 .names = net_mode_names},
	{"net.bridge", CHARS(net_bridge), KEY_OPTIONAL, "bridge",
	 "an interface name (1-15 characters)",
	 "bridge: the host bridge (default lxmgrbr0; lxbr-TAG for a --root store).",
	 .valid = ifname_is_valid},
	{"net.ip", CHARS(net_ip), KEY_OPTIONAL, "IPv4 address", "e.g. 10.77.0.5",
	 "The container's address: bridge: from the pool (allocated at create); routed: required.",
	 .valid = ipv4_is_valid},
	{"net.mac", CHARS(net_mac), KEY_OPTIONAL, "MAC address", "e.g. 02:12:34:56:78:9a (unicast)",
	 "MAC of eth0; derived from the uuid when unset.", .valid = mac_is_valid},
	{"net.uplink", CHARS(net_uplink), KEY_OPTIONAL, "interface",
	 "an interface name (1-15 characters)",
	 "routed: the host interface whose network reaches the container (proxy ARP).",
	 .valid = ifname_is_valid},
	{"net.pool", CHARS(net_pool), KEY_OPTIONAL, "subnet",
	 "an IPv4 CIDR such as 10.77.0.0/24 (/8 to /30)",
	 "The bridge's subnet (default 10.77.0.0/24, or a free 10.x.y.0/24); recorded at "
	 "create.",
	 .valid = pool_is_valid},
	{"net.dns", CHARS(net_dns), KEY_OPTIONAL, "DNS mode", "host, local or off",
	 "bridge: lxmgr's dnsmasq on the gateway (DHCP, NAME.lxmgr): host (default) also forwards "
	 "other names to the host's resolvers, local answers only NAME.lxmgr, off runs none.",
	 .valid = dns_is_valid},
	{"net.forward", CHARS(net_forward), KEY_OPTIONAL, "port forwards",
	 "PROTO:HOSTPORT:PORT, several separated by commas or spaces, e.g. tcp:8080:80 udp:5353:53",
	 "bridge: container ports published on every address of the host (DNAT in lxmgr's nft "
	 "table), from other hosts and from the host itself.",
	 .valid = forward_is_valid},
	{"net.ipv6", CHARS(net_ipv6), KEY_OPTIONAL, "boolean", "yes or no",
	 .valid = yes_no_is_valid,
	 .doc = "bridge: also an IPv6 address from the bridge's /64 (net.pool6), NAT66 to the "
		"outside; "
		"routed containers get IPv6 from net.ip6 alone."},
	{"net.ip6", CHARS(net_ip6), KEY_OPTIONAL, "IPv6 address", "e.g. fd12:3456:789a::5",
	 "The container's IPv6 address: bridge: from net.pool6 (allocated when net.ipv6 = yes); "
	 "routed: given, routed as a /128 and proxied (NDP) on the uplink.",
	 .valid = ipv6_is_valid},
	{"net.pool6", CHARS(net_pool6), KEY_OPTIONAL, "IPv6 /64",
	 "an IPv6 /64 such as fd12:3456:789a::/64",
	 "The bridge's IPv6 subnet (default: a ULA fdXX:XXXX:XXXX::/64 derived from the host's "
	 "machine-id and the bridge's name); recorded at create.",
	 .valid = pool6_is_valid},
	{"hooks.pre_start", CHARS(hook_pre_start), KEY_OPTIONAL, "hook path",
	 "an absolute path without spaces, quotes, '#' or ';'",
	 "A program run on the host before the container starts, after the pre-start.d hooks; "
	 "its failure aborts the start.",
	 .valid = init_path_is_valid},
	{"hooks.start_host", CHARS(hook_start_host), KEY_OPTIONAL, "hook path",
	 "an absolute path without spaces, quotes, '#' or ';'",
	 "A program run on the host once the container's namespaces exist, before its init runs "
	 "(LXMGR_PID); its failure aborts the start.",
	 .valid = init_path_is_valid},
	{"hooks.post_stop", CHARS(hook_post_stop), KEY_OPTIONAL, "hook path",
	 "an absolute path without spaces, quotes, '#' or ';'",
	 "A program run on the host after the container stopped.", .valid = init_path_is_valid},
	{"hooks.post_create", CHARS(hook_post_create), KEY_OPTIONAL, "hook path",
	 "an absolute path without spaces, quotes, '#' or ';'",
	 "A program run after create or clone built the container, before it appears; its "
	 "failure undoes the create (set it in lxmgr.conf, or in the source of a clone).",
	 .valid = init_path_is_valid},
	{"hooks.pre_destroy", CHARS(hook_pre_destroy), KEY_OPTIONAL, "hook path",
	 "an absolute path without spaces, quotes, '#' or ';'",
	 "A program run before destroy removes anything; its failure keeps the container.",
	 .valid = init_path_is_valid},
	{"hooks.timeout", U32(hook_timeout, 1, 86400), KEY_REQUIRED, "timeout",
	 "seconds from 1 to 86400",
	 .doc = "Seconds a hook may run before it is killed with its process group (default 60)."},
	{"console.autologin", CHARS(console_autologin), KEY_OPTIONAL, "user",
	 "a user name of the container, e.g. root",
	 "Log this user in on the console without a password (a getty drop-in lxmgr owns).",
	 .valid = name_is_valid},
	{"provision.user", CHARS(provision_user), KEY_OPTIONAL | KEY_CONTAINER_ONLY, "user name",
	 "1-32 of a-z 0-9 _ -, starting with a letter or _",
	 "A user made inside (home, shell) by `lxmgr provision`.",
	 .valid = provision_user_is_valid},
	{"provision.ssh_key", CHARS(provision_ssh_key), KEY_OPTIONAL | KEY_CONTAINER_ONLY,
	 "SSH public key", "one line such as ssh-ed25519 AAAA... comment (no # ; quotes)",
	 "A public key put into the user's ~/.ssh/authorized_keys (owner the user, 600).",
	 .valid = provision_ssh_key_is_valid},
	{"provision.sudo", BOOL(provision_sudo), KEY_CONTAINER_ONLY, "boolean", "yes or no",
	 .doc = "The user may run sudo without a password (sudo/wheel group and a sudoers "
		"drop-in)."},
	{"provision.packages", CHARS(provision_packages), KEY_OPTIONAL, "package list",
	 "package names separated by commas or spaces, e.g. git,vim",
	 "Packages installed with the guest's own apt, dnf, yum or apk.",
	 .valid = provision_packages_is_valid},
	{"provision.timezone", CHARS(provision_timezone), KEY_OPTIONAL, "timezone",
	 "a zoneinfo name such as Europe/Berlin or UTC",
	 "The guest's /etc/localtime (and /etc/timezone where the guest keeps one).",
	 .valid = provision_timezone_is_valid},
	{"provision.run", CHARS(provision_run), KEY_OPTIONAL | KEY_CONTAINER_ONLY, "path",
	 "an absolute host path without spaces, quotes, '#' or ';'",
	 "A host script run once inside as root by /bin/sh (again only when its text changes).",
	 .valid = provision_path_is_valid},
	{"provision.cloud_init", CHARS(provision_cloud_init), KEY_OPTIONAL | KEY_CONTAINER_ONLY,
	 "path", "an absolute host path without spaces, quotes, '#' or ';'",
	 "A cloud-init user-data file seeded as NoCloud into a guest that has cloud-init.",
	 .valid = provision_path_is_valid},
	{"provision.root_password", CHARS(provision_root_password),
	 KEY_OPTIONAL | KEY_CONTAINER_ONLY, "password hash",
	 "a crypt(3) hash such as $y$j9T$... (what --password-file set)",
	 "root's password hash, put into the guest's /etc/shadow when it differs.",
	 .valid = provision_hash_is_valid},
	{"mount.*", NULL, NULL, OFF(mounts), 0, 0, KEY_OPTIONAL | KEY_FAMILY, "mount",
	 "SRC:DST[:ro][:owner=USER], absolute paths, DST not in /proc, /sys or /dev",
	 "mount.NAME: a host directory (or file) SRC bound at DST inside at start, idmapped so "
	 "that host uid N owns it as uid N inside; :ro makes it read-only.",
	 .valid = mounts_value_is_valid, .check_host = mounts_check_host_mount},
	{"device.*", NULL, NULL, OFF(devices), 0, 0, KEY_OPTIONAL | KEY_FAMILY, "device",
	 "a character device under /dev, e.g. /dev/fuse",
	 "device.NAME: a host character device handed into the container's /dev at the same "
	 "path at start (root's inside) and allowed by its devices cgroup.",
	 .valid = mounts_device_is_valid, .check_host = mounts_check_host_device},
};
const size_t config_n_keys = ELEMENTSOF(config_keys);
_Static_assert(ELEMENTSOF(config_keys) <= CONFIG_KEYS_MAX, "raise CONFIG_KEYS_MAX");

const struct config_key *config_key_lookup(const char *name)
{
	const char *dot = name ? strchr(name, '.') : NULL;

	for (size_t i = 0; name && i < config_n_keys; i++) {
		const struct config_key *k = &config_keys[i];

		if (k->flags & KEY_FAMILY) {
			if (dot && (size_t)(dot - name) == key_section_len(k) &&
			    !strncasecmp(k->name, name, key_section_len(k)) &&
			    key_family_leaf_is_valid(dot + 1))
				return k;
		} else if (!strcasecmp(k->name, name)) {
			return k;
		}
	}
	return NULL;
}

/* iniparser lower-cases key names: only lower case is accepted, so what we write reads back. */
bool key_family_leaf_is_valid(const char *leaf)
{
	size_t n = strlen(leaf);

	return n >= 1 && n < CONFIG_ENTRY_NAME_MAX && leaf[0] != '-' &&
	       strspn(leaf, "abcdefghijklmnopqrstuvwxyz0123456789-_") == n;
}

struct config_entry *key_family_entries(const struct config_key *k, struct container_config *c)
{
	return FIELD(c, k, struct config_entry);
}

const struct config_entry *key_family_centries(const struct config_key *k,
					       const struct container_config *c)
{
	return CFIELD(c, k, struct config_entry);
}

int key_family_set(const struct config_key *k, const char *leaf, const char *value,
		   struct container_config *c)
{
	struct config_entry *e = key_family_entries(k, c), *slot = NULL;
	_cleanup_free_ char *name = NULL, *copy = NULL;

	if (!key_family_leaf_is_valid(leaf) || (value && !k->valid(value)))
		return -EINVAL;
	for (size_t i = 0; i < CONFIG_ENTRIES_MAX; i++)
		if (e[i].name && !strcmp(e[i].name, leaf))
			slot = &e[i];
	if (!value) {
		if (slot) {
			free(slot->name);
			free(slot->value);
			*slot = (struct config_entry){0};
		}
		return 0;
	}
	for (size_t i = 0; !slot && i < CONFIG_ENTRIES_MAX; i++)
		if (!e[i].name)
			slot = &e[i];
	if (!slot)
		return -ENOSPC;
	copy = strdup(value);
	if (!copy || (!slot->name && !(name = strdup(leaf))))
		return -ENOMEM;
	if (name)
		slot->name = TAKE_PTR(name);
	free(slot->value);
	slot->value = TAKE_PTR(copy);
	return 0;
}

void key_free_all(struct container_config *c)
{
	for (size_t i = 0; i < config_n_keys; i++) {
		const struct config_key *k = &config_keys[i];

		if (k->parse == parse_string) {
			char **field = FIELD(c, k, char *);

			free(*field);
			*field = NULL;
		}
	}
	key_family_free_all(c);
}

void key_family_free_all(struct container_config *c)
{
	for (size_t i = 0; i < config_n_keys; i++) {
		struct config_entry *e;

		if (!(config_keys[i].flags & KEY_FAMILY))
			continue;
		e = key_family_entries(&config_keys[i], c);
		for (size_t j = 0; j < CONFIG_ENTRIES_MAX; j++) {
			free(e[j].name);
			free(e[j].value);
			e[j] = (struct config_entry){0};
		}
	}
}

size_t key_section_len(const struct config_key *k)
{
	return (size_t)(strchr(k->name, '.') - k->name);
}

const char *key_leaf(const struct config_key *k)
{
	return k->name + key_section_len(k) + 1;
}

bool key_in_section(const struct config_key *k, const char *section)
{
	return strlen(section) == key_section_len(k) &&
	       !strncmp(k->name, section, key_section_len(k));
}

/* Families are left out: their keys are the names set in a config, not the table's. */
const char *config_key_name(size_t i, const char **ret_doc)
{
	for (size_t j = 0; j < config_n_keys; j++) {
		if (config_keys[j].flags & KEY_FAMILY)
			continue;
		if (i-- > 0)
			continue;
		if (ret_doc)
			*ret_doc = config_keys[j].doc;
		return config_keys[j].name;
	}
	return NULL;
}
