/* SPDX-License-Identifier: BSD-3-Clause */
/* IPv4 IPAM arithmetic: CIDRs, pools, first free address. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ipam.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

static void
test_parse_format(void **state)
{
	struct vsw_cidr c;
	char s[VSW_IPV4_CIDR_STRLEN];
	uint32_t a;
	bool host;

	(void)state;
	assert_int_equal(vsw_ipv4_parse("10.1.2.3", &a), 0);
	assert_int_equal(a, IP(10, 1, 2, 3));
	vsw_ipv4_format(IP(255, 255, 255, 255), s);
	assert_string_equal(s, "255.255.255.255");
	for (const char *bad[] = { "10.1.2", "10.1.2.256", "010.1.2.3x", "", "1.2.3.4 ",
				   NULL }, **p = bad; *p; p++)
		assert_int_equal(vsw_ipv4_parse(*p, &a), -EINVAL);
	assert_int_equal(vsw_ipv4_parse(NULL, &a), -EINVAL);

	assert_int_equal(vsw_cidr_parse("10.0.0.0/24", &c, &host), 0);
	assert_false(host);
	assert_int_equal(c.addr, IP(10, 0, 0, 0));
	assert_int_equal(c.plen, 24);
	assert_int_equal(vsw_cidr_parse("10.0.0.77/24", &c, &host), 0);
	assert_true(host);
	vsw_cidr_format(&c, s);
	assert_string_equal(s, "10.0.0.0/24");
	assert_int_equal(vsw_cidr_parse("0.0.0.0/0", &c, NULL), 0);
	assert_int_equal(c.addr, 0);
	assert_int_equal(vsw_cidr_parse("1.2.3.4/32", &c, NULL), 0);
	vsw_cidr_format(&c, s);
	assert_string_equal(s, "1.2.3.4/32");
	for (const char *bad[] = { "10.0.0.0", "10.0.0.0/", "10.0.0.0/33", "10.0.0.0/2a",
				   "/24", "10.0.0/24", "10.0.0.0/024", "10.0.0.0/-1",
				   NULL }, **p = bad; *p; p++)
		assert_int_equal(vsw_cidr_parse(*p, &c, NULL), -EINVAL);
}

static void
test_contains_overlap(void **state)
{
	struct vsw_cidr a, b, c;

	(void)state;
	vsw_cidr_parse("10.0.0.0/24", &a, NULL);
	vsw_cidr_parse("10.0.0.128/25", &b, NULL);
	vsw_cidr_parse("10.0.1.0/24", &c, NULL);
	assert_int_equal(vsw_cidr_broadcast(&a), IP(10, 0, 0, 255));
	assert_true(vsw_cidr_contains(&a, IP(10, 0, 0, 0)));
	assert_true(vsw_cidr_contains(&a, IP(10, 0, 0, 255)));
	assert_false(vsw_cidr_contains(&a, IP(10, 0, 1, 0)));
	assert_false(vsw_cidr_is_host(&a, IP(10, 0, 0, 0)));
	assert_false(vsw_cidr_is_host(&a, IP(10, 0, 0, 255)));
	assert_true(vsw_cidr_is_host(&a, IP(10, 0, 0, 1)));
	assert_true(vsw_cidr_overlap(&a, &b));
	assert_true(vsw_cidr_overlap(&b, &a));
	assert_false(vsw_cidr_overlap(&a, &c));
	assert_false(vsw_cidr_overlap(&b, &c));
	vsw_cidr_parse("10.0.0.0/8", &c, NULL);
	assert_true(vsw_cidr_overlap(&c, &b));
	vsw_cidr_parse("0.0.0.0/0", &c, NULL);
	assert_true(vsw_cidr_overlap(&c, &a));
	assert_int_equal(vsw_cidr_mask(0), 0);
	assert_int_equal(vsw_cidr_mask(32), 0xffffffffu);
}

static void
test_default_pools(void **state)
{
	struct vsw_ip_range r[2];
	struct vsw_cidr c;
	uint32_t gw;

	(void)state;
	vsw_cidr_parse("10.0.0.0/24", &c, NULL);
	gw = IP(10, 0, 0, 1);
	assert_int_equal(vsw_pools_default(&c, &gw, r), 1);
	assert_int_equal(r[0].start, IP(10, 0, 0, 2));
	assert_int_equal(r[0].end, IP(10, 0, 0, 254));
	/* a gateway in the middle splits the hosts in two */
	gw = IP(10, 0, 0, 100);
	assert_int_equal(vsw_pools_default(&c, &gw, r), 2);
	assert_int_equal(r[0].start, IP(10, 0, 0, 1));
	assert_int_equal(r[0].end, IP(10, 0, 0, 99));
	assert_int_equal(r[1].start, IP(10, 0, 0, 101));
	assert_int_equal(r[1].end, IP(10, 0, 0, 254));
	gw = IP(10, 0, 0, 254);
	assert_int_equal(vsw_pools_default(&c, &gw, r), 1);
	assert_int_equal(r[0].end, IP(10, 0, 0, 253));
	assert_int_equal(vsw_pools_default(&c, NULL, r), 1);
	assert_int_equal(r[0].start, IP(10, 0, 0, 1));
	/* a /30: two hosts, one of them the gateway */
	vsw_cidr_parse("192.168.0.4/30", &c, NULL);
	gw = IP(192, 168, 0, 5);
	assert_int_equal(vsw_pools_default(&c, &gw, r), 1);
	assert_int_equal(r[0].start, IP(192, 168, 0, 6));
	assert_int_equal(r[0].end, IP(192, 168, 0, 6));
}

static void
test_pools_check(void **state)
{
	struct vsw_cidr c;
	uint32_t gw = IP(10, 0, 0, 1);
	size_t bad;
	struct vsw_ip_range ok[] = {
		{ IP(10, 0, 0, 10), IP(10, 0, 0, 20) }, { IP(10, 0, 0, 21), IP(10, 0, 0, 21) },
	};
	struct vsw_ip_range outside[] = { { IP(10, 0, 0, 10), IP(10, 0, 1, 5) } };
	struct vsw_ip_range netaddr[] = { { IP(10, 0, 0, 0), IP(10, 0, 0, 5) } };
	struct vsw_ip_range bcast[] = { { IP(10, 0, 0, 250), IP(10, 0, 0, 255) } };
	struct vsw_ip_range reversed[] = { { IP(10, 0, 0, 20), IP(10, 0, 0, 10) } };
	struct vsw_ip_range overlap[] = {
		{ IP(10, 0, 0, 10), IP(10, 0, 0, 20) }, { IP(10, 0, 0, 30), IP(10, 0, 0, 40) },
		{ IP(10, 0, 0, 20), IP(10, 0, 0, 25) },
	};
	struct vsw_ip_range gateway[] = { { IP(10, 0, 0, 1), IP(10, 0, 0, 9) } };

	(void)state;
	vsw_cidr_parse("10.0.0.0/24", &c, NULL);
	assert_int_equal(vsw_pools_check(&c, ok, 2, &gw, &bad), VSW_POOL_OK);
	assert_int_equal(vsw_pools_check(&c, NULL, 0, &gw, &bad), VSW_POOL_OK);
	assert_int_equal(vsw_pools_check(&c, outside, 1, &gw, &bad), VSW_POOL_OUTSIDE);
	assert_int_equal(vsw_pools_check(&c, netaddr, 1, &gw, &bad), VSW_POOL_OUTSIDE);
	assert_int_equal(vsw_pools_check(&c, bcast, 1, &gw, &bad), VSW_POOL_OUTSIDE);
	assert_int_equal(vsw_pools_check(&c, reversed, 1, &gw, &bad), VSW_POOL_REVERSED);
	assert_int_equal(vsw_pools_check(&c, overlap, 3, &gw, &bad), VSW_POOL_OVERLAP);
	assert_int_equal(bad, 2);
	assert_int_equal(vsw_pools_check(&c, gateway, 1, &gw, &bad), VSW_POOL_GATEWAY);
	assert_int_equal(vsw_pools_check(&c, gateway, 1, NULL, &bad), VSW_POOL_OK);
}

struct taken_set {
	uint32_t addrs[8];
	size_t n;
	unsigned int calls;
};

static bool
in_set(void *arg, uint32_t addr)
{
	struct taken_set *t = arg;

	t->calls++;
	for (size_t i = 0; i < t->n; i++)
		if (t->addrs[i] == addr)
			return true;
	return false;
}

static void
test_first_free(void **state)
{
	struct vsw_ip_range pools[] = {
		{ IP(10, 0, 0, 2), IP(10, 0, 0, 3) }, { IP(10, 0, 0, 9), IP(10, 0, 0, 9) },
	};
	struct taken_set t = { .n = 0 };
	struct vsw_ip_range top[] = { { 0xfffffffeu, 0xffffffffu } };
	uint32_t a;

	(void)state;
	assert_int_equal(vsw_pools_first_free(pools, 2, in_set, &t, &a), 0);
	assert_int_equal(a, IP(10, 0, 0, 2));
	t.addrs[t.n++] = IP(10, 0, 0, 2);
	assert_int_equal(vsw_pools_first_free(pools, 2, in_set, &t, &a), 0);
	assert_int_equal(a, IP(10, 0, 0, 3));
	t.addrs[t.n++] = IP(10, 0, 0, 3);
	assert_int_equal(vsw_pools_first_free(pools, 2, in_set, &t, &a), 0);
	assert_int_equal(a, IP(10, 0, 0, 9));
	t.addrs[t.n++] = IP(10, 0, 0, 9);
	t.calls = 0;
	assert_int_equal(vsw_pools_first_free(pools, 2, in_set, &t, &a), -ENOSPC);
	assert_int_equal(t.calls, 3);
	/* a pool ending at the last address ends (no wrap-around) */
	t.addrs[t.n++] = 0xfffffffeu;
	t.addrs[t.n++] = 0xffffffffu;
	t.calls = 0;
	assert_int_equal(vsw_pools_first_free(top, 1, in_set, &t, &a), -ENOSPC);
	assert_int_equal(t.calls, 2);
	assert_int_equal(vsw_pools_first_free(NULL, 0, in_set, &t, &a), -ENOSPC);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_format),
		cmocka_unit_test(test_contains_overlap),
		cmocka_unit_test(test_default_pools),
		cmocka_unit_test(test_pools_check),
		cmocka_unit_test(test_first_free),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
