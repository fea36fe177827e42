/* boundary.c: descriptors and keyrings a host process sheds before it enters a container. */
#include <errno.h>
#include <linux/close_range.h>
#include <linux/keyctl.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/util.h"
#include "run/boundary.h"

#define MAX_KEEP 16

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

static int close_span(unsigned lo, unsigned hi, unsigned flags)
{
	if (lo > hi)
		return 0;
	return NEG_ERRNO((int)syscall(SYS_close_range, lo, hi, flags));
}

int boundary_close_fds(const int *keep, size_t n_keep, bool cloexec)
{
	unsigned flags = cloexec ? CLOSE_RANGE_CLOEXEC : 0, from = 3;
	int sorted[MAX_KEEP];
	size_t n = 0;
	int r;

	for (size_t i = 0; i < n_keep; i++) {
		if (keep[i] <= STDERR_FILENO)
			continue;
		if (n == MAX_KEEP)
			return -E2BIG;
		sorted[n++] = keep[i];
	}
	qsort(sorted, n, sizeof(sorted[0]), cmp_int);
	for (size_t i = 0; i < n; i++) {
		r = close_span(from, (unsigned)sorted[i] - 1, flags);
		if (r < 0)
			return r;
		from = (unsigned)sorted[i] + 1;
	}
	return close_span(from, ~0U, flags);
}

int boundary_new_session_keyring(void)
{
	/* A NULL name makes an anonymous keyring: nothing inside can find it by name. */
	long r = syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, (char *)NULL);

	if (r < 0 && errno == ENOSYS)
		return 0;
	return r < 0 ? -errno : 0;
}
