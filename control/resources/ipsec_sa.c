/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ipsec_sa (extension ipsec-manual-sa, admin only): an ESP SA with explicit
 * SPI and keys, for static keying, tests and benchmarks; the IKE engine
 * will install its SAs as the same objects. Either bound to a connection
 * (connection_id: addresses from it and its vpnservice, selectors from the
 * connection) or free-standing on a vpnservice with its own selectors
 * (vpnservice_id + local_cidrs + peer_cidrs + peer_address).
 *
 * Every field is stored, null when unset, so the data plane reads one flat
 * object. Keys and salt are write-only (VSW_F_SECRET) and never appear in a
 * message. SAs are immutable but for admin_state_up: rekeying is a delete
 * and a create.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ipam.h"
#include "resource.h"
#include "resources.h"

/* Outbound and inbound SAs of 10,000 tunnels, with room to rekey. */
#define VSW_MAX_IPSEC_SAS 65536
#define VSW_MAX_KEY_BYTES 64
#define VSW_GCM_SALT_BYTES 4
#define VSW_REPLAY_WINDOW_MIN 64
#define VSW_REPLAY_WINDOW_MAX 4096
/* "in/255.255.255.255/4294967295" */
#define VSW_SPI_KEYLEN 48

static int
invalid(const struct vsw_field *f, struct vsw_error *err, const char *what)
{
	return vsw_error_set(err, -EINVAL, "InvalidInput", f->name,
			     "invalid input for %s: %s", f->name, what);
}

/* Hex digits, an even number, at most VSW_MAX_KEY_BYTES bytes; stored
 * lower case. The value itself is never quoted back. */
static int
validate_hex(const struct vsw_field *f, json_t **value, struct vsw_error *err)
{
	const char *s = json_string_value(*value);
	size_t len = strlen(s);
	char canon[2 * VSW_MAX_KEY_BYTES + 1];
	json_t *v;

	if (len == 0 || len % 2 != 0 || len > 2 * VSW_MAX_KEY_BYTES)
		return invalid(f, err, "expected an even number of hex digits (at most 64 bytes)");
	for (size_t i = 0; i < len; i++) {
		if (!isxdigit((unsigned char)s[i]))
			return invalid(f, err, "expected hex digits only (no 0x prefix)");
		canon[i] = (char)tolower((unsigned char)s[i]);
	}
	canon[len] = '\0';
	v = json_string(canon);
	if (v == NULL)
		return -ENOMEM;
	json_decref(*value);
	*value = v;
	return 0;
}

static bool
port_ok(const json_t *v)
{
	return json_is_integer(v) && json_integer_value(v) >= 1 &&
	       json_integer_value(v) <= 65535;
}

/* {src_port, dst_port}, each 1..65535, default 4500 (RFC 3948). */
static int
validate_udp_encap(const struct vsw_field *f, json_t **value, struct vsw_error *err)
{
	json_t *src = json_object_get(*value, "src_port");
	json_t *dst = json_object_get(*value, "dst_port");
	json_t *canon;

	if (json_object_size(*value) != (size_t)(src != NULL) + (size_t)(dst != NULL))
		return invalid(f, err, "only src_port and dst_port may be given");
	if ((src != NULL && !port_ok(src)) || (dst != NULL && !port_ok(dst)))
		return invalid(f, err, "ports are 1..65535");
	canon = json_pack("{s:I, s:I}",
			  "src_port", src ? json_integer_value(src) : (json_int_t)4500,
			  "dst_port", dst ? json_integer_value(dst) : (json_int_t)4500);
	if (canon == NULL)
		return -ENOMEM;
	json_decref(*value);
	*value = canon;
	return 0;
}

/* Hard limits {seconds, kilobytes, packets}, each a positive integer or
 * null; all three stored. No limit at all is stored as null. */
static int
validate_lifetime(const struct vsw_field *f, json_t **value, struct vsw_error *err)
{
	static const char *const members[] = { "seconds", "kilobytes", "packets" };
	json_t *canon = json_object();
	size_t known = 0;
	bool any = false;

	if (canon == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < 3; i++) {
		json_t *v = json_object_get(*value, members[i]);

		known += v != NULL;
		if (v != NULL && !json_is_null(v) &&
		    (!json_is_integer(v) || json_integer_value(v) < 1)) {
			json_decref(canon);
			return invalid(f, err, "seconds, kilobytes and packets are positive "
				       "integers or null");
		}
		any |= v != NULL && !json_is_null(v);
		json_object_set_new_nocheck(canon, members[i],
					    v ? json_incref(v) : json_null());
	}
	if (known != json_object_size(*value)) {
		json_decref(canon);
		return invalid(f, err, "only seconds, kilobytes and packets may be given");
	}
	json_decref(*value);
	if (!any) {
		json_decref(canon);
		canon = json_null();
	}
	*value = canon;
	return 0;
}

static const char *const directions[] = { "in", "out", NULL };

#define SECRET_HEX(n) \
	{ .name = n, .type = VSW_FT_STRING, \
	  .flags = VSW_F_CREATE | VSW_F_SECRET | VSW_F_NULLABLE, \
	  .default_json = "null", .validate = validate_hex }
#define CREATE_NULLABLE (VSW_F_CREATE | VSW_F_VISIBLE | VSW_F_NULLABLE)

static const struct vsw_field sa_fields[] = {
	{ .name = "id", .type = VSW_FT_UUID, .flags = VSW_F_RO },
	{ .name = "name", .type = VSW_FT_STRING, .flags = VSW_F_CREATE | VSW_F_VISIBLE,
	  .default_json = "\"\"", .max_len = 255 },
	{ .name = "project_id", .type = VSW_FT_STRING, .flags = VSW_F_RO },
	{ .name = "tenant_id", .type = VSW_FT_STRING, .flags = VSW_F_RO },
	{ .name = "connection_id", .type = VSW_FT_UUID, .flags = CREATE_NULLABLE,
	  .default_json = "null" },
	{ .name = "vpnservice_id", .type = VSW_FT_UUID, .flags = CREATE_NULLABLE,
	  .default_json = "null" },
	{ .name = "local_cidrs", .type = VSW_FT_LIST, .flags = CREATE_NULLABLE,
	  .default_json = "null", .validate = vsw_vpn_validate_cidr_list },
	{ .name = "peer_cidrs", .type = VSW_FT_LIST, .flags = CREATE_NULLABLE,
	  .default_json = "null", .validate = vsw_vpn_validate_cidr_list },
	{ .name = "direction", .type = VSW_FT_ENUM,
	  .flags = VSW_F_CREATE | VSW_F_VISIBLE | VSW_F_REQUIRED, .enum_values = directions },
	{ .name = "spi", .type = VSW_FT_INT,
	  .flags = VSW_F_CREATE | VSW_F_VISIBLE | VSW_F_REQUIRED,
	  .min = 256, .max = 4294967295LL },
	{ .name = "encryption_algorithm", .type = VSW_FT_STRING,
	  .flags = VSW_F_CREATE | VSW_F_VISIBLE | VSW_F_REQUIRED,
	  .validate = vsw_vpn_validate_encryption },
	{ .name = "auth_algorithm", .type = VSW_FT_STRING, .flags = CREATE_NULLABLE,
	  .default_json = "null", .validate = vsw_vpn_validate_auth },
	SECRET_HEX("encryption_key"),
	SECRET_HEX("auth_key"),
	SECRET_HEX("salt"),
	{ .name = "esn", .type = VSW_FT_BOOL, .flags = VSW_F_CREATE | VSW_F_VISIBLE,
	  .default_json = "false" },
	{ .name = "replay_window", .type = VSW_FT_INT, .flags = VSW_F_CREATE | VSW_F_VISIBLE,
	  .default_json = "64", .min = 0, .max = VSW_REPLAY_WINDOW_MAX },
	{ .name = "udp_encap", .type = VSW_FT_DICT, .flags = CREATE_NULLABLE,
	  .default_json = "null", .validate = validate_udp_encap },
	{ .name = "lifetime", .type = VSW_FT_DICT, .flags = CREATE_NULLABLE,
	  .default_json = "null", .validate = validate_lifetime },
	{ .name = "local_address", .type = VSW_FT_STRING, .flags = CREATE_NULLABLE,
	  .default_json = "null", .validate = vsw_vpn_validate_unicast_ipv4 },
	{ .name = "peer_address", .type = VSW_FT_STRING, .flags = CREATE_NULLABLE,
	  .default_json = "null", .validate = vsw_vpn_validate_unicast_ipv4 },
	{ .name = "admin_state_up", .type = VSW_FT_BOOL, .flags = VSW_F_RW,
	  .default_json = "true" },
	{ .name = "status", .type = VSW_FT_STRING, .flags = VSW_F_RO },
	{ .name = "created_at", .type = VSW_FT_STRING, .flags = VSW_F_RO },
	{ .name = "updated_at", .type = VSW_FT_STRING, .flags = VSW_F_RO },
};

/* The SPI identifies an inbound SA at its destination (RFC 4301 4.1):
 * unique per direction and destination address. */
static void
spi_key(char key[VSW_SPI_KEYLEN], const json_t *sa)
{
	bool in = strcmp(vsw_obj_str(sa, "direction"), "in") == 0;
	const char *dst = vsw_obj_str(sa, in ? "local_address" : "peer_address");

	snprintf(key, VSW_SPI_KEYLEN, "%s/%s/%" JSON_INTEGER_FORMAT, in ? "in" : "out",
		 dst ? dst : "-", json_integer_value(json_object_get(sa, "spi")));
}

static void
sa_index_keys(const json_t *sa, vsw_model_emit_fn emit, void *arg)
{
	const char *conn = vsw_obj_str(sa, "connection_id");
	const char *svc = vsw_obj_str(sa, "vpnservice_id");
	char key[VSW_SPI_KEYLEN];

	spi_key(key, sa);
	emit(arg, "ipsec_sa.spi", key);
	if (conn != NULL)
		emit(arg, "ipsec_sa.connection", conn);
	if (svc != NULL)
		emit(arg, "ipsec_sa.vpnservice", svc);
}

/* --- where the SA sits: a connection, or a vpnservice with selectors --- */

static int
sa_error(struct vsw_error *err, const char *field, const char *what)
{
	return vsw_error_set(err, -EINVAL, "InvalidInput", field, "%s", what);
}

/* A derived address may be given only as what it derives to. */
static int
set_derived(json_t *sa, const char *field, const char *value, struct vsw_error *err)
{
	const char *given = vsw_obj_str(sa, field);

	if (value == NULL)
		return vsw_error_set(err, -EINVAL, "InvalidInput", field,
				     "no %s to derive (the vpnservice has no external_v4_ip)",
				     field);
	if (given != NULL && strcmp(given, value) != 0)
		return vsw_error_set(err, -EINVAL, "InvalidInput", field,
				     "%s must be %s (derived from the connection and its "
				     "vpnservice) or left out", field, value);
	json_object_set_new_nocheck(sa, field, json_string(value));
	return 0;
}

static int
place_on_connection(struct vsw_ctx *ctx, json_t *sa, struct vsw_error *err)
{
	const char *conn_id = vsw_obj_str(sa, "connection_id");
	const json_t *conn = vsw_ctx_get(ctx, "ipsec_site_connection", conn_id);
	const json_t *svc;

	if (vsw_obj_str(sa, "vpnservice_id") || json_is_array(json_object_get(sa, "local_cidrs")) ||
	    json_is_array(json_object_get(sa, "peer_cidrs")))
		return sa_error(err, "connection_id", "give connection_id, or vpnservice_id "
				"with local_cidrs and peer_cidrs, not both");
	if (conn == NULL)
		return vsw_not_found(err, "ipsec_site_connection", "connection_id", conn_id);
	svc = vsw_model_get(ctx->model, "vpnservice", vsw_obj_str(conn, "vpnservice_id"));
	json_object_set_nocheck(sa, "vpnservice_id", json_object_get(conn, "vpnservice_id"));
	if (set_derived(sa, "local_address", vsw_obj_str(svc, "external_v4_ip"), err) < 0)
		return err->errnum;
	return set_derived(sa, "peer_address", vsw_obj_str(conn, "peer_address"), err);
}

static int
place_on_service(struct vsw_ctx *ctx, json_t *sa, struct vsw_error *err)
{
	const char *svc_id = vsw_obj_str(sa, "vpnservice_id");
	const json_t *svc;

	if (svc_id == NULL)
		return sa_error(err, "connection_id", "give connection_id, or vpnservice_id "
				"with local_cidrs, peer_cidrs and peer_address");
	svc = vsw_ctx_get(ctx, "vpnservice", svc_id);
	if (svc == NULL)
		return vsw_not_found(err, "vpnservice", "vpnservice_id", svc_id);
	if (!json_is_array(json_object_get(sa, "local_cidrs")))
		return sa_error(err, "local_cidrs", "missing required attribute 'local_cidrs' "
				"(an SA on a vpnservice needs its selectors)");
	if (!json_is_array(json_object_get(sa, "peer_cidrs")))
		return sa_error(err, "peer_cidrs", "missing required attribute 'peer_cidrs' "
				"(an SA on a vpnservice needs its selectors)");
	if (vsw_obj_str(sa, "peer_address") == NULL)
		return sa_error(err, "peer_address", "missing required attribute "
				"'peer_address' (an SA on a vpnservice names its peer)");
	return set_derived(sa, "local_address", vsw_obj_str(svc, "external_v4_ip"), err);
}

/* --- algorithms and keys --- */

static int
key_length_error(struct vsw_error *err, const char *field, const char *alg,
		 size_t want)
{
	return vsw_error_set(err, -EINVAL, "InvalidKeyLength", field,
			     "%s needs a %zu-byte %s (%zu hex digits)", alg, want, field,
			     2 * want);
}

static int
check_key(const json_t *sa, const char *field, const char *alg, size_t want,
	  struct vsw_error *err)
{
	const char *key = vsw_obj_str(sa, field);

	if (key == NULL)
		return vsw_error_set(err, -EINVAL, "InvalidInput", field,
				     "%s needs %s", alg, field);
	return strlen(key) == 2 * want ? 0 : key_length_error(err, field, alg, want);
}

static int
check_aead(const json_t *sa, const char *enc, struct vsw_error *err)
{
	if (vsw_obj_str(sa, "auth_algorithm") != NULL)
		return sa_error(err, "auth_algorithm", "an AES-GCM SA has no auth_algorithm "
				"(GCM authenticates): leave it out");
	if (vsw_obj_str(sa, "auth_key") != NULL)
		return sa_error(err, "auth_key", "an AES-GCM SA has no auth_key: leave it out");
	if (check_key(sa, "encryption_key", enc, vsw_vpn_key_len(enc), err) < 0)
		return err->errnum;
	return check_key(sa, "salt", enc, VSW_GCM_SALT_BYTES, err);
}

static int
check_cbc(const json_t *sa, const char *enc, struct vsw_error *err)
{
	const char *auth = vsw_obj_str(sa, "auth_algorithm");

	if (auth == NULL)
		return sa_error(err, "auth_algorithm", "an AES-CBC SA needs auth_algorithm "
				"(sha1 or sha256) and auth_key");
	if (vsw_obj_str(sa, "salt") != NULL)
		return sa_error(err, "salt", "salt is for AES-GCM SAs only");
	if (check_key(sa, "encryption_key", enc, vsw_vpn_key_len(enc), err) < 0)
		return err->errnum;
	return check_key(sa, "auth_key", auth, vsw_vpn_key_len(auth), err);
}

/* Inbound: a power of two in 64..4096 (the bitmap's shape). Outbound has
 * no window; 0 says so, or the same values are accepted. */
static int
check_replay_window(const json_t *sa, struct vsw_error *err)
{
	json_int_t w = json_integer_value(json_object_get(sa, "replay_window"));
	bool in = strcmp(vsw_obj_str(sa, "direction"), "in") == 0;

	if (!in && w == 0)
		return 0;
	if (w >= VSW_REPLAY_WINDOW_MIN && w <= VSW_REPLAY_WINDOW_MAX && (w & (w - 1)) == 0)
		return 0;
	return vsw_error_set(err, -EINVAL, "InvalidInput", "replay_window",
			     "replay_window must be a power of two from 64 to 4096%s",
			     in ? " on an inbound SA" : ", or 0 on an outbound SA");
}

static int
check_spi_free(struct vsw_ctx *ctx, const json_t *sa, struct vsw_error *err)
{
	char key[VSW_SPI_KEYLEN];
	bool in = strcmp(vsw_obj_str(sa, "direction"), "in") == 0;

	spi_key(key, sa);
	if (vsw_model_index_count(ctx->model, "ipsec_sa.spi", key) == 0)
		return 0;
	return vsw_error_set(err, -EEXIST, "SpiInUse", "spi",
			     "an %s SA with SPI %" JSON_INTEGER_FORMAT " to %s exists",
			     in ? "inbound" : "outbound",
			     json_integer_value(json_object_get(sa, "spi")),
			     vsw_obj_str(sa, in ? "local_address" : "peer_address"));
}

static int
sa_on_create(struct vsw_ctx *ctx, json_t *sa, const json_t *given,
	     struct vsw_error *err)
{
	const char *enc = vsw_obj_str(sa, "encryption_algorithm");
	int rc;

	(void)given;
	rc = vsw_obj_str(sa, "connection_id") ? place_on_connection(ctx, sa, err)
					      : place_on_service(ctx, sa, err);
	if (rc < 0)
		return rc;
	rc = vsw_vpn_encryption_is_aead(enc) ? check_aead(sa, enc, err)
					     : check_cbc(sa, enc, err);
	if (rc == 0)
		rc = check_replay_window(sa, err);
	return rc < 0 ? rc : check_spi_free(ctx, sa, err);
}

static void
sa_decorate(struct vsw_ctx *ctx, const json_t *sa, json_t *out)
{
	vsw_resource_set_status(ctx, "ipsec_sa", sa, out,
				json_is_true(json_object_get(sa, "admin_state_up"))
				? "ACTIVE" : "DOWN");
}

static const struct vsw_resource_kind sa_kind = {
	.name = "ipsec_sa",
	.plural = "ipsec_sas",
	.extension = "ipsec-manual-sa",
	.admin_only = true,
	.fields = sa_fields,
	.n_fields = sizeof(sa_fields) / sizeof(sa_fields[0]),
	.on_create = sa_on_create,
	.decorate = sa_decorate,
	.index_keys = sa_index_keys,
};

int
vsw_ipsec_sa_register(struct vsw_api *api)
{
	return vsw_api_register_kind(api, &sa_kind, VSW_MAX_IPSEC_SAS);
}
