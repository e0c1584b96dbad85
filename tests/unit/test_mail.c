/* test_mail.c - mime.c's codecs, builder and parser on their own, then mail.c
 * against the loopback SMTP + IMAP server tests/mailserver/mailserver.py,
 * which this test starts itself; run from the repository root. */
#include "mail.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <utime.h>

#include "crypto.h"
#include "mime.h"
#include "mime_codec.h"
#include "t.h"
#include "util.h"

#define USER "alice@example.com"
#define PASSWORD "correct horse"
#define TOKEN "ya29.test-token"

static char tmpdir[64];
static pid_t server_pid = -1;
static long smtp_port, imap_port;

/* ------------------------------------------------------------ helpers */

static char *path_in(const char *rel)
{
	return xasprintf("%s/%s", tmpdir, rel);
}

static void write_path(const char *rel, const char *data, size_t len)
{
	char *p = path_in(rel);
	char *slash = strrchr(p, '/');
	*slash = '\0';
	mkdir_p(p, 0700, NULL);
	*slash = '/';
	FILE *f = fopen(p, "wb");
	if (f) {
		fwrite(data, 1, len, f);
		fclose(f);
	}
	free(p);
}

static char *read_path(const char *rel, size_t *len)
{
	char *p = path_in(rel);
	char *s = read_file(p, 64 << 20, len, NULL);
	free(p);
	return s;
}

/* Seed a message: mailboxes/<box>/<uid>.eml, LF line ends turned to CRLF. */
static void seed(const char *box, int uid, const char *flags, const char *text)
{
	struct buf b;
	buf_init(&b, 0);
	for (const char *p = text; *p;) {
		size_t run = strcspn(p, "\n");
		buf_add(&b, p, run);
		p += run;
		if (*p) {
			buf_adds(&b, "\r\n");
			p++;
		}
	}
	char *rel = xasprintf("store/mailboxes/%s/%d.eml", box, uid);
	write_path(rel, b.data, b.len);
	free(rel);
	if (flags) {
		rel = xasprintf("store/mailboxes/%s/%d.flags", box, uid);
		write_path(rel, flags, strlen(flags));
		free(rel);
	}
	buf_release(&b);
}

static int server_start(void)
{
	char *dir = path_in("store"), *port_file = path_in("ports");
	int ret = -1;
	server_pid = fork();
	if (server_pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 1);
		execlp("python3", "python3", "tests/mailserver/mailserver.py", "--dir", dir,
		       "--port-file", port_file, "--user", USER, "--password", PASSWORD, "--token",
		       TOKEN, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 1500 && server_pid > 0; i++) {
		char *ports = read_file(port_file, 64, NULL, NULL);
		char *sp = ports ? strchr(ports, ' ') : NULL;
		if (sp) {
			*sp = '\0';
			sp[strcspn(sp + 1, " \n") + 1] = '\0';
		}
		if (sp && parse_long(ports, &smtp_port) == 0 &&
		    parse_long(sp + 1, &imap_port) == 0) {
			free(ports);
			ret = 0;
			break;
		}
		free(ports);
		if (waitpid(server_pid, NULL, WNOHANG) == server_pid) {
			server_pid = -1;
			break;
		}
		usleep(20000);
	}
	free(dir);
	free(port_file);
	return ret;
}

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static void server_stop(void)
{
	if (server_pid > 0) {
		kill(server_pid, SIGTERM);
		waitpid(server_pid, NULL, 0);
	}
	nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static struct mail_account account(void)
{
	struct mail_account a = {
		.smtp_host = "127.0.0.1",
		.smtp_port = smtp_port,
		.imap_host = "127.0.0.1",
		.imap_port = imap_port,
		.security = "none",
		.username = USER,
		.password = PASSWORD,
		.from = "Alice Example <alice@example.com>",
		.timeout_ms = 5000,
	};
	return a;
}

static const char *str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* The i-th string of the array o[key]. */
static const char *stri(json_t *o, const char *key, size_t i)
{
	return json_string_value(json_array_get(json_object_get(o, key), i));
}

/* Every line ends in CRLF and holds at most 998 octets. */
static int lines_ok(const char *s, size_t n)
{
	size_t col = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\r') {
			if (i + 1 >= n || s[i + 1] != '\n')
				return 0;
			i++;
			col = 0;
		} else if (s[i] == '\n' || ++col > 998) {
			return 0;
		}
	}
	return 1;
}

/* ------------------------------------------------------------ mime codecs */

static void test_codecs(void)
{
	char *s;
	long long t;
	size_t n;
	unsigned char *d;

	s = mime_codec_decode_header("=?UTF-8?B?w6l0w6k=?= =?ISO-8859-1?Q?caf=E9_au_lait?= ok");
	CHECK_STR(s, "étécafé au lait ok");
	free(s);
	s = mime_codec_decode_header("Hello =?utf-8?q?W=C3=B6rld?= and =?bogus?x?y?=");
	CHECK_STR(s, "Hello Wörld and =?bogus?x?y?=");
	free(s);
	s = mime_codec_decode_header("Caf\xe9 cr\xe8me"); /* raw Latin-1 */
	CHECK_STR(s, "Café crème");
	free(s);
	s = mime_codec_decode_header("=?UTF-8?Q?line=0D=0Abreak?=");
	CHECK_STR(s, "line  break");
	free(s);

	CHECK(mime_codec_parse_date("Sat, 1 Aug 2026 09:30:00 +0200", &t) == 0 && t == 1785569400);
	CHECK(mime_codec_parse_date("1 Aug 26 07:30 GMT", &t) == 0 && t == 1785569400);
	CHECK(mime_codec_parse_date("Sat, 01 Aug 2026 03:30:00 EDT (comment)", &t) == 0 &&
	      t == 1785569400 + 0);
	CHECK(mime_codec_parse_date("yesterday", &t) < 0);
	CHECK(mime_codec_parse_date("Sat, 1 Foo 2026 09:30:00 +0200", &t) < 0);

	s = mime_codec_utf7_decode("Entw&APw-rfe &- &2D3eAA-");
	CHECK_STR(s, "Entwürfe & \xf0\x9f\x98\x80");
	free(s);
	s = mime_codec_utf7_encode("Entwürfe & \xf0\x9f\x98\x80");
	CHECK_STR(s, "Entw&APw-rfe &- &2D3eAA-");
	free(s);
	s = mime_codec_utf7_decode("bad&AB");
	CHECK(s == NULL);
	free(s);

	d = crypto_base64_decode("aGVs\r\nbG8=", 10, CRYPTO_B64_SPACE, &n);
	CHECK(d && n == 5 && memcmp(d, "hello", 5) == 0);
	free(d);
	CHECK(crypto_base64_decode("aGV$sbG8=", 9, CRYPTO_B64_SPACE, &n) == NULL);
	CHECK(crypto_base64_decode("aGVsbG8=x", 9, CRYPTO_B64_SPACE, &n) == NULL);
	CHECK(crypto_base64_decode("a", 1, CRYPTO_B64_SPACE, &n) == NULL);
	d = crypto_base64_decode("aGV$sbG8=", 9, CRYPTO_B64_LENIENT, &n);
	CHECK(d && n == 5);
	free(d);
}

static void test_addresses(void)
{
	struct mime_addr_list l = {0};
	struct err e;

	err_init(&e);
	CHECK(mime_parse_addresses("to",
				   "\"Doe, J.\" <j@d.example>, x@y.example ,Zoë <z@z.example>", &l,
				   &e) == 0);
	CHECK(l.n == 3);
	if (l.n == 3) {
		CHECK_STR(l.v[0].name, "Doe, J.");
		CHECK_STR(l.v[0].addr, "j@d.example");
		CHECK(l.v[1].name == NULL);
		CHECK_STR(l.v[2].name, "Zoë");
	}
	mime_addr_list_release(&l);
	err_init(&e);
	CHECK(mime_parse_addresses("to", "a@b.example\r\nBcc: evil@x.example", &l, &e) < 0);
	CHECK(strstr(e.msg, "line breaks") != NULL);
	err_init(&e);
	CHECK(mime_parse_addresses("cc", "not an address", &l, &e) < 0);
	CHECK(strstr(e.msg, "not a valid email address") != NULL);
	err_init(&e);
	CHECK(mime_parse_addresses("cc", "Ann <ann@x..example>", &l, &e) < 0);
	mime_addr_list_release(&l);
}

/* Build a message and parse it back: structure, encodings, line limits. */
static void test_build_parse(void)
{
	struct mime_addr from = {"Ålice", "alice@example.com"};
	struct mime_addr_list to = {0}, cc = {0};
	struct err e;
	struct buf out;
	unsigned char bin[700];
	struct buf text, subject;

	for (size_t i = 0; i < sizeof(bin); i++)
		bin[i] = (unsigned char)(i * 7);
	buf_init(&text, 0);
	buf_init(&subject, 0);
	for (int i = 0; i < 60; i++)
		buf_adds(&text, "Grüße, très long line without a break ");
	buf_adds(&text, "\n.leading dot\nend with blank \n");
	for (int i = 0; i < 12; i++)
		buf_adds(&subject, "Rapport trimestriel — résumé ");
	err_init(&e);
	mime_parse_addresses("to", "Bob <bob@example.net>, carol@example.net", &to, &e);
	mime_parse_addresses("cc", "\"Dan \\\"D\\\" Q\" <dan@example.net>", &cc, &e);
	struct mime_attachment att[2] = {
		{"data.bin", "application/octet-stream", bin, sizeof(bin)},
		{"Ünïcödé naïve file name.txt", NULL, (const unsigned char *)"hi", 2},
	};
	struct mime_message m = {
		.from = &from,
		.to = &to,
		.cc = &cc,
		.subject = subject.data,
		.text = text.data,
		.html = "<p>Grüße</p>",
		.att = att,
		.natt = 2,
		.message_id = "<abc@example.com>",
		.date = 1785569400,
		.boundary = "B0undary",
	};
	buf_init(&out, 1 << 20);
	CHECK(mime_build(&m, &out, &e) == 0);
	CHECK(lines_ok(out.data, out.len));
	CHECK(strstr(out.data, "Date: Sat, 1 Aug 2026 07:30:00 +0000\r\n") != NULL);
	CHECK(strstr(out.data, "Subject: =?UTF-8?B?") != NULL);
	CHECK(strstr(out.data, "Content-Type: multipart/mixed") != NULL);
	CHECK(strstr(out.data, "Content-Transfer-Encoding: quoted-printable") != NULL);
	CHECK(strstr(out.data, "filename*=UTF-8''%C3%9Cn%C3%AF") != NULL);
	CHECK(strstr(out.data, "\"Dan \\\"D\\\" Q\" <dan@example.net>") != NULL);

	json_t *p = mime_parse_message(out.data, out.len, NULL);
	CHECK_STR(str(p, "subject"), subject.data);
	CHECK_STR(str(p, "from"), "Ålice <alice@example.com>");
	CHECK(json_array_size(json_object_get(p, "to")) == 2);
	CHECK_STR(stri(p, "to", 0), "Bob <bob@example.net>");
	CHECK_STR(stri(p, "to", 1), "<carol@example.net>");
	CHECK_STR(stri(p, "cc", 0), "Dan \"D\" Q <dan@example.net>");
	CHECK_STR(str(p, "date"), "2026-08-01T07:30:00Z");
	CHECK_STR(str(p, "message_id"), "<abc@example.com>");
	CHECK_STR(str(p, "text"), text.data);
	CHECK_STR(str(p, "html"), "<p>Grüße</p>");
	CHECK(json_object_get(p, "truncated") == NULL);
	json_t *atts = json_object_get(p, "attachments");
	CHECK(json_array_size(atts) == 2);
	CHECK_STR(str(json_array_get(atts, 0), "filename"), "data.bin");
	CHECK_STR(str(json_array_get(atts, 0), "part"), "2");
	CHECK(json_integer_value(json_object_get(json_array_get(atts, 0), "size")) == 700);
	CHECK(json_object_get(json_array_get(atts, 0), "content_base64") == NULL);
	CHECK_STR(str(json_array_get(atts, 1), "filename"), "Ünïcödé naïve file name.txt");
	CHECK_STR(str(json_array_get(atts, 1), "content_type"), "application/octet-stream");
	CHECK_STR(str(json_array_get(atts, 1), "part"), "3");
	json_decref(p);

	/* Options: a cut by characters (not bytes), attachment content in a budget. */
	struct mime_parse_opts opts = {
		.max_chars = 3, .max_content = 700, .with_content = 1, .fallback_date = -1};
	p = mime_parse_message(out.data, out.len, &opts);
	CHECK_STR(str(p, "text"), "Grü");
	CHECK_STR(str(p, "html"), "<p>");
	CHECK(json_object_get(p, "truncated") == json_true());
	atts = json_object_get(p, "attachments");
	size_t dl = 0;
	const char *b64 = str(json_array_get(atts, 0), "content_base64");
	unsigned char *dec =
		b64 ? crypto_base64_decode(b64, strlen(b64), CRYPTO_B64_SPACE, &dl) : NULL;
	CHECK(dec && dl == sizeof(bin) && memcmp(dec, bin, sizeof(bin)) == 0);
	free(dec);
	CHECK(json_object_get(json_array_get(atts, 1), "content_omitted") == json_true());
	json_decref(p);

	/* Header injection is refused even past mail.c's own checks. */
	buf_reset(&out);
	err_init(&e);
	m.subject = "hi\r\nBcc: evil@example.com";
	CHECK(mime_build(&m, &out, &e) < 0);
	CHECK(strstr(e.msg, "subject must not contain line breaks") != NULL);
	m.subject = "ok";
	att[1].filename = "x\ny";
	err_init(&e);
	CHECK(mime_build(&m, &out, &e) < 0);
	att[1].filename = "x.txt";
	att[1].content_type = "text/plain; charset=utf-8";
	err_init(&e);
	CHECK(mime_build(&m, &out, &e) < 0);

	/* A size cap is reported, not overrun. */
	att[1].content_type = NULL;
	buf_release(&out);
	buf_init(&out, 1000);
	err_init(&e);
	CHECK(mime_build(&m, &out, &e) < 0);
	CHECK(strstr(e.msg, "larger than 1000 bytes") != NULL);

	buf_release(&out);
	buf_release(&text);
	buf_release(&subject);
	mime_addr_list_release(&to);
	mime_addr_list_release(&cc);
}

/* A message from elsewhere: Latin-1 quoted-printable, base64 HTML, RFC 2231
 * continuations, a nested message, LF line ends, a missing close delimiter. */
static void test_parse_foreign(void)
{
	static const char raw[] = "From: =?iso-8859-1?q?J=F6rg?= <jorg@example.de>\n"
				  "To: you@example.com\n"
				  "Subject: =?utf-8?b?0J/RgNC40LLQtdGC?=\n"
				  " =?utf-8?b?INC80LjRgA==?=\n"
				  "Date: Mon, 3 Aug 2026 10:00:00 -0000\n"
				  "References: <a@example.de>\n <b@example.de>\n"
				  "Content-Type: multipart/mixed; boundary=\"outer\"\n"
				  "\n"
				  "preamble\n"
				  "--outer\n"
				  "Content-Type: multipart/alternative; boundary=inner\n"
				  "\n"
				  "--inner\n"
				  "Content-Type: text/plain; charset=ISO-8859-1\n"
				  "Content-Transfer-Encoding: quoted-printable\n"
				  "\n"
				  "Gr=FC=DFe aus K=F6ln, a soft=\n"
				  " break.\n"
				  "--inner\n"
				  "Content-Type: text/html; charset=utf-8\n"
				  "Content-Transfer-Encoding: base64\n"
				  "\n"
				  "PGI+R3LDvMOfZTwvYj4=\n"
				  "--inner--\n"
				  "--outer\n"
				  "Content-Type: application/pdf\n"
				  "Content-Disposition: attachment;\n"
				  " filename*0*=UTF-8''%E2%82%AC%20report;\n"
				  " filename*1=\" final.pdf\"\n"
				  "Content-Transfer-Encoding: base64\n"
				  "\n"
				  "JVBERi0xLjQK\n"
				  "--outer\n"
				  "Content-Type: message/rfc822\n"
				  "\n"
				  "Subject: inner\n"
				  "\n"
				  "inner body\n";
	json_t *p = mime_parse_message(raw, sizeof(raw) - 1, NULL);
	CHECK_STR(str(p, "from"), "Jörg <jorg@example.de>");
	CHECK_STR(stri(p, "to", 0), "you@example.com");
	CHECK(json_array_size(json_object_get(p, "cc")) == 0);
	CHECK_STR(str(p, "subject"), "Привет мир");
	CHECK_STR(str(p, "date"), "2026-08-03T10:00:00Z");
	CHECK_STR(stri(p, "references", 1), "<b@example.de>");
	CHECK_STR(str(p, "text"), "Grüße aus Köln, a soft break.");
	CHECK_STR(str(p, "html"), "<b>Grüße</b>");
	json_t *atts = json_object_get(p, "attachments");
	CHECK(json_array_size(atts) == 2);
	CHECK_STR(str(json_array_get(atts, 0), "filename"), "€ report final.pdf");
	CHECK_STR(str(json_array_get(atts, 0), "part"), "2");
	CHECK_STR(str(json_array_get(atts, 1), "part"), "3");
	CHECK_STR(str(json_array_get(atts, 0), "content_type"), "application/pdf");
	CHECK(json_integer_value(json_object_get(json_array_get(atts, 0), "size")) == 9);
	CHECK_STR(str(json_array_get(atts, 1), "content_type"), "message/rfc822");
	CHECK_STR(str(json_array_get(atts, 1), "filename"), "message.eml");
	json_decref(p);

	/* Junk never fails: it comes back as text. */
	p = mime_parse_message("\x01\xff garbage without headers", 26, NULL);
	CHECK_STR(str(p, "text"), "\x01\xef\xbf\xbd garbage without headers");
	json_decref(p);
}

/* ------------------------------------------------------------ SMTP */

static const char *html_body = "<p>Hello <b>Bob</b> — ça va?</p>";

static void test_send(void)
{
	struct mail_account a = account();
	json_t *res = NULL;
	struct err e;
	unsigned char bin[1000];

	for (size_t i = 0; i < sizeof(bin); i++)
		bin[i] = (unsigned char)(i * 131 + 7);
	char *b64 = crypto_base64(bin, sizeof(bin), 0);
	json_t *args = json_pack("{s:[s,s], s:s, s:s, s:s, s:s, s:s, s:[{s:s, s:s, s:s}]}", "to",
				 "Bob Example <bob@example.net>", "carol@example.net", "cc",
				 "Dan <dan@example.net>", "bcc", "hidden@example.org", "subject",
				 "Résumé ✓ — quarterly numbers", "text",
				 "Hello Bob,\n.this line starts with a dot\nBye", "html", html_body,
				 "attachments", "filename", "Zahlen März.bin", "content_type",
				 "application/octet-stream", "content_base64", b64);
	err_init(&e);
	CHECK(mail_send(&a, args, &res, &e) == 0);
	if (e.msg[0])
		fprintf(stderr, "mail_send: %s\n", e.msg);
	CHECK(res && str(res, "message_id") && str(res, "message_id")[0] == '<');
	CHECK(json_array_size(json_object_get(res, "accepted")) == 4);
	CHECK_STR(stri(res, "accepted", 3), "hidden@example.org");
	CHECK(json_is_array(json_object_get(res, "rejected")));
	CHECK(json_array_size(json_object_get(res, "rejected")) == 0);

	size_t n = 0;
	char *stored = read_path("store/sent/1.eml", &n);
	CHECK(stored != NULL);
	if (stored) {
		CHECK(lines_ok(stored, n));
		CHECK(strncmp(stored, "Date: ", 6) == 0);
		CHECK(strstr(stored, "\r\nMessage-ID: <") != NULL);
		CHECK(strstr(stored, "@example.com>\r\n") != NULL);
		CHECK(strstr(stored, "\r\nSubject: =?UTF-8?B?") != NULL);
		CHECK(strstr(stored, "\r\nMIME-Version: 1.0\r\n") != NULL);
		CHECK(strstr(stored, "\r\nContent-Type: multipart/mixed;") != NULL);
		CHECK(strstr(stored, "\r\nContent-Type: multipart/alternative;") != NULL);
		CHECK(strstr(stored, "\r\nContent-Type: text/plain; charset=utf-8") != NULL);
		CHECK(strstr(stored, "\r\nContent-Type: text/html; charset=utf-8") != NULL);
		CHECK(strstr(stored, "filename*=UTF-8''Zahlen%20M%C3%A4rz.bin") != NULL);
		CHECK(strstr(stored, "\r\n.this line starts with a dot") != NULL);
		/* No Bcc header line (random ids may contain the letters "bcc"). */
		CHECK(strcasestr(stored, "\r\nbcc:") == NULL &&
		      strncasecmp(stored, "bcc:", 4) != 0);
		CHECK(strstr(stored, "hidden@example.org") == NULL);
		CHECK(strstr(stored,
			     "To: \"Bob Example\" <bob@example.net>,\r\n <carol@example.net>") !=
		      NULL);

		/* The parsed message says what we sent. */
		json_t *p = mime_parse_message(stored, n, NULL);
		CHECK_STR(str(p, "subject"), "Résumé ✓ — quarterly numbers");
		CHECK_STR(str(p, "message_id"), str(res, "message_id"));
		CHECK_STR(str(p, "text"), "Hello Bob,\n.this line starts with a dot\nBye");
		json_decref(p);

		/* The attachment's base64 decodes to the bytes we gave. */
		const char *fn = strstr(stored, "Zahlen%20M%C3%A4rz.bin");
		const char *body = fn ? strstr(fn, "\r\n\r\n") : NULL;
		const char *end = body ? strstr(body + 4, "\r\n--=_") : NULL;
		size_t dl = 0;
		unsigned char *dec = end ? crypto_base64_decode(body + 4, (size_t)(end - body - 4),
								CRYPTO_B64_SPACE, &dl)
					 : NULL;
		CHECK(dec && dl == sizeof(bin) && memcmp(dec, bin, sizeof(bin)) == 0);
		free(dec);
	}
	free(stored);

	/* Bcc is in the envelope only. */
	char *env_text = read_path("store/sent/1.json", NULL);
	json_t *env = env_text ? json_loads(env_text, 0, NULL) : NULL;
	json_t *rcpt = json_object_get(env, "rcpt_to");
	CHECK(json_array_size(rcpt) == 4);
	CHECK_STR(json_string_value(json_array_get(rcpt, 3)), "hidden@example.org");
	CHECK_STR(str(env, "mail_from"), "alice@example.com");
	json_decref(env);
	free(env_text);
	json_decref(res);
	json_decref(args);
	free(b64);
}

static void test_send_xoauth2(void)
{
	struct mail_account a = account();
	json_t *res = NULL;
	struct err e;
	json_t *args = json_pack("{s:s, s:s, s:s}", "to", "bob@example.net", "subject", "token",
				 "text", "sent with XOAUTH2");
	a.password = NULL;
	a.oauth_token = TOKEN;
	err_init(&e);
	CHECK(mail_send(&a, args, &res, &e) == 0);
	json_decref(res);
	res = NULL;

	a.oauth_token = "ya29.expired-token";
	err_init(&e);
	CHECK(mail_send(&a, args, &res, &e) < 0 && res == NULL);
	CHECK(strstr(e.msg, "smtp send to '127.0.0.1' failed") != NULL);
	CHECK(strstr(e.msg, "expired-token") == NULL);
	json_decref(args);
}

/* One recipient refused: the others still get it, and the result says who. */
static void test_send_partial(void)
{
	struct mail_account a = account();
	json_t *res = NULL;
	struct err e;
	json_t *args = json_pack("{s:[s,s], s:s, s:s}", "to", "bob@example.net",
				 "reject-this@example.net", "subject", "partial", "text", "x");
	err_init(&e);
	CHECK(mail_send(&a, args, &res, &e) == 0);
	CHECK(json_array_size(json_object_get(res, "accepted")) == 1);
	CHECK_STR(stri(res, "accepted", 0), "bob@example.net");
	CHECK(json_array_size(json_object_get(res, "rejected")) == 1);
	CHECK_STR(stri(res, "rejected", 0), "reject-this@example.net");
	json_decref(res);
	json_decref(args);
}

static void test_send_errors(void)
{
	struct mail_account a = account();
	json_t *res = NULL, *args;
	struct err e;

	/* A wrong password: our words and curl's, never the password. */
	a.password = "hunter2-wrong";
	args = json_pack("{s:s, s:s, s:s}", "to", "bob@example.net", "subject", "x", "text", "y");
	err_init(&e);
	CHECK(mail_send(&a, args, &res, &e) < 0 && res == NULL);
	CHECK_STR(e.msg, "smtp send to '127.0.0.1' failed: Login denied");
	CHECK(strstr(e.msg, "hunter2") == NULL);
	json_decref(args);
	a = account();

	/* Header injection through the subject, an address, a file name. */
	args = json_pack("{s:s, s:s, s:s}", "to", "bob@example.net", "subject",
			 "hello\r\nBcc: evil@example.com", "text", "y");
	err_init(&e);
	CHECK(mail_send(&a, args, &res, &e) < 0);
	CHECK_STR(e.msg, "subject must not contain line breaks");
	json_decref(args);
	args = json_pack("{s:s, s:s}", "to", "bob@example.net\nBcc: evil@example.com", "subject",
			 "x");
	err_init(&e);
	CHECK(mail_send(&a, args, &res, &e) < 0);
	CHECK(strstr(e.msg, "to must not contain line breaks") != NULL);
	json_decref(args);
	args = json_pack("{s:s, s:s, s:[{s:s, s:s}]}", "to", "bob@example.net", "subject", "x",
			 "attachments", "filename", "a\r\nb", "content_base64", "aGk=");
	err_init(&e);
	CHECK(mail_send(&a, args, &res, &e) < 0);
	CHECK(strstr(e.msg, "attachment filename must not contain line breaks") != NULL);
	json_decref(args);

	/* Bad base64, a rejected recipient, no recipients, a bad reply id. */
	args = json_pack("{s:s, s:s, s:[{s:s, s:s}]}", "to", "bob@example.net", "subject", "x",
			 "attachments", "filename", "a.txt", "content_base64", "not base64!");
	err_init(&e);
	CHECK(mail_send(&a, args, &res, &e) < 0);
	CHECK_STR(e.msg, "attachments[0].content_base64 is not valid base64");
	json_decref(args);
	args = json_pack("{s:s, s:s}", "to", "reject-me@example.net", "subject", "x");
	err_init(&e);
	CHECK(mail_send(&a, args, &res, &e) < 0);
	CHECK_STR(e.msg, "smtp send to '127.0.0.1' failed: every recipient was refused "
			 "(reject-me@example.net: 550 5.1.1 no such user)");
	json_decref(args);
	args = json_pack("{s:[], s:s}", "to", "subject", "x");
	err_init(&e);
	CHECK(mail_send(&a, args, &res, &e) < 0);
	CHECK_STR(e.msg, "no recipients: give to, cc or bcc");
	json_decref(args);
	args = json_pack("{s:s, s:s, s:s}", "to", "bob@example.net", "subject", "x", "in_reply_to",
			 "no brackets");
	err_init(&e);
	CHECK(mail_send(&a, args, &res, &e) < 0);
	json_decref(args);

	/* Plain text only to this machine. */
	args = json_pack("{s:s, s:s}", "to", "bob@example.net", "subject", "x");
	a.smtp_host = "smtp.example.com";
	err_init(&e);
	CHECK(mail_send(&a, args, &res, &e) < 0);
	CHECK(strstr(e.msg, "only allowed to this machine") != NULL);
	a.smtp_host = "evil.example/path?x";
	err_init(&e);
	CHECK(mail_send(&a, args, &res, &e) < 0);
	CHECK(strstr(e.msg, "is not a host name") != NULL);
	/* STARTTLS is required, never skipped: this server does not offer it. */
	a = account();
	a.security = "starttls";
	err_init(&e);
	CHECK(mail_send(&a, args, &res, &e) < 0);
	CHECK(strstr(e.msg, "smtp send to '127.0.0.1' failed: ") != NULL);
	CHECK(strstr(e.msg, "STARTTLS") != NULL);
	a = account();
	a.security = "ssl3";
	err_init(&e);
	CHECK(mail_send(&a, args, &res, &e) < 0);
	CHECK(strstr(e.msg, "unknown security") != NULL);
	json_decref(args);
	CHECK(res == NULL);
}

/* ------------------------------------------------------------ IMAP */

static void seed_store(void)
{
	static const char *froms[] = {"Bob <bob@example.net>", "carol@example.net",
				      "Bob <bob@example.net>",
				      "=?UTF-8?B?Wm/Dqw==?= <zoe@example.org>", "dan@example.net"};
	for (int i = 1; i <= 5; i++) {
		char *m = xasprintf(
			"From: %s\nTo: alice@example.com\nSubject: =?UTF-8?Q?Note_n=C2=B0%d?=\n"
			"Date: %d Jul 2026 10:00:00 +0000\nMessage-ID: <m%d@example.net>\n"
			"\nbody %d\n",
			froms[i - 1], i, i, i, i);
		seed("Archive", i, i % 2 ? "\\Seen" : NULL, m);
		free(m);
	}
	seed("INBOX", 1, NULL,
	     "From: Bob <bob@example.net>\nTo: alice@example.com\nSubject: Hi\n"
	     "Date: Wed, 1 Jul 2026 08:00:00 +0000\n\nhello\n");
	seed("Entwürfe", 7, NULL,
	     "From: alice@example.com\nTo: bob@example.net\nSubject: draft\n\nunfinished\n");
	seed("Say \"hi\"", 1, NULL, "Subject: quoted box\n\nx\n");
	/* No Date header: the date comes from INTERNALDATE (here the mtime). */
	seed("Archive/2025", 1, NULL, "Subject: old\n\nx\n");
	char *p = path_in("store/mailboxes/Archive/2025/1.eml");
	struct utimbuf ut = {1735689600, 1735689600}; /* 2025-01-01T00:00:00Z */
	utime(p, &ut);
	free(p);
}

static json_t *find_box(json_t *boxes, const char *name)
{
	size_t i;
	json_t *b;
	json_array_foreach(boxes, i, b) {
		if (str(b, "name") && strcmp(str(b, "name"), name) == 0)
			return b;
	}
	return NULL;
}

static void test_mailboxes(void)
{
	struct mail_account a = account();
	json_t *res = NULL, *args = json_object(), *b;
	struct err e;

	err_init(&e);
	CHECK(mail_mailboxes(&a, args, &res, &e) == 0);
	CHECK(json_is_array(res));
	CHECK(find_box(res, "INBOX") != NULL);
	CHECK((b = find_box(res, "Archive")) != NULL);
	CHECK_STR(str(b, "delimiter"), "/");
	CHECK_STR(json_string_value(json_array_get(json_object_get(b, "flags"), 0)),
		  "\\HasChildren");
	CHECK(find_box(res, "Archive/2025") != NULL);
	CHECK(find_box(res, "Entwürfe") != NULL);   /* modified UTF-7 on the wire */
	CHECK(find_box(res, "Say \"hi\"") != NULL); /* a literal on the wire */
	CHECK_STR(str(b, "special_use"), "\\Archive");
	CHECK(json_object_get(find_box(res, "INBOX"), "special_use") == NULL);
	CHECK(json_object_get(b, "messages") == NULL);
	json_decref(res);
	res = NULL;

	/* A LIST pattern (% stops at the delimiter), and STATUS counts. */
	json_object_set_new(args, "pattern", json_string("Arch%"));
	json_object_set_new(args, "include_counts", json_true());
	err_init(&e);
	CHECK(mail_mailboxes(&a, args, &res, &e) == 0);
	CHECK(json_array_size(res) == 1);
	b = json_array_get(res, 0);
	CHECK_STR(str(b, "name"), "Archive");
	CHECK(json_integer_value(json_object_get(b, "messages")) == 5);
	CHECK(json_integer_value(json_object_get(b, "unseen")) == 2);
	CHECK(json_integer_value(json_object_get(b, "uidnext")) == 6);
	CHECK(json_integer_value(json_object_get(b, "uidvalidity")) == 1);
	json_decref(res);
	res = NULL;
	json_object_set_new(args, "pattern", json_string("Entw*"));
	err_init(&e);
	CHECK(mail_mailboxes(&a, args, &res, &e) == 0);
	CHECK(json_array_size(res) == 1 && find_box(res, "Entwürfe"));
	CHECK(json_integer_value(json_object_get(json_array_get(res, 0), "messages")) == 1);
	json_decref(res);
	res = NULL;
	json_object_clear(args);

	a.password = "wrong-password-123";
	err_init(&e);
	CHECK(mail_mailboxes(&a, args, &res, &e) < 0 && res == NULL);
	CHECK_STR(e.msg, "imap login to '127.0.0.1' failed: Login denied");

	a = account();
	a.security = "starttls";
	err_init(&e);
	CHECK(mail_mailboxes(&a, args, &res, &e) < 0 && res == NULL);
	CHECK(strstr(e.msg, "imap login to '127.0.0.1' failed: ") && strstr(e.msg, "STARTTLS"));

	a = account();
	a.password = NULL;
	a.oauth_token = TOKEN;
	err_init(&e);
	CHECK(mail_mailboxes(&a, args, &res, &e) == 0);
	json_decref(res);
	json_decref(args);
}

static json_t *list(const char *mailbox, const char *search, int limit, const char *cursor,
		    struct err *e)
{
	struct mail_account a = account();
	json_t *res = NULL, *args = json_object();
	if (mailbox)
		json_object_set_new(args, "mailbox", json_string(mailbox));
	if (search)
		json_object_set_new(args, "search", json_string(search));
	if (limit)
		json_object_set_new(args, "limit", json_integer(limit));
	if (cursor)
		json_object_set_new(args, "cursor", json_string(cursor));
	err_init(e);
	if (mail_list(&a, args, &res, e) < 0)
		res = NULL;
	json_decref(args);
	return res;
}

static json_int_t uid_at(json_t *res, size_t i)
{
	return json_integer_value(
		json_object_get(json_array_get(json_object_get(res, "data"), i), "uid"));
}

static void test_list(void)
{
	struct err e;
	json_t *r, *m;
	char *cursor;

	/* Newest first, two at a time, following next_cursor to the end. */
	r = list("Archive", NULL, 2, NULL, &e);
	CHECK(r && json_array_size(json_object_get(r, "data")) == 2);
	CHECK(uid_at(r, 0) == 5 && uid_at(r, 1) == 4);
	m = json_array_get(json_object_get(r, "data"), 1);
	CHECK_STR(str(m, "subject"), "Note n°4");
	CHECK_STR(str(m, "from"), "Zoë <zoe@example.org>");
	CHECK_STR(stri(m, "to", 0), "alice@example.com");
	CHECK(json_array_size(json_object_get(m, "cc")) == 0);
	CHECK_STR(str(m, "date"), "2026-07-04T10:00:00Z");
	CHECK_STR(str(m, "message_id"), "<m4@example.net>");
	CHECK(json_array_size(json_object_get(m, "flags")) == 0);
	CHECK(json_integer_value(json_object_get(m, "size")) > 100);
	CHECK(json_integer_value(json_object_get(m, "uidvalidity")) == 1);
	CHECK(json_object_get(m, "has_attachments") == json_false());
	CHECK(json_object_get(r, "has_more") == json_true());
	CHECK_STR(json_string_value(json_array_get(
			  json_object_get(json_array_get(json_object_get(r, "data"), 0), "flags"),
			  0)),
		  "\\Seen");
	CHECK_STR(str(r, "next_cursor"), "1:4");
	cursor = xstrdup(str(r, "next_cursor") ? str(r, "next_cursor") : "");
	json_decref(r);

	r = list("Archive", NULL, 2, cursor, &e);
	CHECK(r && uid_at(r, 0) == 3 && uid_at(r, 1) == 2);
	CHECK_STR(str(r, "next_cursor"), "1:2");
	free(cursor);
	cursor = xstrdup(str(r, "next_cursor") ? str(r, "next_cursor") : "");
	json_decref(r);

	r = list("Archive", NULL, 2, cursor, &e);
	CHECK(r && json_array_size(json_object_get(r, "data")) == 1 && uid_at(r, 0) == 1);
	CHECK(r && json_object_get(r, "next_cursor") == NULL);
	CHECK(r && json_object_get(r, "has_more") == json_false());
	free(cursor);
	json_decref(r);

	/* A stale cursor (other UIDVALIDITY) is refused. */
	r = list("Archive", NULL, 2, "99:3", &e);
	CHECK(r == NULL && strstr(e.msg, "cursor is stale") != NULL);

	/* Search criteria go to the server as they are. */
	r = list("Archive", "UNSEEN", 0, NULL, &e);
	CHECK(r && json_array_size(json_object_get(r, "data")) == 2);
	CHECK(uid_at(r, 0) == 4 && uid_at(r, 1) == 2);
	json_decref(r);
	r = list("Archive", "FROM bob SINCE 2-Jul-2026", 0, NULL, &e);
	CHECK(r && json_array_size(json_object_get(r, "data")) == 1 && uid_at(r, 0) == 3);
	json_decref(r);
	r = list("Archive", "UNSEEN\r\nA1 DELETE INBOX", 0, NULL, &e);
	CHECK(r == NULL && strstr(e.msg, "search must be IMAP criteria on one line") != NULL);

	/* Text that is not ASCII goes as literals after CHARSET UTF-8. */
	r = list("Archive", "FROM \"Zoë\"", 0, NULL, &e);
	CHECK(r && json_array_size(json_object_get(r, "data")) == 1 && uid_at(r, 0) == 4);
	json_decref(r);
	r = list("Archive", "OR SUBJECT \"n°3\" SUBJECT \"n°5\" SEEN", 0, NULL, &e);
	CHECK(r && json_array_size(json_object_get(r, "data")) == 2);
	CHECK(uid_at(r, 0) == 5 && uid_at(r, 1) == 3);
	json_decref(r);
	r = list("Archive", "SUBJECT \"n°\"", 2, "1:4", &e); /* with a cursor too */
	CHECK(r && uid_at(r, 0) == 3 && uid_at(r, 1) == 2);
	json_decref(r);
	r = list("Archive", "FROM Zoë", 0, NULL, &e);
	CHECK(r == NULL && strstr(e.msg, "must be in double quotes") != NULL);
	r = list("Archive", "FROM \"Zoë", 0, NULL, &e);
	CHECK(r == NULL && strstr(e.msg, "unbalanced") != NULL);
	r = list("Archive", "SUBJECT {5}", 0, NULL, &e);
	CHECK(r == NULL && strstr(e.msg, "literal") != NULL);
	r = list("Archive", "NONSENSE", 0, NULL, &e);
	CHECK(r == NULL && strstr(e.msg, "imap search on '127.0.0.1' failed: BAD") != NULL);

	/* Mailbox names: non-ASCII, missing, default INBOX, empty result. */
	r = list("Entwürfe", NULL, 0, NULL, &e);
	CHECK(r && uid_at(r, 0) == 7);
	CHECK(r && str(json_array_get(json_object_get(r, "data"), 0), "subject") &&
	      strcmp(str(json_array_get(json_object_get(r, "data"), 0), "subject"), "draft") == 0);
	json_decref(r);
	r = list("Say \"hi\"", NULL, 0, NULL, &e); /* quoted on the wire */
	CHECK(r && uid_at(r, 0) == 1);
	json_decref(r);
	r = list("Archive/2025", NULL, 0, NULL, &e);
	CHECK(r && uid_at(r, 0) == 1);
	CHECK_STR(str(json_array_get(json_object_get(r, "data"), 0), "date"),
		  "2025-01-01T00:00:00Z"); /* INTERNALDATE: the message has no Date */
	json_decref(r);

	/* BODYSTRUCTURE tells which messages have attachments. */
	r = list(NULL, NULL, 0, NULL, &e);
	m = json_object_get(r, "data");
	for (size_t i = 0; i < json_array_size(m); i++) {
		json_int_t uid = json_integer_value(json_object_get(json_array_get(m, i), "uid"));
		json_t *has = json_object_get(json_array_get(m, i), "has_attachments");
		CHECK(has == (uid == 2 ? json_true() : json_false()));
	}
	json_decref(r);
	r = list("Nope", NULL, 0, NULL, &e);
	CHECK(r == NULL && strstr(e.msg, "imap examine 'Nope' on '127.0.0.1' failed: NO") != NULL);
	r = list(NULL, "SUBJECT nothing-matches", 0, NULL, &e);
	CHECK(r && json_array_size(json_object_get(r, "data")) == 0);
	json_decref(r);

	/* Listing does not mark anything read. */
	r = list("Archive", "UNSEEN", 0, NULL, &e);
	CHECK(r && json_array_size(json_object_get(r, "data")) == 2);
	json_decref(r);
	char *log = read_path("store/imap.log", NULL);
	CHECK(log && strstr(log, "EXAMINE") && !strstr(log, " SELECT ") && !strstr(log, "BODY[") &&
	      strstr(log, "BODY.PEEK["));
	free(log);
}

static void test_read(void)
{
	struct mail_account a = account();
	struct err e;
	json_t *res = NULL, *args;

	/* The message test_send delivered to INBOX (uid 2 after the seed). */
	args = json_pack("{s:i}", "uid", 2);
	err_init(&e);
	CHECK(mail_read(&a, args, &res, &e) == 0);
	if (e.msg[0])
		fprintf(stderr, "mail_read: %s\n", e.msg);
	CHECK_STR(str(res, "subject"), "Résumé ✓ — quarterly numbers");
	CHECK_STR(str(res, "from"), "Alice Example <alice@example.com>");
	CHECK_STR(stri(res, "to", 0), "Bob Example <bob@example.net>");
	CHECK_STR(stri(res, "to", 1), "<carol@example.net>");
	CHECK_STR(stri(res, "cc", 0), "Dan <dan@example.net>");
	CHECK(json_integer_value(json_object_get(res, "uidvalidity")) == 1);
	CHECK_STR(str(res, "mailbox"), "INBOX");
	CHECK_STR(str(res, "text"), "Hello Bob,\n.this line starts with a dot\nBye");
	CHECK(str(res, "html") && strncmp(str(res, "html"), html_body, strlen(html_body)) == 0);
	json_t *att = json_array_get(json_object_get(res, "attachments"), 0);
	CHECK_STR(str(att, "filename"), "Zahlen März.bin");
	CHECK_STR(str(att, "content_type"), "application/octet-stream");
	CHECK_STR(str(att, "part"), "2");
	CHECK(json_integer_value(json_object_get(att, "size")) == 1000);
	CHECK(json_object_get(att, "content_base64") == NULL);
	CHECK(json_integer_value(json_object_get(res, "uid")) == 2);
	CHECK(json_object_get(res, "truncated") == NULL);
	CHECK(json_array_size(json_object_get(res, "flags")) == 0); /* still unseen */
	json_decref(res);
	json_decref(args);
	res = NULL;

	/* Attachment bytes on request; a character cut; marking it seen. */
	args = json_pack("{s:i, s:b, s:i, s:b, s:i}", "uid", 2, "include_attachments", 1,
			 "max_chars", 5, "mark_seen", 1, "uidvalidity", 1);
	err_init(&e);
	CHECK(mail_read(&a, args, &res, &e) == 0);
	CHECK_STR(str(res, "text"), "Hello");
	CHECK(json_object_get(res, "truncated") == json_true());
	CHECK_STR(stri(res, "flags", 0), "\\Seen");
	att = json_array_get(json_object_get(res, "attachments"), 0);
	const char *b64 = str(att, "content_base64");
	size_t dl = 0;
	unsigned char *dec =
		b64 ? crypto_base64_decode(b64, strlen(b64), CRYPTO_B64_SPACE, &dl) : NULL;
	CHECK(dec && dl == 1000 && dec[0] == 7 && dec[999] == (unsigned char)(999 * 131 + 7));
	free(dec);
	json_decref(res);
	json_decref(args);
	res = NULL;
	char *flags = read_path("store/mailboxes/INBOX/2.flags", NULL);
	CHECK(flags && strstr(flags, "\\Seen"));
	free(flags);

	args = json_pack("{s:s, s:s}", "mailbox", "Archive", "uid", "4");
	err_init(&e);
	CHECK(mail_read(&a, args, &res, &e) == 0);
	CHECK_STR(str(res, "text"), "body 4\n");
	CHECK(json_object_get(res, "html") == NULL);
	CHECK(json_array_size(json_object_get(res, "attachments")) == 0);
	json_decref(res);
	json_decref(args);
	res = NULL;

	/* A uid from before the mailbox was renumbered is refused. */
	args = json_pack("{s:s, s:i, s:i}", "mailbox", "Archive", "uid", 4, "uidvalidity", 7);
	err_init(&e);
	CHECK(mail_read(&a, args, &res, &e) < 0 && res == NULL);
	CHECK(strstr(e.msg, "uidvalidity 7 no longer matches mailbox 'Archive' (now 1)") != NULL);
	json_decref(args);

	args = json_pack("{s:i}", "uid", 99);
	err_init(&e);
	CHECK(mail_read(&a, args, &res, &e) < 0 && res == NULL);
	CHECK_STR(e.msg, "no message with uid 99 in mailbox 'INBOX'");
	json_decref(args);
	args = json_pack("{s:i}", "uid", -3);
	err_init(&e);
	CHECK(mail_read(&a, args, &res, &e) < 0);
	CHECK(strstr(e.msg, "uid must be a message uid") != NULL);
	json_decref(args);
}

/* A message over the 10 MiB read cap comes back cut, and says so. */
static void test_read_truncated(void)
{
	struct mail_account a = account();
	struct err e;
	json_t *res = NULL, *args = json_pack("{s:s, s:i}", "mailbox", "Big", "uid", 1);
	size_t n = (11u << 20);
	char *big = xmalloc(n + 1);
	memset(big, 'x', n);
	for (size_t i = 99; i < n; i += 100)
		big[i] = '\n';
	memcpy(big, "Subject: big\n\n", 14);
	big[n] = '\0';
	seed("Big", 1, NULL, big);
	free(big);
	err_init(&e);
	CHECK(mail_read(&a, args, &res, &e) == 0);
	CHECK(json_object_get(res, "truncated") == json_true());
	CHECK(json_integer_value(json_object_get(res, "size")) > (11 << 20));
	CHECK(str(res, "text") && strlen(str(res, "text")) < (10u << 20));
	json_decref(res);
	json_decref(args);
}

int main(void)
{
	setenv("NO_PROXY", "*", 1);
	setenv("no_proxy", "*", 1);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return 1;
	test_codecs();
	test_addresses();
	test_build_parse();
	test_parse_foreign();

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_mail.XXXXXX");
	if (!mkdtemp(tmpdir)) {
		fprintf(stderr, "test_mail: cannot make a temporary folder\n");
		return 1;
	}
	seed_store();
	if (server_start() < 0) {
		fprintf(stderr, "test_mail: cannot start tests/mailserver/mailserver.py "
				"(run from the repo root)\n");
		server_stop();
		return 1;
	}
	test_send();
	test_send_xoauth2();
	test_send_partial();
	test_send_errors();
	test_mailboxes();
	test_list();
	test_read();
	test_read_truncated();
	server_stop();
	curl_global_cleanup();
	return t_done();
}
