/* mime_codec.c - the encodings Internet mail is written in, decoded: UTF-8
 * checks, charsets to UTF-8, base64, quoted-printable, RFC 2047 words, RFC
 * 5322 dates, and IMAP's modified UTF-7 for mailbox names. */
#include "mime_codec.h"

#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "crypto.h"

/* ------------------------------------------------------------ UTF-8 */

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when it is not one.
 * NUL counts as invalid: it has no business in mail text. */
size_t mime_codec_utf8_len(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c = s[0];
	size_t len, i;
	uint32_t min;

	if (c == 0)
		return 0;
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		c &= 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		c &= 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		c &= 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

int mime_codec_utf8_valid(const unsigned char *s, size_t n)
{
	uint32_t cp;
	for (size_t i = 0, l; i < n; i += l)
		if (!(l = mime_codec_utf8_len(s + i, n - i, &cp)))
			return 0;
	return 1;
}

static void utf8_put(struct buf *b, uint32_t cp)
{
	unsigned char o[4];
	size_t n;
	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		n = 1;
	} else if (cp < 0x800) {
		o[0] = (unsigned char)(0xc0 | cp >> 6);
		o[1] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		o[0] = (unsigned char)(0xe0 | cp >> 12);
		o[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		o[2] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		o[0] = (unsigned char)(0xf0 | cp >> 18);
		o[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
		o[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		o[3] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	buf_add(b, o, n);
}

/* Append bytes that should be UTF-8; what is not becomes U+FFFD. */
static void utf8_add(struct buf *b, const unsigned char *s, size_t n)
{
	uint32_t cp;
	size_t i = 0, run = 0, l;
	if (!n)
		return;
	while (i < n) {
		l = mime_codec_utf8_len(s + i, n - i, &cp);
		if (l) {
			i += l;
			continue;
		}
		buf_add(b, s + run, i - run);
		utf8_put(b, 0xfffd);
		run = ++i;
	}
	buf_add(b, s + run, n - run);
}

/* ------------------------------------------------------------ charsets */

/* windows-1252's 0x80..0x9f; 0 where the code page leaves a hole. */
static const uint16_t cp1252[32] = {
	0x20ac, 0,      0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160,
	0x2039, 0x0152, 0,      0x017d, 0,      0,      0x2018, 0x2019, 0x201c, 0x201d, 0x2022,
	0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0,      0x017e, 0x0178,
};

static void latin1_add(struct buf *b, const unsigned char *s, size_t n, int windows)
{
	for (size_t i = 0; i < n; i++) {
		uint32_t c = s[i];
		if (c == 0)
			c = 0xfffd;
		else if (windows && c >= 0x80 && c < 0xa0)
			c = cp1252[c - 0x80] ? cp1252[c - 0x80] : 0xfffd;
		utf8_put(b, c);
	}
}

static int name_is(const char *cs, const char *const *names)
{
	for (; *names; names++)
		if (strcasecmp(cs, *names) == 0)
			return 1;
	return 0;
}

/* Whether text in charset cs is taken as UTF-8: UTF-8 and ASCII, and also
 * no charset or a name we would not pass to iconv. */
int mime_codec_charset_is_utf8(const char *cs)
{
	static const char *const utf8[] = {"utf-8", "utf8",           "us-ascii",
					   "ascii", "ansi_x3.4-1968", NULL};
	if (!cs || !*cs || strlen(cs) >= 40 || name_is(cs, utf8))
		return 1;
	return strspn(cs, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:") !=
	       strlen(cs);
}

/* Append text in charset cs (NULL: unknown) as UTF-8. UTF-8, ASCII, Latin-1
 * and windows-1252 are done here; other charsets go through iconv, and text
 * in a charset iconv does not know is taken as UTF-8. */
void mime_codec_charset_add(struct buf *b, const char *cs, const unsigned char *s, size_t n)
{
	static const char *const latin1[] = {"iso-8859-1", "iso8859-1", "iso_8859-1",
					     "latin1",     "l1",        NULL};
	static const char *const windows[] = {"windows-1252", "cp1252", NULL};

	if (mime_codec_charset_is_utf8(cs)) {
		utf8_add(b, s, n);
		return;
	}
	if (name_is(cs, latin1) || name_is(cs, windows)) {
		/* Mail that says Latin-1 is very often really windows-1252, and
		 * 0x80..0x9f are control codes nobody means in Latin-1. */
		latin1_add(b, s, n, 1);
		return;
	}
	iconv_t cd = iconv_open("UTF-8", cs);
	if (cd == (iconv_t)-1) {
		utf8_add(b, s, n);
		return;
	}
	struct buf tmp;
	buf_init(&tmp, MIME_CODEC_OUT_CAP);
	char *in = (char *)s, out[4096];
	size_t inleft = n;
	while (inleft > 0) {
		char *o = out;
		size_t oleft = sizeof(out);
		size_t r = iconv(cd, &in, &inleft, &o, &oleft);
		int e = errno;
		if (buf_add(&tmp, out, sizeof(out) - oleft) < 0)
			break;
		if (r != (size_t)-1 || e == E2BIG)
			continue;
		utf8_put(&tmp, 0xfffd);
		if (e != EILSEQ)
			break; /* EINVAL: a sequence cut short at the end */
		in++;
		inleft--;
	}
	iconv_close(cd);
	utf8_add(b, (const unsigned char *)tmp.data, tmp.len);
	buf_release(&tmp);
}

/* ------------------------------------------------------------ quoted-printable */

int mime_codec_hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Quoted-printable (header: the RFC 2047 "Q" form, where '_' is a space). */
void mime_codec_qp_decode(struct buf *b, const char *s, size_t n, int header)
{
	size_t i = 0, run = 0;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		if (c != '=' && !(header && c == '_')) {
			i++;
			continue;
		}
		buf_add(b, s + run, i - run);
		if (c == '_') {
			buf_add(b, " ", 1);
			i++;
		} else if (i + 2 < n && mime_codec_hex_value((unsigned char)s[i + 1]) >= 0 &&
			   mime_codec_hex_value((unsigned char)s[i + 2]) >= 0) {
			unsigned char v =
				(unsigned char)(mime_codec_hex_value((unsigned char)s[i + 1]) << 4 |
						mime_codec_hex_value((unsigned char)s[i + 2]));
			buf_add(b, &v, 1);
			i += 3;
		} else {
			/* A soft line break: '=', optional blanks, the line end. */
			size_t j = i + 1;
			while (j < n && (s[j] == ' ' || s[j] == '\t'))
				j++;
			if (j < n && s[j] == '\r')
				j++;
			if (j < n && s[j] == '\n') {
				i = j + 1;
			} else if (j == n) {
				i = n;
			} else {
				buf_add(b, "=", 1); /* a stray '=' is kept as it is */
				i++;
			}
		}
		run = i;
	}
	buf_add(b, s + run, n - run);
}

/* ------------------------------------------------------------ RFC 2047 */

/* One encoded word at s: =?charset[*lang]?B|Q?text?= */
struct word {
	char charset[48];
	char enc;
	const char *text;
	size_t text_len;
	size_t len; /* of the whole word */
};

static int word_parse(const char *s, size_t n, struct word *w)
{
	size_t i = 2, cs = 0;
	if (n < 8 || s[0] != '=' || s[1] != '?')
		return 0;
	while (i < n && s[i] != '?' && cs + 1 < sizeof(w->charset)) {
		if ((unsigned char)s[i] <= ' ')
			return 0;
		w->charset[cs++] = s[i++];
	}
	w->charset[cs] = '\0';
	char *star = strchr(w->charset, '*'); /* RFC 2231 language suffix */
	if (star)
		*star = '\0';
	if (i + 3 > n || s[i] != '?' || !s[i + 1] || !strchr("BbQq", s[i + 1]) || s[i + 2] != '?' ||
	    !cs)
		return 0;
	w->enc = (char)(s[i + 1] | 0x20);
	i += 3;
	w->text = s + i;
	while (i < n && s[i] != '?' && (unsigned char)s[i] > ' ')
		i++;
	if (i + 1 >= n || s[i] != '?' || s[i + 1] != '=')
		return 0;
	w->text_len = (size_t)(s + i - w->text);
	w->len = i + 2;
	return 1;
}

static void word_decode(struct buf *b, const struct word *w)
{
	struct buf raw;
	buf_init(&raw, MIME_CODEC_OUT_CAP);
	if (w->enc == 'b') {
		size_t n;
		unsigned char *d =
			crypto_base64_decode(w->text, w->text_len, CRYPTO_B64_LENIENT, &n);
		buf_add(&raw, d, n);
		free(d);
	} else {
		mime_codec_qp_decode(&raw, w->text, w->text_len, 1);
	}
	mime_codec_charset_add(b, w->charset, (const unsigned char *)raw.data, raw.len);
	buf_release(&raw);
}

char *mime_codec_decode_header(const char *s)
{
	size_t n = strlen(s), i = 0, run = 0;
	int raw_utf8 = mime_codec_utf8_valid((const unsigned char *)s, n), after_word = 0;
	struct buf b;
	struct word w;

	buf_init(&b, MIME_CODEC_OUT_CAP);
	while (i < n) {
		if (s[i] == '=' && i + 1 < n && s[i + 1] == '?' && word_parse(s + i, n - i, &w)) {
			word_decode(&b, &w);
			i += w.len;
			run = i;
			after_word = 1;
			continue;
		}
		/* Blanks between two encoded words are not part of the text. */
		if (after_word && (s[i] == ' ' || s[i] == '\t')) {
			size_t j = i;
			while (j < n && (s[j] == ' ' || s[j] == '\t'))
				j++;
			if (j < n && word_parse(s + j, n - j, &w)) {
				i = run = j;
				continue;
			}
		}
		after_word = 0;
		size_t j = i + 1;
		while (j < n && !(s[j] == '=' || s[j] == ' ' || s[j] == '\t'))
			j++;
		if (raw_utf8)
			utf8_add(&b, (const unsigned char *)s + run, j - run);
		else
			latin1_add(&b, (const unsigned char *)s + run, j - run, 1);
		i = run = j;
	}
	/* A header value is one line: no control characters survive decoding. */
	for (size_t k = 0; k < b.len; k++)
		if ((unsigned char)b.data[k] < ' ' || b.data[k] == 0x7f)
			b.data[k] = ' ';
	return buf_detach(&b);
}

/* ------------------------------------------------------------ dates */

static const char *const wdays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
				     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static long long days_from_civil(long long y, unsigned m, unsigned d)
{
	y -= m <= 2;
	long long era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

/* A run of up to max digits at *p; -1 when there is none. */
static long digits(const char **p, int max)
{
	long v = 0;
	int n = 0;
	while (n < max && **p >= '0' && **p <= '9') {
		v = v * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	return n ? v : -1;
}

static void skip_cfws(const char **p)
{
	for (;;) {
		while (**p == ' ' || **p == '\t' || **p == ',')
			(*p)++;
		if (**p != '(')
			return;
		int depth = 0;
		do {
			if (**p == '(')
				depth++;
			else if (**p == ')')
				depth--;
			(*p)++;
		} while (**p && depth > 0);
	}
}

int mime_codec_parse_date(const char *s, long long *out)
{
	static const struct {
		const char *name;
		int hours;
	} zones[] = {{"UT", 0},   {"UTC", 0},  {"GMT", 0},  {"Z", 0},    {"EST", -5}, {"EDT", -4},
		     {"CST", -6}, {"CDT", -5}, {"MST", -7}, {"MDT", -6}, {"PST", -8}, {"PDT", -7}};
	const char *p = s;
	long day, year, hh, mm, ss = 0, zone = 0;
	int mon = -1;

	skip_cfws(&p);
	for (int i = 0; i < 7; i++)
		if (strncasecmp(p, wdays[i], 3) == 0) {
			p += 3;
			break;
		}
	skip_cfws(&p);
	if ((day = digits(&p, 2)) < 1 || day > 31)
		return -1;
	skip_cfws(&p);
	for (int i = 0; i < 12; i++)
		if (strncasecmp(p, months[i], 3) == 0)
			mon = i;
	if (mon < 0)
		return -1;
	p += 3;
	skip_cfws(&p);
	const char *y0 = p;
	if ((year = digits(&p, 4)) < 0)
		return -1;
	if (p - y0 == 2)
		year += year < 50 ? 2000 : 1900; /* RFC 5322 4.3 */
	else if (p - y0 == 3)
		year += 1900;
	skip_cfws(&p);
	if ((hh = digits(&p, 2)) < 0 || hh > 23 || *p++ != ':' || (mm = digits(&p, 2)) < 0 ||
	    mm > 59)
		return -1;
	if (*p == ':' && ((void)p++, (ss = digits(&p, 2)) < 0 || ss > 60))
		return -1;
	skip_cfws(&p);
	if (*p == '+' || *p == '-') {
		int sign = *p++ == '-' ? -1 : 1;
		const char *z0 = p;
		long z = digits(&p, 4);
		if (z < 0 || p - z0 != 4 || z % 100 > 59)
			return -1;
		zone = sign * (z / 100 * 3600 + z % 100 * 60);
	} else if (*p) {
		for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
			size_t l = strlen(zones[i].name);
			if (strncasecmp(p, zones[i].name, l) == 0 &&
			    !((p[l] | 0x20) >= 'a' && (p[l] | 0x20) <= 'z'))
				zone = zones[i].hours * 3600L;
		}
		/* Military and unknown zones mean "no information": UTC. */
	}
	long long days = days_from_civil(year, (unsigned)mon + 1, (unsigned)day);
	*out = days * 86400 + hh * 3600 + mm * 60 + (ss > 59 ? 59 : ss) - zone;
	return 0;
}

/* "Tue, 25 Nov 2025 12:03:00 +0000" */
void mime_codec_format_date(long long t, char out[40])
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm))
		memset(&tm, 0, sizeof(tm));
	snprintf(out, 40, "%s, %d %s %04d %02d:%02d:%02d +0000", wdays[tm.tm_wday % 7], tm.tm_mday,
		 months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

char *mime_codec_iso_date(long long t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm))
		memset(&tm, 0, sizeof(tm));
	return xasprintf("%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
			 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* ------------------------------------------------------------ modified UTF-7 */

static const char mb64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

char *mime_codec_utf7_decode(const char *s)
{
	struct buf b;
	buf_init(&b, 0);
	for (const char *p = s; *p; p++) {
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			goto bad;
		if (*p != '&') {
			buf_add(&b, p, 1);
			continue;
		}
		if (p[1] == '-') {
			buf_add(&b, "&", 1);
			p++;
			continue;
		}
		uint32_t acc = 0, hi = 0;
		int bits = 0, units = 0;
		for (p++; *p && *p != '-'; p++) {
			const char *c = strchr(mb64, *p);
			if (!c)
				goto bad;
			acc = acc << 6 | (uint32_t)(c - mb64);
			bits += 6;
			if (bits < 16)
				continue;
			bits -= 16;
			uint32_t u = acc >> bits & 0xffff;
			units++;
			if (u >= 0xd800 && u <= 0xdbff) {
				if (hi)
					goto bad;
				hi = u;
			} else if (u >= 0xdc00 && u <= 0xdfff) {
				if (!hi)
					goto bad;
				utf8_put(&b, 0x10000 + ((hi - 0xd800) << 10) + (u - 0xdc00));
				hi = 0;
			} else {
				if (hi || u == 0)
					goto bad;
				utf8_put(&b, u);
			}
		}
		if (*p != '-' || !units || hi || (acc & ((1u << bits) - 1)))
			goto bad;
	}
	return buf_detach(&b);
bad:
	buf_release(&b);
	return NULL;
}

char *mime_codec_utf7_encode(const char *s)
{
	struct buf b;
	size_t n = strlen(s), i = 0;
	buf_init(&b, 0);
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c <= 0x7e) {
			if (c == '&')
				buf_adds(&b, "&-");
			else
				buf_add(&b, s + i, 1);
			i++;
			continue;
		}
		uint32_t acc = 0;
		int bits = 0;
		buf_add(&b, "&", 1);
		while (i < n && ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)) {
			uint32_t cp;
			size_t l = mime_codec_utf8_len((const unsigned char *)s + i, n - i, &cp);
			if (!l) {
				cp = 0xfffd;
				l = 1;
			}
			i += l;
			uint32_t units[2] = {cp, 0};
			int nu = 1;
			if (cp >= 0x10000) {
				units[0] = 0xd800 + ((cp - 0x10000) >> 10);
				units[1] = 0xdc00 + ((cp - 0x10000) & 0x3ff);
				nu = 2;
			}
			for (int k = 0; k < nu; k++) {
				acc = acc << 16 | units[k];
				bits += 16;
				while (bits >= 6) {
					bits -= 6;
					buf_add(&b, &mb64[acc >> bits & 63], 1);
				}
			}
		}
		if (bits)
			buf_add(&b, &mb64[acc << (6 - bits) & 63], 1);
		buf_add(&b, "-", 1);
	}
	return buf_detach(&b);
}
