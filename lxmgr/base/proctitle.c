/* proctitle.c: the name a process shows in ps, as systemd's rename_process() and
 * setproctitle(3) set it. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/proctitle.h"
#include "base/util.h"

/* A command line in memory of its own (needs CAP_SYS_RESOURCE). */
static int set_mm(const char *title, size_t len)
{
	unsigned long start;
	char *p;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	memcpy(p, title, len);
	start = (unsigned long)p;
	/* Never unmapped: the kernel reads the command line from here until we exit. It checks
	 * start <= end at each call: the end moves first when setting the start fails. */
	if (prctl(PR_SET_MM, PR_SET_MM_ARG_START, start, 0, 0) < 0) {
		if (prctl(PR_SET_MM, PR_SET_MM_ARG_END, start + len, 0, 0) < 0 ||
		    prctl(PR_SET_MM, PR_SET_MM_ARG_START, start, 0, 0) < 0)
			goto fail;
	} else if (prctl(PR_SET_MM, PR_SET_MM_ARG_END, start + len, 0, 0) < 0) {
		goto fail;
	}
	return 0;
fail:
	(void)munmap(p, len);
	return -errno;
}

/* The environment moves to the heap, then the title overwrites the arguments and the
 * environment strings, which lie one after the other: the kernel reads a command line whose
 * last byte is no longer a NUL on into the environment (setproctitle). */
static int overwrite_in_place(const char *title, size_t len)
{
	_cleanup_free_ char *stat = NULL;
	unsigned long arg_start, env_end;
	extern char **environ;
	char **env, *p;
	size_t n = 0;
	int r;

	r = read_file_at(AT_FDCWD, "/proc/self/stat", 4096, &stat, NULL);
	if (r < 0)
		return r;
	p = strrchr(stat, ')');
	/* After "pid (comm)": state is field 3; arg_start is 48, env_end 51. */
	for (int field = 3; p && field <= 48; field++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p + 1, "%lu %*u %*u %lu", &arg_start, &env_end) != 2 ||
	    env_end <= arg_start)
		return -EINVAL;
	while (environ && environ[n])
		n++;
	env = calloc(n + 1, sizeof(*env));
	for (size_t i = 0; env && i < n; i++)
		if (!(env[i] = strdup(environ[i])))
			return -ENOMEM;
	if (!env)
		return -ENOMEM;
	environ = env;
	p = (char *)arg_start;
	len = len < env_end - arg_start ? len : env_end - arg_start;
	memset(p, 0, env_end - arg_start);
	memcpy(p, title, len - 1);
	return 0;
}

int proctitle_set(const char *name, const char *arg)
{
	_cleanup_free_ char *title = NULL;

	if (prctl(PR_SET_NAME, name, 0, 0, 0) < 0 || xasprintf(&title, "%s %s", name, arg) < 0)
		return -errno;
	if (set_mm(title, strlen(title) + 1) >= 0)
		return 0;
	return overwrite_in_place(title, strlen(title) + 1);
}
