// Drives contextapi's MCP server with the official TypeScript MCP SDK: lists the tools,
// checks each has an input and an output schema, calls each with valid arguments (the
// SDK validates structured content against the declared output schema, and this
// script checks what it holds), and calls some with bad arguments, which must be tool
// errors (isError), never protocol errors.
//
//   node check.mjs http URL TOKEN                 streamable HTTP, bearer token
//   node check.mjs stdio BINARY SERVER TOKEN_FILE `contextapi mcp` as a child process
//
// It prints one line per check and exits 0 when all pass, 1 otherwise.
import assert from "node:assert/strict";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

const expectedTools = [
  "list_incidents",
  "get_incident",
  "find_similar_incidents",
  "get_recovery_context",
  "get_historical_context",
  "get_success_rates",
];

function transport(mode, args) {
  if (mode === "http") {
    const [url, token] = args;
    const headers = token ? { Authorization: `Bearer ${token}` } : {};
    return new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } });
  }
  if (mode === "stdio") {
    const [binary, server, tokenFile] = args;
    return new StdioClientTransport({
      command: binary,
      args: ["mcp", "--server", server, "--token-file", tokenFile],
      stderr: "inherit",
    });
  }
  throw new Error(`unknown mode ${mode}: http or stdio`);
}

let checks = 0;
function ok(what) {
  checks++;
  console.log(`ok ${what}`);
}

// call calls a tool that must answer; it returns the structured content.
async function call(client, name, args) {
  const res = await client.callTool({ name, arguments: args });
  const text = res.content?.[0]?.text ?? "";
  assert.notEqual(res.isError, true, `${name}: ${text}`);
  assert.equal(res.content[0].type, "text", `${name}: text content`);
  assert.ok(text.length > 0 && !text.startsWith("{"), `${name}: a short text rendering, not JSON`);
  assert.equal(typeof res.structuredContent, "object", `${name}: structured content`);
  assert.ok(!JSON.stringify(res.structuredContent).includes('"embedding"'), `${name}: no embeddings`);
  ok(`${name} ${JSON.stringify(args)}: ${text.split("\n")[0]}`);
  return res.structuredContent;
}

// refused calls a tool with bad arguments: a tool error, not a protocol error.
async function refused(client, name, args, want) {
  const res = await client.callTool({ name, arguments: args });
  const text = res.content?.[0]?.text ?? "";
  assert.equal(res.isError, true, `${name} ${JSON.stringify(args)} must be a tool error; got ${text}`);
  assert.match(text, want);
  ok(`${name} ${JSON.stringify(args)} refused: ${text}`);
}

async function main() {
  const [mode, ...args] = process.argv.slice(2);
  const client = new Client({ name: "contextapi-ts-check", version: "1.0.0" });
  await client.connect(transport(mode, args));
  ok(`connected (${mode}) to ${client.getServerVersion()?.name}`);

  const { tools } = await client.listTools();
  const names = tools.map((t) => t.name);
  for (const name of expectedTools) {
    const tool = tools.find((t) => t.name === name);
    assert.ok(tool, `tool ${name} listed; got ${names}`);
    assert.equal(tool.inputSchema?.type, "object", `${name}: input schema`);
    assert.equal(tool.outputSchema?.type, "object", `${name}: output schema`);
    assert.ok(tool.description, `${name}: description`);
  }
  ok(`listed ${names.length} tools: ${names.join(", ")}`);

  // Finished incidents carry embeddings in the demo data, so the similar search finds some.
  const list = await call(client, "list_incidents", { limit: 3, phase: ["completed"] });
  assert.equal(list.incidents.length, 3);
  assert.ok(list.total >= 3);
  const first = list.incidents[0];

  const one = await call(client, "get_incident", { id: first.id });
  assert.equal(one.id, first.id);

  const similar = await call(client, "find_similar_incidents", { incident_id: first.id, threshold: 0, limit: 5 });
  assert.ok(similar.incidents.length > 0, "similar incidents found");
  assert.ok(similar.incidents.every((i) => i.id !== first.id), "the incident itself is left out");

  const recovery = await call(client, "get_recovery_context", { remediation_request_id: first.remediation_request_id });
  assert.equal(recovery.incident.remediation_request_id, first.remediation_request_id);

  const history = await call(client, "get_historical_context", {
    namespace: first.namespace ?? "",
    kind: first.target_resource,
    name: first.target_name,
    time_range: "365d",
  });
  assert.equal(history.available, true);

  for (const by of ["action_type", "namespace", "severity"]) {
    const rates = await call(client, "get_success_rates", { by });
    assert.equal(rates.by, by);
    assert.ok(rates.groups.length > 0);
  }

  await refused(client, "get_incident", { id: 999999999 }, /^Not found: /);
  await refused(client, "list_incidents", { limit: 1000 }, /limit/);
  await refused(client, "list_incidents", { since: "yesterday" }, /since/);
  // The demo store refuses text queries: its embeddings were made by no model.
  await refused(client, "find_similar_incidents", { text: "pods OOMKilled after a deploy" }, /synthetic/);
  await refused(client, "get_success_rates", { by: "cluster" }, /by/);

  await client.close();
  console.log(`mcp-client: all ${checks} checks passed`);
}

main().catch((err) => {
  console.error(`mcp-client: FAILED: ${err?.stack ?? err}`);
  process.exit(1);
});
