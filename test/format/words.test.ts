import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatNumber, usd } from '../../src/format/words.js';

// The reference: the en-US formatters the fast path stands in for.
const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
const plain = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2, useGrouping: false });
const dollars = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const expectSameAsIntl = (value: number) =>
  expect([formatNumber(value), formatNumber(value, false), usd(value)]).toEqual([
    grouped.format(value),
    plain.format(value),
    `$${dollars.format(value)}`,
  ]);

describe('number formatting', () => {
  it('writes what Intl writes at the edges: ties, carries, signs, zero, tiny and huge values', () => {
    const edges = [
      0,
      -0,
      1,
      -1,
      0.5,
      1.005,
      -1.005,
      2.675,
      1.115,
      0.005,
      -0.005,
      -0.001,
      -0.004,
      0.995,
      9.995,
      -9.995,
      99.995,
      999.995,
      999_999.995,
      0.1 + 0.2,
      1234.5,
      1000,
      12_345_678.9,
      123_456_789.125,
      1e-6,
      1.5e-6,
      9.99e-7,
      1e20,
      9.999e20,
      1e21,
      1.7976931348623157e308,
      5e-324,
      Number.MAX_SAFE_INTEGER,
      NaN,
      Infinity,
      -Infinity,
    ];
    for (const value of edges) expectSameAsIntl(value);
  });

  it('writes what Intl writes for any double, and for sizes and prices as they come', () => {
    const anyDouble = fc.double({ noDefaultInfinity: false });
    const cents = fc.integer({ min: -1e9, max: 1e12 }).map((n) => n / 1000);
    const ties = fc.integer({ min: 0, max: 1e9 }).map((n) => n / 100 + 0.005);
    fc.assert(
      fc.property(fc.oneof(anyDouble, cents, ties), (value) => void expectSameAsIntl(value)),
      { numRuns: 20_000 },
    );
  });
});
