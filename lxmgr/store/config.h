/* config.h: a container's persistent INI configuration: the key table, load, validate, edit. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct lxmgr_ctx;

enum init_kind {
	INIT_KIND_UNKNOWN,
	INIT_KIND_SYSTEMD,
	INIT_KIND_OPENRC,
	INIT_KIND_SYSVINIT,
	INIT_KIND_BUSYBOX,
	_INIT_KIND_MAX,
};
const char *init_kind_to_string(enum init_kind k);
int init_kind_from_string(const char *s, enum init_kind *ret);

/* How /sys/fs/cgroup looks inside (DESIGN §6, §11). unified: cgroup2 only; hybrid: a tmpfs
 * with a v1 name=systemd hierarchy at systemd/ and cgroup2 at unified/ (systemd < 230, which
 * cannot run on cgroup2 alone); legacy: the same without cgroup2. */
enum cgroup_layout {
	CGROUP_LAYOUT_UNIFIED,
	CGROUP_LAYOUT_HYBRID,
	CGROUP_LAYOUT_LEGACY,
	_CGROUP_LAYOUT_MAX,
};
const char *cgroup_layout_to_string(enum cgroup_layout l);
int cgroup_layout_from_string(const char *s, enum cgroup_layout *ret);

enum net_mode {
	NET_MODE_NONE,
	NET_MODE_HOST,
	NET_MODE_BRIDGE,
	NET_MODE_ROUTED,
	NET_MODE_PASTA, /* user-mode networking through pasta(1): the rootless default */
	_NET_MODE_MAX,
};
const char *net_mode_to_string(enum net_mode m);
int net_mode_from_string(const char *s, enum net_mode *ret);

#define CPU_QUOTA_UNSET 0 /* limits.cpu unset: no cap */
#define LIMIT_UNSET UINT64_MAX

/* A key of a family ("mount.NAME", "device.NAME"): the leaf is a free name, the value text.
 * Unused slots have name NULL. */
/* The largest config file read. */
#define CONFIG_FILE_MAX (1024 * 1024)
#define CONFIG_ENTRIES_MAX 16
#define CONFIG_ENTRY_NAME_MAX 32
struct config_entry {
	char *name;  /* the leaf: lower-case letters, digits, '-' and '_' */
	char *value; /* as the family's parser accepted it */
};

/* Every field is a key of the table in config.c ("section.key" for users and in errors). */
struct container_config {
	/* [container] */
	char *name;               /* container.name: must equal the directory name */
	char *uuid;               /* container.uuid: lower-case 36-char RFC 4122 text */
	char *hostname;           /* container.hostname: defaults to the name */
	char *init;               /* container.init: path inside, default /sbin/init */
	enum init_kind init_kind; /* container.init_kind: detected at create */
	uint32_t systemd_version; /* container.systemd_version: 0 unless systemd */
	int stop_signal;          /* container.stop_signal: SIGRTMIN+3 for systemd */
	uint32_t stop_timeout;    /* container.stop_timeout: seconds, default 30 */
	bool autostart;           /* container.autostart */
	bool nesting;             /* container.nesting: what an lxmgr inside needs */
	bool notify_ready;        /* container.notify_ready: READY=1 from the guest's systemd */
	bool guest_fixups;        /* guest.fixups: lxmgr's fix-ups of container-unfit units */
	/* container.cgroup_layout: set at create from systemd_version */
	enum cgroup_layout cgroup_layout;
	/* [idmap] */
	uint32_t uid_base; /* idmap.uid_base: host uid of root inside */
	uint32_t gid_base; /* idmap.gid_base */
	uint32_t id_count; /* idmap.size: default 65536 */
	/* [rootfs] */
	bool rootfs_shifted; /* rootfs.shifted: ownership was shifted at create */
	/* rootfs.snapshot_of: the container whose rootfs is this one's overlayfs lower layer
	 * (clone --snapshot); "" for a rootfs of its own */
	char snapshot_of[130]; /* NAME, NAME@SNAP or NAME@ (snapshot.h) */
	/* rootfs.source: where create or clone took the rootfs from, e.g. "template debian
	 * bookworm x86_64"; NULL when unknown (a container made before the key existed) */
	char *rootfs_source;
	/* rootfs.storage: the pool the rootfs lives in, "dir" or "btrfs" (storage.h); "" for a
	 * container made before pools: dir */
	char rootfs_storage[8];
	/* [storage] lxmgr.conf only: the pool of a new container, and the btrfs image's size */
	char storage_default[8];     /* storage.default: "" = dir */
	uint64_t storage_btrfs_size; /* storage.btrfs_size: bytes or LIMIT_UNSET (20G) */
	/* [limits] */
	uint64_t memory_max;  /* limits.memory: bytes or LIMIT_UNSET */
	uint64_t memory_high; /* limits.memory_high */
	uint32_t cpu_millis;  /* limits.cpu: "1.5" cores -> 1500; CPU_QUOTA_UNSET */
	uint32_t cpu_weight;  /* limits.cpu_weight: 1-10000, 0 unset */
	uint64_t pids_max;    /* limits.pids */
	uint64_t disk_max;    /* limits.disk: bytes or LIMIT_UNSET (a project quota) */
	/* [net] */
	enum net_mode net_mode; /* net.mode: none, host, bridge, routed, pasta */
	/* Fixed arrays, "" when unset: interface names, addresses and CIDRs are short. */
	char net_bridge[16];   /* net.bridge: "" = the store's default bridge */
	char net_ip[16];       /* net.ip: IPv4 address; allocated from the pool when bridged */
	char net_mac[18];      /* net.mac: "" = derived from the uuid */
	char net_uplink[16];   /* net.uplink: routed: where the address is proxied */
	char net_pool[19];     /* net.pool: the bridge's subnet when lxmgr creates it */
	char net_dns[8];       /* net.dns: host (default), local or off */
	char net_forward[256]; /* net.forward: "tcp:8080:80 udp:5353:53" published on the host */
	char net_ipv6[4];      /* net.ipv6: "yes": bridged, IPv6 too; "no" or "" (unset) */
	char net_ip6[46];      /* net.ip6: IPv6 address; allocated from net.pool6 when bridged */
	char net_pool6[50];    /* net.pool6: the bridge's IPv6 /64 (a derived ULA when unset) */
	/* [hooks] a hook program per kind (hooks.h), run after those of the hook directories */
	char hook_pre_start[256];   /* hooks.pre_start */
	char hook_start_host[256];  /* hooks.start_host */
	char hook_post_stop[256];   /* hooks.post_stop */
	char hook_post_create[256]; /* hooks.post_create */
	char hook_pre_destroy[256]; /* hooks.pre_destroy */
	uint32_t hook_timeout;      /* hooks.timeout: seconds before a hook is killed, 60 */
	/* [console] */
	char console_autologin[33]; /* console.autologin: a user logged in on the console; "" */
	/* [provision] what create was asked to set up inside; `lxmgr provision` re-applies it */
	char provision_user[33];           /* provision.user: made with home and shell */
	char provision_ssh_key[800];       /* provision.ssh_key: one public key line */
	bool provision_sudo;               /* provision.sudo: sudo without a password */
	char provision_packages[512];      /* provision.packages: space separated names */
	char provision_timezone[64];       /* provision.timezone: e.g. Europe/Berlin */
	char provision_run[256];           /* provision.run: host script run once inside */
	char provision_cloud_init[256];    /* provision.cloud_init: NoCloud user-data file */
	char provision_root_password[256]; /* provision.root_password: crypt(3) hash */
	/* [mount] mount.NAME = SRC:DST[:ro]: host directories bound in at start (mounts.h) */
	struct config_entry mounts[CONFIG_ENTRIES_MAX];
	/* [device] device.NAME = /dev/PATH: host character devices bound into /dev */
	struct config_entry devices[CONFIG_ENTRIES_MAX];
};

/* Where a problem was found, for "FILE:LINE: key: message". line 0 when unknown. */
struct config_error {
	char file[512];
	unsigned line;
	char key[64];
	char message[256];
};

/* Fills c with the built-in defaults (no name, uuid or id range). */
void config_init_defaults(struct container_config *c);
/* Frees the strings of c (not c itself); c may be half-filled. */
void config_done(struct container_config *c);

/* Parses the INI file at path onto c (keys not in the file keep their current value, so a
 * caller loads defaults, then the global file, then the container's file). Unknown sections,
 * unknown keys and bad values fail with -EINVAL and *err filled in. A missing file is -ENOENT.
 * global=true refuses keys that only a container may hold (name, uuid, idmap.*). */
int config_parse_file(const char *path, bool global, struct container_config *c,
		      struct config_error *err);

/* config_parse_file on text already read from path (iniparser still reads the file). */
int config_parse_text(const char *path, const char *text, size_t len, bool global,
		      struct container_config *c, struct config_error *err);

/* A quick look at the raw text of a container config, for passes over the store that need
 * one or two keys (a full parse costs ten times the read, most of it iniparser's): the value
 * of section.key when it is there once and plain (PEEK_PLAIN characters only, as lxmgr
 * writes names, ids and references), copied into buf. 1, 0 when the key is not there, or
 * -ENODATA for anything else (a bad line, a repeat, a quoted or odd value), when the caller
 * parses the file instead. */
#define PEEK_PLAIN "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.@-"
int config_peek(const char *text, const char *section, const char *key, char *buf, size_t size);

/* The [idmap] uid_base, gid_base and size through config_peek, each a decimal number that
 * fits 32 bits: 0, or -ENODATA. */
int config_peek_ids(const char *text, uint32_t *ret_uid_base, uint32_t *ret_gid_base,
		    uint32_t *ret_count);

/* Checks the cross-key rules of a loaded config (name valid, uuid present, id range set). */
int config_validate(const struct container_config *c, struct config_error *err);

/* Value of a key as text ("512M" style not needed: canonical form), or -ENOENT for an
 * unknown key. *ret is malloc'd; an unset optional key gives "". */
int config_get(const struct container_config *c, const char *key, char **ret);

/* Checks value for key (not a family) as a config file would have it: 0, or -EINVAL with
 * *err naming the key and what it expects (err->file ""). */
int config_check_value(const char *key, const char *value, struct config_error *err);
/* Whether iniparser keeps c as written in a free-text value (rootfs.source): printable
 * ASCII other than the quotes, '#', ';' and '\' it strips or cuts at. */
bool config_text_char_is_kept(char c);

/* The lock of the config file at path: flock(LOCK_EX) on PATH.lock (created 0600), blocking,
 * not the container directory that a monitor holds while it runs. Returns the fd, the lock
 * lasting until it is closed, or -errno. Taken last: nothing waits for another lock while
 * holding it. */
#define CONFIG_LOCK_SUFFIX ".lock"
int config_lock(const char *path);

/* Sets or unsets key in the file at path, keeping every other line (comments, order) as it
 * is, after checking that the new value parses; the write is atomic (temp, fsync, rename).
 * The read, the change and the write happen under config_lock(path), so concurrent edits of
 * different keys all land. value NULL unsets. Unknown key or bad value: -EINVAL with *err
 * filled, file untouched. */
int config_edit_file(const char *path, const char *key, const char *value,
		     struct config_error *err);

/* Writes a complete new config file for c (used by create). Atomic. */
int config_write_file(const char *path, const struct container_config *c);

/* Iterates the key table: returns the i-th key name and its one-line description, or NULL. */
const char *config_key_name(size_t i, const char **ret_doc);
