import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startFakeApi, type FakeApi } from '../../src/fake-api/server.js';
import { canaryToken } from '../helpers.js';
import { ServerProcess } from './process.js';

let api: FakeApi;
let server: ServerProcess;
let token: string;

afterEach(async () => {
  server?.child.kill('SIGKILL');
  await api?.close();
});

async function start(count = 60) {
  token = canaryToken();
  api = await startFakeApi({ count, tokens: { [token]: ['snapshot:read', 'tag:read'] }, rateLimit: { perHour: 5000, perMinute: 5000 } });
  server = new ServerProcess({ DIGITALOCEAN_API_TOKEN: token, DIGITALOCEAN_API_URL: api.url, LOG_LEVEL: 'info' });
  await server.initialize();
}

function rssMegabytes(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((entry) => entry.startsWith('VmRSS:'))!;
  return Number(line.replace(/\D+/g, '')) / 1024;
}

describe('hostile input over stdio', () => {
  it('answers every request, stays up, keeps memory bounded and never shows the token', async () => {
    await start();
    let id = 100;

    // Lines that are not JSON-RPC at all get a parse or invalid-request error, and nothing breaks.
    for (const line of ['garbage', '{"jsonrpc":"2.0","id":', '[{"jsonrpc":"2.0","id":1,"method":"ping"}]', '{"jsonrpc":"2.0","id":{"x":1},"method":"ping"}', '\u0000\u0001\u0002']) {
      server.send(line);
    }
    expect((await server.request(id++, 'ping')).result).toEqual({});
    const replies = server.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line));
    expect(replies.filter((reply) => reply.error?.code === -32700)).toHaveLength(3);
    expect(replies.filter((reply) => reply.error?.code === -32600)).toHaveLength(2);

    const unknownMethod = await server.request(id++, 'snapshots/delete_all');
    expect(unknownMethod.error.code).toBe(-32601);
    const unknownTool = await server.request(id++, 'tools/call', { name: 'delete_snapshot', arguments: { id: '1' } });
    expect(JSON.stringify(unknownTool)).toMatch(/delete_snapshot/);

    const wrongTypes = [{ limit: 'all' }, { per_page: [200] }, { cursor: { n: 2 } }, { resource_type: 7 }, { limit: 1e309 }, null, 'text', 42];
    for (const args of wrongTypes) {
      const answer = await server.request(id++, 'tools/call', { name: 'list_snapshots', arguments: args });
      expect(answer.result?.isError ?? answer.error).toBeTruthy();
    }

    // 2 MiB in one string: refused by size, answered by id, never held whole.
    const huge = await server.request(id++, 'tools/call', { name: 'list_snapshots', arguments: { resource_type: 'x'.repeat(2 * 1024 * 1024) } });
    expect(huge.error).toMatchObject({ code: -32600, message: expect.stringMatching(/over the 1048576-byte limit/) });
    // 100,000 elements under the size limit: refused by count.
    const wide = await server.request(id++, 'tools/call', { name: 'list_snapshots', arguments: { tags: Array.from({ length: 100_000 }, () => 1) } });
    expect(JSON.stringify(wide)).toMatch(/more than the maximum of 1000 elements/);

    // 100 concurrent calls on the one connection, each answered exactly.
    const concurrent = await Promise.all(
      Array.from({ length: 100 }, (_, i) => server.request(1000 + i, 'tools/call', { name: 'list_snapshots', arguments: { per_page: 20, limit: 20 * (1 + (i % 3)) } })),
    );
    concurrent.forEach((answer, i) => {
      expect(answer.result.structuredContent.snapshots).toEqual(api.snapshots.slice(0, 20 * (1 + (i % 3))));
    });

    expect((await server.request(id++, 'ping')).result).toEqual({});
    expect(rssMegabytes(server.child.pid!)).toBeLessThan(200);
    expect(server.nonProtocolLines()).toEqual([]);
    expect(server.stdout + server.stderr).not.toContain(token);
  });
});

describe('shutdown', () => {
  it.each(['SIGTERM', 'SIGINT', 'stdin end'] as const)('on %s aborts the in-flight request and exits 0', async (how) => {
    await start();
    api.setLatency(30_000);
    void server.request(1, 'tools/call', { name: 'list_snapshots', arguments: {} });
    await vi.waitFor(() => expect(api.requests).toHaveLength(1));
    if (how === 'stdin end') server.child.stdin.end();
    else server.child.kill(how);
    expect(await server.exited).toEqual({ code: 0, signal: null });
    await vi.waitFor(() => expect(api.requests[0]!.aborted).toBe(true));
    expect(server.stderr).toMatch(/"msg":"shutting down"/);
  });
});
