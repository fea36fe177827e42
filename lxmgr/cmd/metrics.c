/* cmd-metrics.c: lxmgr metrics: the containers' figures for Prometheus, printed or served. */
#include <errno.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "cmd/cmd.h"
#include "base/log.h"
#include "run/metrics.h"
#include "run/stats.h"
#include "base/util.h"

#define LOG_STEP "metrics"
#define REQUEST_MAX 8192
#define IO_TIMEOUT_S 5

/* The whole exposition text; -errno when the store cannot be read. */
static int render(const struct lxmgr_ctx *ctx, char **ret, size_t *ret_len)
{
	_cleanup_(stats_set_done) struct stats_set s = {0};
	FILE *f;
	int r;

	r = stats_collect(ctx, /* failed_units= */ true, &s);
	if (r < 0)
		return r;
	f = open_memstream(ret, ret_len);
	if (!f)
		return -ENOMEM;
	metrics_write(f, &s);
	return fclose(f) == 0 ? 0 : -ENOMEM;
}

/* "ADDR:PORT", "[ADDR6]:PORT": a bound, listening TCP socket. */
static int listen_on(const char *spec)
{
	_cleanup_free_ char *host = strdup(spec);
	struct addrinfo hints = {.ai_family = AF_UNSPEC,
				 .ai_socktype = SOCK_STREAM,
				 .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE};
	struct addrinfo *ai = NULL;
	char *port, *h;
	int fd, one = 1, r;

	if (!host)
		return -ENOMEM;
	port = strrchr(host, ':');
	if (!port || port == host)
		return LX_SYNTHETIC(-EINVAL);
	*port++ = '\0';
	h = host;
	if (h[0] == '[' && h[strlen(h) - 1] == ']') {
		h[strlen(h) - 1] = '\0';
		h++;
	}
	if (getaddrinfo(h, port, &hints, &ai) != 0)
		return LX_SYNTHETIC(-EINVAL);
	fd = NEG_ERRNO(socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
	r = fd;
	if (fd >= 0) {
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		r = NEG_ERRNO(bind(fd, ai->ai_addr, ai->ai_addrlen));
		if (r >= 0)
			r = NEG_ERRNO(listen(fd, 16));
		if (r < 0)
			(void)close(fd);
	}
	freeaddrinfo(ai);
	return r < 0 ? r : fd;
}

/* Reads the request head (bounded in size and time); its first line in line. */
static int read_request(int fd, char *line, size_t size)
{
	char buf[REQUEST_MAX + 1];
	size_t len = 0;

	while (len < REQUEST_MAX) {
		ssize_t n = read(fd, buf + len, REQUEST_MAX - len);

		if (n <= 0)
			return n < 0 ? -errno : -ECONNRESET;
		len += (size_t)n;
		buf[len] = '\0';
		if (strstr(buf, "\r\n\r\n") || strstr(buf, "\n\n"))
			break;
	}
	if (len >= REQUEST_MAX)
		return -EMSGSIZE;
	(void)snprintf(line, size, "%.*s", (int)strcspn(buf, "\r\n"), buf);
	return 0;
}

static void answer(int fd, const char *status, const char *type, const char *body, size_t len,
		   bool head)
{
	char hdr[256];
	int n = snprintf(hdr, sizeof(hdr),
			 "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
			 "Connection: close\r\n\r\n",
			 status, type, len);

	if (write_all(fd, hdr, (size_t)n) >= 0 && !head)
		(void)write_all(fd, body, len);
}

/* One connection: GET (or HEAD) /metrics; any other path is 404, any other method 405. */
static void serve_one(const struct lxmgr_ctx *ctx, int fd)
{
	static const char text[] = "text/plain; charset=utf-8";
	_cleanup_free_ char *body = NULL;
	char line[256], method[16], path[128];
	struct timeval tv = {.tv_sec = IO_TIMEOUT_S};
	size_t len = 0;
	bool head;

	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (read_request(fd, line, sizeof(line)) < 0 ||
	    sscanf(line, "%15s %127s HTTP/", method, path) != 2) {
		answer(fd, "400 Bad Request", text, "bad request\n", 12, false);
		return;
	}
	head = !strcmp(method, "HEAD");
	if (strcmp(method, "GET") && !head) {
		answer(fd, "405 Method Not Allowed", text, "only GET\n", 9, false);
		return;
	}
	if (strcmp(path, "/metrics")) {
		answer(fd, "404 Not Found", text, "only /metrics\n", 14, head);
		return;
	}
	if (render(ctx, &body, &len) < 0) {
		answer(fd, "500 Internal Server Error", text, "cannot read the store\n", 22, head);
		return;
	}
	answer(fd, "200 OK", METRICS_CONTENT_TYPE, body, len, head);
}

/* One client at a time: a scrape every few seconds needs no more, and nothing is shared. */
static int serve(const struct lxmgr_ctx *ctx, const char *spec)
{
	int lfd = listen_on(spec);
	sigset_t end;

	/* A scraper that hangs up mid-answer costs its answer, not the server. */
	(void)signal(SIGPIPE, SIG_IGN);
	/* Killed is how it ends: a mask inherited from the caller must not keep it up. */
	sigemptyset(&end);
	sigaddset(&end, SIGTERM);
	sigaddset(&end, SIGINT);
	sigaddset(&end, SIGHUP);
	(void)sigprocmask(SIG_UNBLOCK, &end, NULL);
	if (lfd < 0)
		return lx_fail(ctx, lfd, "listen on %s (ADDR:PORT or [ADDR6]:PORT)", spec);
	lx_info(ctx, "serving /metrics on %s", spec);
	for (;;) {
		_cleanup_close_ int fd = NEG_ERRNO(accept4(lfd, NULL, NULL, SOCK_CLOEXEC));

		if (fd == -EINTR || fd == -ECONNABORTED)
			continue;
		if (fd < 0) {
			(void)close(lfd);
			return lx_fail(ctx, fd, "accept a connection");
		}
		serve_one(ctx, fd);
	}
}

int cmd_metrics(struct lxmgr_ctx *ctx, int argc, char **argv)
{
	_cleanup_free_ char *body = NULL;
	const char *listen = NULL;
	size_t len = 0;
	int r;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--listen") && i + 1 < argc)
			listen = argv[++i];
		else if (!strncmp(argv[i], "--listen=", 9))
			listen = argv[i] + 9;
		else
			return cmd_usage_error(ctx, "unexpected argument '%s'", argv[i]);
	}
	if (listen)
		return serve(ctx, listen) < 0 ? EXIT_FAILED : 0;
	r = render(ctx, &body, &len);
	if (r < 0) {
		(void)lx_fail(ctx, r, "read %s", ctx->paths.lib);
		return EXIT_FAILED;
	}
	if (fwrite(body, 1, len, stdout) != len || fflush(stdout) != 0)
		return EXIT_FAILED;
	return 0;
}
