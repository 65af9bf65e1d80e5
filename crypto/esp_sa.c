/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ESP SA installation: validation, key expansion (once per SA), lifetimes,
 * and the small helpers around the bursts of esp.c.
 */
#include "esp.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_ip.h>
#include <rte_udp.h>

#define ESP_HDR_LEN 8
#define DEFAULT_TTL 64

struct esp_algo_info {
	const char *name;
	bool gcm;
	uint8_t key_len;       /* AES key bytes */
	uint8_t auth_key_len;  /* HMAC key bytes, 0 for GCM */
	uint8_t icv_len;
	IMB_HASH_ALG hash_alg;
};

static const struct esp_algo_info esp_algos[VSW_ESP_ALGO_MAX] = {
	[VSW_ESP_AES_GCM_128] = { "aes-128-gcm-16", true, 16, 0, 16,
		IMB_AUTH_AES_GMAC },
	[VSW_ESP_AES_GCM_256] = { "aes-256-gcm-16", true, 32, 0, 16,
		IMB_AUTH_AES_GMAC },
	[VSW_ESP_AES_CBC_128_HMAC_SHA1_96] = { "aes-128-cbc+hmac-sha1-96",
		false, 16, 20, 12, IMB_AUTH_HMAC_SHA_1 },
	[VSW_ESP_AES_CBC_256_HMAC_SHA1_96] = { "aes-256-cbc+hmac-sha1-96",
		false, 32, 20, 12, IMB_AUTH_HMAC_SHA_1 },
	[VSW_ESP_AES_CBC_128_HMAC_SHA256_128] = {
		"aes-128-cbc+hmac-sha256-128", false, 16, 32, 16,
		IMB_AUTH_HMAC_SHA_256 },
	[VSW_ESP_AES_CBC_256_HMAC_SHA256_128] = {
		"aes-256-cbc+hmac-sha256-128", false, 32, 32, 16,
		IMB_AUTH_HMAC_SHA_256 },
};

static const char *const verdict_text[] = {
#define VSW_ESP_V_TEXT(name, text) text,
	VSW_ESP_FOREACH_VERDICT(VSW_ESP_V_TEXT)
#undef VSW_ESP_V_TEXT
};

static const char *const verdict_name[] = {
	"ok", "malformed", "spi", "replay", "icv", "pad_error", "proto",
	"dummy", "expired", "seq_overflow", "no_room", "chained",
	"direction", "crypto",
};

_Static_assert(RTE_DIM(verdict_name) == VSW_ESP_VERDICT_MAX,
	"one short name per verdict");

const char *
vsw_esp_verdict_text(unsigned int verdict)
{
	return verdict < VSW_ESP_VERDICT_MAX ? verdict_text[verdict] : "?";
}

const char *
vsw_esp_verdict_name(unsigned int verdict)
{
	return verdict < VSW_ESP_VERDICT_MAX ? verdict_name[verdict] : "?";
}

const char *
vsw_esp_algo_name(enum vsw_esp_algo algo)
{
	if (algo <= VSW_ESP_ALGO_NONE || algo >= VSW_ESP_ALGO_MAX)
		return "none";
	return esp_algos[algo].name;
}

static int
esp_fail(char *err, size_t errlen, int rc, const char *fmt, const char *arg)
{
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, fmt, arg);
	return rc;
}

int
vsw_esp_algo_from_names(const char *encryption, const char *auth,
	enum vsw_esp_algo *algo, char *err, size_t errlen)
{
	static const struct {
		const char *enc, *auth;
		enum vsw_esp_algo algo;
	} map[] = {
		{ "aes-128-gcm-16", NULL, VSW_ESP_AES_GCM_128 },
		{ "aes-256-gcm-16", NULL, VSW_ESP_AES_GCM_256 },
		{ "aes-128", "sha1", VSW_ESP_AES_CBC_128_HMAC_SHA1_96 },
		{ "aes-256", "sha1", VSW_ESP_AES_CBC_256_HMAC_SHA1_96 },
		{ "aes-128", "sha256", VSW_ESP_AES_CBC_128_HMAC_SHA256_128 },
		{ "aes-256", "sha256", VSW_ESP_AES_CBC_256_HMAC_SHA256_128 },
	};

	if (encryption == NULL)
		return esp_fail(err, errlen, -EINVAL,
			"encryption algorithm missing%s", "");
	for (size_t i = 0; i < RTE_DIM(map); i++) {
		if (strcmp(map[i].enc, encryption) != 0)
			continue;
		if (map[i].auth == NULL ||
		    (auth != NULL && strcmp(map[i].auth, auth) == 0)) {
			*algo = map[i].algo;
			return 0;
		}
	}
	if (err != NULL && errlen > 0)
		snprintf(err, errlen,
			"UnsupportedAlgorithm: encryption '%s' with auth '%s' "
			"(supported: aes-128|aes-256 with sha1|sha256, "
			"aes-128-gcm-16, aes-256-gcm-16)",
			encryption, auth != NULL ? auth : "");
	return -ENOTSUP;
}

IMB_MGR *
vsw_esp_mgr_create(void)
{
	IMB_ARCH arch = IMB_ARCH_NONE;
	IMB_MGR *mgr = alloc_mb_mgr(0);

	if (mgr == NULL)
		return NULL;
	init_mb_mgr_auto(mgr, &arch);
	if (imb_get_errno(mgr) != 0 || arch == IMB_ARCH_NONE) {
		free_mb_mgr(mgr);
		return NULL;
	}
	return mgr;
}

void
vsw_esp_mgr_free(IMB_MGR *mgr)
{
	if (mgr != NULL)
		free_mb_mgr(mgr);
}

int
vsw_esp_hmac_precompute(IMB_MGR *mgr, enum vsw_esp_hmac_alg alg,
	const uint8_t *key, size_t key_len, uint8_t ipad[32], uint8_t opad[32])
{
	uint8_t k0[64] = { 0 }, block[64];
	bool sha1 = alg == VSW_ESP_HMAC_SHA1;

	if (alg != VSW_ESP_HMAC_SHA1 && alg != VSW_ESP_HMAC_SHA256)
		return -EINVAL;
	if (key_len > sizeof(k0)) {  /* RFC 2104: long keys are hashed */
		if (sha1)
			IMB_SHA1(mgr, key, key_len, k0);
		else
			IMB_SHA256(mgr, key, key_len, k0);
	} else if (key_len > 0) {
		memcpy(k0, key, key_len);
	}
	for (size_t i = 0; i < sizeof(block); i++)
		block[i] = k0[i] ^ 0x36;
	if (sha1)
		IMB_SHA1_ONE_BLOCK(mgr, block, ipad);
	else
		IMB_SHA256_ONE_BLOCK(mgr, block, ipad);
	for (size_t i = 0; i < sizeof(block); i++)
		block[i] = k0[i] ^ 0x5c;
	if (sha1)
		IMB_SHA1_ONE_BLOCK(mgr, block, opad);
	else
		IMB_SHA256_ONE_BLOCK(mgr, block, opad);
	explicit_bzero(k0, sizeof(k0));
	explicit_bzero(block, sizeof(block));
	return 0;
}

static int
esp_check_params(const struct vsw_esp_sa_params *p,
	const struct esp_algo_info **info, char *err, size_t errlen)
{
	const struct esp_algo_info *a;
	char num[32];

	if (p->algo <= VSW_ESP_ALGO_NONE || p->algo >= VSW_ESP_ALGO_MAX)
		return esp_fail(err, errlen, -ENOTSUP,
			"UnsupportedAlgorithm: ESP algorithm %s is not supported",
			"id");
	a = &esp_algos[p->algo];
	if (p->dir != VSW_ESP_DIR_IN && p->dir != VSW_ESP_DIR_OUT)
		return esp_fail(err, errlen, -EINVAL,
			"direction must be in or out%s", "");
	if (p->spi < 256)
		return esp_fail(err, errlen, -EINVAL,
			"SPI must be at least 256 (RFC 4303 §2.1)%s", "");
	if (p->enc_key == NULL || p->enc_key_len != a->key_len + (a->gcm ? 4u : 0u)) {
		snprintf(num, sizeof(num), "%u", a->key_len + (a->gcm ? 4u : 0u));
		return esp_fail(err, errlen, -EINVAL,
			"encryption key must be %s bytes", num);
	}
	if (!a->gcm && (p->auth_key == NULL || p->auth_key_len != a->auth_key_len)) {
		snprintf(num, sizeof(num), "%u", a->auth_key_len);
		return esp_fail(err, errlen, -EINVAL,
			"authentication key must be %s bytes", num);
	}
	if (p->dir == VSW_ESP_DIR_IN && p->replay_window != 0 &&
	    (p->replay_window < VSW_REPLAY_WIN_MIN ||
	     p->replay_window > VSW_REPLAY_WIN_MAX || p->replay_window % 64))
		return esp_fail(err, errlen, -EINVAL,
			"replay window must be a multiple of 64 from 64 to 4096%s",
			"");
	if (p->dir == VSW_ESP_DIR_OUT &&
	    (p->tunnel_src == 0 || p->tunnel_dst == 0))
		return esp_fail(err, errlen, -EINVAL,
			"outbound SA needs tunnel source and destination%s", "");
	if ((p->lifetime.soft_seconds && p->lifetime.hard_seconds &&
	     p->lifetime.soft_seconds > p->lifetime.hard_seconds) ||
	    (p->lifetime.soft_bytes && p->lifetime.hard_bytes &&
	     p->lifetime.soft_bytes > p->lifetime.hard_bytes) ||
	    (p->lifetime.soft_packets && p->lifetime.hard_packets &&
	     p->lifetime.soft_packets > p->lifetime.hard_packets))
		return esp_fail(err, errlen, -EINVAL,
			"soft lifetime must not exceed the hard lifetime%s", "");
	*info = a;
	return 0;
}

static uint64_t
esp_deadline(uint64_t start, uint64_t seconds, uint64_t hz)
{
	if (seconds == 0 || seconds > (UINT64_MAX - start) / hz)
		return UINT64_MAX;
	return start + seconds * hz;
}

static void
esp_expand_keys(IMB_MGR *mgr, struct vsw_esp_sa *sa,
	const struct vsw_esp_sa_params *p, const struct esp_algo_info *a)
{
	if (a->gcm) {
		if (a->key_len == 16)
			IMB_AES128_GCM_PRE(mgr, p->enc_key, &sa->keys.gcm);
		else
			IMB_AES256_GCM_PRE(mgr, p->enc_key, &sa->keys.gcm);
		memcpy(sa->salt, p->enc_key + a->key_len, 4);
		return;
	}
	if (a->key_len == 16)
		IMB_AES_KEYEXP_128(mgr, p->enc_key, sa->keys.cbc.enc,
			sa->keys.cbc.dec);
	else
		IMB_AES_KEYEXP_256(mgr, p->enc_key, sa->keys.cbc.enc,
			sa->keys.cbc.dec);
	vsw_esp_hmac_precompute(mgr, a->hash_alg == IMB_AUTH_HMAC_SHA_1 ?
		VSW_ESP_HMAC_SHA1 : VSW_ESP_HMAC_SHA256, p->auth_key,
		p->auth_key_len, sa->keys.cbc.ipad, sa->keys.cbc.opad);
}

static void
esp_set_shape(struct vsw_esp_sa *sa, const struct vsw_esp_sa_params *p,
	const struct esp_algo_info *a)
{
	sa->spi = p->spi;
	sa->spi_be = rte_cpu_to_be_32(p->spi);
	sa->dir = p->dir;
	sa->algo = p->algo;
	sa->esn = p->esn;
	sa->udp_encap = p->udp_encap;
	sa->ttl = p->ttl ? p->ttl : DEFAULT_TTL;
	sa->iv_len = a->gcm ? 8 : 16;
	sa->icv_len = a->icv_len;
	sa->block = a->gcm ? 4 : 16;
	sa->outer_len = sizeof(struct rte_ipv4_hdr) +
		(p->udp_encap ? sizeof(struct rte_udp_hdr) : 0);
	sa->hdr_room = sa->outer_len + ESP_HDR_LEN + sa->iv_len;
	sa->udp_sport_be = rte_cpu_to_be_16(p->udp_sport ? p->udp_sport :
		VSW_ESP_UDP_PORT);
	sa->udp_dport_be = rte_cpu_to_be_16(p->udp_dport ? p->udp_dport :
		VSW_ESP_UDP_PORT);
	sa->tunnel_src = p->tunnel_src;
	sa->tunnel_dst = p->tunnel_dst;
	sa->key_len = a->key_len;
	sa->hash_alg = a->hash_alg;
	sa->seq = p->seq_start;
	sa->seq_base = p->seq_start;
	sa->lifetime = p->lifetime;
}

int
vsw_esp_sa_init(struct vsw_esp_sa *sa, const struct vsw_esp_sa_params *p,
	char *err, size_t errlen)
{
	const struct esp_algo_info *a = NULL;
	IMB_MGR *mgr;
	uint64_t hz;
	int rc;

	if (sa == NULL || p == NULL)
		return esp_fail(err, errlen, -EINVAL, "no SA%s", "");
	rc = esp_check_params(p, &a, err, errlen);
	if (rc < 0)
		return rc;
	mgr = p->mgr != NULL ? p->mgr : vsw_esp_mgr_create();
	if (mgr == NULL)
		return esp_fail(err, errlen, -ENOMEM,
			"cannot initialise libipsec-mb%s", "");

	memset(sa, 0, sizeof(*sa));
	esp_set_shape(sa, p, a);
	vsw_replay_init(&sa->replay, p->replay_window ? p->replay_window :
		VSW_REPLAY_WIN_DEFAULT, p->esn);
	if (!a->gcm &&
	    getrandom(&sa->iv_nonce, sizeof(sa->iv_nonce), 0) !=
	    sizeof(sa->iv_nonce))
		sa->iv_nonce = rte_rdtsc() ^ (uintptr_t)sa;
	esp_expand_keys(mgr, sa, p, a);
	if (p->mgr == NULL)
		vsw_esp_mgr_free(mgr);

	hz = p->tsc_hz ? p->tsc_hz : rte_get_tsc_hz();
	if (hz == 0)
		hz = 1;
	sa->created_tsc = p->now_tsc ? p->now_tsc : rte_rdtsc();
	sa->soft_tsc = esp_deadline(sa->created_tsc, p->lifetime.soft_seconds, hz);
	sa->hard_tsc = esp_deadline(sa->created_tsc, p->lifetime.hard_seconds, hz);
	vsw_esp_sa_pick_bursts(sa);
	return 0;
}

void
vsw_esp_sa_clear(struct vsw_esp_sa *sa)
{
	if (sa != NULL)
		explicit_bzero(sa, sizeof(*sa));
}

bool
vsw_esp_sa_soft_expired(const struct vsw_esp_sa *sa)
{
	return __atomic_load_n(&sa->soft_expired, __ATOMIC_RELAXED) ||
		vsw_esp_sa_hard_expired(sa, rte_rdtsc()) ||
		rte_rdtsc() >= sa->soft_tsc;
}

bool
vsw_esp_sa_hard_expired(const struct vsw_esp_sa *sa, uint64_t now_tsc)
{
	const struct vsw_esp_lifetime *l = &sa->lifetime;

	/* A used-up packet or byte budget is expired already, not only once
	 * the next packet has been refused. */
	return __atomic_load_n(&sa->hard_expired, __ATOMIC_RELAXED) ||
		now_tsc >= sa->hard_tsc ||
		(l->hard_packets != 0 &&
		 __atomic_load_n(&sa->life_packets, __ATOMIC_RELAXED) >= l->hard_packets) ||
		(l->hard_bytes != 0 &&
		 __atomic_load_n(&sa->life_bytes, __ATOMIC_RELAXED) >= l->hard_bytes);
}

uint32_t
vsw_esp_overhead(const struct vsw_esp_sa *sa, uint32_t inner_len)
{
	uint32_t pad = (0u - (inner_len + 2)) & (sa->block - 1u);

	return sa->hdr_room + pad + 2 + sa->icv_len;
}
