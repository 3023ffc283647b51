import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Fault } from '../../src/fake-api/server.js';
import type { Snapshot } from '../../src/digitalocean/schemas.js';
import { generateSnapshots } from '../../src/fake-api/data.js';
import { ALWAYS, harness, textOf, type Harness } from '../helpers.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const everything = { per_page: 10, limit: 1000 };

function snapshotsOf(result: Awaited<ReturnType<Harness['call']>>): Snapshot[] {
  expect(result.isError, textOf(result)).toBeFalsy();
  return (result.structuredContent as { snapshots: Snapshot[] }).snapshots;
}

const PAGE_3 = '/v2/snapshots?page=3&';

const transient: [string, Fault][] = [
  [
    '429 with retry-after: 0',
    {
      type: 'status',
      status: 429,
      headers: { 'retry-after': '0' },
      body: { id: 'too_many_requests', message: 'API Rate limit exceeded.' },
    },
  ],
  [
    '429 with the quota spent until now',
    { type: 'status', status: 429, headers: { 'ratelimit-remaining': '0', 'ratelimit-reset': String(Math.floor(Date.now() / 1000)) } },
  ],
  ['500', { type: 'status', status: 500 }],
  ['502 with an HTML body', { type: 'body', status: 502, body: '<html>Bad Gateway</html>' }],
  ['503', { type: 'status', status: 503 }],
  ['504', { type: 'status', status: 504 }],
  ['a connection reset', { type: 'reset' }],
];

describe('transient faults are retried to the exact full list', () => {
  it.each(transient.flatMap(([name, fault]) => [1, 4].map((times) => ({ name, fault, times }))))(
    '$name, $times time(s) in a row on page 3',
    async ({ fault, times }) => {
      h = await harness({ count: 50 });
      h.api.inject(fault, { pathPrefix: PAGE_3, times });
      expect(snapshotsOf(await h.call(everything))).toEqual(h.api.snapshots);
      expect(h.api.requests).toHaveLength(5 + times);
      expect(h.logs.join('\n')).toContain(`"retries":${times}`);
    },
  );

  it('a server that does not answer is timed out and retried inside the deadline', async () => {
    h = await harness({ count: 30, env: { CALL_DEADLINE_SECONDS: '4' } });
    h.api.inject({ type: 'hang' }, { pathPrefix: PAGE_3 });
    expect(snapshotsOf(await h.call(everything))).toEqual(h.api.snapshots);
    expect(h.api.requests).toHaveLength(4);
  });
});

describe('permanent answers are not retried', () => {
  it.each([400, 401, 403, 404, 422])('%i', async (status) => {
    h = await harness({ count: 50 });
    h.api.inject({ type: 'status', status, body: { id: 'nope', message: 'no' } }, { pathPrefix: '/v2/snapshots?page=2&', ...ALWAYS });
    const result = await h.call(everything);
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain(`HTTP ${status} nope`);
    expect(textOf(result)).toMatch(/stopped after 1 page\(s\) \(10 snapshots\); nothing is returned/);
    // One try at page 2; the pages fetched beside it were cut short or done, never retried.
    expect(h.api.requests.filter((request) => request.url.startsWith('/v2/snapshots?page=2&'))).toHaveLength(1);
    expect(h.api.requests.length).toBeLessThanOrEqual(5);
  });
});

describe('deadlines and cancellation', () => {
  it('a call against a hanging API ends at its deadline with an actionable error', async () => {
    h = await harness({ count: 30, env: { CALL_DEADLINE_SECONDS: '1' } });
    h.api.inject({ type: 'hang' }, { skip: 1, times: 100 });
    const result = await h.call(everything);
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/did not finish within its 1 s deadline/);
    expect(textOf(result)).toMatch(/stopped after 1 page\(s\)/);
    await vi.waitFor(() => expect(h.api.requests.slice(1).every((request) => request.aborted)).toBe(true));
  });

  it('cancelling the call aborts the HTTP request at once and nothing runs afterwards', async () => {
    h = await harness({ count: 30 });
    h.api.setLatency(10_000);
    const controller = new AbortController();
    const pending = h.client.callTool({ name: 'list_snapshots', arguments: everything }, { signal: controller.signal });
    await vi.waitFor(() => expect(h.api.requests).toHaveLength(1));
    controller.abort('user pressed stop');
    await expect(pending).rejects.toThrow();
    await vi.waitFor(() => expect(h.api.requests[0]!.aborted).toBe(true));
    await vi.waitFor(() => expect(h.logs.join('\n')).toMatch(/"message":"list_snapshots failed".*"cancelled":true/));
    expect(h.api.requests).toHaveLength(1);
  });
});

describe('a list that changes while it is paged', () => {
  // One page at a time, so the change lands between two known pages.
  const sequential = { env: { PAGE_CONCURRENCY: '1' } };

  it('snapshots created mid-scan: repeats are dropped and the drift is reported', async () => {
    h = await harness({ count: 30, ...sequential });
    const created = generateSnapshots(2, 99).map((snapshot, i) => ({ ...snapshot, id: `99000000${i}` }));
    const original = [...h.api.snapshots];
    h.api.inject({ type: 'mutate', apply: (snapshots) => snapshots.unshift(...created) }, { skip: 1 });
    const result = await h.call(everything);
    const listed = snapshotsOf(result);
    expect(new Set(listed.map((snapshot) => snapshot.id)).size).toBe(listed.length);
    // Two new snapshots at the front push o8 and o9 onto page 2 again: each is listed once.
    expect(listed).toEqual(original);
    const warning =
      'Snapshots were created or deleted while this list was read (meta.total went from 30 to 32; 2 snapshot(s) seen twice were listed once); some may be missing. Call again for a consistent list.';
    expect(textOf(result).split('\n')[1]).toBe(`Warning: ${warning}`);
    expect(result.structuredContent).toMatchObject({ warnings: [warning] });
  });

  it('snapshots deleted mid-scan: the possible gap is reported', async () => {
    h = await harness({ count: 30, ...sequential });
    h.api.inject({ type: 'mutate', apply: (snapshots) => void snapshots.splice(0, 3) }, { skip: 1 });
    const result = await h.call(everything);
    expect(snapshotsOf(result)).toHaveLength(27);
    expect((result.structuredContent as { warnings: string[] }).warnings[0]).toMatch(
      /meta\.total went from 30 to 27\); some may be missing/,
    );
  });

  it('with concurrent pages, a change mid-scan still leaves no repeats and a warning', async () => {
    h = await harness({ count: 60 });
    h.api.inject(
      {
        type: 'mutate',
        apply: (snapshots) =>
          void snapshots.unshift(...generateSnapshots(3, 5).map((snapshot, i) => ({ ...snapshot, id: `88000000${i}` }))),
      },
      { skip: 1 },
    );
    const result = await h.call(everything);
    const listed = snapshotsOf(result);
    expect(new Set(listed.map((snapshot) => snapshot.id)).size).toBe(listed.length);
    expect((result.structuredContent as { warnings: string[] }).warnings[0]).toMatch(/were created or deleted while this list was read/);
  });

  it('a continuation after a snapshot was created does not list the last row again, and says why', async () => {
    h = await harness({ count: 30 });
    const answer = await h.call({ per_page: 10, limit: 10 });
    const first = snapshotsOf(answer);
    const cursor = answer.structuredContent as { next_cursor: string };
    const created = { ...generateSnapshots(1, 7)[0]!, id: '990000001' };
    h.api.snapshots.unshift(created);
    const next = await h.call({ per_page: 10, limit: 10, cursor: cursor.next_cursor });
    // Everything moved one place down: the old row 10 comes first again, and is left out.
    expect(snapshotsOf(next)).toEqual(h.api.snapshots.slice(11, 21));
    expect(snapshotsOf(next)[0]!.id).not.toBe(first.at(-1)!.id);
    expect((next.structuredContent as { warnings: string[] }).warnings).toEqual([
      'The account changed since the previous answer: its last snapshot came again first here, and is not listed twice. Call without cursor for a fresh list.',
    ]);
    // And the walk goes on from there without a gap.
    const last = await h.call({ per_page: 10, limit: 10, cursor: (next.structuredContent as { next_cursor: string }).next_cursor });
    expect(snapshotsOf(last)).toEqual(h.api.snapshots.slice(21, 31));
  });

  it('a stable list carries no warnings', async () => {
    h = await harness({ count: 30 });
    const result = await h.call(everything);
    expect(result.structuredContent).not.toHaveProperty('warnings');
  });
});

describe('load on one connection', () => {
  it('answers 100 concurrent calls, each exactly', async () => {
    h = await harness({ count: 120, rateLimit: { perHour: 5000, perMinute: 5000 } });
    const calls = Array.from({ length: 100 }, (_, i) => h.call({ per_page: 30, limit: 30 * (1 + (i % 4)) }));
    const results = await Promise.all(calls);
    results.forEach((result, i) => {
      expect(snapshotsOf(result)).toEqual(h.api.snapshots.slice(0, 30 * (1 + (i % 4))));
    });
  });
});

describe('logging', () => {
  it('one debug line per API request, with method, path, status, duration and retries', async () => {
    h = await harness({ count: 25 });
    h.api.inject({ type: 'status', status: 503 }, { pathPrefix: '/v2/snapshots?page=2&' });
    await h.call(everything);
    const lines = h.logs.map((line) => JSON.parse(line)).filter((line) => line.message === 'api request');
    expect(lines).toHaveLength(3);
    expect(lines.find((line) => line.path === '/v2/snapshots?page=2&per_page=10')).toMatchObject({
      level: 'debug',
      method: 'GET',
      status: 200,
      retries: 1,
    });
    for (const line of lines) expect(line.ms).toEqual(expect.any(Number));
  });
});
