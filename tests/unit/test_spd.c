/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A router's outbound IPsec policies (dataplane/ipsec.h): the longest
 * matching peer prefix decides, the local prefix must match too, the
 * newest SA of a group wins, a hard-expired SA is passed over (and
 * returned only when nothing else matches, so the packet is refused rather
 * than sent in clear), and 10,000 tunnels are one LPM lookup away.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <rte_byteorder.h>
#include <rte_malloc.h>

#include "eal_env.h"
#include "ipsec.h"

static rte_be32_t
ip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	return rte_cpu_to_be_32((uint32_t)a << 24 | (uint32_t)b << 16 | (uint32_t)c << 8 | d);
}

static struct vsw_ipsec_prefix
prefix(rte_be32_t addr, uint8_t plen)
{
	rte_be32_t mask = plen == 0 ? 0 : rte_cpu_to_be_32(~0u << (32 - plen));

	return (struct vsw_ipsec_prefix){ .prefix = addr & mask, .mask = mask };
}

static struct vsw_spd_entry
entry(struct vsw_ipsec_prefix local, struct vsw_ipsec_prefix peer,
      struct vsw_ipsec_sa *sa, uint64_t seq)
{
	return (struct vsw_spd_entry){ .local = local, .peer = peer, .sa = sa, .seq = seq };
}

static struct vsw_spd *
spd_of(struct vsw_spd_entry *e, uint32_t n)
{
	static unsigned int gen;
	char name[32];
	struct vsw_spd *spd;

	snprintf(name, sizeof(name), "test_spd%u", gen++);
	vsw_spd_sort(e, n);
	spd = vsw_spd_create(name, e, n);
	assert_non_null(spd);
	return spd;
}

static void
longest_peer_prefix_and_local_prefix_decide(void **state)
{
	struct vsw_ipsec_sa a = { 0 }, b = { 0 };
	struct vsw_spd_entry e[] = {
		entry(prefix(ip4(10, 1, 0, 0), 24), prefix(ip4(10, 2, 0, 0), 16), &a, 1),
		entry(prefix(ip4(10, 1, 0, 0), 24), prefix(ip4(10, 2, 7, 0), 24), &b, 2),
	};
	struct vsw_spd *spd = spd_of(e, 2);

	RTE_SET_USED(state);
	assert_ptr_equal(vsw_spd_lookup(spd, ip4(10, 1, 0, 5), ip4(10, 2, 7, 9)), &b);
	assert_ptr_equal(vsw_spd_lookup(spd, ip4(10, 1, 0, 5), ip4(10, 2, 8, 9)), &a);
	/* source outside the local prefix: no policy */
	assert_null(vsw_spd_lookup(spd, ip4(10, 9, 0, 5), ip4(10, 2, 8, 9)));
	/* destination outside every peer prefix */
	assert_null(vsw_spd_lookup(spd, ip4(10, 1, 0, 5), ip4(10, 3, 0, 1)));
	/* cleartext check: (src peer, dst local) is protected */
	assert_true(vsw_ipsec_must_be_protected(spd, ip4(10, 2, 7, 9), ip4(10, 1, 0, 5)));
	assert_false(vsw_ipsec_must_be_protected(spd, ip4(10, 3, 0, 1), ip4(10, 1, 0, 5)));
	vsw_spd_free(spd);
}

static void
newest_sa_wins_and_expired_ones_are_passed_over(void **state)
{
	struct vsw_ipsec_sa old = { 0 }, new = { 0 };
	struct vsw_spd_entry e[] = {
		entry(prefix(ip4(10, 1, 0, 0), 24), prefix(ip4(10, 2, 0, 0), 24), &old, 1),
		entry(prefix(ip4(10, 1, 0, 0), 24), prefix(ip4(10, 2, 0, 0), 24), &new, 2),
	};
	struct vsw_spd *spd = spd_of(e, 2);

	RTE_SET_USED(state);
	assert_ptr_equal(vsw_spd_lookup(spd, ip4(10, 1, 0, 5), ip4(10, 2, 0, 9)), &new);
	new.esp.hard_expired = true;
	assert_ptr_equal(vsw_spd_lookup(spd, ip4(10, 1, 0, 5), ip4(10, 2, 0, 9)), &old);
	old.esp.hard_expired = true;
	/* only expired ones: the first, so the packet is refused, not sent clear */
	assert_ptr_equal(vsw_spd_lookup(spd, ip4(10, 1, 0, 5), ip4(10, 2, 0, 9)), &new);
	vsw_spd_free(spd);
}

static void
ten_thousand_tunnels(void **state)
{
	enum { N = 10000 };
	struct vsw_ipsec_sa *sas = calloc(N, sizeof(*sas));
	struct vsw_spd_entry *e = calloc(N, sizeof(*e));
	struct vsw_spd *spd;
	uint32_t i;

	RTE_SET_USED(state);
	assert_non_null(sas);
	assert_non_null(e);
	/* peer 172.16.0.0/12 cut into /28s, one SA each */
	for (i = 0; i < N; i++)
		e[i] = entry(prefix(ip4(10, 1, 0, 0), 24),
			     prefix(rte_cpu_to_be_32(0xac100000u + i * 16), 28), &sas[i], i + 1);
	spd = spd_of(e, N);
	assert_int_equal(spd->n_groups, N);
	for (i = 0; i < N; i += 97)
		assert_ptr_equal(vsw_spd_lookup(spd, ip4(10, 1, 0, 5),
						rte_cpu_to_be_32(0xac100000u + i * 16 + 7)),
				 &sas[i]);
	assert_null(vsw_spd_lookup(spd, ip4(10, 1, 0, 5),
				   rte_cpu_to_be_32(0xac100000u + N * 16 + 1)));
	vsw_spd_free(spd);
	free(e);
	free(sas);
}

static int
setup_eal(void **state)
{
	RTE_SET_USED(state);
	return vsw_eal_env_start("test_spd", "vsw-test-spd", 512, "lib.*:warning") < 0 ? -1 : 0;
}

static int
teardown_eal(void **state)
{
	RTE_SET_USED(state);
	vsw_eal_env_stop();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(longest_peer_prefix_and_local_prefix_decide),
		cmocka_unit_test(newest_sa_wins_and_expired_ones_are_passed_over),
		cmocka_unit_test(ten_thousand_tunnels),
	};

	return cmocka_run_group_tests(tests, setup_eal, teardown_eal);
}
