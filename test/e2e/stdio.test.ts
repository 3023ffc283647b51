import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { Client } from '@modelcontextprotocol/client';
import type { CallToolResult } from '@modelcontextprotocol/client';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeApi, type FakeApi } from '../../src/fake-api/server.js';
import { canaryToken } from '../helpers.js';
import { SERVER_ENTRY, ServerProcess } from './process.js';

let api: FakeApi | undefined;
let server: ServerProcess | undefined;
afterEach(async () => {
  server?.child.kill('SIGKILL');
  server = undefined;
  await api?.close();
  api = undefined;
});

describe('the built server over stdio', () => {
  it('works with the SDK client: tools/list and list_snapshots against the fake API', async () => {
    const token = canaryToken();
    api = await startFakeApi({ count: 30, tokens: { [token]: ['snapshot:read', 'tag:read'] } });
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [SERVER_ENTRY],
      env: { DIGITALOCEAN_API_TOKEN: token, DIGITALOCEAN_API_URL: api.url, LOG_LEVEL: 'debug' },
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const client = new Client({ name: 'e2e', version: '1.0.0' });
    const protocolErrors: Error[] = [];
    client.onerror = (error) => protocolErrors.push(error);
    await client.connect(transport);

    expect(client.getServerVersion()).toMatchObject({ name: 'digitalocean-snapshots-mcp' });
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(['list_snapshots', 'get_snapshot', 'plan_snapshot_cleanup']);
    const result = (await client.callTool({ name: 'list_snapshots', arguments: { per_page: 10, limit: 25 } })) as CallToolResult;
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ count: 25, total: 30, truncated: true, pages_fetched: 3 });
    expect((result.structuredContent as { snapshots: unknown[] }).snapshots).toEqual(api.snapshots.slice(0, 25));
    await client.close();

    expect(protocolErrors).toEqual([]);
    expect(stderr).toMatch(/"msg":"ready on stdio"/);
    expect(stderr).toMatch(/"msg":"list_snapshots answered"/);
    expect(stderr + JSON.stringify(result)).not.toContain(token);
  });

  it('writes nothing but JSON-RPC to stdout and never the token, even on errors and bad input', async () => {
    const token = canaryToken();
    api = await startFakeApi({ count: 30, tokens: { [token]: ['snapshot:read', 'tag:read'] } });
    server = new ServerProcess({ DIGITALOCEAN_API_TOKEN: token, DIGITALOCEAN_API_URL: api.url, LOG_LEVEL: 'debug' });
    await server.initialize();
    expect((await server.request(1, 'tools/list')).result.tools).toHaveLength(3);
    const ok = await server.request(2, 'tools/call', { name: 'list_snapshots', arguments: { limit: 5 } });
    expect(ok.result.structuredContent.count).toBe(5);

    api.inject({ type: 'status', status: 401, body: { id: 'Unauthorized', message: `Unable to authenticate you (${token})` } });
    const denied = await server.request(3, 'tools/call', { name: 'list_snapshots', arguments: {} });
    expect(denied.result.isError).toBe(true);
    expect(denied.result.content[0].text).toContain('[REDACTED]');

    server.send('this is not json');
    const bad = await server.request(4, 'tools/call', { name: 'list_snapshots', arguments: { per_page: 'lots' } });
    expect(bad.result.isError).toBe(true);
    const unknown = await server.request(5, 'tools/call', { name: 'delete_everything', arguments: {} });
    expect(JSON.stringify(unknown)).toMatch(/delete_everything/);
    expect((await server.request(6, 'ping')).result).toEqual({});

    server.child.stdin.end();
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(server.nonProtocolLines()).toEqual([]);
    expect(server.stdout).not.toContain(token);
    expect(server.stderr).not.toContain(token);
    expect(server.stderr).toMatch(/"level":"warn","msg":"list_snapshots failed"/);
  });

  it('a cancel in the same write as its call stops it before any request; the call gets no answer', async () => {
    const token = canaryToken();
    api = await startFakeApi({ count: 40, tokens: { [token]: ['snapshot:read'] } });
    server = new ServerProcess({ DIGITALOCEAN_API_TOKEN: token, DIGITALOCEAN_API_URL: api.url });
    await server.initialize();
    const call = (id: number) =>
      JSON.stringify({
        jsonrpc: '2.0',
        id,
        method: 'tools/call',
        params: { name: 'list_snapshots', arguments: { per_page: 5, limit: 5 } },
      });
    const cancel = (id: number) =>
      JSON.stringify({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, reason: 'changed my mind' } });
    // 50 calls, each cancelled in the very write that carries it.
    server.send(Array.from({ length: 50 }, (_, i) => `${call(100 + i)}\n${cancel(100 + i)}`).join('\n'));
    // A call sent after them, answered after them: by then each cancelled call had its turn.
    const answered = await server.request(200, 'tools/call', { name: 'list_snapshots', arguments: { per_page: 5, limit: 5 } });
    expect(answered.result.structuredContent.count).toBe(5);
    expect(api.requests).toHaveLength(1);
    const ids = server.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line).id);
    expect(ids.filter((id) => id >= 100 && id < 150)).toEqual([]);
  });

  it('starts without a token and explains on a call what to set', async () => {
    server = new ServerProcess({});
    await server.initialize();
    expect((await server.request(1, 'tools/list')).result.tools[0].name).toBe('list_snapshots');
    const call = await server.request(2, 'tools/call', { name: 'list_snapshots', arguments: {} });
    expect(call.result.isError).toBe(true);
    expect(call.result.content[0].text).toMatch(/Set DIGITALOCEAN_API_TOKEN/);
    expect(server.nonProtocolLines()).toEqual([]);
  });

  it('refuses to start on a DIGITALOCEAN_API_URL that is not http(s), with one line on stderr', async () => {
    server = new ServerProcess({ DIGITALOCEAN_API_URL: 'file:///etc/passwd' });
    expect(await server.exited).toEqual({ code: 2, signal: null });
    expect(server.stdout).toBe('');
    expect(server.stderr).toBe('digitalocean-snapshots-mcp: DIGITALOCEAN_API_URL must use http or https, got "file:"\n');
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('exits with status 0 on %s', async (signal) => {
    server = new ServerProcess({});
    await server.initialize();
    server.child.kill(signal);
    expect(await server.exited).toEqual({ code: 0, signal: null });
  });
});
