/* registry.h - the capability registry: connector files loaded, validated
 * against schemas/connector.schema.json, and looked up by slug. */
#ifndef SB_REGISTRY_H
#define SB_REGISTRY_H

#include <jansson.h>
#include <stddef.h>

#include "util.h"

/* One loaded connector. doc is the file's JSON after defaults are filled in;
 * the typed model (connector.h) is filled from it at load, and the code
 * below the registry reads the model, not doc. */
struct connector {
	char *slug;
	char *path; /* the file it came from */
	json_t *doc;
	struct connector_model *model; /* entities and actions (connector.h) */
	struct connector_auth *auth;   /* the auth block (connector.h), or NULL */
	struct connector_info *info;   /* its facts, params and webhooks (connector.h) */
	char *outline;                 /* doc is the file's outline (registry_use_outlines), kept
					  for this stat key of it; NULL: doc is all of it */
};

struct registry;
struct auth_method;
struct auth_field;

/* Report for a bad file: "file: json/path: what is wrong". */
typedef void (*registry_report_fn)(const char *msg, void *ctx);

struct registry *registry_new(void);
void registry_free(struct registry *r);

/* The folder holding capabilities/ and schemas/: $SWITCHBOARD_DATADIR, else
 * <exe>/../share/switchboard (an install, a bundle), else the source tree the
 * binary was built in (build/..), else SB_DATADIR (compiled in). Borrowed. */
const char *registry_datadir(void);

/* Load one file: parse, validate, check names, fill defaults, and add it,
 * replacing a connector with the same slug. 0 or -1 with err. */
int registry_load_file(struct registry *r, const char *path, struct err *err);
/* Add a document already in memory (a draft: connectors test, the builder
 * meta-tools) as registry_load_file does a file; path names it in messages
 * and becomes the connector's path. Takes doc (stolen, even on failure).
 * 0 or -1 with err. */
int registry_add_doc(struct registry *r, const char *path, json_t *doc, struct err *err);
/* Load every *.json in dir (names starting with "_" are registry data, not
 * connectors). Bad files are reported and skipped. Returns the number of
 * files that failed, or -1 when dir cannot be read (reported too, unless
 * missing_ok and it does not exist). */
int registry_load_dir(struct registry *r, const char *dir, int missing_ok,
		      registry_report_fn report, void *ctx);
/* The built-in folder; the shared folders, <dir>/switchboard/capabilities
 * for each dir of $XDG_DATA_DIRS (default /usr/local/share:/usr/share; the
 * first listed wins); the user's folder (registry_user_dir);
 * $SWITCHBOARD_CAPABILITIES (':'-separated); then extra_dirs (NULL-ended).
 * A later file replaces an earlier one of the same slug. */
int registry_load_default(struct registry *r, const char *const *extra_dirs,
			  registry_report_fn report, void *ctx);

/* The user's own connector folder: $XDG_CONFIG_HOME/switchboard/capabilities
 * (default ~/.config/switchboard/capabilities). A new string. */
char *registry_user_dir(void);
/* The folder public connectors are written to, which every user loads: the
 * first folder of $SWITCHBOARD_CAPABILITIES when set, else the first
 * $XDG_DATA_DIRS folder's switchboard/capabilities. A new string. */
char *registry_shared_dir(void);

/* A canonical entity of _canonical.json (merged over the loaded folders):
 * its name, its aliases (an array, or NULL) and its fields (name ->
 * declaration, an object, or NULL); borrowed from r. */
struct canonical_entity {
	const char *name;
	json_t *aliases;
	json_t *fields;
};
/* The canonical entity called name, else the one that lists name among its
 * aliases: 1 with *out filled, or 0. */
int registry_canonical_entity(const struct registry *r, const char *name,
			      struct canonical_entity *out);
/* The canonical entities' names, in order: a new array. */
json_t *registry_canonical_names(const struct registry *r);
/* The search synonyms of _canonical.json: word -> array of words (an object,
 * borrowed), or NULL. */
json_t *registry_synonyms(const struct registry *r);

/* Outlines, for a server's start-up: a connector file's outline is its
 * document without what only a tool's definition, a search or a call reads
 * (an action's params, description, path...; an entity's fields,
 * description, polling...), which is all building a tool list reads. Once
 * set, registry_load_default takes a file whose bytes this build has seen
 * before as the outline it kept of them (registry_cache.h), and keeps one
 * of each file it reads in full. A connector loaded so has outline set;
 * registry_expand loads the rest before anything but a tool list of its
 * tools is made. */
void registry_use_outlines(struct registry *r);
/* Read the outlined connectors named in slugs (NULL-ended; NULL: every
 * one) from their files in full, in place: a connector keeps its struct,
 * the outline stays valid until registry_free (what was borrowed from it
 * stays readable). A file now failing, or naming another slug, is reported
 * and its connector dropped from r (kept until registry_free too). Returns
 * the number dropped. */
int registry_expand(struct registry *r, char *const *slugs, registry_report_fn report, void *ctx);
/* Whether any connector of r is an outline. */
int registry_has_outlines(const struct registry *r);

size_t registry_count(const struct registry *r);
/* When r holds no connector at all (an install missing its data folder): a
 * sentence saying where the built-in files were looked for and how to point
 * at them. NULL when r is not empty. The caller frees it. */
char *registry_empty_hint(const struct registry *r);
/* Connectors in slug order; borrowed. */
const struct connector *registry_at(const struct registry *r, size_t i);
const struct connector *registry_find(const struct registry *r, const char *slug);

/* The auth method of type, or with NULL type the default one (connector.h's
 * struct, filled at load); NULL when c declares no such method. */
const struct auth_method *connector_auth_method(const struct connector *c, const char *type);
/* The value of a field declaration's environment variable: its "env",
 * else the first of its "env_aliases" (the names the vendor's official
 * tools read, such as GH_TOKEN) that is set and not empty. Borrowed from
 * the environment; NULL when none is set. var (may be NULL) gets the
 * variable's name. */
const char *connector_field_env(const struct auth_field *field, const char **var);
/* What an action object does: "read", "write" or "delete" (standard verbs
 * imply it); the model's action_spec.kind. */
const char *action_kind(const char *action_name, json_t *action);
/* Whether an action object pages (the model's action_spec.list). */
int action_is_list(const struct connector *c, const char *action_name, json_t *action);
struct action_spec;
/* Whether an action cannot be undone (a delete, a payment, a refund, a
 * send, a cancellation), and whether repeating it changes nothing more: the
 * action's own "destructive" / "idempotent", else the rule for its name in
 * the "verbs" of _canonical.json, else true for kind "delete". r may be
 * NULL (no verb rules). */
int registry_action_destructive(const struct registry *r, const struct action_spec *a);
int registry_action_idempotent(const struct registry *r, const struct action_spec *a);

/* An action's "at_least_one" rules: each rule is an array of choices, a
 * choice an argument name or an array of names given together. Whether args
 * give every name of at least one choice of rule (an argument given as null
 * counts as absent). */
int action_rule_met(json_t *rule, json_t *args);
/* The rule for people: "payment_intent or charge", "(Code and Type) or
 * BankAccountNumber". A new string, the caller frees it. */
char *action_rule_text(json_t *rule);

/* Validate a document against the connector schema (for `check`); path is
 * used in messages. */
int registry_check_doc(const char *path, json_t *doc, struct err *err);

#endif
