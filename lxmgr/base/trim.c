/* trim.c: give back the memory a monitor no longer needs once its container runs. */
#include <fcntl.h>
#include <malloc.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/trim.h"

struct vma {
	unsigned long start, end;
	bool file_ro; /* a private, unwritable mapping of a file */
};

/* "START-END PERMS OFFSET DEV INODE PATH": a mapping of a file (inode != 0) that is private
 * and not writable holds only pages read from that file, or pages written before an
 * mprotect (RELRO), which smaps counts as Anonymous. */
static bool parse_head(const char *line, struct vma *ret)
{
	char perms[8];
	unsigned long inode;

	if (sscanf(line, "%lx-%lx %7s %*x %*x:%*x %lu", &ret->start, &ret->end, perms, &inode) != 4)
		return false;
	ret->file_ro = inode != 0 && perms[1] == '-' && perms[3] == 'p';
	return true;
}

/* Pages the process wrote (COW copies) exist only here: dropping them would lose the
 * relocations, so such a mapping is kept. The rest is refaulted from the page cache when the
 * monitor next runs that code. */
static size_t collect(FILE *f, struct vma *out, size_t max)
{
	struct vma cur = {0};
	bool have = false;
	size_t n = 0;
	char line[512];
	unsigned long kb;

	while (n < max && fgets(line, sizeof(line), f)) {
		struct vma next;

		if (parse_head(line, &next)) {
			cur = next;
			have = true;
			continue;
		}
		/* "Anonymous:" comes once per mapping, after "Rss:" and before "VmFlags:". */
		if (have && sscanf(line, "Anonymous: %lu kB", &kb) == 1) {
			if (cur.file_ro && kb == 0)
				out[n++] = cur;
			have = false;
		}
	}
	return n;
}

size_t trim_monitor_memory(void)
{
	struct vma v[256];
	size_t n, released = 0;
	FILE *f;

	(void)malloc_trim(0);
	f = fopen("/proc/self/smaps", "re");
	if (!f)
		return 0;
	n = collect(f, v, sizeof(v) / sizeof(v[0]));
	(void)fclose(f);
	/* Last, so that the parsing above does not fault the pages back in. */
	for (size_t i = 0; i < n; i++)
		if (madvise((void *)v[i].start, v[i].end - v[i].start, MADV_DONTNEED) == 0)
			released += v[i].end - v[i].start;
	return released;
}
