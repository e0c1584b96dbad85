// check.mjs - every tool's inputSchema (a JSON array of tool definitions on
// stdin, as `switchboard tools --json` prints) compiles in Ajv's strict mode,
// as some model APIs demand: no union "type" arrays, no unknown keywords, no
// anyOf/oneOf/allOf at the top level. outputSchemas compile too.
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

let text = "";
for await (const chunk of process.stdin) text += chunk;
const tools = JSON.parse(text);
const problems = [];
const ajv = new Ajv2020({ strict: true });
addFormats(ajv);
const ajvOut = new Ajv2020({ strict: true, strictTypes: false });
for (const t of tools) {
  const s = t.inputSchema;
  for (const k of ["anyOf", "oneOf", "allOf"])
    if (s && k in s) problems.push(`${t.name}: ${k} at the top level of inputSchema`);
  if (!s || s.type !== "object") problems.push(`${t.name}: inputSchema is not type object`);
  try {
    ajv.compile(s);
  } catch (e) {
    problems.push(`${t.name}: inputSchema: ${e.message}`);
  }
  if (t.outputSchema) {
    try {
      ajvOut.compile(t.outputSchema);
    } catch (e) {
      problems.push(`${t.name}: outputSchema: ${e.message}`);
    }
  }
}
if (problems.length) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log(`ok: ${tools.length} tools`);
