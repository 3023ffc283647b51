import { request } from 'undici';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startFakeApi, type FakeApi } from '../../src/fake-api/server.js';
import { startHttpServer, type HttpServer } from '../../src/http/serve.js';
import { createLogger, type LogSink } from '../../src/logger.js';
import { canaryToken, textOf } from '../helpers.js';

let api: FakeApi;
let http: HttpServer;
let logs: string[];
const clients: Client[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) await client.close();
  await http?.close();
  await api?.close();
});

async function start(env: Record<string, string> = {}, tokens: Record<string, ('snapshot:read' | 'tag:read')[]> = {}) {
  api = await startFakeApi({ count: 30, tokens });
  const config = loadConfig({ DIGITALOCEAN_API_URL: api.url, LOG_LEVEL: 'debug', ...env }, ['--transport', 'http', '--port', '0']);
  if (config.transport.kind !== 'http') throw new Error('expected http');
  logs = [];
  const capture: LogSink = (level, message, fields) => logs.push(JSON.stringify({ level, message, ...fields }));
  http = await startHttpServer(config, config.transport, createLogger({ level: 'debug', secret: config.token, sinks: [capture] }), [capture]);
}

async function connect(token?: string): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL(`${http.url}/mcp`), {
    requestInit: token ? { headers: { authorization: `Bearer ${token}` } } : {},
  });
  const client = new Client({ name: 'http-test', version: '1.0.0' });
  await client.connect(transport);
  clients.push(client);
  return client;
}

const list = async (client: Client, args: Record<string, unknown> = {}) =>
  (await client.callTool({ name: 'list_snapshots', arguments: args })) as CallToolResult;

describe('Streamable HTTP at /mcp', () => {
  it('serves tools/list and tool calls to the SDK client, statelessly', async () => {
    const token = canaryToken();
    await start({}, { [token]: ['snapshot:read', 'tag:read'] });
    const client = await connect(token);
    expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(['list_snapshots', 'get_snapshot']);
    const result = await list(client, { per_page: 10, limit: 25 });
    expect(result.structuredContent).toMatchObject({ count: 25, total: 30 });
    expect(JSON.stringify(result) + logs.join('\n')).not.toContain(token);
  });

  it('uses each request its own token: two clients at once, each sees what its token allows', async () => {
    const full = canaryToken();
    const noTags = canaryToken();
    const wrong = canaryToken();
    await start({}, { [full]: ['snapshot:read', 'tag:read'], [noTags]: ['snapshot:read'] });
    const [a, b, c] = await Promise.all([connect(full), connect(noTags), connect(wrong)]);
    const [ra, rb, rc] = await Promise.all([list(a, { limit: 5 }), list(b, { limit: 5 }), list(c, { limit: 5 })]);
    const tags = (result: CallToolResult) => (result.structuredContent as { snapshots: { tags: unknown }[] }).snapshots.map((s) => s.tags);
    expect(tags(ra)).toEqual(api.snapshots.slice(0, 5).map((snapshot) => snapshot.tags));
    expect(tags(rb)).toEqual([null, null, null, null, null]);
    expect(rc.isError).toBe(true);
    expect(logs.join('\n')).toMatch(/list_snapshots answered/);
    expect(textOf(rc)).toMatch(/rejected the API token.*send it with each request as "Authorization: Bearer <token>"/s);
    const everything = JSON.stringify([ra, rb, rc]) + logs.join('\n');
    for (const token of [full, noTags, wrong]) expect(everything).not.toContain(token);
  });

  it("falls back to the environment's token for requests that bring none", async () => {
    const token = canaryToken();
    await start({ DIGITALOCEAN_API_TOKEN: token }, { [token]: ['snapshot:read', 'tag:read'] });
    const client = await connect();
    expect((await list(client, { limit: 3 })).structuredContent).toMatchObject({ count: 3 });
  });

  it('answers 401 to requests without a token when the environment has none', async () => {
    await start();
    const response = await request(`${http.url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(((await response.body.json()) as { error: { message: string } }).error.message).toMatch(/Authorization: Bearer <token>/);
  });

  it('reports progress, pages read of pages needed, when the call asks for it', async () => {
    const token = canaryToken();
    await start({}, { [token]: ['snapshot:read', 'tag:read'] });
    const client = await connect(token);
    const progress: { progress: number; total?: number }[] = [];
    await client.callTool({ name: 'list_snapshots', arguments: { per_page: 5, limit: 30 } }, undefined, {
      onprogress: (update) => progress.push({ progress: update.progress, total: update.total }),
    });
    expect(progress.map((update) => update.progress)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(progress.every((update) => update.total === 6)).toBe(true);
  });
});

describe('HTTP guard rails', () => {
  const post = (headers: Record<string, string>, body: string | Buffer = '{"jsonrpc":"2.0","id":1,"method":"ping"}') =>
    request(`${http.url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: 'Bearer x', ...headers },
      body,
    });

  it.each([
    [{ host: 'evil.example' }, 403],
    [{ host: 'evil.example:8080' }, 403],
    [{ origin: 'http://evil.example' }, 403],
    [{ origin: 'null' }, 403],
    [{ origin: 'http://localhost:3000' }, 200],
    [{ host: 'localhost' }, 200],
  ])('DNS-rebinding protection: %j answers %i', async (headers, status) => {
    await start();
    const response = await post(headers);
    await response.body.text();
    expect(response.statusCode).toBe(status);
  });

  it('caps the body at 1 MiB', async () => {
    await start();
    const response = await post({}, Buffer.alloc(2 * 1024 * 1024, 'x'));
    expect(response.statusCode).toBe(413);
    await response.body.text();
  });

  it('answers malformed JSON with a parse error', async () => {
    await start();
    const response = await post({}, '{"jsonrpc":');
    expect(response.statusCode).toBe(400);
    expect(await response.body.json()).toMatchObject({ error: { code: -32700 } });
  });

  it('answers /healthz, refuses GET on /mcp and unknown paths', async () => {
    await start();
    const health = await request(`${http.url}/healthz`);
    expect(health.statusCode).toBe(200);
    expect(await health.body.json()).toMatchObject({ status: 'ok', name: 'digitalocean-snapshots-mcp' });
    const get = await request(`${http.url}/mcp`);
    expect(get.statusCode).toBe(405);
    expect(get.headers.allow).toBe('POST');
    await get.body.text();
    const other = await request(`${http.url}/other`);
    expect(other.statusCode).toBe(404);
    await other.body.text();
  });
});
