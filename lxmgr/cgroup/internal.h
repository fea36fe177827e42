/* cgroup-internal.h: helpers shared by cgroup.c and cgroup-v1.c, nobody else. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cgroup/cgroup.h"

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

/* A devices cgroup rule: type 'c' or 'b', major and minor (-1: any), access bits (the
 * values of BPF_DEVCG_ACC_*). */
#define CGROUP_DEV_MKNOD 1
#define CGROUP_DEV_READ 2
#define CGROUP_DEV_WRITE 4
#define CGROUP_DEV_RULES_MAX 32
struct cgroup_dev_rule {
	char type;
	int64_t major, minor;
	unsigned access;
};
struct container_config;
struct bpf_insn;

/* The rules of a container: the defaults every container needs (null, zero, full, random,
 * urandom, tty, console, ptmx, pts/N), then one per device.* (its host node's number; the
 * node is stat()ed: -ENODEV when it is no character device). */
int cgroup_devices_rules(const struct container_config *c, struct cgroup_dev_rule *ret, size_t max,
			 size_t *ret_n);
/* "c 1:3 rwm", "c 136:* rwm": the v1 devices.allow syntax. */
void cgroup_dev_rule_format(const struct cgroup_dev_rule *r, char *buf, size_t size);
/* The BPF_PROG_TYPE_CGROUP_DEVICE program allowing exactly rules; its length, 0 when max
 * is too small. */
size_t cgroup_devices_bpf(const struct cgroup_dev_rule *rules, size_t n, struct bpf_insn *out,
			  size_t max);
