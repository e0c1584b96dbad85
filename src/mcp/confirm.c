/* confirm.c - asks the user before a call that cannot be undone (see
 * confirm.h): the policy, the summary, the sealed requestState of MRTR and
 * the elicitation/create form of 2025-11-25. */
#include "confirm.h"

#include <stdlib.h>
#include <string.h>

#include "conns.h"
#include "crypto.h"
#include "jsonx.h"
#include "log.h"
#include "mcp_result.h"
#include "store.h"

#define MRTR_VERSION "2026-07-28" /* the first version with input requests */
#define DEFAULT_TTL_S 300
#define STATE_MAX 4096      /* a requestState longer than this is not ours */
#define INPUT_KEY "confirm" /* our key in inputRequests / inputResponses */
#define STATE_AAD "switchboard requestState v1"
#define SHOWN_ARGS 12  /* arguments listed in a summary */
#define SHOWN_CHARS 80 /* of each value */

struct confirm {
	struct store *st; /* borrowed: the key comes from it, when first needed */
	int keyed;        /* key and instance are made */
	unsigned char key[CRYPTO_KEY_LEN];
	char instance[17]; /* hex: who issued a state (see confirm_new) */
	int shared;        /* 1: the key is the store's, so every process on the
			    * store opens our states and spends nonces there */
	long long ttl_s;
	json_t *used; /* nonce -> expiry (seconds), until the expiry (not shared) */
};

struct confirm *confirm_new(struct store *st)
{
	struct confirm *cf = xcalloc(1, sizeof(*cf));
	cf->st = st;
	cf->ttl_s = DEFAULT_TTL_S;
	long v;
	const char *ttl = getenv("SWITCHBOARD_CONFIRM_TTL");
	if (ttl && parse_long(ttl, &v) == 0 && v >= 0)
		cf->ttl_s = v;
	cf->used = json_object();
	return cf;
}

/* The sealing key and this process's instance id, made by the first state
 * sealed or opened: most sessions never ask, and making them (OpenSSL's
 * random generator, the store key) is a noticeable part of start-up. */
static void confirm_key(struct confirm *cf)
{
	unsigned char id[8];
	struct err e;
	if (cf->keyed)
		return;
	err_init(&e);
	/* With the store's key every process on the store (the replicas
	 * behind one load balancer) is one issuer: a state made by one is
	 * answered to another, and its nonce is spent in the store. Without a
	 * store key a random one serves: a state is only ever good in the
	 * process that made it (its nonces are remembered here). */
	if (cf->st && store_derive_key(cf->st, STATE_AAD, cf->key, &e) == 0) {
		unsigned char h[32];
		crypto_hmac_sha256(cf->key, sizeof(cf->key), "issuer", 6, h);
		memcpy(id, h, sizeof(id));
		cf->shared = 1;
	} else {
		log_debug("confirmations sealed with a key of this process only");
		if (crypto_random(cf->key, sizeof(cf->key), NULL) < 0 ||
		    crypto_random(id, sizeof(id), NULL) < 0)
			abort();
	}
	char *hex = crypto_hex(id, sizeof(id));
	memcpy(cf->instance, hex, sizeof(cf->instance));
	free(hex);
	cf->keyed = 1;
}

void confirm_free(struct confirm *cf)
{
	if (!cf)
		return;
	crypto_cleanse(cf->key, sizeof(cf->key));
	json_decref(cf->used);
	free(cf);
}

/* ---- which calls ask ---- */

static enum conns_confirm policy_of(const struct connection *conn)
{
	enum conns_confirm p = CONNS_CONFIRM_DESTRUCTIVE;
	const char *env = getenv("SWITCHBOARD_CONFIRM");
	if (env && conns_confirm_parse(env, &p) < 0) {
		log_warn("SWITCHBOARD_CONFIRM='%s' is not never, destructive or writes; "
			 "using destructive",
			 env);
		p = CONNS_CONFIRM_DESTRUCTIVE;
	}
	const char *own = json_string_value(json_object_get(conn->config, CONNS_CONFIRM_KEY));
	if (own && conns_confirm_parse(own, &p) < 0)
		p = CONNS_CONFIRM_DESTRUCTIVE; /* a bad stored value never weakens the default */
	return p;
}

static int needs_yes(const struct tool *t, enum conns_confirm p)
{
	if (p == CONNS_CONFIRM_NEVER)
		return 0;
	if (p == CONNS_CONFIRM_WRITES)
		return strcmp(t->spec->kind, "read") != 0;
	return t->destructive;
}

/* ---- what the user reads ---- */

static void add_value(struct buf *b, json_t *v)
{
	char *text = json_is_string(v) ? xstrdup(json_string_value(v)) : jsonx_dumps(v);
	size_t n = strlen(text);
	if (n > SHOWN_CHARS) {
		buf_add(b, text, SHOWN_CHARS);
		buf_adds(b, "...");
	} else {
		buf_add(b, text, n);
	}
	free(text);
}

/* The arguments that say what happens: the ids in the path first (what is
 * acted on), then the others in the order given, without the connection
 * (named already) or an output filter. */
static void add_args(struct buf *b, const struct tool *t, json_t *args)
{
	const char *k;
	json_t *v;
	int shown = 0, more = 0;
	for (int path = 1; path >= 0; path--) {
		json_object_foreach(args, k, v) {
			struct param_spec ps;
			connector_param(t->spec, k, &ps);
			int is_path = ps.in == PLACE_PATH;
			if (is_path != path || json_is_null(v) || strcmp(k, "connection") == 0 ||
			    strcmp(k, "fields") == 0)
				continue;
			if (shown == SHOWN_ARGS) {
				more++;
				continue;
			}
			buf_addf(b, "\n- %s: ", k);
			add_value(b, v);
			shown++;
		}
	}
	if (more)
		buf_addf(b, "\n- and %d more", more);
}

/* "Stripe: Create a refund on stripe/acme", the first sentence of the
 * action's description, then the arguments. A new string. */
static char *summary(const struct tool *t, const char *where, json_t *args)
{
	struct buf b;
	buf_init(&b, 0);
	char *title = tools_title(t);
	buf_addf(&b, "%s on %s (%s)", title, where, t->name);
	free(title);
	const char *desc = t->spec->description;
	if (desc) {
		const char *end = strstr(desc, ". ");
		size_t n = end ? (size_t)(end - desc) + 1 : strlen(desc);
		buf_adds(&b, "\n");
		buf_add(&b, desc, n < 300 ? n : 300);
	}
	add_args(&b, t, args);
	return buf_detach(&b);
}

static json_t *elicit_params(const struct tool *t, const char *text)
{
	char *msg = xasprintf("switchboard asks before it runs this%s:\n\n%s",
			      t->destructive ? ", which cannot be undone" : "", text);
	json_t *p = json_pack("{s:s, s:s, s:{s:s, s:{s:{s:s, s:s, s:s, s:b}}, s:[s]}}", "mode",
			      "form", "message", msg, "requestedSchema", "type", "object",
			      "properties", "confirm", "type", "boolean", "title", "Run it",
			      "description", "Yes runs it now; no sends nothing.", "default", 0,
			      "required", "confirm");
	free(msg);
	return p;
}

/* ---- how the client can be asked ---- */

enum channel { ASK_NONE, ASK_MRTR, ASK_ELICIT };

static enum channel channel_of(const char *version, json_t *caps)
{
	json_t *el = json_object_get(caps, "elicitation");
	/* An empty elicitation object means form mode (2025-11-25). */
	int form =
		json_is_object(el) && (json_object_get(el, "form") || !json_object_get(el, "url"));
	if (!form)
		return ASK_NONE;
	return version && strcmp(version, MRTR_VERSION) >= 0 ? ASK_MRTR : ASK_ELICIT;
}

/* ---- the sealed requestState ---- */

static char *args_hash(json_t *args)
{
	unsigned char h[32];
	char *canon = json_dumps(args, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	crypto_sha256(canon, strlen(canon), h);
	free(canon);
	return crypto_hex(h, sizeof(h));
}

/* A sealed state for the call of t on where with args, by caller who (""
 * over stdio). A new string. */
static char *state_seal(struct confirm *cf, const struct tool *t, const char *where,
			const char *who, json_t *args)
{
	unsigned char n[16];
	confirm_key(cf);
	if (crypto_random(n, sizeof(n), NULL) < 0)
		abort();
	char *nonce = crypto_hex(n, sizeof(n)), *hash = args_hash(args);
	json_t *st = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:s}", "i", cf->instance, "t",
			       t->name, "c", where, "p", who, "a", hash, "x",
			       (json_int_t)(now_s() + cf->ttl_s), "n", nonce);
	char *plain = json_dumps(st, JSON_COMPACT);
	unsigned char *blob = NULL;
	size_t len = 0;
	char *out = NULL;
	if (crypto_seal(cf->key, plain, strlen(plain), STATE_AAD, &blob, &len, NULL) == 0)
		out = crypto_base64(blob, len, 1);
	if (!out)
		abort(); /* sealing in memory fails only when OpenSSL is broken */
	free(blob);
	free(plain);
	free(nonce);
	free(hash);
	json_decref(st);
	return out;
}

static void forget_expired(struct confirm *cf)
{
	const char *k;
	json_t *v, *tmp;
	json_object_foreach_safe(cf->used, tmp, k, v) {
		if (json_integer_value(v) < now_s())
			json_object_del(cf->used, k);
	}
}

/* Spend nonce (good until exp): 1 first use, 0 used before, -1 with err. */
static int spend(struct confirm *cf, struct store *s, const char *nonce, json_int_t exp,
		 struct err *err)
{
	if (cf->shared && s)
		return store_use_once(s, nonce, exp, err);
	forget_expired(cf);
	if (json_object_get(cf->used, nonce))
		return 0;
	json_object_set_new(cf->used, nonce, json_integer(exp));
	return 1;
}

/* Open and check a requestState for this call: 0, or -1 with err saying
 * why it is refused. A state that opens is used up, whatever follows. */
static int state_check(struct confirm *cf, struct store *s, const char *state, const struct tool *t,
		       const char *where, const char *who, json_t *args, struct err *err)
{
	size_t len = 0;
	char *plain = NULL;
	unsigned char *blob = strlen(state) <= STATE_MAX ? crypto_unbase64(state, &len) : NULL;
	json_t *st = NULL;
	int ret = -1;
	confirm_key(cf);
	if (blob && crypto_open(cf->key, blob, len, STATE_AAD, &plain, NULL, NULL) == 0)
		st = json_loads(plain, 0, NULL);
	const char *nonce = json_string_value(json_object_get(st, "n"));
	json_int_t exp = json_integer_value(json_object_get(st, "x"));
	const char *issuer = json_string_value(json_object_get(st, "i"));
	if (!nonce || !issuer || strcmp(issuer, cf->instance) != 0) {
		err_set(err, "the requestState does not verify: it was changed, or was not "
			     "issued by this switchboard (or a replica on its store)");
		goto out;
	}
	if (now_s() >= exp) {
		err_set(err, "the confirmation expired (it is good for %lld s)", cf->ttl_s);
		goto out;
	}
	struct err se;
	err_init(&se);
	int first = spend(cf, s, nonce, exp, &se);
	if (first < 0) {
		err_set(err, "the confirmation could not be checked (%s)", se.msg);
		goto out;
	}
	if (!first) {
		err_set(err, "the confirmation was already used (a requestState is good once)");
		goto out;
	}
	const char *to = json_string_value(json_object_get(st, "p"));
	if (!to || strcmp(to, who) != 0) {
		err_set(err, "the confirmation was given to another caller");
		goto out;
	}
	char *hash = args_hash(args);
	const char *tool = json_string_value(json_object_get(st, "t"));
	const char *conn = json_string_value(json_object_get(st, "c"));
	const char *ahash = json_string_value(json_object_get(st, "a"));
	if (!tool || strcmp(tool, t->name) != 0)
		err_set(err, "the confirmation was given for another tool (%s)", tool ? tool : "?");
	else if (!conn || strcmp(conn, where) != 0)
		err_set(err, "the confirmation was given for another connection (%s)",
			conn ? conn : "?");
	else if (!ahash || strcmp(ahash, hash) != 0)
		err_set(err, "the confirmation was given for other arguments");
	else
		ret = 0;
	free(hash);
out:
	json_decref(st);
	free_secret(plain);
	free(blob);
	return ret;
}

/* ---- answers ---- */

/* The next step: after the user's no, not another question. */
static const char *next_step(int user_said_no)
{
	return user_said_no ? "Do not call it again unless the user asks for it"
			    : "Call the tool again to ask the user anew";
}

static json_t *refused(const struct tool *t, const char *why, int user_said_no)
{
	char *msg = xasprintf("%s was not run, and nothing was sent: %s. %s.", t->name, why,
			      next_step(user_said_no));
	json_t *r = result_error(msg, NULL);
	free(msg);
	return r;
}

/* The user's answer to our form, as an ElicitResult: 1 yes, 0 no (err
 * says which no). */
static int approved(json_t *answer, struct err *err)
{
	const char *action = json_string_value(json_object_get(answer, "action"));
	json_t *yes = json_object_get(json_object_get(answer, "content"), "confirm");
	if (action && strcmp(action, "accept") == 0 && json_is_true(yes))
		return 1;
	if (action && strcmp(action, "cancel") == 0)
		err_set(err, "the user cancelled the confirmation");
	else if (action && strcmp(action, "accept") == 0)
		err_set(err, "the user declined (the form was sent without confirm: true)");
	else if (action && strcmp(action, "decline") == 0)
		err_set(err, "the user declined");
	else
		err_set(err, "the answer to the confirmation is not an ElicitResult");
	return 0;
}

static json_t *input_required(struct confirm *cf, const struct tool *t, const char *where,
			      const char *who, json_t *args, const char *text)
{
	char *state = state_seal(cf, t, where, who, args);
	json_t *r = json_pack("{s:s, s:{s:{s:s, s:o}}, s:s}", "resultType", "input_required",
			      "inputRequests", INPUT_KEY, "method", "elicitation/create", "params",
			      elicit_params(t, text), "requestState", state);
	free(state);
	return r;
}

static json_t *cannot_ask(const struct tool *t, const struct connection *conn, const char *text)
{
	/* The environment's connection has no stored config to change. */
	char *how = conn->id ? xasprintf("run 'switchboard connections edit %s/%s --confirm "
					 "never' in a terminal",
					 conn->connector, conn->name)
			     : xstrdup("start the server with SWITCHBOARD_CONFIRM=never in its "
				       "environment (this connection comes from the environment)");
	char *msg = xasprintf(
		"%s was not run, and nothing was sent: it needs the user's confirmation, and this "
		"client can ask the user neither through input requests (MCP 2026-07-28) nor "
		"through elicitation. It would have run:\n%s\nTo allow such calls without asking, "
		"the user can %s, or use a client that supports elicitation.",
		t->name, text, how);
	free(how);
	json_t *r = result_error(msg, NULL);
	free(msg);
	return r;
}

json_t *confirm_gate(struct confirm *cf, struct store *st, const struct caller *who,
		     const struct tool *t, json_t *args, json_t *params, const char *version,
		     json_t *caps, json_t **elicit)
{
	const char *subject = who ? who->subject : "";
	struct err e;
	err_init(&e);
	*elicit = NULL;
	/* A read that no policy asks about needs no connection here (exec
	 * resolves it again: one store read fewer per call). */
	if (!needs_yes(t, CONNS_CONFIRM_WRITES) && !needs_yes(t, CONNS_CONFIRM_DESTRUCTIVE))
		return NULL;
	/* A connection that cannot be resolved fails in exec before any I/O,
	 * with the message that says how to fix it. */
	struct connection *conn = conns_resolve(
		st, t->connector, json_string_value(json_object_get(args, "connection")), who, &e);
	if (!conn || !needs_yes(t, policy_of(conn))) {
		connection_free(conn);
		return NULL;
	}
	char *where = xasprintf("%s/%s", conn->connector, conn->name);
	char *text = summary(t, where, args);
	json_t *ret = NULL;
	enum channel ch = channel_of(version, caps);
	const char *state = json_string_value(json_object_get(params, "requestState"));
	if (ch == ASK_NONE) {
		ret = cannot_ask(t, conn, text);
	} else if (ch == ASK_ELICIT) {
		*elicit = elicit_params(t, text);
	} else if (!state) {
		ret = input_required(cf, t, where, subject, args, text);
	} else if (state_check(cf, st, state, t, where, subject, args, &e) < 0) {
		ret = refused(t, e.msg, 0);
	} else {
		json_t *answer =
			json_object_get(json_object_get(params, "inputResponses"), INPUT_KEY);
		/* No answer to what we asked: ask again (the spec's advice). */
		if (!answer)
			ret = input_required(cf, t, where, subject, args, text);
		else if (!approved(answer, &e))
			ret = refused(t, e.msg, 1);
		else
			log_info("%s on %s: the user confirmed", t->name, where);
	}
	free(text);
	free(where);
	connection_free(conn);
	return ret;
}

json_t *confirm_elicit_answer(const char *tool, json_t *response)
{
	struct err e;
	err_init(&e);
	json_t *error = json_object_get(response, "error");
	if (error) {
		err_set(&e, "the client could not ask the user (%s)",
			json_string_value(json_object_get(error, "message"))
				? json_string_value(json_object_get(error, "message"))
				: "error");
	} else if (approved(json_object_get(response, "result"), &e)) {
		log_info("%s: the user confirmed", tool);
		return NULL;
	}
	char *msg = xasprintf("%s was not run, and nothing was sent: %s. %s.", tool, e.msg,
			      next_step(!error));
	json_t *r = result_error(msg, NULL);
	free(msg);
	return r;
}
