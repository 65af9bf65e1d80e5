/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_ESP_REPLAY_H
#define VSW_ESP_REPLAY_H

/*
 * Inbound anti-replay window: RFC 4303 §3.4.3 semantics on an RFC 6479
 * bitmap. The bitmap is a ring of 64-bit blocks; advancing the window clears
 * whole blocks instead of shifting bits, so a jump costs at most one pass
 * over the ring and an in-window packet costs one AND.
 *
 * A window of W packets accepts sequence number s when top - s < W (top is
 * the highest verified number) and s has not been seen. The ring holds one
 * block more than W needs, so every in-window bit survives a block clear.
 *
 * With ESN the receiver sees only the low 32 bits; vsw_replay_check() infers
 * the high 32 bits per RFC 4303 Appendix A2.2 and returns the full number,
 * which the ICV then authenticates (a wrong guess fails the ICV).
 *
 * Use: check BEFORE decrypting (cheap drop of replays), update only AFTER the
 * ICV verified. One inbound SA is processed by one worker at a time, so there
 * is no lock; vsw_replay_update() re-checks, so two copies of one packet in
 * the same burst cannot both pass.
 */

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define VSW_REPLAY_WIN_MIN 64u
#define VSW_REPLAY_WIN_MAX 4096u
#define VSW_REPLAY_WIN_DEFAULT 64u
/* 4096 / 64 + 1 blocks, rounded up to a power of two for index masking. */
#define VSW_REPLAY_MAX_BLOCKS 128u

enum vsw_replay_result {
	VSW_REPLAY_OK = 0,  /* new and inside (or ahead of) the window */
	VSW_REPLAY_DUP,     /* already seen */
	VSW_REPLAY_OLD,     /* behind the window */
};

struct vsw_replay_window {
	uint64_t top;         /* highest verified sequence number; 0 = none */
	uint32_t size;        /* W, a multiple of 64 in [64, 4096] */
	uint32_t block_mask;  /* number of blocks - 1 */
	bool esn;
	uint64_t bitmap[VSW_REPLAY_MAX_BLOCKS];
};

static inline uint32_t
vsw_replay_blocks_for(uint32_t size)
{
	uint32_t need = size / 64 + 1, n = 1;

	while (n < need)
		n <<= 1;
	return n;
}

/* 0 on success, -EINVAL (as -22) when size is not a multiple of 64 in range. */
static inline int
vsw_replay_init(struct vsw_replay_window *w, uint32_t size, bool esn)
{
	if (size < VSW_REPLAY_WIN_MIN || size > VSW_REPLAY_WIN_MAX || size % 64)
		return -22;
	memset(w, 0, sizeof(*w));
	w->size = size;
	w->block_mask = vsw_replay_blocks_for(size) - 1;
	w->esn = esn;
	return 0;
}

/* RFC 4303 Appendix A2.2: the high half that puts seq_low nearest the window. */
static inline uint32_t
vsw_replay_infer_high(const struct vsw_replay_window *w, uint32_t seq_low)
{
	uint32_t tl = (uint32_t)w->top, th = (uint32_t)(w->top >> 32);
	uint32_t bottom = tl - w->size + 1; /* mod 2^32 */

	if (tl >= w->size - 1)  /* window inside one 2^32 subspace */
		return seq_low >= bottom ? th : th + 1;
	/* Window straddles the subspace boundary below tl. */
	if (seq_low >= bottom)
		return th == 0 ? 0 : th - 1; /* there is no subspace below 0 */
	return th;
}

static inline bool
vsw_replay_bit_is_set(const struct vsw_replay_window *w, uint64_t seq)
{
	uint64_t block = (seq >> 6) & w->block_mask;

	return (w->bitmap[block] >> (seq & 63)) & 1;
}

/*
 * Pre-crypto check of a received (low) sequence number. *seq64 gets the full
 * number the ICV must cover. Sequence number 0 is never sent (RFC 4303).
 */
static inline enum vsw_replay_result
vsw_replay_check(const struct vsw_replay_window *w, uint32_t seq_low,
	uint64_t *seq64)
{
	uint64_t seq = seq_low;

	if (w->esn)
		seq |= (uint64_t)vsw_replay_infer_high(w, seq_low) << 32;
	*seq64 = seq;
	if (seq == 0)
		return VSW_REPLAY_OLD;
	if (seq > w->top)
		return VSW_REPLAY_OK;
	if (w->top - seq >= w->size)
		return VSW_REPLAY_OLD;
	return vsw_replay_bit_is_set(w, seq) ? VSW_REPLAY_DUP : VSW_REPLAY_OK;
}

/*
 * Post-ICV update: records seq, sliding the window when it is ahead. Returns
 * the check result against the current state, so a duplicate that passed the
 * pre-crypto check alongside its twin is still refused (and nothing changes).
 */
static inline enum vsw_replay_result
vsw_replay_update(struct vsw_replay_window *w, uint64_t seq)
{
	uint64_t block = seq >> 6;

	if (seq == 0)
		return VSW_REPLAY_OLD;
	if (seq > w->top) {
		uint64_t top_block = w->top >> 6;
		uint64_t diff = block - top_block;

		if (diff > w->block_mask)
			diff = w->block_mask + 1;
		for (uint64_t i = 1; i <= diff; i++)
			w->bitmap[(top_block + i) & w->block_mask] = 0;
		w->top = seq;
	} else if (w->top - seq >= w->size) {
		return VSW_REPLAY_OLD;
	} else if (vsw_replay_bit_is_set(w, seq)) {
		return VSW_REPLAY_DUP;
	}
	w->bitmap[block & w->block_mask] |= UINT64_C(1) << (seq & 63);
	return VSW_REPLAY_OK;
}

#endif
