/* config.c: a container's INI configuration: the key table, parse, validate, edit, write. */
#include <ctype.h>
#include <fcntl.h>
#include <inttypes.h>
#include <iniparser/iniparser.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <uuid/uuid.h>

#include "base/cleanup.h"
#include "base/lazy-libs.h"
#include "base/log.h"
#include "base/util.h"
#include "store/config.h"

#include "fs/mounts-check.h"
#include "store/config-keys.h"
#include "store/suggest.h"

/* iniparser 4.1 reads lines into a 1024-byte buffer and fails the whole file on longer ones. */
#define CONFIG_LINE_MAX 1000

/* Fields left out are 0: INIT_KIND_UNKNOWN, CPU_QUOTA_UNSET, NET_MODE_NONE, no name or ids.
 * init is left NULL if strdup fails: config_validate then refuses the config. */
void config_init_defaults(struct container_config *c)
{
	*c = (struct container_config){
		.init = strdup("/sbin/init"),
		.stop_signal = SIGRTMIN + 3,
		.stop_timeout = 30,
		.hook_timeout = 60,
		.id_count = 65536,
		.memory_max = LIMIT_UNSET,
		.memory_high = LIMIT_UNSET,
		.pids_max = LIMIT_UNSET,
		.disk_max = LIMIT_UNSET,
		.storage_btrfs_size = LIMIT_UNSET,
		.guest_fixups = true,
	};
}

void config_done(struct container_config *c)
{
	key_free_all(c);
}

static void err_init(struct config_error *err, const char *file)
{
	if (!err)
		return;
	*err = (struct config_error){0};
	(void)snprintf(err->file, sizeof(err->file), "%s", file);
}

static __attribute__((format(printf, 5, 6))) int
set_error(struct config_error *err, unsigned line, const char *key, int r, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return r;
	err->line = line;
	(void)snprintf(err->key, sizeof(err->key), "%s", key);
	va_start(ap, fmt);
	(void)vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return r;
}

/* Runs the key's parser; the value is quoted back in the message so the user sees what we read. */
static int key_apply(const struct config_key *k, const char *value, struct container_config *c,
		     unsigned line, struct config_error *err)
{
	int r = k->parse(k, value, c);

	if (r == -ENOMEM)
		return set_error(err, line, k->name, r, "out of memory");
	if (r < 0)
		return set_error(err, line, k->name, -EINVAL, "invalid %s '%s' (expected %s)",
				 k->what, value, k->expect);
	return 0;
}

/* Prints k and parses the text back, so that what we write or accept is what we would read. */
static int key_print_checked(const struct config_key *k, const struct container_config *c,
			     char **ret, struct config_error *err)
{
	_cleanup_(config_done) struct container_config scratch = {};
	_cleanup_free_ char *text = NULL;
	int r;

	r = k->print(k, c, &text);
	if (r < 0)
		return set_error(err, 0, k->name, r, "out of memory");
	r = *text ? key_apply(k, text, &scratch, 0, err) : 0;
	if (r < 0)
		return r;
	*ret = TAKE_PTR(text);
	return 0;
}

/* The kernel takes ids as u32 and (u32)-1 means "no id": the range must end within 2^32. */
static int check_id_range(const struct container_config *c, unsigned line, struct config_error *err)
{
	uint32_t base = c->uid_base > c->gid_base ? c->uid_base : c->gid_base;

	if ((uint64_t)base + c->id_count > UINT64_C(1) << 32)
		return set_error(err, line, "idmap.size", -EINVAL,
				 "idmap base %" PRIu32 " + size %" PRIu32 " exceeds 2^32", base,
				 c->id_count);
	return 0;
}

/* Walks the file a line at a time, classifying each as iniparser 4.1's iniparser_line() does. */
struct ini_iter {
	const char *text;
	size_t pos;
	char section[NAME_MAX_LEN]; /* the current [section]; "" before the first */
	/* The current line: */
	enum { LINE_BLANK, LINE_SECTION, LINE_KEY, LINE_BAD } kind; /* blank: also comments */
	unsigned no;                                                /* 1-based */
	const char *start;       /* raw text, not NUL-terminated */
	size_t len;              /* without the newline */
	bool empty;              /* nothing but white space */
	char name[NAME_MAX_LEN]; /* section or key, trimmed and lower-cased as iniparser does */
	const char *why;         /* LINE_BAD: what is wrong */
};

static void trim(const char **s, size_t *n)
{
	while (*n > 0 && isspace((unsigned char)**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && isspace((unsigned char)(*s)[*n - 1]))
		(*n)--;
}

/* A name too long for the buffer is cut; it then matches no key, as all are short. */
static void copy_name(char *dst, const char *s, size_t n)
{
	trim(&s, &n);
	if (n >= NAME_MAX_LEN)
		n = NAME_MAX_LEN - 1;
	for (size_t i = 0; i < n; i++)
		dst[i] = (char)tolower((unsigned char)s[i]);
	dst[n] = '\0';
}

/* Reads the next line into *it; false at the end of the text. */
static bool ini_next(struct ini_iter *it)
{
	const char *s = it->text + it->pos, *nl, *eq;
	size_t n;

	if (!*s)
		return false;
	nl = strchr(s, '\n');
	it->start = s;
	it->len = n = nl ? (size_t)(nl - s) : strlen(s);
	it->pos += it->len + (nl ? 1 : 0);
	it->no++;
	trim(&s, &n);
	it->empty = n == 0;
	it->kind = LINE_BAD;
	it->name[0] = '\0';
	if (it->len > CONFIG_LINE_MAX) {
		it->why = "line too long";
	} else if (n > 0 && s[n - 1] == '\\') {
		/* iniparser would join it with the next line, even a comment. */
		it->why = "a line may not end in '\\'";
	} else if (n == 0 || *s == '#' || *s == ';') {
		it->kind = LINE_BLANK;
	} else if (*s == '[' && s[n - 1] == ']' && n >= 2) {
		copy_name(it->name, s + 1, n - 2);
		it->kind = LINE_SECTION;
		memcpy(it->section, it->name, sizeof(it->section));
	} else if ((eq = memchr(s, '=', n)) && eq != s) {
		copy_name(it->name, s, (size_t)(eq - s));
		it->kind = LINE_KEY;
	} else {
		it->why = "not a key = value line";
	}
	return true;
}

/* What iniparser accepts silently or drops (stray lines, unknown names, keys before any
 * section, repeats) is refused here, and the line of each key is recorded for messages. */
static int check_line(const struct ini_iter *it, bool global, unsigned lines[],
		      struct config_error *err)
{
	char dotted[2 * NAME_MAX_LEN + 1];
	const struct config_key *k;
	bool known = false;

	if (it->kind == LINE_BAD)
		return set_error(err, it->no, "", -EINVAL, "%s", it->why);
	for (size_t i = 0; it->kind == LINE_SECTION && i < config_n_keys; i++)
		known = known || key_in_section(&config_keys[i], it->name);
	if (it->kind == LINE_SECTION && !known)
		return set_error(err, it->no, "", -EINVAL, "unknown section [%s]", it->name);
	if (it->kind != LINE_KEY)
		return 0;
	if (!it->section[0])
		return set_error(err, it->no, it->name, -EINVAL, "key outside any [section]");
	(void)snprintf(dotted, sizeof(dotted), "%s.%s", it->section, it->name);
	k = config_key_lookup(dotted);
	if (!k)
		return set_error(err, it->no, dotted, -EINVAL, "unknown key");
	if (global && (k->flags & KEY_CONTAINER_ONLY))
		return set_error(err, it->no, k->name, -EINVAL,
				 "only a container's own config may set this key");
	if (!global && (k->flags & KEY_GLOBAL_ONLY))
		return set_error(err, it->no, k->name, -EINVAL, "only lxmgr.conf may set this key");
	/* A family's row records its first line: its keys are read from the section. */
	if ((k->flags & KEY_FAMILY) && lines[k - config_keys])
		return 0;
	if (lines[k - config_keys])
		return set_error(err, it->no, k->name, -EINVAL, "set twice (first on line %u)",
				 lines[k - config_keys]);
	lines[k - config_keys] = it->no;
	return 0;
}

static int ini_silent(const char *fmt _unused_, ...)
{
	return 0;
}

static void dict_freep(dictionary **d)
{
	if (*d)
		iniparser_freedict(*d);
}

/* Every key of a family's section; iniparser keeps the last of a repeated key. */
static int apply_family(dictionary *d, const struct config_key *k, unsigned line,
			struct container_config *c, struct config_error *err)
{
	_cleanup_free_ const char **keys = NULL;
	char section[NAME_MAX_LEN];
	int n;

	(void)snprintf(section, sizeof(section), "%.*s", (int)key_section_len(k), k->name);
	n = iniparser_getsecnkeys(d, section);
	if (n <= 0)
		return 0;
	keys = calloc((size_t)n, sizeof(*keys));
	if (!keys || !iniparser_getseckeys(d, section, keys))
		return set_error(err, line, k->name, -ENOMEM, "out of memory");
	for (int i = 0; i < n; i++) {
		const char *leaf = keys[i] + strlen(section) + 1;
		const char *v = iniparser_getstring(d, keys[i], "");
		int r = key_family_set(k, leaf, v, c);

		if (r == -ENOMEM)
			return set_error(err, line, k->name, r, "out of memory");
		if (r == -ENOSPC)
			return set_error(err, line, k->name, -EINVAL, "more than %d %s keys",
					 CONFIG_ENTRIES_MAX, section);
		if (r < 0)
			return set_error(err, line, k->name, -EINVAL,
					 "%s.%s: invalid %s '%s' (expected %s)", section, leaf,
					 k->what, v, k->expect);
	}
	return 0;
}

static int apply_values(const char *path, const unsigned lines[], struct container_config *c,
			struct config_error *err)
{
	_cleanup_(dict_freep) dictionary *d = NULL;

	/* iniparser prints its complaints to stderr by default; ours are in *err. */
	iniparser_set_error_callback(ini_silent);
	d = iniparser_load(path);
	if (!d)
		return set_error(err, 0, "", -EINVAL, "iniparser cannot read the file");
	for (size_t i = 0; i < config_n_keys; i++) {
		char inikey[2 * NAME_MAX_LEN + 1];
		const char *v;
		int r;

		if (!lines[i])
			continue;
		if (config_keys[i].flags & KEY_FAMILY) {
			r = apply_family(d, &config_keys[i], lines[i], c, err);
			if (r < 0)
				return r;
			continue;
		}
		(void)snprintf(inikey, sizeof(inikey), "%.*s:%s",
			       (int)key_section_len(&config_keys[i]), config_keys[i].name,
			       key_leaf(&config_keys[i]));
		v = iniparser_getstring(d, inikey, NULL);
		if (!v) /* the file changed between our read and iniparser's */
			return set_error(err, lines[i], config_keys[i].name, -EAGAIN,
					 "file changed");
		r = key_apply(&config_keys[i], v, c, lines[i], err);
		if (r < 0)
			return r;
	}
	return 0;
}

static int parse_text(const char *path, const char *text, size_t len, bool global,
		      struct container_config *c, struct config_error *err)
{
	unsigned lines[CONFIG_KEYS_MAX] = {0};
	struct ini_iter it = {.text = text};
	int r;

	if (memchr(text, '\0', len))
		return set_error(err, 0, "", -EINVAL, "file holds a NUL byte");
	while (ini_next(&it)) {
		r = check_line(&it, global, lines, err);
		if (r < 0)
			return r;
	}
	r = apply_values(path, lines, c, err);
	if (r < 0)
		return r;
	return check_id_range(c, lines[config_key_lookup("idmap.size") - config_keys], err);
}

int config_parse_text(const char *path, const char *text, size_t len, bool global,
		      struct container_config *c, struct config_error *err)
{
	err_init(err, path);
	return parse_text(path, text, len, global, c, err);
}

/* The trimmed value of a key line. */
static void line_value(const struct ini_iter *it, const char **ret, size_t *ret_len)
{
	const char *s = memchr(it->start, '=', it->len) + 1;
	size_t n = it->len - (size_t)(s - it->start);

	trim(&s, &n);
	*ret = s;
	*ret_len = n;
}

int config_peek(const char *text, const char *section, const char *key, char *buf, size_t size)
{
	struct ini_iter it = {.text = text};
	bool seen = false;

	while (ini_next(&it)) {
		const char *v;
		size_t n;

		if (it.kind == LINE_BAD)
			return -ENODATA;
		if (it.kind != LINE_KEY || strcmp(it.section, section) || strcmp(it.name, key))
			continue;
		line_value(&it, &v, &n);
		if (seen || n == 0 || n >= size || strspn(v, PEEK_PLAIN) < n)
			return -ENODATA;
		memcpy(buf, v, n);
		buf[n] = '\0';
		seen = true;
	}
	return seen;
}

int config_peek_ids(const char *text, uint32_t *ret_uid_base, uint32_t *ret_gid_base,
		    uint32_t *ret_count)
{
	static const char *const keys[] = {"uid_base", "gid_base", "size"};
	uint32_t *ret[] = {ret_uid_base, ret_gid_base, ret_count};

	for (size_t k = 0; k < ELEMENTSOF(keys); k++) {
		char buf[16], *end;
		unsigned long long v;

		if (config_peek(text, "idmap", keys[k], buf, sizeof(buf)) <= 0 ||
		    !isdigit((unsigned char)buf[0]))
			return -ENODATA;
		errno = 0;
		v = strtoull(buf, &end, 10);
		if (errno || *end || v > UINT32_MAX)
			return -ENODATA;
		*ret[k] = (uint32_t)v;
	}
	return 0;
}

int config_parse_file(const char *path, bool global, struct container_config *c,
		      struct config_error *err)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r;

	err_init(err, path);
	r = read_file_at(AT_FDCWD, path, CONFIG_FILE_MAX, &text, &len);
	if (r < 0)
		return set_error(err, 0, "", r, "%s", strerror(-r));
	return parse_text(path, text, len, global, c, err);
}

/* Every value is printed and parsed again, so a config built in code gets the same checks as
 * one read from a file. */
int config_validate(const struct container_config *c, struct config_error *err)
{
	err_init(err, "");
	for (size_t i = 0; i < config_n_keys; i++) {
		const struct config_key *k = &config_keys[i];
		_cleanup_free_ char *text = NULL;
		int r;

		for (size_t j = 0; (k->flags & KEY_FAMILY) && j < CONFIG_ENTRIES_MAX; j++) {
			const struct config_entry *e = &key_family_centries(k, c)[j];

			if (e->name && (!key_family_leaf_is_valid(e->name) || !e->value ||
					!k->valid(e->value)))
				return set_error(err, 0, k->name, -EINVAL, "invalid %s '%s'",
						 k->what, e->value ? e->value : "");
		}
		if (k->flags & KEY_FAMILY)
			continue;
		r = key_print_checked(k, c, &text, err);

		if (r < 0)
			return r;
		if (!*text && (config_keys[i].flags & KEY_REQUIRED))
			return set_error(err, 0, config_keys[i].name, -EINVAL, "not set");
	}
	return check_id_range(c, 0, err);
}

int config_get(const struct container_config *c, const char *key, char **ret)
{
	const struct config_key *k = config_key_lookup(key);

	if (!k)
		return -ENOENT;
	if (k->flags & KEY_FAMILY) {
		const char *leaf = key + key_section_len(k) + 1;

		for (size_t i = 0; i < CONFIG_ENTRIES_MAX; i++) {
			const struct config_entry *e = &key_family_centries(k, c)[i];

			if (e->name && !strcmp(e->name, leaf))
				return print_text(ret, e->value);
		}
		return print_text(ret, "");
	}
	return k->print(k, c, ret);
}

/* Finds k's line (0: absent) and the last header or key line of its section (0: no section). */
static void locate_key(const char *text, const struct config_key *k, const char *leaf,
		       unsigned *ret_line, unsigned *ret_after)
{
	struct ini_iter it = {.text = text};

	*ret_line = *ret_after = 0;
	while (ini_next(&it)) {
		if (!key_in_section(k, it.section))
			continue;
		if (it.kind == LINE_SECTION || it.kind == LINE_KEY)
			*ret_after = it.no;
		if (it.kind == LINE_KEY && !strcmp(it.name, leaf))
			*ret_line = it.no;
	}
}

static void emit_key(FILE *f, const char *leaf, const char *value)
{
	(void)fprintf(f, "%s =%s%s\n", leaf, *value ? " " : "", value);
}

/* Copies text line by line, replacing, dropping or adding k's line (value NULL drops it); a
 * missing section is added at the end. */
static int rewrite_text(const char *text, const struct config_key *k, const char *leaf,
			const char *value, char **ret, size_t *ret_len)
{
	_cleanup_free_ char *buf = NULL;
	_cleanup_fclose_ FILE *f = NULL;
	struct ini_iter it = {.text = text, .empty = true};
	unsigned line, after;
	size_t size = 0;

	locate_key(text, k, leaf, &line, &after);
	f = open_memstream(&buf, &size);
	if (!f)
		return -ENOMEM;
	while (ini_next(&it)) {
		if (it.no != line) {
			(void)fwrite(it.start, 1, it.len, f);
			(void)fputc('\n', f);
		}
		if (value && (it.no == line || (it.no == after && !line)))
			emit_key(f, leaf, value);
	}
	if (value && !after) {
		if (!it.empty)
			(void)fputc('\n', f);
		(void)fprintf(f, "[%.*s]\n", (int)key_section_len(k), k->name);
		emit_key(f, leaf, value);
	}
	if (ferror(f) || fclose(TAKE_PTR(f)) != 0)
		return -ENOMEM;
	*ret_len = size;
	*ret = TAKE_PTR(buf);
	return 0;
}

/* Checks the whole file and the new value, and returns the canonical text to write. */
/* A family's value: its syntax, then what it names on the host (a source that exists). */
static int edit_check_family(const struct config_key *k, const char *leaf, const char *value,
			     struct container_config *c, char **ret, struct config_error *err)
{
	char key[2 * NAME_MAX_LEN + 1], why[256];
	int r;

	(void)snprintf(key, sizeof(key), "%.*s.%s", (int)key_section_len(k), k->name, leaf);
	r = key_family_set(k, leaf, value, c);
	if (r == -ENOMEM)
		return set_error(err, 0, key, r, "out of memory");
	if (r == -ENOSPC)
		return set_error(err, 0, key, -EINVAL, "more than %d such keys",
				 CONFIG_ENTRIES_MAX);
	if (r < 0)
		return set_error(err, 0, key, -EINVAL, "invalid %s '%s' (expected %s)", k->what,
				 value, k->expect);
	r = k->check_host ? k->check_host(value, why, sizeof(why)) : 0;
	if (r < 0)
		return set_error(err, 0, key, LX_ERRNO(r) == EINVAL ? r : -EINVAL, "%s", why);
	if (!strcmp(k->name, "mount.*") &&
	    mounts_check_target_unique(c->mounts, leaf, value, why, sizeof(why)) < 0)
		return set_error(err, 0, key, -EINVAL, "%s", why);
	return print_text(ret, value);
}

static int edit_check(const char *path, const char *text, size_t len, const struct config_key *k,
		      const char *leaf, const char *value, char **ret, struct config_error *err)
{
	_cleanup_(config_done) struct container_config scratch = {};
	int r;

	config_init_defaults(&scratch);
	r = parse_text(path, text, len, /* global= */ false, &scratch, err);
	if (r < 0)
		return r;
	/* The identity and the id range were allocated at create: unsetting them breaks it. */
	if (!value && (k->flags & KEY_CONTAINER_ONLY) && (k->flags & KEY_REQUIRED))
		return set_error(err, 0, k->name, -EINVAL, "%s cannot be unset", k->name);
	*ret = NULL;
	if (!value)
		return 0;
	if (k->flags & KEY_FAMILY)
		return edit_check_family(k, leaf, value, &scratch, ret, err);
	r = key_apply(k, value, &scratch, 0, err);
	if (r < 0)
		return r;
	r = check_id_range(&scratch, 0, err);
	if (r < 0)
		return r;
	return key_print_checked(k, &scratch, ret, err);
}

int config_check_value(const char *key, const char *value, struct config_error *err)
{
	_cleanup_(config_done) struct container_config scratch = {};
	const struct config_key *k = config_key_lookup(key);

	if (err)
		*err = (struct config_error){0};
	if (!k || (k->flags & KEY_FAMILY))
		return set_error(err, 0, key, -EINVAL, "unknown key");
	config_init_defaults(&scratch);
	return key_apply(k, value, &scratch, 0, err);
}

int config_lock(const char *path)
{
	_cleanup_free_ char *lockpath = NULL;
	_cleanup_close_ int fd = -EBADF;

	if (xasprintf(&lockpath, "%s" CONFIG_LOCK_SUFFIX, path) < 0)
		return -ENOMEM;
	fd = open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX) < 0)
		return -errno;
	return TAKE_FD(fd);
}

int config_edit_file(const char *path, const char *key, const char *value, struct config_error *err)
{
	_cleanup_free_ char *text = NULL, *canon = NULL, *out = NULL;
	_cleanup_close_ int lock = -EBADF;
	const struct config_key *k;
	size_t len, out_len;
	const char *leaf;
	struct stat st;
	int r;

	err_init(err, path);
	k = config_key_lookup(key);
	if (!k) {
		char hint[96] = "";

		if (key)
			suggest_config_key(key, hint, sizeof(hint));
		return set_error(err, 0, key ? key : "", -EINVAL, "unknown key%s", hint);
	}
	/* Read, change, rename: two edits at once must not each write the file they read and
	 * lose the other's key. */
	lock = config_lock(path);
	if (lock < 0)
		return set_error(err, 0, "", lock, "lock %s" CONFIG_LOCK_SUFFIX ": %s", path,
				 strerror(-lock));
	/* A family's leaf as given (lower case, checked by the lookup); else the table's. */
	leaf = (k->flags & KEY_FAMILY) ? key + key_section_len(k) + 1 : key_leaf(k);
	r = read_file_at(AT_FDCWD, path, CONFIG_FILE_MAX, &text, &len);
	if (r < 0)
		return set_error(err, 0, "", r, "%s", strerror(-r));
	if (stat(path, &st) < 0)
		return set_error(err, 0, "", -errno, "%s", strerror(errno));
	r = edit_check(path, text, len, k, leaf, value, &canon, err);
	if (r < 0)
		return r;
	r = rewrite_text(text, k, leaf, canon, &out, &out_len);
	if (r < 0)
		return set_error(err, 0, k->name, r, "out of memory");
	r = write_file_atomic_at(AT_FDCWD, path, out, out_len, st.st_mode & 07777);
	if (r < 0)
		return set_error(err, 0, k->name, r, "%s", strerror(-r));
	return 0;
}

static int write_family(char **text, const struct config_key *k, const struct container_config *c)
{
	for (size_t j = 0; j < CONFIG_ENTRIES_MAX; j++) {
		const struct config_entry *e = &key_family_centries(k, c)[j];
		_cleanup_free_ char *next = NULL;
		size_t len;
		int r;

		if (!e->name)
			continue;
		if (!key_family_leaf_is_valid(e->name) || !e->value || !k->valid(e->value))
			return -EINVAL;
		r = rewrite_text(*text, k, e->name, e->value, &next, &len);
		if (r < 0)
			return r;
		free(*text);
		*text = TAKE_PTR(next);
	}
	return 0;
}

/* Each set key is added the way config_edit_file adds one, so sections come in table order. */
int config_write_file(const char *path, const struct container_config *c)
{
	_cleanup_free_ char *text = NULL;

	text = strdup("# lxmgr container configuration; change it with "
		      "`lxmgr config NAME set KEY VALUE`.\n");
	if (!text)
		return -ENOMEM;
	for (size_t i = 0; i < config_n_keys; i++) {
		_cleanup_free_ char *value = NULL, *next = NULL;
		size_t len;
		int r;

		/* Store-wide settings loaded with lxmgr.conf stay there. */
		if (config_keys[i].flags & KEY_GLOBAL_ONLY)
			continue;
		if (config_keys[i].flags & KEY_FAMILY) {
			r = write_family(&text, &config_keys[i], c);
			if (r < 0)
				return r;
			continue;
		}
		r = key_print_checked(&config_keys[i], c, &value, /* err= */ NULL);
		if (r >= 0 && *value)
			r = rewrite_text(text, &config_keys[i], key_leaf(&config_keys[i]), value,
					 &next, &len);
		if (r < 0)
			return r;
		if (next) {
			free(text);
			text = TAKE_PTR(next);
		}
	}
	return write_file_atomic_at(AT_FDCWD, path, text, strlen(text), 0644);
}
