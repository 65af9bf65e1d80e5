/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ESP encap/decap bursts on libipsec-mb's job API. The contract is in esp.h;
 * SA installation is in esp_sa.c. Each burst function here is specialised at
 * compile time for one (cipher kind, ESN) pair and picked at SA install.
 */
#include "esp.h"

#include <errno.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_ip.h>
#include <rte_udp.h>


#define ESP_HDR_LEN 8
#define ESP_CHUNK 64
#define IPPROTO_ESP_NUM 50
#define IPPROTO_UDP_NUM 17
#define NEXT_HDR_IPV4 4
#define NEXT_HDR_IPV6 41
#define NEXT_HDR_NONE 59

/* RFC 4303 §2.4 default padding: 1, 2, 3, ... */
static const uint8_t esp_pad_bytes[16] = {
	1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
};
/* CBC jobs encrypt the IV nonce block too, starting from a zero IV. */
static const uint8_t esp_zero_iv[16] __rte_aligned(16);

/* Per-packet state of one chunk, on the stack. */
struct esp_scratch {
	uint8_t iv[16] __rte_aligned(16); /* GCM J0 prefix: salt || IV */
	uint8_t aad[12];                  /* ESN AAD: SPI || seq hi || seq lo */
	uint8_t icv[16];                  /* computed ICV */
	uint8_t rx_icv[16];               /* received ICV (ESN HMAC) */
	uint8_t *esp;                     /* ESP header in the packet */
	uint64_t seq;
	uint32_t len;                     /* encap: inner; decap: ciphertext */
	uint32_t esp_off;                 /* decap: outer headers before ESP */
	uint8_t done;                     /* job status: 1 = completed */
};

/* ---- job set-up shared by the bursts and the raw transforms ---- */

/*
 * GCM goes through libipsec-mb's direct API: in 1.3 its job API runs GCM one
 * buffer at a time anyway and adds ~100 cycles per packet (imb_bench).
 */
static __rte_always_inline void
esp_gcm(IMB_MGR *mgr, const struct vsw_esp_sa *sa, bool encrypt, bool aes256,
	uint8_t *dst, const uint8_t *src, uint64_t len, const uint8_t *iv,
	const uint8_t *aad, uint64_t aad_len, uint8_t *tag, uint64_t tag_len)
{
	struct gcm_context_data ctx;

	if (encrypt && aes256)
		IMB_AES256_GCM_ENC(mgr, &sa->keys.gcm, &ctx, dst, src, len, iv,
			aad, aad_len, tag, tag_len);
	else if (encrypt)
		IMB_AES128_GCM_ENC(mgr, &sa->keys.gcm, &ctx, dst, src, len, iv,
			aad, aad_len, tag, tag_len);
	else if (aes256)
		IMB_AES256_GCM_DEC(mgr, &sa->keys.gcm, &ctx, dst, src, len, iv,
			aad, aad_len, tag, tag_len);
	else
		IMB_AES128_GCM_DEC(mgr, &sa->keys.gcm, &ctx, dst, src, len, iv,
			aad, aad_len, tag, tag_len);
}

static inline void
esp_job_cbc(IMB_JOB *job, const struct vsw_esp_sa *sa,
	IMB_CIPHER_DIRECTION dir, const uint8_t *src, uint64_t offset,
	uint8_t *dst, uint64_t len, const uint8_t *iv)
{
	job->cipher_mode = IMB_CIPHER_CBC;
	job->cipher_direction = dir;
	job->chain_order = dir == IMB_DIR_ENCRYPT ? IMB_ORDER_CIPHER_HASH :
		IMB_ORDER_HASH_CIPHER;
	job->enc_keys = sa->keys.cbc.enc;
	job->dec_keys = sa->keys.cbc.dec;
	job->key_len_in_bytes = sa->key_len;
	job->src = src;
	job->dst = dst;
	job->cipher_start_src_offset_in_bytes = offset;
	job->msg_len_to_cipher_in_bytes = len;
	job->iv = iv;
	job->iv_len_in_bytes = 16;
}

static inline void
esp_job_hmac(IMB_JOB *job, IMB_HASH_ALG alg, const uint8_t *ipad,
	const uint8_t *opad, uint64_t offset, uint64_t len, uint8_t *tag,
	uint64_t tag_len)
{
	job->hash_alg = alg;
	job->u.HMAC._hashed_auth_key_xor_ipad = ipad;
	job->u.HMAC._hashed_auth_key_xor_opad = opad;
	job->hash_start_src_offset_in_bytes = offset;
	job->msg_len_to_hash_in_bytes = len;
	job->auth_tag_output = tag;
	job->auth_tag_output_len_in_bytes = tag_len;
}

/* ---- submission: keep the whole chunk in flight, match by user_data ---- */

static inline void
esp_job_done(const IMB_JOB *job, struct esp_scratch *sc)
{
	sc[(uintptr_t)job->user_data].done = job->status == IMB_STATUS_COMPLETED;
}

static inline void
esp_submit(IMB_MGR *mgr, struct esp_scratch *sc)
{
	IMB_JOB *job = IMB_SUBMIT_JOB(mgr);

	while (job != NULL) {
		esp_job_done(job, sc);
		job = IMB_GET_COMPLETED_JOB(mgr);
	}
}

static inline void
esp_flush(IMB_MGR *mgr, struct esp_scratch *sc)
{
	IMB_JOB *job;

	while ((job = IMB_FLUSH_JOB(mgr)) != NULL) {
		esp_job_done(job, sc);
		while ((job = IMB_GET_COMPLETED_JOB(mgr)) != NULL)
			esp_job_done(job, sc);
	}
}

/* ---- small helpers ---- */

/* No early exit: the time does not depend on where the ICVs differ. */
static inline uint8_t
esp_icv_differs(const uint8_t *a, const uint8_t *b, uint32_t len)
{
	uint8_t diff = 0;

	for (uint32_t i = 0; i < len; i++)
		diff |= a[i] ^ b[i];
	return diff;
}

static inline void
esp_count_drops(struct vsw_esp_sa *sa, const uint8_t *verdict, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++)
		if (verdict[i] != VSW_ESP_OK)
			__atomic_fetch_add(&sa->stats.drops[verdict[i]], 1,
				__ATOMIC_RELAXED);
}

static inline void
esp_count_ok(struct vsw_esp_sa *sa, uint16_t packets, uint64_t bytes)
{
	__atomic_fetch_add(&sa->stats.packets, packets, __ATOMIC_RELAXED);
	__atomic_fetch_add(&sa->stats.bytes, bytes, __ATOMIC_RELAXED);
}

static inline void
esp_set_flag(bool *flag)
{
	if (!__atomic_load_n(flag, __ATOMIC_RELAXED))
		__atomic_store_n(flag, true, __ATOMIC_RELAXED);
}

/* Marks the SA hard-expired when its time is up; true when it is expired. */
static inline bool
esp_check_hard(struct vsw_esp_sa *sa, uint64_t now)
{
	if (unlikely(now >= sa->hard_tsc))
		esp_set_flag(&sa->hard_expired);
	return __atomic_load_n(&sa->hard_expired, __ATOMIC_RELAXED);
}

static inline void
esp_check_soft(struct vsw_esp_sa *sa, uint64_t now, uint64_t bytes,
	uint64_t packets)
{
	const struct vsw_esp_lifetime *lt = &sa->lifetime;

	if (unlikely(now >= sa->soft_tsc ||
		     (lt->soft_bytes && bytes >= lt->soft_bytes) ||
		     (lt->soft_packets && packets >= lt->soft_packets)))
		esp_set_flag(&sa->soft_expired);
}

static inline uint8_t
esp_linearize(struct rte_mbuf *m)
{
	if (likely(m->nb_segs == 1))
		return VSW_ESP_OK;
	return rte_pktmbuf_linearize(m) == 0 ? VSW_ESP_OK : VSW_ESP_CHAINED;
}

/* ================= encap ================= */

enum esp_kind { ESP_GCM128, ESP_GCM256, ESP_CBC_SHA1, ESP_CBC_SHA256 };

#define KIND_GCM(k) ((k) == ESP_GCM128 || (k) == ESP_GCM256)

#define KIND_BLOCK(k) (KIND_GCM(k) ? 4u : 16u)
#define KIND_IV(k) (KIND_GCM(k) ? 8u : 16u)
#define KIND_ICV(k) ((k) == ESP_CBC_SHA1 ? 12u : 16u)

static __rte_always_inline uint8_t
encap_check(const struct vsw_esp_sa *sa, struct rte_mbuf *m,
	enum esp_kind kind, uint32_t *inner_len)
{
	const struct rte_ipv4_hdr *ip;
	uint32_t hl, tot, tail;
	uint8_t v = esp_linearize(m);

	if (unlikely(v != VSW_ESP_OK))
		return v;
	if (unlikely(m->data_len < sizeof(*ip)))
		return VSW_ESP_MALFORMED;
	ip = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);
	hl = (ip->version_ihl & 0xf) * 4u;
	tot = rte_be_to_cpu_16(ip->total_length);
	if (unlikely((ip->version_ihl >> 4) != 4 || hl < sizeof(*ip) ||
		     tot < hl || tot > m->data_len))
		return VSW_ESP_MALFORMED;
	tail = ((0u - (tot + 2)) & (KIND_BLOCK(kind) - 1)) + 2 + KIND_ICV(kind);
	if (unlikely(rte_pktmbuf_headroom(m) < sa->hdr_room ||
		     rte_pktmbuf_tailroom(m) + (m->data_len - tot) < tail ||
		     sa->hdr_room + tot + tail > UINT16_MAX))
		return VSW_ESP_NO_ROOM;
	m->data_len = tot;  /* drop any L2 padding after the inner packet */
	m->pkt_len = tot;
	*inner_len = tot;
	return VSW_ESP_OK;
}

/* Outer IPv4 [+ UDP] in front of the ESP header; DSCP/ECN and DF copied. */
static __rte_always_inline void
encap_outer(const struct vsw_esp_sa *sa, uint8_t *outer, uint8_t inner_tos,
	rte_be16_t inner_frag, uint32_t total, uint16_t id)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)outer;

	ip->version_ihl = 0x45;
	ip->type_of_service = inner_tos;
	ip->total_length = rte_cpu_to_be_16(total);
	ip->packet_id = rte_cpu_to_be_16(id);
	ip->fragment_offset = inner_frag & rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = sa->ttl;
	ip->next_proto_id = sa->udp_encap ? IPPROTO_UDP_NUM : IPPROTO_ESP_NUM;
	ip->hdr_checksum = 0;
	ip->src_addr = sa->tunnel_src;
	ip->dst_addr = sa->tunnel_dst;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	if (sa->udp_encap) {
		struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);

		udp->src_port = sa->udp_sport_be;
		udp->dst_port = sa->udp_dport_be;
		udp->dgram_len = rte_cpu_to_be_16(total - sizeof(*ip));
		udp->dgram_cksum = 0; /* allowed for IPv4, RFC 3948 §2.1 */
	}
}

/* Builds one packet's ESP framing and its job; the job is not yet submitted. */
static __rte_always_inline void
encap_build(IMB_MGR *mgr, const struct vsw_esp_sa *sa, struct rte_mbuf *m,
	struct esp_scratch *sc_base, uint16_t idx, enum esp_kind kind, bool esn)
{
	const uint32_t iv_len = KIND_IV(kind), icv_len = KIND_ICV(kind);
	struct esp_scratch *sc = &sc_base[idx];
	const struct rte_ipv4_hdr *inner =
		rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);
	uint8_t tos = inner->type_of_service;
	rte_be16_t frag = inner->fragment_offset;
	uint32_t len = sc->len;
	uint32_t pad = (0u - (len + 2)) & (KIND_BLOCK(kind) - 1);
	uint32_t ct_len = len + pad + 2;
	uint8_t *tail = (uint8_t *)rte_pktmbuf_append(m, pad + 2 + icv_len);
	uint8_t *outer = (uint8_t *)rte_pktmbuf_prepend(m, sa->hdr_room);
	uint8_t *esp = outer + sa->outer_len;
	uint8_t *icv = esp + ESP_HDR_LEN + iv_len + ct_len;
	rte_be64_t seq_be = rte_cpu_to_be_64(sc->seq);
	uint32_t seq_hi_be = rte_cpu_to_be_32((uint32_t)(sc->seq >> 32));

	memcpy(tail, esp_pad_bytes, pad);
	tail[pad] = (uint8_t)pad;
	tail[pad + 1] = NEXT_HDR_IPV4;
	encap_outer(sa, outer, tos, frag, m->data_len, (uint16_t)sc->seq);
	memcpy(esp, &sa->spi_be, 4);
	memcpy(esp + 4, (const uint8_t *)&seq_be + 4, 4);
	sc->esp = esp;

	if (KIND_GCM(kind)) {
		const uint8_t *aad = esp;

		memcpy(esp + ESP_HDR_LEN, &seq_be, 8);  /* IV = seq, RFC 4106 §3.1 */
		memcpy(sc->iv, sa->salt, 4);
		memcpy(sc->iv + 4, &seq_be, 8);
		if (esn) {
			memcpy(sc->aad, &sa->spi_be, 4);
			memcpy(sc->aad + 4, &seq_hi_be, 4);
			memcpy(sc->aad + 8, esp + 4, 4);
			aad = sc->aad;
		}
		esp_gcm(mgr, sa, true, kind == ESP_GCM256, esp + ESP_HDR_LEN + 8,
			esp + ESP_HDR_LEN + 8, ct_len, sc->iv, aad,
			esn ? 12 : 8, icv, 16);
		sc->done = 1;
	} else {
		IMB_JOB *job = IMB_GET_NEXT_JOB(mgr);

		job->user_data = (void *)(uintptr_t)idx;
		/* The IV field holds the nonce; CBC from a zero IV turns it into
		 * E_K(nonce), the unpredictable IV (SP 800-38A App. C). */
		memcpy(esp + ESP_HDR_LEN, &sa->iv_nonce, 8);
		memcpy(esp + ESP_HDR_LEN + 8, &seq_be, 8);
		esp_job_cbc(job, sa, IMB_DIR_ENCRYPT, esp, ESP_HDR_LEN,
			esp + ESP_HDR_LEN, 16 + ct_len, esp_zero_iv);
		if (esn)  /* RFC 4303 §3.3.2.1: seq hi is hashed, not sent */
			memcpy(icv, &seq_hi_be, 4);
		esp_job_hmac(job, sa->hash_alg, sa->keys.cbc.ipad,
			sa->keys.cbc.opad, 0,
			ESP_HDR_LEN + 16 + ct_len + (esn ? 4 : 0),
			esn ? sc->icv : icv, icv_len);
		esp_submit(mgr, sc_base);
	}
}

/* The packet's verdict for its sequence number and the SA's hard limits. */
static __rte_always_inline uint8_t
encap_limits(struct vsw_esp_sa *sa, uint64_t seq, uint64_t bytes, bool esn)
{
	const struct vsw_esp_lifetime *lt = &sa->lifetime;

	if (!esn && unlikely(seq > UINT32_MAX)) {
		esp_set_flag(&sa->hard_expired);
		return VSW_ESP_SEQ_OVERFLOW;
	}
	if (unlikely((lt->hard_packets && seq - sa->seq_base > lt->hard_packets) ||
		     (lt->hard_bytes && bytes > lt->hard_bytes))) {
		esp_set_flag(&sa->hard_expired);
		return VSW_ESP_EXPIRED;
	}
	return VSW_ESP_OK;
}

static __rte_always_inline uint16_t
encap_chunk(IMB_MGR *mgr, struct vsw_esp_sa *sa, struct rte_mbuf **pkts,
	uint16_t n, uint64_t now, uint8_t *verdict, enum esp_kind kind,
	bool esn)
{
	struct esp_scratch sc[ESP_CHUNK];
	uint64_t seq, life, bytes = 0, ok_bytes = 0;
	uint16_t nvalid = 0, nok = 0;
	bool expired = esp_check_hard(sa, now);

	for (uint16_t i = 0; i < n; i++) {
		sc[i].done = 0;
		verdict[i] = expired ? VSW_ESP_EXPIRED :
			encap_check(sa, pkts[i], kind, &sc[i].len);
		if (verdict[i] == VSW_ESP_OK) {
			nvalid++;
			bytes += sc[i].len;
		}
	}
	if (nvalid == 0)
		goto out;

	seq = __atomic_fetch_add(&sa->seq, nvalid, __ATOMIC_RELAXED);
	life = __atomic_fetch_add(&sa->life_bytes, bytes, __ATOMIC_RELAXED);
	bytes = life;
	for (uint16_t i = 0; i < n; i++) {
		if (verdict[i] != VSW_ESP_OK)
			continue;
		sc[i].seq = ++seq;
		bytes += sc[i].len;
		verdict[i] = encap_limits(sa, seq, bytes, esn);
		if (verdict[i] != VSW_ESP_OK)
			continue;
		encap_build(mgr, sa, pkts[i], sc, i, kind, esn);
	}
	if (!KIND_GCM(kind))
		esp_flush(mgr, sc);

	for (uint16_t i = 0; i < n; i++) {
		if (verdict[i] != VSW_ESP_OK)
			continue;
		if (unlikely(!sc[i].done)) {
			verdict[i] = VSW_ESP_CRYPTO;
			continue;
		}
		if (!KIND_GCM(kind) && esn)
			memcpy(sc[i].esp + ESP_HDR_LEN + 16 +
				(pkts[i]->data_len - sa->hdr_room - KIND_ICV(kind)),
				sc[i].icv, KIND_ICV(kind));
		nok++;
		ok_bytes += sc[i].len;
	}
	esp_count_ok(sa, nok, ok_bytes);
	__atomic_fetch_add(&sa->life_packets, nok, __ATOMIC_RELAXED);
	esp_check_soft(sa, now, bytes, seq - sa->seq_base);
out:
	esp_count_drops(sa, verdict, n);
	return nok;
}

/* ================= decap ================= */

/* Outer IPv4 [+ UDP] and ESP lengths; sets esp_off and the ciphertext length. */
static __rte_always_inline uint8_t
decap_parse(const struct vsw_esp_sa *sa, struct rte_mbuf *m,
	struct esp_scratch *sc, enum esp_kind kind)
{
	const uint32_t iv_len = KIND_IV(kind), icv_len = KIND_ICV(kind);
	const uint32_t ct_align = KIND_GCM(kind) ? 3 : 15;
	const struct rte_ipv4_hdr *ip;
	uint32_t hl, tot, off, ct_len;
	uint8_t v = esp_linearize(m);

	if (unlikely(v != VSW_ESP_OK))
		return v;
	if (unlikely(m->data_len < sizeof(*ip)))
		return VSW_ESP_MALFORMED;
	ip = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);
	hl = (ip->version_ihl & 0xf) * 4u;
	tot = rte_be_to_cpu_16(ip->total_length);
	if (unlikely((ip->version_ihl >> 4) != 4 || hl < sizeof(*ip) ||
		     tot < hl || tot > m->data_len ||
		     (ip->fragment_offset &
		      rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG |
				       RTE_IPV4_HDR_OFFSET_MASK))))
		return VSW_ESP_MALFORMED;
	off = hl;
	if (ip->next_proto_id == IPPROTO_UDP_NUM)
		off += sizeof(struct rte_udp_hdr);
	else if (unlikely(ip->next_proto_id != IPPROTO_ESP_NUM))
		return VSW_ESP_MALFORMED;
	if (unlikely(tot < off + ESP_HDR_LEN + iv_len + icv_len + 4))
		return VSW_ESP_MALFORMED;
	ct_len = tot - off - ESP_HDR_LEN - iv_len - icv_len;
	if (unlikely(ct_len & ct_align))
		return VSW_ESP_MALFORMED;
	sc->esp = rte_pktmbuf_mtod_offset(m, uint8_t *, off);
	if (unlikely(memcmp(sc->esp, &sa->spi_be, 4) != 0))
		return VSW_ESP_SPI;  /* includes a zero non-ESP marker (IKE) */
	m->data_len = tot;  /* ignore L2 padding after the outer packet */
	m->pkt_len = tot;
	sc->esp_off = off;
	sc->len = ct_len;
	return VSW_ESP_OK;
}

static __rte_always_inline void
decap_build(IMB_MGR *mgr, struct vsw_esp_sa *sa, struct esp_scratch *sc_base,
	uint16_t idx, enum esp_kind kind, bool esn)
{
	const uint32_t iv_len = KIND_IV(kind), icv_len = KIND_ICV(kind);
	struct esp_scratch *sc = &sc_base[idx];
	uint8_t *esp = sc->esp;
	uint8_t *ct = esp + ESP_HDR_LEN + iv_len;
	uint8_t *icv = ct + sc->len;
	uint32_t seq_hi_be = rte_cpu_to_be_32((uint32_t)(sc->seq >> 32));

	if (KIND_GCM(kind)) {
		const uint8_t *aad = esp;

		memcpy(sc->iv, sa->salt, 4);
		memcpy(sc->iv + 4, esp + ESP_HDR_LEN, 8);
		if (esn) {
			memcpy(sc->aad, esp, 4);
			memcpy(sc->aad + 4, &seq_hi_be, 4);
			memcpy(sc->aad + 8, esp + 4, 4);
			aad = sc->aad;
		}
		esp_gcm(mgr, sa, false, kind == ESP_GCM256, ct, ct, sc->len,
			sc->iv, aad, esn ? 12 : 8, sc->icv, 16);
		sc->done = 1;
	} else {
		IMB_JOB *job = IMB_GET_NEXT_JOB(mgr);

		job->user_data = (void *)(uintptr_t)idx;
		esp_job_cbc(job, sa, IMB_DIR_DECRYPT, esp, ESP_HDR_LEN + 16,
			ct, sc->len, esp + ESP_HDR_LEN);
		if (esn) {  /* hash seq hi where the ICV was; keep the ICV */
			memcpy(sc->rx_icv, icv, icv_len);
			memcpy(icv, &seq_hi_be, 4);
		}
		esp_job_hmac(job, sa->hash_alg, sa->keys.cbc.ipad,
			sa->keys.cbc.opad, 0,
			ESP_HDR_LEN + 16 + sc->len + (esn ? 4 : 0),
			sc->icv, icv_len);
		esp_submit(mgr, sc_base);
	}
}

/* RFC 6040 decapsulation: a CE mark on the outer header reaches the inner. */
static inline void
decap_ecn(uint8_t outer_tos, struct rte_ipv4_hdr *inner)
{
	if ((outer_tos & 3) != 3 || (inner->type_of_service & 3) == 0 ||
	    (inner->type_of_service & 3) == 3)
		return;
	inner->type_of_service |= 3;
	inner->hdr_checksum = 0;
	inner->hdr_checksum = rte_ipv4_cksum(inner);
}

/* After the ICV verified: trailer, next header, inner packet; strips ESP. */
static __rte_always_inline uint8_t
decap_finish(struct rte_mbuf *m, struct esp_scratch *sc, enum esp_kind kind)
{
	const uint32_t iv_len = KIND_IV(kind);
	uint8_t *ct = sc->esp + ESP_HDR_LEN + iv_len;
	uint32_t pad = ct[sc->len - 2], next = ct[sc->len - 1], len, hl, tot;
	uint8_t outer_tos =
		rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *)->type_of_service;
	struct rte_ipv4_hdr *inner = (struct rte_ipv4_hdr *)ct;

	if (unlikely(pad + 2 > sc->len))
		return VSW_ESP_MALFORMED;
	if (unlikely(memcmp(ct + sc->len - 2 - pad, esp_pad_bytes,
			    RTE_MIN(pad, 16u)) != 0))
		return VSW_ESP_PAD;
	for (uint32_t i = 16; unlikely(i < pad); i++)  /* pads over 16 B */
		if (ct[sc->len - 2 - pad + i] != (uint8_t)(i + 1))
			return VSW_ESP_PAD;
	if (unlikely(next != NEXT_HDR_IPV4))
		return next == NEXT_HDR_NONE ? VSW_ESP_DUMMY : VSW_ESP_PROTO;
	len = sc->len - 2 - pad;
	if (unlikely(len < sizeof(*inner)))
		return VSW_ESP_MALFORMED;
	hl = (inner->version_ihl & 0xf) * 4u;
	tot = rte_be_to_cpu_16(inner->total_length);
	/* tot < len is TFC padding (RFC 4303 §2.7): trimmed below. */
	if (unlikely((inner->version_ihl >> 4) != 4 || hl < sizeof(*inner) ||
		     tot < hl || tot > len))
		return VSW_ESP_MALFORMED;
	decap_ecn(outer_tos, inner);
	rte_pktmbuf_adj(m, sc->esp_off + ESP_HDR_LEN + iv_len);
	m->data_len = tot;
	m->pkt_len = tot;
	sc->len = tot;
	return VSW_ESP_OK;
}

static __rte_always_inline uint16_t
decap_chunk(IMB_MGR *mgr, struct vsw_esp_sa *sa, struct rte_mbuf **pkts,
	uint16_t n, uint64_t now, uint8_t *verdict, enum esp_kind kind,
	bool esn)
{
	const struct vsw_esp_lifetime *lt = &sa->lifetime;
	struct esp_scratch sc[ESP_CHUNK];
	uint64_t packets = sa->life_packets, bytes = sa->life_bytes;
	uint64_t ok_bytes = 0;
	uint16_t nsub = 0, nok = 0;
	bool expired = esp_check_hard(sa, now);

	for (uint16_t i = 0; i < n; i++) {
		uint32_t seq_low;

		sc[i].done = 0;
		verdict[i] = expired ? VSW_ESP_EXPIRED :
			decap_parse(sa, pkts[i], &sc[i], kind);
		if (verdict[i] != VSW_ESP_OK)
			continue;
		memcpy(&seq_low, sc[i].esp + 4, 4);
		if (vsw_replay_check(&sa->replay, rte_be_to_cpu_32(seq_low),
				     &sc[i].seq) != VSW_REPLAY_OK) {
			verdict[i] = VSW_ESP_REPLAY;
			continue;
		}
		/* spent already: no crypto (the count moves only after ICVs) */
		if (unlikely(lt->hard_packets && packets >= lt->hard_packets)) {
			esp_set_flag(&sa->hard_expired);
			verdict[i] = VSW_ESP_EXPIRED;
			continue;
		}
		decap_build(mgr, sa, sc, i, kind, esn);
		nsub++;
	}
	if (nsub == 0)
		goto out;
	if (!KIND_GCM(kind))
		esp_flush(mgr, sc);

	for (uint16_t i = 0; i < n; i++) {
		const uint8_t *rx_icv;

		if (verdict[i] != VSW_ESP_OK)
			continue;
		if (unlikely(!sc[i].done)) {
			verdict[i] = VSW_ESP_CRYPTO;
			continue;
		}
		rx_icv = (!KIND_GCM(kind) && esn) ? sc[i].rx_icv :
			sc[i].esp + ESP_HDR_LEN + KIND_IV(kind) + sc[i].len;
		if (esp_icv_differs(sc[i].icv, rx_icv, KIND_ICV(kind))) {
			verdict[i] = VSW_ESP_ICV;
			continue;
		}
		/* counted on authenticated packets only: a forged packet in the
		 * burst must not use up the SA's last packets */
		if (unlikely(lt->hard_packets && packets + nok >= lt->hard_packets)) {
			esp_set_flag(&sa->hard_expired);
			verdict[i] = VSW_ESP_EXPIRED;
			continue;
		}
		if (vsw_replay_update(&sa->replay, sc[i].seq) != VSW_REPLAY_OK) {
			verdict[i] = VSW_ESP_REPLAY;
			continue;
		}
		verdict[i] = decap_finish(pkts[i], &sc[i], kind);
		if (verdict[i] != VSW_ESP_OK)
			continue;
		if (unlikely(lt->hard_bytes &&
			     bytes + sc[i].len > lt->hard_bytes)) {
			esp_set_flag(&sa->hard_expired);
			verdict[i] = VSW_ESP_EXPIRED;
			continue;
		}
		bytes += sc[i].len;
		ok_bytes += sc[i].len;
		nok++;
	}
	__atomic_store_n(&sa->life_bytes, bytes, __ATOMIC_RELAXED);
	__atomic_store_n(&sa->life_packets, packets + nok, __ATOMIC_RELAXED);
	esp_count_ok(sa, nok, ok_bytes);
	esp_check_soft(sa, now, bytes, packets + nok);
out:
	esp_count_drops(sa, verdict, n);
	return nok;
}

/* ================= specialisations ================= */

#define ESP_DEFINE_BURSTS(suffix, kind, esn)                                  \
static uint16_t                                                               \
esp_encap_##suffix(IMB_MGR *mgr, struct vsw_esp_sa *sa,                       \
	struct rte_mbuf **pkts, uint16_t n, uint64_t now, uint8_t *verdict)   \
{                                                                             \
	uint16_t ok = 0;                                                      \
	for (uint16_t i = 0; i < n; i += ESP_CHUNK)                           \
		ok += encap_chunk(mgr, sa, pkts + i,                          \
			RTE_MIN(n - i, ESP_CHUNK), now, verdict + i, kind, esn); \
	return ok;                                                            \
}                                                                             \
static uint16_t                                                               \
esp_decap_##suffix(IMB_MGR *mgr, struct vsw_esp_sa *sa,                       \
	struct rte_mbuf **pkts, uint16_t n, uint64_t now, uint8_t *verdict)   \
{                                                                             \
	uint16_t ok = 0;                                                      \
	for (uint16_t i = 0; i < n; i += ESP_CHUNK)                           \
		ok += decap_chunk(mgr, sa, pkts + i,                          \
			RTE_MIN(n - i, ESP_CHUNK), now, verdict + i, kind, esn); \
	return ok;                                                            \
}

ESP_DEFINE_BURSTS(gcm128, ESP_GCM128, false)
ESP_DEFINE_BURSTS(gcm128_esn, ESP_GCM128, true)
ESP_DEFINE_BURSTS(gcm256, ESP_GCM256, false)
ESP_DEFINE_BURSTS(gcm256_esn, ESP_GCM256, true)
ESP_DEFINE_BURSTS(sha1, ESP_CBC_SHA1, false)
ESP_DEFINE_BURSTS(sha1_esn, ESP_CBC_SHA1, true)
ESP_DEFINE_BURSTS(sha256, ESP_CBC_SHA256, false)
ESP_DEFINE_BURSTS(sha256_esn, ESP_CBC_SHA256, true)

static uint16_t
esp_wrong_direction(IMB_MGR *mgr, struct vsw_esp_sa *sa,
	struct rte_mbuf **pkts, uint16_t n, uint64_t now, uint8_t *verdict)
{
	RTE_SET_USED(mgr);
	RTE_SET_USED(pkts);
	RTE_SET_USED(now);
	memset(verdict, VSW_ESP_DIRECTION, n);
	esp_count_drops(sa, verdict, n);
	return 0;
}

void
vsw_esp_sa_pick_bursts(struct vsw_esp_sa *sa)
{
	static const vsw_esp_burst_fn encap[4][2] = {
		{ esp_encap_gcm128, esp_encap_gcm128_esn },
		{ esp_encap_gcm256, esp_encap_gcm256_esn },
		{ esp_encap_sha1, esp_encap_sha1_esn },
		{ esp_encap_sha256, esp_encap_sha256_esn },
	};
	static const vsw_esp_burst_fn decap[4][2] = {
		{ esp_decap_gcm128, esp_decap_gcm128_esn },
		{ esp_decap_gcm256, esp_decap_gcm256_esn },
		{ esp_decap_sha1, esp_decap_sha1_esn },
		{ esp_decap_sha256, esp_decap_sha256_esn },
	};
	int kind = sa->iv_len == 8 ? (sa->key_len == 32 ? ESP_GCM256 : ESP_GCM128) :
		sa->hash_alg == IMB_AUTH_HMAC_SHA_1 ? ESP_CBC_SHA1 : ESP_CBC_SHA256;

	sa->encap_burst = sa->dir == VSW_ESP_DIR_OUT ? encap[kind][sa->esn] :
		esp_wrong_direction;
	sa->decap_burst = sa->dir == VSW_ESP_DIR_IN ? decap[kind][sa->esn] :
		esp_wrong_direction;
}

/* ================= outside the fast path ================= */

int
vsw_esp_peek_spi(const struct rte_mbuf *m, uint32_t *spi_be)
{
	const struct rte_ipv4_hdr *ip;
	const uint8_t *p;
	uint32_t hl, tot;

	if (m->data_len < sizeof(*ip))
		return -EINVAL;
	ip = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);
	hl = (ip->version_ihl & 0xf) * 4u;
	tot = RTE_MIN((uint32_t)rte_be_to_cpu_16(ip->total_length),
		(uint32_t)m->data_len);
	if ((ip->version_ihl >> 4) != 4 || hl < sizeof(*ip) || tot < hl)
		return -EINVAL;
	p = (const uint8_t *)ip + hl;
	if (ip->next_proto_id == IPPROTO_UDP_NUM) {
		const struct rte_udp_hdr *udp = (const struct rte_udp_hdr *)p;

		if (tot < hl + 8 ||
		    udp->dst_port != rte_cpu_to_be_16(VSW_ESP_UDP_PORT))
			return -EINVAL;
		if (tot >= hl + 9 && tot < hl + 12 && p[8] == 0xff)
			return -ENOENT;  /* NAT-keepalive, RFC 3948 §2.3 */
		if (tot < hl + 8 + 4)
			return -EINVAL;
		p += 8;
		if (p[0] == 0 && p[1] == 0 && p[2] == 0 && p[3] == 0)
			return -ENOENT;  /* non-ESP marker: IKE */
		hl += 8;
	} else if (ip->next_proto_id != IPPROTO_ESP_NUM) {
		return -EINVAL;
	}
	if (tot < hl + ESP_HDR_LEN)
		return -EINVAL;
	memcpy(spi_be, p, 4);
	return 0;
}

int
vsw_esp_raw_cipher(IMB_MGR *mgr, const struct vsw_esp_sa *sa, bool encrypt,
	const uint8_t *iv, const uint8_t *aad, size_t aad_len,
	const uint8_t *in, uint8_t *out, size_t len, uint8_t *tag,
	size_t tag_len)
{
	IMB_CIPHER_DIRECTION dir = encrypt ? IMB_DIR_ENCRYPT : IMB_DIR_DECRYPT;
	IMB_JOB *job;

	if (sa->iv_len == 8) {
		esp_gcm(mgr, sa, encrypt, sa->key_len == 32, out, in, len, iv,
			aad, aad_len, tag, tag_len);
		return imb_get_errno(mgr) == 0 ? 0 : -EIO;
	}
	job = IMB_GET_NEXT_JOB(mgr);
	esp_job_cbc(job, sa, dir, in, 0, out, len, iv);
	job->hash_alg = IMB_AUTH_NULL;
	job->hash_start_src_offset_in_bytes = 0;
	job->msg_len_to_hash_in_bytes = 0;
	job->auth_tag_output = NULL;
	job->auth_tag_output_len_in_bytes = 0;
	job->user_data = NULL;
	job = IMB_SUBMIT_JOB(mgr);
	if (job == NULL)
		job = IMB_FLUSH_JOB(mgr);
	return job != NULL && job->status == IMB_STATUS_COMPLETED ? 0 : -EIO;
}

int
vsw_esp_raw_hmac(IMB_MGR *mgr, enum vsw_esp_hmac_alg alg, const uint8_t *key,
	size_t key_len, const uint8_t *msg, size_t len, uint8_t *tag,
	size_t tag_len)
{
	uint8_t ipad[32] __rte_aligned(16), opad[32] __rte_aligned(16);
	uint8_t scratch[1];
	IMB_JOB *job;
	int rc = vsw_esp_hmac_precompute(mgr, alg, key, key_len, ipad, opad);

	if (rc < 0)
		return rc;
	job = IMB_GET_NEXT_JOB(mgr);
	job->cipher_mode = IMB_CIPHER_NULL;
	job->cipher_direction = IMB_DIR_ENCRYPT;
	job->chain_order = IMB_ORDER_HASH_CIPHER;
	job->src = msg;
	job->dst = scratch;
	job->cipher_start_src_offset_in_bytes = 0;
	job->msg_len_to_cipher_in_bytes = 0;
	job->user_data = NULL;
	esp_job_hmac(job, alg == VSW_ESP_HMAC_SHA1 ? IMB_AUTH_HMAC_SHA_1 :
		IMB_AUTH_HMAC_SHA_256, ipad, opad, 0, len, tag, tag_len);
	job = IMB_SUBMIT_JOB(mgr);
	if (job == NULL)
		job = IMB_FLUSH_JOB(mgr);
	explicit_bzero(ipad, sizeof(ipad));
	explicit_bzero(opad, sizeof(opad));
	return job != NULL && job->status == IMB_STATUS_COMPLETED ? 0 : -EIO;
}
