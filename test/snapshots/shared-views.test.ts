import { gzipSync, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { generateSnapshots } from '../../src/fake-api/data.js';
import type { AccountView } from '../../src/snapshots/account-views.js';
import { SharedViews } from '../../src/snapshots/shared-views.js';
import type { SharedStore } from '../../src/store/shared-store.js';

/** The store's contract over a Map: what the Redis store does when it answers. */
function memoryStore(): SharedStore & { values: Map<string, Buffer> } {
  const values = new Map<string, Buffer>();
  return {
    values,
    state: 'ok',
    async get(key) {
      return values.get(key);
    },
    async set(key, value) {
      values.set(key, Buffer.from(value));
      return true;
    },
    async claim(key, holder) {
      if (values.has(key)) return false;
      values.set(key, Buffer.from(holder));
      return true;
    },
    async release(key, holder) {
      if (values.get(key)?.toString() === holder) values.delete(key);
    },
    async renew() {},
    async script() {
      return undefined;
    },
    async close() {},
  };
}

const OWNER = 'https://api.digitalocean.com#tokenhashAAAAAAAAAAAAAA';
const view = (count: number): AccountView => ({
  id: 'view-1',
  snapshots: generateSnapshots(count, 3),
  total: count,
  pagesFetched: Math.ceil(count / 200),
  drift: undefined,
  asOf: 1_800_000_000_000,
});

describe('SharedViews', () => {
  it('a view shared comes back whole, by its id and as the newest of its type, for its owner only', async () => {
    const store = memoryStore();
    const shared = new SharedViews(store);
    const original = view(1_200);
    expect(await shared.put(OWNER, 'volume', original, 60_000)).toBe('shared');
    expect((await shared.byId(OWNER, 'view-1'))?.view).toEqual(original);
    expect(await shared.latest(OWNER, 'volume')).toMatchObject({ view: original, resourceType: 'volume' });
    expect(await shared.latest(OWNER, 'droplet')).toBeUndefined();
    // Another owner (another token, or the same token on another API origin) finds nothing.
    expect(await shared.byId(`${OWNER}B`, 'view-1')).toBeUndefined();
    expect(await shared.latest('http://127.0.0.1:9#tokenhashAAAAAAAAAAAAAA', 'volume')).toBeUndefined();
    // Keys name neither the origin nor the token's hash.
    for (const key of store.values.keys()) expect(key).not.toMatch(/digitalocean|tokenhash/);
  });

  it('ignores what fails its checks: corrupt bytes, a snapshot of the wrong shape, another format, a count that does not add up', async () => {
    const store = memoryStore();
    const shared = new SharedViews(store);
    await shared.put(OWNER, undefined, view(10), 60_000);
    const key = [...store.values.keys()].find((name) => name.includes(':view:'))!;
    const good = gunzipSync(store.values.get(key)!).toString();
    const spoil = async (text: string) => {
      store.values.set(key, gzipSync(text));
      return shared.byId(OWNER, 'view-1');
    };
    expect(await spoil(good)).toBeDefined();
    store.values.set(key, Buffer.from('not gzip'));
    expect(await shared.byId(OWNER, 'view-1')).toBeUndefined();
    expect(await spoil(good.replace('"size_gigabytes":', '"size_gigabytes":"x","was":'))).toBeUndefined();
    expect(await spoil(good.replace('"format":1', '"format":2'))).toBeUndefined();
    expect(await spoil(good.replace('"count":10', '"count":11'))).toBeUndefined();
    expect(await spoil(good.split('\n')[0]!)).toBeUndefined();
  });

  it('a view too large to share is not written, and says so', async () => {
    const store = memoryStore();
    const shared = new SharedViews(store, 1_000);
    expect(await shared.put(OWNER, undefined, view(100), 60_000)).toBe('too large');
    expect(store.values.size).toBe(0);
  });

  it('the lists of Droplet and volume ids round-trip, and a malformed one is ignored', async () => {
    const store = memoryStore();
    const shared = new SharedViews(store);
    await shared.putList(OWNER, 'volumes', ['a', 'b'], 60_000);
    expect(await shared.getList(OWNER, 'volumes')).toEqual(['a', 'b']);
    for (const key of store.values.keys()) store.values.set(key, Buffer.from('{"a":1}'));
    expect(await shared.getList(OWNER, 'volumes')).toBeUndefined();
  });
});
