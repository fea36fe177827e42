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
#include <sys/stat.h>
#include <uuid/uuid.h>

#include "cleanup.h"
#include "config.h"
#include "util.h"

#define CONFIG_FILE_MAX (1024 * 1024)
/* iniparser 4.1 reads lines into a 1024-byte buffer and fails the whole file on longer ones. */
#define CONFIG_LINE_MAX 1000
#define NAME_MAX_LEN 64
#define SIZE_M (UINT64_C(1) << 20)
#define SIZE_G (UINT64_C(1) << 30)

enum {
	KEY_CONTAINER_ONLY = 1 << 0, /* refused in the global file */
	KEY_OPTIONAL = 1 << 1,       /* an empty value unsets it; unset prints "" */
	KEY_REQUIRED = 1 << 2,       /* config_validate wants a value */
	KEY_SIZE = 1 << 3,           /* a limit given as a size ("512M"), not a count */
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
};

#define FIELD(c, k, type) ((type *)(void *)((char *)(c) + (k)->offset))
#define CFIELD(c, k, type) ((const type *)(const void *)((const char *)(c) + (k)->offset))

/* Enum fields are read and written as int by the table's generic enum functions. */
_Static_assert(sizeof(enum init_kind) == sizeof(int), "enum init_kind is not int-sized");
_Static_assert(sizeof(enum net_mode) == sizeof(int), "enum net_mode is not int-sized");

static int enum_from_string(const char *const *names, size_t n, const char *s, int *ret)
{
	for (size_t i = 0; s && i < n; i++)
		if (names[i] && !strcmp(names[i], s)) {
			*ret = (int)i;
			return 0;
		}
	return -EINVAL;
}

/* systemd's DEFINE_STRING_TABLE_LOOKUP: the name table and both lookups of an enum. */
#define DEFINE_ENUM_STRINGS(type, max, ...)                                                        \
	static const char *const type##_names[max] = {__VA_ARGS__};                                \
	const char *type##_to_string(enum type v)                                                  \
	{                                                                                          \
		return (unsigned)v < (max) ? type##_names[v] : NULL;                               \
	}                                                                                          \
	int type##_from_string(const char *s, enum type *ret)                                      \
	{                                                                                          \
		return enum_from_string(type##_names, (max), s, (int *)ret);                       \
	}

DEFINE_ENUM_STRINGS(init_kind, _INIT_KIND_MAX, [INIT_KIND_UNKNOWN] = "unknown",
		    [INIT_KIND_SYSTEMD] = "systemd", [INIT_KIND_OPENRC] = "openrc",
		    [INIT_KIND_SYSVINIT] = "sysvinit", [INIT_KIND_BUSYBOX] = "busybox")
DEFINE_ENUM_STRINGS(net_mode, _NET_MODE_MAX, [NET_MODE_NONE] = "none", [NET_MODE_HOST] = "host")

/* Lower-case RFC 4122 text, as uuid_unparse_lower() writes it; the nil UUID names nothing. */
static bool uuid_text_is_valid(const char *s)
{
	uuid_t u;

	return strlen(s) == 36 && strspn(s, "0123456789abcdef-") == 36 && uuid_parse(s, u) == 0 &&
	       !uuid_is_null(u);
}

/* RFC 1123 labels separated by dots; the kernel's UTS name holds 64 characters. */
static bool hostname_is_valid(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n > 64 || strchr(".-", s[0]) || strchr(".-", s[n - 1]) || strstr(s, "..") ||
	    strstr(s, ".-") || strstr(s, "-."))
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") == n;
}

/* iniparser cuts a value at '#' or ';' and strips quotes and spaces: refuse what it mangles. */
static bool init_path_is_valid(const char *s)
{
	if (s[0] != '/' || strlen(s) >= PATH_MAX)
		return false;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 127 || strchr("#;\"'\\", *p))
			return false;
	return true;
}

static int print_text(char **ret, const char *s)
{
	*ret = strdup(s);
	return *ret ? 0 : -ENOMEM;
}

static int parse_string(const struct config_key *k, const char *s, struct container_config *c)
{
	char **field = FIELD(c, k, char *), *copy = NULL;

	if (*s ? !k->valid(s) : !(k->flags & KEY_OPTIONAL))
		return -EINVAL;
	if (*s && !(copy = strdup(s)))
		return -ENOMEM;
	free(*field);
	*field = copy;
	return 0;
}

static int print_string(const struct config_key *k, const struct container_config *c, char **ret)
{
	const char *s = *CFIELD(c, k, char *);

	return print_text(ret, s ? s : "");
}

static int parse_u32_field(const struct config_key *k, const char *s, struct container_config *c)
{
	uint32_t v = 0;
	int r;

	if (*s || !(k->flags & KEY_OPTIONAL)) {
		r = parse_u32(s, &v);
		if (r < 0)
			return r;
		if (v < k->min || v > k->max)
			return -ERANGE;
	}
	*FIELD(c, k, uint32_t) = v;
	return 0;
}

/* 0 lies outside the range of every key whose minimum is 1: there it means unset. */
static int print_u32_field(const struct config_key *k, const struct container_config *c, char **ret)
{
	uint32_t v = *CFIELD(c, k, uint32_t);

	if (v == 0 && k->min > 0)
		return print_text(ret, "");
	return xasprintf(ret, "%" PRIu32, v);
}

static int parse_bool_field(const struct config_key *k, const char *s, struct container_config *c)
{
	return parse_bool(s, FIELD(c, k, bool));
}

static int print_bool_field(const struct config_key *k, const struct container_config *c,
			    char **ret)
{
	return print_text(ret, *CFIELD(c, k, bool) ? "yes" : "no");
}

/* cgroup limits: "" and "max" mean no limit (LIMIT_UNSET). */
static int parse_limit(const struct config_key *k, const char *s, struct container_config *c)
{
	uint64_t v = LIMIT_UNSET;
	int r;

	if (*s && strcmp(s, "max")) {
		r = (k->flags & KEY_SIZE) ? parse_size(s, &v) : parse_u64(s, &v);
		if (r < 0)
			return r;
		if (v < k->min)
			return -ERANGE;
	}
	*FIELD(c, k, uint64_t) = v;
	return 0;
}

static int print_limit(const struct config_key *k, const struct container_config *c, char **ret)
{
	uint64_t v = *CFIELD(c, k, uint64_t);

	if (v == LIMIT_UNSET)
		return print_text(ret, "");
	if ((k->flags & KEY_SIZE) && v % SIZE_G == 0)
		return xasprintf(ret, "%" PRIu64 "G", v / SIZE_G);
	if ((k->flags & KEY_SIZE) && v % SIZE_M == 0)
		return xasprintf(ret, "%" PRIu64 "M", v / SIZE_M);
	return xasprintf(ret, "%" PRIu64, v);
}

/* "1.5" -> 1500: cores as a decimal with at most three places, stored in milli-CPUs. */
static int parse_cpu(const struct config_key *k, const char *s, struct container_config *c)
{
	uint32_t v = 0, mult;

	if (*s && strcmp(s, "max")) {
		if (!isdigit((unsigned char)*s))
			return -EINVAL;
		/* Stop past the maximum: the digits left over make it -EINVAL, never a wrap. */
		for (; isdigit((unsigned char)*s) && v <= k->max; s++)
			v = v * 10 + (uint32_t)(*s - '0') * 1000;
		if (*s == '.' && isdigit((unsigned char)s[1]))
			for (s++, mult = 100; isdigit((unsigned char)*s) && mult > 0;
			     s++, mult /= 10)
				v += (uint32_t)(*s - '0') * mult;
		if (*s)
			return -EINVAL;
		if (v < k->min || v > k->max)
			return -ERANGE;
	}
	*FIELD(c, k, uint32_t) = v;
	return 0;
}

static int print_cpu(const struct config_key *k, const struct container_config *c, char **ret)
{
	uint32_t v = *CFIELD(c, k, uint32_t);
	char frac[8];
	size_t n;

	if (v == CPU_QUOTA_UNSET)
		return print_text(ret, "");
	if (v % 1000 == 0)
		return xasprintf(ret, "%" PRIu32, v / 1000);
	(void)snprintf(frac, sizeof(frac), "%03" PRIu32, v % 1000);
	for (n = strlen(frac); frac[n - 1] == '0'; n--)
		frac[n - 1] = '\0';
	return xasprintf(ret, "%" PRIu32 ".%s", v / 1000, frac);
}

static int parse_enum(const struct config_key *k, const char *s, struct container_config *c)
{
	return enum_from_string(k->names, k->max, s, FIELD(c, k, int));
}

/* An out-of-range value prints as a number, which the parser then refuses. */
static int print_enum(const struct config_key *k, const struct container_config *c, char **ret)
{
	int v = *CFIELD(c, k, int);

	if (v < 0 || (uint32_t)v >= k->max)
		return xasprintf(ret, "%d", v);
	return print_text(ret, k->names[v]);
}

static int parse_signal_field(const struct config_key *k, const char *s, struct container_config *c)
{
	return parse_signal(s, FIELD(c, k, int));
}

static int print_signal_field(const struct config_key *k, const struct container_config *c,
			      char **ret)
{
	char buf[16];

	return print_text(ret, signal_to_string(*CFIELD(c, k, int), buf));
}

#define OFF(field) offsetof(struct container_config, field)
#define STRING(field) parse_string, print_string, OFF(field), 0, 0
#define U32(field, min, max) parse_u32_field, print_u32_field, OFF(field), min, max
#define LIMIT(field, min) parse_limit, print_limit, OFF(field), min, 0
#define BOOL(field) parse_bool_field, print_bool_field, OFF(field), 0, 0
#define ENUM(field, names) parse_enum, print_enum, OFF(field), 0, ELEMENTSOF(names)

static const struct config_key keys[] = {
	{"container.name", STRING(name), KEY_CONTAINER_ONLY | KEY_REQUIRED, "name",
	 "1-64 letters, digits, '-', '_' or '.', not starting with '.' or '-'",
	 "The container's name; equals its directory name.", .valid = name_is_valid},
	{"container.uuid", STRING(uuid), KEY_CONTAINER_ONLY | KEY_REQUIRED, "UUID",
	 "36 lower-case characters, e.g. 5b8b2d7e-6c1f-4a7d-9a63-0c4f8e2b1d90",
	 "The container's UUID, passed to init as container_uuid=.", .valid = uuid_text_is_valid},
	{"container.hostname", STRING(hostname), KEY_OPTIONAL, "hostname",
	 "letters, digits, '-' and dots, at most 64 characters",
	 "The hostname inside; the name when unset.", .valid = hostname_is_valid},
	{"container.init", STRING(init), KEY_REQUIRED, "path",
	 "an absolute path without spaces, quotes, '#' or ';'",
	 "The program run as PID 1 inside the container.", .valid = init_path_is_valid},
	{"container.init_kind", ENUM(init_kind, init_kind_names), 0, "init kind",
	 "unknown, systemd, openrc, sysvinit or busybox",
	 "Which init the guest runs, as detected at create.", .names = init_kind_names},
	{"container.systemd_version", U32(systemd_version, 1, UINT32_MAX), KEY_OPTIONAL, "version",
	 "a number such as 252",
	 .doc = "The guest's systemd version; unset unless it runs systemd."},
	{"container.stop_signal", parse_signal_field, print_signal_field, OFF(stop_signal), 0, 0, 0,
	 "signal", "e.g. SIGTERM, SIGPWR or SIGRTMIN+3",
	 .doc = "The signal that asks init to shut down."},
	{"container.stop_timeout", U32(stop_timeout, 1, 86400), KEY_REQUIRED, "timeout",
	 "seconds from 1 to 86400", .doc = "Seconds to wait after the stop signal before SIGKILL."},
	{"container.autostart", BOOL(autostart), 0, "boolean", "yes or no",
	 .doc = "Start the container when the host boots."},
	{"idmap.uid_base", U32(uid_base, 1, UINT32_MAX), KEY_CONTAINER_ONLY | KEY_REQUIRED, "uid",
	 "a number >= 1", .doc = "The host uid that root inside maps to."},
	{"idmap.gid_base", U32(gid_base, 1, UINT32_MAX), KEY_CONTAINER_ONLY | KEY_REQUIRED, "gid",
	 "a number >= 1", .doc = "The host gid that root inside maps to."},
	{"idmap.size", U32(id_count, 1, UINT32_MAX), KEY_CONTAINER_ONLY | KEY_REQUIRED, "count",
	 "a number >= 1", .doc = "How many uids and gids the container owns."},
	{"rootfs.shifted", BOOL(rootfs_shifted), 0, "boolean", "yes or no",
	 .doc = "The rootfs ownership was shifted at create (no idmapped mount)."},
	{"limits.memory", LIMIT(memory_max, 4 << 20), KEY_OPTIONAL | KEY_SIZE, "size",
	 "e.g. 512M, 2G or max, at least 4M", .doc = "Hard memory limit (memory.max)."},
	{"limits.memory_high", LIMIT(memory_high, 4 << 20), KEY_OPTIONAL | KEY_SIZE, "size",
	 "e.g. 512M, 2G or max, at least 4M", .doc = "Memory throttling threshold (memory.high)."},
	{"limits.cpu", parse_cpu, print_cpu, OFF(cpu_millis), 10, 1024000, KEY_OPTIONAL,
	 "CPU count", "e.g. 0.5, 1.5 or 2, from 0.01 to 1024, or max",
	 .doc = "CPU quota in cores (cpu.max)."},
	{"limits.cpu_weight", U32(cpu_weight, 1, 10000), KEY_OPTIONAL, "weight",
	 "a number from 1 to 10000", .doc = "Relative CPU share (cpu.weight)."},
	{"limits.pids", LIMIT(pids_max, 1), KEY_OPTIONAL, "count", "a number >= 1 or max",
	 .doc = "Maximum number of tasks (pids.max)."},
	{"net.mode", ENUM(net_mode, net_mode_names), 0, "network mode", "none or host",
	 "none: loopback only; host: the host's network.", .names = net_mode_names},
};

static const struct config_key *key_lookup(const char *name)
{
	for (size_t i = 0; name && i < ELEMENTSOF(keys); i++)
		if (!strcasecmp(keys[i].name, name))
			return &keys[i];
	return NULL;
}

static size_t key_section_len(const struct config_key *k)
{
	return (size_t)(strchr(k->name, '.') - k->name);
}

static const char *key_leaf(const struct config_key *k)
{
	return k->name + key_section_len(k) + 1;
}

static bool key_in_section(const struct config_key *k, const char *section)
{
	return strlen(section) == key_section_len(k) &&
	       !strncmp(k->name, section, key_section_len(k));
}

const char *config_key_name(size_t i, const char **ret_doc)
{
	if (i >= ELEMENTSOF(keys))
		return NULL;
	if (ret_doc)
		*ret_doc = keys[i].doc;
	return keys[i].name;
}

/* Fields left out are 0: INIT_KIND_UNKNOWN, CPU_QUOTA_UNSET, NET_MODE_NONE, no name or ids.
 * init is left NULL if strdup fails: config_validate then refuses the config. */
void config_init_defaults(struct container_config *c)
{
	*c = (struct container_config){
		.init = strdup("/sbin/init"),
		.stop_signal = SIGRTMIN + 3,
		.stop_timeout = 30,
		.id_count = 65536,
		.memory_max = LIMIT_UNSET,
		.memory_high = LIMIT_UNSET,
		.pids_max = LIMIT_UNSET,
	};
}

void config_done(struct container_config *c)
{
	free(c->name);
	free(c->uuid);
	free(c->hostname);
	free(c->init);
	c->name = c->uuid = c->hostname = c->init = NULL;
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
	for (size_t i = 0; it->kind == LINE_SECTION && i < ELEMENTSOF(keys); i++)
		known = known || key_in_section(&keys[i], it->name);
	if (it->kind == LINE_SECTION && !known)
		return set_error(err, it->no, "", -EINVAL, "unknown section [%s]", it->name);
	if (it->kind != LINE_KEY)
		return 0;
	if (!it->section[0])
		return set_error(err, it->no, it->name, -EINVAL, "key outside any [section]");
	(void)snprintf(dotted, sizeof(dotted), "%s.%s", it->section, it->name);
	k = key_lookup(dotted);
	if (!k)
		return set_error(err, it->no, dotted, -EINVAL, "unknown key");
	if (global && (k->flags & KEY_CONTAINER_ONLY))
		return set_error(err, it->no, k->name, -EINVAL,
				 "only a container's own config may set this key");
	if (lines[k - keys])
		return set_error(err, it->no, k->name, -EINVAL, "set twice (first on line %u)",
				 lines[k - keys]);
	lines[k - keys] = it->no;
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

static int apply_values(const char *path, const unsigned lines[], struct container_config *c,
			struct config_error *err)
{
	_cleanup_(dict_freep) dictionary *d = NULL;

	/* iniparser prints its complaints to stderr by default; ours are in *err. */
	iniparser_set_error_callback(ini_silent);
	d = iniparser_load(path);
	if (!d)
		return set_error(err, 0, "", -EINVAL, "iniparser cannot read the file");
	for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
		char inikey[2 * NAME_MAX_LEN + 1];
		const char *v;
		int r;

		if (!lines[i])
			continue;
		(void)snprintf(inikey, sizeof(inikey), "%.*s:%s", (int)key_section_len(&keys[i]),
			       keys[i].name, key_leaf(&keys[i]));
		v = iniparser_getstring(d, inikey, NULL);
		if (!v) /* the file changed between our read and iniparser's */
			return set_error(err, lines[i], keys[i].name, -EAGAIN, "file changed");
		r = key_apply(&keys[i], v, c, lines[i], err);
		if (r < 0)
			return r;
	}
	return 0;
}

static int parse_text(const char *path, const char *text, size_t len, bool global,
		      struct container_config *c, struct config_error *err)
{
	unsigned lines[ELEMENTSOF(keys)] = {0};
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
	return check_id_range(c, lines[key_lookup("idmap.size") - keys], err);
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
	for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
		_cleanup_free_ char *text = NULL;
		int r = key_print_checked(&keys[i], c, &text, err);

		if (r < 0)
			return r;
		if (!*text && (keys[i].flags & KEY_REQUIRED))
			return set_error(err, 0, keys[i].name, -EINVAL, "%s is not set",
					 keys[i].name);
	}
	return check_id_range(c, 0, err);
}

int config_get(const struct container_config *c, const char *key, char **ret)
{
	const struct config_key *k = key_lookup(key);

	if (!k)
		return -ENOENT;
	return k->print(k, c, ret);
}

/* Finds k's line (0: absent) and the last header or key line of its section (0: no section). */
static void locate_key(const char *text, const struct config_key *k, unsigned *ret_line,
		       unsigned *ret_after)
{
	struct ini_iter it = {.text = text};

	*ret_line = *ret_after = 0;
	while (ini_next(&it)) {
		if (!key_in_section(k, it.section))
			continue;
		if (it.kind == LINE_SECTION || it.kind == LINE_KEY)
			*ret_after = it.no;
		if (it.kind == LINE_KEY && !strcmp(it.name, key_leaf(k)))
			*ret_line = it.no;
	}
}

static void emit_key(FILE *f, const struct config_key *k, const char *value)
{
	(void)fprintf(f, "%s =%s%s\n", key_leaf(k), *value ? " " : "", value);
}

/* Copies text line by line, replacing, dropping or adding k's line (value NULL drops it); a
 * missing section is added at the end. */
static int rewrite_text(const char *text, const struct config_key *k, const char *value, char **ret,
			size_t *ret_len)
{
	_cleanup_free_ char *buf = NULL;
	_cleanup_fclose_ FILE *f = NULL;
	struct ini_iter it = {.text = text, .empty = true};
	unsigned line, after;
	size_t size = 0;

	locate_key(text, k, &line, &after);
	f = open_memstream(&buf, &size);
	if (!f)
		return -ENOMEM;
	while (ini_next(&it)) {
		if (it.no != line) {
			(void)fwrite(it.start, 1, it.len, f);
			(void)fputc('\n', f);
		}
		if (value && (it.no == line || (it.no == after && !line)))
			emit_key(f, k, value);
	}
	if (value && !after) {
		if (!it.empty)
			(void)fputc('\n', f);
		(void)fprintf(f, "[%.*s]\n", (int)key_section_len(k), k->name);
		emit_key(f, k, value);
	}
	if (ferror(f) || fclose(TAKE_PTR(f)) != 0)
		return -ENOMEM;
	*ret_len = size;
	*ret = TAKE_PTR(buf);
	return 0;
}

/* Checks the whole file and the new value, and returns the canonical text to write. */
static int edit_check(const char *path, const char *text, size_t len, const struct config_key *k,
		      const char *value, char **ret, struct config_error *err)
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
	r = key_apply(k, value, &scratch, 0, err);
	if (r < 0)
		return r;
	r = check_id_range(&scratch, 0, err);
	if (r < 0)
		return r;
	return key_print_checked(k, &scratch, ret, err);
}

int config_edit_file(const char *path, const char *key, const char *value, struct config_error *err)
{
	_cleanup_free_ char *text = NULL, *canon = NULL, *out = NULL;
	const struct config_key *k;
	size_t len, out_len;
	struct stat st;
	int r;

	err_init(err, path);
	k = key_lookup(key);
	if (!k)
		return set_error(err, 0, key ? key : "", -EINVAL, "unknown key");
	r = read_file_at(AT_FDCWD, path, CONFIG_FILE_MAX, &text, &len);
	if (r < 0)
		return set_error(err, 0, "", r, "%s", strerror(-r));
	if (stat(path, &st) < 0)
		return set_error(err, 0, "", -errno, "%s", strerror(errno));
	r = edit_check(path, text, len, k, value, &canon, err);
	if (r < 0)
		return r;
	r = rewrite_text(text, k, canon, &out, &out_len);
	if (r < 0)
		return set_error(err, 0, k->name, r, "out of memory");
	r = write_file_atomic_at(AT_FDCWD, path, out, out_len, st.st_mode & 07777);
	if (r < 0)
		return set_error(err, 0, k->name, r, "%s", strerror(-r));
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
	for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
		_cleanup_free_ char *value = NULL, *next = NULL;
		size_t len;
		int r;

		r = key_print_checked(&keys[i], c, &value, /* err= */ NULL);
		if (r >= 0 && *value)
			r = rewrite_text(text, &keys[i], value, &next, &len);
		if (r < 0)
			return r;
		if (next) {
			free(text);
			text = TAKE_PTR(next);
		}
	}
	return write_file_atomic_at(AT_FDCWD, path, text, strlen(text), 0644);
}
