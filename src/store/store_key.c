/* store_key.c - the store's sealing key: SWITCHBOARD_KEY, or a key file
 * made on first use (0600, in a 0700 folder) and refused when others may read
 * it. No sqlite here. */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto.h"
#include "store_int.h"

int store_make_parent(const char *path, struct err *err)
{
	const char *slash = strrchr(path, '/');
	if (!slash || slash == path)
		return 0;
	char *dir = xstrndup(path, (size_t)(slash - path));
	int ret = mkdir_p(dir, 0700, err);
	free(dir);
	return ret;
}

/* Decode a base64 key, ignoring surrounding white space; 0 or -1. */
static int key_decode(const char *text, unsigned char key[CRYPTO_KEY_LEN])
{
	size_t n = 0, len;
	int ret = -1;

	while (*text == ' ' || *text == '\t' || *text == '\n' || *text == '\r')
		text++;
	for (len = strlen(text); len > 0 && strchr(" \t\r\n", text[len - 1]); len--)
		;
	char *trimmed = xstrndup(text, len);
	unsigned char *raw = crypto_unbase64(trimmed, &n);
	if (raw && n == CRYPTO_KEY_LEN) {
		memcpy(key, raw, CRYPTO_KEY_LEN);
		ret = 0;
	}
	if (raw)
		crypto_cleanse(raw, n);
	free(raw);
	free_secret(trimmed);
	return ret;
}

char *store_key_file_path(struct err *err)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");

	if (xdg && xdg[0] == '/')
		return xasprintf("%s/switchboard/key", xdg);
	if (home && *home)
		return xasprintf("%s/.config/switchboard/key", home);
	err_set(err, "cannot find the key file: set SWITCHBOARD_KEY, XDG_CONFIG_HOME or HOME");
	return NULL;
}

/* Read the key file: 1 read, 0 missing, -1 with err. */
int store_key_read_file(const char *path, unsigned char key[CRYPTO_KEY_LEN], struct err *err)
{
	char text[256];
	struct stat st;
	ssize_t n;
	int ret = -1, fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0)
		return err_set(err, "cannot open key file '%s': %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		err_set(err, "key file '%s' is not a regular file", path);
		goto done;
	}
	if (st.st_mode & 077) {
		err_set(err, "key file '%s' is readable by others (mode %o); run: chmod 600 '%s'",
			path, (unsigned)(st.st_mode & 07777), path);
		goto done;
	}
	do
		n = read(fd, text, sizeof(text) - 1);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		err_set(err, "cannot read key file '%s': %s", path, strerror(errno));
		goto done;
	}
	text[n] = '\0';
	if (key_decode(text, key) < 0) {
		err_set(err, "key file '%s' does not hold a key (base64 of 32 bytes)", path);
		goto done;
	}
	ret = 1;
done:
	crypto_cleanse(text, sizeof(text));
	close(fd);
	return ret;
}

/* Write b64 to a new file at path, mode 0600, and flush it to disk. */
int store_key_write_file(const char *path, const char *b64, struct err *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return err_set(err, "cannot create key file '%s': %s", path, strerror(errno));
	size_t len = strlen(b64), off = 0;
	while (off < len) {
		ssize_t n = write(fd, b64 + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	if (off < len || write(fd, "\n", 1) != 1 || fsync(fd) < 0) {
		err_set(err, "cannot write key file '%s': %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	close(fd);
	return 0;
}

/* Make a new key file. It is written aside and linked into place, so a
 * racing process either wins (and we read its key) or sees a whole file. */
static int key_create_file(const char *path, unsigned char key[CRYPTO_KEY_LEN], struct err *err)
{
	char *tmp = xasprintf("%s.%ld.tmp", path, (long)getpid()), *b64 = NULL;
	int ret = -1;

	if (store_make_parent(path, err) < 0 || crypto_random(key, CRYPTO_KEY_LEN, err) < 0)
		goto done;
	b64 = crypto_base64(key, CRYPTO_KEY_LEN, 0);
	unlink(tmp);
	if (store_key_write_file(tmp, b64, err) < 0)
		goto done;
	if (link(tmp, path) == 0)
		ret = 0;
	else if (errno == EEXIST)
		ret = store_key_read_file(path, key, err) == 1 ? 0 : -1;
	else
		err_set(err, "cannot create key file '%s': %s", path, strerror(errno));
	unlink(tmp);
done:
	free_secret(b64);
	free(tmp);
	return ret;
}

/* Load the key once: from SWITCHBOARD_KEY, else the key file, created when
 * create is set (a reader must not invent a key the data was not sealed
 * with). */
int store_load_key(struct store *s, int create, struct err *err)
{
	const char *env = getenv("SWITCHBOARD_KEY");

	if (s->have_key)
		return 0;
	if (env && *env) {
		if (key_decode(env, s->key) < 0)
			return err_set(err, "SWITCHBOARD_KEY is not a key: expected base64 of 32 "
					    "bytes (make one with: openssl rand -base64 32)");
		s->key_from_env = 1;
		s->have_key = 1;
		return 0;
	}
	if (!s->key_path && !(s->key_path = store_key_file_path(err)))
		return -1;
	int rc = store_key_read_file(s->key_path, s->key, err);
	if (rc == 0 && !create)
		return err_set(err, "key file '%s' is missing: restore it or set SWITCHBOARD_KEY",
			       s->key_path);
	if (rc == 0)
		rc = key_create_file(s->key_path, s->key, err) == 0 ? 1 : -1;
	if (rc < 0) {
		crypto_cleanse(s->key, sizeof(s->key));
		return -1;
	}
	s->have_key = 1;
	return 0;
}

int store_reload_key(struct store *s)
{
	unsigned char key[CRYPTO_KEY_LEN];
	int changed = 0;

	if (!s->have_key || s->key_from_env)
		return 0;
	if (store_key_read_file(s->key_path, key, NULL) == 1 &&
	    !crypto_memeq(key, s->key, CRYPTO_KEY_LEN)) {
		memcpy(s->key, key, CRYPTO_KEY_LEN);
		changed = 1;
	}
	crypto_cleanse(key, sizeof(key));
	return changed;
}
