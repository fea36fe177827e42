/* guest-locale.c: whether a running guest's C library has a locale, for exec's LANG. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "guest/locale.h"
#include "base/util.h"

static bool exists_in(int rootfd, const char *dir, const char *name)
{
	_cleanup_close_ int fd = -EBADF;
	char path[256];

	(void)snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open_in_root(rootfd, path, O_PATH, 0);
	return fd >= 0;
}

/* glibc looks up "C.UTF-8" also as "C.utf8", the name localedef gives the directory. */
static void normalized(const char *name, char *buf, size_t size)
{
	const char *dot = strchr(name, '.');

	if (dot && (!strcasecmp(dot, ".UTF-8") || !strcasecmp(dot, ".utf8")))
		(void)snprintf(buf, size, "%.*s.utf8", (int)(dot - name), name);
	else
		(void)snprintf(buf, size, "%s", name);
}

bool guest_has_locale(pid_t pid, const char *name)
{
	_cleanup_close_ int rootfd = -EBADF;
	char root[64], norm[128];

	if (!strcmp(name, "C") || !strcmp(name, "POSIX"))
		return true;
	if (strchr(name, '/') || strlen(name) >= sizeof(norm))
		return false;
	(void)snprintf(root, sizeof(root), "/proc/%d/root", (int)pid);
	rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return false;
	normalized(name, norm, sizeof(norm));
	if (exists_in(rootfd, "/usr/lib/locale", name) ||
	    exists_in(rootfd, "/usr/lib/locale", norm))
		return true;
	if (!strncmp(name, "C.", 2))
		return false;
	return exists_in(rootfd, "/usr/lib/locale", "locale-archive");
}
