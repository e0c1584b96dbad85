/* jsonx.h - small jansson helpers shared by modules: compact JSON with the
 * shortest reals, a faster parse, and JSON pointers into documents we did
 * not write. */
#ifndef SB_JSONX_H
#define SB_JSONX_H

#include <jansson.h>

/* Compact JSON of any value (not only objects and arrays), each real in the
 * fewest digits that read back the same (4.35, not 4.3499999999999996):
 * byte for byte what json_dumps writes, faster. Returns a new string the
 * caller frees, or NULL when jansson fails (a string that is not UTF-8). */
char *jsonx_dumps(const json_t *v);

/* json_loadb, faster: the same values (objects keep their order, integers
 * and reals as jansson tells them apart), the same flags, and for any input
 * the fast path does not take exactly as jansson would (any error, numbers
 * out of range, "\u0000", nesting past 512, flags other than
 * JSON_REJECT_DUPLICATES and JSON_DECODE_ANY), jansson's own result and
 * error. A new reference, or NULL with error filled in by jansson. */
json_t *jsonx_loadb(const char *buf, size_t len, size_t flags, json_error_t *error);

/* The length of the UTF-8 sequence at p (n > 0 bytes left), 0 when it is
 * not valid by jansson's rules: overlong, a surrogate, past U+10FFFF, cut
 * short. ASCII is 1. */
size_t jsonx_utf8_len(const unsigned char *p, size_t n);

/* A real as printf's %g would write it, in the fewest significant digits
 * (15 to 17) that read back the same: "4.35", "5", "1e+100". New string. */
char *jsonx_real_text(double d);

/* 1 when array (may be NULL or not an array) holds the string s. */
int jsonx_has_string(const json_t *array, const char *s);

/* Resolve an RFC 6901 JSON pointer ("/items/0/id", "/a~1b" for key "a/b",
 * "/m~0n" for "m~n") in doc: the one walker for every pointer in connector
 * files and vendor answers. One extension: a negative array index counts
 * from the end ("/-1" is the last element). NULL or "" is doc itself; a
 * pointer not starting with '/' resolves to nothing. Returns a borrowed
 * reference into doc, or NULL when the pointer does not resolve. */
json_t *jsonx_pointer(json_t *doc, const char *ptr);

/* ptrs is one pointer (a string) or a list of them. A single pointer
 * resolves as jsonx_pointer does, to any value; from a list, the first
 * that resolves to a string, number or boolean wins. Borrowed, or NULL. */
json_t *jsonx_pointer_first(json_t *doc, json_t *ptrs);

/* jansson's own buffers hold secrets too (a token parsed from a vendor's
 * answer, a connection's secrets while they are sealed, the text of a
 * request body): make every block jansson frees be wiped first. Call before
 * the first jansson value is made (main does). */
void jsonx_wipe_on_free(void);
/* Wipe the whole of a malloc'd block (its usable size), without freeing it;
 * accepts NULL. What jansson's free does before free(). */
void jsonx_wipe_block(void *p);

#endif
