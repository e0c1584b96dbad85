/* log.c - stderr logging with redaction of secrets. Worker threads (token
 * refreshes, mail) may log too: one lock guards the secret list and the
 * lines, and only the thread that set the sink feeds it (it writes the
 * protocol channel). */
#include "log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

#define MAX_SECRETS 256

static enum log_level cur_level = LOG_WARN;
static char *secrets[MAX_SECRETS];
static int nsecrets;
static log_sink_fn sink;
static void *sink_ctx;
static pthread_t sink_thread;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

void log_set_level(enum log_level level)
{
	cur_level = level;
}

int log_parse_level(const char *s)
{
	static const char *names[] = {"debug", "info", "warn", "error", "off"};
	for (int i = 0; i < 5; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	if (strcmp(s, "warning") == 0)
		return LOG_WARN;
	return -1;
}

void log_add_secret(const char *value)
{
	/* Very short values would redact ordinary words; they are not secrets
	 * worth the noise. */
	if (!value || strlen(value) < 6)
		return;
	pthread_mutex_lock(&lock);
	for (int i = 0; i < nsecrets; i++)
		if (strcmp(secrets[i], value) == 0)
			goto out;
	if (nsecrets == MAX_SECRETS) {
		free_secret(secrets[0]);
		memmove(secrets, secrets + 1, sizeof(secrets[0]) * (MAX_SECRETS - 1));
		nsecrets--;
	}
	secrets[nsecrets++] = xstrdup(value);
out:
	pthread_mutex_unlock(&lock);
}

void log_reset(void)
{
	pthread_mutex_lock(&lock);
	for (int i = 0; i < nsecrets; i++)
		free_secret(secrets[i]);
	nsecrets = 0;
	sink = NULL;
	pthread_mutex_unlock(&lock);
}

static const char *markers[] = {"bearer ", "basic ",   "token=",  "token\":\"",      "password=",
				"secret=", "api_key=", "apikey=", "authorization: ", NULL};

/* log_redact with the lock held. */
static char *redact(const char *s)
{
	struct buf b;
	buf_init(&b, 0);
	buf_adds(&b, s);
	/* Known secret values first. */
	for (int i = 0; i < nsecrets; i++) {
		char *hit;
		while ((hit = strstr(b.data, secrets[i])) != NULL) {
			size_t off = (size_t)(hit - b.data), sl = strlen(secrets[i]);
			struct buf nb;
			buf_init(&nb, 0);
			buf_add(&nb, b.data, off);
			buf_adds(&nb, "[redacted]");
			buf_adds(&nb, b.data + off + sl);
			buf_release(&b);
			b = nb;
		}
	}
	/* Then anything that looks like a credential after a marker. */
	for (int m = 0; markers[m]; m++) {
		size_t ml = strlen(markers[m]);
		for (size_t i = 0; i + ml <= b.len; i++) {
			if (strncasecmp(b.data + i, markers[m], ml) != 0)
				continue;
			size_t j = i + ml;
			size_t k = j;
			while (k < b.len && b.data[k] != ' ' && b.data[k] != '&' &&
			       b.data[k] != '"' && b.data[k] != ',' && b.data[k] != '\n')
				k++;
			if (k == j || (k - j == 10 && strncmp(b.data + j, "[redacted]", 10) == 0))
				continue;
			struct buf nb;
			buf_init(&nb, 0);
			buf_add(&nb, b.data, j);
			buf_adds(&nb, "[redacted]");
			buf_adds(&nb, b.data + k);
			buf_release(&b);
			b = nb;
			i = j + 10;
		}
	}
	return buf_detach(&b);
}

char *log_redact(const char *s)
{
	pthread_mutex_lock(&lock);
	char *red = redact(s);
	pthread_mutex_unlock(&lock);
	return red;
}

static void vlog(enum log_level level, int local, const char *fmt, va_list ap)
{
	static const char *tags[] = {"debug", "info", "warning", "error"};
	int to_sink = !local && sink && pthread_equal(pthread_self(), sink_thread);
	if (level < cur_level && !to_sink)
		return;
	char line[4096];
	vsnprintf(line, sizeof(line), fmt, ap);
	pthread_mutex_lock(&lock);
	char *red = redact(line);
	if (level >= cur_level)
		fprintf(stderr, "switchboard: %s: %s\n", tags[level], red);
	pthread_mutex_unlock(&lock);
	if (to_sink)
		sink(level, red, sink_ctx);
	free(red);
}

#define LOG_FN(name, lvl)                                                                          \
	void name(const char *fmt, ...)                                                            \
	{                                                                                          \
		va_list ap;                                                                        \
		va_start(ap, fmt);                                                                 \
		vlog(lvl, 0, fmt, ap);                                                             \
		va_end(ap);                                                                        \
	}
LOG_FN(log_debug, LOG_DEBUG)
LOG_FN(log_info, LOG_INFO)
LOG_FN(log_warn, LOG_WARN)
LOG_FN(log_error, LOG_ERROR)

void log_warn_local(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(LOG_WARN, 1, fmt, ap);
	va_end(ap);
}

void log_set_sink(log_sink_fn fn, void *ctx)
{
	sink = fn;
	sink_ctx = ctx;
	sink_thread = pthread_self();
}
