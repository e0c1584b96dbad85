/* test_result.c - result.c: secrets a vendor returns in an answer (the
 * action's "redact" keys) are replaced at any depth, and nothing else is. */
#include "result.h"

#include <stdlib.h>

#include "t.h"
#include "util.h"

/* result_redact over the JSON text in with keys, compared with want. */
static void check_redact(const char *in, const char *keys, const char *want)
{
	json_t *v = json_loads(in, JSON_DECODE_ANY, NULL);
	json_t *k = json_loads(keys, 0, NULL);
	result_redact(v, k);
	char *s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	CHECK_STR(s, want);
	free(s);
	json_decref(v);
	json_decref(k);
}

int main(void)
{
	/* Stripe's webhook endpoint create answer. */
	check_redact("{\"id\":\"we_1\",\"secret\":\"whsec_x\"}", "[\"secret\"]",
		     "{\"id\":\"we_1\",\"secret\":\"[redacted]\"}");
	/* Cin7 Core's list: the credential inside each item of a wrapped list. */
	check_redact("{\"Webhooks\":[{\"ID\":\"a\",\"ExternalBearerToken\":\"t1\"},"
		     "{\"ID\":\"b\",\"ExternalPassword\":\"p\",\"ExternalBearerToken\":null}]}",
		     "[\"ExternalPassword\",\"ExternalBearerToken\"]",
		     "{\"Webhooks\":[{\"ExternalBearerToken\":\"[redacted]\",\"ID\":\"a\"},"
		     "{\"ExternalBearerToken\":null,\"ExternalPassword\":\"[redacted]\",\"ID\":\"b\"}]}");
	/* A top-level list; a key that is only a value elsewhere stays. */
	check_redact("[{\"secret\":{\"nested\":1}},{\"name\":\"secret\"}]", "[\"secret\"]",
		     "[{\"secret\":\"[redacted]\"},{\"name\":\"secret\"}]");
	/* No keys, or scalars: unchanged. */
	check_redact("{\"secret\":\"s\"}", "[]", "{\"secret\":\"s\"}");
	check_redact("\"secret\"", "[\"secret\"]", "\"secret\"");
	return t_done();
}
