import { afterEach, describe, expect, it } from 'vitest';
import { roundTrips } from '../../src/fake-api/server.js';
import { CONVERSATION } from '../conversation.js';
import { harness, listed, textOf, type Harness } from '../helpers.js';

/**
 * A conversation costs one scan: the scan-type calls of the next minute are answered from it, with
 * its age in both halves, and exactly as a fresh scan would answer them.
 */
const open: Harness[] = [];
afterEach(async () => {
  for (const h of open.splice(0).reverse()) await h.close();
});
async function start(...args: Parameters<typeof harness>): Promise<Harness> {
  const h = await harness(...args);
  open.push(h);
  return h;
}

const OPEN = { perHour: 1_000_000, perMinute: 1_000_000 };

/** The answer without the one field that may differ between a view and a fresh scan. */
function withoutAsOf(result: Awaited<ReturnType<Harness['call']>>) {
  const { as_of: _asOf, next_cursor: _cursor, pages_fetched: _pages, ...rest } = listed(result);
  return rest;
}

// Round trips are counted as waves of overlapping requests (roundTrips()), not by a clock; the
// latency only makes the requests of one wave overlap whatever the machine's speed.
const LATENCY = 100;

describe('a conversation against 2,000 snapshots', () => {
  it('costs one scan: at most 12 requests and 5 round trips for six calls, each answer what a fresh scan gives', async () => {
    const h = await start({ count: 2000, latencyMs: LATENCY, rateLimit: OPEN });
    const reference = await start({ share: h, env: { SNAPSHOT_CACHE_SECONDS: '0' } });
    const answers = [];
    for (const args of CONVERSATION) answers.push(await h.call(args));
    answers.push(await h.call({ ...CONVERSATION[4], cursor: listed(answers[4]!).next_cursor }));
    expect(h.api.requests.length).toBeLessThanOrEqual(12);
    expect(roundTrips(h.api.requests)).toBeLessThanOrEqual(5);

    const conversationRequests = h.api.requests.length;
    for (const [i, args] of CONVERSATION.entries()) {
      const fresh = await reference.call(args);
      expect(withoutAsOf(answers[i]!), JSON.stringify(args)).toEqual(withoutAsOf(fresh));
    }
    // The reference server read the API every time: four whole scans and one of the volumes.
    const volumes = h.api.snapshots.filter((snapshot) => snapshot.resource_type === 'volume').length;
    expect(h.api.requests.length - conversationRequests).toBe(4 * 10 + Math.ceil(volumes / 200));
    for (const answer of answers) expect(listed(answer).as_of).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
    // The first call scanned; the others say they come from that scan, and made no request.
    expect(listed(answers[0]!).pages_fetched).toBe(10);
    expect(listed(answers[3]!).pages_fetched).toBe(0);
    expect(textOf(answers[3]!)).toMatch(
      /From the scan of \d\d:\d\d:\d\d UTC, (just now|\d+ s ago): all 2,000 snapshots, no request made\./,
    );
  });
});

describe('account views', () => {
  it('ten concurrent identical scans read each page once', async () => {
    const h = await start({ count: 1000, latencyMs: 30, rateLimit: OPEN });
    const results = await Promise.all(Array.from({ length: 10 }, () => h.call({ summary: true, limit: 5 })));
    for (const result of results) expect(listed(result).summary!.matched).toBe(1000);
    expect(h.api.requests.map((request) => request.url).sort()).toEqual(
      Array.from({ length: 5 }, (_, i) => `/v2/snapshots?page=${i + 1}&per_page=200`).sort(),
    );
  });

  it('fresh: true always reads the API', async () => {
    const h = await start({ count: 400, rateLimit: OPEN });
    await h.call({ summary: true });
    expect(h.api.requests).toHaveLength(2);
    await h.call({ summary: true, fresh: true });
    await h.call({ region: 'fra1', fresh: true });
    expect(h.api.requests).toHaveLength(6);
    await h.call({ region: 'nyc1' });
    expect(h.api.requests).toHaveLength(6);
  });

  it('shows what changed once the view is refreshed, and a cursor continues exactly over its own view', async () => {
    const h = await start({ count: 400, rateLimit: OPEN });
    const first = listed(await h.call({ sort: 'name_asc', limit: 10 }));
    h.api.snapshots.splice(0, 50);
    const next = listed(await h.call({ sort: 'name_asc', limit: 10, cursor: first.next_cursor }));
    expect(next.summary!.matched).toBe(400);
    expect(next.warnings).toBeUndefined();
    const fresh = listed(await h.call({ sort: 'name_asc', limit: 10, fresh: true }));
    expect(fresh.summary!.matched).toBe(350);
  });

  it('SNAPSHOT_CACHE_SECONDS=0: every call reads for itself', async () => {
    const h = await start({ count: 400, rateLimit: OPEN, env: { SNAPSHOT_CACHE_SECONDS: '0' } });
    await h.call({ summary: true });
    await h.call({ summary: true });
    expect(h.api.requests).toHaveLength(4);
  });

  it('get_snapshot always asks the API', async () => {
    const h = await start({ count: 50, rateLimit: OPEN });
    await h.call({ summary: true });
    await h.call({ id: h.api.snapshots[3]!.id }, 'get_snapshot');
    await h.call({ id: h.api.snapshots[3]!.id }, 'get_snapshot');
    expect(h.api.requests.filter((request) => request.url.startsWith('/v2/snapshots/'))).toHaveLength(2);
  });
});
