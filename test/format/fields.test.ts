import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { day } from '../../src/format/fields.js';

// The reference: what Date writes for the moment Date.parse reads.
const reference = (text: string) => {
  const at = Date.parse(text);
  return Number.isNaN(at) ? '?' : new Date(at).toISOString().slice(0, 10);
};

describe('day', () => {
  it('writes the UTC day Date reads, at the calendar edges', () => {
    const edges = [
      '2024-02-29T12:00:00Z',
      '2023-02-29T12:00:00Z',
      '2100-02-29T00:00:00Z',
      '2000-02-29T00:00:00Z',
      '2024-04-31T00:00:00Z',
      '2024-12-31T24:00:00Z',
      '2024-12-31T23:59:60Z',
      '2024-01-01T00:00:00.5Z',
      '2024-01-01T00:00:00+05:00',
      '2024-01-01',
      '0000-01-01T00:00:00Z',
      '9999-12-31T23:59:59Z',
      '2024-00-10T00:00:00Z',
      '2024-13-01T00:00:00Z',
      '2024-01-00T00:00:00Z',
      'not a date',
      '',
    ];
    for (const text of edges) expect(day(text), text).toBe(reference(text));
  });

  it('writes the UTC day Date reads for any timestamp-shaped text', () => {
    const two = (max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, '0'));
    const stamp = fc
      .tuple(fc.integer({ min: 0, max: 9999 }), two(13), two(32), two(25), two(60), two(61), fc.constantFrom('Z', '.123Z', '+01:00', ''))
      .map(([y, mo, d, h, mi, s, zone]) => `${String(y).padStart(4, '0')}-${mo}-${d}T${h}:${mi}:${s}${zone}`);
    fc.assert(
      fc.property(fc.oneof(stamp, fc.string()), (text) => void expect(day(text)).toBe(reference(text))),
      { numRuns: 20_000 },
    );
  });
});
