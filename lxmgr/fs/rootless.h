/* rootless.h: lxmgr run by an ordinary user: the user's store paths (XDG base directories),
 * the user's subordinate ids, id maps written by newuidmap(1), and a user namespace that maps
 * a container's range for the steps that must own its files (docs/rootless.md). */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct lxmgr_paths;

/* Whether lxmgr runs as an ordinary user (not euid 0): the rootless rules apply, with or
 * without --root. */
bool rootless_active(void);

/* The user's store: XDG_DATA_HOME/lxmgr (containers), XDG_RUNTIME_DIR/lxmgr (runtime; when
 * unset /run/user/UID if the user owns it, else TMPDIR/lxmgr-run-UID, said on stderr as
 * podman does), XDG_STATE_HOME/lxmgr/log, XDG_CACHE_HOME/lxmgr,
 * XDG_CONFIG_HOME/lxmgr/lxmgr.conf and XDG_CONFIG_HOME/lxmgr/hooks. Unset XDG variables
 * take their defaults under HOME. -ENOENT when neither HOME nor the variable is set. */
int rootless_paths_init(struct lxmgr_paths *p);

/* The runtime directory used when XDG_RUNTIME_DIR is unset (static buffer). */
const char *rootless_runtime_fallback(void);

/* The user's name (from the password database, else the numeric uid as text), for the subid
 * files; static buffer. */
const char *rootless_user_name(void);

/* Why rootless lxmgr cannot work on this host, as one line in why (the sysctl that disables
 * unprivileged user namespaces; newuidmap/newgidmap missing or not setuid root, naming the
 * package): 1 with why, 0 when all is there. */
int rootless_host_problem(char *why, size_t size);

/* Writes "0 UID_BASE COUNT" (and the same for gids) into the maps of pid through
 * newuidmap(1)/newgidmap(1); when map_self, also maps the caller's own uid and gid as id
 * COUNT inside (the store's files stay reachable). 0 or -errno; -EPERM when a helper
 * refused (its first line of stderr in msg). */
int rootless_write_maps(pid_t pid, uint32_t uid_base, uint32_t gid_base, uint32_t count,
			bool map_self, char *msg, size_t size);

/* Runs fn(userdata) in a child that is root of a new user namespace mapping
 * [uid_base, +count) and [gid_base, +count) as 0..count-1, and the caller's own ids as count
 * (so it can still reach the store's directories). Returns fn's result (0 or -errno, passed
 * back through the exit status: errno values only), or -errno of the setup. */
int rootless_run_in_userns(uint32_t uid_base, uint32_t gid_base, uint32_t count,
			   int (*fn)(void *userdata), void *userdata, char *msg, size_t size);

/* fn(userdata) where the files of the block [uid_base, +count) can be reached: in this
 * process for root and inside the user's own namespace (rootless_reexec), else, for an
 * ordinary user outside it, as root of a user namespace of the block (rootless_run_in_userns,
 * whose setup message is dropped). fn's result. */
int rootless_run_as_block_root(uint32_t uid_base, uint32_t gid_base, uint32_t count,
			       int (*fn)(void *userdata), void *userdata);

struct lxmgr_ctx;
struct idmap_range;

/* The user's own ranges in path (/etc/subuid or /etc/subgid, or LXMGR_SUBUID/LXMGR_SUBGID),
 * by name or uid. None is reported (naming the file and the usermod line that adds one) as
 * LX_SYNTHETIC(-ENOENT); a range smaller than one container (size ids) as
 * LX_SYNTHETIC(-ERANGE). Returns the number of ranges. */
int rootless_owned_ranges(const struct lxmgr_ctx *ctx, const char *path, bool gid, uint32_t size,
			  struct idmap_range *ret, size_t max);

/* "root" for root, the user's name for a rootless lxmgr: whose subid ranges hold the ids. */
const char *idmap_owner_name(void);

/* rm -rf of path: for root (or ids not chosen yet: uid_base 0) in this process; rootless
 * inside a user namespace mapping the range, where the shifted tree's owner can remove what
 * the user cannot even read from outside. 0 or -errno. */
int rootless_remove_tree(const char *path, uint32_t uid_base, uint32_t gid_base, uint32_t count);

/* rootless_remove_tree of a container's directory (or a create's or destroy's leftover),
 * with the range its config file records. */
int rootless_remove_container_dir(const char *path);

/* Whether this process must write id maps through newuidmap (it is not root of any user
 * namespace): rootless and outside the user namespace of rootless_reexec. */
bool rootless_outside(void);

/* The user's uid, also inside rootless_reexec's namespace (where getuid() is 0). */
uid_t rootless_uid(void);

/* For the verbs that run a container (start, restart): re-executes argv in a new user
 * namespace where the user is root (0 maps to the user's uid; the user's subordinate ranges
 * map to themselves, so a container's host ids are the same numbers inside) and in a private
 * mount namespace, then returns the child's exit status. The code inside takes root's paths
 * of the start sequence, with the user's store and ranges (LXMGR_ROOTLESS_USER). Returns
 * -errno when the namespace cannot be made (msg says why). */
int rootless_reexec(char **argv, char *msg, size_t size);

/* Outside: joins the user and mount namespaces of a running container's monitor
 * (made by rootless_reexec), so that the code after it runs as the root of the user's own
 * namespace as the monitor does (attach enters the container from there). 0 or -errno. */
int rootless_join(pid_t monitor);
