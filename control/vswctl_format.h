/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSWCTL_FORMAT_H
#define VSWCTL_FORMAT_H

/*
 * vswctl's output: results of the API printed for people (aligned tables,
 * field/value tables, nested key: value trees) or as JSON for scripts.
 */

#include <stdio.h>

#include <jansson.h>

/* The columns of a list when a kind names none. */
#define VSWCTL_DEFAULT_COLUMNS "id name status"

/* Pretty JSON (2-space indent) and a newline: the --json output. */
void vswctl_print_json(FILE *f, const json_t *v);

/*
 * An aligned table of an array of objects, one row per element, with an
 * upper-case header. columns is space-separated field names; "a|b" is one
 * column showing a, or b where a is absent or null (header "A/B").
 * Strings print as they are, null or absent as "-", others as compact JSON.
 */
void vswctl_print_table(FILE *f, const json_t *rows, const char *columns);

/* A two-column FIELD/VALUE table of one object, in the object's key order. */
void vswctl_print_fields(FILE *f, const json_t *obj);

/* Nested "key: value" lines, indented two spaces per level (stats, info). */
void vswctl_print_tree(FILE *f, const json_t *v);

/* The text of one cell: as vswctl_print_table shows v. Caller frees. */
char *vswctl_format_value(const json_t *v);

#endif
