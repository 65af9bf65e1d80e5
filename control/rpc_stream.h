/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_RPC_STREAM_H
#define VSW_RPC_STREAM_H

/*
 * Splits the byte stream of one API connection into JSON-RPC texts: each
 * top-level {...} (a request) or [...] (a batch), back to back or separated
 * by whitespace. No I/O and no JSON validation: a balanced text with invalid
 * content is handed over as a frame and the API answers -32700 for it.
 *
 * The scanner follows strings, escapes and nesting depth, and keeps its
 * position and state across feeds, so every byte is scanned once however the
 * stream is cut (a 1 MiB request arriving byte by byte costs O(n)).
 *
 * Limits:
 *   - max_size counts the bytes of one frame, from its opening '{' or '['
 *     to its closing '}' or ']' inclusive (whitespace around it excluded):
 *     a frame of exactly max_size bytes is delivered, one byte more gives
 *     VSW_RPC_TOO_LARGE, as soon as that byte is fed (the frame need not be
 *     complete).
 *   - max_depth counts nested '{'/'[' (a bare {} is depth 1): one more than
 *     max_depth gives VSW_RPC_TOO_DEEP. The text's end cannot be found
 *     reliably then, so the caller answers a parse error and closes.
 * Both are sticky: after them next() keeps returning the same result and
 * feed() discards its data.
 */

#include <stdbool.h>
#include <stddef.h>

#define VSW_RPC_MAX_REQUEST_SIZE (1u << 20)   /* 1 MiB, SPEC: 413 above it */
#define VSW_RPC_MAX_DEPTH 512

enum vsw_rpc_frame {
	/* A complete top-level text is in *text, *len. */
	VSW_RPC_FRAME,
	/* Nothing complete is buffered. */
	VSW_RPC_NEED_MORE,
	/* A byte at top level that cannot start a request: answer one parse
	 * error. That line is dropped up to and including its '\n' (also
	 * when the newline arrives in later feeds). */
	VSW_RPC_GARBAGE,
	/* The pending frame is over max_size: answer 413 and close. */
	VSW_RPC_TOO_LARGE,
	/* The pending frame nests deeper than max_depth: answer a parse
	 * error and close. */
	VSW_RPC_TOO_DEEP,
};

struct vsw_rpc_stream;

/* max_size 0: VSW_RPC_MAX_REQUEST_SIZE; max_depth 0: VSW_RPC_MAX_DEPTH.
 * NULL when out of memory. The buffer is allocated on first feed. */
struct vsw_rpc_stream *vsw_rpc_stream_create(size_t max_size,
					     unsigned int max_depth);
void vsw_rpc_stream_destroy(struct vsw_rpc_stream *s);

/* Appends bytes read from the connection. Returns 0 or -ENOMEM. The buffer
 * grows with what is fed: the caller bounds it by not feeding while
 * vsw_rpc_stream_buffered() exceeds its limit. */
int vsw_rpc_stream_feed(struct vsw_rpc_stream *s, const void *data, size_t len);

/*
 * Scans on from where the last call stopped and returns the next result.
 * A FRAME is consumed by returning it: *text (not NUL-terminated) stays
 * valid until the next call of any vsw_rpc_stream_* function on s.
 * text and len are only written for VSW_RPC_FRAME.
 */
enum vsw_rpc_frame vsw_rpc_stream_next(struct vsw_rpc_stream *s,
				       const char **text, size_t *len);

/* Bytes fed and not yet consumed (complete frames and a partial one). */
size_t vsw_rpc_stream_buffered(const struct vsw_rpc_stream *s);

/* The max_size in force. */
size_t vsw_rpc_stream_max_size(const struct vsw_rpc_stream *s);

#endif
