/* tools.h - turns the registry and the available connections into MCP tools:
 * names, input schemas, annotations, filters, and the discovery meta-tools. */
#ifndef SB_TOOLS_H
#define SB_TOOLS_H

#include <jansson.h>

#include "connector.h"
#include "exec.h"
#include "registry.h"

enum tools_mode { TOOLS_AUTO, TOOLS_STATIC, TOOLS_DISCOVER };

struct tools_filter {
	char **connectors; /* NULL-terminated slugs, or NULL for all */
	char **include;    /* NULL-terminated tool name globs, or NULL */
	char **exclude;    /* NULL-terminated tool name globs, or NULL */
	int read_only;
	int all; /* show connectors without a usable connection too */
	enum tools_mode mode;
	int max_tools;     /* auto shows every tool up to this many (default 40); above
			      it, the featured ones and the meta-tools, or the
			      meta-tools alone when more than this many are featured */
	int events;        /* show switchboard_events (the store holds events) */
	int connect;       /* show switchboard_connect (it can connect something) */
	int header_params; /* serving HTTP: `connection` is mirrored into the
			      Mcp-Param-Connection header (x-mcp-header) */
	int builder;       /* serve --builder: the connector builder's meta-tools
			      (tools_builder.h), shown in every mode */
};

/* Where connection names come from: returns a new JSON array of the
 * connector's usable connection names, the default first (empty when none). */
typedef json_t *(*tools_connections_fn)(const struct connector *c, void *ctx);

struct tool {
	char *name;
	const struct connector *connector; /* borrowed from the registry */
	const char *entity;                /* borrowed */
	const char *action;                /* borrowed */
	const struct action_spec *spec;    /* borrowed from the registry (its entity:
					      spec->entity); NULL for a meta-tool */
	/* The MCP Tool object and its inputSchema, made on first use (in
	 * discovery mode most tools are never shown): read them through
	 * tools_def() and tools_input(). */
	json_t *def_made;    /* owned, or NULL until made */
	json_t *input_made;  /* borrowed from def_made */
	json_t *listed_made; /* owned: the leaner form tools/list sends (maybe
				def_made itself), or NULL until made */
	int lead;            /* the entity's first tool, which describes the entity */
	json_t *connections; /* owned array of connection names, default first */
	int is_list;
	int featured;      /* one of its connector's few most used tools */
	int bare_fields;   /* an update whose fields its create tool describes */
	int destructive;   /* cannot be undone: a client should ask first */
	int idempotent;    /* repeating it changes nothing more */
	int meta;          /* a discovery meta-tool (search, describe, call) */
	int header_params; /* tools_filter's */
};

struct search_index;

struct toolset {
	struct tool *tools; /* every generated tool that passes the filters */
	size_t n;
	struct search_index *index;   /* over tools, made by the first tools_search; owned */
	const struct registry *reg;   /* borrowed: what the tools were built from */
	int discover;                 /* tools/list shows the meta-tools instead */
	const struct tool **featured; /* auto mode: shown directly beside the
					 meta-tools (borrowed pointers into tools) */
	size_t nfeatured;
	struct tool *meta; /* the meta-tools */
	size_t nmeta;
	const struct tool *conn_tool;        /* switchboard_connections, shown in every mode
						unless filtered out; NULL then */
	const struct tool *events_tool;      /* switchboard_events, shown once events exist */
	const struct tool *connect_tool;     /* switchboard_connect, shown once an OAuth app
						is stored (or with --all) */
	const struct tool *builder_tools[3]; /* serve --builder's, or NULL */
	size_t *by_name; /* open addressing by name: slot = 1 + index into tools,
			    0 empty; by_name_cap slots, a power of two */
	size_t by_name_cap;
};

#define TOOLS_CONNECTIONS "switchboard_connections"
#define TOOLS_EVENTS "switchboard_events"
#define TOOLS_CONNECT "switchboard_connect"

/* Build the tools. Refuses duplicate names (err names both). */
struct toolset *tools_build(const struct registry *r, const struct tools_filter *f,
			    tools_connections_fn conns, void *ctx, struct err *err);
void tools_free(struct toolset *t);

/* The tools a client sees (in discovery, the featured tools of auto mode,
 * then the meta-tools); borrowed. */
size_t tools_visible_count(const struct toolset *t);
const struct tool *tools_visible_at(const struct toolset *t, size_t i);
/* The tool's MCP definition (name, title, description, inputSchema,
 * outputSchema, annotations) and its inputSchema; borrowed, made on first
 * use and kept with the tool. */
json_t *tools_def(const struct tool *t);
json_t *tools_input(const struct tool *t);
/* The definition as tools/list sends it; borrowed, made on first use. The
 * same as tools_def, except that constant arguments are left out (they are
 * sent with their values whatever the model gives) and an update whose
 * create tool is listed too names its body fields without their schemas
 * (the create tool declares them, the description says so): the list says
 * each thing once, while switchboard_describe and argument checks use the
 * full definition. */
json_t *tools_listed(const struct tool *t);
/* What the tool does, from the tool itself (a generated tool's action and
 * connector data; a meta-tool's annotations, absent hints read as MCP's
 * defaults): *read_only, and *destructive (0 when read-only). */
void tools_safety(const struct tool *t, int *read_only, int *destructive);
/* The tool's title ("Stripe: create refund"), as its definition has it,
 * without making the definition. A new string. */
char *tools_title(const struct tool *t);
/* What calling the generated tool t runs (exec_start): its connector and
 * action, and its outputSchema (the definition is made now if it was not). */
struct exec_target tools_target(const struct tool *t);
/* Find any tool by name: generated (even in discover mode) or meta. */
const struct tool *tools_find(const struct toolset *t, const char *name);
#define TOOLS_SEARCH_LIMIT 5

/* The search index over ts's tools (tools_search.c): names, titles,
 * descriptions, entity and connector names, the vendor's operations, field
 * names, and the aliases and synonyms the connector files and r's
 * _canonical.json give (r may be NULL). Free with search_index_free. */
struct search_index *tools_index_new(const struct registry *r, const struct toolset *ts);

/* switchboard_search. With a query: the best tools for it (ranked, within
 * connector and entity when given), at most limit (0: TOOLS_SEARCH_LIMIT),
 * as short hits {name, title, summary, read_only, destructive, required}.
 * Without one, browsing: no connector lists the connectors with their
 * entity and tool counts; a connector lists its entities with their
 * actions; an entity lists its tools as hits. Deterministic order. New. */
json_t *tools_search(const struct toolset *ts, const char *query, const char *connector,
		     const char *entity, int limit);

/* Split "a,b,c" into a NULL-terminated array (free with tools_strv_free). */
char **tools_strv_split(const char *csv);
void tools_strv_free(char **v);

#endif
