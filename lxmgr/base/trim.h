/* trim.h: give back the memory a monitor no longer needs once its container runs. */
#pragma once

#include <stddef.h>

/* Returns free heap to the kernel (malloc_trim) and unmaps from this process the pages of
 * read-only file mappings (program and library code) that it never wrote: the start code,
 * libnl, libnftables and the config parser stay in the page cache for whoever needs them,
 * and the few pages the event loop uses fault back in. Mappings holding written pages are
 * kept. Returns the number of bytes of address space released; cannot fail. */
size_t trim_monitor_memory(void);
