/* cli_connections.c - the connections and key commands: add, list, show,
 * edit, remove, rename, set the default and test stored connections, and
 * rotate the store's key. Secrets come in through stdin, files or a hidden
 * prompt, never argv, and are never printed. */
#include "cli.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "conns.h"
#include "crypto.h"
#include "exec.h"
#include "http.h"
#include "log.h"
#include "schema.h"
#include "store.h"

#define MAX_SECRET_INPUT (64 << 10)
#define MAX_PROMPT_LINE 8192
#define DEFAULT_NAME "main"

static const char usage[] =
	"usage: switchboard connections <command> [args]\n"
	"\n"
	"  list [--connector SLUG] [--json]\n"
	"                  stored and environment connections: auth, status, default (*),\n"
	"                  last use; never secrets\n"
	"  show NAME [--json]\n"
	"                  one connection: its config and which secret fields are set\n"
	"  add SLUG [--name NAME] [--auth METHOD] [--set FIELD=VALUE]...\n"
	"      [--secret-stdin] [--secret FIELD=@FILE]... [--json]\n"
	"                  add a connection (named " DEFAULT_NAME " unless --name); when stdin\n"
	"                  is a terminal, asks for missing fields, secrets without echo\n"
	"  edit NAME [--set FIELD=VALUE]... [--unset FIELD]... [--secret-stdin]\n"
	"      [--secret FIELD=@FILE]...\n"
	"                  change fields; secrets not given are kept\n"
	"  remove NAME     delete a connection and its secrets\n"
	"  rename NAME NEW give a connection another name\n"
	"  default NAME    make it the connection its connector's tools use by default\n"
	"  test NAME [--json]\n"
	"                  make the connector's cheapest read call with it and record the\n"
	"                  outcome in its status\n"
	"\n"
	"NAME is a connection's name, CONNECTOR/NAME where several connectors have one\n"
	"by that name, or its id. Non-secret fields (the auth method's, the connector's\n"
	"params, base_url) take --set. Secrets never go on the command line:\n"
	"--secret-stdin reads a JSON object such as {\"api_key\": \"...\", \"webhook_secret\":\n"
	"\"...\"}, or the bare value of the auth method's one required secret field,\n"
	"and --secret FIELD=@FILE reads one from a file.\n";

/* Parsed arguments of one subcommand: pos and the strings point into argv;
 * the arrays hold copies of the repeated options' values. */
struct opts {
	const char *pos[3];
	int npos;
	const char *name, *auth, *connector;
	json_t *set, *unset, *secret; /* arrays of strings */
	int secret_stdin;
};

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("switchboard: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return 1;
}

static void print_compact(json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT);
	cli_print("%s\n", s);
	free(s);
}

/* ---- arguments ---- */

/* Which options each subcommand takes, and how many positional words. */
static const struct subcommand {
	const char *name;
	const char *flags; /* letters: n name, a auth, c connector, s set, u unset, S secret, I stdin */
	int npos;
	const char *synopsis;
} subcommands[] = {
	{"list", "c", 0, "list [--connector SLUG] [--json]"},
	{"show", "", 1, "show NAME [--json]"},
	{"add", "nasSI", 1,
	 "add SLUG [--name NAME] [--auth METHOD] [--set FIELD=VALUE]... [--secret-stdin] "
	 "[--secret FIELD=@FILE]..."},
	{"edit", "suSI", 1,
	 "edit NAME [--set FIELD=VALUE]... [--unset FIELD]... [--secret-stdin] "
	 "[--secret FIELD=@FILE]..."},
	{"remove", "", 1, "remove NAME"},
	{"rename", "", 2, "rename NAME NEW"},
	{"default", "", 1, "default NAME"},
	{"test", "", 1, "test NAME [--json]"},
};

static void opts_release(struct opts *o)
{
	json_decref(o->set);
	json_decref(o->unset);
	json_decref(o->secret);
}

/* 0, or 2 after printing the subcommand's usage. */
static int opts_parse(const struct subcommand *sc, int argc, char **argv, struct opts *o)
{
	memset(o, 0, sizeof(*o));
	o->set = json_array();
	o->unset = json_array();
	o->secret = json_array();
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		char flag = strcmp(a, "--name") == 0		? 'n'
			    : strcmp(a, "--auth") == 0		? 'a'
			    : strcmp(a, "--connector") == 0	? 'c'
			    : strcmp(a, "--set") == 0		? 's'
			    : strcmp(a, "--unset") == 0		? 'u'
			    : strcmp(a, "--secret") == 0	? 'S'
			    : strcmp(a, "--secret-stdin") == 0 ? 'I'
							       : 0;
		if (!flag && a[0] == '-' && a[1]) {
			fail("connections %s: unknown option '%s'", sc->name, a);
			goto usage;
		}
		if (!flag) {
			if (o->npos == sc->npos)
				goto usage;
			o->pos[o->npos++] = a;
			continue;
		}
		if (!strchr(sc->flags, flag)) {
			fail("connections %s does not take %s", sc->name, a);
			goto usage;
		}
		if (flag == 'I') {
			o->secret_stdin = 1;
			continue;
		}
		if (i + 1 >= argc) {
			fail("option '%s' needs a value", a);
			goto usage;
		}
		const char *v = argv[++i];
		if (flag == 'n')
			o->name = v;
		else if (flag == 'a')
			o->auth = v;
		else if (flag == 'c')
			o->connector = v;
		else
			json_array_append_new(flag == 's' ? o->set : flag == 'u' ? o->unset : o->secret,
					      json_string(v));
	}
	if (o->npos == sc->npos)
		return 0;
usage:
	fprintf(stderr, "usage: switchboard connections %s\n", sc->synopsis);
	return 2;
}

/* ---- fields ---- */

static json_t *field_entry(int secret, int required, int prompt, json_t *decl)
{
	json_t *f = json_pack("{s:b, s:b, s:b}", "secret", secret, "required", required, "prompt",
			      prompt);
	if (decl)
		json_object_set(f, "decl", decl);
	return f;
}

/* The fields a connection of connector c with auth method m may have:
 * name -> {secret, required, prompt, decl}. The method's fields, the
 * connector's params, its webhook secret, base_url, OAuth tokens for oauth2
 * and credential_command where the method allows one. A new object. */
static json_t *fields_known(const struct connector *c, json_t *m)
{
	json_t *known = json_object(), *f;
	const char *name, *type = json_string_value(json_object_get(m, "type"));
	json_object_foreach(json_object_get(m, "fields"), name, f)
		json_object_set_new(known, name,
				    field_entry(json_is_true(json_object_get(f, "secret")),
						json_is_true(json_object_get(f, "required")), 1, f));
	json_object_foreach(json_object_get(c->doc, "params"), name, f)
	{
		if (json_object_get(known, name))
			continue;
		int required = json_is_true(json_object_get(f, "required")) &&
			       !json_object_get(f, "default");
		/* Optional settings (an API version) are for --set, not questions. */
		json_object_set_new(known, name,
				    field_entry(json_is_true(json_object_get(f, "secret")), required,
						required, f));
	}
	const char *whs = json_string_value(
		json_object_get(json_object_get(c->doc, "webhooks"), "secret_field"));
	if (whs && !json_object_get(known, whs))
		json_object_set_new(known, whs, field_entry(1, 0, 1, NULL));
	if (type && strcmp(type, "oauth2") == 0) {
		if (!json_object_get(known, "access_token"))
			json_object_set_new(known, "access_token", field_entry(1, 0, 0, NULL));
		if (!json_object_get(known, "refresh_token"))
			json_object_set_new(known, "refresh_token", field_entry(1, 0, 0, NULL));
	}
	if (!json_object_get(known, "base_url"))
		json_object_set_new(known, "base_url", field_entry(0, 0, 0, NULL));
	if (type && strcmp(type, "custom") == 0 && json_is_true(json_object_get(m, "command")))
		json_object_set_new(known, "credential_command", field_entry(0, 0, 0, NULL));
	return known;
}

static int is_secret(json_t *known, const char *name)
{
	return json_is_true(json_object_get(json_object_get(known, name), "secret"));
}

static char *known_list(json_t *known)
{
	struct buf b;
	const char *k;
	json_t *v;
	buf_init(&b, 0);
	json_object_foreach(known, k, v) buf_addf(&b, "%s%s", b.len ? ", " : "", k);
	return buf_detach(&b);
}

static int unknown_field(const struct connector *c, json_t *m, json_t *known, const char *name,
			 struct err *err)
{
	char *list = known_list(known);
	err_set(err, "unknown field '%s' for %s (auth %s); known fields: %s", name, c->slug,
		json_string_value(json_object_get(m, "type")), list);
	free(list);
	return -1;
}

/* The declaration without our own keys, as JSON Schema. New. */
static json_t *decl_schema(json_t *decl)
{
	static const char *own[] = {"secret", "env", "required", "label", "default", NULL};
	json_t *s = json_deep_copy(decl);
	for (int i = 0; own[i]; i++)
		json_object_del(s, own[i]);
	return s;
}

/* The value of a field given as text: typed by its declaration, checked
 * against it; credential_command takes a JSON array or one program path.
 * New, or NULL with err (which quotes only non-secret values). */
static json_t *field_value(const struct connector *c, json_t *known, const char *name,
			   const char *text, struct err *err)
{
	json_t *f = json_object_get(known, name), *decl = json_object_get(f, "decl");
	int secret = is_secret(known, name);
	const char *type = json_string_value(json_object_get(decl, "type"));
	json_t *v;
	struct err e;
	err_init(&e);
	if (strcmp(name, "credential_command") == 0) {
		v = text[0] == '[' ? json_loads(text, 0, NULL) : json_pack("[s]", text);
		size_t i, n = json_array_size(v);
		json_t *x;
		int ok = n > 0;
		json_array_foreach(v, i, x) ok = ok && json_is_string(x) && json_string_length(x);
		if (!ok) {
			json_decref(v);
			err_set(err, "credential_command takes a JSON array of strings, the program "
				     "and its arguments, e.g. '[\"/usr/local/bin/get-token\", "
				     "\"--account\", \"x\"]'");
			return NULL;
		}
		return v;
	}
	if (!secret && type &&
	    (strcmp(type, "integer") == 0 || strcmp(type, "number") == 0 ||
	     strcmp(type, "boolean") == 0))
		v = json_loads(text, JSON_DECODE_ANY, NULL);
	else
		v = json_string(text);
	if (!v && secret)
		err_set(err, "the value given for '%s' of %s is not UTF-8 text", name, c->slug);
	else if (!v)
		err_set(err, "field '%s' of %s takes %s %s, got '%s'", name, c->slug,
			type ? "a" : "UTF-8", type ? type : "text", text);
	if (!v)
		return NULL;
	if (!decl)
		return v;
	json_t *schema = decl_schema(decl);
	int bad = schema_validate(schema, v, &e) < 0;
	json_decref(schema);
	if (!bad)
		return v;
	const char *desc = json_string_value(json_object_get(decl, "description"));
	if (secret)
		err_set(err, "the value given for '%s' of %s does not have the expected form%s%s",
			name, c->slug, desc ? ": " : "", desc ? desc : "");
	else
		err_set(err, "field '%s' of %s: %s", name, c->slug, e.msg);
	if (secret)
		store_secrets_free(v);
	else
		json_decref(v);
	return NULL;
}

/* Put a checked value where it belongs: secrets or config. */
static int field_put(const struct connector *c, json_t *m, json_t *known, const char *name,
		     const char *text, json_t *config, json_t *secrets, struct err *err)
{
	if (!json_object_get(known, name))
		return unknown_field(c, m, known, name, err);
	if (is_secret(known, name))
		log_add_secret(text);
	json_t *v = field_value(c, known, name, text, err);
	if (!v)
		return -1;
	if (is_secret(known, name)) {
		json_t *old = json_object_get(secrets, name);
		json_incref(old); /* dropped (and wiped) just below */
		json_object_set_new(secrets, name, v);
		store_secrets_free(old);
	} else {
		json_object_set_new(config, name, v);
	}
	return 0;
}

/* Drop trailing line ends (a key file or `echo` leaves one). */
static void chomp(char *s, size_t *len)
{
	while (*len && (s[*len - 1] == '\n' || s[*len - 1] == '\r'))
		s[--*len] = '\0';
}

/* Read all of stdin, at most MAX_SECRET_INPUT bytes. New (free_secret) or
 * NULL with err. */
static char *read_stdin(struct err *err)
{
	struct buf b;
	char tmp[4096];
	buf_init(&b, MAX_SECRET_INPUT);
	for (;;) {
		ssize_t n = read(0, tmp, sizeof(tmp));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err_set(err, "cannot read secrets from stdin: %s", strerror(errno));
			break;
		}
		if (n == 0) {
			crypto_cleanse(tmp, sizeof(tmp));
			return buf_detach(&b);
		}
		int over = buf_add(&b, tmp, (size_t)n) < 0;
		crypto_cleanse(tmp, sizeof(tmp));
		if (over) {
			err_set(err, "stdin holds more than %d bytes; expected secrets", MAX_SECRET_INPUT);
			break;
		}
	}
	if (b.data)
		crypto_cleanse(b.data, b.len);
	buf_release(&b);
	return NULL;
}

/* The field a bare --secret-stdin value is for: the method's one required
 * secret field, else its one secret field (the access token for oauth2).
 * NULL with err when that is not one field. */
static const char *only_secret(const struct connector *c, json_t *m, json_t *known,
			       struct err *err)
{
	const char *k, *one = NULL, *one_required = NULL;
	json_t *f;
	int n = 0, nreq = 0;
	json_object_foreach(json_object_get(m, "fields"), k, f)
	{
		if (!json_is_true(json_object_get(f, "secret")))
			continue;
		if (n++ == 0)
			one = k;
		if (json_is_true(json_object_get(f, "required")) && nreq++ == 0)
			one_required = k;
	}
	if (nreq == 1)
		return one_required;
	if (n == 0 && strcmp(json_string_value(json_object_get(m, "type")), "oauth2") == 0)
		one = "access_token", n = 1;
	if (n == 1)
		return one;
	char *list = known_list(known);
	err_set(err,
		"--secret-stdin got a bare value, but auth %s of %s has %s secret field; give a "
		"JSON object of fields (known: %s)",
		json_string_value(json_object_get(m, "type")), c->slug, n ? "more than one" : "no",
		list);
	free(list);
	return NULL;
}

/* --secret-stdin: a JSON object of fields, or the one secret field's value. */
static int secrets_from_stdin(const struct connector *c, json_t *m, json_t *known, json_t *config,
			      json_t *secrets, struct err *err)
{
	char *text = read_stdin(err);
	json_t *doc = NULL;
	int ret = -1;
	if (!text)
		return -1;
	size_t len = strlen(text);
	chomp(text, &len);
	const char *p = text + strspn(text, " \t\r\n");
	if (*p == '{') {
		doc = json_loads(text, 0, NULL);
		if (!json_is_object(doc)) {
			/* Never quote it: it is meant to hold secrets. */
			err_set(err, "--secret-stdin: stdin starts with '{' but is not a JSON object");
			goto done;
		}
		const char *k;
		json_t *v;
		json_object_foreach(doc, k, v)
		{
			if (!json_object_get(known, k)) {
				unknown_field(c, m, known, k, err);
				goto done;
			}
			if (!json_is_string(v)) {
				err_set(err, "--secret-stdin: field '%s' must be a string", k);
				goto done;
			}
			if (field_put(c, m, known, k, json_string_value(v), config, secrets, err) < 0)
				goto done;
		}
		ret = 0;
	} else if (!*p) {
		err_set(err, "--secret-stdin: stdin is empty");
	} else {
		const char *field = only_secret(c, m, known, err);
		if (field)
			ret = field_put(c, m, known, field, text, config, secrets, err);
	}
done:
	store_secrets_free(doc);
	free_secret(text);
	return ret;
}

/* --secret FIELD=@FILE, one value per file. */
static int secret_from_file(const struct connector *c, json_t *m, json_t *known, const char *arg,
			    json_t *config, json_t *secrets, struct err *err)
{
	const char *eq = strchr(arg, '=');
	if (!eq || eq[1] != '@' || !eq[2]) {
		return err_set(err, "--secret takes FIELD=@FILE (a file holding the value): secrets "
				    "are not accepted on the command line, where other users can see "
				    "them; or use --secret-stdin");
	}
	char *name = xstrndup(arg, (size_t)(eq - arg));
	int ret = -1;
	size_t len = 0;
	char *text = NULL;
	if (!json_object_get(known, name)) {
		unknown_field(c, m, known, name, err);
		goto done;
	}
	if (!is_secret(known, name)) {
		err_set(err, "'%s' is not a secret field of %s: use --set %s=VALUE", name, c->slug,
			name);
		goto done;
	}
	if (!(text = read_file(eq + 2, MAX_SECRET_INPUT, &len, err)))
		goto done;
	chomp(text, &len);
	if (!len)
		err_set(err, "'%s' is empty", eq + 2);
	else
		ret = field_put(c, m, known, name, text, config, secrets, err);
done:
	free_secret(text);
	free(name);
	return ret;
}

/* --set FIELD=VALUE for non-secret fields. */
static int field_from_set(const struct connector *c, json_t *m, json_t *known, const char *arg,
			  json_t *config, json_t *secrets, struct err *err)
{
	const char *eq = strchr(arg, '=');
	if (!eq || eq == arg)
		return err_set(err, "--set takes FIELD=VALUE, got '%s'", arg);
	char *name = xstrndup(arg, (size_t)(eq - arg));
	int ret = -1;
	if (!json_object_get(known, name))
		unknown_field(c, m, known, name, err);
	else if (is_secret(known, name))
		/* Do not quote arg: it holds the secret. */
		err_set(err,
			"'%s' is a secret: pass it with --secret-stdin or --secret %s=@FILE, not on "
			"the command line",
			name, name);
	else
		ret = field_put(c, m, known, name, eq + 1, config, secrets, err);
	free(name);
	return ret;
}

/* ---- prompts ---- */

static struct termios saved_tty;
static volatile sig_atomic_t tty_changed;

static void restore_tty_and_die(int sig)
{
	if (tty_changed)
		tcsetattr(0, TCSAFLUSH, &saved_tty);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Ask on stderr; read one line from the terminal on stdin, without echo
 * when hidden. Read byte by byte, so no stdio buffer keeps a copy. Returns
 * the length, or -1 at end of input or when longer than the buffer. */
static int prompt_line(const char *question, int hidden, char *line, size_t size)
{
	struct sigaction sa, old_int, old_term;
	size_t n = 0;
	int too_long = 0, got_eof = 0;
	fputs(question, stderr);
	fflush(stderr);
	if (hidden && tcgetattr(0, &saved_tty) == 0) {
		struct termios t = saved_tty;
		t.c_lflag &= ~(tcflag_t)ECHO;
		t.c_lflag |= ECHONL;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = restore_tty_and_die;
		sigaction(SIGINT, &sa, &old_int);
		sigaction(SIGTERM, &sa, &old_term);
		tty_changed = tcsetattr(0, TCSAFLUSH, &t) == 0;
	}
	for (;;) {
		char ch;
		ssize_t r = read(0, &ch, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			got_eof = 1;
			break;
		}
		if (ch == '\n')
			break;
		if (n + 1 < size)
			line[n++] = ch;
		else
			too_long = 1;
	}
	line[n] = '\0';
	if (tty_changed) {
		tcsetattr(0, TCSAFLUSH, &saved_tty);
		tty_changed = 0;
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGTERM, &old_term, NULL);
	}
	while (n && line[n - 1] == '\r')
		line[--n] = '\0';
	if (too_long)
		fprintf(stderr, "switchboard: that line is longer than %zu bytes\n", size - 1);
	return too_long || (got_eof && n == 0) ? -1 : (int)n;
}

/* Ask for each promptable field not given yet. keep: an edit, where Enter
 * keeps the stored value. */
static int prompt_fields(const struct connector *c, json_t *m, json_t *known, json_t *config,
			 json_t *secrets, int keep, struct err *err)
{
	const char *name;
	json_t *f;
	char *line = xmalloc(MAX_PROMPT_LINE);
	int ret = -1;
	json_object_foreach(known, name, f)
	{
		if (!json_is_true(json_object_get(f, "prompt")))
			continue;
		int secret = json_is_true(json_object_get(f, "secret"));
		int have = json_object_get(secret ? secrets : config, name) != NULL;
		if (have && !keep)
			continue;
		json_t *decl = json_object_get(f, "decl");
		const char *label = json_string_value(json_object_get(decl, "label"));
		const char *desc = json_string_value(json_object_get(decl, "description"));
		int required = json_is_true(json_object_get(f, "required"));
		if (desc)
			fprintf(stderr, "%s\n", desc);
		char *q = xasprintf("%s%s%s%s%s: ", label ? label : name, label ? " (" : "",
				    label ? name : "", label ? ")" : "",
				    have	? (secret ? " [set; Enter keeps it]" : " [Enter keeps it]")
				    : !required ? " [optional, Enter skips]"
						: "");
		int n = prompt_line(q, secret, line, MAX_PROMPT_LINE);
		free(q);
		if (n < 0) {
			err_set(err, "no answer for '%s'", name);
			goto done;
		}
		if (n > 0 && field_put(c, m, known, name, line, config, secrets, err) < 0)
			goto done;
		crypto_cleanse(line, MAX_PROMPT_LINE);
	}
	ret = 0;
done:
	crypto_cleanse(line, MAX_PROMPT_LINE);
	free(line);
	return ret;
}

/* Every required field is in config or secrets; else err names the missing.
 * secrets NULL: not opened (an edit of plain fields), so not checked. */
static int fields_complete(const struct connector *c, json_t *m, json_t *known, json_t *config,
			   json_t *secrets, struct err *err)
{
	struct buf b;
	const char *name;
	json_t *f;
	buf_init(&b, 0);
	json_object_foreach(known, name, f)
	{
		if (!json_is_true(json_object_get(f, "required")) ||
		    json_object_get(config, name) || json_object_get(secrets, name) ||
		    (!secrets && is_secret(known, name)))
			continue;
		if (is_secret(known, name))
			buf_addf(&b, "%s%s (a secret: --secret-stdin or --secret %s=@FILE)",
				 b.len ? ", " : "", name, name);
		else
			buf_addf(&b, "%s%s (--set %s=VALUE)", b.len ? ", " : "", name, name);
	}
	int ret = 0;
	if (b.len)
		ret = err_set(err, "%s (auth %s) needs: %s", c->slug,
			      json_string_value(json_object_get(m, "type")), b.data);
	buf_release(&b);
	return ret;
}

/* Gather the fields of an add or edit from the options, stdin, files and,
 * on a terminal, prompts. */
static int fields_gather(const struct connector *c, json_t *m, json_t *known,
			 const struct opts *o, json_t *config, json_t *secrets, int keep,
			 struct err *err)
{
	size_t i;
	json_t *v;
	json_array_foreach(o->set, i, v)
	{
		if (field_from_set(c, m, known, json_string_value(v), config, secrets, err) < 0)
			return -1;
	}
	json_array_foreach(o->unset, i, v)
	{
		const char *name = json_string_value(v);
		if (!json_object_get(known, name))
			return unknown_field(c, m, known, name, err);
		json_object_del(config, name);
		json_t *old = json_object_get(secrets, name);
		json_incref(old); /* dropped (and wiped) just below */
		json_object_del(secrets, name);
		store_secrets_free(old);
	}
	if (o->secret_stdin && secrets_from_stdin(c, m, known, config, secrets, err) < 0)
		return -1;
	json_array_foreach(o->secret, i, v)
	{
		if (secret_from_file(c, m, known, json_string_value(v), config, secrets, err) < 0)
			return -1;
	}
	int given = json_array_size(o->set) || json_array_size(o->unset) || o->secret_stdin ||
		    json_array_size(o->secret);
	if (isatty(0) && !o->secret_stdin && (!keep || !given) &&
	    prompt_fields(c, m, known, config, secrets, keep, err) < 0)
		return -1;
	return fields_complete(c, m, known, config, secrets, err);
}

/* ---- showing ---- */

static json_t *time_json(long long t)
{
	return t ? json_integer(t) : json_null();
}

static void time_text(long long t, char *out, size_t n)
{
	struct tm tm;
	time_t tt = (time_t)t;
	if (!t || !gmtime_r(&tt, &tm) || !strftime(out, n, "%Y-%m-%d %H:%M UTC", &tm))
		snprintf(out, n, "never");
}

/* A connection without secrets, as the JSON of list and show. New. */
static json_t *conn_json(const struct connection *c)
{
	json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:s, s:b, s:s}", "id", (json_int_t)c->id,
			      "connector", c->connector, "name", c->name, "auth", c->auth, "source",
			      "store", "default", c->is_default, "status", c->status);
	json_object_set_new(j, "last_error",
			    c->last_error ? json_string(c->last_error) : json_null());
	json_object_set_new(j, "created_at", time_json(c->created_at));
	json_object_set_new(j, "last_used_at", time_json(c->last_used_at));
	return j;
}

static struct store *open_store(struct cli *cli)
{
	struct err e;
	err_init(&e);
	struct store *st = store_open(cli->mcp.store_path, &e);
	if (!st)
		fail("%s", e.msg);
	return st;
}

static const struct connector *find_connector(const struct registry *r, const char *slug)
{
	const struct connector *c = registry_find(r, slug);
	if (!c)
		fail("no connector '%s'; see: switchboard connectors", slug);
	return c;
}

static struct connection *find_conn(struct store *st, const char *name, int with_secrets)
{
	struct err e;
	err_init(&e);
	struct connection *conn = store_get_connection(st, NULL, name, with_secrets, &e);
	if (!conn)
		fail("%s", e.msg);
	return conn;
}

static int cmd_list(struct cli *cli, struct store *st, const struct opts *o)
{
	struct connection **list = NULL;
	struct err e;
	err_init(&e);
	struct registry *r = cli_registry(cli);
	json_t *rows = json_array();
	int ret = 1;
	if (store_list_connections(st, o->connector, &list, &e) < 0) {
		fail("%s", e.msg);
		goto out;
	}
	for (size_t i = 0; list[i]; i++)
		json_array_append_new(rows, conn_json(list[i]));
	/* The environment's connection of each connector, after its stored ones. */
	for (size_t ci = 0; ci < registry_count(r); ci++) {
		const struct connector *c = registry_at(r, ci);
		if (o->connector && strcmp(o->connector, c->slug) != 0)
			continue;
		struct connection *env = conns_from_env(c);
		if (!env)
			continue;
		size_t at = 0, stored = 0;
		for (; at < json_array_size(rows); at++) {
			int cmp = strcmp(json_string_value(
						 json_object_get(json_array_get(rows, at), "connector")),
					 c->slug);
			if (cmp > 0)
				break;
			stored += cmp == 0;
		}
		json_array_insert_new(rows, at,
				      json_pack("{s:s, s:s, s:s, s:s, s:b, s:s}", "connector",
						c->slug, "name", "env", "auth", env->auth, "source",
						"env", "default", stored == 0, "status", "ok"));
		connection_free(env);
	}
	if (cli->json) {
		print_compact(rows);
	} else if (json_array_size(rows) == 0) {
		fprintf(stderr, "no connections%s%s yet: add one with 'switchboard connections add "
				"%s'\n",
			o->connector ? " for " : "", o->connector ? o->connector : "",
			o->connector ? o->connector : "SLUG");
	} else {
		size_t i;
		json_t *row;
		cli_print("  %-14s %-20s %-8s %-16s %s\n", "CONNECTOR", "NAME", "AUTH", "STATUS",
			  "LAST USED");
		json_array_foreach(rows, i, row)
		{
			char when[40];
			int env = strcmp(json_string_value(json_object_get(row, "source")), "env") == 0;
			time_text(json_integer_value(json_object_get(row, "last_used_at")), when,
				  sizeof(when));
			cli_print("%s %-14s %-20s %-8s %-16s %s\n",
				  json_is_true(json_object_get(row, "default")) ? "*" : " ",
				  json_string_value(json_object_get(row, "connector")),
				  json_string_value(json_object_get(row, "name")),
				  json_string_value(json_object_get(row, "auth")),
				  json_string_value(json_object_get(row, "status")),
				  env ? "(from the environment)" : when);
		}
	}
	ret = 0;
out:
	json_decref(rows);
	connections_free(list);
	registry_free(r);
	return ret;
}

static int cmd_show(struct cli *cli, struct store *st, const struct opts *o)
{
	struct err e;
	err_init(&e);
	int ret = 1;
	struct connection *conn = store_get_connection(st, NULL, o->pos[0], 1, &e);
	if (!conn) {
		/* Without the key the rest can still be shown. */
		struct err e2;
		err_init(&e2);
		conn = store_get_connection(st, NULL, o->pos[0], 0, &e2);
		if (!conn)
			return fail("%s", e2.msg);
	}
	struct registry *r = cli_registry(cli);
	const struct connector *c = registry_find(r, conn->connector);
	json_t *m = c ? connector_auth_method(c, conn->auth) : NULL;
	json_t *known = c && m ? fields_known(c, m) : json_object();
	json_t *secrets = json_object();
	const char *k;
	json_t *v;
	json_object_foreach(known, k, v)
	{
		if (json_is_true(json_object_get(v, "secret")))
			json_object_set_new(secrets, k, json_boolean(json_object_get(conn->secrets, k)));
	}
	json_object_foreach(conn->secrets, k, v) json_object_set_new(secrets, k, json_true());
	json_t *j = conn_json(conn);
	json_object_set(j, "config", conn->config);
	json_object_set(j, "secrets", conn->secrets ? secrets : json_null());
	if (cli->json) {
		print_compact(j);
	} else {
		char created[40], used[40];
		time_text(conn->created_at, created, sizeof(created));
		time_text(conn->last_used_at, used, sizeof(used));
		cli_print("%s/%s\n  id:          %lld\n  auth:        %s\n  default:     %s\n"
			  "  status:      %s\n",
			  conn->connector, conn->name, conn->id, conn->auth,
			  conn->is_default ? "yes" : "no", conn->status);
		if (conn->last_error)
			cli_print("  last error:  %s\n", conn->last_error);
		cli_print("  created:     %s\n  last used:   %s\n  config:      ", created, used);
		if (!json_object_size(conn->config))
			cli_print("(none)\n");
		size_t n = 0;
		json_object_foreach(conn->config, k, v)
		{
			char *text = json_is_string(v) ? xstrdup(json_string_value(v))
						       : json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
			cli_print("%s%s = %s\n", n++ ? "               " : "", k, text);
			free(text);
		}
		cli_print("  secrets:     ");
		if (!conn->secrets)
			cli_print("(cannot be opened)\n");
		else if (!json_object_size(secrets))
			cli_print("(none)\n");
		n = 0;
		json_object_foreach(conn->secrets ? secrets : NULL, k, v)
			cli_print("%s%s (%s)", n++ ? ", " : "", k, json_is_true(v) ? "set" : "not set");
		if (n)
			cli_print("\n");
	}
	if (!c)
		fprintf(stderr, "switchboard: note: connector '%s' is not in the registry\n",
			conn->connector);
	if (!conn->secrets)
		fail("%s", e.msg);
	else
		ret = 0;
	json_decref(j);
	json_decref(secrets);
	json_decref(known);
	registry_free(r);
	connection_free(conn);
	return ret;
}

/* ---- changing ---- */

static char *method_list(const struct connector *c)
{
	struct buf b;
	size_t i;
	json_t *m;
	buf_init(&b, 0);
	json_array_foreach(json_object_get(json_object_get(c->doc, "auth"), "methods"), i, m)
		buf_addf(&b, "%s%s", b.len ? ", " : "",
			 json_string_value(json_object_get(m, "type")));
	return buf_detach(&b);
}

static int cmd_add(struct cli *cli, struct store *st, const struct opts *o)
{
	struct registry *r = cli_registry(cli);
	struct connection *conn = NULL, *taken = NULL;
	json_t *known = NULL;
	char *name = NULL;
	struct err e;
	int ret = 1;
	err_init(&e);
	const struct connector *c = find_connector(r, o->pos[0]);
	if (!c)
		goto out;
	json_t *m = connector_auth_method(c, o->auth);
	if (!m) {
		char *list = method_list(c);
		fail("%s has no auth method '%s'; it declares: %s", c->slug, o->auth, list);
		free(list);
		goto out;
	}
	if (o->name) {
		name = xstrdup(o->name);
	} else if (isatty(0) && !o->secret_stdin) {
		char line[128];
		int n = prompt_line("Name for this connection [" DEFAULT_NAME "]: ", 0, line,
				    sizeof(line));
		if (n < 0)
			goto out;
		name = xstrdup(n ? line : DEFAULT_NAME);
	} else {
		name = xstrdup(DEFAULT_NAME);
	}
	/* Say so before anyone types a secret. */
	if (strcmp(name, "env") == 0) {
		fail("'env' names the connection the environment makes; choose another name");
		goto out;
	}
	if ((taken = store_get_connection(st, c->slug, name, 0, &e)) != NULL) {
		fail("connection '%s/%s' already exists; choose another name with --name", c->slug,
		     name);
		goto out;
	}
	err_init(&e);
	known = fields_known(c, m);
	conn = xcalloc(1, sizeof(*conn));
	conn->connector = xstrdup(c->slug);
	conn->name = name;
	name = NULL;
	conn->auth = xstrdup(json_string_value(json_object_get(m, "type")));
	conn->config = json_object();
	conn->secrets = json_object();
	if (fields_gather(c, m, known, o, conn->config, conn->secrets, 0, &e) < 0) {
		fail("%s", e.msg);
		goto out;
	}
	if (json_object_size(conn->secrets) == 0) {
		store_secrets_free(conn->secrets);
		conn->secrets = NULL;
	}
	if (store_add_connection(st, conn, &e) < 0) {
		fail("%s", e.msg);
		goto out;
	}
	if (cli->json) {
		json_t *j = conn_json(conn);
		print_compact(j);
		json_decref(j);
	} else {
		cli_print("added %s/%s (auth %s)%s%s\n", conn->connector, conn->name, conn->auth,
			  conn->is_default ? ", the default for " : "",
			  conn->is_default ? conn->connector : "");
		cli_print("check it with: switchboard connections test %s/%s\n", conn->connector,
			  conn->name);
	}
	if (strcmp(conn->auth, "oauth2") == 0 && !json_object_get(conn->secrets, "access_token"))
		fprintf(stderr, "switchboard: %s/%s has no access token yet; run: switchboard "
				"connect %s\n",
			conn->connector, conn->name, conn->connector);
	ret = 0;
out:
	free(name);
	json_decref(known);
	connection_free(taken);
	connection_free(conn);
	registry_free(r);
	return ret;
}

static int cmd_edit(struct cli *cli, struct store *st, const struct opts *o)
{
	int given = json_array_size(o->set) || json_array_size(o->unset) || o->secret_stdin ||
		    json_array_size(o->secret);
	int prompts = isatty(0) && !given;
	/* A change of plain fields needs no key: the secrets stay sealed. */
	int need_secrets = prompts || json_array_size(o->unset) || o->secret_stdin ||
			   json_array_size(o->secret);
	struct registry *r = NULL;
	json_t *known = NULL;
	struct err e;
	int ret = 1;
	err_init(&e);
	if (!given && !prompts) {
		fprintf(stderr, "switchboard: nothing to change\nusage: switchboard connections %s\n",
			subcommands[3].synopsis);
		return 2;
	}
	struct connection *conn = find_conn(st, o->pos[0], need_secrets);
	if (!conn)
		return 1;
	r = cli_registry(cli);
	const struct connector *c = find_connector(r, conn->connector);
	json_t *m = c ? connector_auth_method(c, conn->auth) : NULL;
	if (!c)
		goto out;
	if (!m) {
		fail("%s no longer declares auth method '%s'; remove the connection and add it "
		     "again",
		     c->slug, conn->auth);
		goto out;
	}
	known = fields_known(c, m);
	if (fields_gather(c, m, known, o, conn->config, conn->secrets, 1, &e) < 0) {
		fail("%s", e.msg);
		goto out;
	}
	/* The old outcome says nothing about the new settings. */
	free(conn->status);
	conn->status = xstrdup("ok");
	free(conn->last_error);
	conn->last_error = NULL;
	if (store_update_connection(st, conn, &e) < 0) {
		fail("%s", e.msg);
		goto out;
	}
	cli_print("updated %s/%s\n", conn->connector, conn->name);
	ret = 0;
out:
	json_decref(known);
	connection_free(conn);
	registry_free(r);
	return ret;
}

static int cmd_remove(struct store *st, const struct opts *o)
{
	struct err e;
	err_init(&e);
	struct connection *conn = find_conn(st, o->pos[0], 0), *d = NULL;
	if (!conn)
		return 1;
	int ret = 1;
	if (store_remove_connection(st, conn->id, &e) < 0) {
		fail("%s", e.msg);
		goto out;
	}
	cli_print("removed %s/%s\n", conn->connector, conn->name);
	if (conn->is_default && (d = store_get_default(st, conn->connector, 0, &e)) != NULL)
		cli_print("%s/%s is now the default for %s\n", d->connector, d->name, d->connector);
	ret = 0;
out:
	connection_free(d);
	connection_free(conn);
	return ret;
}

static int cmd_rename(struct store *st, const struct opts *o)
{
	struct err e;
	err_init(&e);
	if (strcmp(o->pos[1], "env") == 0)
		return fail("'env' names the connection the environment makes; choose another name");
	struct connection *conn = find_conn(st, o->pos[0], 0);
	if (!conn)
		return 1;
	int ret = store_rename_connection(st, conn->id, o->pos[1], &e) < 0 ? fail("%s", e.msg) : 0;
	if (ret == 0)
		cli_print("renamed %s/%s to %s/%s\n", conn->connector, conn->name, conn->connector,
			  o->pos[1]);
	connection_free(conn);
	return ret;
}

static int cmd_default(struct store *st, const struct opts *o)
{
	struct err e;
	err_init(&e);
	struct connection *conn = find_conn(st, o->pos[0], 0);
	if (!conn)
		return 1;
	int ret = store_set_default(st, conn->id, &e) < 0 ? fail("%s", e.msg) : 0;
	if (ret == 0)
		cli_print("%s/%s is now the default for %s\n", conn->connector, conn->name,
			  conn->connector);
	connection_free(conn);
	return ret;
}

/* ---- testing ---- */

/* The cheapest read a connector has: a list without required arguments
 * (asked for one item), else another read without them; data actions before
 * hooks. NULL when there is none. */
static const struct tool *test_tool(const struct toolset *ts, const struct connector *c)
{
	const struct tool *best = NULL;
	int best_rank = 99;
	for (size_t i = 0; i < ts->n; i++) {
		const struct tool *t = &ts->tools[i];
		if (t->connector != c || strcmp(action_kind(t->action, t->action_doc), "read") != 0 ||
		    json_array_size(json_object_get(t->input, "required")))
			continue;
		int rank = (strcmp(t->action, "list") == 0 ? 0 : t->is_list ? 1 : 2) +
			   (json_object_get(t->action_doc, "hook") ? 3 : 0);
		if (rank < best_rank) {
			best = t;
			best_rank = rank;
		}
	}
	return best;
}

struct test_call {
	json_t *result;
};

static void test_done(json_t *result, void *ctx)
{
	((struct test_call *)ctx)->result = result;
}

/* Run one call to completion. Returns the CallToolResult (new) or NULL. */
static json_t *run_call(struct cli *cli, struct store *st, const struct tool *t, json_t *args,
			struct err *err)
{
	struct exec_env env = cli->mcp.exec;
	struct test_call tc = {0};
	env.store = st;
	env.http = http_new(err);
	if (!env.http)
		return NULL;
	exec_start(&env, t, args, test_done, NULL, &tc);
	while (!tc.result) {
		int jobs = exec_poll(&env);
		if (tc.result || (http_pending(env.http) == 0 && jobs == 0))
			break;
		if (http_wait(env.http, -1, 1000, NULL) < 0)
			break;
	}
	exec_shutdown();
	http_free(env.http);
	if (!tc.result)
		err_set(err, "the call did not finish");
	return tc.result;
}

static int cmd_test(struct cli *cli, struct store *st, const struct opts *o)
{
	struct registry *r = NULL;
	struct toolset *ts = NULL;
	json_t *args = NULL, *result = NULL, *out = NULL;
	char *msg = NULL, *who = NULL;
	struct err e;
	int ret = 1;
	err_init(&e);
	/* Open the secrets here: a wrong key is this machine's problem, not
	 * the connection's, and must not change its status. */
	struct connection *conn = find_conn(st, o->pos[0], 1);
	if (!conn)
		return 1;
	who = xasprintf("%s/%s", conn->connector, conn->name);
	r = cli_registry(cli);
	const struct connector *c = find_connector(r, conn->connector);
	if (!c)
		goto out;
	char *slug[] = {c->slug, NULL};
	struct tools_filter f = {.connectors = slug, .all = 1, .mode = TOOLS_STATIC};
	if (!(ts = tools_build(r, &f, NULL, NULL, &e))) {
		fail("%s", e.msg);
		goto out;
	}
	const struct tool *t = test_tool(ts, c);
	if (!t) {
		fail("%s has no read action without required arguments to test %s with", c->slug,
		     who);
		goto out;
	}
	char id[32];
	snprintf(id, sizeof(id), "%lld", conn->id);
	args = json_pack("{s:s}", "connection", id);
	if (t->is_list)
		json_object_set_new(args, "limit", json_integer(1));
	if (!(result = run_call(cli, st, t, args, &e))) {
		fail("%s: %s", who, e.msg);
		goto out;
	}
	int ok = !json_is_true(json_object_get(result, "isError"));
	const char *text = json_string_value(
		json_object_get(json_array_get(json_object_get(result, "content"), 0), "text"));
	long status = 0;
	if (!ok) {
		/* The message, then the details as JSON on the next line. */
		const char *nl = text ? strchr(text, '\n') : NULL;
		char *first = nl ? xstrndup(text, (size_t)(nl - text)) : xstrdup(text ? text : "");
		json_t *details = nl ? json_loads(nl + 1, 0, NULL) : NULL;
		status = (long)json_integer_value(json_object_get(details, "status"));
		json_decref(details);
		msg = log_redact(first);
		free(first);
	}
	const char *new_status = ok ? "ok" : status == 401 ? "needs_reconnect" : "error";
	if (store_set_status(st, conn->id, new_status, msg, &e) < 0)
		fail("%s", e.msg);
	if (cli->json) {
		out = json_pack("{s:s, s:s, s:b, s:s}", "connection", who, "tool", t->name, "ok", ok,
				"status", new_status);
		if (msg)
			json_object_set_new(out, "error", json_string(msg));
		print_compact(out);
	} else if (ok) {
		cli_print("ok: %s answered %s\n", who, t->name);
	}
	if (!ok && !cli->json)
		fail("%s: test failed (%s): %s", who, t->name, msg);
	ret = ok ? 0 : 1;
out:
	free(who);
	free(msg);
	json_decref(out);
	json_decref(result);
	json_decref(args);
	tools_free(ts);
	registry_free(r);
	connection_free(conn);
	return ret;
}

/* ---- entry points ---- */

int cli_connections(struct cli *cli, int argc, char **argv)
{
	if (argc == 0 || strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0 ||
	    strcmp(argv[0], "help") == 0) {
		if (argc == 0) {
			fputs(usage, stderr);
			return 2;
		}
		cli_print("%s", usage);
		return 0;
	}
	const struct subcommand *sc = NULL;
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (strcmp(argv[0], subcommands[i].name) == 0)
			sc = &subcommands[i];
	if (!sc) {
		fail("unknown connections command '%s'", argv[0]);
		fputs(usage, stderr);
		return 2;
	}
	struct opts o;
	int ret = opts_parse(sc, argc - 1, argv + 1, &o);
	if (ret != 0) {
		opts_release(&o);
		return ret;
	}
	struct store *st = open_store(cli);
	if (!st) {
		opts_release(&o);
		return 1;
	}
	if (strcmp(sc->name, "list") == 0)
		ret = cmd_list(cli, st, &o);
	else if (strcmp(sc->name, "show") == 0)
		ret = cmd_show(cli, st, &o);
	else if (strcmp(sc->name, "add") == 0)
		ret = cmd_add(cli, st, &o);
	else if (strcmp(sc->name, "edit") == 0)
		ret = cmd_edit(cli, st, &o);
	else if (strcmp(sc->name, "remove") == 0)
		ret = cmd_remove(st, &o);
	else if (strcmp(sc->name, "rename") == 0)
		ret = cmd_rename(st, &o);
	else if (strcmp(sc->name, "default") == 0)
		ret = cmd_default(st, &o);
	else
		ret = cmd_test(cli, st, &o);
	store_free(st);
	opts_release(&o);
	return ret;
}

int cli_key(struct cli *cli, int argc, char **argv)
{
	if (argc != 1 || strcmp(argv[0], "rotate") != 0) {
		fprintf(stderr, "usage: switchboard key rotate\n"
				"  re-seal every stored secret under a new random key\n");
		return 2;
	}
	struct err e;
	err_init(&e);
	char *key = NULL;
	struct store *st = open_store(cli);
	if (!st)
		return 1;
	int ret = 1;
	if (store_rotate_key(st, &key, &e) < 0) {
		fail("%s", e.msg);
	} else if (key) {
		/* The one place a key is shown: the user has to save it. */
		log_add_secret(key);
		cli_print("SWITCHBOARD_KEY=%s\n", key);
		fprintf(stderr,
			"switchboard: every secret is now sealed with the new key above, and the old "
			"key no longer opens them. Save it where SWITCHBOARD_KEY is set (the MCP "
			"client's env in mcp.json, your shell profile, a secrets manager), then restart "
			"every switchboard that uses this store.\n");
		ret = 0;
	} else {
		cli_print("rotated: every secret is sealed with a new key, and the key file was "
			  "replaced; running switchboard processes read the new one\n");
		ret = 0;
	}
	free_secret(key);
	store_free(st);
	return ret;
}
