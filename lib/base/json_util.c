/*
 * json_util.c - jansson helpers shared by the manifest and the reports.
 */
#include "json_util.h"

#include "banned.h"

json_t *
json_strlist(const struct strlist *l)
{
	json_t *a = json_array();

	for (size_t i = 0; i < l->n; i++)
		json_array_append_new(a, json_string(l->v[i]));
	return a;
}
