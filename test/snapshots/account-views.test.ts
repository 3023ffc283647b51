import { describe, expect, it, vi } from 'vitest';
import type { CollectResult } from '../../src/digitalocean/paginate.js';
import { MEMORY_PER_BYTE_READ, MemoryBudget } from '../../src/digitalocean/memory.js';
import { ReadBudget } from '../../src/digitalocean/read-budget.js';
import { generateSnapshots } from '../../src/fake-api/data.js';
import { AccountViews, type ScanOptions, type Scanner } from '../../src/snapshots/account-views.js';

const snapshots = generateSnapshots(30, 4);
const MB = 1024 * 1024;

/** A scanner that waits until released, counts its runs and charges `bytes` to the scan's budget. */
function controlledScanner(bytes = 1000) {
  const runs: { resourceType: string | undefined; bounds: ScanOptions; release: () => void; fail: (error: Error) => void }[] = [];
  const scanner: Scanner = (resourceType, bounds) =>
    new Promise<CollectResult>((resolve, reject) => {
      const result = () => ({
        snapshots: resourceType ? snapshots.filter((s) => s.resource_type === resourceType) : snapshots,
        total: 30,
        truncated: false,
        pagesFetched: 1,
        continuation: undefined,
        drift: undefined,
      });
      runs.push({
        resourceType,
        bounds,
        release: () => {
          bounds.budget?.read(bytes);
          resolve(result());
        },
        fail: reject,
      });
      bounds.signal?.addEventListener('abort', () => reject(bounds.signal!.reason));
    });
  return { scanner, runs };
}

const bounds = (overrides: Partial<ScanOptions> = {}): ScanOptions => ({
  deadline: Date.now() + 30_000,
  budget: new ReadBudget({ maxBytes: 64 * MB, maxSnapshots: 1e6 }),
  ...overrides,
});
const settle = () => new Promise((resolve) => setImmediate(resolve));

/** One finished scan for `owner` at a time one `step` later than the last: the clock is the test's. */
function scansOn(views: AccountViews, bytes: number, step: number, clock: { now: number }) {
  const { scanner, runs } = controlledScanner(bytes);
  return async (owner: string, type?: 'droplet' | 'volume') => {
    clock.now += step;
    const pending = views.scan(owner, type, scanner, bounds());
    await settle();
    runs.at(-1)!.release();
    return pending;
  };
}

describe('AccountViews', () => {
  it('shares one scan among concurrent identical calls, and answers later ones from it', async () => {
    const views = new AccountViews({ ttlMs: 60_000, maxBytes: 64 * MB });
    const { scanner, runs } = controlledScanner();
    const calls = Array.from({ length: 10 }, () => views.scan('owner-a', undefined, scanner, bounds()));
    await settle();
    expect(runs).toHaveLength(1);
    runs[0]!.release();
    const results = await Promise.all(calls);
    expect(new Set(results.map((view) => view.id)).size).toBe(1);
    expect(views.find('owner-a', undefined)!.id).toBe(results[0]!.id);
    expect(views.find('owner-b', undefined)).toBeUndefined();
  });

  it('narrows a view of all types to one, as a scan of that type would read it', async () => {
    const views = new AccountViews({ ttlMs: 60_000, maxBytes: 64 * MB });
    const { scanner, runs } = controlledScanner();
    const pending = views.scan('owner', undefined, scanner, bounds());
    await settle();
    runs[0]!.release();
    await pending;
    const volumes = views.find('owner', 'volume')!;
    expect(volumes.snapshots).toEqual(snapshots.filter((s) => s.resource_type === 'volume'));
    expect(volumes.total).toBe(volumes.snapshots.length);
  });

  it("one caller's cancellation ends only its wait; the scan stops when the last waiter is gone", async () => {
    const views = new AccountViews({ ttlMs: 60_000, maxBytes: 64 * MB });
    const { scanner, runs } = controlledScanner();
    const first = new AbortController();
    const leaving = views.scan('owner', undefined, scanner, bounds({ signal: first.signal }));
    const staying = views.scan('owner', undefined, scanner, bounds());
    await settle();
    first.abort(new Error('cancelled'));
    await expect(leaving).rejects.toThrow('cancelled');
    expect(runs[0]!.bounds.signal!.aborted).toBe(false);
    runs[0]!.release();
    expect((await staying).snapshots).toHaveLength(30);

    const last = new AbortController();
    const alone = views.scan('owner-2', undefined, scanner, bounds({ signal: last.signal }));
    await settle();
    last.abort(new Error('gone'));
    await expect(alone).rejects.toThrow('gone');
    expect(runs[1]!.bounds.signal!.aborted).toBe(true);
  });

  it('runs a shared scan until the latest deadline among its waiters', async () => {
    const views = new AccountViews({ ttlMs: 60_000, maxBytes: 64 * MB });
    const { scanner, runs } = controlledScanner();
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    try {
      const early = views.scan('owner', undefined, scanner, bounds({ deadline: Date.now() + 50 }));
      const late = views.scan('owner', undefined, scanner, bounds({ deadline: Date.now() + 30_000 }));
      // Past the first deadline: the scan runs on for the later one.
      vi.advanceTimersByTime(120);
      expect(runs[0]!.bounds.signal!.aborted).toBe(false);
      vi.advanceTimersByTime(30_000);
      expect(runs[0]!.bounds.signal!.aborted).toBe(true);
      await Promise.allSettled([early, late]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('keeps no failed scan', async () => {
    const views = new AccountViews({ ttlMs: 60_000, maxBytes: 64 * MB });
    const { scanner, runs } = controlledScanner();
    const failing = views.scan('owner', undefined, scanner, bounds());
    await settle();
    runs[0]!.fail(new Error('503'));
    await expect(failing).rejects.toThrow('503');
    expect(views.find('owner', undefined)).toBeUndefined();
  });

  it('forgets a view after its time, and keeps none when the time is 0', async () => {
    let now = 1_000_000;
    const views = new AccountViews({ ttlMs: 60_000, maxBytes: 64 * MB }, undefined, () => now);
    const { scanner, runs } = controlledScanner();
    const pending = views.scan('owner', undefined, scanner, bounds());
    await settle();
    runs[0]!.release();
    await pending;
    now += 59_000;
    expect(views.find('owner', undefined)).toBeDefined();
    now += 1_000;
    expect(views.find('owner', undefined)).toBeUndefined();
    expect(new AccountViews({ ttlMs: 0, maxBytes: 64 * MB }).enabled).toBe(false);
  });

  it('stays within its bytes: the oldest views go first, from an owner over its fair share', async () => {
    const clock = { now: 0 };
    const views = new AccountViews({ ttlMs: 600_000, maxBytes: 10 * MB }, undefined, () => clock.now);
    const scan = scansOn(views, 3 * MB, 1000, clock);
    await scan('a');
    const a2 = await scan('a', 'droplet');
    const a3 = await scan('a', 'volume');
    expect(views.bytesHeld).toBe(9 * MB);
    const b1 = await scan('b');
    // a held 9 MB of 10: its oldest view made room for b.
    expect(views.bytesHeld).toBeLessThanOrEqual(10 * MB);
    expect(views.find('b', undefined)!.id).toBe(b1.id);
    expect(views.find('a', 'droplet')!.id).toBe(a2.id);
    expect(views.find('a', 'volume')!.id).toBe(a3.id);
    expect(views.find('a', undefined)).toBeUndefined();
    // A view larger than the whole budget is not kept at all.
    const huge = controlledScanner(11 * MB);
    const pending = views.scan('c', undefined, huge.scanner, bounds());
    await settle();
    huge.runs[0]!.release();
    await pending;
    expect(views.find('c', undefined)).toBeUndefined();
  });

  it("a kept view holds its scan's part of the process memory until it goes; reclaiming drops the oldest first", async () => {
    const memory = new MemoryBudget(100 * MB);
    const clock = { now: 0 };
    const views = new AccountViews({ ttlMs: 60_000, maxBytes: 64 * MB }, memory, () => clock.now);
    memory.reclaim = (bytes) => views.reclaim(bytes);
    const scan = scansOn(views, 4 * MB, 1000, clock);
    await scan('a');
    await scan('b');
    expect(memory.bytesHeld).toBe(2 * 4 * MB * MEMORY_PER_BYTE_READ);
    // A call that needs room: the oldest view (a's) goes, b's stays.
    const call = memory.open(Date.now() + 30_000);
    call.use(100 * MB - 4 * MB * MEMORY_PER_BYTE_READ);
    expect(views.find('a', undefined)).toBeUndefined();
    expect(views.find('b', undefined)).toBeDefined();
    call.release();
    clock.now += 60_000;
    expect(views.find('b', undefined)).toBeUndefined();
    expect(memory.bytesHeld).toBe(0);
  });

  it("with thousands of owners' views kept, one more evicts only what it must: the oldest", async () => {
    const clock = { now: 0 };
    const views = new AccountViews({ ttlMs: 600_000, maxBytes: 4000 * 1000 }, undefined, () => clock.now);
    const scan = scansOn(views, 1000, 1, clock);
    for (let i = 0; i < 4000; i++) await scan(`owner-${i}`);
    expect(views.size).toBe(4000);
    const newest = await scan('newcomer');
    expect(views.size).toBe(4000);
    expect(views.find('owner-0', undefined)).toBeUndefined();
    expect(views.find('owner-1', undefined)).toBeDefined();
    expect(views.find('newcomer', undefined)!.id).toBe(newest.id);
  });
});
