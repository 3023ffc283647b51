import { afterEach, describe, expect, it } from 'vitest';
import { harness, textOf, type Harness } from '../helpers.js';

// The token's quota at DigitalOcean (250 requests a minute, 5,000 an hour), against the fake API
// enforcing the same limits per token: no scan that cannot fit is started, and no 429 is provoked.
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const statuses = (harnessed: Harness) => harnessed.api.requests.map((request) => request.status);

describe("the token's request quota", () => {
  it('a scan of 300 pages, more than a minute allows, is refused after its first page with the numbers; the next call works', async () => {
    h = await harness({ count: 60_000 });
    const started = performance.now();
    const refused = await h.call({ summary: true });
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(refused.isError).toBe(true);
    const text = textOf(refused);
    expect(text).toContain(
      "This call needs 300 requests to DigitalOcean (1 made, 299 more); the token's request quota allows 249 more before the call's 30 s deadline " +
        '(250 a minute at most, DIGITALOCEAN_REQUESTS_PER_MINUTE; 4,999 left this hour). Nothing more was requested, and nothing is returned',
    );
    expect(text).toContain('No one call can make that many within its deadline at this quota');
    expect(text).toContain("one resource_type ('droplet' or 'volume')");
    expect(statuses(h)).toEqual([200]);
    const small = await h.call({ per_page: 5, limit: 5 });
    expect(small.isError).toBeFalsy();
    expect(statuses(h)).toEqual([200, 200]);
  });

  it('a scan that fits is read whole; the next one that would overrun the minute is refused at once, saying when, with no 429', async () => {
    h = await harness({ count: 2_000, rateLimit: { perHour: 5000, perMinute: 12 }, env: { SNAPSHOT_CACHE_SECONDS: '0' } });
    const first = await h.call({ summary: true });
    expect(first.isError).toBeFalsy();
    expect(statuses(h)).toHaveLength(10);
    // Two left this minute: the next scan's first page goes, then it knows it needs 9 more.
    const second = await h.call({ summary: true });
    expect(textOf(second)).toMatch(
      /needs 10 requests to DigitalOcean \(1 made, 9 more\); the token's request quota allows 1 more .* Ask again after (5\d|60) seconds/,
    );
    expect(statuses(h)).toEqual(Array(11).fill(200));
  });

  it('an hour nearly spent is known from the headers: the scan that cannot fit before the reset is refused after one page', async () => {
    h = await harness({ count: 5_000, rateLimit: { perHour: 20, perMinute: 1_000_000 } });
    const refused = await h.call({ summary: true });
    expect(textOf(refused)).toMatch(
      /needs 25 requests to DigitalOcean \(1 made, 24 more\); the token's request quota allows 19 more .*\(19 left this hour\).* Ask again after 3,\d{3} seconds/,
    );
    expect(statuses(h)).toEqual([200]);
  });
});
