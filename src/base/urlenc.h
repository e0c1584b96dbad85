/* urlenc.h - the low-level encoders every vendor request uses (the tool-call
 * builder, hooks, auth handlers, OAuth): percent-encoding, query strings,
 * form bodies, header lines, scalar text. Nothing here knows a connector. */
#ifndef SB_URLENC_H
#define SB_URLENC_H

#include <jansson.h>

#include "util.h"

/* Append s to b percent-encoded: everything but RFC 3986's unreserved
 * characters (and '/' when keep_slash). */
void urlenc_percent(struct buf *b, const char *s, int keep_slash);
/* Append ?name=value, or &name=value when url has a query already (arrays
 * as repeated keys, percent-encoded). value is borrowed. */
void urlenc_query(struct buf *url, const char *name, json_t *value);
/* Append Stripe-style bracket form fields to body (metadata[k]=v,
 * items[0][price]=p; prefix NULL at the top), '&'-separated. value is
 * borrowed. */
void urlenc_form(struct buf *body, const char *prefix, json_t *value);
/* Append "name: value" to headers (an array of strings). */
void urlenc_header(json_t *headers, const char *name, const char *value);
/* Credentials never travel over plain http except to this machine: 1 when
 * url is https, or http to a loopback address; else 0. */
int urlenc_allows_credentials(const char *url);
/* A scalar as the text a vendor expects in a URL or form: strings as they
 * are, true/false, numbers (reals in the fewest digits that read back the
 * same), "" for null, compact JSON otherwise. New string. */
char *urlenc_scalar_text(json_t *v);

#endif
