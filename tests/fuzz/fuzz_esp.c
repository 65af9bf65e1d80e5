/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the ESP decap path (crypto/esp.h): sa->decap_burst
 * on inbound SAs of every algorithm (AES-GCM-128/256, AES-CBC-128/256 with
 * HMAC-SHA1-96 and HMAC-SHA256-128), ESN off/on, UDP encapsulation off/on,
 * replay window 64 and 4096: 48 SAs with fixed keys, installed once. EAL
 * (--no-huge) starts once, in LLVMFuzzerInitialize.
 *
 * An input is
 *   sel    bits 0-5: the SA (modulo 48: algorithm = i % 6, ESN = i / 6 % 2,
 *                    UDP = i / 12 % 2, window = i / 24 % 2 ? 4096 : 64);
 *          bits 6-7: burst size - 1 (1..4 packets);
 *   flags  bit 0: outer header as given (else: version/IHL made 4/5 when
 *                 invalid, total length = packet length, fragment bits
 *                 cleared, protocol ESP or UDP with RFC 3948 ports/length
 *                 as the SA says, the SA's SPI, header checksum fixed);
 *          bit 1: two-segment mbufs, split at byte `split`;
 *          bit 2: records: the rest holds one packet per burst slot, each
 *                 but the last prefixed by its length (2 bytes, big
 *                 endian); else the burst is copies of one packet;
 *          bit 3: seal: the ESP payload after the IV is plaintext; the
 *                 target encrypts it and writes a valid ICV (sequence
 *                 number high half inferred as the receiver will), so the
 *                 trailer and inner-packet checks are reached;
 *          bit 4: history: 8 bytes (big endian) follow `split`: a sequence
 *                 number the SA accepted before (its window starts there;
 *                 ESN high halves without 2^32 packets);
 *          bit 5: lifetime: the SA is re-installed with hard limits of
 *                 (split & 3) + 1 packets and (split >> 2) * 64 inner bytes
 *                 (0: none), so EXPIRED is reached;
 *   split  first segment length (bit 1), lifetime (bit 5);
 *   [hist] 8 bytes (bit 4);
 *   packet(s) from the outer IPv4 header.
 *
 * Per input the SA is re-installed from its parameters (fresh replay
 * window and counters) every VSW_FUZZ_ESP_RESET inputs (default 1, so an
 * input does the same thing whatever ran before: a crash reproduces from
 * its file alone). After the burst it aborts when:
 *   - a verdict is one decap never gives (CRYPTO, NO_ROOM, DIRECTION,
 *     SEQ_OVERFLOW; EXPIRED without bit 5), CHAINED for a one-segment packet, or the return value is not the
 *     number of OKs; the SA's counters did not move by exactly the
 *     verdicts (packets, and drops[v] for every v); the IMB_MGR holds jobs;
 *   - an OK packet is not one segment holding a sane inner IPv4 packet at
 *     the data start (version 4, 20 <= IHL*4 <= total length == data_len ==
 *     pkt_len), or (sealed) differs from the plaintext but for the ECN bits
 *     and the checksum, or the window's top is below its sequence number,
 *     or two OK packets of the burst carry the same sequence number, or
 *     the SA accepted more packets or bytes than its hard limits, or a
 *     packet is EXPIRED before they are reached;
 *   - any mbuf fails rte_mbuf_check, or the pool is not back to its
 *     baseline after the input (a leak or a double free).
 * Input segments have their headroom and (unless a chain is to be
 * linearised into it) tailroom poisoned for ASan, so reads outside the
 * packet data are caught.
 *
 * VSW_FUZZ_LOG=1 keeps rte_log output; VSW_FUZZ_STATS=1 prints the verdict
 * counts at exit. VSW_FUZZ_ESP_SEEDS=DIR writes the seed corpus (valid
 * packets from the engine's encap path for each SA, sealed plaintexts with
 * bad trailers, bursts) into DIR and exits.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sanitizer/asan_interface.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_eal.h>
#include <rte_ip.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>
#include <rte_udp.h>

#include "eal_env.h"
#include "esp.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__ubsan_default_options(void);
const char *__asan_default_options(void);

const char *__ubsan_default_options(void)
{
	return "halt_on_error=1:print_stacktrace=1";
}

const char *__asan_default_options(void)
{
	return "quarantine_size_mb=16";
}

#define CHECK(cond)                                                          \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "fuzz_esp: invariant failed: %s "    \
				"(%s:%d)\n", #cond, __FILE__, __LINE__);     \
			abort();                                             \
		}                                                            \
	} while (0)

#define N_ALGOS 6
#define N_SA (N_ALGOS * 8)
#define BURST_MAX 4
#define SEG_MAX 2048            /* RTE_MBUF_DEFAULT_DATAROOM */
#define PKT_MAX (2 * SEG_MAX)
#define POOL_SIZE 200           /* not 2^n - 1: its ring has spare room */
#define SPI_BASE 0x1000
#define NOW_TSC 1000000000ull
#define ESP_HDR 8
#define IPPROTO_ESP_NUM 50

#define SEL_SA(s) ((s) & 0x3f)
#define SEL_BURST(s) ((unsigned int)((s) >> 6) + 1)
#define FL_RAW 0x01
#define FL_SPLIT 0x02
#define FL_RECORDS 0x04
#define FL_SEAL 0x08
#define FL_HISTORY 0x10
#define FL_LIFETIME 0x20

static const enum vsw_esp_algo algos[N_ALGOS] = {
	VSW_ESP_AES_GCM_128, VSW_ESP_AES_GCM_256,
	VSW_ESP_AES_CBC_128_HMAC_SHA1_96, VSW_ESP_AES_CBC_256_HMAC_SHA1_96,
	VSW_ESP_AES_CBC_128_HMAC_SHA256_128, VSW_ESP_AES_CBC_256_HMAC_SHA256_128,
};

/* One packet of the burst as the target built it. */
struct pkt {
	size_t len;
	bool chained;
	bool parsed;                  /* decap will find an ESP header */
	bool sealed;                  /* plain[] holds its plaintext */
	uint32_t seq_low;             /* host order, when parsed */
	uint64_t seq64;               /* what the receiver infers */
	uint32_t plain_len;
	uint8_t bytes[PKT_MAX];
	uint8_t plain[PKT_MAX];
};

struct fuzz {
	struct rte_mempool *pool;
	IMB_MGR *mgr;
	struct vsw_esp_sa *sas;       /* N_SA, cache aligned */
	struct vsw_esp_sa_params params[N_SA];
	bool dirty[N_SA];
	bool limited[N_SA];           /* installed with FL_LIFETIME's limits */
	uint64_t inputs;
	uint64_t reset_every;
	unsigned int pool_baseline;
	uint64_t verdicts[VSW_ESP_VERDICT_MAX];
	uint64_t sealed;
	uint8_t key_enc[64];
	uint8_t key_auth[64];
	struct pkt pkts[BURST_MAX];
	uint8_t scratch[PKT_MAX + 8];
};

static struct fuzz *fz;

/* --- byte helpers --- */

static uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void
wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		(uint32_t)p[2] << 8 | p[3];
}

static void
wr32(uint8_t *p, uint32_t v)
{
	wr16(p, (uint16_t)(v >> 16));
	wr16(p + 2, (uint16_t)v);
}

static uint64_t
rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) << 32 | rd32(p + 4);
}

static uint16_t
ip_cksum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += rd16(p + i);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* --- SAs --- */

static bool
algo_gcm(enum vsw_esp_algo a)
{
	return a == VSW_ESP_AES_GCM_128 || a == VSW_ESP_AES_GCM_256;
}

static size_t
enc_key_len(enum vsw_esp_algo a)
{
	switch (a) {
	case VSW_ESP_AES_GCM_128: return 20;
	case VSW_ESP_AES_GCM_256: return 36;
	case VSW_ESP_AES_CBC_128_HMAC_SHA1_96:
	case VSW_ESP_AES_CBC_128_HMAC_SHA256_128: return 16;
	default: return 32;
	}
}

static size_t
auth_key_len(enum vsw_esp_algo a)
{
	switch (a) {
	case VSW_ESP_AES_CBC_128_HMAC_SHA1_96:
	case VSW_ESP_AES_CBC_256_HMAC_SHA1_96: return 20;
	case VSW_ESP_AES_CBC_128_HMAC_SHA256_128:
	case VSW_ESP_AES_CBC_256_HMAC_SHA256_128: return 32;
	default: return 0;
	}
}

static void
sa_params(struct fuzz *z, unsigned int i, struct vsw_esp_sa_params *p)
{
	enum vsw_esp_algo a = algos[i % N_ALGOS];

	memset(p, 0, sizeof(*p));
	p->spi = SPI_BASE + i;
	p->dir = VSW_ESP_DIR_IN;
	p->algo = a;
	p->enc_key = z->key_enc;
	p->enc_key_len = enc_key_len(a);
	p->auth_key = auth_key_len(a) ? z->key_auth : NULL;
	p->auth_key_len = auth_key_len(a);
	p->esn = (i / N_ALGOS) & 1;
	p->udp_encap = (i / (2 * N_ALGOS)) & 1;
	p->replay_window = (i / (4 * N_ALGOS)) & 1 ? 4096 : 64;
	p->tunnel_src = rte_cpu_to_be_32(0xc0000201);   /* 192.0.2.1 */
	p->tunnel_dst = rte_cpu_to_be_32(0xc6336402);   /* 198.51.100.2 */
	p->now_tsc = NOW_TSC;
	p->tsc_hz = 1000000000ull;
	p->mgr = z->mgr;
}

static void
sa_install(struct fuzz *z, unsigned int i)
{
	char err[256] = "";

	if (vsw_esp_sa_init(&z->sas[i], &z->params[i], err, sizeof(err)) != 0) {
		fprintf(stderr, "fuzz_esp: SA %u: %s\n", i, err);
		abort();
	}
	z->dirty[i] = false;
	z->limited[i] = false;
}

static void
sa_install_limited(struct fuzz *z, unsigned int i, uint8_t limits)
{
	struct vsw_esp_sa_params p = z->params[i];
	char err[256] = "";

	p.lifetime.hard_packets = (limits & 3u) + 1;
	p.lifetime.hard_bytes = (uint64_t)(limits >> 2) * 64;
	CHECK(vsw_esp_sa_init(&z->sas[i], &p, err, sizeof(err)) == 0);
	z->limited[i] = true;
}

static void
reset_dirty_sas(struct fuzz *z)
{
	unsigned int i;

	for (i = 0; i < N_SA; i++)
		if (z->dirty[i])
			sa_install(z, i);
}

/* --- the outer header and the seal --- */

static size_t
esp_offset(const struct vsw_esp_sa *sa, const uint8_t *p)
{
	return (size_t)(p[0] & 0xf) * 4 + (sa->udp_encap ? 8 : 0);
}

/* Makes the outer header one the SA would take (FL_RAW off). */
static void
fix_outer(const struct vsw_esp_sa *sa, uint8_t *p, size_t len)
{
	size_t hl, off;

	if (len < 20)
		return;
	if ((p[0] >> 4) != 4 || (p[0] & 0xf) < 5)
		p[0] = 0x45;
	hl = (size_t)(p[0] & 0xf) * 4;
	wr16(p + 2, (uint16_t)RTE_MIN(len, (size_t)UINT16_MAX));
	wr16(p + 6, (uint16_t)(rd16(p + 6) &
		~(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)));
	p[9] = sa->udp_encap ? IPPROTO_UDP : IPPROTO_ESP_NUM;
	off = esp_offset(sa, p);
	if (sa->udp_encap && hl + 8 <= len) {
		wr16(p + hl, VSW_ESP_UDP_PORT);
		wr16(p + hl + 2, VSW_ESP_UDP_PORT);
		wr16(p + hl + 4, (uint16_t)RTE_MIN(len - hl, (size_t)UINT16_MAX));
		wr16(p + hl + 6, 0);
	}
	if (off + 4 <= len)
		wr32(p + off, sa->spi);
	if (hl <= len) {
		wr16(p + 10, 0);
		wr16(p + 10, ip_cksum(p, hl));
	}
}

/* The ESP geometry decap will find: false only where decap_parse() refuses
 * the packet (a superset of what reaches the crypto, SPI not compared). */
static bool
esp_geometry(const struct vsw_esp_sa *sa, const uint8_t *p, size_t len,
	size_t *off, size_t *ct_len)
{
	size_t tot, need;

	if (len < 20 || (p[0] >> 4) != 4 || (p[0] & 0xf) < 5 ||
	    (p[9] != IPPROTO_UDP && p[9] != IPPROTO_ESP_NUM))
		return false;
	tot = rd16(p + 2);
	/* as decap does: the protocol, not the SA, says whether UDP is there */
	*off = (size_t)(p[0] & 0xf) * 4 + (p[9] == IPPROTO_UDP ? 8 : 0);
	need = *off + ESP_HDR + sa->iv_len + sa->icv_len + 4;
	if (tot > len || tot < need)
		return false;
	*ct_len = tot - *off - ESP_HDR - sa->iv_len - sa->icv_len;
	return (*ct_len & (sa->block - 1)) == 0;
}

static void
seal_gcm(struct fuzz *z, const struct vsw_esp_sa *sa, uint8_t *esp,
	size_t ct_len, uint64_t seq64)
{
	uint8_t j0[12], aad[12], *ct = esp + ESP_HDR + 8;

	memcpy(j0, sa->salt, 4);
	memcpy(j0 + 4, esp + ESP_HDR, 8);
	memcpy(aad, esp, 4);
	wr32(aad + 4, (uint32_t)(seq64 >> 32));
	memcpy(aad + 8, esp + 4, 4);
	memcpy(z->scratch, ct, ct_len);
	CHECK(vsw_esp_raw_cipher(z->mgr, sa, true, j0, sa->esn ? aad : esp,
		sa->esn ? 12 : 8, z->scratch, ct, ct_len, ct + ct_len, 16) == 0);
}

static void
seal_cbc(struct fuzz *z, const struct vsw_esp_sa *sa, unsigned int sa_idx,
	uint8_t *esp, size_t ct_len, uint64_t seq64)
{
	const struct vsw_esp_sa_params *p = &z->params[sa_idx];
	uint8_t *ct = esp + ESP_HDR + 16;
	size_t hashed = ESP_HDR + 16 + ct_len;

	memcpy(z->scratch, ct, ct_len);
	CHECK(vsw_esp_raw_cipher(z->mgr, sa, true, esp + ESP_HDR, NULL, 0,
		z->scratch, ct, ct_len, NULL, 0) == 0);
	memcpy(z->scratch, esp, hashed);
	if (sa->esn) {  /* RFC 4303 §3.3.2.1: seq hi hashed after the payload */
		wr32(z->scratch + hashed, (uint32_t)(seq64 >> 32));
		hashed += 4;
	}
	CHECK(vsw_esp_raw_hmac(z->mgr, sa->hash_alg == IMB_AUTH_HMAC_SHA_1 ?
		VSW_ESP_HMAC_SHA1 : VSW_ESP_HMAC_SHA256, p->auth_key,
		p->auth_key_len, z->scratch, hashed, ct + ct_len, sa->icv_len) == 0);
}

/* Sequence number, and (FL_SEAL) the plaintext encrypted with a valid ICV. */
static void
prepare(struct fuzz *z, unsigned int sa_idx, struct pkt *k, bool seal)
{
	struct vsw_esp_sa *sa = &z->sas[sa_idx];
	size_t off, ct_len;
	uint8_t *esp;

	k->sealed = false;
	k->parsed = false;
	if (!esp_geometry(sa, k->bytes, k->len, &off, &ct_len))
		return;
	esp = k->bytes + off;
	k->seq_low = rd32(esp + 4);
	vsw_replay_check(&sa->replay, k->seq_low, &k->seq64);
	k->parsed = true;
	if (!seal)
		return;
	k->plain_len = (uint32_t)ct_len;
	memcpy(k->plain, esp + ESP_HDR + sa->iv_len, ct_len);
	if (algo_gcm(sa->algo))
		seal_gcm(z, sa, esp, ct_len, k->seq64);
	else
		seal_cbc(z, sa, sa_idx, esp, ct_len, k->seq64);
	k->sealed = true;
	z->sealed++;
}

/* --- mbufs --- */

static void
check_mbuf(const struct rte_mbuf *m)
{
	const char *why = NULL;

	if (rte_mbuf_check(m, 1, &why) != 0) {
		fprintf(stderr, "fuzz_esp: bad mbuf: %s\n", why);
		abort();
	}
}

/* A segment of len bytes, its headroom (and tailroom) poisoned. */
static struct rte_mbuf *
input_seg(struct fuzz *z, const uint8_t *b, size_t len, bool poison_tail)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(z->pool);
	char *d;

	CHECK(m != NULL);
	ASAN_UNPOISON_MEMORY_REGION(m->buf_addr, m->buf_len);
	d = rte_pktmbuf_append(m, (uint16_t)len);
	CHECK(d != NULL);
	memcpy(d, b, len);
	ASAN_POISON_MEMORY_REGION(m->buf_addr, rte_pktmbuf_headroom(m));
	if (poison_tail)
		ASAN_POISON_MEMORY_REGION(d + len, rte_pktmbuf_tailroom(m));
	return m;
}

/* The first segment's tailroom stays open: linearising copies into it. */
static struct rte_mbuf *
packet_mbuf(struct fuzz *z, const struct pkt *k, size_t split)
{
	struct rte_mbuf *m, *tail;
	size_t first;

	if (!k->chained)
		return input_seg(z, k->bytes, k->len, true);
	first = RTE_MIN(split, k->len);
	m = input_seg(z, k->bytes, first, false);
	tail = input_seg(z, k->bytes + first, k->len - first, true);
	CHECK(rte_pktmbuf_chain(m, tail) == 0);
	return m;
}

static unsigned int
pool_free(const struct rte_mempool *mp)
{
	return rte_ring_count(mp->pool_data);
}

/* --- checks on the verdicts --- */

static bool
decap_can_give(uint8_t v, bool limited)
{
	switch (v) {
	case VSW_ESP_EXPIRED:
		return limited;
	case VSW_ESP_OK:
	case VSW_ESP_MALFORMED:
	case VSW_ESP_SPI:
	case VSW_ESP_REPLAY:
	case VSW_ESP_ICV:
	case VSW_ESP_PAD:
	case VSW_ESP_PROTO:
	case VSW_ESP_DUMMY:
	case VSW_ESP_CHAINED:
		return true;
	default:
		return false;
	}
}

/* The inner packet of a sealed input: its bytes but ECN and checksum. */
static void
check_plain(const struct pkt *k, const uint8_t *in, uint32_t tot)
{
	CHECK(tot <= k->plain_len);
	if (in[1] == k->plain[1]) {
		CHECK(memcmp(in, k->plain, tot) == 0);
		return;
	}
	/* CE folded in (RFC 6040): only ECT(0|1) becomes CE, checksum re-summed */
	CHECK((in[1] & 0xfc) == (k->plain[1] & 0xfc));
	CHECK((in[1] & 3) == 3 && (k->plain[1] & 3) != 0);
	CHECK(in[0] == k->plain[0]);
	CHECK(memcmp(in + 2, k->plain + 2, 8) == 0);
	CHECK(memcmp(in + 12, k->plain + 12, tot - 12) == 0);
	CHECK(ip_cksum(in, (size_t)(in[0] & 0xf) * 4) == 0);
}

/*
 * EXPIRED only once the limit is really reached: the SA accepted its hard
 * packet count, or this packet's bytes (inner, when decap got that far;
 * else the outer length, a bound above) would pass the byte limit. Not
 * because of packets in the same burst that then failed their ICV.
 */
static void
check_expired(const struct vsw_esp_sa *sa, const struct rte_mbuf *m)
{
	const struct vsw_esp_lifetime *lt = &sa->lifetime;

	CHECK(sa->hard_expired);
	CHECK((lt->hard_packets && sa->life_packets >= lt->hard_packets) ||
	      (lt->hard_bytes && sa->life_bytes + m->pkt_len > lt->hard_bytes));
}

static void
check_ok(const struct vsw_esp_sa *sa, const struct pkt *k, struct rte_mbuf *m)
{
	const uint8_t *in = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t hl, tot;

	CHECK(m->nb_segs == 1);
	CHECK(m->data_len == m->pkt_len);
	CHECK(m->data_len >= 20);
	hl = (uint32_t)(in[0] & 0xf) * 4;
	tot = rd16(in + 2);
	CHECK((in[0] >> 4) == 4);
	CHECK(hl >= 20 && hl <= tot);
	CHECK(tot == m->data_len);
	CHECK(k->parsed);
	CHECK(sa->replay.top >= k->seq64);
	if (k->sealed)
		check_plain(k, in, tot);
}

/* Counters moved by exactly this burst's verdicts. */
static void
check_stats(const struct vsw_esp_sa_stats *before,
	const struct vsw_esp_sa_stats *after, const uint8_t *verdict,
	unsigned int n)
{
	uint64_t count[VSW_ESP_VERDICT_MAX] = { 0 };
	unsigned int i;

	for (i = 0; i < n; i++)
		count[verdict[i]]++;
	CHECK(after->packets - before->packets == count[VSW_ESP_OK]);
	for (i = 1; i < VSW_ESP_VERDICT_MAX; i++)
		CHECK(after->drops[i] - before->drops[i] == count[i]);
}

static void
check_burst(struct fuzz *z, unsigned int sa_idx, struct rte_mbuf **m,
	const uint8_t *verdict, unsigned int n, uint16_t nok)
{
	const struct vsw_esp_sa *sa = &z->sas[sa_idx];
	unsigned int i, j, ok = 0;

	CHECK(IMB_FLUSH_JOB(z->mgr) == NULL);
	for (i = 0; i < n; i++) {
		z->verdicts[verdict[i] < VSW_ESP_VERDICT_MAX ? verdict[i] : 0]++;
		if (!decap_can_give(verdict[i], z->limited[sa_idx])) {
			fprintf(stderr, "fuzz_esp: packet %u: verdict %u (%s)\n", i,
				verdict[i], vsw_esp_verdict_name(verdict[i]));
			abort();
		}
		CHECK(verdict[i] != VSW_ESP_CHAINED || z->pkts[i].chained);
		if (verdict[i] == VSW_ESP_EXPIRED)
			check_expired(sa, m[i]);
		check_mbuf(m[i]);
		if (verdict[i] != VSW_ESP_OK)
			continue;
		ok++;
		check_ok(sa, &z->pkts[i], m[i]);
		for (j = 0; j < i; j++)
			CHECK(verdict[j] != VSW_ESP_OK ||
			      z->pkts[j].seq64 != z->pkts[i].seq64);
	}
	CHECK(ok == nok);
	/* hard limits hold exactly */
	CHECK(!sa->lifetime.hard_packets || sa->life_packets <= sa->lifetime.hard_packets);
	CHECK(!sa->lifetime.hard_bytes || sa->life_bytes <= sa->lifetime.hard_bytes);
}

/* --- one input --- */

struct input {
	uint8_t sel, flags, split;
	uint64_t history;
	const uint8_t *rest;
	size_t rest_len;
};

static bool
parse_input(const uint8_t *data, size_t size, struct input *in)
{
	if (size < 3)
		return false;
	in->sel = data[0];
	in->flags = data[1];
	in->split = data[2];
	data += 3;
	size -= 3;
	in->history = 0;
	if (in->flags & FL_HISTORY) {
		if (size < 8)
			return false;
		in->history = rd64(data);
		data += 8;
		size -= 8;
	}
	in->rest = data;
	in->rest_len = size;
	return true;
}

/* Packet i's bytes: a record, or the whole rest (copies). */
static void
take_packet(struct pkt *k, const struct input *in, const uint8_t **p,
	size_t *left, bool last)
{
	size_t len = *left;

	if ((in->flags & FL_RECORDS) && !last && *left >= 2) {
		len = RTE_MIN((size_t)rd16(*p), *left - 2);
		*p += 2;
		*left -= 2;
	}
	if (!(in->flags & FL_RECORDS)) {
		len = in->rest_len;
		*p = in->rest;
	}
	k->chained = (in->flags & FL_SPLIT) && len > in->split;
	len = RTE_MIN(len, k->chained ? (size_t)in->split + SEG_MAX : (size_t)SEG_MAX);
	memcpy(k->bytes, *p, len);
	k->len = len;
	if (in->flags & FL_RECORDS) {
		*p += len;
		*left -= len;
	}
}

/* A window that has seen `history` (ESN: high half and all). */
static void
apply_history(struct vsw_esp_sa *sa, uint64_t history)
{
	if (!sa->esn)
		history &= UINT32_MAX;
	if (history != 0)   /* refused when already seen (VSW_FUZZ_ESP_RESET > 1) */
		vsw_replay_update(&sa->replay, history);
}

static void
run_input(struct fuzz *z, const struct input *in)
{
	unsigned int sa_idx = SEL_SA(in->sel) % N_SA, n = SEL_BURST(in->sel), i;
	struct vsw_esp_sa *sa = &z->sas[sa_idx];
	struct vsw_esp_sa_stats before;
	struct rte_mbuf *m[BURST_MAX];
	uint8_t verdict[BURST_MAX];
	const uint8_t *p = in->rest;
	size_t left = in->rest_len;
	uint16_t nok;

	z->dirty[sa_idx] = true;
	if (in->flags & FL_LIFETIME)
		sa_install_limited(z, sa_idx, in->split);
	apply_history(sa, in->history);
	for (i = 0; i < n; i++) {
		struct pkt *k = &z->pkts[i];

		take_packet(k, in, &p, &left, i + 1 == n);
		if (!(in->flags & FL_RAW))
			fix_outer(sa, k->bytes, k->len);
		prepare(z, sa_idx, k, in->flags & FL_SEAL);
		m[i] = packet_mbuf(z, k, in->split);
	}
	before = sa->stats;
	memset(verdict, 0xff, sizeof(verdict));
	nok = sa->decap_burst(z->mgr, sa, m, (uint16_t)n, NOW_TSC, verdict);
	check_burst(z, sa_idx, m, verdict, n, nok);
	check_stats(&before, &sa->stats, verdict, n);
	for (i = 0; i < n; i++)
		rte_pktmbuf_free(m[i]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz *z = fz;
	struct input in;
	unsigned int in_use;

	if (z->inputs++ % z->reset_every == 0)
		reset_dirty_sas(z);
	if (!parse_input(data, size, &in))
		return 0;
	run_input(z, &in);
	in_use = z->pool->size - pool_free(z->pool);
	if (in_use != z->pool_baseline) {
		fprintf(stderr, "fuzz_esp: mbufs in use after the input: %d "
			"(baseline %u; fewer: freed twice)\n", (int)in_use,
			z->pool_baseline);
		abort();
	}
	return 0;
}

/* --- seeds (VSW_FUZZ_ESP_SEEDS=DIR) --- */

static void
write_seed(const char *dir, const char *name, const uint8_t *hdr, size_t hlen,
	const uint8_t *body, size_t blen)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	for (char *c = path + strlen(dir); *c != '\0'; c++)
		if (*c == '+')   /* file names without shell specials */
			*c = '_';
	f = fopen(path, "wb");
	CHECK(f != NULL);
	CHECK(fwrite(hdr, 1, hlen, f) == hlen);
	CHECK(blen == 0 || fwrite(body, 1, blen, f) == blen);
	CHECK(fclose(f) == 0);
}

/* An IPv4/UDP packet of len bytes. */
static void
make_inner(uint8_t *b, size_t len, uint8_t tos, uint32_t seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		b[i] = (uint8_t)(seed * 31 + i * 7);
	memset(b, 0, 20);
	b[0] = 0x45;
	b[1] = tos;
	wr16(b + 2, (uint16_t)len);
	wr16(b + 4, (uint16_t)seed);
	b[8] = 63;
	b[9] = IPPROTO_UDP;
	wr32(b + 12, 0x0a010001);
	wr32(b + 16, 0x0a020001);
	wr16(b + 10, ip_cksum(b, 20));
	wr16(b + 20, 1024);
	wr16(b + 22, 53);
	wr16(b + 24, (uint16_t)(len - 20));
	wr16(b + 26, 0);
}

/* Encrypted by an outbound twin of SA i, sequence number seq. */
static size_t
encap_seed(struct fuzz *z, unsigned int i, uint64_t seq, size_t inner_len,
	uint8_t *out)
{
	struct vsw_esp_sa_params p = z->params[i];
	struct vsw_esp_sa *sa = rte_zmalloc("fze_out", sizeof(*sa), RTE_CACHE_LINE_SIZE);
	struct rte_mbuf *m = rte_pktmbuf_alloc(z->pool);
	uint8_t v = 0xff;
	char err[256];
	size_t len;

	CHECK(sa != NULL && m != NULL);
	p.dir = VSW_ESP_DIR_OUT;
	p.seq_start = seq - 1;
	CHECK(vsw_esp_sa_init(sa, &p, err, sizeof(err)) == 0);
	make_inner((uint8_t *)rte_pktmbuf_append(m, (uint16_t)inner_len),
		inner_len, 0x02, (uint32_t)(seq + i));
	CHECK(sa->encap_burst(z->mgr, sa, &m, 1, NOW_TSC, &v) == 1 && v == VSW_ESP_OK);
	len = m->data_len;
	memcpy(out, rte_pktmbuf_mtod(m, void *), len);
	rte_pktmbuf_free(m);
	vsw_esp_sa_clear(sa);
	rte_free(sa);
	return len;
}

/*
 * A plaintext ESP packet for FL_SEAL: outer header, ESP header, IV, then
 * inner_len bytes of inner packet, pad bytes 1..pad, pad length, next.
 */
static size_t
plain_seed(const struct vsw_esp_sa *sa, uint32_t seq, size_t inner_len,
	uint8_t pad, uint8_t pad_len, uint8_t next, uint8_t *out)
{
	size_t off = 20 + (sa->udp_encap ? 8 : 0), i;
	uint8_t *ct = out + off + ESP_HDR + sa->iv_len;
	size_t ct_len = inner_len + pad + 2, len;

	memset(out, 0, off + ESP_HDR + sa->iv_len);
	out[0] = 0x45;
	out[1] = 0x03;                  /* CE outside */
	out[8] = 64;
	wr32(out + 12, 0xc6336402);
	wr32(out + 16, 0xc0000201);
	wr32(out + off, sa->spi);
	wr32(out + off + 4, seq);
	for (i = 0; i < sa->iv_len; i++)
		out[off + ESP_HDR + i] = (uint8_t)(0x5a + i);
	if (inner_len >= 28)
		make_inner(ct, inner_len, 0x01, seq);
	else
		memset(ct, 0x45, inner_len);
	for (i = 0; i < pad; i++)
		ct[inner_len + i] = (uint8_t)(i + 1);
	ct[inner_len + pad] = pad_len;
	ct[inner_len + pad + 1] = next;
	len = off + ESP_HDR + sa->iv_len + ct_len + sa->icv_len;
	memset(ct + ct_len, 0, sa->icv_len);
	fix_outer(sa, out, len);
	return len;
}

static uint8_t
pad_to_block(const struct vsw_esp_sa *sa, size_t inner_len)
{
	return (uint8_t)((0u - (inner_len + 2)) & (sa->block - 1u));
}

static void
write_encap_seeds(struct fuzz *z, const char *dir)
{
	uint8_t hdr[3], *b = z->pkts[0].bytes;
	char name[64];
	unsigned int i;

	for (i = 0; i < N_SA; i++) {
		const struct vsw_esp_sa_params *p = &z->params[i];
		size_t len = encap_seed(z, i, 1 + i, 60 + 7 * i, b);

		hdr[0] = (uint8_t)i;
		hdr[1] = FL_RAW;
		hdr[2] = 0;
		snprintf(name, sizeof(name), "enc_%s%s%s_w%u",
			vsw_esp_algo_name(p->algo), p->esn ? "_esn" : "",
			p->udp_encap ? "_udp" : "", p->replay_window);
		write_seed(dir, name, hdr, 3, b, len);
	}
}

/* Four packets of SA i in one burst: new, new, replayed, far ahead. */
static void
write_burst_seed(struct fuzz *z, const char *dir, unsigned int i,
	uint8_t flags, uint8_t split, const char *suffix)
{
	static const uint64_t seqs[4] = { 5, 6, 5, 700 };
	uint8_t hdr[3] = { (uint8_t)(i | 0xc0), FL_RAW | FL_RECORDS | flags, split };
	uint8_t *body = z->scratch, *b = z->pkts[0].bytes;
	size_t blen = 0, len;
	char name[64];
	unsigned int j;

	for (j = 0; j < 4; j++) {
		len = encap_seed(z, i, seqs[j], 100 + 40 * j, b);
		if (j < 3) {
			wr16(body + blen, (uint16_t)len);
			blen += 2;
		}
		memcpy(body + blen, b, len);
		blen += len;
	}
	snprintf(name, sizeof(name), "burst_%s%s", vsw_esp_algo_name(algos[i % N_ALGOS]),
		suffix);
	write_seed(dir, name, hdr, 3, body, blen);
}

struct plain_case {
	const char *name;
	size_t inner_len;
	int pad;                      /* -1: to the block */
	int pad_len;                  /* -1: = pad */
	uint8_t next;
};

static void
write_plain_seeds(struct fuzz *z, const char *dir)
{
	static const struct plain_case cases[] = {
		{ "ok", 62, -1, -1, 4 },
		{ "ok_big", 1400, -1, -1, 4 },
		{ "tfc", 78, -1, -1, 4 },        /* inner says 62 below */
		{ "bad_pad", 44, 2, 2, 4 },      /* byte changed below */
		{ "huge_pad", 46, 0, 250, 4 },
		{ "zero_payload", 0, -1, -1, 4 },
		{ "long_pad", 60, 34, 34, 4 },
		{ "ipv6", 62, -1, -1, 41 },
		{ "dummy", 62, -1, -1, 59 },
		{ "not_ipv4", 62, -1, -1, 4 },   /* version changed below */
	};
	uint8_t hdr[11], *b = z->pkts[0].bytes;
	char name[96];
	unsigned int c, i;

	for (c = 0; c < RTE_DIM(cases); c++) {
		for (i = 0; i < N_SA; i += 7) {    /* every algorithm, ESN, UDP, window */
			const struct plain_case *pc = &cases[c];
			const struct vsw_esp_sa *sa = &z->sas[i];
			uint8_t pad = pc->pad < 0 ? pad_to_block(sa, pc->inner_len) : (uint8_t)pc->pad;
			uint8_t pad_len = pc->pad_len < 0 ? pad : (uint8_t)pc->pad_len;
			size_t hl = 3, len, ct;

			if ((pc->inner_len + pad + 2) % sa->block != 0)
				continue;
			len = plain_seed(sa, 9 + c, pc->inner_len, pad, pad_len, pc->next, b);
			ct = 20 + (sa->udp_encap ? 8 : 0) + ESP_HDR + sa->iv_len;
			if (strcmp(pc->name, "tfc") == 0) {
				wr16(b + ct + 2, 62);
				wr16(b + ct + 10, 0);
				wr16(b + ct + 10, ip_cksum(b + ct, 20));
			} else if (strcmp(pc->name, "bad_pad") == 0) {
				b[ct + pc->inner_len + 1] = 9;
			} else if (strcmp(pc->name, "not_ipv4") == 0) {
				b[ct] = 0x65;
			}
			hdr[0] = (uint8_t)i;
			hdr[1] = FL_SEAL;
			hdr[2] = 0;
			if (z->params[i].esn && c == 0) {    /* near a 2^32 boundary */
				hdr[1] |= FL_HISTORY;
				wr32(hdr + 3, 1);
				wr32(hdr + 7, 0xffffffe0u);
				hl = 11;
			}
			snprintf(name, sizeof(name), "seal_%s_%s%s%s", pc->name,
				vsw_esp_algo_name(sa->algo), sa->esn ? "_esn" : "",
				sa->udp_encap ? "_udp" : "");
			write_seed(dir, name, hdr, hl, b, len);
		}
	}
}

static void
write_seeds(struct fuzz *z, const char *dir)
{
	unsigned int i;

	write_encap_seeds(z, dir);
	for (i = 0; i < N_ALGOS; i++)
		write_burst_seed(z, dir, i + (i & 1 ? 6 : 0), i >= 4 ? FL_SPLIT : 0,
			120, i >= 4 ? "_split" : "");
	/* hard limits: 2 packets; 4 packets or 192 inner bytes */
	write_burst_seed(z, dir, 0, FL_LIFETIME, 1, "_life_packets");
	write_burst_seed(z, dir, 4, FL_LIFETIME, 3 << 2 | 3, "_life_bytes");
	write_plain_seeds(z, dir);
}

/* --- set-up --- */

static void
build(struct fuzz *z)
{
	const char *reset = getenv("VSW_FUZZ_ESP_RESET");
	unsigned int i;

	for (i = 0; i < sizeof(z->key_enc); i++) {
		z->key_enc[i] = (uint8_t)(0x11 * i + 7);
		z->key_auth[i] = (uint8_t)(0x35 * i + 1);
	}
	z->reset_every = reset != NULL ? strtoull(reset, NULL, 0) : 1;
	if (z->reset_every == 0)
		z->reset_every = 1;
	z->pool = vsw_eal_env_ring_pool("fze_pool", POOL_SIZE);
	CHECK(z->pool != NULL);
	z->mgr = vsw_esp_mgr_create();
	z->sas = rte_zmalloc("fze_sas", N_SA * sizeof(*z->sas), RTE_CACHE_LINE_SIZE);
	CHECK(z->mgr != NULL && z->sas != NULL);
	for (i = 0; i < N_SA; i++) {
		sa_params(z, i, &z->params[i]);
		sa_install(z, i);
	}
	z->pool_baseline = rte_mempool_in_use_count(z->pool);
}

static void
print_stats(const struct fuzz *z)
{
	unsigned int v;

	fprintf(stderr, "fuzz_esp: %" PRIu64 " inputs, %" PRIu64 " packets sealed\n",
		z->inputs, z->sealed);
	for (v = 0; v < VSW_ESP_VERDICT_MAX; v++)
		if (z->verdicts[v] != 0)
			fprintf(stderr, "  %-12s %" PRIu64 "\n",
				vsw_esp_verdict_name(v), z->verdicts[v]);
}

static void
teardown(void)
{
	struct fuzz *z = fz;
	const char *st = getenv("VSW_FUZZ_STATS");
	unsigned int i;

	if (z == NULL)
		return;
	fz = NULL;
	if (st != NULL && strcmp(st, "1") == 0)
		print_stats(z);
	for (i = 0; i < N_SA; i++)
		vsw_esp_sa_clear(&z->sas[i]);
	rte_free(z->sas);
	vsw_esp_mgr_free(z->mgr);
	vsw_eal_env_unpoison_mbufs(z->pool);
	rte_mempool_free(z->pool);
	vsw_eal_env_stop();
	free(z);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *seeds = getenv("VSW_FUZZ_ESP_SEEDS");

	RTE_SET_USED(argc);
	RTE_SET_USED(argv);
	vsw_eal_env_fuzz_start("fuzz_esp", "vsw-fuzz-esp", 128);
	fz = calloc(1, sizeof(*fz));
	CHECK(fz != NULL);
	atexit(teardown);
	build(fz);
	if (seeds != NULL && seeds[0] != '\0') {
		write_seeds(fz, seeds);
		exit(0);
	}
	return 0;
}
