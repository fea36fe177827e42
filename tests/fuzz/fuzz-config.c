/* fuzz-config.c: libFuzzer target for the config parser: any bytes as a container's config
 * file, parsed, validated and printed back key by key. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "store/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
	if (config_parse_file(path, /* global= */ false, &c, &err) >= 0 &&
	    config_validate(&c, &err) >= 0)
		for (size_t i = 0; (key = config_key_name(i, NULL)); i++) {
			char *v = NULL;

			if (config_get(&c, key, &v) >= 0)
				free(v);
		}
	config_done(&c);
	close(fd);
	return 0;
}
