import { connect as connectSocket } from 'node:net';
import { request } from 'undici';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import type { CallToolResult } from '@modelcontextprotocol/client';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { Snapshot } from '../../src/digitalocean/schemas.js';
import { generateSnapshots } from '../../src/fake-api/data.js';
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

async function start(
  env: Record<string, string> = {},
  tokens: Record<string, ('snapshot:read' | 'tag:read')[]> = {},
  options: { host?: string; timeouts?: { headersMs: number; requestMs: number }; accounts?: Record<string, Snapshot[]> } = {},
) {
  api = await startFakeApi({ count: 30, tokens, accounts: options.accounts });
  const config = loadConfig({ DIGITALOCEAN_API_URL: api.url, LOG_LEVEL: 'debug', ...env }, [
    '--transport',
    'http',
    '--port',
    '0',
    '--host',
    options.host ?? '127.0.0.1',
  ]);
  if (config.transport.kind !== 'http') throw new Error('expected http');
  logs = [];
  const capture: LogSink = (level, message, fields) => logs.push(JSON.stringify({ level, message, ...fields }));
  http = await startHttpServer(
    config,
    config.transport,
    createLogger({ level: 'debug', secret: config.token, sinks: [capture] }),
    [capture],
    options.timeouts,
  );
}

/** The server's own URL, but on 127.0.0.1 (it may listen on every address). */
const local = (path: string) => `http://127.0.0.1:${new URL(http.url).port}${path}`;

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
    expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(['list_snapshots', 'get_snapshot', 'plan_snapshot_cleanup']);
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

  it("two tokens, two accounts: neither is ever answered from the other's view", async () => {
    const alice = canaryToken();
    const bob = canaryToken();
    const accounts = { [alice]: generateSnapshots(300, 21), [bob]: generateSnapshots(120, 22) };
    await start({}, { [alice]: ['snapshot:read', 'tag:read'], [bob]: ['snapshot:read', 'tag:read'] }, { accounts });
    const [a, b] = await Promise.all([connect(alice), connect(bob)]);
    for (let round = 0; round < 3; round++) {
      const [ra, rb] = await Promise.all([list(a, { summary: true, limit: 3 }), list(b, { summary: true, limit: 3 })]);
      expect(ra.structuredContent).toMatchObject({ summary: { matched: 300 }, snapshots: accounts[alice]!.slice(0, 3) });
      expect(rb.structuredContent).toMatchObject({ summary: { matched: 120 }, snapshots: accounts[bob]!.slice(0, 3) });
    }
    // Each account was scanned once (2 pages and 1), and then answered from its own view.
    expect(api.requests).toHaveLength(3);
  });

  it("with MCP_TRUST_LOOPBACK=1 on loopback, falls back to the environment's token for requests that bring none", async () => {
    const token = canaryToken();
    await start({ DIGITALOCEAN_API_TOKEN: token, MCP_TRUST_LOOPBACK: '1' }, { [token]: ['snapshot:read', 'tag:read'] });
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
    await client.callTool(
      { name: 'list_snapshots', arguments: { per_page: 5, limit: 30 } },
      {
        onprogress: (update) => progress.push({ progress: update.progress, total: update.total }),
      },
    );
    expect(progress.map((update) => update.progress)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(progress.every((update) => update.total === 6)).toBe(true);
  });
});

describe('whose DigitalOcean token serves a request', () => {
  const ENV_TOKEN = 'dop_v1_operator0000000000000000000000000000000000000000000000000000000';
  const SECRET = 'mcp-shared-secret-0123456789abcdef0123456789';
  const call = (headers: Record<string, string>) =>
    request(local('/mcp'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'list_snapshots', arguments: { limit: 1 } } }),
    });

  it.each(['Token x', 'Bearer a b', 'bearer', 'Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', 'Bearer a,b', ''])(
    "a malformed Authorization header (%j) is 401, never the operator's token",
    async (authorization) => {
      await start({ DIGITALOCEAN_API_TOKEN: ENV_TOKEN }, { [ENV_TOKEN]: ['snapshot:read'] });
      const response = await call({ authorization });
      expect(response.statusCode).toBe(401);
      expect(((await response.body.json()) as { error: { message: string } }).error.message).toMatch(/"Bearer <token>"/);
      expect(api.requests).toHaveLength(0);
    },
  );

  it('on loopback without MCP_TRUST_LOOPBACK, a request without a header is 401: a proxy on this machine would make every client local', async () => {
    await start({ DIGITALOCEAN_API_TOKEN: ENV_TOKEN }, { [ENV_TOKEN]: ['snapshot:read'] });
    const response = await call({});
    expect(response.statusCode).toBe(401);
    expect(((await response.body.json()) as { error: { message: string } }).error.message).toMatch(/Authorization: Bearer <token>/);
    expect(api.requests).toHaveLength(0);
  });

  it.each<Record<string, string>>([
    { forwarded: 'for=203.0.113.7;proto=https' },
    { 'x-forwarded-for': '203.0.113.7' },
    { 'x-forwarded-host': 'mcp.example.com' },
    { 'x-real-ip': '203.0.113.7' },
    { via: '1.1 caddy' },
  ])("with MCP_TRUST_LOOPBACK=1, a request through a proxy (%j) is 401, never the operator's token", async (headers) => {
    await start({ DIGITALOCEAN_API_TOKEN: ENV_TOKEN, MCP_TRUST_LOOPBACK: '1' }, { [ENV_TOKEN]: ['snapshot:read'] });
    const response = await call(headers);
    expect(response.statusCode).toBe(401);
    expect(((await response.body.json()) as { error: { message: string } }).error.message).toMatch(/came through a proxy/);
    expect(api.requests).toHaveLength(0);
  });

  it("with MCP_AUTH_TOKEN, only a request that presents it is served with the operator's token, even on loopback with MCP_TRUST_LOOPBACK=1", async () => {
    await start({ DIGITALOCEAN_API_TOKEN: ENV_TOKEN, MCP_AUTH_TOKEN: SECRET, MCP_TRUST_LOOPBACK: '1' }, { [ENV_TOKEN]: ['snapshot:read'] });
    const without = await call({});
    expect(without.statusCode).toBe(401);
    expect(((await without.body.json()) as { error: { message: string } }).error.message).toMatch(/MCP_AUTH_TOKEN/);
    const withSecret = await call({ authorization: `Bearer ${SECRET}` });
    expect(await withSecret.body.text()).toMatch(/"count":1/);
    expect(api.requests).toHaveLength(1);
  });

  it('beyond loopback, a request without a header is 401 even when the operator set a token', async () => {
    await start({ DIGITALOCEAN_API_TOKEN: ENV_TOKEN }, { [ENV_TOKEN]: ['snapshot:read'] }, { host: '0.0.0.0' });
    const response = await call({});
    expect(response.statusCode).toBe(401);
    await response.body.text();
    expect(api.requests).toHaveLength(0);
  });

  it("beyond loopback, MCP_AUTH_TOKEN stands for the operator's token; a client's own token still works", async () => {
    const own = canaryToken();
    await start(
      { DIGITALOCEAN_API_TOKEN: ENV_TOKEN, MCP_AUTH_TOKEN: SECRET },
      { [ENV_TOKEN]: ['snapshot:read'], [own]: ['snapshot:read'] },
      { host: '0.0.0.0' },
    );
    const withSecret = await call({ authorization: `Bearer ${SECRET}` });
    expect(withSecret.statusCode).toBe(200);
    expect(await withSecret.body.text()).toMatch(/"count":1/);
    const withOwn = await call({ authorization: `Bearer ${own}` });
    expect(await withOwn.body.text()).toMatch(/"count":1/);
    expect(api.requests.map((entry) => entry.authorized)).toEqual([true, true]);
    expect(JSON.stringify(logs)).not.toContain(SECRET);
  });

  it("named accounts go where the operator's token goes (MCP_AUTH_TOKEN); a request's own token is one account and sees none of them", async () => {
    const [acme, globex, own] = [canaryToken(), canaryToken(), canaryToken()];
    await start(
      { DIGITALOCEAN_API_TOKEN_ACME: acme, DIGITALOCEAN_API_TOKEN_GLOBEX: globex, MCP_AUTH_TOKEN: SECRET },
      { [acme]: ['snapshot:read'], [globex]: ['snapshot:read'], [own]: ['snapshot:read'] },
      {
        accounts: {
          [acme]: generateSnapshots(3, 1),
          [globex]: generateSnapshots(4, 2, 1_000_000_000),
          [own]: generateSnapshots(5, 3, 2_000_000_000),
        },
      },
    );
    const operator = await connect(SECRET);
    const { tools } = await operator.listTools();
    expect(tools[0]!.inputSchema.properties!.account).toMatchObject({ enum: ['acme', 'globex', 'all'] });
    const both = (await list(operator)).structuredContent as { total: number; accounts: Record<string, string> };
    expect(both).toMatchObject({ total: 7, accounts: { acme: 'ok', globex: 'ok' } });

    const client = await connect(own);
    const { tools: mine } = await client.listTools();
    expect(mine[0]!.inputSchema.properties).not.toHaveProperty('account');
    const alone = (await list(client)).structuredContent as { total: number; snapshots: object[] };
    expect(alone.total).toBe(5);
    expect(alone.snapshots[0]).not.toHaveProperty('account');
    const named = await list(client, { account: 'acme' });
    expect(named.isError).toBe(true);
    // Each request carried one token: the operator's calls the named ones, the client's its own.
    expect(new Set(api.requests.map((entry) => entry.token))).toEqual(new Set([acme, globex, own]));
    expect(JSON.stringify(logs)).not.toContain(acme);
  });

  it('logs why each request is refused, with the form of its Authorization header and never a token', async () => {
    const sent = canaryToken();
    await start({ DIGITALOCEAN_API_TOKEN: ENV_TOKEN }, { [ENV_TOKEN]: ['snapshot:read'] });
    // A token without "Bearer " must not reach the log as a scheme name.
    for (const authorization of [sent, `Basic ${sent}`, `Bearer ${sent} extra`])
      expect((await call({ authorization })).statusCode).toBe(401);
    expect((await call({ host: 'evil.example' })).statusCode).toBe(403);
    const refusals = logs.map((line) => JSON.parse(line)).filter((line) => line.message === 'refused a request');
    expect(refusals.map((line) => [line.status, line.authorization])).toEqual([
      [401, `no known scheme, 1 part(s), ${sent.length} characters`],
      [401, `scheme Basic, 2 part(s), ${sent.length + 6} characters`],
      [401, `scheme Bearer, 3 part(s), ${sent.length + 13} characters`],
      [403, undefined],
    ]);
    expect(refusals.every((line) => typeof line.reason === 'string' && line.reason.length > 0)).toBe(true);
    expect(refusals[3]).toMatchObject({ host: 'evil.example' });
    expect(logs.join('\n')).not.toContain(sent);
  });

  it('refuses a short MCP_AUTH_TOKEN at start', () => {
    expect(() => loadConfig({ MCP_AUTH_TOKEN: 'short' }, ['--transport', 'http'])).toThrow(/MCP_AUTH_TOKEN must be at least 32 characters/);
  });
});

describe('a POST that cancels its own request', () => {
  const post = (body: unknown) =>
    request(local('/mcp'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
  const call = (id: number) => ({
    jsonrpc: '2.0',
    id,
    method: 'tools/call',
    params: { name: 'list_snapshots', arguments: { per_page: 5, limit: 5 } },
  });
  const cancel = (id: number) => ({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id } });
  let token: string;

  it('is answered at once (202: nothing left to answer), and the call never runs', async () => {
    token = canaryToken();
    await start({}, { [token]: ['snapshot:read'] });
    for (const batch of [
      [call(1), cancel(1)],
      [cancel(7), call(7)],
    ]) {
      const response = await post(batch);
      expect(response.statusCode).toBe(202);
      expect(await response.body.text()).toBe('');
    }
    // A call after them is answered; the cancelled ones sent nothing upstream.
    expect(await (await post(call(2))).body.text()).toMatch(/"count":5/);
    expect(api.requests).toHaveLength(1);
  });

  it('answers the rest of the batch and ends the response', async () => {
    token = canaryToken();
    await start({}, { [token]: ['snapshot:read'] });
    const response = await post([call(1), { jsonrpc: '2.0', id: 2, method: 'ping' }, cancel(1), cancel(99)]);
    expect(response.statusCode).toBe(200);
    const body = await response.body.text();
    const answers = [...body.matchAll(/^data: (.*)$/gm)].map((match) => JSON.parse(match[1]!));
    expect(answers).toEqual([{ jsonrpc: '2.0', id: 2, result: {} }]);
    expect(api.requests).toHaveLength(0);
  });

  it('refuses a batch holding two requests with one id, at once', async () => {
    token = canaryToken();
    await start({}, { [token]: ['snapshot:read'] });
    const response = await post([call(3), { jsonrpc: '2.0', id: 3, method: 'ping' }]);
    expect(response.statusCode).toBe(400);
    expect(((await response.body.json()) as { error: { message: string } }).error.message).toMatch(/two requests with id 3/);
    expect(api.requests).toHaveLength(0);
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
    [{ origin: 'http://localhost:3000' }, 403],
    [{ origin: 'http://localhost:PORT' }, 200],
    [{ origin: 'http://127.0.0.1:PORT' }, 200],
    [{ host: 'localhost' }, 200],
  ])('DNS-rebinding protection: %j answers %i', async (headers, status) => {
    await start();
    const port = new URL(http.url).port;
    const response = await post(Object.fromEntries(Object.entries(headers).map(([key, value]) => [key, value.replace('PORT', port)])));
    const body = await response.body.text();
    expect(response.statusCode).toBe(status);
    if (status === 403) expect(body).toMatch(/MCP_ALLOWED_HOSTS/);
  });

  it.each(['null', '42', '"text"', 'true'])('answers the valid JSON %s, which is no message, with -32600', async (body) => {
    await start();
    const response = await post({}, body);
    expect(response.statusCode).toBe(400);
    expect(await response.body.json()).toMatchObject({ error: { code: -32600 } });
  });

  it('closes a connection that never finishes its headers', async () => {
    await start({}, {}, { timeouts: { headersMs: 300, requestMs: 600 } });
    const socket = connectSocket(Number(new URL(http.url).port), '127.0.0.1');
    socket.resume().write('POST /mcp HTTP/1.1\r\nHost: localhost\r\n');
    // The server closes it (300 ms); were it left open, the test would time out.
    await new Promise((resolve) => socket.on('close', resolve));
  });

  it('/healthz answers a probe addressed by any name', async () => {
    await start({ MCP_ALLOWED_HOSTS: 'mcp.example.com' });
    const response = await request(`${http.url}/healthz`, { headers: { host: '10.1.2.3:8083' } });
    expect(response.statusCode).toBe(200);
    await response.body.text();
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
