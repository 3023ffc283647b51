import type { Snapshot } from '../digitalocean/schemas.js';
import { FILTER_KEYS, type FilterArguments, type FilterKey, type SortOrder } from './list-input.js';

/**
 * Filters and order applied across every page (the API itself filters only by resource_type).
 * Pure functions over snapshots: no I/O, no MCP.
 */

type Predicate = (snapshot: Snapshot) => boolean;
const DAY_MS = 86_400_000;

/** One predicate per filter argument, built once per call; `now` anchors older_than_days. */
const PREDICATES: { [K in FilterKey]-?: (value: NonNullable<FilterArguments[K]>, now: number) => Predicate } = {
  name: (pattern) => {
    const matches = nameMatcher(pattern);
    return (snapshot) => matches(snapshot.name);
  },
  region: (slug) => {
    const wanted = slug.toLowerCase();
    return (snapshot) => snapshot.regions.some((region) => region.toLowerCase() === wanted);
  },
  tag: (tag) => {
    const wanted = tag.toLowerCase();
    return (snapshot) => (snapshot.tags ?? []).some((value) => value.toLowerCase() === wanted);
  },
  resource_id: (id) => (snapshot) => snapshot.resource_id === id,
  created_after: (moment) => createdAtOrAfter(Date.parse(moment)),
  created_before: (moment) => createdBefore(Date.parse(moment)),
  older_than_days: (days, now) => createdBefore(now - days * DAY_MS),
  min_size_gb: (gb) => (snapshot) => snapshot.size_gigabytes >= gb,
  max_size_gb: (gb) => (snapshot) => snapshot.size_gigabytes <= gb,
};

function createdAtOrAfter(at: number): Predicate {
  return (snapshot) => Date.parse(snapshot.created_at) >= at;
}

function createdBefore(at: number): Predicate {
  return (snapshot) => Date.parse(snapshot.created_at) < at;
}

export function hasFilters(args: FilterArguments): boolean {
  return FILTER_KEYS.some((key) => args[key] !== undefined);
}

/** Problems an agent must fix before a scan makes sense; empty when the filters are coherent. */
export function filterProblems(args: FilterArguments): string[] {
  const problems: string[] = [];
  if (args.older_than_days !== undefined && args.created_before !== undefined) {
    problems.push('use either older_than_days or created_before, not both');
  }
  if (args.created_after !== undefined && args.created_before !== undefined && Date.parse(args.created_after) >= Date.parse(args.created_before)) {
    problems.push('created_after must be earlier than created_before (after is inclusive, before is exclusive)');
  }
  if (args.min_size_gb !== undefined && args.max_size_gb !== undefined && args.min_size_gb > args.max_size_gb) {
    problems.push('min_size_gb must not be larger than max_size_gb');
  }
  return problems;
}

/** All the given filters at once: a snapshot matches when every one of them holds. */
export function compileFilter(args: FilterArguments, now: number): Predicate {
  const predicates = FILTER_KEYS.flatMap((key) => {
    const value = args[key];
    return value === undefined ? [] : [(PREDICATES[key] as (value: unknown, now: number) => Predicate)(value, now)];
  });
  return (snapshot) => predicates.every((predicate) => predicate(snapshot));
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
