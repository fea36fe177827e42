/* provision-check.h: what the [provision] keys accept (pure checks, shared by the key table,
 * create's options and the unit tests). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* A user name every guest's useradd or busybox adduser accepts: [a-z_][a-z0-9_-]*, 1-32. */
bool provision_user_is_valid(const char *s);
/* One OpenSSH public key line ("ssh-ed25519 AAAA... comment"): a known type, base64, at most
 * 799 characters, none of the characters iniparser cuts or strips. */
bool provision_ssh_key_is_valid(const char *s);
/* Package names separated by commas and/or spaces: [a-zA-Z0-9.+_:-], each up to 100. */
bool provision_packages_is_valid(const char *s);
/* A zoneinfo name such as Europe/Berlin or UTC: no leading '/', no "..". */
bool provision_timezone_is_valid(const char *s);
/* A crypt(3) hash as /etc/shadow holds it ("$y$...", "$6$..."): '$', then [A-Za-z0-9./$]. */
bool provision_hash_is_valid(const char *s);
/* An absolute host path without spaces, quotes, '#', ';' or backslashes. */
bool provision_path_is_valid(const char *s);

/* Reads the first public key of a .pub file into buf (trailing newline dropped). -EINVAL when
 * the file holds no valid key line or more than one, -E2BIG when it is longer than size-1. */
int provision_read_ssh_key(const char *path, char *buf, size_t size);
/* Normalises a package list to single spaces ("git,vim  less" -> "git vim less") in buf. */
int provision_packages_normalize(const char *s, char *buf, size_t size);
