/* cgroup-devices.c: the devices cgroup: the nodes every container needs and its device.*
 * nodes, nothing else (v1 devices.allow/deny, and a BPF_CGROUP_DEVICE program on cgroup2). */
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/util.h"
#include "cgroup/internal.h"
#include "fs/idmap.h"
#include "fs/mounts.h"
#include "store/config.h"

#define ANY (-1)
#define RWM (CGROUP_DEV_READ | CGROUP_DEV_WRITE | CGROUP_DEV_MKNOD)

/* What init, getty, sshd and a shell need (DESIGN §4): the nodes dev.c binds in, the
 * console, and every pty (the container's own devpts and the console's host pty are 136). */
static const struct cgroup_dev_rule defaults[] = {
	{'c', 1, 3, RWM},     /* null */
	{'c', 1, 5, RWM},     /* zero */
	{'c', 1, 7, RWM},     /* full */
	{'c', 1, 8, RWM},     /* random */
	{'c', 1, 9, RWM},     /* urandom */
	{'c', 5, 0, RWM},     /* tty */
	{'c', 5, 1, RWM},     /* console */
	{'c', 5, 2, RWM},     /* ptmx */
	{'c', 136, ANY, RWM}, /* pts/N */
};

int cgroup_devices_rules(const struct container_config *c, struct cgroup_dev_rule *ret, size_t max,
			 size_t *ret_n)
{
	size_t n = 0;

	for (size_t i = 0; i < ELEMENTSOF(defaults) && n < max; i++)
		ret[n++] = defaults[i];
	for (size_t i = 0; i < CONFIG_ENTRIES_MAX; i++) {
		struct stat st;

		if (!c->devices[i].name)
			continue;
		int r = mounts_device_stat(c->devices[i].value, &st);

		if (r < 0)
			return r;
		if (n == max)
			return -E2BIG;
		ret[n++] = (struct cgroup_dev_rule){'c', (int64_t)major(st.st_rdev),
						    (int64_t)minor(st.st_rdev), RWM};
	}
	*ret_n = n;
	return 0;
}

void cgroup_dev_rule_format(const struct cgroup_dev_rule *r, char *buf, size_t size)
{
	char maj[24] = "*", min[24] = "*";

	if (r->major != ANY)
		(void)snprintf(maj, sizeof(maj), "%lld", (long long)r->major);
	if (r->minor != ANY)
		(void)snprintf(min, sizeof(min), "%lld", (long long)r->minor);
	(void)snprintf(buf, size, "%c %s:%s %s%s%s", r->type, maj, min,
		       r->access & CGROUP_DEV_READ ? "r" : "",
		       r->access & CGROUP_DEV_WRITE ? "w" : "",
		       r->access & CGROUP_DEV_MKNOD ? "m" : "");
}

/* v1: everything denied, then each rule allowed. The cgroup is new and has no children. */
static int apply_v1(const char *dir, const struct cgroup_dev_rule *rules, size_t n)
{
	char buf[64];
	int r;

	r = cg_write(dir, "devices.deny", "a");
	for (size_t i = 0; r >= 0 && i < n; i++) {
		cgroup_dev_rule_format(&rules[i], buf, sizeof(buf));
		r = cg_write(dir, "devices.allow", buf);
	}
	return r;
}

/* The few eBPF instructions the program needs (the kernel's filter.h is not uapi). */
static struct bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	return (struct bpf_insn){
		.code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm};
}
#define LDX_W(dst, src, off) insn(BPF_LDX | BPF_MEM | BPF_W, dst, src, off, 0)
#define MOV32_REG(dst, src) insn(BPF_ALU | BPF_MOV | BPF_X, dst, src, 0, 0)
#define ALU32_IMM(op, dst, imm) insn(BPF_ALU | (op) | BPF_K, dst, 0, 0, imm)
#define MOV64_IMM(dst, imm) insn(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm)
#define JNE_IMM(dst, imm, off) insn(BPF_JMP | BPF_JNE | BPF_K, dst, 0, off, imm)
#define EXIT() insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

/* One rule: "if type, major, minor match and the access asked is within the rule's, allow";
 * every failed test jumps to the next rule. Registers: r3 type, r4 access, r5 major, r1
 * minor (struct bpf_cgroup_dev_ctx: access_type = access << 16 | type, major, minor). */
static size_t emit_rule(const struct cgroup_dev_rule *r, struct bpf_insn *out)
{
	size_t len = 6 + (r->major != ANY) + (r->minor != ANY), k = 0;

#define NEXT ((int16_t)(len - k - 1))
	out[k] = JNE_IMM(3, r->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR, NEXT);
	k++;
	if (r->major != ANY) {
		out[k] = JNE_IMM(5, (int32_t)r->major, NEXT);
		k++;
	}
	if (r->minor != ANY) {
		out[k] = JNE_IMM(1, (int32_t)r->minor, NEXT);
		k++;
	}
	out[k++] = MOV32_REG(0, 4);
	out[k] = ALU32_IMM(BPF_AND, 0, (int32_t)~r->access & 7);
	k++;
	out[k] = JNE_IMM(0, 0, NEXT);
	k++;
	out[k++] = MOV64_IMM(0, 1);
	out[k++] = EXIT();
#undef NEXT
	return k;
}

size_t cgroup_devices_bpf(const struct cgroup_dev_rule *rules, size_t n, struct bpf_insn *out,
			  size_t max)
{
	size_t k = 0;

	if (max < 8 + n * 8)
		return 0;
	out[k++] = LDX_W(2, 1, 0);
	out[k++] = MOV32_REG(3, 2);
	out[k++] = ALU32_IMM(BPF_AND, 3, 0xffff);
	out[k++] = MOV32_REG(4, 2);
	out[k++] = ALU32_IMM(BPF_RSH, 4, 16);
	out[k++] = LDX_W(5, 1, 4);
	out[k++] = LDX_W(1, 1, 8);
	for (size_t i = 0; i < n; i++)
		k += emit_rule(&rules[i], out + k);
	out[k++] = MOV64_IMM(0, 0);
	out[k++] = EXIT();
	return k;
}

/* cgroup2: the program attached to the container's cgroup with BPF_F_ALLOW_MULTI, so it
 * applies to every cgroup below it and none below can override it (a program attached
 * further down runs in addition). It lives as long as the cgroup. */
static int apply_bpf(const char *dir, const struct cgroup_dev_rule *rules, size_t n)
{
	struct bpf_insn prog[8 + CGROUP_DEV_RULES_MAX * 8];
	_cleanup_close_ int cgfd = -EBADF, progfd = -EBADF;
	static const char license[] = "GPL";
	union bpf_attr attr;
	size_t len;

	len = cgroup_devices_bpf(rules, n, prog, ELEMENTSOF(prog));
	if (!len)
		return -E2BIG;
	attr = (union bpf_attr){
		.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE,
		.insns = (uint64_t)(uintptr_t)prog,
		.insn_cnt = (uint32_t)len,
		.license = (uint64_t)(uintptr_t)license,
	};
	progfd = NEG_ERRNO((int)syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr)));
	if (progfd < 0)
		return progfd;
	cgfd = NEG_ERRNO(open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	if (cgfd < 0)
		return cgfd;
	attr = (union bpf_attr){
		.target_fd = (uint32_t)cgfd,
		.attach_bpf_fd = (uint32_t)progfd,
		.attach_type = BPF_CGROUP_DEVICE,
		.attach_flags = BPF_F_ALLOW_MULTI,
	};
	return NEG_ERRNO((int)syscall(SYS_bpf, BPF_PROG_ATTACH, &attr, sizeof(attr)));
}

int cgroup_devices_apply(const struct cgroup *cg, const struct container_config *c)
{
	struct cgroup_dev_rule rules[CGROUP_DEV_RULES_MAX];
	size_t n;
	int r;

	r = cgroup_devices_rules(c, rules, ELEMENTSOF(rules), &n);
	if (r < 0)
		return r;
	/* Both need CAP_SYS_ADMIN in the initial user namespace (the kernel's devcgroup and
	 * bpf(BPF_PROG_LOAD) check capable()). A nested lxmgr cannot have it; its containers
	 * are in cgroups below the outer container's, whose rules the kernel applies to them. */
	if (!idmap_in_initial_userns())
		return 1;
	if (cg->v1[CGROUP_V1_DEVICES]) {
		r = apply_v1(cg->v1[CGROUP_V1_DEVICES], rules, n);
		if (r < 0)
			return r;
	}
	/* The kernel checks both where both exist (a hybrid host): the program keeps the rule on
	 * the cgroup2 side too, for a process that joined only that hierarchy. */
	return apply_bpf(cg->unified, rules, n);
}
