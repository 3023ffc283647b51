import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateSnapshots } from '../../src/fake-api/data.js';
import { breakdown, planAcross } from '../../src/snapshots/cleanup.js';
import { summarize } from '../../src/snapshots/summary.js';
import { hundredths, units } from '../../src/snapshots/pricing.js';
import { apportion } from '../../src/snapshots/tally.js';
import { largestRemainder } from '../reference.js';

/** A sum of figures shown to the cent, in whole cents: no float error in the comparison. */
const cents = (values: number[]) => values.reduce((sum, value) => sum + Math.round(value * 100), 0);

// Sizes as the API gives them, to the thousandth so that half-cent boundaries (1.005, 2.675: not
// exact in binary) come often: tiny (under the $0.01 minimum), fractional, and large.
const size = fc.oneof(
  fc.constantFrom(0, 0.01, 0.05, 0.1, 0.15, 1.005, 2.675),
  fc.integer({ min: 0, max: 5_000_000 }).map((n) => n / 1000),
);

describe('figures that add up', () => {
  it('apportion: hundredths that sum to the total shown, each within one of its value, as the reference allocates them', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(size, { maxLength: 60 }), async (values) => {
        const shown = await apportion(values.map(units));
        // The total to the cent, half up, as on paper (the values are exact thousandths).
        const thousandths = values.reduce((sum, value) => sum + Math.round(value * 1000), 0);
        const total = Math.floor((thousandths + 5) / 10) / 100;
        expect(hundredths(values.reduce((sum, value) => sum + units(value), 0))).toBe(total);
        expect(shown).toEqual(largestRemainder(values, total));
        expect(cents(shown)).toBe(Math.round(total * 100));
        for (const [i, value] of shown.entries()) expect(Math.abs(value - values[i]!)).toBeLessThan(0.01 + 1e-9);
      }),
      { numRuns: 300 },
    );
  });

  it('over random accounts: the summary by type, the breakdowns and the candidates add up to the totals shown', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.array(size, { maxLength: 400 }),
        async (count, seed, sizes) => {
          const snapshots = generateSnapshots(count, seed).map((snapshot, i) => ({
            ...snapshot,
            size_gigabytes: sizes[i] ?? snapshot.size_gigabytes,
          }));
          const now = Date.now();
          const summary = await summarize(snapshots);
          expect(cents(Object.values(summary.by_resource_type).map((tally) => tally.gb))).toBe(Math.round(summary.total_gb * 100));

          const parts = await breakdown(snapshots, now);
          const byType = Object.values(parts.by_type);
          const byAge = Object.values(parts.by_age);
          expect(cents(byType.map((tally) => tally.monthly_cost_usd))).toBe(cents(byAge.map((tally) => tally.monthly_cost_usd)));
          expect(cents(byType.map((tally) => tally.gb))).toBe(cents(byAge.map((tally) => tally.gb)));
          expect(cents(byType.map((tally) => tally.gb))).toBe(Math.round(summary.total_gb * 100));
          expect(cents(byType.map((tally) => tally.monthly_cost_usd))).toBe(Math.round(summary.monthly_cost_usd * 100));

          const live = { droplet: new Set<string>(), volume: new Set<string>(), refused: {} };
          const plan = await planAcross([{ name: '', snapshots, live }], { orphans: 'include', keep_last: 1, limit: 100 }, now);
          expect(cents(plan.candidates.map((candidate) => candidate.cost))).toBe(Math.round(plan.savings * 100));
        },
      ),
      { numRuns: 60 },
    );
  });
});
