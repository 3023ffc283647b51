import * as z from 'zod';
import { round } from './pricing.js';

// Counts without zod's 64-bit bounds: they would only lengthen the published schema.
export const count = () => z.int().meta({ minimum: undefined, maximum: undefined });

/** How many snapshots and how many GB fall under one key. */
export const tallySchema = z.object({ count: count(), gb: z.number() });
export type Tally = z.output<typeof tallySchema>;
/** The same, with what they cost a month: for partitions, where costs add up. */
export const costedTallySchema = tallySchema.extend({ monthly_cost_usd: z.number() });
export type CostedTally = z.output<typeof costedTallySchema>;

interface Sums {
  count: number;
  gb: number;
  cost: number;
}

/**
 * Count, GB and monthly cost of snapshots grouped by a key: the one routine behind the summary's
 * and the plan's breakdowns. Sums stay unrounded until they are read, so rounding never
 * accumulates.
 */
export class Tallies<K extends string = string> {
  private readonly sums = new Map<K, Sums>();

  /** `keys`: groups listed even when empty, in this order (otherwise largest first). */
  constructor(private readonly keys?: readonly K[]) {
    for (const key of keys ?? []) this.sums.set(key, { count: 0, gb: 0, cost: 0 });
  }

  add(key: K, gb: number, cost: number): void {
    const sums = this.sums.get(key);
    if (sums) {
      sums.count += 1;
      sums.gb += gb;
      sums.cost += cost;
    } else this.sums.set(key, { count: 1, gb, cost });
  }

  /** Count and GB of each group. */
  counted(): Record<K, Tally> {
    return Object.fromEntries(this.ordered().map(([key, sums]) => [key, { count: sums.count, gb: round(sums.gb, 2) }])) as Record<K, Tally>;
  }

  /** Count, GB and monthly cost of each group. */
  costed(): Record<K, CostedTally> {
    return Object.fromEntries(
      this.ordered().map(([key, sums]) => [key, { count: sums.count, gb: round(sums.gb, 2), monthly_cost_usd: round(sums.cost, 2) }]),
    ) as Record<K, CostedTally>;
  }

  /** The keys' order, or largest first (then by key, so equal groups keep one order). */
  private ordered(): [K, Sums][] {
    const entries = [...this.sums];
    return this.keys ? entries : entries.sort(([a, x], [b, y]) => y.gb - x.gb || (a < b ? -1 : a > b ? 1 : 0));
  }
}
