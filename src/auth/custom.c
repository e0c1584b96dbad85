/* custom.c - several header and query templates from the connection's
 * fields (Cin7 Core's account id + application key, Shopify's token header),
 * and, where the method allows it ("command": true), headers printed by the
 * connection's external credential command, cached until they expire. */
#include "auth/auth.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "compat.h"
#include "connection.h"
#include "connector.h"
#include "crypto.h"
#include "log.h"

#define COMMAND_TIMEOUT_MS 10000
#define COMMAND_MAX_OUTPUT (64 << 10)
#define COMMAND_MAX_ARGS 64
/* Headers printed without "expires_in" are kept this long. */
#define DEFAULT_TTL_S 300
/* At most this much of a lifetime is shaved off, so a credential is renewed
 * before the vendor sees it expire. */
#define EXPIRY_MARGIN_S 30
#define MAX_CACHED 64
/* How long an answer fetched ahead but not to be kept waits for its apply. */
#define RESERVED_TTL_S 60
/* How often a running command looks whether the process is shutting down. */
#define STOP_CHECK_MS 100

extern char **environ;

/* One command's answer. The key names the connection and the command, so
 * a connection renamed or given another command never reuses old headers. */
struct cached {
	char *key;
	json_t *headers; /* object name -> value; owned, wiped when dropped */
	long long until; /* now_ms() deadline */
	/* 0: kept until it expires. Otherwise an answer that is not to be kept
	 * ("expires_in": 0), fetched ahead by custom_warm for this many applies
	 * to come; each takes one. */
	int uses;
};

/* A command running now; the threads that want the same answer wait for it
 * rather than run the command again. */
struct flight {
	char *key;
	int users; /* the thread running the command and those waiting */
	int done;
	json_t *headers; /* its answer (store_secrets_free), NULL when it failed */
	long long ttl_s;
	char *error; /* why it failed */
	struct flight *next;
};

static struct cached cache[MAX_CACHED];
static struct flight *flights;
/* Guards cache and flights; flight_cond tells waiters a flight is done. */
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t flight_cond = PTHREAD_COND_INITIALIZER;
static int cache_cleanup_set;
/* Set while the process is shutting down: running commands are stopped. */
static atomic_int stopping;

static void cached_release(struct cached *e)
{
	free(e->key);
	store_secrets_free(e->headers);
	memset(e, 0, sizeof(*e));
}

/* At exit: wipe every cached credential. */
static void cache_clear(void)
{
	pthread_mutex_lock(&cache_lock);
	for (int i = 0; i < MAX_CACHED; i++)
		cached_release(&cache[i]);
	pthread_mutex_unlock(&cache_lock);
}

static char *cache_key(const struct connector *c, const struct connection *conn, json_t *argv)
{
	char *cmd = json_dumps(argv, JSON_COMPACT);
	char *key = xasprintf("%s/%lld/%s\n%s", c->slug, conn->id, conn->name, cmd ? cmd : "");
	free(cmd);
	return key;
}

/* The fresh entry for key, or NULL (an expired one is dropped). Under
 * cache_lock. */
static struct cached *cache_find(const char *key)
{
	long long now = now_ms();
	for (int i = 0; i < MAX_CACHED; i++) {
		if (!cache[i].key || strcmp(cache[i].key, key) != 0)
			continue;
		if (cache[i].until > now)
			return &cache[i];
		cached_release(&cache[i]);
		break;
	}
	return NULL;
}

/* A copy of the cached headers (store_secrets_free), or NULL. take: an
 * apply, which uses up one of a fetched-ahead answer's uses; otherwise a
 * warm, which books one more. Under cache_lock. */
static json_t *cache_get(const char *key, int take)
{
	struct cached *e = cache_find(key);
	if (!e)
		return NULL;
	json_t *out = json_deep_copy(e->headers);
	if (e->uses && !take)
		e->uses++;
	else if (e->uses && --e->uses == 0)
		cached_release(e);
	return out;
}

/* Keep a copy of headers under key for ttl_s seconds, or for uses applies
 * (then ttl_s is a safety limit). Under cache_lock. */
static void cache_put(const char *key, json_t *headers, long long ttl_s, int uses)
{
	long long now = now_ms();
	int slot = -1;
	if (!cache_cleanup_set) {
		atexit(cache_clear);
		cache_cleanup_set = 1;
	}
	for (int i = 0; i < MAX_CACHED && slot < 0; i++)
		if (cache[i].key && strcmp(cache[i].key, key) == 0)
			slot = i;
	if (slot >= 0 && uses && cache[slot].uses && cache[slot].until > now)
		uses += cache[slot].uses; /* earlier bookings still wait for theirs */
	for (int i = 0; i < MAX_CACHED && slot < 0; i++)
		if (!cache[i].key || cache[i].until <= now)
			slot = i;
	if (slot < 0) { /* full: drop the one that expires first */
		slot = 0;
		for (int i = 1; i < MAX_CACHED; i++)
			if (cache[i].until < cache[slot].until)
				slot = i;
	}
	cached_release(&cache[slot]);
	cache[slot].key = xstrdup(key);
	cache[slot].headers = json_deep_copy(headers);
	cache[slot].until = now + ttl_s * 1000;
	cache[slot].uses = uses;
}

static void cache_drop(const char *key)
{
	pthread_mutex_lock(&cache_lock);
	for (int i = 0; i < MAX_CACHED; i++)
		if (cache[i].key && strcmp(cache[i].key, key) == 0)
			cached_release(&cache[i]);
	pthread_mutex_unlock(&cache_lock);
}

/* One thread is done with f; the last one frees it. Under cache_lock. */
static void flight_leave(struct flight *f)
{
	if (--f->users > 0)
		return;
	free(f->key);
	store_secrets_free(f->headers);
	free(f->error);
	free(f);
}

/* "SWITCHBOARD_SECRET_API_KEY=value" for the secret field api_key. */
static char *secret_env(const char *field, const char *value)
{
	char *name = xasprintf("SWITCHBOARD_SECRET_%s", field);
	for (char *p = name; *p; p++) {
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
		else if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
			*p = '_';
	}
	char *kv = xasprintf("%s=%s", name, value);
	free(name);
	return kv;
}

/* The child's environment: ours without the store key or stray secret
 * variables, plus the connection's name and its secrets. A new
 * NULL-terminated array; free with envp_free. */
static char **envp_build(const struct connector *c, const struct connection *conn)
{
	size_t n = 0, k = 0;
	while (environ && environ[n])
		n++;
	char **envp = xcalloc(n + json_object_size(conn->secrets) + 3, sizeof(*envp));
	for (size_t i = 0; i < n; i++) {
		if (strncmp(environ[i], "SWITCHBOARD_SECRET_", 19) == 0 ||
		    strncmp(environ[i], "SWITCHBOARD_KEY=", 16) == 0 ||
		    strncmp(environ[i], "SWITCHBOARD_CONNECTOR=", 22) == 0 ||
		    strncmp(environ[i], "SWITCHBOARD_CONNECTION=", 23) == 0)
			continue;
		envp[k++] = xstrdup(environ[i]);
	}
	envp[k++] = xasprintf("SWITCHBOARD_CONNECTOR=%s", c->slug);
	envp[k++] = xasprintf("SWITCHBOARD_CONNECTION=%s", conn->name);
	const char *field;
	json_t *v;
	json_object_foreach(conn->secrets, field, v) {
		if (json_is_string(v))
			envp[k++] = secret_env(field, json_string_value(v));
	}
	return envp;
}

static void envp_free(char **envp)
{
	for (size_t i = 0; envp && envp[i]; i++)
		free_secret(envp[i]);
	free(envp);
}

/* The command as a NULL-terminated argv borrowing from cmd, or NULL with err. */
static char **argv_build(const struct connector *c, const struct connection *conn, json_t *cmd,
			 struct err *err)
{
	size_t n = json_array_size(cmd), i;
	json_t *v;
	if (n == 0 || n > COMMAND_MAX_ARGS) {
		err_set(err,
			"credential_command of connection '%s' of %s must be an array of 1 to "
			"%d strings: the program and its arguments",
			conn->name, c->slug, COMMAND_MAX_ARGS);
		return NULL;
	}
	char **argv = xcalloc(n + 1, sizeof(*argv));
	json_array_foreach(cmd, i, v) {
		if (!json_is_string(v) || (i == 0 && !*json_string_value(v))) {
			err_set(err,
				"credential_command of connection '%s' of %s must be an array "
				"of strings: the program and its arguments",
				conn->name, c->slug);
			free(argv);
			return NULL;
		}
		argv[i] = (char *)json_string_value(v);
	}
	return argv;
}

/* Read the child's stdout until EOF, the cap or the deadline. 0 at EOF, 1
 * over the cap, 2 timed out, 3 stopped (the process is exiting), -1 on a
 * read error. */
static int read_output(int fd, struct buf *out, long long deadline)
{
	char tmp[4096];
	for (;;) {
		long long left = deadline - now_ms();
		if (left <= 0)
			return 2;
		if (atomic_load(&stopping))
			return 3;
		struct pollfd p = {fd, POLLIN, 0};
		int rc = poll(&p, 1, left < STOP_CHECK_MS ? (int)left : STOP_CHECK_MS);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc < 0)
			return -1;
		if (rc == 0)
			continue;
		ssize_t n = read(fd, tmp, sizeof(tmp));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		int over = buf_add(out, tmp, (size_t)n) < 0;
		crypto_cleanse(tmp, (size_t)n);
		if (over)
			return 1;
	}
	return 0;
}

/* Run the command with fork and execvpe: no shell, secrets only in the
 * child's environment, stdin and stderr on /dev/null (what it says may hold
 * secrets, and stderr is our log). OUT: *out, its stdout (free_secret).
 * 0 or -1 with err, which never quotes the output. */
static int command_run(const struct connector *c, const struct connection *conn, json_t *cmd,
		       char **out, struct err *err)
{
	int ret = -1, outp[2] = {-1, -1}, errp[2] = {-1, -1}, devnull = -1, status = 0;
	char **argv = argv_build(c, conn, cmd, err), **envp = NULL;
	struct buf b;
	pid_t pid = -1;

	buf_init(&b, COMMAND_MAX_OUTPUT);
	*out = NULL;
	if (!argv)
		goto done;
	const char *prog = argv[0];
	envp = envp_build(c, conn);
	if (compat_pipe_cloexec(outp) < 0 || compat_pipe_cloexec(errp) < 0 ||
	    (devnull = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0) {
		err_set(err, "cannot run the credential command of connection '%s' of %s: %s",
			conn->name, c->slug, strerror(errno));
		goto done;
	}
	pid = fork();
	if (pid < 0) {
		err_set(err, "cannot run the credential command of connection '%s' of %s: %s",
			conn->name, c->slug, strerror(errno));
		goto done;
	}
	if (pid == 0) {
		/* Only async-signal-safe calls from here: we may have threads. */
		int e;
		sigset_t none;
		setpgid(0, 0);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (dup2(devnull, 0) < 0 || dup2(outp[1], 1) < 0 || dup2(devnull, 2) < 0)
			goto child_fail;
		/* Nothing else of ours leaks into the helper (sockets, the store). */
		compat_close_from(3, errp[1]);
		signal(SIGPIPE, SIG_DFL);
		compat_execvpe(argv[0], argv, envp);
	child_fail:
		e = errno;
		while (write(errp[1], &e, sizeof(e)) < 0 && errno == EINTR)
			;
		_exit(127);
	}
	/* Its own process group (set on both sides, so neither races the
	 * other), for a kill that reaches what it started too. */
	setpgid(pid, pid);
	close(outp[1]);
	close(errp[1]);
	outp[1] = errp[1] = -1;
	/* The exec pipe closes on a successful exec, or carries its errno. */
	int exec_errno = 0;
	ssize_t n;
	do
		n = read(errp[0], &exec_errno, sizeof(exec_errno));
	while (n < 0 && errno == EINTR);
	if (n == (ssize_t)sizeof(exec_errno)) {
		err_set(err, "cannot run the credential command '%s' of connection '%s' of %s: %s",
			prog, conn->name, c->slug, strerror(exec_errno));
		goto done;
	}
	int rc = read_output(outp[0], &b, now_ms() + COMMAND_TIMEOUT_MS);
	if (rc != 0) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
		if (rc == 2)
			err_set(err,
				"the credential command '%s' of connection '%s' of %s did not "
				"finish within %d s",
				prog, conn->name, c->slug, COMMAND_TIMEOUT_MS / 1000);
		else if (rc == 3)
			err_set(err,
				"the credential command '%s' of connection '%s' of %s was stopped: "
				"switchboard is exiting",
				prog, conn->name, c->slug);
		else if (rc == 1)
			err_set(err,
				"the credential command '%s' of connection '%s' of %s printed more "
				"than %d bytes",
				prog, conn->name, c->slug, COMMAND_MAX_OUTPUT);
		else
			err_set(err,
				"cannot read the credential command '%s' of connection '%s' of %s: "
				"%s",
				prog, conn->name, c->slug, strerror(errno));
		goto done;
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			status = 0;
			break;
		}
	}
	pid = -1;
	if (WIFSIGNALED(status)) {
		err_set(err,
			"the credential command '%s' of connection '%s' of %s was killed by "
			"signal %d",
			prog, conn->name, c->slug, WTERMSIG(status));
		goto done;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
		err_set(err,
			"the credential command '%s' of connection '%s' of %s failed (exit status "
			"%d); run it by hand to see why",
			prog, conn->name, c->slug, WEXITSTATUS(status));
		goto done;
	}
	*out = buf_detach(&b);
	ret = 0;
done:
	if (pid > 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	for (int i = 0; i < 2; i++) {
		if (outp[i] >= 0)
			close(outp[i]);
		if (errp[i] >= 0)
			close(errp[i]);
	}
	if (devnull >= 0)
		close(devnull);
	if (b.data)
		crypto_cleanse(b.data, b.len);
	buf_release(&b);
	envp_free(envp);
	free(argv);
	return ret;
}

/* An HTTP header name: an RFC 9110 token. */
static int header_name_ok(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr("!#$%&'*+-.^_`|~", *s)))
			return 0;
	return 1;
}

/* The command's answer: {"headers": {...}, "expires_in": s}, or a flat
 * object of headers. Returns the headers (new; store_secrets_free) and
 * *ttl_s, or NULL with err that describes but never quotes the output. */
static json_t *command_parse(const struct connector *c, const struct connection *conn,
			     const char *text, long long *ttl_s, struct err *err)
{
	json_t *doc = json_loads(text, 0, NULL), *headers = NULL;
	json_t *exp = NULL;
	const char *name;
	json_t *v;
	*ttl_s = DEFAULT_TTL_S;
	if (!json_is_object(doc)) {
		err_set(err,
			"the credential command of connection '%s' of %s printed %s (%zu bytes); "
			"expected a JSON object {\"headers\": {\"Name\": \"value\"}, "
			"\"expires_in\": "
			"seconds}",
			conn->name, c->slug, doc ? "JSON that is not an object" : "invalid JSON",
			strlen(text));
		goto fail;
	}
	if (json_is_object(json_object_get(doc, "headers"))) {
		headers = json_deep_copy(json_object_get(doc, "headers"));
		exp = json_object_get(doc, "expires_in");
	} else {
		headers = json_deep_copy(doc);
		exp = json_object_get(doc, "expires_in");
		json_object_del(headers, "expires_in");
	}
	if (exp && !json_is_number(exp)) {
		err_set(err,
			"the credential command of connection '%s' of %s printed an "
			"\"expires_in\" that is not a number",
			conn->name, c->slug);
		goto fail;
	}
	if (exp) {
		double s = json_number_value(exp);
		*ttl_s = s <= 0 ? 0 : s > 86400.0 * 365 ? 86400LL * 365 : (long long)s;
		long long margin = *ttl_s / 10 < EXPIRY_MARGIN_S ? *ttl_s / 10 : EXPIRY_MARGIN_S;
		*ttl_s -= margin;
	}
	if (json_object_size(headers) == 0) {
		err_set(err, "the credential command of connection '%s' of %s printed no headers",
			conn->name, c->slug);
		goto fail;
	}
	json_object_foreach(headers, name, v) {
		const char *s = json_string_value(v);
		if (!header_name_ok(name) || !s || strlen(s) != json_string_length(v) ||
		    strpbrk(s, "\r\n")) {
			err_set(err,
				"the credential command of connection '%s' of %s printed a bad "
				"header (names are tokens, values strings without line breaks)",
				conn->name, c->slug);
			goto fail;
		}
	}
	store_secrets_free(doc);
	return headers;
fail:
	store_secrets_free(headers);
	store_secrets_free(doc);
	return NULL;
}

/* The command's headers, from the cache while fresh; when they are not, the
 * command runs once however many threads ask at the same time. reserve: a
 * warm ahead of an apply, which must find the answer in the cache even when
 * it is not to be kept. New; store_secrets_free. NULL with err. */
static json_t *command_headers(const struct connector *c, const struct connection *conn,
			       json_t *cmd, int reserve, struct err *err)
{
	char *key = cache_key(c, conn, cmd), *text = NULL;
	json_t *headers = NULL;
	long long ttl_s = 0;
	struct flight *f;
	struct err e;

	err_init(&e);
	pthread_mutex_lock(&cache_lock);
	if ((headers = cache_get(key, !reserve)) != NULL)
		goto unlock;
	for (f = flights; f && strcmp(f->key, key) != 0; f = f->next)
		;
	if (f) {
		/* Another thread runs it: wait for its answer. */
		f->users++;
		while (!f->done)
			pthread_cond_wait(&flight_cond, &cache_lock);
		if (f->headers) {
			headers = json_deep_copy(f->headers);
			if (reserve && f->ttl_s <= 0)
				cache_put(key, headers, RESERVED_TTL_S, 1);
		} else {
			err_set(err, "%s", f->error);
		}
		flight_leave(f);
		goto unlock;
	}
	f = xcalloc(1, sizeof(*f));
	f->key = xstrdup(key);
	f->users = 1;
	f->next = flights;
	flights = f;
	pthread_mutex_unlock(&cache_lock);

	if (command_run(c, conn, cmd, &text, &e) == 0)
		headers = command_parse(c, conn, text, &ttl_s, &e);

	pthread_mutex_lock(&cache_lock);
	for (struct flight **p = &flights; *p; p = &(*p)->next)
		if (*p == f) {
			*p = f->next;
			break;
		}
	f->done = 1;
	f->ttl_s = ttl_s;
	if (headers) {
		f->headers = json_deep_copy(headers);
		if (ttl_s > 0)
			cache_put(key, headers, ttl_s, 0);
		else if (reserve)
			cache_put(key, headers, RESERVED_TTL_S, 1);
	} else {
		f->error = xstrdup(e.msg);
		err_set(err, "%s", e.msg);
	}
	pthread_cond_broadcast(&flight_cond);
	flight_leave(f);
unlock:
	pthread_mutex_unlock(&cache_lock);
	free_secret(text);
	free(key);
	return headers;
}

static int add_header(struct auth_out *out, const char *name, const char *value)
{
	char *h = xasprintf("%s: %s", name, value);
	json_array_append_new(out->headers, json_string(h));
	crypto_cleanse(h, strlen(h));
	free(h);
	return 0;
}

static int custom_apply(const struct connector *c, const struct auth_method *method,
			const struct connection *conn, struct auth_out *out, struct err *err)
{
	const char *name;
	json_t *tmpl;
	json_t *templates = method->headers, *query = method->query;
	json_object_foreach(templates, name, tmpl) {
		char *v = connector_expand(c, conn, json_string_value(tmpl), err);
		if (!v)
			return -1;
		add_header(out, name, v);
		crypto_cleanse(v, strlen(v));
		free(v);
	}
	json_object_foreach(query, name, tmpl) {
		char *v = connector_expand(c, conn, json_string_value(tmpl), err);
		if (!v)
			return -1;
		json_object_set_new(out->query, name, json_string(v));
		crypto_cleanse(v, strlen(v));
		free(v);
	}
	json_t *cmd = json_object_get(conn->config, "credential_command");
	int allowed = method->command;
	if (!cmd) {
		if (allowed && !json_object_size(templates) && !json_object_size(query))
			return err_set(err,
				       "connection '%s' of %s has no credential_command; set one: "
				       "switchboard connections edit %s/%s --set "
				       "credential_command='[\"/path/to/helper\", \"arg\"]'",
				       conn->name, c->slug, c->slug, conn->name);
		return 0;
	}
	if (!allowed)
		return err_set(err,
			       "connection '%s' of %s has a credential_command, but the custom "
			       "auth of %s does not allow one (\"command\": true)",
			       conn->name, c->slug, c->slug);
	json_t *headers = command_headers(c, conn, cmd, 0, err);
	if (!headers)
		return -1;
	json_t *v;
	json_object_foreach(headers, name, v) {
		log_add_secret(json_string_value(v));
		add_header(out, name, json_string_value(v));
	}
	store_secrets_free(headers);
	return 0;
}

/* The credential command of conn when its method allows one, else NULL
 * (apply then adds nothing of a command's, or says why not). Borrowed. */
static json_t *allowed_command(const struct auth_method *method, const struct connection *conn)
{
	json_t *cmd = json_object_get(conn->config, "credential_command");
	return cmd && method && method->command ? cmd : NULL;
}

/* Would apply run the command? Yes when its answer is not in the cache, or
 * is there only for applies that warmed it. */
static int custom_cold(const struct connector *c, const struct auth_method *method,
		       const struct connection *conn)
{
	json_t *cmd = allowed_command(method, conn);
	if (!cmd)
		return 0;
	char *key = cache_key(c, conn, cmd);
	pthread_mutex_lock(&cache_lock);
	struct cached *e = cache_find(key);
	int cold = !e || e->uses > 0;
	pthread_mutex_unlock(&cache_lock);
	free(key);
	return cold;
}

/* On a worker: run the command (or wait for the thread already running it)
 * so that the next apply finds its headers in the cache. */
static int custom_warm(const struct connector *c, const struct auth_method *method,
		       const struct connection *conn, struct err *err)
{
	json_t *cmd = allowed_command(method, conn);
	if (!cmd)
		return 0;
	json_t *headers = command_headers(c, conn, cmd, 1, err);
	if (!headers)
		return -1;
	store_secrets_free(headers);
	return 0;
}

/* After a rejected request (force), forget the command's headers and, off
 * the main loop as refresh is, fetch new ones for the next attempt. 1 when
 * there were any to forget, -1 with err when the command fails. */
static int custom_refresh(const struct connector *c, const struct auth_method *method,
			  struct store *s, struct connection *conn, int force, struct err *err)
{
	(void)s;
	json_t *cmd = json_object_get(conn->config, "credential_command");
	if (!force || !cmd)
		return 0;
	char *key = cache_key(c, conn, cmd);
	cache_drop(key);
	free(key);
	return custom_warm(c, method, conn, err) < 0 ? -1 : 1;
}

static void custom_stop(int on)
{
	atomic_store(&stopping, on);
}

const struct auth_handler auth_custom = {.type = "custom",
					 .apply = custom_apply,
					 .refresh = custom_refresh,
					 .cold = custom_cold,
					 .warm = custom_warm,
					 .stop = custom_stop};
