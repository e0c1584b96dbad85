/* registry_cache.c - a list of connector-file keys known valid (see
 * registry_cache.h), one hex key a line after a header line. */
#include "registry_cache.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compat.h"
#include "crypto.h"
#include "log.h"
#include "util.h"

#define CACHE_HEADER "switchboard connectors-valid 1\n"
#define CACHE_MAX (4u << 20) /* ~60,000 keys */

struct registry_cache {
	unsigned char base[32]; /* SHA-256 of the build's identity and the schema */
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
		if (!strchr("0123456789abcdef", s[i]) || !s[i])
			return 0;
	return 1;
}

struct registry_cache *registry_cache_open(const char *schema_path)
{
	struct registry_cache *c = xcalloc(1, sizeof(*c));
	struct err e;
	size_t len = 0;
	err_init(&e);
	c->path = cache_path();
	if (!c->path || base_of(schema_path, c->base) < 0)
		return c; /* not usable: nothing known, nothing written */
	c->usable = 1;
	char *text = read_file(c->path, CACHE_MAX, &len, &e);
	if (!text || strncmp(text, CACHE_HEADER, strlen(CACHE_HEADER)) != 0) {
		free(text);
		return c;
	}
	for (char *p = text + strlen(CACHE_HEADER); *p;) {
		size_t n = strcspn(p, "\n");
		if (is_key(p, n))
			add_key(c, p);
		p += n + (p[n] == '\n');
	}
	free(text);
	qsort(c->keys, c->n, sizeof(*c->keys), cmp_key);
	return c;
}

int registry_cache_known(struct registry_cache *c, const char *text, size_t len,
			 char key[REGISTRY_CACHE_KEY_LEN + 1])
{
	unsigned char digest[32];
	struct buf b;
	key[0] = '\0';
	if (!c || !c->usable)
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
	if (!c || !c->usable || !is_key(key, strlen(key)))
		return;
	const char *k = key;
	if (c->n && bsearch(&k, c->keys, c->n, sizeof(*c->keys), cmp_key))
		return;
	add_key(c, key);
	qsort(c->keys, c->n, sizeof(*c->keys), cmp_key);
	c->dirty = 1;
}

/* Write the keys to a new file beside the cache and rename it over. */
static void cache_write(struct registry_cache *c)
{
	struct err e;
	err_init(&e);
	char *dir = xstrdup(c->path);
	*strrchr(dir, '/') = '\0';
	char *tmp = xasprintf("%s.%ld.tmp", c->path, (long)getpid());
	if (mkdir_p(dir, 0700, &e) < 0)
		goto out;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		if (fd >= 0)
			close(fd);
		goto out;
	}
	fputs(CACHE_HEADER, f);
	for (size_t i = 0; i < c->n; i++)
		fprintf(f, "%s\n", c->keys[i]);
	if (fclose(f) != 0 || rename(tmp, c->path) != 0)
		unlink(tmp);
	else
		log_debug("connector cache: %zu valid files remembered in %s", c->n, c->path);
out:
	free(tmp);
	free(dir);
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
	free(c);
}
