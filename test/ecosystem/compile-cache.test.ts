import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_TOKEN, startFakeApi, type FakeApi } from '../../src/fake-api/server.js';
import { ServerProcess } from '../e2e/process.js';

/**
 * Start-up by the platform's means: on a Node with a compile cache (22.1 and later; this suite runs
 * on 24) the launcher turns it on, so a second start reads what the first compiled.
 */
let api: FakeApi;
beforeAll(async () => {
  api = await startFakeApi({ count: 30 });
});
afterAll(async () => {
  await api.close();
});

async function session(env: Record<string, string>) {
  const server = new ServerProcess({ DIGITALOCEAN_API_TOKEN: FAKE_TOKEN, DIGITALOCEAN_API_URL: api.url, ...env });
  await server.initialize();
  const tools = (await server.request(1, 'tools/list')).result;
  const call = (await server.request(2, 'tools/call', { name: 'list_snapshots', arguments: { per_page: 10, limit: 25 } })).result;
  server.child.stdin.end();
  expect(await server.exited).toEqual({ code: 0, signal: null });
  expect(server.nonProtocolLines()).toEqual([]);
  expect(server.stderr).toBe('');
  return { tools, call };
}

const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((entry) =>
    statSync(path.join(dir, entry)).isDirectory() ? files(path.join(dir, entry)) : [path.join(dir, entry)],
  );

describe(`Node's compile cache on Node ${process.versions.node}`, () => {
  it('is written by a first start, read by the next (which answers the same), and off with NODE_DISABLE_COMPILE_CACHE=1', async () => {
    const cache = mkdtempSync(path.join(os.tmpdir(), 'compile-cache-'));
    const first = await session({ NODE_COMPILE_CACHE: cache });
    expect(first.call.structuredContent).toMatchObject({ count: 25, total: 30 });
    const written = files(cache);
    expect(written.length).toBeGreaterThan(0);
    const bytes = written.map((file) => readFileSync(file));
    expect(await session({ NODE_COMPILE_CACHE: cache })).toEqual(first);
    // Read, not rewritten.
    expect(files(cache).map((file) => readFileSync(file))).toEqual(bytes);

    const off = mkdtempSync(path.join(os.tmpdir(), 'compile-cache-off-'));
    expect(await session({ NODE_COMPILE_CACHE: off, NODE_DISABLE_COMPILE_CACHE: '1' })).toEqual(first);
    expect(files(off)).toEqual([]);
  });
});
