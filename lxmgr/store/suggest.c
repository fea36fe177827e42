/* suggest.c: "did you mean ...?" for a mistyped verb or config key, by the optimal string
 * alignment distance (Levenshtein plus the swap of two neighbouring letters). */
#include <stdio.h>
#include <string.h>

#include "store/config-keys.h"
#include "store/suggest.h"

#define WORD_MAX 64

static size_t min3(size_t a, size_t b, size_t c)
{
	size_t m = a < b ? a : b;

	return m < c ? m : c;
}

static size_t distance(const char *a, const char *b)
{
	size_t n = strlen(a), m = strlen(b);
	size_t d[WORD_MAX + 1][WORD_MAX + 1];

	if (n > WORD_MAX || m > WORD_MAX)
		return SIZE_MAX;
	for (size_t i = 0; i <= n; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= m; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= n; i++)
		for (size_t j = 1; j <= m; j++) {
			size_t cost = a[i - 1] != b[j - 1];

			d[i][j] = min3(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < d[i][j])
				d[i][j] = d[i - 2][j - 2] + 1;
		}
	return d[n][m];
}

void suggest_init(struct suggest *s, const char *word)
{
	*s = (struct suggest){.word = word, .best_distance = SIZE_MAX};
}

void suggest_offer(struct suggest *s, const char *candidate)
{
	size_t d = distance(s->word, candidate);

	if (d < s->best_distance) {
		s->best = candidate;
		s->best_distance = d;
	}
}

const char *suggest_result(const struct suggest *s)
{
	size_t limit = strlen(s->word) / 3;

	if (limit < 1)
		limit = 1;
	if (limit > 3)
		limit = 3;
	return s->best && s->best_distance > 0 && s->best_distance <= limit ? s->best : NULL;
}

void suggest_config_key(const char *key, char *buf, size_t size)
{
	struct suggest s;
	const char *best;

	suggest_init(&s, key);
	for (size_t i = 0; i < config_n_keys; i++)
		if (!(config_keys[i].flags & KEY_FAMILY))
			suggest_offer(&s, config_keys[i].name);
	best = suggest_result(&s);
	if (best)
		(void)snprintf(buf, size, " (did you mean '%s'?)", best);
	else if (size)
		buf[0] = '\0';
}
