import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_TOKEN, startFakeApi, type FakeApi } from '../../src/fake-api/server.js';
import { ServerProcess } from './process.js';

let api: FakeApi;
beforeAll(async () => {
  api = await startFakeApi({ count: 30 });
});
afterAll(async () => {
  await api.close();
});

/** What a client sees of one start: the tools and a first call, and stdout holding nothing else. */
async function session(cache: string, keepUntil?: () => boolean) {
  const server = new ServerProcess({ DIGITALOCEAN_API_TOKEN: FAKE_TOKEN, DIGITALOCEAN_API_URL: api.url, NODE_COMPILE_CACHE: cache });
  await server.initialize();
  const tools = (await server.request(1, 'tools/list')).result;
  const call = (await server.request(2, 'tools/call', { name: 'list_snapshots', arguments: { per_page: 10, limit: 25 } })).result;
  // The launcher keeps its caches while the server idles: a second after start-up, and soon after the first answer.
  for (let waited = 0; keepUntil && !keepUntil(); waited += 50) {
    if (waited > 15_000) throw new Error('no code cache was kept');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  server.child.stdin.end();
  expect(await server.exited).toEqual({ code: 0, signal: null });
  expect(server.nonProtocolLines()).toEqual([]);
  expect(server.stderr).toBe('');
  return { tools, call };
}

describe('the built server with its code cache', () => {
  it('keeps the cache after its first answer and answers the same from it, and from a damaged one', async () => {
    const cache = mkdtempSync(path.join(os.tmpdir(), 'e2e-code-cache-'));
    const files = () => readdirSync(cache).flatMap((folder) => readdirSync(path.join(cache, folder)).map((file) => path.join(cache, folder, file)));
    // After a first answer the launcher keeps one cache, of everything compiled up to it.
    const cold = await session(cache, () => files().length > 0);
    expect(files().map((file) => path.basename(file).split('.').slice(-2).join('.'))).toEqual(['call.cache']);
    expect(cold.call.structuredContent).toMatchObject({ count: 25, total: 30 });

    // Read from the kept cache; nothing is rewritten.
    const kept = files().map((file) => readFileSync(file));
    expect(await session(cache)).toEqual(cold);
    expect(files().map((file) => readFileSync(file))).toEqual(kept);

    // A damaged cache (another Node's, a half-written one): V8 refuses it, the server compiles as usual.
    for (const file of files()) writeFileSync(file, Buffer.alloc(4096, 7));
    expect(await session(cache, () => files().some((file) => !readFileSync(file).equals(Buffer.alloc(4096, 7))))).toEqual(cold);
  });
});
