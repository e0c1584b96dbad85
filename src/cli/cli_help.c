/* cli_help.c - the help table: one entry per command and subcommand, in
 * the order `switchboard --help` lists them; and "did you mean" by edit
 * distance. Help goes to stdout (it was asked for); errors to stderr. */
#include "cli_help.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_print.h"
#include "util.h"

static const char main_usage[] =
	"usage: switchboard [options] <command> [args]\n"
	"\n"
	"MCP server over stdio that turns business APIs into tools.\n"
	"\n"
	"commands:\n"
	"  serve                         serve MCP on stdin/stdout (the default)\n"
	"  serve --http ADDR:PORT [--path /mcp]\n"
	"                                serve MCP over Streamable HTTP (stateless)\n"
	"  tools [--json]                list the tools serve would expose\n"
	"  call TOOL [ARGS_JSON] [--dry-run]\n"
	"                                run one tool call; the result goes to stdout\n"
	"  connectors [--json] [SLUG]    list connectors, or show one\n"
	"  connectors --entity E [--action A] [--event EV]\n"
	"                                which connectors can do it\n"
	"  connectors import SPEC|URL    a connector from an OpenAPI or Postman file\n"
	"  connectors create [--name NAME] ...\n"
	"                                a new connector (asks on a terminal)\n"
	"  connectors edit SLUG          your copy of a connector in $VISUAL/$EDITOR\n"
	"  connectors test SLUG [--fix]  run its read-only actions; propose fixes\n"
	"  check [FILE|DIR...]           validate connector files (default: the registry)\n"
	"  connections ...               manage connections (see: connections --help)\n"
	"  key rotate                    re-seal every stored secret under a new key\n"
	"  auth check-token|metadata --auth-config FILE\n"
	"                                what serve --http's auth makes of a token (stdin)\n"
	"  auth hash-token               the sha256: line of a static token (stdin)\n"
	"  oauth-app set SLUG --client-id ID [--client-secret-stdin] [--scopes S]\n"
	"      [--redirect-port N] [--authorize-url URL] [--token-url URL] [--revoke-url URL]\n"
	"                                your own OAuth app for a connector (also: show, remove)\n"
	"  connect SLUG [--name NAME] [--scopes S] [--set key=value] [--no-browser]\n"
	"      [--client-credentials]    connect an OAuth 2.0 account in the browser\n"
	"  coverage ENTITY [--json]      which connectors fill a canonical entity's fields\n"
	"  ui [--listen 127.0.0.1:PORT]  the connectors page: connect accounts in a browser\n"
	"  webhooks serve [--listen ADDR:PORT] [--path-prefix /hooks] [--poll-interval S]\n"
	"                                receive and verify vendor webhooks as events\n"
	"  webhooks register|list|remove CONNECTION ...\n"
	"                                manage the vendor's webhook subscriptions\n"
	"  events list [--json|--jsonl] [--connector C] [--connection N] [--entity E]\n"
	"      [--type T] [--since ISO|-1h] [--limit N]\n"
	"                                stored events, newest first\n"
	"  events poll [CONNECTION...]   poll entities without webhooks for changes\n"
	"  events prune --older-than SPAN\n"
	"                                delete old events\n"
	"  audit export [--since ISO|-1d] [--owner P]\n"
	"                                the audit log of tool calls as JSON Lines\n"
	"  audit prune --older-than SPAN delete old audit entries\n"
	"  completion bash|zsh           print a shell completion script\n"
	"  help [COMMAND...]             the help of a command (also: COMMAND --help)\n"
	"  version                       print the version\n"
	"\n"
	"options:\n"
	"  --capabilities DIR            also load connector files from DIR (repeatable)\n"
	"  --store PATH                  the connection store (default: "
	"$XDG_DATA_HOME/switchboard/switchboard.db)\n"
	"  --json                        machine-readable output: a list is one JSON array,\n"
	"                                one thing one JSON object; pretty on a terminal,\n"
	"                                compact otherwise\n"
	"  --jsonl                       one compact JSON object a line (events list)\n"
	"  --all                         show tools of connectors without a connection too\n"
	"  --connectors a,b              only these connectors\n"
	"  --tools GLOB,...              only tools matching a glob\n"
	"  --exclude GLOB,...            leave out tools matching a glob\n"
	"  --read-only                   only tools that change nothing\n"
	"  --mode auto|static|discover   discover shows search/describe/call meta-tools;\n"
	"                                auto (default) switches to it above --max-tools\n"
	"  --max-tools N                 default 40\n"
	"  --page-size N                 tools/list page size (default: all in one page)\n"
	"  --max-message-bytes N         longest accepted message (default 4194304)\n"
	"  --log-level LEVEL             debug, info, warn (default), error, off\n"
	"  --as PRINCIPAL                tools and call see only what PRINCIPAL may use\n"
	"                                over HTTP (its own connections and its groups')\n"
	"  --group G                     a group of --as (repeatable); the groups of\n"
	"                                connections grant and revoke\n"
	"  -h, --help                    this help, or a command's (COMMAND --help)\n"
	"  --version                     print the version\n"
	"\n"
	"environment: SWITCHBOARD_STORE, SWITCHBOARD_KEY, SWITCHBOARD_CAPABILITIES,\n"
	"SWITCHBOARD_LOG, SWITCHBOARD_AUDIT=off (record no tool calls),\n"
	"SWITCHBOARD_DATADIR (the built-in connectors; default\n"
	"<bin>/../share/switchboard), and each connector's credential variables\n"
	"(STRIPE_API_KEY, ...).\n";

const char cli_connections_usage[] =
	"usage: switchboard connections <command> [args]\n"
	"\n"
	"  list [--connector SLUG] [--owner PRINCIPAL] [--json]\n"
	"                  stored and environment connections: auth, status, default (*),\n"
	"                  owner and grants (when any), last use; never secrets\n"
	"  show NAME [--json]\n"
	"                  one connection: its config and which secret fields are set\n"
	"  add SLUG [--name NAME] [--auth METHOD] [--set FIELD=VALUE]...\n"
	"      [--secret-stdin] [--secret FIELD=@FILE]... [--no-test] [--owner P] [--json]\n"
	"                  add a connection (named main unless --name), --owner: for the\n"
	"                  principal P of serve --http only; when stdin is a\n"
	"                  terminal, asks for missing fields (again when one is malformed),\n"
	"                  secrets without echo, then tests it (not with --no-test)\n"
	"  edit NAME [--set FIELD=VALUE]... [--unset FIELD]... [--secret-stdin]\n"
	"      [--secret FIELD=@FILE]... [--confirm never|destructive|writes]\n"
	"                  change fields; secrets not given are kept; --confirm sets\n"
	"                  which calls ask the user first (default destructive)\n"
	"  remove NAME [--keep-grant] [--force]\n"
	"                  delete a connection and its secrets; an OAuth connection's\n"
	"                  grant is revoked at the vendor first (not with --keep-grant);\n"
	"                  if that fails it is kept, unless --force\n"
	"  rename NAME NEW give a connection another name\n"
	"  default NAME    make it the connection its connector's tools use by default\n"
	"  test NAME [--json]\n"
	"                  make the connector's cheapest read call with it and record the\n"
	"                  outcome in its status\n"
	"  refresh [NAME...] [--if-due] [--json]\n"
	"                  refresh OAuth tokens now (all, or those named); --if-due only\n"
	"                  those whose refresh token has used half its life or whose\n"
	"                  access token is due: run it daily from cron to keep idle\n"
	"                  connections alive\n"
	"  grant NAME --group G...\n"
	"                  share a connection with every principal in group G (the\n"
	"                  token's group claim); revoke NAME --group G... stops it\n"
	"\n"
	"Tenants (serve --http): a principal sees only the connections it owns\n"
	"(--owner) and those granted to one of its groups; unowned connections and\n"
	"environment ones are the local user's (stdio). Try it: tools --as P --group G.\n"
	"\n"
	"NAME is a connection's name, CONNECTOR/NAME where several connectors have one\n"
	"by that name, or its id. Non-secret fields (the auth method's, the connector's\n"
	"params, base_url) take --set. Secrets never go on the command line:\n"
	"--secret-stdin reads a JSON object such as {\"api_key\": \"...\", \"webhook_secret\":\n"
	"\"...\"}, or the bare value of the auth method's one required secret field,\n"
	"and --secret FIELD=@FILE reads one from a file.\n"
	"\n"
	"Environment connections: a connector's credential variables (STRIPE_API_KEY,\n"
	"or the official servers' names such as STRIPE_SECRET_KEY and GH_TOKEN) make a\n"
	"connection named env. Its base-URL variable (STRIPE_BASE_URL, ...) applies to\n"
	"that env connection only; a stored connection's base URL is its base_url field\n"
	"(connections edit NAME --set base_url=URL).\n";

const char cli_webhooks_usage[] =
	"usage: switchboard webhooks serve [--listen ADDR:PORT|[IPv6]:PORT] "
	"[--path-prefix /hooks]\n"
	"           [--port-file FILE] [--max-body BYTES] [--request-timeout SECONDS]\n"
	"           [--poll-interval SECONDS] [--retain SPAN]\n"
	"\n"
	"Receives vendor webhooks at http://ADDR:PORT/hooks/<connector>/<connection>,\n"
	"verifies each with the connector's signature scheme and the connection's\n"
	"webhook secret, and stores verified deliveries as events (see: events list).\n"
	"--listen defaults to 127.0.0.1:8787; [::1]:PORT is IPv6 loopback, [::]:PORT\n"
	"every address, IPv4 too; port 0 picks a free one (printed on\n"
	"stderr, and written to --port-file). Put it behind a tunnel or proxy for the\n"
	"vendor to reach it. A request not complete within --request-timeout (default\n"
	"30 s) of its connection, however slowly it trickles, is cut off; a silent\n"
	"connection after 10 s. --poll-interval also polls entities without webhooks,\n"
	"and on each interval refreshes the OAuth connections whose refresh token has\n"
	"used half its life (connections refresh --if-due), so idle ones stay alive.\n"
	"--retain 90d deletes events older than that at start and every hour (default:\n"
	"keep them all; see events prune). --log-level info shows each delivery.\n"
	"\n"
	"       switchboard webhooks register|list|remove CONNECTION ...\n"
	"manage the vendor's subscriptions: see 'switchboard webhooks register --help'.\n";

const char cli_webhooks_manage_usage[] =
	"usage: switchboard webhooks register CONNECTION --url PUBLIC_URL [--events E1,E2]\n"
	"           [--repo OWNER/NAME | --org ORG] [--args JSON]\n"
	"       switchboard webhooks list CONNECTION [--json] [--repo OWNER/NAME | --org ORG]\n"
	"       switchboard webhooks remove CONNECTION ID [--repo OWNER/NAME | --org ORG]\n"
	"\n"
	"register subscribes PUBLIC_URL/hooks/<connector>/<connection> (where webhooks\n"
	"serve receives) to the events through the vendor's API, stores the signing\n"
	"secret the vendor returns (or one generated here) as the connection's sealed\n"
	"webhook secret, and the delivery URL as its webhook_url. Events are the\n"
	"vendor's names (customer.created, orders/create, Sale/Created, push); the\n"
	"default is every event the connector maps. Vendors without such an API say\n"
	"where in their portal to do it. list shows the subscriptions ('*' marks this\n"
	"connection's URL); remove deletes one by its id.\n";

const char cli_events_usage[] =
	"usage: switchboard events list [--json|--jsonl] [--connector C] [--connection N]\n"
	"           [--entity E] [--type T] [--since ISO|-1h] [--limit N]\n"
	"       switchboard events poll [CONNECTION...] [--entity E] [--args JSON]\n"
	"       switchboard events prune --older-than SPAN [--connector C]\n"
	"\n"
	"list: stored events, newest first (--json: one JSON array; --jsonl: one\n"
	"compact JSON object a line).\n"
	"poll: call the list action of each entity that has a polling field (those\n"
	"the connection receives webhooks for are skipped unless --entity names one)\n"
	"and store new or changed items as events; the first poll only records where\n"
	"things stand. --args gives list arguments such as {\"owner\": \"o\", \"repo\": \"r\"}\n"
	"(a connection's settings of those names are used otherwise).\n"
	"prune: delete events received before SPAN ago (30d, 12h) or an ISO 8601 time;\n"
	"keep them longer than vendors retry deliveries (days), or a late retry is\n"
	"stored again.\n";

/* A subcommand's help: its synopsis, what it does, then where the rest is. */
#define SUB(path, synopsis, text)                                                                  \
	{                                                                                          \
		path, "usage: switchboard " synopsis "\n\n" text                                   \
	}

static const struct help {
	const char *path; /* "" is the program; "connections add" a subcommand */
	const char *text;
} helps[] = {
	{"", main_usage},
	SUB("serve",
	    "serve [--builder]\n"
	    "       switchboard serve --http ADDR:PORT [--path /mcp] [--allow-host NAME]...\n"
	    "                         [--allow-origin ORIGIN]... [--keepalive S]\n"
	    "                         [--request-timeout S] [--port-file FILE]\n"
	    "                         [--auth-config FILE] [--builder]",
	    "Serve MCP (JSON-RPC, one message a line) on stdin and stdout until stdin\n"
	    "closes. An MCP client starts it; add it to one with, for example:\n"
	    "  claude mcp add switchboard -- switchboard serve\n"
	    "or an mcp.json entry {\"command\": \"switchboard\", \"args\": [\"serve\"]}.\n"
	    "The global options (--connectors, --tools, --read-only, --mode ...) choose\n"
	    "the tools it exposes; see: switchboard --help\n"
	    "\n"
	    "--http serves Streamable HTTP (MCP 2026-07-28, and 2025-11-25 without\n"
	    "sessions) on ADDR:PORT (127.0.0.1:8080, [::1]:8080, or :8080 for\n"
	    "127.0.0.1; port 0 takes a free one, written to --port-file FILE) until\n"
	    "SIGINT or SIGTERM (calls in flight get 10 s to finish; a second signal\n"
	    "stops at once). Clients POST to --path (default /mcp). Stateless: any\n"
	    "replica can answer any request. Host must be loopback or an --allow-host\n"
	    "NAME (DNS rebinding: 421 otherwise), a browser's Origin loopback or an\n"
	    "--allow-origin (403). Subscription streams get a keep-alive comment every\n"
	    "--keepalive S seconds (15). Bodies are capped by --max-message-bytes\n"
	    "(4 MiB) and must arrive within --request-timeout S seconds (30). It\n"
	    "refuses an address other than loopback without authentication\n"
	    "configured: put it behind a proxy that terminates TLS and authenticates,\n"
	    "on 127.0.0.1, or give --auth-config FILE: then every request needs a\n"
	    "bearer token that FILE's resource server accepts (README.md, \"Who may\n"
	    "call\"; try one with: switchboard auth check-token).\n"
	    "\n"
	    "--builder adds the connector builder's meta-tools (they write connector\n"
	    "files): switchboard_connector_import, _test and _save.\n"),
	SUB("tools", "tools [--json] [--all] [--connectors a,b] [--tools GLOB] ...",
	    "List the tools serve would expose with these options: name, read/write/\n"
	    "DELETE, title. --json prints their definitions as one JSON array.\n"),
	SUB("call", "call TOOL [ARGS_JSON] [--dry-run] [--as PRINCIPAL [--group G]...]",
	    "Run one tool call, connection or not, and print its result on stdout (its\n"
	    "structured content as JSON, else its text); exit 1 when the call failed.\n"
	    "ARGS_JSON is a JSON object checked against the tool's input schema.\n"
	    "--dry-run prints the HTTP request instead of sending it (secrets masked).\n"
	    "--as runs it as that principal would over HTTP, to check its grants: only\n"
	    "its own connections and its groups' are used.\n"),
	SUB("audit", "audit export|prune ...",
	    "The audit log: every call of a connector's tool (over stdio too; off with\n"
	    "SWITCHBOARD_AUDIT=off): who (subject; null is the local user), tool,\n"
	    "connector, connection and its owner, outcome (ok, error, refused,\n"
	    "declined, asked, cancelled), error class, duration, and the arguments with\n"
	    "secrets and free text replaced by the tool's schema.\n"),
	SUB("audit export", "audit export [--since ISO|-1d] [--owner PRINCIPAL]",
	    "Print the audit log oldest first as JSON Lines on stdout; --owner keeps\n"
	    "the entries PRINCIPAL made or made on its connections.\n"),
	SUB("audit prune", "audit prune --older-than SPAN",
	    "Delete audit entries older than SPAN (90d, 12h) or an ISO 8601 time.\n"),
	SUB("connectors", "connectors [--json] [SLUG | --entity E [--action A] [--event EV]]",
	    "List the connectors, one card a line: slug, where it comes from (built-in,\n"
	    "public: a shared folder, PERSONAL: your own folder), default auth, its\n"
	    "connections (how many, how many need reconnecting; with none, the command\n"
	    "that adds one: connect or connections add), name and who created it.\n"
	    "--json: each connector's file with \"source\" and \"connections\" added.\n"
	    "SLUG shows one (its summary; --json: its whole file). --entity E (with\n"
	    "--action A, --event EV) lists those that can do it.\n"
	    "connectors import SPEC|URL [--slug S] [--only TAGS] [--exclude GLOB]\n"
	    "  [--out FILE] [--merge EXISTING.json] [--cacert FILE]: a connector file\n"
	    "  from an OpenAPI 3.x, Swagger 2.0 (JSON or YAML) or Postman v2.1 file, or\n"
	    "  one fetched from an https URL (plain http only from this machine; at most\n"
	    "  64 MiB, 60 s, 5 redirects to other hosts; --cacert trusts a private CA's\n"
	    "  PEM file, as CURL_CA_BUNDLE or SSL_CERT_FILE do for every request); what\n"
	    "  is skipped, and why, on stderr.\n"
	    "connectors create, connectors edit SLUG: see their --help.\n"
	    "connectors test SLUG [--connection NAME] [--writes] [--fix] [--json]: run\n"
	    "  every read-only action against the connection (lists, then reads with a\n"
	    "  listed id, then a second page); --writes also sends each create action\n"
	    "  that is not destructive once (a real object at the vendor, named in the\n"
	    "  report; never an update, delete, payment, refund or send). Failures get a\n"
	    "  proposed change to the connector (auth placement, base URL, paging\n"
	    "  parameters, body encoding), tried before it is proposed.\n"
	    "  --fix writes it to the file in your folder (FILE.bak kept) and tests again;\n"
	    "  exit 1 when anything still fails.\n"),

	SUB("connectors create",
	    "connectors create [--name NAME] [--slug SLUG] [--description TEXT]\n"
	    "           [--domain HOST] [--visibility private|public] [--icon-url URL]\n"
	    "           [--base-url URL] [--category TEXT] [--auth TYPE[,TYPE...]]...\n"
	    "           [--default-auth TYPE] [--key-header NAME | --key-query NAME]\n"
	    "           [--key-format TEMPLATE] [--authorize-url URL --token-url URL]\n"
	    "           [--scopes S] [--custom-header 'Name: {field}']... [--force]",
	    "Create a connector (the Create Connector form). On a terminal without\n"
	    "--name it asks for each field, the options given as defaults; otherwise\n"
	    "--name and --auth are required. The slug (tool name prefix) comes from the\n"
	    "name unless --slug: lowercase letters and digits, at most 20. --domain is\n"
	    "a host name (salesforce.com); --icon-url is https. --auth takes one or more\n"
	    "of none, basic, bearer, api_key (--key-header NAME, default X-API-Key, or\n"
	    "--key-query NAME; --key-format such as 'Bearer {api_key}'), oauth2\n"
	    "(--authorize-url, --token-url, --scopes a,b) and custom (--custom-header\n"
	    "'X-Key: {key}', each {field} a secret of the connection); the first is the\n"
	    "default unless --default-auth. Private connectors (the default) go to\n"
	    "$XDG_CONFIG_HOME/switchboard/capabilities; public ones to the shared folder\n"
	    "every user loads: the first of $SWITCHBOARD_CAPABILITIES, else of\n"
	    "$XDG_DATA_DIRS, + /switchboard/capabilities. The file names you as\n"
	    "created_by and has no entities yet: add them with connectors edit SLUG or\n"
	    "connectors import SPEC --merge FILE --out FILE. An existing slug (yours or\n"
	    "a built-in) is refused unless --force. Prints the file's path.\n"),
	SUB("connectors edit", "connectors edit SLUG",
	    "Open your copy of connector SLUG in $VISUAL, else $EDITOR, else vi: your\n"
	    "file in $XDG_CONFIG_HOME/switchboard/capabilities, or a copy of a built-in\n"
	    "or shared one, which once saved overrides it for you. The edit is checked\n"
	    "as check does when the editor exits; it replaces the file only when valid.\n"
	    "Otherwise, on a terminal, the editor is offered again; else (or when you\n"
	    "decline) the edit is kept in SLUG.json.rejected beside it, and the\n"
	    "connector stays as it was.\n"),
	SUB("check", "check [FILE|DIR...]",
	    "Validate connector files against schemas/connector.schema.json and the\n"
	    "rules the loader adds (default: the whole registry); exit 1 on a problem.\n"),
	{"connections", cli_connections_usage},
	SUB("connections grant", "connections grant NAME --group G...",
	    "Share the connection with the principals whose token carries group G\n"
	    "(repeatable). They use it as their own; it stays its owner's.\n"),
	SUB("connections revoke", "connections revoke NAME --group G...",
	    "Stop sharing the connection with group G.\n"),
	SUB("connections list", "connections list [--connector SLUG] [--owner P] [--json]",
	    "Stored and environment connections: connector, name, auth, status,\n"
	    "default (*), last use; never secrets. --json: one JSON array.\n"),
	SUB("connections show", "connections show NAME [--json]",
	    "One connection: its settings and which secret fields are set (never their\n"
	    "values). --json: one JSON object.\n"),
	SUB("connections add",
	    "connections add SLUG [--name NAME] [--auth METHOD] [--set FIELD=VALUE]...\n"
	    "           [--secret-stdin] [--secret FIELD=@FILE]... [--no-test] [--json]",
	    "Add a connection to connector SLUG (named main unless --name), with the\n"
	    "connector's default auth method unless --auth. On a terminal it asks for\n"
	    "the fields not given (secrets without echo, again when a value is\n"
	    "malformed), then tests the connection (not with --no-test). Secrets never\n"
	    "go on the command line: see 'switchboard connections --help'.\n"),
	SUB("connections edit",
	    "connections edit NAME [--set FIELD=VALUE]... [--unset FIELD]...\n"
	    "           [--secret-stdin] [--secret FIELD=@FILE]...\n"
	    "           [--confirm never|destructive|writes]",
	    "Change a connection's fields; secrets not given are kept. On a terminal\n"
	    "without options it asks for each field. --confirm sets which calls ask the\n"
	    "user before anything is sent: destructive (the default: those that cannot\n"
	    "be undone), writes (every call that is not read-only) or never.\n"),
	SUB("connections remove", "connections remove NAME [--keep-grant] [--force]",
	    "Delete a connection and its secrets. An OAuth connection's grant is revoked\n"
	    "at the vendor first (not with --keep-grant); if that fails the connection\n"
	    "is kept, unless --force.\n"),
	SUB("connections rename", "connections rename NAME NEW",
	    "Give a connection another name.\n"),
	SUB("connections default", "connections default NAME",
	    "Make it the connection its connector's tools use when a call names none.\n"),
	SUB("connections test", "connections test NAME [--json]",
	    "Make the connector's cheapest read call with the connection and record the\n"
	    "outcome in its status (ok, needs_reconnect, error).\n"),
	SUB("connections refresh", "connections refresh [NAME...] [--if-due] [--json]",
	    "Refresh OAuth tokens now (all, or those named). --if-due only those whose\n"
	    "refresh token has used half its life or whose access token is due: run it\n"
	    "daily from cron to keep idle connections alive.\n"),
	SUB("key", "key rotate", "See: switchboard key rotate --help\n"),
	SUB("key rotate", "key rotate",
	    "Re-seal every stored secret under a new random key. With a key file the\n"
	    "file is replaced; with SWITCHBOARD_KEY the new key is printed once, to be\n"
	    "saved where SWITCHBOARD_KEY is set.\n"),
	SUB("auth", "auth check-token|metadata --auth-config FILE | auth hash-token",
	    "The resource server that guards serve --http (README.md, \"Who may call\").\n"
	    "check-token: read bearer tokens from stdin, one a line, and print for each\n"
	    "a JSON line of what the auth configuration FILE makes of it: status 200\n"
	    "and the caller (subject, groups, scopes), or the refusal (400, 401, 403,\n"
	    "503) with its reason and the WWW-Authenticate value; exit 0 only when every\n"
	    "token was accepted. The issuer's keys (cached) and its introspection\n"
	    "endpoint are asked as serve would.\n"
	    "metadata: the RFC 9728 protected-resource metadata and where it is served.\n"
	    "hash-token: read a token from stdin and print its line for a tokens file\n"
	    "(sha256:<hex>); add the principal and its groups after it.\n"),
	SUB("oauth-app", "oauth-app set|show|remove SLUG ...",
	    "Your own OAuth app (client) for a connector, which connect uses.\n"
	    "See: switchboard oauth-app set --help\n"),
	SUB("oauth-app set",
	    "oauth-app set SLUG --client-id ID [--client-secret-stdin] [--scopes S]\n"
	    "           [--redirect-port N] [--authorize-url URL] [--token-url URL]\n"
	    "           [--revoke-url URL]",
	    "Store the OAuth app you created at the vendor for connector SLUG. The\n"
	    "client secret is read from stdin and sealed. Register the redirect URI\n"
	    "http://127.0.0.1:PORT/callback at the vendor with the port you give here.\n"),
	SUB("oauth-app show", "oauth-app show SLUG [--json]",
	    "Show a connector's OAuth app (never its secret). --json: one JSON object.\n"),
	SUB("oauth-app remove", "oauth-app remove SLUG", "Forget a connector's OAuth app.\n"),
	SUB("connect",
	    "connect SLUG [--name NAME] [--scopes S] [--set key=value] [--tenant ID]\n"
	    "           [--no-browser] [--client-credentials] [--timeout SECONDS]",
	    "Connect an account through OAuth 2.0: opens the vendor's consent page in\n"
	    "the browser (or prints its URL: --no-browser) and waits for the redirect\n"
	    "to a listener on 127.0.0.1, up to --timeout (default 600 s). Connecting a\n"
	    "connection that exists (--name) renews its credentials and keeps its\n"
	    "settings (base_url ...) and other secrets; its scopes are kept too unless\n"
	    "--scopes. --client-credentials mints a token without a browser, for the\n"
	    "vendors that allow that grant.\n"),
	SUB("coverage", "coverage ENTITY [--json]",
	    "Which connectors fill each field of a canonical entity (customers,\n"
	    "invoices ...), and how much of it. --json: one JSON object.\n"),
	SUB("ui", "ui [--listen 127.0.0.1:PORT]",
	    "The connectors page, a local web page (default http://127.0.0.1:8790/; its\n"
	    "URL is printed): a card per connector with its connections and their\n"
	    "state, Connect (OAuth, as `connect`) and + Add Connection (API keys,\n"
	    "typed on the page), and a Create Connector form that writes a connector\n"
	    "file as connectors create does. Loopback addresses only: the page has no\n"
	    "sign-in. Ctrl-C stops it.\n"),
	{"webhooks", cli_webhooks_usage},
	{"webhooks serve", cli_webhooks_usage},
	{"webhooks register", cli_webhooks_manage_usage},
	{"webhooks list", cli_webhooks_manage_usage},
	{"webhooks remove", cli_webhooks_manage_usage},
	{"events", cli_events_usage},
	SUB("events list",
	    "events list [--json|--jsonl] [--connector C] [--connection N]\n"
	    "           [--entity E] [--type T] [--since ISO|-1h] [--limit N]",
	    "Stored events, newest first. --json: one JSON array; --jsonl: one compact\n"
	    "JSON object a line, for a stream.\n"),
	SUB("events poll", "events poll [CONNECTION...] [--entity E] [--args JSON]",
	    "Call the list action of each entity that has a polling field (those the\n"
	    "connection receives webhooks for are skipped unless --entity names one)\n"
	    "and store new or changed items as events; the first poll only records\n"
	    "where things stand. --args gives list arguments such as\n"
	    "{\"owner\": \"o\", \"repo\": \"r\"}.\n"),
	SUB("events prune", "events prune --older-than SPAN [--connector C]",
	    "Delete events received before SPAN ago (30d, 12h) or an ISO 8601 time.\n"),
	SUB("completion", "completion bash|zsh",
	    "Print a completion script for bash or zsh: commands, options, tool names,\n"
	    "connector slugs and connection names. make install puts both in place;\n"
	    "otherwise: source <(switchboard completion bash)\n"),
	SUB("help", "help [COMMAND [SUBCOMMAND]] | help --commands",
	    "The help of a command; --commands lists every command.\n"),
	SUB("version", "version", "Print the version.\n"),
};

#define NHELPS (sizeof(helps) / sizeof(helps[0]))

static const struct help *help_find(const char *path)
{
	for (size_t i = 0; i < NHELPS; i++)
		if (strcmp(helps[i].path, path) == 0)
			return &helps[i];
	return NULL;
}

int cli_help_known(const char *cmd, const char *sub)
{
	char *path = sub ? xasprintf("%s %s", cmd, sub) : xstrdup(cmd);
	int known = help_find(path) != NULL;
	free(path);
	return known;
}

int cli_help_has_subs(const char *cmd)
{
	/* connectors SLUG: its first word is a subcommand or a slug. */
	if (strcmp(cmd, "connectors") == 0)
		return 0;
	size_t n = strlen(cmd);
	for (size_t i = 0; i < NHELPS; i++)
		if (strncmp(helps[i].path, cmd, n) == 0 && helps[i].path[n] == ' ')
			return 1;
	return 0;
}

int cli_help_print(int argc, char **argv)
{
	/* The leading words that are not options: at most a command and a
	 * subcommand. */
	int words = 0;
	while (words < argc && words < 2 && argv[words][0] != '-')
		words++;
	for (int k = words; k >= 0; k--) {
		char *path = k == 0   ? xstrdup("")
			     : k == 1 ? xstrdup(argv[0])
				      : xasprintf("%s %s", argv[0], argv[1]);
		const struct help *h = help_find(path);
		free(path);
		if (h && (k > 0 || words == 0)) {
			cli_print("%s", h->text);
			return 0;
		}
	}
	fprintf(stderr, "switchboard: no command '%s'\n", argv[0]);
	cli_help_suggest(NULL, argv[0]);
	return 2;
}

void cli_help_list(void)
{
	for (size_t i = 0; i < NHELPS; i++)
		if (helps[i].path[0])
			cli_print("%s\n", helps[i].path);
}

void cli_help_suggest(const char *cmd, const char *word)
{
	struct cli_closest c;
	cli_closest_init(&c, word);
	size_t skip = cmd ? strlen(cmd) + 1 : 0;
	for (size_t i = 0; i < NHELPS; i++) {
		const char *p = helps[i].path;
		if (cmd ? strncmp(p, cmd, skip - 1) == 0 && p[skip - 1] == ' '
			: p[0] && !strchr(p, ' '))
			cli_closest_add(&c, p + skip);
	}
	cli_closest_hint(&c);
	cli_closest_release(&c);
}

/* ---- did you mean ---- */

#define DIST_MAX_LEN 255

size_t cli_edit_distance(const char *a, const char *b)
{
	size_t n = strnlen(a, DIST_MAX_LEN), m = strnlen(b, DIST_MAX_LEN);
	/* Three rows of the table: two back for a swap of neighbours. */
	size_t *rows = xcalloc(3 * (m + 1), sizeof(*rows));
	size_t *prev2 = rows, *prev = rows + m + 1, *cur = rows + 2 * (m + 1);
	for (size_t j = 0; j <= m; j++)
		prev[j] = j;
	for (size_t i = 1; i <= n; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= m; j++) {
			size_t cost = a[i - 1] != b[j - 1];
			size_t d = prev[j - 1] + cost;
			if (prev[j] + 1 < d)
				d = prev[j] + 1;
			if (cur[j - 1] + 1 < d)
				d = cur[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    prev2[j - 2] + 1 < d)
				d = prev2[j - 2] + 1;
			cur[j] = d;
		}
		size_t *t = prev2;
		prev2 = prev;
		prev = cur;
		cur = t;
	}
	size_t d = prev[m];
	free(rows);
	return d;
}

void cli_closest_init(struct cli_closest *c, const char *word)
{
	c->word = word;
	c->best = NULL;
	c->dist = (size_t)-1;
}

void cli_closest_add(struct cli_closest *c, const char *candidate)
{
	if (!candidate || strcmp(candidate, c->word) == 0)
		return;
	size_t d = cli_edit_distance(c->word, candidate);
	if (d < c->dist) {
		free(c->best);
		c->best = xstrdup(candidate);
		c->dist = d;
	}
}

const char *cli_closest_get(const struct cli_closest *c)
{
	/* A typo: one or two edits, or a third of a long word. */
	size_t len = strlen(c->word), limit = len / 3 > 2 ? len / 3 : 2;
	if (len <= 2)
		limit = 1;
	return c->best && c->dist <= limit && c->dist < len ? c->best : NULL;
}

void cli_closest_hint(const struct cli_closest *c)
{
	const char *best = cli_closest_get(c);
	if (best)
		fprintf(stderr, "switchboard: did you mean '%s'?\n", best);
}

void cli_closest_release(struct cli_closest *c)
{
	free(c->best);
	c->best = NULL;
}
