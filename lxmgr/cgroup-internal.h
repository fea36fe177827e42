/* cgroup-internal.h: helpers shared by cgroup.c and cgroup-v1.c, nobody else. */
#pragma once

#include <stdbool.h>

#include "cgroup.h"

/* One write(2) of value to dir/file (O_TRUNC, no symlinks). 0 or -errno. */
int cg_write(const char *dir, const char *file, const char *value);
/* Reads dir/file (at most 1 MiB) into *ret. */
int cg_read(const char *dir, const char *file, char **ret);
/* Replaces *p with a copy of s. */
int cg_set_str(char **p, const char *s);

/* The hierarchy a v1 mount option or /proc/self/cgroup controller names ("memory",
 * "name=systemd"), or -EINVAL. */
int cgroup_v1_from_option(const char *s);
/* Records a v1 mount at where from its super options ("rw,cpu,cpuacct", "rw,name=systemd");
 * super is modified. */
int cgroup_v1_note_mount(struct cgroup_host *h, const char *where, char *super);
/* Writes freezer.state and waits (timeout_ms) until it reads back FROZEN or THAWED. */
int cgroup_v1_freeze(const char *dir, bool frozen, int timeout_ms);
