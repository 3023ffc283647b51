import type { ResourceType, Snapshot } from '../src/digitalocean/schemas.js';

/**
 * The selection the tests expect, computed independently of src/snapshots: plain loops and string
 * comparisons, so a bug there cannot hide in the expectation.
 */
export interface Selection {
  resource_type?: ResourceType;
  name?: string;
  region?: string;
  tag?: string;
  resource_id?: string;
  created_after?: string;
  created_before?: string;
  min_size_gb?: number;
  max_size_gb?: number;
  sort?: 'created_desc' | 'created_asc' | 'size_desc' | 'name_asc';
}

export function select(all: Snapshot[], s: Selection): Snapshot[] {
  const out: Snapshot[] = [];
  for (const snap of all) {
    if (s.resource_type && snap.resource_type !== s.resource_type) continue;
    if (s.name !== undefined && !nameOk(snap.name, s.name)) continue;
    if (s.region !== undefined && !snap.regions.map((r) => r.toLowerCase()).includes(s.region.toLowerCase())) continue;
    if (s.tag !== undefined && !(snap.tags ?? []).map((t) => t.toLowerCase()).includes(s.tag.toLowerCase())) continue;
    if (s.resource_id !== undefined && snap.resource_id !== s.resource_id) continue;
    const t = new Date(snap.created_at).getTime();
    if (s.created_after !== undefined && !(t >= new Date(s.created_after).getTime())) continue;
    if (s.created_before !== undefined && !(t < new Date(s.created_before).getTime())) continue;
    if (s.min_size_gb !== undefined && snap.size_gigabytes < s.min_size_gb) continue;
    if (s.max_size_gb !== undefined && snap.size_gigabytes > s.max_size_gb) continue;
    out.push(snap);
  }
  if (!s.sort) return out;
  const indexed = out.map((snap, i) => ({ snap, i }));
  const key = (x: { snap: Snapshot }) => new Date(x.snap.created_at).getTime();
  indexed.sort((a, b) => {
    let d = 0;
    if (s.sort === 'created_desc') d = key(b) - key(a);
    if (s.sort === 'created_asc') d = key(a) - key(b);
    if (s.sort === 'size_desc') d = b.snap.size_gigabytes - a.snap.size_gigabytes;
    if (s.sort === 'name_asc') {
      const [x, y] = [a.snap.name.toLowerCase(), b.snap.name.toLowerCase()];
      d = x < y ? -1 : x > y ? 1 : a.snap.name < b.snap.name ? -1 : a.snap.name > b.snap.name ? 1 : 0;
    }
    return d !== 0 ? d : a.i - b.i;
  });
  return indexed.map((x) => x.snap);
}

/** Glob by hand: * and ? over the lower-cased name, else a substring. */
export function nameOk(name: string, pattern: string): boolean {
  const n = name.toLowerCase();
  const p = pattern.toLowerCase();
  if (!p.includes('*') && !p.includes('?')) return n.includes(p);
  const memo = new Map<string, boolean>();
  const match = (i: number, j: number): boolean => {
    const k = `${i},${j}`;
    if (memo.has(k)) return memo.get(k)!;
    let r: boolean;
    if (j === p.length) r = i === n.length;
    else if (p[j] === '*') r = match(i, j + 1) || (i < n.length && match(i + 1, j));
    else r = i < n.length && (p[j] === '?' || p[j] === n[i]) && match(i + 1, j + 1);
    memo.set(k, r);
    return r;
  };
  return match(0, 0);
}

/**
 * Hundredths that add up to the rounded total, by the largest remainder method, by hand and in
 * exact decimal (the values are sizes and costs with at most four decimals): every value's
 * hundredths rounded down, then one more to each of the largest remainders (ties: the earlier)
 * until the total is reached.
 */
export function largestRemainder(values: number[], total?: number): number[] {
  const tenThousandths = values.map((value) => Math.round(value * 10_000));
  const sum = tenThousandths.reduce((a, b) => a + b, 0);
  const target = total === undefined ? Math.floor((sum + 50) / 100) : Math.round(total * 100);
  const hundredths = tenThousandths.map((value) => Math.floor(value / 100));
  const byRemainder = tenThousandths
    .map((value, i) => ({ i, remainder: value % 100 }))
    .sort((a, b) => b.remainder - a.remainder || a.i - b.i);
  let left = target - hundredths.reduce((a, b) => a + b, 0);
  for (const { i } of byRemainder) {
    if (left <= 0) break;
    hundredths[i]! += 1;
    left -= 1;
  }
  return hundredths.map((value) => value / 100);
}

/** Sizes and costs as exact ten-thousandths, summed as integers, as arithmetic on paper does. */
const gbTt = (snap: Snapshot) => Math.round(snap.size_gigabytes * 10_000);
// DigitalOcean's price: $0.06 per GB-month, at least $0.01 a snapshot.
const costTt = (snap: Snapshot) => Math.max(100, Math.round(snap.size_gigabytes * 600));
/** Ten-thousandths to the cent (hundredth), half up. */
const cents = (tt: number) => Math.floor((tt + 50) / 100) / 100;

/** Summary numbers to the cent and the hundredth of a GB, by hand. */
export function expectedSummary(matches: Snapshot[]) {
  const totalGb = matches.reduce((sum, snap) => sum + gbTt(snap), 0);
  const byType: Record<string, { count: number; gb: number }> = {};
  const byRegion: Record<string, { count: number; gb: number }> = {};
  for (const snap of matches) {
    byType[snap.resource_type] ??= { count: 0, gb: 0 };
    byType[snap.resource_type]!.count += 1;
    byType[snap.resource_type]!.gb += gbTt(snap);
    for (const region of new Set(snap.regions)) {
      byRegion[region] ??= { count: 0, gb: 0 };
      byRegion[region]!.count += 1;
      byRegion[region]!.gb += gbTt(snap);
    }
  }
  const cost = matches.reduce((sum, snap) => sum + costTt(snap), 0);
  return {
    matched: matches.length,
    total_gb: cents(totalGb),
    monthly_cost_usd: cents(cost),
    byType: apportioned(byType, cents(totalGb)),
    byRegion: Object.fromEntries(Object.entries(byRegion).map(([k, v]) => [k, { count: v.count, gb: cents(v.gb) }])),
  };
}

/**
 * The cleanup plan the tests expect, by hand: plain loops over the account and the live lists, as
 * the rules read: each rule only keeps more; what none keeps is a candidate when it is an orphan or
 * when keep_last or older_than_days was given; orphans "only" asks for orphans alone, "exclude" for
 * snapshots whose source is known to exist.
 */
export interface PlanRules {
  keep_last?: number;
  older_than_days?: number;
  orphans?: 'include' | 'only' | 'exclude';
  protect_tags?: string[];
  resource_type?: ResourceType;
}

export function expectedPlan(
  all: Snapshot[],
  live: { droplets: Set<string> | null; volumes: Set<string> | null },
  rules: PlanRules,
  now: number,
) {
  const orphans = rules.orphans ?? 'include';
  const scanned = all.filter((snap) => !rules.resource_type || snap.resource_type === rules.resource_type);
  const protectedTag = (snap: Snapshot) =>
    (snap.tags ?? []).some((tag) => (rules.protect_tags ?? []).some((wanted) => wanted.toLowerCase() === tag.toLowerCase()));
  // The newest keep_last of each source among the unprotected: later created first; on a tie the larger id.
  const newest = new Set<string>();
  if (rules.keep_last !== undefined) {
    const sources = new Map<string, Snapshot[]>();
    for (const snap of scanned) {
      if (protectedTag(snap)) continue;
      const key = `${snap.resource_type}/${snap.resource_id}`;
      if (!sources.has(key)) sources.set(key, []);
      sources.get(key)!.push(snap);
    }
    for (const list of sources.values()) {
      const sorted = [...list].sort((a, b) => {
        const d = new Date(b.created_at).getTime() - new Date(a.created_at).getTime();
        if (d !== 0) return d;
        return a.id < b.id ? 1 : -1;
      });
      for (let i = 0; i < rules.keep_last && i < sorted.length; i++) newest.add(sorted[i]!.id);
    }
  }
  const candidates: { id: string; reasons: string[]; cost: number }[] = [];
  let savings = 0;
  for (const snap of scanned) {
    const recent = rules.older_than_days !== undefined && new Date(snap.created_at).getTime() >= now - rules.older_than_days * 86_400_000;
    if (protectedTag(snap) || newest.has(snap.id) || recent) continue;
    const liveSet = snap.resource_type === 'droplet' ? live.droplets : live.volumes;
    const known = liveSet !== null;
    const orphan = known && !liveSet.has(snap.resource_id);
    if (orphans === 'only' && !orphan) continue;
    if (orphans === 'exclude' && (!known || orphan)) continue;
    if (!orphan && rules.keep_last === undefined && rules.older_than_days === undefined) continue;
    const reasons: string[] = [];
    if (orphan && orphans !== 'exclude') reasons.push('orphaned');
    if (rules.older_than_days !== undefined) reasons.push('older_than');
    if (rules.keep_last !== undefined) reasons.push('beyond_keep_last');
    const cost = costTt(snap);
    savings += cost;
    candidates.push({ id: snap.id, reasons, cost });
  }
  // The costs as shown add up to the savings as shown.
  const total = cents(savings);
  const shown = largestRemainder(
    candidates.map((c) => c.cost / 10_000),
    total,
  );
  const rows = candidates.map((c, i) => ({ id: c.id, reasons: c.reasons, monthly_cost_usd: shown[i]! }));
  rows.sort((a, b) => b.monthly_cost_usd - a.monthly_cost_usd || (a.id < b.id ? -1 : 1));
  return {
    candidates: rows,
    monthly_savings_usd: total,
    scanned: scanned.length,
  };
}

/** Groups of a partition (GB in ten-thousandths) with their GB apportioned to the total as shown. */
function apportioned(groups: Record<string, { count: number; gb: number }>, total: number) {
  const entries = Object.entries(groups);
  const gb = largestRemainder(
    entries.map(([, group]) => group.gb / 10_000),
    total,
  );
  return Object.fromEntries(entries.map(([key, group], i) => [key, { count: group.count, gb: gb[i]! }]));
}
