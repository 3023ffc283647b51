import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { generateSnapshots } from '../../src/fake-api/data.js';
import { FAKE_TOKEN, startFakeApi, type FakeApi, type FakeApiOptions } from '../../src/fake-api/server.js';

let api: FakeApi;
afterEach(async () => {
  await api?.close();
});

async function get(path: string, token: string | null = FAKE_TOKEN) {
  const response = await request(`${api.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  // biome-ignore lint/suspicious/noExplicitAny: raw JSON from the wire; each test checks the shape it reads
  return { status: response.statusCode, headers: response.headers, body: (await response.body.json()) as Record<string, any> };
}

async function start(options: FakeApiOptions = {}) {
  api = await startFakeApi(options);
  return api;
}

describe('generated data', () => {
  it('is deterministic per seed and shaped like the API', () => {
    const snapshots = generateSnapshots(500, 3);
    expect(generateSnapshots(500, 3)).toEqual(snapshots);
    expect(generateSnapshots(500, 4)).not.toEqual(snapshots);
    expect(new Set(snapshots.map((snapshot) => snapshot.id)).size).toBe(500);
    for (const snapshot of snapshots) {
      if (snapshot.resource_type === 'droplet') expect(snapshot.id).toMatch(/^\d+$/);
      else expect(snapshot.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(snapshot.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(snapshot.regions.length).toBeGreaterThan(0);
    }
    const types = snapshots.map((snapshot) => snapshot.resource_type);
    expect(types.filter((type) => type === 'volume').length).toBeGreaterThan(100);
    expect(snapshots.some((snapshot) => snapshot.tags?.length === 0)).toBe(true);
    const created = snapshots.map((snapshot) => snapshot.created_at);
    expect([...created].sort()).toEqual(created);
  });
});

describe('GET /v2/snapshots', () => {
  it('answers 401 like DigitalOcean without a valid bearer token', async () => {
    await start();
    for (const token of [null, 'wrong']) {
      const { status, body } = await get('/v2/snapshots', token);
      expect(status).toBe(401);
      expect(body).toMatchObject({ id: 'Unauthorized', message: 'Unable to authenticate you' });
      expect(body.request_id).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('pages 20 at a time by default, with absolute links and meta.total', async () => {
    await start({ count: 50 });
    const first = await get('/v2/snapshots');
    expect(first.body.snapshots).toEqual(api.snapshots.slice(0, 20));
    expect(first.body.meta).toEqual({ total: 50 });
    expect(first.body.links).toEqual({
      pages: { last: `${api.url}/v2/snapshots?page=3&per_page=20`, next: `${api.url}/v2/snapshots?page=2&per_page=20` },
    });
    const middle = await get('/v2/snapshots?page=2');
    expect(middle.body.links.pages).toEqual({
      first: `${api.url}/v2/snapshots?page=1&per_page=20`,
      prev: `${api.url}/v2/snapshots?page=1&per_page=20`,
      last: `${api.url}/v2/snapshots?page=3&per_page=20`,
      next: `${api.url}/v2/snapshots?page=3&per_page=20`,
    });
    const last = await get('/v2/snapshots?page=3');
    expect(last.body.snapshots).toEqual(api.snapshots.slice(40));
    expect(last.body.links.pages).toEqual({
      first: `${api.url}/v2/snapshots?page=1&per_page=20`,
      prev: `${api.url}/v2/snapshots?page=2&per_page=20`,
    });
  });

  it('answers links {} on a single page, or none when asked to', async () => {
    await start({ count: 3 });
    expect((await get('/v2/snapshots')).body.links).toEqual({});
    await api.close();
    await start({ count: 3, singlePageLinks: 'omit' });
    expect((await get('/v2/snapshots')).body).not.toHaveProperty('links');
  });

  it('filters by resource_type, keeping it in the links', async () => {
    await start({ count: 100 });
    const volumes = api.snapshots.filter((snapshot) => snapshot.resource_type === 'volume');
    const { body } = await get('/v2/snapshots?resource_type=volume&per_page=10');
    expect(body.snapshots).toEqual(volumes.slice(0, 10));
    expect(body.meta.total).toBe(volumes.length);
    expect(body.links.pages.next).toBe(`${api.url}/v2/snapshots?page=2&per_page=10&resource_type=volume`);
  });

  it.each(['per_page=0', 'per_page=201', 'per_page=1.5', 'per_page=x', 'page=0', 'page=-1', 'resource_type=image'])(
    'refuses %s with 400',
    async (query) => {
      await start();
      const { status, body } = await get(`/v2/snapshots?${query}`);
      expect(status).toBe(400);
      expect(body.id).toBe('bad_request');
    },
  );

  it('accepts per_page=200 and 1', async () => {
    await start({ count: 250 });
    expect((await get('/v2/snapshots?per_page=200')).body.snapshots).toHaveLength(200);
    expect((await get('/v2/snapshots?per_page=1&page=250')).body.snapshots).toEqual([api.snapshots[249]]);
  });

  it('sends rate-limit headers that count down, and 429 with retry-after past the burst limit', async () => {
    await start({ rateLimit: { perHour: 100, perMinute: 3 } });
    const remaining: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { status, headers } = await get('/v2/snapshots');
      expect(status).toBe(200);
      expect(headers['ratelimit-limit']).toBe('100');
      expect(Number(headers['ratelimit-reset'])).toBeGreaterThan(Date.now() / 1000);
      remaining.push(headers['ratelimit-remaining'] as string);
    }
    expect(remaining).toEqual(['99', '98', '97']);
    const limited = await get('/v2/snapshots');
    expect(limited.status).toBe(429);
    expect(limited.body.id).toBe('too_many_requests');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('answers 403 without snapshot:read and tags null without tag:read', async () => {
    await start({ count: 3, tokens: { none: [], notags: ['snapshot:read'] } });
    expect((await get('/v2/snapshots', 'none')).status).toBe(403);
    const { body } = await get('/v2/snapshots', 'notags');
    expect(body.snapshots.map((snapshot: { tags: unknown }) => snapshot.tags)).toEqual([null, null, null]);
  });
});

describe('GET /v2/snapshots/{id}', () => {
  it('finds a snapshot, says not_a_snapshot for an image id, and not_found otherwise', async () => {
    await start({ count: 10 });
    const target = api.snapshots[4]!;
    expect((await get(`/v2/snapshots/${target.id}`)).body).toEqual({ snapshot: target });
    const image = await get('/v2/snapshots/7555620');
    expect(image.status).toBe(400);
    expect(image.body).toMatchObject({ id: 'bad_request', message: 'the resource is not a snapshot' });
    const missing = await get('/v2/snapshots/1');
    expect(missing.status).toBe(404);
    expect(missing.body.id).toBe('not_found');
  });
});

describe('fault injection', () => {
  it('applies faults in order, after skips, to matching paths only, then behaves', async () => {
    await start({ count: 5 });
    api.inject({ type: 'status', status: 503 }, { pathPrefix: '/v2/snapshots/', times: 2 });
    api.inject({ type: 'body', body: 'not json' }, { skip: 1 });
    expect((await get('/v2/snapshots')).status).toBe(200); // skipped
    const malformed = await request(`${api.url}/v2/snapshots`, { headers: { authorization: `Bearer ${FAKE_TOKEN}` } });
    expect(await malformed.body.text()).toBe('not json');
    expect((await get(`/v2/snapshots/${api.snapshots[0]!.id}`)).status).toBe(503);
    expect((await get(`/v2/snapshots/${api.snapshots[0]!.id}`)).status).toBe(503);
    expect((await get(`/v2/snapshots/${api.snapshots[0]!.id}`)).status).toBe(200);
    expect(api.requests.map((entry) => entry.status)).toEqual([200, 200, 503, 503, 200]);
  });

  it('rewrites links, resets connections and adds latency', async () => {
    await start({ count: 5 });
    api.inject({ type: 'links', pages: { next: 'https://elsewhere.example/v2/snapshots?page=2' } });
    expect((await get('/v2/snapshots')).body.links.pages.next).toBe('https://elsewhere.example/v2/snapshots?page=2');
    api.inject({ type: 'reset' });
    await expect(get('/v2/snapshots')).rejects.toThrow();
    // The fake's own record of the answer: the injected wait is a floor, not a measured speed.
    api.setLatency(50);
    await get('/v2/snapshots');
    expect(api.requests.at(-1)!.ms).toBeGreaterThanOrEqual(49);
  });
});
