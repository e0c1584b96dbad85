/* test_schema.c - schema.c keyword by keyword, with the exact messages a
 * model sees when its tool arguments are wrong. */
#include "schema.h"

#include <stdlib.h>

#include "t.h"

/* Parse JSON written with ' for " (to keep the C strings readable). */
static json_t *parse(const char *text)
{
	char *s = xstrdup(text);
	json_error_t jerr;
	json_t *v;

	for (char *p = s; *p; p++) {
		if (*p == '\'')
			*p = '"';
	}
	v = json_loads(s, JSON_DECODE_ANY, &jerr);
	if (!v) {
		fprintf(stderr, "bad test JSON %s: %s\n", text, jerr.text);
		abort();
	}
	free(s);
	return v;
}

/* "valid", or the error message (valid until the next call). */
static const char *run(const char *schema, const char *instance)
{
	static struct err err;
	json_t *s = parse(schema), *i = parse(instance);
	int r;

	err_init(&err);
	r = schema_validate(s, i, &err);
	json_decref(s);
	json_decref(i);
	if (r == 0)
		return err_is_set(&err) ? "valid, but an error was set" : "valid";
	return err_is_set(&err) ? err.msg : "invalid, but no error was set";
}

#define VALID(s, i) CHECK_STR(run(s, i), "valid")
#define INVALID(s, i, msg) CHECK_STR(run(s, i), msg)

static void test_type(void)
{
	VALID("{'type':'string'}", "'x'");
	VALID("{'type':'integer'}", "3");
	VALID("{'type':'integer'}", "3.0");
	VALID("{'type':'number'}", "3");
	VALID("{'type':'number'}", "3.5");
	VALID("{'type':'boolean'}", "false");
	VALID("{'type':'null'}", "null");
	VALID("{'type':'array'}", "[]");
	VALID("{'type':'object'}", "{}");
	VALID("{'type':['string','null']}", "null");
	INVALID("{'type':'string'}", "3", "/: expected string, got integer");
	INVALID("{'type':'integer'}", "3.5", "/: expected integer, got number");
	INVALID("{'type':'boolean'}", "'true'", "/: expected boolean, got string");
	INVALID("{'type':'object'}", "[]", "/: expected object, got array");
	INVALID("{'type':['string','null']}", "1", "/: expected string or null, got integer");
	VALID("{'type':'string'}", "'x'");
	VALID("true", "{'anything':1}");
	VALID("{}", "[1,2]");
	INVALID("false", "1", "/: no value is allowed here (the schema is false)");
}

static void test_objects(void)
{
	const char *s = "{'type':'object','required':['name'],'properties':{"
			"'name':{'type':'string'},'email':{'type':'string'},"
			"'tags':{'type':'array','items':{'type':'string'}}},"
			"'additionalProperties':false}";

	VALID(s, "{'name':'a','email':'b','tags':['x']}");
	INVALID(s, "{}", "/: required property \"name\" missing");
	INVALID(s, "{'name':'a','email':7}", "/email: expected string, got integer");
	INVALID(s, "{'name':'a','tags':['x',2]}", "/tags/1: expected string, got integer");
	INVALID(s, "{'name':'a','emial':'b'}",
		"/: unexpected property \"emial\"; allowed: \"name\", \"email\", \"tags\"");
	INVALID("{'additionalProperties':false}", "{'a':1}",
		"/: unexpected property \"a\"; no properties are allowed");
	INVALID("{'additionalProperties':{'type':'integer'}}", "{'a':1,'b':'x'}",
		"/b: expected integer, got string");
	/* patternProperties take a property away from additionalProperties */
	s = "{'patternProperties':{'^x-\\\\w+$':{'type':'string'}},'additionalProperties':false}";
	VALID(s, "{'x-trace':'1'}");
	INVALID(s, "{'x-trace':1}", "/x-trace: expected string, got integer");
	INVALID(s, "{'y':1}", "/: unexpected property \"y\"; allowed: names matching \"^x-\\w+$\"");
	INVALID("{'properties':{'a':{}},'patternProperties':{'^x-':{}},'additionalProperties':"
		"false}",
		"{'b':1}",
		"/: unexpected property \"b\"; allowed: \"a\", or names matching \"^x-\"");
	/* the path escapes ~ and / as a JSON pointer does */
	INVALID("{'properties':{'a/b':{'properties':{'c~d':{'type':'null'}}}}}",
		"{'a/b':{'c~d':1}}", "/a~1b/c~0d: expected null, got integer");
	INVALID("{'properties':{'a':false}}", "{'a':1}",
		"/a: no value is allowed here (the schema is false)");
	VALID("{'minProperties':1,'maxProperties':2}", "{'a':1}");
	INVALID("{'minProperties':1}", "{}", "/: expected at least 1 properties, got 0");
	INVALID("{'maxProperties':1}", "{'a':1,'b':2}", "/: expected at most 1 properties, got 2");
	s = "{'properties':{'entities':{'propertyNames':{'pattern':'^[a-z][a-z0-9_]*$'}}}}";
	VALID(s, "{'entities':{'customers':{},'line_items':{}}}");
	INVALID(s, "{'entities':{'Customers':{}}}",
		"/entities: invalid property name \"Customers\" (string \"Customers\" does not "
		"match "
		"the pattern \"^[a-z][a-z0-9_]*$\")");
	INVALID("{'propertyNames':{'maxLength':3}}", "{'abcd':1}",
		"/: invalid property name \"abcd\" (expected at most 3 characters, got 4)");
	INVALID("{'propertyNames':false}", "{'a':1}",
		"/: invalid property name \"a\" (no value is allowed here (the schema is false))");
	VALID("{'propertyNames':false}", "{}");
	/* keywords for another type are ignored */
	VALID("{'required':['a'],'minLength':3}", "[1]");
}

static void test_arrays(void)
{
	VALID("{'items':{'type':'integer'}}", "[1,2,3]");
	INVALID("{'items':{'type':'integer'}}", "[1,'2']", "/1: expected integer, got string");
	/* 2020-12 tuples */
	VALID("{'prefixItems':[{'type':'string'},{'type':'integer'}]}", "['a',1,true]");
	INVALID("{'prefixItems':[{'type':'string'}],'items':false}", "['a',1]",
		"/: expected at most 1 items, got 2");
	INVALID("{'prefixItems':[{'type':'string'}],'items':{'type':'integer'}}", "['a','b']",
		"/1: expected integer, got string");
	/* draft 7 tuples */
	VALID("{'items':[{'type':'string'}]}", "['a',1]");
	INVALID("{'items':[{'type':'string'}],'additionalItems':false}", "['a',1]",
		"/: expected at most 1 items, got 2");
	INVALID("{'minItems':2}", "[1]", "/: expected at least 2 items, got 1");
	INVALID("{'maxItems':1}", "[1,2]", "/: expected at most 1 items, got 2");
	VALID("{'minItems':1.0}", "[1]");
	VALID("{'uniqueItems':true}", "[1,'1',[1],{'a':1},{'a':2}]");
	INVALID("{'uniqueItems':true}", "[1,2,1.0]",
		"/: items 0 and 2 are equal; items must be unique");
	INVALID("{'uniqueItems':true}", "[{'a':[1]},{'a':[1.0]}]",
		"/: items 0 and 1 are equal; items must be unique");
	VALID("{'uniqueItems':false}", "[1,1]");
}

static void test_values(void)
{
	const char *s = "{'properties':{'entities':{'additionalProperties':{'properties':{"
			"'actions':{'additionalProperties':{'properties':{"
			"'method':{'enum':['GET','POST']}}}}}}}}}";

	VALID(s, "{'entities':{'customers':{'actions':{'list':{'method':'GET'}}}}}");
	INVALID(s, "{'entities':{'customers':{'actions':{'list':{'method':'FETCH'}}}}}",
		"/entities/customers/actions/list/method: value \"FETCH\" not in enum "
		"(allowed: \"GET\", \"POST\")");
	VALID("{'enum':[1,null,{'a':[1]}]}", "1.0");
	VALID("{'enum':[1,null,{'a':[1]}]}", "{'a':[1]}");
	INVALID("{'enum':[1,null]}", "false", "/: value false not in enum (allowed: 1, null)");
	VALID("{'const':{'a':1}}", "{'a':1.0}");
	INVALID("{'const':'v1'}", "'v2'", "/: expected the constant \"v1\", got \"v2\"");
	INVALID("{'const':null}", "0", "/: expected the constant null, got 0");
	/* a long enum is cut, and says so */
	CHECK(strstr(run("{'enum':['aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',"
			 "'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb',"
			 "'cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc',"
			 "'dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd',"
			 "'eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee']}",
			 "'x'"),
		     ", ...)") != NULL);
}

static void test_numbers(void)
{
	VALID("{'minimum':1,'maximum':3}", "1");
	VALID("{'minimum':1,'maximum':3}", "3.0");
	INVALID("{'minimum':1}", "0", "/: value 0 is less than the minimum 1");
	INVALID("{'maximum':3}", "3.5", "/: value 3.5 is greater than the maximum 3");
	INVALID("{'exclusiveMinimum':1}", "1", "/: value 1 must be greater than 1");
	INVALID("{'exclusiveMaximum':1.5}", "1.5", "/: value 1.5 must be less than 1.5");
	VALID("{'exclusiveMinimum':1}", "1.0001");
	/* integers compare exactly, beyond a double's 53 bits */
	INVALID("{'maximum':9007199254740992}", "9007199254740993",
		"/: value 9007199254740993 is greater than the maximum 9007199254740992");
	VALID("{'multipleOf':3}", "-9");
	INVALID("{'multipleOf':3}", "10", "/: value 10 is not a multiple of 3");
	VALID("{'multipleOf':0.01}", "19.99");
	VALID("{'multipleOf':0.0001}", "0.0075");
	INVALID("{'multipleOf':0.01}", "0.005", "/: value 0.005 is not a multiple of 0.01");
	VALID("{'multipleOf':2}", "4.0");
	VALID("{'minimum':5}", "'not a number'");
}

static void test_strings(void)
{
	VALID("{'minLength':2,'maxLength':5}", "'h\\u00e9llo'"); /* 5 characters, 6 bytes */
	INVALID("{'maxLength':4}", "'h\\u00e9llo'", "/: expected at most 4 characters, got 5");
	INVALID("{'minLength':1}", "''", "/: expected at least 1 characters, got 0");
	VALID("{'minLength':2}", "'\\ud83d\\udc09x'"); /* one code point outside the BMP */
	INVALID("{'minLength':3}", "'\\ud83d\\udc09x'", "/: expected at least 3 characters, got 2");
}

static void test_patterns(void)
{
	VALID("{'pattern':'^\\\\d{3}-\\\\d{4}$'}", "'555-1234'");
	INVALID("{'pattern':'^\\\\d{3}-\\\\d{4}$'}", "'555-12345'",
		"/: string \"555-12345\" does not match the pattern \"^\\d{3}-\\d{4}$\"");
	VALID("{'pattern':'^[\\\\w.+-]+@\\\\S+$'}", "'a.b+c@example.com'");
	INVALID("{'pattern':'^[\\\\w.+-]+@\\\\S+$'}", "'a b@example.com'",
		"/: string \"a b@example.com\" does not match the pattern \"^[\\w.+-]+@\\S+$\"");
	VALID("{'pattern':'\\\\s'}", "'a b'");
	INVALID("{'pattern':'\\\\s'}", "'ab'",
		"/: string \"ab\" does not match the pattern \"\\s\"");
	VALID("{'pattern':'^\\\\D+$'}", "'abc'");
	INVALID("{'pattern':'^\\\\D+$'}", "'a1'",
		"/: string \"a1\" does not match the pattern \"^\\D+$\"");
	VALID("{'pattern':'^\\\\W$'}", "'-'");
	/* unanchored, as in ECMA-262 */
	VALID("{'pattern':'b'}", "'abc'");
	/* non-capturing groups, lazy quantifiers, escapes inside brackets */
	VALID("{'pattern':'^(?:ab)+?c$'}", "'ababc'");
	INVALID("{'pattern':'^(?:ab)+c$'}", "'abac'",
		"/: string \"abac\" does not match the pattern \"^(?:ab)+c$\"");
	VALID("{'pattern':'^[a\\\\-z]+$'}", "'a-z'");
	INVALID("{'pattern':'^[a\\\\-z]+$'}", "'b'",
		"/: string \"b\" does not match the pattern \"^[a\\-z]+$\"");
	VALID("{'pattern':'^[\\\\]x]+$'}", "']x'");
	VALID("{'pattern':'^a\\\\.b\\\\/c$'}", "'a.b/c'");
	INVALID("{'pattern':'^a\\\\.b$'}", "'axb'",
		"/: string \"axb\" does not match the pattern \"^a\\.b$\"");
	/* "." is a character, not a byte */
	VALID("{'pattern':'^.{2}$'}", "'\\u00e9\\u00e8'");
	/* beyond POSIX, through PCRE2: lookahead, \\u escapes, "$" only at the
	 * very end (ECMA), and a broken pattern is an error, never a match */
	VALID("{'pattern':'^(?!x)'}", "'y'");
	INVALID("{'pattern':'^(?!x)'}", "'x'",
		"/: string \"x\" does not match the pattern \"^(?!x)\"");
	VALID("{'pattern':'^\\\\u0041$'}", "'A'");
	INVALID("{'pattern':'^\\\\u0041$'}", "'B'",
		"/: string \"B\" does not match the pattern \"^\\u0041$\"");
	INVALID("{'pattern':'^a$'}", "'a\\n'",
		"/: string \"a\\n\" does not match the pattern \"^a$\"");
	INVALID("{'pattern':'(['}", "'anything'",
		"/: the pattern \"([\" is not a regular expression: missing terminating ] for "
		"character class at offset 2");
	INVALID("{'anyOf':[{'pattern':'(['},{'type':'string'}]}", "'x'",
		"/: the pattern \"([\" is not a regular expression: missing terminating ] for "
		"character class at offset 2");
	/* the same pattern many times over (cached per call) */
	VALID("{'items':{'pattern':'^[a-z]+$'}}", "['a','b','c','d','e','f','g','h','i','j']");
	VALID("{'patternProperties':{'^a':{'type':'integer'},'^b':{'type':'string'}}}",
	      "{'a1':1,'b1':'x','c':null}");
	INVALID("{'patternProperties':{'^a':{'type':'integer'},'^a1':{'minimum':5}}}", "{'a1':1}",
		"/a1: value 1 is less than the minimum 5");
}

static void test_formats(void)
{
	VALID("{'format':'date-time'}", "'2024-01-31T09:30:00Z'");
	VALID("{'format':'date-time'}", "'2024-02-29t09:30:00.123+05:30'");
	VALID("{'format':'date-time'}", "'1998-12-31T23:59:60Z'");
	VALID("{'format':'date-time'}", "'1998-12-31T15:59:60-08:00'");
	INVALID("{'format':'date-time'}", "'2023-02-29T09:30:00Z'",
		"/: string \"2023-02-29T09:30:00Z\" is not a valid date-time; expected an RFC 3339 "
		"date-time such as \"2024-01-31T09:30:00Z\"");
	CHECK(strcmp(run("{'format':'date-time'}", "'2024-01-31 09:30:00Z'"), "valid") != 0);
	CHECK(strcmp(run("{'format':'date-time'}", "'2024-01-31T09:30:00'"), "valid") != 0);
	CHECK(strcmp(run("{'format':'date-time'}", "'2024-01-31T24:00:00Z'"), "valid") != 0);
	CHECK(strcmp(run("{'format':'date-time'}", "'1998-12-31T22:59:60Z'"), "valid") != 0);
	CHECK(strcmp(run("{'format':'date-time'}", "'2024-01-31T09:30:00.Z'"), "valid") != 0);
	VALID("{'format':'date'}", "'2000-02-29'");
	INVALID("{'format':'date'}", "'1900-02-29'",
		"/: string \"1900-02-29\" is not a valid date; expected a date such as "
		"\"2024-01-31\"");
	CHECK(strcmp(run("{'format':'date'}", "'2024-1-31'"), "valid") != 0);
	CHECK(strcmp(run("{'format':'date'}", "'2024-01-31T00:00:00Z'"), "valid") != 0);
	VALID("{'format':'email'}", "'jane.doe+tag@mail.example.com'");
	INVALID("{'format':'email'}", "'jane'",
		"/: string \"jane\" is not a valid email; expected an address such as "
		"\"name@example.com\"");
	CHECK(strcmp(run("{'format':'email'}", "'jane@localhost'"), "valid") != 0);
	CHECK(strcmp(run("{'format':'email'}", "'ja ne@example.com'"), "valid") != 0);
	CHECK(strcmp(run("{'format':'email'}", "'a@b@example.com'"), "valid") != 0);
	CHECK(strcmp(run("{'format':'email'}", "'.a@example.com'"), "valid") != 0);
	VALID("{'format':'uri'}", "'https://example.com/a?b=c%20d#e'");
	VALID("{'format':'uri'}", "'urn:isbn:0451450523'");
	INVALID("{'format':'uri'}", "'/relative/path'",
		"/: string \"/relative/path\" is not a valid uri; expected an absolute URI such as "
		"\"https://example.com/path\"");
	CHECK(strcmp(run("{'format':'uri'}", "'http://exa mple.com'"), "valid") != 0);
	CHECK(strcmp(run("{'format':'uri'}", "'http://example.com/%zz'"), "valid") != 0);
	VALID("{'format':'uuid'}", "'123e4567-e89b-12d3-a456-426614174000'");
	CHECK(strcmp(run("{'format':'uuid'}", "'123e4567e89b12d3a456426614174000'"), "valid") != 0);
	CHECK(strcmp(run("{'format':'uuid'}", "'123e4567-e89b-12d3-a456-42661417400g'"), "valid"));
	VALID("{'format':'hostname'}", "'not checked'");
	VALID("{'format':'date'}", "20240131"); /* formats only constrain strings */
}

static void test_logic(void)
{
	const char *any = "{'anyOf':[{'type':'string'},{'type':'object','required':['id'],"
			  "'properties':{'id':{'type':'integer'}}}]}";

	VALID(any, "'x'");
	VALID(any, "{'id':1}");
	INVALID(any, "{'id':'1'}",
		"/: matches none of the 2 alternatives of anyOf (closest is #1: /id: expected "
		"integer, got string)");
	/* every alternative wants another type: name them all */
	INVALID(any, "3", "/: expected string or object, got integer");
	INVALID("{'properties':{'a':{'anyOf':[{'type':'string','minLength':3},"
		"{'type':'string','format':'uuid'},{'type':['null','array']}]}}}",
		"{'a':5}", "/a: expected string or null or array, got integer");
	INVALID("{'$defs':{'o':{'type':'object'}},'anyOf':[{'type':'string'},{'$ref':'#/$defs/"
		"o'}]}",
		"3",
		"/: matches none of the 2 alternatives of anyOf (closest is #0: /: expected "
		"string, got integer)");
	VALID("{'oneOf':[{'type':'integer'},{'type':'string'}]}", "1");
	INVALID("{'oneOf':[{'type':'integer'},{'type':'string'},{'minimum':0}]}", "1",
		"/: matches both alternatives #0 and #2 of oneOf; it must match exactly one");
	INVALID("{'oneOf':[{'type':'integer'},{'type':'string'}]}", "null",
		"/: expected integer or string, got null");
	INVALID("{'oneOf':[{'type':'integer','minimum':5},{'type':'string'}]}", "1",
		"/: matches none of the 2 alternatives of oneOf (closest is #0: /: value 1 is less "
		"than the minimum 5)");
	VALID("{'allOf':[{'type':'integer'},{'minimum':1}]}", "2");
	INVALID("{'allOf':[{'type':'integer'},{'minimum':1}]}", "0",
		"/: value 0 is less than the minimum 1");
	VALID("{'not':{'type':'string'}}", "1");
	INVALID("{'not':{'type':'string'}}", "'x'",
		"/: value must not match the schema under \"not\"");
	INVALID("{'properties':{'a':{'anyOf':[false,false]}}}", "{'a':1}",
		"/a: matches none of the 2 alternatives of anyOf (closest is #0: /a: no value is "
		"allowed here (the schema is false))");
	/* the error inside "not" never leaks out */
	VALID("{'not':{'properties':{'a':{'type':'string'}}}}", "{'a':1}");
}

static void test_refs(void)
{
	const char *s =
		"{'$defs':{'id':{'type':'integer','minimum':1}},"
		"'definitions':{'name':{'type':'string'}},"
		"'properties':{'id':{'$ref':'#/$defs/id'},"
		"'name':{'$ref':'#/definitions/name'},'alias':{'$ref':'#/properties/name'}}}";
	const char *tree = "{'$defs':{'node':{'type':'object','properties':{"
			   "'value':{'type':'integer'},"
			   "'children':{'type':'array','items':{'$ref':'#/$defs/node'}}}}},"
			   "'$ref':'#/$defs/node'}";
	json_t *root, *sub, *inst;
	struct err err;

	VALID(s, "{'id':1,'name':'a','alias':'b'}");
	INVALID(s, "{'id':0}", "/id: value 0 is less than the minimum 1");
	INVALID(s, "{'alias':1}", "/alias: expected string, got integer");
	VALID(tree, "{'value':1,'children':[{'value':2,'children':[{'value':3}]}]}");
	INVALID(tree, "{'value':1,'children':[{'value':2,'children':[{'value':'3'}]}]}",
		"/children/0/children/0/value: expected integer, got string");
	/* 2020-12: siblings of $ref apply too */
	INVALID("{'$defs':{'a':{'type':'array'}},'$ref':'#/$defs/a','maxItems':1}", "[1,2]",
		"/: expected at most 1 items, got 2");
	/* escaped pointers: ~0, ~1 and percent-encoding */
	VALID("{'$defs':{'a/b':{'type':'integer'},'c~d':{'type':'string'},'e%f':{'type':'null'}},"
	      "'items':[{'$ref':'#/$defs/a~1b'},{'$ref':'#/$defs/c~0d'},{'$ref':'#/$defs/e%25f'}]}",
	      "[1,'x',null]");
	VALID("{'items':[{'type':'integer'},{'$ref':'#/items/0'}]}", "[1,2]");
	INVALID("{'items':[{'type':'integer'},{'$ref':'#/items/0'}]}", "[1,'2']",
		"/1: expected integer, got string");
	INVALID("{'properties':{'a':{'$ref':'#/$defs/missing'}}}", "{'a':1}",
		"/a: cannot resolve $ref \"#/$defs/missing\" in the schema (only local "
		"references such as \"#/$defs/name\" are supported)");
	INVALID("{'$ref':'https://example.com/schema.json'}", "1",
		"/: cannot resolve $ref \"https://example.com/schema.json\" in the schema (only "
		"local references such as \"#/$defs/name\" are supported)");
	/* an unresolvable $ref is an error even where a failure would be welcome */
	INVALID("{'not':{'$ref':'#/nowhere'}}", "1",
		"/: cannot resolve $ref \"#/nowhere\" in the schema (only local references such "
		"as \"#/$defs/name\" are supported)");
	INVALID("{'anyOf':[{'$ref':'#/nowhere'},true]}", "1",
		"/: cannot resolve $ref \"#/nowhere\" in the schema (only local references such "
		"as \"#/$defs/name\" are supported)");

	/* schema_validate_in: a piece of a larger document, refs against the whole */
	root = parse("{'$defs':{'n':{'type':'integer'}},'tools':{'t':{'properties':{'x':{'$ref':"
		     "'#/$defs/n'}}}}}");
	sub = json_object_get(json_object_get(json_object_get(root, "tools"), "t"), "properties");
	sub = json_object_get(sub, "x");
	inst = parse("'1'");
	err_init(&err);
	CHECK(schema_validate_in(root, sub, inst, &err) == -1);
	CHECK_STR(err.msg, "/: expected integer, got string");
	/* without the root there is no $defs to find; a NULL err is fine */
	CHECK(schema_validate(sub, inst, NULL) == -1);
	json_decref(inst);
	json_decref(root);
}

static void test_guards(void)
{
	json_t *s, *i;
	struct buf b;
	struct err err;

	/* $ref loops end in an error, never a stack overflow */
	INVALID("{'$ref':'#'}", "1", "/: schema nested deeper than 64 levels (a $ref loop?)");
	INVALID("{'$defs':{'a':{'$ref':'#/$defs/b'},'b':{'allOf':[{'$ref':'#/$defs/a'}]}},"
		"'$ref':'#/$defs/a'}",
		"1", "/: schema nested deeper than 64 levels (a $ref loop?)");
	INVALID("{'not':{'$ref':'#'}}", "1",
		"/: schema nested deeper than 64 levels (a $ref loop?)");
	INVALID("{'anyOf':[{'$ref':'#'},{'$ref':'#'}]}", "1",
		"/: schema nested deeper than 64 levels (a $ref loop?)");
	/* a recursive schema on a deep instance hits the same bound */
	buf_init(&b, 0);
	for (int n = 0; n < 100; n++)
		buf_adds(&b, "[");
	for (int n = 0; n < 100; n++)
		buf_adds(&b, "]");
	CHECK(strstr(run("{'items':{'$ref':'#'}}", b.data), "nested deeper than 64") != NULL);
	buf_release(&b);
	/* finite but exponential: 2^30 paths through anyOf stop at the step budget */
	buf_init(&b, 0);
	buf_adds(&b, "{'$ref':'#/$defs/d0','$defs':{");
	for (int n = 0; n < 30; n++)
		buf_addf(&b, "'d%d':{'anyOf':[{'$ref':'#/$defs/d%d'},{'$ref':'#/$defs/d%d'}]},", n,
			 n + 1, n + 1);
	buf_adds(&b, "'d30':false}}");
	CHECK_STR(run(b.data, "1"), "/: schema too complex: gave up after 1000000 steps");
	buf_release(&b);

	/* messages stay valid UTF-8 when cut, so they can go into a JSON reply */
	buf_init(&b, 0);
	buf_adds(&b, "{'");
	for (int n = 0; n < 300; n++)
		buf_adds(&b, "\xc3\xa9");
	buf_adds(&b, "':1}");
	s = parse("{'additionalProperties':false}");
	i = parse(b.data);
	err_init(&err);
	CHECK(schema_validate(s, i, &err) == -1);
	json_t *j = json_string(err.msg);
	CHECK(j != NULL);
	json_decref(j);
	json_decref(s);
	json_decref(i);
	buf_release(&b);

	/* NULL in, error out */
	err_init(&err);
	CHECK(schema_validate(NULL, json_null(), &err) == -1);
	CHECK(err_is_set(&err));
}

/* Every pattern of a connector file compiles at load, or the file is refused
 * with the path of the broken one; text under const, enum, default and
 * examples is data, not a pattern. */
static void test_check_patterns(void)
{
	struct err err;
	json_t *ok = parse("{'params':{'shop':{'type':'string','pattern':'^[a-z0-9-]+$'}},"
			   "'args':{'patternProperties':{'^x-':{}}},"
			   "'default':{'pattern':'(['},'examples':[{'pattern':'(['}],"
			   "'properties':{'pattern':{'type':'string'}}}");
	err_init(&err);
	CHECK(schema_check_patterns(ok, &err) == 0);
	json_decref(ok);

	json_t *bad = parse("{'entities':{'c':{'args':[{'x':1},{'pattern':'^(a'}]}}}");
	err_init(&err);
	CHECK(schema_check_patterns(bad, &err) == -1);
	CHECK_STR(err.msg, "/entities/c/args/1/pattern: the pattern \"^(a\" is not a regular "
			   "expression: missing closing parenthesis at offset 3");
	json_decref(bad);

	bad = parse("{'a':{'patternProperties':{'^ok':{},'*':{}}}}");
	err_init(&err);
	CHECK(schema_check_patterns(bad, &err) == -1);
	CHECK(strstr(err.msg,
		     "/a/patternProperties: the pattern \"*\" is not a regular expression") ==
	      err.msg);
	json_decref(bad);
}

int main(void)
{
	test_type();
	test_objects();
	test_arrays();
	test_values();
	test_numbers();
	test_strings();
	test_patterns();
	test_check_patterns();
	test_formats();
	test_logic();
	test_refs();
	test_guards();
	return t_done();
}
