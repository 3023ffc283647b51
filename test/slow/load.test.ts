import { afterEach, describe, expect, it } from 'vitest';
import { listAnswer } from '../../src/snapshots/answers.js';
import { textOf } from '../helpers.js';
import { serve, type Served } from './served.js';

let served: Served | undefined;
afterEach(async () => {
  await served?.close();
  served = undefined;
});

describe('heavy load on one stdio connection', () => {
  it('300 concurrent whole-account scans all answer correctly with at most 256 open files', async () => {
    // No sharing of scans between calls: each of the 300 reads the account itself.
    served = await serve({ count: 2000, latencyMs: 5 }, { SNAPSHOT_CACHE_SECONDS: '0' });
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, served!.openFiles())), 5);
    try {
      const results = await Promise.all(Array.from({ length: 300 }, () => served!.call({ summary: true, limit: 5 }, 120_000)));
      for (const result of results) {
        expect(result.isError, textOf(result)).toBeFalsy();
        expect(listAnswer.parse(result.structuredContent).summary!.matched).toBe(2000);
      }
    } finally {
      clearInterval(sampler);
    }
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(256);
    // Every scan reads the 10 pages of 200 once: no call asks for more than it needs.
    expect(served.api.requests.length).toBe(300 * 10);
  });

  it('an upstream serving oversized and overfull pages gets clear errors, memory stays bounded, and the next call is answered', async () => {
    served = await serve({ count: 2000 });
    served.api.inject({ type: 'pad', bytes: 5 * 1024 * 1024 }, { times: 4 });
    for (let i = 0; i < 4; i++) expect(textOf(await served.call({ summary: true }))).toMatch(/larger than 4 MiB/);
    served.api.inject({ type: 'overfull', factor: 50 }, { times: 4 });
    for (let i = 0; i < 4; i++) expect(textOf(await served.call({ summary: true }))).toMatch(/more than the 200 per_page asked for/);
    expect(served.api.requests).toHaveLength(8);
    expect(served.peakRssMb()).toBeLessThan(250);
    const next = await served.call({ summary: true, limit: 5 });
    expect(listAnswer.parse(next.structuredContent).summary!.matched).toBe(2000);
  });
});
