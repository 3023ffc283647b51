import { afterEach, describe, expect, it } from 'vitest';
import { ALWAYS, harness, listed, textOf, type Harness } from '../helpers.js';

/** What an upstream can make the server hold, wait for, or say: each bounded. */

let h: Harness;
afterEach(async () => {
  await h?.close();
});

describe('fan-out', () => {
  it('a scan reads the largest pages whatever per_page says: {summary, per_page: 1} on 2,000 snapshots is 10 requests', async () => {
    h = await harness({ count: 2000, rateLimit: { perHour: 100_000, perMinute: 100_000 } });
    expect(listed(await h.call({ summary: true, per_page: 1 })).summary!.matched).toBe(2000);
    expect(h.api.requests.map((request) => request.url)).toHaveLength(10);
    expect(h.api.requests.every((request) => request.url.includes('per_page=200'))).toBe(true);
  });
});

describe('pages that cannot be real', () => {
  it('a page with more snapshots than per_page asked for is an error about the response', async () => {
    h = await harness({ count: 900 });
    h.api.inject({ type: 'overfull', factor: 3 }, { pathPrefix: '/v2/snapshots?page=2&' });
    const result = await h.call({ summary: true });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/with 600 snapshots, more than the 200 per_page asked for/);
  });

  it('a scan past SCAN_MAX_SNAPSHOTS stops with the limit named', async () => {
    h = await harness({ count: 450, env: { SCAN_MAX_SNAPSHOTS: '300' } });
    const result = await h.call({ summary: true });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/would read more than 300 snapshots, past what one call may \(SCAN_MAX_MB=48, SCAN_MAX_SNAPSHOTS=300\)/);
    expect(listed(await h.call({ limit: 10 })).count).toBe(10);
  });

  it('a scan past SCAN_MAX_MB of answers stops with the limit named', async () => {
    h = await harness({ count: 1000, env: { SCAN_MAX_MB: '1', PAGE_CONCURRENCY: '1' } });
    h.api.inject({ type: 'pad', bytes: 400_000 }, { times: 10 });
    const result = await h.call({ summary: true });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/would read more than 1048576 bytes of answers/);
    expect(h.api.requests.length).toBeLessThanOrEqual(3);
  });
});

describe('an upstream that echoes the token', () => {
  it('never gets it into an answer or a log, in any form', async () => {
    h = await harness({ count: 5 });
    h.api.inject({ type: 'echo', status: 401 });
    const result = await h.call({});
    expect(result.isError).toBe(true);
    const seen = textOf(result) + h.logs.join('\n');
    expect(seen.toLowerCase()).not.toContain(h.token.toLowerCase());
    // Nor inside anything that decodes as base64, at any alignment.
    for (const [run] of seen.matchAll(/[A-Za-z0-9+/_-]{16,}/g)) {
      for (let skip = 0; skip < 4; skip++)
        expect(Buffer.from(run.slice(skip), 'base64').toString('latin1')).not.toContain(h.token.slice(10, 30));
    }
    expect(textOf(result)).toMatch(/"Bad token: Bearer \[REDACTED\] \/ BEARER \[REDACTED\] \/ [\w+/]*\[REDACTED\]/);
  });
});

describe('an upstream that drips its answer', () => {
  it('ends at the call deadline, whatever keeps the connection busy', async () => {
    h = await harness({ count: 30, env: { CALL_DEADLINE_SECONDS: '1' } });
    h.api.inject({ type: 'drip', intervalMs: 100 }, ALWAYS);
    // How soon it ends is timed in the slow suite (test/slow/deadline.test.ts); here, that the deadline ended it.
    const result = await h.call({});
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/did not finish within its 1 s deadline/);
  });
});
