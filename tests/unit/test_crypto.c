/* test_crypto.c - sealing round trips and failures, RFC 4231 HMAC vectors,
 * SHA-256, base64 (RFC 4648 vectors, both alphabets) and hex. */
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "t.h"

static char *hmac_hex(const void *key, size_t key_len, const void *msg, size_t msg_len)
{
	unsigned char mac[32];
	crypto_hmac_sha256(key, key_len, msg, msg_len, mac);
	return crypto_hex(mac, sizeof(mac));
}

static void check_hmac(const void *key, size_t key_len, const void *msg, size_t msg_len,
		       const char *want)
{
	char *got = hmac_hex(key, key_len, msg, msg_len);
	CHECK_STR(got, want);
	free(got);
}

/* RFC 4231 section 4: test cases 1-4, 6 and 7 (5 is a truncated MAC). */
static void test_hmac_rfc4231(void)
{
	unsigned char key[131], data[50];

	memset(key, 0x0b, 20);
	check_hmac(key, 20, "Hi There", 8,
		   "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");

	check_hmac("Jefe", 4, "what do ya want for nothing?", 28,
		   "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");

	memset(key, 0xaa, 20);
	memset(data, 0xdd, 50);
	check_hmac(key, 20, data, 50,
		   "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");

	for (int i = 0; i < 25; i++)
		key[i] = (unsigned char)(i + 1);
	memset(data, 0xcd, 50);
	check_hmac(key, 25, data, 50,
		   "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");

	memset(key, 0xaa, 131);
	const char *m6 = "Test Using Larger Than Block-Size Key - Hash Key First";
	check_hmac(key, 131, m6, strlen(m6),
		   "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");

	const char *m7 = "This is a test using a larger than block-size key and a larger than "
			 "block-size data. The key needs to be hashed before being used by the "
			 "HMAC algorithm.";
	check_hmac(key, 131, m7, strlen(m7),
		   "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");

	/* An empty key and message are valid input. */
	check_hmac(NULL, 0, NULL, 0,
		   "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

static void test_sha256(void)
{
	unsigned char d[32];
	char *hex;

	crypto_sha256("abc", 3, d);
	hex = crypto_hex(d, 32);
	CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	free(hex);
	crypto_sha256("", 0, d);
	hex = crypto_hex(d, 32);
	CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	free(hex);
}

static void test_seal_open(void)
{
	unsigned char key[CRYPTO_KEY_LEN], other[CRYPTO_KEY_LEN];
	unsigned char *blob = NULL, *blob2 = NULL;
	size_t blob_len = 0, blob2_len = 0, plain_len = 0;
	char *plain = NULL;
	const char *msg = "{\"api_key\":\"sk_test_123\"}";
	struct err err;

	err_init(&err);
	CHECK(crypto_random(key, sizeof(key), &err) == 0);
	CHECK(crypto_random(other, sizeof(other), &err) == 0);
	CHECK(memcmp(key, other, sizeof(key)) != 0);

	CHECK(crypto_seal(key, msg, strlen(msg), "stripe/1", &blob, &blob_len, &err) == 0);
	CHECK(blob_len == 1 + 12 + strlen(msg) + 16);
	CHECK(blob[0] == 1);
	CHECK(memmem(blob, blob_len, "sk_test_123", 11) == NULL);

	/* A second seal of the same text uses a fresh nonce. */
	CHECK(crypto_seal(key, msg, strlen(msg), "stripe/1", &blob2, &blob2_len, &err) == 0);
	CHECK(blob2_len == blob_len && memcmp(blob, blob2, blob_len) != 0);

	CHECK(crypto_open(key, blob, blob_len, "stripe/1", &plain, &plain_len, &err) == 0);
	CHECK_STR(plain, msg);
	CHECK(plain_len == strlen(msg));
	if (plain)
		crypto_cleanse(plain, plain_len);
	free(plain);

	/* Wrong key. */
	err_init(&err);
	plain = (char *)"sentinel";
	CHECK(crypto_open(other, blob, blob_len, "stripe/1", &plain, &plain_len, &err) == -1);
	CHECK(plain == NULL);
	CHECK_STR(err.msg, "authentication failed");

	/* Wrong aad: the blob is bound to its row. */
	err_init(&err);
	CHECK(crypto_open(key, blob, blob_len, "stripe/2", &plain, &plain_len, &err) == -1);
	CHECK_STR(err.msg, "authentication failed");
	err_init(&err);
	CHECK(crypto_open(key, blob, blob_len, "", &plain, NULL, &err) == -1);

	/* Every flipped byte (version, nonce, ciphertext, tag) is caught. */
	int caught = 0;
	for (size_t i = 0; i < blob_len; i++) {
		blob[i] ^= 0x01;
		err_init(&err);
		if (crypto_open(key, blob, blob_len, "stripe/1", &plain, NULL, &err) == -1 &&
		    plain == NULL)
			caught++;
		blob[i] ^= 0x01;
	}
	CHECK(caught == (int)blob_len);

	/* Truncated and empty blobs. */
	err_init(&err);
	CHECK(crypto_open(key, blob, blob_len - 1, "stripe/1", &plain, NULL, &err) == -1);
	err_init(&err);
	CHECK(crypto_open(key, blob, 0, "stripe/1", &plain, NULL, &err) == -1);
	CHECK_STR(err.msg, "authentication failed");

	/* Empty plaintext and empty aad round trip. */
	free(blob);
	blob = NULL;
	err_init(&err);
	CHECK(crypto_seal(key, "", 0, "", &blob, &blob_len, &err) == 0);
	CHECK(blob_len == 29);
	CHECK(crypto_open(key, blob, blob_len, "", &plain, &plain_len, &err) == 0);
	CHECK_STR(plain, "");
	CHECK(plain_len == 0);
	free(plain);

	free(blob);
	free(blob2);
	crypto_cleanse(key, sizeof(key));
	crypto_cleanse(other, sizeof(other));
}

static void check_b64(const char *in, const char *std, const char *url)
{
	char *s = crypto_base64(in, strlen(in), 0);
	CHECK_STR(s, std);
	free(s);
	s = crypto_base64(in, strlen(in), 1);
	CHECK_STR(s, url);
	free(s);

	size_t n = 99;
	unsigned char *d = crypto_unbase64(std, &n);
	CHECK(d && n == strlen(in) && memcmp(d, in, n) == 0);
	free(d);
	d = crypto_unbase64(url, &n);
	CHECK(d && n == strlen(in) && memcmp(d, in, n) == 0);
	free(d);
}

static void test_base64(void)
{
	/* RFC 4648 section 10. */
	check_b64("", "", "");
	check_b64("f", "Zg==", "Zg");
	check_b64("fo", "Zm8=", "Zm8");
	check_b64("foo", "Zm9v", "Zm9v");
	check_b64("foob", "Zm9vYg==", "Zm9vYg");
	check_b64("fooba", "Zm9vYmE=", "Zm9vYmE");
	check_b64("foobar", "Zm9vYmFy", "Zm9vYmFy");

	/* The two alphabets differ in 62 and 63. */
	const unsigned char bytes[] = {0xfb, 0xff, 0xbf};
	char *s = crypto_base64(bytes, 3, 0);
	CHECK_STR(s, "+/+/");
	free(s);
	s = crypto_base64(bytes, 2, 1);
	CHECK_STR(s, "-_8");
	free(s);
	size_t n = 0;
	unsigned char *d = crypto_unbase64("-_8=", &n);
	CHECK(d && n == 2 && d[0] == 0xfb && d[1] == 0xff);
	free(d);

	/* Bad input. */
	CHECK(crypto_unbase64("Zm9v!", &n) == NULL);
	CHECK(crypto_unbase64("Z", &n) == NULL);
	CHECK(crypto_unbase64("Zm9vY", &n) == NULL);
	CHECK(crypto_unbase64("Zg=", &n) == NULL);
	CHECK(crypto_unbase64("Zm9v=", &n) == NULL);
	CHECK(crypto_unbase64("Zg===", &n) == NULL);
	CHECK(crypto_unbase64("Zm 9v", &n) == NULL);
	CHECK(crypto_unbase64("=", &n) == NULL);

	/* The one decoder's modes: whitespace skipped on request (a model's
	 * attachment with line breaks), stray bytes and mid-stream padding only
	 * in lenient mode (mail bodies). */
	const char *lines = "Zm9v\r\nYmFy\n";
	CHECK(crypto_base64_decode(lines, strlen(lines), 0, &n) == NULL);
	d = crypto_base64_decode(lines, strlen(lines), CRYPTO_B64_SPACE, &n);
	CHECK(d && n == 6 && memcmp(d, "foobar", 6) == 0);
	free(d);
	CHECK(crypto_base64_decode("Zm9v!Yg==", 9, CRYPTO_B64_SPACE, &n) == NULL);
	d = crypto_base64_decode("Zm9v!Yg==", 9, CRYPTO_B64_LENIENT, &n);
	CHECK(d && n == 4 && memcmp(d, "foob", 4) == 0);
	free(d);
	d = crypto_base64_decode("Zg==Zm8=", 8, CRYPTO_B64_LENIENT, &n);
	CHECK(d && n == 3 && memcmp(d, "ffo", 3) == 0);
	free(d);
	CHECK(crypto_base64_decode("Zg==Zm8=", 8, CRYPTO_B64_SPACE, &n) == NULL);
	d = crypto_base64_decode("Zm9vYmFy", 4, 0, &n); /* only len bytes are read */
	CHECK(d && n == 3 && memcmp(d, "foo", 3) == 0);
	free(d);
	CHECK(crypto_base64_digit('A') == 0 && crypto_base64_digit('/') == 63 &&
	      crypto_base64_digit('_') == 63 && crypto_base64_digit('-') == 62 &&
	      crypto_base64_digit('=') == -1);

	/* A 32-byte key survives the trip. */
	unsigned char key[32];
	struct err err;
	err_init(&err);
	CHECK(crypto_random(key, 32, &err) == 0);
	s = crypto_base64(key, 32, 0);
	CHECK(strlen(s) == 44);
	d = crypto_unbase64(s, &n);
	CHECK(d && n == 32 && memcmp(d, key, 32) == 0);
	free(d);
	free(s);
}

static void test_hex_memeq(void)
{
	const unsigned char b[] = {0x00, 0x01, 0xab, 0xff};
	char *h = crypto_hex(b, 4);
	CHECK_STR(h, "0001abff");
	free(h);
	h = crypto_hex(b, 0);
	CHECK_STR(h, "");
	free(h);

	CHECK(crypto_memeq("abcd", "abcd", 4) == 1);
	CHECK(crypto_memeq("abcd", "abce", 4) == 0);
	CHECK(crypto_memeq("", "", 0) == 1);

	char buf[8] = "secret!";
	crypto_cleanse(buf, sizeof(buf));
	CHECK(memcmp(buf, "\0\0\0\0\0\0\0\0", 8) == 0);
	crypto_cleanse(NULL, 0);
}

int main(void)
{
	test_hmac_rfc4231();
	test_sha256();
	test_seal_open();
	test_base64();
	test_hex_memeq();
	return t_done();
}
