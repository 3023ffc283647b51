import type { Snapshot } from '../digitalocean/schemas.js';

/** DigitalOcean bills snapshots at $0.06 per GB-month (pricing page, 2026). Stated in every summary. */
export const PRICE_PER_GB_MONTH_USD = 0.06;

export interface Tally {
  count: number;
  gb: number;
}

export interface SnapshotRef {
  id: string;
  name: string;
}

export interface SnapshotSummary {
  matched: number;
  total_gb: number;
  monthly_cost_usd: number;
  price_per_gb_month_usd: number;
  by_resource_type: Record<string, Tally>;
  /** A snapshot available in several regions counts in each of them. */
  by_region: Record<string, Tally>;
  oldest: (SnapshotRef & { created_at: string }) | null;
  newest: (SnapshotRef & { created_at: string }) | null;
  largest: (SnapshotRef & { size_gigabytes: number }) | null;
}

/** Totals over every snapshot given (all that matched, not just those returned). */
export function summarize(snapshots: readonly Snapshot[]): SnapshotSummary {
  let gb = 0;
  const byType = new Map<string, Tally>();
  const byRegion = new Map<string, Tally>();
  let oldest: { snapshot: Snapshot; at: number } | undefined;
  let newest: { snapshot: Snapshot; at: number } | undefined;
  let largest: Snapshot | undefined;
  for (const snapshot of snapshots) {
    gb += snapshot.size_gigabytes;
    add(byType, snapshot.resource_type, snapshot.size_gigabytes);
    for (const region of new Set(snapshot.regions)) add(byRegion, region, snapshot.size_gigabytes);
    const at = Date.parse(snapshot.created_at);
    // Strict comparisons: on ties the first in API order wins, so the answer is stable.
    if (!oldest || at < oldest.at) oldest = { snapshot, at };
    if (!newest || at > newest.at) newest = { snapshot, at };
    if (!largest || snapshot.size_gigabytes > largest.size_gigabytes) largest = snapshot;
  }
  return {
    matched: snapshots.length,
    total_gb: round(gb, 2),
    monthly_cost_usd: round(gb * PRICE_PER_GB_MONTH_USD, 2),
    price_per_gb_month_usd: PRICE_PER_GB_MONTH_USD,
    by_resource_type: tallies(byType),
    by_region: tallies(byRegion),
    oldest: oldest ? { id: oldest.snapshot.id, name: oldest.snapshot.name, created_at: oldest.snapshot.created_at } : null,
    newest: newest ? { id: newest.snapshot.id, name: newest.snapshot.name, created_at: newest.snapshot.created_at } : null,
    largest: largest ? { id: largest.id, name: largest.name, size_gigabytes: largest.size_gigabytes } : null,
  };
}

function add(map: Map<string, Tally>, key: string, gb: number): void {
  const tally = map.get(key) ?? { count: 0, gb: 0 };
  tally.count += 1;
  tally.gb += gb;
  map.set(key, tally);
}

/** Largest first, rounded only at the end so rounding never accumulates. */
function tallies(map: Map<string, Tally>): Record<string, Tally> {
  return Object.fromEntries(
    [...map.entries()]
      .sort(([a, x], [b, y]) => y.gb - x.gb || (a < b ? -1 : 1))
      .map(([key, tally]) => [key, { count: tally.count, gb: round(tally.gb, 2) }]),
  );
}

/** Rounds half away from zero at `digits` decimals, correcting binary float error (1.005 → 1.01). */
export function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round((value + Number.EPSILON * Math.abs(value)) * factor) / factor;
}
