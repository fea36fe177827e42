/* unit.h: what every cmocka unit test includes, and the temporary-directory and text-file
 * helpers they share. */
#pragma once

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

/* Makes $TMPDIR/PREFIX-XXXXXX (or /tmp/...) into dir. Keep PREFIX short where a unix
 * socket goes in the directory: its path holds at most 107 characters. 0 or -1. */
static inline int unit_make_tmpdir(char dir[static PATH_MAX], const char *prefix)
{
	const char *tmp = getenv("TMPDIR");

	(void)snprintf(dir, PATH_MAX, "%s/%s-XXXXXX", tmp && *tmp ? tmp : "/tmp", prefix);
	return mkdtemp(dir) ? 0 : -1;
}

/* Removes what unit_make_tmpdir made. 0 or -1. */
static inline int unit_remove_tmpdir(const char *dir)
{
	return rm_rf_at(AT_FDCWD, dir) < 0 ? -1 : 0;
}

/* A fixture whose first member is its temporary directory, char dir[PATH_MAX]: size bytes,
 * zeroed, with $TMPDIR/PREFIX-XXXXXX made into dir. To free with unit_dir_fixture_teardown;
 * NULL on failure. */
static inline void *unit_dir_fixture_new(size_t size, const char *prefix)
{
	char *fx = size >= PATH_MAX ? calloc(1, size) : NULL;

	if (!fx || unit_make_tmpdir(fx, prefix) < 0) {
		free(fx);
		return NULL;
	}
	return fx;
}

/* The cmocka teardown of a unit_dir_fixture_new fixture: removes its directory, frees it. */
static inline int unit_dir_fixture_teardown(void **state)
{
	char *fx = *state;
	int r = unit_remove_tmpdir(fx);

	free(fx);
	return r;
}

/* Writes text to path (mode 0644) or fails the test. */
static inline void unit_write_text(const char *path, const char *text)
{
	assert_int_equal(write_file_atomic_at(AT_FDCWD, path, text, strlen(text), 0644), 0);
}

/* The whole of path (at most 1 MiB), to be freed; fails the test when unreadable. */
static inline char *unit_read_text(const char *path)
{
	char *buf = NULL;

	assert_int_equal(read_file_at(AT_FDCWD, path, 1 << 20, &buf, NULL), 0);
	return buf;
}
