/* crypto.h - the only user of OpenSSL: sealing secrets, HMAC, hashes, random, base64. */
#ifndef SB_CRYPTO_H
#define SB_CRYPTO_H

#include <stddef.h>

#include "util.h"

#define CRYPTO_KEY_LEN 32

/* Fill buf with n cryptographically random bytes; 0 or -1 with err. */
int crypto_random(void *buf, size_t n, struct err *err);

/* Seal plaintext with AES-256-GCM under key, binding aad (a NUL-terminated
 * string, may be "" but not NULL) as additional authenticated data. A fresh
 * random 12-byte nonce is used each call. *out (caller frees) holds
 * version byte || nonce || ciphertext || tag. 0 or -1 with err. */
int crypto_seal(const unsigned char key[CRYPTO_KEY_LEN], const void *plain, size_t plain_len,
		const char *aad, unsigned char **out, size_t *out_len, struct err *err);

/* Open a blob made by crypto_seal. On success *plain is a new NUL-terminated
 * buffer (caller wipes with crypto_cleanse and frees). A wrong key, a wrong
 * aad or any tampering gives -1 with err "authentication failed". */
int crypto_open(const unsigned char key[CRYPTO_KEY_LEN], const unsigned char *blob, size_t blob_len,
		const char *aad, char **plain, size_t *plain_len, struct err *err);

/* HMAC-SHA256 and SHA-256 into out (32 bytes). */
void crypto_hmac_sha256(const void *key, size_t key_len, const void *msg, size_t msg_len,
			unsigned char out[32]);
void crypto_sha256(const void *msg, size_t len, unsigned char out[32]);

/* Constant-time comparison: 1 when equal. */
int crypto_memeq(const void *a, const void *b, size_t n);
/* Wipe memory so the compiler cannot elide it. */
void crypto_cleanse(void *p, size_t n);

/* Standard base64 with padding (url: base64url without padding).
 * Encoding returns a new string. */
char *crypto_base64(const void *data, size_t len, int url);
/* The one base64 decoder (RFC 4648): both alphabets, padded or not. With
 * flags 0 any other byte, or padding that does not complete a quantum, is
 * an error; CRYPTO_B64_SPACE skips whitespace; CRYPTO_B64_LENIENT (mail
 * bodies) skips whitespace and any stray byte, and data after padding
 * starts a new quantum. Returns a new buffer (NUL-terminated for
 * convenience) with its length in *out_len (may be NULL), or NULL on bad
 * input. */
enum { CRYPTO_B64_SPACE = 1, CRYPTO_B64_LENIENT = 2 };
unsigned char *crypto_base64_decode(const char *s, size_t len, int flags, size_t *out_len);
/* crypto_base64_decode of the string s with flags 0. */
unsigned char *crypto_unbase64(const char *s, size_t *out_len);
/* The value (0..63) of a digit of either base64 alphabet, or -1. */
int crypto_base64_digit(unsigned char c);
/* Lowercase hex; a new string. */
char *crypto_hex(const unsigned char *data, size_t len);

/* A public key for checking signatures (JWS RS256 and ES256, RFC 7518). */
struct crypto_pubkey;
enum crypto_sig_alg { CRYPTO_RS256, CRYPTO_ES256 };

/* An RSA public key from its modulus and exponent as big-endian bytes (a
 * JWK's "n" and "e" decoded). Moduli under 2048 bits are refused. A new key
 * (crypto_pubkey_free) or NULL with err. */
struct crypto_pubkey *crypto_pubkey_rsa(const unsigned char *n, size_t n_len,
					const unsigned char *e, size_t e_len, struct err *err);
/* A P-256 public key from its affine coordinates (a JWK's "x" and "y"
 * decoded, 32 bytes each); a point not on the curve is refused. A new key
 * or NULL with err. */
struct crypto_pubkey *crypto_pubkey_p256(const unsigned char *x, size_t x_len,
					 const unsigned char *y, size_t y_len, struct err *err);
/* Accepts NULL. */
void crypto_pubkey_free(struct crypto_pubkey *k);
/* Check sig over msg. RS256: RSASSA-PKCS1-v1_5 with SHA-256 and an RSA key.
 * ES256: ECDSA on P-256 with SHA-256 and a P-256 key; sig is the JWS form,
 * raw R || S (64 bytes), turned into DER for OpenSSL here. Returns 1 when
 * the signature is good; 0 otherwise, a key of the wrong type for alg
 * included. */
int crypto_pubkey_verify(const struct crypto_pubkey *k, enum crypto_sig_alg alg, const void *msg,
			 size_t msg_len, const unsigned char *sig, size_t sig_len);

#endif
