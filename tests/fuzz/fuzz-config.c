/* fuzz-config.c: libFuzzer target for the config parser: any bytes as a container's config
 * file, parsed, validated and printed back key by key; and the quick look at its raw text
 * (config_peek), which must read what the full parse reads wherever it answers. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "store/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A config the full parse took (c): where the peek answers, it agrees (else abort: a crash
 * for libFuzzer). */
static void check_peek(const uint8_t *data, size_t size, const struct container_config *c)
{
	char *text = strndup((const char *)data, size), of[sizeof(c->snapshot_of)];
	uint32_t u, g, n;
	int r;

	if (!text || strlen(text) != size) { /* a NUL byte: the parse refuses those */
		free(text);
		return;
	}
	if (config_peek_ids(text, &u, &g, &n) == 0 &&
	    (u != c->uid_base || g != c->gid_base || n != c->id_count))
		abort();
	r = config_peek(text, "rootfs", "snapshot_of", of, sizeof(of));
	if ((r == 0 && c->snapshot_of[0]) || (r > 0 && strcmp(of, c->snapshot_of)))
		abort();
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct container_config c;
	struct config_error err;
	char path[64];
	const char *key;
	int fd = memfd_create("config", MFD_CLOEXEC);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	config_init_defaults(&c);
	if (config_parse_file(path, /* global= */ false, &c, &err) >= 0) {
		check_peek(data, size, &c);
		if (config_validate(&c, &err) >= 0)
			for (size_t i = 0; (key = config_key_name(i, NULL)); i++) {
				char *v = NULL;

				if (config_get(&c, key, &v) >= 0)
					free(v);
			}
	}
	config_done(&c);
	close(fd);
	return 0;
}
