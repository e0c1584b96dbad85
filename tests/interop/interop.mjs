// interop.mjs - the official MCP TypeScript SDK client against switchboard.
//
//     node tests/interop/interop.mjs [path/to/switchboard]
//
// Spawns `switchboard --all --mode static --page-size 3 serve` through the
// SDK's StdioClientTransport, initializes, pages through tools/list by
// cursor, calls a tool without credentials (isError) and again against a
// loopback Stripe stand-in (structuredContent.data), checks an unknown tool
// is a JSON-RPC error, pings and closes. Prints each check; exits non-zero on
// the first failure. Needs `npm ci` in this folder (see setup.sh).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';

const here = dirname(fileURLToPath(import.meta.url));
const bin = resolve(process.argv[2] || join(here, '..', '..', 'build', 'switchboard'));
const KEY = 'MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=';
const STRIPE_KEY = 'sk_test_interop123';

let checks = 0;
function check(cond, what, detail) {
	if (!cond) {
		const extra = detail === undefined ? '' : `: ${JSON.stringify(detail).slice(0, 600)}`;
		throw new Error(`FAILED: ${what}${extra}`);
	}
	checks++;
	console.log(`ok  ${what}`);
}

// A tiny Stripe: GET /v1/customers answers one page; everything is recorded.
function startStripe() {
	const seen = [];
	const server = http.createServer((req, res) => {
		seen.push({ method: req.method, url: req.url, auth: req.headers.authorization });
		req.resume();
		req.on('end', () => {
			const url = new URL(req.url, 'http://127.0.0.1');
			if (req.method === 'GET' && url.pathname === '/v1/customers') {
				res.writeHead(200, { 'content-type': 'application/json' });
				res.end(JSON.stringify({
					object: 'list', url: '/v1/customers', has_more: false,
					data: [{ id: 'cus_interop1', object: 'customer', email: 'a@example.com' }],
				}));
			} else {
				res.writeHead(404, { 'content-type': 'application/json' });
				res.end(JSON.stringify({ error: { message: 'no route', type: 'invalid_request_error' } }));
			}
		});
	});
	return new Promise((ok, fail) => {
		server.once('error', fail);
		server.listen(0, '127.0.0.1', () => ok({ server, seen, url: `http://127.0.0.1:${server.address().port}` }));
	});
}

async function connect(env, stderrLines) {
	const transport = new StdioClientTransport({
		command: bin,
		args: ['--all', '--mode', 'static', '--page-size', '3', 'serve'],
		env,
		stderr: 'pipe',
	});
	transport.stderr?.on('data', (d) => stderrLines.push(String(d)));
	const client = new Client({ name: 'switchboard-interop', version: '1.0.0' });
	await client.connect(transport); // initialize + notifications/initialized
	return client;
}

async function main() {
	const tmp = mkdtempSync(join(tmpdir(), 'sb-interop-'));
	const stripe = await startStripe();
	const stderrLines = [];
	const base = {
		HOME: tmp,
		XDG_CONFIG_HOME: join(tmp, 'config'),
		XDG_DATA_HOME: join(tmp, 'data'),
		SWITCHBOARD_KEY: KEY,
		LC_ALL: 'C',
	};
	// Under `make asan` the sanitizers' settings reach the server too.
	for (const k of ['ASAN_OPTIONS', 'UBSAN_OPTIONS', 'LSAN_OPTIONS'])
		if (process.env[k])
			base[k] = process.env[k];
	let client;
	try {
		// What the CLI says serve will list, to compare with what the client pages through.
		const cliTools = JSON.parse(execFileSync(bin, ['--all', '--mode', 'static', 'tools', '--json'],
			{ env: { ...base, PATH: process.env.PATH }, stdio: ['ignore', 'pipe', 'ignore'] }));
		const stripeTools = cliTools.filter((t) => t.name.startsWith('stripe_')).map((t) => t.name);
		check(stripeTools.length > 0, `tools --json lists ${stripeTools.length} stripe tools`);

		// 1. Without credentials: every tool is listed (--all), calls say what is missing.
		client = await connect(base, stderrLines);
		const info = client.getServerVersion();
		check(info?.name === 'switchboard' && typeof info.version === 'string', 'initialize: serverInfo', info);
		check(client.getServerCapabilities()?.tools !== undefined, 'initialize: tools capability');
		check(typeof client.getInstructions() === 'string' && client.getInstructions().length > 0,
			'initialize: instructions');

		const names = [];
		let cursor;
		let pages = 0;
		do {
			const page = await client.listTools(cursor === undefined ? {} : { cursor });
			pages++;
			if (page.tools.length > 3 || (page.nextCursor !== undefined && page.tools.length !== 3))
				check(false, `tools/list page ${pages} holds 3 tools (--page-size 3)`, page.tools.length);
			for (const t of page.tools) {
				if (t.inputSchema?.type !== 'object')
					check(false, `tool ${t.name} has an object inputSchema`, t);
				names.push(t.name);
			}
			cursor = page.nextCursor;
			if (pages > 1000)
				check(false, 'tools/list ends');
		} while (cursor !== undefined);
		check(pages > 1, `tools/list paged by cursor: ${pages} pages, ${names.length} tools`);
		check(new Set(names).size === names.length, 'tool names are unique');
		check(names.length >= stripeTools.length, `at least the ${stripeTools.length} stripe tools`);
		check(stripeTools.every((n) => names.includes(n)), 'every stripe tool is listed');
		check(names.length === cliTools.length && cliTools.every((t) => names.includes(t.name)),
			'tools/list matches `tools --json`', { listed: names.length, cli: cliTools.length });
		check(names.every((n) => /^[a-z0-9_]{1,64}$/.test(n)), 'names are [a-z0-9_], at most 64');

		const noCreds = await client.callTool({ name: 'stripe_customers_list', arguments: {} });
		check(noCreds.isError === true, 'stripe_customers_list without credentials: isError', noCreds);
		check(/STRIPE_API_KEY|connections add stripe/.test(noCreds.content?.[0]?.text ?? ''),
			'the error says how to connect', noCreds);

		const bad = await client.callTool({ name: 'stripe_customers_list', arguments: { limit: 'many' } });
		check(bad.isError === true && /limit/.test(bad.content?.[0]?.text ?? ''),
			'schema-invalid arguments: isError naming the argument', bad);

		let unknown;
		try {
			await client.callTool({ name: 'no_such_tool', arguments: {} });
		} catch (e) {
			unknown = e;
		}
		check(unknown instanceof McpError && unknown.code === -32602, 'unknown tool: JSON-RPC error -32602',
			unknown && { code: unknown.code, message: unknown.message });

		check(JSON.stringify(await client.ping()) === '{}', 'ping');
		await client.setLoggingLevel('warning');
		check(true, 'logging/setLevel');
		await client.close();
		client = undefined;

		// 2. With a key and a loopback Stripe: the call reaches it and data comes back.
		client = await connect({ ...base, STRIPE_API_KEY: STRIPE_KEY, STRIPE_BASE_URL: stripe.url }, stderrLines);
		const result = await client.callTool({ name: 'stripe_customers_list', arguments: { limit: 1 } });
		check(result.isError !== true, 'stripe_customers_list against the stand-in succeeds', result);
		check(result.structuredContent?.data?.[0]?.id === 'cus_interop1', 'structuredContent.data', result);
		check(result.content?.[0]?.type === 'text', 'a text block too', result);
		const req = stripe.seen.find((r) => r.url.startsWith('/v1/customers'));
		check(req && req.auth === `Bearer ${STRIPE_KEY}` && /limit=1/.test(req.url),
			'the request carried the key and the limit', stripe.seen);
		check(JSON.stringify(await client.ping()) === '{}', 'ping after a call');
		await client.close();
		client = undefined;

		const stderr = stderrLines.join('');
		check(!stderr.includes(STRIPE_KEY), 'the key never appears on stderr');
		check(!/AddressSanitizer|LeakSanitizer|runtime error:/.test(stderr), 'no sanitizer report',
			stderr.slice(-2000));
		console.log(`interop: ${checks} checks passed`);
	} finally {
		if (client)
			await client.close().catch(() => {});
		stripe.server.close();
		rmSync(tmp, { recursive: true, force: true });
	}
}

main().then(() => process.exit(0), (e) => {
	console.error(e.message || e);
	process.exit(1);
});
