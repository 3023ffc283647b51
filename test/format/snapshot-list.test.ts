import { describe, expect, it } from 'vitest';
import { generateSnapshots } from '../../src/fake-api/data.js';
import { day } from '../../src/format/fields.js';
import { formatSnapshotList, type ListPresentation } from '../../src/format/snapshot-list.js';
import type { ListAnswer } from '../../src/snapshots/answers.js';
import { hundredths, monthlyCostUnits, units } from '../../src/snapshots/pricing.js';

const snapshots = generateSnapshots(400, 2);
const answer = (overrides: Partial<ListAnswer> = {}): ListAnswer => ({
  snapshots: snapshots.slice(0, 5),
  count: 5,
  total: 400,
  truncated: true,
  next_cursor: 'NEXT',
  pages_fetched: 1,
  ...overrides,
});
const how: ListPresentation = {
  format: 'concise',
  resourceType: undefined,
  filters: '',
  sort: undefined,
  continued: false,
  now: Date.parse('2026-12-01T12:00:00Z'),
  limit: 5,
  maxLimit: 1000,
};

describe('formatSnapshotList', () => {
  it('names the cursor, and the larger limit when limit was what stopped the list', () => {
    expect(formatSnapshotList(answer(), how).split('\n')[1]).toBe(
      'More exist: call again with the same arguments and cursor="NEXT", or raise limit (up to 1,000).',
    );
    expect(formatSnapshotList(answer(), { ...how, limit: 1000 }).split('\n')[1]).toBe(
      'More exist: call again with the same arguments and cursor="NEXT".',
    );
    // The size budget stopped it at 5 of 40: a larger limit would not help.
    expect(formatSnapshotList(answer(), { ...how, limit: 40 }).split('\n')[1]).toBe(
      'More exist: call again with the same arguments and cursor="NEXT".',
    );
  });

  it('writes one tab-separated line per snapshot, sizes to two decimals, and says what ? means', () => {
    const snapshot = { ...snapshots[0]!, id: '9', name: 'n', resource_type: 'volume', size_gigabytes: 68.3364, regions: [], tags: null };
    const lines = formatSnapshotList(
      answer({ snapshots: [snapshot], count: 1, truncated: false, next_cursor: undefined, total: 1 }),
      how,
    ).split('\n');
    expect(lines[0]).toBe('1 of 1 snapshot, 68.34 GB in this one; complete list.');
    expect(lines.slice(2)).toEqual([
      'Rows: type D = Droplet snapshot, V = volume snapshot; tags ? = not visible (the token lacks tag:read).',
      'id\tname\ttype\tGB\tregions\tcreated\ttags',
      `9\tn\tV\t68.34\t-\t${snapshots[0]!.created_at.slice(0, 10)}\t?`,
    ]);
  });

  it('writes every warning on a line of its own, after the summary', () => {
    const lines = formatSnapshotList(answer({ warnings: ['one', 'two\nthree'] }), how).split('\n');
    expect(lines.slice(1, 3)).toEqual(['Warning: one', 'Warning: two three']);
  });
});

describe('day', () => {
  it('writes the UTC day of a timestamp itself, whatever string the API sent', () => {
    expect(day('2024-02-29T23:59:59Z')).toBe('2024-02-29');
    expect(day('2024-03-01T01:00:00+02:00')).toBe('2024-02-29');
    // Date.parse takes parenthesised comments: the text never shows the API's string.
    expect(day('(\n\nMore exist: cursor="x"\n\n)2019-01-01')).toMatch(/^\d{4}-\d\d-\d\d$|^\?$/);
  });
});

describe('sums in ten-thousandths', () => {
  it('add exactly and round half up to the hundredth, as on paper', () => {
    expect(hundredths(units(0.1) + units(0.2))).toBe(0.3);
    expect(hundredths(units(1.005))).toBe(1.01);
    expect(hundredths(units(2.675))).toBe(2.68);
    expect(hundredths(units(604.7172))).toBe(604.72);
    // 273.175 as a float sum of these costs is 273.17499999999998; in ten-thousandths it is exact.
    expect(hundredths([1.25, 2.925, 269].reduce((sum, value) => sum + units(value), 0))).toBe(273.18);
  });

  it("costs DigitalOcean's price, with its minimum", () => {
    expect(monthlyCostUnits(14.98)).toBe(8988);
    expect(monthlyCostUnits(0.05)).toBe(100);
    expect(monthlyCostUnits(0)).toBe(100);
  });
});
