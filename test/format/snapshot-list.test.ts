import { describe, expect, it } from 'vitest';
import { generateSnapshots } from '../../src/fake-api/data.js';
import { formatSnapshotList, snapshotLine, type ListView } from '../../src/format/snapshot-list.js';
import { round } from '../../src/snapshots/summary.js';

const snapshots = generateSnapshots(400, 2);
const view = (overrides: Partial<ListView> = {}): ListView => ({
  snapshots: snapshots.slice(0, 5),
  total: 400,
  truncated: true,
  pagesFetched: 1,
  drift: undefined,
  scan: undefined,
  resourceType: undefined,
  page: 1,
  offset: 0,
  perPage: 200,
  limit: 5,
  format: 'concise',
  nextCursor: 'NEXT',
  cursorAfter: (listed) => `AFTER-${listed}`,
  ...overrides,
});

describe('formatSnapshotList', () => {
  it('names the cursor and the larger limit when more exist', () => {
    expect(formatSnapshotList(view()).split('\n')[1]).toBe('More exist: call again with the same arguments and cursor="NEXT", or raise limit (up to 1000).');
    expect(formatSnapshotList(view({ limit: 1000 })).split('\n')[1]).toBe('More exist: call again with the same arguments and cursor="NEXT".');
  });

  it('cuts the list at the budget and says how to read on from the first unlisted one', () => {
    const text = formatSnapshotList(view({ snapshots, limit: 400 }), 5000);
    expect(text.length).toBeLessThanOrEqual(5000);
    const rows = text.split('\n').filter((line) => /^(\d+|[0-9a-f-]{36})\t/.test(line));
    expect(rows.length).toBeGreaterThan(20);
    expect(text).toContain(`Listed ${rows.length} of the 400 returned; ${400 - rows.length} more are in structuredContent only`);
    expect(text).toContain(`cursor="AFTER-${rows.length}"`);
  });

  it('writes one tab-separated line per snapshot, sizes to two decimals', () => {
    const line = snapshotLine({ ...snapshots[0]!, id: '9', name: 'n', resource_type: 'volume', size_gigabytes: 68.3364, regions: [], tags: [] });
    expect(line).toBe(`9\tn\tV\t68.34\t-\t${snapshots[0]!.created_at.slice(0, 10)}\t-`);
  });

  it('is at most a third of the raw API bytes per snapshot', () => {
    const text = formatSnapshotList(view({ snapshots: snapshots.slice(0, 300), limit: 300 }));
    const raw = snapshots.slice(0, 300).reduce((sum, snapshot) => sum + JSON.stringify(snapshot).length, 0);
    expect(text.length).toBeLessThan(raw / 3);
  });
});

describe('round', () => {
  it('rounds half away from zero without float noise', () => {
    expect(round(0.1 + 0.2, 2)).toBe(0.3);
    expect(round(1.005, 2)).toBe(1.01);
    expect(round(2.675, 2)).toBe(2.68);
    expect(round(604.7172, 2)).toBe(604.72);
  });
});
