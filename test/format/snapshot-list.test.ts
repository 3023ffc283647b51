import { describe, expect, it } from 'vitest';
import { generateSnapshots } from '../../src/fake-api/data.js';
import { exactContinuation, formatSnapshotList, snapshotLine, sumGigabytes } from '../../src/format/snapshot-list.js';

describe('exactContinuation', () => {
  it('always names a page that starts exactly at the next snapshot, or none', () => {
    let exact = 0;
    for (let perPage = 1; perPage <= 200; perPage += 7) {
      for (let page = 1; page <= 12; page++) {
        for (let skip = 0; skip < perPage; skip += 3) {
          const offset = (page - 1) * perPage + skip;
          const next = exactContinuation({ page, skip }, perPage);
          if (!next) continue;
          exact += 1;
          expect((next.page - 1) * next.perPage).toBe(offset);
          expect(next.perPage).toBeLessThanOrEqual(200);
          if (skip > 0) expect(next.perPage).toBeGreaterThanOrEqual(20);
        }
      }
    }
    expect(exact).toBeGreaterThan(1000);
  });

  it('keeps per_page at a page boundary and prefers the largest page size', () => {
    expect(exactContinuation({ page: 4, skip: 0 }, 10)).toEqual({ page: 4, perPage: 10 });
    expect(exactContinuation({ page: 1, skip: 100 }, 200)).toEqual({ page: 2, perPage: 100 });
    expect(exactContinuation({ page: 2, skip: 200 }, 400)).toEqual({ page: 4, perPage: 200 });
    expect(exactContinuation({ page: 1, skip: 7 }, 200)).toBeUndefined();
  });
});

describe('formatSnapshotList', () => {
  const snapshots = generateSnapshots(5, 2);
  const request = { page: 1, perPage: 200, limit: 100 };

  it('falls back to page and skip when no exact page fits', () => {
    const text = formatSnapshotList(
      { snapshots, total: 40, truncated: true, pagesFetched: 1, continuation: { page: 1, skip: 5 }, drift: undefined },
      { ...request, limit: 5, resourceType: 'volume' },
    );
    expect(text.split('\n')[1]).toBe(
      'To continue: page=1, per_page=200, resource_type=volume, and skip the first 5 snapshots of that page (already listed here), or raise limit (up to 1000).',
    );
  });

  it('does not suggest raising a limit that is already the maximum', () => {
    const text = formatSnapshotList(
      { snapshots, total: 4000, truncated: true, pagesFetched: 5, continuation: { page: 6, skip: 0 }, drift: undefined },
      { ...request, limit: 1000 },
    );
    expect(text.split('\n')[1]).toBe('To continue exactly after the last one: page=6, per_page=200.');
  });

  it('writes one tab-separated line per snapshot, sizes to two decimals', () => {
    const line = snapshotLine({ ...snapshots[0]!, id: '9', name: 'n', resource_type: 'volume', size_gigabytes: 68.3364, regions: [], tags: [] });
    expect(line).toBe(`9\tn\tV\t68.34\t-\t${snapshots[0]!.created_at.slice(0, 10)}\t-`);
  });

  it('sums sizes without float noise', () => {
    const base = snapshots[0]!;
    expect(sumGigabytes([0.1, 0.2].map((size) => ({ ...base, size_gigabytes: size })))).toBe(0.3);
  });
});
