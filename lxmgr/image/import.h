/* import.h: unpacking a root filesystem tarball with tar(1), with progress. */
#pragma once

#include "image/copy.h"

/* Unpacks the tar archive at path (plain, gzip, xz, zstd or bzip2, told apart by their magic
 * numbers) into the existing directory dst, keeping numeric owners, modes, xattrs and ACLs.
 * -EMEDIUMTYPE when the file is not an archive; *ret_message (malloc'd) holds tar's own
 * first error line when tar failed. */
int import_tarball(const char *path, const char *dst, const struct copy_progress *progress,
		   char **ret_message);

/* import_tarball, with extra arguments after tar's own (at most IMPORT_EXTRA_MAX, NULL
 * ended): options that take part of the archive, and the members to take (an export's
 * rootfs alone: "--strip-components=1", "rootfs"). */
#define IMPORT_EXTRA_MAX 8
int import_tarball_with(const char *path, const char *dst, char *const *extra,
			const struct copy_progress *progress, char **ret_message);

/* Copies the stream src to dst until its end, as an archive is fed to tar: an open, idle
 * stream is polled so that progress->cancelled still ends it (-EINTR). 0 or -errno. */
int import_copy_stream(int src, int dst, const struct copy_progress *progress);
