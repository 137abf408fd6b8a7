/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small json-c helpers for mqosctl's JSON output (show.c, stats.c).
 */
#ifndef MQOSCTL_JSON_H
#define MQOSCTL_JSON_H

#include <stdint.h>
#include <json-c/json.h>

static inline void jset(json_object *o, const char *k, json_object *v)
{
	json_object_object_add(o, k, v);
}

static inline void jint(json_object *o, const char *k, uint64_t v)
{
	jset(o, k, json_object_new_uint64(v));
}

static inline void jstr(json_object *o, const char *k, const char *v)
{
	jset(o, k, json_object_new_string(v));
}

/*
 * The JSON schema (mqosctl(8), JSON OUTPUT): units in key names (_bps
 * bits/s, _bytes, _packets, _ns), one type per key, null for "none";
 * counters that only some modules send are left out when not sent.
 */
static inline void jnull(json_object *o, const char *k)
{
	jset(o, k, NULL);
}

#endif
