import type { Snapshot } from '../digitalocean/schemas.js';

/**
 * Filters and order applied across every page (the API itself filters only by resource_type).
 * Pure functions over snapshots: no I/O, no MCP.
 */

export const SORT_ORDERS = ['created_desc', 'created_asc', 'size_desc', 'name_asc'] as const;
export type SortOrder = (typeof SORT_ORDERS)[number];

export const SORT_LABELS: Record<SortOrder, string> = {
  created_desc: 'newest first',
  created_asc: 'oldest first',
  size_desc: 'largest first',
  name_asc: 'by name',
};

export interface SnapshotFilter {
  /** Case-insensitive; `*` and `?` make it a whole-name pattern, otherwise a substring. */
  name?: string | undefined;
  region?: string | undefined;
  tag?: string | undefined;
  /** Epoch ms: created at or after. */
  createdAfter?: number | undefined;
  /** Epoch ms: created strictly before. */
  createdBefore?: number | undefined;
  minSizeGb?: number | undefined;
  maxSizeGb?: number | undefined;
}

export function isEmptyFilter(filter: SnapshotFilter): boolean {
  return Object.values(filter).every((value) => value === undefined);
}

/** Problems an agent must fix before a scan makes sense; empty when the filter is coherent. */
export function filterProblems(filter: SnapshotFilter): string[] {
  const problems: string[] = [];
  if (filter.createdAfter !== undefined && filter.createdBefore !== undefined && filter.createdAfter >= filter.createdBefore) {
    problems.push('created_after must be earlier than created_before (after is inclusive, before is exclusive)');
  }
  if (filter.minSizeGb !== undefined && filter.maxSizeGb !== undefined && filter.minSizeGb > filter.maxSizeGb) {
    problems.push('min_size_gb must not be larger than max_size_gb');
  }
  return problems;
}

export function compileFilter(filter: SnapshotFilter): (snapshot: Snapshot) => boolean {
  const name = filter.name === undefined ? undefined : nameMatcher(filter.name);
  const region = filter.region?.toLowerCase();
  const tag = filter.tag?.toLowerCase();
  return (snapshot) => {
    if (name && !name(snapshot.name)) return false;
    if (region !== undefined && !snapshot.regions.some((slug) => slug.toLowerCase() === region)) return false;
    if (tag !== undefined && !(snapshot.tags ?? []).some((value) => value.toLowerCase() === tag)) return false;
    if (filter.createdAfter !== undefined || filter.createdBefore !== undefined) {
      const created = Date.parse(snapshot.created_at);
      if (filter.createdAfter !== undefined && created < filter.createdAfter) return false;
      if (filter.createdBefore !== undefined && created >= filter.createdBefore) return false;
    }
    if (filter.minSizeGb !== undefined && snapshot.size_gigabytes < filter.minSizeGb) return false;
    if (filter.maxSizeGb !== undefined && snapshot.size_gigabytes > filter.maxSizeGb) return false;
    return true;
  };
}

/** `*` any run of characters, `?` one character, whole name; otherwise a substring. Both ignore case. */
export function nameMatcher(pattern: string): (name: string) => boolean {
  const lower = pattern.toLowerCase();
  if (!/[*?]/.test(pattern)) return (name) => name.toLowerCase().includes(lower);
  const source = [...lower].map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[\\^$.|+()[\]{}]/g, '\\$&'))).join('');
  const regex = new RegExp(`^${source}$`, 's');
  return (name) => regex.test(name.toLowerCase());
}

/** A stable order: ties keep the API's order, so every page of a sorted scan agrees. */
export function sortSnapshots(snapshots: Snapshot[], order: SortOrder): Snapshot[] {
  const compare = COMPARATORS[order];
  return snapshots
    .map((snapshot, index) => ({ snapshot, index, created: Date.parse(snapshot.created_at) }))
    .sort((a, b) => compare(a, b) || a.index - b.index)
    .map((entry) => entry.snapshot);
}

type Keyed = { snapshot: Snapshot; created: number };
const COMPARATORS: Record<SortOrder, (a: Keyed, b: Keyed) => number> = {
  created_desc: (a, b) => b.created - a.created,
  created_asc: (a, b) => a.created - b.created,
  size_desc: (a, b) => b.snapshot.size_gigabytes - a.snapshot.size_gigabytes,
  // Case-insensitive, then exact, by code unit: the same on every machine, whatever its locale.
  name_asc: (a, b) => byCodeUnit(a.snapshot.name.toLowerCase(), b.snapshot.name.toLowerCase()) || byCodeUnit(a.snapshot.name, b.snapshot.name),
};

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
