/* SPDX-License-Identifier: BSD-3-Clause */
/* Anti-replay window (crypto/esp_replay.h): RFC 4303 §3.4.3, RFC 6479, ESN. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "esp_replay.h"

static enum vsw_replay_result
accept(struct vsw_replay_window *w, uint32_t low)
{
	uint64_t seq;
	enum vsw_replay_result r = vsw_replay_check(w, low, &seq);

	if (r != VSW_REPLAY_OK)
		return r;
	return vsw_replay_update(w, seq);
}

static void
test_init_sizes(void **state)
{
	struct vsw_replay_window w;

	(void)state;
	assert_int_equal(vsw_replay_init(&w, 0, false), -22);
	assert_int_equal(vsw_replay_init(&w, 32, false), -22);
	assert_int_equal(vsw_replay_init(&w, 100, false), -22);
	assert_int_equal(vsw_replay_init(&w, 4160, false), -22);
	assert_int_equal(vsw_replay_init(&w, 64, false), 0);
	assert_int_equal(w.block_mask, 1);
	assert_int_equal(vsw_replay_init(&w, 192, false), 0);
	assert_int_equal(w.block_mask, 3);
	assert_int_equal(vsw_replay_init(&w, 4096, false), 0);
	assert_int_equal(w.block_mask, 127);
}

static void
test_zero_and_duplicates(void **state)
{
	struct vsw_replay_window w;

	(void)state;
	vsw_replay_init(&w, 64, false);
	assert_int_equal(accept(&w, 0), VSW_REPLAY_OLD);
	for (uint32_t s = 1; s <= 200; s++)
		assert_int_equal(accept(&w, s), VSW_REPLAY_OK);
	for (uint32_t s = 137; s <= 200; s++)
		assert_int_equal(accept(&w, s), VSW_REPLAY_DUP);
	assert_int_equal(accept(&w, 136), VSW_REPLAY_OLD);
	assert_int_equal(w.top, 200);
}

static void
check_edges(uint32_t size)
{
	struct vsw_replay_window w;
	uint32_t top = 10 * size + 7;

	vsw_replay_init(&w, size, false);
	assert_int_equal(accept(&w, top), VSW_REPLAY_OK);
	/* exactly W-1 behind: inside; W behind: outside */
	assert_int_equal(accept(&w, top - (size - 1)), VSW_REPLAY_OK);
	assert_int_equal(accept(&w, top - size), VSW_REPLAY_OLD);
	assert_int_equal(accept(&w, top - size - 1), VSW_REPLAY_OLD);
	assert_int_equal(accept(&w, top - (size - 1)), VSW_REPLAY_DUP);
	assert_int_equal(accept(&w, top), VSW_REPLAY_DUP);
	/* one step ahead moves the lower edge by one */
	assert_int_equal(accept(&w, top + 1), VSW_REPLAY_OK);
	assert_int_equal(accept(&w, top - (size - 2)), VSW_REPLAY_OK);
	assert_int_equal(accept(&w, top - (size - 1)), VSW_REPLAY_OLD);
}

static void
test_edges_64(void **state)
{
	(void)state;
	check_edges(64);
}

static void
test_edges_4096(void **state)
{
	(void)state;
	check_edges(4096);
}

static void
test_reorder_within_window(void **state)
{
	struct vsw_replay_window w;
	static const uint32_t order[] = { 5, 1, 3, 2, 9, 4, 8, 6, 7, 60, 10 };

	(void)state;
	vsw_replay_init(&w, 64, false);
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		assert_int_equal(accept(&w, order[i]), VSW_REPLAY_OK);
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		assert_int_equal(accept(&w, order[i]), VSW_REPLAY_DUP);
	assert_int_equal(accept(&w, 11), VSW_REPLAY_OK);
	assert_int_equal(w.top, 60);
}

static void
test_big_jump_clears_ring(void **state)
{
	struct vsw_replay_window w;

	(void)state;
	vsw_replay_init(&w, 64, false);  /* 2 blocks of 64 bits */
	for (uint32_t s = 1; s <= 128; s++)
		assert_int_equal(accept(&w, s), VSW_REPLAY_OK);
	/* 1000 maps its blocks onto ring slots full of old bits */
	assert_int_equal(accept(&w, 1000 + 128), VSW_REPLAY_OK);
	for (uint32_t s = 1000 + 65; s < 1000 + 128; s++)
		assert_int_equal(accept(&w, s), VSW_REPLAY_OK);
	assert_int_equal(accept(&w, 1000 + 64), VSW_REPLAY_OLD);
	assert_int_equal(accept(&w, 128), VSW_REPLAY_OLD);
	/* a jump of exactly one ring: same slot, must still be cleared */
	assert_int_equal(accept(&w, 1128 + 128), VSW_REPLAY_OK);
	assert_int_equal(accept(&w, 1128 + 127), VSW_REPLAY_OK);
	assert_int_equal(accept(&w, 1128 + 70), VSW_REPLAY_OK);
}

static void
test_update_rechecks_twins(void **state)
{
	struct vsw_replay_window w;
	uint64_t a, b;

	(void)state;
	vsw_replay_init(&w, 64, false);
	/* two copies pass the pre-crypto check in one burst... */
	assert_int_equal(vsw_replay_check(&w, 7, &a), VSW_REPLAY_OK);
	assert_int_equal(vsw_replay_check(&w, 7, &b), VSW_REPLAY_OK);
	/* ...only the first is recorded */
	assert_int_equal(vsw_replay_update(&w, a), VSW_REPLAY_OK);
	assert_int_equal(vsw_replay_update(&w, b), VSW_REPLAY_DUP);
	/* a check alone changes nothing */
	assert_int_equal(vsw_replay_check(&w, 9, &a), VSW_REPLAY_OK);
	assert_int_equal(w.top, 7);
}

static void
test_esn_crosses_2_32(void **state)
{
	struct vsw_replay_window w;
	uint64_t seq;
	const uint64_t base = UINT64_C(1) << 32;

	(void)state;
	vsw_replay_init(&w, 64, true);
	assert_int_equal(vsw_replay_update(&w, base - 10), VSW_REPLAY_OK);
	/* low 5 after top 2^32-10 is ahead in the next subspace */
	assert_int_equal(vsw_replay_check(&w, 5, &seq), VSW_REPLAY_OK);
	assert_true(seq == base + 5);
	assert_int_equal(vsw_replay_update(&w, seq), VSW_REPLAY_OK);
	/* the window now straddles 2^32: high-bit inference goes back one */
	assert_int_equal(vsw_replay_check(&w, 0xfffffff8u, &seq), VSW_REPLAY_OK);
	assert_true(seq == base - 8);
	assert_int_equal(vsw_replay_update(&w, seq), VSW_REPLAY_OK);
	assert_int_equal(vsw_replay_check(&w, 0xfffffff8u, &seq), VSW_REPLAY_DUP);
	assert_int_equal(vsw_replay_check(&w, 0xfffffff6u, &seq), VSW_REPLAY_DUP);
	/* W-1 behind top (2^32+5) is 2^32-58; W behind is too old */
	assert_int_equal(vsw_replay_check(&w, 0xffffffc6u, &seq), VSW_REPLAY_OK);
	assert_true(seq == base - 58);
	assert_int_equal(vsw_replay_check(&w, 0xffffffc5u, &seq), VSW_REPLAY_OK);
	/* below the window the inference says "next subspace": far ahead */
	assert_true(seq == 2 * base - 59);
	/* 2^32 itself (low 0) is a valid ESN number */
	assert_int_equal(vsw_replay_check(&w, 0, &seq), VSW_REPLAY_OK);
	assert_true(seq == base);
}

static void
test_esn_subspace_zero(void **state)
{
	struct vsw_replay_window w;
	uint64_t seq;

	(void)state;
	vsw_replay_init(&w, 64, true);
	/* no subspace below 0: a large low number at start is ahead */
	assert_int_equal(vsw_replay_check(&w, 0xfffffff0u, &seq), VSW_REPLAY_OK);
	assert_true(seq == 0xfffffff0u);
	assert_int_equal(vsw_replay_check(&w, 0, &seq), VSW_REPLAY_OLD);
	assert_int_equal(accept(&w, 1), VSW_REPLAY_OK);
	assert_int_equal(accept(&w, 1), VSW_REPLAY_DUP);
}

static void
test_esn_window_4096(void **state)
{
	struct vsw_replay_window w;
	uint64_t seq;
	const uint64_t base = UINT64_C(5) << 32;

	(void)state;
	vsw_replay_init(&w, 4096, true);
	assert_int_equal(vsw_replay_update(&w, base + 100), VSW_REPLAY_OK);
	/* 4095 behind: inside, in the previous subspace */
	assert_int_equal(vsw_replay_check(&w, (uint32_t)(base + 100 - 4095), &seq),
		VSW_REPLAY_OK);
	assert_true(seq == base + 100 - 4095);
	/* 4096 behind: inferred into the next subspace (ahead), never old */
	assert_int_equal(vsw_replay_check(&w, (uint32_t)(base + 100 - 4096), &seq),
		VSW_REPLAY_OK);
	assert_true(seq == base + 100 - 4096 + (UINT64_C(1) << 32));
}

/* Random traffic against a plain "seen" reference (a ring far wider than W). */
#define MODEL_RING (1u << 16)

static void
check_against_model(uint32_t size)
{
	struct vsw_replay_window w;
	static uint8_t seen[MODEL_RING];
	uint64_t top = 0;
	unsigned int rs = 12345;

	memset(seen, 0, sizeof(seen));
	vsw_replay_init(&w, size, false);
	for (int i = 0; i < 200000; i++) {
		uint32_t r = (uint32_t)rand_r(&rs);
		int64_t s = (int64_t)top + (int64_t)(r % (3 * size)) - 2 * size;
		enum vsw_replay_result want, got;

		if (r % 97 == 0)
			s = (int64_t)top + 5 * size;  /* occasional big jump */
		if (s <= 0)
			continue;
		if ((uint64_t)s > top)
			want = VSW_REPLAY_OK;
		else if (top - (uint64_t)s >= size)
			want = VSW_REPLAY_OLD;
		else
			want = seen[s % MODEL_RING] ? VSW_REPLAY_DUP : VSW_REPLAY_OK;
		got = accept(&w, (uint32_t)s);
		assert_int_equal(got, want);
		if (got != VSW_REPLAY_OK)
			continue;
		for (uint64_t t = top + 1; t <= (uint64_t)s && t <= top + MODEL_RING; t++)
			seen[t % MODEL_RING] = 0;
		seen[s % MODEL_RING] = 1;
		if ((uint64_t)s > top)
			top = (uint64_t)s;
	}
	assert_true(w.top == top);
	assert_true(top > 100 * size);
}

static void
test_model_64(void **state)
{
	(void)state;
	check_against_model(64);
}

static void
test_model_4096(void **state)
{
	(void)state;
	check_against_model(4096);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_sizes),
		cmocka_unit_test(test_zero_and_duplicates),
		cmocka_unit_test(test_edges_64),
		cmocka_unit_test(test_edges_4096),
		cmocka_unit_test(test_reorder_within_window),
		cmocka_unit_test(test_big_jump_clears_ring),
		cmocka_unit_test(test_update_rechecks_twins),
		cmocka_unit_test(test_esn_crosses_2_32),
		cmocka_unit_test(test_esn_subspace_zero),
		cmocka_unit_test(test_esn_window_4096),
		cmocka_unit_test(test_model_64),
		cmocka_unit_test(test_model_4096),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
