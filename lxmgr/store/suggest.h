/* suggest.h: "did you mean ...?" for a mistyped verb or config key. */
#pragma once

#include <stddef.h>

/* The closest of the candidates offered to a word, by edit distance (a swap of two
 * neighbouring letters counts once). */
struct suggest {
	const char *word;
	const char *best; /* NULL until a close enough candidate was offered */
	size_t best_distance;
};

void suggest_init(struct suggest *s, const char *word);
void suggest_offer(struct suggest *s, const char *candidate);
/* The best candidate when it is close: at most a third of the word's letters (and at least
 * one, at most 3) differ; NULL otherwise. */
const char *suggest_result(const struct suggest *s);

/* " (did you mean 'limits.memory'?)" for an unknown config key, "" when none is close. */
void suggest_config_key(const char *key, char *buf, size_t size);
