/* login.c: logging in on the console: root's password in the rootfs's /etc/shadow, and the
 * getty autologin drop-in that lxmgr owns. */
#include <crypt.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/lazy-libs.h"
#include "base/util.h"
#include "guest/login.h"

#define PASSWORD_MAX 1024

int login_read_password_file(const char *path, char **ret)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	int r;

	r = read_file_at(AT_FDCWD, path, PASSWORD_MAX, &text, &len);
	if (r < 0)
		return r;
	if (strlen(text) != len) {
		explicit_bzero(text, len);
		return -EINVAL;
	}
	text[strcspn(text, "\r\n")] = '\0';
	if (!text[0])
		return -EINVAL;
	*ret = TAKE_PTR(text);
	return 0;
}

int login_hash_password(const char *password, char **ret)
{
	/* SHA-512: every guest's libc reads it (musl on Alpine, glibc 2.17 on CentOS 7); yescrypt
	 * only where libxcrypt is. */
	static const char *const prefixes[] = {"$6$"};
	char rbytes[32], setting[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data *data = NULL;
	int r = -ENOSYS;

	if (getrandom(rbytes, sizeof(rbytes), 0) != (ssize_t)sizeof(rbytes))
		return -errno;
	data = calloc(1, sizeof(*data));
	if (!data)
		return -ENOMEM;
	for (size_t i = 0; i < ELEMENTSOF(prefixes) && r < 0; i++) {
		const char *hash;

		if (!crypt_gensalt_rn(prefixes[i], 0, rbytes, sizeof(rbytes), setting,
				      sizeof(setting)))
			continue;
		hash = crypt_rn(password, setting, data, sizeof(*data));
		/* Failures give NULL or a string starting with '*'. */
		if (!hash || hash[0] != '$')
			continue;
		*ret = strdup(hash);
		r = *ret ? 0 : -ENOMEM;
	}
	explicit_bzero(data, sizeof(*data));
	explicit_bzero(rbytes, sizeof(rbytes));
	free(data);
	return r;
}

/* Appends line to out with its hash (field 2) and last change (field 3) replaced. */
static int replace_fields(FILE *out, const char *line, size_t len, const char *hash, long day)
{
	const char *c1 = memchr(line, ':', len), *c2, *c3;

	if (!c1 || !(c2 = memchr(c1 + 1, ':', len - (size_t)(c1 + 1 - line))))
		return -EINVAL;
	c3 = memchr(c2 + 1, ':', len - (size_t)(c2 + 1 - line));
	fprintf(out, "%.*s%s:%ld", (int)(c1 + 1 - line), line, hash, day);
	if (c3)
		fwrite(c3, 1, len - (size_t)(c3 - line), out);
	return 0;
}

int login_shadow_replace(const char *text, const char *user, const char *hash, long day, char **ret)
{
	_cleanup_free_ char *buf = NULL;
	size_t ulen = strlen(user), size = 0;
	_cleanup_fclose_ FILE *out = NULL;
	bool found = false;
	int r = 0;

	if (strpbrk(hash, ":\n") || !ulen || strpbrk(user, ":\n"))
		return -EINVAL;
	out = open_memstream(&buf, &size);
	if (!out)
		return -ENOMEM;
	for (const char *p = text; *p && r >= 0;) {
		size_t len = strcspn(p, "\n");

		if (!found && len > ulen && !strncmp(p, user, ulen) && p[ulen] == ':') {
			r = replace_fields(out, p, len, hash, day);
			found = true;
		} else
			fwrite(p, 1, len, out);
		if (p[len] == '\n')
			fputc('\n', out);
		p += len + (p[len] == '\n');
	}
	if (fclose(TAKE_PTR(out)) != 0)
		return -ENOMEM;
	if (r < 0)
		return r;
	if (!found)
		return -ESRCH;
	*ret = TAKE_PTR(buf);
	return 0;
}

/* Through a temporary file beside it, fsync, rename: a reader sees the old or the new file. */
static int write_owned(int dirfd, const char *name, const char *data, size_t len, uid_t uid,
		       gid_t gid, mode_t mode)
{
	char tmp[128];
	unsigned rnd = 0;
	_cleanup_close_ int fd = -EBADF;
	int r = 0;

	if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) < 0)
		rnd = (unsigned)getpid();
	(void)snprintf(tmp, sizeof(tmp), ".%s.lxmgr-%08x", name, rnd);
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	if (fchown(fd, uid, gid) < 0 || fchmod(fd, mode) < 0)
		r = -errno;
	for (size_t done = 0; r >= 0 && done < len;) {
		ssize_t n = write(fd, data + done, len - done);

		if (n < 0 && errno != EINTR)
			r = -errno;
		else if (n > 0)
			done += (size_t)n;
	}
	if (r >= 0 && fsync(fd) < 0)
		r = -errno;
	if (r >= 0 && renameat(dirfd, tmp, dirfd, name) < 0)
		r = -errno;
	if (r < 0)
		(void)unlinkat(dirfd, tmp, 0);
	return r;
}

int login_set_password(int rootfd, const char *user, const char *password)
{
	_cleanup_free_ char *hash = NULL;
	int r;

	r = login_hash_password(password, &hash);
	if (r < 0)
		return r;
	return login_set_hash(rootfd, user, hash);
}

int login_set_hash(int rootfd, const char *user, const char *hash)
{
	_cleanup_free_ char *text = NULL, *out = NULL;
	_cleanup_close_ int etc = -EBADF, fd = -EBADF;
	struct stat st;
	int r;

	etc = open_in_root(rootfd, "/etc", O_RDONLY | O_DIRECTORY, 0);
	if (etc < 0)
		return etc;
	/* The container owns its /etc: never follow a link it put there. */
	fd = openat(etc, "shadow", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	r = read_fd_all(fd, 1 << 20, &text, NULL);
	if (r < 0)
		return r;
	r = login_shadow_replace(text, user, hash, (long)(time(NULL) / 86400), &out);
	if (r < 0)
		return r;
	return write_owned(etc, "shadow", out, strlen(out), st.st_uid, st.st_gid,
			   st.st_mode & 07777);
}

int login_autologin_dropin(const char *user, char **ret)
{
	/* "-" as the terminal, as the distribution's unit has it: systemd opens /dev/console
	 * (TTYPath=), resets and hangs it up before agetty runs. */
	return xasprintf(ret,
			 "# Written by lxmgr at every start from console.autologin; lxmgr owns "
			 "this file.\n"
			 "[Service]\n"
			 "ExecStart=\n"
			 "ExecStart=-/sbin/agetty --autologin %s --noclear --keep-baud - "
			 "115200,38400,9600 $TERM\n",
			 user);
}

int login_apply_autologin(int rootfd, const char *user, uid_t owner, gid_t group)
{
	_cleanup_close_ int sys = -EBADF, dir = -EBADF;
	_cleanup_free_ char *text = NULL;
	const char *leaf = strrchr(LOGIN_DROPIN_DIR, '/') + 1;
	int r;

	sys = open_in_root(rootfd, "/etc/systemd/system", O_RDONLY | O_DIRECTORY, 0);
	if (sys < 0)
		return user ? sys : 0;
	if (!user) {
		dir = openat(sys, leaf, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		if (dir < 0)
			return errno == ENOENT ? 0 : -errno;
		if (unlinkat(dir, LOGIN_DROPIN_NAME, 0) < 0 && errno != ENOENT)
			return -errno;
		if (unlinkat(sys, leaf, AT_REMOVEDIR) < 0 && errno != ENOTEMPTY && errno != EEXIST)
			return -errno;
		return 0;
	}
	if (mkdirat(sys, leaf, 0755) == 0) {
		if (fchownat(sys, leaf, owner, group, AT_SYMLINK_NOFOLLOW) < 0)
			return -errno;
	} else if (errno != EEXIST)
		return -errno;
	dir = openat(sys, leaf, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (dir < 0)
		return -errno;
	r = login_autologin_dropin(user, &text);
	if (r < 0)
		return r;
	return write_owned(dir, LOGIN_DROPIN_NAME, text, strlen(text), owner, group, 0644);
}
