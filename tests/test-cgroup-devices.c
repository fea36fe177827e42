/* test-cgroup-devices.c: the devices cgroup rules, their v1 spelling and the BPF program
 * (run here by a small interpreter of the instructions it uses; the kernel runs it in
 * tests/integration/mount-devices.sh). */
#include <linux/bpf.h>
#include <stdio.h>
#include <string.h>

#include "unit.h"

#include "base/util.h"
#include "cgroup/internal.h"
#include "store/config.h"

static struct config_entry entry(const char *name, const char *value)
{
	return (struct config_entry){(char *)name, (char *)value};
}

static void test_cgroup_devices_rules_defaults_then_declared_nodes(void **state)
{
	struct cgroup_dev_rule rules[CGROUP_DEV_RULES_MAX];
	struct container_config c;
	char buf[64];
	size_t n = 0;

	(void)state;
	memset(&c, 0, sizeof(c));
	assert_int_equal(cgroup_devices_rules(&c, rules, ELEMENTSOF(rules), &n), 0);
	assert_int_equal(n, 9);
	cgroup_dev_rule_format(&rules[0], buf, sizeof(buf));
	assert_string_equal(buf, "c 1:3 rwm");
	cgroup_dev_rule_format(&rules[8], buf, sizeof(buf));
	assert_string_equal(buf, "c 136:* rwm");
	c.devices[3] = entry("zero", "/dev/zero");
	assert_int_equal(cgroup_devices_rules(&c, rules, ELEMENTSOF(rules), &n), 0);
	assert_int_equal(n, 10);
	cgroup_dev_rule_format(&rules[9], buf, sizeof(buf));
	assert_string_equal(buf, "c 1:5 rwm");
}

static void test_cgroup_devices_rules_refuse_missing_and_non_char_nodes(void **state)
{
	struct cgroup_dev_rule rules[CGROUP_DEV_RULES_MAX];
	struct container_config c;
	size_t n;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.devices[0] = entry("x", "/dev/lxmgr-no-such-node");
	assert_int_equal(cgroup_devices_rules(&c, rules, ELEMENTSOF(rules), &n), -ENOENT);
	c.devices[0] = entry("x", "/dev");
	assert_int_equal(cgroup_devices_rules(&c, rules, ELEMENTSOF(rules), &n), -ENODEV);
	c.devices[0] = entry("x", "/dev/null");
	assert_int_equal(cgroup_devices_rules(&c, rules, 9, &n), -E2BIG);
}

static void test_cgroup_dev_rule_format_spells_partial_access(void **state)
{
	struct cgroup_dev_rule r = {'b', 7, -1, CGROUP_DEV_READ};
	char buf[64];

	(void)state;
	cgroup_dev_rule_format(&r, buf, sizeof(buf));
	assert_string_equal(buf, "b 7:* r");
	r = (struct cgroup_dev_rule){'c', -1, -1, CGROUP_DEV_WRITE | CGROUP_DEV_MKNOD};
	cgroup_dev_rule_format(&r, buf, sizeof(buf));
	assert_string_equal(buf, "c *:* wm");
}

/* The instructions cgroup_devices_bpf emits, with the kernel's semantics; anything else
 * fails the test. */
static uint64_t run(const struct bpf_insn *p, size_t len, uint32_t access_type, uint32_t major,
		    uint32_t minor)
{
	uint32_t ctx[3] = {access_type, major, minor};
	uint64_t reg[11] = {0};

	for (size_t pc = 0; pc < len; pc++) {
		const struct bpf_insn *i = &p[pc];

		switch (i->code) {
		case BPF_LDX | BPF_MEM | BPF_W:
			assert_int_equal(i->src_reg, 1);
			assert_true(i->off >= 0 && i->off <= 8 && i->off % 4 == 0);
			reg[i->dst_reg] = ctx[i->off / 4];
			break;
		case BPF_ALU | BPF_MOV | BPF_X:
			reg[i->dst_reg] = (uint32_t)reg[i->src_reg];
			break;
		case BPF_ALU | BPF_AND | BPF_K:
			reg[i->dst_reg] = (uint32_t)reg[i->dst_reg] & (uint32_t)i->imm;
			break;
		case BPF_ALU | BPF_RSH | BPF_K:
			reg[i->dst_reg] = (uint32_t)reg[i->dst_reg] >> i->imm;
			break;
		case BPF_ALU64 | BPF_MOV | BPF_K:
			reg[i->dst_reg] = (uint64_t)(int64_t)i->imm;
			break;
		case BPF_JMP | BPF_JNE | BPF_K:
			if (reg[i->dst_reg] != (uint64_t)(int64_t)i->imm)
				pc += (size_t)i->off;
			break;
		case BPF_JMP | BPF_EXIT:
			return reg[0];
		default:
			fail_msg("unexpected instruction 0x%x at %zu", i->code, pc);
		}
	}
	fail_msg("the program ran off its end");
	return 0;
}

#define ACC(a, type) ((uint32_t)(a) << 16 | (type))

static void test_cgroup_devices_bpf_allows_exactly_the_rules(void **state)
{
	static const struct cgroup_dev_rule rules[] = {
		{'c', 1, 3, CGROUP_DEV_READ | CGROUP_DEV_WRITE | CGROUP_DEV_MKNOD},
		{'c', 136, -1, CGROUP_DEV_READ | CGROUP_DEV_WRITE},
		{'c', 10, 229, CGROUP_DEV_READ},
	};
	struct bpf_insn prog[64];
	size_t len;

	(void)state;
	len = cgroup_devices_bpf(rules, ELEMENTSOF(rules), prog, ELEMENTSOF(prog));
	assert_true(len > 0);
	assert_int_equal(cgroup_devices_bpf(rules, ELEMENTSOF(rules), prog, 10), 0);
	/* null: any access */
	assert_int_equal(run(prog, len, ACC(BPF_DEVCG_ACC_READ, BPF_DEVCG_DEV_CHAR), 1, 3), 1);
	assert_int_equal(run(prog, len,
			     ACC(BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD,
				 BPF_DEVCG_DEV_CHAR),
			     1, 3),
			 1);
	/* not the same number, not the same type */
	assert_int_equal(run(prog, len, ACC(BPF_DEVCG_ACC_READ, BPF_DEVCG_DEV_CHAR), 1, 4), 0);
	assert_int_equal(run(prog, len, ACC(BPF_DEVCG_ACC_READ, BPF_DEVCG_DEV_BLOCK), 1, 3), 0);
	assert_int_equal(run(prog, len, ACC(BPF_DEVCG_ACC_READ, BPF_DEVCG_DEV_BLOCK), 7, 0), 0);
	/* a wildcard minor; an access outside the rule's */
	assert_int_equal(run(prog, len, ACC(BPF_DEVCG_ACC_WRITE, BPF_DEVCG_DEV_CHAR), 136, 77), 1);
	assert_int_equal(run(prog, len, ACC(BPF_DEVCG_ACC_MKNOD, BPF_DEVCG_DEV_CHAR), 136, 77), 0);
	assert_int_equal(run(prog, len, ACC(BPF_DEVCG_ACC_READ, BPF_DEVCG_DEV_CHAR), 10, 229), 1);
	assert_int_equal(run(prog, len,
			     ACC(BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE, BPF_DEVCG_DEV_CHAR), 10,
			     229),
			 0);
	assert_int_equal(run(prog, len, ACC(BPF_DEVCG_ACC_READ, BPF_DEVCG_DEV_CHAR), 10, 237), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cgroup_devices_rules_defaults_then_declared_nodes),
		cmocka_unit_test(test_cgroup_devices_rules_refuse_missing_and_non_char_nodes),
		cmocka_unit_test(test_cgroup_dev_rule_format_spells_partial_access),
		cmocka_unit_test(test_cgroup_devices_bpf_allows_exactly_the_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
