/* provision-check.c: what the [provision] keys accept. */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/util.h"
#include "guest/provision-check.h"

#define LOWER "abcdefghijklmnopqrstuvwxyz"
#define UPPER "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#define DIGITS "0123456789"

bool provision_user_is_valid(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= 32 && strchr(LOWER "_", s[0]) && strspn(s, LOWER DIGITS "_-") == n;
}

/* iniparser cuts a value at '#' or ';' and strips quotes: such a key would not read back. */
static bool printable_for_ini(const char *s)
{
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p < ' ' || (unsigned char)*p >= 127 || strchr("#;\"'\\", *p))
			return false;
	return true;
}

bool provision_ssh_key_is_valid(const char *s)
{
	static const char *const types[] = {"ssh-ed25519 ",
					    "ssh-rsa ",
					    "ecdsa-sha2-nistp256 ",
					    "ecdsa-sha2-nistp384 ",
					    "ecdsa-sha2-nistp521 ",
					    "sk-ssh-ed25519@openssh.com ",
					    "sk-ecdsa-sha2-nistp256@openssh.com ",
					    "ssh-dss "};
	const char *blob = NULL;
	size_t n;

	if (strlen(s) >= 800 || !printable_for_ini(s))
		return false;
	for (size_t i = 0; i < ELEMENTSOF(types) && !blob; i++)
		if (!strncmp(s, types[i], strlen(types[i])))
			blob = s + strlen(types[i]);
	if (!blob)
		return false;
	n = strcspn(blob, " ");
	return n >= 16 && strspn(blob, UPPER LOWER DIGITS "+/=") == n;
}

bool provision_packages_is_valid(const char *s)
{
	size_t words = 0;

	while (*s) {
		size_t sep = strspn(s, ", "), n;

		s += sep;
		n = strspn(s, UPPER LOWER DIGITS ".+_:-");
		if (!*s)
			break;
		/* A name starting with '-' would be read as an option by the package manager. */
		if (n == 0 || n > 100 || s[0] == '-' || (s[n] && !strchr(", ", s[n])))
			return false;
		s += n;
		words++;
	}
	return words > 0;
}

bool provision_timezone_is_valid(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n < 64 && s[0] != '/' && s[0] != '-' && !strstr(s, "..") &&
	       s[n - 1] != '/' && strspn(s, UPPER LOWER DIGITS "/_+-") == n;
}

bool provision_hash_is_valid(const char *s)
{
	size_t n = strlen(s);

	return n >= 13 && n < 256 && s[0] == '$' && strspn(s, UPPER LOWER DIGITS "./$") == n;
}

bool provision_path_is_valid(const char *s)
{
	if (s[0] != '/' || strlen(s) >= 256)
		return false;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 127 || strchr("#;\"'\\", *p))
			return false;
	return true;
}

int provision_read_ssh_key(const char *path, char *buf, size_t size)
{
	_cleanup_free_ char *text = NULL;
	char *line, *save = NULL;
	size_t found = 0;
	int r;

	r = read_file_at(AT_FDCWD, path, 64 * 1024, &text, NULL);
	if (r < 0)
		return r;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		size_t n = strlen(line);

		if (n && line[n - 1] == '\r')
			line[--n] = '\0';
		if (!n || line[0] == '#')
			continue;
		if (found++ || n >= size)
			return found > 1 ? -EINVAL : -E2BIG;
		memcpy(buf, line, n + 1);
	}
	return found == 1 && provision_ssh_key_is_valid(buf) ? 0 : -EINVAL;
}

int provision_packages_normalize(const char *s, char *buf, size_t size)
{
	size_t len = 0;

	if (!provision_packages_is_valid(s))
		return -EINVAL;
	buf[0] = '\0';
	while (*s) {
		size_t n;

		s += strspn(s, ", ");
		n = strcspn(s, ", ");
		if (!n)
			break;
		if (len + (len ? 1 : 0) + n >= size)
			return -E2BIG;
		if (len)
			buf[len++] = ' ';
		memcpy(buf + len, s, n);
		len += n;
		buf[len] = '\0';
		s += n;
	}
	return 0;
}
