/* SPDX-License-Identifier: BSD-3-Clause */
#include "field_types.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static int
invalid(const struct vsw_field *f, struct vsw_error *err, const char *what)
{
	return vsw_error_set(err, -EINVAL, "InvalidInput", f->name,
			     "invalid input for %s: %s", f->name, what);
}

static int
replace_with_string(json_t **value, const char *s)
{
	json_t *canon = json_string(s);

	if (canon == NULL)
		return -ENOMEM;
	json_decref(*value);
	*value = canon;
	return 0;
}

size_t
vsw_utf8_length(const char *s, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	return n;
}

int
vsw_mac_parse(const char *s, uint8_t mac[6])
{
	char sep;

	if (strlen(s) != 17)
		return -EINVAL;
	sep = s[2];
	if (sep != ':' && sep != '-')
		return -EINVAL;
	for (int i = 0; i < 6; i++) {
		const char *p = s + 3 * i;
		unsigned int hi, lo;

		if (!isxdigit((unsigned char)p[0]) || !isxdigit((unsigned char)p[1]))
			return -EINVAL;
		if (i < 5 && p[2] != sep)
			return -EINVAL;
		hi = isdigit((unsigned char)p[0]) ? p[0] - '0' : (tolower((unsigned char)p[0]) - 'a' + 10);
		lo = isdigit((unsigned char)p[1]) ? p[1] - '0' : (tolower((unsigned char)p[1]) - 'a' + 10);
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

bool
vsw_mac_is_unicast(const uint8_t mac[6])
{
	static const uint8_t zero[6];

	return (mac[0] & 0x01) == 0 && memcmp(mac, zero, 6) != 0;
}

void
vsw_mac_format(const uint8_t mac[6], char out[VSW_MAC_STRLEN])
{
	snprintf(out, VSW_MAC_STRLEN, "%02x:%02x:%02x:%02x:%02x:%02x",
		 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

bool
vsw_uuid_canonical(const char *s, char out[VSW_UUID_STRLEN])
{
	if (strlen(s) != 36)
		return false;
	for (int i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
			return false;
		out[i] = (char)tolower((unsigned char)s[i]);
	}
	out[36] = '\0';
	return true;
}

void
vsw_uuid_from_random(const uint8_t rnd[16], char out[VSW_UUID_STRLEN])
{
	uint8_t b[16];

	memcpy(b, rnd, sizeof(b));
	b[6] = (b[6] & 0x0f) | 0x40;  /* version 4 */
	b[8] = (b[8] & 0x3f) | 0x80;  /* RFC 4122 variant */
	snprintf(out, VSW_UUID_STRLEN,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
		 b[10], b[11], b[12], b[13], b[14], b[15]);
}

int
vsw_ipv4_or_prefix_canonical(const char *s, char out[VSW_IPV4_PREFIX_STRLEN])
{
	char addr[INET_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	struct in_addr in;
	long plen = -1;

	if (alen == 0 || alen >= sizeof(addr))
		return -EINVAL;
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	/* inet_pton accepts only the strict dotted-quad form. */
	if (inet_pton(AF_INET, addr, &in) != 1)
		return -EINVAL;
	if (slash != NULL) {
		const char *p = slash + 1;

		if (*p == '\0' || strlen(p) > 2)
			return -EINVAL;
		plen = 0;
		for (; *p; p++) {
			if (!isdigit((unsigned char)*p))
				return -EINVAL;
			plen = plen * 10 + (*p - '0');
		}
		if (plen > 32)
			return -EINVAL;
	}
	inet_ntop(AF_INET, &in, addr, sizeof(addr));
	if (plen >= 0)
		snprintf(out, VSW_IPV4_PREFIX_STRLEN, "%s/%ld", addr, plen);
	else
		snprintf(out, VSW_IPV4_PREFIX_STRLEN, "%s", addr);
	return 0;
}

void
vsw_timestamp_now(char out[VSW_TIMESTAMP_STRLEN])
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(out, VSW_TIMESTAMP_STRLEN, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int
check_string(const struct vsw_field *f, const json_t *v, bool full,
	     struct vsw_error *err)
{
	const char *s = json_string_value(v);
	size_t len = json_string_length(v);
	size_t chars;

	if (s == NULL)
		return invalid(f, err, "expected a string");
	if (strlen(s) != len)
		return invalid(f, err, "NUL character in string");
	if (!full)
		return 0;
	chars = vsw_utf8_length(s, len);
	if (f->max_len > 0 && chars > f->max_len)
		return vsw_error_set(err, -EINVAL, "InvalidInput", f->name,
				     "invalid input for %s: longer than %zu characters",
				     f->name, f->max_len);
	if (f->min > 0 && chars < (size_t)f->min)
		return vsw_error_set(err, -EINVAL, "InvalidInput", f->name,
				     "invalid input for %s: shorter than %" PRId64 " characters",
				     f->name, f->min);
	return 0;
}

static int
check_int(const struct vsw_field *f, const json_t *v, bool full,
	  struct vsw_error *err)
{
	json_int_t n;

	if (!json_is_integer(v))
		return invalid(f, err, "expected an integer");
	n = json_integer_value(v);
	if (full && (f->min != 0 || f->max != 0) && (n < f->min || n > f->max))
		return vsw_error_set(err, -EINVAL, "InvalidInput", f->name,
				     "invalid input for %s: %" JSON_INTEGER_FORMAT
				     " is not between %" PRId64 " and %" PRId64,
				     f->name, n, f->min, f->max);
	return 0;
}

static int
check_enum(const struct vsw_field *f, const json_t *v, struct vsw_error *err)
{
	const char *s = json_string_value(v);

	if (s == NULL)
		return invalid(f, err, "expected a string");
	for (const char *const *e = f->enum_values; e && *e; e++)
		if (strcmp(s, *e) == 0)
			return 0;
	if (f->flags & VSW_F_SECRET)
		return invalid(f, err, "not one of the allowed values");
	return vsw_error_set(err, -EINVAL, "InvalidInput", f->name,
			     "invalid input for %s: '%.64s' is not one of the allowed values",
			     f->name, s);
}

static int
canonical_uuid(const struct vsw_field *f, json_t **value, struct vsw_error *err)
{
	char canon[VSW_UUID_STRLEN];
	const char *s = json_string_value(*value);

	if (s == NULL || !vsw_uuid_canonical(s, canon))
		return invalid(f, err, "expected a UUID");
	if (strcmp(s, canon) == 0)
		return 0;
	return replace_with_string(value, canon);
}

static int
canonical_mac(const struct vsw_field *f, json_t **value, struct vsw_error *err)
{
	char canon[VSW_MAC_STRLEN];
	const char *s = json_string_value(*value);
	uint8_t mac[6];

	if (s == NULL || vsw_mac_parse(s, mac) < 0)
		return invalid(f, err, "expected a MAC address like aa:bb:cc:dd:ee:ff");
	if (!vsw_mac_is_unicast(mac))
		return invalid(f, err, "not a unicast MAC address");
	vsw_mac_format(mac, canon);
	if (strcmp(s, canon) == 0)
		return 0;
	return replace_with_string(value, canon);
}

static int
check_value(const struct vsw_field *f, json_t **value, bool full,
	    struct vsw_error *err)
{
	if (json_is_null(*value))
		return (f->flags & VSW_F_NULLABLE) ? 0 : invalid(f, err, "must not be null");
	switch (f->type) {
	case VSW_FT_STRING:
		return check_string(f, *value, full, err);
	case VSW_FT_BOOL:
		return json_is_boolean(*value) ? 0 : invalid(f, err, "expected true or false");
	case VSW_FT_INT:
		return check_int(f, *value, full, err);
	case VSW_FT_UUID:
		return canonical_uuid(f, value, err);
	case VSW_FT_MAC:
		return canonical_mac(f, value, err);
	case VSW_FT_ENUM:
		return check_enum(f, *value, err);
	case VSW_FT_LIST:
		return json_is_array(*value) ? 0 : invalid(f, err, "expected a list");
	case VSW_FT_DICT:
		return json_is_object(*value) ? 0 : invalid(f, err, "expected an object");
	}
	return invalid(f, err, "unsupported type");
}

int
vsw_field_validate(const struct vsw_field *f, json_t **value,
		   struct vsw_error *err)
{
	int rc = check_value(f, value, true, err);

	if (rc < 0 || json_is_null(*value) || f->validate == NULL)
		return rc;
	return f->validate(f, value, err);
}

int
vsw_field_canonical(const struct vsw_field *f, json_t **value,
		    struct vsw_error *err)
{
	return check_value(f, value, false, err);
}
