/* cli_fields.c - a connection's fields for `connections add` and `edit`:
 * options, stdin, files and hidden terminal prompts, each value typed and
 * checked against the connector's declaration before it is kept. */
#include "cli_fields.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "crypto.h"
#include "log.h"
#include "schema.h"
#include "store.h"

#define MAX_SECRET_INPUT (64 << 10)
#define MAX_PROMPT_LINE 8192
#define MAX_PROMPT_TRIES 5 /* then the add or edit stops */

/* ---- options ---- */

void cli_fields_args_init(struct cli_fields_args *a)
{
	memset(a, 0, sizeof(*a));
	a->set = json_array();
	a->unset = json_array();
	a->secret = json_array();
}

void cli_fields_args_release(struct cli_fields_args *a)
{
	json_decref(a->set);
	json_decref(a->unset);
	json_decref(a->secret);
	memset(a, 0, sizeof(*a));
}

int cli_fields_args_given(const struct cli_fields_args *a)
{
	return json_array_size(a->set) || json_array_size(a->unset) || a->secret_stdin ||
	       json_array_size(a->secret);
}

/* ---- what a connection may have ---- */

static json_t *field_entry(int secret, int required, int prompt)
{
	return json_pack("{s:b, s:b, s:b}", "secret", secret, "required", required, "prompt",
			 prompt);
}

/* name -> {secret, required, prompt} for connector c with auth method m. A
 * new object. */
static json_t *fields_known(const struct connector *c, const struct auth_method *m)
{
	json_t *known = json_object();
	const char *type = m->type;
	for (size_t i = 0; i < m->n_fields; i++)
		json_object_set_new(known, m->fields[i].name,
				    field_entry(m->fields[i].secret, m->fields[i].required, 1));
	for (size_t i = 0; i < c->info->n_params; i++) {
		const struct auth_field *p = &c->info->params[i];
		if (json_object_get(known, p->name))
			continue;
		int required = p->required && !p->has_default;
		/* Optional settings (an API version) are for --set, not questions. */
		json_object_set_new(known, p->name, field_entry(p->secret, required, required));
	}
	const char *whs = c->info->webhooks.secret_field;
	if (whs && !json_object_get(known, whs))
		json_object_set_new(known, whs, field_entry(1, 0, 1));
	/* The public URL a vendor signs (HubSpot v3) is a plain setting. */
	if (whs && !json_object_get(known, "webhook_url"))
		json_object_set_new(known, "webhook_url", field_entry(0, 0, 0));
	if (type && strcmp(type, "oauth2") == 0) {
		if (!json_object_get(known, "access_token"))
			json_object_set_new(known, "access_token", field_entry(1, 0, 0));
		if (!json_object_get(known, "refresh_token"))
			json_object_set_new(known, "refresh_token", field_entry(1, 0, 0));
	}
	if (!json_object_get(known, "base_url"))
		json_object_set_new(known, "base_url", field_entry(0, 0, 0));
	if (type && strcmp(type, "custom") == 0 && m->command)
		json_object_set_new(known, "credential_command", field_entry(0, 0, 0));
	return known;
}

void cli_fields_init(struct cli_fields *f, const struct connector *c,
		     const struct auth_method *method)
{
	f->c = c;
	f->method = method;
	f->known = c && method ? fields_known(c, method) : json_object();
}

void cli_fields_release(struct cli_fields *f)
{
	json_decref(f->known);
	f->known = NULL;
}

static int is_secret(const struct cli_fields *f, const char *name)
{
	return json_is_true(json_object_get(json_object_get(f->known, name), "secret"));
}

json_t *cli_fields_secrets_set(const struct cli_fields *f, json_t *secrets)
{
	json_t *set = json_object(), *v;
	const char *k;
	json_object_foreach(f->known, k, v) {
		if (json_is_true(json_object_get(v, "secret")))
			json_object_set_new(set, k, json_boolean(json_object_get(secrets, k)));
	}
	json_object_foreach(secrets, k, v)
		json_object_set_new(set, k, json_true());
	return set;
}

static const char *method_type(const struct cli_fields *f)
{
	return f->method ? f->method->type : NULL;
}

static char *known_list(const struct cli_fields *f)
{
	struct buf b;
	const char *k;
	json_t *v;
	buf_init(&b, 0);
	json_object_foreach(f->known, k, v)
		buf_addf(&b, "%s%s", b.len ? ", " : "", k);
	return buf_detach(&b);
}

static int unknown_field(const struct cli_fields *f, const char *name, struct err *err)
{
	char *list = known_list(f);
	err_set(err, "unknown field '%s' for %s (auth %s); known fields: %s", name, f->c->slug,
		method_type(f), list);
	free(list);
	return -1;
}

/* ---- one value ---- */

/* The declaration of field name: the auth method's, else the connector's
 * param; NULL for a field declared nowhere (base_url, a webhook secret). */
static const struct auth_field *field_decl(const struct cli_fields *f, const char *name)
{
	const struct auth_field *d = f->method ? auth_method_field(f->method, name) : NULL;
	return d || !f->c ? d : connector_param_decl(f->c, name);
}

/* The value of a field given as text: typed by its declaration, checked
 * against it; credential_command takes a JSON array or one program path.
 * New, or NULL with err (which quotes only non-secret values). */
static json_t *field_value(const struct cli_fields *f, const char *name, const char *text,
			   struct err *err)
{
	const struct auth_field *decl = field_decl(f, name);
	int secret = is_secret(f, name);
	const char *slug = f->c->slug, *type = decl ? decl->type : NULL;
	json_t *v;
	struct err e;
	err_init(&e);
	if (strcmp(name, "credential_command") == 0) {
		v = text[0] == '[' ? json_loads(text, 0, NULL) : json_pack("[s]", text);
		size_t i, n = json_array_size(v);
		json_t *x;
		int ok = n > 0;
		json_array_foreach(v, i, x)
			ok = ok && json_is_string(x) && json_string_length(x);
		if (!ok) {
			json_decref(v);
			err_set(err,
				"credential_command takes a JSON array of strings, the program "
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
		err_set(err, "the value given for '%s' of %s is not UTF-8 text", name, slug);
	else if (!v)
		err_set(err, "field '%s' of %s takes %s %s, got '%s'", name, slug,
			type ? "a" : "UTF-8", type ? type : "text", text);
	if (!v)
		return NULL;
	if (!decl)
		return v;
	if (schema_validate(decl->schema, v, &e) == 0)
		return v;
	const char *desc = decl->description;
	if (secret)
		err_set(err, "the value given for '%s' of %s does not have the expected form%s%s",
			name, slug, desc ? ": " : "", desc ? desc : "");
	else
		err_set(err, "field '%s' of %s: %s", name, slug, e.msg);
	if (secret)
		store_secrets_free(v);
	else
		json_decref(v);
	return NULL;
}

/* Drop a secret field's value, wiping it. */
static void secret_drop(json_t *secrets, const char *name)
{
	json_t *old = json_object_get(secrets, name);
	json_incref(old); /* dropped (and wiped) just below */
	json_object_del(secrets, name);
	store_secrets_free(old);
}

/* Put a checked value where it belongs: secrets or config. */
static int field_put(const struct cli_fields *f, const char *name, const char *text, json_t *config,
		     json_t *secrets, struct err *err)
{
	if (!json_object_get(f->known, name))
		return unknown_field(f, name, err);
	if (is_secret(f, name))
		log_add_secret(text);
	json_t *v = field_value(f, name, text, err);
	if (!v)
		return -1;
	if (is_secret(f, name)) {
		secret_drop(secrets, name);
		json_object_set_new(secrets, name, v);
	} else {
		json_object_set_new(config, name, v);
	}
	return 0;
}

/* A secret field declared "multiple" given as a JSON array of strings
 * (several webhook endpoints, or old and new during a rotation): each
 * checked like one value; stored as an array. */
static int field_put_list(const struct cli_fields *f, const char *name, json_t *list,
			  json_t *secrets, struct err *err)
{
	const struct auth_field *decl = field_decl(f, name);
	/* A webhook secret field declared nowhere else is only for webhooks. */
	const char *whs = f->c->info->webhooks.secret_field;
	int multiple = (decl && decl->multiple) || (!decl && whs && strcmp(whs, name) == 0);
	if (!is_secret(f, name) || !multiple)
		return err_set(err, "--secret-stdin: field '%s' must be a string", name);
	json_t *out = json_array(), *x;
	size_t i;
	json_array_foreach(list, i, x) {
		if (!json_is_string(x) || !json_string_length(x)) {
			store_secrets_free(out);
			return err_set(err,
				       "--secret-stdin: field '%s' takes a string or an array "
				       "of non-empty strings",
				       name);
		}
		log_add_secret(json_string_value(x));
		json_t *v = field_value(f, name, json_string_value(x), err);
		if (!v) {
			store_secrets_free(out);
			return -1;
		}
		json_array_append_new(out, v);
	}
	if (!json_array_size(out)) {
		store_secrets_free(out);
		return err_set(err, "--secret-stdin: field '%s' is an empty array", name);
	}
	secret_drop(secrets, name);
	json_object_set_new(secrets, name, out);
	return 0;
}

/* ---- stdin and files ---- */

/* Drop trailing line ends (a key file or `echo` leaves one). */
static void chomp(char *s, size_t *len)
{
	while (*len && (s[*len - 1] == '\n' || s[*len - 1] == '\r'))
		s[--*len] = '\0';
}

char *cli_fields_read_stdin(struct err *err)
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
			char *text = buf_detach(&b);
			size_t len = strlen(text); /* a NUL byte ends the text */
			chomp(text, &len);
			return text;
		}
		int over = buf_add(&b, tmp, (size_t)n) < 0;
		crypto_cleanse(tmp, sizeof(tmp));
		if (over) {
			err_set(err, "stdin holds more than %d bytes; expected secrets",
				MAX_SECRET_INPUT);
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
static const char *only_secret(const struct cli_fields *f, struct err *err)
{
	const char *one = NULL, *one_required = NULL;
	int n = 0, nreq = 0;
	for (size_t i = 0; f->method && i < f->method->n_fields; i++) {
		const struct auth_field *d = &f->method->fields[i];
		if (!d->secret)
			continue;
		if (n++ == 0)
			one = d->name;
		if (d->required && nreq++ == 0)
			one_required = d->name;
	}
	if (nreq == 1)
		return one_required;
	if (n == 0 && strcmp(method_type(f), "oauth2") == 0)
		one = "access_token", n = 1;
	if (n == 1)
		return one;
	char *list = known_list(f);
	err_set(err,
		"--secret-stdin got a bare value, but auth %s of %s has %s secret field; give a "
		"JSON object of fields (known: %s)",
		method_type(f), f->c->slug, n ? "more than one" : "no", list);
	free(list);
	return NULL;
}

/* --secret-stdin: a JSON object of fields, or the one secret field's value. */
static int secrets_from_stdin(const struct cli_fields *f, json_t *config, json_t *secrets,
			      struct err *err)
{
	char *text = cli_fields_read_stdin(err);
	json_t *doc = NULL;
	int ret = -1;
	if (!text)
		return -1;
	const char *p = text + strspn(text, " \t\r\n");
	if (*p == '{') {
		doc = json_loads(text, 0, NULL);
		if (!json_is_object(doc)) {
			/* Never quote it: it is meant to hold secrets. */
			err_set(err,
				"--secret-stdin: stdin starts with '{' but is not a JSON object");
			goto done;
		}
		const char *k;
		json_t *v;
		json_object_foreach(doc, k, v) {
			if (!json_object_get(f->known, k)) {
				unknown_field(f, k, err);
				goto done;
			}
			if (json_is_array(v)) {
				if (field_put_list(f, k, v, secrets, err) < 0)
					goto done;
				continue;
			}
			if (!json_is_string(v)) {
				err_set(err, "--secret-stdin: field '%s' must be a string", k);
				goto done;
			}
			if (field_put(f, k, json_string_value(v), config, secrets, err) < 0)
				goto done;
		}
		ret = 0;
	} else if (!*p) {
		err_set(err, "--secret-stdin: stdin is empty");
	} else {
		const char *field = only_secret(f, err);
		if (field)
			ret = field_put(f, field, text, config, secrets, err);
	}
done:
	store_secrets_free(doc);
	free_secret(text);
	return ret;
}

/* The field named before eq in an option's FIELD=... argument, when it
 * is known and of the kind the option takes (a secret for --secret, not
 * one for --set). A new string, or NULL with err. */
static char *option_field(const struct cli_fields *f, const char *arg, const char *eq,
			  int want_secret, struct err *err)
{
	char *name = xstrndup(arg, (size_t)(eq - arg));
	if (!json_object_get(f->known, name))
		unknown_field(f, name, err);
	else if (want_secret && !is_secret(f, name))
		err_set(err, "'%s' is not a secret field of %s: use --set %s=VALUE", name,
			f->c->slug, name);
	else if (!want_secret && is_secret(f, name))
		/* Do not quote arg: it holds the secret. */
		err_set(err,
			"'%s' is a secret: pass it with --secret-stdin or --secret %s=@FILE, not "
			"on "
			"the command line",
			name, name);
	else
		return name;
	free(name);
	return NULL;
}

/* --secret FIELD=@FILE, one value per file. */
static int secret_from_file(const struct cli_fields *f, const char *arg, json_t *config,
			    json_t *secrets, struct err *err)
{
	const char *eq = strchr(arg, '=');
	if (!eq || eq[1] != '@' || !eq[2]) {
		return err_set(err,
			       "--secret takes FIELD=@FILE (a file holding the value): secrets "
			       "are not accepted on the command line, where other users can see "
			       "them; or use --secret-stdin");
	}
	char *name = option_field(f, arg, eq, 1, err), *text = NULL;
	int ret = -1;
	size_t len = 0;
	if (!name || !(text = read_file(eq + 2, MAX_SECRET_INPUT, &len, err)))
		goto done;
	chomp(text, &len);
	if (!len)
		err_set(err, "'%s' is empty", eq + 2);
	else
		ret = field_put(f, name, text, config, secrets, err);
done:
	free_secret(text);
	free(name);
	return ret;
}

/* --set FIELD=VALUE for non-secret fields. */
static int field_from_set(const struct cli_fields *f, const char *arg, json_t *config,
			  json_t *secrets, struct err *err)
{
	const char *eq = strchr(arg, '=');
	if (!eq || eq == arg)
		return err_set(err, "--set takes FIELD=VALUE, got '%s'", arg);
	char *name = option_field(f, arg, eq, 0, err);
	int ret = name ? field_put(f, name, eq + 1, config, secrets, err) : -1;
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

int cli_fields_prompt(const char *question, int hidden, char *line, size_t size)
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
static int prompt_fields(const struct cli_fields *f, json_t *config, json_t *secrets, int keep,
			 struct err *err)
{
	const char *name;
	json_t *entry;
	char *line = xmalloc(MAX_PROMPT_LINE);
	int ret = -1;
	json_object_foreach(f->known, name, entry) {
		if (!json_is_true(json_object_get(entry, "prompt")))
			continue;
		int secret = json_is_true(json_object_get(entry, "secret"));
		int have = json_object_get(secret ? secrets : config, name) != NULL;
		if (have && !keep)
			continue;
		const struct auth_field *decl = field_decl(f, name);
		const char *label = decl ? decl->label : NULL;
		const char *desc = decl ? decl->description : NULL;
		int required = json_is_true(json_object_get(entry, "required"));
		if (desc)
			fprintf(stderr, "%s\n", desc);
		char *q = xasprintf("%s%s%s%s%s: ", label ? label : name, label ? " (" : "",
				    label ? name : "", label ? ")" : "",
				    have ? (secret ? " [set; Enter keeps it]" : " [Enter keeps it]")
				    : !required ? " [optional, Enter skips]"
						: "");
		/* A person mistypes: a malformed value, or none for a required
		 * field, is said and asked again, not the whole add aborted. */
		for (int tries = 0;; tries++) {
			int n = cli_fields_prompt(q, secret, line, MAX_PROMPT_LINE);
			struct err bad;
			err_init(&bad);
			if (n < 0) {
				free(q);
				err_set(err, "no answer for '%s'", name);
				goto done;
			}
			if (n == 0 && required && !have)
				err_set(&bad, "'%s' is required", name);
			else if (n == 0 || field_put(f, name, line, config, secrets, &bad) == 0)
				break;
			crypto_cleanse(line, MAX_PROMPT_LINE);
			if (tries + 1 == MAX_PROMPT_TRIES) {
				free(q);
				err_set(err, "%s", bad.msg);
				goto done;
			}
			fprintf(stderr, "switchboard: %s; try again\n", bad.msg);
		}
		free(q);
		crypto_cleanse(line, MAX_PROMPT_LINE);
	}
	ret = 0;
done:
	crypto_cleanse(line, MAX_PROMPT_LINE);
	free(line);
	return ret;
}

/* ---- all of them ---- */

/* Every required field is in config or secrets; else err names the missing.
 * secrets NULL: not opened (an edit of plain fields), so not checked. */
static int fields_complete(const struct cli_fields *f, json_t *config, json_t *secrets,
			   struct err *err)
{
	struct buf b;
	const char *name;
	json_t *entry;
	buf_init(&b, 0);
	json_object_foreach(f->known, name, entry) {
		if (!json_is_true(json_object_get(entry, "required")) ||
		    json_object_get(config, name) || json_object_get(secrets, name) ||
		    (!secrets && is_secret(f, name)))
			continue;
		if (is_secret(f, name))
			buf_addf(&b, "%s%s (a secret: --secret-stdin or --secret %s=@FILE)",
				 b.len ? ", " : "", name, name);
		else
			buf_addf(&b, "%s%s (--set %s=VALUE)", b.len ? ", " : "", name, name);
	}
	int ret = 0;
	if (b.len)
		ret = err_set(err, "%s (auth %s) needs: %s", f->c->slug, method_type(f), b.data);
	buf_release(&b);
	return ret;
}

int cli_fields_gather(const struct cli_fields *f, const struct cli_fields_args *a, json_t *config,
		      json_t *secrets, int keep, struct err *err)
{
	size_t i;
	json_t *v;
	json_array_foreach(a->set, i, v) {
		if (field_from_set(f, json_string_value(v), config, secrets, err) < 0)
			return -1;
	}
	json_array_foreach(a->unset, i, v) {
		const char *name = json_string_value(v);
		if (!json_object_get(f->known, name))
			return unknown_field(f, name, err);
		json_object_del(config, name);
		secret_drop(secrets, name);
	}
	if (a->secret_stdin && secrets_from_stdin(f, config, secrets, err) < 0)
		return -1;
	json_array_foreach(a->secret, i, v) {
		if (secret_from_file(f, json_string_value(v), config, secrets, err) < 0)
			return -1;
	}
	if (isatty(0) && !a->secret_stdin && (!keep || !cli_fields_args_given(a)) &&
	    prompt_fields(f, config, secrets, keep, err) < 0)
		return -1;
	return fields_complete(f, config, secrets, err);
}
