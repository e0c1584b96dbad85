/* mime_codec.h - the encodings mail is written in, decoded, for mime.c and
 * imap.c: UTF-8 checks, charsets to UTF-8, base64, quoted-printable, RFC 2047
 * words, RFC 5322 dates, IMAP's modified UTF-7. Pure functions: no I/O, no
 * global state, safe on any thread. */
#ifndef SB_MIME_CODEC_H
#define SB_MIME_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* The cap of any decoded text buffer; longer output is cut. */
#define MIME_CODEC_OUT_CAP (64u << 20)

/* Length of the valid UTF-8 sequence at s (1..4; n > 0 bytes there), or 0
 * when it is not one (NUL counts as invalid); *cp gets the code point. */
size_t mime_codec_utf8_len(const unsigned char *s, size_t n, uint32_t *cp);
/* Whether s[0..n) is all valid UTF-8 (and has no NUL). */
int mime_codec_utf8_valid(const unsigned char *s, size_t n);

/* Whether charset name cs means UTF-8 (or US-ASCII, a subset). */
int mime_codec_charset_is_utf8(const char *cs);
/* Append s[0..n) in charset cs to b as UTF-8; unknown charsets and invalid
 * bytes become U+FFFD or are taken as Latin-1, never an error. */
void mime_codec_charset_add(struct buf *b, const char *cs, const unsigned char *s, size_t n);

/* The value of a hex digit (either case), or -1. */
int mime_codec_hex_value(unsigned char c);
/* Append quoted-printable s[0..n) decoded to b; header: RFC 2047's "Q"
 * variant, where '_' is a space. */
void mime_codec_qp_decode(struct buf *b, const char *s, size_t n, int header);

/* Decode RFC 2047 encoded words in an (unfolded) header value; other bytes
 * are taken as UTF-8, invalid sequences becoming U+FFFD. A new string. */
char *mime_codec_decode_header(const char *s);

/* RFC 5322 date ("Tue, 1 Aug 2026 09:30:00 +0200") to seconds since the
 * epoch; 0 or -1 when it does not parse. */
int mime_codec_parse_date(const char *s, long long *out);
/* t as an RFC 5322 date in UTC: "Tue, 25 Nov 2025 12:03:00 +0000". */
void mime_codec_format_date(long long t, char out[40]);
/* t as RFC 3339 UTC ("2026-08-01T09:30:00Z"), a new string. */
char *mime_codec_iso_date(long long t);

/* IMAP mailbox names (RFC 3501 5.1.3): modified UTF-7 to UTF-8 and back.
 * Decoding returns NULL when s is not valid modified UTF-7 (the caller may
 * then show it as is); encoding never fails. New strings. */
char *mime_codec_utf7_decode(const char *s);
char *mime_codec_utf7_encode(const char *s);

#endif
