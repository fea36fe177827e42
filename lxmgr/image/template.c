/* template.c: distribution templates: lookup, --describe, and running one in namespaces of
 * its own so that nothing it starts or mounts outlives lxmgr. */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "base/util.h"
#include "image/template.h"

#define LOG_STEP "template"
#define DESCRIBE_MAX 8192

void template_info_done(struct template_info *t)
{
	free(t->name);
	free(t->path);
	free(t->summary);
	free(t->release);
	strv_free(t->options);
	*t = (struct template_info){0};
}

int template_dir(char **ret)
{
	const char *env = getenv("LXMGR_TEMPLATE_DIR");
	char exe[PATH_MAX], *slash;
	ssize_t n;

	if (env && *env)
		return (*ret = strdup(env)) ? 0 : -ENOMEM;
	/* A build tree: BUILD/lxmgr/lxmgr beside BUILD/templates/lib.sh. */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		_cleanup_free_ char *lib = NULL;

		exe[n] = '\0';
		for (int i = 0; i < 2 && (slash = strrchr(exe, '/')); i++)
			*slash = '\0';
		if (xasprintf(&lib, "%s/templates/lib.sh", exe) < 0)
			return -ENOMEM;
		if (access(lib, R_OK) == 0)
			return xasprintf(ret, "%s/templates", exe);
	}
	return (*ret = strdup(LXMGR_TEMPLATEDIR)) ? 0 : -ENOMEM;
}

static bool name_is_template(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n <= 32 && s[0] != '-' &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-_") == n;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int template_list(const char *dir, char ***ret)
{
	_cleanup_closedir_ DIR *d = opendir(dir);
	_cleanup_strv_ char **v = NULL;
	struct dirent *de;
	size_t n = 0;

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		struct stat st;
		char **nv;

		if (!name_is_template(de->d_name) || fstatat(dirfd(d), de->d_name, &st, 0) < 0 ||
		    !S_ISREG(st.st_mode) || !(st.st_mode & S_IXUSR))
			continue;
		nv = realloc(v, (n + 2) * sizeof(*v));
		if (!nv)
			return -ENOMEM;
		v = nv;
		v[n] = strdup(de->d_name);
		v[n + 1] = NULL;
		if (!v[n])
			return -ENOMEM;
		n++;
	}
	if (n)
		qsort(v, n, sizeof(*v), cmp_str);
	else if (!(v = calloc(1, sizeof(*v))))
		return -ENOMEM;
	*ret = TAKE_PTR(v);
	return 0;
}

/* Runs "PATH --describe" with LXMGR_TEMPLATE_NAME set, reading its stdout whole. */
static int read_describe(const char *path, const char *name, char **ret)
{
	_cleanup_close_ int rd = -EBADF;
	int p[2], status;
	pid_t pid;
	int r;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		r = -errno;
		(void)close(p[0]);
		(void)close(p[1]);
		return r;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);

		if (null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(p[1], STDOUT_FILENO) < 0 ||
		    dup2(null, STDERR_FILENO) < 0 || setenv("LXMGR_TEMPLATE_NAME", name, 1) < 0)
			_exit(127);
		execl(path, path, "--describe", (char *)NULL);
		_exit(127);
	}
	(void)close(p[1]);
	rd = p[0];
	r = read_fd_all(rd, DESCRIBE_MAX, ret, NULL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (r >= 0 && (!WIFEXITED(status) || WEXITSTATUS(status) != 0)) {
		free(*ret);
		*ret = NULL;
		return -EBADMSG;
	}
	return r < 0 ? r : 0;
}

static int strv_push(char ***v, const char *s)
{
	size_t n = 0;
	char **nv;

	while (*v && (*v)[n])
		n++;
	nv = realloc(*v, (n + 2) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	*v = nv;
	nv[n] = strdup(s);
	nv[n + 1] = NULL;
	return nv[n] ? 0 : -ENOMEM;
}

static int parse_describe(char *text, struct template_info *t)
{
	char *save = NULL;

	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *colon = strchr(line, ':'), *v;

		if (!colon || colon[1] != ' ')
			continue;
		*colon = '\0';
		v = colon + 2;
		if (!strcmp(line, "summary") && !t->summary)
			t->summary = strdup(v);
		else if (!strcmp(line, "release") && !t->release)
			t->release = strdup(v);
		else if (!strcmp(line, "cache"))
			t->cache = !strcmp(v, "yes");
		else if (!strcmp(line, "option") && strv_push(&t->options, v) < 0)
			return -ENOMEM;
	}
	if (!t->summary || !t->release)
		return -EBADMSG;
	return 0;
}

int template_describe(const char *dir, const char *name, struct template_info *ret)
{
	struct template_info t = {0};
	_cleanup_free_ char *text = NULL;
	struct stat st;
	int r;

	if (!name_is_template(name))
		return -ENOENT;
	if (xasprintf(&t.path, "%s/%s", dir, name) < 0 || !(t.name = strdup(name))) {
		template_info_done(&t);
		return -ENOMEM;
	}
	if (stat(t.path, &st) < 0 || !S_ISREG(st.st_mode) || !(st.st_mode & S_IXUSR)) {
		template_info_done(&t);
		return -ENOENT;
	}
	r = read_describe(t.path, name, &text);
	if (r >= 0)
		r = parse_describe(text, &t);
	if (r < 0) {
		template_info_done(&t);
		return r;
	}
	*ret = t;
	return 0;
}

/* The kernel's name of each architecture, and the names distributions give it. */
static const char *const arch_names[][3] = {
	{"x86_64", "amd64", NULL},    {"aarch64", "arm64", NULL},   {"i686", "i386", "x86"},
	{"armv7l", "armhf", "armv7"}, {"ppc64le", "ppc64el", NULL}, {"s390x", NULL, NULL},
	{"riscv64", NULL, NULL},
};

static const char *arch_canonical(const char *s)
{
	for (size_t i = 0; i < ELEMENTSOF(arch_names); i++)
		for (size_t j = 0; j < 3 && arch_names[i][j]; j++)
			if (!strcmp(s, arch_names[i][j]))
				return arch_names[i][0];
	return NULL;
}

/* The host runs its own architecture, and others where binfmt_misc has an interpreter. */
static bool host_runs(const char *arch)
{
	_cleanup_free_ char *binfmt = NULL;
	struct utsname u;

	if (uname(&u) == 0 && arch_canonical(u.machine) && !strcmp(arch_canonical(u.machine), arch))
		return true;
	if (!strcmp(arch, "i686") && uname(&u) == 0 && !strcmp(u.machine, "x86_64"))
		return true;
	if (xasprintf(&binfmt, "/proc/sys/fs/binfmt_misc/qemu-%s", arch) < 0)
		return false;
	return access(binfmt, F_OK) == 0;
}

static bool takes_option(const struct template_info *t, const char *opt)
{
	size_t n = strlen(opt);

	STRV_FOREACH(o, t->options) {
		if (!strncmp(*o, opt, n) && ((*o)[n] == ' ' || (*o)[n] == '\0'))
			return true;
	}
	return false;
}

/* A release and an arch become directory names of the cache. */
static bool word_is_safe(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n <= 64 && s[0] != '.' && s[0] != '-' &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n;
}

int template_check_request(const struct lxmgr_ctx *ctx, const struct template_info *t,
			   const struct template_request *req, const char **ret_arch)
{
	const struct {
		const char *opt, *value;
	} given[] = {
		{"--mirror", req->mirror}, {"--arch", req->arch},   {"--file", req->file},
		{"--url", req->url},       {"--image", req->image},
	};
	struct utsname u;
	const char *arch;

	for (size_t i = 0; i < ELEMENTSOF(given); i++)
		if (given[i].value && !takes_option(t, given[i].opt))
			return lx_fail(ctx, LX_SYNTHETIC(-EINVAL),
				       "the template %s takes no %s (lxmgr templates lists what "
				       "each takes)",
				       t->name, given[i].opt);
	if (req->release && !strcmp(t->release, "-"))
		return lx_fail(ctx, LX_SYNTHETIC(-EINVAL), "the template %s has no releases (-r)",
			       t->name);
	if (req->release && !word_is_safe(req->release))
		return lx_fail(ctx, LX_SYNTHETIC(-EINVAL),
			       "invalid release '%s' (letters, digits, '.', '_', '-')",
			       req->release);
	if (req->refresh && !t->cache)
		return lx_fail(ctx, LX_SYNTHETIC(-EINVAL),
			       "the template %s keeps no cache: --refresh has nothing to rebuild",
			       t->name);
	if (uname(&u) < 0)
		return lx_fail(ctx, -errno, "uname");
	arch = arch_canonical(req->arch ? req->arch : u.machine);
	if (!arch)
		return lx_fail(ctx, LX_SYNTHETIC(-EINVAL),
			       "unknown architecture '%s' (x86_64, aarch64, i686, armv7l, ppc64le, "
			       "s390x, riscv64)",
			       req->arch ? req->arch : u.machine);
	if (!host_runs(arch))
		return lx_fail(ctx, LX_SYNTHETIC(-ENOEXEC),
			       "this %s host cannot run %s programs (a qemu-user-static "
			       "binfmt_misc entry would)",
			       u.machine, arch);
	*ret_arch = arch;
	return 0;
}

int template_choose(const struct lxmgr_ctx *ctx, const struct template_request *req,
		    struct template_choice *ret)
{
	_cleanup_free_ char *dir = NULL;
	int r;

	*ret = (struct template_choice){.req = req};
	r = template_dir(&dir);
	if (r < 0)
		return lx_fail(ctx, r, "out of memory");
	r = template_describe(dir, req->name, &ret->info);
	if (r == -ENOENT)
		return lx_fail(ctx, LX_SYNTHETIC(r),
			       "no template '%s' in %s (lxmgr templates lists them)", req->name,
			       dir);
	if (r < 0)
		return lx_fail(ctx, r == -EBADMSG ? LX_SYNTHETIC(r) : r,
			       "%s/%s --describe gave no summary and release", dir, req->name);
	r = template_check_request(ctx, &ret->info, req, &ret->arch);
	if (r < 0)
		return r;
	if (strcmp(ret->info.release, "-"))
		ret->release = req->release ? req->release : ret->info.release;
	return 0;
}

void template_choice_done(struct template_choice *c)
{
	template_info_done(&c->info);
}
