import * as z from 'zod';
import type { Snapshot } from '../digitalocean/schemas.js';
import { shown, shownKey, type ClipReport } from './clip.js';
import { eachPaced } from './pace.js';
import { hundredths, PRICE_PER_GB_MONTH_USD, units } from './pricing.js';
import { AccountTallies, costedTallySchema, count, tallySchema } from './tally.js';
import type { AccountOf } from './across.js';

/** Totals over every matching snapshot, not only those an answer lists. */
export const summarySchema = z.object({
  matched: count(),
  total_gb: z.number(),
  monthly_cost_usd: z.number(),
  price_per_gb_month_usd: z.number(),
  by_resource_type: z.record(z.string(), tallySchema),
  /** A snapshot available in several regions counts in each of them. */
  by_region: z.record(z.string(), tallySchema),
  /** Absent when nothing matched. */
  oldest: z.object({ id: z.string(), name: z.string(), created_at: z.string() }).optional(),
  newest: z.object({ id: z.string(), name: z.string(), created_at: z.string() }).optional(),
  largest: z.object({ id: z.string(), name: z.string(), size_gigabytes: z.number() }).optional(),
});
/** Across several accounts, each one's part too: they partition the matches, so they add up to the totals. */
export const summaryAcrossSchema = summarySchema.extend({ by_account: z.record(z.string(), costedTallySchema) });
export type SnapshotSummary = z.output<typeof summarySchema> & Partial<Pick<z.output<typeof summaryAcrossSchema>, 'by_account'>>;

// Real accounts have two types and about fifteen regions; more is hostile data, kept bounded.
export const MAX_TYPES = 10;
export const MAX_REGIONS = 30;

/**
 * Totals over every snapshot given (all that matched, not just those returned), in slices (pace.ts);
 * with `accounts`, each named account's part (every name listed, in order, even with none).
 */
export async function summarize(
  snapshots: readonly Snapshot[],
  signal?: AbortSignal,
  accounts?: { names: string[]; of: NonNullable<AccountOf> },
): Promise<SnapshotSummary> {
  const tallies = new AccountTallies(accounts);
  let oldest: { snapshot: Snapshot; at: number } | undefined;
  let newest: { snapshot: Snapshot; at: number } | undefined;
  let largest: Snapshot | undefined;
  await eachPaced(
    snapshots,
    (snapshot) => {
      tallies.add(snapshot);
      const at = Date.parse(snapshot.created_at);
      // Strict comparisons: on ties the first in API order wins, so the answer is stable.
      if (!oldest || at < oldest.at) oldest = { snapshot, at };
      if (!newest || at > newest.at) newest = { snapshot, at };
      if (!largest || snapshot.size_gigabytes > largest.size_gigabytes) largest = snapshot;
    },
    signal,
  );
  const { totals } = tallies;
  return {
    matched: snapshots.length,
    total_gb: totals.gb,
    monthly_cost_usd: totals.cost,
    price_per_gb_month_usd: PRICE_PER_GB_MONTH_USD,
    by_resource_type: await tallies.byType.counted(totals),
    by_region: await tallies.byRegion.counted(),
    ...(tallies.byAccount && { by_account: await tallies.byAccount.costed(totals) }),
    ...(oldest && { oldest: { id: oldest.snapshot.id, name: oldest.snapshot.name, created_at: oldest.snapshot.created_at } }),
    ...(newest && { newest: { id: newest.snapshot.id, name: newest.snapshot.name, created_at: newest.snapshot.created_at } }),
    ...(largest && { largest: { id: largest.id, name: largest.name, size_gigabytes: largest.size_gigabytes } }),
  };
}

/** The summary as an answer shows it: strings within the clip bounds, tallies within a few keys. */
export function clipSummary(summary: SnapshotSummary, report: ClipReport): SnapshotSummary {
  const text = (value: string, field: string) => shown(value, report, field);
  const { oldest, newest, largest } = summary;
  return {
    ...summary,
    by_resource_type: clipTallies(summary.by_resource_type, MAX_TYPES, report, 'summary resource types'),
    by_region: clipTallies(summary.by_region, MAX_REGIONS, report, 'summary regions'),
    ...(oldest && {
      oldest: { id: text(oldest.id, 'id'), name: text(oldest.name, 'name'), created_at: text(oldest.created_at, 'created_at') },
    }),
    ...(newest && {
      newest: { id: text(newest.id, 'id'), name: text(newest.name, 'name'), created_at: text(newest.created_at, 'created_at') },
    }),
    ...(largest && { largest: { id: text(largest.id, 'id'), name: text(largest.name, 'name'), size_gigabytes: largest.size_gigabytes } }),
  };
}

/**
 * The `max` largest entries (they come largest first), keys cut to MAX_KEY_CHARS; keys that then
 * collide are merged, their figures added.
 */
export function clipTallies<V extends Record<string, number>>(
  tallies: Record<string, V>,
  max: number,
  report: ClipReport,
  field: string,
): Record<string, V> {
  const entries = Object.entries(tallies);
  if (entries.length > max) report.set(`${field} beyond the largest ${max}`, entries.length - max);
  const kept = new Map<string, V>();
  for (const [key, tally] of entries.slice(0, max)) {
    const short = shownKey(key, report, field);
    const seen = kept.get(short);
    kept.set(short, seen ? merged(seen, tally) : tally);
  }
  return Object.fromEntries(kept);
}

function merged<V extends Record<string, number>>(a: V, b: V): V {
  return Object.fromEntries(Object.entries(a).map(([name, value]) => [name, hundredths(units(value) + units(b[name] ?? 0))])) as V;
}
