/* config-keys.h: the key table shared by config.c (loading, editing) and config-keys.c. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/config.h"

#define CONFIG_KEYS_MAX 128
#define NAME_MAX_LEN 64

enum {
	KEY_CONTAINER_ONLY = 1 << 0, /* refused in the global file */
	KEY_OPTIONAL = 1 << 1,       /* an empty value unsets it; unset prints "" */
	KEY_REQUIRED = 1 << 2,       /* config_validate wants a value */
	KEY_SIZE = 1 << 3,           /* a limit given as a size ("512M"), not a count */
	KEY_FAMILY = 1 << 4,         /* "section.*": free leaf names, a struct config_entry array */
	KEY_GLOBAL_ONLY = 1 << 5,    /* only in lxmgr.conf: a store-wide setting, never written */
	KEY_RECORDED = 1 << 6,       /* lxmgr's record of how the container was made: config
				      * set and unset refuse it (changed, it breaks the container) */
};

/* One row per key, as LXC's config_jump_table: the table is the only list of keys. */
struct config_key {
	const char *name; /* "section.key" */
	int (*parse)(const struct config_key *k, const char *s, struct container_config *c);
	int (*print)(const struct config_key *k, const struct container_config *c, char **ret);
	size_t offset;     /* of the field in struct container_config */
	uint32_t min, max; /* numbers; for enums max is the number of names */
	unsigned flags;
	const char *what, *expect; /* "invalid WHAT 'value' (expected EXPECT)" */
	const char *doc;
	bool (*valid)(const char *s); /* strings */
	const char *const *names;     /* enums */
	/* families: what `config set` checks on the host (a source exists); 0 or -errno with
	 * a one-line reason in why */
	int (*check_host)(const char *s, char *why, size_t n);
};

#define FIELD(c, k, type) ((type *)(void *)((char *)(c) + (k)->offset))
#define CFIELD(c, k, type) ((const type *)(const void *)((const char *)(c) + (k)->offset))

extern const struct config_key config_keys[];
extern const size_t config_n_keys;

const struct config_key *config_key_lookup(const char *name);
size_t key_section_len(const struct config_key *k);
const char *key_leaf(const struct config_key *k);
bool key_in_section(const struct config_key *k, const char *section);
/* *ret = strdup(s), or -ENOMEM. */
int print_text(char **ret, const char *s);

/* Families (KEY_FAMILY rows, "mount.*"): config_key_lookup("mount.src") returns the row. */
bool key_family_leaf_is_valid(const char *leaf);
/* The row's array of CONFIG_ENTRIES_MAX entries in c. */
struct config_entry *key_family_entries(const struct config_key *k, struct container_config *c);
const struct config_entry *key_family_centries(const struct config_key *k,
					       const struct container_config *c);
/* Sets leaf to value (checked with k->valid), or removes it (value NULL). -EINVAL for a bad
 * leaf or value, -ENOSPC when all CONFIG_ENTRIES_MAX slots are used, -ENOMEM. */
int key_family_set(const struct config_key *k, const char *leaf, const char *value,
		   struct container_config *c);
/* Frees every string key (STRING in the table) and every family entry of c. */
void key_free_all(struct container_config *c);
/* Frees the entries of every family of c. */
void key_family_free_all(struct container_config *c);
