/* fuse-hello.c: a FUSE file system without libfuse, for mount-devices.sh: opens /dev/fuse,
 * mounts it at MOUNTPOINT (fuse's own mount(2) options) and serves one read-only file,
 * "hello", until it is unmounted. Static, so it needs nothing of the guest. Exit status: 0
 * once mounted (the server goes on in a child), 1 with a line on stderr otherwise. */
#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#define FILE_INO 2
static const char content[] = "hello from fuse\n";

static void fill_attr(uint64_t ino, struct fuse_attr *a)
{
	memset(a, 0, sizeof(*a));
	a->ino = ino;
	a->nlink = ino == FUSE_ROOT_ID ? 2 : 1;
	a->mode = ino == FUSE_ROOT_ID ? S_IFDIR | 0755 : S_IFREG | 0444;
	a->size = ino == FUSE_ROOT_ID ? 0 : sizeof(content) - 1;
	a->blksize = 4096;
}

static void reply(int fd, const struct fuse_in_header *in, int error, const void *data, size_t len)
{
	struct fuse_out_header out = {
		.len = (uint32_t)(sizeof(out) + (error ? 0 : len)),
		.error = error,
		.unique = in->unique,
	};
	struct iovec iov[2] = {{&out, sizeof(out)}, {(void *)data, error ? 0 : len}};

	(void)!writev(fd, iov, 2);
}

static void on_init(int fd, const struct fuse_in_header *in, const struct fuse_init_in *arg)
{
	struct fuse_init_out out = {
		.major = FUSE_KERNEL_VERSION,
		.minor = arg->minor < FUSE_KERNEL_MINOR_VERSION ? arg->minor
								: FUSE_KERNEL_MINOR_VERSION,
		.max_readahead = arg->max_readahead,
		.max_write = 4096,
	};

	reply(fd, in, 0, &out, sizeof(out));
}

static void on_lookup(int fd, const struct fuse_in_header *in, const char *name)
{
	struct fuse_entry_out out = {.nodeid = FILE_INO, .entry_valid = 1, .attr_valid = 1};

	if (in->nodeid != FUSE_ROOT_ID || strcmp(name, "hello") != 0) {
		reply(fd, in, -ENOENT, NULL, 0);
		return;
	}
	fill_attr(FILE_INO, &out.attr);
	reply(fd, in, 0, &out, sizeof(out));
}

static void on_read(int fd, const struct fuse_in_header *in, const struct fuse_read_in *arg)
{
	size_t len = sizeof(content) - 1, off = arg->offset < len ? (size_t)arg->offset : len;
	size_t n = len - off < arg->size ? len - off : arg->size;

	reply(fd, in, 0, content + off, n);
}

/* One request; false when the file system is gone. */
static int serve_one(int fd, char *buf, size_t size)
{
	const struct fuse_in_header *in = (const void *)buf;
	const void *arg = buf + sizeof(*in);
	ssize_t n = read(fd, buf, size);

	if (n < 0)
		return errno == EINTR || errno == ENOENT || errno == EAGAIN ? 1 : 0;
	if ((size_t)n < sizeof(*in))
		return 0;
	switch (in->opcode) {
	case FUSE_INIT:
		on_init(fd, in, arg);
		break;
	case FUSE_LOOKUP:
		on_lookup(fd, in, arg);
		break;
	case FUSE_GETATTR: {
		struct fuse_attr_out out = {.attr_valid = 1};

		fill_attr(in->nodeid, &out.attr);
		reply(fd, in, 0, &out, sizeof(out));
		break;
	}
	case FUSE_OPEN: {
		struct fuse_open_out out = {0};

		reply(fd, in, in->nodeid == FILE_INO ? 0 : -EISDIR, &out, sizeof(out));
		break;
	}
	case FUSE_READ:
		on_read(fd, in, arg);
		break;
	case FUSE_FLUSH:
	case FUSE_RELEASE:
		reply(fd, in, 0, NULL, 0);
		break;
	case FUSE_FORGET:
	case FUSE_BATCH_FORGET:
	case FUSE_INTERRUPT:
		break; /* no reply */
	case FUSE_DESTROY:
		reply(fd, in, 0, NULL, 0);
		return 0;
	default:
		reply(fd, in, -ENOSYS, NULL, 0);
	}
	return 1;
}

int main(int argc, char **argv)
{
	static char buf[FUSE_MIN_READ_BUFFER + 1024 * 1024];
	char opts[128];
	int fd, devnull;

	if (argc != 2) {
		fprintf(stderr, "usage: fuse-hello MOUNTPOINT\n");
		return 1;
	}
	fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "fuse-hello: open /dev/fuse: %s\n", strerror(errno));
		return 1;
	}
	(void)snprintf(opts, sizeof(opts), "fd=%d,rootmode=40000,user_id=%u,group_id=%u", fd,
		       getuid(), getgid());
	if (mount("fuse-hello", argv[1], "fuse.hello", MS_NOSUID | MS_NODEV, opts) < 0) {
		fprintf(stderr, "fuse-hello: mount %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	/* Mounted: the caller goes on, the server stays until the file system is unmounted. */
	if (fork() != 0)
		return 0;
	(void)setsid();
	devnull = open("/dev/null", O_RDWR);
	for (int i = 0; devnull >= 0 && i < 3; i++)
		(void)dup2(devnull, i);
	while (serve_one(fd, buf, sizeof(buf)))
		;
	return 0;
}
