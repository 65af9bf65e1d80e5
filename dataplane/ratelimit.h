/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_RATELIMIT_H
#define VSW_RATELIMIT_H

/*
 * A token bucket in TSC cycles, owned by one thread (no atomics): the
 * punt path and ICMP error generation use one per worker, so a flood can
 * neither starve the control thread nor make vsw a reflector.
 */

#include <stdbool.h>
#include <stdint.h>

struct vsw_token_bucket {
	uint64_t cycles_per_token;
	uint64_t burst;          /* tokens */
	uint64_t tokens;
	uint64_t last_tsc;
};

static inline void
vsw_tb_init(struct vsw_token_bucket *tb, uint64_t tsc_hz, uint64_t rate_per_s,
	    uint64_t burst)
{
	tb->cycles_per_token = rate_per_s != 0 ? tsc_hz / rate_per_s : UINT64_MAX;
	if (tb->cycles_per_token == 0)
		tb->cycles_per_token = 1;
	tb->burst = burst;
	tb->tokens = burst;
	tb->last_tsc = 0;
}

/* Takes one token if there is one. */
static inline bool
vsw_tb_take(struct vsw_token_bucket *tb, uint64_t now_tsc)
{
	uint64_t add;

	if (now_tsc > tb->last_tsc) {
		add = (now_tsc - tb->last_tsc) / tb->cycles_per_token;
		if (add != 0) {
			tb->tokens = tb->tokens + add > tb->burst ? tb->burst
								 : tb->tokens + add;
			tb->last_tsc += add * tb->cycles_per_token;
			if (tb->tokens == tb->burst)
				tb->last_tsc = now_tsc;
		}
	}
	if (tb->tokens == 0)
		return false;
	tb->tokens--;
	return true;
}

#endif
