/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ESP engine (crypto/esp.h): published vectors through the engine's job code,
 * round trips for every algorithm, ESN and UDP encapsulation, tampering,
 * anti-replay, padding and malformed input, lifetimes, and a cross-check with
 * python3-scapy's ESP (tests/unit/data/esp_scapy_vectors.json, made by
 * tests/tools/esp_scapy_vectors.py).
 *
 * VSW_ESP_BENCH=1      also prints encap/decap cycles per packet.
 * VSW_ESP_EXPORT=FILE  only writes the scapy cases re-encrypted by vsw to
 *                      FILE (tests/integration/test_esp_scapy.py decrypts
 *                      them with scapy).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "eal_env.h"
#include "esp.h"

#define POOL_SIZE 4095
#define BURST 32
#define SCAPY_JSON VSW_SOURCE_ROOT "/tests/unit/data/esp_scapy_vectors.json"

static struct rte_mempool *pool;

/* RTE_IPV4() shifts an int into the sign bit (UBSan); host order */
static uint32_t
ip4(uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
	return a << 24 | b << 16 | c << 8 | d;
}
static IMB_MGR *mgr;

/* ---------------------------------------------------------------- helpers */

static size_t
unhex(const char *hex, uint8_t *out, size_t max)
{
	size_t n = strlen(hex) / 2;

	assert_true(n <= max);
	for (size_t i = 0; i < n; i++) {
		unsigned int b;

		assert_int_equal(sscanf(hex + 2 * i, "%2x", &b), 1);
		out[i] = (uint8_t)b;
	}
	return n;
}

static uint8_t key_a[64], key_b[64];

static void
fill_keys(void)
{
	for (unsigned int i = 0; i < sizeof(key_a); i++) {
		key_a[i] = (uint8_t)(0x11 * i + 7);
		key_b[i] = (uint8_t)(0x35 * i + 1);
	}
}

static bool
algo_is_gcm(enum vsw_esp_algo a)
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
base_params(struct vsw_esp_sa_params *p, enum vsw_esp_algo algo,
	enum vsw_esp_dir dir, bool esn, bool udp)
{
	memset(p, 0, sizeof(*p));
	p->spi = 0x12345678;
	p->dir = dir;
	p->algo = algo;
	p->enc_key = key_a;
	p->enc_key_len = enc_key_len(algo);
	p->auth_key = auth_key_len(algo) ? key_b : NULL;
	p->auth_key_len = auth_key_len(algo);
	p->esn = esn;
	p->tunnel_src = rte_cpu_to_be_32(ip4(192, 0, 2, 1));
	p->tunnel_dst = rte_cpu_to_be_32(ip4(198, 51, 100, 2));
	p->udp_encap = udp;
	p->mgr = mgr;
}

static void
sa_init_ok(struct vsw_esp_sa *sa, const struct vsw_esp_sa_params *p)
{
	char err[256] = "";
	int rc = vsw_esp_sa_init(sa, p, err, sizeof(err));

	if (rc != 0)
		fail_msg("vsw_esp_sa_init: %d %s", rc, err);
}

/* Outbound and inbound SA sharing keys. */
static void
sa_pair(struct vsw_esp_sa *out, struct vsw_esp_sa *in, enum vsw_esp_algo algo,
	bool esn, bool udp)
{
	struct vsw_esp_sa_params p;

	base_params(&p, algo, VSW_ESP_DIR_OUT, esn, udp);
	sa_init_ok(out, &p);
	p.dir = VSW_ESP_DIR_IN;
	sa_init_ok(in, &p);
}

/* An IPv4/UDP-looking packet of len bytes (len >= 20) at the data start. */
static struct rte_mbuf *
make_inner(uint16_t len, uint32_t seed)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	struct rte_ipv4_hdr *ip;
	uint8_t *p;

	assert_non_null(m);
	p = (uint8_t *)rte_pktmbuf_append(m, len);
	assert_non_null(p);
	for (uint16_t i = 0; i < len; i++)
		p[i] = (uint8_t)(seed * 31 + i * 7);
	ip = (struct rte_ipv4_hdr *)p;
	ip->version_ihl = 0x45;
	ip->type_of_service = (uint8_t)(seed << 2);
	ip->total_length = rte_cpu_to_be_16(len);
	ip->packet_id = rte_cpu_to_be_16((uint16_t)seed);
	ip->fragment_offset = seed & 1 ? rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG) : 0;
	ip->time_to_live = 63;
	ip->next_proto_id = 17;
	ip->src_addr = rte_cpu_to_be_32(ip4(10, 1, 0, 1));
	ip->dst_addr = rte_cpu_to_be_32(ip4(10, 2, 0, 1));
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	return m;
}

static struct rte_mbuf *
copy_mbuf(const struct rte_mbuf *m)
{
	struct rte_mbuf *c = rte_pktmbuf_alloc(pool);

	assert_non_null(c);
	memcpy(rte_pktmbuf_append(c, m->data_len),
		rte_pktmbuf_mtod(m, const void *), m->data_len);
	return c;
}

static struct rte_mbuf *
mbuf_from_bytes(const uint8_t *b, size_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);

	assert_non_null(m);
	memcpy(rte_pktmbuf_append(m, (uint16_t)len), b, len);
	return m;
}

static void
free_all(struct rte_mbuf **m, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		rte_pktmbuf_free(m[i]);
}

static uint16_t
encap1(struct vsw_esp_sa *sa, struct rte_mbuf *m)
{
	uint8_t v = 0xff;

	vsw_esp_encap_burst(mgr, sa, &m, 1, rte_rdtsc(), &v);
	return v;
}

static uint16_t
decap1(struct vsw_esp_sa *sa, struct rte_mbuf *m)
{
	uint8_t v = 0xff;

	vsw_esp_decap_burst(mgr, sa, &m, 1, rte_rdtsc(), &v);
	return v;
}

static const enum vsw_esp_algo all_algos[] = {
	VSW_ESP_AES_GCM_128, VSW_ESP_AES_GCM_256,
	VSW_ESP_AES_CBC_128_HMAC_SHA1_96, VSW_ESP_AES_CBC_256_HMAC_SHA1_96,
	VSW_ESP_AES_CBC_128_HMAC_SHA256_128, VSW_ESP_AES_CBC_256_HMAC_SHA256_128,
};

/* ------------------------------------------------- published test vectors */

/*
 * AES-GCM, 96-bit IVs: McGrew & Viega, "The Galois/Counter Mode of Operation
 * (GCM)", Appendix B test cases 2, 3, 4 (AES-128) and 14, 15, 16 (AES-256),
 * the specification RFC 4106 builds on. The SA's salt is the IV's first 4
 * bytes, as in ESP.
 */
struct gcm_vector {
	const char *name, *key, *iv, *pt, *aad, *ct, *tag;
};

#define MV_P "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72" \
	"1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255"
#define MV_P60 "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72" \
	"1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39"
#define MV_A "feedfacedeadbeeffeedfacedeadbeefabaddad2"
#define MV_K "feffe9928665731c6d6a8f9467308308"

static const struct gcm_vector gcm_vectors[] = {
	{ "GCM TC2", "00000000000000000000000000000000", "000000000000000000000000",
	  "00000000000000000000000000000000", "",
	  "0388dace60b6a392f328c2b971b2fe78", "ab6e47d42cec13bdf53a67b21257bddf" },
	{ "GCM TC3", MV_K, "cafebabefacedbaddecaf888", MV_P, "",
	  "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
	  "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985",
	  "4d5c2af327cd64a62cf35abd2ba6fab4" },
	{ "GCM TC4", MV_K, "cafebabefacedbaddecaf888", MV_P60, MV_A,
	  "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
	  "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
	  "5bc94fbc3221a5db94fae95ae7121a47" },
	{ "GCM TC14", "0000000000000000000000000000000000000000000000000000000000000000",
	  "000000000000000000000000", "00000000000000000000000000000000", "",
	  "cea7403d4d606b6e074ec5d3baf39d18", "d0d1c8a799996bf0265b98b5d48ab919" },
	{ "GCM TC15", MV_K MV_K, "cafebabefacedbaddecaf888", MV_P, "",
	  "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
	  "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad",
	  "b094dac5d93471bdec1a502270e3cc6c" },
	{ "GCM TC16", MV_K MV_K, "cafebabefacedbaddecaf888", MV_P60, MV_A,
	  "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
	  "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
	  "76fc6ece0f4e1768cddf8853bb2d551b" },
};

static void
test_vectors_gcm(void **state)
{
	(void)state;
	for (size_t i = 0; i < RTE_DIM(gcm_vectors); i++) {
		const struct gcm_vector *v = &gcm_vectors[i];
		uint8_t key[36], iv[12], pt[64], aad[20], ct[64], tag[16];
		uint8_t out[64], out_tag[16];
		size_t klen = unhex(v->key, key, 32), len = unhex(v->pt, pt, 64);
		size_t alen = unhex(v->aad, aad, 20);
		struct vsw_esp_sa sa;
		struct vsw_esp_sa_params p;

		unhex(v->iv, iv, 12);
		unhex(v->ct, ct, 64);
		unhex(v->tag, tag, 16);
		memcpy(key + klen, iv, 4);  /* ESP salt = the J0 prefix's first 4 B */
		base_params(&p, klen == 16 ? VSW_ESP_AES_GCM_128 : VSW_ESP_AES_GCM_256,
			VSW_ESP_DIR_OUT, false, false);
		p.enc_key = key;
		sa_init_ok(&sa, &p);
		assert_memory_equal(sa.salt, iv, 4);

		assert_int_equal(vsw_esp_raw_cipher(mgr, &sa, true, iv, aad, alen,
			pt, out, len, out_tag, 16), 0);
		assert_memory_equal(out, ct, len);
		assert_memory_equal(out_tag, tag, 16);
		assert_int_equal(vsw_esp_raw_cipher(mgr, &sa, false, iv, aad, alen,
			ct, out, len, out_tag, 16), 0);
		assert_memory_equal(out, pt, len);
		assert_memory_equal(out_tag, tag, 16);
		vsw_esp_sa_clear(&sa);
	}
}

/*
 * AES-CBC: RFC 3602 §4 cases #1-#4 (AES-128); AES-256 from NIST SP 800-38A
 * F.2.5 (CBC-AES256.Encrypt, first block), since RFC 3602 has no 256-bit case.
 */
struct cbc_vector {
	const char *name, *key, *iv, *pt, *ct;
};

static const struct cbc_vector cbc_vectors[] = {
	{ "RFC 3602 case 1", "06a9214036b8a15b512e03d534120006",
	  "3dafba429d9eb430b422da802c9fac41",
	  "53696e676c6520626c6f636b206d7367", /* "Single block msg" */
	  "e353779c1079aeb82708942dbe77181a" },
	{ "RFC 3602 case 2", "c286696d887c9aa0611bbb3e2025a45a",
	  "562e17996d093d28ddb3ba695a2e6f58",
	  "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
	  "d296cd94c2cccf8a3a863028b5e1dc0a7586602d253cfff91b8266bea6d61ab1" },
	{ "RFC 3602 case 3", "6c3ea0477630ce21a2ce334aa746c2cd",
	  "c782dc4c098c66cbd9cd27d825682c81",
	  /* "This is a 48-byte message (exactly 3 AES blocks)" */
	  "5468697320697320612034382d62797465206d657373616765202865786163746c"
	  "7920332041455320626c6f636b7329",
	  "d0a02b3836451753d493665d33f0e8862dea54cdb293abc7506939276772f8d5"
	  "021c19216bad525c8579695d83ba2684" },
	{ "RFC 3602 case 4", "56e47a38c5598974bc46903dba290349",
	  "8ce82eefbea0da3c44699ed7db51b7d9",
	  "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
	  "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf",
	  "c30e32ffedc0774e6aff6af0869f71aa0f3af07a9a31a9c684db207eb0ef8e4e"
	  "35907aa632c3ffdf868bb7b29d3d46ad83ce9f9a102ee99d49a53e87f4c3da55" },
	{ "SP 800-38A F.2.5",
	  "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
	  "000102030405060708090a0b0c0d0e0f",
	  "6bc1bee22e409f96e93d7e117393172a",
	  "f58c4c04d6e5f1ba779eabfb5f7bfbd6" },
};

static void
test_vectors_cbc(void **state)
{
	(void)state;
	for (size_t i = 0; i < RTE_DIM(cbc_vectors); i++) {
		const struct cbc_vector *v = &cbc_vectors[i];
		uint8_t key[32], iv[16], pt[64], ct[64], out[64];
		size_t klen = unhex(v->key, key, 32), len = unhex(v->pt, pt, 64);
		struct vsw_esp_sa sa;
		struct vsw_esp_sa_params p;

		unhex(v->iv, iv, 16);
		unhex(v->ct, ct, 64);
		base_params(&p, klen == 16 ? VSW_ESP_AES_CBC_128_HMAC_SHA256_128 :
			VSW_ESP_AES_CBC_256_HMAC_SHA256_128, VSW_ESP_DIR_OUT,
			false, false);
		p.enc_key = key;
		sa_init_ok(&sa, &p);
		assert_int_equal(vsw_esp_raw_cipher(mgr, &sa, true, iv, NULL, 0,
			pt, out, len, NULL, 0), 0);
		if (memcmp(out, ct, len) != 0)
			fail_msg("%s: ciphertext differs", v->name);
		assert_int_equal(vsw_esp_raw_cipher(mgr, &sa, false, iv, NULL, 0,
			ct, out, len, NULL, 0), 0);
		assert_memory_equal(out, pt, len);
		vsw_esp_sa_clear(&sa);
	}
}

/*
 * HMAC: RFC 2202 §3 (HMAC-SHA-1 cases 1, 2, 3, 6) with the RFC 2404
 * truncation to 96 bits; RFC 4231 §4 (HMAC-SHA-256 cases 1, 2, 3, 6) and
 * RFC 4868 §2.7.2.1 (AUTH256-1..4, 32-byte keys as ESP uses them) with the
 * HMAC-SHA-256-128 truncation.
 */
struct hmac_vector {
	const char *name;
	enum vsw_esp_hmac_alg alg;
	const char *key;     /* hex; "*aa:N" = N bytes of 0xaa etc. */
	const char *data;
	const char *mac;     /* full length */
};

static const struct hmac_vector hmac_vectors[] = {
	{ "RFC 2202 1", VSW_ESP_HMAC_SHA1, "*0b:20", "4869205468657265",
	  "b617318655057264e28bc0b6fb378c8ef146be00" },
	{ "RFC 2202 2", VSW_ESP_HMAC_SHA1, "4a656665",
	  "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
	  "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79" },
	{ "RFC 2202 3", VSW_ESP_HMAC_SHA1, "*aa:20", "*dd:50",
	  "125d7342b9ac11cd91a39af48aa17b4f63f175d3" },
	{ "RFC 2202 6", VSW_ESP_HMAC_SHA1, "*aa:80",
	  /* "Test Using Larger Than Block-Size Key - Hash Key First" */
	  "54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a"
	  "65204b6579202d2048617368204b6579204669727374",
	  "aa4ae5e15272d00e95705637ce8a3b55ed402112" },
	{ "RFC 4231 1", VSW_ESP_HMAC_SHA256, "*0b:20", "4869205468657265",
	  "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7" },
	{ "RFC 4231 2", VSW_ESP_HMAC_SHA256, "4a656665",
	  "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
	  "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" },
	{ "RFC 4231 3", VSW_ESP_HMAC_SHA256, "*aa:20", "*dd:50",
	  "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe" },
	{ "RFC 4231 6", VSW_ESP_HMAC_SHA256, "*aa:131",
	  "54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a"
	  "65204b6579202d2048617368204b6579204669727374",
	  "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54" },
	{ "RFC 4868 AUTH256-1", VSW_ESP_HMAC_SHA256, "*0b:32", "4869205468657265",
	  "198a607eb44bfbc69903a0f1cf2bbdc5ba0aa3f3d9ae3c1c7a3b1696a0b68cf7" },
	{ "RFC 4868 AUTH256-2", VSW_ESP_HMAC_SHA256,
	  "4a6566654a6566654a6566654a6566654a6566654a6566654a6566654a656665",
	  "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
	  "167f928588c5cc2eef8e3093caa0e87c9ff566a14794aa61648d81621a2a40c6" },
	{ "RFC 4868 AUTH256-3", VSW_ESP_HMAC_SHA256, "*aa:32", "*dd:50",
	  "cdcb1220d1ecccea91e53aba3092f962e549fe6ce9ed7fdc43191fbde45c30b0" },
	{ "RFC 4868 AUTH256-4", VSW_ESP_HMAC_SHA256,
	  "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20",
	  "*cd:50",
	  "372efcf9b40b35c2115b1346903d2ef42fced46f0846e7257bb156d3d7b30d3f" },
};

static size_t
vector_bytes(const char *spec, uint8_t *out, size_t max)
{
	unsigned int byte, n;

	if (spec[0] != '*')
		return unhex(spec, out, max);
	assert_int_equal(sscanf(spec, "*%x:%u", &byte, &n), 2);
	assert_true(n <= max);
	memset(out, (int)byte, n);
	return n;
}

static void
test_vectors_hmac(void **state)
{
	(void)state;
	for (size_t i = 0; i < RTE_DIM(hmac_vectors); i++) {
		const struct hmac_vector *v = &hmac_vectors[i];
		uint8_t key[160], data[128], mac[32], out[32];
		size_t klen = vector_bytes(v->key, key, sizeof(key));
		size_t dlen = vector_bytes(v->data, data, sizeof(data));
		size_t mlen = unhex(v->mac, mac, sizeof(mac));
		size_t trunc = v->alg == VSW_ESP_HMAC_SHA1 ? 12 : 16;

		memset(out, 0, sizeof(out));
		assert_int_equal(vsw_esp_raw_hmac(mgr, v->alg, key, klen, data,
			dlen, out, mlen), 0);
		if (memcmp(out, mac, mlen) != 0)
			fail_msg("%s: HMAC differs", v->name);
		/* ESP's truncated ICV (RFC 2404 / RFC 4868) is the prefix */
		memset(out, 0, sizeof(out));
		assert_int_equal(vsw_esp_raw_hmac(mgr, v->alg, key, klen, data,
			dlen, out, trunc), 0);
		assert_memory_equal(out, mac, trunc);
		for (size_t j = trunc; j < sizeof(out); j++)
			assert_int_equal(out[j], 0);
	}
}

/* ------------------------------------------------------- SA installation */

static void
test_sa_init_validation(void **state)
{
	struct vsw_esp_sa sa;
	struct vsw_esp_sa_params p;
	enum vsw_esp_algo algo;
	char err[256];

	(void)state;
	base_params(&p, VSW_ESP_AES_GCM_128, VSW_ESP_DIR_OUT, false, false);
	p.algo = VSW_ESP_ALGO_MAX;
	assert_int_equal(vsw_esp_sa_init(&sa, &p, err, sizeof(err)), -ENOTSUP);
	assert_non_null(strstr(err, "UnsupportedAlgorithm"));

	base_params(&p, VSW_ESP_AES_GCM_128, VSW_ESP_DIR_OUT, false, false);
	p.enc_key_len = 16;  /* salt missing */
	assert_int_equal(vsw_esp_sa_init(&sa, &p, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "20 bytes"));
	base_params(&p, VSW_ESP_AES_CBC_256_HMAC_SHA1_96, VSW_ESP_DIR_OUT, false, false);
	p.enc_key_len = 24;
	assert_int_equal(vsw_esp_sa_init(&sa, &p, err, sizeof(err)), -EINVAL);
	base_params(&p, VSW_ESP_AES_CBC_128_HMAC_SHA256_128, VSW_ESP_DIR_OUT, false, false);
	p.auth_key_len = 20;
	assert_int_equal(vsw_esp_sa_init(&sa, &p, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "32 bytes"));
	base_params(&p, VSW_ESP_AES_GCM_256, VSW_ESP_DIR_OUT, false, false);
	p.spi = 255;
	assert_int_equal(vsw_esp_sa_init(&sa, &p, err, sizeof(err)), -EINVAL);
	base_params(&p, VSW_ESP_AES_GCM_256, VSW_ESP_DIR_IN, false, false);
	p.replay_window = 100;
	assert_int_equal(vsw_esp_sa_init(&sa, &p, err, sizeof(err)), -EINVAL);
	p.replay_window = 8192;
	assert_int_equal(vsw_esp_sa_init(&sa, &p, err, sizeof(err)), -EINVAL);
	p.replay_window = 4096;
	assert_int_equal(vsw_esp_sa_init(&sa, &p, err, sizeof(err)), 0);
	assert_int_equal(sa.replay.size, 4096);
	base_params(&p, VSW_ESP_AES_GCM_256, VSW_ESP_DIR_OUT, false, false);
	p.tunnel_dst = 0;
	assert_int_equal(vsw_esp_sa_init(&sa, &p, err, sizeof(err)), -EINVAL);
	base_params(&p, VSW_ESP_AES_GCM_256, VSW_ESP_DIR_OUT, false, false);
	p.lifetime.soft_bytes = 10;
	p.lifetime.hard_bytes = 5;
	assert_int_equal(vsw_esp_sa_init(&sa, &p, err, sizeof(err)), -EINVAL);

	/* no key leaks into messages */
	base_params(&p, VSW_ESP_AES_GCM_128, VSW_ESP_DIR_OUT, false, false);
	p.enc_key_len = 19;
	vsw_esp_sa_init(&sa, &p, err, sizeof(err));
	assert_null(strstr(err, "07"));

	/* clear wipes the expanded keys */
	base_params(&p, VSW_ESP_AES_CBC_128_HMAC_SHA1_96, VSW_ESP_DIR_OUT, false, false);
	sa_init_ok(&sa, &p);
	vsw_esp_sa_clear(&sa);
	for (size_t i = 0; i < sizeof(sa.keys); i++)
		assert_int_equal(((uint8_t *)&sa.keys)[i], 0);

	/* Neutron names */
	assert_int_equal(vsw_esp_algo_from_names("aes-128", "sha1", &algo, err,
		sizeof(err)), 0);
	assert_int_equal(algo, VSW_ESP_AES_CBC_128_HMAC_SHA1_96);
	assert_int_equal(vsw_esp_algo_from_names("aes-256", "sha256", &algo, err,
		sizeof(err)), 0);
	assert_int_equal(algo, VSW_ESP_AES_CBC_256_HMAC_SHA256_128);
	assert_int_equal(vsw_esp_algo_from_names("aes-128-gcm-16", "sha256",
		&algo, err, sizeof(err)), 0);
	assert_int_equal(algo, VSW_ESP_AES_GCM_128);
	assert_int_equal(vsw_esp_algo_from_names("3des", "sha1", &algo, err,
		sizeof(err)), -ENOTSUP);
	assert_non_null(strstr(err, "UnsupportedAlgorithm"));
	assert_int_equal(vsw_esp_algo_from_names("aes-192", "sha1", &algo, err,
		sizeof(err)), -ENOTSUP);
	assert_int_equal(vsw_esp_algo_from_names("aes-128", "sha384", &algo, err,
		sizeof(err)), -ENOTSUP);
	assert_string_equal(vsw_esp_algo_name(VSW_ESP_AES_GCM_256), "aes-256-gcm-16");
	assert_string_equal(vsw_esp_verdict_name(VSW_ESP_ICV), "icv");
}

/* ------------------------------------------------------------ round trips */

/* Checks the outer framing of one encapsulated packet. */
static void
check_outer(const struct vsw_esp_sa *sa, const struct rte_mbuf *m,
	uint16_t inner_len, uint8_t inner_tos, bool inner_df, uint64_t seq)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);
	const uint8_t *esp = rte_pktmbuf_mtod_offset(m, const uint8_t *, sa->outer_len);
	uint32_t spi, seq_low;

	assert_int_equal(m->data_len, inner_len + vsw_esp_overhead(sa, inner_len));
	assert_int_equal(m->pkt_len, m->data_len);
	assert_int_equal((m->data_len - sa->hdr_room - sa->icv_len) % sa->block, 0);
	assert_int_equal(ip->version_ihl, 0x45);
	assert_int_equal(rte_be_to_cpu_16(ip->total_length), m->data_len);
	assert_int_equal(rte_ipv4_cksum(ip), 0);
	assert_int_equal(ip->type_of_service, inner_tos);
	assert_int_equal(!!(ip->fragment_offset &
		rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG)), inner_df);
	assert_int_equal(ip->time_to_live, 64);
	assert_int_equal(ip->src_addr, sa->tunnel_src);
	assert_int_equal(ip->dst_addr, sa->tunnel_dst);
	if (sa->udp_encap) {
		const struct rte_udp_hdr *u = (const struct rte_udp_hdr *)(ip + 1);

		assert_int_equal(ip->next_proto_id, 17);
		assert_int_equal(rte_be_to_cpu_16(u->dst_port), 4500);
		assert_int_equal(rte_be_to_cpu_16(u->src_port), 4500);
		assert_int_equal(rte_be_to_cpu_16(u->dgram_len), m->data_len - 20);
	} else {
		assert_int_equal(ip->next_proto_id, 50);
	}
	memcpy(&spi, esp, 4);
	memcpy(&seq_low, esp + 4, 4);
	assert_int_equal(rte_be_to_cpu_32(spi), sa->spi);
	assert_int_equal(rte_be_to_cpu_32(seq_low), (uint32_t)seq);
	if (sa->iv_len == 8) {  /* GCM IV = 64-bit sequence number */
		uint64_t iv;

		memcpy(&iv, esp + 8, 8);
		assert_true(rte_be_to_cpu_64(iv) == seq);
	}
}

static void
roundtrip(enum vsw_esp_algo algo, bool esn, bool udp, uint16_t lo, uint16_t hi)
{
	struct vsw_esp_sa *out = rte_zmalloc(NULL, sizeof(*out), 64);
	struct vsw_esp_sa *in = rte_zmalloc(NULL, sizeof(*in), 64);
	uint64_t seq = 0;

	assert_non_null(out);
	assert_non_null(in);
	sa_pair(out, in, algo, esn, udp);
	for (uint32_t len = lo; len <= hi; len += BURST) {
		struct rte_mbuf *pkts[BURST], *orig[BURST];
		uint8_t verdict[BURST];
		uint16_t n = (uint16_t)RTE_MIN((uint32_t)BURST, hi - len + 1);

		for (uint16_t i = 0; i < n; i++) {
			pkts[i] = make_inner((uint16_t)(len + i), len + i);
			orig[i] = copy_mbuf(pkts[i]);
		}
		assert_int_equal(vsw_esp_encap_burst(mgr, out, pkts, n, rte_rdtsc(),
			verdict), n);
		for (uint16_t i = 0; i < n; i++) {
			const struct rte_ipv4_hdr *o =
				rte_pktmbuf_mtod(orig[i], const struct rte_ipv4_hdr *);

			assert_int_equal(verdict[i], VSW_ESP_OK);
			check_outer(out, pkts[i], (uint16_t)(len + i), o->type_of_service,
				(o->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG)) != 0,
				++seq);
			/* the inner bytes are not in clear on the wire */
			if (len + i >= 40)
				assert_null(memmem(rte_pktmbuf_mtod(pkts[i], void *),
					pkts[i]->data_len,
					rte_pktmbuf_mtod_offset(orig[i], void *, 20), 16));
		}
		assert_int_equal(vsw_esp_decap_burst(mgr, in, pkts, n, rte_rdtsc(),
			verdict), n);
		for (uint16_t i = 0; i < n; i++) {
			assert_int_equal(verdict[i], VSW_ESP_OK);
			assert_int_equal(pkts[i]->data_len, orig[i]->data_len);
			assert_memory_equal(rte_pktmbuf_mtod(pkts[i], void *),
				rte_pktmbuf_mtod(orig[i], void *), orig[i]->data_len);
		}
		free_all(pkts, n);
		free_all(orig, n);
	}
	assert_true(out->stats.packets == (uint64_t)(hi - lo + 1));
	assert_true(in->stats.packets == (uint64_t)(hi - lo + 1));
	for (int v = 1; v < VSW_ESP_VERDICT_MAX; v++) {
		assert_true(out->stats.drops[v] == 0);
		assert_true(in->stats.drops[v] == 0);
	}
	assert_true(in->replay.top == seq);
	vsw_esp_sa_clear(out);
	vsw_esp_sa_clear(in);
	rte_free(out);
	rte_free(in);
}

static void
test_roundtrip_all(void **state)
{
	(void)state;
	for (size_t a = 0; a < RTE_DIM(all_algos); a++)
		for (int esn = 0; esn < 2; esn++)
			for (int udp = 0; udp < 2; udp++)
				roundtrip(all_algos[a], esn, udp, 20, 1500);
}

/* Packets with Ethernet padding after the IPv4 total length. */
static void
test_trailing_l2_padding(void **state)
{
	struct vsw_esp_sa out, in;
	struct rte_mbuf *m = make_inner(40, 3), *orig = copy_mbuf(m);

	(void)state;
	sa_pair(&out, &in, VSW_ESP_AES_GCM_128, false, false);
	memset(rte_pktmbuf_append(m, 6), 0xee, 6);
	assert_int_equal(encap1(&out, m), VSW_ESP_OK);
	memset(rte_pktmbuf_append(m, 10), 0xee, 10);
	assert_int_equal(decap1(&in, m), VSW_ESP_OK);
	assert_int_equal(m->data_len, 40);
	assert_memory_equal(rte_pktmbuf_mtod(m, void *),
		rte_pktmbuf_mtod(orig, void *), 40);
	rte_pktmbuf_free(m);
	rte_pktmbuf_free(orig);
}

static void
test_cbc_iv_unpredictable(void **state)
{
	struct vsw_esp_sa out, out2, in;
	struct rte_mbuf *a = make_inner(100, 1), *b = make_inner(100, 1);
	struct rte_mbuf *c = make_inner(100, 1);
	const uint8_t *iva, *ivb, *ivc;
	uint64_t seq_be = rte_cpu_to_be_64(1);

	(void)state;
	sa_pair(&out, &in, VSW_ESP_AES_CBC_128_HMAC_SHA256_128, false, false);
	sa_pair(&out2, &in, VSW_ESP_AES_CBC_128_HMAC_SHA256_128, false, false);
	assert_int_equal(encap1(&out, a), VSW_ESP_OK);
	assert_int_equal(encap1(&out, b), VSW_ESP_OK);
	assert_int_equal(encap1(&out2, c), VSW_ESP_OK);  /* same key, seq 1 */
	iva = rte_pktmbuf_mtod_offset(a, uint8_t *, 28);
	ivb = rte_pktmbuf_mtod_offset(b, uint8_t *, 28);
	ivc = rte_pktmbuf_mtod_offset(c, uint8_t *, 28);
	assert_memory_not_equal(iva, ivb, 16);
	assert_memory_not_equal(iva, ivc, 16);  /* per-SA random nonce */
	assert_null(memmem(iva, 16, &seq_be, 8));
	/* same plaintext, different IVs: different ciphertexts */
	assert_memory_not_equal(iva + 16, ivb + 16, 100);
	assert_int_equal(decap1(&in, c), VSW_ESP_OK);
	rte_pktmbuf_free(a);
	rte_pktmbuf_free(b);
	rte_pktmbuf_free(c);
}

static void
test_dscp_ecn(void **state)
{
	struct vsw_esp_sa out, in;
	struct rte_mbuf *m = make_inner(60, 0);
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);

	(void)state;
	sa_pair(&out, &in, VSW_ESP_AES_GCM_128, false, true);
	ip->type_of_service = (46 << 2) | 1;  /* EF, ECT(1) */
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	assert_int_equal(encap1(&out, m), VSW_ESP_OK);
	ip = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);
	assert_int_equal(ip->type_of_service, (46 << 2) | 1);
	ip->type_of_service |= 3;  /* congestion on the way: CE */
	assert_int_equal(decap1(&in, m), VSW_ESP_OK);
	ip = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);
	assert_int_equal(ip->type_of_service, (46 << 2) | 3);
	assert_int_equal(rte_ipv4_cksum(ip), 0);
	rte_pktmbuf_free(m);
}

/* ---------------------------------------------------------- tampering */

static void
tamper_case(enum vsw_esp_algo algo, bool esn, uint32_t offset_from,
	bool from_end, uint8_t want)
{
	struct vsw_esp_sa out, in;
	struct rte_mbuf *m = make_inner(200, 9), *good;
	uint8_t *p;
	uint32_t off;

	sa_pair(&out, &in, algo, esn, false);
	assert_int_equal(encap1(&out, m), VSW_ESP_OK);
	good = copy_mbuf(m);
	off = from_end ? m->data_len - offset_from : offset_from;
	p = rte_pktmbuf_mtod(m, uint8_t *);
	p[off] ^= 0x40;
	assert_int_equal(decap1(&in, m), want);
	assert_true(in.stats.drops[want] == 1);
	/* the failed packet did not move the window: the genuine one passes */
	assert_true(in.replay.top == 0);
	assert_int_equal(decap1(&in, good), VSW_ESP_OK);
	rte_pktmbuf_free(m);
	rte_pktmbuf_free(good);
}

static void
test_tamper(void **state)
{
	(void)state;
	for (size_t a = 0; a < RTE_DIM(all_algos); a++) {
		for (int esn = 0; esn < 2; esn++) {
			tamper_case(all_algos[a], esn, 20 + 8 + 2, false, VSW_ESP_ICV);  /* IV */
			tamper_case(all_algos[a], esn, 60, false, VSW_ESP_ICV);   /* ciphertext */
			tamper_case(all_algos[a], esn, 1, true, VSW_ESP_ICV);     /* ICV */
			tamper_case(all_algos[a], esn, 20 + 7, false, VSW_ESP_ICV); /* seq */
			tamper_case(all_algos[a], esn, 20, false, VSW_ESP_SPI);   /* SPI */
		}
	}
}

/* A changed SPI that still finds an SA (same keys): the ICV covers the SPI. */
static void
test_tamper_spi_icv(void **state)
{
	(void)state;
	for (size_t a = 0; a < RTE_DIM(all_algos); a++) {
		struct vsw_esp_sa out, in;
		struct vsw_esp_sa_params p;
		struct rte_mbuf *m = make_inner(80, 2);
		uint8_t *spi;

		base_params(&p, all_algos[a], VSW_ESP_DIR_OUT, false, false);
		sa_init_ok(&out, &p);
		p.dir = VSW_ESP_DIR_IN;
		p.spi ^= 0x100;
		sa_init_ok(&in, &p);
		assert_int_equal(encap1(&out, m), VSW_ESP_OK);
		spi = rte_pktmbuf_mtod_offset(m, uint8_t *, 20);
		spi[2] ^= 0x01;
		assert_int_equal(decap1(&in, m), VSW_ESP_ICV);
		rte_pktmbuf_free(m);
	}
}

/* ---------------------------------------------------------- anti-replay */

static void
test_replay(void **state)
{
	struct vsw_esp_sa out, in;
	struct rte_mbuf *pkts[200], *copies[200];
	uint8_t verdict[2];
	struct rte_mbuf *two[2];

	(void)state;
	sa_pair(&out, &in, VSW_ESP_AES_CBC_128_HMAC_SHA1_96, false, false);
	for (int i = 0; i < 200; i++) {
		pkts[i] = make_inner(64, (uint32_t)i);
		assert_int_equal(encap1(&out, pkts[i]), VSW_ESP_OK);
		copies[i] = copy_mbuf(pkts[i]);
	}
	/* in order: all pass; again: all replays, and untouched */
	for (int i = 0; i < 10; i++)
		assert_int_equal(decap1(&in, pkts[i]), VSW_ESP_OK);
	for (int i = 0; i < 10; i++) {
		struct rte_mbuf *again = copy_mbuf(copies[i]);

		assert_int_equal(decap1(&in, again), VSW_ESP_REPLAY);
		assert_memory_equal(rte_pktmbuf_mtod(again, void *),
			rte_pktmbuf_mtod(copies[i], void *), copies[i]->data_len);
		rte_pktmbuf_free(again);
	}
	/* jump to 200; 137 (63 behind) passes, 136 (64 behind) is too old */
	assert_int_equal(decap1(&in, pkts[199]), VSW_ESP_OK);
	assert_int_equal(decap1(&in, pkts[136]), VSW_ESP_OK);
	assert_int_equal(decap1(&in, pkts[135]), VSW_ESP_REPLAY);
	assert_memory_equal(rte_pktmbuf_mtod(pkts[135], void *),
		rte_pktmbuf_mtod(copies[135], void *), copies[135]->data_len);
	/* reordered within the window */
	for (int i = 198; i >= 150; i -= 3)
		assert_int_equal(decap1(&in, pkts[i]), VSW_ESP_OK);
	/* two copies in one burst: one passes */
	two[0] = pkts[140];
	two[1] = copy_mbuf(copies[140]);
	assert_int_equal(vsw_esp_decap_burst(mgr, &in, two, 2, rte_rdtsc(), verdict), 1);
	assert_int_equal(verdict[0], VSW_ESP_OK);
	assert_int_equal(verdict[1], VSW_ESP_REPLAY);
	rte_pktmbuf_free(two[1]);
	assert_true(in.stats.drops[VSW_ESP_REPLAY] == 12);
	free_all(pkts, 200);
	free_all(copies, 200);
}

/* --------------------------------------------------------------- ESN */

static void
test_esn_wrap(void **state)
{
	struct vsw_esp_sa_params p;
	struct vsw_esp_sa out, in, in_fresh;

	(void)state;
	for (size_t a = 0; a < RTE_DIM(all_algos); a++) {
		struct rte_mbuf *pkts[6];
		uint8_t verdict[6];

		base_params(&p, all_algos[a], VSW_ESP_DIR_OUT, true, false);
		p.seq_start = (UINT64_C(1) << 32) - 4;
		sa_init_ok(&out, &p);
		p.dir = VSW_ESP_DIR_IN;
		sa_init_ok(&in, &p);
		sa_init_ok(&in_fresh, &p);
		/* the receiver has seen up to 2^32 - 10 */
		assert_int_equal(vsw_replay_update(&in.replay, (UINT64_C(1) << 32) - 10),
			VSW_REPLAY_OK);
		for (int i = 0; i < 6; i++)
			pkts[i] = make_inner(100, (uint32_t)i);
		assert_int_equal(vsw_esp_encap_burst(mgr, &out, pkts, 6, rte_rdtsc(),
			verdict), 6);
		/* on the wire: the low 32 bits only (2^32-3 .. 2^32+2) */
		for (int i = 0; i < 6; i++) {
			uint32_t low;

			memcpy(&low, rte_pktmbuf_mtod_offset(pkts[i], uint8_t *, 24), 4);
			assert_int_equal(rte_be_to_cpu_32(low), (uint32_t)(-3 + i));
		}
		assert_int_equal(vsw_esp_decap_burst(mgr, &in, pkts, 6, rte_rdtsc(),
			verdict), 6);
		assert_true(in.replay.top == (UINT64_C(1) << 32) + 2);
		free_all(pkts, 6);

		/* high bits the receiver cannot infer: sender at 5 * 2^32 + 100 */
		base_params(&p, all_algos[a], VSW_ESP_DIR_OUT, true, false);
		p.seq_start = (UINT64_C(5) << 32) + 99;
		sa_init_ok(&out, &p);
		pkts[0] = make_inner(100, 1);
		assert_int_equal(encap1(&out, pkts[0]), VSW_ESP_OK);
		assert_int_equal(decap1(&in_fresh, pkts[0]), VSW_ESP_ICV);
		assert_true(in_fresh.replay.top == 0);
		rte_pktmbuf_free(pkts[0]);
	}
}

static void
test_seq_wrap_without_esn(void **state)
{
	struct vsw_esp_sa_params p;
	struct vsw_esp_sa out;
	struct rte_mbuf *pkts[4];
	uint8_t verdict[4];

	(void)state;
	base_params(&p, VSW_ESP_AES_GCM_128, VSW_ESP_DIR_OUT, false, false);
	p.seq_start = UINT32_MAX - 2;
	sa_init_ok(&out, &p);
	for (int i = 0; i < 4; i++)
		pkts[i] = make_inner(64, (uint32_t)i);
	assert_int_equal(vsw_esp_encap_burst(mgr, &out, pkts, 4, rte_rdtsc(),
		verdict), 2);
	assert_int_equal(verdict[0], VSW_ESP_OK);
	assert_int_equal(verdict[1], VSW_ESP_OK);  /* 2^32 - 1 is the last */
	assert_int_equal(verdict[2], VSW_ESP_SEQ_OVERFLOW);
	assert_int_equal(verdict[3], VSW_ESP_SEQ_OVERFLOW);
	assert_true(vsw_esp_sa_hard_expired(&out, rte_rdtsc()));
	free_all(pkts, 4);
	pkts[0] = make_inner(64, 9);
	assert_int_equal(encap1(&out, pkts[0]), VSW_ESP_EXPIRED);
	assert_true(out.stats.drops[VSW_ESP_SEQ_OVERFLOW] == 2);
	rte_pktmbuf_free(pkts[0]);
}

/* ------------------------------------------- forged (authentic) packets */

/*
 * Builds outer IPv4 + ESP carrying an arbitrary plaintext (trailer included),
 * encrypted and authenticated with the raw primitives, so the engine's
 * checks after the ICV can be driven with bad padding or next headers.
 */
static struct rte_mbuf *
forge(const struct vsw_esp_sa *sa, enum vsw_esp_algo algo, uint32_t seq,
	const uint8_t *plain, uint32_t len)
{
	uint8_t buf[2048], *esp = buf + 20, *ct;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)buf;
	uint32_t seq_be = rte_cpu_to_be_32(seq), total;
	uint8_t iv[16];

	memset(buf, 0, 20);
	memcpy(esp, &sa->spi_be, 4);
	memcpy(esp + 4, &seq_be, 4);
	for (int i = 0; i < 16; i++)
		iv[i] = (uint8_t)(0x5a + i);
	if (algo_is_gcm(algo)) {
		uint8_t j0[12];

		memcpy(esp + 8, iv, 8);
		ct = esp + 16;
		memcpy(j0, sa->salt, 4);
		memcpy(j0 + 4, iv, 8);
		assert_int_equal(vsw_esp_raw_cipher(mgr, sa, true, j0, esp, 8,
			plain, ct, len, ct + len, 16), 0);
		total = 20 + 16 + len + 16;
	} else {
		uint32_t icv = auth_key_len(algo) == 20 ? 12 : 16;

		memcpy(esp + 8, iv, 16);
		ct = esp + 24;
		assert_int_equal(vsw_esp_raw_cipher(mgr, sa, true, iv, NULL, 0,
			plain, ct, len, NULL, 0), 0);
		assert_int_equal(vsw_esp_raw_hmac(mgr, icv == 12 ? VSW_ESP_HMAC_SHA1 :
			VSW_ESP_HMAC_SHA256, key_b, auth_key_len(algo), esp,
			24 + len, ct + len, icv), 0);
		total = 20 + 24 + len + icv;
	}
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16((uint16_t)total);
	ip->time_to_live = 64;
	ip->next_proto_id = 50;
	ip->src_addr = rte_cpu_to_be_32(ip4(198, 51, 100, 2));
	ip->dst_addr = rte_cpu_to_be_32(ip4(192, 0, 2, 1));
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	return mbuf_from_bytes(buf, total);
}

/* plaintext = inner(inner_len) + pad bytes + pad length + next header */
static uint32_t
plain_with(uint8_t *plain, uint32_t inner_len, uint32_t pad, uint8_t pad_len,
	uint8_t next, uint32_t block)
{
	uint32_t len = inner_len + pad + 2;
	struct rte_mbuf *m;

	assert_true(len % block == 0);
	if (inner_len >= 20) {
		m = make_inner((uint16_t)inner_len, 5);
		memcpy(plain, rte_pktmbuf_mtod(m, void *), inner_len);
		rte_pktmbuf_free(m);
	} else {
		memset(plain, 0x45, inner_len);
	}
	for (uint32_t i = 0; i < pad; i++)
		plain[inner_len + i] = (uint8_t)(i + 1);
	plain[inner_len + pad] = pad_len;
	plain[inner_len + pad + 1] = next;
	return len;
}

static void
test_trailer_checks(void **state)
{
	(void)state;
	for (size_t a = 0; a < RTE_DIM(all_algos); a++) {
		enum vsw_esp_algo algo = all_algos[a];
		uint32_t block = algo_is_gcm(algo) ? 4 : 16;
		struct vsw_esp_sa out, in;
		uint8_t plain[512];
		uint32_t len, seq = 1;
		struct rte_mbuf *m;

		sa_pair(&out, &in, algo, false, false);

		/* well-formed: accepted (the forge itself is right) */
		len = plain_with(plain, 62, 0, 0, 4, block);
		m = forge(&in, algo, seq++, plain, len);
		assert_int_equal(decap1(&in, m), VSW_ESP_OK);
		assert_int_equal(m->data_len, 62);
		rte_pktmbuf_free(m);

		/* TFC padding after the inner packet: trimmed (RFC 4303 §2.7) */
		len = plain_with(plain, 78, 0, 0, 4, block);  /* inner says 62 */
		m = make_inner(62, 5);
		memcpy(plain, rte_pktmbuf_mtod(m, void *), 62);
		rte_pktmbuf_free(m);
		m = forge(&in, algo, seq++, plain, len);
		assert_int_equal(decap1(&in, m), VSW_ESP_OK);
		assert_int_equal(m->data_len, 62);
		rte_pktmbuf_free(m);

		/* bad padding bytes */
		len = plain_with(plain, 44, 2, 2, 4, block);
		plain[44 + 1] = 9;
		m = forge(&in, algo, seq++, plain, len);
		assert_int_equal(decap1(&in, m), VSW_ESP_PAD);
		rte_pktmbuf_free(m);

		/* huge pad length */
		len = plain_with(plain, 46, 0, 250, 4, block);
		m = forge(&in, algo, seq++, plain, len);
		assert_int_equal(decap1(&in, m), VSW_ESP_MALFORMED);
		rte_pktmbuf_free(m);

		/* zero-length payload: only padding and trailer */
		len = plain_with(plain, 0, block - 2, (uint8_t)(block - 2), 4, block);
		m = forge(&in, algo, seq++, plain, len);
		assert_int_equal(decap1(&in, m), VSW_ESP_MALFORMED);
		rte_pktmbuf_free(m);

		/* IPv6 inside (not yet), dummy packet, other protocols */
		len = plain_with(plain, 62, 0, 0, 41, block);
		m = forge(&in, algo, seq++, plain, len);
		assert_int_equal(decap1(&in, m), VSW_ESP_PROTO);
		rte_pktmbuf_free(m);
		len = plain_with(plain, 62, 0, 0, 59, block);
		m = forge(&in, algo, seq++, plain, len);
		assert_int_equal(decap1(&in, m), VSW_ESP_DUMMY);
		rte_pktmbuf_free(m);
		len = plain_with(plain, 62, 0, 0, 6, block);
		m = forge(&in, algo, seq++, plain, len);
		assert_int_equal(decap1(&in, m), VSW_ESP_PROTO);
		rte_pktmbuf_free(m);

		/* next header 4 but not an IPv4 packet inside */
		len = plain_with(plain, 62, 0, 0, 4, block);
		plain[0] = 0x65;
		m = forge(&in, algo, seq++, plain, len);
		assert_int_equal(decap1(&in, m), VSW_ESP_MALFORMED);
		rte_pktmbuf_free(m);

		assert_true(in.stats.drops[VSW_ESP_PAD] == 1);
		assert_true(in.stats.drops[VSW_ESP_PROTO] == 2);
		assert_true(in.stats.packets == 2);
	}
}

/* --------------------------------------------------- malformed input */

static void
test_malformed(void **state)
{
	(void)state;
	for (size_t a = 0; a < RTE_DIM(all_algos); a++) {
		struct vsw_esp_sa out, in;
		struct rte_mbuf *m = make_inner(100, 4), *t;
		struct rte_ipv4_hdr *ip;
		uint8_t good[512];
		uint16_t glen;

		sa_pair(&out, &in, all_algos[a], false, a % 2);
		assert_int_equal(encap1(&out, m), VSW_ESP_OK);
		glen = m->data_len;
		memcpy(good, rte_pktmbuf_mtod(m, void *), glen);
		rte_pktmbuf_free(m);

		/* truncated at every length: never OK, never a crash */
		for (uint16_t len = 0; len < glen; len++) {
			uint8_t v;

			t = mbuf_from_bytes(good, len);
			if (len >= 20) {
				ip = rte_pktmbuf_mtod(t, struct rte_ipv4_hdr *);
				ip->total_length = rte_cpu_to_be_16(len);
			}
			v = (uint8_t)decap1(&in, t);
			assert_int_not_equal(v, VSW_ESP_OK);
			if (len < 20 + (out.udp_encap ? 8 : 0) + 8 + out.iv_len + out.icv_len + 4)
				assert_int_equal(v, VSW_ESP_MALFORMED);
			rte_pktmbuf_free(t);
		}
		/* IPv4 total length beyond the data */
		t = mbuf_from_bytes(good, glen - 1);
		assert_int_equal(decap1(&in, t), VSW_ESP_MALFORMED);
		rte_pktmbuf_free(t);
		/* a fragment */
		t = mbuf_from_bytes(good, glen);
		ip = rte_pktmbuf_mtod(t, struct rte_ipv4_hdr *);
		ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG);
		assert_int_equal(decap1(&in, t), VSW_ESP_MALFORMED);
		rte_pktmbuf_free(t);
		/* not ESP */
		t = mbuf_from_bytes(good, glen);
		ip = rte_pktmbuf_mtod(t, struct rte_ipv4_hdr *);
		ip->next_proto_id = 6;
		assert_int_equal(decap1(&in, t), VSW_ESP_MALFORMED);
		rte_pktmbuf_free(t);
		/* the genuine packet still passes afterwards */
		t = mbuf_from_bytes(good, glen);
		assert_int_equal(decap1(&in, t), VSW_ESP_OK);
		rte_pktmbuf_free(t);
	}
}

static void
test_wrong_direction_and_room(void **state)
{
	struct vsw_esp_sa out, in;
	struct rte_mbuf *m = make_inner(64, 1);

	(void)state;
	sa_pair(&out, &in, VSW_ESP_AES_GCM_256, false, true);
	assert_int_equal(encap1(&in, m), VSW_ESP_DIRECTION);
	assert_int_equal(decap1(&out, m), VSW_ESP_DIRECTION);
	/* no headroom */
	memmove(m->buf_addr, rte_pktmbuf_mtod(m, void *), m->data_len);
	m->data_off = 0;
	assert_int_equal(encap1(&out, m), VSW_ESP_NO_ROOM);
	rte_pktmbuf_free(m);
	/* not IPv4 */
	m = make_inner(64, 1);
	*rte_pktmbuf_mtod(m, uint8_t *) = 0x60;
	assert_int_equal(encap1(&out, m), VSW_ESP_MALFORMED);
	rte_pktmbuf_free(m);
}

static void
test_chained_mbuf(void **state)
{
	struct vsw_esp_sa out, in;
	struct rte_mbuf *head = make_inner(300, 3), *orig = copy_mbuf(head);
	struct rte_mbuf *tail = rte_pktmbuf_alloc(pool);

	(void)state;
	sa_pair(&out, &in, VSW_ESP_AES_CBC_256_HMAC_SHA256_128, false, false);
	/* move the last 100 bytes into a second segment */
	memcpy(rte_pktmbuf_append(tail, 100),
		rte_pktmbuf_mtod_offset(head, void *, 200), 100);
	rte_pktmbuf_trim(head, 100);
	assert_int_equal(rte_pktmbuf_chain(head, tail), 0);
	assert_int_equal(head->nb_segs, 2);
	assert_int_equal(encap1(&out, head), VSW_ESP_OK);
	assert_int_equal(head->nb_segs, 1);
	assert_int_equal(decap1(&in, head), VSW_ESP_OK);
	assert_memory_equal(rte_pktmbuf_mtod(head, void *),
		rte_pktmbuf_mtod(orig, void *), 300);
	rte_pktmbuf_free(head);
	rte_pktmbuf_free(orig);
}

static void
test_peek_spi(void **state)
{
	struct vsw_esp_sa out, in;
	struct rte_mbuf *m = make_inner(64, 1);
	struct rte_ipv4_hdr *ip;
	uint8_t *u;
	uint32_t spi = 0;

	(void)state;
	sa_pair(&out, &in, VSW_ESP_AES_GCM_128, false, true);
	assert_int_equal(encap1(&out, m), VSW_ESP_OK);
	assert_int_equal(vsw_esp_peek_spi(m, &spi), 0);
	assert_int_equal(spi, out.spi_be);
	/* non-ESP marker: IKE on 4500 */
	u = rte_pktmbuf_mtod_offset(m, uint8_t *, 28);
	memset(u, 0, 4);
	assert_int_equal(vsw_esp_peek_spi(m, &spi), -ENOENT);
	assert_int_equal(decap1(&in, m), VSW_ESP_SPI);
	rte_pktmbuf_free(m);
	/* plain ESP and not ESP */
	sa_pair(&out, &in, VSW_ESP_AES_GCM_128, false, false);
	m = make_inner(64, 1);
	assert_int_equal(vsw_esp_peek_spi(m, &spi), -EINVAL);  /* UDP, no ESP */
	ip = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);
	ip->next_proto_id = 6;
	assert_int_equal(vsw_esp_peek_spi(m, &spi), -EINVAL);
	ip->next_proto_id = 17;
	assert_int_equal(encap1(&out, m), VSW_ESP_OK);
	assert_int_equal(vsw_esp_peek_spi(m, &spi), 0);
	assert_int_equal(spi, out.spi_be);
	rte_pktmbuf_free(m);
}

/* ------------------------------------------------------------ lifetimes */

static void
test_lifetime_packets_bytes(void **state)
{
	struct vsw_esp_sa_params p;
	struct vsw_esp_sa out, in;
	struct rte_mbuf *pkts[8];
	uint8_t verdict[8];

	(void)state;
	/* outbound: 5 packets hard, 3 soft */
	base_params(&p, VSW_ESP_AES_GCM_128, VSW_ESP_DIR_OUT, false, false);
	p.lifetime.soft_packets = 3;
	p.lifetime.hard_packets = 5;
	sa_init_ok(&out, &p);
	p.dir = VSW_ESP_DIR_IN;
	p.lifetime.soft_packets = 2;
	p.lifetime.hard_packets = 4;
	sa_init_ok(&in, &p);
	assert_false(vsw_esp_sa_soft_expired(&out));
	for (int i = 0; i < 8; i++)
		pkts[i] = make_inner(100, (uint32_t)i);
	assert_int_equal(vsw_esp_encap_burst(mgr, &out, pkts, 8, rte_rdtsc(),
		verdict), 5);
	for (int i = 0; i < 8; i++)
		assert_int_equal(verdict[i], i < 5 ? VSW_ESP_OK : VSW_ESP_EXPIRED);
	assert_true(vsw_esp_sa_soft_expired(&out));
	assert_true(vsw_esp_sa_hard_expired(&out, rte_rdtsc()));
	assert_true(out.stats.drops[VSW_ESP_EXPIRED] == 3);
	/* inbound: 4 packets hard */
	assert_int_equal(vsw_esp_decap_burst(mgr, &in, pkts, 5, rte_rdtsc(),
		verdict), 4);
	assert_int_equal(verdict[4], VSW_ESP_EXPIRED);
	assert_true(vsw_esp_sa_soft_expired(&in));
	assert_true(vsw_esp_sa_hard_expired(&in, rte_rdtsc()));
	free_all(pkts, 8);

	/* bytes: 100-byte inner packets, soft 150, hard 300 */
	base_params(&p, VSW_ESP_AES_CBC_128_HMAC_SHA1_96, VSW_ESP_DIR_OUT, false, false);
	p.lifetime.soft_bytes = 150;
	p.lifetime.hard_bytes = 300;
	sa_init_ok(&out, &p);
	p.dir = VSW_ESP_DIR_IN;
	sa_init_ok(&in, &p);
	for (int i = 0; i < 4; i++)
		pkts[i] = make_inner(100, (uint32_t)i);
	assert_int_equal(encap1(&out, pkts[0]), VSW_ESP_OK);
	assert_false(vsw_esp_sa_soft_expired(&out));
	assert_int_equal(vsw_esp_encap_burst(mgr, &out, pkts + 1, 3, rte_rdtsc(),
		verdict), 2);
	assert_int_equal(verdict[2], VSW_ESP_EXPIRED);
	assert_true(vsw_esp_sa_soft_expired(&out));
	assert_int_equal(vsw_esp_decap_burst(mgr, &in, pkts, 3, rte_rdtsc(),
		verdict), 3);
	assert_true(vsw_esp_sa_soft_expired(&in));
	/* exactly the hard budget used: nothing more fits, so it is expired
	 * now (statuses show it), not only after the next refusal */
	assert_true(vsw_esp_sa_hard_expired(&in, rte_rdtsc()));
	assert_true(in.stats.bytes == 300);
	free_all(pkts, 4);
	/* one more inner byte is over the hard limit */
	pkts[0] = make_inner(100, 9);
	out.hard_expired = false;
	out.lifetime.hard_bytes = 0;
	assert_int_equal(encap1(&out, pkts[0]), VSW_ESP_OK);
	assert_int_equal(decap1(&in, pkts[0]), VSW_ESP_EXPIRED);
	rte_pktmbuf_free(pkts[0]);
}

static void
test_lifetime_seconds(void **state)
{
	struct vsw_esp_sa_params p;
	struct vsw_esp_sa out;
	struct rte_mbuf *m;
	const uint64_t hz = 1000, t0 = 1000000;

	(void)state;
	base_params(&p, VSW_ESP_AES_GCM_128, VSW_ESP_DIR_OUT, false, false);
	p.lifetime.soft_seconds = 10;
	p.lifetime.hard_seconds = 20;
	p.tsc_hz = hz;
	p.now_tsc = t0;
	sa_init_ok(&out, &p);
	assert_false(vsw_esp_sa_hard_expired(&out, t0 + 19 * hz));
	assert_true(vsw_esp_sa_hard_expired(&out, t0 + 20 * hz));
	m = make_inner(64, 1);
	{
		uint8_t v;

		vsw_esp_encap_burst(mgr, &out, &m, 1, t0 + 15 * hz, &v);
		assert_int_equal(v, VSW_ESP_OK);
		assert_true(out.soft_expired);
		rte_pktmbuf_free(m);
		m = make_inner(64, 2);
		vsw_esp_encap_burst(mgr, &out, &m, 1, t0 + 20 * hz, &v);
		assert_int_equal(v, VSW_ESP_EXPIRED);
		assert_true(out.hard_expired);
	}
	rte_pktmbuf_free(m);
}

/* -------------------------------------------- scapy cross-check (JSON) */

static enum vsw_esp_algo
algo_by_name(const char *name)
{
	for (int a = VSW_ESP_ALGO_NONE + 1; a < VSW_ESP_ALGO_MAX; a++)
		if (strcmp(vsw_esp_algo_name(a), name) == 0)
			return a;
	fail_msg("unknown algorithm %s", name);
	return VSW_ESP_ALGO_NONE;
}

struct scapy_case {
	const char *name;
	struct vsw_esp_sa_params p;
	uint8_t enc_key[36], auth_key[32];
	uint64_t seq;
	uint8_t inner[1600], packet[1700];
	size_t inner_len, packet_len;
};

static void
scapy_case_load(json_t *c, struct scapy_case *sc)
{
	const char *src = json_string_value(json_object_get(c, "src"));
	const char *dst = json_string_value(json_object_get(c, "dst"));
	unsigned int a[4], b[4];

	memset(sc, 0, sizeof(*sc));
	sc->name = json_string_value(json_object_get(c, "name"));
	base_params(&sc->p, algo_by_name(json_string_value(json_object_get(c, "algo"))),
		VSW_ESP_DIR_IN, json_is_true(json_object_get(c, "esn")),
		json_is_true(json_object_get(c, "udp")));
	sc->p.spi = (uint32_t)json_integer_value(json_object_get(c, "spi"));
	sc->p.enc_key = sc->enc_key;
	sc->p.enc_key_len = unhex(json_string_value(json_object_get(c, "enc_key")),
		sc->enc_key, sizeof(sc->enc_key));
	sc->p.auth_key = sc->auth_key;
	sc->p.auth_key_len = unhex(json_string_value(json_object_get(c, "auth_key")),
		sc->auth_key, sizeof(sc->auth_key));
	sc->p.udp_sport = (uint16_t)json_integer_value(json_object_get(c, "sport"));
	sc->p.udp_dport = (uint16_t)json_integer_value(json_object_get(c, "dport"));
	assert_int_equal(sscanf(src, "%u.%u.%u.%u", &a[0], &a[1], &a[2], &a[3]), 4);
	assert_int_equal(sscanf(dst, "%u.%u.%u.%u", &b[0], &b[1], &b[2], &b[3]), 4);
	sc->p.tunnel_src = rte_cpu_to_be_32(ip4(a[0], a[1], a[2], a[3]));
	sc->p.tunnel_dst = rte_cpu_to_be_32(ip4(b[0], b[1], b[2], b[3]));
	sc->seq = (uint64_t)json_integer_value(json_object_get(c, "seq"));
	sc->inner_len = unhex(json_string_value(json_object_get(c, "inner")),
		sc->inner, sizeof(sc->inner));
	sc->packet_len = unhex(json_string_value(json_object_get(c, "packet")),
		sc->packet, sizeof(sc->packet));
}

static json_t *
scapy_cases(json_t **doc)
{
	json_error_t jerr;

	*doc = json_load_file(SCAPY_JSON, 0, &jerr);
	if (*doc == NULL)
		fail_msg("%s: %s", SCAPY_JSON, jerr.text);
	return json_object_get(*doc, "cases");
}

/* Encrypts a case's inner packet with vsw at the case's sequence number. */
static struct rte_mbuf *
vsw_encrypt_case(struct scapy_case *sc, struct vsw_esp_sa *out)
{
	struct vsw_esp_sa_params p = sc->p;
	struct rte_mbuf *m = mbuf_from_bytes(sc->inner, sc->inner_len);

	p.dir = VSW_ESP_DIR_OUT;
	p.seq_start = sc->seq - 1;
	sa_init_ok(out, &p);
	assert_int_equal(encap1(out, m), VSW_ESP_OK);
	return m;
}

static void
test_scapy_cross_check(void **state)
{
	json_t *doc, *cases = scapy_cases(&doc), *c;
	size_t i, gcm_exact = 0;
	struct scapy_case *sc = malloc(sizeof(*sc));
	struct vsw_esp_sa *sa = rte_zmalloc(NULL, sizeof(*sa), 64);

	(void)state;
	assert_non_null(sc);
	assert_non_null(sa);
	assert_true(json_array_size(cases) >= 72);
	json_array_foreach(cases, i, c) {
		struct rte_mbuf *m;
		uint16_t v;

		scapy_case_load(c, sc);
		/* scapy -> vsw: the exact inner packet */
		sa_init_ok(sa, &sc->p);
		if (sc->p.esn)  /* the receiver has seen the sender's recent past */
			assert_int_equal(vsw_replay_update(&sa->replay, sc->seq - 5),
				VSW_REPLAY_OK);
		m = mbuf_from_bytes(sc->packet, sc->packet_len);
		v = decap1(sa, m);
		if (v != VSW_ESP_OK)
			fail_msg("%s: vsw refused scapy's packet: %s", sc->name,
				vsw_esp_verdict_name(v));
		assert_int_equal(m->data_len, sc->inner_len);
		assert_memory_equal(rte_pktmbuf_mtod(m, void *), sc->inner,
			sc->inner_len);
		assert_true(sa->replay.top == sc->seq);
		rte_pktmbuf_free(m);

		/* vsw -> same ESP bytes as scapy where the IV is deterministic */
		m = vsw_encrypt_case(sc, sa);
		if (algo_is_gcm(sc->p.algo)) {
			uint32_t outer = 20 + (sc->p.udp_encap ? 8 : 0);

			assert_int_equal(m->data_len, sc->packet_len);
			if (memcmp(rte_pktmbuf_mtod_offset(m, void *, outer),
				   sc->packet + outer, sc->packet_len - outer) != 0)
				fail_msg("%s: vsw's ESP differs from scapy's", sc->name);
			gcm_exact++;
		} else {
			assert_int_equal(m->data_len, sc->packet_len);
		}
		rte_pktmbuf_free(m);
	}
	assert_true(gcm_exact >= 24);
	json_decref(doc);
	free(sc);
	rte_free(sa);
}

/* VSW_ESP_EXPORT: the scapy cases with vsw's packets, for scapy to decrypt. */
static int
export_for_scapy(const char *path)
{
	json_t *doc, *cases = scapy_cases(&doc), *c;
	size_t i;
	struct scapy_case *sc = malloc(sizeof(*sc));
	struct vsw_esp_sa *sa = rte_zmalloc(NULL, sizeof(*sa), 64);
	char *hex = malloc(2 * 2048 + 1);

	if (sc == NULL || sa == NULL || hex == NULL)
		return 1;
	json_array_foreach(cases, i, c) {
		struct rte_mbuf *m;
		const uint8_t *b;

		scapy_case_load(c, sc);
		m = vsw_encrypt_case(sc, sa);
		b = rte_pktmbuf_mtod(m, const uint8_t *);
		for (uint16_t k = 0; k < m->data_len; k++)
			sprintf(hex + 2 * k, "%02x", b[k]);
		json_object_set_new(c, "packet", json_string(hex));
		rte_pktmbuf_free(m);
	}
	json_object_set_new(doc, "generator", json_string("vsw ESP engine (test_esp)"));
	i = json_dump_file(doc, path, JSON_INDENT(1)) == 0 ? json_array_size(cases) : 0;
	printf("exported %zu vsw-encrypted cases to %s\n", i, path);
	json_decref(doc);
	free(hex);
	free(sc);
	rte_free(sa);
	return i > 0 ? 0 : 1;
}

/* ---------------------------------------------------------------- bench */

/* Best of 7 trials: other processes on the core only ever add cycles. */
static void
bench_one(enum vsw_esp_algo algo, uint16_t len, unsigned int rounds)
{
	struct vsw_esp_sa *out = rte_zmalloc(NULL, sizeof(*out), 64);
	struct vsw_esp_sa *in = rte_zmalloc(NULL, sizeof(*in), 64);
	struct rte_mbuf *pkts[BURST], *tmpl = make_inner(len, 1);
	uint8_t verdict[BURST];
	double best_enc = 1e30, best_dec = 1e30;
	uint64_t n = 0;

	sa_pair(out, in, algo, false, false);
	for (int i = 0; i < BURST; i++)
		pkts[i] = rte_pktmbuf_alloc(pool);
	for (int t = 0; t < 7; t++) {
		uint64_t enc = 0, dec = 0;

		for (unsigned int r = 0; r < rounds; r++) {
			uint64_t t0, t1, t2;

			for (int i = 0; i < BURST; i++) {
				rte_pktmbuf_reset(pkts[i]);
				rte_memcpy(rte_pktmbuf_append(pkts[i], len),
					rte_pktmbuf_mtod(tmpl, void *), len);
			}
			t0 = rte_rdtsc_precise();
			n += vsw_esp_encap_burst(mgr, out, pkts, BURST, t0, verdict);
			t1 = rte_rdtsc_precise();
			n += vsw_esp_decap_burst(mgr, in, pkts, BURST, t1, verdict);
			t2 = rte_rdtsc_precise();
			enc += t1 - t0;
			dec += t2 - t1;
		}
		best_enc = RTE_MIN(best_enc, (double)enc / (BURST * rounds));
		best_dec = RTE_MIN(best_dec, (double)dec / (BURST * rounds));
	}
	assert_true(n == 2ull * BURST * rounds * 7);
	printf("esp bench: %-28s %5u B  encap %7.1f cycles/pkt  decap %7.1f "
		"cycles/pkt  (encap %.2f Mpps, %.2f Gbit/s inner at %.2f GHz)\n",
		vsw_esp_algo_name(algo), len, best_enc, best_dec,
		rte_get_tsc_hz() / best_enc / 1e6,
		rte_get_tsc_hz() / best_enc * len * 8 / 1e9,
		rte_get_tsc_hz() / 1e9);
	free_all(pkts, BURST);
	rte_pktmbuf_free(tmpl);
	rte_free(out);
	rte_free(in);
}

static void
test_bench(void **state)
{
	static const uint16_t sizes[] = { 64, 512, 1420 };
	const char *env = getenv("VSW_ESP_BENCH");

	(void)state;
	if (env == NULL || strcmp(env, "1") != 0) {
		bench_one(VSW_ESP_AES_GCM_128, 64, 2);  /* smoke only */
		return;
	}
	for (size_t s = 0; s < RTE_DIM(sizes); s++) {
		bench_one(VSW_ESP_AES_GCM_128, sizes[s], 3000);
		bench_one(VSW_ESP_AES_CBC_128_HMAC_SHA256_128, sizes[s], 3000);
	}
}

/* ------------------------------------------------------------------ EAL */

static int
setup_eal(void **state)
{
	(void)state;
	if (vsw_eal_env_start("test_esp", "vsw-test-esp", 256,
			      "lib.*:warning") < 0)
		return -1;
	pool = rte_pktmbuf_pool_create("esp_t_pool", POOL_SIZE, 0, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	mgr = vsw_esp_mgr_create();
	fill_keys();
	return pool == NULL || mgr == NULL ? -1 : 0;
}

static int
teardown_eal(void **state)
{
	(void)state;
	if (rte_mempool_in_use_count(pool) != 0)
		fprintf(stderr, "mbufs leaked: %u\n", rte_mempool_in_use_count(pool));
	vsw_esp_mgr_free(mgr);
	rte_mempool_free(pool);
	vsw_eal_env_stop();
	return 0;
}

static int
check_no_leak(void **state)
{
	(void)state;
	return rte_mempool_in_use_count(pool) == 0 ? 0 : -1;
}

#define T(f) cmocka_unit_test_teardown(f, check_no_leak)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_vectors_gcm),
		T(test_vectors_cbc),
		T(test_vectors_hmac),
		T(test_sa_init_validation),
		T(test_roundtrip_all),
		T(test_trailing_l2_padding),
		T(test_cbc_iv_unpredictable),
		T(test_dscp_ecn),
		T(test_tamper),
		T(test_tamper_spi_icv),
		T(test_replay),
		T(test_esn_wrap),
		T(test_seq_wrap_without_esn),
		T(test_trailer_checks),
		T(test_malformed),
		T(test_wrong_direction_and_room),
		T(test_chained_mbuf),
		T(test_peek_spi),
		T(test_lifetime_packets_bytes),
		T(test_lifetime_seconds),
		T(test_scapy_cross_check),
		T(test_bench),
	};
	const char *export = getenv("VSW_ESP_EXPORT");

	if (export != NULL && export[0] != '\0') {
		int rc;

		if (setup_eal(NULL) != 0)
			return 1;
		rc = export_for_scapy(export);
		teardown_eal(NULL);
		return rc;
	}
	return cmocka_run_group_tests(tests, setup_eal, teardown_eal);
}
