/* ns-owner.c: prints the host uid that owns the user namespace of each PID given.
 *
 * Usage: ns-owner PID...   prints "PID UID" per line; exit 1 if any could not be read.
 * The owner is the effective uid of whoever created the namespace, as the kernel records
 * it (ioctl NS_GET_OWNER_UID on /proc/PID/ns/user, ioctl_ns(2)); inotify instances and
 * keys of the processes inside are charged to that user. */
#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static int owner_of(const char *pid)
{
	char path[64];
	uid_t uid;
	int fd, r;

	(void)snprintf(path, sizeof(path), "/proc/%s/ns/user", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "ns-owner: open %s: %s\n", path, strerror(errno));
		return 1;
	}
	r = ioctl(fd, NS_GET_OWNER_UID, &uid);
	if (r < 0) {
		fprintf(stderr, "ns-owner: NS_GET_OWNER_UID %s: %s\n", path, strerror(errno));
		(void)close(fd);
		return 1;
	}
	(void)close(fd);
	printf("%s %u\n", pid, (unsigned)uid);
	return 0;
}

int main(int argc, char **argv)
{
	int failed = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: ns-owner PID...\n");
		return 2;
	}
	for (int i = 1; i < argc; i++)
		failed |= owner_of(argv[i]);
	return failed;
}
