/* test_confirm.c - the confirmation policy words and the reading of a
 * client's answer to elicitation/create (only accept with confirm: true is a
 * yes; the MRTR state is covered by cases 1144-1154). */
#include <stdlib.h>
#include <string.h>

#include "confirm.h"
#include "conns.h"
#include "t.h"

/* The text of the isError result for answer (JSON text), or NULL for a yes. */
static char *answer_text(const char *answer)
{
	json_t *msg = json_loads(answer, 0, NULL);
	json_t *r = confirm_elicit_answer("stripe_refunds_create", msg);
	char *text = NULL;
	if (r) {
		CHECK(json_is_true(json_object_get(r, "isError")));
		text = strdup(json_string_value(
			json_object_get(json_array_get(json_object_get(r, "content"), 0), "text")));
	}
	json_decref(r);
	json_decref(msg);
	return text;
}

static void check_no(const char *answer, const char *words)
{
	char *text = answer_text(answer);
	CHECK(text && strstr(text, "stripe_refunds_create was not run, and nothing was sent"));
	CHECK(text && strstr(text, words));
	if (!(text && strstr(text, words)))
		fprintf(stderr, "  for %s: %s\n", answer, text ? text : "(a yes)");
	free(text);
}

int main(void)
{
	enum conns_confirm p = CONNS_CONFIRM_NEVER;
	CHECK(conns_confirm_parse("destructive", &p) == 0 && p == CONNS_CONFIRM_DESTRUCTIVE);
	CHECK(conns_confirm_parse("writes", &p) == 0 && p == CONNS_CONFIRM_WRITES);
	CHECK(conns_confirm_parse("never", &p) == 0 && p == CONNS_CONFIRM_NEVER);
	CHECK(conns_confirm_parse("Never", &p) < 0);
	CHECK(conns_confirm_parse("", &p) < 0);
	CHECK(conns_confirm_parse(NULL, &p) < 0);

	CHECK(answer_text("{\"id\":\"sb-confirm-1\",\"result\":{\"action\":\"accept\","
			  "\"content\":{\"confirm\":true}}}") == NULL);
	check_no("{\"result\":{\"action\":\"accept\",\"content\":{\"confirm\":false}}}",
		 "the user declined (the form was sent without confirm: true)");
	check_no("{\"result\":{\"action\":\"accept\",\"content\":{\"confirm\":\"true\"}}}",
		 "without confirm: true");
	check_no("{\"result\":{\"action\":\"accept\"}}", "without confirm: true");
	check_no("{\"result\":{\"action\":\"decline\",\"content\":{\"confirm\":true}}}",
		 "the user declined. Do not call it again");
	check_no("{\"result\":{\"action\":\"cancel\"}}", "the user cancelled the confirmation");
	check_no("{\"result\":{\"confirm\":true}}", "not an ElicitResult");
	check_no("{\"result\":[]}", "not an ElicitResult");
	check_no("{\"error\":{\"code\":-32601,\"message\":\"Method not found\"}}",
		 "the client could not ask the user (Method not found). Call the tool again");
	check_no("{\"error\":{\"code\":-1}}", "the client could not ask the user (error)");
	return t_done();
}
