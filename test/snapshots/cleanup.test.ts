import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateSnapshots } from '../../src/fake-api/data.js';
import { cleanupInput, planAcross } from '../../src/snapshots/cleanup.js';
import { expectedPlan, type PlanRules } from '../reference.js';

const rules = fc.record(
  {
    keep_last: fc.integer({ min: 0, max: 4 }),
    older_than_days: fc.integer({ min: 1, max: 1500 }),
    orphans: fc.constantFrom('include', 'only', 'exclude'),
    protect_tags: fc.subarray(['keep', 'KEEP', 'backup', 'env:prod', 'web']),
    resource_type: fc.constantFrom('droplet', 'volume'),
  },
  { requiredKeys: [] },
) as fc.Arbitrary<PlanRules>;

describe('the cleanup rules over random accounts', () => {
  it('propose exactly what the reference does: candidates, reasons, costs and savings', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 300 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.boolean(),
        rules,
        async (count, seed, alive, volumesListed, given) => {
          const snapshots = generateSnapshots(count, seed);
          // Some sources still exist, the rest are gone; the volumes' list may be refused (403).
          const sources = [...new Set(snapshots.map((snapshot) => snapshot.resource_id))];
          const live = new Set(sources.filter((_, i) => (i * 7919) % 1000 < alive * 1000));
          const droplets = new Set([...live].filter((id) => /^\d+$/.test(id)));
          const volumes = volumesListed ? new Set([...live].filter((id) => !/^\d+$/.test(id))) : null;
          const now = Date.now();
          const listed = {
            droplet: droplets,
            volume: volumes ?? undefined,
            refused: volumesListed ? {} : { volume: 'block_storage:read' as const },
          };
          const plan = await planAcross([{ name: '', snapshots, live: listed }], cleanupInput.parse(given), now);
          const expected = expectedPlan(snapshots, { droplets, volumes }, given, now);
          expect(plan.candidates.map(({ snapshot, reasons, cost }) => ({ id: snapshot.id, reasons, monthly_cost_usd: cost }))).toEqual(
            expected.candidates,
          );
          expect(plan.savings).toBe(expected.monthly_savings_usd);
          expect(plan.scanned.length).toBe(expected.scanned);
        },
      ),
      { numRuns: 200 },
    );
  });
});
