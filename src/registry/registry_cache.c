/* registry_cache.c - a list of connector-file keys known valid (see
 * registry_cache.h), one hex key a line after a header line; and each
 * folder's outlines by the files' stat keys. */
#include "registry_cache.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "compat.h"
#include "crypto.h"
#include "log.h"
#include "util.h"

#define CACHE_HEADER "switchboard connectors-valid 1\n"
#define CACHE_MAX (4u << 20) /* ~60,000 keys */

struct registry_cache {
	unsigned char base[32]; /* SHA-256 of the build's identity and the schema */
	int based;              /* base: 0 not made yet, 1 made, -1 cannot be */
	pthread_mutex_t lock;   /* over making base */
	char *schema_path;
	int usable;
	char *path;
	char **keys; /* sorted */
	size_t n, alloc;
	int dirty;
};

static int cmp_key(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *cache_path(void)
{
	const char *xdg = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");
	if (xdg && *xdg == '/')
		return xasprintf("%s/switchboard/connectors-valid", xdg);
	if (home && *home == '/')
		return xasprintf("%s/.cache/switchboard/connectors-valid", home);
	return NULL;
}

/* The build's identity and the schema's bytes, hashed: what every key
 * starts from. 0, or -1 when either cannot be had. */
static int base_of(const char *schema_path, unsigned char out[32])
{
	struct stat st;
	struct err e;
	char exe[4096];
	size_t len = 0;
	err_init(&e);
	if (compat_exe_path(exe, sizeof(exe)) < 0 || stat(exe, &st) < 0)
		return -1;
	char *schema = read_file(schema_path, CACHE_MAX, &len, &e);
	if (!schema)
		return -1;
	struct buf b;
	buf_init(&b, 0);
	buf_addf(&b, "%s %lld %lld.%09ld %llu %llu\n", SB_VERSION, (long long)st.st_size,
		 (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec, (unsigned long long)st.st_ino,
		 (unsigned long long)st.st_dev);
	buf_add(&b, schema, len);
	crypto_sha256(b.data, b.len, out);
	buf_release(&b);
	free(schema);
	return 0;
}

static void add_key(struct registry_cache *c, const char *key)
{
	if (c->n == c->alloc) {
		c->alloc = c->alloc ? c->alloc * 2 : 32;
		c->keys = xrealloc(c->keys, c->alloc * sizeof(*c->keys));
	}
	c->keys[c->n++] = xstrndup(key, REGISTRY_CACHE_KEY_LEN);
}

static int is_key(const char *s, size_t n)
{
	if (n != REGISTRY_CACHE_KEY_LEN)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

struct registry_cache *registry_cache_open(const char *schema_path)
{
	struct registry_cache *c = xcalloc(1, sizeof(*c));
	pthread_mutex_init(&c->lock, NULL);
	c->schema_path = xstrdup(schema_path);
	c->path = cache_path();
	c->usable = c->path != NULL; /* else nothing known, nothing written */
	return c;
}

/* The base and the keys, made and read by the first file that needs a
 * key: a start that finds every file's outline hashes and reads nothing.
 * 0, or -1 when there is no base. */
static int cache_ready(struct registry_cache *c)
{
	struct err e;
	size_t len = 0;
	err_init(&e);
	pthread_mutex_lock(&c->lock);
	if (c->based) {
		pthread_mutex_unlock(&c->lock);
		return c->based > 0 ? 0 : -1;
	}
	c->based = base_of(c->schema_path, c->base) == 0 ? 1 : -1;
	char *text = c->based > 0 ? read_file(c->path, CACHE_MAX, &len, &e) : NULL;
	if (!text || strncmp(text, CACHE_HEADER, strlen(CACHE_HEADER)) != 0) {
		free(text);
		pthread_mutex_unlock(&c->lock);
		return c->based > 0 ? 0 : -1;
	}
	for (char *p = text + strlen(CACHE_HEADER); *p;) {
		size_t n = strcspn(p, "\n");
		if (is_key(p, n))
			add_key(c, p);
		p += n + (p[n] == '\n');
	}
	free(text);
	qsort(c->keys, c->n, sizeof(*c->keys), cmp_key);
	pthread_mutex_unlock(&c->lock);
	return 0;
}

int registry_cache_known(struct registry_cache *c, const char *text, size_t len,
			 char key[REGISTRY_CACHE_KEY_LEN + 1])
{
	unsigned char digest[32];
	struct buf b;
	key[0] = '\0';
	if (!c || !c->usable || cache_ready(c) < 0)
		return 0;
	buf_init(&b, 0);
	buf_add(&b, (const char *)c->base, sizeof(c->base));
	buf_add(&b, text, len);
	crypto_sha256(b.data, b.len, digest);
	buf_release(&b);
	char *hex = crypto_hex(digest, sizeof(digest));
	memcpy(key, hex, REGISTRY_CACHE_KEY_LEN + 1);
	free(hex);
	const char *k = key;
	return c->n && bsearch(&k, c->keys, c->n, sizeof(*c->keys), cmp_key) != NULL;
}

void registry_cache_add(struct registry_cache *c, const char *key)
{
	if (!c || !c->usable || c->based <= 0 || !is_key(key, strlen(key)))
		return;
	const char *k = key;
	if (c->n && bsearch(&k, c->keys, c->n, sizeof(*c->keys), cmp_key))
		return;
	add_key(c, key);
	qsort(c->keys, c->n, sizeof(*c->keys), cmp_key);
	c->dirty = 1;
}

/* A new file beside path (the folder made first), to be renamed over it
 * by replace(); NULL when it cannot be made. *tmp is the caller's to free. */
static FILE *tmp_beside(const char *path, char **tmp)
{
	struct err e;
	err_init(&e);
	char *dir = xstrdup(path);
	*strrchr(dir, '/') = '\0';
	*tmp = xasprintf("%s.%ld.tmp", path, (long)getpid());
	int fd = mkdir_p(dir, 0700, &e) < 0
			 ? -1
			 : open(*tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	free(dir);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f && fd >= 0)
		close(fd);
	return f;
}

/* Close f and rename tmp over path: 0, or -1 (tmp removed). */
static int replace(FILE *f, const char *tmp, const char *path)
{
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* Write the keys to a new file beside the cache and rename it over. */
static void cache_write(struct registry_cache *c)
{
	char *tmp = NULL;
	FILE *f = tmp_beside(c->path, &tmp);
	if (f) {
		fputs(CACHE_HEADER, f);
		for (size_t i = 0; i < c->n; i++)
			fprintf(f, "%s\n", c->keys[i]);
		if (replace(f, tmp, c->path) == 0)
			log_debug("connector cache: %zu valid files remembered in %s", c->n,
				  c->path);
	}
	free(tmp);
}

void registry_cache_close(struct registry_cache *c)
{
	if (!c)
		return;
	if (c->dirty)
		cache_write(c);
	for (size_t i = 0; i < c->n; i++)
		free(c->keys[i]);
	free(c->keys);
	free(c->path);
	free(c->schema_path);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

#define OUTLINES_HEADER "switchboard connector outlines 1 "
#define OUTLINES_MAX (64u << 20)
/* A file changed less than this long ago may change again within the
 * same tick of the file system's clock, keeping its stat key. */
#define SETTLE_S 2

/* "dev.ino.size.mtime.ctime" of st, in hex and nanoseconds. */
static void stat_text(const struct stat *st, char *out, size_t n)
{
	snprintf(out, n, "%llx.%llx.%llx.%llx.%lx.%llx.%lx", (unsigned long long)st->st_dev,
		 (unsigned long long)st->st_ino, (unsigned long long)st->st_size,
		 (unsigned long long)st->st_mtim.tv_sec, (long)st->st_mtim.tv_nsec,
		 (unsigned long long)st->st_ctim.tv_sec, (long)st->st_ctim.tv_nsec);
}

int registry_stat_key(const char *path, char key[REGISTRY_STAT_KEY_MAX], int *settled)
{
	struct stat st;
	key[0] = '\0';
	*settled = 0;
	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return -1;
	stat_text(&st, key, REGISTRY_STAT_KEY_MAX);
	time_t now = time(NULL);
	*settled = st.st_mtim.tv_sec + SETTLE_S < now && st.st_ctim.tv_sec + SETTLE_S < now;
	return 0;
}

struct outline {
	char key[REGISTRY_STAT_KEY_MAX];
	const char *text; /* into the store's bytes, or owned */
	size_t len;
	char *owned;
	int keep; /* written back */
};

struct registry_outlines {
	char *path;
	char *header;         /* what the store's first line must be */
	char *file;           /* the store's bytes as read, or NULL */
	struct outline *item; /* those read (sorted by key), then those put */
	size_t nread, n, alloc;
	int dirty;
};

static int cmp_outline(const void *a, const void *b)
{
	return strcmp(((const struct outline *)a)->key, ((const struct outline *)b)->key);
}

static struct outline *outline_add(struct registry_outlines *o, const char *key, size_t n)
{
	if (o->n == o->alloc) {
		o->alloc = o->alloc ? o->alloc * 2 : 16;
		o->item = xrealloc(o->item, o->alloc * sizeof(*o->item));
	}
	struct outline *it = &o->item[o->n++];
	memset(it, 0, sizeof(*it));
	memcpy(it->key, key, n);
	return it;
}

/* The store's first line: this build (version and executable), the
 * schema's stat key and the folder. "" when a part cannot be had. */
static char *outlines_header(const char *schema_path, const char *dir)
{
	char exe[4096], ek[REGISTRY_STAT_KEY_MAX], sk[REGISTRY_STAT_KEY_MAX];
	int settled;
	if (compat_exe_path(exe, sizeof(exe)) < 0 || registry_stat_key(exe, ek, &settled) < 0 ||
	    registry_stat_key(schema_path, sk, &settled) < 0 || strchr(dir, '\n'))
		return NULL;
	return xasprintf("%s%s %s %s %s\n", OUTLINES_HEADER, SB_VERSION, ek, sk, dir);
}

struct registry_outlines *registry_outlines_open(const char *schema_path, const char *dir)
{
	char *cache = cache_path();
	char *header = cache ? outlines_header(schema_path, dir) : NULL;
	if (!header) {
		free(cache);
		return NULL;
	}
	struct registry_outlines *o = xcalloc(1, sizeof(*o));
	struct err e;
	size_t len = 0, hlen = strlen(header);
	err_init(&e);
	/* One store a folder, named by FNV-1a of its path (the header names
	 * the folder: another one's store is not this one's). */
	unsigned long long h = 14695981039346656037ULL;
	for (const char *p = dir; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	*strrchr(cache, '/') = '\0';
	o->path = xasprintf("%s/outlines/%016llx", cache, h);
	o->header = header;
	free(cache);
	o->file = read_file(o->path, OUTLINES_MAX, &len, &e);
	if (o->file && (len < hlen || memcmp(o->file, header, hlen) != 0)) {
		free(o->file); /* another build's, or not ours: written anew */
		o->file = NULL;
		o->dirty = 1;
	}
	for (size_t at = hlen; o->file && at < len;) {
		const char *p = o->file + at;
		const char *nl = memchr(p, '\n', len - at);
		size_t n = nl ? (size_t)(nl - p) : len - at;
		size_t k = strcspn(p, " \n");
		at += n + 1;
		if (!nl || k == 0 || k >= REGISTRY_STAT_KEY_MAX || k + 1 >= n || p[k] != ' ') {
			o->dirty = 1; /* a line cut short or not ours: dropped */
			continue;
		}
		struct outline *it = outline_add(o, p, k);
		it->text = p + k + 1;
		it->len = n - k - 1;
	}
	if (o->n)
		qsort(o->item, o->n, sizeof(*o->item), cmp_outline);
	o->nread = o->n;
	return o;
}

static struct outline *outline_find(const struct registry_outlines *o, const char *key)
{
	struct outline want = {0};
	if (!o || !o->nread || strlen(key) >= REGISTRY_STAT_KEY_MAX)
		return NULL;
	snprintf(want.key, sizeof(want.key), "%s", key);
	return bsearch(&want, o->item, o->nread, sizeof(*o->item), cmp_outline);
}

const char *registry_outlines_find(const struct registry_outlines *o, const char *key, size_t *len)
{
	const struct outline *it = outline_find(o, key);
	if (!it)
		return NULL;
	*len = it->len;
	return it->text;
}

void registry_outlines_keep(struct registry_outlines *o, const char *key)
{
	struct outline *it = outline_find(o, key);
	if (it)
		it->keep = 1;
}

void registry_outlines_put(struct registry_outlines *o, const char *key, char *text)
{
	size_t k = strlen(key);
	if (!o || !text || k == 0 || k >= REGISTRY_STAT_KEY_MAX || strpbrk(key, " \n") ||
	    strchr(text, '\n')) {
		free(text);
		return;
	}
	struct outline *it = outline_add(o, key, k);
	it->owned = text;
	it->text = text;
	it->len = strlen(text);
	it->keep = 1;
	o->dirty = 1;
}

void registry_outlines_close(struct registry_outlines *o)
{
	if (!o)
		return;
	for (size_t i = 0; i < o->nread; i++)
		o->dirty |= !o->item[i].keep; /* a file changed or gone: forget it */
	char *tmp = NULL;
	FILE *f = o->dirty ? tmp_beside(o->path, &tmp) : NULL;
	if (f) {
		fputs(o->header, f);
		for (size_t i = 0; i < o->n; i++) {
			if (!o->item[i].keep)
				continue;
			fprintf(f, "%s ", o->item[i].key);
			fwrite(o->item[i].text, 1, o->item[i].len, f);
			fputc('\n', f);
		}
		replace(f, tmp, o->path);
	}
	free(tmp);
	for (size_t i = 0; i < o->n; i++)
		free(o->item[i].owned);
	free(o->item);
	free(o->file);
	free(o->header);
	free(o->path);
	free(o);
}
