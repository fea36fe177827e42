/* import.h: unpacking a root filesystem tarball with tar(1), with progress. */
#pragma once

#include "image/copy.h"

/* Unpacks the tar archive at path (plain, gzip, xz, zstd or bzip2, told apart by their magic
 * numbers) into the existing directory dst, keeping numeric owners, modes, xattrs and ACLs.
 * -EMEDIUMTYPE when the file is not an archive; *ret_message (malloc'd) holds tar's own
 * first error line when tar failed. */
int import_tarball(const char *path, const char *dst, const struct copy_progress *progress,
		   char **ret_message);
