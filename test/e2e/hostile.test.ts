import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { crowdedVolumes } from '../../src/fake-api/data.js';
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
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('VmRSS:'))!;
  return Number(line.replace(/\D+/g, '')) / 1024;
}

describe('hostile input over stdio', () => {
  it('answers every request, stays up, keeps memory bounded and never shows the token', async () => {
    await start();
    let id = 100;

    // Lines that are not JSON-RPC at all get a parse or invalid-request error, and nothing breaks.
    for (const line of [
      'garbage',
      '{"jsonrpc":"2.0","id":',
      '[{"jsonrpc":"2.0","id":1,"method":"ping"}]',
      '{"jsonrpc":"2.0","id":{"x":1},"method":"ping"}',
      '\u0000\u0001\u0002',
    ]) {
      server.send(line);
    }
    expect((await server.request(id++, 'ping')).result).toEqual({});
    const replies = server.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line));
    expect(replies.filter((reply) => reply.error?.code === -32700)).toHaveLength(3);
    expect(replies.filter((reply) => reply.error?.code === -32600)).toHaveLength(2);

    const unknownMethod = await server.request(id++, 'snapshots/delete_all');
    expect(unknownMethod.error.code).toBe(-32601);
    const unknownTool = await server.request(id++, 'tools/call', { name: 'delete_snapshot', arguments: { id: '1' } });
    expect(JSON.stringify(unknownTool)).toMatch(/delete_snapshot/);

    const wrongTypes = [
      { limit: 'all' },
      { per_page: [200] },
      { cursor: { n: 2 } },
      { resource_type: 7 },
      { limit: Number.POSITIVE_INFINITY },
      null,
      'text',
      42,
    ];
    for (const args of wrongTypes) {
      const answer = await server.request(id++, 'tools/call', { name: 'list_snapshots', arguments: args });
      expect(answer.result?.isError ?? answer.error).toBeTruthy();
    }

    // 2 MiB in one string: refused by size, answered by id, never held whole.
    const huge = await server.request(id++, 'tools/call', {
      name: 'list_snapshots',
      arguments: { resource_type: 'x'.repeat(2 * 1024 * 1024) },
    });
    expect(huge.error).toMatchObject({ code: -32600, message: expect.stringMatching(/over the 1048576-byte limit/) });
    // 100,000 elements under the size limit: refused by count.
    const wide = await server.request(id++, 'tools/call', {
      name: 'list_snapshots',
      arguments: { tags: Array.from({ length: 100_000 }, () => 1) },
    });
    expect(JSON.stringify(wide)).toMatch(/more than the maximum of 1000 elements/);

    // 100 concurrent calls on the one connection, each answered exactly.
    const concurrent = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        server.request(1000 + i, 'tools/call', { name: 'list_snapshots', arguments: { per_page: 20, limit: 20 * (1 + (i % 3)) } }),
      ),
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

describe('a hostile upstream, through the built server', () => {
  it.each<Record<string, string>>([
    { 'retry-after': 'Fri, 31 Dec 9999 23:59:59 GMT' },
    { 'retry-after': '9999999999999999' },
    { 'ratelimit-remaining': '0', 'ratelimit-reset': '1e300' },
  ])('an absurd wait (%j) is said as at most a day, at a time that exists', async (headers) => {
    await start();
    api.inject({ type: 'status', status: 429, body: { id: 'too_many_requests', message: 'slow down' }, headers }, { times: 10 });
    const answer = await server.request(10, 'tools/call', { name: 'list_snapshots', arguments: { limit: 5 } });
    const text: string = answer.result.content[0].text;
    expect(answer.result.isError).toBe(true);
    expect(text).toMatch(/Retry after 86,400 seconds \(at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\)/);
    const at = /at (\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d) UTC/.exec(text)!;
    expect(Date.parse(`${at[1]}T${at[2]}Z`) - Date.now()).toBeGreaterThan(86_000_000);
    // Past the deadline: no retry was waited for.
    expect(api.requests).toHaveLength(1);
  });

  it('a plan over 330 crowded volumes answers within its budget, with rows and one warning for them all', async () => {
    token = canaryToken();
    const base = {
      name: 'vol-snap',
      created_at: '2025-01-01T00:00:00Z',
      regions: ['fra1'],
      min_disk_size: 10,
      size_gigabytes: 2,
      tags: [],
    };
    const volumes = Array.from({ length: 330 }, (_, v) => `vol-${v}`);
    api = await startFakeApi({
      ...crowdedVolumes(volumes, () => 21, base),
      tokens: { [token]: ['snapshot:read', 'tag:read', 'droplet:read', 'block_storage:read'] },
      rateLimit: { perHour: 5000, perMinute: 5000 },
    });
    server = new ServerProcess({ DIGITALOCEAN_API_TOKEN: token, DIGITALOCEAN_API_URL: api.url });
    await server.initialize();
    const answer = await server.request(11, 'tools/call', { name: 'plan_snapshot_cleanup', arguments: { keep_last: 1 } });
    const plan = answer.result.structuredContent;
    expect(answer.result.isError).toBeFalsy();
    expect(JSON.stringify(plan).length).toBeLessThanOrEqual(40_000);
    expect(answer.result.content[0].text.length).toBeLessThanOrEqual(40_000);
    expect(plan.total_candidates).toBe(330 * 20);
    expect(plan.count).toBeGreaterThan(50);
    expect(plan.warnings.filter((warning: string) => /limit of 25/.test(warning))).toEqual([
      expect.stringMatching(/^330 volumes hold 20 or more of their limit of 25 snapshots/),
    ]);
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
