/* SPDX-License-Identifier: BSD-3-Clause */
#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "vswctl_format.h"

#define VSWCTL_MAX_COLUMNS 16
#define VSWCTL_COLUMN_MAX 64

void vswctl_print_json(FILE *f, const json_t *v)
{
	json_dumpf(v, f, JSON_INDENT(2) | JSON_ENCODE_ANY);
	fputc('\n', f);
}

/* A name could hold a newline or an escape sequence: never let it reach the
 * terminal raw or break a table's rows. */
static char *sanitized_copy(const char *s)
{
	char *copy = strdup(s);

	if (copy == NULL)
		abort();
	for (char *p = copy; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return copy;
}

char *vswctl_format_value(const json_t *v)
{
	char *s;

	if (v == NULL || json_is_null(v))
		return sanitized_copy("-");
	if (json_is_string(v))
		return sanitized_copy(json_string_value(v));
	/* 9 digits: a person reading 0.067930181 needs no float noise. */
	s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(9));
	if (s == NULL)
		abort();
	return s;
}

/* Terminal columns taken by UTF-8 text (one per code point). */
static size_t display_width(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

static void print_padded(FILE *f, const char *s, size_t width)
{
	fputs(s, f);
	for (size_t n = display_width(s); n < width; n++)
		fputc(' ', f);
}

/* Prints rows of n_cols cells; column widths fit the widest cell. */
static void print_cells(FILE *f, char **cells, size_t n_rows, size_t n_cols)
{
	size_t width[VSWCTL_MAX_COLUMNS] = {0};

	for (size_t r = 0; r < n_rows; r++)
		for (size_t c = 0; c < n_cols; c++) {
			size_t w = display_width(cells[r * n_cols + c]);

			if (w > width[c])
				width[c] = w;
		}
	for (size_t r = 0; r < n_rows; r++) {
		for (size_t c = 0; c + 1 < n_cols; c++)
			print_padded(f, cells[r * n_cols + c], width[c] + 2);
		fprintf(f, "%s\n", cells[r * n_cols + n_cols - 1]);
	}
}

static void free_cells(char **cells, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(cells[i]);
	free(cells);
}

static size_t split_columns(const char *columns,
			    char names[][VSWCTL_COLUMN_MAX], size_t max)
{
	size_t n = 0;

	while (*columns != '\0' && n < max) {
		size_t len = strcspn(columns, " ");

		if (len > 0 && len < VSWCTL_COLUMN_MAX) {
			memcpy(names[n], columns, len);
			names[n++][len] = '\0';
		}
		columns += len;
		columns += strspn(columns, " ");
	}
	return n;
}

/* The first of the '|'-separated alternatives that row has and is not null. */
static const json_t *column_value(const json_t *row, const char *column)
{
	char alt[VSWCTL_COLUMN_MAX];

	if (!json_is_object(row))
		return NULL;
	while (*column != '\0') {
		size_t len = strcspn(column, "|");
		const json_t *v;

		memcpy(alt, column, len);
		alt[len] = '\0';
		v = json_object_get(row, alt);
		if (v != NULL && !json_is_null(v))
			return v;
		column += len;
		column += strspn(column, "|");
	}
	return NULL;
}

static char *column_header(const char *column)
{
	char *h = sanitized_copy(column);

	for (char *p = h; *p != '\0'; p++)
		*p = *p == '|' ? '/' : (char)toupper((unsigned char)*p);
	return h;
}

void vswctl_print_table(FILE *f, const json_t *rows, const char *columns)
{
	char names[VSWCTL_MAX_COLUMNS][VSWCTL_COLUMN_MAX];
	size_t n_cols = split_columns(columns, names, VSWCTL_MAX_COLUMNS);
	size_t n_rows = json_array_size(rows) + 1;
	char **cells;

	if (n_cols == 0)
		return;
	cells = calloc(n_rows * n_cols, sizeof(*cells));
	if (cells == NULL)
		abort();
	for (size_t c = 0; c < n_cols; c++)
		cells[c] = column_header(names[c]);
	for (size_t r = 1; r < n_rows; r++)
		for (size_t c = 0; c < n_cols; c++)
			cells[r * n_cols + c] = vswctl_format_value(
				column_value(json_array_get(rows, r - 1), names[c]));
	print_cells(f, cells, n_rows, n_cols);
	free_cells(cells, n_rows * n_cols);
}

void vswctl_print_fields(FILE *f, const json_t *obj)
{
	size_t n_rows = json_object_size(obj) + 1;
	char **cells = calloc(n_rows * 2, sizeof(*cells));
	const char *key;
	json_t *v;
	size_t r = 1;

	if (cells == NULL)
		abort();
	cells[0] = sanitized_copy("FIELD");
	cells[1] = sanitized_copy("VALUE");
	json_object_foreach((json_t *)obj, key, v) {
		cells[r * 2] = sanitized_copy(key);
		cells[r * 2 + 1] = vswctl_format_value(v);
		r++;
	}
	print_cells(f, cells, n_rows, 2);
	free_cells(cells, n_rows * 2);
}

/* Scalars, empty containers and arrays of scalars fit after "key:". */
static bool fits_inline(const json_t *v)
{
	size_t i;
	json_t *e;

	if (json_is_object(v))
		return json_object_size(v) == 0;
	if (!json_is_array(v))
		return true;
	json_array_foreach((json_t *)v, i, e)
		if (json_is_object(e) || json_is_array(e))
			return false;
	return true;
}

static void print_indent(FILE *f, int indent)
{
	fprintf(f, "%*s", indent, "");
}

static void print_inline(FILE *f, const json_t *v)
{
	char *s = vswctl_format_value(v);

	fprintf(f, " %s\n", s);
	free(s);
}

static void tree_nested(FILE *f, const json_t *v, int indent);

/* After "key:" or "-": the value on the same line, or nested lines below. */
static void tree_child(FILE *f, const json_t *v, int indent)
{
	if (fits_inline(v)) {
		print_inline(f, v);
		return;
	}
	fputc('\n', f);
	tree_nested(f, v, indent + 2);
}

/* Members one per line; an array element's first member follows its "- ". */
static void tree_object(FILE *f, const json_t *obj, int indent, bool dash)
{
	bool first = true;
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)obj, key, v) {
		char *k = sanitized_copy(key);

		if (dash && first) {
			print_indent(f, indent - 2);
			fputs("- ", f);
		} else {
			print_indent(f, indent);
		}
		first = false;
		fprintf(f, "%s:", k);
		free(k);
		tree_child(f, v, indent);
	}
}

static void tree_nested(FILE *f, const json_t *v, int indent)
{
	size_t i;
	json_t *e;

	if (json_is_object(v)) {
		tree_object(f, v, indent, false);
		return;
	}
	json_array_foreach((json_t *)v, i, e) {
		if (json_is_object(e) && json_object_size(e) > 0) {
			tree_object(f, e, indent + 2, true);
			continue;
		}
		print_indent(f, indent);
		fputc('-', f);
		tree_child(f, e, indent);
	}
}

void vswctl_print_tree(FILE *f, const json_t *v)
{
	char *s;

	if (json_is_object(v) || json_is_array(v)) {
		tree_nested(f, v, 0);
		return;
	}
	s = vswctl_format_value(v);
	fprintf(f, "%s\n", s);
	free(s);
}
