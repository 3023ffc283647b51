import * as z from 'zod';
import type { Snapshot } from '../digitalocean/schemas.js';
import { sortPaced } from './pace.js';
import { hundredths, monthlyCostUnits, units } from './pricing.js';

// Counts without zod's 64-bit bounds: they would only lengthen the published schema.
export const count = () => z.int().meta({ minimum: undefined, maximum: undefined });

/** How many snapshots and how many GB fall under one key. */
export const tallySchema = z.object({ count: count(), gb: z.number() });
export type Tally = z.output<typeof tallySchema>;
/** The same, with what they cost a month: for partitions, where costs add up. */
export const costedTallySchema = tallySchema.extend({ monthly_cost_usd: z.number() });
export type CostedTally = z.output<typeof costedTallySchema>;

/**
 * Sums in ten-thousandths (pricing.ts), shown to the hundredth so that they add up exactly to their
 * total shown (the largest remainder method): each gets its hundredths rounded down, and the
 * hundredths that leaves out of the total go one each to the largest remainders (on a tie, the
 * earlier). `total` is that total as shown, when the caller has it (several partitions of one sum
 * then agree); else the sum's. In slices (pace.ts): the plan apportions every candidate.
 */
export async function apportion(values: readonly number[], total?: number, signal?: AbortSignal): Promise<number[]> {
  const floors = values.map((value) => Math.floor(value / 100));
  const target = total === undefined ? Math.round(values.reduce((sum, value) => sum + value, 0) / 100) : Math.round(total * 100);
  let missing = target - floors.reduce((sum, value) => sum + value, 0);
  if (missing !== 0) {
    const remainder = (i: number) => values[i]! - floors[i]! * 100;
    const order = await sortPaced(
      values.map((_, i) => i),
      (a, b) => remainder(b) - remainder(a) || a - b,
      signal,
    );
    // Short: the largest remainders gain a hundredth; over (a total below the sum): the smallest give one back.
    for (let k = 0; missing > 0; k++, missing--) floors[order[k % order.length]!]! += 1;
    for (let k = order.length - 1; missing < 0; k--, missing++) floors[order[(k + order.length) % order.length]!]! -= 1;
  }
  return floors.map((value) => value / 100);
}

/** A group's snapshots, and their GB and monthly cost in ten-thousandths. */
interface Sums {
  count: number;
  gb: number;
  cost: number;
}

/**
 * Count, GB and monthly cost of snapshots grouped by a key: the one routine behind the summary's
 * and the plan's breakdowns. Sums are exact (ten-thousandths, pricing.ts) until they are read. The groups of a partition (each snapshot in one group) are apportioned: their
 * figures add up exactly to the totals as shown. Overlapping groups (regions) are each rounded.
 */
export class Tallies<K extends string = string> {
  private readonly sums = new Map<K, Sums>();

  /** `keys`: groups listed even when empty, in this order (otherwise largest first). */
  constructor(
    private readonly partition: boolean,
    private readonly keys?: readonly K[],
  ) {
    for (const key of keys ?? []) this.sums.set(key, { count: 0, gb: 0, cost: 0 });
  }

  /** One snapshot: its size and monthly cost in ten-thousandths (units(), monthlyCostUnits()). */
  add(key: K, gb: number, cost: number): void {
    const sums = this.sums.get(key);
    if (sums) {
      sums.count += 1;
      sums.gb += gb;
      sums.cost += cost;
    } else this.sums.set(key, { count: 1, gb, cost });
  }

  /** Count and GB of each group; `totals`, as shown, are what a partition's groups add up to. */
  async counted(totals?: { gb: number }): Promise<Record<K, Tally>> {
    const entries = this.ordered();
    const gb = await this.shown(
      entries.map(([, sums]) => sums.gb),
      totals?.gb,
    );
    return Object.fromEntries(entries.map(([key, sums], i) => [key, { count: sums.count, gb: gb[i]! }])) as Record<K, Tally>;
  }

  /** Count, GB and monthly cost of each group; `totals` as for counted(). */
  async costed(totals?: { gb: number; cost: number }): Promise<Record<K, CostedTally>> {
    const entries = this.ordered();
    const [gb, cost] = await Promise.all([
      this.shown(
        entries.map(([, sums]) => sums.gb),
        totals?.gb,
      ),
      this.shown(
        entries.map(([, sums]) => sums.cost),
        totals?.cost,
      ),
    ]);
    return Object.fromEntries(
      entries.map(([key, sums], i) => [key, { count: sums.count, gb: gb[i]!, monthly_cost_usd: cost[i]! }]),
    ) as Record<K, CostedTally>;
  }

  private shown(values: number[], total: number | undefined): Promise<number[]> | number[] {
    return this.partition ? apportion(values, total) : values.map(hundredths);
  }

  /** The keys' order, or largest first (then by key, so equal groups keep one order). */
  private ordered(): [K, Sums][] {
    const entries = [...this.sums];
    return this.keys ? entries : entries.sort(([a, x], [b, y]) => y.gb - x.gb || (a < b ? -1 : a > b ? 1 : 0));
  }
}

/**
 * What every pass over snapshots adds up: the totals, by type (a partition), by region (a snapshot
 * in several regions counts in each, so regions overlap and are each rounded on their own) and,
 * across named accounts, by account (a partition).
 */
export class AccountTallies {
  private gb = 0;
  private cost = 0;
  readonly byType = new Tallies(true);
  readonly byRegion = new Tallies(false);
  /** With several named accounts: each one's part (a partition, every name listed). */
  readonly byAccount: Tallies | undefined;

  constructor(private readonly accounts?: { names: string[]; of: (snapshot: Snapshot) => string }) {
    this.byAccount = accounts && new Tallies(true, accounts.names);
  }

  /** Counts the snapshot; its size and cost in ten-thousandths, for the caller's own groups. */
  add(snapshot: Snapshot): { gb: number; cost: number } {
    const gb = units(snapshot.size_gigabytes);
    const cost = monthlyCostUnits(snapshot.size_gigabytes);
    this.gb += gb;
    this.cost += cost;
    this.byType.add(snapshot.resource_type, gb, cost);
    if (this.accounts) this.byAccount!.add(this.accounts.of(snapshot), gb, cost);
    for (const region of new Set(snapshot.regions)) this.byRegion.add(region, gb, cost);
    return { gb, cost };
  }

  /** The totals as shown, which a partition's groups add up to. */
  get totals(): { gb: number; cost: number } {
    return { gb: hundredths(this.gb), cost: hundredths(this.cost) };
  }
}
