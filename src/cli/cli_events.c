/* cli_events.c - the events commands: webhooks serve (receive and verify
 * deliveries, optionally polling beside it), events list and events poll.
 * Output for people goes to stdout; progress and deliveries to stderr. */
#include "cli.h"
#include "cli_help.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "compat.h"
#include "log.h"
#include "oauth.h"
#include "store.h"
#include "webhook.h"

#define DEFAULT_LISTEN "127.0.0.1:8787"
#define DEFAULT_PREFIX "/hooks"

static volatile sig_atomic_t stopping, prune_due;

static void on_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

static void on_alarm(int sig)
{
	(void)sig;
	prune_due = 1;
}

#define PRUNE_EVERY_S 3600

/* Delete the events received before the span `retain` (30d, or an ISO
 * time) ago, of one connector or all; says how many on stderr. */
static int prune(struct store *st, const char *retain, const char *connector, struct err *err)
{
	long long before = 0;
	if (webhook_parse_since(retain, now_s(), &before) < 0)
		return err_set(err, "invalid span '%s': use 30d, 12h or an ISO 8601 time", retain);
	int n = store_prune_events(st, before, connector, err);
	if (n < 0)
		return -1;
	char when[32];
	webhook_format_time(before, when);
	fprintf(stderr, "switchboard: removed %d event%s received before %s\n", n,
		n == 1 ? "" : "s", when);
	return 0;
}

/* SIGINT and SIGTERM set stopping, without SA_RESTART so waits return. */
static void catch_stop(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static int usage_error(const char *usage, const char *fmt, const char *arg)
{
	if (fmt) {
		fputs("switchboard: ", stderr);
		fprintf(stderr, fmt, arg);
		fputc('\n', stderr);
	}
	fputs(usage, stderr);
	return 2;
}

/* "ADDR:PORT", "[IPv6]:PORT", ":PORT" or "PORT" into addr (no brackets)
 * and port. An IPv6 address needs its brackets: "::1:8787" is refused. */
static int parse_listen(const char *s, char *addr, size_t n, int *port)
{
	const char *host = s, *colon;
	size_t hlen;
	long v;
	if (*s == '[') {
		const char *close = strchr(s, ']');
		if (!close || close[1] != ':')
			return -1;
		host = s + 1;
		hlen = (size_t)(close - host);
		colon = close + 1;
		if (!hlen)
			return -1;
	} else {
		colon = strrchr(s, ':');
		if (colon && memchr(s, ':', (size_t)(colon - s)))
			return -1;
		hlen = colon ? (size_t)(colon - s) : 0;
	}
	if (parse_long(colon ? colon + 1 : s, &v) < 0 || v < 0 || v > 65535)
		return -1;
	*port = (int)v;
	if (!hlen)
		snprintf(addr, n, "127.0.0.1");
	else if (hlen < n)
		snprintf(addr, n, "%.*s", (int)hlen, host);
	else
		return -1;
	return 0;
}

static int write_port_file(const char *path, int port)
{
	char *tmp = xasprintf("%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	int ok = f && fprintf(f, "%d\n", port) > 0;
	if (f && fclose(f) != 0)
		ok = 0;
	if (ok && rename(tmp, path) < 0)
		ok = 0;
	if (!ok) {
		fprintf(stderr, "switchboard: cannot write port file '%s': %s\n", path,
			strerror(errno));
		unlink(tmp);
	}
	free(tmp);
	return ok ? 0 : -1;
}

/* Sleep up to secs, returning early when stopping. */
static void nap(long secs)
{
	for (long ms = secs * 1000; ms > 0 && !stopping; ms -= 100) {
		struct timespec ts = {0, 100 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
}

static int run_poll(struct cli *cli, struct registry *r, const char *const *only,
		    const char *entity, json_t *args)
{
	struct err e;
	err_init(&e);
	struct store *st = store_open(cli->store_path, &e);
	if (!st) {
		fprintf(stderr, "switchboard: %s\n", e.msg);
		return 1;
	}
	struct exec_env env = cli->exec;
	env.store = st;
	env.http = http_new(&e);
	int ret = 1;
	if (!env.http) {
		fprintf(stderr, "switchboard: %s\n", e.msg);
		goto out;
	}
	struct webhook_poll_options opt = {r, st, &env, only, entity, args, &stopping};
	int failures = webhook_poll(&opt, &e);
	if (failures < 0)
		fprintf(stderr, "switchboard: %s\n", e.msg);
	ret = failures == 0 ? 0 : 1;
out:
	exec_shutdown();
	http_free(env.http);
	store_free(st);
	return ret;
}

/* Keep the store's OAuth connections alive: this process runs for months,
 * longer than an unused refresh token lives (Xero: 60 days). Failures are
 * reported and the loop goes on. */
static void run_keepalive(struct cli *cli, struct registry *r)
{
	struct err e;
	err_init(&e);
	int failures = 0;
	struct store *st = store_open(cli->store_path, &e);
	json_t *out = st ? oauth_keepalive_run(st, r, NULL, 1, &failures, &e) : NULL;
	if (!out)
		fprintf(stderr, "switchboard: keeping OAuth connections alive: %s\n", e.msg);
	size_t i;
	json_t *it;
	json_array_foreach(out, i, it) {
		const char *result = json_string_value(json_object_get(it, "result"));
		const char *who = json_string_value(json_object_get(it, "connection"));
		if (strcmp(result, "refreshed") == 0)
			fprintf(stderr, "switchboard: refreshed %s to keep it alive\n", who);
		else if (strcmp(result, "failed") == 0)
			fprintf(stderr, "switchboard: %s: refresh failed: %s\n", who,
				json_string_value(json_object_get(it, "error")));
	}
	json_decref(out);
	store_free(st);
}

/* The poller beside serve runs in its own process, forked before the
 * listener's thread exists: it shares no store handle, log state or
 * thread with the receiving side. */
static pid_t start_poller(struct cli *cli, struct registry *r, long interval)
{
	pid_t parent = getpid(), pid = fork();
	if (pid != 0) {
		if (pid < 0)
			fprintf(stderr, "switchboard: cannot start the poller: %s\n",
				strerror(errno));
		return pid;
	}
	/* Ended with the listener: by the kernel on Linux, else when orphaned. */
	compat_die_with_parent(SIGTERM);
	while (!stopping && getppid() == parent) {
		run_poll(cli, r, NULL, NULL, NULL);
		if (!stopping)
			run_keepalive(cli, r);
		nap(interval);
	}
	return 0;
}

static int webhooks_serve(struct cli *cli, int argc, char **argv)
{
	char addr[64];
	int port = 0, ret = 1;
	const char *prefix = DEFAULT_PREFIX, *port_file = NULL, *retain = NULL;
	long long since;
	long poll_interval = 0, max_body = WEBHOOK_MAX_BODY, request_timeout = 0;
	pid_t poller = -1;
	struct listener *l = NULL;
	struct store *st = NULL;
	struct registry *r = NULL;
	struct webhook_receiver rc = {0};
	struct err e;
	err_init(&e);

	parse_listen(DEFAULT_LISTEN, addr, sizeof(addr), &port);
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!v)
			return usage_error(cli_webhooks_usage, "unknown or incomplete option '%s'",
					   a);
		i++;
		if (strcmp(a, "--listen") == 0) {
			if (parse_listen(v, addr, sizeof(addr), &port) < 0)
				return usage_error(
					cli_webhooks_usage,
					"--listen takes ADDR:PORT or [IPv6]:PORT, got '%s'", v);
		} else if (strcmp(a, "--path-prefix") == 0) {
			if (v[0] != '/')
				return usage_error(cli_webhooks_usage,
						   "--path-prefix must start with '/', got '%s'",
						   v);
			prefix = v;
		} else if (strcmp(a, "--port-file") == 0) {
			port_file = v;
		} else if (strcmp(a, "--retain") == 0) {
			if (webhook_parse_since(v, now_s(), &since) < 0)
				return usage_error(
					cli_webhooks_usage,
					"--retain takes a span such as 90d or 12h, got '%s'", v);
			retain = v;
		} else if (strcmp(a, "--poll-interval") == 0) {
			if (parse_long(v, &poll_interval) < 0 || poll_interval < 1)
				return usage_error(cli_webhooks_usage,
						   "--poll-interval takes seconds >= 1, got '%s'",
						   v);
		} else if (strcmp(a, "--request-timeout") == 0) {
			if (parse_long(v, &request_timeout) < 0 || request_timeout < 1 ||
			    request_timeout > 3600)
				return usage_error(
					cli_webhooks_usage,
					"--request-timeout takes seconds from 1 to 3600, "
					"got '%s'",
					v);
		} else if (strcmp(a, "--max-body") == 0) {
			if (parse_long(v, &max_body) < 0 || max_body < 1)
				return usage_error(cli_webhooks_usage,
						   "--max-body takes bytes >= 1, got '%s'", v);
		} else {
			return usage_error(cli_webhooks_usage, "unknown option '%s'", a);
		}
	}
	r = cli_registry(cli);
	catch_stop();
	if (poll_interval > 0) {
		poller = start_poller(cli, r, poll_interval);
		if (poller == 0) {
			registry_free(r);
			return 0; /* the poller process, done */
		}
		if (poller < 0)
			goto out;
	}
	st = store_open(cli->store_path, &e);
	if (!st || (retain && prune(st, retain, NULL, &e) < 0))
		goto fail;
	/* Block the stop signals (and the hourly prune's alarm) until
	 * sigsuspend, so one arriving between the check and the wait is not
	 * lost. */
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGALRM);
	sigprocmask(SIG_BLOCK, &block, &old);
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	rc = (struct webhook_receiver){r, st, prefix, NULL};
	if (webhook_receiver_start(&rc, &e) < 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		goto fail;
	}
	l = listen_start(addr, port, (size_t)max_body, (unsigned)request_timeout, webhook_receive,
			 &rc, &e);
	if (!l) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		goto fail;
	}
	int v6 = strchr(addr, ':') != NULL;
	fprintf(stderr, "switchboard: listening on http://%s%s%s:%d%s/<connector>/<connection>\n",
		v6 ? "[" : "", addr, v6 ? "]" : "", listen_port(l), prefix);
	if (port_file && write_port_file(port_file, listen_port(l)) < 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		goto out;
	}
	if (retain)
		alarm(PRUNE_EVERY_S);
	while (!stopping) {
		sigsuspend(&old);
		if (prune_due && !stopping) {
			prune_due = 0;
			err_init(&e);
			if (prune(st, retain, NULL, &e) < 0)
				fprintf(stderr, "switchboard: %s\n", e.msg);
			alarm(PRUNE_EVERY_S);
		}
	}
	alarm(0);
	sigprocmask(SIG_SETMASK, &old, NULL);
	fprintf(stderr, "switchboard: stopping\n");
	ret = 0;
	goto out;
fail:
	fprintf(stderr, "switchboard: %s\n", e.msg);
out:
	webhook_receiver_stop(&rc);
	listen_stop(l);
	if (poller > 0) {
		kill(poller, SIGTERM);
		while (waitpid(poller, NULL, 0) < 0 && errno == EINTR)
			;
	}
	store_free(st);
	registry_free(r);
	return ret;
}

int cli_webhooks(struct cli *cli, int argc, char **argv)
{
	if (argc >= 1 && strcmp(argv[0], "serve") == 0)
		return webhooks_serve(cli, argc - 1, argv + 1);
	if (argc >= 1 && (strcmp(argv[0], "register") == 0 || strcmp(argv[0], "list") == 0 ||
			  strcmp(argv[0], "remove") == 0))
		return cli_webhooks_manage(cli, argv[0], argc - 1, argv + 1);
	if (argc >= 1 && (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "help") == 0)) {
		cli_print("%s", cli_webhooks_usage);
		return 0;
	}
	return usage_error(cli_webhooks_usage, NULL, NULL);
}

static void print_event_line(const struct event *ev, const char *conn)
{
	char at[32];
	webhook_format_time(ev->received_at, at);
	char *where = xasprintf("%s/%s", ev->connector, conn ? conn : "-");
	cli_print("%s  %-20s %-16s %-18s %s%s%s\n", at, where, ev->entity ? ev->entity : "-",
		  ev->event_type, ev->vendor_type ? ev->vendor_type : "",
		  ev->vendor_event_id ? "  " : "", ev->vendor_event_id ? ev->vendor_event_id : "");
	free(where);
}

static int events_list(struct cli *cli, int argc, char **argv)
{
	struct event_filter f = {0};
	const char *connection = NULL, *since = NULL;
	struct connection *conn = NULL;
	struct event **list = NULL;
	json_t *names = NULL;
	long limit = 100;
	int ret = 1;
	struct err e;
	err_init(&e);

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		const char **dst = strcmp(a, "--connector") == 0    ? &f.connector
				   : strcmp(a, "--connection") == 0 ? &connection
				   : strcmp(a, "--entity") == 0     ? &f.entity
				   : strcmp(a, "--type") == 0       ? &f.event_type
				   : strcmp(a, "--since") == 0      ? &since
								    : NULL;
		if (!v || (!dst && strcmp(a, "--limit") != 0))
			return usage_error(cli_events_usage, "unknown or incomplete option '%s'",
					   a);
		i++;
		if (dst)
			*dst = v;
		else if (parse_long(v, &limit) < 0 || limit < 1 || limit > 1000)
			return usage_error(cli_events_usage, "--limit takes 1 to 1000, got '%s'",
					   v);
	}
	f.limit = (int)limit;
	if (since && webhook_parse_since(since, now_s(), &f.since) < 0)
		return usage_error(cli_events_usage,
				   "--since takes an ISO 8601 time or a span such as -1h, got '%s'",
				   since);
	if (f.entity && strcmp(f.entity, "_other") == 0) {
		f.no_entity = 1;
		f.entity = NULL;
	}
	struct store *st = store_open(cli->store_path, &e);
	if (!st)
		goto fail;
	if (connection) {
		conn = store_get_connection(st, f.connector, connection, 0, &e);
		if (!conn)
			goto fail;
		f.connection_id = conn->id;
		if (!f.connector)
			f.connector = conn->connector;
	}
	if (store_list_events(st, &f, &list, &e) < 0)
		goto fail;
	names = webhook_connection_names(st);
	size_t n = 0;
	json_t *array = cli->json && !cli->jsonl ? json_array() : NULL;
	for (; list[n]; n++) {
		char key[32];
		snprintf(key, sizeof(key), "%lld", list[n]->connection_id);
		const char *cname = json_string_value(json_object_get(names, key));
		if (array) {
			json_array_append_new(array, webhook_event_json(list[n], cname));
		} else if (cli->jsonl) {
			json_t *j = webhook_event_json(list[n], cname);
			cli_print_jsonl(j);
			json_decref(j);
		} else {
			print_event_line(list[n], cname);
		}
	}
	if (array)
		cli_print_json(array);
	json_decref(array);
	if (!cli->json && n == 0)
		fprintf(stderr, "no events%s\n",
			f.connector || connection || f.entity || f.no_entity || f.event_type ||
					since
				? " match"
				: " yet: see 'switchboard webhooks serve' and 'switchboard events "
				  "poll'");
	ret = 0;
	goto out;
fail:
	fprintf(stderr, "switchboard: %s\n", e.msg);
out:
	json_decref(names);
	events_free(list);
	connection_free(conn);
	store_free(st);
	return ret;
}

static int events_poll(struct cli *cli, int argc, char **argv)
{
	const char *entity = NULL;
	const char **only = xcalloc((size_t)argc + 1, sizeof(*only));
	json_t *args = NULL;
	size_t n = 0;
	int ret = 2;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--entity") == 0 && i + 1 < argc) {
			entity = argv[++i];
		} else if (strcmp(argv[i], "--args") == 0 && i + 1 < argc) {
			json_decref(args);
			args = json_loads(argv[++i], 0, NULL);
			if (!json_is_object(args)) {
				usage_error(cli_events_usage,
					    "--args takes a JSON object, got '%s'", argv[i]);
				goto out;
			}
		} else if (argv[i][0] == '-') {
			usage_error(cli_events_usage, "unknown or incomplete option '%s'", argv[i]);
			goto out;
		} else {
			only[n++] = argv[i];
		}
	}
	struct registry *r = cli_registry(cli);
	catch_stop();
	ret = run_poll(cli, r, n ? only : NULL, entity, args);
	registry_free(r);
out:
	json_decref(args);
	free(only);
	return ret;
}

static int events_prune(struct cli *cli, int argc, char **argv)
{
	const char *older = NULL, *connector = NULL;
	long long since;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--older-than") == 0 && i + 1 < argc)
			older = argv[++i];
		else if (strcmp(argv[i], "--connector") == 0 && i + 1 < argc)
			connector = argv[++i];
		else
			return usage_error(cli_events_usage, "unknown or incomplete option '%s'",
					   argv[i]);
	}
	if (!older || webhook_parse_since(older, now_s(), &since) < 0)
		return usage_error(cli_events_usage,
				   "prune needs --older-than SPAN (30d, 12h) or an ISO 8601 time%s",
				   "");
	struct err e;
	err_init(&e);
	struct store *st = store_open(cli->store_path, &e);
	int ret = st && prune(st, older, connector, &e) == 0 ? 0 : 1;
	if (ret)
		fprintf(stderr, "switchboard: %s\n", e.msg);
	store_free(st);
	return ret;
}

int cli_events(struct cli *cli, int argc, char **argv)
{
	if (argc >= 1 && strcmp(argv[0], "list") == 0)
		return events_list(cli, argc - 1, argv + 1);
	if (argc >= 1 && strcmp(argv[0], "poll") == 0)
		return events_poll(cli, argc - 1, argv + 1);
	if (argc >= 1 && strcmp(argv[0], "prune") == 0)
		return events_prune(cli, argc - 1, argv + 1);
	if (argc >= 1 && (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "help") == 0)) {
		cli_print("%s", cli_events_usage);
		return 0;
	}
	return usage_error(cli_events_usage, NULL, NULL);
}
