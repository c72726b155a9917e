/*
 * json_util.h - jansson helpers shared by the manifest and the reports.
 */
#ifndef DBMIG_JSON_UTIL_H
#define DBMIG_JSON_UTIL_H

#include <jansson.h>

#include "util.h"

/* A new JSON array of l's strings. */
json_t *json_strlist(const struct strlist *l);

#endif
