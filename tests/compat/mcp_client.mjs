// Sluice's MCP server driven by the official TypeScript SDK client
// (@modelcontextprotocol/sdk, locked in package.json), over stdio (`sluice
// mcp WS`) and Streamable HTTP (`sluice serve`, /mcp), read-only and with
// --allow-writes. Run by tests/cli/serve_mcp.sh, which seeds WS with the
// myservice connector `prod` against the test API server.
//
//   node mcp_client.mjs SLUICE WORKSPACE CONNECTOR SECRET
//
// SECRET is the API key: it must never appear in anything the server says.
// SLUICE_SERVE_TOKEN is the HTTP token; SLUICE_MCP_TRANSCRIPT, when set,
// receives a readable transcript of every message.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const [sluice, workspace, connector, secret] = process.argv.slice(2);
const token = process.env.SLUICE_SERVE_TOKEN;
const slow = Number(process.env.SLUICE_TEST_SLOW || 1);
assert.ok(sluice && workspace && connector && secret && token, 'usage: SLUICE WORKSPACE CONNECTOR SECRET (+ SLUICE_SERVE_TOKEN)');

const READ_TOOLS = ['list_connectors', 'describe_entity', 'query', 'list_sync_runs'];
const ALL_TOOLS = [...READ_TOOLS, 'run_sync', 'run_action'];
// [readOnly, destructive, idempotent, openWorld]
const HINTS = {
  list_connectors: [true, false, true, false],
  describe_entity: [true, false, true, false],
  query: [true, false, true, true],
  list_sync_runs: [true, false, true, false],
  run_sync: [false, true, true, true],  // a full sync deletes stale rows
  run_action: [false, true, false, true],
};

// --- transcript --------------------------------------------------------------
const transcript = [];
const everything = [];  // every message, whole, for the secret check
function abbreviate(value, depth = 0) {
  if (typeof value === 'string') return value.length > 160 ? value.slice(0, 157) + '…' : value;
  if (Array.isArray(value)) {
    const shown = value.slice(0, 3).map(v => abbreviate(v, depth + 1));
    if (value.length > 3) shown.push(`… ${value.length - 3} more`);
    return shown;
  }
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, abbreviate(v, depth + 1)]));
  }
  return value;
}
function note(text) { transcript.push('', `## ${text}`); }
function record(direction, message) {
  everything.push(JSON.stringify(message));
  transcript.push(`${direction} ${JSON.stringify(abbreviate(message))}`);
}
// Every message in and out of `transport`, including the initialize
// exchange inside connect().
function traced(transport) {
  const send = transport.send.bind(transport);
  transport.send = async (message, options) => { record('→', message); return send(message, options); };
  let handler;
  Object.defineProperty(transport, 'onmessage', {
    get() { return handler && ((message, extra) => { record('←', message); handler(message, extra); }); },
    set(value) { handler = value; },
    configurable: true,
  });
  return transport;
}

// --- checks ------------------------------------------------------------------
let checks = 0;
function ok(text) { checks++; console.log(`ok ${checks} - ${text}`); }

async function expectTools(client, names, where) {
  const { tools } = await client.listTools();
  assert.deepEqual(tools.map(t => t.name), names, `${where}: tool names`);
  for (const tool of tools) {
    const a = tool.annotations;
    assert.deepEqual([a.readOnlyHint, a.destructiveHint, a.idempotentHint, a.openWorldHint], HINTS[tool.name],
                     `${where}: annotations of ${tool.name}`);
    assert.equal(tool.inputSchema.type, 'object');
    assert.ok(tool.description.length > 40, `${where}: ${tool.name} has a description`);
  }
  ok(`${where}: tools/list is ${names.join(', ')} with their annotations`);
}

async function readTools(client, where) {
  const listed = await client.callTool({ name: 'list_connectors', arguments: {} });
  assert.equal(listed.isError, false, JSON.stringify(listed));
  const mine = listed.structuredContent.connectors.find(c => c.name === connector);
  assert.ok(mine, `${where}: list_connectors names ${connector}: ${JSON.stringify(listed.structuredContent)}`);
  assert.ok(mine.entities.includes('items'));
  assert.deepEqual(JSON.parse(listed.content[0].text), listed.structuredContent, 'text block = structuredContent');
  ok(`${where}: list_connectors names ${connector} and its entity items`);

  const described = await client.callTool({ name: 'describe_entity', arguments: { connector, entity: 'items' } });
  assert.equal(described.isError, false, JSON.stringify(described));
  const entity = described.structuredContent;
  assert.equal(entity.cursor, 'updated_at');
  assert.deepEqual(entity.fields.map(f => f.name), ['id', 'name', 'status', 'created_at', 'updated_at', 'metadata']);
  assert.ok(entity.pushdown.filters.includes('status'), JSON.stringify(entity.pushdown));
  ok(`${where}: describe_entity gives fields, pushdown filters and the cursor`);

  const sql = `SELECT id, name, status FROM ${connector}.items WHERE status = 'active' LIMIT 3`;
  const queried = await client.callTool({ name: 'query', arguments: { sql } });
  assert.equal(queried.isError, false, JSON.stringify(queried));
  const result = queried.structuredContent;
  assert.deepEqual(result.columns, ['id', 'name', 'status']);
  assert.equal(result.rows.length, 3, JSON.stringify(result));
  assert.ok(result.rows.every(r => r.status === 'active'));
  assert.equal(result.truncated, false);
  assert.ok(Array.isArray(result.explain) && result.explain.length > 0, JSON.stringify(result.explain));
  assert.match(JSON.stringify(result.explain), /status/, 'the explain shows the filter pushed down');
  ok(`${where}: query through the connector answers rows and the EXPLAIN pushdown`);

  const capped = await client.callTool({ name: 'query', arguments: { sql: `SELECT id FROM ${connector}.items`, max_rows: 2 } });
  assert.equal(capped.isError, false, JSON.stringify(capped));
  assert.equal(capped.structuredContent.rows.length, 2);
  assert.equal(capped.structuredContent.truncated, true);
  ok(`${where}: max_rows caps the rows and says truncated`);

  const bad = await client.callTool({ name: 'query', arguments: { sql: 'SELECT * FROM no_such_table' } });
  assert.equal(bad.isError, true, JSON.stringify(bad));
  assert.match(bad.content[0].text, /no_such_table/);
  const write = await client.callTool({ name: 'query', arguments: { sql: `DELETE FROM ${connector}_items` } });
  assert.equal(write.isError, true, JSON.stringify(write));
  ok(`${where}: bad SQL and a write through query are tool errors (isError)`);

  const runs = await client.callTool({ name: 'list_sync_runs', arguments: { connector } });
  assert.equal(runs.isError, false, JSON.stringify(runs));
  assert.ok(Array.isArray(runs.structuredContent.runs));
  ok(`${where}: list_sync_runs answers ${runs.structuredContent.runs.length} run(s)`);
}

async function refusedWrite(client, where) {
  await assert.rejects(client.callTool({ name: 'run_sync', arguments: { connector } }),
                       error => error.code === -32602 && /writes are off/.test(error.message) &&
                                /--allow-writes/.test(error.message));
  ok(`${where}: run_sync is refused (-32602, writes are off)`);
}

async function writeTools(client, where) {
  const synced = await client.callTool({ name: 'run_sync', arguments: { connector, full: true } });
  assert.equal(synced.isError, false, JSON.stringify(synced));
  assert.equal(synced.structuredContent.status, 'done', JSON.stringify(synced.structuredContent));
  const runs = await client.callTool({ name: 'list_sync_runs', arguments: { connector, limit: 5 } });
  const newest = runs.structuredContent.runs[0];
  assert.ok(newest && newest.status === 'done' && newest.rows_written > 0, JSON.stringify(runs.structuredContent));
  ok(`${where}: run_sync succeeds and its run heads list_sync_runs (${newest.rows_written} rows written)`);

  const made = await client.callTool({ name: 'run_action', arguments: { connector, action: 'items.create', arguments: { name: `made over ${where}` } } });
  assert.equal(made.isError, false, JSON.stringify(made));
  assert.match(JSON.stringify(made.structuredContent), new RegExp(`made over ${where}`));
  ok(`${where}: run_action items.create runs the action`);
}

// --- servers ------------------------------------------------------------------
function startServe(extra) {
  return new Promise((resolve, reject) => {
    const child = spawn(sluice, ['serve', workspace, '--listen', '127.0.0.1:0', ...extra],
                        { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
    let out = '', err = '';
    const timer = setTimeout(() => reject(new Error(`no listening line in ${60 * slow} s: ${err}`)), 60000 * slow);
    child.stderr.on('data', d => { err += d; });
    child.stdout.on('data', d => {
      out += d;
      const match = out.match(/listening on (http:\/\/\S+)/);
      if (match) { clearTimeout(timer); resolve({ child, url: match[1], stderr: () => err }); }
    });
    child.on('exit', code => { clearTimeout(timer); reject(new Error(`sluice serve exited ${code}: ${err}`)); });
  });
}
function stopServe(server) {
  server.child.removeAllListeners('exit');
  return new Promise(resolve => { server.child.on('exit', resolve); server.child.kill('SIGTERM'); });
}

async function stdio(writes) {
  const where = writes ? 'stdio --allow-writes' : 'stdio';
  note(`${where}: sluice mcp WORKSPACE${writes ? ' --allow-writes' : ''}`);
  const transport = traced(new StdioClientTransport({
    command: sluice, args: ['mcp', workspace, ...(writes ? ['--allow-writes'] : [])],
    env: process.env, stderr: 'pipe',
  }));
  let stderr = '';
  transport.stderr.on('data', d => { stderr += d; });
  const client = new Client({ name: 'sluice-mcp-test', version: '1.0.0' });
  try {
    await client.connect(transport);
    assert.equal(client.getServerVersion().name, 'sluice');
    assert.match(client.getInstructions(), /list_connectors/);
    ok(`${where}: initialize (server sluice ${client.getServerVersion().version})`);
    await expectTools(client, writes ? ALL_TOOLS : READ_TOOLS, where);
    await readTools(client, where);
    if (writes) await writeTools(client, where); else await refusedWrite(client, where);
  } catch (error) {
    console.error(`${where} stderr:\n${stderr}`);
    throw error;
  } finally {
    await client.close();
  }
  everything.push(stderr);
}

async function http(writes) {
  const where = writes ? 'HTTP --allow-writes' : 'HTTP';
  const server = await startServe(writes ? ['--allow-writes'] : []);
  const endpoint = new URL(`${server.url}/mcp`);
  try {
    if (writes) {
      note(`${where}: POST ${endpoint} without the token`);
      const refused = new Client({ name: 'no-token', version: '1.0.0' });
      await assert.rejects(refused.connect(traced(new StreamableHTTPClientTransport(endpoint))),
                           error => {
                             transcript.push(`✗ ${error.message}`);
                             return error.code === 401 && /unauthorized/.test(String(error.message));
                           });
      ok(`${where}: a client without the token is refused (401)`);
    }
    note(`${where}: ${endpoint}${writes ? ' with Authorization: Bearer <token>' : ''}`);
    const requestInit = writes ? { headers: { Authorization: `Bearer ${token}` } } : undefined;
    const client = new Client({ name: 'sluice-mcp-test', version: '1.0.0' });
    await client.connect(traced(new StreamableHTTPClientTransport(endpoint, { requestInit })));
    ok(`${where}: initialize`);
    await expectTools(client, writes ? ALL_TOOLS : READ_TOOLS, where);
    await readTools(client, where);
    if (writes) await writeTools(client, where); else await refusedWrite(client, where);
    await client.close();

    // The transport's edges, with plain fetch.
    const headers = { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream',
                      ...(writes ? { Authorization: `Bearer ${token}` } : {}) };
    const get = await fetch(endpoint, { headers });
    assert.equal(get.status, 405);
    const notification = await fetch(endpoint, { method: 'POST', headers, body: '{"jsonrpc":"2.0","method":"notifications/initialized"}' });
    assert.equal(notification.status, 202);
    assert.equal(await notification.text(), '');
    const garbage = await fetch(endpoint, { method: 'POST', headers, body: '{"jsonrpc": "2.0", "id": 1, ' });
    assert.equal(garbage.status, 400);
    assert.equal((await garbage.json()).error.code, -32700);
    const batch = await fetch(endpoint, { method: 'POST', headers,
      body: JSON.stringify([{ jsonrpc: '2.0', id: 'a', method: 'ping' }, { jsonrpc: '2.0', id: 7, method: 'tools/list' }]) });
    const answers = await batch.json();
    assert.deepEqual(answers.map(a => a.id), ['a', 7]);
    const oldVersion = await fetch(endpoint, { method: 'POST', headers: { ...headers, 'MCP-Protocol-Version': '1999-01-01' },
      body: '{"jsonrpc":"2.0","id":1,"method":"ping"}' });
    assert.equal(oldVersion.status, 400);
    const textPlain = await fetch(endpoint, { method: 'POST', headers: { ...headers, 'Content-Type': 'text/plain' },
      body: '{"jsonrpc":"2.0","id":1,"method":"ping"}' });
    assert.equal(textPlain.status, 415);
    // 2 MiB of padding in one message: over the 1 MiB cap of every body.
    const huge = await fetch(endpoint, { method: 'POST', headers,
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', params: { pad: 'x'.repeat(2 << 20) } }) });
    assert.equal(huge.status, 413);
    ok(`${where}: GET 405, notification 202, bad JSON 400/-32700, batch answered, bad protocol version 400, text/plain 415, 2 MiB 413`);
  } catch (error) {
    console.error(`${where} server stderr:\n${server.stderr()}`);
    throw error;
  } finally {
    await stopServe(server);
  }
}

try {
  await stdio(false);
  await http(false);
  await stdio(true);
  await http(true);
  const leaked = everything.filter(text => text.includes(secret) || text.includes(token));
  assert.equal(leaked.length, 0, `a secret was in ${leaked.length} message(s): ${leaked[0]}`);
  ok('no message carried the API key or the server token');
} finally {
  if (process.env.SLUICE_MCP_TRANSCRIPT) {
    const head = ['# Sluice MCP transcript (official SDK client; → client to server, ← server to client;',
                  '# long strings and arrays abbreviated)'];
    fs.writeFileSync(process.env.SLUICE_MCP_TRANSCRIPT, [...head, ...transcript, ''].join('\n'));
  }
}
console.log(`all ${checks} checks passed`);
