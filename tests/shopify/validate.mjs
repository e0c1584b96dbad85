// validate.mjs - every Shopify tool's GraphQL request checked against Shopify's
// own Admin schema for the pinned API version (the introspection shipped in
// @shopify/dev-mcp), as the tool really sends it (a --dry-run of each tool
// with every argument filled in, lists at their largest page):
//   - the document validates, with no deprecated field or argument;
//   - the variables sent coerce to the declared types, none undeclared;
//   - the requested query cost by Shopify's published rules stays under the
//     1,000-point single-query limit: scalar and enum 0, object 1, a
//     connection 2 + first x the cost of one node, a mutation 10.
// Usage: node validate.mjs [path/to/switchboard]. Exits 1 on any failure.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import {
	Kind,
	NoDeprecatedCustomRule,
	buildClientSchema,
	getNamedType,
	isLeafType,
	parse,
	specifiedRules,
	validate,
	valueFromAST,
} from "graphql";
import { getVariableValues } from "graphql/execution/values.js";

const MAX_COST = 1000;
const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");
const bin = resolve(process.argv[2] || join(root, "build/switchboard"));
const connector = JSON.parse(readFileSync(join(root, "capabilities/shopify.json"), "utf8"));
const version = connector.params.api_version.default;

const dataDir = join(here, "node_modules/@shopify/dev-mcp/dist/data");
const introspection = JSON.parse(gunzipSync(readFileSync(join(dataDir, `admin_${version}.json.gz`))));
const schema = buildClientSchema(introspection.data || introspection);

const home = mkdtempSync(join(tmpdir(), "sb-shopify-"));
const env = {
	PATH: process.env.PATH,
	HOME: home,
	XDG_CONFIG_HOME: home,
	XDG_DATA_HOME: home,
	SWITCHBOARD_HOME: home,
	SHOPIFY_ACCESS_TOKEN: "shpat_0123456789abcdef0123456789abcdef",
	SHOPIFY_SHOP: "acme",
};
const run = (args) => execFileSync(bin, args, { env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

// A value of the right type for one argument. Strings that Shopify reads as
// enums or typed scalars get real values; a gid pattern names its type.
const SAMPLES = { topic: "ORDERS_CREATE", countryCode: "CA", email: "jane@example.com", phone: "+16135551111" };
function sample(name, s) {
	if (!s) return "x";
	if (name in SAMPLES && (s.type === "string" || !s.type)) return SAMPLES[name];
	if (s.enum) return s.enum[0];
	// A union type comes as anyOf branches (tools.c): sample the first that is not null.
	if (s.anyOf) return sample(name, s.anyOf.find((b) => b.type !== "null") ?? s.anyOf[0]);
	const type = Array.isArray(s.type) ? s.type.find((t) => t !== "null") : s.type;
	switch (type) {
		case "boolean":
			return true;
		case "integer":
		case "number":
			return s.maximum ?? Math.max(s.minimum ?? 1, 1);
		case "array":
			return [sample(name, s.items)];
		case "object": {
			const o = {};
			for (const [k, v] of Object.entries(s.properties || {})) o[k] = sample(k, v);
			return o;
		}
		default: {
			const gid = /^\^gid:\/\/shopify\/(\w+)\//.exec(s.pattern || "");
			if (gid) return `gid://shopify/${gid[1]}/1`;
			if (s.format === "uri") return "https://example.com/x";
			if (s.format === "email") return "jane@example.com";
			return "x";
		}
	}
}

const SKIP = new Set(["connection", "max_items", "fields"]);
function sampleArgs(tool) {
	const args = {};
	for (const [k, v] of Object.entries(tool.inputSchema.properties || {}))
		if (!SKIP.has(k)) args[k] = k === "cursor" ? "eyJsYXN0X2lkIjoxfQ==" : sample(k, v);
	return args;
}

// The number of items a connection field asks for: its first or last.
function pageSize(field, variables, fieldDef) {
	for (const arg of field.arguments || []) {
		if (arg.name.value !== "first" && arg.name.value !== "last") continue;
		const def = fieldDef.args.find((a) => a.name === arg.name.value);
		const v = valueFromAST(arg.value, def.type, variables);
		if (typeof v === "number") return v;
	}
	return null;
}

// Requested cost of a selection set on parentType (Shopify's published rules).
function selectionCost(set, parentType, variables, problems, path) {
	let sum = 0;
	const byType = new Map(); // inline fragments on an abstract type: the max
	for (const sel of set?.selections || []) {
		if (sel.kind === Kind.INLINE_FRAGMENT) {
			const t = sel.typeCondition ? schema.getType(sel.typeCondition.name.value) : parentType;
			const c = selectionCost(sel.selectionSet, t, variables, problems, path);
			byType.set(t.name, (byType.get(t.name) || 0) + c);
			continue;
		}
		if (sel.kind !== Kind.FIELD || sel.name.value.startsWith("__")) continue;
		sum += fieldCost(sel, parentType, variables, problems, `${path}.${sel.name.value}`);
	}
	return sum + (byType.size ? Math.max(...byType.values()) : 0);
}

function fieldCost(field, parentType, variables, problems, path) {
	const def = parentType.getFields()[field.name.value];
	const type = getNamedType(def.type);
	if (isLeafType(type)) return 0;
	if (type.name.endsWith("Connection") && def.args.some((a) => a.name === "first")) {
		const n = pageSize(field, variables, def);
		if (n === null) {
			problems.push(`${path}: connection without first or last`);
			return 0;
		}
		let node = 0;
		for (const sel of field.selectionSet.selections) {
			if (sel.kind !== Kind.FIELD) continue;
			const conn = type.getFields()[sel.name.value];
			if (sel.name.value === "nodes")
				node = Math.max(node, 1 + selectionCost(sel.selectionSet, getNamedType(conn.type), variables, problems, path));
			if (sel.name.value === "edges") {
				const edge = getNamedType(conn.type);
				for (const e of sel.selectionSet.selections)
					if (e.kind === Kind.FIELD && e.name.value === "node")
						node = Math.max(node, 1 + selectionCost(e.selectionSet, getNamedType(edge.getFields().node.type), variables, problems, path));
			}
		}
		return 2 + n * node;
	}
	// Interfaces and unions cost the most expensive of their selections,
	// which selectionCost works out from the inline fragments.
	return 1 + selectionCost(field.selectionSet, type, variables, problems, path);
}

function operationCost(op, variables, problems) {
	if (op.operation === "query") return selectionCost(op.selectionSet, schema.getQueryType(), variables, problems, "");
	const mutation = schema.getMutationType();
	let sum = 0;
	for (const sel of op.selectionSet.selections) {
		const def = mutation.getFields()[sel.name.value];
		sum += 10 + selectionCost(sel.selectionSet, getNamedType(def.type), variables, problems, sel.name.value);
	}
	return sum;
}

const failures = [];
const rows = [];
// The cost rules on documents whose cost follows from them by hand: the
// shop object is 1 (Shopify's own example), a connection 2 + first x node.
for (const [doc, want] of [
	["{ shop { id name } }", 1],
	["{ products(first: 10) { nodes { id title } pageInfo { hasNextPage } } }", 12],
	["{ inventoryItems(first: 50) { nodes { id inventoryLevels(first: 50) { nodes { id location { id } } } } } }", 5152],
	["mutation { productDelete(input: {id: \"gid://shopify/Product/1\"}) { deletedProductId userErrors { field } } }", 11],
]) {
	const got = operationCost(parse(doc).definitions[0], {}, []);
	if (got !== want) failures.push(`FAIL cost rules: ${doc} costs ${got}, not ${want}`);
}
try {
	const tools = JSON.parse(run(["tools", "--json"])).filter((t) => t.name.startsWith("shopify_"));
	if (tools.length === 0) throw new Error("no shopify_ tools listed");
	for (const tool of tools) {
		const args = sampleArgs(tool);
		const problems = [];
		let cost = null;
		let body;
		try {
			const dry = JSON.parse(run(["call", tool.name, JSON.stringify(args), "--dry-run"]));
			body = JSON.parse(dry.body);
		} catch (e) {
			problems.push(`dry run failed: ${String(e.stderr || e.message).trim()}`);
		}
		if (body) {
			const doc = parse(body.query);
			const errors = validate(schema, doc, [...specifiedRules, NoDeprecatedCustomRule]);
			for (const e of errors) problems.push(e.message);
			const op = doc.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
			const declared = new Set(op.variableDefinitions.map((d) => d.variable.name.value));
			for (const k of Object.keys(body.variables || {}))
				if (!declared.has(k)) problems.push(`variable $${k} is sent but not declared`);
			const coerced = getVariableValues(schema, op.variableDefinitions, body.variables || {});
			for (const e of coerced.errors || []) problems.push(e.message);
			try {
				cost = operationCost(op, coerced.coerced || body.variables || {}, problems);
			} catch (e) {
				if (errors.length === 0) problems.push(`cannot work out the cost: ${e.message}`);
			}
			if (cost >= MAX_COST)
				problems.push(`requested cost ${cost} is not under Shopify's ${MAX_COST}-point single-query limit`);
		}
		const limit = tool.inputSchema.properties?.limit?.maximum;
		rows.push(`${tool.name.padEnd(40)} ${String(limit ?? "-").padStart(4)} ${String(cost ?? "?").padStart(6)}`);
		for (const p of problems) failures.push(`FAIL ${tool.name}: ${p}`);
	}
	console.log(`Shopify Admin ${version}: ${tools.length} documents (tool, largest page, requested cost)`);
	for (const r of rows) console.log(r);
} finally {
	rmSync(home, { recursive: true, force: true });
}
if (failures.length) {
	for (const f of failures) console.error(f);
	console.error(`${failures.length} problem(s)`);
	process.exit(1);
}
