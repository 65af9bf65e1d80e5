/* SPDX-License-Identifier: BSD-3-Clause */
#include "rpc_stream.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define STREAM_MIN_CAP 4096
/* An idle stream keeps a buffer up to this size; a bigger one (left by a big
 * request) is freed, so thousands of idle clients stay cheap. */
#define STREAM_KEEP_CAP 65536

enum scan_state {
	SCAN_TOP,       /* between texts: whitespace is skipped */
	SCAN_DISCARD,   /* after garbage: dropping bytes up to a '\n' */
	SCAN_VALUE,     /* inside a text, outside strings */
	SCAN_STRING,    /* inside a string */
	SCAN_ESCAPE,    /* after a backslash inside a string */
};

/*
 * buf[0, start) is consumed, buf[start, scan) is scanned (the pending
 * frame's head while a frame is open), buf[scan, end) not yet scanned.
 * While a frame is open it begins at start: whitespace and garbage before
 * it are consumed as they are scanned.
 */
struct vsw_rpc_stream {
	char *buf;
	size_t cap;
	size_t start;
	size_t scan;
	size_t end;
	enum scan_state state;
	unsigned int depth;
	size_t max_size;
	unsigned int max_depth;
	enum vsw_rpc_frame failed;   /* TOO_LARGE/TOO_DEEP once hit, else FRAME */
};

struct vsw_rpc_stream *
vsw_rpc_stream_create(size_t max_size, unsigned int max_depth)
{
	struct vsw_rpc_stream *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->max_size = max_size ? max_size : VSW_RPC_MAX_REQUEST_SIZE;
	s->max_depth = max_depth ? max_depth : VSW_RPC_MAX_DEPTH;
	s->state = SCAN_TOP;
	s->failed = VSW_RPC_FRAME;
	return s;
}

void
vsw_rpc_stream_destroy(struct vsw_rpc_stream *s)
{
	if (s == NULL)
		return;
	free(s->buf);
	free(s);
}

size_t
vsw_rpc_stream_buffered(const struct vsw_rpc_stream *s)
{
	return s->end - s->start;
}

size_t
vsw_rpc_stream_max_size(const struct vsw_rpc_stream *s)
{
	return s->max_size;
}

static void
reset_if_empty(struct vsw_rpc_stream *s)
{
	if (s->start == s->end)
		s->start = s->scan = s->end = 0;
}

/*
 * Makes room for len more bytes. The consumed prefix is moved out only when
 * it is at least as big as what must be moved, so each byte is moved O(1)
 * times on average; otherwise the buffer doubles.
 */
static int
reserve(struct vsw_rpc_stream *s, size_t len)
{
	size_t held = s->end - s->start, need, new_cap;
	char *p;

	if (len <= s->cap - s->end)
		return 0;
	if (s->start > 0 && s->start >= held) {
		memmove(s->buf, s->buf + s->start, held);
		s->scan -= s->start;
		s->end -= s->start;
		s->start = 0;
		if (len <= s->cap - s->end)
			return 0;
	}
	if (len > SIZE_MAX / 2 - s->end)
		return -ENOMEM;
	need = s->end + len;
	new_cap = s->cap ? s->cap : STREAM_MIN_CAP;
	while (new_cap < need)
		new_cap *= 2;
	p = realloc(s->buf, new_cap);
	if (p == NULL)
		return -ENOMEM;
	s->buf = p;
	s->cap = new_cap;
	return 0;
}

/* While discarding a garbage line with nothing unscanned, new data up to
 * the newline is dropped before it is ever buffered. */
static size_t
skip_discarded(struct vsw_rpc_stream *s, const char *data, size_t len)
{
	const char *nl;

	if (s->state != SCAN_DISCARD || s->scan != s->end)
		return 0;
	nl = memchr(data, '\n', len);
	if (nl == NULL)
		return len;
	s->state = SCAN_TOP;
	return (size_t)(nl - data) + 1;
}

int
vsw_rpc_stream_feed(struct vsw_rpc_stream *s, const void *data, size_t len)
{
	size_t skip;
	int rc;

	if (s->failed != VSW_RPC_FRAME)
		return 0;
	skip = skip_discarded(s, data, len);
	data = (const char *)data + skip;
	len -= skip;
	if (len == 0)
		return 0;
	reset_if_empty(s);
	rc = reserve(s, len);
	if (rc < 0)
		return rc;
	memcpy(s->buf + s->end, data, len);
	s->end += len;
	return 0;
}

static bool
is_json_space(char c)
{
	return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

/* SCAN_TOP: skips whitespace; opens a frame or reports garbage. */
static enum vsw_rpc_frame
scan_top(struct vsw_rpc_stream *s)
{
	char c;

	while (s->scan < s->end && is_json_space(s->buf[s->scan]))
		s->scan++;
	s->start = s->scan;
	if (s->scan == s->end)
		return VSW_RPC_NEED_MORE;
	c = s->buf[s->scan++];
	if (c == '{' || c == '[') {
		s->state = SCAN_VALUE;
		s->depth = 1;
		return VSW_RPC_FRAME;   /* a frame is open: go on scanning */
	}
	s->start = s->scan;
	s->state = SCAN_DISCARD;
	return VSW_RPC_GARBAGE;
}

/* SCAN_DISCARD: drops bytes through the next '\n'. */
static enum vsw_rpc_frame
scan_discard(struct vsw_rpc_stream *s)
{
	const char *nl = memchr(s->buf + s->scan, '\n', s->end - s->scan);

	if (nl == NULL) {
		s->start = s->scan = s->end;
		return VSW_RPC_NEED_MORE;
	}
	s->start = s->scan = (size_t)(nl - s->buf) + 1;
	s->state = SCAN_TOP;
	return VSW_RPC_FRAME;   /* resynchronised: go on scanning */
}

/*
 * Inside a frame: scans up to the frame's end, the end of the data, or the
 * size limit. Returns FRAME when the frame closed, NEED_MORE, or an error.
 */
static enum vsw_rpc_frame
scan_frame(struct vsw_rpc_stream *s)
{
	size_t limit = s->max_size <= s->end - s->start ? s->start + s->max_size : s->end;
	enum scan_state state = s->state;
	unsigned int depth = s->depth;
	const char *buf = s->buf;
	size_t i = s->scan;
	enum vsw_rpc_frame r = VSW_RPC_NEED_MORE;

	while (i < limit) {
		char c = buf[i++];

		if (state == SCAN_STRING) {
			if (c == '"')
				state = SCAN_VALUE;
			else if (c == '\\')
				state = SCAN_ESCAPE;
		} else if (state == SCAN_ESCAPE) {
			state = SCAN_STRING;
		} else if (c == '"') {
			state = SCAN_STRING;
		} else if (c == '{' || c == '[') {
			if (++depth > s->max_depth) {
				r = VSW_RPC_TOO_DEEP;
				break;
			}
		} else if (c == '}' || c == ']') {
			if (--depth == 0) {
				r = VSW_RPC_FRAME;
				break;
			}
		}
	}
	s->scan = i;
	s->state = state;
	s->depth = depth;
	if (r == VSW_RPC_NEED_MORE && i < s->end)
		r = VSW_RPC_TOO_LARGE;   /* stopped at the limit with more bytes */
	return r;
}

/* A big buffer left by a big request is given back once the stream idles. */
static void
trim_if_idle(struct vsw_rpc_stream *s)
{
	reset_if_empty(s);
	if (s->end == 0 && s->cap > STREAM_KEEP_CAP) {
		free(s->buf);
		s->buf = NULL;
		s->cap = 0;
	}
}

enum vsw_rpc_frame
vsw_rpc_stream_next(struct vsw_rpc_stream *s, const char **text, size_t *len)
{
	enum vsw_rpc_frame r;

	if (s->failed != VSW_RPC_FRAME)
		return s->failed;
	for (;;) {
		switch (s->state) {
		case SCAN_TOP:
			r = scan_top(s);
			break;
		case SCAN_DISCARD:
			r = scan_discard(s);
			break;
		default:
			r = scan_frame(s);
			if (r == VSW_RPC_FRAME) {
				*text = s->buf + s->start;
				*len = s->scan - s->start;
				s->start = s->scan;
				s->state = SCAN_TOP;
				return r;
			}
			break;
		}
		if (r == VSW_RPC_FRAME)
			continue;   /* state changed, scan on */
		if (r == VSW_RPC_TOO_LARGE || r == VSW_RPC_TOO_DEEP)
			s->failed = r;
		else if (r == VSW_RPC_NEED_MORE)
			trim_if_idle(s);
		return r;
	}
}
