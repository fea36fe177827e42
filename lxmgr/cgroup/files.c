/* files.c: reading and writing the files of a cgroup directory, shared by the v2, v1 and
 * devices parts (a leaf: it calls none of them). */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/util.h"
#include "cgroup/internal.h"

/* One write(2) with O_TRUNC: the kernel parses each write on its own, and a test's regular
 * file must not keep the tail of a longer earlier value. */
int cg_write(const char *dir, const char *file, const char *value)
{
	_cleanup_free_ char *p = NULL;
	_cleanup_close_ int fd = -EBADF;
	size_t len = strlen(value);
	ssize_t n;
	int r;

	r = xasprintf(&p, "%s/%s", dir, file);
	if (r < 0)
		return r;
	fd = NEG_ERRNO(open(p, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW));
	if (fd < 0)
		return fd;
	n = write(fd, value, len);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

int cg_set_str(char **p, const char *s)
{
	char *t = strdup(s);

	if (!t)
		return -ENOMEM;
	free(*p);
	*p = t;
	return 0;
}

int cg_read(const char *dir, const char *file, char **ret)
{
	_cleanup_free_ char *p = NULL;
	int r;

	r = xasprintf(&p, "%s/%s", dir, file);
	if (r < 0)
		return r;
	return read_file_at(AT_FDCWD, p, 1 << 20, ret, NULL);
}
