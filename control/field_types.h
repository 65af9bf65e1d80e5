/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_FIELD_TYPES_H
#define VSW_FIELD_TYPES_H

/*
 * Field declarations of API resources (Neutron's attribute maps in C) and
 * the value types they use: validation and canonical forms.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "vsw_error.h"

enum vsw_field_type {
	VSW_FT_STRING,  /* min/max_len in characters (UTF-8 code points) */
	VSW_FT_BOOL,
	VSW_FT_INT,     /* min..max when either is non-zero */
	VSW_FT_UUID,    /* canonical lowercase 8-4-4-4-12 */
	VSW_FT_MAC,     /* unicast, non-zero; canonical "aa:bb:cc:dd:ee:ff" */
	VSW_FT_ENUM,    /* one of enum_values */
	VSW_FT_LIST,    /* a JSON array; contents checked by validate */
	VSW_FT_DICT,    /* a JSON object; contents checked by validate */
};

#define VSW_F_CREATE   (1u << 0)  /* settable on create */
#define VSW_F_UPDATE   (1u << 1)  /* settable on update */
#define VSW_F_VISIBLE  (1u << 2)  /* returned by show/list, usable as a filter */
#define VSW_F_ADMIN    (1u << 3)  /* only admin requests may set it */
#define VSW_F_SECRET   (1u << 4)  /* stored, never returned nor logged */
#define VSW_F_REQUIRED (1u << 5)  /* must be given on create */
#define VSW_F_READONLY (1u << 6)  /* computed by vsw */
#define VSW_F_NULLABLE (1u << 7)  /* null is a valid value */

#define VSW_F_RW (VSW_F_CREATE | VSW_F_UPDATE | VSW_F_VISIBLE)
#define VSW_F_RO (VSW_F_READONLY | VSW_F_VISIBLE)

struct vsw_field {
	const char *name;
	enum vsw_field_type type;
	uint32_t flags;
	const char *default_json;  /* JSON text of the default; NULL = absent */
	const char *extension;     /* alias of the extension providing it; NULL = core */
	int64_t min, max;
	size_t max_len;
	const char *const *enum_values;  /* NULL-terminated */
	/* Extra check after the type check; may replace *value (an owned
	 * reference) by its canonical form. Returns 0 or a negative errno. */
	int (*validate)(const struct vsw_field *f, json_t **value,
			struct vsw_error *err);
};

#define VSW_MAC_STRLEN 18    /* "aa:bb:cc:dd:ee:ff" + NUL */
#define VSW_UUID_STRLEN 37
#define VSW_TIMESTAMP_STRLEN 21  /* "2024-01-31T12:00:00Z" + NUL */
#define VSW_IPV4_PREFIX_STRLEN 19 /* "255.255.255.255/32" + NUL */

/*
 * Full validation of a value given for f: null handling, type, range,
 * length, enum, then f->validate. *value is an owned reference and may be
 * replaced by its canonical form. Errors are 400 InvalidInput naming f.
 */
int vsw_field_validate(const struct vsw_field *f, json_t **value,
		       struct vsw_error *err);

/* Type check and canonical form only (for list filters). */
int vsw_field_canonical(const struct vsw_field *f, json_t **value,
			struct vsw_error *err);

/* Parses "aa:bb:cc:dd:ee:ff" (or '-' separated, any case). 0 or -EINVAL. */
int vsw_mac_parse(const char *s, uint8_t mac[6]);
bool vsw_mac_is_unicast(const uint8_t mac[6]);  /* not multicast, not zero */
void vsw_mac_format(const uint8_t mac[6], char out[VSW_MAC_STRLEN]);

/* Canonical lowercase form of a UUID string; false when s is not one. */
bool vsw_uuid_canonical(const char *s, char out[VSW_UUID_STRLEN]);
/* A version 4 UUID from 16 random bytes. */
void vsw_uuid_from_random(const uint8_t rnd[16], char out[VSW_UUID_STRLEN]);

/* "a.b.c.d" or "a.b.c.d/n" in canonical dotted form; 0 or -EINVAL. */
int vsw_ipv4_or_prefix_canonical(const char *s, char out[VSW_IPV4_PREFIX_STRLEN]);

/* Code points of a UTF-8 string of len bytes (jansson has checked it). */
size_t vsw_utf8_length(const char *s, size_t len);

/* ISO-8601 UTC, second resolution, as Neutron reports created_at. */
void vsw_timestamp_now(char out[VSW_TIMESTAMP_STRLEN]);

#endif
