/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ikepolicy and ipsecpolicy (Neutron VPNaaS v2). Field names and values as
 * Neutron; defaults stronger where Neutron's are weak or unsupported here:
 * ike_version v2 (v1 refused), pfs group14, auth_algorithm sha256.
 * Algorithms outside what the ESP engine implements are refused at the
 * API (400 UnsupportedAlgorithm) rather than accepted and failing later.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "resource.h"
#include "resources.h"

/* No option for it yet: bounds so a client cannot grow the model freely. */
#define VSW_MAX_IKEPOLICIES 4096
#define VSW_MAX_IPSECPOLICIES 4096
/* Neutron's lifetime bounds: at least 60; an int32 in its schema. */
#define VSW_LIFETIME_MIN 60
#define VSW_LIFETIME_MAX 2147483647

struct vsw_algorithm {
	const char *name;
	size_t key_len;  /* bytes; GCM: without the salt */
	bool aead;
};

static const struct vsw_algorithm encryption_algorithms[] = {
	{ "aes-128", 16, false },
	{ "aes-256", 32, false },
	{ "aes-128-gcm-16", 16, true },
	{ "aes-256-gcm-16", 32, true },
};

static const struct vsw_algorithm auth_algorithms[] = {
	{ "sha1", 20, false },
	{ "sha256", 32, false },
};

#define N_ALGS(a) (sizeof(a) / sizeof((a)[0]))

static const struct vsw_algorithm *
find_algorithm(const struct vsw_algorithm *list, size_t n, const char *name)
{
	for (size_t i = 0; name != NULL && i < n; i++)
		if (strcmp(list[i].name, name) == 0)
			return &list[i];
	return NULL;
}

static int
unsupported_algorithm(const struct vsw_field *f, const char *value,
		      const char *supported, struct vsw_error *err)
{
	return vsw_error_set(err, -EINVAL, "UnsupportedAlgorithm", f->name,
			     "%s '%.40s' is not supported; supported: %s", f->name,
			     value, supported);
}

int
vsw_vpn_validate_encryption(const struct vsw_field *f, json_t **value,
			    struct vsw_error *err)
{
	const char *s = json_string_value(*value);

	if (find_algorithm(encryption_algorithms, N_ALGS(encryption_algorithms), s))
		return 0;
	return unsupported_algorithm(f, s, "aes-128, aes-256 (CBC), aes-128-gcm-16, "
				     "aes-256-gcm-16", err);
}

int
vsw_vpn_validate_auth(const struct vsw_field *f, json_t **value,
		      struct vsw_error *err)
{
	const char *s = json_string_value(*value);

	if (find_algorithm(auth_algorithms, N_ALGS(auth_algorithms), s))
		return 0;
	return unsupported_algorithm(f, s, "sha1, sha256", err);
}

bool
vsw_vpn_encryption_is_aead(const char *alg)
{
	const struct vsw_algorithm *a =
		find_algorithm(encryption_algorithms, N_ALGS(encryption_algorithms), alg);

	return a != NULL && a->aead;
}

size_t
vsw_vpn_key_len(const char *alg)
{
	const struct vsw_algorithm *a =
		find_algorithm(encryption_algorithms, N_ALGS(encryption_algorithms), alg);

	if (a == NULL)
		a = find_algorithm(auth_algorithms, N_ALGS(auth_algorithms), alg);
	return a ? a->key_len : 0;
}

/* --- field validators --- */

static int
invalid(const struct vsw_field *f, struct vsw_error *err, const char *what)
{
	return vsw_error_set(err, -EINVAL, "InvalidInput", f->name,
			     "invalid input for %s: %s", f->name, what);
}

static bool
has_only(const json_t *obj, const char *const *names)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)obj, key, v) {
		const char *const *p = names;

		while (*p && strcmp(*p, key) != 0)
			p++;
		if (*p == NULL)
			return false;
	}
	return true;
}

/* {units: seconds|kilobytes, value: 60..}: members not given take
 * Neutron's defaults (seconds, 3600), on create and on update alike. */
static int
validate_lifetime(const struct vsw_field *f, json_t **value, struct vsw_error *err)
{
	static const char *const members[] = { "units", "value", NULL };
	json_t *units = json_object_get(*value, "units");
	json_t *v = json_object_get(*value, "value");
	const char *u;
	json_t *canon;

	if (!has_only(*value, members))
		return invalid(f, err, "only units and value may be given");
	u = units ? json_string_value(units) : "seconds";
	if (u == NULL || (strcmp(u, "seconds") && strcmp(u, "kilobytes")))
		return invalid(f, err, "units must be seconds or kilobytes");
	if (v != NULL && (!json_is_integer(v) || json_integer_value(v) < VSW_LIFETIME_MIN ||
			  json_integer_value(v) > VSW_LIFETIME_MAX))
		return invalid(f, err, "value must be an integer of at least 60");
	canon = json_pack("{s:s, s:I}", "units", u, "value",
			  v ? json_integer_value(v) : (json_int_t)3600);
	if (canon == NULL)
		return -ENOMEM;
	json_decref(*value);
	*value = canon;
	return 0;
}

/* Neutron's groups, less the weak MODP ones (2, 5; 22..24 have small
 * subgroups, RFC 8247) and those the IKE engine will not implement. */
static int
validate_pfs(const struct vsw_field *f, json_t **value, struct vsw_error *err)
{
	static const char *const supported[] = {
		"group14", "group15", "group16", "group19", "group20", "group21",
		"group31", NULL,
	};
	static const char *const neutron[] = {
		"group2", "group5", "group17", "group18", "group22", "group23",
		"group24", "group25", "group26", "group27", "group28", "group29",
		"group30", NULL,
	};
	const char *s = json_string_value(*value);

	for (const char *const *p = supported; *p; p++)
		if (strcmp(s, *p) == 0)
			return 0;
	for (const char *const *p = neutron; *p; p++)
		if (strcmp(s, *p) == 0)
			return unsupported_algorithm(f, s, "group14, group15, group16, "
						     "group19, group20, group21, group31", err);
	return invalid(f, err, "not a Diffie-Hellman group name (group14, group19, ...)");
}

static int
validate_ike_version(const struct vsw_field *f, json_t **value, struct vsw_error *err)
{
	const char *s = json_string_value(*value);

	if (strcmp(s, "v2") == 0)
		return 0;
	if (strcmp(s, "v1") == 0)
		return vsw_error_set(err, -EINVAL, "UnsupportedIkeVersion", f->name,
				     "IKEv1 is not supported: use ike_version v2");
	return invalid(f, err, "must be v1 or v2");
}

static int
validate_phase1_mode(const struct vsw_field *f, json_t **value, struct vsw_error *err)
{
	const char *s = json_string_value(*value);

	if (strcmp(s, "main") == 0)
		return 0;
	if (strcmp(s, "aggressive") == 0)
		return vsw_error_set(err, -EINVAL, "InvalidInput", f->name,
				     "aggressive mode is an IKEv1 feature: only main is supported");
	return invalid(f, err, "must be main");
}

static int
validate_transform(const struct vsw_field *f, json_t **value, struct vsw_error *err)
{
	const char *s = json_string_value(*value);

	if (strcmp(s, "esp") == 0)
		return 0;
	if (strcmp(s, "ah") == 0 || strcmp(s, "ah-esp") == 0)
		return vsw_error_set(err, -EINVAL, "UnsupportedTransformProtocol", f->name,
				     "transform_protocol %s is not supported: AH is not "
				     "implemented, use esp", s);
	return invalid(f, err, "must be esp, ah or ah-esp");
}

static int
validate_encapsulation(const struct vsw_field *f, json_t **value, struct vsw_error *err)
{
	const char *s = json_string_value(*value);

	if (strcmp(s, "tunnel") == 0)
		return 0;
	if (strcmp(s, "transport") == 0)
		return vsw_error_set(err, -EINVAL, "UnsupportedEncapsulationMode", f->name,
				     "encapsulation_mode transport is not supported: vsw "
				     "protects routed site-to-site traffic in tunnel mode");
	return invalid(f, err, "must be tunnel or transport");
}

/* --- the kinds --- */

#define POLICY_COMMON_FIELDS \
	{ .name = "id", .type = VSW_FT_UUID, .flags = VSW_F_RO }, \
	{ .name = "name", .type = VSW_FT_STRING, .flags = VSW_F_RW, \
	  .default_json = "\"\"", .max_len = 255 }, \
	{ .name = "description", .type = VSW_FT_STRING, .flags = VSW_F_RW, \
	  .default_json = "\"\"", .max_len = 255 }, \
	{ .name = "project_id", .type = VSW_FT_STRING, .flags = VSW_F_RO }, \
	{ .name = "tenant_id", .type = VSW_FT_STRING, .flags = VSW_F_RO }, \
	{ .name = "auth_algorithm", .type = VSW_FT_STRING, .flags = VSW_F_RW, \
	  .default_json = "\"sha256\"", .validate = vsw_vpn_validate_auth }, \
	{ .name = "encryption_algorithm", .type = VSW_FT_STRING, .flags = VSW_F_RW, \
	  .default_json = "\"aes-128\"", .validate = vsw_vpn_validate_encryption }, \
	{ .name = "pfs", .type = VSW_FT_STRING, .flags = VSW_F_RW, \
	  .default_json = "\"group14\"", .validate = validate_pfs }, \
	{ .name = "lifetime", .type = VSW_FT_DICT, .flags = VSW_F_RW, \
	  .default_json = "{\"units\":\"seconds\",\"value\":3600}", \
	  .validate = validate_lifetime }, \
	{ .name = "created_at", .type = VSW_FT_STRING, .flags = VSW_F_RO }, \
	{ .name = "updated_at", .type = VSW_FT_STRING, .flags = VSW_F_RO }

static const struct vsw_field ikepolicy_fields[] = {
	POLICY_COMMON_FIELDS,
	{ .name = "phase1_negotiation_mode", .type = VSW_FT_STRING, .flags = VSW_F_RW,
	  .default_json = "\"main\"", .validate = validate_phase1_mode },
	{ .name = "ike_version", .type = VSW_FT_STRING, .flags = VSW_F_RW,
	  .default_json = "\"v2\"", .validate = validate_ike_version },
};

static const struct vsw_field ipsecpolicy_fields[] = {
	POLICY_COMMON_FIELDS,
	{ .name = "transform_protocol", .type = VSW_FT_STRING, .flags = VSW_F_RW,
	  .default_json = "\"esp\"", .validate = validate_transform },
	{ .name = "encapsulation_mode", .type = VSW_FT_STRING, .flags = VSW_F_RW,
	  .default_json = "\"tunnel\"", .validate = validate_encapsulation },
};

/* Connections index their policies as "ipsec_site_connection.<kind>". */
static size_t
connections_using(struct vsw_ctx *ctx, const char *kind, const char *id)
{
	char index[64];

	snprintf(index, sizeof(index), "ipsec_site_connection.%s", kind);
	return vsw_model_index_count(ctx->model, index, id);
}

static int
policy_in_use(struct vsw_ctx *ctx, const char *kind, const char *type,
	      const json_t *policy, struct vsw_error *err)
{
	const char *id = vsw_obj_str(policy, "id");
	size_t n = connections_using(ctx, kind, id);

	if (n == 0)
		return 0;
	return vsw_error_set(err, -EBUSY, type, "id", "%s %s is used by %zu IPsec site "
			     "connection(s)", kind, id, n);
}

/* Name and description are labels: they may change while connections use
 * the policy; anything that changes what is negotiated may not. */
static bool
only_labels(const json_t *changes)
{
	static const char *const labels[] = { "name", "description", NULL };

	return has_only(changes, labels);
}

static int
ikepolicy_on_update(struct vsw_ctx *ctx, const json_t *old, json_t *obj,
		    const json_t *changes, struct vsw_error *err)
{
	(void)obj;
	return only_labels(changes) ? 0
				    : policy_in_use(ctx, "ikepolicy", "IkePolicyInUse", old, err);
}

static int
ikepolicy_on_delete(struct vsw_ctx *ctx, const json_t *obj, struct vsw_error *err)
{
	return policy_in_use(ctx, "ikepolicy", "IkePolicyInUse", obj, err);
}

static int
ipsecpolicy_on_update(struct vsw_ctx *ctx, const json_t *old, json_t *obj,
		      const json_t *changes, struct vsw_error *err)
{
	(void)obj;
	return only_labels(changes) ? 0
				    : policy_in_use(ctx, "ipsecpolicy", "IPsecPolicyInUse", old, err);
}

static int
ipsecpolicy_on_delete(struct vsw_ctx *ctx, const json_t *obj, struct vsw_error *err)
{
	return policy_in_use(ctx, "ipsecpolicy", "IPsecPolicyInUse", obj, err);
}

static const struct vsw_resource_kind ikepolicy_kind = {
	.name = "ikepolicy",
	.plural = "ikepolicies",
	.extension = "vpnaas",
	.fields = ikepolicy_fields,
	.n_fields = sizeof(ikepolicy_fields) / sizeof(ikepolicy_fields[0]),
	.on_update = ikepolicy_on_update,
	.on_delete = ikepolicy_on_delete,
};

static const struct vsw_resource_kind ipsecpolicy_kind = {
	.name = "ipsecpolicy",
	.plural = "ipsecpolicies",
	.extension = "vpnaas",
	.fields = ipsecpolicy_fields,
	.n_fields = sizeof(ipsecpolicy_fields) / sizeof(ipsecpolicy_fields[0]),
	.on_update = ipsecpolicy_on_update,
	.on_delete = ipsecpolicy_on_delete,
};

int
vsw_vpn_policies_register(struct vsw_api *api)
{
	int rc = vsw_api_register_kind(api, &ikepolicy_kind, VSW_MAX_IKEPOLICIES);

	if (rc == 0)
		rc = vsw_api_register_kind(api, &ipsecpolicy_kind, VSW_MAX_IPSECPOLICIES);
	return rc;
}
