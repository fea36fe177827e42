/* metrics.h: the figures of stats.h in the Prometheus text exposition format (0.0.4). */
#pragma once

#include <stdio.h>

#include "run/stats.h"

/* The Content-Type of that format, for an HTTP answer. */
#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* Writes every family (HELP and TYPE, then one sample per container that has the figure). */
void metrics_write(FILE *f, const struct stats_set *s);
