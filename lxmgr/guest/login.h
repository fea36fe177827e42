/* login.h: logging in on the console: root's password in the rootfs's /etc/shadow, and the
 * getty autologin drop-in that lxmgr owns. */
#pragma once

#include <stddef.h>
#include <sys/types.h>

#define LOGIN_DROPIN_DIR "/etc/systemd/system/console-getty.service.d"
#define LOGIN_DROPIN_NAME "lxmgr-autologin.conf"

/* Reads a password from the first line of path (the newline dropped). -EINVAL when it is
 * empty or holds a NUL. *ret is malloc'd; the caller wipes and frees it. */
int login_read_password_file(const char *path, char **ret);
/* Hashes password with SHA-512 crypt ("$6$"), which every guest's libc verifies (yescrypt
 * does not work with musl or old glibc), with a salt from getrandom(2). *ret is malloc'd. */
int login_hash_password(const char *password, char **ret);
/* The text of a shadow file with user's hash replaced and its last change set to day
 * (days since 1970); a pure function of its arguments. -ESRCH when user has no line, -EINVAL
 * for a hash holding ':' or a newline. *ret is malloc'd. */
int login_shadow_replace(const char *text, const char *user, const char *hash, long day,
			 char **ret);
/* Sets user's password in ROOT/etc/shadow (rootfd: the rootfs, opened O_PATH or O_RDONLY),
 * writing atomically and keeping the file's owner and mode. */
int login_set_password(int rootfd, const char *user, const char *password);
/* The same with a crypt(3) hash made already (provision.root_password). */
int login_set_hash(int rootfd, const char *user, const char *hash);
/* The text of the drop-in for user (a pure function). */
int login_autologin_dropin(const char *user, char **ret);
/* Installs the drop-in for user, owned by owner:group (the container's root as the rootfs
 * stores it), or removes it (and its directory when empty) when user is NULL. */
int login_apply_autologin(int rootfd, const char *user, uid_t owner, gid_t group);
