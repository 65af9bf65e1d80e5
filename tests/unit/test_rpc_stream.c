/* SPDX-License-Identifier: BSD-3-Clause */
/* The API stream splitter: framing must not depend on how the bytes arrive. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "rpc_stream.h"

/*
 * What a stream yields, as one string: each frame as "F(<text>)", garbage
 * as "G", too large "L", too deep "D". Results are collected after every
 * feed until NEED_MORE, as the server does.
 */
struct yield {
	char *log;
	size_t len, cap;
};

static void
yield_add(struct yield *y, const char *s, size_t n)
{
	if (y->len + n + 1 > y->cap) {
		y->cap = (y->len + n + 1) * 2;
		y->log = realloc(y->log, y->cap);
		assert_non_null(y->log);
	}
	memcpy(y->log + y->len, s, n);
	y->len += n;
	y->log[y->len] = '\0';
}

/* Returns false after TOO_LARGE/TOO_DEEP (the server closes then). */
static bool
drain(struct vsw_rpc_stream *s, struct yield *y)
{
	for (;;) {
		const char *text = NULL;
		size_t len = 0;
		enum vsw_rpc_frame r = vsw_rpc_stream_next(s, &text, &len);

		switch (r) {
		case VSW_RPC_FRAME:
			assert_non_null(text);
			yield_add(y, "F(", 2);
			yield_add(y, text, len);
			yield_add(y, ")", 1);
			break;
		case VSW_RPC_GARBAGE:
			yield_add(y, "G", 1);
			break;
		case VSW_RPC_TOO_LARGE:
			yield_add(y, "L", 1);
			return false;
		case VSW_RPC_TOO_DEEP:
			yield_add(y, "D", 1);
			return false;
		case VSW_RPC_NEED_MORE:
			return true;
		}
	}
}

/* Feeds data in pieces cut at cuts[0..n_cuts) and returns what came out. */
static char *
run_cut(const char *data, size_t len, const size_t *cuts, size_t n_cuts,
	size_t max_size, unsigned int max_depth)
{
	struct vsw_rpc_stream *s = vsw_rpc_stream_create(max_size, max_depth);
	struct yield y = { 0 };
	size_t pos = 0, i;

	assert_non_null(s);
	yield_add(&y, "", 0);
	for (i = 0; i <= n_cuts; i++) {
		size_t next = i < n_cuts ? cuts[i] : len;

		assert_int_equal(vsw_rpc_stream_feed(s, data + pos, next - pos), 0);
		if (!drain(s, &y))
			break;
		pos = next;
	}
	vsw_rpc_stream_destroy(s);
	return y.log;
}

static char *
run_whole(const char *data, size_t max_size, unsigned int max_depth)
{
	return run_cut(data, strlen(data), NULL, 0, max_size, max_depth);
}

static char *
run_bytewise(const char *data, size_t len, size_t max_size, unsigned int max_depth)
{
	size_t *cuts = malloc(len * sizeof(*cuts) + 1);
	size_t i;
	char *out;

	assert_non_null(cuts);
	for (i = 1; i < len; i++)
		cuts[i - 1] = i;
	out = run_cut(data, len, cuts, len ? len - 1 : 0, max_size, max_depth);
	free(cuts);
	return out;
}

/* The whole text, every two-piece cut and byte-by-byte all give expect. */
static void
check_all_splits(const char *data, const char *expect, size_t max_size,
		 unsigned int max_depth)
{
	size_t len = strlen(data), cut;
	char *out;

	out = run_whole(data, max_size, max_depth);
	assert_string_equal(out, expect);
	free(out);
	for (cut = 0; cut <= len; cut++) {
		out = run_cut(data, len, &cut, 1, max_size, max_depth);
		if (strcmp(out, expect) != 0)
			fail_msg("cut at %zu of \"%s\": got %s, want %s",
				 cut, data, out, expect);
		free(out);
	}
	out = run_bytewise(data, len, max_size, max_depth);
	assert_string_equal(out, expect);
	free(out);
}

static void
check(const char *data, const char *expect)
{
	check_all_splits(data, expect, 0, 0);
}

static void
test_single_request(void **state)
{
	(void)state;
	check("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"network.list\"}",
	      "F({\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"network.list\"})");
	check("{}\n", "F({})");
	check("", "");
	check(" \r\n\t\n ", "");
	check("{\"a\":", "");   /* incomplete: nothing yet */
}

static void
test_pipelined(void **state)
{
	(void)state;
	check("{\"id\":1}{\"id\":2}[{\"id\":3}]{}",
	      "F({\"id\":1})F({\"id\":2})F([{\"id\":3}])F({})");
	check("{\"id\":1}\n{\"id\":2}\r\n  [{\"id\":3},{\"id\":4}]\t{\"id\":5}\n",
	      "F({\"id\":1})F({\"id\":2})F([{\"id\":3},{\"id\":4}])F({\"id\":5})");
	/* Whitespace inside a frame is part of it. */
	check("  { \"a\" : [ 1 , 2 ] }  ", "F({ \"a\" : [ 1 , 2 ] })");
}

static void
test_strings(void **state)
{
	(void)state;
	/* Brackets inside strings do not count. */
	check("{\"m\":\"}}]]{[\"}{\"n\":\"[\"}",
	      "F({\"m\":\"}}]]{[\"})F({\"n\":\"[\"})");
	/* An escaped quote does not end the string. */
	check("{\"m\":\"a\\\"}b\"}{}", "F({\"m\":\"a\\\"}b\"})F({})");
	/* An escaped backslash does not escape the quote after it. */
	check("{\"m\":\"a\\\\\"}{}", "F({\"m\":\"a\\\\\"})F({})");
	check("{\"m\":\"\\\\\\\"}\"}", "F({\"m\":\"\\\\\\\"}\"})");
	/* Other escapes, and a key with brackets. */
	check("{\"}\":\"\\u007d\\n\\/\"}", "F({\"}\":\"\\u007d\\n\\/\"})");
	/* Newlines inside a string are passed (jansson rejects them later). */
	check("{\"m\":\"a\nb}\"}", "F({\"m\":\"a\nb}\"})");
}

static void
test_non_utf8_passes_through(void **state)
{
	static const char data[] = "{\"m\":\"\xff\xfe\x80\"}{\"n\":\"\xc3\x28\"}";

	(void)state;
	check(data, "F({\"m\":\"\xff\xfe\x80\"})F({\"n\":\"\xc3\x28\"})");
}

static void
test_nested_batches(void **state)
{
	(void)state;
	check("[[[]]][{\"a\":[1,{\"b\":[[],{}]}]},{\"c\":{}}]",
	      "F([[[]]])F([{\"a\":[1,{\"b\":[[],{}]}]},{\"c\":{}}])");
	/* Mismatched brackets still balance by count: the API answers -32700. */
	check("{]\n{}", "F({])F({})");
}

static void
test_garbage_resync(void **state)
{
	(void)state;
	check("garbage\n{\"id\":1}", "GF({\"id\":1})");
	/* One parse error per garbage line, whatever follows on that line. */
	check("xyz {\"id\":1} more\n{\"id\":2}\n", "GF({\"id\":2})");
	check("{\"id\":1}\nhello\n\n{\"id\":2}}\n{\"id\":3}",
	      "F({\"id\":1})GF({\"id\":2})GF({\"id\":3})");
	check("123\n\"str\"\nnull\n{}", "GGGF({})");
	check("\xef\xbb\xbf{}\n{}", "GF({})");   /* a BOM is garbage */
	/* No newline yet: everything after the garbage is dropped. */
	check("oops {\"id\":1}", "G");
}

static void
feed_str(struct vsw_rpc_stream *s, const char *str)
{
	assert_int_equal(vsw_rpc_stream_feed(s, str, strlen(str)), 0);
}

static void
test_garbage_without_newline_keeps_discarding(void **state)
{
	struct vsw_rpc_stream *s = vsw_rpc_stream_create(0, 0);
	struct yield y = { 0 };
	char junk[4096];
	int i;

	(void)state;
	yield_add(&y, "", 0);
	memset(junk, 'j', sizeof(junk));
	assert_int_equal(vsw_rpc_stream_feed(s, "x", 1), 0);
	drain(s, &y);
	/* 4 MiB more of one line: one error, and nothing piles up. */
	for (i = 0; i < 1024; i++) {
		assert_int_equal(vsw_rpc_stream_feed(s, junk, sizeof(junk)), 0);
		drain(s, &y);
		assert_int_equal(vsw_rpc_stream_buffered(s), 0);
	}
	feed_str(s, "jj{\"lost\":1}\n{\"id\":1}");
	drain(s, &y);
	assert_string_equal(y.log, "GF({\"id\":1})");
	free(y.log);
	vsw_rpc_stream_destroy(s);
}

/* A frame of exactly n bytes: {"a":"xxx..."} */
static char *
make_frame(size_t n)
{
	char *f = malloc(n + 1);

	assert_true(n >= 8);
	assert_non_null(f);
	memcpy(f, "{\"a\":\"", 6);
	memset(f + 6, 'x', n - 8);
	memcpy(f + n - 2, "\"}", 2);
	f[n] = '\0';
	return f;
}

static void
test_size_boundary_small(void **state)
{
	char *f16 = make_frame(16), *f17 = make_frame(17);
	char buf[128], want[128];

	(void)state;
	/* max 16: 16 bytes pass, surrounding whitespace not counted. */
	snprintf(buf, sizeof(buf), "\n  %s\n\t%s", f16, f16);
	snprintf(want, sizeof(want), "F(%s)F(%s)", f16, f16);
	check_all_splits(buf, want, 16, 0);
	/* 17 bytes: too large, after the earlier frames were delivered. */
	snprintf(buf, sizeof(buf), "%s %s", f16, f17);
	snprintf(want, sizeof(want), "F(%s)L", f16);
	check_all_splits(buf, want, 16, 0);
	/* Too large is reported before the frame completes... */
	check_all_splits("{\"a\":\"xxxxxxxxxxx", "L", 16, 0);
	/* ...but exactly max bytes of an open frame may still complete. */
	check_all_splits("{\"a\":\"xxxxxxxxxx", "", 16, 0);
	free(f16);
	free(f17);
}

static void
test_too_large_is_sticky(void **state)
{
	struct vsw_rpc_stream *s = vsw_rpc_stream_create(16, 0);
	const char *text;
	size_t len;

	(void)state;
	assert_int_equal(vsw_rpc_stream_feed(s, "[1,2,3,4,5,6,7,8,9]", 19), 0);
	assert_int_equal(vsw_rpc_stream_next(s, &text, &len), VSW_RPC_TOO_LARGE);
	assert_int_equal(vsw_rpc_stream_feed(s, "\n{}", 3), 0);
	assert_int_equal(vsw_rpc_stream_next(s, &text, &len), VSW_RPC_TOO_LARGE);
	vsw_rpc_stream_destroy(s);
}

static void
feed_all(struct vsw_rpc_stream *s, const char *data, size_t len)
{
	assert_int_equal(vsw_rpc_stream_feed(s, data, len), 0);
}

static void
test_one_mib_boundary(void **state)
{
	char *exact = make_frame(VSW_RPC_MAX_REQUEST_SIZE);
	char *over = make_frame(VSW_RPC_MAX_REQUEST_SIZE + 1);
	struct vsw_rpc_stream *s;
	const char *text;
	size_t len;

	(void)state;
	/* Exactly 1 MiB, after whitespace and a small request: delivered. */
	s = vsw_rpc_stream_create(0, 0);
	assert_int_equal(vsw_rpc_stream_max_size(s), 1048576);
	feed_all(s, "{\"id\":1}\n\n   ", 13);
	assert_int_equal(vsw_rpc_stream_next(s, &text, &len), VSW_RPC_FRAME);
	assert_int_equal(len, 8);
	feed_all(s, exact, VSW_RPC_MAX_REQUEST_SIZE);
	assert_int_equal(vsw_rpc_stream_next(s, &text, &len), VSW_RPC_FRAME);
	assert_int_equal(len, VSW_RPC_MAX_REQUEST_SIZE);
	assert_memory_equal(text, exact, len);
	assert_int_equal(vsw_rpc_stream_next(s, &text, &len), VSW_RPC_NEED_MORE);
	assert_int_equal(vsw_rpc_stream_buffered(s), 0);
	vsw_rpc_stream_destroy(s);

	/* 1 MiB + 1: too large, already with all but its last byte. */
	s = vsw_rpc_stream_create(0, 0);
	feed_all(s, over, VSW_RPC_MAX_REQUEST_SIZE);
	assert_int_equal(vsw_rpc_stream_next(s, &text, &len), VSW_RPC_NEED_MORE);
	feed_all(s, over + VSW_RPC_MAX_REQUEST_SIZE, 1);
	assert_int_equal(vsw_rpc_stream_next(s, &text, &len), VSW_RPC_TOO_LARGE);
	vsw_rpc_stream_destroy(s);

	/* The same with the whole text in one feed. */
	s = vsw_rpc_stream_create(0, 0);
	feed_all(s, over, VSW_RPC_MAX_REQUEST_SIZE + 1);
	assert_int_equal(vsw_rpc_stream_next(s, &text, &len), VSW_RPC_TOO_LARGE);
	vsw_rpc_stream_destroy(s);
	free(exact);
	free(over);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
test_one_mib_byte_by_byte_is_linear(void **state)
{
	char *exact = make_frame(VSW_RPC_MAX_REQUEST_SIZE);
	struct vsw_rpc_stream *s = vsw_rpc_stream_create(0, 0);
	const char *text = NULL;
	size_t len = 0, i;
	double t0, dt;

	(void)state;
	/* A little consumed prefix first, so compaction has something to do. */
	feed_all(s, "{}\n", 3);
	assert_int_equal(vsw_rpc_stream_next(s, &text, &len), VSW_RPC_FRAME);
	t0 = now_s();
	for (i = 0; i < VSW_RPC_MAX_REQUEST_SIZE - 1; i++) {
		feed_all(s, exact + i, 1);
		if (vsw_rpc_stream_next(s, &text, &len) != VSW_RPC_NEED_MORE)
			fail_msg("early result at byte %zu", i);
		if (i % 65536 == 0 && now_s() - t0 > 1.0)
			fail_msg("only %zu bytes after 1 s: not linear", i);
	}
	feed_all(s, exact + i, 1);
	assert_int_equal(vsw_rpc_stream_next(s, &text, &len), VSW_RPC_FRAME);
	dt = now_s() - t0;
	assert_int_equal(len, VSW_RPC_MAX_REQUEST_SIZE);
	assert_memory_equal(text, exact, len);
	if (dt > 1.0)
		fail_msg("1 MiB byte by byte took %.3f s", dt);
	vsw_rpc_stream_destroy(s);
	free(exact);
}

static char *
make_nested(unsigned int depth, const char *inner)
{
	size_t n = strlen(inner);
	char *t = malloc(2 * depth + n + 1);

	assert_non_null(t);
	memset(t, '[', depth);
	memcpy(t + depth, inner, n);
	memset(t + depth + n, ']', depth);
	t[2 * depth + n] = '\0';
	return t;
}

static void
test_depth_limit(void **state)
{
	char *ok = make_nested(VSW_RPC_MAX_DEPTH, "");
	char *deep = make_nested(VSW_RPC_MAX_DEPTH + 1, "");
	char *in_string = make_nested(1, "\"[[[[[[[[[[{{{{{{{{{{\"");
	char *buf = malloc(strlen(ok) + strlen(deep) + 2);
	char *want = malloc(strlen(ok) + 5);   /* F( ok )D NUL */

	(void)state;
	/* 512 deep is delivered, 513 is too deep (at its 513th bracket). */
	sprintf(buf, "%s\n%s", ok, deep);
	sprintf(want, "F(%s)D", ok);
	check_all_splits(buf, want, 0, 0);
	/* Brackets in strings are not nesting. */
	check_all_splits(in_string, "F([\"[[[[[[[[[[{{{{{{{{{{\"])", 0, 2);
	/* A small limit, exactly at the boundary, both bracket kinds. */
	check_all_splits("{\"a\":[{}]}", "F({\"a\":[{}]})", 0, 3);
	check_all_splits("{\"a\":[{\"b\":[]}]}", "D", 0, 3);
	free(ok);
	free(deep);
	free(in_string);
	free(want);
	free(buf);
}

/* Many frames through random cuts: the buffer compacts and stays bounded. */
static void
test_random_cuts_many_frames(void **state)
{
	enum { N = 20000 };
	char *data = malloc(N * 64), *expect = malloc(N * 64);
	size_t len = 0, elen = 0, pos = 0, max_buffered = 0;
	struct vsw_rpc_stream *s = vsw_rpc_stream_create(0, 0);
	struct yield y = { 0 };
	unsigned int seed = 12345;
	int i;

	(void)state;
	yield_add(&y, "", 0);
	for (i = 0; i < N; i++) {
		int n = sprintf(data + len, "{\"id\":%d,\"s\":\"}\\\"{\"}%s", i,
				i % 3 == 0 ? "\n" : i % 3 == 1 ? "" : " ");

		elen += sprintf(expect + elen, "F({\"id\":%d,\"s\":\"}\\\"{\"})", i);
		len += n;
	}
	while (pos < len) {
		size_t piece;

		seed = seed * 1103515245u + 12345u;
		piece = 1 + (seed >> 16) % 300;
		if (piece > len - pos)
			piece = len - pos;
		feed_all(s, data + pos, piece);
		pos += piece;
		if (vsw_rpc_stream_buffered(s) > max_buffered)
			max_buffered = vsw_rpc_stream_buffered(s);
		drain(s, &y);
	}
	assert_string_equal(y.log, expect);
	assert_true(max_buffered < 400);
	assert_int_equal(vsw_rpc_stream_buffered(s), 0);
	free(y.log);
	free(data);
	free(expect);
	vsw_rpc_stream_destroy(s);
}

/* Every corpus text gives the same results at every cut. */
static void
test_every_cut_of_a_mixed_stream(void **state)
{
	static const char stream[] =
		"  {\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"network.create\","
		"\"params\":{\"name\":\"n{1}\\\"[\\\\\"}}\n"
		"[{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"a\"},"
		"{\"jsonrpc\":\"2.0\",\"method\":\"b\",\"params\":[[],{}]}]"
		"junk ] } {\n"
		"{\"id\":3}{\"id\":4}\r\n";
	static const char expect[] =
		"F({\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"network.create\","
		"\"params\":{\"name\":\"n{1}\\\"[\\\\\"}})"
		"F([{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"a\"},"
		"{\"jsonrpc\":\"2.0\",\"method\":\"b\",\"params\":[[],{}]}])"
		"G"
		"F({\"id\":3})F({\"id\":4})";
	size_t len = strlen(stream), a, b;

	(void)state;
	check(stream, expect);
	/* Three pieces, at every pair of cuts. */
	for (a = 0; a <= len; a++) {
		for (b = a; b <= len; b++) {
			size_t cuts[2] = { a, b };
			char *out = run_cut(stream, len, cuts, 2, 0, 0);

			if (strcmp(out, expect) != 0)
				fail_msg("cuts %zu,%zu: got %s", a, b, out);
			free(out);
		}
	}
}

static void
test_frame_text_is_exact(void **state)
{
	struct vsw_rpc_stream *s = vsw_rpc_stream_create(0, 0);
	const char *text;
	size_t len;

	(void)state;
	feed_all(s, "\n{\"a\":1} [2]", 12);
	assert_int_equal(vsw_rpc_stream_next(s, &text, &len), VSW_RPC_FRAME);
	assert_int_equal(len, 7);
	assert_memory_equal(text, "{\"a\":1}", 7);
	assert_int_equal(vsw_rpc_stream_buffered(s), 4);
	assert_int_equal(vsw_rpc_stream_next(s, &text, &len), VSW_RPC_FRAME);
	assert_int_equal(len, 3);
	assert_memory_equal(text, "[2]", 3);
	assert_int_equal(vsw_rpc_stream_next(s, &text, &len), VSW_RPC_NEED_MORE);
	assert_int_equal(vsw_rpc_stream_buffered(s), 0);
	vsw_rpc_stream_destroy(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_single_request),
		cmocka_unit_test(test_pipelined),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_non_utf8_passes_through),
		cmocka_unit_test(test_nested_batches),
		cmocka_unit_test(test_garbage_resync),
		cmocka_unit_test(test_garbage_without_newline_keeps_discarding),
		cmocka_unit_test(test_size_boundary_small),
		cmocka_unit_test(test_too_large_is_sticky),
		cmocka_unit_test(test_one_mib_boundary),
		cmocka_unit_test(test_one_mib_byte_by_byte_is_linear),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_random_cuts_many_frames),
		cmocka_unit_test(test_every_cut_of_a_mixed_stream),
		cmocka_unit_test(test_frame_text_is_exact),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
