/* cmd-top.c: lxmgr top: a live table of the running containers, refreshed each second. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "cmd/cmd.h"
#include "base/log.h"
#include "run/stats.h"
#include "base/util.h"

#define LOG_STEP "top"
#define INTERVAL_MS 1000
/* Failed units cost an exec into each guest: asked every few frames only. */
#define UNITS_EVERY 5

enum sort_key {
	SORT_CPU,
	SORT_MEMORY,
	SORT_PIDS,
	SORT_DISK,
	SORT_NET,
	SORT_NAME,
	_SORT_MAX,
};

/* The option's word and the key that picks it in the live view. */
static const struct {
	const char *name;
	char key;
} sort_table[_SORT_MAX] = {
	[SORT_CPU] = {"cpu", 'c'},   [SORT_MEMORY] = {"memory", 'm'}, [SORT_PIDS] = {"pids", 'p'},
	[SORT_DISK] = {"disk", 'd'}, [SORT_NET] = {"net", 'n'},       [SORT_NAME] = {"name", 'a'},
};

/* One line of the table: figures, and rates against the previous sample. */
struct row {
	const struct stats *st;
	double cpu_pct, read_s, write_s, rx_s, tx_s; /* < 0: unknown */
	int failed;                                  /* -1: unknown */
};

static double rate(uint64_t now, uint64_t before, double seconds)
{
	if (now == STATS_UNKNOWN || before == STATS_UNKNOWN || now < before || seconds <= 0)
		return -1;
	return (double)(now - before) / seconds;
}

static void make_row(const struct stats *st, const struct stats_set *prev,
		     const struct stats_set *units, struct row *ret)
{
	const struct stats *p = prev ? stats_find(prev, st->name) : NULL;
	const struct stats *u = units ? stats_find(units, st->name) : NULL;
	double s = p ? (double)(st->sampled_ns - p->sampled_ns) / 1e9 : 0;

	*ret = (struct row){.st = st,
			    .cpu_pct = -1,
			    .read_s = -1,
			    .write_s = -1,
			    .rx_s = -1,
			    .tx_s = -1,
			    .failed = -1};
	if (u && u->ready.state[0])
		ret->failed = (int)u->ready.failed_units;
	if (!p)
		return;
	ret->cpu_pct = rate(st->cpu_usec, p->cpu_usec, s);
	if (ret->cpu_pct >= 0)
		ret->cpu_pct /= 10000; /* usec per second -> percent of one CPU */
	ret->read_s = rate(st->io_read, p->io_read, s);
	ret->write_s = rate(st->io_write, p->io_write, s);
	ret->rx_s = rate(st->net_rx, p->net_rx, s);
	ret->tx_s = rate(st->net_tx, p->net_tx, s);
}

static double sort_value(const struct row *r, enum sort_key key)
{
	switch (key) {
	case SORT_CPU:
		return r->cpu_pct;
	case SORT_MEMORY:
		return r->st->mem_bytes == STATS_UNKNOWN ? -1 : (double)r->st->mem_bytes;
	case SORT_PIDS:
		return r->st->pids == STATS_UNKNOWN ? -1 : (double)r->st->pids;
	case SORT_DISK:
		return (r->read_s < 0 ? 0 : r->read_s) + (r->write_s < 0 ? 0 : r->write_s);
	case SORT_NET:
		return (r->rx_s < 0 ? 0 : r->rx_s) + (r->tx_s < 0 ? 0 : r->tx_s);
	default:
		return 0;
	}
}

/* Largest first; by name for the name column and between equals. */
static int row_cmp(const void *a, const void *b, void *data)
{
	const struct row *x = a, *y = b;
	enum sort_key key = *(const enum sort_key *)data;
	double dx = sort_value(x, key), dy = sort_value(y, key);

	if (key != SORT_NAME && dx != dy)
		return dx < dy ? 1 : -1;
	return strcmp(x->st->name, y->st->name);
}

/* 1536 -> "1.5K": bytes in powers of 1024; "-" when unknown. */
static const char *human(double v, char *buf, size_t size)
{
	static const char units[] = "BKMGTP";
	int u = 0;

	if (v < 0) {
		(void)snprintf(buf, size, "-");
		return buf;
	}
	while (v >= 1024 && u < 5) {
		v /= 1024;
		u++;
	}
	(void)snprintf(buf, size, u ? "%.1f%c" : "%.0f%c", v, units[u]);
	return buf;
}

static double known(uint64_t v)
{
	return v == STATS_UNKNOWN ? -1 : (double)v;
}

static void print_row(FILE *f, const struct row *r)
{
	char cpu[24], mem[16], lim[16], pids[24], rd[16], wr[16], rx[16], tx[16], failed[24];

	if (r->cpu_pct < 0)
		(void)snprintf(cpu, sizeof(cpu), "-");
	else
		(void)snprintf(cpu, sizeof(cpu), "%.1f", r->cpu_pct);
	(void)snprintf(pids, sizeof(pids), "%s", "-");
	if (r->st->pids != STATS_UNKNOWN)
		(void)snprintf(pids, sizeof(pids), "%llu", (unsigned long long)r->st->pids);
	(void)snprintf(failed, sizeof(failed), "-");
	if (r->failed >= 0)
		(void)snprintf(failed, sizeof(failed), "%d", r->failed);
	fprintf(f, "%-16.16s %-9s %6s %8s %8s %6s %8s %8s %8s %8s %6s %4llu\n", r->st->name,
		run_state_to_string(r->st->state), cpu, human(known(r->st->mem_bytes), mem, 16),
		human(known(r->st->mem_limit), lim, 16), pids, human(r->read_s, rd, 16),
		human(r->write_s, wr, 16), human(r->rx_s, rx, 16), human(r->tx_s, tx, 16), failed,
		(unsigned long long)(r->st->oom_kills == STATS_UNKNOWN ? 0 : r->st->oom_kills));
}

static void print_frame(FILE *f, const struct stats_set *cur, const struct stats_set *prev,
			const struct stats_set *units, enum sort_key key, bool live)
{
	_cleanup_free_ struct row *rows = calloc(cur->n ? cur->n : 1, sizeof(*rows));
	char now[16] = "";
	time_t t = time(NULL);
	struct tm tm;

	if (!rows)
		return;
	if (localtime_r(&t, &tm))
		(void)strftime(now, sizeof(now), "%H:%M:%S", &tm);
	for (size_t i = 0; i < cur->n; i++)
		make_row(&cur->v[i], prev, units, &rows[i]);
	qsort_r(rows, cur->n, sizeof(*rows), row_cmp, &key);
	fprintf(f, "lxmgr top - %s, %zu running, sorted by %s%s\n", now, cur->n,
		sort_table[key].name,
		live ? "   keys: c cpu, m memory, p pids, d disk, n net, a name, q quit" : "");
	fprintf(f, "%-16s %-9s %6s %8s %8s %6s %8s %8s %8s %8s %6s %4s\n", "NAME", "STATE", "CPU%",
		"MEMORY", "LIMIT", "PIDS", "READ/s", "WRITE/s", "RX/s", "TX/s", "FAILED", "OOM");
	for (size_t i = 0; i < cur->n; i++)
		print_row(f, &rows[i]);
}

/* Two samples a second apart, one table: the rates need both. */
static int top_once(struct lxmgr_ctx *ctx, enum sort_key key)
{
	_cleanup_(stats_set_done) struct stats_set a = {0}, b = {0};
	int r;

	r = stats_collect(ctx, /* failed_units= */ false, &a);
	if (r >= 0) {
		(void)usleep(INTERVAL_MS * 1000);
		r = stats_collect(ctx, /* failed_units= */ true, &b);
	}
	if (r < 0) {
		(void)lx_fail(ctx, r, "read %s", ctx->paths.lib);
		return EXIT_FAILED;
	}
	print_frame(stdout, &b, &a, &b, key, /* live= */ false);
	return fflush(stdout) == 0 ? 0 : EXIT_FAILED;
}

/* The live view's terminal: no echo, keys one at a time, the alternate screen; and how it
 * was, to put back. */
struct term {
	struct termios saved;
	bool raw;
};

static int term_enter(struct term *t)
{
	struct termios raw;

	if (tcgetattr(STDIN_FILENO, &t->saved) < 0)
		return -errno;
	raw = t->saved;
	raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) < 0)
		return -errno;
	t->raw = true;
	fputs("\033[?1049h\033[?25l", stdout);
	return 0;
}

static void term_leave(struct term *t)
{
	if (!t->raw)
		return;
	fputs("\033[?25h\033[?1049l", stdout);
	(void)fflush(stdout);
	(void)tcsetattr(STDIN_FILENO, TCSANOW, &t->saved);
	t->raw = false;
}

/* Signals that end the view arrive as an fd, so that the terminal is always put back. */
static int block_signals(sigset_t *old)
{
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGQUIT);
	if (sigprocmask(SIG_BLOCK, &mask, old) < 0)
		return -errno;
	return NEG_ERRNO(signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK));
}

/* A key: 1 to quit, 0 to go on (a sort key changes *key and redraws). */
static int on_key(char c, enum sort_key *key)
{
	if (c == 'q' || c == 'Q')
		return 1;
	for (int i = 0; i < _SORT_MAX; i++)
		if (sort_table[i].key == c)
			*key = (enum sort_key)i;
	return 0;
}

struct live {
	struct stats_set prev, cur, units;
	unsigned frame;
};

static int sample(struct lxmgr_ctx *ctx, struct live *l)
{
	stats_set_done(&l->prev);
	l->prev = l->cur;
	l->cur = (struct stats_set){0};
	if (l->frame++ % UNITS_EVERY == 0) {
		stats_set_done(&l->units);
		return stats_collect(ctx, /* failed_units= */ true, &l->units) < 0
			       ? -EIO
			       : stats_collect(ctx, false, &l->cur);
	}
	return stats_collect(ctx, /* failed_units= */ false, &l->cur);
}

static void draw(const struct live *l, enum sort_key key)
{
	fputs("\033[H\033[2J", stdout);
	print_frame(stdout, &l->cur, l->prev.n ? &l->prev : NULL, &l->units, key, true);
	(void)fflush(stdout);
}

/* Waits up to ms for a key or a signal: 1 to quit, 0 on a tick or a sort key. */
static int wait_input(int sfd, int ms, enum sort_key *key, bool *redraw)
{
	struct pollfd p[2] = {{.fd = STDIN_FILENO, .events = POLLIN},
			      {.fd = sfd, .events = POLLIN}};
	char buf[16];
	ssize_t n;

	*redraw = false;
	if (poll(p, 2, ms) < 0)
		return errno == EINTR ? 0 : 1;
	if (p[1].revents)
		return 1;
	if (!p[0].revents)
		return 0;
	n = read(STDIN_FILENO, buf, sizeof(buf));
	if (n <= 0)
		return 1;
	for (ssize_t i = 0; i < n; i++)
		if (on_key(buf[i], key))
			return 1;
	*redraw = true;
	return 0;
}

static int top_live(struct lxmgr_ctx *ctx, enum sort_key key)
{
	_cleanup_close_ int sfd = -EBADF;
	struct live l = {0};
	struct term t = {0};
	sigset_t old;
	int r, quit = 0;

	sfd = block_signals(&old);
	if (sfd < 0)
		return lx_fail(ctx, sfd, "block the signals that end the view");
	r = term_enter(&t);
	if (r < 0)
		return lx_fail(ctx, r, "set up the terminal");
	while (!quit && (r = sample(ctx, &l)) >= 0) {
		uint64_t next = now_ns() + (uint64_t)INTERVAL_MS * 1000000;
		bool redraw = true;

		while (!quit && redraw) {
			uint64_t now = now_ns();

			draw(&l, key);
			quit = wait_input(sfd, now < next ? (int)((next - now) / 1000000) : 0, &key,
					  &redraw);
		}
	}
	term_leave(&t);
	(void)sigprocmask(SIG_SETMASK, &old, NULL);
	stats_set_done(&l.prev);
	stats_set_done(&l.cur);
	stats_set_done(&l.units);
	return r < 0 ? lx_fail(ctx, r, "read %s", ctx->paths.lib) : 0;
}

static int parse_sort(const char *s, enum sort_key *ret)
{
	for (int i = 0; i < _SORT_MAX; i++)
		if (!strcmp(s, sort_table[i].name)) {
			*ret = (enum sort_key)i;
			return 0;
		}
	return -EINVAL;
}

int cmd_top(struct lxmgr_ctx *ctx, int argc, char **argv)
{
	enum sort_key key = SORT_CPU;
	bool once = false;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--once"))
			once = true;
		else if (!strcmp(argv[i], "--sort") && i + 1 < argc) {
			if (parse_sort(argv[++i], &key) < 0)
				return cmd_usage_error(ctx, "unknown sort column '%s'", argv[i]);
		} else
			return cmd_usage_error(ctx, "unexpected argument '%s'", argv[i]);
	}
	if (once)
		return top_once(ctx, key);
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return cmd_usage_error(ctx, "the live view needs a terminal (--once prints one "
					    "table)");
	return top_live(ctx, key) < 0 ? EXIT_FAILED : 0;
}
