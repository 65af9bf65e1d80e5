/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_ESP_H
#define VSW_ESP_H

/*
 * ESP tunnel mode (RFC 4303) on libipsec-mb, as pure burst transforms on
 * rte_mbufs. crypto/ knows SAs and mbufs, nothing of workers, stages or the
 * API: the data plane's ipsec-out / ipsec-in stages call the two bursts, the
 * control plane (manual SAs, IKE) installs and removes SAs.
 *
 * Packets
 *   encap input:  an inner IPv4 packet at the mbuf data start (no Ethernet
 *                 header; the caller strips/prepends L2), single segment
 *                 (chained mbufs are linearised when the first segment has
 *                 room, else refused). Needs headroom for the outer headers
 *                 (vsw_esp_sa.hdr_room: 20 [+8 UDP] + 8 ESP + IV, <= 52 B)
 *                 and tailroom for pad + 2 + ICV (<= 33 B).
 *   encap output: outer IPv4 [+ UDP 4500, RFC 3948] + ESP header + IV +
 *                 ciphertext(inner + pad 1,2,3.. + pad length + next header 4)
 *                 + ICV, at the data start. Outer TOS copies the inner TOS
 *                 (DSCP per RFC 4301 §5.1.2.1, ECN per RFC 6040 normal mode),
 *                 outer DF copies the inner DF, TTL from the SA (64 default).
 *   decap input:  the packet at the outer IPv4 header (proto 50, or 17 with
 *                 the UDP header of RFC 3948); bytes past the outer IPv4
 *                 total length (L2 padding) are ignored.
 *   decap output: the inner IPv4 packet at the data start, trailer and any
 *                 TFC padding trimmed, outer CE folded into the inner ECN
 *                 (RFC 6040).
 *   Every packet gets a verdict (0 = VSW_ESP_OK or a reason below); the
 *   engine never frees, reorders or drops mbufs: the caller does, by verdict.
 *   A packet whose verdict is not OK may have been modified (in-place crypto).
 *
 * Algorithms (RFC 4106, 3602 + 2404 / 4868). GCM keys are key || 4-byte salt
 * (RFC 4106 §8.1: 20 or 36 bytes); CBC keys 16 or 32 bytes; HMAC keys 20
 * (SHA1) or 32 (SHA-256) bytes. Keys are expanded once at install (AES key
 * schedules, GCM hash keys, HMAC ipad/opad states) and wiped by
 * vsw_esp_sa_clear(). Anything else is refused: -ENOTSUP for an algorithm
 * (API: 400 UnsupportedAlgorithm), -EINVAL for a bad key length, SPI, window
 * or address (API: 400 InvalidInput), with a message in err.
 *
 * IVs: GCM uses the 64-bit sequence number (unique per key, RFC 4106 §3.1).
 * CBC uses E_K(nonce) with nonce = per-SA random 64 bits || sequence number,
 * which NIST SP 800-38A App. C allows: the nonce is written into the IV field
 * and CBC-encrypted with a zero IV together with the payload, so the
 * unpredictable IV costs one extra AES block inside the same job.
 *
 * Sequence numbers: 64-bit per SA, one __atomic_fetch_add per burst (so an
 * outbound SA may be shared by workers). Without ESN a number above 2^32-1
 * is refused (VSW_ESP_SEQ_OVERFLOW) and the SA is hard-expired; with ESN the
 * high 32 bits enter the ICV (GCM: 12-byte AAD; HMAC: appended to the hashed
 * data, RFC 4303 §3.3.2.1) and the receiver infers them (esp_replay.h).
 *
 * Per-SA behaviour is chosen at install by function pointers
 * (sa->encap_burst / sa->decap_burst are specialised for GCM-128, GCM-256,
 * CBC+SHA1, CBC+SHA-256, each with and without ESN); nothing branches on the
 * algorithm per packet. CBC+HMAC: a burst submits every packet's job to the
 * worker's IMB_MGR, keeps them all in flight (multi-buffer), flushes, and
 * matches the completed jobs back by user_data. GCM: libipsec-mb 1.3 runs
 * GCM one buffer at a time even through the job API, which adds ~100
 * cycles per packet, so the bursts call the direct GCM API per packet.
 * The IMB_MGR must hold no jobs on entry (it is left empty on return); one
 * IMB_MGR per worker (vsw_esp_mgr_create), never shared between threads.
 *
 * Inbound order of checks: length/SPI, replay window (before crypto), hard
 * lifetime, decrypt + ICV (constant-time compare), window update (after the
 * ICV only), padding (RFC 4303 §2.4: 1, 2, 3, ...), next header (4 only; 41
 * is counted as VSW_ESP_PROTO until IPv6 inner lands, 59 = dummy packet).
 *
 * Lifetimes: seconds (from install, in TSC), bytes (inner bytes) and packets;
 * soft limits raise a flag the control thread polls
 * (vsw_esp_sa_soft_expired), hard limits refuse packets (VSW_ESP_EXPIRED) and
 * set sa->hard_expired. Byte and packet limits are exact per packet.
 *
 * Counters: sa->stats (packets, bytes, drops[verdict]), relaxed atomics added
 * once per burst (drops per dropped packet).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <intel-ipsec-mb.h>
#include <rte_common.h>
#include <rte_mbuf.h>

#include "esp_replay.h"

/* Per-packet verdicts: one line each, expanded into an enum and names. */
#define VSW_ESP_FOREACH_VERDICT(_)                                         \
	_(OK,           "ok")                                               \
	_(MALFORMED,    "malformed or truncated ESP / inner packet")       \
	_(SPI,          "SPI does not match the SA")                        \
	_(REPLAY,       "replayed or outside the anti-replay window")      \
	_(ICV,          "ESP integrity check failed")                       \
	_(PAD,          "ESP padding bytes are not 1, 2, 3, ...")           \
	_(PROTO,        "inner next header not IPv4")                       \
	_(DUMMY,        "dummy packet (next header 59)")                    \
	_(EXPIRED,      "SA hard lifetime reached")                         \
	_(SEQ_OVERFLOW, "sequence number would wrap without ESN")           \
	_(NO_ROOM,      "no headroom/tailroom for the ESP headers")         \
	_(CHAINED,      "multi-segment mbuf that cannot be linearised")     \
	_(DIRECTION,    "SA of the wrong direction for this burst")         \
	_(CRYPTO,       "crypto library error")

enum vsw_esp_verdict {
#define VSW_ESP_V_ENUM(name, text) VSW_ESP_##name,
	VSW_ESP_FOREACH_VERDICT(VSW_ESP_V_ENUM)
#undef VSW_ESP_V_ENUM
	VSW_ESP_VERDICT_MAX
};

/* Human text and short name ("icv", "replay", ...) of a verdict. */
const char *vsw_esp_verdict_text(unsigned int verdict);
const char *vsw_esp_verdict_name(unsigned int verdict);

enum vsw_esp_algo {
	VSW_ESP_ALGO_NONE = 0,
	VSW_ESP_AES_GCM_128,                 /* RFC 4106, 16-byte ICV */
	VSW_ESP_AES_GCM_256,
	VSW_ESP_AES_CBC_128_HMAC_SHA1_96,    /* RFC 3602 + RFC 2404 */
	VSW_ESP_AES_CBC_256_HMAC_SHA1_96,
	VSW_ESP_AES_CBC_128_HMAC_SHA256_128, /* RFC 3602 + RFC 4868 */
	VSW_ESP_AES_CBC_256_HMAC_SHA256_128,
	VSW_ESP_ALGO_MAX
};

/* "aes-128-gcm-16", "aes-256-cbc+hmac-sha256-128", ... */
const char *vsw_esp_algo_name(enum vsw_esp_algo algo);

/*
 * Neutron VPNaaS names to an algorithm: encryption "aes-128" | "aes-256"
 * with auth "sha1" | "sha256"; "aes-128-gcm-16" | "aes-256-gcm-16" (auth is
 * then ignored). -ENOTSUP (UnsupportedAlgorithm) with a message otherwise.
 */
int vsw_esp_algo_from_names(const char *encryption, const char *auth,
	enum vsw_esp_algo *algo, char *err, size_t errlen);

enum vsw_esp_dir {
	VSW_ESP_DIR_IN = 1,
	VSW_ESP_DIR_OUT,
};

struct vsw_esp_lifetime {   /* 0 = no limit */
	uint64_t soft_seconds, hard_seconds;
	uint64_t soft_bytes, hard_bytes;
	uint64_t soft_packets, hard_packets;
};

struct vsw_esp_sa_params {
	uint32_t spi;               /* host order, >= 256 (RFC 4303 §2.1) */
	enum vsw_esp_dir dir;
	enum vsw_esp_algo algo;
	const uint8_t *enc_key;     /* GCM: key || salt */
	size_t enc_key_len;
	const uint8_t *auth_key;    /* CBC+HMAC only */
	size_t auth_key_len;
	bool esn;
	uint32_t replay_window;     /* inbound; 0 = 64; multiple of 64, <= 4096 */
	uint32_t tunnel_src;        /* outer IPv4 source, network order */
	uint32_t tunnel_dst;        /* outer IPv4 destination, network order */
	uint8_t ttl;                /* outer TTL; 0 = 64 */
	bool udp_encap;             /* RFC 3948 */
	uint16_t udp_sport;         /* host order; 0 = 4500 */
	uint16_t udp_dport;         /* host order; 0 = 4500 */
	struct vsw_esp_lifetime lifetime;
	uint64_t seq_start;         /* outbound: last number used (tests) */
	uint64_t now_tsc;           /* install time; 0 = rte_rdtsc() */
	uint64_t tsc_hz;            /* 0 = rte_get_tsc_hz() */
	IMB_MGR *mgr;               /* for key expansion; NULL = a private one */
};

#define VSW_ESP_UDP_PORT 4500  /* RFC 3948 */

struct vsw_esp_sa;

typedef uint16_t (*vsw_esp_burst_fn)(IMB_MGR *mgr, struct vsw_esp_sa *sa,
	struct rte_mbuf **pkts, uint16_t n, uint64_t now_tsc, uint8_t *verdict);

struct vsw_esp_sa_stats {
	uint64_t packets;   /* processed successfully */
	uint64_t bytes;     /* inner bytes of those packets */
	uint64_t drops[VSW_ESP_VERDICT_MAX];
};

struct vsw_esp_sa {
	/* Read-mostly, set at install. */
	vsw_esp_burst_fn encap_burst;
	vsw_esp_burst_fn decap_burst;
	uint32_t spi;               /* host order */
	uint32_t spi_be;            /* network order, as on the wire */
	enum vsw_esp_dir dir;
	enum vsw_esp_algo algo;
	bool esn;
	bool udp_encap;
	uint8_t ttl;
	uint8_t iv_len;             /* 8 (GCM) or 16 (CBC) */
	uint8_t icv_len;            /* 16, 12 (SHA1-96) or 16 (SHA256-128) */
	uint8_t block;              /* padding alignment: 4 (GCM) or 16 (CBC) */
	uint8_t hdr_room;           /* outer IPv4 [+UDP] + ESP header + IV */
	uint8_t outer_len;          /* outer IPv4 [+UDP] */
	uint16_t udp_sport_be, udp_dport_be;
	uint32_t tunnel_src, tunnel_dst; /* network order */
	uint8_t salt[4];            /* GCM */
	uint64_t iv_nonce;          /* CBC: random high half of the IV nonce */
	uint64_t key_len;           /* AES key bytes: 16 or 32 */
	IMB_HASH_ALG hash_alg;
	uint64_t seq_base;          /* seq_start: packet lifetimes count from it */
	uint64_t created_tsc;
	uint64_t soft_tsc, hard_tsc; /* absolute TSC; UINT64_MAX = never */
	struct vsw_esp_lifetime lifetime;

	/* Outbound sequence number: last used; written by every sending worker. */
	uint64_t seq __rte_cache_aligned;

	/* Counters and expiry flags. */
	struct vsw_esp_sa_stats stats __rte_cache_aligned;
	uint64_t life_bytes;        /* inner bytes charged to the lifetime */
	uint64_t life_packets;
	bool soft_expired;
	bool hard_expired;

	/* Inbound: owned by the one worker processing this SA. */
	struct vsw_replay_window replay __rte_cache_aligned;

	/* Expanded keys. */
	union {
		struct gcm_key_data gcm;
		struct {
			uint32_t enc[60] __rte_aligned(16); /* AES key schedules */
			uint32_t dec[60] __rte_aligned(16);
			uint8_t ipad[32] __rte_aligned(16); /* HMAC inner state */
			uint8_t opad[32] __rte_aligned(16); /* HMAC outer state */
		} cbc;
	} keys __rte_aligned(64);
};

/*
 * Validates p and installs it into *sa (keys expanded, counters zero).
 * 0, or -EINVAL / -ENOTSUP / -ENOMEM with a message in err (never a key).
 */
int vsw_esp_sa_init(struct vsw_esp_sa *sa, const struct vsw_esp_sa_params *p,
	char *err, size_t errlen);

/* Wipes keys and state (explicit_bzero); the SA is unusable after. */
void vsw_esp_sa_clear(struct vsw_esp_sa *sa);

/* Soft lifetime reached (bytes, packets or seconds): time to rekey. */
bool vsw_esp_sa_soft_expired(const struct vsw_esp_sa *sa);

/* Hard lifetime reached at now_tsc (or sequence space exhausted). */
bool vsw_esp_sa_hard_expired(const struct vsw_esp_sa *sa, uint64_t now_tsc);

/* Bytes ESP tunnel mode adds to an inner packet of inner_len bytes. */
uint32_t vsw_esp_overhead(const struct vsw_esp_sa *sa, uint32_t inner_len);

/*
 * Encrypts a burst through an outbound SA (see the packet contract above).
 * Returns how many packets got VSW_ESP_OK; verdict[i] says for each.
 */
static inline uint16_t
vsw_esp_encap_burst(IMB_MGR *mgr, struct vsw_esp_sa *sa,
	struct rte_mbuf **pkts, uint16_t n, uint64_t now_tsc, uint8_t *verdict)
{
	return sa->encap_burst(mgr, sa, pkts, n, now_tsc, verdict);
}

/* Decrypts and verifies a burst through an inbound SA. */
static inline uint16_t
vsw_esp_decap_burst(IMB_MGR *mgr, struct vsw_esp_sa *sa,
	struct rte_mbuf **pkts, uint16_t n, uint64_t now_tsc, uint8_t *verdict)
{
	return sa->decap_burst(mgr, sa, pkts, n, now_tsc, verdict);
}

/*
 * For the ipsec-in stage's SAD lookup: parses the outer IPv4 header at the
 * data start. 0 and *spi_be (network order) for ESP (proto 50, or UDP to
 * port 4500 with a non-zero first word, RFC 3948); -ENOENT for UDP 4500
 * carrying IKE (non-ESP marker) or a NAT-keepalive; -EINVAL otherwise.
 */
int vsw_esp_peek_spi(const struct rte_mbuf *m, uint32_t *spi_be);

/* A per-worker IMB_MGR for the best architecture; NULL on failure. */
IMB_MGR *vsw_esp_mgr_create(void);
void vsw_esp_mgr_free(IMB_MGR *mgr);

/*
 * Single-buffer transforms through the same job set-up code as the bursts,
 * for published test vectors and tools (not for the fast path).
 * vsw_esp_raw_cipher: the SA's cipher alone on len bytes (GCM: iv is the
 * 12-byte J0 prefix, aad/tag used; CBC: 16-byte iv, aad/tag ignored, len a
 * multiple of 16). On decrypt the GCM tag is written to tag, not compared.
 * vsw_esp_raw_hmac: HMAC with any key length (keys longer than a block are
 * hashed first, RFC 2104), through the ipad/opad precompute used at install;
 * tag_len 12 or 20 for SHA1, 16 or 32 for SHA-256.
 */
int vsw_esp_raw_cipher(IMB_MGR *mgr, const struct vsw_esp_sa *sa,
	bool encrypt, const uint8_t *iv, const uint8_t *aad, size_t aad_len,
	const uint8_t *in, uint8_t *out, size_t len, uint8_t *tag,
	size_t tag_len);

enum vsw_esp_hmac_alg { VSW_ESP_HMAC_SHA1 = 1, VSW_ESP_HMAC_SHA256 };

int vsw_esp_raw_hmac(IMB_MGR *mgr, enum vsw_esp_hmac_alg alg,
	const uint8_t *key, size_t key_len, const uint8_t *msg, size_t len,
	uint8_t *tag, size_t tag_len);

/*
 * Internal to crypto/ (esp_sa.c installs, esp.c transforms).
 * HMAC key -> inner/outer compression states (RFC 2104), any key length.
 */
int vsw_esp_hmac_precompute(IMB_MGR *mgr, enum vsw_esp_hmac_alg alg,
	const uint8_t *key, size_t key_len, uint8_t ipad[32], uint8_t opad[32]);
/* Sets sa->encap_burst / decap_burst from the installed algorithm and ESN. */
void vsw_esp_sa_pick_bursts(struct vsw_esp_sa *sa);

#endif
