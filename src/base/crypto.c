/* crypto.c - the only user of OpenSSL: AES-256-GCM sealing of secrets,
 * HMAC-SHA256, SHA-256, random bytes, constant-time compare, base64, hex,
 * and the signature checks of JWS RS256 and ES256. */
#include "crypto.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

/* A sealed blob: version byte || 12-byte nonce || ciphertext || 16-byte tag.
 * The version byte is authenticated too (it is fed to GCM as aad first). */
#define SEAL_VERSION 1
#define NONCE_LEN 12
#define TAG_LEN 16
#define SEAL_OVERHEAD (1 + NONCE_LEN + TAG_LEN)

/* OpenSSL's reason for the last failure, for our error messages. */
static const char *ossl_reason(void)
{
	unsigned long e = ERR_get_error();
	const char *r = e ? ERR_reason_error_string(e) : NULL;
	ERR_clear_error();
	return r ? r : "unknown error";
}

int crypto_random(void *buf, size_t n, struct err *err)
{
	unsigned char *p = buf;
	while (n > 0) {
		int chunk = n > INT_MAX ? INT_MAX : (int)n;
		if (RAND_bytes(p, chunk) != 1)
			return err_set(err, "cannot get random bytes: %s", ossl_reason());
		p += chunk;
		n -= (size_t)chunk;
	}
	return 0;
}

int crypto_seal(const unsigned char key[CRYPTO_KEY_LEN], const void *plain, size_t plain_len,
		const char *aad, unsigned char **out, size_t *out_len, struct err *err)
{
	int ret = -1, n;
	EVP_CIPHER_CTX *ctx = NULL;
	unsigned char *blob = NULL;
	const unsigned char version = SEAL_VERSION;
	size_t aad_len = strlen(aad);

	*out = NULL;
	*out_len = 0;
	if (plain_len > INT_MAX - SEAL_OVERHEAD || aad_len > INT_MAX) {
		err_set(err, "cannot seal %zu bytes: too large", plain_len);
		goto done;
	}
	blob = xmalloc(plain_len + SEAL_OVERHEAD);
	blob[0] = version;
	if (crypto_random(blob + 1, NONCE_LEN, err) < 0)
		goto done;
	ctx = EVP_CIPHER_CTX_new();
	if (!ctx || EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, NONCE_LEN, NULL) != 1 ||
	    EVP_EncryptInit_ex(ctx, NULL, NULL, key, blob + 1) != 1 ||
	    EVP_EncryptUpdate(ctx, NULL, &n, &version, 1) != 1 ||
	    (aad_len &&
	     EVP_EncryptUpdate(ctx, NULL, &n, (const unsigned char *)aad, (int)aad_len) != 1)) {
		err_set(err, "cannot seal: %s", ossl_reason());
		goto done;
	}
	unsigned char *ct = blob + 1 + NONCE_LEN;
	int ct_len = 0;
	if ((plain_len && EVP_EncryptUpdate(ctx, ct, &ct_len, plain, (int)plain_len) != 1) ||
	    EVP_EncryptFinal_ex(ctx, ct + ct_len, &n) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG_LEN, ct + ct_len + n) != 1) {
		err_set(err, "cannot seal: %s", ossl_reason());
		goto done;
	}
	*out_len = 1 + NONCE_LEN + (size_t)ct_len + (size_t)n + TAG_LEN;
	*out = blob;
	blob = NULL;
	ret = 0;
done:
	EVP_CIPHER_CTX_free(ctx);
	free(blob);
	return ret;
}

int crypto_open(const unsigned char key[CRYPTO_KEY_LEN], const unsigned char *blob, size_t blob_len,
		const char *aad, char **plain, size_t *plain_len, struct err *err)
{
	int ret = -1, n = 0, pt_len = 0;
	EVP_CIPHER_CTX *ctx = NULL;
	char *pt = NULL;
	size_t aad_len = strlen(aad), ct_len = 0;

	*plain = NULL;
	if (plain_len)
		*plain_len = 0;
	/* A short blob, a version we do not know and a failed tag all read the
	 * same to the caller: the data cannot be trusted. */
	if (blob_len < SEAL_OVERHEAD || blob_len > INT_MAX || aad_len > INT_MAX ||
	    blob[0] != SEAL_VERSION) {
		err_set(err, "authentication failed");
		goto done;
	}
	ct_len = blob_len - SEAL_OVERHEAD;
	pt = xmalloc(ct_len + 1);
	ctx = EVP_CIPHER_CTX_new();
	if (!ctx || EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, NONCE_LEN, NULL) != 1 ||
	    EVP_DecryptInit_ex(ctx, NULL, NULL, key, blob + 1) != 1 ||
	    EVP_DecryptUpdate(ctx, NULL, &n, blob, 1) != 1 ||
	    (aad_len &&
	     EVP_DecryptUpdate(ctx, NULL, &n, (const unsigned char *)aad, (int)aad_len) != 1) ||
	    (ct_len && EVP_DecryptUpdate(ctx, (unsigned char *)pt, &pt_len, blob + 1 + NONCE_LEN,
					 (int)ct_len) != 1) ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG_LEN,
				(void *)(blob + blob_len - TAG_LEN)) != 1 ||
	    EVP_DecryptFinal_ex(ctx, (unsigned char *)pt + pt_len, &n) != 1) {
		ERR_clear_error();
		err_set(err, "authentication failed");
		goto done;
	}
	pt_len += n;
	pt[pt_len] = '\0';
	*plain = pt;
	if (plain_len)
		*plain_len = (size_t)pt_len;
	pt = NULL;
	ret = 0;
done:
	EVP_CIPHER_CTX_free(ctx);
	if (pt) {
		/* Unauthenticated plaintext must not linger either. */
		OPENSSL_cleanse(pt, ct_len + 1);
		free(pt);
	}
	return ret;
}

void crypto_hmac_sha256(const void *key, size_t key_len, const void *msg, size_t msg_len,
			unsigned char out[32])
{
	unsigned int len = 32;
	static const unsigned char empty;

	/* HMAC() wants a non-NULL key pointer even for an empty key. */
	if (key_len > INT_MAX || !HMAC(EVP_sha256(), key ? key : &empty, (int)key_len,
				       msg ? msg : (const void *)&empty, msg_len, out, &len)) {
		/* Only a broken OpenSSL gets here; a zero MAC would be worse than
		 * stopping, since callers compare against it. */
		fprintf(stderr, "switchboard: HMAC-SHA256 failed: %s\n", ossl_reason());
		abort();
	}
}

void crypto_sha256(const void *msg, size_t len, unsigned char out[32])
{
	static const unsigned char empty;

	if (!EVP_Digest(msg ? msg : (const void *)&empty, len, out, NULL, EVP_sha256(), NULL)) {
		fprintf(stderr, "switchboard: SHA-256 failed: %s\n", ossl_reason());
		abort();
	}
}

int crypto_memeq(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) == 0;
}

void crypto_cleanse(void *p, size_t n)
{
	if (p && n)
		OPENSSL_cleanse(p, n);
}

static const char b64_std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b64_url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

char *crypto_base64(const void *data, size_t len, int url)
{
	const unsigned char *p = data;
	const char *abc = url ? b64_url : b64_std;
	char *out = xmalloc((len + 2) / 3 * 4 + 1), *o = out;
	size_t i;

	for (i = 0; i + 2 < len; i += 3) {
		unsigned long v =
			(unsigned long)p[i] << 16 | (unsigned long)p[i + 1] << 8 | p[i + 2];
		*o++ = abc[v >> 18 & 63];
		*o++ = abc[v >> 12 & 63];
		*o++ = abc[v >> 6 & 63];
		*o++ = abc[v & 63];
	}
	if (i < len) {
		unsigned long v = (unsigned long)p[i] << 16;
		if (i + 1 < len)
			v |= (unsigned long)p[i + 1] << 8;
		*o++ = abc[v >> 18 & 63];
		*o++ = abc[v >> 12 & 63];
		if (i + 1 < len)
			*o++ = abc[v >> 6 & 63];
		else if (!url)
			*o++ = '=';
		if (!url)
			*o++ = '=';
	}
	*o = '\0';
	return out;
}

int crypto_base64_digit(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

unsigned char *crypto_base64_decode(const char *s, size_t len, int flags, size_t *out_len)
{
	size_t cap = len / 4 * 3 + 4, o = 0, nchars = 0, pad = 0;
	unsigned char *out = xmalloc(cap);
	unsigned long acc = 0;
	int bits = 0;
	int lenient = flags & CRYPTO_B64_LENIENT;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		int v = crypto_base64_digit(c);
		if ((flags & (CRYPTO_B64_SPACE | CRYPTO_B64_LENIENT)) &&
		    (c == ' ' || c == '\t' || c == '\r' || c == '\n'))
			continue;
		if (c == '=') {
			pad++;
			continue;
		}
		if (v < 0 || pad) {
			if (!lenient)
				goto bad;
			if (v < 0)
				continue;
			/* Lenient: data after padding starts a new quantum. */
			pad = 0;
			bits = 0;
			nchars = 0;
		}
		acc = (acc << 6 | (unsigned long)v) & 0xffffff;
		bits += 6;
		nchars++;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(acc >> bits & 0xff);
		}
	}
	/* Padding, when present, is one or two '=' that complete a quantum. */
	if (!lenient && (nchars % 4 == 1 || pad > 2 || (pad && (nchars + pad) % 4 != 0)))
		goto bad;
	out[o] = '\0';
	if (out_len)
		*out_len = o;
	return out;
bad:
	crypto_cleanse(out, cap);
	free(out);
	return NULL;
}

unsigned char *crypto_unbase64(const char *s, size_t *out_len)
{
	return crypto_base64_decode(s, strlen(s), 0, out_len);
}

char *crypto_hex(const unsigned char *data, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	char *out = xmalloc(len * 2 + 1);

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[data[i] >> 4];
		out[2 * i + 1] = digits[data[i] & 15];
	}
	out[len * 2] = '\0';
	return out;
}

struct crypto_pubkey {
	EVP_PKEY *pkey;
	int type; /* EVP_PKEY_RSA or EVP_PKEY_EC */
};

/* A key from parameters (OpenSSL 3's EVP_PKEY_fromdata), then checked. */
static struct crypto_pubkey *pubkey_from_params(const char *type, OSSL_PARAM *params, int id,
						struct err *err)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	EVP_PKEY_CTX *check = NULL;
	EVP_PKEY *pkey = NULL;
	struct crypto_pubkey *k = NULL;

	if (!ctx || EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1) {
		err_set(err, "cannot make a %s public key: %s", type, ossl_reason());
		goto out;
	}
	check = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
	if (!check || EVP_PKEY_public_check(check) != 1) {
		err_set(err, "the %s public key is not valid: %s", type, ossl_reason());
		goto out;
	}
	k = xmalloc(sizeof(*k));
	k->pkey = pkey;
	k->type = id;
	pkey = NULL;
out:
	EVP_PKEY_CTX_free(check);
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pkey);
	return k;
}

struct crypto_pubkey *crypto_pubkey_rsa(const unsigned char *n, size_t n_len,
					const unsigned char *e, size_t e_len, struct err *err)
{
	BIGNUM *bn = NULL, *be = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	struct crypto_pubkey *k = NULL;

	if (n_len > 2048 || e_len > 8 || !n_len || !e_len) {
		err_set(err, "RSA key has a modulus or exponent of a bad size");
		return NULL;
	}
	bn = BN_bin2bn(n, (int)n_len, NULL);
	be = BN_bin2bn(e, (int)e_len, NULL);
	if (!bn || !be) {
		err_set(err, "cannot read the RSA key: %s", ossl_reason());
		goto out;
	}
	if (BN_num_bits(bn) < 2048) {
		err_set(err, "RSA key of %d bits refused (2048 at least)", BN_num_bits(bn));
		goto out;
	}
	bld = OSSL_PARAM_BLD_new();
	if (!bld || OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be) != 1 ||
	    !(params = OSSL_PARAM_BLD_to_param(bld))) {
		err_set(err, "cannot make an RSA key: %s", ossl_reason());
		goto out;
	}
	k = pubkey_from_params("RSA", params, EVP_PKEY_RSA, err);
out:
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(bn);
	BN_free(be);
	return k;
}

struct crypto_pubkey *crypto_pubkey_p256(const unsigned char *x, size_t x_len,
					 const unsigned char *y, size_t y_len, struct err *err)
{
	unsigned char point[65];
	char group[] = "prime256v1";
	OSSL_PARAM params[3];

	if (x_len != 32 || y_len != 32) {
		err_set(err, "P-256 key coordinates must be 32 bytes each");
		return NULL;
	}
	/* The uncompressed point: 0x04 || x || y (SEC 1, 2.3.3). */
	point[0] = 0x04;
	memcpy(point + 1, x, 32);
	memcpy(point + 33, y, 32);
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
	params[1] =
		OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point));
	params[2] = OSSL_PARAM_construct_end();
	return pubkey_from_params("EC", params, EVP_PKEY_EC, err);
}

void crypto_pubkey_free(struct crypto_pubkey *k)
{
	if (!k)
		return;
	EVP_PKEY_free(k->pkey);
	free(k);
}

/* JWS ES256 signatures are R || S, 32 bytes each; OpenSSL wants the DER
 * ECDSA-Sig-Value. Returns a new buffer (OPENSSL_free) or NULL. */
static unsigned char *es256_der(const unsigned char *sig, int *der_len)
{
	ECDSA_SIG *s = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(sig, 32, NULL), *sv = BN_bin2bn(sig + 32, 32, NULL);
	unsigned char *der = NULL;

	if (!s || !r || !sv || ECDSA_SIG_set0(s, r, sv) != 1) {
		BN_free(r);
		BN_free(sv);
		ECDSA_SIG_free(s);
		ERR_clear_error();
		return NULL;
	}
	/* s owns r and sv now. */
	*der_len = i2d_ECDSA_SIG(s, &der);
	ECDSA_SIG_free(s);
	if (*der_len <= 0) {
		ERR_clear_error();
		return NULL;
	}
	return der;
}

int crypto_pubkey_verify(const struct crypto_pubkey *k, enum crypto_sig_alg alg, const void *msg,
			 size_t msg_len, const unsigned char *sig, size_t sig_len)
{
	EVP_MD_CTX *md = NULL;
	unsigned char *der = NULL;
	int der_len = 0, ok = 0;

	if (!k || !msg || !sig)
		return 0;
	if (alg == CRYPTO_RS256 && k->type != EVP_PKEY_RSA)
		return 0;
	if (alg == CRYPTO_ES256) {
		if (k->type != EVP_PKEY_EC || sig_len != 64)
			return 0;
		if (!(der = es256_der(sig, &der_len)))
			return 0;
		sig = der;
		sig_len = (size_t)der_len;
	}
	md = EVP_MD_CTX_new();
	if (md && EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, k->pkey) == 1 &&
	    EVP_DigestVerify(md, sig, sig_len, msg, msg_len) == 1)
		ok = 1;
	ERR_clear_error();
	EVP_MD_CTX_free(md);
	OPENSSL_free(der);
	return ok;
}
